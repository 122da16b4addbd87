//! One token pair per group: which of two pairs wins, and how the leader
//! answers a follower that asks for a refresh.

/// True when a pair with `incoming` token and expiry should replace the
/// `current` one: it expires later, or at the same time and its token sorts
/// after (any fixed order will do: every tab picks the same pair).
pub fn is_newer(current: Option<(&str, u64)>, incoming: (&str, u64)) -> bool {
    let Some((token, expires_at)) = current else {
        return true;
    };
    let (new_token, new_expires_at) = incoming;
    new_expires_at > expires_at || (new_expires_at == expires_at && new_token > token)
}

/// What the leader does with a follower's request to refresh `named`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefreshAnswer {
    /// The leader already holds another token: send the current pair again.
    SendCurrent,
    /// The follower holds the leader's own token: refresh it (once, however
    /// many ask) and broadcast the outcome.
    Refresh,
    /// The leader has no tokens (it is logging out): say nothing.
    Ignore,
}

/// The leader's answer to a request naming `named` while it holds `current`.
pub fn answer(current: Option<&str>, named: &str) -> RefreshAnswer {
    match current {
        None => RefreshAnswer::Ignore,
        Some(token) if token == named => RefreshAnswer::Refresh,
        Some(_) => RefreshAnswer::SendCurrent,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_later_expiry_wins_and_ties_are_broken_the_same_everywhere() {
        assert!(is_newer(None, ("a", 1)));
        assert!(is_newer(Some(("a", 1)), ("b", 2)));
        assert!(!is_newer(Some(("b", 2)), ("a", 1)));
        assert!(is_newer(Some(("a", 2)), ("b", 2)));
        assert!(!is_newer(Some(("b", 2)), ("a", 2)));
        assert!(!is_newer(Some(("a", 2)), ("a", 2)));
    }

    #[test]
    fn one_refresh_for_the_current_token_and_the_pair_for_an_old_one() {
        assert_eq!(answer(Some("t1"), "t1"), RefreshAnswer::Refresh);
        assert_eq!(answer(Some("t2"), "t1"), RefreshAnswer::SendCurrent);
        assert_eq!(answer(None, "t1"), RefreshAnswer::Ignore);
    }
}
