//! The classes the npm package exports: `OperatorPanel`, `ChatWidget`, `TwinError`.

mod codes;
mod delivery;
pub(crate) use crate::transport::engine_json;
mod error;
mod host;
mod js;
mod options;
mod panel;
mod types;
mod widget;

pub use codes::{ConnectingCode, DisconnectCode};
pub use panel::OperatorPanel;
pub use widget::ChatWidget;
