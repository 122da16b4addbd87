//! The widget's acknowledgement table: the promises of `markRead()` and
//! `close()` waiting for the server's answer to their emit.
//!
//! Every entry has a deadline; one timer, armed for the earliest, rejects the
//! late ones with a `TwinError` (`timeout`), and an answered ack leaves the
//! table (and so the timer's schedule) at once. The table holds at most
//! `limit` entries; past that a call is refused before anything is emitted.

use super::super::error::to_js;
use crate::rest::error::{ErrorCode, ErrorInfo};
use crate::text::decimal;
use crate::transport::clock;
use crate::transport::timer::Timer;
use js_sys::Function;
use std::cell::RefCell;
use wasm_bindgen::prelude::*;

/// One emit waiting for its ack.
struct PendingAck {
    /// The id the Socket.IO client gave the emit.
    id: u64,
    /// The emitted event, for the timeout message.
    event: &'static str,
    /// Monotonic ms after which the wait ends in `timeout`.
    deadline: u64,
    resolve: Function,
    reject: Function,
}

/// Promises waiting for acks, bounded in number and in time.
pub struct AckTable {
    pending: RefCell<Vec<PendingAck>>,
    timer: Timer,
    limit: usize,
    timeout_ms: u64,
}

impl AckTable {
    /// A table of at most `limit` waits of `timeout_ms` each; `on_deadline`
    /// runs when the earliest deadline passes (it should call [`expire`](Self::expire)).
    pub fn new(limit: usize, timeout_ms: u64, on_deadline: impl FnMut() + 'static) -> Self {
        AckTable {
            pending: RefCell::new(Vec::new()),
            timer: Timer::new(on_deadline),
            limit,
            timeout_ms,
        }
    }

    /// `Ok` when one more wait fits, else the `TwinError` (`tooManyWaiters`)
    /// to reject the call with.
    pub fn check_room(&self) -> Result<(), JsValue> {
        if self.pending.borrow().len() < self.limit {
            return Ok(());
        }
        Err(to_js(&ErrorInfo::local(
            ErrorCode::TooManyWaiters,
            crate::text::concat(&[
                &decimal(self.limit as u64),
                " calls already wait for the chat server's answer; try again once they settle",
            ]),
            true,
        )))
    }

    /// Waits for ack `id` of `event`, until the table's timeout from now.
    pub fn add(&self, id: u64, event: &'static str, resolve: Function, reject: Function) {
        let mut pending = self.pending.borrow_mut();
        pending.push(PendingAck {
            id,
            event,
            deadline: clock::monotonic_ms().saturating_add(self.timeout_ms),
            resolve,
            reject,
        });
        self.rearm(&pending);
    }

    /// The promise functions waiting for ack `id`, removed from the table.
    pub fn take(&self, id: u64) -> Option<(Function, Function)> {
        let mut pending = self.pending.borrow_mut();
        let index = pending.iter().position(|ack| ack.id == id)?;
        let ack = pending.remove(index);
        self.rearm(&pending);
        Some((ack.resolve, ack.reject))
    }

    /// Rejects every wait past its deadline with a `TwinError` (`timeout`).
    pub fn expire(&self) {
        let now = clock::monotonic_ms();
        let late: Vec<PendingAck> = {
            let mut pending = self.pending.borrow_mut();
            let (late, waiting) = pending.drain(..).partition(|ack| ack.deadline <= now);
            *pending = waiting;
            self.rearm(&pending);
            late
        };
        for ack in late {
            let error = to_js(&ErrorInfo::local(
                ErrorCode::Timeout,
                crate::text::concat(&[
                    "the chat server did not acknowledge ",
                    ack.event,
                    " within ",
                    &decimal(self.timeout_ms),
                    " ms",
                ]),
                true,
            ));
            let _ = ack.reject.call1(&JsValue::NULL, &error);
        }
    }

    /// Rejects every wait with `error` and stops the timer.
    pub fn reject_all(&self, error: &JsValue) {
        let all = self.pending.take();
        self.timer.cancel();
        for ack in all {
            let _ = ack.reject.call1(&JsValue::NULL, error);
        }
    }

    /// Arms the timer for the earliest deadline, or stops it when none waits.
    fn rearm(&self, pending: &[PendingAck]) {
        match pending.iter().map(|ack| ack.deadline).min() {
            Some(deadline) => self
                .timer
                .arm(deadline.saturating_sub(clock::monotonic_ms())),
            None => self.timer.cancel(),
        }
    }
}
