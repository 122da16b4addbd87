//! TypeScript declarations the generated `.d.ts` cannot infer: option objects,
//! the platform's entities, and the event map that types `on()` and `off()`.
//! Field names are the platform's own (twin-api.md §6); fields the sources mark
//! as nullable are `| null`. Each entry's `.d.ts` gets the shared types and
//! its own: the panel's with feature `panel`, the widget's with `widget`.

use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const SHARED_TYPES: &str = r#"
/** The `state` of a panel or a widget. */
export type ConnectionState = 'disconnected' | 'connecting' | 'connected';

/** A file attached to a message. */
export interface Attachment {
  id: string;
  name?: string | null;
  baseName?: string | null;
  extension?: string | null;
  contentType?: string | null;
  size?: number | null;
  url?: string | null;
  downloadLink?: string | null;
  isPrivate?: boolean | null;
  createdAt?: string | null;
}

/** A chat message. */
export interface Message {
  id: string;
  sessionId?: string | null;
  authorId?: string | null;
  /** `CLIENT`, `OPERATOR` or `BOT` (values not confirmed by the platform). */
  authorType?: string | null;
  authorName?: string | null;
  type?: string | null;
  body?: string | null;
  answers?: unknown[] | null;
  keyboard?: unknown[] | null;
  attachments?: Attachment[] | null;
  createdAt?: string | null;
  updatedAt?: string | null;
  readAt?: string | null;
  replyTo?: Partial<Message> | null;
}

/** `sendMessage()` answer. */
export interface SentMessage {
  id: string;
  createdAt: string;
}

/** `connecting` payload: client codes below 100, otherwise the server's. */
export interface CodeReason {
  code: number;
  reason: string;
}

/** `disconnected` payload. */
export interface Disconnected extends CodeReason {
  /** True when the panel (or widget) reconnects by itself. */
  reconnect: boolean;
}
"#;

#[cfg(feature = "panel")]
#[wasm_bindgen(typescript_custom_section)]
const PANEL_TYPES: &str = r#"
/** Options of `new OperatorPanel(options)`. Every field is optional. */
export interface OperatorPanelOptions {
  /** IAM base URL. Default `https://iam.twin24.ai/api/v1`. */
  iamUrl?: string;
  /** Chats API base URL. Default `https://chat-api.twin24.ai/api/v1`. */
  chatUrl?: string;
  /** Centrifugo WebSocket URL. Default `wss://twin24.ai/centrifugo/connection/websocket`. */
  centrifugoUrl?: string;
  /** Token lifetime to request, whole seconds, 1 – 31536000 (365 days). Default 86400. */
  ttl?: number;
  /** Refresh this many seconds before expiry, 0 – 31536000. Default 900. */
  refreshBefore?: number;
  /** Shortest reconnect delay, ms, 10 – 3600000. Default 500. */
  minReconnectDelay?: number;
  /** Longest reconnect delay, ms, 10 – 3600000 and at least `minReconnectDelay`. Default 20000. */
  maxReconnectDelay?: number;
  /** Silence past the server's ping interval before the link counts as dead, ms, 100 – 600000. Default 10000. */
  pingTimeout?: number;
  /** Socket open + connect reply deadline, ms, 100 – 600000. Default 5000. */
  connectTimeout?: number;
  /** Deadline of every REST call, ms, 100 – 600000. Default 15000. */
  timeout?: number;
  /**
   * Allow `http://` and `ws://` URLs to another machine (the tokens then
   * cross the network in plain text). Default false: such a URL throws,
   * unless the page itself is plain `http:`. Loopback hosts are always allowed.
   */
  allowInsecure?: boolean;
  /**
   * Share one live connection and one token refresh with the other tabs of
   * this browser logged in as the same operator (needs `navigator.locks` and
   * `BroadcastChannel`; without them the panel works alone). Default true.
   */
  shareAcrossTabs?: boolean;
}

/** `panel.sharing` and the `sharing` event payload. */
export interface TabSharing {
  /**
   * `'leader'` holds the connection, `'follower'` mirrors the leader's,
   * `'joining'` is in its group but has not yet heard a leader or taken the
   * lock (a moment after getting tokens; a lone tab leads right after),
   * `'off'` does not share.
   */
  role: 'leader' | 'follower' | 'joining' | 'off';
  /** Tabs sharing the connection, this one included (1 when off or alone). */
  tabs: number;
  /** Messages from other tabs that were foreign or malformed and were dropped. */
  ignored: number;
}

