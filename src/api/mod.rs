//! The classes the npm package exports: `OperatorPanel`, `TwinError`.

mod delivery;
mod error;
mod js;
mod options;
mod panel;
mod types;

pub use panel::OperatorPanel;
