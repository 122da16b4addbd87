//! The protocol core: pure Rust, no browser APIs.
//!
//! Bytes and "now" go in; frames to send, events to emit and the next deadline
//! come out. Everything here runs natively under `cargo test`.

pub mod backoff;
pub mod centrifuge;
pub mod json;
pub mod socketio;
pub mod state;

pub use state::State;
