//! [`Conversation`]: one session's messages and the reducer that keeps them.

use super::fields::{page, MessageFacts, ReadFacts, TypingFacts};
use super::item::{Item, Status};
use crate::inbox::sorted::{find, sort_positions};
use crate::inbox::time::{format_ms, parse_ms};
use crate::protocol::json_engine::{JsonEngine, JsonError};
use crate::text::{concat, decimal};

/// How long the other side's `typing` shows, ms, unless another one comes.
pub const TYPING_MS: u64 = 5_000;
/// The least time between two typing signals this side sends, ms: the other
/// side's indicator lasts a few seconds, so one signal every two keeps it on.
pub const TYPING_EVERY_MS: u64 = 2_000;
/// Messages per page when `limit` is not given.
pub const DEFAULT_LIMIT: u32 = 20;
/// The sort of every page: oldest first, so that an offset counts from the
/// oldest message and stays valid while new ones arrive (`-createdAt` would
/// shift with every new message; and `createdAt` has whole seconds, so only
/// one direction keeps ties in one order from page to page).
pub const LOAD_SORT: &str = "createdAt";
/// Echoes of own messages held back while sends wait for their answers.
const MAX_PARKED: usize = 64;

/// Which side of the chat the store serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// The operator (`panel.conversation`): own messages are `OPERATOR`
    /// ones; the client's are read, counted unread and typed.
    Operator,
    /// The visitor (`widget.conversation`): own messages are `CLIENT` ones;
    /// the operator's and the bot's are read, counted unread and typed.
    /// Events need not name the session (the widget's socket is the
    /// session's).
    Visitor,
}

impl Side {
    /// `authorType` of this side's own messages.
    pub fn own_author(self) -> &'static str {
        match self {
            Side::Operator => "OPERATOR",
            Side::Visitor => "CLIENT",
        }
    }

    /// A message by `author` is the other side's (unread until read).
    pub fn from_other(self, author: Option<&str>) -> bool {
        match self {
            Side::Operator => author == Some("CLIENT"),
            Side::Visitor => author.is_some_and(|a| a != "CLIENT"),
        }
    }

    /// A typing signal by `author` is the other side's (an absent author
    /// counts as the other side).
    fn typing_from_other(self, author: Option<&str>) -> bool {
        author.is_none() || self.from_other(author)
    }
}

/// The live events a conversation follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConversationEvent {
    /// A message was written (appended once, by id).
    Created,
    /// A message was edited (replaced, by id).
    Edited,
    /// The other side read a message (`readAt`).
    Read,
    /// Someone types.
    Typing,
}

impl ConversationEvent {
    /// The event a panel publication stands for.
    pub fn of_panel(name: &str) -> Option<Self> {
        Some(match name {
            "chatMessageCreated" => ConversationEvent::Created,
            "chatMessageEdited" => ConversationEvent::Edited,
            "chatMessageRead" => ConversationEvent::Read,
            "typing" => ConversationEvent::Typing,
            _ => return None,
        })
    }

    /// The event a widget socket event stands for.
    pub fn of_widget(name: &str) -> Option<Self> {
        Some(match name {
            "chatMessageCreatedEmit" => ConversationEvent::Created,
            "chatMessageReadEmit" => ConversationEvent::Read,
            "showTypingIndicatorEmit" => ConversationEvent::Typing,
            _ => return None,
        })
    }

    /// The name on `side`, for error details.
    pub fn name(self, side: Side) -> &'static str {
        match (self, side) {
            (ConversationEvent::Created, Side::Operator) => "chatMessageCreated",
            (ConversationEvent::Edited, _) => "chatMessageEdited",
            (ConversationEvent::Read, Side::Operator) => "chatMessageRead",
            (ConversationEvent::Typing, Side::Operator) => "typing",
            (ConversationEvent::Created, Side::Visitor) => "chatMessageCreatedEmit",
            (ConversationEvent::Read, Side::Visitor) => "chatMessageReadEmit",
            (ConversationEvent::Typing, Side::Visitor) => "showTypingIndicatorEmit",
        }
    }
}

/// What a load asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoadKind {
    /// `load()`: the newest page.
    Newest,
    /// `loadOlder()`: the page before the oldest held message.
    Older,
    /// The newest page again after the live stream was lost for `reason`.
    Resync(String),
}

