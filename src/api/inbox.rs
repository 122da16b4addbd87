//! `panel.inbox`: the live session store as a JS class that React, Vue and
//! Svelte consume directly.
//!
//! The decisions live in the pure [`crate::inbox::Inbox`]; this file moves
//! publications, REST answers and time into it, and turns its state into an
//! immutable snapshot. The panel owns one [`InboxStore`] and calls it from its
//! event dispatch ([`InboxStore::on_publication`], [`InboxStore::on_resync`],
//! [`InboxStore::on_free`]); the store reaches REST only through the
//! [`InboxRest`] the panel lends it.
//!
//! Notifications are batched: any number of changes within one task make one
//! call of each listener, in a microtask.

use super::error::{freed, usage};
use super::js::{self, JsTwinError};
use super::live::{Live, Snapshots};
use crate::inbox::{
    InboxEntry, InboxErrorKind, InboxOutput, InboxReducer, InboxScope, LoadKind, ResyncReport,
    SessionQuery,
};
use crate::transport::clock;
use crate::transport::engine_json::{EngineJson, JsJson};
use crate::transport::timer::Timer;
use js_sys::{Array, Object, Promise};
use std::cell::{Cell, RefCell};
use std::rc::{Rc, Weak};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::{future_to_promise, JsFuture};

#[wasm_bindgen(typescript_custom_section)]
const INBOX_TYPES: &str = r#"
/** `inbox.load()` options. */
export interface InboxLoadOptions {
  /** Only sessions with this status (e.g. `'ACTIVE'`). Default: every status. */
  status?: string;
  /** Sessions per REST query, 1 to 1000. Default 100. It bounds the load only: live events may add more. */
  limit?: number;
}

/** What a resync found different from the store it replaced. */
export interface ResyncReport {
  /** Why the stream was lost: `epochChanged`, `historyGone`, `missedRelays`, `notRecoverable`, `stateInvalidated`. */
  reason: string;
  /** When the fresh load finished, Unix ms. */
  at: number;
  /** Sessions in the inbox now that were not before, newest first. */
  added: string[];
  /** Sessions that left the inbox. */
  removed: string[];
  /** Sessions whose row differs (status, operators, name, last message, unread, presence). */
  changed: string[];
  /** A lower bound of the messages written meanwhile in sessions held before and after. */
  missedMessages: number;
}

/** One session of the inbox: the platform's Session with the live fields laid over it. */
export interface InboxSession extends Session {
  /** Unread client messages (0 for a closed session). */
  unread: number;
  /** The client is typing (turns off 5 s after the last `typing` event). */
  typing: boolean;
  /** The client is online: came online, not offline since, session open. */
  clientOnline: boolean;
  /** The newest message: the Session's own, or a newer one from the live events. */
  lastMessage: Partial<Message> | null;
}

/** The inbox state; immutable, and the same object until the store changes. */
export interface InboxSnapshot {
  /** Newest activity first. */
  readonly sessions: readonly InboxSession[];
  readonly unreadTotal: number;
  /** A load or resync is running. */
  readonly loading: boolean;
  readonly lastResync: ResyncReport | null;
  /** Grows with every change. */
  readonly version: number;
}

/** Events of `inbox.on()`. */
export interface InboxEventMap {
  resync: ResyncReport;
  error: import('./index.js').TwinError;
}

export interface Inbox {
  /** Adds a listener; returns the function that removes it. */
  on<K extends keyof InboxEventMap>(name: K, listener: (payload: InboxEventMap[K]) => void): () => void;
  /** Removes a listener added with `on`. */
  off<K extends keyof InboxEventMap>(name: K, listener: (payload: InboxEventMap[K]) => void): void;
}
"#;

