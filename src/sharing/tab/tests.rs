//! The tab's decisions on a simulated clock, in a simulated browser of tabs
//! ([`sim`]): each test names the decision it checks, and fails when that
//! decision is broken. Native only (serde_json stands in for the browser).
#![cfg(not(target_arch = "wasm32"))]

mod group;
mod leadership;
mod listeners;
mod refresh;
mod sim;
