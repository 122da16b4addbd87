// `panel.conversation(id)` in a React app built by Vite, the way the README
// shows it: useSyncExternalStore(conversation.subscribe,
// conversation.getSnapshot), keyed by `localId ?? id` so an own message keeps
// its row from 'pending' to 'sent'. Counts renders so the test can check one
// render per batch of events. The session comes in the address (?session=).
import { OperatorPanel } from 'twin-panel';
import { createElement as h, useSyncExternalStore } from 'react';
import { createRoot } from 'react-dom/client';

const base = location.origin;
const panel = new OperatorPanel({
  iamUrl: `${base}/iam/api/v1`,
  chatUrl: `${base}/chat/api/v1`,
  centrifugoUrl: `${base.replace(/^http/, 'ws')}/centrifugo/connection/websocket`,
});
await panel.login({ email: 'operator@twin.local', password: 'operator' });
await panel.connect();
const conversation = panel.conversation(new URLSearchParams(location.search).get('session'));

window.conversationApp = { panel, conversation, renders: 0 };

function Conversation() {
  const { messages, hasOlder, loading, clientTyping, unread } = useSyncExternalStore(conversation.subscribe, conversation.getSnapshot);
  window.conversationApp.renders++;
  const send = (event) => {
    event.preventDefault();
    const input = event.target.elements.text;
    conversation.send(input.value).catch(() => {}); // a failure shows on the message
    input.value = '';
  };
  return h('div', null,
    h('p', { id: 'meta', 'data-unread': unread, 'data-loading': loading, 'data-typing': String(clientTyping), 'data-has-older': String(hasOlder) }),
    h('ol', { id: 'messages' }, messages.map((m) => h('li', { key: m.localId ?? m.id, 'data-id': m.id ?? '', 'data-status': m.status }, m.body))),
    h('form', { id: 'composer', onSubmit: send }, h('input', { name: 'text' }), h('button', { type: 'submit' }, 'Send')));
}

createRoot(document.getElementById('root')).render(h(Conversation));
await conversation.load({ limit: 10 });
document.getElementById('state').textContent = 'ready';