/// What the store shows as `loading`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Loading {
    /// Nothing is loading.
    Idle,
    /// The newest page (a load or a resync).
    Newest,
    /// An older page.
    Older,
}

impl Loading {
    /// The snapshot's `loading`.
    pub fn as_str(self) -> &'static str {
        match self {
            Loading::Idle => "idle",
            Loading::Newest => "newest",
            Loading::Older => "older",
        }
    }
}

/// The query of one page: `{limit, offset, sort: LOAD_SORT}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageQuery {
    /// Messages to skip, counted from the oldest.
    pub offset: u32,
    /// Messages to fetch.
    pub limit: u32,
}

/// What a load asks the server for next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoadStep {
    /// How many messages the session has (`{withoutItems: true}`): the
    /// newest page starts that many back. Its answer goes to
    /// [`Conversation::counted`].
    Count,
    /// A page; its answer goes to [`Conversation::finish_load`].
    Page(PageQuery),
}

/// What a refetch after a lost stream found different.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ResyncReport {
    /// Why the stream was lost, as the transport said it.
    pub reason: String,
    /// When the refetch finished, Unix ms.
    pub at: u64,
    /// Messages the fresh page has that the store did not (missed while
    /// the stream was down), oldest first.
    pub added: Vec<String>,
    /// Held messages the fresh page no longer has among those it spans
    /// (deleted meanwhile; no event tells of a deletion).
    pub removed: Vec<String>,
    /// Held messages whose body, `updatedAt` or read state differ.
    pub changed: Vec<String>,
}

/// What the host must do after a call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Output {
    /// Report a payload that did not read (counted in `bad_payloads`).
    BadPayload(ConversationEvent),
    /// A resync finished: report it.
    Resync(ResyncReport),
}

/// An own message's echo that came before its send's answer.
#[derive(Debug, Clone)]
struct Parked<V> {
    id: String,
    value: V,
    author: Option<String>,
    body: Option<String>,
    read: bool,
}

/// One session's messages, kept live.
///
/// Pure, like the inbox: page answers, live events, send answers and "now"
/// go in; the messages (oldest first, each with its status), the load state,
/// the other side's typing and [`Output`]s come out. Every change bumps
/// [`Conversation::version`] and sets the dirty flag, so the host notifies
/// once per batch.
///
/// Echo rule: an own message is matched to its echo by the id the send's
/// answer returned. An echo that comes first (an own-side message with an
/// unknown id while a send waits) is held back until the sends settle: the
/// answer with its id takes it in; otherwise it is shown then, as a message
/// of its own. A failed send whose echo comes (by its body: the answer was
/// lost, not the message) counts as sent.
#[derive(Debug)]
pub struct Conversation<J: JsonEngine> {
    json: J,
    side: Side,
    session_id: Option<String>,
    items: Vec<Item<J::Value>>,
    parked: Vec<Parked<J::Value>>,
    has_older: bool,
    /// Where the oldest held server message is in the session's history
    /// (oldest first), once a page came.
    first_offset: Option<u32>,
    loading: Option<(u64, LoadKind)>,
    generation: u64,
    loaded: bool,
    typing_until: Option<u64>,
    typing_sent_at: Option<u64>,
    error: Option<J::Value>,
    next_local: u64,
    version: u64,
    dirty: bool,
    bad_payloads: u64,
    outputs: Vec<Output>,
}

impl<J: JsonEngine> Conversation<J> {
    /// An empty conversation of `session_id` (none yet: the widget's before
    /// `start()`).
    pub fn new(json: J, side: Side, session_id: Option<String>) -> Self {
        Conversation {
            json,
            side,
            session_id,
            items: Vec::new(),
            parked: Vec::new(),
            has_older: false,
            first_offset: None,
            loading: None,
            generation: 0,
            loaded: false,
            typing_until: None,
            typing_sent_at: None,
            error: None,
            next_local: 0,
            version: 0,
            dirty: false,
            bad_payloads: 0,
            outputs: Vec::new(),
        }
    }

    // ---- reading ----

    /// The session, when known.
    pub fn session_id(&self) -> Option<&str> {
        self.session_id.as_deref()
    }

