//! [`Gate`]: shows each positioned publication once, in order, per channel,
//! whichever tab's socket it came through (see the module map in `sharing`).

/// The last position shown for each channel.
#[derive(Debug, Default, Clone)]
pub struct Gate {
    /// Channel, epoch, offset of the last publication shown (or seeded).
    channels: Vec<(String, String, u64)>,
}

impl Gate {
    /// Decides on a publication: true when it is to be shown. Unpositioned
    /// publications (offset 0) always pass; a new epoch restarts the channel.
    pub fn pass(&mut self, channel: &str, epoch: &str, offset: u64) -> bool {
        if offset == 0 {
            return true;
        }
        match self.last_in_epoch(channel, epoch, offset) {
            Some(last) if offset > *last => {
                *last = offset;
                true
            }
            Some(_) => false,
            None => true,
        }
    }

    /// Learns a stream position from the leader's heartbeat: nothing at or
    /// before it will be shown. Never moves a channel back in one epoch.
    pub fn seed(&mut self, channel: &str, epoch: &str, offset: u64) {
        if let Some(last) = self.last_in_epoch(channel, epoch, offset) {
            *last = (*last).max(offset);
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
        assert!(gate.pass("ch", "e", 1));
        assert!(gate.pass("ch", "e", 2));
        assert!(!gate.pass("ch", "e", 2));
        assert!(!gate.pass("ch", "e", 1));
        assert!(gate.pass("ch", "e", 3));
        assert!(gate.pass("other", "e", 1));
    }

    #[test]
    fn unpositioned_publications_always_pass() {
        let mut gate = Gate::default();
        assert!(gate.pass("ch", "", 0));
        assert!(gate.pass("ch", "", 0));
    }

    #[test]
    fn a_new_epoch_restarts_the_channel() {
        let mut gate = Gate::default();
        assert!(gate.pass("ch", "e1", 10));
        assert!(gate.pass("ch", "e2", 1));
        assert!(!gate.pass("ch", "e2", 1));
        assert!(gate.pass("ch", "e2", 2));
    }

    /// The failover the module comment describes: the old leader's relays
    /// still queued, and the new leader's recovery from the gate's position,
    /// interleave; every offset is shown once and in order.
    #[test]
    fn old_relays_and_a_recovered_stream_interleave_to_exactly_once() {
        let mut gate = Gate::default();
        let mut shown = Vec::new();
        for offset in 1..=3 {
            if gate.pass("ch", "e", offset) {
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
            if gate.pass("ch", "e", offset) {
                shown.push(offset);
            }
        }
        assert_eq!(shown, [1, 2, 3, 4, 5, 6, 7]);
    }

    #[test]
    fn seeding_never_moves_back_in_one_epoch() {
        let mut gate = Gate::default();
        gate.seed("ch", "e", 5);
        assert!(!gate.pass("ch", "e", 5));
        assert!(gate.pass("ch", "e", 6));
        gate.seed("ch", "e", 2);
        assert!(!gate.pass("ch", "e", 6));
        gate.seed("ch", "e2", 2);
        assert!(gate.pass("ch", "e2", 3));
    }
}