/// The REST calls the inbox needs, lent by the panel (its own calls, with
/// token refresh and retries). Each returns the call's promise.
pub(crate) trait InboxRest {
    /// `GET /users/me`: the operator, for which sessions are "mine".
    fn me(&self) -> Promise;
    /// `GET /sessions` with a query object.
    fn list_sessions(&self, query: JsValue) -> Promise;
    /// `GET /sessions/{id}`.
    fn get_session(&self, id: JsValue) -> Promise;
    /// `GET /sessions/{id}/messages` with a query object.
    fn session_messages(&self, id: JsValue, query: JsValue) -> Promise;
    /// `PATCH /messages/{id}/read`.
    fn mark_read(&self, message_id: JsValue) -> Promise;
}

/// Messages of a session looked at by `markRead` (newest first).
const MARK_READ_PAGE: u32 = 100;

/// The store behind `panel.inbox`, owned by the panel.
pub(crate) struct InboxStore {
    core: RefCell<InboxReducer<EngineJson>>,
    rest: Box<dyn InboxRest>,
    /// `subscribe`, `getSnapshot`, batched notifications; its emitter
    /// carries `resync` and `error` too.
    live: Live,
    /// The JS `Inbox` object `panel.inbox` returns, the same every time.
    object: JsValue,
    /// The session objects of the last snapshot, by id, as the store
    /// holds its sessions.
    rows: RefCell<Vec<Row>>,
    typing_timer: Timer,
    /// `load()` was called: resyncs reload with its scope.
    loaded_once: Cell<bool>,
}

impl InboxStore {
    /// A store that calls REST through `rest`.
    pub(crate) fn new(rest: Box<dyn InboxRest>) -> Rc<InboxStore> {
        Rc::new_cyclic(|weak: &Weak<InboxStore>| {
            let w = weak.clone();
            InboxStore {
                core: RefCell::new(InboxReducer::new(EngineJson)),
                rest,
                live: Live::new(weak.clone()),
                object: Inbox {
                    store: weak.clone(),
                }
                .into(),
                rows: RefCell::new(Vec::new()),
                typing_timer: Timer::new(move || {
                    if let Some(store) = w.upgrade() {
                        store.core.borrow_mut().tick(clock::wall_ms());
                        store.settle(None);
                    }
                }),
                loaded_once: Cell::new(false),
            }
        })
    }

    /// The JS `Inbox` object (the same one on every call).
    pub(crate) fn js_object(&self) -> JsValue {
        self.object.clone()
    }

    /// A publication of the panel: `event` is its name, `data` the
    /// envelope's `data` field. Events the inbox does not follow are ignored.
    pub(crate) fn on_publication(self: &Rc<Self>, event: &str, data: &JsValue) {
        if self.live.is_freed() {
            return;
        }
        let followed = self
            .core
            .borrow_mut()
            .apply(event, JsJson(data.clone()), clock::wall_ms());
        if followed {
            self.settle(None);
        }
    }

    /// The live stream could not be recovered (`reason` as in the panel's
    /// `resync` event): after a `load()`, the store reloads with the same
    /// scope and reports what it missed.
    pub(crate) fn on_resync(self: &Rc<Self>, reason: &str) {
        if self.live.is_freed() || !self.loaded_once.get() {
            return;
        }
        let store = self.clone();
        let kind = LoadKind::Resync {
            reason: reason.to_owned(),
        };
        wasm_bindgen_futures::spawn_local(async move {
            // The outcome reaches the app as `resync` or `error`.
            let _ = store.run_load(kind).await;
        });
    }

    /// The panel logged out: the store empties.
    pub(crate) fn on_logout(self: &Rc<Self>) {
        self.core.borrow_mut().clear();
        self.settle(None);
    }

    /// Whether the store was freed (with its panel, or by `inbox.free()`).
    pub(crate) fn is_freed(&self) -> bool {
        self.live.is_freed()
    }

    /// The store ends (its panel or `inbox.free()`): no more changes, no
    /// more notifications; `getSnapshot` still answers with the last snapshot.
    pub(crate) fn on_free(&self) {
        self.typing_timer.cancel();
        self.live.free();
    }

