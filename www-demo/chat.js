// One chat: what a CRM developer needs for the conversation itself.
// History comes from sessionMessages() in time order: the count says where
// the newest page starts, and "Load older" pages back with offset/limit
// (offsets counted from the oldest message stay valid while new ones arrive).
// Replies go out with sendMessage(); the author gets no event for their own
// message, so the answer's id is used. Own messages can be edited
// (editMessage) and deleted (deleteMessage); client messages are marked read
// (markRead) once shown; `chatMessageRead` ticks own messages as read and
// `typing` shows the client typing; while the operator writes, typing()
// shows it to the client. The toolbar runs the session actions.
import { $, h, avatar, clientOnline, errorText, formatSize, safeUrl, showError, timeLabel, toast } from './ui.js';
import { transferDialog, renameDialog, closeDialog } from './actions.js';

const PAGE = 20;
const TYPING_MS = 5000;
const TYPING_EVERY_MS = 2000; // the visitor's indicator lasts a few seconds: renew it while typing

export class ChatView {
  /**
   * @param {import('/pkg/index.js').OperatorPanel} panel
   * @param {import('./sessions.js').SessionList} sessions
   */
  constructor(panel, sessions, { onClose }) {
    this.panel = panel;
    this.sessions = sessions;
    this.onClose = onClose;
    this.me = null;
    this.sessionId = null;
    this.lastKnown = null; // the open session, also once it left the list
    this.messages = []; // oldest first
    this.firstOffset = 0; // the position of messages[0] in the session's history
    this.editing = null; // the message being edited
    this.typingTimer = 0;
    this.typingSentAt = 0; // when typing() was last called for the open chat
    this.el = {
      placeholder: $('#chat-placeholder'),
      body: $('#chat-body'),
      avatar: $('#chat-avatar'),
      name: $('#chat-name'),
      status: $('#chat-status'),
      tools: $('#chat-tools'),
      scroller: $('#messages'),
      list: $('#message-list'),
      older: $('#load-older'),
      typing: $('#chat-typing'),
      notice: $('#chat-notice'),
      composer: $('#composer'),
      text: $('#composer-text'),
      send: $('#composer-send'),
      mode: $('#composer-mode'),
      error: $('#composer-error'),
    };
    this.wire();
    this.subscribe();
  }

  get session() {
    return this.sessionId ? this.sessions.get(this.sessionId) ?? this.lastKnown : null;
  }

