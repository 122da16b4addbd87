//! The panel's open conversations: one store per session id while it
//! lives, each told of the panel's publications, resyncs and logout.

use super::{ConversationRest, ConversationStore};
use crate::conversation::{ConversationEvent, Side};
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::prelude::*;

/// The panel's conversations: one store per session id while it lives.
#[cfg(feature = "panel")]
#[derive(Default)]
pub(crate) struct Conversations(RefCell<Vec<Rc<ConversationStore>>>);

#[cfg(feature = "panel")]
impl Conversations {
    /// The conversation of `session_id`: the one open, else a new one
    /// calling the platform through `rest()`.
    pub(crate) fn open(
        &self,
        session_id: String,
        rest: impl FnOnce() -> Box<dyn ConversationRest>,
    ) -> JsValue {
        let mut stores = self.0.borrow_mut();
        stores.retain(|store| !store.freed());
        if let Some(store) = stores
            .iter()
            .find(|store| store.core.borrow().session_id() == Some(session_id.as_str()))
        {
            return store.js_object();
        }
        let store = ConversationStore::new(Side::Operator, Some(session_id), rest());
        let object = store.js_object();
        stores.push(store);
        object
    }

    /// A publication (`name`, its `data`): every open conversation that
    /// follows it applies it (each keeps only its session's).
    pub(crate) fn on_publication(&self, name: &str, data: &JsValue) {
        let Some(event) = ConversationEvent::of_panel(name) else {
            return;
        };
        for store in self.stores() {
            store.on_event(event, data);
        }
    }

    /// The panel's `resync`.
    pub(crate) fn on_resync(&self, reason: &str) {
        for store in self.stores() {
            store.on_resync(reason);
        }
    }

    /// The panel logged out.
    pub(crate) fn on_logout(&self) {
        for store in self.stores() {
            store.on_logout();
        }
    }

    /// The panel is freed: every conversation ends.
    pub(crate) fn on_free(&self) {
        for store in self.0.take() {
            store.on_free();
        }
    }

    /// The open stores, copied out: a listener may open another meanwhile.
    fn stores(&self) -> Vec<Rc<ConversationStore>> {
        self.0.borrow().clone()
    }
}
