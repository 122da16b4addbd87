//! [`InboxReducer`]: the session store and the reducer that keeps it.

use super::entry::InboxEntry;
use super::fields::{
    page_items, session_first, unread_client_message, MessageFields, PresenceFields, ReadFields,
    SessionFields, TypingFields,
};
use super::pending::Pending;
use super::resync::{diff, ResyncReport};
use super::sessions::Sessions;
use super::sorted::IdSet;
use super::time::{format_ms, parse_ms};
use crate::protocol::JsonEngine;
use serde::Serialize;

/// How long a `typing` event shows, ms, unless another one comes.
pub const TYPING_MS: u64 = 5_000;
/// Sessions per query of a load when `limit` is not given.
pub const DEFAULT_LIMIT: u32 = 100;
/// The sort of every load query: the most recent conversation first.
pub const LOAD_SORT: &str = "-lastMessageCreatedAt";

/// The publications that change the inbox.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InboxEvent {
    /// `chatSessionStarted`: a new session reached the operator (a Session).
    SessionStarted,
    /// `chatSessionAdded`: transferred or added to the operator (a Session).
    SessionAdded,
    /// `operatorNotFound`: nobody took it; it waits in the queue (a Session).
    OperatorNotFound,
    /// `chatSessionSwitchedFromBotToOperator` (a Session, unconfirmed).
    SwitchedFromBotToOperator,
    /// `sessionClosedByClient` (a Session, unconfirmed).
    ClosedByClient,
    /// `chatSessionDeleted`: it left the operator — transferred away, removed,
    /// or closed by another operator (a Session).
    SessionDeleted,
    /// `chatMessageCreated` (a Message).
    MessageCreated,
    /// `chatMessageEdited` (a Message).
    MessageEdited,
    /// `chatMessageRead`: the client read a message.
    MessageRead,
    /// `typing`.
    Typing,
    /// `clientOnline`.
    ClientOnline,
    /// `clientOffline`.
    ClientOffline,
}

impl InboxEvent {
    /// The event a publication name stands for, if the inbox follows it.
    pub fn from_name(name: &str) -> Option<Self> {
        Some(match name {
            "chatSessionStarted" => InboxEvent::SessionStarted,
            "chatSessionAdded" => InboxEvent::SessionAdded,
            "operatorNotFound" => InboxEvent::OperatorNotFound,
            "chatSessionSwitchedFromBotToOperator" => InboxEvent::SwitchedFromBotToOperator,
            "sessionClosedByClient" => InboxEvent::ClosedByClient,
            "chatSessionDeleted" => InboxEvent::SessionDeleted,
            "chatMessageCreated" => InboxEvent::MessageCreated,
            "chatMessageEdited" => InboxEvent::MessageEdited,
            "chatMessageRead" => InboxEvent::MessageRead,
            "typing" => InboxEvent::Typing,
            "clientOnline" => InboxEvent::ClientOnline,
            "clientOffline" => InboxEvent::ClientOffline,
            _ => return None,
        })
    }

    /// The publication name.
    pub fn name(self) -> &'static str {
        match self {
            InboxEvent::SessionStarted => "chatSessionStarted",
            InboxEvent::SessionAdded => "chatSessionAdded",
            InboxEvent::OperatorNotFound => "operatorNotFound",
            InboxEvent::SwitchedFromBotToOperator => "chatSessionSwitchedFromBotToOperator",
            InboxEvent::ClosedByClient => "sessionClosedByClient",
            InboxEvent::SessionDeleted => "chatSessionDeleted",
            InboxEvent::MessageCreated => "chatMessageCreated",
            InboxEvent::MessageEdited => "chatMessageEdited",
            InboxEvent::MessageRead => "chatMessageRead",
            InboxEvent::Typing => "typing",
            InboxEvent::ClientOnline => "clientOnline",
            InboxEvent::ClientOffline => "clientOffline",
        }
    }

    /// The payload is a whole Session.
    pub fn carries_session(self) -> bool {
        matches!(
            self,
            InboxEvent::SessionStarted
                | InboxEvent::SessionAdded
                | InboxEvent::OperatorNotFound
                | InboxEvent::SwitchedFromBotToOperator
                | InboxEvent::ClosedByClient
                | InboxEvent::SessionDeleted
        )
    }
}

/// Which sessions the inbox holds.
///
/// With `me` (the operator's id) it holds, like the operator's own list: the
/// sessions `me` takes part in (`operatorId` or `operators`), and the queue —
/// open sessions without any operator that the bot is not answering. Without
/// `me` it holds whatever the events and the load bring. `status`, when set,
/// keeps only sessions with that status.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InboxScope {
    /// The operator's id.
    pub me: Option<String>,
    /// Only sessions with this `status`.
    pub status: Option<String>,
    /// Sessions per load query; `None` is [`DEFAULT_LIMIT`]. It bounds the
    /// load only: live events may add more.
    pub limit: Option<u32>,
}

