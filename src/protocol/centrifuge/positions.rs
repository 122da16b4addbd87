//! Stream positions of server-side subscriptions: what to ask for on reconnect,
//! which publication is new, and when continuity is lost.
//!
//! The offset advances *before* a publication is handed out, so a listener that
//! makes the client reconnect from inside its callback does not get it twice.
//!
//! Imports: std and the codec's subscription shapes only. Used by the client;
//! public for inspection ([`CentrifugeClient::positions`](super::CentrifugeClient::positions)).

use super::codec::{RecoverRequest, SubscribeResult};

/// Last known position in one channel's stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StreamPosition {
    /// The server keeps history for the channel.
    pub recoverable: bool,
    /// Stream epoch.
    pub epoch: String,
    /// Offset of the last publication delivered (or the stream top at subscribe).
    pub offset: u64,
}

/// Why a channel needs a resync over REST.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LossReason {
    /// The stream has a new epoch: the server lost its history (restart).
    EpochChanged,
    /// Same epoch, but the history no longer reaches back to our offset.
    HistoryGone,
    /// A tab sharing another tab's connection found a hole in the
    /// publications relayed to it (its page was paused, say).
    MissedRelays,
    /// The channel keeps no history, so a reconnect cannot prove nothing was missed.
    NotRecoverable,
    /// The server told the client to forget its positions (close code 3014).
    StateInvalidated,
}

impl LossReason {
    /// Every reason, in the alphabetical order of [`as_str`](Self::as_str)
    /// (the order `Resync` events come in); `reason as usize` indexes it.
    pub const ALL: [LossReason; 5] = [
        LossReason::EpochChanged,
        LossReason::HistoryGone,
        LossReason::MissedRelays,
        LossReason::NotRecoverable,
        LossReason::StateInvalidated,
    ];

    /// The reason as the `resync` event spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            LossReason::EpochChanged => "epochChanged",
            LossReason::HistoryGone => "historyGone",
            LossReason::MissedRelays => "missedRelays",
            LossReason::NotRecoverable => "notRecoverable",
            LossReason::StateInvalidated => "stateInvalidated",
        }
    }
}

/// What a connect reply means for one channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Continuity {
    /// First subscription: nothing could have been missed.
    Fresh,
    /// The missed publications came with the reply.
    Recovered,
    /// Publications may have been missed; the host must refetch.
    Lost(LossReason),
}

/// Verdict on one incoming publication.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Acceptance {
    /// New: deliver it (the offset has advanced).
    Deliver,
    /// Already delivered: drop it.
    Duplicate,
    /// Offsets skipped ahead: something is missing before it.
    Gap,
    /// No offset (or 0) in a channel whose stream is recoverable: it cannot
    /// be placed in the stream, so it is refused rather than delivered out
    /// of order.
    Unpositioned,
}

/// Positions of every server-side subscription of the connection.
///
/// A connection has a handful of channels (TWIN gives one): a list sorted
/// by name serves them with less code than a map.
#[derive(Debug, Default)]
pub struct Positions {
    /// Sorted by channel name, one entry per channel.
    channels: Vec<(String, StreamPosition)>,
    /// Channels dropped by a 3014 close, to report as lost once.
    forgotten: Vec<String>,
}

impl Positions {
    fn find(&self, channel: &str) -> Result<usize, usize> {
        self.channels
            .binary_search_by(|(name, _)| name.as_str().cmp(channel))
    }

    /// The recovery requests for the next `connect`: every recoverable
    /// channel, sorted by name.
    pub fn recover_requests(&self) -> Vec<(&str, RecoverRequest<'_>)> {
        self.channels
            .iter()
            .filter(|(_, p)| p.recoverable)
            .map(|(name, p)| {
                (
                    name.as_str(),
                    RecoverRequest {
                        recover: true,
                        epoch: &p.epoch,
                        offset: p.offset,
                    },
                )
            })
            .collect()
    }

    /// How the reply for `channel` relates to what was delivered before.
    pub fn continuity<V>(&self, channel: &str, result: &SubscribeResult<V>) -> Continuity {
        let Some(previous) = self.get(channel) else {
            return if self.forgotten.iter().any(|name| name == channel) {
                Continuity::Lost(LossReason::StateInvalidated)
            } else {
                Continuity::Fresh
            };
        };
        if !result.was_recovering {
            Continuity::Lost(LossReason::NotRecoverable)
        } else if result.recovered {
            Continuity::Recovered
        } else if !result.epoch.is_empty() && result.epoch != previous.epoch {
            Continuity::Lost(LossReason::EpochChanged)
        } else {
            Continuity::Lost(LossReason::HistoryGone)
        }
    }

