//! One token pair and one refresh per group.

use super::sim::*;
use crate::error_code::ErrorCode;
use crate::sharing::message::{self, Message};
use crate::sharing::tab::Output;
use crate::sharing::Role;
use serde_json::Value;

/// The refresh outcomes a tab's session got from the leader (or its takeover).
fn landed(node: &Node) -> Vec<Result<String, ErrorCode>> {
    node.log
        .iter()
        .filter_map(|output| match output {
            Output::Land(outcome) => Some(
                outcome
                    .as_ref()
                    .map(|pair| pair.token.clone())
                    .map_err(|e| e.code),
            ),
            _ => None,
        })
        .collect()
}

fn token(node: &Node) -> Option<String> {
    node.session.tokens.as_ref().map(|pair| pair.token.clone())
}

#[test]
fn every_tab_refreshing_at_once_is_one_refresh_and_one_new_pair_everywhere() {
    let mut w = World::new();
    let tabs = w.group(3, &operator());
    for &t in &tabs {
        w.refresh(t);
    }
    w.run(SILENCE);
    assert_eq!(w.iam.requests, 1);
    let new = token(&w.nodes[tabs[0]]).unwrap();
    assert_ne!(new, operator().token);
    for &t in &tabs {
        assert_eq!(token(&w.nodes[t]).as_ref(), Some(&new), "tab {t}");
        assert_eq!(w.nodes[t].refreshed, 1, "tab {t}: one tokenRefreshed");
        assert_ne!(w.nodes[t].role(), Role::Off, "tab {t}");
    }
}

#[test]
fn a_tab_that_asks_with_an_old_token_gets_the_current_pair() {
    let mut w = World::new();
    let [a, b] = w.group(2, &operator())[..] else {
        unreachable!()
    };
    // b misses the pair a's refresh posts.
    w.hold(b);
    w.refresh(a);
    w.run(BEAT);
    w.drop_held(b);
    w.release_held(b);
    assert_eq!(token(&w.nodes[b]), Some(operator().token));
    w.refresh(b);
    w.run(SILENCE);
    assert_eq!(w.iam.requests, 1, "no second refresh");
    assert_eq!(token(&w.nodes[b]), token(&w.nodes[a]));
}

#[test]
fn a_refused_refresh_ends_the_session_in_every_tab() {
    let mut w = World::new();
    let tabs = w.group(3, &operator());
    w.iam.mode = IamMode::Refuse;
    for &t in &tabs {
        w.refresh(t);
    }
    w.run(SILENCE);
    assert_eq!(w.iam.requests, 1);
    for &t in &tabs {
        let node = &w.nodes[t];
        assert_eq!(token(node), None, "tab {t}");
        assert_eq!(node.role(), Role::Off, "tab {t}");
    }
    for &t in &tabs[1..] {
        let node = &w.nodes[t];
        assert_eq!(landed(node), [Err(ErrorCode::Unauthorized)], "tab {t}");
        assert_eq!(
            node.lifecycle().last().map(String::as_str),
            Some("stop:the session ended"),
            "tab {t}"
        );
    }
}

#[test]
fn a_passing_failure_of_the_refresh_keeps_the_tokens_in_every_tab() {
    let mut w = World::new();
    let tabs = w.group(3, &operator());
    w.iam.mode = IamMode::Fail;
    for &t in &tabs {
        w.refresh(t);
    }
    w.run(SILENCE);
    assert_eq!(w.iam.requests, 1);
    for &t in &tabs {
        assert_eq!(token(&w.nodes[t]), Some(operator().token), "tab {t}");
        assert_ne!(w.nodes[t].role(), Role::Off, "tab {t}");
    }
    for &t in &tabs[1..] {
        assert_eq!(landed(&w.nodes[t]), [Err(ErrorCode::Network)], "tab {t}");
    }
}

#[test]
fn a_tab_that_takes_over_does_the_refresh_it_waited_for() {
    let mut w = World::new();
    let [a, b] = w.group(2, &operator())[..] else {
        unreachable!()
    };
    w.nodes[a].frozen = true;
    w.refresh(b);
    let took = w.run_until(3 * SILENCE, |w| {
        token(&w.nodes[b]).is_some_and(|t| t != operator().token)
    });
    assert!(took.is_some(), "refreshed before the request's timeout");
    assert_eq!(w.nodes[b].role(), Role::Leader);
    assert_eq!(w.iam.requests, 1);
    assert_eq!(w.nodes[b].refreshed, 1);
}

#[test]
fn a_refresh_nobody_answers_fails_with_timeout_and_keeps_the_tokens() {
    let mut w = World::new();
    // A long silence: b does not take over within the request's timeout.
    let a = w.open_with(true, 60_000);
    let b = w.open_with(true, 60_000);
    w.use_tokens(a, operator());
    w.run(50);
    w.use_tokens(b, operator());
    w.run(SILENCE);
    w.nodes[a].frozen = true;
    w.refresh(b);
    let took = w.run_until(3 * REFRESH_TIMEOUT, |w| !landed(&w.nodes[b]).is_empty());
    assert!(
        took.is_some_and(|ms| (REFRESH_TIMEOUT..=REFRESH_TIMEOUT + STEP).contains(&ms)),
        "{took:?}"
    );
    assert_eq!(landed(&w.nodes[b]), [Err(ErrorCode::Timeout)]);
    assert_eq!(token(&w.nodes[b]), Some(operator().token));
}

#[test]
fn a_posted_pair_is_adopted_only_when_newer_and_never_echoed() {
    let mut w = World::new();
    let [a, b] = w.group(2, &operator())[..] else {
        unreachable!()
    };
    let newer = pair("389", 2_000_000_100, 2);
    w.use_tokens(a, newer.clone());
    w.run(SILENCE);
    assert_eq!(token(&w.nodes[b]), Some(newer.token.clone()));
    let echoed = w.nodes[b]
        .posted()
        .filter(|m| matches!(m, Message::Tokens { token, .. } if *token == newer.token))
        .count();
    assert_eq!(echoed, 0, "b does not post the pair back");

    let older = pair("389", 2_000_000_050, 3);
    w.use_tokens(b, older);
    w.run(SILENCE);
    assert_eq!(token(&w.nodes[a]), Some(newer.token));
}

#[test]
fn another_tabs_refusal_of_the_current_token_ends_the_session_here() {
    let mut w = World::new();
    let [_a, b] = w.group(2, &operator())[..] else {
        unreachable!()
    };
    let refused = |token: String| -> Value {
        let refused = Message::<Value>::Refused {
            token,
            retryable: false,
        };
        serde_json::to_value(message::write("tab-x", &refused)).unwrap()
    };
    w.deliver(b, refused("an old token".into()));
    w.run(BEAT);
    assert_eq!(token(&w.nodes[b]), Some(operator().token));
    w.deliver(b, refused(operator().token));
    w.run(BEAT);
    assert_eq!(token(&w.nodes[b]), None);
    assert_eq!(w.nodes[b].role(), Role::Off);
}
