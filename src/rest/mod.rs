//! IAM authentication and the chats REST API.
//!
//! Pure: the endpoints, errors, the retry policy, token expiry, the
//! `request()` guard and single-flight, all run natively. The exchange over
//! the network is `transport::http`; the holder of the tokens is `auth`.
//! May import `protocol` and the helpers; nothing of the browser layers.

pub mod endpoints;
pub mod error;
pub mod jwt;
pub mod origin;
pub mod request_guard;
pub mod retry;
pub mod single_flight;
pub mod tokens;
