//! What a close code or a connect error means for the client.
//!
//! Server codes follow the Centrifuge rules: 3000–3499 and 4000–4499 (and ≥ 5000)
//! reconnect, 3500–3999 and 4500–4999 are terminal. Codes below 100 in events are
//! the client's own, numbered as centrifuge-js numbers them where it has one.
//!
//! Imports: nothing. The browser host reads the client codes from here.

/// Client-side codes of the `connecting` event.
pub mod connecting {
    /// `connect()` was called.
    pub const CONNECT_CALLED: u16 = 0;
    /// The socket closed without a terminal code.
    pub const TRANSPORT_CLOSED: u16 = 1;
    /// No message from the server within ping interval + `pingTimeout`.
    pub const NO_PING: u16 = 2;
    /// The socket did not open, or the connect reply did not come, in time.
    pub const CONNECT_TIMEOUT: u16 = 4;
    /// The server sent a frame that could not be read.
    pub const BAD_FRAME: u16 = 5;
    /// The browser went offline.
    pub const OFFLINE: u16 = 6;
    /// A publication offset skipped ahead: reconnect to recover the gap.
    pub const GAP: u16 = 7;
    /// The token was refused; a fresh one is being fetched.
    pub const TOKEN_REFRESH: u16 = 8;
}

/// Client-side codes of the `disconnected` event.
pub mod disconnected {
    /// `disconnect()` was called.
    pub const DISCONNECT_CALLED: u16 = 0;
    /// The token was refused and could not be renewed.
    pub const UNAUTHORIZED: u16 = 1;
    /// The platform ended the operator's session (`operatorBlocked`,
    /// `chatUserExists`, `operatorLoggedOut`); the reason names the event.
    pub const FORCED_LOGOUT: u16 = 4;
}

/// Connect error codes that mean "this token is not (or no longer) good".
pub const ERROR_UNAUTHORIZED: u32 = 101;
/// The token expired: fetch a new one, then reconnect.
pub const ERROR_TOKEN_EXPIRED: u32 = 109;
/// Close code for an invalid token (terminal in Centrifuge, but TWIN tokens rotate:
/// one refresh is worth a try).
pub const CLOSE_INVALID_TOKEN: u16 = 3500;
/// Close code telling the client to forget stored stream positions.
pub const CLOSE_STATE_INVALIDATED: u16 = 3014;
/// Browser close code for a message larger than the client accepts.
pub const CLOSE_MESSAGE_TOO_BIG: u16 = 1009;

/// What the client does after the server closed the socket with `code`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CloseVerdict {
    /// Reconnect with backoff.
    Reconnect,
    /// Stop; do not reconnect.
    Terminal,
    /// Refresh the token once, then reconnect.
    RefreshToken,
}

/// Classifies a WebSocket close code.
///
/// ```
/// use twin_panel::protocol::centrifuge::codes::{classify_close, CloseVerdict};
/// assert_eq!(classify_close(3012), CloseVerdict::Reconnect);
/// assert_eq!(classify_close(3503), CloseVerdict::Terminal);
/// assert_eq!(classify_close(1006), CloseVerdict::Reconnect);
/// ```
pub fn classify_close(code: u16) -> CloseVerdict {
    match code {
        CLOSE_INVALID_TOKEN => CloseVerdict::RefreshToken,
        CLOSE_MESSAGE_TOO_BIG => CloseVerdict::Terminal,
        3500..=3999 | 4500..=4999 => CloseVerdict::Terminal,
        _ => CloseVerdict::Reconnect,
    }
}

/// Classifies an error reply to the `connect` command.
pub fn classify_connect_error(code: u32, temporary: bool) -> CloseVerdict {
    match code {
        ERROR_UNAUTHORIZED | ERROR_TOKEN_EXPIRED => CloseVerdict::RefreshToken,
        _ if temporary || code < 100 => CloseVerdict::Reconnect,
        _ => CloseVerdict::Terminal,
    }
}

/// Platform events after which the operator must leave: the connection ends
/// and does not come back on its own.
pub const FORCED_LOGOUT_EVENTS: [&str; 3] =
    ["operatorBlocked", "chatUserExists", "operatorLoggedOut"];

/// True when `event` ends the operator's session.
pub fn is_forced_logout(event: &str) -> bool {
    FORCED_LOGOUT_EVENTS.contains(&event)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn close_code_ranges() {
        for code in [3000, 3001, 3012, 3499, 4000, 4499, 5000, 1000, 1001, 1006] {
            assert_eq!(classify_close(code), CloseVerdict::Reconnect, "{code}");
        }
        for code in [3501, 3503, 3999, 4500, 4503, 4999, 1009] {
            assert_eq!(classify_close(code), CloseVerdict::Terminal, "{code}");
        }
        assert_eq!(classify_close(3500), CloseVerdict::RefreshToken);
    }

    #[test]
    fn connect_error_codes() {
        assert_eq!(
            classify_connect_error(109, false),
            CloseVerdict::RefreshToken
        );
        assert_eq!(
            classify_connect_error(101, false),
            CloseVerdict::RefreshToken
        );
        assert_eq!(classify_connect_error(100, true), CloseVerdict::Reconnect);
        assert_eq!(classify_connect_error(111, true), CloseVerdict::Reconnect);
        assert_eq!(classify_connect_error(42, false), CloseVerdict::Reconnect);
        assert_eq!(classify_connect_error(103, false), CloseVerdict::Terminal);
        assert_eq!(classify_connect_error(110, false), CloseVerdict::Terminal);
    }

    #[test]
    fn forced_logout_events() {
        assert!(is_forced_logout("operatorBlocked"));
        assert!(is_forced_logout("chatUserExists"));
        assert!(is_forced_logout("operatorLoggedOut"));
        assert!(!is_forced_logout("chatMessageCreated"));
    }
}