    /// The messages, oldest first.
    pub fn items(&self) -> &[Item<J::Value>] {
        &self.items
    }

    /// The messages, for the host to fill each item's `cache`.
    pub fn items_mut(&mut self) -> &mut [Item<J::Value>] {
        &mut self.items
    }

    /// The server has messages older than the oldest held.
    pub fn has_older(&self) -> bool {
        self.has_older
    }

    /// What is loading.
    pub fn loading(&self) -> Loading {
        match &self.loading {
            None => Loading::Idle,
            Some((_, LoadKind::Older)) => Loading::Older,
            Some(_) => Loading::Newest,
        }
    }

    /// The other side is typing.
    pub fn typing(&self) -> bool {
        self.typing_until.is_some()
    }

    /// The other side's messages not read yet.
    pub fn unread(&self) -> u32 {
        let unread = self
            .items
            .iter()
            .filter(|item| self.unread_item(item))
            .count();
        u32::try_from(unread).unwrap_or(u32::MAX)
    }

    /// The last load's error, until a load succeeds.
    pub fn error(&self) -> Option<&J::Value> {
        self.error.as_ref()
    }

    /// A load ran (resyncs reload only then).
    pub fn loaded(&self) -> bool {
        self.loaded
    }

    /// Bumped by every change.
    pub fn version(&self) -> u64 {
        self.version
    }

    /// Whether anything changed since the last call; clears the flag.
    pub fn take_dirty(&mut self) -> bool {
        std::mem::take(&mut self.dirty)
    }

    /// What the host must do now; empties the list.
    pub fn take_outputs(&mut self) -> Vec<Output> {
        std::mem::take(&mut self.outputs)
    }

    /// Payloads ignored as bad so far.
    pub fn bad_payloads(&self) -> u64 {
        self.bad_payloads
    }

    /// When [`Conversation::tick`] has something to do (typing to turn off).
    pub fn next_deadline(&self) -> Option<u64> {
        self.typing_until
    }

    /// Something outside the messages that the snapshot shows changed
    /// (the widget's operator).
    pub fn changed(&mut self) {
        self.bump();
    }

    // ---- the session ----

    /// Starts over with `session_id` (the widget's `start()`): nothing
    /// held, nothing loading (a load still running is ignored when it ends).
    pub fn reset(&mut self, session_id: Option<String>) {
        self.session_id = session_id;
        self.items.clear();
        self.parked.clear();
        self.has_older = false;
        self.first_offset = None;
        self.loading = None;
        self.generation += 1;
        self.loaded = false;
        self.typing_until = None;
        self.error = None;
        self.bump();
    }

    /// Appends messages the session started with (the widget's start
    /// answer: a bot's greeting), as sent; unreadable ones are skipped.
    pub fn seed(&mut self, values: Vec<J::Value>) {
        for value in values {
            if let Ok(facts) = MessageFacts::read(&self.json, value.clone()) {
                let read = facts.read_at.is_some();
                self.items
                    .push(Item::server(value, facts.id, facts.author_type, read));
            }
        }
        self.bump();
    }

    // ---- loading ----

    /// A load starts: its generation and first step, or `None` when there
    /// is nothing to load (older messages while none are left, or while the
    /// newest page loads). A newer load makes an older one's answers stale.
    pub fn begin_load(&mut self, kind: LoadKind, limit: u32) -> Option<(u64, LoadStep)> {
        let step = match kind {
            LoadKind::Older => {
                let first = self.first_offset.filter(|_| self.has_older)?;
                if self.loading() == Loading::Newest {
                    return None;
                }
                let offset = first.saturating_sub(limit);
                LoadStep::Page(PageQuery {
                    offset,
                    limit: first - offset,
                })
            }
            _ => LoadStep::Count,
        };
        self.generation += 1;
        self.loading = Some((self.generation, kind));
        self.bump();
        Some((self.generation, step))
    }

    /// The count of load `generation` (a `{count}` answer): the query of
    /// the newest page of `limit` messages. `None` when stale; a count of
    /// the wrong shape is an error, for [`Conversation::fail_load`].
    pub fn counted(
        &mut self,
        generation: u64,
        answer: J::Value,
        limit: u32,
    ) -> Result<Option<PageQuery>, JsonError> {
        if !self.is_current(generation) {
            return Ok(None);
        }
        let count = page(&self.json, answer)?.1.ok_or(JsonError::Shape)?;
        let count = u32::try_from(count).unwrap_or(u32::MAX);
        Ok(Some(PageQuery {
            offset: count.saturating_sub(limit),
            limit,
        }))
    }

