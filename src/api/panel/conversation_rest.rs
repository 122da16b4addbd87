//! The panel's REST calls, lent to its conversations: they load, send,
//! edit and mark read through the same session (tokens, refresh, retries)
//! as every other call.

use super::inbox_rest::PanelRest;
use crate::api::conversation::ConversationRest;
use crate::rest::endpoints::{self, Endpoint};
use js_sys::Promise;
use wasm_bindgen::prelude::*;

impl PanelRest {
    /// Calls `endpoint` with ids as path arguments.
    fn call(
        &self,
        endpoint: Endpoint,
        ids: &[&str],
        query: Option<&JsValue>,
        body: Option<JsValue>,
    ) -> Promise {
        let args: Vec<JsValue> = ids.iter().map(|id| JsValue::from_str(id)).collect();
        self.with(|core| core.endpoint(endpoint, &args, query, body))
    }
}

impl ConversationRest for PanelRest {
    fn messages(&self, session_id: &str, query: JsValue) -> Promise {
        self.call(
            endpoints::SESSION_MESSAGES,
            &[session_id],
            Some(&query),
            None,
        )
    }

    fn send(&self, session_id: &str, message: JsValue) -> Promise {
        self.call(endpoints::SEND_MESSAGE, &[session_id], None, Some(message))
    }

    fn edit(&self, session_id: &str, message_id: &str, patch: JsValue) -> Promise {
        self.call(
            endpoints::EDIT_MESSAGE,
            &[session_id, message_id],
            None,
            Some(patch),
        )
    }

    fn remove(&self, session_id: &str, message_id: &str) -> Promise {
        self.call(
            endpoints::DELETE_MESSAGE,
            &[session_id, message_id],
            None,
            None,
        )
    }

    fn mark_read(&self, message_id: &str) -> Promise {
        self.call(endpoints::MARK_READ, &[message_id], None, None)
    }

    fn typing(&self, session_id: &str) -> Promise {
        self.call(endpoints::OPERATOR_TYPING, &[session_id], None, None)
    }
}