/// One `listSessions` query of a load.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SessionQuery {
    /// Sessions this operator takes part in.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub operator_id: Option<String>,
    /// Sessions with this status.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// Page size.
    pub limit: u32,
    /// Always [`LOAD_SORT`].
    pub sort: &'static str,
}

/// What went wrong, for the `error` event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InboxErrorKind {
    /// A payload without an id, or with fields of the wrong type. Ignored.
    BadPayload,
    /// `load()` failed; the last good store stays.
    LoadFailed,
    /// The REST load of a resync failed; the last good store stays.
    ResyncFailed,
    /// Fetching an unknown session failed; its events wait for the next try.
    FetchFailed,
    /// `markRead()` failed; the unread count was restored.
    MarkReadFailed,
}

impl InboxErrorKind {
    /// A stable code.
    pub fn code(self) -> &'static str {
        match self {
            InboxErrorKind::BadPayload => "inboxBadPayload",
            InboxErrorKind::LoadFailed => "inboxLoadFailed",
            InboxErrorKind::ResyncFailed => "inboxResyncFailed",
            InboxErrorKind::FetchFailed => "inboxFetchFailed",
            InboxErrorKind::MarkReadFailed => "inboxMarkReadFailed",
        }
    }

    /// A sentence for people.
    pub fn message(self) -> &'static str {
        match self {
            InboxErrorKind::BadPayload => {
                "inbox: an event without an id or with fields of the wrong type was ignored"
            }
            InboxErrorKind::LoadFailed => "inbox: loading the sessions failed",
            InboxErrorKind::ResyncFailed => {
                "inbox: reloading the sessions after a lost stream failed"
            }
            InboxErrorKind::FetchFailed => "inbox: fetching a session named by an event failed",
            InboxErrorKind::MarkReadFailed => "inbox: marking the session read failed",
        }
    }
}

/// An error the host reports through `error`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InboxError {
    /// What failed.
    pub kind: InboxErrorKind,
    /// The publication, for a bad payload.
    pub event: Option<&'static str>,
    /// The session, when known.
    pub session_id: Option<String>,
}

/// What the host must do after a call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InboxOutput {
    /// Fetch this session (`getSession`) and hand the answer to
    /// [`InboxReducer::fetched`] or [`InboxReducer::fetch_failed`]. Asked once per id
    /// until then.
    FetchSession(String),
    /// Report this error.
    Error(InboxError),
    /// A resync finished: fire `resync` with this report.
    Resync(ResyncReport),
}

/// A load in flight.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoadKind {
    /// `load()`.
    Initial,
    /// A resync after the stream was lost for `reason`.
    Resync {
        /// As the transport said it.
        reason: String,
    },
}

/// Returned by [`InboxReducer::begin_mark_read`]; hand it back on failure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MarkReadTicket {
    /// The session.
    pub session_id: String,
    /// Its unread count before.
    pub previous: u32,
    epoch: u64,
}

/// Something to apply once the store is loaded.
#[derive(Debug, Clone)]
enum Deferred<V> {
    Event(InboxEvent, V, u64),
    /// A Session from REST; `true` when the host asked for it (authoritative).
    Fetched(V, bool),
}

/// The operator's live session store.
///
/// Pure: publications, REST answers and "now" (Unix ms) go in; the sorted
/// sessions, a version, and [`InboxOutput`]s (fetches to make, errors,
/// resync reports) come out. Every change bumps [`InboxReducer::version`] and sets
/// the dirty flag, so the host notifies once per batch.
///
/// ```text
/// let mut inbox = InboxReducer::new(engine);
/// inbox.apply("chatSessionStarted", session, now);   // publications
/// for output in inbox.take_outputs() { … }           // fetches, errors, reports
/// if inbox.take_dirty() { notify_once_this_microtask() }
/// for entry in inbox.sessions() { … }                // newest first
/// ```
#[derive(Debug)]
pub struct InboxReducer<J: JsonEngine> {
    json: J,
    scope: InboxScope,
    entries: Sessions<J::Value>,
    /// Events for sessions being fetched, in arrival order.
    pending: Pending<J::Value>,
    fetching: IdSet,
    /// Held sessions fetched again (a message [`on_message`] is unsure
    /// about): their message events wait for the answer.
    refetching: IdSet,
    /// Sessions known to be out of scope: their non-session events are ignored
    /// until a session event brings them back.
    outside: IdSet,
    loading: Option<(u64, LoadKind)>,
    load_generation: u64,
    /// What arrived while loading, applied after the load.
    deferred: Vec<Deferred<J::Value>>,
    version: u64,
    dirty: bool,
    bad_payloads: u64,
    dropped_events: u64,
    last_resync: Option<ResyncReport>,
    outputs: Vec<InboxOutput>,
}

