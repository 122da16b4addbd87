//! The only place that touches browser WebSockets, timers and clocks.

pub mod clock;
pub mod driver;
pub mod engine_json;
pub mod timer;
pub mod websocket;
