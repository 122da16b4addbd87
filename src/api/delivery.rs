//! Events wait in a queue while Rust state is borrowed and are handed to JS
//! afterwards, so a listener may call back into the object that emitted them.

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;

/// A re-entrancy-safe event queue.
pub struct Delivery<E> {
    queue: RefCell<VecDeque<E>>,
    busy: Cell<bool>,
}

impl<E> Default for Delivery<E> {
    fn default() -> Self {
        Delivery {
            queue: RefCell::new(VecDeque::new()),
            busy: Cell::new(false),
        }
    }
}

impl<E> Delivery<E> {
    /// Queues `event`.
    pub fn push(&self, event: E) {
        self.queue.borrow_mut().push_back(event);
    }

    /// Hands every queued event to `deliver`, in order. A call made while a
    /// delivery runs (from inside a listener) returns at once: the running one
    /// also delivers what was queued meanwhile.
    pub fn run(&self, mut deliver: impl FnMut(E)) {
        if self.busy.replace(true) {
            return;
        }
        loop {
            let next = self.queue.borrow_mut().pop_front();
            match next {
                Some(event) => deliver(event),
                None => break,
            }
        }
        self.busy.set(false);
    }
}