impl<J: JsonEngine> InboxReducer<J> {
    /// An empty store.
    pub fn new(json: J) -> Self {
        InboxReducer {
            json,
            scope: InboxScope::default(),
            entries: Sessions::default(),
            pending: Pending::default(),
            fetching: IdSet::default(),
            refetching: IdSet::default(),
            outside: IdSet::default(),
            loading: None,
            load_generation: 0,
            deferred: Vec::new(),
            version: 0,
            dirty: false,
            bad_payloads: 0,
            dropped_events: 0,
            last_resync: None,
            outputs: Vec::new(),
        }
    }

    // ---- reading ----

    /// Bumped by every change.
    pub fn version(&self) -> u64 {
        self.version
    }

    /// Whether anything changed since the last call; clears the flag.
    pub fn take_dirty(&mut self) -> bool {
        std::mem::take(&mut self.dirty)
    }

    /// The held sessions, newest activity first (ties by id).
    pub fn sessions(&self) -> Vec<&InboxEntry<J::Value>> {
        self.entries.in_order().collect()
    }

    /// The held sessions, by id and in list order (what a snapshot walks).
    pub fn held(&self) -> &Sessions<J::Value> {
        &self.entries
    }

    /// One held session.
    pub fn get(&self, id: &str) -> Option<&InboxEntry<J::Value>> {
        self.entries.get(id)
    }

    /// Unread client messages over every held open session.
    pub fn unread_total(&self) -> u64 {
        self.entries
            .by_id()
            .iter()
            .map(|e| u64::from(e.unread))
            .sum()
    }

    /// A load or resync is in flight.
    pub fn loading(&self) -> bool {
        self.loading.is_some()
    }

    /// The last resync report.
    pub fn last_resync(&self) -> Option<&ResyncReport> {
        self.last_resync.as_ref()
    }

    /// Payloads ignored as bad so far.
    pub fn bad_payloads(&self) -> u64 {
        self.bad_payloads
    }

    /// Events dropped because too many waited for one unknown session.
    pub fn dropped_events(&self) -> u64 {
        self.dropped_events
    }

    /// The scope.
    pub fn scope(&self) -> &InboxScope {
        &self.scope
    }

    /// Ids with events waiting for a fetch.
    pub fn pending_ids(&self) -> impl Iterator<Item = &str> {
        self.pending.ids()
    }

    /// True while a held session is fetched again (see [`InboxOutput::FetchSession`]):
    /// its message events wait for the answer.
    pub fn refetching(&self, id: &str) -> bool {
        self.refetching.contains(id)
    }

    /// What the host must do now; empties the list.
    pub fn take_outputs(&mut self) -> Vec<InboxOutput> {
        std::mem::take(&mut self.outputs)
    }

    /// The next time [`InboxReducer::tick`] has something to do (a typing indicator
    /// to turn off).
    pub fn next_deadline(&self) -> Option<u64> {
        self.entries
            .by_id()
            .iter()
            .filter_map(|e| e.typing_until)
            .min()
    }

    // ---- loading ----

    /// Sets which sessions the store holds (takes effect with the next load).
    pub fn set_scope(&mut self, scope: InboxScope) {
        self.scope = scope;
    }

    /// The `listSessions` queries of a load: with `me`, this operator's
    /// sessions and the open ones (for the queue); without, one query.
    pub fn load_queries(&self) -> Vec<SessionQuery> {
        let limit = self.scope.limit.unwrap_or(DEFAULT_LIMIT);
        let status = self.scope.status.clone();
        match &self.scope.me {
            None => vec![SessionQuery {
                operator_id: None,
                status,
                limit,
                sort: LOAD_SORT,
            }],
            Some(me) => {
                let mut queries = vec![SessionQuery {
                    operator_id: Some(me.clone()),
                    status: status.clone(),
                    limit,
                    sort: LOAD_SORT,
                }];
                if status.as_deref() != Some("CLOSED") {
                    queries.push(SessionQuery {
                        operator_id: None,
                        status: Some(status.unwrap_or_else(|| "ACTIVE".to_owned())),
                        limit,
                        sort: LOAD_SORT,
                    });
                }
                queries
            }
        }
    }

    /// A load starts; returns its generation. Events that arrive until it
    /// ends are applied after it, on top of the fresh store.
    pub fn begin_load(&mut self, kind: LoadKind) -> u64 {
        self.load_generation += 1;
        self.loading = Some((self.load_generation, kind));
        self.bump();
        self.load_generation
    }

