// The visitor side, for a CRM developer who also owns the public site:
// ChatWidget starts a session without any login (start(visitor)), then keeps
// a Socket.IO connection for it. The transcript is `widget.conversation`: the
// start answer's messages, the visitor's own (shown at once, then sent or
// failed), the operator's and the bot's, read ticks, the operator's typing
// and who answers; this page draws its snapshot and adds a few notes of its
// own (who joined, who left). It sends (send), says it is typing (typing,
// throttled by the package), marks messages read once shown (markRead),
// ends the chat (close) and follows operatorChanged, operatorStatusChanged,
// operatorLoggedOut and the connection states. The page loads the package's
// widget entry (twin-panel/widget, served at /pkg/widget/), not the operator
// panel's; a build without it gets a clear notice.
import { widgetOptions } from './config.js';
import { $, h, attachment, avatar, errorText, showError, timeLabel, useTwinError } from './ui.js';

/** The header's second line for an operator's `operatorStatusChanged`. */
const STATUS_LINE = {
  ACTIVE: 'is answering you',
  PAUSED: 'is away for a moment',
  OFFLINE: 'is offline: another operator will answer',
};

// Imported here rather than at the top, so a build without the widget entry
// shows the notice below instead of a blank page.
const twin = await import('/pkg/widget/index.js').catch((error) => {
  console.error(error);
  return {};
});
if (twin.default) await twin.default(); // init(): loads the wasm once
if (twin.TwinError) useTwinError(twin.TwinError);

const el = {
  start: $('#start'),
  startError: $('#start-error'),
  unavailable: $('#unavailable'),
  scroller: $('#visitor-messages'),
  list: $('#message-list'),
  typing: $('#visitor-typing'),
  composer: $('#visitor-composer'),
  text: $('#visitor-text'),
  error: $('#visitor-error'),
  state: $('#widget-state'),
  end: $('#end-chat'),
  ended: $('#ended'),
  title: $('#operator-title'),
  line: $('#operator-line'),
  avatar: $('#operator-avatar'),
};

const { ChatWidget } = twin;
if (typeof ChatWidget !== 'function') {
  el.unavailable.textContent = 'ChatWidget is not available in this build of twin-panel.';
  el.unavailable.hidden = false;
} else {
  runWidget();
}

