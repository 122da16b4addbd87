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

/// Declares an exported code enum. wasm-bindgen wants integer literals as
/// discriminants, so each value is written out; a variant that stands for one
/// of the core's codes names it after `=>`, and a compile-time assert keeps
/// the two equal (a change in the core must show up here).
///
/// The docs are `#[doc = "..."]` strings, not `///` comments: a doc comment
/// passed through `macro_rules!` arrives as a raw string (`r"..."`), which
/// wasm-bindgen copies into the `.d.ts` prefix and all.
macro_rules! code_enum {
    (
        $(#[doc = $doc:tt])*
        pub enum $name:ident {
            $(
                $(#[doc = $variant_doc:tt])*
                $variant:ident = $value:tt $(=> $core:path)?,
            )*
        }
    ) => {
        $(#[doc = $doc])*
        #[wasm_bindgen]
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum $name {
            $(
                $(#[doc = $variant_doc])*
                $variant = $value,
            )*
        }

        const _: () = {
            $($(assert!($name::$variant as u16 == $core);)?)*
        };
    };
}

code_enum! {
    #[doc = " `code` of the panel's `disconnected` event, when the client ended the"]
    #[doc = " connection itself (the server's codes are 100 and above)."]
    pub enum DisconnectCode {
        #[doc = " `disconnect()` or `logout()` was called, or `useTokens()` brought"]
        #[doc = " another operator's pair (reason `the operator changed`)."]
        DisconnectCalled = 0 => disconnected::DISCONNECT_CALLED,
        #[doc = " The token was refused and could not be renewed: log in again."]
        Unauthorized = 1 => disconnected::UNAUTHORIZED,
        #[doc = " The platform ended the operator's session (`operatorBlocked`,"]
        #[doc = " `chatUserExists`, `operatorLoggedOut`); `reason` names the event."]
        ForcedLogout = 4 => disconnected::FORCED_LOGOUT,
        #[doc = " `ChatWidget` only: the server ended the socket (a Socket.IO disconnect,"]
        #[doc = " e.g. the session was closed or reset on the server)."]
        ServerDisconnect = 5,
        #[doc = " `ChatWidget` only: the server refused the connect (e.g. `Session is"]
        #[doc = " closed.`); the `error` event before it carries the server's message."]
        ConnectRefused = 6,
    }
}

code_enum! {
    #[doc = " `code` of the panel's `connecting` event (and of a `disconnected` with"]
    #[doc = " `reconnect: true` that the client caused)."]
    pub enum ConnectingCode {
        #[doc = " `connect()` was called."]
        ConnectCalled = 0 => connecting::CONNECT_CALLED,
        #[doc = " The socket closed without a terminal code."]
        TransportClosed = 1 => connecting::TRANSPORT_CLOSED,
        #[doc = " No message from the server within its ping interval plus `pingTimeout`."]
        NoPing = 2 => connecting::NO_PING,
        #[doc = " The socket did not open, or the connect reply did not come, in time."]
        ConnectTimeout = 4 => connecting::CONNECT_TIMEOUT,
        #[doc = " The server sent a frame that could not be read."]
        BadFrame = 5 => connecting::BAD_FRAME,
        #[doc = " The browser went offline."]
        Offline = 6 => connecting::OFFLINE,
        #[doc = " A publication offset skipped ahead: reconnecting recovers the gap."]
        Gap = 7 => connecting::GAP,
        #[doc = " The token was refused; a fresh one is being fetched."]
        TokenRefresh = 8 => connecting::TOKEN_REFRESH,
    }
}