    /// The answers of [`InboxReducer::load_queries`] (`{count, items}` each) for load
    /// `generation`; `at` is the wall clock, `now` the clock of `typing`.
    /// A stale generation is ignored. A page of the wrong shape fails the load.
    pub fn finish_load(&mut self, generation: u64, pages: Vec<J::Value>, now: u64, at: u64) {
        let Some((current, kind)) = self.loading.clone() else {
            return;
        };
        if current != generation {
            return;
        }
        let mut items = Vec::new();
        for page in pages {
            match page_items(&self.json, page) {
                Ok(page) => items.extend(page),
                Err(_) => return self.fail_load(generation),
            }
        }
        let mut list = Vec::with_capacity(items.len());
        for item in items {
            match self.entry_from_session(item) {
                Some(entry) if self.holds(&entry) => list.push(entry),
                Some(_) => {}
                None => self.bad(None),
            }
        }
        // Of a session in both queries' answers, the later one is kept.
        let mut fresh = Sessions::from_list(list);
        self.loading = None;
        if let LoadKind::Resync { reason } = &kind {
            let report = diff(reason, at, &self.entries, &fresh);
            self.last_resync = Some(report.clone());
            self.outputs.push(InboxOutput::Resync(report));
        }
        // Typing is not in the REST object: keep what is still showing.
        for entry in fresh.iter_mut() {
            if let Some(old) = self.entries.get(&entry.id) {
                if old.typing && !entry.is_closed() {
                    entry.typing = true;
                    entry.typing_until = old.typing_until;
                }
            }
        }
        self.entries = fresh;
        self.outside.clear();
        self.version += 1;
        for entry in self.entries.iter_mut() {
            entry.rev = self.version;
        }
        self.dirty = true;
        self.after_load(now);
    }

    /// Load `generation` failed: the store stays as it was, `loading` ends,
    /// and what arrived meanwhile is applied.
    pub fn fail_load(&mut self, generation: u64) {
        let Some((current, kind)) = self.loading.clone() else {
            return;
        };
        if current != generation {
            return;
        }
        self.loading = None;
        let kind = match kind {
            LoadKind::Initial => InboxErrorKind::LoadFailed,
            LoadKind::Resync { .. } => InboxErrorKind::ResyncFailed,
        };
        self.outputs.push(InboxOutput::Error(InboxError {
            kind,
            event: None,
            session_id: None,
        }));
        self.bump();
        self.after_load(0);
    }

    fn after_load(&mut self, now: u64) {
        for deferred in std::mem::take(&mut self.deferred) {
            match deferred {
                Deferred::Event(event, payload, at) => self.apply_event(event, payload, at, true),
                Deferred::Fetched(session, own) => self.apply_fetched(session, own),
            }
        }
        // Events that waited for a fetch: the fresh store may hold their session.
        let waiting: Vec<String> = self.pending.ids().map(str::to_owned).collect();
        for id in waiting {
            if self.entries.contains(&id) {
                self.refetching.remove(&id);
                self.replay_pending(&id);
            } else if self.fetching.insert(&id) {
                self.outputs.push(InboxOutput::FetchSession(id));
            }
        }
        if now > 0 {
            self.tick(now);
        }
    }

    /// Empties the store (logout, `free()`).
    pub fn clear(&mut self) {
        self.entries.clear();
        self.pending.clear();
        self.fetching.clear();
        self.refetching.clear();
        self.outside.clear();
        self.deferred.clear();
        self.loading = None;
        self.last_resync = None;
        self.bump();
    }

    // ---- events ----

    /// Applies one publication. Returns false when the inbox does not follow
    /// `event` (nothing happens then).
    ///
    /// An event of a session is read no further than its session id unless
    /// the store holds that session: one of a session out of scope is
    /// dropped unread, one of a session not held yet waits for its fetch
    /// unread (a typing event's author is read too: it decides the fetch).
    /// A field that does not read is reported when it is read.
    pub fn apply(&mut self, event: &str, payload: J::Value, now: u64) -> bool {
        let Some(event) = InboxEvent::from_name(event) else {
            return false;
        };
        if self.loading.is_some() {
            self.deferred.push(Deferred::Event(event, payload, now));
        } else {
            self.apply_event(event, payload, now, false);
        }
        true
    }

