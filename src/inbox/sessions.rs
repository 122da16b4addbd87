//! [`Sessions`]: the held sessions, found by id and listed newest first.

use super::entry::InboxEntry;
use super::sorted::{find, lower_bound, sort_positions};
use std::cmp::Ordering;

/// The held sessions in two orders: by id, to find one in a binary search,
/// and newest activity first, the order of the list, kept as each change
/// comes so that a snapshot walks it as it is instead of sorting.
///
/// Whoever changes an entry's activity (its last message or start) through
/// `get_mut` calls `reposition` after.
#[derive(Debug)]
pub struct Sessions<V> {
    /// By id, ascending.
    entries: Vec<InboxEntry<V>>,
    /// Positions in `entries`, newest activity first, ties by id.
    order: Vec<usize>,
}

impl<V> Default for Sessions<V> {
    fn default() -> Self {
        Sessions {
            entries: Vec::new(),
            order: Vec::new(),
        }
    }
}

impl<V> Sessions<V> {
    /// The sessions of a load, in any order; of two with the same id the
    /// later one is kept. Two sorts of their positions, O(n log n).
    pub(crate) fn from_list(list: Vec<InboxEntry<V>>) -> Self {
        let mut by_id: Vec<usize> = (0..list.len()).collect();
        sort_positions(&mut by_id, &|a, b| {
            let id = |i: usize| list.get(i).map(|e| e.id.as_str());
            id(a).cmp(&id(b))
        });
        let mut slots: Vec<Option<InboxEntry<V>>> = list.into_iter().map(Some).collect();
        let mut entries: Vec<InboxEntry<V>> = Vec::with_capacity(slots.len());
        for position in by_id {
            let Some(entry) = slots.get_mut(position).and_then(Option::take) else {
                continue;
            };
            match entries.last_mut() {
                // The sort is stable: the one that came later comes later.
                Some(last) if last.id == entry.id => *last = entry,
                _ => entries.push(entry),
            }
        }
        let mut order: Vec<usize> = (0..entries.len()).collect();
        sort_positions(&mut order, &|a, b| compare(&entries, a, b));
        Sessions { entries, order }
    }

    /// How many sessions are held.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// No session is held.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The sessions by id, ascending.
    pub fn by_id(&self) -> &[InboxEntry<V>] {
        &self.entries
    }

    /// Positions in [`Sessions::by_id`], newest activity first (ties by id).
    pub fn order(&self) -> &[usize] {
        &self.order
    }

    /// The sessions newest activity first (ties by id).
    pub fn in_order(&self) -> impl Iterator<Item = &InboxEntry<V>> {
        self.order.iter().filter_map(|&i| self.entries.get(i))
    }

    fn find(&self, id: &str) -> Result<usize, usize> {
        find(self.entries.len(), id, &|i| {
            self.entries.get(i).map(|e| e.id.as_str())
        })
    }

    /// The session `id`.
    pub fn get(&self, id: &str) -> Option<&InboxEntry<V>> {
        self.find(id).ok().and_then(|i| self.entries.get(i))
    }

    /// Whether session `id` is held.
    pub fn contains(&self, id: &str) -> bool {
        self.find(id).is_ok()
    }

    /// The session `id`, to change; see [`Sessions::reposition`].
    pub(crate) fn get_mut(&mut self, id: &str) -> Option<&mut InboxEntry<V>> {
        let at = self.find(id).ok()?;
        self.entries.get_mut(at)
    }

