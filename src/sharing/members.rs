//! Who is in the group: the leader's table of followers (each says hello
//! every beat; one silent for too long is forgotten), and a follower's watch
//! on the leader's heartbeat, which says when to steal the lock.
//!
//! Both judge another tab's silence on their own tick, and a tab's ticks are
//! only as regular as its browser lets them be: a tab hidden for minutes
//! gets about one timer wake-up a minute, and a frozen one none. So silence
//! is judged against [`silence_window`]: the configured silence, or twice
//! the gap since this tab's previous tick when that is longer. Tabs that
//! are all hidden then keep their leader and their table, while a tab whose
//! ticks run on time still steals from a leader silent past the configured
//! silence, a frozen or throttled one alike.

/// One follower as the leader knows it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Member {
    id: String,
    seen_at: u64,
    wants: bool,
}

/// How long another tab may stay silent, for a tab that ticked at `now`
/// after its previous tick at `previous` (None: its first tick): `base_ms`,
/// or twice its own gap when the browser ran its timers later than that. A
/// tab that could not look more often cannot call another one silent sooner.
pub fn silence_window(base_ms: u64, previous: Option<u64>, now: u64) -> u64 {
    let gap = previous.map_or(0, |at| now.saturating_sub(at));
    base_ms.max(gap.saturating_mul(2))
}

/// The leader's table of followers.
#[derive(Debug, Clone)]
pub struct Members {
    list: Vec<Member>,
    forget_after_ms: u64,
    /// When [`Members::expire`] last ran (the leader's previous tick).
    expired_at: Option<u64>,
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
            expired_at: None,
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

    /// Called on every tick of the leader: forgets followers silent for
    /// longer than the [`silence_window`] of `forget_after_ms`; true when any was.
    pub fn expire(&mut self, now: u64) -> bool {
        let before = self.list.len();
        let horizon = silence_window(self.forget_after_ms, self.expired_at, now);
        self.expired_at = Some(now);
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
        self.expired_at = None;
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
    /// When [`LeaderWatch::steal_due`] last ran (this tab's previous tick),
    /// or when the watch began.
    ticked_at: Option<u64>,
}

impl LeaderWatch {
    /// A watch that calls a leader frozen after `silence_ms`, counted from `now`.
    pub fn new(silence_ms: u64, now: u64) -> Self {
        LeaderWatch {
            leader: None,
            heard_at: now,
            silence_ms,
            steal_at: None,
            ticked_at: Some(now),
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
        self.ticked_at = Some(now);
    }

    /// Called on every tick: true when the lock should be stolen now. The
    /// first tick past the silence (its [`silence_window`]) picks a moment
    /// `jitter_ms` later (so two followers rarely steal at once); a heartbeat
    /// before then calls it off.
    pub fn steal_due(&mut self, now: u64, jitter_ms: u64) -> bool {
        let window = silence_window(self.silence_ms, self.ticked_at, now);
        self.ticked_at = Some(now);
        if now.saturating_sub(self.heard_at) < window {
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

    /// About one timer wake-up a minute, as a browser gives a tab hidden for minutes.
    const THROTTLED_MS: u64 = 60_000;

    #[test]
    fn hidden_tabs_keep_a_leader_that_beats_once_a_minute() {
        // Defaults: silence 10 s, followers forgotten after 20 s.
        let mut watch = LeaderWatch::new(10_000, 0);
        let mut members = Members::new(20_000);
        watch.heard("L", 0);
        for minute in 1..=30 {
            let at = minute * THROTTLED_MS;
            // The leader's beat and the follower's hello land a little
            // before or after the other tab's tick, never more than a
            // minute apart.
            watch.heard("L", at - 7_000);
            assert!(!watch.steal_due(at, 0), "stolen at minute {minute}");
            members.heard("F", true, at - 13_000);
            assert!(!members.expire(at), "forgotten at minute {minute}");
        }
        assert_eq!(members.tabs(), 2);
    }

    #[test]
    fn a_hidden_follower_still_steals_from_a_frozen_leader() {
        let mut watch = LeaderWatch::new(10_000, 0);
        watch.heard("L", 0);
        // The leader froze after its beat at 0; the follower ticks once a minute.
        let stolen = (1..=5).find(|&minute| watch.steal_due(minute * THROTTLED_MS, 0));
        assert_eq!(
            stolen,
            Some(2),
            "a minute late, the first tick cannot judge a minute's silence"
        );
        // A follower whose ticks are on time steals after the configured silence.
        let mut watch = LeaderWatch::new(10_000, 0);
        watch.heard("L", 0);
        let stolen = (1..=10).find(|&tick| watch.steal_due(tick * 2_000, 0));
        assert_eq!(stolen, Some(5));
    }

    #[test]
    fn a_thawed_follower_gives_the_leader_a_beat_before_stealing() {
        let mut watch = LeaderWatch::new(10_000, 0);
        watch.heard("L", 0);
        assert!(!watch.steal_due(2_000, 0));
        // Frozen for five minutes: the leader's beats of that time are still queued.
        assert!(!watch.steal_due(302_000, 0));
        watch.heard("L", 302_005);
        assert!(!watch.steal_due(304_000, 0));
        // Nothing since: the configured silence applies again.
        assert!(!watch.steal_due(312_000, 0));
        assert!(watch.steal_due(314_000, 0));
    }

    #[test]
    fn a_leader_on_time_forgets_a_follower_after_the_configured_silence() {
        let mut members = Members::new(20_000);
        members.heard("F", true, 0);
        assert!(!members.expire(18_000));
        assert!(!members.expire(20_000));
        assert!(members.expire(22_000));
        // Back from a long gap, it judges silence against twice that gap.
        members.heard("F", true, 22_000);
        assert!(!members.expire(122_000));
        members.clear();
        members.heard("F", true, 200_000);
        assert!(members.expire(221_000), "a new table sets the pace anew");
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
