//! The JS class `Conversation`: its methods hand their arguments to the
//! store and its promises back.

use super::store::{freed, ConversationStore};
use crate::api::error::usage;
use crate::conversation::{LoadKind, Loading as LoadState};
use js_sys::Promise;
use std::rc::Rc;
use wasm_bindgen::prelude::*;

/// The promise `run` makes of the store, or a rejection (a `TwinError`)
/// when it refused (the store ended, a bad argument).
fn call(
    store: &Rc<ConversationStore>,
    run: impl FnOnce(&Rc<ConversationStore>) -> Result<Promise, JsValue>,
) -> Promise {
    run(store).unwrap_or_else(|error| Promise::reject(&error))
}

/// One session's messages, live: `panel.conversation(sessionId)` (the
/// operator's side) and `widget.conversation` (the visitor's).
///
/// ```js
/// const conversation = panel.conversation(sessionId);
/// await conversation.load();
/// const { messages } = useSyncExternalStore(conversation.subscribe, conversation.getSnapshot); // React
/// conversation.send('Hello!').catch(() => {}); // shows at once as 'pending'
/// ```
#[wasm_bindgen]
pub struct Conversation {
    store: Rc<ConversationStore>,
}

impl Conversation {
    /// The JS object of `store` (the store makes it once and keeps it).
    pub(super) fn of(store: Rc<ConversationStore>) -> Self {
        Conversation { store }
    }
}

impl Drop for Conversation {
    fn drop(&mut self) {
        self.store.on_free();
    }
}