    /// Every session, by id, to change what the order does not depend on.
    pub(crate) fn iter_mut(&mut self) -> std::slice::IterMut<'_, InboxEntry<V>> {
        self.entries.iter_mut()
    }

    /// Adds `entry`, or replaces the session with its id; either way it
    /// takes its place in the list.
    pub(crate) fn insert(&mut self, entry: InboxEntry<V>) {
        match self.find(&entry.id) {
            Ok(at) => {
                if let Some(slot) = self.entries.get_mut(at) {
                    *slot = entry;
                }
                self.place(at, true);
            }
            Err(at) => {
                self.entries.insert(at, entry);
                // The positions at and after `at` moved one up.
                for position in self.order.iter_mut() {
                    if *position >= at {
                        *position += 1;
                    }
                }
                self.place(at, false);
            }
        }
    }

    /// Takes session `id` out.
    pub(crate) fn remove(&mut self, id: &str) -> Option<InboxEntry<V>> {
        let at = self.find(id).ok()?;
        self.unlist(at);
        for position in self.order.iter_mut() {
            if *position > at {
                *position -= 1;
            }
        }
        Some(self.entries.remove(at))
    }

    /// Puts session `id` back in its place in the list after its activity
    /// changed. O(n) with a small constant: a scan of positions.
    pub(crate) fn reposition(&mut self, id: &str) {
        if let Ok(at) = self.find(id) {
            self.place(at, true);
        }
    }

    /// Empties the store.
    pub(crate) fn clear(&mut self) {
        self.entries.clear();
        self.order.clear();
    }

    /// Takes position `at` out of the list order.
    fn unlist(&mut self, at: usize) {
        self.order.retain(|&position| position != at);
    }

    /// (Re)inserts position `at` into the list order; `listed`: it is there
    /// now and moves.
    fn place(&mut self, at: usize, listed: bool) {
        if listed {
            self.unlist(at);
        }
        let entries = &self.entries;
        let order = &self.order;
        let to = lower_bound(order.len(), &|k| {
            order
                .get(k)
                .is_some_and(|&other| compare(entries, other, at) == Ordering::Less)
        });
        self.order.insert(to, at);
    }
}

/// The list order of positions `a` and `b` of `entries`: newest activity
/// first, ties by id.
fn compare<V>(entries: &[InboxEntry<V>], a: usize, b: usize) -> Ordering {
    match (entries.get(a), entries.get(b)) {
        (Some(a), Some(b)) => b
            .last_activity_ms()
            .cmp(&a.last_activity_ms())
            .then_with(|| a.id.cmp(&b.id)),
        _ => Ordering::Equal,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(id: &str, ms: i64) -> InboxEntry<()> {
        let mut entry = InboxEntry::new(id.to_owned(), ());
        entry.last_message_ms = Some(ms);
        entry
    }

    fn listed(sessions: &Sessions<()>) -> Vec<&str> {
        sessions.in_order().map(|e| e.id.as_str()).collect()
    }

    fn by_id(sessions: &Sessions<()>) -> Vec<&str> {
        sessions.by_id().iter().map(|e| e.id.as_str()).collect()
    }

    #[test]
    fn a_load_keeps_the_later_of_two_with_one_id() {
        let mut second = entry("b", 5);
        second.name = Some("second".into());
        let sessions =
            Sessions::from_list(vec![entry("b", 1), entry("a", 3), second, entry("c", 3)]);
        assert_eq!(by_id(&sessions), ["a", "b", "c"]);
        assert_eq!(listed(&sessions), ["b", "a", "c"]);
        assert_eq!(
            sessions.get("b").and_then(|e| e.name.as_deref()),
            Some("second")
        );
    }

    #[test]
    fn inserts_removals_and_moves_keep_both_orders() {
        let mut sessions = Sessions::default();
        for (id, ms) in [("m", 2), ("c", 9), ("x", 5), ("a", 5)] {
            sessions.insert(entry(id, ms));
        }
        assert_eq!(by_id(&sessions), ["a", "c", "m", "x"]);
        assert_eq!(listed(&sessions), ["c", "a", "x", "m"]);
        sessions.insert(entry("x", 1)); // replaced, older now
        assert_eq!(listed(&sessions), ["c", "a", "m", "x"]);
        if let Some(m) = sessions.get_mut("m") {
            m.last_message_ms = Some(20);
        }
        sessions.reposition("m");
        assert_eq!(listed(&sessions), ["m", "c", "a", "x"]);
        assert!(sessions.remove("c").is_some());
        assert!(sessions.remove("c").is_none());
        assert_eq!(by_id(&sessions), ["a", "m", "x"]);
        assert_eq!(listed(&sessions), ["m", "a", "x"]);
        sessions.insert(entry("b", 4));
        assert_eq!(listed(&sessions), ["m", "a", "b", "x"]);
        assert_eq!(sessions.len(), 4);
        sessions.clear();
        assert!(sessions.is_empty());
        assert_eq!(listed(&sessions), Vec::<&str>::new());
    }
}
