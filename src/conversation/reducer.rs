//! [`Conversation`]: one session's messages and the reducer that keeps them
//! (the session, live events, edits, reads, typing); loading is in
//! [`super::paging`], own messages in [`super::sending`].

use super::fields::{MessageFacts, ReadFacts, TypingFacts};
use super::item::{take, Item, Status};
use super::paging::{LoadKind, Loading, ResyncReport};
use super::sending::{Parked, MAX_PARKED};
use super::side::{ConversationEvent, Side};
use crate::inbox::time::format_ms;
use crate::protocol::json_engine::JsonEngine;

/// How long the other side's `typing` shows, ms, unless another one comes.
pub const TYPING_MS: u64 = 5_000;
/// The least time between two typing signals this side sends, ms: the other
/// side's indicator lasts a few seconds, so one signal every two keeps it on.
pub const TYPING_EVERY_MS: u64 = 2_000;

/// What the host must do after a call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Output {
    /// Report a payload that did not read (counted in `bad_payloads`).
    BadPayload(ConversationEvent),
    /// A resync finished: report it.
    Resync(ResyncReport),
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
    pub(super) json: J,
    pub(super) side: Side,
    pub(super) session_id: Option<String>,
    pub(super) items: Vec<Item<J::Value>>,
    pub(super) parked: Vec<Parked<J::Value>>,
    pub(super) has_older: bool,
    /// Where the oldest held server message is in the session's history
    /// (oldest first), once a page came.
    pub(super) first_offset: Option<u32>,
    pub(super) loading: Option<(u64, LoadKind)>,
    pub(super) generation: u64,
    pub(super) loaded: bool,
    pub(super) typing_until: Option<u64>,
    pub(super) typing_sent_at: Option<u64>,
    pub(super) error: Option<J::Value>,
    pub(super) next_local: u64,
    pub(super) version: u64,
    pub(super) dirty: bool,
    pub(super) bad_payloads: u64,
    pub(super) outputs: Vec<Output>,
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
                    if let Some(oldest) = take(&mut self.parked, 0) {
                        self.append(oldest.value, oldest.id, oldest.author, oldest.read);
                    }
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
                take(&mut self.items, at);
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

    pub(super) fn bump(&mut self) {
        self.version += 1;
        self.dirty = true;
    }

    /// Item `at` changed.
    pub(super) fn touch(&mut self, at: usize) {
        if let Some(item) = self.items.get_mut(at) {
            item.cache = None;
        }
        self.bump();
    }

    pub(super) fn bad(&mut self, event: ConversationEvent) {
        self.bad_payloads += 1;
        self.outputs.push(Output::BadPayload(event));
    }

    pub(super) fn unread_item(&self, item: &Item<J::Value>) -> bool {
        item.id.is_some() && !item.is_read() && self.side.from_other(item.author.as_deref())
    }

    /// Where message `id` is, searched from the newest: a live event is
    /// most often about a recent one.
    pub(super) fn position(&self, id: &str) -> Option<usize> {
        self.items
            .iter()
            .rposition(|item| item.id.as_deref() == Some(id))
    }

    pub(super) fn local(&self, local_id: &str) -> Option<usize> {
        self.items
            .iter()
            .rposition(|item| item.local_id.as_deref() == Some(local_id))
    }

    pub(super) fn replace_at(&mut self, at: usize, value: J::Value, facts: &MessageFacts) {
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
    pub(super) fn append(
        &mut self,
        value: J::Value,
        id: String,
        author: Option<String>,
        read: bool,
    ) {
        let mut item = Item::server(value, Some(id), author, read);
        if let Some((generation, kind)) = &self.loading {
            if *kind != LoadKind::Older {
                item.arrived_in = *generation;
            }
        }
        self.items.push(item);
        self.bump();
    }
}

/// Unix ms as the ISO stamp the snapshot shows.
fn stamp(ms: u64) -> String {
    format_ms(i64::try_from(ms).unwrap_or(i64::MAX))
}
