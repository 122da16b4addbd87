//! One HTTP exchange over the runtime's `fetch`, with a deadline.
//!
//! The exchange itself is `fetchText` in `js/glue.js` (headers, the abort
//! on the deadline, the body as text); every failure becomes an
//! [`ErrorInfo`] here: network errors and timeouts are retryable, HTTP
//! errors are classified by status. Answers come back as text; callers
//! parse them with the engine's `JSON.parse`.

use super::engine_json::EngineJson;
use super::glue::fetch_text;
use crate::rest::error::{ErrorCode, ErrorInfo};
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

/// A request to send.
pub struct HttpRequest<'a> {
    /// HTTP method, upper case.
    pub method: &'a str,
    /// Absolute URL.
    pub url: &'a str,
    /// `Authorization` header value, if any.
    pub authorization: Option<&'a str>,
    /// JSON body text, if any.
    pub body: Option<String>,
    /// Deadline in milliseconds (the options' `timeout`: at most 10 min,
    /// well within what `setTimeout` honours).
    pub timeout_ms: u64,
}

/// A completed exchange with a status below 400.
pub struct HttpResponse {
    /// HTTP status.
    pub status: u16,
    /// Body text ("" when empty).
    pub text: String,
}

/// Sends `request`; a status of 400 or more is an error.
pub async fn send(request: HttpRequest<'_>) -> Result<HttpResponse, ErrorInfo> {
    let exchange = fetch_text(
        request.method,
        request.url,
        request.authorization,
        request.body,
        request.timeout_ms as f64,
    );
    let answer = match JsFuture::from(exchange).await {
        Ok(answer) => answer.unchecked_into::<js_sys::Array>(),
        Err(failure) => return Err(failure_info(failure.as_f64(), request.timeout_ms)),
    };
    let status = answer.get(0).as_f64().unwrap_or(0.0) as u16;
    let text = answer.get(1).as_string().unwrap_or_default();
    if status < 400 {
        Ok(HttpResponse { status, text })
    } else {
        Err(ErrorInfo::from_http(&EngineJson, status, &text))
    }
}

/// What failed, by the number `fetchText` rejected with.
fn failure_info(failure: Option<f64>, timeout_ms: u64) -> ErrorInfo {
    match failure {
        Some(0.0) => ErrorInfo::network("fetch is unavailable"),
        // Header values the runtime refuses (a token with a newline, say).
        Some(1.0) => ErrorInfo::local(
            ErrorCode::BadRequest,
            "the request cannot be built (a header value is not valid)",
            false,
        ),
        Some(3.0) => ErrorInfo::timeout(timeout_ms),
        // The runtime's message may carry the URL; say only what kind of failure it was.
        _ => ErrorInfo::network("the network request failed"),
    }
}
