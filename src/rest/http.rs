//! One HTTP exchange over the browser's `fetch`, with a deadline.
//!
//! Every failure becomes an [`ErrorInfo`]: network errors and timeouts are
//! retryable, HTTP errors are classified by status.

use super::error::ErrorInfo;
use crate::transport::timer::Timer;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortController, Headers, RequestInit, Response};

#[wasm_bindgen]
extern "C" {
    // The global `fetch`, so the same code runs in windows and workers.
    #[wasm_bindgen(js_name = fetch)]
    fn global_fetch(url: &str, init: &RequestInit) -> js_sys::Promise;
}

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

    // The platform's SDK sends a JSON content type on every request, GET included.
    let headers = Headers::new().map_err(|_| ErrorInfo::network("fetch is unavailable"))?;
    let _ = headers.set("Content-Type", "application/json");
    let _ = headers.set("Accept", "application/json");
    if let Some(authorization) = request.authorization {
        headers.set("Authorization", authorization).map_err(|_| {
            ErrorInfo::local("badRequest", "the token is not a valid header", false)
        })?;
    }
    let init = RequestInit::new();
    init.set_method(request.method);
    init.set_headers(&headers);
    init.set_signal(Some(&signal));
    if let Some(body) = &request.body {
        init.set_body(&JsValue::from_str(body));
    }

    let outcome = exchange(request.url, &init).await;
    deadline.cancel();
    match outcome {
        Ok((status, text)) if status < 400 => Ok(HttpResponse { status, text }),
        Ok((status, text)) => Err(ErrorInfo::from_http(status, &text)),
        Err(()) if signal.aborted() => Err(ErrorInfo::timeout(request.timeout_ms)),
        // The browser's message may carry the URL; say only what kind of failure it was.
        Err(()) => Err(ErrorInfo::network("the network request failed")),
    }
}

async fn exchange(url: &str, init: &RequestInit) -> Result<(u16, String), ()> {
    let response: Response = JsFuture::from(global_fetch(url, init))
        .await
        .map_err(|_| ())?
        .dyn_into()
        .map_err(|_| ())?;
    let text = JsFuture::from(response.text().map_err(|_| ())?)
        .await
        .map_err(|_| ())?;
    Ok((response.status(), text.as_string().unwrap_or_default()))
}
