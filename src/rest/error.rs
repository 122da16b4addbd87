//! Error values of every failed call, before they become a JS `TwinError`.

use crate::protocol::json::{fields, Value};

/// What went wrong, in the shape of the JS `TwinError`.
#[derive(Debug, Clone, PartialEq)]
pub struct ErrorInfo {
    /// HTTP status; 0 for network, timeout and protocol errors.
    pub status: u16,
    /// Stable machine-readable code, e.g. `unauthorized`, `network`, `timeout`.
    pub code: &'static str,
    /// Human-readable message (the server's `error` text when it gave one).
    pub message: String,
    /// The server's `details` as JSON text, when present.
    pub details: Option<String>,
    /// Whether trying again later may succeed.
    pub retryable: bool,
}

impl ErrorInfo {
    /// An error that did not come from an HTTP status.
    pub fn local(code: &'static str, message: impl Into<String>, retryable: bool) -> Self {
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
        Self::local("network", message, true)
    }

    /// No answer within the deadline.
    pub fn timeout(after_ms: u64) -> Self {
        Self::local("timeout", format!("no answer within {after_ms} ms"), true)
    }

    /// Reads an HTTP error answer: `{"error": string | object, "details": any}`.
    ///
    /// ```
    /// use twin_panel::rest::error::ErrorInfo;
    /// let e = ErrorInfo::from_http(401, r#"{"error":"Token is expired.","details":null}"#);
    /// assert_eq!((e.code, e.message.as_str(), e.retryable), ("unauthorized", "Token is expired.", false));
    /// ```
    pub fn from_http(status: u16, body: &str) -> Self {
        // `error`, `message` and `details`, each absent when null; nothing at
        // all when the body is not JSON of that shape.
        let parsed = Value::parse(body)
            .and_then(|body| fields(body, ["error", "message", "details"]))
            .map(|found| found.map(|v| v.filter(|v| !v.is_null())))
            .unwrap_or_default();
        let [error, message, details] = parsed;
        // A string reads as its text, anything else as its JSON.
        let text_of = |v: Value<'_>| -> String {
            v.to_str()
                .map_or_else(|_| v.raw().to_owned(), |s| s.into_owned())
        };
        let message = error
            .or(message)
            .map(text_of)
            .filter(|m| !m.is_empty() && m != "null")
            .unwrap_or_else(|| format!("HTTP {status}"));
        let details = details.map(|d| d.raw().to_owned()).filter(|d| d != "null");
        ErrorInfo {
            status,
            code: code_for_status(status),
            message,
            details,
            retryable: is_retryable_status(status),
        }
    }

    /// True for the platform's "token expired" answers that warrant a refresh:
    /// 401 (`"Token is expired."`) and 403 (the platform's advice: refresh on any 403).
    pub fn wants_refresh(&self) -> bool {
        self.status == 401 || self.status == 403
    }
}

/// The `code` of an HTTP error status.
pub fn code_for_status(status: u16) -> &'static str {
    match status {
        400 => "badRequest",
        401 => "unauthorized",
        403 => "forbidden",
        404 => "notFound",
        405 => "methodNotAllowed",
        408 => "timeout",
        409 => "conflict",
        422 => "unprocessableEntity",
        429 => "tooManyRequests",
        500..=599 => "serverError",
        _ => "httpError",
    }
}

/// Network errors, timeouts, 408, 429 and 5xx may succeed later; other 4xx will not.
pub fn is_retryable_status(status: u16) -> bool {
    matches!(status, 408 | 429 | 500..=599)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_structured_and_odd_error_bodies() {
        let e = ErrorInfo::from_http(422, r#"{"error":{"field":"body"},"details":[1]}"#);
        assert_eq!(e.message, r#"{"field":"body"}"#);
        assert_eq!(e.details.as_deref(), Some("[1]"));
        assert_eq!(e.code, "unprocessableEntity");
        let e = ErrorInfo::from_http(502, "<html>bad gateway</html>");
        assert_eq!(e.message, "HTTP 502");
        assert!(e.retryable);
        let e = ErrorInfo::from_http(404, r#"{"message":"no such session"}"#);
        assert_eq!(e.message, "no such session");
        assert!(!e.retryable);
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

    #[test]
    fn refresh_statuses() {
        assert!(ErrorInfo::from_http(401, "").wants_refresh());
        assert!(ErrorInfo::from_http(403, "").wants_refresh());
        assert!(!ErrorInfo::from_http(404, "").wants_refresh());
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod same_as_serde {
    use super::*;
    use crate::protocol::json::testing::{arb_input, config};
    use proptest::prelude::*;
    use serde_json::value::RawValue;

    /// The serde_json reader `from_http` replaced.
    fn old_from_http(status: u16, body: &str) -> ErrorInfo {
        #[derive(serde::Deserialize)]
        struct Body<'a> {
            #[serde(default, borrow)]
            error: Option<&'a RawValue>,
            #[serde(default, borrow)]
            message: Option<&'a RawValue>,
            #[serde(default, borrow)]
            details: Option<&'a RawValue>,
        }
        let parsed: Option<Body<'_>> = serde_json::from_str(body).ok();
        let text_of = |raw: &RawValue| -> String {
            serde_json::from_str::<String>(raw.get()).unwrap_or_else(|_| raw.get().to_owned())
        };
        let message = parsed
            .as_ref()
            .and_then(|b| b.error.or(b.message))
            .map(text_of)
            .filter(|m| !m.is_empty() && m != "null")
            .unwrap_or_else(|| format!("HTTP {status}"));
        let details = parsed
            .and_then(|b| b.details)
            .map(|d| d.get().to_owned())
            .filter(|d| d != "null");
        ErrorInfo {
            status,
            code: code_for_status(status),
            message,
            details,
            retryable: is_retryable_status(status),
        }
    }

    const TEMPLATES: &[&str] = &[
        "@",
        r#"{"error":@}"#,
        r#"{"message":@,"details":@}"#,
        r#"{"error":@,"message":"m","details":@}"#,
        r#"[@,@,@]"#,
    ];

    const FRAMES: &[&str] = &[
        r#"{"error":"Token is expired.","details":null}"#,
        r#"{"error":{"field":"body"},"details":[1]}"#,
        r#"{"message":"no such session"}"#,
        "<html>bad gateway</html>",
    ];

    proptest! {
        #![proptest_config(config())]

        #[test]
        fn error_bodies_read_as_before(body in arb_input(TEMPLATES, FRAMES), status in 400u16..600) {
            prop_assert_eq!(ErrorInfo::from_http(status, &body), old_from_http(status, &body));
        }
    }
}