    /// `replay`: the event waited (for a fetch or a load) while the server
    /// answered with an object that may already include it.
    fn apply_event(&mut self, event: InboxEvent, payload: J::Value, now: u64, replay: bool) {
        if event.carries_session() {
            return self.on_session(event, payload);
        }
        match event {
            InboxEvent::MessageCreated => self.on_message(payload, now, replay),
            InboxEvent::MessageEdited => self.on_edit(payload, now),
            InboxEvent::MessageRead => self.on_read(payload, now),
            InboxEvent::Typing => self.on_typing(payload, now),
            InboxEvent::ClientOnline => self.on_presence(payload, true, now),
            InboxEvent::ClientOffline => self.on_presence(payload, false, now),
            _ => {}
        }
    }

    fn on_session(&mut self, event: InboxEvent, payload: J::Value) {
        let Some(entry) = self.entry_from_session(payload) else {
            return self.bad(Some(event));
        };
        if event == InboxEvent::SessionDeleted && self.scope.me.is_none() {
            // Without `me` the payload cannot tell whether the session is still
            // ours; the event says it left us.
            let id = entry.id;
            self.pending.take(&id);
            self.refetching.remove(&id);
            self.outside.insert(&id);
            if self.entries.remove(&id).is_some() {
                self.bump();
            }
            return;
        }
        self.upsert(entry, false);
    }

    fn on_message(&mut self, payload: J::Value, now: u64, replay: bool) {
        let Some(fields) = self.message_of(InboxEvent::MessageCreated, &payload, now) else {
            return;
        };
        let session_id = fields.session_id;
        let Some(entry) = self.entries.get_mut(&session_id) else {
            return;
        };
        if entry.has_seen(&fields.id) {
            return; // delivered twice
        }
        entry.remember(&fields.id);
        let created = fields.created_at.as_deref().and_then(parse_ms);
        let from_client = fields.author_type.as_deref() == Some("CLIENT");
        // Messages before the last one of the server's own object are in its
        // unread count already. The platform's stamps may be whole seconds:
        // a message of the same second is taken as included only when it
        // waited while the object was fetched (a live one is newer).
        let counted_by_server = match (created, entry.server_message_ms) {
            (Some(created), Some(server)) => created < server || (replay && created == server),
            _ => false,
        };
        // A live client message of that very second, other than the object's
        // own last message (which `has_seen` knows): written before the
        // object was read, or after it, in the same second. A late one (a
        // stream recovered after a silent server) is the first kind, a
        // fresh one the second: no rule tells them apart, so the server
        // decides. The unread count waits for the row fetched again.
        let unsure = from_client
            && fields.read_at.is_none()
            && !replay
            && created.is_some()
            && created == entry.server_message_ms;
        let is_latest = match (created, entry.last_message_ms) {
            (Some(created), Some(last)) => created >= last,
            _ => true,
        };
        let mut changed = false;
        if from_client
            && fields.read_at.is_none()
            && !counted_by_server
            && !unsure
            && !entry.is_closed()
        {
            entry.unread = entry.unread.saturating_add(1);
            changed = true;
        }
        if from_client && entry.typing {
            entry.typing = false;
            entry.typing_until = None;
            changed = true;
        }
        if is_latest && !counted_by_server {
            let ms = created.unwrap_or(now as i64);
            entry.last_message = Some(payload);
            entry.last_message_id = Some(fields.id);
            entry.last_message_read_at = None;
            entry.last_message_created_at =
                Some(fields.created_at.unwrap_or_else(|| format_ms(ms)));
            entry.last_message_ms = Some(ms);
            changed = true;
        }
        if changed {
            // The last activity may have moved: the row moves up the list.
            self.entries.reposition(&session_id);
            self.touch(&session_id);
        }
        if unsure {
            self.refetching.insert(&session_id);
            if self.fetching.insert(&session_id) {
                self.outputs.push(InboxOutput::FetchSession(session_id));
            }
        }
    }

    fn on_edit(&mut self, payload: J::Value, now: u64) {
        let Some(fields) = self.message_of(InboxEvent::MessageEdited, &payload, now) else {
            return;
        };
        // Only the row's last message shows: an older one's edit changes nothing.
        let edits_last = |entry: &&mut InboxEntry<J::Value>| {
            entry.last_message_id.as_deref() == Some(fields.id.as_str())
        };
        if let Some(entry) = self.entries.get_mut(&fields.session_id).filter(edits_last) {
            entry.last_message = Some(payload);
            if fields.read_at.is_some() {
                entry.last_message_read_at = None;
            }
            self.touch(&fields.session_id);
        }
    }

