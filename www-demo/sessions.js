// The live session list, on `panel.inbox` alone: the package loads the
// sessions, follows the live events (new, transferred, queued, closed and
// removed sessions, messages, unread counts, typing, client presence), fetches
// sessions it has not seen, and reloads after a lost stream. This file only
// sorts its snapshot into tabs and draws it, once per change batch.
import { $, h, avatar, timeLabel, errorText, toast } from './ui.js';

/** Session events worth a toast; the inbox has already applied them. */
const ANNOUNCED = ['chatSessionStarted', 'chatSessionAdded', 'operatorNotFound', 'chatSessionDeleted', 'sessionClosedByClient'];

export class SessionList {
  /** @param {import('/pkg/index.js').OperatorPanel} panel */
  constructor(panel, { onSelect }) {
    this.panel = panel;
    this.inbox = panel.inbox;
    this.onSelect = onSelect;
    this.me = null;
    this.tab = 'mine';
    this.selectedId = null;
    this.quiet = new Set(); // sessions this operator moved away: no toast for their echo
    this.snapshot = null;
    this.byId = new Map();
    this.list = $('#sessions');
    this.empty = $('#sessions-empty');

    for (const button of document.querySelectorAll('.tabs [data-tab]')) {
      button.addEventListener('click', () => this.showTab(button.dataset.tab));
    }
    // The same functions React's useSyncExternalStore takes.
    const { subscribe, getSnapshot } = this.inbox;
    this.getSnapshot = getSnapshot;
    subscribe(() => this.render());
    this.inbox.on('error', (error) => {
      if (error.code !== 'inboxBadPayload') toast(`Chat list: ${errorText(error)}`, 'warn');
    });
    for (const name of ANNOUNCED) panel.on(name, (session) => this.announce(name, session));
  }

  /** The current snapshot, with an id index rebuilt only when it changed. */
  current() {
    const snapshot = this.getSnapshot();
    if (snapshot !== this.snapshot) {
      this.snapshot = snapshot;
      this.byId = new Map(snapshot.sessions.map((s) => [s.id, s]));
    }
    return snapshot;
  }

  /** id -> InboxSession. */
  get sessions() {
    this.current();
    return this.byId;
  }

  get(id) {
    return this.sessions.get(id);
  }

  /** Which tab a session belongs to for the logged-in operator, or null. */
  tabOf(session) {
    if (!session || !this.me) return null;
    const me = String(this.me.id);
    const operators = session.operators ?? [];
    const mine = String(session.operatorId ?? '') === me || operators.some((o) => String(o.id) === me);
    if (session.status === 'CLOSED') return mine ? 'closed' : null;
    if (mine) return 'mine';
    // The inbox holds the operator's sessions and the queue: open, nobody's, no bot.
    if (!session.operatorId && operators.length === 0 && session.botStatus !== 'ACTIVE') return 'queue';
    return null;
  }

  isMine(session) {
    return this.tabOf(session) === 'mine';
  }

  /** Loads the list; the inbox keeps it live (and reloads it after a resync). */
  async reload() {
    try {
      await this.inbox.load();
    } catch (error) {
      toast(`Could not load the chats: ${errorText(error)}`, 'warn');
    }
  }

  /** Fetches one session again: the platform does not echo this operator's own actions. */
  async refresh(id) {
    try {
      await this.inbox.refreshSession(id);
    } catch {
      // Gone or not ours any more: the next load says so.
    }
  }

  clear() {
    this.selectedId = null;
    this.render();
  }

  announce(event, session) {
    if (!this.me || !session?.id) return;
    const name = session.name || 'A visitor';
    const tab = this.tabOf(session);
    if (event === 'chatSessionStarted') toast(`New chat: ${name}`, 'ok');
    else if (event === 'chatSessionAdded' && tab === 'mine') toast(`${name} was transferred to you`, 'ok');
    else if (event === 'operatorNotFound' && tab === 'queue') toast(`${name} is waiting in the queue`);
    else if (event === 'sessionClosedByClient') toast(`${name} closed the chat`);
    else if (event === 'chatSessionDeleted' && tab !== 'mine' && !this.quiet.delete(session.id)) {
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

  render() {
    const snapshot = this.current();
    const counts = { mine: 0, queue: 0, closed: 0 };
    const items = [];
    for (const session of snapshot.sessions) {
      const tab = this.tabOf(session);
      if (tab) counts[tab]++;
      if (tab === this.tab) items.push(session); // already newest first
    }
    for (const button of document.querySelectorAll('.tabs [data-tab]')) {
      const n = counts[button.dataset.tab];
      const count = button.querySelector('.count');
      count.textContent = n ? String(n) : '';
      count.classList.toggle('alert', button.dataset.tab === 'queue' && n > 0);
    }
    this.list.setAttribute('aria-busy', String(snapshot.loading));
    this.list.replaceChildren(...items.map((s) => this.item(s)));
    this.empty.hidden = items.length > 0 || snapshot.loading;
    this.empty.textContent = { mine: 'No open chats. New ones appear here live.', queue: 'Nobody is waiting.', closed: 'No closed chats.' }[this.tab];
  }

  item(session) {
    const name = session.name || 'Visitor';
    const last = session.lastMessage;
    let preview = last?.body || (last?.attachments?.length ? 'Attachment' : '');
    if (last && last.authorType === 'OPERATOR') preview = `You: ${preview}`;
    const tags = [];
    if (session.messengerType && session.messengerType !== 'WEB') tags.push(h('span', { class: 'tag', text: session.messengerType.toLowerCase() }));
    if (session.clientBanned) tags.push(h('span', { class: 'tag danger', text: 'banned' }));
    if (session.markedAsSpam) tags.push(h('span', { class: 'tag danger', text: 'spam' }));
    const online = session.status === 'CLOSED' ? null : session.clientOnline;
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
        session.typing
          ? h('span', { class: 'session-preview typing-text', text: 'typing…' })
          : h('span', { class: 'session-preview', text: preview || 'No messages yet' }),
        session.unread > 0 ? h('span', { class: 'unread', title: `${session.unread} unread`, text: String(session.unread) }) : null)));
    return h('li', { dataset: { sessionId: session.id, unread: String(session.unread) } }, button);
  }
}
