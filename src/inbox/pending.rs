//! Events that wait for the fetch of a session the store does not hold.

use super::reducer::InboxEvent;
use super::sorted::find;

/// Events kept per unknown session while it is fetched; older ones are
/// dropped (and counted) past this.
const MAX_PENDING: usize = 64;

/// One event as it arrived: the publication, its payload, the host's clock.
pub(crate) type Waiting<V> = (InboxEvent, V, u64);

/// The waiting events by session id (sorted: few sessions wait at a time).
#[derive(Debug)]
pub(crate) struct Pending<V> {
    sessions: Vec<(String, Vec<Waiting<V>>)>,
}

impl<V> Default for Pending<V> {
    fn default() -> Self {
        Pending {
            sessions: Vec::new(),
        }
    }
}

impl<V> Pending<V> {
    fn find(&self, id: &str) -> Result<usize, usize> {
        find(self.sessions.len(), id, &|i| {
            self.sessions.get(i).map(|(id, _)| id.as_str())
        })
    }

    /// Queues `event` for session `id`; true when the queue was full and
    /// its oldest event was dropped.
    pub(crate) fn push(&mut self, id: &str, event: Waiting<V>) -> bool {
        let at = match self.find(id) {
            Ok(at) => at,
            Err(at) => {
                self.sessions.insert(at, (id.to_owned(), Vec::new()));
                at
            }
        };
        let Some((_, queue)) = self.sessions.get_mut(at) else {
            return false;
        };
        let dropped = queue.len() == MAX_PENDING;
        if dropped {
            queue.remove(0);
        }
        queue.push(event);
        dropped
    }

    /// Takes the events of session `id`, in arrival order.
    pub(crate) fn take(&mut self, id: &str) -> Vec<Waiting<V>> {
        match self.find(id) {
            Ok(at) => self.sessions.remove(at).1,
            Err(_) => Vec::new(),
        }
    }

    /// The ids with events waiting, in order.
    pub(crate) fn ids(&self) -> impl Iterator<Item = &str> {
        self.sessions.iter().map(|(id, _)| id.as_str())
    }

    /// Forgets every waiting event.
    pub(crate) fn clear(&mut self) {
        self.sessions.clear();
    }
}
