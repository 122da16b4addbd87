//! [`Gate`]: shows each positioned publication once, in order, per channel,
//! whichever tab's socket it came through (see the module map in `sharing`),
//! and notices a hole: offsets of a channel are contiguous in one epoch, so a
//! publication past the next one, or a heartbeat position past the last one
//! shown, means relays this tab never got (a browser drops BroadcastChannel
//! messages posted to a page paused in the debugger, say). The tab then
//! shows a `resync` for the channel, as after a lost stream.

/// What to do with one publication.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pass {
    /// Show it.
    Show,
    /// Show it, after a `resync`: publications before it never came.
    AfterGap,
    /// Already shown (or seeded past): drop it.
    Drop,
}

/// The last position shown for each channel.
#[derive(Debug, Default, Clone)]
pub struct Gate {
    /// Channel, epoch, offset of the last publication shown (or seeded).
    channels: Vec<(String, String, u64)>,
}

impl Gate {
    /// Decides on a publication. Unpositioned publications (offset 0)
    /// always show; a new epoch restarts the channel.
    pub fn pass(&mut self, channel: &str, epoch: &str, offset: u64) -> Pass {
        if offset == 0 {
            return Pass::Show;
        }
        match self.last_in_epoch(channel, epoch, offset) {
            Some(last) if offset > *last => {
                let gap = offset > last.saturating_add(1);
                *last = offset;
                if gap {
                    Pass::AfterGap
                } else {
                    Pass::Show
                }
            }
            Some(_) => Pass::Drop,
            None => Pass::Show,
        }
    }

    /// Learns a stream position from the leader's heartbeat: nothing at or
    /// before it will be shown. Never moves a channel back in one epoch.
    /// True when it moves a known channel forward: publications up to it
    /// were delivered to the leader and never reached this tab.
    pub fn seed(&mut self, channel: &str, epoch: &str, offset: u64) -> bool {
        match self.last_in_epoch(channel, epoch, offset) {
            Some(last) if offset > *last => {
                *last = offset;
                true
            }
            _ => false,
        }
    }

    /// The last offset of `channel` when it is known in `epoch`; otherwise
    /// (a new channel, or a new epoch) the channel starts at `offset` and
    /// the answer is `None`.
    fn last_in_epoch(&mut self, channel: &str, epoch: &str, offset: u64) -> Option<&mut u64> {
        let Some(index) = self
            .channels
            .iter()
            .position(|(name, _, _)| name == channel)
        else {
            self.channels
                .push((channel.to_owned(), epoch.to_owned(), offset));
            return None;
        };
        let (_, known_epoch, last) = self.channels.get_mut(index)?;
        if known_epoch != epoch {
            epoch.clone_into(known_epoch);
            *last = offset;
            return None;
        }
        Some(last)
    }

    /// Every channel's last position: channel, epoch, offset.
    pub fn positions(&self) -> impl Iterator<Item = (&str, &str, u64)> {
        self.channels
            .iter()
            .map(|(channel, epoch, offset)| (channel.as_str(), epoch.as_str(), *offset))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positioned_publications_pass_once_and_in_order() {
        let mut gate = Gate::default();
        assert_eq!(gate.pass("ch", "e", 1), Pass::Show);
        assert_eq!(gate.pass("ch", "e", 2), Pass::Show);
        assert_eq!(gate.pass("ch", "e", 2), Pass::Drop);
        assert_eq!(gate.pass("ch", "e", 1), Pass::Drop);
        assert_eq!(gate.pass("ch", "e", 3), Pass::Show);
        assert_eq!(gate.pass("other", "e", 1), Pass::Show);
    }

    #[test]
    fn unpositioned_publications_always_pass() {
        let mut gate = Gate::default();
        assert_eq!(gate.pass("ch", "", 0), Pass::Show);
        assert_eq!(gate.pass("ch", "", 0), Pass::Show);
    }

    #[test]
    fn a_new_epoch_restarts_the_channel() {
        let mut gate = Gate::default();
        assert_eq!(gate.pass("ch", "e1", 10), Pass::Show);
        assert_eq!(gate.pass("ch", "e2", 1), Pass::Show);
        assert_eq!(gate.pass("ch", "e2", 1), Pass::Drop);
        assert_eq!(gate.pass("ch", "e2", 2), Pass::Show);
    }

    /// The failover the module comment describes: the old leader's relays
    /// still queued, and the new leader's recovery from the gate's position,
    /// interleave; every offset is shown once and in order.
    #[test]
    fn old_relays_and_a_recovered_stream_interleave_to_exactly_once() {
        let mut gate = Gate::default();
        let mut shown = Vec::new();
        for offset in 1..=3 {
            if gate.pass("ch", "e", offset) != Pass::Drop {
                shown.push(offset);
            }
        }
        // The new leader recovers from the gate's position (3)...
        let seeded: Vec<_> = gate
            .positions()
            .map(|(c, e, o)| (c.to_owned(), e.to_owned(), o))
            .collect();
        assert_eq!(seeded, [("ch".to_owned(), "e".to_owned(), 3)]);
        // ...while relays 4 and 5 of the old leader were still queued: the
        // recovered stream starts at 4 too.
        for offset in [4, 5, 4, 5, 6, 7] {
            match gate.pass("ch", "e", offset) {
                Pass::Show => shown.push(offset),
                Pass::Drop => {}
                Pass::AfterGap => panic!("no offset was skipped, yet {offset} came after a gap"),
            }
        }
        assert_eq!(shown, [1, 2, 3, 4, 5, 6, 7]);
    }

    #[test]
    fn seeding_never_moves_back_in_one_epoch() {
        let mut gate = Gate::default();
        gate.seed("ch", "e", 5);
        assert_eq!(gate.pass("ch", "e", 5), Pass::Drop);
        assert_eq!(gate.pass("ch", "e", 6), Pass::Show);
        gate.seed("ch", "e", 2);
        assert_eq!(gate.pass("ch", "e", 6), Pass::Drop);
        gate.seed("ch", "e2", 2);
        assert_eq!(gate.pass("ch", "e2", 3), Pass::Show);
    }

    #[test]
    fn a_publication_past_the_next_offset_comes_after_a_gap() {
        let mut gate = Gate::default();
        assert_eq!(
            gate.pass("ch", "e", 7),
            Pass::Show,
            "the first one seen starts the channel"
        );
        assert_eq!(gate.pass("ch", "e", 8), Pass::Show);
        assert_eq!(gate.pass("ch", "e", 11), Pass::AfterGap);
        assert_eq!(
            gate.pass("ch", "e", 9),
            Pass::Drop,
            "too late: the gap was reported"
        );
        assert_eq!(gate.pass("ch", "e", 12), Pass::Show);
        assert_eq!(
            gate.pass("ch", "e2", 40),
            Pass::Show,
            "a new epoch is no gap"
        );
    }

    #[test]
    fn a_heartbeat_past_the_last_shown_offset_is_a_gap_once() {
        let mut gate = Gate::default();
        assert!(!gate.seed("ch", "e", 5), "an unknown channel starts there");
        assert_eq!(gate.pass("ch", "e", 6), Pass::Show);
        assert!(!gate.seed("ch", "e", 6), "the leader is where this tab is");
        assert!(gate.seed("ch", "e", 9), "7 to 9 never came");
        assert!(!gate.seed("ch", "e", 9));
        assert!(!gate.seed("ch", "e", 3));
        assert!(!gate.seed("ch", "e2", 30), "a new epoch is no gap");
    }
}