    // ---- the class's operations ----

    async fn load(self: Rc<Self>, options: JsValue) -> Result<JsValue, JsValue> {
        if self.live.is_freed() {
            return Err(freed("inbox"));
        }
        let status = js::get(&options, "status").as_string();
        let limit = js::get(&options, "limit").as_f64();
        if limit.is_some_and(|n| !((1.0..=1000.0).contains(&n) && n.fract() == 0.0)) {
            return Err(usage("load(): limit must be a whole number from 1 to 1000"));
        }
        {
            let mut core = self.core.borrow_mut();
            let me = core.scope().me.clone();
            core.set_scope(InboxScope {
                me,
                status,
                limit: limit.map(|n| n as u32),
            });
        }
        self.loaded_once.set(true);
        self.run_load(LoadKind::Initial).await
    }

    /// One load: `me` (once), then every query in parallel, then the reducer.
    async fn run_load(self: &Rc<Self>, kind: LoadKind) -> Result<JsValue, JsValue> {
        let generation = self.core.borrow_mut().begin_load(kind);
        self.settle(None);
        match self.fetch_pages().await {
            Ok(pages) => {
                let now = clock::wall_ms();
                self.core
                    .borrow_mut()
                    .finish_load(generation, pages, now, now);
                self.settle(None);
                Ok(JsValue::UNDEFINED)
            }
            Err(error) => {
                self.core.borrow_mut().fail_load(generation);
                self.settle(Some(&error));
                Err(error)
            }
        }
    }

    async fn fetch_pages(&self) -> Result<Vec<JsJson>, JsValue> {
        if self.core.borrow().scope().me.is_none() {
            let me = JsFuture::from(self.rest.me()).await?;
            let id = js::id_text(&js::get(&me, "id"));
            let mut core = self.core.borrow_mut();
            let mut scope = core.scope().clone();
            scope.me = id;
            core.set_scope(scope);
        }
        let queries = self.core.borrow().load_queries();
        let calls: Array = queries
            .iter()
            .map(|q| JsValue::from(self.rest.list_sessions(query_object(q))))
            .collect();
        let pages = JsFuture::from(Promise::all(&calls)).await?;
        Ok(Array::from(&pages).iter().map(JsJson).collect())
    }

    async fn mark_read(self: Rc<Self>, session_id: JsValue) -> Result<JsValue, JsValue> {
        let Some(id) = js::id_text(&session_id) else {
            return Err(usage("markRead() needs a session id"));
        };
        let Some(ticket) = self.core.borrow_mut().begin_mark_read(&id) else {
            return Err(usage("markRead(): the session is not in the inbox"));
        };
        self.settle(None);
        let outcome = self.mark_unread_messages(&id).await;
        if let Err(error) = &outcome {
            self.core.borrow_mut().mark_read_failed(ticket);
            self.settle(Some(error));
        }
        outcome
    }

    async fn mark_unread_messages(&self, id: &str) -> Result<JsValue, JsValue> {
        let query = js::object(&[
            ("sort", JsValue::from_str("-createdAt")),
            ("limit", JsValue::from_f64(f64::from(MARK_READ_PAGE))),
        ]);
        let page = JsFuture::from(self.rest.session_messages(id.into(), query)).await?;
        let ids = self.core.borrow().messages_to_mark(JsJson(page));
        let calls: Array = ids
            .iter()
            .map(|m| JsValue::from(self.rest.mark_read(m.as_str().into())))
            .collect();
        JsFuture::from(Promise::all(&calls)).await?;
        Ok(JsValue::UNDEFINED)
    }

    async fn refresh_session(self: Rc<Self>, session_id: JsValue) -> Result<JsValue, JsValue> {
        if js::id_text(&session_id).is_none() {
            return Err(usage("refreshSession() needs a session id"));
        }
        let session = JsFuture::from(self.rest.get_session(session_id)).await?;
        self.core.borrow_mut().refreshed(JsJson(session));
        self.settle(None);
        Ok(JsValue::UNDEFINED)
    }

