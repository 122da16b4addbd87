//! What each tab's listeners see of the shared connection.

use super::sim::*;
use crate::protocol::centrifuge::ClientEvent;
use crate::protocol::State;
use crate::sharing::message::{self, Message};
use crate::sharing::tab::Output;
use crate::sharing::Role;
use serde_json::Value;

/// A leader connected, and a follower of it that has heard its beats.
fn leader_and_listener() -> (World, usize, usize) {
    let mut w = World::new();
    let [a] = w.group(1, &operator())[..] else {
        unreachable!()
    };
    let b = w.open();
    w.use_tokens(b, operator());
    w.run(SILENCE);
    (w, a, b)
}

#[test]
fn connect_in_a_follower_of_a_connection_up_resolves_at_once_with_one_connected() {
    let (mut w, _, b) = leader_and_listener();
    w.connect(b);
    assert_eq!(w.nodes[b].connect_resolved, 1);
    assert_eq!(w.nodes[b].lifecycle(), ["connected"]);
    assert_eq!(w.nodes[b].state(), State::Connected);
    w.run(SILENCE);
    assert_eq!(w.nodes[b].lifecycle(), ["connected"]);
    assert_eq!(w.connections(), 1);
}

#[test]
fn connect_in_a_follower_shows_its_own_connecting_once_then_the_leaders_connected() {
    let mut w = World::new();
    let [a, b] = w.tabs(2, &operator())[..] else {
        unreachable!()
    };
    w.connect(b);
    assert_eq!(w.nodes[b].connect_waiting, 1);
    assert_eq!(w.nodes[b].lifecycle(), ["connecting"]);
    assert_eq!(w.nodes[b].state(), State::Connecting);
    w.run(SILENCE);
    assert_eq!(w.nodes[b].lifecycle(), ["connecting", "connected"]);
    assert_eq!(w.nodes[b].connect_resolved, 1);
    assert_eq!(
        w.nodes[a].lifecycle(),
        Vec::<String>::new(),
        "a never wanted it"
    );
}

#[test]
fn a_leader_change_shows_as_a_reconnect_in_every_tab_that_stays() {
    let mut w = World::new();
    let tabs = w.group(3, &operator());
    w.close(tabs[0]);
    w.run(2 * SILENCE);
    for &t in &tabs[1..] {
        assert_eq!(
            w.nodes[t].lifecycle(),
            [
                "connecting",
                "connected",
                "disconnected",
                "connecting",
                "connected"
            ],
            "tab {t}"
        );
    }
}

#[test]
fn every_publication_once_and_in_order_across_a_leader_change() {
    let mut w = World::new();
    let tabs = w.group(3, &operator());
    w.publish(3);
    w.run(BEAT);
    // The old leader's relays of 4 and 5 are still on their way when it
    // closes; 6 comes while no tab holds a socket.
    w.hold(tabs[1]);
    w.hold(tabs[2]);
    w.publish(2);
    w.run(STEP);
    w.close(tabs[0]);
    w.publish(1);
    w.run(BEAT);
    assert_eq!(w.leaders(), [tabs[1]]);
    w.publish(1);
    w.run(BEAT);
    w.release_held(tabs[1]);
    w.run(BEAT);
    w.release_held(tabs[2]);
    w.publish(1);
    w.run(SILENCE);
    for &t in &tabs[1..] {
        assert_eq!(
            w.nodes[t].publications(),
            [1, 2, 3, 4, 5, 6, 7, 8],
            "tab {t}"
        );
        assert_eq!(w.nodes[t].resyncs(), Vec::<String>::new(), "tab {t}");
    }
}

/// A browser drops the relays posted to a page paused in the debugger: the
/// follower shows a `resync` before the next publication it gets, and
/// nothing it never got is shown as if the stream were whole.
#[test]
fn relays_a_paused_follower_never_got_show_as_a_resync_before_the_next_publication() {
    let (mut w, _, b) = leader_and_listener();
    w.connect(b);
    w.publish(2);
    w.run(STEP);
    w.hold(b);
    w.publish(3);
    w.run(STEP);
    w.drop_held(b);
    w.release_held(b);
    w.publish(1);
    w.run(STEP);
    assert_eq!(w.nodes[b].publications(), [1, 2, 6]);
    assert_eq!(w.nodes[b].resyncs(), [format!("missedRelays:{CHANNEL}@2")]);
    w.publish(2);
    w.run(SILENCE);
    assert_eq!(w.nodes[b].publications(), [1, 2, 6, 7, 8]);
    assert_eq!(w.nodes[b].resyncs().len(), 1, "one hole, one resync");
}

/// The leader's heartbeat tells a follower its position: relays lost with
/// no publication after them show as a `resync` at the next beat.
#[test]
fn a_heartbeat_past_the_last_relay_shown_is_a_resync() {
    let (mut w, _, b) = leader_and_listener();
    w.connect(b);
    w.publish(1);
    w.run(STEP);
    w.hold(b);
    w.publish(2);
    w.run(STEP);
    w.drop_held(b);
    w.release_held(b);
    w.run(2 * BEAT);
    assert_eq!(w.nodes[b].publications(), [1]);
    assert_eq!(w.nodes[b].resyncs(), [format!("missedRelays:{CHANNEL}@1")]);
}

/// A follower that does not want the connection shows no `resync` for the
/// relays it missed meanwhile.
#[test]
fn a_follower_that_does_not_listen_shows_no_resync() {
    let (mut w, _, b) = leader_and_listener();
    w.publish(1);
    w.run(STEP);
    w.hold(b);
    w.publish(2);
    w.run(STEP);
    w.drop_held(b);
    w.release_held(b);
    w.run(2 * BEAT);
    w.publish(1);
    w.run(STEP);
    assert_eq!(w.nodes[b].resyncs(), Vec::<String>::new());
}