    /// Stores the position a subscribe result reports. After a recovery the
    /// offset never moves back below what was delivered from the reply.
    pub fn settle<V>(&mut self, channel: &str, result: &SubscribeResult<V>, recovered: bool) {
        self.forgotten.retain(|name| name != channel);
        let at = match self.find(channel) {
            Ok(at) => at,
            Err(at) => {
                let fresh = StreamPosition {
                    recoverable: false,
                    epoch: String::new(),
                    offset: 0,
                };
                self.channels.insert(at, (channel.to_owned(), fresh));
                at
            }
        };
        let Some((_, entry)) = self.channels.get_mut(at) else {
            return;
        };
        entry.recoverable = result.recoverable;
        if !result.epoch.is_empty() {
            entry.epoch.clone_from(&result.epoch);
        }
        entry.offset = if recovered {
            entry.offset.max(result.offset)
        } else {
            result.offset
        };
    }

    /// Decides on a publication at `offset` (0 = the channel is not positioned)
    /// and advances the stored offset when it is new.
    pub fn accept(&mut self, channel: &str, offset: u64) -> Acceptance {
        let Some((_, position)) = self
            .find(channel)
            .ok()
            .and_then(|at| self.channels.get_mut(at))
        else {
            return Acceptance::Deliver;
        };
        if offset == 0 {
            return if position.recoverable {
                Acceptance::Unpositioned
            } else {
                Acceptance::Deliver
            };
        }
        if offset <= position.offset {
            return Acceptance::Duplicate;
        }
        if position.recoverable && offset > position.offset + 1 {
            return Acceptance::Gap;
        }
        position.offset = offset;
        Acceptance::Deliver
    }

    /// Drops channels the server no longer lists.
    pub fn retain(&mut self, mut keep: impl FnMut(&str) -> bool) {
        self.channels.retain(|(name, _)| keep(name));
    }

    /// Forgets `channel` (server unsubscribe).
    pub fn remove(&mut self, channel: &str) {
        if let Ok(at) = self.find(channel) {
            self.channels.remove(at);
        }
    }

    /// Forgets every position (close code 3014); the next connect reports the
    /// channels as lost so the host refetches.
    pub fn invalidate(&mut self) {
        for (name, _) in std::mem::take(&mut self.channels) {
            if !self.forgotten.contains(&name) {
                self.forgotten.push(name);
            }
        }
    }

    /// Sets `channel`'s position from outside (another tab saw the stream
    /// up to `offset` in `epoch`): the next connect recovers from there. An
    /// offset of 0 leaves the channel as it is.
    pub fn seed(&mut self, channel: &str, epoch: &str, offset: u64) {
        if offset == 0 {
            return;
        }
        self.forgotten.retain(|name| name != channel);
        let position = StreamPosition {
            recoverable: true,
            epoch: epoch.to_owned(),
            offset,
        };
        match self.find(channel) {
            Ok(at) => {
                if let Some((_, entry)) = self.channels.get_mut(at) {
                    *entry = position;
                }
            }
            Err(at) => self.channels.insert(at, (channel.to_owned(), position)),
        }
    }