    fn fetch_session(self: &Rc<Self>, id: String) {
        let store = self.clone();
        wasm_bindgen_futures::spawn_local(async move {
            let answer = JsFuture::from(store.rest.get_session(id.as_str().into())).await;
            let cause = match answer {
                Ok(session) => {
                    store.core.borrow_mut().fetched(&id, Some(JsJson(session)));
                    None
                }
                Err(error) if js::get(&error, "status").as_f64() == Some(404.0) => {
                    store.core.borrow_mut().fetched(&id, None);
                    None
                }
                Err(error) => {
                    store.core.borrow_mut().fetch_failed(&id);
                    Some(error)
                }
            };
            store.settle(cause.as_ref());
        });
    }

    // ---- after every change ----

    /// Performs what the reducer asked for, re-arms the typing timer and
    /// schedules one notification. `cause` is the REST error behind a failure.
    fn settle(self: &Rc<Self>, cause: Option<&JsValue>) {
        if self.live.is_freed() {
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
                InboxOutput::FetchSession(id) => self.fetch_session(id),
                InboxOutput::Resync(report) => {
                    self.live.emitter.emit("resync", &report_object(&report));
                }
                InboxOutput::Error(error) => {
                    let rest_failure = error.kind != InboxErrorKind::BadPayload;
                    match cause {
                        Some(cause) if rest_failure => self.live.emitter.emit("error", cause),
                        _ => self.live.emitter.emit("error", &inbox_error(&error)),
                    }
                }
            }
        }
    }
}

impl Snapshots for InboxStore {
    fn version(&self) -> u64 {
        self.core.borrow().version()
    }

    /// A fresh snapshot (the [`Live`] keeps it until the version moves).
    fn build(&self) -> JsValue {
        let core = self.core.borrow();
        let version = core.version();
        let mut rows = self.rows.borrow_mut();
        let held = core.held();
        // The last rows and the held sessions are both in id order: one walk
        // pairs them, and a row whose session has not changed is reused.
        let mut last = std::mem::take(&mut *rows).into_iter().peekable();
        let mut fresh = Vec::with_capacity(held.len());
        for entry in held.by_id() {
            while last.next_if(|row| row.id < entry.id).is_some() {}
            let row = match last.next_if(|row| row.id == entry.id) {
                Some(row) if row.rev == entry.rev => row,
                Some(row) => Row::new(row.id, entry),
                None => Row::new(entry.id.clone(), entry),
            };
            fresh.push(row);
        }
        let sessions = Array::new_with_length(held.len() as u32);
        for (i, position) in held.order().iter().enumerate() {
            if let Some(row) = fresh.get(*position) {
                sessions.set(i as u32, row.object.clone());
            }
        }
        *rows = fresh;
        Object::freeze(&sessions);
        let last_resync = core.last_resync().map_or(JsValue::NULL, report_object);
        let snapshot = js::object(&[
            ("sessions", sessions.into()),
            ("unreadTotal", JsValue::from_f64(core.unread_total() as f64)),
            ("loading", JsValue::from_bool(core.loading())),
            ("lastResync", last_resync),
            ("version", JsValue::from_f64(version as f64)),
        ]);
        let snapshot: Object = snapshot.unchecked_into();
        Object::freeze(&snapshot).into()
    }
}

/// One session object of a snapshot and the entry revision it shows.
struct Row {
    id: String,
    rev: u64,
    object: JsValue,
}

impl Row {
    fn new(id: String, entry: &InboxEntry<JsJson>) -> Row {
        Row {
            id,
            rev: entry.rev,
            object: session_object(entry),
        }
    }
}

