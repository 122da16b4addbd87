//! The only place that touches browser WebSockets, timers and clocks, the
//! browser's JSON engine ([`engine_json`]) and the package's own JavaScript
//! ([`glue`]). Knows nothing of TWIN or of
//! either protocol: it moves bytes, deadlines and parsed values. It may import
//! the protocol core's `JsonEngine` trait, nothing else of the crate.

pub mod clock;
pub mod driver;
pub mod engine_json;
pub mod glue;
pub mod http;
pub mod timer;
pub mod websocket;
