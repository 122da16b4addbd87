//! Who leads: the lock's holder; a frozen, slowed or closed leader; the
//! socket the leader opens or closes for the tabs that want it.

use super::sim::*;
use crate::protocol::centrifuge::ClientEvent;
use crate::protocol::test_json::SerdeJson;
use crate::protocol::State;
use crate::sharing::message::{self, Message};
use crate::sharing::tab::{beat_message, AuthTokens, Config, Output, Tab};
use crate::sharing::Role;
use serde_json::Value;

#[test]
fn one_tab_leads_and_every_tab_shares_its_socket() {
    let mut w = World::new();
    let tabs = w.group(3, &operator());
    assert_eq!(w.leaders(), [tabs[0]]);
    assert_eq!(w.sockets_opened(), 1);
    for &t in &tabs {
        let node = &w.nodes[t];
        assert_eq!(node.state(), State::Connected, "tab {t}");
        assert_eq!(node.tab.status().tabs, 3, "tab {t}");
        assert_eq!(node.lifecycle(), ["connecting", "connected"], "tab {t}");
        assert_eq!(node.connect_resolved, 1, "tab {t}");
    }
}

#[test]
fn a_closed_leader_hands_the_lock_and_the_socket_to_the_next_tab() {
    let mut w = World::new();
    let tabs = w.group(3, &operator());
    w.close(tabs[0]);
    let took = w.run_until(2_000, |w| {
        w.leaders() == [tabs[1]] && w.nodes[tabs[1]].client.state() == State::Connected
    });
    assert!(took.is_some_and(|ms| ms <= 5 * STEP), "{took:?}");
    w.run(2 * SILENCE);
    assert_eq!(w.connections(), 1);
    for &t in &tabs[1..] {
        assert_eq!(w.nodes[t].state(), State::Connected, "tab {t}");
        assert_eq!(w.nodes[t].tab.status().tabs, 2, "tab {t}");
    }
}

#[test]
fn a_frozen_leader_loses_the_lead_within_the_silence_window_and_follows_when_it_thaws() {
    let mut w = World::new();
    let tabs = w.group(3, &operator());
    w.nodes[tabs[0]].frozen = true;
    let took = w
        .run_until(5 * SILENCE, |w| w.leaders().len() == 2)
        .unwrap();
    // The silence, the first tick past it, a jitter below one beat.
    assert!(
        (SILENCE..=SILENCE + 2 * BEAT + STEP).contains(&took),
        "{took}"
    );
    w.run(SILENCE);
    let new = w.leaders()[1];
    assert_eq!(w.nodes[new].client.state(), State::Connected);

    w.nodes[tabs[0]].frozen = false;
    w.run(SILENCE);
    assert_eq!(w.leaders(), [new]);
    assert_eq!(w.nodes[tabs[0]].role(), Role::Follower);
    assert_eq!(w.connections(), 1);
    for &t in &tabs {
        assert_eq!(w.nodes[t].state(), State::Connected, "tab {t}");
    }
    w.publish(5);
    w.run(BEAT);
    for &t in &tabs {
        assert_eq!(w.nodes[t].publications(), [1, 2, 3, 4, 5], "tab {t}");
    }
}

/// When a follower steals from a leader silent since `0`, ticking every
/// beat with `jitter_ms`.
fn steal_time(jitter_ms: u64) -> u64 {
    let mut tab = Tab::new(
        SerdeJson,
        Config {
            tab_id: "F".into(),
            centrifugo_url: URL.into(),
            silence_ms: SILENCE,
            refresh_timeout_ms: REFRESH_TIMEOUT,
            enabled: true,
        },
    );
    let client = Client::default();
    let tokens = AuthTokens::Adopted(operator());
    tab.tokens_changed(0, tokens, &client);
    let beat: Message<Value> = beat_message(&client, 2, None);
    let beat = serde_json::to_value(message::write("L", &beat)).unwrap();
    tab.handle_message(0, beat, &client);
    while tab.poll_output().is_some() {}
    for now in (0..10 * SILENCE).step_by(STEP as usize) {
        if tab.poll_timeout().is_some_and(|at| now >= at) {
            tab.handle_timeout(now, jitter_ms, &client);
        }
        while let Some(output) = tab.poll_output() {
            if matches!(output, Output::Lock { steal: true, .. }) {
                return now;
            }
        }
    }
    panic!("never stole");
}