/** `panel.status.getSnapshot()`: what a status badge shows. Frozen. */
export interface PanelStatus {
  /** As `panel.state`. */
  readonly state: ConnectionState;
  /** As `panel.sharing`, without the `ignored` count. */
  readonly sharing: { readonly role: TabSharing['role']; readonly tabs: number };
}

/**
 * `panel.status`: the contract of `panel.inbox`. `subscribe` and
 * `getSnapshot` are bound (pass them to React's `useSyncExternalStore` as
 * they are); the snapshot is the same object until something changes.
 */
export interface StatusStore {
  readonly subscribe: (listener: () => void) => () => void;
  readonly getSnapshot: () => PanelStatus;
}

/** `connect()` options. */
export interface ConnectOptions {
  /**
   * Reject with a `timeout` TwinError when not connected within this many ms
   * (1 – 600000). The panel goes on trying in the background; `connected`
   * fires when it gets through. Default: no deadline.
   */
  timeout?: number;
}

/** `login()` credentials. The password is used for that request only. */
export interface Credentials {
  email: string;
  password: string;
  companyId?: number | null;
}

/** A token pair, e.g. from `login()` or `tokenRefreshed`. */
export interface Tokens {
  token: string;
  refreshToken: string;
  /** Expiry of `token`, Unix milliseconds. */
  expiresAt: number;
}

/** What `useTokens()` takes. */
export interface TokenPairInput {
  token: string;
  refreshToken: string;
}

/** A list answer. */
export interface List<T> {
  count: number;
  items: T[];
}

/** Common list query parameters; `Date`s are sent as ISO 8601. */
export interface ListQuery {
  limit?: number;
  offset?: number;
  page?: number;
  /** Comma-separated fields, `-` for descending: `-lastMessageCreatedAt`. */
  sort?: string;
  fields?: string | string[];
  withoutCount?: boolean;
  withoutItems?: boolean;
  [parameter: string]: string | number | boolean | Date | string[] | null | undefined;
}

/** Session filters of `listSessions()`. */
export interface SessionQuery extends ListQuery {
  sessionId?: string;
  from?: string | Date;
  to?: string | Date;
  markedAsSpam?: boolean;
  operatorId?: string | number;
  status?: string;
  chatId?: string;
  clientBanned?: boolean;
  keyword?: string;
  tags?: string | string[];
}

/** An operator taking part in a session. */
export interface SessionOperator {
  id: number | string;
  name?: string | null;
  type?: string | null;
  assigned_at?: string | null;
}

/** A chat session. */
export interface Session {
  id: string;
  chatId?: string | null;
  name?: string | null;
  status?: string | null;
  botStatus?: string | null;
  channel?: string | null;
  messengerType?: string | null;
  markedAsSpam?: boolean | null;
  operatorId?: string | number | null;
  operatorName?: string | null;
  operatorAssignedAt?: string | null;
  operators?: SessionOperator[] | null;
  clientId?: string | null;
  clientBanned?: boolean | null;
  clientOnlineAt?: string | null;
  clientOfflineAt?: string | null;
  startedAt?: string | null;
  unreadClientMessageCount?: number | null;
  lastMessageCreatedAt?: string | null;
  lastMessage?: Partial<Message> | null;
  tags?: string | null;
}

/** An operator (chats API `/users`). */
export interface Operator {
  id: number | string;
  firstName?: string | null;
  lastName?: string | null;
  email?: string | null;
  companyId?: number | null;
  /** e.g. `ACTIVE`, `PAUSED`, `OFFLINE` (values not confirmed by the platform). */
  status?: string | null;
  online?: boolean | null;
  blockedAt?: string | null;
}

/** An operator group. */
export interface Group {
  id: number | string;
  name?: string | null;
  operatorIds?: (number | string)[] | null;
}

/** The logged-in operator (IAM user). */
export interface User {
  id: number;
  companyId?: number | null;
  firstName?: string | null;
  lastName?: string | null;
  middleName?: string | null;
  email?: string | null;
  phone?: string | null;
  roles?: { name: string; company_id: number | null }[] | null;
  settings?: Record<string, unknown> | null;
  avatar?: Attachment | null;
}

/** What `sendMessage()` takes. */
export interface OutgoingMessage {
  body?: string;
  /** File ids from the IAM `/files` upload. */
  attachments?: string[];
  replyToMessageId?: string;
}