    /// The page of load `generation`, asked for with `query`; `at` is the
    /// wall clock (for the resync report). True when it added messages.
    /// A stale answer is ignored; a page of the wrong shape is an error,
    /// for the host to hand to [`Conversation::fail_load`].
    pub fn finish_load(
        &mut self,
        generation: u64,
        query: PageQuery,
        answer: J::Value,
        at: u64,
    ) -> Result<bool, JsonError> {
        let Some((_, kind)) = self.loading.clone().filter(|(g, _)| *g == generation) else {
            return Ok(false);
        };
        let (values, _) = page(&self.json, answer)?;
        let page = self.page_items(values);
        self.loading = None;
        self.loaded = true;
        self.error = None;
        let added = match kind {
            LoadKind::Older => self.prepend(page, query),
            LoadKind::Newest => self.replace_newest(page, query, generation, None),
            LoadKind::Resync(reason) => {
                self.replace_newest(page, query, generation, Some((reason, at)))
            }
        };
        self.bump();
        Ok(added)
    }

    fn is_current(&self, generation: u64) -> bool {
        self.loading.as_ref().is_some_and(|(g, _)| *g == generation)
    }

    /// Load `generation` failed with `error` (the host's): what was shown
    /// stays, and `error` shows until a load succeeds.
    pub fn fail_load(&mut self, generation: u64, error: J::Value) {
        if self.is_current(generation) {
            self.loading = None;
            self.error = Some(error);
            self.bump();
        }
    }

    /// A page's items as held messages, oldest first, as asked for; a page
    /// that came newest first (by `createdAt`: the platform's sort is
    /// unconfirmed) is turned round. Items without an id cannot be kept
    /// once: skipped and counted.
    fn page_items(&mut self, values: Vec<J::Value>) -> Vec<Item<J::Value>> {
        let mut items = Vec::with_capacity(values.len());
        let mut times = (None, None);
        for value in values {
            match MessageFacts::read(&self.json, value.clone()) {
                Ok(facts) if facts.id.is_some() => {
                    let at = facts.created_at.as_deref().and_then(parse_ms);
                    if times.0.is_none() {
                        times.0 = at;
                    }
                    times.1 = at.or(times.1);
                    let read = facts.read_at.is_some();
                    items.push(Item::server(value, facts.id, facts.author_type, read));
                }
                _ => self.bad_payloads += 1,
            }
        }
        if matches!(times, (Some(first), Some(last)) if first > last) {
            items.reverse();
        }
        items
    }

    /// A newest page: it replaces what it spans. Held messages older than
    /// it stay when the page reaches back into them (no gap between);
    /// messages that came live during the load, and own messages not sent
    /// yet, stay after it. True when it has messages the store had not.
    fn replace_newest(
        &mut self,
        mut page: Vec<Item<J::Value>>,
        query: PageQuery,
        generation: u64,
        resync: Option<(String, u64)>,
    ) -> bool {
        let old = std::mem::take(&mut self.items);
        let old_index = id_index(&old);
        let page_index = id_index(&page);
        let anchor = page
            .first()
            .and_then(|first| first.id.as_deref())
            .and_then(|id| lookup(&old, &old_index, id));
        let mut report = resync.map(|(reason, at)| ResyncReport {
            reason,
            at,
            ..ResyncReport::default()
        });
        let mut added = false;
        for item in page.iter_mut() {
            let Some(id) = item.id.as_deref() else {
                continue;
            };
            match lookup(&old, &old_index, id).and_then(|at| old.get(at)) {
                Some(before) => {
                    if let Some(report) = report.as_mut() {
                        if self.differs(before, item) {
                            report.changed.push(id.to_owned());
                        }
                    }
                    item.local_id = before.local_id.clone();
                    if !item.read {
                        item.read_at = before.read_at.clone();
                    }
                }
                None => {
                    added = true;
                    if let Some(report) = report.as_mut() {
                        report.added.push(id.to_owned());
                    }
                }
            }
        }
        let mut before = Vec::new();
        let mut after = Vec::new();
        for (at, item) in old.into_iter().enumerate() {
            let in_page = item
                .id
                .as_deref()
                .is_some_and(|id| lookup(&page, &page_index, id).is_some());
            if in_page {
                continue;
            }
            let older = anchor.is_some_and(|anchor| at < anchor);
            if older && item.status == Status::Sent && item.id.is_some() {
                before.push(item);
            } else if item.is_unsent() || item.arrived_in == generation {
                after.push(item);
            } else if let (Some(report), Some(id), true) =
                (report.as_mut(), item.id.as_ref(), anchor.is_some())
            {
                report.removed.push(id.clone());
            }
        }
        if before.is_empty() {
            self.first_offset = Some(query.offset);
            self.has_older = query.offset > 0;
        }
        before.append(&mut page);
        before.append(&mut after);
        self.items = before;
        if let Some(report) = report {
            self.outputs.push(Output::Resync(report));
        }
        added
    }

