//! The operator's inbox: a live, sorted session store kept by the platform's
//! events and mended after a lost stream by a resync report.
//!
//! Pure like [`crate::protocol`]: payloads are the engine's values, of which
//! [`fields`] reads the few fields it keys on, one by one, through a
//! [`JsonEngine`](crate::protocol::JsonEngine); "now" is injected; REST calls
//! are asked for as [`InboxOutput`]s and their answers handed back. The
//! package wraps it in the `InboxReducer` class (`panel.inbox`); the native tests
//! drive it with serde_json.
//!
//! Its collections are sorted `Vec`s ([`Sessions`], and the id sets and
//! waiting events inside the reducer), not B-trees: one small copy of their
//! code serves them all.

pub mod entry;
pub mod fields;
mod pending;
mod reducer;
pub mod resync;
pub mod sessions;
pub(crate) mod sorted;
pub mod time;

pub use entry::InboxEntry;
pub use reducer::{
    InboxError, InboxErrorKind, InboxEvent, InboxOutput, InboxReducer, InboxScope, LoadKind,
    MarkReadTicket, SessionQuery, DEFAULT_LIMIT, LOAD_SORT, TYPING_MS,
};
pub use resync::ResyncReport;
pub use sessions::Sessions;
