//! One session as the inbox holds it: the server's object, untouched, plus
//! what the live events changed since (the overlay the snapshot lays on top).

use std::collections::VecDeque;

/// How many message ids an entry remembers, to count a message delivered
/// twice (recovery replay, a queued event after a fetch) only once.
const SEEN_MESSAGES: usize = 32;

/// One held session.
#[derive(Debug, Clone)]
pub struct InboxEntry<V> {
    /// The session id.
    pub id: String,
    /// The Session object as last sent by the server (event or REST), kept as
    /// the engine's value.
    pub session: V,
    /// The last message: the session's own `lastMessage`, or a newer message
    /// from `chatMessageCreated` / `chatMessageEdited`.
    pub last_message: Option<V>,
    /// `lastMessage.id`, when known.
    pub last_message_id: Option<String>,
    /// `readAt` of the last message, set by `chatMessageRead` after the
    /// message arrived (the snapshot lays it over `lastMessage.readAt`).
    pub last_message_read_at: Option<String>,
    /// `lastMessageCreatedAt` as text, for the snapshot.
    pub last_message_created_at: Option<String>,
    /// The same in Unix ms, when readable.
    pub last_message_ms: Option<i64>,
    /// The time of the last message of the server's own object: messages up
    /// to it are in the server's unread count already.
    pub(crate) server_message_ms: Option<i64>,
    /// `startedAt` in Unix ms, when readable.
    pub started_ms: Option<i64>,
    /// Unread client messages.
    pub unread: u32,
    /// `clientOnlineAt` as text.
    pub client_online_at: Option<String>,
    /// `clientOfflineAt` as text.
    pub client_offline_at: Option<String>,
    /// The client is online: came online, not offline since, session open.
    pub client_online: bool,
    /// The client is typing.
    pub typing: bool,
    /// When `typing` turns off, on the host's clock.
    pub typing_until: Option<u64>,
    /// `status`.
    pub status: Option<String>,
    /// `botStatus`.
    pub bot_status: Option<String>,
    /// `operatorId`.
    pub operator_id: Option<String>,
    /// The ids in `operators`.
    pub operator_ids: Vec<String>,
    /// `name`.
    pub name: Option<String>,
    /// `clientId`.
    pub client_id: Option<String>,
    /// The inbox version of this entry's last change: the host reuses its JS
    /// object while this stays the same.
    pub rev: u64,
    /// Bumped whenever the server's own unread count replaces the local one,
    /// so a failed `markRead` does not roll back over a fresher count.
    pub(crate) unread_epoch: u64,
    seen: VecDeque<String>,
}

impl<V> InboxEntry<V> {
    pub(crate) fn new(id: String, session: V) -> Self {
        InboxEntry {
            id,
            session,
            last_message: None,
            last_message_id: None,
            last_message_read_at: None,
            last_message_created_at: None,
            last_message_ms: None,
            server_message_ms: None,
            started_ms: None,
            unread: 0,
            client_online_at: None,
            client_offline_at: None,
            client_online: false,
            typing: false,
            typing_until: None,
            status: None,
            bot_status: None,
            operator_id: None,
            operator_ids: Vec::new(),
            name: None,
            client_id: None,
            rev: 0,
            unread_epoch: 0,
            seen: VecDeque::new(),
        }
    }

    /// The time the list is sorted by: the last message, else the start, else 0.
    pub fn last_activity_ms(&self) -> i64 {
        self.last_message_ms.or(self.started_ms).unwrap_or(0)
    }

    /// The session is closed (`status` `CLOSED`).
    pub fn is_closed(&self) -> bool {
        self.status.as_deref() == Some("CLOSED")
    }

    pub(crate) fn has_seen(&self, message_id: &str) -> bool {
        self.last_message_id.as_deref() == Some(message_id)
            || self.seen.iter().any(|id| id == message_id)
    }

    pub(crate) fn remember(&mut self, message_id: &str) {
        if self.seen.iter().any(|id| id == message_id) {
            return;
        }
        if self.seen.len() == SEEN_MESSAGES {
            self.seen.pop_front();
        }
        self.seen.push_back(message_id.to_owned());
    }

    pub(crate) fn copy_seen(&mut self, other: &Self) {
        self.seen = other.seen.clone();
    }

    /// Everything the snapshot shows from the overlay is the same.
    pub(crate) fn same_row(&self, other: &Self) -> bool {
        self.fingerprint() == other.fingerprint()
            && self.typing == other.typing
            && self.last_message_read_at == other.last_message_read_at
            && self.last_message_created_at == other.last_message_created_at
            && self.client_online_at == other.client_online_at
            && self.client_offline_at == other.client_offline_at
    }

    /// Recomputes `client_online` from the two stamps and the status
    /// (the demo's rule: online since the last offline, and the session open).
    pub(crate) fn update_client_online(&mut self) {
        let ms = |at: &Option<String>| at.as_deref().and_then(super::time::parse_ms).unwrap_or(0);
        let on = ms(&self.client_online_at);
        let off = ms(&self.client_offline_at);
        self.client_online = on > 0 && on >= off && !self.is_closed();
    }

    /// The state the resync report compares: what a person sees in a list row.
    pub(crate) fn fingerprint(&self) -> Fingerprint<'_> {
        Fingerprint {
            status: self.status.as_deref(),
            bot_status: self.bot_status.as_deref(),
            operator_id: self.operator_id.as_deref(),
            operator_ids: &self.operator_ids,
            name: self.name.as_deref(),
            last_message_id: self.last_message_id.as_deref(),
            last_activity: self.last_activity_ms(),
            unread: self.unread,
            client_online: self.client_online,
        }
    }
}

/// See [`InboxEntry::fingerprint`].
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Fingerprint<'a> {
    status: Option<&'a str>,
    bot_status: Option<&'a str>,
    operator_id: Option<&'a str>,
    operator_ids: &'a [String],
    name: Option<&'a str>,
    last_message_id: Option<&'a str>,
    last_activity: i64,
    unread: u32,
    client_online: bool,
}