    /// An older page: its messages the store does not hold go first.
    fn prepend(&mut self, page: Vec<Item<J::Value>>, query: PageQuery) -> bool {
        let index = id_index(&self.items);
        let received = !page.is_empty();
        let fresh: Vec<Item<J::Value>> = page
            .into_iter()
            .filter(|item| {
                item.id
                    .as_deref()
                    .is_some_and(|id| lookup(&self.items, &index, id).is_none())
            })
            .collect();
        self.first_offset = Some(query.offset);
        // An empty page where older ones should be ends the paging: no loop.
        self.has_older = query.offset > 0 && received;
        let added = !fresh.is_empty();
        self.items.splice(0..0, fresh);
        added
    }

    /// A held message and its fresh copy differ where a person sees it.
    fn differs(&self, before: &Item<J::Value>, after: &Item<J::Value>) -> bool {
        let facts = |value: &J::Value| MessageFacts::read(&self.json, value.clone()).ok();
        let (old, new) = (facts(&before.value), facts(&after.value));
        let shown =
            |f: &Option<MessageFacts>| f.as_ref().map(|f| (f.body.clone(), f.updated_at.clone()));
        shown(&old) != shown(&new) || before.is_read() != after.is_read()
    }

    // ---- live events ----

    /// Applies one live event; events of other sessions change nothing, and
    /// a payload that does not read is counted and reported.
    pub fn apply(&mut self, event: ConversationEvent, payload: J::Value, now: u64) {
        match event {
            ConversationEvent::Created => self.on_created(payload),
            ConversationEvent::Edited => self.on_edited(payload),
            ConversationEvent::Read => self.on_read(payload, now),
            ConversationEvent::Typing => self.on_typing(payload, now),
        }
    }

    /// Whether an event naming `session` is this conversation's; `None`
    /// when it cannot tell (the panel's events must name their session).
    fn ours(&self, session: Option<&str>) -> Option<bool> {
        match session {
            Some(session) => Some(self.session_id.as_deref() == Some(session)),
            None if self.side == Side::Visitor => Some(true),
            None => None,
        }
    }

    fn on_created(&mut self, payload: J::Value) {
        let event = ConversationEvent::Created;
        let Ok(facts) = MessageFacts::read(&self.json, payload.clone()) else {
            return self.bad(event);
        };
        let (ours, Some(id)) = (self.ours(facts.session_id.as_deref()), facts.id.clone()) else {
            return self.bad(event);
        };
        match ours {
            None => return self.bad(event),
            Some(false) => return,
            Some(true) => {}
        }
        if let Some(at) = self.position(&id) {
            // Delivered again (a replay), or the echo of an own message
            // after its answer: the server's object replaces the optimistic one.
            if self
                .items
                .get(at)
                .is_some_and(|item| item.local_id.is_some())
            {
                self.replace_at(at, payload, &facts);
            }
            return;
        }
        if self.parked.iter().any(|parked| parked.id == id) {
            return;
        }
        if self.side.from_other(facts.author_type.as_deref()) && self.typing_until.take().is_some()
        {
            self.bump();
        }
        let own = facts.author_type.as_deref() == Some(self.side.own_author());
        let echo = Parked {
            id,
            value: payload,
            read: facts.read_at.is_some(),
            author: facts.author_type,
            body: facts.body,
        };
        if own {
            // The echo of a send that failed, though the message arrived.
            let failed = self.items.iter().position(|item| {
                item.status == Status::Failed && item.body.is_some() && item.body == echo.body
            });
            if let Some(at) = failed {
                return self.adopt_parked(at, echo);
            }
            if self.items.iter().any(|item| item.status == Status::Pending) {
                if self.parked.len() >= MAX_PARKED {
                    let oldest = self.parked.remove(0);
                    self.append(oldest.value, oldest.id, oldest.author, oldest.read);
                }
                return self.parked.push(echo);
            }
        }
        self.append(echo.value, echo.id, echo.author, echo.read);
    }

