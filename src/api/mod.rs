//! The classes the npm package exports: `OperatorPanel`, `ChatWidget`,
//! `TwinError`, the code constants, and the hand-written TypeScript types.
//!
//! Each class is a thin shell: [`host`] drives its sans-IO client, the class
//! only turns client events into JS events and JS calls into client calls.
//! Nothing else in the crate may import from here.

mod class;
mod codes;
#[cfg(any(feature = "panel", feature = "widget"))]
mod conversation;
mod delivery;
mod error;
mod host;
#[cfg(feature = "panel")]
mod inbox;
mod js;
#[cfg(any(feature = "panel", feature = "widget"))]
mod live;
mod options;
#[cfg(feature = "panel")]
mod panel;
mod types;
#[cfg(feature = "widget")]
mod widget;

pub use codes::{ConnectingCode, DisconnectCode};
#[cfg(feature = "panel")]
pub use inbox::Inbox;
#[cfg(feature = "panel")]
pub use panel::OperatorPanel;
#[cfg(feature = "widget")]
pub use widget::ChatWidget;
