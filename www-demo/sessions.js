// The live session list: what a CRM developer needs to keep a list of chats
// right. It loads once with listSessions() (sorted by the last message) and
// then follows the live events: new, transferred, queued, closed and removed
// sessions, new messages (last message + unread count), client presence and
// typing. After `resync` the app calls reload(), because events were missed.
import { $, h, avatar, clientOnline, timeLabel, errorText, toast } from './ui.js';

const SORT = '-lastMessageCreatedAt';
const TYPING_MS = 5000;

/** The events whose payload is the whole, current Session. */
const SESSION_EVENTS = [
  'chatSessionStarted', // a new session assigned to me
  'chatSessionAdded', // transferred or added to me
  'operatorNotFound', // nobody took it: it waits in the queue
  'chatSessionDeleted', // it left me (transferred away, removed, closed by another operator)
  'sessionClosedByClient',
  'chatSessionSwitchedFromBotToOperator',
];

export class SessionList {
  /** @param {import('/pkg/index.js').OperatorPanel} panel */
  constructor(panel, { onSelect }) {
    this.panel = panel;
    this.onSelect = onSelect;
    this.me = null;
    this.sessions = new Map(); // id -> Session, only those shown in a tab
    this.typingUntil = new Map(); // session id -> ms
    this.tab = 'mine';
    this.selectedId = null;
    this.loading = null; // while a reload runs: live changes made meanwhile, replayed after it
    this.quiet = new Set(); // sessions this operator moved away: no toast for their echo
    this.list = $('#sessions');
    this.empty = $('#sessions-empty');

    for (const button of document.querySelectorAll('.tabs [data-tab]')) {
      button.addEventListener('click', () => this.showTab(button.dataset.tab));
    }
    this.subscribe();
  }

  subscribe() {
    const { panel } = this;
    for (const name of SESSION_EVENTS) {
      panel.on(name, (session) => {
        if (!this.me || !session?.id) return;
        const before = this.tabOf(this.sessions.get(session.id));
        this.upsert(session);
        this.announce(name, session, before);
      });
    }
    panel.on('chatMessageCreated', (message) => this.onMessage(message));
    panel.on('chatMessageEdited', (message) => {
      const session = this.sessions.get(message?.sessionId);
      if (session?.lastMessage?.id === message.id) this.patch(session.id, { lastMessage: message });
    });
    panel.on('clientOnline', ({ sessionId, at }) => this.patch(sessionId, { clientOnlineAt: at ?? new Date().toISOString() }));
    panel.on('clientOffline', ({ sessionId, at }) => this.patch(sessionId, { clientOfflineAt: at ?? new Date().toISOString() }));
    panel.on('typing', ({ sessionId }) => {
      if (!this.sessions.has(sessionId)) return;
      this.typingUntil.set(sessionId, Date.now() + TYPING_MS);
      this.render();
      setTimeout(() => this.render(), TYPING_MS + 50);
    });
  }

  /** Which tab a session belongs to for the logged-in operator, or null. */
  tabOf(session) {
    if (!session || !this.me) return null;
    const me = String(this.me.id);
    const operators = session.operators ?? [];
    const mine = String(session.operatorId ?? '') === me || operators.some((o) => String(o.id) === me);
    if (session.status === 'CLOSED') return mine ? 'closed' : null;
    if (mine) return 'mine';
    // The API has no "unassigned" filter: the queue is the open sessions
    // without an operator that the bot is not answering.
    if (!session.operatorId && operators.length === 0 && session.botStatus !== 'ACTIVE') return 'queue';
    return null;
  }

  isMine(session) {
    return this.tabOf(session) === 'mine';
  }

  get(id) {
    return this.sessions.get(id);
  }

  /** Loads the three tabs; resolves when the list is shown. */
  async reload() {
    const me = this.me.id;
    const pending = [];
    this.loading = pending;
    this.list.setAttribute('aria-busy', 'true');
    try {
      const [mine, open, closed] = await Promise.all([
        this.panel.listSessions({ operatorId: me, status: 'ACTIVE', sort: SORT, limit: 100 }),
        this.panel.listSessions({ status: 'ACTIVE', sort: SORT, limit: 100 }),
        this.panel.listSessions({ operatorId: me, status: 'CLOSED', sort: SORT, limit: 30 }),
      ]);
      if (this.loading !== pending) return; // a newer reload or a logout won
      this.sessions.clear();
      for (const session of [...closed.items, ...open.items, ...mine.items]) this.store(session);
      for (const apply of pending) apply();
    } catch (error) {
      toast(`Could not load the chats: ${errorText(error)}`, 'warn');
    } finally {
      if (this.loading === pending) this.loading = null;
      this.list.setAttribute('aria-busy', 'false');
      this.render();
    }
  }

  clear() {
    this.loading = null;
    this.me = null;
    this.sessions.clear();
    this.typingUntil.clear();
    this.selectedId = null;
    this.render();
  }

  store(session) {
    if (this.tabOf(session)) this.sessions.set(session.id, session);
    else this.sessions.delete(session.id);
  }

  /** Adds, replaces or drops a session according to its current state. */
  upsert(session) {
    const apply = () => this.store({ ...this.sessions.get(session.id), ...session });
    apply();
    this.loading?.push(apply);
    this.render();
  }

