//! [`ConversationStore`]: one conversation's reducer, the hooks its owner
//! calls (events, resyncs, a new session, the end), what its JS methods
//! start, and what it reports after every change.

use super::calls::Then;
use super::class::ConversationCore;
use super::ConversationRest;
use crate::api::error::{to_js, usage};
use crate::api::js::{self, JsTwinError};
use crate::api::live::Live;
use crate::conversation::{Conversation as Core, ConversationEvent, Output, Side};
#[cfg(feature = "panel")]
use crate::conversation::{LoadKind, ResyncReport, DEFAULT_LIMIT};
use crate::rest::error::{ErrorCode, ErrorInfo};
use crate::transport::clock;
use crate::transport::engine_json::{EngineJson, JsJson};
use crate::transport::glue::JsConversation;
#[cfg(feature = "panel")]
use crate::transport::glue::JsOperatorConversation;
use crate::transport::timer::Timer;
use js_sys::{Array, Promise};
use std::cell::RefCell;
use std::rc::{Rc, Weak};
use wasm_bindgen::prelude::*;

/// One conversation's store.
pub(crate) struct ConversationStore {
    pub(super) core: RefCell<Core<EngineJson>>,
    pub(super) side: Side,
    pub(super) rest: Box<dyn ConversationRest>,
    pub(super) live: Live,
    /// The JS `Conversation`, the same object every time; let go of when
    /// the store ends (it holds the store: a cycle until then).
    object: RefCell<JsValue>,
    typing_timer: Timer,
    /// The `loadOlder()` in flight: a second call gets the same promise.
    pub(super) older: RefCell<Option<Promise>>,
    /// The page size of the last `load()`, for the refetch after a lost stream.
    #[cfg(feature = "panel")]
    pub(super) limit: std::cell::Cell<u32>,
    /// The widget's operator, for its snapshot.
    pub(super) operator: RefCell<JsValue>,
}

impl ConversationStore {
    /// A store of `session_id` (the widget's: none until `start()`) on
    /// `side`, calling the platform through `rest`.
    pub(crate) fn new(
        side: Side,
        session_id: Option<String>,
        rest: Box<dyn ConversationRest>,
    ) -> Rc<Self> {
        let store = Rc::new_cyclic(|weak: &Weak<ConversationStore>| {
            let w = weak.clone();
            ConversationStore {
                core: RefCell::new(Core::new(EngineJson, side, session_id)),
                side,
                rest,
                live: Live::new(weak.clone()),
                object: RefCell::new(JsValue::UNDEFINED),
                typing_timer: Timer::new(move || {
                    if let Some(store) = w.upgrade() {
                        store.core.borrow_mut().tick(clock::wall_ms());
                        store.settle();
                    }
                }),
                older: RefCell::new(None),
                #[cfg(feature = "panel")]
                limit: std::cell::Cell::new(DEFAULT_LIMIT),
                operator: RefCell::new(JsValue::NULL),
            }
        });
        let core = JsValue::from(ConversationCore::of(store.clone()));
        let object: JsValue = match side {
            #[cfg(feature = "panel")]
            Side::Operator => JsOperatorConversation::new(core, &store.live.emitter).into(),
            _ => JsConversation::new(core, &store.live.emitter).into(),
        };
        store.object.replace(object);
        store
    }

    /// The JS `Conversation` object.
    pub(crate) fn js_object(&self) -> JsValue {
        self.object.borrow().clone()
    }

    /// An event of the owner (a panel publication's name and `data`, a
    /// widget socket event's name and first argument), when the
    /// conversation follows it.
    pub(crate) fn on_event(&self, event: ConversationEvent, data: &JsValue) {
        if self.live.is_freed() {
            return;
        }
        self.core
            .borrow_mut()
            .apply(event, JsJson(data.clone()), clock::wall_ms());
        self.settle();
    }

    #[cfg(feature = "panel")]
    /// The live stream could not be recovered: after a `load()`, the newest
    /// page is fetched again and what changed is reported (`resync`).
    pub(crate) fn on_resync(self: &Rc<Self>, reason: &str) {
        if self.freed() || !self.core.borrow().loaded() {
            return;
        }
        // Its promise never rejects: a failure reaches the app as `error`.
        let _ = self.start_load(LoadKind::Resync(reason.to_owned()), self.limit.get());
    }

