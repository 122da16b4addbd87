//! Error values of every failed call, before they become a JS `TwinError`.

pub use crate::error_code::ErrorCode;
use crate::protocol::json_engine::JsonEngine;
use crate::text::decimal;

/// What went wrong, in the shape of the JS `TwinError`.
#[derive(Debug, Clone, PartialEq)]
pub struct ErrorInfo {
    /// HTTP status; 0 for network, timeout and protocol errors.
    pub status: u16,
    /// Stable machine-readable code.
    pub code: ErrorCode,
    /// Human-readable message (the server's `error` text when it gave one).
    pub message: String,
    /// The server's `details` as JSON text, when present.
    pub details: Option<String>,
    /// Whether trying again later may succeed.
    pub retryable: bool,
}

impl ErrorInfo {
    /// An error that did not come from an HTTP status.
    pub fn local(code: ErrorCode, message: impl Into<String>, retryable: bool) -> Self {
        ErrorInfo {
            status: 0,
            code,
            message: message.into(),
            details: None,
            retryable,
        }
    }

    /// The network failed before an answer arrived.
    pub fn network(message: impl Into<String>) -> Self {
        Self::local(ErrorCode::Network, message, true)
    }

    /// No answer within the deadline.
    pub fn timeout(after_ms: u64) -> Self {
        Self::local(
            ErrorCode::Timeout,
            crate::text::concat(&["no answer within ", &decimal(after_ms), " ms"]),
            true,
        )
    }

    /// Reads an HTTP error answer: `{"error": string | object, "details": any}`
    /// (`message` stands in for a missing `error`).
    pub fn from_http<J: JsonEngine>(json: &J, status: u16, body: &str) -> Self {
        let body = json.parse(body).ok();
        let field = |key: &str| {
            body.as_ref()
                .and_then(|body| json.field(body, key))
                .filter(|value| !json.is_null(value))
        };
        // A string reads as its text, anything else as its JSON.
        let text_of = |v: J::Value| -> String { json.string(&v).unwrap_or_else(|| json.write(&v)) };
        let message = field("error")
            .or_else(|| field("message"))
            .map(text_of)
            .filter(|m| !m.is_empty() && m != "null")
            .unwrap_or_else(|| crate::text::concat(&["HTTP ", &decimal(u64::from(status))]));
        let details = field("details")
            .map(|d| json.write(&d))
            .filter(|d| d != "null");
        ErrorInfo {
            status,
            code: ErrorCode::for_status(status),
            message,
            details,
            retryable: is_retryable_status(status),
        }
    }
}

/// Network errors, timeouts, 408, 429 and 5xx may succeed later; other 4xx will not.
pub fn is_retryable_status(status: u16) -> bool {
    matches!(status, 408 | 429 | 500..=599)
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use crate::protocol::test_json::SerdeJson;

    fn from_http(status: u16, body: &str) -> ErrorInfo {
        ErrorInfo::from_http(&SerdeJson, status, body)
    }

    #[test]
    fn reads_structured_and_odd_error_bodies() {
        let e = from_http(422, r#"{"error":{"field":"body"},"details":[1]}"#);
        assert_eq!(e.message, r#"{"field":"body"}"#);
        assert_eq!(e.details.as_deref(), Some("[1]"));
        assert_eq!(e.code, ErrorCode::UnprocessableEntity);
        let e = from_http(502, "<html>bad gateway</html>");
        assert_eq!(e.message, "HTTP 502");
        assert!(e.retryable);
        let e = from_http(404, r#"{"message":"no such session"}"#);
        assert_eq!(e.message, "no such session");
        assert!(!e.retryable);
        let e = from_http(401, r#"{"error":"Token is expired.","details":null}"#);
        assert_eq!(
            (e.code, e.message.as_str(), e.details),
            (ErrorCode::Unauthorized, "Token is expired.", None)
        );
        let e = from_http(400, r#"{"error":null,"message":5}"#);
        assert_eq!(e.message, "5");
    }

    #[test]
    fn retryable_statuses() {
        for s in [408, 429, 500, 503, 599] {
            assert!(is_retryable_status(s), "{s}");
        }
        for s in [400, 401, 403, 404, 422] {
            assert!(!is_retryable_status(s), "{s}");
        }
    }
}
