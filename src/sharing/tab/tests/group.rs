//! Joining and leaving a group: another operator's tokens, logout, a
//! channel that cannot open, what `sharing` reports, and the messages a
//! tab drops.

use super::sim::*;
use crate::protocol::test_json::SerdeJson;
use crate::protocol::State;
use crate::sharing::message::{self, Message, NAMESPACE};
use crate::sharing::tab::{AuthTokens, Config, ConnectAnswer, Output, Status, Tab};
use crate::sharing::Role;
use serde_json::{json, Value};

#[test]
fn another_operators_tokens_move_the_tab_to_that_operators_group() {
    let mut w = World::new();
    let [a, b] = w.group(2, &operator())[..] else {
        unreachable!()
    };
    let other = pair("472", 2_000_000_000, 9);
    w.use_tokens(b, other.clone());
    assert_eq!(
        w.nodes[b].lifecycle().last().map(String::as_str),
        Some("stop:the operator changed")
    );
    let joined: Vec<&str> = w.nodes[b]
        .log
        .iter()
        .filter_map(|o| match o {
            Output::Join(name) => Some(name.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(
        joined,
        [
            "twin-panel/v2/wss://x/ws/389",
            "twin-panel/v2/wss://x/ws/472"
        ]
    );
    w.run(SILENCE);
    assert_eq!(w.nodes[b].role(), Role::Leader, "alone in 472's group");
    assert_eq!(w.nodes[a].tab.status().tabs, 1);
    assert_eq!(w.nodes[b].state(), State::Disconnected);
    w.connect(b);
    w.run(BEAT);
    assert_eq!(w.nodes[b].state(), State::Connected);
    assert_eq!(w.connections(), 2, "one socket per operator");
    assert_eq!(
        w.nodes[a].session.tokens.as_ref().map(|p| &p.token),
        Some(&operator().token),
        "472's pair never reaches 389's tab"
    );
}

#[test]
fn logout_in_any_tab_logs_out_every_tab() {
    for who in [0, 1] {
        let mut w = World::new();
        let tabs = w.group(3, &operator());
        w.logout(tabs[who], true);
        w.run(SILENCE);
        for &t in &tabs {
            let node = &w.nodes[t];
            assert!(node.session.tokens.is_none(), "logout in {who}: tab {t}");
            assert_eq!(node.role(), Role::Off, "logout in {who}: tab {t}");
            assert_eq!(
                node.state(),
                State::Disconnected,
                "logout in {who}: tab {t}"
            );
            assert!(
                node.lifecycle()
                    .last()
                    .is_some_and(|e| e.starts_with("stop")),
                "logout in {who}: tab {t}: {:?}",
                node.lifecycle()
            );
        }
        w.run(4 * SILENCE);
        assert_eq!(w.connections(), 0, "logout in {who}");
    }
}

fn lone_tab() -> (Tab<SerdeJson>, Client) {
    let tab = Tab::new(
        SerdeJson,
        Config {
            tab_id: "T".into(),
            centrifugo_url: URL.into(),
            silence_ms: SILENCE,
            refresh_timeout_ms: REFRESH_TIMEOUT,
            enabled: true,
        },
    );
    (tab, Client::default())
}

#[test]
fn a_tab_whose_channel_cannot_open_does_not_share() {
    let (mut tab, client) = lone_tab();
    let tokens = AuthTokens::Adopted(operator());
    tab.tokens_changed(0, tokens, &client);
    assert!(matches!(tab.poll_output(), Some(Output::Join(_))));
    tab.link_failed();
    let after: Vec<_> = std::iter::from_fn(|| tab.poll_output()).collect();
    assert!(
        after.iter().all(|o| matches!(o, Output::Status)),
        "nothing of the join is performed: {after:?}"
    );
    assert_eq!(tab.role(), Role::Off);
    assert_eq!(tab.connect(&client), ConnectAnswer::OwnClient);
    let again = AuthTokens::Refreshed(pair("389", 2_000_000_000, 5));
    tab.tokens_changed(0, again, &client);
    assert!(
        matches!(tab.poll_output(), Some(Output::Join(_))),
        "its next pair tries again"
    );
}

#[test]
fn sharing_is_reported_once_per_change_of_role_or_count() {
    let mut w = World::new();
    let tabs = w.group(3, &operator());
    let seen = |status: &Status| (status.role, status.tabs);
    let leader: Vec<_> = w.nodes[tabs[0]].statuses.iter().map(seen).collect();
    assert_eq!(
        leader,
        [
            (Role::Joining, 1),
            (Role::Leader, 1),
            (Role::Leader, 2),
            (Role::Leader, 3)
        ]
    );
    // A tab that joins is `joining` until it hears the leader, never a
    // follower of nobody.
    let follower: Vec<_> = w.nodes[tabs[1]].statuses.iter().map(seen).collect();
    assert_eq!(follower.first(), Some(&(Role::Joining, 1)), "{follower:?}");
    assert_eq!(
        follower.last().map(|s| s.0),
        Some(Role::Follower),
        "{follower:?}"
    );
    for &t in &tabs {
        let reports: Vec<_> = w.nodes[t].statuses.iter().map(seen).collect();
        assert!(
            reports.windows(2).all(|pair| pair[0] != pair[1]),
            "tab {t}: {reports:?}"
        );
        assert_eq!(reports.last(), Some(&seen(&w.nodes[t].tab.status())));
    }
}

#[test]
fn foreign_and_malformed_messages_and_unreadable_pairs_are_counted_and_dropped() {
    let mut w = World::new();
    let [a, b] = w.group(2, &operator())[..] else {
        unreachable!()
    };
    let reports = w.nodes[a].statuses.len();
    let junk: Message<Value> = Message::Tokens {
        token: "not a jwt".into(),
        refresh_token: "r".into(),
        refreshed: false,
    };
    for value in [
        json!("not ours"),
        json!({}),
        json!({"ns": NAMESPACE, "v": 1, "kind": "logout", "from": "x"}),
        json!({"ns": NAMESPACE, "v": 2, "kind": "logout", "from": ""}),
        serde_json::to_value(message::write("x", &junk)).unwrap(),
    ] {
        w.deliver(a, value);
    }
    w.run(BEAT);
    let status = w.nodes[a].tab.status();
    assert_eq!(status.ignored, 5);
    assert_eq!((status.role, status.tabs), (Role::Leader, 2));
    assert_eq!(
        w.nodes[a].statuses.len(),
        reports,
        "no sharing event for junk"
    );
    assert_eq!(w.nodes[b].tab.status().ignored, 0);
    assert!(w.nodes[a].session.tokens.is_some(), "no logout");
}
