//! The panel's REST calls, lent to its inbox: the inbox loads and marks read
//! through the same session (tokens, refresh, retries) as every other call.

use super::Core;
use crate::api::error::freed;
use crate::api::inbox::InboxRest;
use crate::rest::endpoints;
use js_sys::Promise;
use std::rc::{Rc, Weak};
use wasm_bindgen::prelude::*;

/// The panel's REST calls, lent to its inbox.
pub(super) struct PanelRest(pub(super) Weak<Core>);

impl PanelRest {
    pub(super) fn with(&self, call: impl FnOnce(&Rc<Core>) -> Promise) -> Promise {
        match self.0.upgrade() {
            Some(core) => call(&core),
            None => Promise::reject(&freed("panel")),
        }
    }
}

impl InboxRest for PanelRest {
    fn me(&self) -> Promise {
        self.with(|core| core.endpoint(endpoints::ME, &[], None, None))
    }

    fn list_sessions(&self, query: JsValue) -> Promise {
        self.with(|core| core.endpoint(endpoints::LIST_SESSIONS, &[], Some(&query), None))
    }

    fn get_session(&self, id: JsValue) -> Promise {
        self.with(|core| core.endpoint(endpoints::GET_SESSION, &[id], None, None))
    }

    fn session_messages(&self, id: JsValue, query: JsValue) -> Promise {
        self.with(|core| core.endpoint(endpoints::SESSION_MESSAGES, &[id], Some(&query), None))
    }

    fn mark_read(&self, message_id: JsValue) -> Promise {
        self.with(|core| core.endpoint(endpoints::MARK_READ, &[message_id], None, None))
    }
}