#[wasm_bindgen]
impl Conversation {
    /// Loads the newest page (`{ limit }`, default 20) and keeps it live.
    /// Rejects with a `TwinError` when the call fails; what was shown stays
    /// and the snapshot's `error` says why. On the widget it resolves at
    /// once: the visitor has no history endpoint (unconfirmed; the messages
    /// are those of `start()` and what comes after).
    #[wasm_bindgen(unchecked_return_type = "Promise<void>")]
    pub fn load(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "ConversationLoadOptions")] options: JsValue,
    ) -> Promise {
        call(&self.store, |store| store.load(LoadKind::Newest, &options))
    }

    /// Prepends the page before the oldest message (`{ limit }`, default
    /// 20). Resolves to true when it added messages, false when there are
    /// none (always on the widget). A second call while one runs gets the
    /// same promise.
    #[wasm_bindgen(js_name = loadOlder, unchecked_return_type = "Promise<boolean>")]
    pub fn load_older(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "ConversationLoadOptions")] options: JsValue,
    ) -> Promise {
        let store = &self.store;
        if store.core.borrow().loading() == LoadState::Older {
            if let Some(running) = store.older.borrow().clone() {
                return running;
            }
        }
        let promise = call(&self.store, |store| store.load(LoadKind::Older, &options));
        store.older.replace(Some(promise.clone()));
        promise
    }

    /// Sends a text or `{ body, attachments?, replyToMessageId? }`: the
    /// message shows at once (`status: 'pending'`, a `localId`), then as
    /// `'sent'` with the server's id, or `'failed'` with the `TwinError`
    /// (a timeout is a retryable one). Resolves to the server's
    /// `{ id, createdAt }`; rejects with the same error the message shows.
    /// The optimistic message has `sessionId`, `authorType`, `body` and
    /// `createdAt`; the server's copy (its echo, if the platform sends one,
    /// or the next load) brings the rest, attachments included.
    #[wasm_bindgen(unchecked_return_type = "Promise<SentMessage>")]
    pub fn send(
        &self,
        #[wasm_bindgen(
            unchecked_param_type = "string | { body?: string; attachments?: string[]; replyToMessageId?: string }"
        )]
        message: JsValue,
    ) -> Promise {
        call(&self.store, |store| store.send(message))
    }

    /// Sends a failed message again (it moves to the end, `'pending'`).
    /// Rejects when `localId` is not a failed message: a message is never
    /// sent twice at once.
    #[wasm_bindgen(unchecked_return_type = "Promise<SentMessage>")]
    pub fn retry(
        &self,
        #[wasm_bindgen(js_name = localId, unchecked_param_type = "string")] local_id: JsValue,
    ) -> Promise {
        call(&self.store, |store| store.retry(&local_id))
    }

    /// Drops a failed message; false when `localId` is not one.
    pub fn discard(
        &self,
        #[wasm_bindgen(js_name = localId, unchecked_param_type = "string")] local_id: JsValue,
    ) -> bool {
        let local = local_id.as_string().unwrap_or_default();
        let dropped = self.store.core.borrow_mut().discard(&local);
        self.store.settle();
        dropped
    }

    /// Edits an own message with `{ body }` (the panel's only) and shows
    /// the server's answer.
    #[cfg(feature = "panel")]
    #[wasm_bindgen(unchecked_return_type = "Promise<Message>")]
    pub fn edit(
        &self,
        #[wasm_bindgen(js_name = messageId, unchecked_param_type = "string")] message_id: JsValue,
        #[wasm_bindgen(unchecked_param_type = "{ body: string }")] patch: JsValue,
    ) -> Promise {
        call(&self.store, |store| store.edit(&message_id, patch))
    }

    /// Deletes an own message (the panel's only) and drops it. No event
    /// tells of deletions: other tabs and operators see it gone on their
    /// next load.
    #[cfg(feature = "panel")]
    #[wasm_bindgen(unchecked_return_type = "Promise<void>")]
    pub fn remove(
        &self,
        #[wasm_bindgen(js_name = messageId, unchecked_param_type = "string")] message_id: JsValue,
    ) -> Promise {
        call(&self.store, |store| store.remove(&message_id))
    }

    /// Marks the other side's shown messages read: their `readAt` is set at
    /// once and `unread` drops to 0; they count again if a call fails.
    #[wasm_bindgen(js_name = markRead, unchecked_return_type = "Promise<void>")]
    pub fn mark_read(&self) -> Promise {
        call(&self.store, |store| store.mark_read())
    }

    /// Shows the other side that this side types: call it on every
    /// keystroke, it goes out at most once every 2 s.
    #[wasm_bindgen(unchecked_return_type = "Promise<void>")]
    pub fn typing(&self) -> Promise {
        call(&self.store, |store| store.typing())
    }

    /// `subscribe(listener) -> unsubscribe`: the listener runs once after each
    /// batch of changes. The same function on every read, usable unbound.
    #[wasm_bindgen(getter, unchecked_return_type = "(listener: () => void) => () => void")]
    pub fn subscribe(&self) -> JsValue {
        self.store.live.subscribe()
    }

    /// `getSnapshot()`: immutable, and the same object until the store
    /// changes. The same function on every read, usable unbound.
    #[cfg_attr(
        feature = "panel",
        wasm_bindgen(
            getter,
            js_name = getSnapshot,
            unchecked_return_type = "() => ConversationSnapshot"
        )
    )]
    #[cfg_attr(
        not(feature = "panel"),
        wasm_bindgen(
            getter,
            js_name = getSnapshot,
            unchecked_return_type = "() => WidgetConversationSnapshot"
        )
    )]
    pub fn get_snapshot(&self) -> JsValue {
        self.store.live.get_snapshot()
    }

    /// Live events ignored as bad so far (each also fired `error`).
    #[wasm_bindgen(getter, js_name = badPayloads)]
    pub fn bad_payloads(&self) -> f64 {
        self.store.core.borrow().bad_payloads() as f64
    }

    /// Adds a listener of `resync` (a `ConversationResync`) or `error` (a
    /// `TwinError`); returns the function that removes it.
    #[wasm_bindgen(skip_typescript)]
    pub fn on(&self, name: JsValue, listener: JsValue) -> Result<JsValue, JsValue> {
        if !matches!(name.as_string().as_deref(), Some("resync" | "error")) {
            return Err(usage(
                "conversation.on(): the events are 'resync' and 'error'",
            ));
        }
        if self.store.freed() {
            return Err(freed());
        }
        self.store.live.emitter.on(&name, &listener)
    }

    /// Removes a listener added with `on`.
    #[wasm_bindgen(skip_typescript)]
    pub fn off(&self, name: JsValue, listener: JsValue) {
        self.store.live.emitter.off(&name, &listener);
    }
}
