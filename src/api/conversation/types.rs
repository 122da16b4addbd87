//! The TypeScript declarations of the conversations: what both entries
//! share, and each entry's snapshot.

use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const CONVERSATION_TYPES: &str = r#"
/** Where a message of a conversation stands. */
export type MessageStatus = 'pending' | 'sent' | 'failed';

/**
 * One message of a conversation: the platform's Message and where it
 * stands. An own message is the optimistic one (`sessionId`, `authorType`,
 * `body`, `createdAt`) until the platform's copy replaces it: its echo, if
 * the platform sends the author one (unconfirmed; an echo is matched by the
 * id the send's answer gave, also when it comes before the answer, and is
 * never shown twice), or the next load.
 */
export interface ConversationMessage extends Omit<Message, 'id'> {
  /**
   * The server's id. Absent while an own message waits for its send's
   * answer or failed (and on a start-answer message sent without one).
   */
  id?: string;
  /** `'pending'` until the send's answer, then `'sent'` or `'failed'`; every message from the server is `'sent'`. */
  status: MessageStatus;
  /** Set on the messages this store sent: what `retry()` and `discard()` take. */
  localId?: string;
  /** Why the send failed (`status: 'failed'`). */
  error?: import('./index.js').TwinError;
}

/** `conversation.load()` and `conversation.loadOlder()` options. */
export interface ConversationLoadOptions {
  /** Messages per page, 1 to 1000. Default 20. */
  limit?: number;
}

/** What a refetch after a lost stream found different (`conversation.on('resync')`). */
export interface ConversationResync {
  /** Why the stream was lost: `epochChanged`, `historyGone`, `notRecoverable`, `stateInvalidated`. */
  reason: string;
  /** When the refetch finished, Unix ms. */
  at: number;
  /** Messages missed while the stream was down, oldest first. */
  added: string[];
  /** Held messages the fresh page no longer has among those it spans (deleted meanwhile). */
  removed: string[];
  /** Held messages whose body, `updatedAt` or read state changed. */
  changed: string[];
}

/** Events of `conversation.on()`. */
export interface ConversationEventMap {
  /** The store refetched its newest page after a lost stream (the panel's only). */
  resync: ConversationResync;
  /** A live event that did not read (counted in `badPayloads`), or a failed refetch. */
  error: import('./index.js').TwinError;
}

/**
 * One session's messages, live: `panel.conversation(sessionId)` (the
 * operator's side) and `widget.conversation` (the visitor's).
 *
 * ```js
 * const conversation = panel.conversation(sessionId);
 * await conversation.load();
 * const { messages } = useSyncExternalStore(conversation.subscribe, conversation.getSnapshot); // React
 * conversation.send('Hello!').catch(() => {}); // shows at once as 'pending'
 * ```
 */
export class Conversation {
  private constructor();
  /** Ends the store: no more changes, notifications or listeners. */
  free(): void;
  /**
   * Loads the newest page (`{ limit }`, default 20) and keeps it live.
   * Rejects with a `TwinError` when the call fails; what was shown stays
   * and the snapshot's `error` says why. On the widget it resolves at
   * once: the visitor has no history endpoint (unconfirmed; the messages
   * are those of `start()` and what comes after).
   */
  load(options?: ConversationLoadOptions): Promise<void>;
  /**
   * Prepends the page before the oldest message (`{ limit }`, default
   * 20). Resolves to true when it added messages, false when there are
   * none (always on the widget). A second call while one runs gets the
   * same promise.
   */
  loadOlder(options?: ConversationLoadOptions): Promise<boolean>;
  /**
   * Sends a text or `{ body, attachments?, replyToMessageId? }`: the
   * message shows at once (`status: 'pending'`, a `localId`), then as
   * `'sent'` with the server's id, or `'failed'` with the `TwinError`
   * (a timeout is a retryable one). Resolves to the server's
   * `{ id, createdAt }`; rejects with the same error the message shows.
   * The optimistic message has `sessionId`, `authorType`, `body` and
   * `createdAt`; the server's copy (its echo, if the platform sends one,
   * or the next load) brings the rest, attachments included.
   */
  send(message: string | { body?: string; attachments?: string[]; replyToMessageId?: string }): Promise<SentMessage>;
  /**
   * Sends a failed message again (it moves to the end, `'pending'`).
   * Rejects when `localId` is not a failed message: a message is never
   * sent twice at once.
   */
  retry(localId: string): Promise<SentMessage>;
  /** Drops a failed message; false when `localId` is not one. */
  discard(localId: string): boolean;
  /**
   * Marks the other side's shown messages read: their `readAt` is set at
   * once and `unread` drops to 0; they count again if a call fails.
   */
  markRead(): Promise<void>;
  /**
   * Shows the other side that this side types: call it on every
   * keystroke, it goes out at most once every 2 s.
   */
  typing(): Promise<void>;
  /** Live events ignored as bad so far (each also fired `error`). */
  readonly badPayloads: number;
  /**
   * `subscribe(listener) -> unsubscribe`: the listener runs once after each
   * batch of changes. The same function on every read, usable unbound.
   */
  readonly subscribe: (listener: () => void) => () => void;
  /** Adds a listener; returns the function that removes it. */
  on<K extends keyof ConversationEventMap>(name: K, listener: (payload: ConversationEventMap[K]) => void): () => void;
  /** Removes a listener added with `on`. */
  off<K extends keyof ConversationEventMap>(name: K, listener: (payload: ConversationEventMap[K]) => void): void;
}

