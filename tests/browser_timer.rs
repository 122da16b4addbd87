//! The transport's timer with Node-style `setTimeout` handles.
//!
//! Browsers return a number from `setTimeout`, Node returns an object, and
//! `clearTimeout` needs the very value it was given. These tests make the
//! browser hand out objects, as Node does, and check that cancelling and
//! dropping a timer really clears it.

#![cfg(target_arch = "wasm32")]

use std::cell::Cell;
use std::rc::Rc;
use twin_panel::transport::timer::Timer;
use wasm_bindgen::prelude::*;
use wasm_bindgen_test::*;

mod support;
use support::sleep;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen(inline_js = r#"
let realSet, realClear;
const pending = new Set();
// setTimeout returns an object (like Node's Timeout); clearTimeout takes only that object.
export function use_object_timer_handles() {
  realSet = globalThis.setTimeout;
  realClear = globalThis.clearTimeout;
  globalThis.setTimeout = (callback, ms) => {
    const handle = {};
    handle.id = realSet(() => { pending.delete(handle); callback(); }, ms);
    pending.add(handle);
    return handle;
  };
  globalThis.clearTimeout = (handle) => {
    if (pending.delete(handle)) realClear(handle.id);
  };
}
export function restore_timer_handles() {
  globalThis.setTimeout = realSet;
  globalThis.clearTimeout = realClear;
}
export function pending_timers() { return pending.size; }
"#)]
extern "C" {
    fn use_object_timer_handles();
    fn restore_timer_handles();
    fn pending_timers() -> u32;
}

fn counting_timer() -> (Timer, Rc<Cell<u32>>) {
    let fired = Rc::new(Cell::new(0));
    let count = fired.clone();
    (Timer::new(move || count.set(count.get() + 1)), fired)
}

#[wasm_bindgen_test]
async fn a_cancelled_timer_with_an_object_handle_never_fires() {
    let (timer, fired) = counting_timer();
    use_object_timer_handles();
    timer.arm(50);
    timer.arm(60);
    timer.cancel();
    let left = pending_timers();
    restore_timer_handles();
    assert_eq!(left, 0, "re-arming and cancel() cleared both timeouts");
    sleep(200).await;
    assert_eq!(fired.get(), 0);
}

#[wasm_bindgen_test]
async fn a_dropped_timer_with_an_object_handle_is_cleared() {
    let (timer, fired) = counting_timer();
    use_object_timer_handles();
    timer.arm(50);
    drop(timer);
    let left = pending_timers();
    restore_timer_handles();
    assert_eq!(left, 0, "dropping the timer cleared its timeout");
    sleep(200).await;
    assert_eq!(fired.get(), 0);
}

#[wasm_bindgen_test]
async fn an_armed_timer_with_an_object_handle_fires_once() {
    let (timer, fired) = counting_timer();
    use_object_timer_handles();
    timer.arm(20);
    restore_timer_handles();
    sleep(200).await;
    assert_eq!(fired.get(), 1);
    assert_eq!(pending_timers(), 0);
    timer.cancel();
}
