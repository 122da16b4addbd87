//! Sorted `Vec`s in place of B-trees, and the inbox's one sort.
//!
//! The inbox holds at most a few thousand sessions: a binary search finds one
//! in a dozen steps, and moving a few thousand words on an insert costs less
//! than the tree's bookkeeping. Above all, the helpers here are not generic:
//! the wasm holds one copy of each, where a `BTreeMap` ships its tree code
//! once per key and value type.

use std::cmp::Ordering;

/// The first of `len` positions for which `before` is false, when `before`
/// is true for a prefix of the positions and false after it.
pub(crate) fn lower_bound(len: usize, before: &dyn Fn(usize) -> bool) -> usize {
    let (mut low, mut high) = (0, len);
    while low < high {
        let middle = low + (high - low) / 2;
        if before(middle) {
            low = middle + 1;
        } else {
            high = middle;
        }
    }
    low
}

/// Where `id` is among `len` ids in ascending order, read with `id_at`:
/// `Ok(position)` when it is there, `Err(position)` where it would go.
pub(crate) fn find<'a>(
    len: usize,
    id: &str,
    id_at: &dyn Fn(usize) -> Option<&'a str>,
) -> Result<usize, usize> {
    let at = lower_bound(len, &|i| id_at(i).is_some_and(|other| other < id));
    if id_at(at) == Some(id) {
        Ok(at)
    } else {
        Err(at)
    }
}

/// Sorts positions (indices into some list) by `order`, stably. Every sort of
/// the inbox goes through here, so the wasm holds one copy of the sort.
pub(crate) fn sort_positions(positions: &mut [usize], order: &dyn Fn(usize, usize) -> Ordering) {
    positions.sort_by(|a, b| order(*a, *b));
}

/// A set of ids, kept sorted.
#[derive(Debug, Clone, Default)]
pub(crate) struct IdSet(Vec<String>);

impl IdSet {
    fn find(&self, id: &str) -> Result<usize, usize> {
        find(self.0.len(), id, &|i| self.0.get(i).map(String::as_str))
    }

    /// Whether `id` is in the set.
    pub(crate) fn contains(&self, id: &str) -> bool {
        self.find(id).is_ok()
    }

    /// Adds `id`; false when it was there already.
    pub(crate) fn insert(&mut self, id: &str) -> bool {
        match self.find(id) {
            Ok(_) => false,
            Err(at) => {
                self.0.insert(at, id.to_owned());
                true
            }
        }
    }

    /// Takes `id` out; false when it was not there.
    pub(crate) fn remove(&mut self, id: &str) -> bool {
        match self.find(id) {
            Ok(at) => {
                self.0.remove(at);
                true
            }
            Err(_) => false,
        }
    }

    /// Empties the set.
    pub(crate) fn clear(&mut self) {
        self.0.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_ids_and_where_they_go() {
        let ids = ["b", "d", "f"];
        let at = |i: usize| ids.get(i).copied();
        assert_eq!(find(ids.len(), "d", &at), Ok(1));
        assert_eq!(find(ids.len(), "a", &at), Err(0));
        assert_eq!(find(ids.len(), "e", &at), Err(2));
        assert_eq!(find(ids.len(), "g", &at), Err(3));
        assert_eq!(find(0, "a", &at), Err(0));
    }

    #[test]
    fn a_set_keeps_each_id_once_in_order() {
        let mut set = IdSet::default();
        for id in ["s2", "s1", "s3", "s1"] {
            set.insert(id);
        }
        assert_eq!(set.0, ["s1", "s2", "s3"]);
        assert!(set.contains("s2"));
        assert!(set.remove("s2"));
        assert!(!set.remove("s2"));
        assert!(!set.contains("s2"));
        set.clear();
        assert!(!set.contains("s1"));
    }

    #[test]
    fn the_sort_is_stable() {
        let keys = [2, 1, 2, 1];
        let mut positions = vec![0, 1, 2, 3];
        sort_positions(&mut positions, &|a, b| keys.get(a).cmp(&keys.get(b)));
        assert_eq!(positions, [1, 3, 0, 2]);
    }
}
