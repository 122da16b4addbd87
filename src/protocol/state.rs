//! The connection state both clients share, as the JS `state` property spells it.
//!
//! Kept by `connection`, re-exported by both clients. Imports nothing.

/// Connection state of a client.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    /// Not connected and not trying.
    Disconnected,
    /// Opening a socket, waiting for the handshake, or waiting to retry.
    Connecting,
    /// Connected; events flow.
    Connected,
}

impl State {
    /// `"disconnected"`, `"connecting"` or `"connected"`.
    ///
    /// ```
    /// use twin_panel::protocol::State;
    /// assert_eq!(State::Connecting.as_str(), "connecting");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            State::Disconnected => "disconnected",
            State::Connecting => "connecting",
            State::Connected => "connected",
        }
    }
}
