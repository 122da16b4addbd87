//! IAM authentication and the chats REST API.
//!
//! The pure parts (token decoding, error classification, refresh timing) run
//! natively; `http` and `auth` talk to the browser's `fetch`.

pub mod error;
pub mod jwt;
pub mod tokens;

#[cfg(target_arch = "wasm32")]
pub mod http;
