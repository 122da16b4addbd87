//! `panel.conversation(sessionId)` and `widget.conversation`: one session's
//! messages as a live store that React, Vue and Svelte consume directly.
//!
//! The decisions live in the pure [`crate::conversation::Conversation`];
//! this file moves page answers, live events, send answers and time into
//! it, and turns its state into an immutable snapshot ([`Live`]). The panel
//! keeps one store per open session id ([`Conversations`]) and the widget
//! one for its session; each calls it from its event dispatch, and the
//! store reaches the platform only through the [`ConversationRest`] its
//! owner lends it.

use super::error::{to_js, usage};
use super::js::{self, JsTwinError};
use super::live::{Live, Snapshots};
use crate::conversation::{
    Conversation as Core, ConversationEvent, Item, LoadKind, Loading as LoadState, Output,
    ResyncReport, Side, DEFAULT_LIMIT,
};
#[cfg(feature = "panel")]
use crate::conversation::{LoadStep, LOAD_SORT};
use crate::rest::error::{ErrorCode, ErrorInfo};
use crate::transport::clock;
use crate::transport::engine_json::{EngineJson, JsJson};
use crate::transport::timer::Timer;
use js_sys::{Array, Object, Promise};
use std::cell::RefCell;
use std::rc::{Rc, Weak};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::{future_to_promise, JsFuture};

#[wasm_bindgen(typescript_custom_section)]
const CONVERSATION_TYPES: &str = r#"
/** Where a message of a conversation stands. */
export type MessageStatus = 'pending' | 'sent' | 'failed';

/** One message of a conversation: the platform's Message and where it stands. */
export interface ConversationMessage extends Omit<Message, 'id'> {
  /**
   * The server's id. Absent while an own message waits for its send's
   * answer or failed (and on a start-answer message sent without one).
   */
  id?: string;
  /** `'pending'` until the send's answer, then `'sent'` or `'failed'`; every message from the server is `'sent'`. */
  status: MessageStatus;
  /** Set on the messages this store sent: what `retry()` and `discard()` take. */
  localId?: string;
  /** Why the send failed (`status: 'failed'`). */
  error?: import('./index.js').TwinError;
}

/** `conversation.load()` and `conversation.loadOlder()` options. */
export interface ConversationLoadOptions {
  /** Messages per page, 1 to 1000. Default 20. */
  limit?: number;
}

/** What a refetch after a lost stream found different (`conversation.on('resync')`). */
export interface ConversationResync {
  /** Why the stream was lost: `epochChanged`, `historyGone`, `notRecoverable`, `stateInvalidated`. */
  reason: string;
  /** When the refetch finished, Unix ms. */
  at: number;
  /** Messages missed while the stream was down, oldest first. */
  added: string[];
  /** Held messages the fresh page no longer has among those it spans (deleted meanwhile). */
  removed: string[];
  /** Held messages whose body, `updatedAt` or read state changed. */
  changed: string[];
}

/** Events of `conversation.on()`. */
export interface ConversationEventMap {
  /** The store refetched its newest page after a lost stream (the panel's only). */
  resync: ConversationResync;
  /** A live event that did not read (counted in `badPayloads`), or a failed refetch. */
  error: import('./index.js').TwinError;
}

export interface Conversation {
  /** Adds a listener; returns the function that removes it. */
  on<K extends keyof ConversationEventMap>(name: K, listener: (payload: ConversationEventMap[K]) => void): () => void;
  /** Removes a listener added with `on`. */
  off<K extends keyof ConversationEventMap>(name: K, listener: (payload: ConversationEventMap[K]) => void): void;
}
"#;

#[cfg(feature = "panel")]
#[wasm_bindgen(typescript_custom_section)]
const PANEL_CONVERSATION_TYPES: &str = r#"
/** `panel.conversation(id)`'s state; immutable, and the same object until the store changes. */
export interface ConversationSnapshot {
  readonly sessionId: string;
  /** Oldest first; own messages last until sent. */
  readonly messages: readonly ConversationMessage[];
  /** The server has messages older than the first one here: `loadOlder()` fetches them. */
  readonly hasOlder: boolean;
  readonly loading: 'idle' | 'newest' | 'older';
  /** The client is typing (turns off 5 s after the last `typing` event, or with the client's next message). */
  readonly clientTyping: boolean;
  /** The client's messages here not read yet (`markRead()` reads them). */
  readonly unread: number;
  /** Why the last load failed, until a load succeeds; what was shown stays. */
  readonly error: import('./index.js').TwinError | null;
}
"#;