    fn on_edited(&mut self, payload: J::Value) {
        let event = ConversationEvent::Edited;
        let Ok(facts) = MessageFacts::read(&self.json, payload.clone()) else {
            return self.bad(event);
        };
        let (ours, Some(id)) = (self.ours(facts.session_id.as_deref()), facts.id.as_deref()) else {
            return self.bad(event);
        };
        match ours {
            None => self.bad(event),
            Some(false) => {}
            Some(true) => {
                if let Some(at) = self.position(id) {
                    self.replace_at(at, payload, &facts);
                } else if let Some(parked) = self.parked.iter_mut().find(|p| p.id == id) {
                    parked.value = payload;
                }
            }
        }
    }

    fn on_read(&mut self, payload: J::Value, now: u64) {
        let Ok(facts) = ReadFacts::read(&self.json, payload) else {
            return self.bad(ConversationEvent::Read);
        };
        match self.ours(facts.session_id.as_deref()) {
            None => self.bad(ConversationEvent::Read),
            Some(false) => {}
            Some(true) => {
                let Some(at) = self.position(&facts.message_id) else {
                    return;
                };
                if let Some(item) = self.items.get_mut(at).filter(|item| !item.is_read()) {
                    item.read_at = Some(facts.read_at.unwrap_or_else(|| stamp(now)));
                    self.touch(at);
                }
            }
        }
    }

    fn on_typing(&mut self, payload: J::Value, now: u64) {
        let Ok(facts) = TypingFacts::read(&self.json, payload) else {
            return self.bad(ConversationEvent::Typing);
        };
        match self.ours(facts.session_id.as_deref()) {
            None => self.bad(ConversationEvent::Typing),
            Some(false) => {}
            Some(true) => {
                if !self.side.typing_from_other(facts.author_type.as_deref()) {
                    return;
                }
                if self.typing_until.replace(now + TYPING_MS).is_none() {
                    self.bump();
                }
            }
        }
    }

    /// Turns the other side's typing off once its time is up.
    pub fn tick(&mut self, now: u64) {
        if self.typing_until.is_some_and(|until| until <= now) {
            self.typing_until = None;
            self.bump();
        }
    }

    // ---- sending ----

    /// An own message goes out: `value` is the optimistic Message the
    /// snapshot shows, `outgoing` what the host sends (again on `retry`),
    /// `body` its text. Returns its local id.
    pub fn begin_send(
        &mut self,
        value: J::Value,
        outgoing: J::Value,
        body: Option<String>,
    ) -> String {
        self.next_local += 1;
        let local_id = concat(&["local-", &decimal(self.next_local)]);
        let mut item = Item::server(value, None, Some(self.side.own_author().to_owned()), false);
        item.local_id = Some(local_id.clone());
        item.status = Status::Pending;
        item.body = body;
        item.outgoing = Some(outgoing);
        self.items.push(item);
        self.bump();
        local_id
    }

    /// The send of `local_id` succeeded with `answer` (`{id, createdAt}`).
    pub fn sent(&mut self, local_id: &str, answer: J::Value) {
        let facts = MessageFacts::read(&self.json, answer).unwrap_or_default();
        // Its echo, when it came first: held back, or (past the bound of
        // held-back echoes) shown on its own. Its object replaces ours.
        let echo = facts.id.as_deref().and_then(|id| {
            if let Some(parked) = self.parked.iter().position(|p| p.id == id) {
                let echo = self.parked.remove(parked);
                return Some((echo.value, echo.read));
            }
            let copy = self.position(id)?;
            let copy = self.items.remove(copy);
            Some((copy.value, copy.read))
        });
        let Some(at) = self.local(local_id) else {
            return; // discarded, or the session started over
        };
        if let Some(item) = self.items.get_mut(at) {
            if let Some((value, read)) = echo {
                item.value = value;
                item.read = read;
            }
            item.id = facts.id;
            item.created_at = facts.created_at;
            item.status = Status::Sent;
            item.error = None;
            item.outgoing = None;
        }
        self.touch(at);
        self.flush_parked();
    }

