//! Who is in the group: the leader's table of followers (each says hello
//! every beat; one silent for too long is forgotten), and a follower's watch
//! on the leader's heartbeat, which says when to steal the lock.

/// One follower as the leader knows it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Member {
    id: String,
    seen_at: u64,
    wants: bool,
}

/// The leader's table of followers.
#[derive(Debug, Clone)]
pub struct Members {
    list: Vec<Member>,
    forget_after_ms: u64,
    /// Until when publications are relayed although the table may be empty
    /// (0: not at all). See [`Members::has_listeners`].
    listeners_until: u64,
}

/// How long after the last hello a leader still relays publications: a
/// follower in a hidden tab, whose timers the browser runs about once a
/// minute, drops out of the table (and of `tabs`) but still listens.
pub const RELAY_GRACE_MS: u64 = 5 * 60 * 1000;

/// At most this many followers are tracked (a runaway sender cannot grow the table).
pub const MAX_MEMBERS: usize = 256;

impl Members {
    /// A table that forgets a follower silent for `forget_after_ms`.
    pub fn new(forget_after_ms: u64) -> Self {
        Members {
            list: Vec::new(),
            forget_after_ms,
            listeners_until: 0,
        }
    }

    /// A follower said hello at `now`; true when it is new to the table.
    pub fn heard(&mut self, id: &str, wants: bool, now: u64) -> bool {
        self.expect_listeners(now);
        if let Some(member) = self.list.iter_mut().find(|m| m.id == id) {
            member.seen_at = now;
            member.wants = wants;
            return false;
        }
        if self.list.len() >= MAX_MEMBERS {
            return false;
        }
        self.list.push(Member {
            id: id.to_owned(),
            seen_at: now,
            wants,
        });
        true
    }

    /// A follower said bye; true when it was in the table. When it was the
    /// last one, nobody listens any more.
    pub fn left(&mut self, id: &str) -> bool {
        let before = self.list.len();
        self.list.retain(|m| m.id != id);
        if self.list.is_empty() {
            self.listeners_until = 0;
        }
        self.list.len() != before
    }

    /// Some tab may listen from `now` on, for [`RELAY_GRACE_MS`] (a tab that
    /// takes over from another leader: the followers it knew say hello soon).
    pub fn expect_listeners(&mut self, now: u64) {
        self.listeners_until = now.saturating_add(RELAY_GRACE_MS);
    }

    /// Whether publications should be relayed at `now()`: a follower is in
    /// the table or was heard within [`RELAY_GRACE_MS`]. A tab alone relays
    /// nothing, so sharing costs a single tab nothing per publication; the
    /// clock is read only inside a grace period (asked once per publication).
    pub fn has_listeners(&self, now: impl FnOnce() -> u64) -> bool {
        !self.list.is_empty() || (self.listeners_until > 0 && now() < self.listeners_until)
    }

    /// Forgets followers silent since `now - forget_after_ms`; true when any was.
    pub fn expire(&mut self, now: u64) -> bool {
        let before = self.list.len();
        let horizon = self.forget_after_ms;
        self.list
            .retain(|m| now.saturating_sub(m.seen_at) <= horizon);
        self.list.len() != before
    }

    /// Tabs in the group: the followers plus the leader.
    pub fn tabs(&self) -> u32 {
        u32::try_from(self.list.len())
            .unwrap_or(u32::MAX)
            .saturating_add(1)
    }

    /// True when some follower wants the connection.
    pub fn any_wants(&self) -> bool {
        self.list.iter().any(|m| m.wants)
    }

    /// Forgets everyone (the tab stepped down or left).
    pub fn clear(&mut self) {
        self.list.clear();
        self.listeners_until = 0;
    }
}

/// A follower's view of the leader: who it is, when it was last heard, and
/// when its silence means it is frozen.
#[derive(Debug, Clone)]
pub struct LeaderWatch {
    leader: Option<String>,
    heard_at: u64,
    silence_ms: u64,
    steal_at: Option<u64>,
}

impl LeaderWatch {
    /// A watch that calls a leader frozen after `silence_ms`, counted from `now`.
    pub fn new(silence_ms: u64, now: u64) -> Self {
        LeaderWatch {
            leader: None,
            heard_at: now,
            silence_ms,
            steal_at: None,
        }
    }

