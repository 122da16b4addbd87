//! The Centrifuge client protocol v2 (JSON over WebSocket) as a sans-IO state machine.
//!
//! - [`codec`]: frames to replies and commands to frames.
//! - [`scan`]: the fast path: a frame the host's scanner read, as records.
//! - [`batch`]: [`Publications`], the runs of publications the client delivers.
//! - [`codes`]: what a close code or an error code means for the client.
//! - [`positions`]: stream positions of server-side subscriptions, for recovery.
//! - [`client`]: [`CentrifugeClient`], the connection state machine.
//!
//! The lifecycle it shares with the Socket.IO client lives in
//! `protocol::connection`. Imports: std, serde and `protocol` only (no browser
//! APIs); the browser host imports the re-exports below and [`codes`].

pub mod batch;
pub mod client;
pub mod codec;
pub mod codes;
pub mod positions;
pub mod scan;

pub use batch::{Item, Publications};

pub use client::{
    Action, CentrifugeClient, ClientConfig, ClientEvent, SocketId, State, TokenRequest,
};
