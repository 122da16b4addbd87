// One chat, on `panel.conversation(id)`: the package loads the newest page
// and pages back, keeps the messages live (each once), shows a reply at once
// as 'pending' and then 'sent' or 'failed' (retry or discard it), ticks own
// messages read, shows the client typing, and reloads after a lost stream.
// This file draws its snapshot, once per change batch, and wires the
// composer: send(), edit() and remove() of own messages, markRead() once
// the client's messages are shown, typing() while the operator writes
// (throttled by the package). The toolbar runs the session actions.
import { $, h, attachment, avatar, clientOnline, dayLabel, errorText, showError, timeLabel, toast } from './ui.js';
import { transferDialog, renameDialog, closeDialog } from './actions.js';

const PAGE = 20;

export class ChatView {
  /**
   * @param {import('/pkg/index.js').OperatorPanel} panel
   * @param {import('./sessions.js').SessionList} sessions
   */
  constructor(panel, sessions, { onClose }) {
    Object.assign(this, { panel, sessions, onClose, me: null });
    this.conversation = null; // of the open chat
    this.lastKnown = null; // the open session, also once it left the list
    this.editing = null; // the message being edited
    this.el = Object.fromEntries(['chat-placeholder', 'chat-body', 'chat-avatar', 'chat-name', 'chat-status', 'chat-tools', 'messages',
      'message-list', 'load-older', 'chat-typing', 'chat-notice', 'composer', 'composer-text', 'composer-send', 'composer-mode',
      'composer-error'].map((id) => [id.replace(/-(\w)/g, (_, c) => c.toUpperCase()), $(`#${id}`)]));
    this.wire();
  }

  get session() {
    const id = this.conversation?.getSnapshot().sessionId;
    if (id) this.lastKnown = this.sessions.get(id) ?? this.lastKnown;
    return this.lastKnown;
  }