#[cfg(feature = "widget")]
#[wasm_bindgen(typescript_custom_section)]
const WIDGET_CONVERSATION_TYPES: &str = r#"
/**
 * `widget.conversation`'s state; immutable, and the same object until the
 * store changes. Bot messages keep their `answers` and `actions`.
 */
export interface WidgetConversationSnapshot {
  /** The session of the last `start()`; `null` before. */
  readonly sessionId: string | null;
  /**
   * Oldest first: the start answer's messages (a bot's greeting), then what
   * was written since this page started it. No earlier history: no source
   * shows an endpoint the visitor may read it from (unconfirmed).
   */
  readonly messages: readonly (ConversationMessage & { actions?: unknown; avatar?: Attachment | null })[];
  /** Always false: the visitor has no history to page back through. */
  readonly hasOlder: boolean;
  readonly loading: 'idle' | 'newest' | 'older';
  /** The operator (or the bot) is typing (turns off 5 s after the last signal, or with their next message). */
  readonly operatorTyping: boolean;
  /** Who answers, as `widget.operator`. */
  readonly operator: WidgetOperator | null;
  /** The operator's and the bot's messages not marked read yet (`markRead()` marks them). */
  readonly unread: number;
  /** Always null: nothing loads. */
  readonly error: import('./index.js').TwinError | null;
}
"#;

/// The platform calls a conversation makes, lent by its owner (the panel's
/// REST calls with their token refresh and retries; the widget's public
/// REST and socket). Each returns the call's promise.
pub(crate) trait ConversationRest {
    /// `GET /sessions/{id}/messages` with `query` (the operator's only: the
    /// visitor has no history endpoint, and its store never asks).
    #[cfg(feature = "panel")]
    fn messages(&self, session_id: &str, query: JsValue) -> Promise;
    /// Sends `message` (`{ body, ... }`); resolves to `{ id, createdAt }`.
    fn send(&self, session_id: &str, message: JsValue) -> Promise;
    /// Edits an own message with `patch`; resolves to the updated Message.
    #[cfg(feature = "panel")]
    fn edit(&self, session_id: &str, message_id: &str, patch: JsValue) -> Promise;
    /// Deletes an own message.
    #[cfg(feature = "panel")]
    fn remove(&self, session_id: &str, message_id: &str) -> Promise;
    /// Marks the other side's message read.
    fn mark_read(&self, message_id: &str) -> Promise;
    /// Shows the other side that this side types.
    fn typing(&self, session_id: &str) -> Promise;
}

/// One conversation's store.
pub(crate) struct ConversationStore {
    core: RefCell<Core<EngineJson>>,
    side: Side,
    rest: Box<dyn ConversationRest>,
    live: Live,
    /// The JS `Conversation`, the same object every time; let go of when
    /// the store ends (it holds the store: a cycle until then).
    object: RefCell<JsValue>,
    typing_timer: Timer,
    /// The `loadOlder()` in flight: a second call gets the same promise.
    older: RefCell<Option<Promise>>,
    /// The page size of the last `load()`, for the refetch after a lost stream.
    #[cfg(feature = "panel")]
    limit: std::cell::Cell<u32>,
    /// The widget's operator, for its snapshot.
    operator: RefCell<JsValue>,
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
        let object = Conversation {
            store: store.clone(),
        };
        store.object.replace(object.into());
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

    fn freed(&self) -> bool {
        self.live.is_freed()
    }

