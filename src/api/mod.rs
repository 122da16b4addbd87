//! The classes the npm package exports: `OperatorPanel`, `ChatWidget`, `TwinError`.

mod delivery;
pub(crate) use crate::transport::engine_json;
mod error;
mod inbox;
mod js;
mod options;
mod panel;
mod types;
mod widget;

pub use inbox::Inbox;
pub use panel::OperatorPanel;
pub use widget::ChatWidget;
