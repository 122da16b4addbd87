//! The widget's calls, lent to its conversation: the visitor sends over
//! public REST, marks read and types over the socket. The visitor has no
//! history endpoint, nor any to edit or delete a message, in any platform
//! source: those calls are refused (the conversation never makes them).

use super::{no_fields, read_receipt, WidgetCore};
use crate::api::conversation::ConversationRest;
use js_sys::Promise;
use std::rc::{Rc, Weak};
use wasm_bindgen::prelude::*;

/// The widget's calls, lent to its conversation.
pub(super) struct WidgetTalk(pub(super) Weak<WidgetCore>);

impl WidgetTalk {
    fn with(&self, call: impl FnOnce(&Rc<WidgetCore>) -> Promise) -> Promise {
        match self.0.upgrade() {
            Some(core) => call(&core),
            None => Promise::reject(&super::stopped("the widget was freed")),
        }
    }
}

/// The `TwinError` of a call the visitor's side has no endpoint for.
#[cfg(feature = "panel")]
fn unsupported() -> Promise {
    use crate::rest::error::{ErrorCode, ErrorInfo};
    Promise::reject(&crate::api::error::to_js(&ErrorInfo::local(
        ErrorCode::Unsupported,
        "the visitor's side has no such endpoint",
        false,
    )))
}

impl ConversationRest for WidgetTalk {
    #[cfg(feature = "panel")]
    fn messages(&self, _session_id: &str, _query: JsValue) -> Promise {
        unsupported()
    }

    fn send(&self, session_id: &str, message: JsValue) -> Promise {
        self.with(|core| core.post_message(session_id, &message))
    }

    #[cfg(feature = "panel")]
    fn edit(&self, _session_id: &str, _message_id: &str, _patch: JsValue) -> Promise {
        unsupported()
    }

    #[cfg(feature = "panel")]
    fn remove(&self, _session_id: &str, _message_id: &str) -> Promise {
        unsupported()
    }

    fn mark_read(&self, message_id: &str) -> Promise {
        self.with(|core| core.emit_with_ack("clientRead", &read_receipt(message_id)))
    }

    fn typing(&self, _session_id: &str) -> Promise {
        self.with(
            |core| match core.emit("clientTyping", &no_fields(), false) {
                Ok(_) => Promise::resolve(&JsValue::UNDEFINED),
                Err(error) => Promise::reject(&error),
            },
        )
    }
}