    fn on_read(&mut self, payload: J::Value, now: u64) {
        let event = InboxEvent::MessageRead;
        let fields = match session_first(&self.json, payload.clone()) {
            Ok((_, Some(id))) if !self.entries.contains(&id) => {
                return self.unknown(id, event, payload, now);
            }
            Ok((read, session_id)) => ReadFields::rest(read, session_id),
            Err(error) => Err(error),
        };
        let Ok(fields) = fields else {
            return self.bad(Some(event));
        };
        let session_id = fields.session_id;
        let Some(entry) = self.entries.get_mut(&session_id) else {
            return;
        };
        if entry.last_message_id.as_deref() != Some(fields.message_id.as_str()) {
            return; // an older message: the row does not show it
        }
        let read_at = fields.read_at.unwrap_or_else(|| format_ms(now as i64));
        if entry.last_message_read_at.is_none() {
            entry.last_message_read_at = Some(read_at);
            self.touch(&session_id);
        }
    }

    fn on_typing(&mut self, payload: J::Value, now: u64) {
        let event = InboxEvent::Typing;
        // The author decides whether a session not held is fetched: it is
        // read unless the session is known to be out of scope.
        let fields = match session_first(&self.json, payload.clone()) {
            Ok((_, Some(id))) if self.outside.contains(&id) && !self.entries.contains(&id) => {
                return;
            }
            Ok((typing, session_id)) => TypingFields::rest(typing, session_id),
            Err(error) => Err(error),
        };
        let Ok(fields) = fields else {
            return self.bad(Some(event));
        };
        if fields
            .author_type
            .as_deref()
            .is_some_and(|author| author != "CLIENT")
        {
            return; // another operator typing: not the row's indicator
        }
        let session_id = fields.session_id;
        let Some(entry) = self.entries.get_mut(&session_id) else {
            return self.unknown(session_id, event, payload, now);
        };
        if entry.is_closed() {
            return;
        }
        entry.typing_until = Some(now + TYPING_MS);
        if !entry.typing {
            entry.typing = true;
            self.touch(&session_id);
        }
    }

    fn on_presence(&mut self, payload: J::Value, online: bool, now: u64) {
        let event = if online {
            InboxEvent::ClientOnline
        } else {
            InboxEvent::ClientOffline
        };
        let fields = match session_first(&self.json, payload.clone()) {
            Ok((_, Some(id))) if !self.entries.contains(&id) => {
                return self.unknown(id, event, payload, now);
            }
            Ok((presence, session_id)) => PresenceFields::rest(presence, session_id),
            Err(error) => Err(error),
        };
        let Ok(fields) = fields else {
            return self.bad(Some(event));
        };
        let at = fields.at.unwrap_or_else(|| format_ms(now as i64));
        let targets: Vec<String> = match fields.session_id {
            Some(session_id) => vec![session_id],
            // No session: the client is named (the payload is bad otherwise).
            None => self
                .entries
                .by_id()
                .iter()
                .filter(|e| e.client_id.is_some() && e.client_id == fields.client_id)
                .map(|e| e.id.clone())
                .collect(),
        };
        for id in targets {
            let Some(entry) = self.entries.get_mut(&id) else {
                continue;
            };
            let stamp = if online {
                &mut entry.client_online_at
            } else {
                &mut entry.client_offline_at
            };
            if is_newer(Some(&at), stamp.as_deref()) {
                *stamp = Some(at.clone());
                entry.update_client_online();
                self.touch(&id);
            }
        }
    }

    /// Turns off typing indicators whose time is up.
    pub fn tick(&mut self, now: u64) {
        let expired: Vec<String> = self
            .entries
            .by_id()
            .iter()
            .filter(|e| e.typing_until.is_some_and(|until| until <= now))
            .map(|e| e.id.clone())
            .collect();
        for id in expired {
            if let Some(entry) = self.entries.get_mut(&id) {
                entry.typing = false;
                entry.typing_until = None;
            }
            self.touch(&id);
        }
    }

    // ---- fetches ----

    /// The answer to [`InboxOutput::FetchSession`]: the Session, or `None`
    /// when the server does not know it (404).
    pub fn fetched(&mut self, id: &str, session: Option<J::Value>) {
        self.fetching.remove(id);
        self.refetching.remove(id);
        match session {
            None => {
                self.pending.take(id);
                self.outside.insert(id);
            }
            Some(session) if self.loading.is_some() => {
                self.deferred.push(Deferred::Fetched(session, false))
            }
            Some(session) => self.apply_fetched(session, false),
        }
    }

    /// A Session the host fetched on its own (after an action of this
    /// operator, which the platform does not echo back): applied like a
    /// fetch answer.
    pub fn refreshed(&mut self, session: J::Value) {
        if self.loading.is_some() {
            self.deferred.push(Deferred::Fetched(session, true));
        } else {
            self.apply_fetched(session, true);
        }
    }