    #[cfg(feature = "widget")]
    /// A session (re)starts: the widget's `start()` answered with its id
    /// and its first messages.
    pub(crate) fn on_start(&self, session_id: String, messages: &JsValue) {
        let mut core = self.core.borrow_mut();
        core.reset(Some(session_id));
        if Array::is_array(messages) {
            core.seed(Array::from(messages).iter().map(JsJson).collect());
        }
        drop(core);
        self.operator.replace(JsValue::NULL);
        self.settle();
    }

    #[cfg(feature = "widget")]
    /// The widget's operator changed (`{ id, name, avatar }`).
    pub(crate) fn on_operator(&self, operator: JsValue) {
        self.operator.replace(operator);
        self.core.borrow_mut().changed();
        self.settle();
    }

    #[cfg(feature = "panel")]
    /// The owner logged out: the store empties.
    pub(crate) fn on_logout(&self) {
        let mut core = self.core.borrow_mut();
        let session_id = core.session_id().map(str::to_owned);
        core.reset(session_id);
        drop(core);
        self.settle();
    }

    /// The store ends (`free()`, or its owner's): no more changes, no more
    /// notifications; what runs ends without effect.
    pub(crate) fn on_free(&self) {
        self.typing_timer.cancel();
        self.live.free();
        // The JS object alone holds the store now: it ends with the object.
        self.object.replace(JsValue::UNDEFINED);
    }

    pub(super) fn freed(&self) -> bool {
        self.live.is_freed()
    }

    pub(super) fn session(&self) -> Result<String, JsValue> {
        if self.freed() {
            return Err(freed());
        }
        self.core
            .borrow()
            .session_id()
            .map(str::to_owned)
            .ok_or_else(|| {
                to_js(&ErrorInfo::local(
                    ErrorCode::NotStarted,
                    "call start() before talking",
                    false,
                ))
            })
    }

    // ---- sending ----

    pub(super) fn send(self: &Rc<Self>, input: JsValue) -> Result<Promise, JsValue> {
        let session = self.session()?;
        let outgoing = match input.as_string() {
            Some(text) => js::object(&[("body", JsValue::from_str(&text))]),
            None if input.is_object() => input,
            None => return Err(usage("send() takes a text or { body, ... }")),
        };
        let body = js::get(&outgoing, "body");
        let optimistic = js::object(&[
            ("sessionId", JsValue::from_str(&session)),
            ("authorType", JsValue::from_str(self.side.own_author())),
            ("body", body.clone()),
            ("createdAt", js_sys::Date::new_0().to_iso_string().into()),
            ("readAt", JsValue::NULL),
        ]);
        let local = self.core.borrow_mut().begin_send(
            JsJson(optimistic),
            JsJson(outgoing.clone()),
            body.as_string(),
        );
        self.settle();
        Ok(self.run(self.rest.send(&session, outgoing), Then::Sent(local)))
    }

    pub(super) fn retry(self: &Rc<Self>, local_id: &JsValue) -> Result<Promise, JsValue> {
        let session = self.session()?;
        let local = local_id.as_string().unwrap_or_default();
        let Some(outgoing) = self.core.borrow_mut().retry(&local) else {
            return Err(usage("retry(): not the localId of a failed message"));
        };
        self.settle();
        Ok(self.run(self.rest.send(&session, outgoing.0), Then::Sent(local)))
    }

    // ---- edits, reads, typing ----

    #[cfg(feature = "panel")]
    pub(super) fn edit(
        self: &Rc<Self>,
        message_id: &JsValue,
        patch: JsValue,
    ) -> Result<Promise, JsValue> {
        let session = self.session()?;
        let id = js::id_text(message_id).ok_or_else(|| usage("edit() needs a message id"))?;
        let call = self.rest.edit(&session, &id, patch.clone());
        Ok(self.run(call, Then::Edited(id, patch)))
    }