    /// Every channel's position, sorted by name.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &StreamPosition)> {
        self.channels.iter().map(|(name, p)| (name.as_str(), p))
    }

    /// The stored position of `channel`.
    pub fn get(&self, channel: &str) -> Option<&StreamPosition> {
        let at = self.find(channel).ok()?;
        self.channels.get(at).map(|(_, position)| position)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn result(epoch: &str, offset: u64) -> SubscribeResult<()> {
        SubscribeResult {
            recoverable: true,
            epoch: epoch.into(),
            offset,
            ..Default::default()
        }
    }

    fn recovering(epoch: &str, offset: u64, recovered: bool) -> SubscribeResult<()> {
        SubscribeResult {
            was_recovering: true,
            recovered,
            ..result(epoch, offset)
        }
    }

    #[test]
    fn first_subscription_is_fresh_and_asks_for_recovery_next_time() {
        let mut p = Positions::default();
        let r = result("e1", 5);
        assert_eq!(p.continuity("ch", &r), Continuity::Fresh);
        p.settle("ch", &r, false);
        let req = p.recover_requests();
        assert_eq!(req.len(), 1);
        let (name, req) = &req[0];
        assert_eq!(*name, "ch");
        assert_eq!(req.offset, 5);
        assert_eq!(req.epoch, "e1");
        assert!(req.recover);
    }

    #[test]
    fn offsets_advance_and_duplicates_are_dropped() {
        let mut p = Positions::default();
        p.settle("ch", &result("e", 5), false);
        assert_eq!(p.accept("ch", 6), Acceptance::Deliver);
        assert_eq!(p.accept("ch", 6), Acceptance::Duplicate);
        assert_eq!(p.accept("ch", 3), Acceptance::Duplicate);
        assert_eq!(p.accept("ch", 7), Acceptance::Deliver);
        assert_eq!(p.get("ch").unwrap().offset, 7);
    }

    #[test]
    fn a_skip_ahead_is_a_gap_and_does_not_advance() {
        let mut p = Positions::default();
        p.settle("ch", &result("e", 5), false);
        assert_eq!(p.accept("ch", 8), Acceptance::Gap);
        assert_eq!(p.get("ch").unwrap().offset, 5);
    }

    #[test]
    fn unpositioned_publications_are_delivered_unless_the_channel_is_recoverable() {
        let mut p = Positions::default();
        assert_eq!(p.accept("ch", 0), Acceptance::Deliver);
        assert_eq!(p.accept("other", 9), Acceptance::Deliver);
        p.settle("ch", &result("e", 5), false);
        assert_eq!(p.accept("ch", 0), Acceptance::Unpositioned);
        assert_eq!(p.get("ch").unwrap().offset, 5);
        let mut plain = result("", 0);
        plain.recoverable = false;
        p.settle("plain", &plain, false);
        assert_eq!(p.accept("plain", 0), Acceptance::Deliver);
    }

    #[test]
    fn recovery_outcomes() {
        let mut p = Positions::default();
        p.settle("ch", &result("e1", 10), false);
        assert_eq!(
            p.continuity("ch", &recovering("e1", 12, true)),
            Continuity::Recovered
        );
        assert_eq!(
            p.continuity("ch", &recovering("e2", 0, false)),
            Continuity::Lost(LossReason::EpochChanged)
        );
        assert_eq!(
            p.continuity("ch", &recovering("e1", 40, false)),
            Continuity::Lost(LossReason::HistoryGone)
        );
        assert_eq!(
            p.continuity("ch", &result("e1", 12)),
            Continuity::Lost(LossReason::NotRecoverable)
        );
    }

    #[test]
    fn settling_after_recovery_never_moves_back() {
        let mut p = Positions::default();
        p.settle("ch", &result("e", 10), false);
        assert_eq!(p.accept("ch", 11), Acceptance::Deliver);
        assert_eq!(p.accept("ch", 12), Acceptance::Deliver);
        p.settle("ch", &recovering("e", 10, true), true);
        assert_eq!(p.get("ch").unwrap().offset, 12);
        p.settle("ch", &recovering("e2", 3, false), false);
        assert_eq!(p.get("ch").unwrap().offset, 3);
        assert_eq!(p.get("ch").unwrap().epoch, "e2");
    }

    #[test]
    fn invalidated_positions_are_reported_lost_once() {
        let mut p = Positions::default();
        p.settle("ch", &result("e", 10), false);
        p.invalidate();
        assert!(p.recover_requests().is_empty());
        assert_eq!(
            p.continuity("ch", &result("e", 20)),
            Continuity::Lost(LossReason::StateInvalidated)
        );
        p.settle("ch", &result("e", 20), false);
        assert_eq!(p.accept("ch", 21), Acceptance::Deliver);
        p.remove("ch");
        assert_eq!(p.continuity("ch", &result("e", 20)), Continuity::Fresh);
    }

    #[test]
    fn channels_not_recoverable_are_not_asked_for() {
        let mut p = Positions::default();
        let mut r = result("e", 4);
        r.recoverable = false;
        p.settle("ch", &r, false);
        assert!(p.recover_requests().is_empty());
        assert_eq!(p.accept("ch", 9), Acceptance::Deliver);
    }

    #[test]
    fn channels_stay_sorted_and_are_asked_for_in_name_order() {
        let mut p = Positions::default();
        for (name, offset) in [("b", 2), ("c", 3), ("a", 1), ("b", 4)] {
            p.settle(name, &result("e", offset), false);
        }
        let names: Vec<(&str, u64)> = p
            .recover_requests()
            .iter()
            .map(|(name, r)| (*name, r.offset))
            .collect();
        assert_eq!(names, [("a", 1), ("b", 4), ("c", 3)]);
        p.remove("b");
        p.retain(|name| name != "c");
        assert_eq!(p.recover_requests().len(), 1);
        assert!(p.get("a").is_some() && p.get("b").is_none() && p.get("c").is_none());
        p.invalidate();
        p.invalidate();
        assert_eq!(
            p.continuity("a", &result("e", 1)),
            Continuity::Lost(LossReason::StateInvalidated)
        );
    }

    #[test]
    fn seeded_positions_are_recovered_from() {
        let mut p = Positions::default();
        p.settle("b", &result("e", 2), false);
        p.invalidate();
        p.seed("a", "e1", 7);
        p.seed("b", "e2", 9);
        p.seed("c", "e3", 0);
        let asked: Vec<(&str, &str, u64)> = p
            .recover_requests()
            .iter()
            .map(|(name, r)| (*name, r.epoch, r.offset))
            .collect();
        assert_eq!(asked, [("a", "e1", 7), ("b", "e2", 9)]);
        assert_eq!(
            p.continuity("a", &recovering("e1", 8, true)),
            Continuity::Recovered
        );
        assert_eq!(p.accept("a", 8), Acceptance::Deliver);
        assert_eq!(p.iter().count(), 2);
    }

    #[test]
    fn loss_reasons_are_listed_in_the_order_of_their_names() {
        let names: Vec<&str> = LossReason::ALL.iter().map(|r| r.as_str()).collect();
        let mut sorted = names.clone();
        sorted.sort_unstable();
        assert_eq!(names, sorted);
        for (i, reason) in LossReason::ALL.into_iter().enumerate() {
            assert_eq!(reason as usize, i);
        }
    }
}
