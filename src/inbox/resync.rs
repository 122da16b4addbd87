//! The resync report: what changed while the live events were lost.

use super::entry::InboxEntry;
use serde::Serialize;
use std::collections::BTreeMap;

/// What a fresh REST load found different from the store it replaced, after
/// the live stream could not be recovered (new epoch, history gone, a gap).
///
/// ```
/// # use twin_panel::inbox::ResyncReport;
/// let report = ResyncReport { reason: "epoch changed".into(), at: 0, added: vec!["s9".into()],
///     removed: vec![], changed: vec![], missed_messages: 1 };
/// assert!(!report.is_empty());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ResyncReport {
    /// Why the stream was lost, as the transport said it.
    pub reason: String,
    /// When the fresh load finished, Unix ms.
    pub at: u64,
    /// Sessions that are in the inbox now and were not before, newest first.
    pub added: Vec<String>,
    /// Sessions that left the inbox.
    pub removed: Vec<String>,
    /// Sessions held before and after whose row differs: status, bot status,
    /// operators, name, last message, last activity, unread count or client
    /// presence.
    pub changed: Vec<String>,
    /// A lower bound of the messages written meanwhile in sessions held before
    /// and after: per session, the growth of its unread count, or 1 when only
    /// its last message moved. The platform has no message counter, so
    /// messages read meanwhile or written after another one by the same side
    /// are not all counted.
    pub missed_messages: u32,
}

impl ResyncReport {
    /// Nothing was missed.
    pub fn is_empty(&self) -> bool {
        self.added.is_empty()
            && self.removed.is_empty()
            && self.changed.is_empty()
            && self.missed_messages == 0
    }
}

/// The entries of `list` by id (the last one wins, as `collect` would have
/// it). Inserted one by one: collecting into a BTreeMap sorts the pairs first
/// and ships a stable sort and a bulk build in the wasm.
fn by_id<'a, V>(list: &[&'a InboxEntry<V>]) -> BTreeMap<&'a str, &'a InboxEntry<V>> {
    let mut map = BTreeMap::new();
    for entry in list {
        map.insert(entry.id.as_str(), *entry);
    }
    map
}

/// Compares the store before a resync with the fresh load. `old` and `new`
/// are in list order (newest first); the report's lists keep that order.
pub(crate) fn diff<V>(
    reason: &str,
    at: u64,
    old: &[&InboxEntry<V>],
    new: &[&InboxEntry<V>],
) -> ResyncReport {
    let old_by_id = by_id(old);
    let new_by_id = by_id(new);
    let mut report = ResyncReport {
        reason: reason.to_owned(),
        at,
        added: Vec::new(),
        removed: Vec::new(),
        changed: Vec::new(),
        missed_messages: 0,
    };
    for entry in new {
        match old_by_id.get(entry.id.as_str()) {
            None => report.added.push(entry.id.clone()),
            Some(before) => {
                if before.fingerprint() != entry.fingerprint() {
                    report.changed.push(entry.id.clone());
                }
                let grown = entry.unread.saturating_sub(before.unread);
                let moved = entry.last_message_id.is_some()
                    && entry.last_message_id != before.last_message_id
                    && entry.last_activity_ms() > before.last_activity_ms();
                report.missed_messages = report
                    .missed_messages
                    .saturating_add(grown.max(u32::from(moved)));
            }
        }
    }
    for entry in old {
        if !new_by_id.contains_key(entry.id.as_str()) {
            report.removed.push(entry.id.clone());
        }
    }
    report
}
