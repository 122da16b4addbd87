//! One HTTP exchange over gloo-net's `fetch`, with a deadline.
//!
//! Every failure becomes an [`ErrorInfo`]: network errors and timeouts are
//! retryable, HTTP errors are classified by status. Answers come back as
//! text; callers parse them with the engine's `JSON.parse`.

use super::engine_json::EngineJson;
use super::timer::Timer;
use crate::rest::error::{ErrorCode, ErrorInfo};
use wasm_bindgen::prelude::*;
use web_sys::{AbortController, AbortSignal, Headers, RequestInit};

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
    /// Deadline in milliseconds.
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
    let controller =
        AbortController::new().map_err(|_| ErrorInfo::network("fetch is unavailable"))?;
    let signal = controller.signal();
    let deadline = {
        let controller = controller.clone();
        Timer::new(move || controller.abort())
    };
    deadline.arm(request.timeout_ms);

    let outcome = match build(&request, &signal) {
        Some(built) => exchange(built.into()).await,
        // Header values the browser refuses (a token with a newline, say).
        None => {
            deadline.cancel();
            return Err(ErrorInfo::local(
                ErrorCode::BadRequest,
                "the request cannot be built (a header value is not valid)",
                false,
            ));
        }
    };
    deadline.cancel();
    match outcome {
        Ok((status, text)) if status < 400 => Ok(HttpResponse { status, text }),
        Ok((status, text)) => Err(ErrorInfo::from_http(&EngineJson, status, &text)),
        Err(()) if signal.aborted() => Err(ErrorInfo::timeout(request.timeout_ms)),
        // The browser's message may carry the URL; say only what kind of failure it was.
        Err(()) => Err(ErrorInfo::network("the network request failed")),
    }
}

/// The fetch `Request` of `request`, aborted by `signal`; `None` when the
/// runtime refuses a header value or the URL. Built here rather than with
/// gloo-net's builder, which parses the URL again to merge query pairs this
/// crate never gives it.
fn build(request: &HttpRequest<'_>, signal: &AbortSignal) -> Option<web_sys::Request> {
    let headers = Headers::new().ok()?;
    headers.set("Accept", "application/json").ok()?;
    if let Some(authorization) = request.authorization {
        headers.set("Authorization", authorization).ok()?;
    }
    let init = RequestInit::new();
    init.set_method(request.method);
    init.set_signal(Some(signal));
    // A content type only with a body: on a GET it would force a CORS preflight.
    if let Some(body) = &request.body {
        headers.set("Content-Type", "application/json").ok()?;
        init.set_body(&JsValue::from_str(body));
    }
    init.set_headers(&headers);
    web_sys::Request::new_with_str_and_init(request.url, &init).ok()
}

async fn exchange(request: gloo_net::http::Request) -> Result<(u16, String), ()> {
    let response = request.send().await.map_err(|_| ())?;
    let text = response.text().await.map_err(|_| ())?;
    Ok((response.status(), text))
}
