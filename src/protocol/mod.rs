//! The protocol core: pure Rust, no browser APIs.
//!
//! Frames and "now" go in; frames to send, events to emit and the next
//! deadline come out. JSON is parsed and written by a [`JsonEngine`] the host
//! lends (the browser's own parser in the package, serde_json in the native
//! tests). Everything here runs natively under `cargo test`.
//!
//! - [`centrifuge`] and [`socketio`]: the two clients, each a codec and a state machine.
//! - `connection`: the lifecycle both clients share (crate-private).
//! - [`backoff`], [`state`], [`json_engine`]: the small pieces they have in common.
//!
//! Imports: std, serde and this module only. Nothing here may import `js_sys`,
//! `web_sys` or `wasm_bindgen`, nor anything from `rest`, `api` or `transport`:
//! those import from here, never the other way round.

pub mod backoff;
pub mod centrifuge;
pub(crate) mod connection;
pub mod json_engine;
pub mod sans_io;
pub mod socketio;
pub mod state;

pub use json_engine::{JsonEngine, JsonError};
pub use sans_io::{Action, SansIoClient};
pub use state::State;

#[cfg(all(test, not(target_arch = "wasm32")))]
pub(crate) mod test_json;
