//! The store's calls: each goes through one future ([`ConversationStore::run`]),
//! which hands every answer to [`ConversationStore::answered`] with what it
//! was for ([`Then`]); a load is two calls (the count, then the page).

use super::store::ConversationStore;
use crate::api::error::usage;
use crate::api::js;
use crate::conversation::{LoadKind, DEFAULT_LIMIT};
use crate::transport::engine_json::JsJson;
#[cfg(feature = "panel")]
use crate::{
    api::error::to_js,
    conversation::{LoadStep, Side, LOAD_SORT},
    rest::error::{ErrorCode, ErrorInfo},
    transport::clock,
};
use js_sys::Promise;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::{future_to_promise, JsFuture};

impl ConversationStore {
    /// Makes `call` and hands its answer to [`ConversationStore::answered`]
    /// with `then`, until that is done. Every call of the store goes through
    /// this one future: the wasm holds one copy of its machinery instead of
    /// one per operation.
    pub(super) fn run(self: &Rc<Self>, call: Promise, then: Then) -> Promise {
        let store = self.clone();
        future_to_promise(async move {
            let (mut call, mut then) = (call, then);
            loop {
                let answer = JsFuture::from(call).await;
                match store.answered(then, answer) {
                    After::Done(outcome) => return outcome,
                    After::Next(next, more) => (call, then) = (next, more),
                }
            }
        })
    }

    /// What the answer of a call means for the store.
    fn answered(&self, then: Then, answer: Result<JsValue, JsValue>) -> After {
        let after = match then {
            Then::Sent(local) => {
                let mut core = self.core.borrow_mut();
                match &answer {
                    Ok(sent) => core.sent(&local, JsJson(sent.clone())),
                    Err(error) => core.send_failed(&local, JsJson(error.clone())),
                }
                After::Done(answer)
            }
            Then::MarkedRead(ids) => {
                if answer.is_err() {
                    self.core.borrow_mut().mark_read_failed(&ids);
                }
                After::Done(answer.map(|_| JsValue::UNDEFINED))
            }
            #[cfg(feature = "panel")]
            Then::Edited(id, patch) => {
                if let Ok(updated) = &answer {
                    self.edited(&id, updated, &patch);
                }
                After::Done(answer)
            }
            #[cfg(feature = "panel")]
            Then::Removed(id) => {
                if answer.is_ok() {
                    self.core.borrow_mut().removed(&id);
                }
                After::Done(answer.map(|_| JsValue::UNDEFINED))
            }
            #[cfg(feature = "panel")]
            Then::Load(load) => self.loaded(load, answer),
        };
        self.settle();
        after
    }

    // ---- loading ----

    /// The promise of a load of `kind`: `load()`'s resolves to nothing,
    /// `loadOlder()`'s to whether the page added messages; at once when
    /// there is nothing to load (no older messages; the visitor's side,
    /// which has no history endpoint).
    pub(super) fn load(
        self: &Rc<Self>,
        kind: LoadKind,
        options: &JsValue,
    ) -> Result<Promise, JsValue> {
        let newest = kind == LoadKind::Newest;
        let limit = page_limit(options)?;
        self.session()?;
        #[cfg(feature = "panel")]
        if let Some(promise) = self.start_load(kind, limit) {
            return Ok(promise);
        }
        #[cfg(not(feature = "panel"))]
        let _ = (kind, limit);
        Ok(Promise::resolve(&if newest {
            JsValue::UNDEFINED
        } else {
            JsValue::FALSE
        }))
    }

    /// Starts a load (its first step's call made) and returns its promise;
    /// `None` when there is nothing to load.
    #[cfg(feature = "panel")]
    pub(super) fn start_load(self: &Rc<Self>, kind: LoadKind, limit: u32) -> Option<Promise> {
        if self.side == Side::Visitor {
            return None;
        }
        let session = self.session().ok()?;
        let newest = kind == LoadKind::Newest;
        let resync = matches!(kind, LoadKind::Resync(_));
        if newest {
            self.limit.set(limit);
        }
        let (generation, step) = self.core.borrow_mut().begin_load(kind, limit)?;
        let call = self.rest.messages(&session, step_query(step));
        self.settle();
        let load = Load {
            generation,
            limit,
            step,
            newest,
            resync,
        };
        Some(self.run(call, Then::Load(load)))
    }