    /// Shows an edit's answer: the updated Message, or, when the answer is
    /// not one, the patch laid over the held message.
    #[cfg(feature = "panel")]
    pub(super) fn edited(&self, id: &str, updated: &JsValue, patch: &JsValue) {
        let mut core = self.core.borrow_mut();
        if core.edited(JsJson(updated.clone())) {
            return;
        }
        let held = core
            .items()
            .iter()
            .find(|item| item.id.as_deref() == Some(id))
            .map(|item| item.value.0.clone());
        if let Some(held) = held {
            use js_sys::Object;
            use wasm_bindgen::JsCast;
            let merged = Object::assign(&Object::new(), held.unchecked_ref());
            let merged = Object::assign(&merged, patch.unchecked_ref());
            core.replace(id, JsJson(merged.into()));
        }
    }

    #[cfg(feature = "panel")]
    pub(super) fn remove(self: &Rc<Self>, message_id: &JsValue) -> Result<Promise, JsValue> {
        let session = self.session()?;
        let id = js::id_text(message_id).ok_or_else(|| usage("remove() needs a message id"))?;
        Ok(self.run(self.rest.remove(&session, &id), Then::Removed(id)))
    }

    pub(super) fn mark_read(self: &Rc<Self>) -> Result<Promise, JsValue> {
        self.session()?;
        let ids = self.core.borrow_mut().begin_mark_read(clock::wall_ms());
        if ids.is_empty() {
            return Ok(Promise::resolve(&JsValue::UNDEFINED));
        }
        self.settle();
        let calls: Array = ids
            .iter()
            .map(|id| JsValue::from(self.rest.mark_read(id)))
            .collect();
        Ok(self.run(Promise::all(&calls), Then::MarkedRead(ids)))
    }

    pub(super) fn typing(&self) -> Result<Promise, JsValue> {
        let session = self.session()?;
        if self.core.borrow_mut().typing_signal(clock::wall_ms()) {
            Ok(self.rest.typing(&session))
        } else {
            Ok(Promise::resolve(&JsValue::UNDEFINED))
        }
    }

    // ---- after every change ----

    /// Re-arms the typing timer, schedules one notification and reports
    /// what the reducer asked to.
    pub(super) fn settle(&self) {
        if self.freed() {
            return;
        }
        let (outputs, dirty, deadline) = {
            let mut core = self.core.borrow_mut();
            (core.take_outputs(), core.take_dirty(), core.next_deadline())
        };
        match deadline {
            Some(at) => self.typing_timer.arm(at.saturating_sub(clock::wall_ms())),
            None => self.typing_timer.cancel(),
        }
        if dirty {
            self.live.changed();
        }
        for output in outputs {
            match output {
                Output::BadPayload(event) => {
                    let details = js::object(&[
                        ("event", JsValue::from_str(event.name(self.side))),
                        (
                            "sessionId",
                            self.core
                                .borrow()
                                .session_id()
                                .map_or(JsValue::NULL, JsValue::from_str),
                        ),
                    ]);
                    let error = JsTwinError::new(
                        0,
                        "conversationBadPayload",
                        "conversation: an event without an id or with fields of the wrong type was ignored",
                        &details,
                        false,
                    );
                    self.live.emitter.emit("error", &error);
                }
                // Only the panel's conversations refetch.
                #[cfg(feature = "panel")]
                Output::Resync(report) => {
                    self.live.emitter.emit("resync", &report_object(&report));
                }
                #[cfg(not(feature = "panel"))]
                Output::Resync(_) => {}
            }
        }
    }
}

/// A `ConversationResync` as JS.
#[cfg(feature = "panel")]
fn report_object(report: &ResyncReport) -> JsValue {
    let ids = |ids: &[String]| -> JsValue {
        ids.iter()
            .map(|id| JsValue::from_str(id))
            .collect::<Array>()
            .into()
    };
    js::object(&[
        ("reason", JsValue::from_str(&report.reason)),
        ("at", JsValue::from_f64(report.at as f64)),
        ("added", ids(&report.added)),
        ("removed", ids(&report.removed)),
        ("changed", ids(&report.changed)),
    ])
}

/// The `TwinError` of a call on a freed store.
pub(super) fn freed() -> JsValue {
    to_js(&ErrorInfo::local(
        ErrorCode::Freed,
        "the conversation was freed",
        false,
    ))
}
