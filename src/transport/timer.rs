//! One re-armable `setTimeout`, with its callback created once.

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

/// A timer that fires `callback` once per [`arm`](Timer::arm).
pub struct Timer {
    callback: Closure<dyn FnMut()>,
    /// What `setTimeout` returned, kept as is: a number in browsers but an
    /// object in Node, and `clearTimeout` needs the very same value.
    handle: Rc<Cell<Option<JsValue>>>,
}

impl Timer {
    /// A timer that runs `callback` when it fires.
    pub fn new(mut callback: impl FnMut() + 'static) -> Self {
        let handle = Rc::new(Cell::new(None));
        let pending = handle.clone();
        Timer {
            callback: Closure::new(move || {
                pending.set(None);
                callback();
            }),
            handle,
        }
    }

    /// Fires after `delay_ms`, replacing any earlier arming.
    pub fn arm(&self, delay_ms: u64) {
        self.cancel();
        let handle = set_timeout(self.callback.as_ref().unchecked_ref(), delay_ms as f64);
        self.handle.set(Some(handle));
    }

    /// Stops a pending firing.
    pub fn cancel(&self) {
        if let Some(handle) = self.handle.take() {
            clear_timeout(&handle);
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
        set_timeout(fire.unchecked_ref(), ms as f64);
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}