    /// A load step answered: the count asks for its page, the page ends the
    /// load.
    #[cfg(feature = "panel")]
    fn loaded(&self, mut load: Load, answer: Result<JsValue, JsValue>) -> After {
        let bad = || {
            to_js(&ErrorInfo::local(
                ErrorCode::BadResponse,
                "the messages answer is not { count, items }",
                false,
            ))
        };
        let answer = match answer {
            Ok(answer) => JsJson(answer),
            Err(error) => return self.load_failed(load, error),
        };
        let done = |added: bool| {
            After::Done(Ok(if load.newest {
                JsValue::UNDEFINED
            } else {
                JsValue::from_bool(added)
            }))
        };
        match load.step {
            LoadStep::Count => {
                let counted = self
                    .core
                    .borrow_mut()
                    .counted(load.generation, answer, load.limit);
                match (counted, self.session()) {
                    (Ok(Some(query)), Ok(session)) => {
                        load.step = LoadStep::Page(query);
                        let call = self.rest.messages(&session, step_query(load.step));
                        After::Next(call, Then::Load(load))
                    }
                    (Ok(None), _) => done(false), // a newer load took over
                    (Ok(Some(_)), Err(error)) => self.load_failed(load, error),
                    (Err(_), _) => self.load_failed(load, bad()),
                }
            }
            LoadStep::Page(query) => {
                let finished = self.core.borrow_mut().finish_load(
                    load.generation,
                    query,
                    answer,
                    clock::wall_ms(),
                );
                match finished {
                    Ok(added) => done(added),
                    Err(_) => self.load_failed(load, bad()),
                }
            }
        }
    }

    /// A load failed with `error`: what was shown stays, the snapshot's
    /// `error` says why; a resync, which nobody awaits, fires `error`.
    #[cfg(feature = "panel")]
    fn load_failed(&self, load: Load, error: JsValue) -> After {
        self.core
            .borrow_mut()
            .fail_load(load.generation, JsJson(error.clone()));
        if load.resync {
            self.live.emitter.emit("error", &error);
            return After::Done(Ok(JsValue::UNDEFINED));
        }
        After::Done(Err(error))
    }
}

/// What the answer of a call is for.
pub(super) enum Then {
    /// The send of own message `local`.
    Sent(String),
    /// Marking these messages read.
    MarkedRead(Vec<String>),
    /// An edit of message `id` with `patch`.
    #[cfg(feature = "panel")]
    Edited(String, JsValue),
    /// The deletion of message `id`.
    #[cfg(feature = "panel")]
    Removed(String),
    /// A step of a load.
    #[cfg(feature = "panel")]
    Load(Load),
}

/// What comes after an answer.
enum After {
    /// The call's promise settles with this.
    Done(Result<JsValue, JsValue>),
    /// Another call, for this.
    #[cfg_attr(not(feature = "panel"), allow(dead_code))]
    Next(Promise, Then),
}

/// A load under way.
#[cfg(feature = "panel")]
pub(super) struct Load {
    generation: u64,
    limit: u32,
    step: LoadStep,
    /// `load()`, which resolves to nothing.
    newest: bool,
    /// A refetch after a lost stream, which nobody awaits.
    resync: bool,
}

/// The query of a load step: `{ limit: 1, withoutItems: true }` for the
/// count, `{ limit, offset, sort }` for a page.
#[cfg(feature = "panel")]
fn step_query(step: LoadStep) -> JsValue {
    match step {
        LoadStep::Count => js::object(&[
            ("limit", JsValue::from_f64(1.0)),
            ("withoutItems", JsValue::TRUE),
        ]),
        LoadStep::Page(query) => js::object(&[
            ("limit", JsValue::from_f64(f64::from(query.limit))),
            ("offset", JsValue::from_f64(f64::from(query.offset))),
            ("sort", JsValue::from_str(LOAD_SORT)),
        ]),
    }
}

/// `limit` of `{ limit? }`: a whole number from 1 to 1000, default 20.
fn page_limit(options: &JsValue) -> Result<u32, JsValue> {
    match js::get(options, "limit").as_f64() {
        None => Ok(DEFAULT_LIMIT),
        Some(n) if (1.0..=1000.0).contains(&n) && n.fract() == 0.0 => Ok(n as u32),
        Some(_) => Err(usage("limit must be a whole number from 1 to 1000")),
    }
}
