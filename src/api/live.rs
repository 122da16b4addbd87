//! What a live store shows React, Vue and Svelte: `subscribe` and
//! `getSnapshot` as plain functions that work unbound, one immutable
//! snapshot per version of the store, and one notification per batch of
//! changes (a microtask after the first change of a task).
//!
//! The store itself says what its version is and how its snapshot looks
//! ([`Snapshots`]); [`Live`] does the rest. `panel.inbox` and the
//! conversations use it.

use super::js::Emitter;
use js_sys::Promise;
use std::cell::{Cell, RefCell};
use std::rc::{Rc, Weak};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

/// A store a [`Live`] shows.
pub(crate) trait Snapshots {
    /// Grows with every change the snapshot shows.
    fn version(&self) -> u64;
    /// A fresh snapshot of the store as it is.
    fn build(&self) -> JsValue;
}

/// The subscribe/getSnapshot pair of one store, its snapshot cache and its
/// batched notification.
pub(crate) struct Live {
    /// `change` (the subscribe listeners) and the store's own events.
    pub(crate) emitter: Emitter,
    subscribe: JsValue,
    get_snapshot: JsValue,
    scheduled: Rc<Cell<bool>>,
    freed: Rc<Cell<bool>>,
    notify: Closure<dyn FnMut(JsValue)>,
}

impl Live {
    /// The pair for `store`. `getSnapshot` still answers after the store is
    /// gone, with its last snapshot.
    pub(crate) fn new(store: Weak<dyn Snapshots>) -> Live {
        let emitter = Emitter::new(&JsValue::UNDEFINED);
        let cache: Rc<RefCell<Option<(u64, JsValue)>>> = Rc::new(RefCell::new(None));
        let scheduled = Rc::new(Cell::new(false));
        let freed = Rc::new(Cell::new(false));
        // The registry is a JS object: each closure holds its own handle.
        let handle = || -> Emitter { JsValue::clone(&emitter).unchecked_into() };
        let (e, s, f) = (handle(), scheduled.clone(), freed.clone());
        let notify = Closure::new(move |_: JsValue| {
            s.set(false);
            if !f.get() {
                e.emit("change", &JsValue::UNDEFINED);
            }
        });
        // Plain closures, not methods: they work unbound, as React calls them.
        let (e, f) = (handle(), freed.clone());
        let subscribe = Closure::<dyn Fn(JsValue) -> Result<JsValue, JsValue>>::new(
            move |listener: JsValue| {
                if f.get() {
                    Ok(Closure::<dyn Fn()>::new(|| {}).into_js_value())
                } else {
                    e.on(&"change".into(), &listener)
                }
            },
        )
        .into_js_value();
        let last = cache;
        let get_snapshot = Closure::<dyn Fn() -> JsValue>::new(move || match store.upgrade() {
            Some(store) => snapshot(&*store, &last),
            None => last
                .borrow()
                .as_ref()
                .map_or(JsValue::NULL, |(_, s)| s.clone()),
        })
        .into_js_value();
        Live {
            emitter,
            subscribe,
            get_snapshot,
            scheduled,
            freed,
            notify,
        }
    }

    /// `subscribe(listener) -> unsubscribe`, the same function every time.
    pub(crate) fn subscribe(&self) -> JsValue {
        self.subscribe.clone()
    }

    /// `getSnapshot()`, the same function every time.
    pub(crate) fn get_snapshot(&self) -> JsValue {
        self.get_snapshot.clone()
    }

    /// The store changed: its listeners hear of it once, in a microtask.
    pub(crate) fn changed(&self) {
        if !self.freed.get() && !self.scheduled.replace(true) {
            let _ = Promise::resolve(&JsValue::UNDEFINED).then(&self.notify);
        }
    }

    /// No more notifications and no more listeners.
    pub(crate) fn free(&self) {
        self.freed.set(true);
        self.emitter.clear();
    }

    /// [`Live::free`] ran.
    pub(crate) fn is_freed(&self) -> bool {
        self.freed.get()
    }
}

/// The snapshot of `store` now: the one in `cache` until its version moves.
fn snapshot(store: &dyn Snapshots, cache: &RefCell<Option<(u64, JsValue)>>) -> JsValue {
    let version = store.version();
    if let Some((seen, snapshot)) = cache.borrow().as_ref() {
        if *seen == version {
            return snapshot.clone();
        }
    }
    let snapshot = store.build();
    *cache.borrow_mut() = Some((version, snapshot.clone()));
    snapshot
}
