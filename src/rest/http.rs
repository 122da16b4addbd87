//! One HTTP exchange over the browser's `fetch`, with a deadline.
//!
//! Every failure becomes an [`ErrorInfo`]: network errors and timeouts are
//! retryable, HTTP errors are classified by status.

use super::error::ErrorInfo;
use crate::transport::timer::Timer;
use gloo_net::http::{Method, RequestBuilder};
use web_sys::AbortController;

/// A request to send.
pub struct HttpRequest<'a> {
    /// HTTP method, upper case.
    pub method: Method,
    /// Absolute URL.
    pub url: &'a str,
    /// `Authorization` header value, if any.
    pub authorization: Option<&'a str>,
    /// JSON body text, if any.
    pub body: Option<String>,
    /// Deadline in milliseconds.
    pub timeout_ms: u64,
}

/// A completed exchange with a 2xx status.
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
    let mut builder = RequestBuilder::new(request.url)
        .method(request.method)
        .header("Content-Type", "application/json")
        .header("Accept", "application/json")
        .abort_signal(Some(&signal));
    if let Some(authorization) = request.authorization {
        builder = builder.header("Authorization", authorization);
    }
    let built = match request.body {
        Some(body) => builder.body(body),
        None => builder.build(),
    }
    .map_err(|_| ErrorInfo::local("badRequest", "the request could not be built", false))?;

    let outcome = async {
        let response = built.send().await?;
        let status = response.status();
        let text = response.text().await?;
        Ok::<_, gloo_net::Error>((status, text))
    }
    .await;
    deadline.cancel();
    match outcome {
        Ok((status, text)) if status < 400 => Ok(HttpResponse { status, text }),
        Ok((status, text)) => Err(ErrorInfo::from_http(status, &text)),
        Err(_) if signal.aborted() => Err(ErrorInfo::timeout(request.timeout_ms)),
        // The browser's message may carry the URL; say only what kind of failure it was.
        Err(_) => Err(ErrorInfo::network("the network request failed")),
    }
}
