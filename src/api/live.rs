//! What a live store shows React, Vue and Svelte: `subscribe` and
//! `getSnapshot` as plain functions that work unbound, one immutable
//! snapshot per version of the store, and one notification per batch of
//! changes (a microtask after the first change of a task).
//!
//! The store itself says what its version is and how its snapshot looks
//! ([`Snapshots`]); [`Live`] keeps one snapshot per version, and the JS
//! `Live` of `js/glue.js` does the rest (the listeners, the batching), so
//! the wasm holds one closure per store. `panel.inbox` and the
//! conversations use it.

use crate::transport::glue::JsLive;
use std::cell::{Cell, RefCell};
use std::rc::Weak;
use wasm_bindgen::prelude::*;

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
    /// The JS side: `change` (the subscribe listeners) and the store's own
    /// events go through it, as through an `Emitter`.
    pub(crate) emitter: JsLive,
    freed: Cell<bool>,
}

impl Live {
    /// The pair for `store`. `getSnapshot` still answers after the store is
    /// gone, with its last snapshot.
    pub(crate) fn new(store: Weak<dyn Snapshots>) -> Live {
        let cache: RefCell<Option<(u64, JsValue)>> = RefCell::new(None);
        // A plain closure, not a method: it works unbound, as React calls it.
        let get_snapshot = Closure::<dyn Fn() -> JsValue>::new(move || match store.upgrade() {
            Some(store) => snapshot(&*store, &cache),
            None => cache
                .borrow()
                .as_ref()
                .map_or(JsValue::NULL, |(_, s)| s.clone()),
        })
        .into_js_value();
        Live {
            emitter: JsLive::new(&get_snapshot),
            freed: Cell::new(false),
        }
    }

    /// `subscribe(listener) -> unsubscribe`, the same function every time
    /// (`panel.inbox`'s getter; a conversation's reads it in JS).
    #[cfg(feature = "panel")]
    pub(crate) fn subscribe(&self) -> JsValue {
        self.emitter.subscribe()
    }

    /// `getSnapshot()`, the same function every time (`panel.inbox`'s).
    #[cfg(feature = "panel")]
    pub(crate) fn get_snapshot(&self) -> JsValue {
        self.emitter.get_snapshot()
    }

    /// The store changed: its listeners hear of it once, in a microtask.
    pub(crate) fn changed(&self) {
        if !self.freed.get() {
            self.emitter.changed();
        }
    }

    /// No more notifications and no more listeners.
    pub(crate) fn free(&self) {
        self.freed.set(true);
        self.emitter.end();
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