/** `chatMessageRead` payload. */
export interface MessageRead {
  messageId: string;
  sessionId?: string | null;
  readAt?: string | null;
}

/** `typing` payload. */
export interface Typing {
  sessionId: string;
  authorType?: string | null;
  authorId?: string | null;
}

/** `clientOnline` / `clientOffline` payload. */
export interface ClientPresence {
  sessionId?: string | null;
  clientId?: string | null;
  at?: string | null;
}

/**
 * `resync` payload: events may have been missed; refetch over REST.
 * `missedRelays`: this tab shares another tab's connection and some of the
 * publications relayed to it never arrived (its page was paused, say).
 */
export interface Resync {
  channels: string[];
  reason: 'epochChanged' | 'historyGone' | 'missedRelays' | 'notRecoverable' | 'stateInvalidated';
}

/** Every event `OperatorPanel.on()` knows, with its payload type. */
export interface OperatorEvents {
  chatSessionStarted: Session;
  operatorNotFound: Session;
  chatSessionAdded: Session;
  chatMessageCreated: Message;
  chatMessageEdited: Message;
  chatMessageRead: MessageRead;
  chatSessionDeleted: Partial<Session> & { id: string };
  chatSessionSwitchedFromBotToOperator: Session;
  sessionClosedByClient: Session;
  operatorBlocked: Record<string, unknown>;
  chatUserExists: Record<string, unknown>;
  typing: Typing;
  operatorLoggedOut: Record<string, unknown>;
  clientOnline: ClientPresence;
  clientOffline: ClientPresence;
  /** Every publication, including event names this version does not know. */
  event: { event: string | null; data: unknown };
  connecting: CodeReason;
  connected: { client: string; version: string };
  disconnected: Disconnected;
  error: import('./index.js').TwinError;
  resync: Resync;
  tokenRefreshed: Tokens;
  /** The tab's role or the group's tab count changed (see `panel.sharing`). */
  sharing: TabSharing;
}

export interface OperatorPanel {
  /** Adds a listener; returns the function that removes it. */
  on<K extends keyof OperatorEvents>(name: K, listener: (payload: OperatorEvents[K]) => void): () => void;
  /** Removes a listener added with `on`. */
  off<K extends keyof OperatorEvents>(name: K, listener: (payload: OperatorEvents[K]) => void): void;
}
"#;

#[cfg(feature = "widget")]
#[wasm_bindgen(typescript_custom_section)]
const WIDGET_TYPES: &str = r#"
/** Options of `new ChatWidget(options)`. */
export interface ChatWidgetOptions {
  /** The chat (widget) id the visitor talks to. */
  chatId: string;
  /** Chats API base URL. Default `https://chat-api.twin24.ai/api/v1`. */
  chatUrl?: string;
  /** Socket.IO server origin. Default: the origin of `chatUrl` (the production host is not documented). */
  socketUrl?: string;
  /** Engine.IO version: 4, or 3 for old servers. Default: 4, falling back to 3 when the server refuses 4. */
  eio?: 3 | 4;
  /** Shortest reconnect delay, ms, 10 – 3600000. Default 500. */
  minReconnectDelay?: number;
  /** Longest reconnect delay, ms, 10 – 3600000. Default 20000. */
  maxReconnectDelay?: number;
  /** Socket open + Socket.IO connect deadline, ms, 100 – 600000. Default 5000. */
  connectTimeout?: number;
  /**
   * Deadline of every REST call and of every wait for the server's ack
   * (`markRead()`, `close()`), ms, 100 – 600000. Default 15000. A late ack
   * rejects with a `TwinError` (`timeout`).
   */
  timeout?: number;
  /** As `OperatorPanelOptions.allowInsecure`, for `chatUrl` and `socketUrl`. Default false. */
  allowInsecure?: boolean;
}

/** Who the visitor is, for `start()`: the platform's start-session fields. */
export interface Visitor {
  /** Known client: continues its last session (`PUT`) instead of starting one. */
  clientId?: string;
  clientName?: string;
  clientEmail?: string;
  clientPhone?: string;
  clientExternalId?: string;
  messageBody?: string;
  referer?: string;
  [field: string]: unknown;
}

/** `start()` answer. */
export interface StartedSession {
  id: string;
  clientId?: string | null;
  startedAt?: string | null;
  ttl?: number | null;
  messages?: Partial<Message>[] | null;
}