function runWidget() {
  let widget = null;
  let conversation = null; // widget.conversation
  let snapshot = () => null; // its getSnapshot, kept: it answers after free() too (the transcript stays)
  let notes = []; // this page's own lines: { after: messages shown before it, text }
  let typist = 'OPERATOR'; // who typed last: the operator or the bot
  let status = ''; // the operator's status line, from operatorStatusChanged
  let waiting = ''; // the header's second line while nobody answers
  let left = null; // the operator who logged out
  let answered = false; // an operator typed: someone answers, maybe not named yet

  // A returning visitor can continue: this browser keeps its own clientId.
  // (Never one from the address: a crafted link would continue someone
  // else's chat.)
  const CLIENT_KEY = 'twin-panel-demo.clientId';
  let knownClient = localStorage.getItem(CLIENT_KEY);
  el.start.hidden = false;
  $('#continue').hidden = !knownClient;
  document.addEventListener('visibilitychange', () => markShownRead());

  const showState = (state) => {
    el.state.textContent = { connected: 'online', connecting: 'connecting', disconnected: 'offline' }[state] ?? state;
    el.state.className = `badge ${state}`;
  };

  const note = (text) => {
    notes.push({ after: snapshot()?.messages.length ?? 0, text });
    render();
  };

  const showOperator = (name) => {
    el.title.textContent = name || 'Support';
    el.title.title = name || '';
    const fresh = avatar(name || 'Support', name || 'support');
    fresh.id = 'operator-avatar';
    el.avatar.replaceWith(fresh);
    el.avatar = fresh;
  };

  function create() {
    const w = new ChatWidget(widgetOptions);
    conversation = w.conversation;
    snapshot = conversation.getSnapshot;
    conversation.subscribe(render);
    w.on('connecting', () => showState('connecting'));
    w.on('connected', () => showState('connected'));
    w.on('disconnected', ({ reconnect }) => showState(reconnect ? 'connecting' : 'disconnected'));
    w.on('error', (error) => showError(el.error, error));
    w.on('typing', (data) => {
      typist = data?.authorType ?? 'OPERATOR';
      answered ||= typist !== 'BOT';
    });
    w.on('operatorChanged', (data) => note(data?.previousOperatorName
      ? `${data.operatorName ?? 'Another operator'} took over from ${data.previousOperatorName}.`
      : `${data?.operatorName ?? 'An operator'} joined the chat.`));
    w.on('operatorStatusChanged', ({ currentStatus }) => {
      status = STATUS_LINE[currentStatus] ?? status;
      render();
    });
    w.on('operatorLoggedOut', ({ operatorId }) => {
      [left, status, waiting, answered] = [String(operatorId), '', 'waiting for an operator', false];
      note('The operator has left. Another one will answer soon.');
    });
    return w;
  }

  /** Marks the operator's and the bot's messages read once the visitor can see them. */
  function markShownRead() {
    if (widget && document.visibilityState === 'visible' && snapshot()?.unread > 0) {
      conversation.markRead().catch(() => {}); // a read mark is best effort
    }
  }

  /** Draws the conversation's snapshot with this page's notes in between. */
  function render() {
    const now = snapshot();
    const messages = now?.messages ?? [];
    const atBottom = el.scroller.scrollHeight - el.scroller.scrollTop - el.scroller.clientHeight < 80;
    const items = [];
    for (let i = 0; i <= messages.length; i++) {
      for (const n of notes) if (n.after === i) items.push(h('li', { class: 'system', text: n.text }));
      if (i < messages.length) items.push(messageItem(messages[i]));
    }
    el.list.replaceChildren(...items);
    // Who answers: the operator the conversation knows, unless they left.
    const operator = now?.operator?.id === left ? null : now?.operator;
    if (widget && now?.sessionId) {
      showOperator(operator ? operator.name ?? 'Operator' : 'Support');
      el.line.textContent = operator || answered ? status || 'is answering you' : waiting;
    }
    const who = typist === 'BOT' ? 'The bot' : operator?.name ?? 'The operator';
    el.typing.textContent = `${who} is typing…`;
    el.typing.hidden = !now?.operatorTyping;
    if (atBottom) el.scroller.scrollTop = el.scroller.scrollHeight;
    markShownRead();
  }

  function messageItem(m) {
    const own = m.authorType === 'CLIENT';
    const meta = [h('time', { text: timeLabel(m.createdAt) })];
    const state = { pending: 'sending…', failed: 'not sent' }[m.status] ?? (m.readAt ? '✓✓ read' : '✓ sent');
    if (own) meta.push(h('span', { class: m.status === 'failed' ? 'failed' : m.readAt ? 'read' : 'sent', title: m.error ? errorText(m.error) : null, text: state }));
    const actions = m.status === 'failed' && h('div', { class: 'msg-actions' },
      h('button', { type: 'button', class: 'link', text: 'Retry', onclick: () => widget && conversation.retry(m.localId).catch(() => {}) }),
      h('button', { type: 'button', class: 'link danger', text: 'Discard', onclick: () => widget && conversation.discard(m.localId) }));
    return h('li', { class: `msg ${own ? 'out own' : 'in'}${m.authorType === 'BOT' ? ' bot' : ''} ${m.status}`, dataset: { messageId: m.id ?? m.localId } },
      h('div', { class: 'bubble' },
        own ? null : h('div', { class: 'author', text: m.authorName || (m.authorType === 'BOT' ? 'Bot' : 'Operator') }),
        m.body ? h('div', { class: 'text', text: m.body }) : null,
        ...(m.attachments ?? []).map(attachment),
        h('div', { class: 'meta' }, ...meta)),
      actions);
  }

  /** Sends as the visitor: shown at once; a failure shows on the message (retry or discard it). */
  function send(text) {
    conversation.send(text).catch(() => {});
    el.scroller.scrollTop = el.scroller.scrollHeight;
  }

  el.start.addEventListener('submit', async (e) => {
    e.preventDefault();
    const form = new FormData(el.start);
    const name = String(form.get('name')).trim() || 'Guest';
    const first = String(form.get('message')).trim();
    const buttons = el.start.querySelectorAll('button[type=submit]');
    for (const b of buttons) b.disabled = true;
    showError(el.startError, null);
    try {
      widget ??= create();
      // With a clientId, start() continues that visitor's last open session.
      const continuing = e.submitter?.value === 'continue' && knownClient;
      [notes, status, left, answered] = [[], '', null, false];
      waiting = continuing ? 'We are here to help' : 'waiting for an operator';
      const session = await widget.start(continuing ? { clientId: knownClient, clientName: name } : { clientName: name });
      if (widget.clientId) localStorage.setItem(CLIENT_KEY, (knownClient = widget.clientId));
      el.start.hidden = true;
      el.scroller.hidden = false;
      el.composer.hidden = false;
      el.end.hidden = false;
      note(continuing ? 'Welcome back: your chat continues.' : `Chat started${session?.startedAt ? ` at ${timeLabel(session.startedAt)}` : ''}.`);
      if (first && !continuing) send(first);
      el.text.focus();
    } catch (error) {
      showError(el.startError, error);
    } finally {
      for (const b of buttons) b.disabled = false;
    }
  });

  el.composer.addEventListener('submit', (e) => {
    e.preventDefault();
    const text = el.text.value.trim();
    if (!text) return;
    el.text.value = '';
    showError(el.error, null);
    send(text);
  });
  el.text.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      el.composer.requestSubmit();
    }
  });
  el.text.addEventListener('input', () => widget && conversation.typing().catch(() => {})); // not started yet

  // Ending keeps the transcript on screen with a "Start a new chat" bar in
  // place of the composer; the start form comes back only on request, on
  // its own (a new chat starts with an empty transcript).
  el.end.addEventListener('click', async () => {
    try {
      await widget.close();
    } catch (error) {
      showError(el.error, new Error(`Could not end the chat: ${errorText(error)}`));
      return;
    }
    widget.free(); // a new chat gets a new widget (and a new conversation)
    widget = null;
    el.typing.hidden = true;
    showError(el.error, null);
    el.composer.hidden = true;
    el.end.hidden = true;
    el.ended.hidden = false;
    $('#continue').hidden = true;
    localStorage.removeItem(CLIENT_KEY); // that chat is over
    knownClient = null;
    showOperator('Support');
    el.line.textContent = 'We usually answer within a minute';
    showState('disconnected');
  });

  $('#new-chat').addEventListener('click', () => {
    [conversation, snapshot, notes] = [null, () => null, []];
    render();
    el.ended.hidden = true;
    el.scroller.hidden = true;
    el.start.hidden = false;
    el.start.elements.message.focus();
  });
}