/// One `InboxSession`: the server's Session with the live fields laid over it.
fn session_object(entry: &InboxEntry<JsJson>) -> JsValue {
    let text = |t: &Option<String>| t.as_deref().map_or(JsValue::NULL, JsValue::from_str);
    let mut last_message = entry
        .last_message
        .as_ref()
        .map_or(JsValue::NULL, |m| m.0.clone());
    if let (Some(read_at), true) = (&entry.last_message_read_at, last_message.is_object()) {
        let copy = Object::assign(&Object::new(), last_message.unchecked_ref());
        let _ = js_sys::Reflect::set(&copy, &"readAt".into(), &JsValue::from_str(read_at));
        last_message = Object::freeze(&copy).into();
    }
    let overlay = js::object(&[
        ("lastMessage", last_message),
        ("lastMessageCreatedAt", text(&entry.last_message_created_at)),
        (
            "unreadClientMessageCount",
            JsValue::from_f64(f64::from(entry.unread)),
        ),
        ("clientOnlineAt", text(&entry.client_online_at)),
        ("clientOfflineAt", text(&entry.client_offline_at)),
        ("unread", JsValue::from_f64(f64::from(entry.unread))),
        ("typing", JsValue::from_bool(entry.typing)),
        ("clientOnline", JsValue::from_bool(entry.client_online)),
    ]);
    let base = if entry.session.0.is_object() {
        entry.session.0.clone()
    } else {
        Object::new().into()
    };
    let row = Object::assign(&Object::new(), base.unchecked_ref());
    let row = Object::assign(&row, overlay.unchecked_ref());
    Object::freeze(&row).into()
}

/// A `listSessions` query object: `{operatorId?, status?, limit, sort}`.
/// Written field by field: a serde pass would ship a serializer for this
/// one shape.
fn query_object(query: &SessionQuery) -> JsValue {
    let mut fields = Vec::with_capacity(4);
    if let Some(operator_id) = &query.operator_id {
        fields.push(("operatorId", JsValue::from_str(operator_id)));
    }
    if let Some(status) = &query.status {
        fields.push(("status", JsValue::from_str(status)));
    }
    fields.push(("limit", JsValue::from_f64(f64::from(query.limit))));
    fields.push(("sort", JsValue::from_str(query.sort)));
    js::object(&fields)
}

/// A `ResyncReport` as JS (the fields of its `typescript_custom_section`
/// type), written field by field like [`query_object`].
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
        (
            "missedMessages",
            JsValue::from_f64(f64::from(report.missed_messages)),
        ),
    ])
}

/// The `TwinError` of an inbox failure without a REST error behind it.
fn inbox_error(error: &crate::inbox::InboxError) -> JsValue {
    let details = js::object(&[
        (
            "event",
            error.event.map_or(JsValue::NULL, JsValue::from_str),
        ),
        (
            "sessionId",
            error
                .session_id
                .as_deref()
                .map_or(JsValue::NULL, JsValue::from_str),
        ),
    ]);
    JsTwinError::new(0, error.kind.code(), error.kind.message(), &details, false).into()
}

/// The operator's live session list: `panel.inbox`.
///
/// ```js
/// const inbox = panel.inbox;
/// await inbox.load({ status: 'ACTIVE' });
/// const snapshot = useSyncExternalStore(inbox.subscribe, inbox.getSnapshot); // React
/// await inbox.markRead(snapshot.sessions[0].id);
/// ```
#[wasm_bindgen]
pub struct Inbox {
    store: Weak<InboxStore>,
}

#[wasm_bindgen]
impl Inbox {
    /// The store, unless it was freed.
    fn live(&self) -> Option<Rc<InboxStore>> {
        self.store.upgrade().filter(|store| !store.is_freed())
    }
}