  wire() {
    const { el } = this;
    $('#chat-back').addEventListener('click', () => this.close());
    el.older.addEventListener('click', () => this.loadOlder());
    el.composer.addEventListener('submit', (e) => {
      e.preventDefault();
      this.submit();
    });
    el.text.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
        e.preventDefault();
        this.submit();
      } else if (e.key === 'Escape' && this.editing) {
        this.stopEditing();
      }
    });
    el.text.addEventListener('input', () => {
      this.autosize();
      this.sayTyping();
    });
    $('#edit-cancel').addEventListener('click', () => this.stopEditing());
    el.tools.addEventListener('click', (e) => {
      const action = e.target.closest('[data-action]')?.dataset.action;
      if (action) this.action(action);
    });
    document.addEventListener('visibilitychange', () => this.markShownRead());
  }

  subscribe() {
    const { panel } = this;
    panel.on('chatMessageCreated', (message) => {
      if (!this.isOpen(message?.sessionId)) return;
      this.hideTyping();
      this.add(message);
      this.markShownRead();
    });
    panel.on('chatMessageEdited', (message) => {
      if (this.isOpen(message?.sessionId)) this.replace(message.id, message);
    });
    panel.on('chatMessageRead', ({ messageId, sessionId, readAt }) => {
      if (!this.isOpen(sessionId)) return;
      const message = this.messages.find((m) => m.id === messageId);
      if (message && !message.readAt) this.replace(messageId, { ...message, readAt: readAt ?? new Date().toISOString() });
    });
    panel.on('typing', ({ sessionId }) => {
      if (this.isOpen(sessionId)) this.showTyping();
    });
    // Any change of the open session re-renders the head, tools and notice.
    const refresh = (s) => {
      if (this.isOpen(s?.id)) {
        this.lastKnown = { ...this.lastKnown, ...s };
        this.renderHead();
      }
    };
    for (const name of ['chatSessionAdded', 'chatSessionDeleted', 'sessionClosedByClient', 'operatorNotFound',
      'chatSessionSwitchedFromBotToOperator']) {
      panel.on(name, refresh);
    }
    panel.on('clientOnline', ({ sessionId, at }) => refresh({ id: sessionId, clientOnlineAt: at }));
    panel.on('clientOffline', ({ sessionId, at }) => refresh({ id: sessionId, clientOfflineAt: at }));
  }

  isOpen(sessionId) {
    return sessionId != null && sessionId === this.sessionId;
  }

  async open(id) {
    const session = this.sessions.get(id);
    if (!session) return;
    this.stopEditing();
    this.sessionId = id;
    this.lastKnown = session;
    this.messages = [];
    this.firstOffset = 0;
    this.typingSentAt = 0;
    this.sessions.select(id);
    this.el.placeholder.hidden = true;
    this.el.body.hidden = false;
    this.el.text.value = '';
    showError(this.el.error, null);
    this.hideTyping();
    this.renderHead();
    this.renderMessages();
    this.el.list.setAttribute('aria-busy', 'true');
    try {
      const { count } = await this.panel.sessionMessages(id, { withoutItems: true });
      const offset = Math.max(0, count - PAGE);
      const page = await this.panel.sessionMessages(id, { sort: 'createdAt', offset, limit: PAGE });
      if (!this.isOpen(id)) return; // another chat was opened meanwhile
      this.firstOffset = offset;
      this.merge(page.items);
      this.renderMessages();
      this.scrollToBottom();
      this.markShownRead();
    } catch (error) {
      if (this.isOpen(id)) showError(this.el.error, error);
    } finally {
      if (this.isOpen(id)) this.el.list.setAttribute('aria-busy', 'false');
    }
    if (this.isOpen(id) && this.canWrite()) this.el.text.focus({ preventScroll: true });
  }

  /** After `resync`: the history may have changed while events were lost. */
  async reload() {
    if (this.sessionId) await this.open(this.sessionId);
  }

  close() {
    this.sessionId = null;
    this.lastKnown = null;
    this.messages = [];
    this.stopEditing();
    this.hideTyping();
    this.sessions.select(null);
    this.el.body.hidden = true;
    this.el.placeholder.hidden = false;
    this.onClose?.();
  }

  async loadOlder() {
    const id = this.sessionId;
    const { scroller, older } = this.el;
    older.disabled = true;
    try {
      const offset = Math.max(0, this.firstOffset - PAGE);
      const page = await this.panel.sessionMessages(id, { sort: 'createdAt', offset, limit: this.firstOffset - offset });
      if (!this.isOpen(id)) return;
      this.firstOffset = offset;
      const height = scroller.scrollHeight;
      this.merge(page.items);
      this.renderMessages();
      scroller.scrollTop += scroller.scrollHeight - height; // keep the reader's place
    } catch (error) {
      toast(`Could not load older messages: ${errorText(error)}`, 'warn');
    } finally {
      older.disabled = false;
    }
  }

  /** Puts a page (in time order) before the messages the view already has. */
  merge(items) {
    const known = new Map(this.messages.map((m) => [m.id, m]));
    const page = items.map((m) => ({ ...known.get(m.id), ...m }));
    const inPage = new Set(page.map((m) => m.id));
    this.messages = [...page, ...this.messages.filter((m) => !inPage.has(m.id))];
  }

  add(message) {
    if (this.messages.some((m) => m.id === message.id)) return this.replace(message.id, message);
    const atBottom = this.nearBottom();
    this.messages.push(message);
    this.renderMessages();
    if (atBottom || this.isOwn(message)) this.scrollToBottom();
  }

  replace(id, message) {
    const i = this.messages.findIndex((m) => m.id === id);
    if (i < 0) return;
    this.messages[i] = { ...this.messages[i], ...message };
    this.renderMessages();
  }

  /** Marks the client's unread messages read, if the operator can see them. */
  async markShownRead() {
    const id = this.sessionId;
    if (!id || document.visibilityState !== 'visible' || this.el.body.hidden) return;
    if (!this.sessions.isMine(this.session)) return; // reading a queue chat does not claim it
    const unread = this.messages.filter((m) => m.authorType === 'CLIENT' && !m.readAt && !m.marking);
    if (unread.length === 0) return;
    for (const m of unread) m.marking = true;
    const results = await Promise.allSettled(unread.map((m) => this.panel.markRead(m.id)));
    const now = new Date().toISOString();
    unread.forEach((m, i) => {
      m.marking = false;
      if (results[i].status === 'fulfilled') m.readAt = now;
    });
    if (this.isOpen(id)) this.sessions.refresh(id); // the server's count, now 0
  }

  isOwn(message) {
    return message.authorType === 'OPERATOR' && String(message.authorId) === String(this.me?.id);
  }

  canWrite() {
    const s = this.session;
    return !!s && s.status !== 'CLOSED' && this.sessions.isMine(s);
  }

  async submit() {
    const body = this.el.text.value.trim();
    if (!body || !this.sessionId) return;
    if (this.editing) return this.saveEdit(body);
    const id = this.sessionId;
    showError(this.el.error, null);
    const pending = {
      id: `pending-${Date.now()}`, pending: true, body, createdAt: new Date().toISOString(),
      authorType: 'OPERATOR', authorId: String(this.me.id), authorName: this.meName(),
    };
    this.el.text.value = '';
    this.autosize();
    this.add(pending);
    try {
      const sent = await this.panel.sendMessage(id, { body });
      const message = { ...pending, id: sent.id, createdAt: sent.createdAt ?? pending.createdAt, pending: false, readAt: null };
      if (this.isOpen(id)) this.replace(pending.id, message);
      this.sessions.refresh(id); // our own message is not echoed back
    } catch (error) {
      if (!this.isOpen(id)) return;
      this.messages = this.messages.filter((m) => m !== pending && m.id !== pending.id);
      this.renderMessages();
      if (!this.el.text.value) this.el.text.value = body;
      showError(this.el.error, error);
    }
  }

  /**
   * Shows the visitor that the operator is typing: typing(sessionId), at
   * most once every TYPING_EVERY_MS, only for a new reply in a chat of ours.
   */
  sayTyping() {
    if (this.editing || !this.canWrite() || this.el.text.value.trim() === '') return;
    const now = Date.now();
    if (now - this.typingSentAt < TYPING_EVERY_MS) return;
    this.typingSentAt = now;
    this.panel.typing(this.sessionId).catch(() => {}); // best effort, like the indicator itself
  }

  startEditing(message) {
    this.editing = message;
    this.el.mode.hidden = false;
    this.el.text.value = message.body ?? '';
    this.autosize();
    this.el.text.focus();
    this.renderMessages();
  }

  stopEditing() {
    if (!this.editing) return;
    this.editing = null;
    this.el.mode.hidden = true;
    this.el.text.value = '';
    this.autosize();
    this.renderMessages();
  }

  async saveEdit(body) {
    const message = this.editing;
    const id = this.sessionId;
    try {
      const updated = await this.panel.editMessage(id, message.id, { body });
      this.stopEditing();
      this.replace(message.id, { ...updated, body: updated?.body ?? body, updatedAt: updated?.updatedAt ?? new Date().toISOString() });
    } catch (error) {
      showError(this.el.error, error);
    }
  }

  async remove(message, button) {
    // Two clicks: the first arms the button for a few seconds.
    if (!button.classList.contains('armed')) {
      button.classList.add('armed');
      button.textContent = 'Confirm delete';
      setTimeout(() => {
        button.classList.remove('armed');
        button.textContent = 'Delete';
      }, 4000);
      return;
    }
    const id = this.sessionId;
    try {
      await this.panel.deleteMessage(id, message.id);
      if (!this.isOpen(id)) return;
      this.messages = this.messages.filter((m) => m.id !== message.id);
      if (this.editing?.id === message.id) this.stopEditing();
      this.renderMessages();
    } catch (error) {
      toast(`Could not delete: ${errorText(error)}`, 'warn');
    }
  }

  async action(name) {
    const session = this.session;
    if (!session) return;
    if (name === 'transfer') {
      this.sessions.quiet.add(session.id); // our own transfer: the echo needs no toast
      const done = await transferDialog(this.panel, session, this.me);
      if (!done) return this.sessions.quiet.delete(session.id);
      toast(`Transferred to ${done.name}`, 'ok');
      await this.sessions.refresh(session.id); // it normally leaves "My chats"
      if (this.isOpen(session.id) && !this.sessions.isMine(this.sessions.get(session.id))) this.close();
    } else if (name === 'rename') {
      const renamed = await renameDialog(this.panel, session);
      if (renamed == null) return;
      this.lastKnown = { ...this.lastKnown, name: renamed };
      await this.sessions.refresh(session.id);
      this.renderHead();
    } else if (name === 'close') {
      const closed = await closeDialog(this.panel, session);
      if (!closed) return;
      this.lastKnown = { ...this.lastKnown, status: 'CLOSED' };
      await this.sessions.refresh(session.id);
      this.renderHead();
      toast(`${session.name || 'The chat'} is closed`, 'ok');
    } else if (name === 'ban') {
      const ban = !session.clientBanned;
      try {
        await (ban ? this.panel.banClient(session.clientId) : this.panel.unbanClient(session.clientId));
      } catch (error) {
        toast(errorText(error), 'warn');
        return;
      }
      // A ban is per client: every session of that client shows it.
      const same = [...this.sessions.sessions.values()].filter((x) => x.clientId === session.clientId);
      await Promise.all(same.map((s) => this.sessions.refresh(s.id)));
      this.lastKnown = { ...this.lastKnown, clientBanned: ban };
      this.renderHead();
      toast(ban ? 'Client banned' : 'Client unbanned', 'ok');
    } else if (name === 'take') {
      try {
        await this.panel.addOperator(session.id, this.me.id);
        await this.sessions.refresh(session.id);
        this.renderHead();
        this.markShownRead();
      } catch (error) {
        toast(errorText(error), 'warn');
      }
    }
  }

  meName() {
    return [this.me?.firstName, this.me?.lastName].filter(Boolean).join(' ');
  }

  renderHead() {
    const s = this.session;
    if (!s) return;
    const { el } = this;
    const closed = s.status === 'CLOSED';
    if (closed) this.hideTyping();
    const online = clientOnline(s);
    const name = s.name || 'Visitor';
    el.avatar.replaceWith(el.avatar = Object.assign(avatar(name, s.clientId ?? s.id, closed ? null : online), { id: 'chat-avatar' }));
    el.name.textContent = name;
    el.name.title = name;
    const channel = s.messengerType && s.messengerType !== 'WEB' ? ` · ${s.messengerType.toLowerCase()}` : ' · web chat';
    let presence = online ? 'online' : `offline${s.clientOfflineAt ? ` since ${timeLabel(s.clientOfflineAt)}` : ''}`;
    if (closed) presence = 'chat closed';
    el.status.textContent = `${presence}${channel}${s.clientBanned ? ' · banned' : ''}`;
    el.status.classList.toggle('online', online && !closed);

    const mine = this.sessions.isMine(s);
    const tools = el.tools;
    tools.querySelector('[data-action=transfer]').disabled = closed;
    tools.querySelector('[data-action=close]').disabled = closed;
    tools.querySelector('[data-action=rename]').disabled = false;
    tools.querySelector('[data-action=ban]').textContent = s.clientBanned ? 'Unban client' : 'Ban client';
    tools.querySelector('[data-action=ban]').disabled = !s.clientId;

    let notice = null;
    if (closed) notice = h('span', { text: 'This chat is closed.' });
    else if (!mine && this.sessions.tabOf(s) === 'queue') {
      notice = [h('span', { text: 'Waiting in the queue for an operator.' }),
        h('button', { type: 'button', class: 'primary small', dataset: { action: 'take' }, onclick: () => this.action('take'), text: 'Take this chat' })];
    } else if (!mine) notice = h('span', { text: 'This chat is no longer yours.' });
    el.notice.replaceChildren(...[notice].flat().filter(Boolean));
    el.notice.hidden = !notice;
    const writable = this.canWrite();
    el.text.disabled = !writable;
    el.send.disabled = !writable;
    el.composer.classList.toggle('disabled', !writable);
  }

  renderMessages() {
    const { el } = this;
    el.older.hidden = this.firstOffset === 0;
    const items = [];
    let day = '';
    for (const m of this.messages) {
      const d = m.createdAt ? new Date(m.createdAt).toDateString() : '';
      if (d && d !== day) {
        day = d;
        items.push(h('li', { class: 'day', text: dayLabel(m.createdAt) }));
      }
      items.push(this.messageItem(m));
    }
    el.list.replaceChildren(...items);
  }

  messageItem(m) {
    const own = this.isOwn(m);
    const side = m.authorType === 'OPERATOR' ? 'out' : 'in';
    const meta = [h('time', { datetime: m.createdAt ?? '', text: timeLabel(m.createdAt) })];
    if (m.updatedAt) meta.push(h('span', { text: 'edited' }));
    if (m.pending) meta.push(h('span', { text: 'sending…' }));
    else if (own) meta.push(h('span', { class: m.readAt ? 'read' : 'sent', title: m.readAt ? `Read ${timeLabel(m.readAt)}` : 'Delivered', text: m.readAt ? '✓✓ read' : '✓ sent' }));
    const author = own ? null : h('div', { class: 'author', text: m.authorName || (m.authorType === 'BOT' ? 'Bot' : m.authorType === 'CLIENT' ? 'Visitor' : 'Operator') });
    const body = m.body ? h('div', { class: 'text', text: m.body }) : null;
    const files = (m.attachments ?? []).map((a) => attachment(a));
    const actions = own && !m.pending && this.canWrite()
      ? h('div', { class: 'msg-actions' },
        h('button', { type: 'button', class: 'link', text: 'Edit', onclick: () => this.startEditing(m) }),
        h('button', { type: 'button', class: 'link danger', text: 'Delete', onclick: (e) => this.remove(m, e.currentTarget) }))
      : null;
    return h('li', {
      class: `msg ${side}${own ? ' own' : ''}${m.authorType === 'BOT' ? ' bot' : ''}${m.pending ? ' pending' : ''}${this.editing?.id === m.id ? ' editing' : ''}`,
      dataset: { messageId: m.id },
    }, h('div', { class: 'bubble' }, author, body, ...files, h('div', { class: 'meta' }, ...meta)), actions);
  }

  showTyping() {
    const s = this.session;
    this.el.typing.textContent = `${s?.name || 'The visitor'} is typing…`;
    this.el.typing.hidden = false;
    clearTimeout(this.typingTimer);
    this.typingTimer = setTimeout(() => this.hideTyping(), TYPING_MS);
  }

  hideTyping() {
    clearTimeout(this.typingTimer);
    this.el.typing.hidden = true;
  }

  nearBottom() {
    const s = this.el.scroller;
    return s.scrollHeight - s.scrollTop - s.clientHeight < 80;
  }

  scrollToBottom() {
    const s = this.el.scroller;
    s.scrollTop = s.scrollHeight;
  }

  autosize() {
    const t = this.el.text;
    t.style.height = 'auto';
    t.style.height = `${Math.min(t.scrollHeight, 160)}px`;
  }
}

