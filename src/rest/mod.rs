//! IAM authentication and the chats REST API.
//!
//! The pure parts (endpoints, errors, the retry policy, token expiry, the
//! `request()` guard, single-flight) run natively; `http` (one exchange over
//! gloo-net) and `session` (the only holder of the tokens) are wasm32 only.
//! May import `protocol`'s JSON engine and `transport`'s timers; never `api`.

pub mod endpoints;
pub mod error;
pub mod jwt;
pub mod origin;
pub mod request_guard;
pub mod retry;
pub mod single_flight;
pub mod tokens;

#[cfg(target_arch = "wasm32")]
pub mod http;
#[cfg(target_arch = "wasm32")]
pub mod session;
