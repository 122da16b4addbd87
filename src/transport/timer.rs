//! One re-armable `setTimeout`, with its callback created once.
//!
//! `setTimeout` fires at once for a delay above 2^31 − 1 ms (about 24.8
//! days), so a long delay is waited out in steps of at most that: the timer
//! re-arms itself on each wake until the real deadline has passed. The same
//! makes pushing a deadline later cheap: a connection's watchdog moves on
//! every message, and only the due time changes, not the `setTimeout`.

use super::clock;
use js_sys::Function;
use std::cell::Cell;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_name = setTimeout)]
    fn set_timeout(callback: &Function, ms: f64) -> JsValue;
    #[wasm_bindgen(js_name = clearTimeout)]
    fn clear_timeout(handle: &JsValue);
}

/// The longest delay `setTimeout` honours.
pub const MAX_TIMEOUT_MS: u64 = (1 << 31) - 1;

/// The delay to hand `setTimeout` for a wait of `remaining_ms`.
pub fn step(remaining_ms: u64) -> u64 {
    remaining_ms.min(MAX_TIMEOUT_MS)
}

/// A pending arming: the `setTimeout` handle and the real deadline.
struct Pending {
    /// What `setTimeout` returned, kept as is: a number in browsers but an
    /// object in Node, and `clearTimeout` needs the very same value.
    handle: JsValue,
    /// Monotonic ms at which the callback is due.
    due: u64,
    /// Monotonic ms at which the `setTimeout` wakes (at or before `due`).
    wakes: u64,
}

/// A timer that fires `callback` once per [`arm`](Timer::arm).
pub struct Timer {
    callback: Rc<Closure<dyn FnMut()>>,
    pending: Rc<Cell<Option<Pending>>>,
}

impl Timer {
    /// A timer that runs `callback` when it fires.
    pub fn new(callback: impl FnMut() + 'static) -> Self {
        Self::with_boxed(Box::new(callback))
    }

    /// [`Timer::new`] with the callback boxed: one copy of the re-arming
    /// closure in the wasm instead of one per caller.
    fn with_boxed(mut callback: Box<dyn FnMut()>) -> Self {
        let pending: Rc<Cell<Option<Pending>>> = Rc::new(Cell::new(None));
        let slot = pending.clone();
        let callback = Rc::new_cyclic(|me: &std::rc::Weak<Closure<dyn FnMut()>>| {
            let me = me.clone();
            Closure::new(move || {
                let Some(Pending { due, .. }) = slot.take() else {
                    return;
                };
                let now = clock::monotonic_ms();
                if now < due {
                    // Woken before the deadline (the step limit, or a deadline
                    // pushed later): wait out the rest.
                    if let Some(me) = me.upgrade() {
                        let wait = step(due - now);
                        let handle = set_timeout((*me).as_ref().unchecked_ref(), wait as f64);
                        let wakes = now.saturating_add(wait);
                        slot.set(Some(Pending { handle, due, wakes }));
                    }
                    return;
                }
                callback();
            })
        });
        Timer { callback, pending }
    }

    /// Fires after `delay_ms` (any length), replacing any earlier arming.
    pub fn arm(&self, delay_ms: u64) {
        let now = clock::monotonic_ms();
        let due = now.saturating_add(delay_ms);
        if let Some(mut pending) = self.pending.take() {
            if pending.wakes <= due {
                // The pending wake comes first anyway: just move the deadline.
                pending.due = due;
                self.pending.set(Some(pending));
                return;
            }
            clear_timeout(&pending.handle);
        }
        let wait = step(delay_ms);
        let handle = set_timeout((*self.callback).as_ref().unchecked_ref(), wait as f64);
        let wakes = now.saturating_add(wait);
        self.pending.set(Some(Pending { handle, due, wakes }));
    }

    /// Stops a pending firing.
    pub fn cancel(&self) {
        if let Some(pending) = self.pending.take() {
            clear_timeout(&pending.handle);
        }
    }
}

impl Drop for Timer {
    fn drop(&mut self) {
        self.cancel();
    }
}

/// Resolves after `ms` milliseconds (a one-shot timer that frees itself).
pub async fn sleep(ms: u64) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        let fire = Closure::once_into_js(move || {
            let _ = resolve.call0(&JsValue::NULL);
        });
        // Callers sleep briefly; a longer wait is cut to what setTimeout honours.
        set_timeout(fire.unchecked_ref(), step(ms) as f64);
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}
