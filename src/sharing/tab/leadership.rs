//! Who holds the shared connection. The grant of the group's lock makes a
//! tab the leader: its client, seeded with the gate's stream positions,
//! connects if this tab wants it, and it beats. A lock stolen from it makes
//! it step down quietly and queue again. On each tick the leader forgets
//! silent followers, closes the socket nobody wants and beats; a follower
//! says hello and steals the lock from a leader silent past the silence
//! window ([`LeaderWatch::steal_due`](crate::sharing::members::LeaderWatch::steal_due)).
//! See [`crate::sharing`] for why a change of leader loses and doubles nothing.

use super::{AuthCommand, ClientCommand, Output, OwnClient, Tab};
use crate::protocol::json_engine::JsonEngine;
use crate::protocol::State;
use crate::sharing::message::Message;

impl<J: JsonEngine> Tab<J> {
    /// Lock request `id` was granted: the tab leads (stale requests are ignored).
    pub fn lock_granted(&mut self, now: u64, id: u32) {
        if self.current_lock(id) == Some(false) {
            self.become_leader(now);
        }
    }

    /// Lock request `id` ended without being released (stolen): the tab
    /// steps down and queues again.
    pub fn lock_lost(&mut self, now: u64, id: u32) {
        if self.current_lock(id) == Some(true) {
            self.step_down(now);
        }
    }

    /// Whether this tab leads, when `id` is its current lock request.
    fn current_lock(&self, id: u32) -> Option<bool> {
        self.group
            .as_ref()
            .filter(|group| group.lock_id == id)
            .map(|group| group.leader)
    }

    /// The timer fired: fails a refresh waited for too long, and on the
    /// heartbeat's due time, ticks. `jitter_ms` (random, below one beat)
    /// spreads the moments followers steal a silent leader's lock.
    pub fn handle_timeout(&mut self, now: u64, jitter_ms: u64, client: &dyn OwnClient) {
        if self.waiting.as_ref().is_some_and(|w| now >= w.deadline) {
            let timeout = self.config.refresh_timeout_ms;
            self.land(Err(super::refresh::timed_out(timeout)));
        }
        let every = self.beat_ms();
        let Some(group) = self.group.as_mut().filter(|group| now >= group.tick_at) else {
            return;
        };
        group.tick_at = now.saturating_add(every);
        if group.leader {
            group.members.expire(now);
            self.close_if_unwanted(client);
            self.beat();
        } else {
            let steal = group.watch.steal_due(now, jitter_ms);
            self.post(Message::Hello { wants: self.wants });
            if let Some(named) = self.waiting.as_ref().map(|w| w.named.clone()) {
                self.post(Message::Refresh { token: named });
            }
            if steal {
                let id = self.next_lock_id();
                if let Some(group) = self.group.as_mut() {
                    group.lock_id = id;
                }
                self.push(Output::Lock { id, steal: true });
            }
        }
        self.report();
    }

    fn become_leader(&mut self, now: u64) {
        let Some(group) = self.group.as_mut() else {
            return;
        };
        group.leader = true;
        group.members.clear();
        if group.watch.leader().is_some() {
            // It took over: the old leader's followers listen, and say hello soon.
            group.members.expect_listeners(now);
        }
        let positions: Vec<_> = group
            .gate
            .positions()
            .map(|(c, e, o)| (c.to_owned(), e.to_owned(), o))
            .collect();
        self.push(Output::Auth(AuthCommand::RefreshThroughIam));
        if !positions.is_empty() {
            self.push(Output::Client(ClientCommand::Seed(positions)));
        }
        if self.wants {
            self.push(Output::Client(ClientCommand::Connect));
        }
        // A refresh this tab asked the old leader for is now this tab's to do.
        let pair = self
            .tokens
            .as_ref()
            .filter(|pair| self.waiting.as_ref().is_some_and(|w| w.named == pair.token));
        if let Some(pair) = pair.cloned() {
            self.push(Output::Auth(AuthCommand::RefreshOnce(pair)));
        }
        self.beat();
        self.report();
    }

    fn step_down(&mut self, now: u64) {
        let lock_id = self.next_lock_id();
        let Some(group) = self.group.as_mut() else {
            return;
        };
        group.leader = false;
        group.members.clear();
        group.watch.restart(now);
        group.lock_id = lock_id;
        self.push(Output::Lock {
            id: lock_id,
            steal: false,
        });
        self.follow();
    }

    /// This tab follows from now on: its refreshes go to the leader, its own
    /// client stops (a follower's client says nothing), and it says hello.
    pub(super) fn follow(&mut self) {
        self.push(Output::Auth(AuthCommand::RefreshThroughLeader));
        self.push(Output::Client(ClientCommand::Disconnect));
        self.post(Message::Hello { wants: self.wants });
        self.report();
    }

    /// The leader posts its heartbeat.
    pub(super) fn beat(&mut self) {
        let Some(group) = self.group.as_ref().filter(|group| group.leader) else {
            return;
        };
        let beat = Output::Beat {
            tabs: group.members.tabs(),
            connected: group.connected.clone(),
        };
        self.push(beat);
    }

    /// The leader heard a follower's hello (or its `connect()`).
    pub(super) fn heard_follower(&mut self, from: &str, wants: bool, now: u64) {
        let new = self
            .group
            .as_mut()
            .is_some_and(|group| group.members.heard(from, wants, now));
        if new {
            self.beat();
        }
    }

    /// A follower said bye.
    pub(super) fn follower_left(&mut self, from: &str) {
        let left = self
            .group
            .as_mut()
            .is_some_and(|group| group.members.left(from));
        if left {
            self.beat();
        }
    }

    /// The leader closes the shared socket once no tab wants it (on its
    /// tick: a follower that disconnects and connects again keeps it).
    fn close_if_unwanted(&mut self, client: &dyn OwnClient) {
        let others = self
            .group
            .as_ref()
            .is_some_and(|group| group.members.any_wants());
        if !self.wants && !others && client.state() != State::Disconnected {
            self.push(Output::Client(ClientCommand::Disconnect));
        }
    }
}