function dayLabel(iso) {
  const date = new Date(iso);
  const today = new Date();
  const yesterday = new Date(Date.now() - 86_400_000);
  if (date.toDateString() === today.toDateString()) return 'Today';
  if (date.toDateString() === yesterday.toDateString()) return 'Yesterday';
  return date.toLocaleDateString([], { day: 'numeric', month: 'long', year: 'numeric' });
}

function clipIcon() {
  const span = h('span', { class: 'clip', 'aria-hidden': 'true' });
  span.innerHTML = '<svg viewBox="0 0 24 24"><path d="M8 12l6-6a3 3 0 014 4l-8 8a5 5 0 01-7-7l7-7"/></svg>';
  return span;
}

/** An attachment: an image preview or a file link (only http(s) and blob URLs). */
function attachment(a) {
  const name = a.name || [a.baseName, a.extension].filter(Boolean).join('.') || 'file';
  const url = safeUrl(a.url);
  const download = safeUrl(a.downloadLink);
  const href = url ?? download;
  if (href && /^image\//.test(a.contentType ?? '')) {
    return h('a', { class: 'attachment image', href, target: '_blank', rel: 'noopener' },
      h('img', { src: href, alt: name, loading: 'lazy' }));
  }
  return h('a', { class: 'attachment file', href: download ?? url, target: '_blank', rel: 'noopener' },
    clipIcon(),
    h('span', { text: name }),
    a.size != null ? h('span', { class: 'muted', text: formatSize(a.size) }) : null);
}