export interface Conversation extends Disposable {}
"#;

#[cfg(feature = "panel")]
#[wasm_bindgen(typescript_custom_section)]
const PANEL_CONVERSATION_TYPES: &str = r#"
/**
 * `panel.conversation(id)`'s state; immutable, and the same object until
 * the store changes. Pages are asked for oldest first (`sort: 'createdAt'`,
 * the newest one at `count - limit`): offsets counted from the first message
 * stay valid while new ones arrive. The platform's paging order is
 * unconfirmed; a page that comes newest first is turned round.
 */
export interface ConversationSnapshot {
  readonly sessionId: string;
  /** Oldest first, each once (by id); own messages go last when sent and stay where they are. */
  readonly messages: readonly ConversationMessage[];
  /** The server has messages older than the first one here: `loadOlder()` fetches them. */
  readonly hasOlder: boolean;
  readonly loading: 'idle' | 'newest' | 'older';
  /** The client is typing (turns off 5 s after the last `typing` event, or with the client's next message). */
  readonly clientTyping: boolean;
  /** The client's messages here not read yet (`markRead()` reads them). */
  readonly unread: number;
  /** Why the last load failed, until a load succeeds; what was shown stays. */
  readonly error: import('./index.js').TwinError | null;
}

export interface Conversation {
  /**
   * `getSnapshot()`: immutable, and the same object until the store
   * changes. The same function on every read, usable unbound.
   */
  readonly getSnapshot: () => ConversationSnapshot;
  /**
   * Edits an own message with `{ body }` (the panel's only) and shows
   * the server's answer.
   */
  edit(messageId: string, patch: { body: string }): Promise<Message>;
  /**
   * Deletes an own message (the panel's only) and drops it. No event
   * tells of deletions: other tabs and operators see it gone on their
   * next load.
   */
  remove(messageId: string): Promise<void>;
}
"#;

#[cfg(feature = "widget")]
#[wasm_bindgen(typescript_custom_section)]
const WIDGET_CONVERSATION_TYPES: &str = r#"
/**
 * `widget.conversation`'s state; immutable, and the same object until the
 * store changes. Bot messages keep their `answers` and `actions`.
 */
export interface WidgetConversationSnapshot {
  /** The session of the last `start()`; `null` before. */
  readonly sessionId: string | null;
  /**
   * Oldest first: the start answer's messages (a bot's greeting; `messageId`
   * is read as the id, and one without either has none), then what was
   * written since. The visitor's own messages show at once (`'pending'`,
   * then `'sent'` or `'failed'`): whether the platform echoes them to the
   * widget is unconfirmed (the sandbox does not), and an echo is never shown
   * twice. No earlier history, and none after `start({ clientId })`
   * continues a session: no source shows an endpoint the visitor may read
   * it from (unconfirmed), so `load()` resolves at once and `loadOlder()`
   * to false.
   */
  readonly messages: readonly (ConversationMessage & { actions?: unknown; avatar?: Attachment | null })[];
  /** Always false: the visitor has no history to page back through. */
  readonly hasOlder: boolean;
  readonly loading: 'idle' | 'newest' | 'older';
  /** The operator (or the bot) is typing (turns off 5 s after the last signal, or with their next message). */
  readonly operatorTyping: boolean;
  /** Who answers, as `widget.operator`. */
  readonly operator: WidgetOperator | null;
  /** The operator's and the bot's messages not marked read yet (`markRead()` marks them). */
  readonly unread: number;
  /** Always null: nothing loads. */
  readonly error: import('./index.js').TwinError | null;
}
"#;

/// The widget's `getSnapshot` (a build with both sides types the panel's).
#[cfg(not(feature = "panel"))]
#[wasm_bindgen(typescript_custom_section)]
const WIDGET_GET_SNAPSHOT: &str = r#"
export interface Conversation {
  /**
   * `getSnapshot()`: immutable, and the same object until the store
   * changes. The same function on every read, usable unbound.
   */
  readonly getSnapshot: () => WidgetConversationSnapshot;
}
"#;
