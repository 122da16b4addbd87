//! twin-panel: the TWIN chat operator panel and chat widget for any CRM page.
//!
//! - [`protocol`]: pure state machines and codecs (no browser APIs), tested natively.
//! - [`inbox`]: the operator's live session store (pure), behind `panel.inbox`.
//! - [`rest`]: IAM auth and the chats REST API; token logic is pure, HTTP is browser glue.
//! - `transport`: the browser WebSocket and timers (wasm32 only).
//! - `api`: the `#[wasm_bindgen]` classes the npm package exports (wasm32 only).

pub mod inbox;
pub mod protocol;
pub mod rest;

#[cfg(target_arch = "wasm32")]
pub mod api;
#[cfg(target_arch = "wasm32")]
pub mod transport;
