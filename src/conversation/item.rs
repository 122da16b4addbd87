//! One message as a conversation holds it: the server's object (or the
//! optimistic one the host built), untouched, plus what happened to it
//! since (the overlay the snapshot lays on top).

/// Where an own message stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Sent by this store; no answer yet.
    Pending,
    /// On the server: every message that came from it, and own messages
    /// whose send succeeded (or whose echo came).
    Sent,
    /// The send failed; `retry` or `discard` it.
    Failed,
}

impl Status {
    /// The snapshot's `status`.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pending => "pending",
            Status::Sent => "sent",
            Status::Failed => "failed",
        }
    }
}

/// One held message.
#[derive(Debug, Clone)]
pub struct Item<V> {
    /// The Message as the server last sent it, or the optimistic one.
    pub value: V,
    /// The message id: the server's, or the one a send's answer gave.
    /// `None` while pending, and for a seeded bot message without one.
    pub id: Option<String>,
    /// Set on messages this store sent (`local-1`, ...), for `retry` and
    /// `discard`; kept after the send succeeded.
    pub local_id: Option<String>,
    /// Pending, sent or failed.
    pub status: Status,
    /// The failed send's error (the host's `TwinError`).
    pub error: Option<V>,
    /// `authorType`.
    pub author: Option<String>,
    /// When the other side read it, from a read event or `markRead()`
    /// (the snapshot lays it over `readAt`).
    pub read_at: Option<String>,
    /// `createdAt` from the send's answer (the snapshot lays it over the
    /// optimistic stamp).
    pub created_at: Option<String>,
    /// The value has a `readAt` of its own.
    pub(crate) read: bool,
    /// An own message's body, to tell its echo when the send failed.
    pub(crate) body: Option<String>,
    /// What the host sends again on `retry` (own messages until sent).
    pub(crate) outgoing: Option<V>,
    /// The load during which this message came live (0: none), so that the
    /// load keeps it even when its page does not have it yet.
    pub(crate) arrived_in: u64,
    /// The host's rendering of this item for the snapshot; every change of
    /// the item clears it.
    pub cache: Option<V>,
}

impl<V> Item<V> {
    /// A message from the server.
    pub(crate) fn server(value: V, id: Option<String>, author: Option<String>, read: bool) -> Self {
        Item {
            value,
            id,
            local_id: None,
            status: Status::Sent,
            error: None,
            author,
            read_at: None,
            created_at: None,
            read,
            body: None,
            outgoing: None,
            arrived_in: 0,
            cache: None,
        }
    }

    /// Read by the other side: `readAt` in the value or the overlay.
    pub fn is_read(&self) -> bool {
        self.read || self.read_at.is_some()
    }

    /// Written by this store and not (yet) known to be on the server.
    pub(crate) fn is_unsent(&self) -> bool {
        self.local_id.is_some() && self.status != Status::Sent
    }
}

/// Takes element `at` out of `list`, when there is one. The check up front
/// leaves `Vec::remove` no out-of-range case, whose panic message would
/// bring the integer formatting code into the wasm.
pub(crate) fn take<T>(list: &mut Vec<T>, at: usize) -> Option<T> {
    (at < list.len()).then(|| list.remove(at))
}
