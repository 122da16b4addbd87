//! twin-panel: the TWIN chat operator panel and chat widget for any CRM page.
//!
//! The module map (dependencies point down the list, never up):
//!
//! - `api` (wasm32): the `#[wasm_bindgen]` classes the npm package exports,
//!   thin shells over one generic host that drives any sans-IO client.
//! - `transport` (wasm32): the only browser I/O: WebSocket, timers, clock, and
//!   `EngineJson` (the browser's `JSON.parse` as the core's JSON engine).
//! - [`inbox`]: the operator's live session store behind `panel.inbox`: a
//!   pure reducer over the platform's events, natively tested.
//! - [`conversation`]: one session's messages behind `panel.conversation(id)`
//!   and `widget.conversation`: a pure reducer shared by both sides.
//! - [`sharing`]: one connection and one token refresh for all the tabs of
//!   an operator: the messages between tabs, the exactly-once gate, the
//!   member table and heartbeat watch, which token pair wins (pure, natively
//!   tested; the browser side is `api/panel/sharing.rs`).
//! - [`rest`]: the session with the platform (tokens, refresh, authenticated
//!   calls; wasm32) over pure parts: endpoints, errors, the retry policy,
//!   token expiry, the `request()` guard.
//! - [`protocol`]: pure, sans-IO: the Centrifuge and Socket.IO codecs and state
//!   machines, the connection lifecycle they share, tested natively. Never
//!   imports a browser API or anything above it.
//! - [`error_code`], [`events`], [`percent`], [`text`]: small pure helpers
//!   any layer may use.

pub mod conversation;
pub mod error_code;
pub mod events;
pub mod inbox;
pub mod percent;
pub mod protocol;
pub mod rest;
pub mod sharing;
pub mod text;

#[cfg(target_arch = "wasm32")]
pub mod api;
#[cfg(target_arch = "wasm32")]
pub mod transport;

/// The wasm's allocator (the module is single-threaded).
#[cfg(target_arch = "wasm32")]
#[global_allocator]
// SAFETY: `new_global` is meant for exactly one global allocator in a
// single-threaded wasm module, which this is.
static ALLOCATOR: talc::TalckWasm = unsafe { talc::TalckWasm::new_global() };