/** `operatorChanged` payload (the seed's `operatorChangedEmit`). */
export interface OperatorChanged {
  operatorId: string;
  operatorName?: string | null;
  avatar?: Attachment | null;
  previousOperatorId?: string | null;
  previousOperatorName?: string | null;
  previousOperatorAvatar?: Attachment | null;
}

/**
 * The session's operator (`widget.operator`): from `operatorChanged`, or,
 * unconfirmed by the platform's sources, from the first message an operator
 * writes. `avatar` is the platform's file object when it sends one.
 */
export interface WidgetOperator {
  id: string;
  name: string | null;
  avatar: Attachment | null;
}

/**
 * Every event `ChatWidget.on()` knows, with its payload type. Any other name
 * throws a `TypeError` that lists these. The platform's socket events are
 * delivered under the names below; their payloads follow the platform's
 * widget page, and every socket event also reaches `event`.
 */
/** `widget.on('resync')`: the socket is back; replies may have been missed meanwhile. */
export interface WidgetResync {
  sessionId: string;
  reason: 'reconnected';
  since: number;
  at: number;
}

export interface WidgetEvents {
  /**
   * A message was written in the session (`chatMessageCreatedEmit`): by the
   * operator or the bot (`authorType` `OPERATOR` / `BOT`). Whether the
   * platform also sends the visitor's own messages here is unconfirmed (the
   * sandbox does not): `send()` resolves with the new message's id, and
   * `widget.conversation`, where available, shows them either way.
   */
  message: Message & { actions?: unknown[]; avatar?: Attachment | null };
  /**
   * The other side is typing (`showTypingIndicatorEmit`): the operator or
   * the bot (`authorType`). Fired once per signal; show an indicator for a
   * few seconds after the last one.
   */
  typing: { authorType?: string | null; authorId?: string | null; sessionId?: string | null };
  /** The operator read the visitor's message `messageId` (`chatMessageReadEmit`). */
  read: { messageId: string };
  /**
   * Another operator answers the visitor now (`operatorChangedEmit`: after
   * the bot, or a transfer). Also fired, in the same shape, for the first
   * operator the widget learns of from a message (unconfirmed: the platform
   * may assign the first operator before the socket connects, with no
   * event the widget can see). Never twice in a row for one operator.
   */
  operatorChanged: OperatorChanged;
  /** The operator's status changed, e.g. `ACTIVE` to `PAUSED` (`operatorStatusChangedEmit`). */
  operatorStatusChanged: { operatorId: string; previousStatus?: string | null; currentStatus?: string | null };
  /** The operator logged out of the platform (`operatorLoggedOutEmit`). */
  operatorLoggedOut: { operatorId: string };
  /** Every socket event, including names this version does not know. */
  event: { event: string; data: unknown };
  /**
   * The socket is (re)connecting; once per outage, not per attempt (each
   * failed attempt is an `error`). `code`: a `ConnectingCode`.
   */
  connecting: CodeReason;
  /** The socket is connected to the session. */
  connected: { sid: string };
  /**
   * The socket closed. With `reconnect: true` it tries again on its own and
   * `code` is a `ConnectingCode`; otherwise it stopped for good and `code`
   * is `DisconnectCode.DisconnectCalled` (`disconnect()`, `close()`,
   * `free()`), `DisconnectCode.ServerDisconnect` or
   * `DisconnectCode.ConnectRefused`.
   */
  disconnected: Disconnected;
  /**
   * The socket is back after it dropped (fired right after `connected`):
   * what the operator or the bot wrote while it was down may never arrive.
   * Socket.IO keeps no history, and no source shows an endpoint the visitor
   * may read the session's messages from (unconfirmed), so the widget
   * cannot fetch them: a page may tell the visitor that a reply may be
   * missing. `since`: when the drop was noticed (Unix ms; the socket may
   * have been silent up to `pingTimeout` before); `at`: now.
   */
  resync: WidgetResync;
  /**
   * Something failed that the widget handles by itself (it goes on): an
   * unreadable frame (`protocol`), binary data (`unsupported`), or a
   * connection attempt that failed and is tried again after a delay
   * (`connect`, one per attempt: a page can say "still trying").
   */
  error: import('./index.js').TwinError;
}

export interface ChatWidget {
  /** Adds a listener; returns the function that removes it. */
  on<K extends keyof WidgetEvents>(name: K, listener: (payload: WidgetEvents[K]) => void): () => void;
  /** Removes a listener added with `on`. */
  off<K extends keyof WidgetEvents>(name: K, listener: (payload: WidgetEvents[K]) => void): void;
}
"#;
