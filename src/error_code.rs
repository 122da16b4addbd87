//! [`ErrorCode`]: the stable, machine-readable `code` of every `TwinError`.
//!
//! Pure: used by the REST layer, the JS classes and the protocol core's
//! error events alike. JS sees [`ErrorCode::as_str`]; the names are a
//! contract (they are listed in the package's `twin-error.d.ts` as `TwinErrorCode`).

/// What kind of failure a `TwinError` reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorCode {
    /// HTTP 400.
    BadRequest,
    /// HTTP 401, or the live connection refused the token for good.
    Unauthorized,
    /// HTTP 403: not allowed (after at most one token refresh).
    Forbidden,
    /// HTTP 404.
    NotFound,
    /// HTTP 405.
    MethodNotAllowed,
    /// HTTP 408, or no answer within the deadline.
    Timeout,
    /// HTTP 409.
    Conflict,
    /// HTTP 422.
    UnprocessableEntity,
    /// HTTP 429.
    TooManyRequests,
    /// HTTP 5xx.
    ServerError,
    /// Any other HTTP error status.
    HttpError,
    /// The network failed before an answer arrived.
    Network,
    /// The server's answer could not be read.
    BadResponse,
    /// The package was called wrongly (a bad option or argument).
    InvalidArgument,
    /// No tokens: log in or call `useTokens()` first.
    NotAuthenticated,
    /// `logout()` happened while a refresh was running.
    LoggedOut,
    /// The widget was used before `start()`.
    NotStarted,
    /// The live connection stopped before the awaited outcome.
    Disconnected,
    /// A frame the server sent could not be read.
    Protocol,
    /// The server refused the connect (and the client retries).
    Connect,
    /// Something the protocol allows but this client does not support.
    Unsupported,
    /// Too many emits wait for the connection.
    QueueFull,
    /// Too many calls wait for the same outcome.
    TooManyWaiters,
    /// The server answered an emit with an error.
    Rejected,
    /// The connection ended before the server answered an emit.
    AckLost,
    /// The client was configured wrongly.
    Config,
    /// `request()` was asked for a URL outside `chatUrl` and `iamUrl`.
    ForbiddenUrl,
    /// The object was freed (`free()`): what waited on it ended, and what is
    /// asked of it now is refused.
    Freed,
    /// The page's Content-Security-Policy does not let the browser compile
    /// WebAssembly: its `script-src` needs `'wasm-unsafe-eval'`. Raised by the
    /// package's JS entry, before any wasm runs; listed here with every code.
    WasmUnsafeEval,
}

impl ErrorCode {
    /// The name JS sees in `TwinError.code`.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::BadRequest => "badRequest",
            ErrorCode::Unauthorized => "unauthorized",
            ErrorCode::Forbidden => "forbidden",
            ErrorCode::NotFound => "notFound",
            ErrorCode::MethodNotAllowed => "methodNotAllowed",
            ErrorCode::Timeout => "timeout",
            ErrorCode::Conflict => "conflict",
            ErrorCode::UnprocessableEntity => "unprocessableEntity",
            ErrorCode::TooManyRequests => "tooManyRequests",
            ErrorCode::ServerError => "serverError",
            ErrorCode::HttpError => "httpError",
            ErrorCode::Network => "network",
            ErrorCode::BadResponse => "badResponse",
            ErrorCode::InvalidArgument => "invalidArgument",
            ErrorCode::NotAuthenticated => "notAuthenticated",
            ErrorCode::LoggedOut => "loggedOut",
            ErrorCode::NotStarted => "notStarted",
            ErrorCode::Disconnected => "disconnected",
            ErrorCode::Protocol => "protocol",
            ErrorCode::Connect => "connect",
            ErrorCode::Unsupported => "unsupported",
            ErrorCode::QueueFull => "queueFull",
            ErrorCode::TooManyWaiters => "tooManyWaiters",
            ErrorCode::Rejected => "rejected",
            ErrorCode::AckLost => "ackLost",
            ErrorCode::Config => "config",
            ErrorCode::ForbiddenUrl => "forbiddenUrl",
            ErrorCode::Freed => "freed",
            ErrorCode::WasmUnsafeEval => "wasmUnsafeEval",
        }
    }

    /// The code of an HTTP error status.
    ///
    /// ```
    /// use twin_panel::error_code::ErrorCode;
    /// assert_eq!(ErrorCode::for_status(503), ErrorCode::ServerError);
    /// assert_eq!(ErrorCode::for_status(418).as_str(), "httpError");
    /// ```
    pub fn for_status(status: u16) -> Self {
        match status {
            400 => ErrorCode::BadRequest,
            401 => ErrorCode::Unauthorized,
            403 => ErrorCode::Forbidden,
            404 => ErrorCode::NotFound,
            405 => ErrorCode::MethodNotAllowed,
            408 => ErrorCode::Timeout,
            409 => ErrorCode::Conflict,
            422 => ErrorCode::UnprocessableEntity,
            429 => ErrorCode::TooManyRequests,
            500..=599 => ErrorCode::ServerError,
            _ => ErrorCode::HttpError,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALL: [ErrorCode; 29] = [
        ErrorCode::BadRequest,
        ErrorCode::Unauthorized,
        ErrorCode::Forbidden,
        ErrorCode::NotFound,
        ErrorCode::MethodNotAllowed,
        ErrorCode::Timeout,
        ErrorCode::Conflict,
        ErrorCode::UnprocessableEntity,
        ErrorCode::TooManyRequests,
        ErrorCode::ServerError,
        ErrorCode::HttpError,
        ErrorCode::Network,
        ErrorCode::BadResponse,
        ErrorCode::InvalidArgument,
        ErrorCode::NotAuthenticated,
        ErrorCode::LoggedOut,
        ErrorCode::NotStarted,
        ErrorCode::Disconnected,
        ErrorCode::Protocol,
        ErrorCode::Connect,
        ErrorCode::Unsupported,
        ErrorCode::QueueFull,
        ErrorCode::TooManyWaiters,
        ErrorCode::Rejected,
        ErrorCode::AckLost,
        ErrorCode::Config,
        ErrorCode::ForbiddenUrl,
        ErrorCode::Freed,
        ErrorCode::WasmUnsafeEval,
    ];

    #[test]
    fn names_are_camel_case_and_distinct() {
        let all = ALL;
        let mut names: Vec<&str> = all.iter().map(|c| c.as_str()).collect();
        assert!(names
            .iter()
            .all(|n| n.chars().next().is_some_and(|c| c.is_ascii_lowercase())));
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), all.len());
    }

    #[test]
    fn the_typescript_union_lists_every_code() {
        let types = include_str!("../pkg-template/twin-error.d.ts");
        let union = types
            .split("export type TwinErrorCode =")
            .nth(1)
            .and_then(|rest| rest.split(';').next())
            .expect("TwinErrorCode in pkg-template/twin-error.d.ts");
        let listed: Vec<&str> = union
            .split('|')
            .map(|name| name.trim().trim_matches('\''))
            .filter(|name| !name.is_empty())
            .collect();
        let mut ours: Vec<&str> = ALL.iter().map(|c| c.as_str()).collect();
        let mut theirs = listed.clone();
        ours.sort_unstable();
        theirs.sort_unstable();
        assert_eq!(ours, theirs);
    }
}
