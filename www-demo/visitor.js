// The visitor side, for a CRM developer who also owns the public site:
// ChatWidget starts a session without any login (start(visitor)), then keeps
// a Socket.IO connection for it. The page sends (send), says it is typing
// (typing), marks operator messages read once shown (markRead), ends the
// chat (close) and follows the widget's events: message, typing, read,
// operatorChanged, operatorStatusChanged, operatorLoggedOut and the
// connection states. The page loads the package's widget entry
// (twin-panel/widget, served at /pkg/widget/), not the operator panel's; a
// build without it gets a clear notice.
//
// The operator assigned when the chat starts is named by no event the page
// can receive (the socket opens after the session exists), so an operator's
// message or typing also tells the page that someone answers.
import { widgetOptions } from './config.js';
import { $, h, avatar, errorText, safeUrl, showError, timeLabel, useTwinError } from './ui.js';

const TYPING_MS = 5000;
const TYPING_EVERY_MS = 2000;

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
  let session = null;
  let messages = [];
  let typingTimer = 0;
  let lastTyping = 0;
  let answered = false; // an operator has joined, written or typed in this chat

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

  const system = (text) => {
    messages.push({ id: `system-${Date.now()}-${Math.random()}`, system: true, body: text });
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

  /** An operator answers this chat (named when `name` is known). */
  const operatorAnswers = (name) => {
    if (name) showOperator(name);
    answered = true;
    el.line.textContent = 'is answering you';
  };

  /** Nobody answers yet (a new chat), or the operator left. */
  const waitForOperator = () => {
    answered = false;
    showOperator('Support');
    el.line.textContent = 'waiting for an operator';
  };

  function create() {
    const w = new ChatWidget(widgetOptions);
    w.on('connecting', () => showState('connecting'));
    w.on('connected', () => showState('connected'));
    w.on('disconnected', ({ reconnect }) => showState(reconnect ? 'connecting' : 'disconnected'));
    w.on('error', (error) => showError(el.error, error));
    w.on('message', (message) => {
      // The first operator of a chat is named by their messages.
      if (message.authorType === 'OPERATOR') operatorAnswers(message.authorName);
      add(message);
      hideTyping();
      markShownRead();
    });
    w.on('typing', (data) => {
      const bot = data?.authorType === 'BOT';
      if (!bot && !answered) operatorAnswers(null);
      const who = el.title.textContent !== 'Support' ? el.title.textContent : 'The operator';
      el.typing.textContent = bot ? 'The bot is typing…' : `${who} is typing…`;
      el.typing.hidden = false;
      clearTimeout(typingTimer);
      typingTimer = setTimeout(hideTyping, TYPING_MS);
    });
    w.on('read', ({ messageId }) => {
      const m = messages.find((x) => x.id === messageId);
      if (m) {
        m.readAt = m.readAt ?? new Date().toISOString();
        render();
      }
    });
    w.on('operatorChanged', (data) => {
      operatorAnswers(data?.operatorName ?? 'Operator');
      system(data?.previousOperatorName
        ? `${data.operatorName ?? 'Another operator'} took over from ${data.previousOperatorName}.`
        : `${data?.operatorName ?? 'An operator'} joined the chat.`);
    });
    w.on('operatorStatusChanged', ({ currentStatus }) => {
      const line = STATUS_LINE[currentStatus];
      if (line) el.line.textContent = line;
    });
    w.on('operatorLoggedOut', () => {
      waitForOperator();
      system('The operator has left. Another one will answer soon.');
    });
    return w;
  }

  function hideTyping() {
    clearTimeout(typingTimer);
    el.typing.hidden = true;
  }

  /** Adds a message, or replaces the local copy of one we sent. */
  function add(message) {
    let i = messages.findIndex((m) => m.id === message.id);
    if (i < 0 && message.authorType === 'CLIENT') {
      i = messages.findIndex((m) => m.local && !m.confirmed && m.body === message.body);
    }
    if (i >= 0) messages[i] = { ...messages[i], ...message, local: false };
    else messages.push(message);
    render();
  }

  async function markShownRead() {
    if (!widget || document.visibilityState !== 'visible') return;
    for (const m of messages) {
      if (m.system || m.local || m.authorType === 'CLIENT' || m.readAt || m.marking) continue;
      m.marking = true;
      try {
        await widget.markRead(m.id);
        m.readAt = new Date().toISOString();
      } catch {
        // a read mark is best effort
      } finally {
        m.marking = false;
      }
    }
  }

  function render() {
    const atBottom = el.scroller.scrollHeight - el.scroller.scrollTop - el.scroller.clientHeight < 80;
    el.list.replaceChildren(...messages.map((m) => {
      if (m.system) return h('li', { class: 'system', text: m.body });
      const own = m.authorType === 'CLIENT';
      const meta = [h('time', { text: timeLabel(m.createdAt) })];
      if (own) meta.push(h('span', { class: m.readAt ? 'read' : 'sent', text: m.local && !m.confirmed ? 'sending…' : m.readAt ? '✓✓ read' : '✓ sent' }));
      return h('li', { class: `msg ${own ? 'out own' : 'in'}${m.authorType === 'BOT' ? ' bot' : ''}`, dataset: { messageId: m.id } },
        h('div', { class: 'bubble' },
          own ? null : h('div', { class: 'author', text: m.authorName || (m.authorType === 'BOT' ? 'Bot' : 'Operator') }),
          m.body ? h('div', { class: 'text', text: m.body }) : null,
          ...(m.attachments ?? []).map((a) => h('a', { class: 'attachment file', href: safeUrl(a.url) ?? safeUrl(a.downloadLink), target: '_blank', rel: 'noopener', text: a.name || 'file' })),
          h('div', { class: 'meta' }, ...meta)));
    }));
    if (atBottom) el.scroller.scrollTop = el.scroller.scrollHeight;
  }

  async function send(text) {
    const local = { id: `local-${Date.now()}`, local: true, authorType: 'CLIENT', body: text, createdAt: new Date().toISOString() };
    messages.push(local);
    render();
    el.scroller.scrollTop = el.scroller.scrollHeight;
    try {
      const sent = await widget.send(text);
      if (sent?.id && !messages.some((m) => m.id === sent.id)) Object.assign(local, { id: sent.id, createdAt: sent.createdAt ?? local.createdAt });
      local.confirmed = true;
      render();
    } catch (error) {
      messages = messages.filter((m) => m !== local);
      render();
      el.text.value ||= text;
      showError(el.error, error);
    }
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
      messages = [];
      answered = false;
      session = await widget.start(continuing ? { clientId: knownClient, clientName: name } : { clientName: name });
      if (widget.clientId) localStorage.setItem(CLIENT_KEY, (knownClient = widget.clientId));
      for (const m of session?.messages ?? []) add({ ...m, id: m.id ?? m.messageId });
      el.start.hidden = true;
      el.scroller.hidden = false;
      el.composer.hidden = false;
      el.end.hidden = false;
      // Events that came while start() ran may already name the operator.
      if (!answered) el.line.textContent = continuing ? 'We are here to help' : 'waiting for an operator';
      system(continuing ? 'Welcome back: your chat continues.' : `Chat started${session?.startedAt ? ` at ${timeLabel(session.startedAt)}` : ''}.`);
      if (first && !continuing) await send(first);
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
  el.text.addEventListener('input', () => {
    const now = Date.now();
    if (widget && now - lastTyping > TYPING_EVERY_MS) {
      lastTyping = now;
      try {
        widget.typing(); // fire and forget
      } catch {
        // no session yet
      }
    }
  });

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
    widget.free(); // a new chat gets a new widget
    widget = null;
    session = null;
    hideTyping();
    showError(el.error, null);
    el.composer.hidden = true;
    el.end.hidden = true;
    el.ended.hidden = false;
    $('#continue').hidden = true;
    localStorage.removeItem(CLIENT_KEY); // that chat is over
    knownClient = null;
    answered = false;
    showOperator('Support');
    el.line.textContent = 'We usually answer within a minute';
    showState('disconnected');
  });

  $('#new-chat').addEventListener('click', () => {
    messages = [];
    render();
    el.ended.hidden = true;
    el.scroller.hidden = true;
    el.start.hidden = false;
    el.start.elements.message.focus();
  });
}
