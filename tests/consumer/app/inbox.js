// `panel.inbox` in a React app, the way the README shows it:
// useSyncExternalStore(inbox.subscribe, inbox.getSnapshot). Counts renders so
// the test can check one render per batch of events.
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
const inbox = panel.inbox;

window.inboxApp = { panel, renders: 0 };

function Inbox() {
  const { sessions, unreadTotal } = useSyncExternalStore(inbox.subscribe, inbox.getSnapshot);
  window.inboxApp.renders++;
  return h('div', null,
    h('p', { id: 'unread-total' }, String(unreadTotal)),
    h('ul', { id: 'inbox' }, sessions.map((s) => h('li', { key: s.id, 'data-id': s.id, 'data-unread': s.unread }, `${s.name}: ${s.unread}`))));
}

createRoot(document.getElementById('root')).render(h(Inbox));
await inbox.load({ status: 'ACTIVE' });
document.getElementById('state').textContent = 'ready';
