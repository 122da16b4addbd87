//! The resync report: what changed while the live events were lost.

use super::sessions::Sessions;
use serde::Serialize;

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

/// Compares the store before a resync with the fresh load. The report's
/// lists keep the list order (newest first) of the store they come from.
pub(crate) fn diff<V>(reason: &str, at: u64, old: &Sessions<V>, new: &Sessions<V>) -> ResyncReport {
    let mut report = ResyncReport {
        reason: reason.to_owned(),
        at,
        added: Vec::new(),
        removed: Vec::new(),
        changed: Vec::new(),
        missed_messages: 0,
    };
    for entry in new.in_order() {
        match old.get(&entry.id) {
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
    for entry in old.in_order() {
        if !new.contains(&entry.id) {
            report.removed.push(entry.id.clone());
        }
    }
    report
}
