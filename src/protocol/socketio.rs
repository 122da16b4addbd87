//! A Socket.IO client over WebSocket only (Engine.IO v4 by default, v3 on
//! fallback or request) as a sans-IO state machine, for the chat widget.
//!
//! - [`codec`]: Engine.IO packets, the open handshake, Socket.IO packets, the URL.
//! - [`client`]: [`SocketIoClient`], the connection state machine.
//!
//! The lifecycle it shares with the Centrifuge client lives in
//! `protocol::connection`. Imports: std, serde and `protocol` only (no browser
//! APIs); the browser host imports the re-exports below.

pub mod client;
pub mod codec;

pub use client::{Action, ClientConfig, ClientEvent, EmitError, SocketId, SocketIoClient, State};
pub use codec::EioVersion;
