//! Own messages: the optimistic send, its answer or failure, retry and
//! discard, and the echoes of own messages that come before their answer.

use super::fields::MessageFacts;
use super::item::{take, Item, Status};
use super::reducer::Conversation;
use crate::protocol::json_engine::JsonEngine;
use crate::text::{concat, decimal};

/// Echoes of own messages held back while sends wait for their answers.
pub(super) const MAX_PARKED: usize = 64;

/// An own message's echo that came before its send's answer.
#[derive(Debug, Clone)]
pub(super) struct Parked<V> {
    pub(super) id: String,
    pub(super) value: V,
    pub(super) author: Option<String>,
    pub(super) body: Option<String>,
    pub(super) read: bool,
}

impl<J: JsonEngine> Conversation<J> {
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
                return take(&mut self.parked, parked).map(|echo| (echo.value, echo.read));
            }
            let copy = self.position(id)?;
            take(&mut self.items, copy).map(|copy| (copy.value, copy.read))
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
            take(&mut self.parked, parked)
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
        let mut item = take(&mut self.items, at)?;
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
        take(&mut self.items, at);
        self.bump();
        true
    }

    /// Item `at` (an own message) is the echo `parked`: sent, with its id.
    pub(super) fn adopt_parked(&mut self, at: usize, echo: Parked<J::Value>) {
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
    pub(super) fn flush_parked(&mut self) {
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
