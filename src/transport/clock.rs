//! Time sources: a monotonic clock for deadlines, the wall clock for token expiry.

use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = performance, js_name = now)]
    fn performance_now() -> f64;
}

/// Milliseconds on a monotonic clock (`performance.now()`), for deadlines.
pub fn monotonic_ms() -> u64 {
    performance_now().max(0.0) as u64
}

/// Unix time in milliseconds (`Date.now()`), for token expiry.
pub fn wall_ms() -> u64 {
    js_sys::Date::now().max(0.0) as u64
}

/// A seed for the backoff jitter.
pub fn random_seed() -> u64 {
    (js_sys::Math::random() * 9_007_199_254_740_991.0) as u64
}
