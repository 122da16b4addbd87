//! The JS class `Conversation` (`js/glue.js`) and its wasm half: every
//! method of the class is one call of [`ConversationCore::call`], which
//! hands its arguments to the store and its answer (a promise, mostly)
//! back. One exported entry instead of one per method: the wasm holds one
//! argument-passing shim, and the class's docs and types are in `types.rs`.

use super::store::{freed, ConversationStore};
use crate::api::error::usage;
use crate::conversation::{LoadKind, Loading as LoadState};
use js_sys::Promise;
use std::rc::Rc;
use wasm_bindgen::prelude::*;

/// What a method of the JS class asks [`ConversationCore::call`] for: the
/// numbers `js/glue.js` passes.
mod op {
    pub const LOAD: u32 = 0;
    pub const LOAD_OLDER: u32 = 1;
    pub const SEND: u32 = 2;
    pub const RETRY: u32 = 3;
    pub const DISCARD: u32 = 4;
    pub const MARK_READ: u32 = 5;
    pub const TYPING: u32 = 6;
    pub const BAD_PAYLOADS: u32 = 7;
    pub const ON: u32 = 8;
    #[cfg(feature = "panel")]
    pub const EDIT: u32 = 9;
    #[cfg(feature = "panel")]
    pub const REMOVE: u32 = 10;
}

/// The wasm half of one JS `Conversation`: the store it drives. The JS
/// object holds it (and through it the store); freeing it ends the store.
#[wasm_bindgen(private, skip_typescript)]
pub struct ConversationCore {
    store: Rc<ConversationStore>,
}

impl ConversationCore {
    /// The wasm half of `store`'s JS object (the store makes it once).
    pub(super) fn of(store: Rc<ConversationStore>) -> Self {
        ConversationCore { store }
    }
}

impl Drop for ConversationCore {
    fn drop(&mut self) {
        self.store.on_free();
    }
}

#[wasm_bindgen]
impl ConversationCore {
    /// Method `op` of the JS class with its arguments. A promise method
    /// answers with its promise (rejected with a `TwinError` when the store
    /// refuses: ended, a bad argument); `on` throws what it refuses.
    pub fn call(&self, op: u32, a: JsValue, b: JsValue) -> Result<JsValue, JsValue> {
        let store = &self.store;
        let promise = match op {
            op::LOAD => store.load(LoadKind::Newest, &a),
            op::LOAD_OLDER => Ok(self.load_older(&a)),
            op::SEND => store.send(a),
            op::RETRY => store.retry(&a),
            op::MARK_READ => store.mark_read(),
            op::TYPING => store.typing(),
            #[cfg(feature = "panel")]
            op::EDIT => store.edit(&a, b),
            #[cfg(feature = "panel")]
            op::REMOVE => store.remove(&a),
            op::DISCARD => {
                let local = a.as_string().unwrap_or_default();
                let dropped = store.core.borrow_mut().discard(&local);
                store.settle();
                return Ok(JsValue::from_bool(dropped));
            }
            op::BAD_PAYLOADS => {
                return Ok(JsValue::from_f64(store.core.borrow().bad_payloads() as f64));
            }
            op::ON => return self.on(&a, &b),
            _ => return Ok(JsValue::UNDEFINED),
        };
        Ok(promise
            .unwrap_or_else(|error| Promise::reject(&error))
            .into())
    }
}

impl ConversationCore {
    /// `loadOlder()`: a second call while one runs gets the same promise.
    fn load_older(&self, options: &JsValue) -> Promise {
        let store = &self.store;
        if store.core.borrow().loading() == LoadState::Older {
            if let Some(running) = store.older.borrow().clone() {
                return running;
            }
        }
        let promise = store
            .load(LoadKind::Older, options)
            .unwrap_or_else(|error| Promise::reject(&error));
        store.older.replace(Some(promise.clone()));
        promise
    }

    /// `on(name, listener)`: `resync` and `error` only.
    fn on(&self, name: &JsValue, listener: &JsValue) -> Result<JsValue, JsValue> {
        if !matches!(name.as_string().as_deref(), Some("resync" | "error")) {
            return Err(usage(
                "conversation.on(): the events are 'resync' and 'error'",
            ));
        }
        if self.store.freed() {
            return Err(freed());
        }
        self.store.live.emitter.on(name, listener)
    }
}