#[test]
fn a_follower_connect_that_crosses_the_close_for_nobody_reopens_the_socket() {
    let (mut w, a, b) = leader_and_listener();
    w.connect(b);
    w.run(BEAT);
    // From here b hears nothing of a until released.
    w.hold(b);
    w.disconnect(b);
    w.run(BEAT);
    w.disconnect(a);
    w.run(BEAT);
    assert_eq!(w.connections(), 0, "a closed the socket for nobody");
    w.connect(b);
    w.run(BEAT);
    assert_eq!(w.connections(), 1, "b's Connect reopened it");
    let before = w.nodes[b].shown.len();
    w.release_held(b);
    w.run(SILENCE);
    let seen = &w.nodes[b].lifecycle()[before..];
    assert!(
        !seen.iter().any(|e| e.starts_with("stop")),
        "the close for nobody is no stop for b: {seen:?}"
    );
    assert_eq!(w.nodes[b].state(), State::Connected);
    assert_eq!(w.nodes[b].connect_rejected, 0);
    assert_eq!(w.connections(), 1);
    w.publish(2);
    w.run(BEAT);
    assert_eq!(w.nodes[b].publications(), [1, 2]);
}

#[test]
fn a_stop_of_the_shared_connection_reaches_every_tab_and_none_reconnects() {
    let mut w = World::new();
    let tabs = w.group(3, &operator());
    w.nodes[tabs[0]].client.stop(4, "operatorLoggedOut");
    w.run(BEAT);
    for &t in &tabs {
        let node = &w.nodes[t];
        assert_eq!(
            node.lifecycle().last().map(String::as_str),
            Some("stop:operatorLoggedOut"),
            "tab {t}"
        );
        assert_eq!(node.state(), State::Disconnected, "tab {t}");
    }
    w.run(4 * SILENCE);
    assert_eq!(w.connections(), 0);
}

#[test]
fn a_tab_that_does_not_want_the_connection_shows_none_of_it() {
    let (mut w, a, b) = leader_and_listener();
    w.publish(3);
    w.run(BEAT);
    assert_eq!(w.nodes[a].publications(), [1, 2, 3]);
    assert!(w.nodes[b].shown.is_empty());
    assert_eq!(w.nodes[b].state(), State::Disconnected);
}

#[test]
fn disconnect_in_a_follower_shows_disconnected_at_once_and_keeps_the_socket() {
    let mut w = World::new();
    let [a, b] = w.group(2, &operator())[..] else {
        unreachable!()
    };
    w.disconnect(b);
    assert_eq!(
        w.nodes[b].lifecycle().last().map(String::as_str),
        Some("stop:disconnect called")
    );
    assert_eq!(w.nodes[b].state(), State::Disconnected);
    w.run(SILENCE);
    assert_eq!(w.connections(), 1);
    w.publish(1);
    w.run(BEAT);
    assert_eq!(w.nodes[a].publications(), [1]);
    assert!(w.nodes[b].publications().is_empty());
}

#[test]
fn disconnect_in_the_leader_keeps_the_socket_for_the_followers_that_want_it() {
    let mut w = World::new();
    let [a, b] = w.group(2, &operator())[..] else {
        unreachable!()
    };
    w.disconnect(a);
    assert_eq!(
        w.nodes[a].lifecycle().last().map(String::as_str),
        Some("stop:disconnect called")
    );
    assert_eq!(w.nodes[a].state(), State::Disconnected);
    w.run(SILENCE);
    assert_eq!(w.connections(), 1);
    assert_eq!(w.nodes[b].state(), State::Connected);
    w.publish(1);
    w.run(BEAT);
    assert_eq!(w.nodes[b].publications(), [1]);
    assert!(w.nodes[a].publications().is_empty());
}

#[test]
fn a_tab_that_does_not_share_shows_its_own_clients_events_as_they_come() {
    let mut w = World::new();
    let a = w.open_with(false, SILENCE);
    w.use_tokens(a, operator());
    w.connect(a);
    w.run(BEAT);
    w.publish(1);
    w.run(BEAT);
    let node = &w.nodes[a];
    assert_eq!(node.lifecycle(), ["connecting", "connected"]);
    assert_eq!(node.publications(), [1]);
    assert_eq!(node.role(), Role::Off);
    assert_eq!(node.tab.status().tabs, 1);
    assert!(!node
        .log
        .iter()
        .any(|o| matches!(o, Output::Join(_) | Output::Post(_) | Output::Lock { .. })));
}

#[test]
fn a_leader_that_leaves_stops_its_socket_without_a_second_disconnected() {
    let mut w = World::new();
    let [a, _b] = w.group(2, &operator())[..] else {
        unreachable!()
    };
    w.logout(a, true);
    w.run(SILENCE);
    let stops = w.nodes[a]
        .lifecycle()
        .into_iter()
        .filter(|e| e.starts_with("stop"))
        .count();
    assert_eq!(stops, 1);
    assert_eq!(w.nodes[a].client.state(), State::Disconnected);
}

#[test]
fn lifecycle_events_count_only_from_the_tab_a_follower_knows_as_leader() {
    let mut w = World::new();
    let [_a, b] = w.group(2, &operator())[..] else {
        unreachable!()
    };
    let stop = Message::<Value>::Event {
        event: ClientEvent::Disconnected {
            code: 4,
            reason: "stale".into(),
            reconnect: false,
        },
        epoch: String::new(),
    };
    w.deliver(
        b,
        serde_json::to_value(message::write("tab-x", &stop)).unwrap(),
    );
    w.run(BEAT);
    assert_eq!(w.nodes[b].lifecycle(), ["connecting", "connected"]);
    assert_eq!(w.nodes[b].state(), State::Connected);
}