  /** Changes some fields of a known session. */
  patch(id, fields) {
    if (!this.sessions.has(id)) return;
    const apply = () => {
      const session = this.sessions.get(id);
      if (session) this.store({ ...session, ...(typeof fields === 'function' ? fields(session) : fields) });
    };
    apply();
    this.loading?.push(apply);
    this.render();
  }

  remove(id) {
    const apply = () => this.sessions.delete(id);
    apply();
    this.loading?.push(apply);
    this.render();
  }

  /** Fetches one session again (after a change made here) and files it. */
  async refresh(id) {
    try {
      this.upsert(await this.panel.getSession(id));
    } catch {
      this.remove(id);
    }
  }

  onMessage(message) {
    const id = message?.sessionId;
    if (!id || !this.me) return; // not about a session
    this.typingUntil.delete(id);
    if (!this.sessions.has(id)) {
      // A session we have not seen (e.g. we reloaded before it started).
      this.refresh(id);
      return;
    }
    const fromClient = message.authorType === 'CLIENT';
    this.patch(id, (s) => ({
      lastMessage: message,
      lastMessageCreatedAt: message.createdAt ?? s.lastMessageCreatedAt,
      unreadClientMessageCount: (s.unreadClientMessageCount ?? 0) + (fromClient && !message.readAt ? 1 : 0),
    }));
  }

  announce(event, session, before) {
    const name = session.name || 'A visitor';
    const after = this.tabOf(this.sessions.get(session.id));
    if (event === 'chatSessionStarted') toast(`New chat: ${name}`, 'ok');
    else if (event === 'chatSessionAdded' && after === 'mine') toast(`${name} was transferred to you`, 'ok');
    else if (event === 'operatorNotFound' && after === 'queue') toast(`${name} is waiting in the queue`);
    else if (event === 'sessionClosedByClient') toast(`${name} closed the chat`);
    else if (event === 'chatSessionDeleted' && before === 'mine' && after !== 'mine' && !this.quiet.delete(session.id)) {
      toast(session.status === 'CLOSED' ? `${name} was closed` : `${name} left your chats`);
    }
  }

  select(id) {
    this.selectedId = id;
    this.render();
  }

  showTab(tab) {
    this.tab = tab;
    for (const button of document.querySelectorAll('.tabs [data-tab]')) {
      button.setAttribute('aria-selected', String(button.dataset.tab === tab));
    }
    this.render();
  }

  sorted(tab) {
    const at = (s) => Date.parse(s.lastMessageCreatedAt ?? s.startedAt ?? '') || 0;
    return [...this.sessions.values()].filter((s) => this.tabOf(s) === tab).sort((a, b) => at(b) - at(a));
  }

  render() {
    const counts = { mine: 0, queue: 0, closed: 0 };
    for (const session of this.sessions.values()) counts[this.tabOf(session)]++;
    for (const button of document.querySelectorAll('.tabs [data-tab]')) {
      const n = counts[button.dataset.tab];
      const count = button.querySelector('.count');
      count.textContent = n ? String(n) : '';
      count.classList.toggle('alert', button.dataset.tab === 'queue' && n > 0);
    }
    const items = this.sorted(this.tab);
    this.list.replaceChildren(...items.map((s) => this.item(s)));
    this.empty.hidden = items.length > 0 || this.list.getAttribute('aria-busy') === 'true';
    this.empty.textContent = { mine: 'No open chats. New ones appear here live.', queue: 'Nobody is waiting.', closed: 'No closed chats.' }[this.tab];
  }

  item(session) {
    const name = session.name || 'Visitor';
    // A closed chat cannot be answered: its unread count means nothing any more.
    const unread = session.status === 'CLOSED' ? 0 : session.unreadClientMessageCount ?? 0;
    const typing = session.status !== 'CLOSED' && (this.typingUntil.get(session.id) ?? 0) > Date.now();
    const last = session.lastMessage;
    let preview = last?.body || (last?.attachments?.length ? 'Attachment' : '');
    if (last && last.authorType === 'OPERATOR') preview = `You: ${preview}`;
    const tags = [];
    if (session.messengerType && session.messengerType !== 'WEB') tags.push(h('span', { class: 'tag', text: session.messengerType.toLowerCase() }));
    if (session.clientBanned) tags.push(h('span', { class: 'tag danger', text: 'banned' }));
    if (session.markedAsSpam) tags.push(h('span', { class: 'tag danger', text: 'spam' }));
    const online = session.status === 'CLOSED' ? null : clientOnline(session);
    const button = h('button', {
      type: 'button',
      class: 'session',
      'aria-current': session.id === this.selectedId ? 'true' : null,
      onclick: () => this.onSelect(session.id),
    },
    avatar(name, session.clientId ?? session.id, online),
    h('span', { class: 'session-main' },
      h('span', { class: 'session-top' },
        h('span', { class: 'session-name', text: name }),
        ...tags,
        h('time', { class: 'session-time', text: timeLabel(session.lastMessageCreatedAt ?? session.startedAt) })),
      h('span', { class: 'session-bottom' },
        typing
          ? h('span', { class: 'session-preview typing-text', text: 'typing…' })
          : h('span', { class: 'session-preview', text: preview || 'No messages yet' }),
        unread > 0 ? h('span', { class: 'unread', title: `${unread} unread`, text: String(unread) }) : null)));
    return h('li', { dataset: { sessionId: session.id, unread: String(unread) } }, button);
  }
}