    /// The send of `local_id` failed with `error` (the host's): the message
    /// shows as failed, unless its echo came (then it arrived: sent).
    pub fn send_failed(&mut self, local_id: &str, error: J::Value) {
        let Some(at) = self.local(local_id) else {
            return;
        };
        let body = self.items.get(at).and_then(|item| item.body.clone());
        let echo = body.and_then(|body| {
            let parked = self
                .parked
                .iter()
                .position(|p| p.body.as_deref() == Some(&body))?;
            Some(self.parked.remove(parked))
        });
        match echo {
            Some(echo) => self.adopt_parked(at, echo),
            None => {
                if let Some(item) = self.items.get_mut(at) {
                    item.status = Status::Failed;
                    item.error = Some(error);
                }
                self.touch(at);
            }
        }
        self.flush_parked();
    }

    /// A failed message goes out again: it moves to the end as pending, and
    /// the host sends what this returns. `None` when `local_id` is not a
    /// failed message (a pending one is never sent twice).
    pub fn retry(&mut self, local_id: &str) -> Option<J::Value> {
        let at = self.local(local_id)?;
        if self.items.get(at)?.status != Status::Failed {
            return None;
        }
        let mut item = self.items.remove(at);
        item.status = Status::Pending;
        item.error = None;
        item.cache = None;
        let outgoing = item.outgoing.clone();
        self.items.push(item);
        self.bump();
        outgoing
    }

    /// Drops a failed message; false when `local_id` is not one.
    pub fn discard(&mut self, local_id: &str) -> bool {
        let Some(at) = self.local(local_id) else {
            return false;
        };
        if self.items.get(at).map(|item| item.status) != Some(Status::Failed) {
            return false;
        }
        self.items.remove(at);
        self.bump();
        true
    }

    // ---- edits, deletions, reads, typing ----

    /// The server's Message after an edit of this side: replaces the held
    /// one. False when it does not read as a held message (the host then
    /// lays the patch over the held one with [`Conversation::replace`]).
    pub fn edited(&mut self, value: J::Value) -> bool {
        let Ok(facts) = MessageFacts::read(&self.json, value.clone()) else {
            return false;
        };
        match facts.id.as_deref().and_then(|id| self.position(id)) {
            Some(at) => {
                self.replace_at(at, value, &facts);
                true
            }
            None => false,
        }
    }

    /// Replaces message `id` with `value`; false when it is not held.
    pub fn replace(&mut self, id: &str, value: J::Value) -> bool {
        let facts = MessageFacts::read(&self.json, value.clone()).unwrap_or_default();
        match self.position(id) {
            Some(at) => {
                self.replace_at(at, value, &facts);
                true
            }
            None => false,
        }
    }

    /// Message `id` was deleted by this side; false when it is not held.
    pub fn removed(&mut self, id: &str) -> bool {
        match self.position(id) {
            Some(at) => {
                self.items.remove(at);
                self.bump();
                true
            }
            None => false,
        }
    }

    /// `markRead()` starts: the other side's unread messages read now (Unix
    /// ms); returns their ids, for the host to mark on the server.
    pub fn begin_mark_read(&mut self, now: u64) -> Vec<String> {
        let mut ids = Vec::new();
        for at in 0..self.items.len() {
            let Some(item) = self.items.get(at).filter(|item| self.unread_item(item)) else {
                continue;
            };
            if let Some(id) = item.id.clone() {
                ids.push(id);
            }
            if let Some(item) = self.items.get_mut(at) {
                item.read_at = Some(stamp(now));
            }
            self.touch(at);
        }
        ids
    }

    /// Marking `ids` failed: they count as unread again.
    pub fn mark_read_failed(&mut self, ids: &[String]) {
        for id in ids {
            if let Some(at) = self.position(id) {
                if let Some(item) = self.items.get_mut(at).filter(|item| !item.read) {
                    item.read_at = None;
                    self.touch(at);
                }
            }
        }
    }

