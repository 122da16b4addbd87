//! Turning [`ErrorInfo`] into the JS `TwinError` every promise rejects with.

use super::js::{parse_json, JsTwinError};
use crate::rest::error::{ErrorCode, ErrorInfo};
use wasm_bindgen::prelude::*;

/// The JS `TwinError` for `info`.
pub fn to_js(info: &ErrorInfo) -> JsValue {
    let details = info
        .details
        .as_deref()
        .and_then(|d| parse_json(d).ok())
        .unwrap_or(JsValue::NULL);
    JsTwinError::new(
        info.status,
        info.code.as_str(),
        &info.message,
        &details,
        info.retryable,
    )
    .into()
}

/// The `TwinError` of a protocol client's `Error` event (an unreadable
/// frame, a refused connect, ...): retryable, as the client retries itself.
pub fn client_error(kind: ErrorCode, message: String) -> JsValue {
    to_js(&ErrorInfo::local(kind, message, true))
}

/// The `TwinError` (`freed`) of a call on, or a wait for, an object that was
/// freed: `what` is `"panel"`, `"widget"`, ...
pub fn freed(what: &str) -> JsValue {
    to_js(&ErrorInfo::local(
        ErrorCode::Freed,
        crate::text::concat(&["the ", what, " was freed"]),
        false,
    ))
}

/// A `TwinError` for a mistake in how the package was called.
pub fn usage(message: impl Into<String>) -> JsValue {
    to_js(&ErrorInfo::local(
        ErrorCode::InvalidArgument,
        message,
        false,
    ))
}

/// Parses a server answer; text that is not JSON is a `TwinError` (`badResponse`).
pub fn parse_answer(text: &str) -> Result<JsValue, JsValue> {
    super::js::parse_json(text).map_err(|_| {
        to_js(&ErrorInfo::local(
            ErrorCode::BadResponse,
            "the answer is not valid JSON",
            false,
        ))
    })
}