    fn session(&self) -> Result<String, JsValue> {
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

    // ---- calls ----

    /// Makes `call` and hands its answer to [`ConversationStore::answered`]
    /// with `then`, until that is done. Every call of the store goes through
    /// this one future: the wasm holds one copy of its machinery instead of
    /// one per operation.
    fn run(self: &Rc<Self>, call: Promise, then: Then) -> Promise {
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
    fn load(self: &Rc<Self>, kind: LoadKind, options: &JsValue) -> Result<Promise, JsValue> {
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
    fn start_load(self: &Rc<Self>, kind: LoadKind, limit: u32) -> Option<Promise> {
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

    // ---- sending ----

    fn send(self: &Rc<Self>, input: JsValue) -> Result<Promise, JsValue> {
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

    fn retry(self: &Rc<Self>, local_id: &JsValue) -> Result<Promise, JsValue> {
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
    fn edit(self: &Rc<Self>, message_id: &JsValue, patch: JsValue) -> Result<Promise, JsValue> {
        let session = self.session()?;
        let id = js::id_text(message_id).ok_or_else(|| usage("edit() needs a message id"))?;
        let call = self.rest.edit(&session, &id, patch.clone());
        Ok(self.run(call, Then::Edited(id, patch)))
    }

    /// Shows an edit's answer: the updated Message, or, when the answer is
    /// not one, the patch laid over the held message.
    #[cfg(feature = "panel")]
    fn edited(&self, id: &str, updated: &JsValue, patch: &JsValue) {
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
            let merged = Object::assign(&Object::new(), held.unchecked_ref());
            let merged = Object::assign(&merged, patch.unchecked_ref());
            core.replace(id, JsJson(merged.into()));
        }
    }

    #[cfg(feature = "panel")]
    fn remove(self: &Rc<Self>, message_id: &JsValue) -> Result<Promise, JsValue> {
        let session = self.session()?;
        let id = js::id_text(message_id).ok_or_else(|| usage("remove() needs a message id"))?;
        Ok(self.run(self.rest.remove(&session, &id), Then::Removed(id)))
    }

    fn mark_read(self: &Rc<Self>) -> Result<Promise, JsValue> {
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

    fn typing(&self) -> Result<Promise, JsValue> {
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
    fn settle(&self) {
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
                Output::Resync(report) => {
                    self.live.emitter.emit("resync", &report_object(&report));
                }
            }
        }
    }
}

impl Snapshots for ConversationStore {
    fn version(&self) -> u64 {
        self.core.borrow().version()
    }

    fn build(&self) -> JsValue {
        let mut core = self.core.borrow_mut();
        let items = core.items_mut();
        let messages = Array::new_with_length(items.len() as u32);
        for (i, item) in items.iter_mut().enumerate() {
            let row = match &item.cache {
                Some(row) => row.0.clone(),
                None => {
                    let row = message_row(item);
                    item.cache = Some(JsJson(row.clone()));
                    row
                }
            };
            messages.set(i as u32, row);
        }
        Object::freeze(&messages);
        let session = core.session_id().map_or(JsValue::NULL, JsValue::from_str);
        let mut fields = vec![
            ("sessionId", session),
            ("messages", messages.into()),
            ("hasOlder", JsValue::from_bool(core.has_older())),
            ("loading", JsValue::from_str(core.loading().as_str())),
        ];
        match self.side {
            Side::Operator => fields.push(("clientTyping", JsValue::from_bool(core.typing()))),
            Side::Visitor => {
                fields.push(("operatorTyping", JsValue::from_bool(core.typing())));
                fields.push(("operator", self.operator.borrow().clone()));
            }
        }
        fields.push(("unread", JsValue::from_f64(f64::from(core.unread()))));
        fields.push(("error", core.error().map_or(JsValue::NULL, |e| e.0.clone())));
        let snapshot: Object = js::object(&fields).unchecked_into();
        Object::freeze(&snapshot).into()
    }
}

/// One `ConversationMessage`: the server's (or the optimistic) Message with
/// where it stands laid over it.
fn message_row(item: &Item<JsJson>) -> JsValue {
    let text = |t: &str| JsValue::from_str(t);
    let mut overlay = vec![("status", text(item.status.as_str()))];
    if let Some(id) = &item.id {
        overlay.push(("id", text(id)));
    }
    if let Some(local_id) = &item.local_id {
        overlay.push(("localId", text(local_id)));
    }
    if let Some(error) = &item.error {
        overlay.push(("error", error.0.clone()));
    }
    if let Some(read_at) = &item.read_at {
        overlay.push(("readAt", text(read_at)));
    }
    if let Some(created_at) = &item.created_at {
        overlay.push(("createdAt", text(created_at)));
    }
    let row = Object::new();
    if item.value.0.is_object() {
        Object::assign(&row, item.value.0.unchecked_ref());
    }
    Object::assign(&row, js::object(&overlay).unchecked_ref());
    Object::freeze(&row).into()
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

/// A `ConversationResync` as JS.
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
fn freed() -> JsValue {
    to_js(&ErrorInfo::local(
        ErrorCode::Freed,
        "the conversation was freed",
        false,
    ))
}

/// What the answer of a call is for.
enum Then {
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
struct Load {
    generation: u64,
    limit: u32,
    step: LoadStep,
    /// `load()`, which resolves to nothing.
    newest: bool,
    /// A refetch after a lost stream, which nobody awaits.
    resync: bool,
}

/// The promise `run` makes of the store, or a rejection (a `TwinError`)
/// when it refused (the store ended, a bad argument).
fn call(
    store: &Rc<ConversationStore>,
    run: impl FnOnce(&Rc<ConversationStore>) -> Result<Promise, JsValue>,
) -> Promise {
    run(store).unwrap_or_else(|error| Promise::reject(&error))
}

/// One session's messages, live: `panel.conversation(sessionId)` (the
/// operator's side) and `widget.conversation` (the visitor's).
///
/// ```js
/// const conversation = panel.conversation(sessionId);
/// await conversation.load();
/// const { messages } = useSyncExternalStore(conversation.subscribe, conversation.getSnapshot); // React
/// conversation.send('Hello!').catch(() => {}); // shows at once as 'pending'
/// ```
#[wasm_bindgen]
pub struct Conversation {
    store: Rc<ConversationStore>,
}

impl Drop for Conversation {
    fn drop(&mut self) {
        self.store.on_free();
    }
}

#[wasm_bindgen]
impl Conversation {
    /// Loads the newest page (`{ limit }`, default 20) and keeps it live.
    /// Rejects with a `TwinError` when the call fails; what was shown stays
    /// and the snapshot's `error` says why. On the widget it resolves at
    /// once: the visitor has no history endpoint (unconfirmed; the messages
    /// are those of `start()` and what comes after).
    #[wasm_bindgen(unchecked_return_type = "Promise<void>")]
    pub fn load(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "ConversationLoadOptions")] options: JsValue,
    ) -> Promise {
        call(&self.store, |store| store.load(LoadKind::Newest, &options))
    }

    /// Prepends the page before the oldest message (`{ limit }`, default
    /// 20). Resolves to true when it added messages, false when there are
    /// none (always on the widget). A second call while one runs gets the
    /// same promise.
    #[wasm_bindgen(js_name = loadOlder, unchecked_return_type = "Promise<boolean>")]
    pub fn load_older(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "ConversationLoadOptions")] options: JsValue,
    ) -> Promise {
        let store = &self.store;
        if store.core.borrow().loading() == LoadState::Older {
            if let Some(running) = store.older.borrow().clone() {
                return running;
            }
        }
        let promise = call(&self.store, |store| store.load(LoadKind::Older, &options));
        store.older.replace(Some(promise.clone()));
        promise
    }

    /// Sends a text or `{ body, attachments?, replyToMessageId? }`: the
    /// message shows at once (`status: 'pending'`, a `localId`), then as
    /// `'sent'` with the server's id, or `'failed'` with the `TwinError`
    /// (a timeout is a retryable one). Resolves to the server's
    /// `{ id, createdAt }`; rejects with the same error the message shows.
    /// The optimistic message has `sessionId`, `authorType`, `body` and
    /// `createdAt`; the server's copy (its echo, if the platform sends one,
    /// or the next load) brings the rest, attachments included.
    #[wasm_bindgen(unchecked_return_type = "Promise<SentMessage>")]
    pub fn send(
        &self,
        #[wasm_bindgen(
            unchecked_param_type = "string | { body?: string; attachments?: string[]; replyToMessageId?: string }"
        )]
        message: JsValue,
    ) -> Promise {
        call(&self.store, |store| store.send(message))
    }

    /// Sends a failed message again (it moves to the end, `'pending'`).
    /// Rejects when `localId` is not a failed message: a message is never
    /// sent twice at once.
    #[wasm_bindgen(unchecked_return_type = "Promise<SentMessage>")]
    pub fn retry(
        &self,
        #[wasm_bindgen(js_name = localId, unchecked_param_type = "string")] local_id: JsValue,
    ) -> Promise {
        call(&self.store, |store| store.retry(&local_id))
    }

    /// Drops a failed message; false when `localId` is not one.
    pub fn discard(
        &self,
        #[wasm_bindgen(js_name = localId, unchecked_param_type = "string")] local_id: JsValue,
    ) -> bool {
        let local = local_id.as_string().unwrap_or_default();
        let dropped = self.store.core.borrow_mut().discard(&local);
        self.store.settle();
        dropped
    }

    /// Edits an own message with `{ body }` (the panel's only) and shows
    /// the server's answer.
    #[cfg(feature = "panel")]
    #[wasm_bindgen(unchecked_return_type = "Promise<Message>")]
    pub fn edit(
        &self,
        #[wasm_bindgen(js_name = messageId, unchecked_param_type = "string")] message_id: JsValue,
        #[wasm_bindgen(unchecked_param_type = "{ body: string }")] patch: JsValue,
    ) -> Promise {
        call(&self.store, |store| store.edit(&message_id, patch))
    }

    /// Deletes an own message (the panel's only) and drops it. No event
    /// tells of deletions: other tabs and operators see it gone on their
    /// next load.
    #[cfg(feature = "panel")]
    #[wasm_bindgen(unchecked_return_type = "Promise<void>")]
    pub fn remove(
        &self,
        #[wasm_bindgen(js_name = messageId, unchecked_param_type = "string")] message_id: JsValue,
    ) -> Promise {
        call(&self.store, |store| store.remove(&message_id))
    }

    /// Marks the other side's shown messages read: their `readAt` is set at
    /// once and `unread` drops to 0; they count again if a call fails.
    #[wasm_bindgen(js_name = markRead, unchecked_return_type = "Promise<void>")]
    pub fn mark_read(&self) -> Promise {
        call(&self.store, |store| store.mark_read())
    }

    /// Shows the other side that this side types: call it on every
    /// keystroke, it goes out at most once every 2 s.
    #[wasm_bindgen(unchecked_return_type = "Promise<void>")]
    pub fn typing(&self) -> Promise {
        call(&self.store, |store| store.typing())
    }

    /// `subscribe(listener) -> unsubscribe`: the listener runs once after each
    /// batch of changes. The same function on every read, usable unbound.
    #[wasm_bindgen(getter, unchecked_return_type = "(listener: () => void) => () => void")]
    pub fn subscribe(&self) -> JsValue {
        self.store.live.subscribe()
    }

    /// `getSnapshot()`: immutable, and the same object until the store
    /// changes. The same function on every read, usable unbound.
    #[cfg_attr(
        feature = "panel",
        wasm_bindgen(
            getter,
            js_name = getSnapshot,
            unchecked_return_type = "() => ConversationSnapshot"
        )
    )]
    #[cfg_attr(
        not(feature = "panel"),
        wasm_bindgen(
            getter,
            js_name = getSnapshot,
            unchecked_return_type = "() => WidgetConversationSnapshot"
        )
    )]
    pub fn get_snapshot(&self) -> JsValue {
        self.store.live.get_snapshot()
    }

    /// Live events ignored as bad so far (each also fired `error`).
    #[wasm_bindgen(getter, js_name = badPayloads)]
    pub fn bad_payloads(&self) -> f64 {
        self.store.core.borrow().bad_payloads() as f64
    }

    /// Adds a listener of `resync` (a `ConversationResync`) or `error` (a
    /// `TwinError`); returns the function that removes it.
    #[wasm_bindgen(skip_typescript)]
    pub fn on(&self, name: JsValue, listener: JsValue) -> Result<JsValue, JsValue> {
        if !matches!(name.as_string().as_deref(), Some("resync" | "error")) {
            return Err(usage(
                "conversation.on(): the events are 'resync' and 'error'",
            ));
        }
        if self.store.freed() {
            return Err(freed());
        }
        self.store.live.emitter.on(&name, &listener)
    }

    /// Removes a listener added with `on`.
    #[wasm_bindgen(skip_typescript)]
    pub fn off(&self, name: JsValue, listener: JsValue) {
        self.store.live.emitter.off(&name, &listener);
    }
}