#[test]
fn a_follower_steals_a_silent_leaders_lock_only_after_its_jitter() {
    assert_eq!(steal_time(0), SILENCE);
    // Due at 1000 + 200: the first tick after that.
    assert_eq!(steal_time(200), SILENCE + BEAT);
}

#[test]
fn tabs_whose_timers_wake_rarely_keep_their_leader_and_count_and_a_tab_on_time_takes_over() {
    let mut w = World::new();
    let tabs = w.group(3, &operator());
    let reports: Vec<usize> = tabs.iter().map(|&t| w.nodes[t].statuses.len()).collect();
    let shown: Vec<usize> = tabs.iter().map(|&t| w.nodes[t].shown.len()).collect();
    for &t in &tabs {
        w.nodes[t].wake_every = Some(3_000);
    }
    w.run(24_000);
    for (k, &t) in tabs.iter().enumerate() {
        let node = &w.nodes[t];
        assert_eq!(
            node.statuses.len(),
            reports[k],
            "tab {t}: no change of role or count"
        );
        assert_eq!(node.shown.len(), shown[k], "tab {t}: no reconnect");
        assert_eq!(node.tab.status().tabs, 3, "tab {t}");
    }
    assert_eq!(w.leaders(), [tabs[0]]);
    assert_eq!(w.sockets_opened(), 1);

    // A tab shown again ticks on time: the leader's beats every 3 s are silence to it.
    w.nodes[tabs[1]].wake_every = None;
    let took = w.run_until(12_000, |w| w.nodes[tabs[1]].role() == Role::Leader);
    assert!(took.is_some_and(|ms| ms <= 4_000), "{took:?}");
    let settled = w.run_until(12_000, |w| {
        w.leaders().len() == 1
            && w.connections() == 1
            && tabs.iter().all(|&t| w.nodes[t].state() == State::Connected)
    });
    assert!(settled.is_some());
}

#[test]
fn a_leader_alone_relays_no_publication_and_relays_them_once_a_follower_listens() {
    let relayed = |node: &Node| {
        node.posted()
            .filter(|m| {
                matches!(
                    m,
                    Message::Event {
                        event: ClientEvent::Publications(_),
                        ..
                    }
                )
            })
            .count()
    };
    let mut w = World::new();
    let [a] = w.group(1, &operator())[..] else {
        unreachable!()
    };
    w.publish(3);
    w.run(BEAT);
    assert_eq!(w.nodes[a].publications(), [1, 2, 3]);
    assert_eq!(relayed(&w.nodes[a]), 0, "alone: nothing relayed");

    let b = w.open();
    w.use_tokens(b, operator());
    w.run(SILENCE);
    w.connect(b);
    w.run(BEAT);
    w.publish(2);
    w.run(BEAT);
    assert_eq!(
        relayed(&w.nodes[a]),
        1,
        "a run of publications is one relay"
    );
    w.publish(1);
    w.run(BEAT);
    assert_eq!(relayed(&w.nodes[a]), 2);
    assert_eq!(w.nodes[b].publications(), [4, 5, 6]);
}

#[test]
fn the_leader_closes_the_socket_nobody_wants_on_its_next_tick() {
    let mut w = World::new();
    let [a, b] = w.tabs(2, &operator())[..] else {
        unreachable!()
    };
    w.connect(b);
    w.run(SILENCE);
    assert_eq!(w.leaders(), [a]);
    assert_eq!(w.connections(), 1, "the leader connects for its follower");
    assert_eq!(w.nodes[a].state(), State::Disconnected, "not for itself");
    assert_eq!(w.nodes[b].state(), State::Connected);

    w.disconnect(b);
    let took = w.run_until(SILENCE, |w| w.connections() == 0);
    assert!(took.is_some_and(|ms| ms <= BEAT + 2 * STEP), "{took:?}");
}

#[test]
fn a_new_leader_that_does_not_want_the_socket_opens_it_for_the_tabs_that_do() {
    let mut w = World::new();
    let [a, c, b] = w.tabs(3, &operator())[..] else {
        unreachable!()
    };
    w.connect(a);
    w.connect(b);
    w.run(SILENCE);
    assert_eq!(w.leaders(), [a]);

    // The lock goes to the next in line, c, which did not call connect().
    w.close(a);
    let took = w.run_until(3 * SILENCE, |w| {
        w.leaders() == [c] && w.nodes[b].state() == State::Connected
    });
    assert!(took.is_some(), "b's Connect reaches the new leader");
    assert_eq!(w.connections(), 1);
    assert_eq!(w.nodes[c].state(), State::Disconnected);
}