    fn apply_fetched(&mut self, session: J::Value, authoritative: bool) {
        match self.entry_from_session(session) {
            Some(entry) => self.upsert(entry, authoritative),
            None => self.bad(None),
        }
    }

    /// The fetch of `id` failed: the events of a session not held keep
    /// waiting (the next event for it, or the next load, fetches again);
    /// those of a held one fetched again apply now, as they came.
    pub fn fetch_failed(&mut self, id: &str) {
        self.fetching.remove(id);
        if self.refetching.remove(id) && self.entries.contains(id) {
            for (event, payload, at) in self.pending.take(id) {
                self.apply_event(event, payload, at, false);
            }
        }
        self.outputs.push(InboxOutput::Error(InboxError {
            kind: InboxErrorKind::FetchFailed,
            event: None,
            session_id: Some(id.to_owned()),
        }));
    }

    /// A message event's fields, when it applies now. Its session id is
    /// read first: the event of a session not held, or fetched again, waits
    /// for that session's fetch unread (it is read when it replays, and
    /// dropped unread when the session turns out to be out of scope). A
    /// payload whose fields do not read is reported as bad. Either way:
    /// `None`.
    fn message_of(
        &mut self,
        event: InboxEvent,
        payload: &J::Value,
        now: u64,
    ) -> Option<MessageFields> {
        let fields = match session_first(&self.json, payload.clone()) {
            Ok((_, Some(id))) if !self.entries.contains(&id) || self.refetching.contains(&id) => {
                self.unknown(id, event, payload.clone(), now);
                return None;
            }
            Ok((message, session_id)) => MessageFields::rest(message, session_id),
            Err(error) => Err(error),
        };
        if fields.is_err() {
            self.bad(Some(event));
        }
        fields.ok()
    }

    fn unknown(&mut self, id: String, event: InboxEvent, payload: J::Value, now: u64) {
        if self.outside.contains(&id) {
            return;
        }
        if self.pending.push(&id, (event, payload, now)) {
            self.dropped_events += 1;
        }
        if self.fetching.insert(&id) {
            self.outputs.push(InboxOutput::FetchSession(id));
        }
    }

    fn replay_pending(&mut self, id: &str) {
        for (event, payload, at) in self.pending.take(id) {
            self.apply_event(event, payload, at, true);
        }
    }

    // ---- markRead ----

    /// Sets the session's unread count to 0 before the REST calls. `None`
    /// when the session is not held.
    pub fn begin_mark_read(&mut self, id: &str) -> Option<MarkReadTicket> {
        let entry = self.entries.get_mut(id)?;
        let ticket = MarkReadTicket {
            session_id: id.to_owned(),
            previous: entry.unread,
            epoch: entry.unread_epoch,
        };
        if entry.unread > 0 {
            entry.unread = 0;
            self.touch(id);
        }
        Some(ticket)
    }

    /// The REST calls failed: the unread messages count again (unless a
    /// fresher count came from the server meanwhile).
    pub fn mark_read_failed(&mut self, ticket: MarkReadTicket) {
        self.outputs.push(InboxOutput::Error(InboxError {
            kind: InboxErrorKind::MarkReadFailed,
            event: None,
            session_id: Some(ticket.session_id.clone()),
        }));
        let Some(entry) = self.entries.get_mut(&ticket.session_id) else {
            return;
        };
        if entry.unread_epoch == ticket.epoch && ticket.previous > 0 {
            entry.unread = entry.unread.saturating_add(ticket.previous);
            self.touch(&ticket.session_id);
        }
    }

    /// The ids to mark read in a page of a session's messages: client
    /// messages without `readAt` (messages that do not read are skipped).
    pub fn messages_to_mark(&self, page: J::Value) -> Vec<String> {
        let Ok(items) = page_items(&self.json, page) else {
            return Vec::new();
        };
        items
            .into_iter()
            .filter_map(|item| unread_client_message(&self.json, item).ok().flatten())
            .collect()
    }

    // ---- helpers ----

    fn bump(&mut self) {
        self.version += 1;
        self.dirty = true;
    }

    fn touch(&mut self, id: &str) {
        self.bump();
        if let Some(entry) = self.entries.get_mut(id) {
            entry.rev = self.version;
        }
    }

    fn bad(&mut self, event: Option<InboxEvent>) {
        self.bad_payloads += 1;
        self.outputs.push(InboxOutput::Error(InboxError {
            kind: InboxErrorKind::BadPayload,
            event: event.map(InboxEvent::name),
            session_id: None,
        }));
    }