/// The panel's conversations: one store per session id while it lives.
#[cfg(feature = "panel")]
#[derive(Default)]
pub(crate) struct Conversations(RefCell<Vec<Rc<ConversationStore>>>);

#[cfg(feature = "panel")]
impl Conversations {
    /// The conversation of `session_id`: the one open, else a new one
    /// calling the platform through `rest()`.
    pub(crate) fn open(
        &self,
        session_id: String,
        rest: impl FnOnce() -> Box<dyn ConversationRest>,
    ) -> JsValue {
        let mut stores = self.0.borrow_mut();
        stores.retain(|store| !store.freed());
        if let Some(store) = stores
            .iter()
            .find(|store| store.core.borrow().session_id() == Some(session_id.as_str()))
        {
            return store.js_object();
        }
        let store = ConversationStore::new(Side::Operator, Some(session_id), rest());
        let object = store.js_object();
        stores.push(store);
        object
    }

    /// A publication (`name`, its `data`): every open conversation that
    /// follows it applies it (each keeps only its session's).
    pub(crate) fn on_publication(&self, name: &str, data: &JsValue) {
        let Some(event) = ConversationEvent::of_panel(name) else {
            return;
        };
        for store in self.stores() {
            store.on_event(event, data);
        }
    }

    /// The panel's `resync`.
    pub(crate) fn on_resync(&self, reason: &str) {
        for store in self.stores() {
            store.on_resync(reason);
        }
    }

    /// The panel logged out.
    pub(crate) fn on_logout(&self) {
        for store in self.stores() {
            store.on_logout();
        }
    }

    /// The panel is freed: every conversation ends.
    pub(crate) fn on_free(&self) {
        for store in self.0.take() {
            store.on_free();
        }
    }

    /// The open stores, copied out: a listener may open another meanwhile.
    fn stores(&self) -> Vec<Rc<ConversationStore>> {
        self.0.borrow().clone()
    }
}
