//! twin-panel: the TWIN chat operator panel and chat widget for any CRM page.
//!
//! The module map. Each layer imports only from the layers below it (a test,
//! `tests/module_map.rs`, reads every `use` and fails on one that points up):
//!
//! - `api` (wasm32): the `#[wasm_bindgen]` classes the npm package exports
//!   (`OperatorPanel`, `Inbox`, `ChatWidget`), each over the host that
//!   drives its sans-IO client, and the browser drivers of the pure stores.
//! - `auth` (wasm32): the operator's authentication: the one holder of the
//!   token pair, login, single-flight refresh, every authenticated call.
//! - `transport` (wasm32): all browser I/O: the WebSocket, `fetch` (through
//!   gloo-net), timers and the clock, the package's own JavaScript (the
//!   listener registry, the tabs' BroadcastChannel and Web Lock), and
//!   `EngineJson` (the browser's `JSON.parse` as the core's JSON engine).
//! - [`conversation`]: pure: one session's messages behind
//!   `panel.conversation(id)` and `widget.conversation`, shared by both
//!   sides (it reads payloads and times with the inbox's helpers).
//! - [`inbox`], [`sharing`]: pure state machines, natively tested: the
//!   operator's live session store behind `panel.inbox`, and one connection
//!   and one token refresh for all the tabs of an operator (`sharing::Tab`).
//! - [`rest`]: pure: the chats API's endpoints, errors and retry policy,
//!   token expiry, the `request()` guard.
//! - [`protocol`]: pure, sans-IO: the Centrifuge and Socket.IO codecs and
//!   state machines, the connection lifecycle they share.
//! - [`error_code`], [`events`], [`percent`], [`text`]: small pure helpers;
//!   [`size_classes`]: the wasm's allocator (its bookkeeping is pure).
//!
//! Pure modules never touch a browser API: everything below `transport` runs
//! natively under `cargo test`.

#[cfg(target_arch = "wasm32")]
pub mod auth;
pub mod conversation;
pub mod error_code;
pub mod events;
pub mod inbox;
pub mod percent;
pub mod protocol;
pub mod rest;
pub mod sharing;
pub mod size_classes;
pub mod text;

#[cfg(target_arch = "wasm32")]
pub mod api;
#[cfg(target_arch = "wasm32")]
pub mod transport;

/// The wasm's allocator (see [`size_classes`]).
#[cfg(target_arch = "wasm32")]
#[global_allocator]
static ALLOCATOR: size_classes::Allocator = size_classes::Allocator::new();