  wire() {
    const { el } = this;
    $('#chat-back').addEventListener('click', () => this.close());
    el.loadOlder.addEventListener('click', () => this.loadOlder());
    el.composer.addEventListener('submit', (e) => { e.preventDefault(); this.submit(); });
    el.composerText.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) { e.preventDefault(); this.submit(); }
      else if (e.key === 'Escape') this.stopEditing();
    });
    el.composerText.addEventListener('input', () => {
      this.autosize();
      // The visitor sees the operator typing (the package sends at most one signal every 2 s).
      if (!this.editing && this.canWrite() && el.composerText.value.trim()) this.conversation.typing().catch(() => {});
    });
    $('#edit-cancel').addEventListener('click', () => this.stopEditing());
    el.chatTools.addEventListener('click', (e) => {
      const action = e.target.closest('[data-action]')?.dataset.action;
      if (action) this.action(action);
    });
    document.addEventListener('visibilitychange', () => this.markShownRead());
    // The head follows the session in the inbox; a session that left it, its last event.
    this.sessions.inbox.subscribe(() => this.renderHead());
    this.panel.on('chatSessionDeleted', (s) => {
      if (s?.id && s.id === this.lastKnown?.id) this.lastKnown = { ...this.lastKnown, ...s };
      this.renderHead();
    });
  }

  async open(id) {
    if (!this.sessions.get(id)) return;
    this.close(false);
    Object.assign(this, { lastKnown: this.sessions.get(id), unread: 0, loadError: null });
    this.sessions.select(id);
    const conversation = this.panel.conversation(id);
    this.conversation = conversation;
    conversation.subscribe(() => this.conversation === conversation && this.render());
    conversation.on('resync', ({ added }) => added.length && toast(`${added.length} missed message(s) loaded`, 'warn'));
    this.el.chatPlaceholder.hidden = true;
    this.el.chatBody.hidden = false;
    this.el.composerText.value = '';
    showError(this.el.composerError, null);
    this.renderHead();
    // A failure shows as the snapshot's `error`; what was shown stays.
    await conversation.load({ limit: PAGE }).catch(() => {});
    if (this.conversation !== conversation) return; // another chat was opened meanwhile
    this.scrollToBottom();
    this.markShownRead();
    if (this.canWrite()) this.el.composerText.focus({ preventScroll: true });
  }

  /** Closes the chat; its conversation store ends with it (the next open loads afresh). */
  close(notify = true) {
    this.conversation?.free();
    this.conversation = null;
    this.stopEditing();
    if (!notify) return;
    this.lastKnown = null;
    this.sessions.select(null);
    this.el.chatBody.hidden = true;
    this.el.chatPlaceholder.hidden = false;
    this.onClose?.();
  }

  async loadOlder() {
    const scroller = this.el.messages;
    const fromBottom = scroller.scrollHeight - scroller.scrollTop;
    const added = await this.conversation.loadOlder({ limit: PAGE }).catch((error) => toast(`Could not load older messages: ${errorText(error)}`, 'warn'));
    if (!added) return;
    this.render();
    scroller.scrollTop = scroller.scrollHeight - fromBottom; // keep the reader's place
  }

  /** Marks the client's messages read, if the operator can see them; the list's count follows. */
  async markShownRead() {
    const conversation = this.conversation;
    if (!conversation || document.visibilityState !== 'visible' || conversation.getSnapshot().unread === 0) return;
    if (!this.sessions.isMine(this.session)) return; // reading a queue chat does not claim it
    await conversation.markRead().catch(() => {}); // they count as unread again if it failed
    this.sessions.refresh(conversation.getSnapshot().sessionId); // the server's count, now 0
  }

  isOwn(m) {
    return m.localId != null || (m.authorType === 'OPERATOR' && String(m.authorId) === String(this.me?.id));
  }

  canWrite() {
    const s = this.session;
    return !!s && s.status !== 'CLOSED' && this.sessions.isMine(s);
  }

  submit() {
    if (!this.conversation) return;
    const body = this.el.composerText.value.trim();
    if (!body) return;
    if (this.editing) return this.saveEdit(body);
    showError(this.el.composerError, null);
    this.el.composerText.value = '';
    this.autosize();
    const id = this.conversation.getSnapshot().sessionId;
    // A failure shows on the message itself; the list learns of a sent one here (no echo).
    this.conversation.send(body).then(() => this.sessions.refresh(id), () => {});
    this.scrollToBottom();
  }

  startEditing(message) {
    this.editing = message;
    this.el.composerMode.hidden = false;
    this.el.composerText.value = message.body ?? '';
    this.autosize();
    this.el.composerText.focus();
    this.render();
  }

  stopEditing() {
    if (!this.editing) return;
    this.editing = null;
    this.el.composerMode.hidden = true;
    this.el.composerText.value = '';
    this.autosize();
    this.render();
  }

  async saveEdit(body) {
    try {
      await this.conversation.edit(this.editing.id, { body });
      this.stopEditing();
    } catch (error) {
      showError(this.el.composerError, error);
    }
  }

  async remove(message, button) {
    // Two clicks: the first arms the button for a few seconds.
    if (!button.classList.contains('armed')) {
      button.classList.add('armed');
      button.textContent = 'Confirm delete';
      setTimeout(() => Object.assign(button, { textContent: 'Delete' }).classList.remove('armed'), 4000);
      return;
    }
    try {
      await this.conversation.remove(message.id);
      if (this.editing?.id === message.id) this.stopEditing();
    } catch (error) {
      toast(`Could not delete: ${errorText(error)}`, 'warn');
    }
  }

  async action(name) {
    const session = this.session;
    if (!session) return;
    const refresh = () => this.sessions.refresh(session.id); // the platform does not echo our own actions
    if (name === 'transfer') {
      this.sessions.quiet.add(session.id); // our own transfer: the echo needs no toast
      const done = await transferDialog(this.panel, session, this.me);
      if (!done) return this.sessions.quiet.delete(session.id);
      toast(`Transferred to ${done.name}`, 'ok');
      await refresh(); // it normally leaves "My chats"
      if (this.lastKnown?.id === session.id && !this.sessions.isMine(this.sessions.get(session.id))) this.close();
    } else if (name === 'rename') {
      const renamed = await renameDialog(this.panel, session);
      if (renamed == null) return;
      this.lastKnown = { ...this.lastKnown, name: renamed };
      await refresh();
    } else if (name === 'close') {
      if (!(await closeDialog(this.panel, session))) return;
      this.lastKnown = { ...this.lastKnown, status: 'CLOSED' };
      await refresh();
      toast(`${session.name || 'The chat'} is closed`, 'ok');
    } else if (name === 'ban') {
      const ban = !session.clientBanned;
      try {
        await (ban ? this.panel.banClient(session.clientId) : this.panel.unbanClient(session.clientId));
      } catch (error) {
        return toast(errorText(error), 'warn');
      }
      // A ban is per client: every session of that client shows it.
      const same = [...this.sessions.sessions.values()].filter((x) => x.clientId === session.clientId);
      await Promise.all(same.map((s) => this.sessions.refresh(s.id)));
      this.lastKnown = { ...this.lastKnown, clientBanned: ban };
      toast(ban ? 'Client banned' : 'Client unbanned', 'ok');
    } else if (name === 'take') {
      try {
        await this.panel.addOperator(session.id, this.me.id);
        await refresh();
        this.markShownRead();
      } catch (error) {
        toast(errorText(error), 'warn');
      }
    }
    this.renderHead();
  }

  renderHead() {
    const s = this.session;
    if (!s || !this.conversation) return;
    const { el } = this;
    const closed = s.status === 'CLOSED';
    const online = clientOnline(s);
    const name = s.name || 'Visitor';
    el.chatAvatar.replaceWith(el.chatAvatar = Object.assign(avatar(name, s.clientId ?? s.id, closed ? null : online), { id: 'chat-avatar' }));
    Object.assign(el.chatName, { textContent: name, title: name });
    const channel = s.messengerType && s.messengerType !== 'WEB' ? ` · ${s.messengerType.toLowerCase()}` : ' · web chat';
    const presence = closed ? 'chat closed' : online ? 'online' : `offline${s.clientOfflineAt ? ` since ${timeLabel(s.clientOfflineAt)}` : ''}`;
    el.chatStatus.textContent = `${presence}${channel}${s.clientBanned ? ' · banned' : ''}`;
    el.chatStatus.classList.toggle('online', online && !closed);
    const tool = (action) => el.chatTools.querySelector(`[data-action=${action}]`);
    for (const action of ['transfer', 'close']) tool(action).disabled = closed;
    tool('ban').textContent = s.clientBanned ? 'Unban client' : 'Ban client';
    tool('ban').disabled = !s.clientId;

    const mine = this.sessions.isMine(s);
    let notice = null;
    if (closed) notice = h('span', { text: 'This chat is closed.' });
    else if (!mine && this.sessions.tabOf(s) === 'queue') {
      notice = [h('span', { text: 'Waiting in the queue for an operator.' }),
        h('button', { type: 'button', class: 'primary small', dataset: { action: 'take' }, onclick: () => this.action('take'), text: 'Take this chat' })];
    } else if (!mine) notice = h('span', { text: 'This chat is no longer yours.' });
    el.chatNotice.replaceChildren(...[notice].flat().filter(Boolean));
    el.chatNotice.hidden = !notice;
    const writable = this.canWrite();
    el.composerText.disabled = !writable;
    el.composerSend.disabled = !writable;
    el.composer.classList.toggle('disabled', !writable);
  }

  /** Draws the conversation's snapshot: messages by day, paging, typing. */
  render() {
    const { el } = this;
    const { messages, hasOlder, loading, clientTyping, unread, error } = this.conversation.getSnapshot();
    const atBottom = el.messages.scrollHeight - el.messages.scrollTop - el.messages.clientHeight < 80;
    el.loadOlder.hidden = !hasOlder;
    el.loadOlder.disabled = loading === 'older';
    el.messageList.setAttribute('aria-busy', String(loading === 'newest'));
    let day = '';
    el.messageList.replaceChildren(...messages.flatMap((m) => {
      const d = m.createdAt ? new Date(m.createdAt).toDateString() : day;
      const label = d !== day ? h('li', { class: 'day', text: dayLabel(m.createdAt) }) : null;
      day = d;
      return [label, this.messageItem(m)].filter(Boolean);
    }));
    el.chatTyping.textContent = `${this.session?.name || 'The visitor'} is typing…`;
    el.chatTyping.hidden = !clientTyping;
    if (atBottom) this.scrollToBottom();
    if (error && error !== this.loadError) showError(el.composerError, (this.loadError = error)); // a failed load
    if (unread > (this.unread ?? 0)) this.markShownRead(); // a new client message, shown
    this.unread = unread;
  }

  messageItem(m) {
    const own = this.isOwn(m);
    const meta = [h('time', { datetime: m.createdAt ?? '', text: timeLabel(m.createdAt) })];
    if (m.updatedAt) meta.push(h('span', { text: 'edited' }));
    if (m.status === 'pending') meta.push(h('span', { text: 'sending…' }));
    else if (m.status === 'failed') meta.push(h('span', { class: 'failed', title: errorText(m.error), text: 'not sent' }));
    else if (own) meta.push(h('span', { class: m.readAt ? 'read' : 'sent', title: m.readAt ? `Read ${timeLabel(m.readAt)}` : 'Delivered', text: m.readAt ? '✓✓ read' : '✓ sent' }));
    const author = own ? null : h('div', { class: 'author', text: m.authorName || { BOT: 'Bot', CLIENT: 'Visitor' }[m.authorType] || 'Operator' });
    const button = (text, onclick, danger) => h('button', { type: 'button', class: `link${danger ? ' danger' : ''}`, text, onclick });
    let actions = null;
    if (m.status === 'failed') {
      actions = [button('Retry', () => this.conversation.retry(m.localId).catch(() => {})), button('Discard', () => this.conversation.discard(m.localId), true)];
    } else if (own && m.status === 'sent' && m.id && this.canWrite()) {
      actions = [button('Edit', () => this.startEditing(m)), button('Delete', (e) => this.remove(m, e.currentTarget), true)];
    }
    return h('li', {
      class: `msg ${m.authorType === 'OPERATOR' ? 'out' : 'in'}${own ? ' own' : ''}${m.authorType === 'BOT' ? ' bot' : ''} ${m.status}${m.id && this.editing?.id === m.id ? ' editing' : ''}`,
      dataset: { messageId: m.id ?? m.localId },
    }, h('div', { class: 'bubble' }, author, m.body ? h('div', { class: 'text', text: m.body }) : null,
      ...(m.attachments ?? []).map(attachment), h('div', { class: 'meta' }, ...meta)),
    actions && h('div', { class: 'msg-actions' }, ...actions));
  }

  scrollToBottom() {
    this.el.messages.scrollTop = this.el.messages.scrollHeight;
  }

  autosize() {
    const t = this.el.composerText;
    t.style.height = 'auto';
    t.style.height = `${Math.min(t.scrollHeight, 160)}px`;
  }
}