#[wasm_bindgen]
impl Inbox {
    /// Ends the store: it follows no more events and notifies no one;
    /// `getSnapshot()` still answers with the last snapshot, and its methods
    /// reject with a `freed` TwinError. Safe at any moment, and twice.
    /// `panel.inbox` then gives a new store.
    #[wasm_bindgen(js_name = __twinFree, skip_typescript)]
    pub fn twin_free(&self) {
        if let Some(store) = self.store.upgrade() {
            store.on_free();
        }
    }

    /// Loads the sessions over REST (`{ status?, limit? }`; `limit` per
    /// query, default 100) and keeps them live from then on. Resolves when the
    /// store holds them; rejects with a `TwinError`, keeping the last good
    /// store, when a call fails.
    #[wasm_bindgen(unchecked_return_type = "Promise<void>")]
    pub fn load(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "InboxLoadOptions")] options: JsValue,
    ) -> Promise {
        match self.live() {
            Some(store) => future_to_promise(store.load(options)),
            None => Promise::reject(&freed("inbox")),
        }
    }

    /// `subscribe(listener) -> unsubscribe`: the listener runs once after each
    /// batch of changes. The same function on every read, usable unbound.
    #[wasm_bindgen(getter, unchecked_return_type = "(listener: () => void) => () => void")]
    pub fn subscribe(&self) -> JsValue {
        self.store
            .upgrade()
            .map_or(JsValue::UNDEFINED, |s| s.live.subscribe())
    }

    /// `getSnapshot() -> InboxSnapshot`: immutable, and the same object until
    /// the store changes. The same function on every read, usable unbound.
    #[wasm_bindgen(
        getter,
        js_name = getSnapshot,
        unchecked_return_type = "() => InboxSnapshot"
    )]
    pub fn get_snapshot(&self) -> JsValue {
        self.store
            .upgrade()
            .map_or(JsValue::UNDEFINED, |s| s.live.get_snapshot())
    }

    /// Marks every unread client message of the session read (REST) and sets
    /// its unread count to 0 at once; the count comes back if a call fails.
    #[wasm_bindgen(js_name = markRead, unchecked_return_type = "Promise<void>")]
    pub fn mark_read(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] session_id: JsValue,
    ) -> Promise {
        match self.live() {
            Some(store) => future_to_promise(store.mark_read(session_id)),
            None => Promise::reject(&freed("inbox")),
        }
    }

    /// Fetches one session again and files it, e.g. after this operator
    /// closed or answered it (the platform does not echo an operator's own
    /// actions back to them).
    #[wasm_bindgen(js_name = refreshSession, unchecked_return_type = "Promise<void>")]
    pub fn refresh_session(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] session_id: JsValue,
    ) -> Promise {
        match self.live() {
            Some(store) => future_to_promise(store.refresh_session(session_id)),
            None => Promise::reject(&freed("inbox")),
        }
    }

    /// Payloads ignored as bad so far (each also fired `error`). Not part of
    /// the snapshot: a bad payload changes nothing there.
    #[wasm_bindgen(getter, js_name = badPayloads)]
    pub fn bad_payloads(&self) -> f64 {
        self.store
            .upgrade()
            .map_or(0.0, |s| s.core.borrow().bad_payloads() as f64)
    }

    /// Adds a listener of `resync` (a `ResyncReport`) or `error` (a
    /// `TwinError`); returns the function that removes it.
    #[wasm_bindgen(skip_typescript)]
    pub fn on(&self, name: JsValue, listener: JsValue) -> Result<JsValue, JsValue> {
        if !matches!(name.as_string().as_deref(), Some("resync" | "error")) {
            return Err(usage("inbox.on(): the events are 'resync' and 'error'"));
        }
        match self.live() {
            Some(store) => store.live.emitter.on(&name, &listener),
            None => Err(freed("inbox")),
        }
    }

    /// Removes a listener added with `on`.
    #[wasm_bindgen(skip_typescript)]
    pub fn off(&self, name: JsValue, listener: JsValue) {
        if let Some(store) = self.store.upgrade() {
            store.live.emitter.off(&name, &listener);
        }
    }
}