    /// The leader `id` was heard at `now`; true when it is a new leader.
    pub fn heard(&mut self, id: &str, now: u64) -> bool {
        self.heard_at = now;
        self.steal_at = None;
        if self.leader.as_deref() == Some(id) {
            return false;
        }
        self.leader = Some(id.to_owned());
        true
    }

    /// The leader last heard, if any.
    pub fn leader(&self) -> Option<&str> {
        self.leader.as_deref()
    }

    /// Starts the count again (the tab just became a follower).
    pub fn restart(&mut self, now: u64) {
        self.leader = None;
        self.heard_at = now;
        self.steal_at = None;
    }

    /// Called on every tick: true when the lock should be stolen now. The
    /// first tick past the silence picks a moment `jitter_ms` later (so two
    /// followers rarely steal at once); a heartbeat before then calls it off.
    pub fn steal_due(&mut self, now: u64, jitter_ms: u64) -> bool {
        if now.saturating_sub(self.heard_at) < self.silence_ms {
            self.steal_at = None;
            return false;
        }
        match self.steal_at {
            None => {
                self.steal_at = Some(now.saturating_add(jitter_ms));
                jitter_ms == 0
            }
            Some(at) => now >= at,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn members_are_counted_and_forgotten_when_silent() {
        let mut members = Members::new(1_000);
        assert_eq!(members.tabs(), 1);
        assert!(members.heard("a", false, 0));
        assert!(!members.heard("a", true, 100));
        assert!(members.heard("b", false, 200));
        assert_eq!(members.tabs(), 3);
        assert!(members.any_wants());
        assert!(!members.expire(1_100));
        assert!(members.expire(1_150));
        assert_eq!(members.tabs(), 2);
        assert!(!members.any_wants());
        assert!(members.left("b"));
        assert!(!members.left("b"));
        assert_eq!(members.tabs(), 1);
    }

    #[test]
    fn a_leader_alone_relays_nothing_and_a_quiet_follower_keeps_the_relay() {
        let mut members = Members::new(1_000);
        assert!(!members.has_listeners(|| 0), "alone: nobody to relay to");
        members.heard("a", true, 10);
        assert!(members.has_listeners(|| 20));
        // Forgotten from the table (a hidden tab's slow timers), still listening.
        assert!(members.expire(5_000));
        assert_eq!(members.tabs(), 1);
        assert!(members.has_listeners(|| 5_000));
        assert!(!members.has_listeners(|| 10 + RELAY_GRACE_MS));
        // The last follower says bye: nobody listens.
        members.heard("a", true, 6_000);
        assert!(members.left("a"));
        assert!(!members.has_listeners(|| 6_001));
        // A tab taking over expects the old leader's followers.
        members.expect_listeners(7_000);
        assert!(members.has_listeners(|| 7_001));
        members.clear();
        assert!(!members.has_listeners(|| 7_002));
    }

    #[test]
    fn the_table_is_bounded() {
        let mut members = Members::new(1_000);
        for i in 0..MAX_MEMBERS + 10 {
            members.heard(&i.to_string(), false, 0);
        }
        assert_eq!(members.tabs() as usize, MAX_MEMBERS + 1);
    }

    #[test]
    fn a_silent_leader_is_stolen_from_after_the_jitter() {
        let mut watch = LeaderWatch::new(1_000, 0);
        assert!(watch.heard("L", 100));
        assert!(!watch.heard("L", 500));
        assert!(!watch.steal_due(1_400, 200));
        // Silent since 500: due at 1500, stolen at 1500 + jitter.
        assert!(!watch.steal_due(1_500, 200));
        assert!(!watch.steal_due(1_600, 200));
        assert!(watch.steal_due(1_700, 200));
    }

    #[test]
    fn a_heartbeat_during_the_jitter_calls_the_steal_off() {
        let mut watch = LeaderWatch::new(1_000, 0);
        assert!(!watch.steal_due(1_000, 300));
        assert!(watch.heard("L2", 1_100));
        assert_eq!(watch.leader(), Some("L2"));
        assert!(!watch.steal_due(1_400, 300));
        assert!(!watch.steal_due(2_099, 0));
        assert!(watch.steal_due(2_100, 0));
        watch.restart(3_000);
        assert_eq!(watch.leader(), None);
        assert!(!watch.steal_due(3_500, 0));
    }
}
