//! What an authenticated call does after a failure: refresh the token and
//! repeat, repeat after a pause, or give up. Pure, so every rule is tested
//! natively; `session.rs` carries it out.
//!
//! The rules:
//! - **401** (the platform's "Token is expired."): refresh once per call, then
//!   repeat the call with the new token.
//! - **403**: the platform's pages advise a refresh, but a 403 is also a plain
//!   "not allowed". A token is refreshed for a 403 at most once: a 403 with a
//!   token that a 403 already renewed is a permission error (`forbidden`),
//!   never a refresh loop or a logout.
//! - **408, 429, 5xx**: repeated once after [`RETRY_DELAY_MS`], and only for
//!   reads (GET, HEAD, OPTIONS): a POST, PUT, PATCH or DELETE that failed may
//!   still have taken effect, and repeating it would surface a confusing
//!   second answer. Network errors and timeouts are not repeated (a timeout
//!   already waited the whole deadline); they reject with `retryable: true`.

use super::error::ErrorInfo;

/// Pause before repeating a failed idempotent call.
pub const RETRY_DELAY_MS: u64 = 300;

/// What to do next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Refresh the token (or take a newer one) and repeat.
    Refresh,
    /// Wait [`RETRY_DELAY_MS`] and repeat.
    RetryLater,
    /// Give up with the error.
    Fail,
}

/// The retry state of one call.
#[derive(Debug, Default, Clone, Copy)]
pub struct CallRetries {
    refreshed: bool,
    retried: bool,
}

/// True for the methods a failed call may be repeated with: reads only.
pub fn is_repeatable(method: &str) -> bool {
    matches!(method, "GET" | "HEAD" | "OPTIONS")
}

impl CallRetries {
    /// Decides after `error`. `token_renewed_for_403` says whether the token
    /// the call used was itself obtained by a refresh that a 403 caused.
    pub fn decide(
        &mut self,
        method: &str,
        error: &ErrorInfo,
        token_renewed_for_403: bool,
    ) -> Decision {
        let wants_refresh = match error.status {
            401 => true,
            403 => !token_renewed_for_403,
            _ => false,
        };
        if wants_refresh && !self.refreshed {
            self.refreshed = true;
            return Decision::Refresh;
        }
        let transient = error.retryable && error.status != 0;
        if transient && is_repeatable(method) && !self.retried {
            self.retried = true;
            return Decision::RetryLater;
        }
        Decision::Fail
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error_code::ErrorCode;

    fn http(status: u16) -> ErrorInfo {
        ErrorInfo {
            status,
            code: ErrorCode::for_status(status),
            message: String::new(),
            details: None,
            retryable: super::super::error::is_retryable_status(status),
        }
    }

    #[test]
    fn a_401_refreshes_once_per_call() {
        let mut call = CallRetries::default();
        assert_eq!(call.decide("GET", &http(401), false), Decision::Refresh);
        assert_eq!(call.decide("GET", &http(401), false), Decision::Fail);
    }

    #[test]
    fn a_403_refreshes_only_a_token_no_403_renewed() {
        let mut call = CallRetries::default();
        assert_eq!(call.decide("GET", &http(403), false), Decision::Refresh);
        assert_eq!(call.decide("GET", &http(403), true), Decision::Fail);
        let mut fresh = CallRetries::default();
        assert_eq!(fresh.decide("POST", &http(403), true), Decision::Fail);
    }

    #[test]
    fn transient_failures_repeat_once_and_only_idempotent_calls() {
        for error in [http(500), http(503), http(429), http(408)] {
            let mut get = CallRetries::default();
            assert_eq!(
                get.decide("GET", &error, false),
                Decision::RetryLater,
                "{error:?}"
            );
            assert_eq!(get.decide("GET", &error, false), Decision::Fail);
            let mut post = CallRetries::default();
            assert_eq!(
                post.decide("POST", &error, false),
                Decision::Fail,
                "{error:?}"
            );
            let mut delete = CallRetries::default();
            assert_eq!(delete.decide("DELETE", &error, false), Decision::Fail);
        }
        for error in [ErrorInfo::network("x"), ErrorInfo::timeout(5)] {
            assert_eq!(
                CallRetries::default().decide("GET", &error, false),
                Decision::Fail
            );
        }
    }

    #[test]
    fn other_errors_fail_at_once() {
        for status in [400, 404, 405, 409, 422] {
            assert_eq!(
                CallRetries::default().decide("GET", &http(status), false),
                Decision::Fail
            );
        }
        let local = ErrorInfo::local(ErrorCode::Config, "x", true);
        assert_eq!(
            CallRetries::default().decide("GET", &local, false),
            Decision::Fail
        );
    }

    #[test]
    fn only_reads_are_repeated() {
        for m in ["GET", "HEAD", "OPTIONS"] {
            assert!(is_repeatable(m), "{m}");
        }
        for m in ["POST", "PUT", "PATCH", "DELETE"] {
            assert!(!is_repeatable(m), "{m}");
        }
    }
}
