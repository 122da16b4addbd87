//! IAM authentication and the chats REST API.
//!
//! The pure parts (token decoding, error classification, refresh timing,
//! single-flight) run natively; `http` and `auth` talk to the browser's `fetch`.

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
