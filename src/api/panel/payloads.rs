//! The JS values the panel hands out or reads beside its options: the token
//! object, the `connecting`/`disconnected` payloads, the error a pending
//! `connect()` rejects with, and `companyId`. Builders only: no state.

use crate::api::error::usage;
use crate::api::js::object;
use crate::protocol::centrifuge::codes::{self, disconnected};
use crate::rest::error::{ErrorCode, ErrorInfo};
use crate::rest::tokens::TokenPair;
use crate::text::decimal;
use wasm_bindgen::prelude::*;

/// `companyId`: absent or null, a whole number, or a string of digits.
pub(super) fn company_id(value: &JsValue) -> Result<Option<i64>, JsValue> {
    if value.is_undefined() || value.is_null() {
        return Ok(None);
    }
    let number = match value.as_string() {
        Some(text) => text.trim().parse::<i64>().ok(),
        None => value
            .as_f64()
            .filter(|n| n.fract() == 0.0 && n.abs() <= MAX_SAFE_INTEGER)
            .map(|n| n as i64),
    };
    number
        .map(Some)
        .ok_or_else(|| usage("companyId must be a whole number"))
}

/// The largest integer a JS number holds exactly.
const MAX_SAFE_INTEGER: f64 = 9_007_199_254_740_991.0;

/// `{ token, refreshToken, expiresAt }` (`expiresAt` in Unix ms).
pub(super) fn tokens_object(pair: &TokenPair) -> JsValue {
    object(&[
        ("token", JsValue::from_str(&pair.token)),
        ("refreshToken", JsValue::from_str(&pair.refresh_token)),
        ("expiresAt", JsValue::from_f64(pair.expires_at_ms as f64)),
    ])
}

/// `{ code, reason }`, the `connecting` payload.
pub(super) fn code_reason(code: u32, reason: &str) -> JsValue {
    object(&[
        ("code", JsValue::from_f64(f64::from(code))),
        ("reason", JsValue::from_str(reason)),
    ])
}

/// The `disconnected` payload.
pub(super) fn code_reason_event(code: u32, reason: &str, reconnect: bool) -> JsValue {
    let payload = code_reason(code, reason);
    let _ = js_sys::Reflect::set(&payload, &"reconnect".into(), &reconnect.into());
    payload
}

/// The error a pending `connect()` rejects with when the panel stops.
pub(super) fn disconnect_error(code: u32, reason: &str) -> ErrorInfo {
    let unauthorized = code == u32::from(disconnected::UNAUTHORIZED)
        || code == u32::from(codes::CLOSE_INVALID_TOKEN)
        || code == codes::ERROR_TOKEN_EXPIRED
        || code == codes::ERROR_UNAUTHORIZED;
    ErrorInfo {
        status: 0,
        code: if unauthorized {
            ErrorCode::Unauthorized
        } else {
            ErrorCode::Disconnected
        },
        message: crate::text::concat(&[
            "disconnected: ",
            reason,
            " (",
            &decimal(u64::from(code)),
            ")",
        ]),
        details: Some(crate::text::concat(&[
            "{\"code\":",
            &decimal(u64::from(code)),
            "}",
        ])),
        retryable: false,
    }
}
