//! The client's own event codes, exported to JS as named constants, so an app
//! compares `code === DisconnectCode.DisconnectCalled` instead of `code === 0`.
//! The values are the protocol core's (`protocol::centrifuge::codes`); codes of
//! 100 and above in the same events are the server's close or error codes.
//! `ChatWidget` events use the same constants (Socket.IO has no numeric
//! codes: the widget maps its reasons onto them, see `api/widget.rs`), plus two
//! of its own, [`DisconnectCode::ServerDisconnect`] and
//! [`DisconnectCode::ConnectRefused`].

use crate::protocol::centrifuge::codes::{connecting, disconnected};
use wasm_bindgen::prelude::*;

/// `code` of the panel's `disconnected` event, when the client ended the
/// connection itself (the server's codes are 100 and above).
#[wasm_bindgen]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DisconnectCode {
    /// `disconnect()` or `logout()` was called.
    DisconnectCalled = 0,
    /// The token was refused and could not be renewed: log in again.
    Unauthorized = 1,
    /// The platform ended the operator's session (`operatorBlocked`,
    /// `chatUserExists`, `operatorLoggedOut`); `reason` names the event.
    ForcedLogout = 4,
    /// `ChatWidget` only: the server ended the socket (a Socket.IO disconnect,
    /// e.g. the session was closed or reset on the server).
    ServerDisconnect = 5,
    /// `ChatWidget` only: the server refused the connect (e.g. `Session is
    /// closed.`); the `error` event before it carries the server's message.
    ConnectRefused = 6,
}

/// `code` of the panel's `connecting` event (and of a `disconnected` with
/// `reconnect: true` that the client caused).
#[wasm_bindgen]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConnectingCode {
    /// `connect()` was called.
    ConnectCalled = 0,
    /// The socket closed without a terminal code.
    TransportClosed = 1,
    /// No message from the server within its ping interval plus `pingTimeout`.
    NoPing = 2,
    /// The socket did not open, or the connect reply did not come, in time.
    ConnectTimeout = 4,
    /// The server sent a frame that could not be read.
    BadFrame = 5,
    /// The browser went offline.
    Offline = 6,
    /// A publication offset skipped ahead: reconnecting recovers the gap.
    Gap = 7,
    /// The token was refused; a fresh one is being fetched.
    TokenRefresh = 8,
}

// The exported values are the core's: a change there must show up here.
// (`ServerDisconnect` and `ConnectRefused` are the widget's alone.)
const _: () = {
    assert!(DisconnectCode::DisconnectCalled as u16 == disconnected::DISCONNECT_CALLED);
    assert!(DisconnectCode::Unauthorized as u16 == disconnected::UNAUTHORIZED);
    assert!(DisconnectCode::ForcedLogout as u16 == disconnected::FORCED_LOGOUT);
    assert!(ConnectingCode::ConnectCalled as u16 == connecting::CONNECT_CALLED);
    assert!(ConnectingCode::TransportClosed as u16 == connecting::TRANSPORT_CLOSED);
    assert!(ConnectingCode::NoPing as u16 == connecting::NO_PING);
    assert!(ConnectingCode::ConnectTimeout as u16 == connecting::CONNECT_TIMEOUT);
    assert!(ConnectingCode::BadFrame as u16 == connecting::BAD_FRAME);
    assert!(ConnectingCode::Offline as u16 == connecting::OFFLINE);
    assert!(ConnectingCode::Gap as u16 == connecting::GAP);
    assert!(ConnectingCode::TokenRefresh as u16 == connecting::TOKEN_REFRESH);
};