    /// Whether this side's typing signal goes out now (at most one every
    /// [`TYPING_EVERY_MS`]).
    pub fn typing_signal(&mut self, now: u64) -> bool {
        if self
            .typing_sent_at
            .is_some_and(|sent| now < sent.saturating_add(TYPING_EVERY_MS))
        {
            return false;
        }
        self.typing_sent_at = Some(now);
        true
    }

    // ---- helpers ----

    fn bump(&mut self) {
        self.version += 1;
        self.dirty = true;
    }

    /// Item `at` changed.
    fn touch(&mut self, at: usize) {
        if let Some(item) = self.items.get_mut(at) {
            item.cache = None;
        }
        self.bump();
    }

    fn bad(&mut self, event: ConversationEvent) {
        self.bad_payloads += 1;
        self.outputs.push(Output::BadPayload(event));
    }

    fn unread_item(&self, item: &Item<J::Value>) -> bool {
        item.id.is_some() && !item.is_read() && self.side.from_other(item.author.as_deref())
    }

    /// Where message `id` is, searched from the newest: a live event is
    /// most often about a recent one.
    fn position(&self, id: &str) -> Option<usize> {
        self.items
            .iter()
            .rposition(|item| item.id.as_deref() == Some(id))
    }

    fn local(&self, local_id: &str) -> Option<usize> {
        self.items
            .iter()
            .rposition(|item| item.local_id.as_deref() == Some(local_id))
    }

    fn replace_at(&mut self, at: usize, value: J::Value, facts: &MessageFacts) {
        if let Some(item) = self.items.get_mut(at) {
            item.value = value;
            item.read = facts.read_at.is_some();
            if facts.author_type.is_some() {
                item.author = facts.author_type.clone();
            }
            if facts.created_at.is_some() {
                item.created_at = None;
            }
        }
        self.touch(at);
    }

    /// A live message goes last.
    fn append(&mut self, value: J::Value, id: String, author: Option<String>, read: bool) {
        let mut item = Item::server(value, Some(id), author, read);
        if let Some((generation, kind)) = &self.loading {
            if *kind != LoadKind::Older {
                item.arrived_in = *generation;
            }
        }
        self.items.push(item);
        self.bump();
    }

    /// Item `at` (an own message) is the echo `parked`: sent, with its id.
    fn adopt_parked(&mut self, at: usize, echo: Parked<J::Value>) {
        if let Some(item) = self.items.get_mut(at) {
            item.value = echo.value;
            item.read = echo.read;
            item.id = Some(echo.id);
            item.status = Status::Sent;
            item.error = None;
            item.outgoing = None;
        }
        self.touch(at);
    }

    /// Held-back echoes are shown once no send waits for its answer: those
    /// no answer claimed were not this store's.
    fn flush_parked(&mut self) {
        if self.items.iter().any(|item| item.status == Status::Pending) {
            return;
        }
        for echo in std::mem::take(&mut self.parked) {
            if self.position(&echo.id).is_none() {
                self.append(echo.value, echo.id, echo.author, echo.read);
            }
        }
    }
}

/// Unix ms as the ISO stamp the snapshot shows.
fn stamp(ms: u64) -> String {
    format_ms(i64::try_from(ms).unwrap_or(i64::MAX))
}

/// Positions of the items that have an id, in id order (one sort, for
/// pairing a page with what is held).
fn id_index<V>(items: &[Item<V>]) -> Vec<usize> {
    let id = |at: usize| items.get(at).and_then(|item| item.id.as_deref());
    let mut positions: Vec<usize> = (0..items.len()).filter(|&at| id(at).is_some()).collect();
    sort_positions(&mut positions, &|a, b| id(a).cmp(&id(b)));
    positions
}

/// Where message `id` is among `items`, through their [`id_index`].
fn lookup<V>(items: &[Item<V>], index: &[usize], id: &str) -> Option<usize> {
    let id_at = |k: usize| {
        index
            .get(k)
            .and_then(|&at| items.get(at))
            .and_then(|item| item.id.as_deref())
    };
    let k = find(index.len(), id, &id_at).ok()?;
    index.get(k).copied()
}