    /// Whether the scope holds a session in this state.
    fn holds(&self, entry: &InboxEntry<J::Value>) -> bool {
        if let Some(status) = &self.scope.status {
            if entry.status.as_deref() != Some(status.as_str()) {
                return false;
            }
        }
        let Some(me) = &self.scope.me else {
            return true;
        };
        let mine = entry.operator_id.as_deref() == Some(me.as_str())
            || entry.operator_ids.iter().any(|id| id == me);
        let queued = !entry.is_closed()
            && entry.operator_id.is_none()
            && entry.operator_ids.is_empty()
            && entry.bot_status.as_deref() != Some("ACTIVE");
        mine || queued
    }

    /// Adds or replaces a session from a whole Session object.
    /// `authoritative`: the host fetched it just now for its own reasons, so
    /// it wins even where it looks older (a deleted last message moves the
    /// object's last message back).
    fn upsert(&mut self, mut entry: InboxEntry<J::Value>, authoritative: bool) {
        let id = entry.id.clone();
        self.outside.remove(&id);
        if !self.holds(&entry) {
            self.pending.take(&id);
            self.refetching.remove(&id);
            self.outside.insert(&id);
            if self.entries.remove(&id).is_some() {
                self.bump();
            }
            return;
        }
        if let Some(old) = self.entries.get(&id) {
            let same_object = self.json.write(&old.session) == self.json.write(&entry.session);
            let old_is_newer = !authoritative
                && match (old.last_message_ms, entry.last_message_ms) {
                    (Some(old_ms), Some(new_ms)) => old_ms > new_ms,
                    (Some(_), None) => true,
                    _ => false,
                };
            if !authoritative && (old_is_newer || same_object) {
                // The object is older than events already applied (a fetch
                // answered late) or the same again: keep the newer message state.
                entry.last_message = old.last_message.clone();
                entry.last_message_id = old.last_message_id.clone();
                entry.last_message_read_at = old.last_message_read_at.clone();
                entry.last_message_created_at = old.last_message_created_at.clone();
                entry.last_message_ms = old.last_message_ms;
                entry.server_message_ms = old.server_message_ms.max(entry.server_message_ms);
                if !entry.is_closed() {
                    entry.unread = old.unread;
                }
                entry.unread_epoch = old.unread_epoch;
            } else {
                entry.unread_epoch = old.unread_epoch + 1;
            }
            if is_newer(
                old.client_online_at.as_deref(),
                entry.client_online_at.as_deref(),
            ) {
                entry.client_online_at = old.client_online_at.clone();
            }
            if is_newer(
                old.client_offline_at.as_deref(),
                entry.client_offline_at.as_deref(),
            ) {
                entry.client_offline_at = old.client_offline_at.clone();
            }
            entry.update_client_online();
            if !entry.is_closed() {
                entry.typing = old.typing;
                entry.typing_until = old.typing_until;
            }
            entry.copy_seen(old);
            if same_object && entry.same_row(old) {
                self.replay_pending(&id);
                return;
            }
        }
        self.version += 1;
        entry.rev = self.version;
        self.dirty = true;
        self.entries.insert(entry);
        self.replay_pending(&id);
    }

    /// Reads a Session into a fresh entry; `None` when the payload is bad.
    fn entry_from_session(&self, value: J::Value) -> Option<InboxEntry<J::Value>> {
        let fields = SessionFields::read(&self.json, value.clone()).ok()?;
        let mut entry = InboxEntry::new(fields.id, value);
        let last_created = fields.last_message_created_at.or(fields.last_message_at);
        entry.last_message_id = fields.last_message_id;
        entry.last_message = fields.last_message;
        entry.last_message_ms = last_created.as_deref().and_then(parse_ms);
        entry.server_message_ms = entry.last_message_ms;
        entry.last_message_created_at = last_created;
        entry.started_ms = fields.started_at.as_deref().and_then(parse_ms);
        entry.status = fields.status;
        entry.bot_status = fields.bot_status;
        entry.operator_id = fields.operator_id;
        entry.operator_ids = fields.operator_ids;
        entry.name = fields.name;
        entry.client_id = fields.client_id;
        entry.client_online_at = fields.client_online_at;
        entry.client_offline_at = fields.client_offline_at;
        entry.unread = if entry.is_closed() {
            0 // a closed chat cannot be answered: its count means nothing
        } else {
            fields
                .unread_client_message_count
                .unwrap_or(0)
                .clamp(0, i64::from(u32::MAX)) as u32
        };
        entry.update_client_online();
        Some(entry)
    }
}

/// `a` is a later date-time than `b` (an unreadable or absent `b` is older).
fn is_newer(a: Option<&str>, b: Option<&str>) -> bool {
    let ms = |t: Option<&str>| t.and_then(parse_ms);
    match (ms(a), ms(b)) {
        (Some(a), Some(b)) => a > b,
        (Some(_), None) => true,
        _ => false,
    }
}
