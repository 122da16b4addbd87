//! The Centrifuge client state machine, driven natively with an injected clock.
//! Frames take the package's path: split, parsed and scanned by the
//! scanner (the reference of `scanFrame` in `js/panel.js`), then read by
//! `socket_scanned` (`tests/centrifuge_fast_path.rs` holds it to the full
//! reader's decisions).
#![cfg(not(target_arch = "wasm32"))]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)] // tests may panic

use proptest::prelude::*;
use twin_panel::protocol::backoff::BackoffPolicy;
use twin_panel::protocol::SansIoClient;
use twin_panel::protocol::{JsonEngine, JsonError};

#[path = "../src/protocol/test_json.rs"]
mod test_json;
use test_json::SerdeJson;

type ClientEvent = twin_panel::protocol::centrifuge::ClientEvent<serde_json::Value>;
type CentrifugeClient = twin_panel::protocol::centrifuge::CentrifugeClient<SerdeJson>;
use twin_panel::protocol::centrifuge::scan::{Scanner, Table};
use twin_panel::protocol::centrifuge::{
    Action, ClientConfig, Item, Publications, SocketId, State, TokenRequest,
};

const CHANNEL: &str = "operator:389";

/// A client plus a clock and a record of everything it asked for.
struct Harness {
    client: CentrifugeClient,
    now: u64,
    actions: Vec<Action>,
    events: Vec<ClientEvent>,
    scanner: Scanner,
    table: Table,
}

/// Hands `text` to `client` as the package does: scanned, then decided on.
fn feed(
    client: &mut CentrifugeClient,
    (scanner, table): (&mut Scanner, &mut Table),
    now: u64,
    socket: SocketId,
    text: &str,
) {
    let scanned = scanner.scan(&SerdeJson, text);
    table.learn(scanner.take_fresh());
    let lines = table.decode(&scanned.records[1..]);
    let payloads = serde_json::Value::Array(scanned.payloads);
    client.socket_scanned(now, socket, &lines, &payloads, scanned.others);
}

/// Each delivered publication as a run of its own (so a test can look at
/// one event per publication, whatever runs the client made).
fn one_by_one(events: Vec<ClientEvent>) -> Vec<ClientEvent> {
    let mut out = Vec::new();
    for event in events {
        match event {
            ClientEvent::Publications(run) => {
                for (payload, offset) in run.each(&SerdeJson) {
                    out.push(ClientEvent::Publications(Publications {
                        channel: run.channel.clone(),
                        payloads: serde_json::Value::Array(payload.into_iter().collect()),
                        items: vec![Item { index: 0, offset }],
                    }));
                }
            }
            other => out.push(other),
        }
    }
    out
}

/// A publication event (of one publication, see [`one_by_one`]): the event
/// its payload names, the payload, the offset.
fn delivered(event: &ClientEvent) -> Option<(Option<String>, serde_json::Value, u64)> {
    let ClientEvent::Publications(run) = event else {
        return None;
    };
    let (payload, offset) = run.each(&SerdeJson).into_iter().next()?;
    let payload = payload?;
    Some((SerdeJson.event_name(&payload), payload, offset))
}

impl Harness {
    fn new() -> Self {
        Self::with_seed(7)
    }

    fn with_seed(seed: u64) -> Self {
        let mut client =
            CentrifugeClient::new(SerdeJson, ClientConfig::new("ws://sandbox/ws"), seed);
        client.set_token(0, "jwt-1".into());
        Harness {
            client,
            now: 0,
            actions: Vec::new(),
            events: Vec::new(),
            scanner: Scanner::default(),
            table: Table::default(),
        }
    }

    fn drain(&mut self) {
        while let Some(a) = self.client.poll_action() {
            self.actions.push(a);
        }
        let mut events = Vec::new();
        while let Some(e) = self.client.poll_event() {
            events.push(e);
        }
        self.events.extend(one_by_one(events));
    }

    fn take_actions(&mut self) -> Vec<Action> {
        self.drain();
        std::mem::take(&mut self.actions)
    }

    fn take_events(&mut self) -> Vec<ClientEvent> {
        self.drain();
        std::mem::take(&mut self.events)
    }

    /// Moves the clock to `t`, firing every deadline on the way, like the browser timer.
    fn advance_to(&mut self, t: u64) {
        while let Some(deadline) = self.client.poll_timeout() {
            if deadline > t {
                break;
            }
            self.now = self.now.max(deadline);
            self.client.handle_timeout(self.now);
            self.drain();
        }
        self.now = t;
    }

    fn advance(&mut self, ms: u64) {
        self.advance_to(self.now + ms);
    }

    /// The socket of the last `Open` action.
    fn last_open(&self) -> Option<SocketId> {
        self.actions.iter().rev().find_map(|a| match a {
            Action::Open { socket, .. } => Some(*socket),
            _ => None,
        })
    }

    fn message(&mut self, socket: SocketId, text: &str) {
        self.feed(socket, text);
        self.drain();
    }

    fn feed(&mut self, socket: SocketId, text: &str) {
        let parts = (&mut self.scanner, &mut self.table);
        feed(&mut self.client, parts, self.now, socket, text);
    }

    fn sent_frames(actions: &[Action]) -> Vec<String> {
        actions
            .iter()
            .filter_map(|a| match a {
                Action::Send { text, .. } => Some(text.clone()),
                _ => None,
            })
            .collect()
    }

    /// Opens the pending socket and answers `connect` with `reply_body`
    /// (the JSON of the connect result). Returns the socket and the connect frame.
    fn handshake(&mut self, reply_body: &str) -> (SocketId, String) {
        let actions = self.take_actions();
        let socket = actions
            .iter()
            .rev()
            .find_map(|a| match a {
                Action::Open { socket, .. } => Some(*socket),
                _ => None,
            })
            .expect("an Open action");
        self.client.socket_opened(self.now, socket);
        let frames = Self::sent_frames(&self.take_actions());
        assert_eq!(frames.len(), 1, "exactly one connect frame");
        let connect: serde_json::Value = serde_json::from_str(&frames[0]).unwrap();
        let id = connect["id"].as_u64().unwrap();
        self.message(socket, &format!(r#"{{"id":{id},"connect":{reply_body}}}"#));
        (socket, frames[0].clone())
    }

    fn connect_with(&mut self, reply_body: &str) -> (SocketId, String) {
        self.client.connect(self.now);
        self.handshake(reply_body)
    }

    fn publication(&mut self, socket: SocketId, offset: u64, seq: u64) {
        self.message(
            socket,
            &format!(
                r#"{{"push":{{"channel":"{CHANNEL}","pub":{{"data":{{"event":"chatMessageCreated","data":{{"seq":{seq}}}}},"offset":{offset}}}}}}}"#
            ),
        );
    }
}

fn live_reply(epoch: &str, offset: u64) -> String {
    format!(
        r#"{{"client":"c","version":"v","ping":25,"pong":true,"subs":{{"{CHANNEL}":{{"recoverable":true,"positioned":true,"epoch":"{epoch}","offset":{offset}}}}}}}"#
    )
}

fn delivered_seqs(events: &[ClientEvent]) -> Vec<u64> {
    events
        .iter()
        .filter_map(|e| delivered(e).and_then(|(_, data, _)| data["data"]["seq"].as_u64()))
        .collect()
}

fn opens(actions: &[Action]) -> usize {
    actions
        .iter()
        .filter(|a| matches!(a, Action::Open { .. }))
        .count()
}

#[test]
fn first_connect_is_immediate_and_carries_the_token_in_connect_data() {
    let mut h = Harness::new();
    let (_, frame) = h.connect_with(&live_reply("e", 0));
    let v: serde_json::Value = serde_json::from_str(&frame).unwrap();
    assert_eq!(v["id"], 1);
    assert_eq!(v["connect"]["data"]["application"], "notifications");
    assert_eq!(v["connect"]["data"]["settings"]["token"], "jwt-1");
    assert!(v["connect"].get("subs").is_none(), "nothing to recover yet");
    assert_eq!(h.client.state(), State::Connected);
    let events = h.take_events();
    assert!(matches!(events[0], ClientEvent::Connecting { code: 0, .. }));
    assert!(matches!(events[1], ClientEvent::Connected { .. }));
}

#[test]
fn pong_exactly_once_per_ping_and_only_when_asked() {
    let mut h = Harness::new();
    let (socket, _) = h.connect_with(&live_reply("e", 0));
    h.message(socket, "{}");
    h.message(socket, "{}\n{}");
    let frames = Harness::sent_frames(&h.take_actions());
    assert_eq!(frames, vec!["{}", "{}", "{}"]);

    let mut quiet = Harness::new();
    let (socket, _) = quiet.connect_with(r#"{"client":"c","ping":25,"pong":false}"#);
    quiet.message(socket, "{}");
    assert!(Harness::sent_frames(&quiet.take_actions()).is_empty());
}

#[test]
fn no_pong_is_sent_before_the_connect_reply() {
    let mut h = Harness::new();
    h.client.connect(0);
    let socket = match h.take_actions().pop() {
        Some(Action::Open { socket, .. }) => socket,
        other => panic!("{other:?}"),
    };
    h.client.socket_opened(0, socket);
    h.take_actions();
    h.message(socket, "{}");
    assert!(Harness::sent_frames(&h.take_actions()).is_empty());
}

#[test]
fn watchdog_fires_after_ping_interval_plus_grace_and_any_frame_rearms_it() {
    let mut h = Harness::new();
    let (socket, _) = h.connect_with(&live_reply("e", 0));
    h.take_events();
    assert_eq!(h.client.poll_timeout(), Some(35_000));
    h.advance_to(30_000);
    h.message(socket, "{}");
    assert_eq!(h.client.poll_timeout(), Some(65_000));
    h.advance_to(64_999);
    assert_eq!(h.client.state(), State::Connected);
    h.advance_to(65_000);
    assert_eq!(h.client.state(), State::Connecting);
    let actions = h.take_actions();
    assert!(actions
        .iter()
        .any(|a| matches!(a, Action::Close { socket: s, .. } if *s == socket)));
    let events = h.take_events();
    assert!(matches!(
        events[0],
        ClientEvent::Disconnected {
            code: 2,
            reconnect: true,
            ..
        }
    ));
    assert!(matches!(events[1], ClientEvent::Connecting { code: 2, .. }));
}

#[test]
fn no_watchdog_when_the_server_does_not_ping() {
    let mut h = Harness::new();
    h.connect_with(r#"{"client":"c"}"#);
    assert_eq!(h.client.poll_timeout(), None);
}

#[test]
fn connect_timeout_closes_and_retries_with_backoff() {
    let mut h = Harness::new();
    h.client.connect(0);
    let first = h.take_actions();
    assert_eq!(opens(&first), 1);
    h.advance_to(4_999);
    assert!(h.take_actions().is_empty());
    h.advance_to(5_000);
    let actions = h.take_actions();
    assert!(matches!(actions[0], Action::Close { socket: 1, .. }));
    // attempt 0 backoff: 0.5 .. 1 s
    let retry_at = h.client.poll_timeout().unwrap();
    assert!((5_500..=6_000).contains(&retry_at), "{retry_at}");
    h.advance_to(retry_at);
    assert!(matches!(
        h.take_actions()[..],
        [Action::Open { socket: 2, .. }]
    ));
}

#[test]
fn backoff_grows_per_failed_attempt_and_resets_after_success() {
    let mut h = Harness::with_seed(99);
    h.client.connect(0);
    h.take_actions();
    let mut delays = Vec::new();
    for _ in 0..8 {
        let socket = h.last_open().unwrap_or(1);
        h.client.socket_closed(h.now, socket, 1006, "");
        h.drain();
        let at = h.client.poll_timeout().unwrap();
        delays.push(at - h.now);
        h.advance_to(at);
    }
    let bounds = [1_000, 1_500, 2_500, 4_500, 8_500, 16_500, 20_000, 20_000];
    for (d, hi) in delays.iter().zip(bounds) {
        assert!((500..=hi).contains(d), "{delays:?}");
    }
    // A success resets the attempt counter: the next drop waits 0.5–1 s again.
    let (socket, _) = h.handshake(&live_reply("e", 0));
    h.client.socket_closed(h.now, socket, 1006, "");
    let delay = h.client.poll_timeout().unwrap() - h.now;
    assert!((500..=1_000).contains(&delay), "{delay}");
}

#[test]
fn disconnect_during_a_pending_connect_leaves_nothing_running() {
    let mut h = Harness::new();
    h.client.connect(0);
    h.take_actions();
    h.client.disconnect();
    let actions = h.take_actions();
    assert!(matches!(actions[..], [Action::Close { socket: 1, .. }]));
    assert_eq!(h.client.poll_timeout(), None);
    assert_eq!(h.client.state(), State::Disconnected);
    // A late open of the abandoned socket changes nothing.
    h.client.socket_opened(10, 1);
    h.advance(120_000);
    assert!(h.take_actions().is_empty());
    let events = h.take_events();
    assert!(matches!(
        events.last(),
        Some(ClientEvent::Disconnected {
            code: 0,
            reconnect: false,
            ..
        })
    ));
}

#[test]
fn end_stops_a_live_connection_for_good_with_its_reason() {
    let mut h = Harness::new();
    h.connect_with(&live_reply("e", 0));
    h.take_events();
    assert_eq!(h.client.token(), Some("jwt-1"));
    h.client.end("the operator changed");
    assert!(matches!(h.take_actions()[..], [Action::Close { .. }]));
    let events = h.take_events();
    assert!(
        matches!(
            &events[..],
            [ClientEvent::Disconnected { code: 0, reason, reconnect: false }] if reason == "the operator changed"
        ),
        "{events:?}"
    );
    assert_eq!(h.client.state(), State::Disconnected);
    h.advance(60_000);
    assert_eq!(opens(&h.take_actions()), 0);
    // Already disconnected: nothing more.
    h.client.end("again");
    assert!(h.take_events().is_empty());
}

#[test]
fn disconnect_during_backoff_cancels_the_retry() {
    let mut h = Harness::new();
    let (socket, _) = h.connect_with(&live_reply("e", 0));
    h.client.socket_closed(h.now, socket, 1006, "");
    h.client.disconnect();
    h.take_actions();
    h.advance(60_000);
    assert_eq!(opens(&h.take_actions()), 0);
}

#[test]
fn reconnect_codes_reconnect_and_terminal_codes_stop() {
    for code in [
        1000u16, 1001, 1006, 3000, 3001, 3012, 3499, 4000, 4499, 5000,
    ] {
        let mut h = Harness::new();
        let (socket, _) = h.connect_with(&live_reply("e", 0));
        h.take_events();
        h.client.socket_closed(h.now, socket, code, "bye");
        let events = h.take_events();
        assert!(
            matches!(
                events[0],
                ClientEvent::Disconnected {
                    reconnect: true,
                    ..
                }
            ),
            "{code}: {events:?}"
        );
        h.advance(1_000);
        assert_eq!(opens(&h.take_actions()), 1, "{code}");
    }
    for code in [3501u16, 3503, 3999, 4500, 4503, 4999, 1009] {
        let mut h = Harness::new();
        let (socket, _) = h.connect_with(&live_reply("e", 0));
        h.take_events();
        h.client.socket_closed(h.now, socket, code, "stop");
        let events = h.take_events();
        assert_eq!(
            events,
            vec![ClientEvent::Disconnected {
                code: u32::from(code),
                reason: "stop".into(),
                reconnect: false
            }],
            "{code}"
        );
        h.advance(60_000);
        assert_eq!(opens(&h.take_actions()), 0, "{code}");
        assert_eq!(h.client.state(), State::Disconnected);
    }
}

#[test]
fn expired_token_refreshes_once_then_connects() {
    let mut h = Harness::new();
    h.client.connect(0);
    let socket = h.take_actions().iter().find_map(|a| match a {
        Action::Open { socket, .. } => Some(*socket),
        _ => None,
    });
    let socket = socket.unwrap();
    h.client.socket_opened(0, socket);
    h.take_actions();
    h.message(
        socket,
        r#"{"id":1,"error":{"code":109,"message":"token expired"}}"#,
    );
    let actions = h.take_actions();
    assert!(
        actions.contains(&Action::Host(TokenRequest {
            rejected: Some("jwt-1".into())
        })),
        "{actions:?}"
    );
    assert!(actions.iter().any(|a| matches!(a, Action::Close { .. })));
    assert_eq!(
        h.client.poll_timeout(),
        None,
        "waits for the token, no timer"
    );
    h.client.set_token(h.now, "jwt-2".into());
    let (_, frame) = h.handshake(&live_reply("e", 0));
    assert!(frame.contains("jwt-2"));
    assert_eq!(h.client.state(), State::Connected);
}

#[test]
fn a_second_auth_failure_stops_without_reconnect() {
    let mut h = Harness::new();
    h.client.connect(0);
    h.drain();
    let socket = h.last_open().unwrap();
    h.client.socket_opened(0, socket);
    h.take_actions();
    h.message(
        socket,
        r#"{"id":1,"error":{"code":109,"message":"token expired"}}"#,
    );
    h.client.set_token(h.now, "jwt-2".into());
    h.drain();
    let socket = h.last_open().unwrap();
    h.client.socket_opened(h.now, socket);
    h.take_actions();
    h.client.socket_closed(h.now, socket, 3500, "invalid token");
    let events = h.take_events();
    assert!(matches!(
        events.last(),
        Some(ClientEvent::Disconnected {
            code: 3500,
            reconnect: false,
            ..
        })
    ));
    h.advance(60_000);
    assert!(!h
        .take_actions()
        .iter()
        .any(|a| matches!(a, Action::Open { .. } | Action::Host(_))));
}

#[test]
fn a_failed_refresh_stops_with_unauthorized() {
    let mut h = Harness::new();
    let (socket, _) = h.connect_with(&live_reply("e", 0));
    h.client.socket_closed(h.now, socket, 3500, "invalid token");
    assert!(h
        .take_actions()
        .iter()
        .any(|a| matches!(a, Action::Host(_))));
    h.client.token_refresh_failed("refresh token expired");
    let events = h.take_events();
    assert!(matches!(
        events.last(),
        Some(ClientEvent::Disconnected {
            code: 1,
            reconnect: false,
            ..
        })
    ));
}

#[test]
fn a_forgotten_token_is_never_sent_again() {
    let mut h = Harness::new();
    let (_, _) = h.connect_with(&live_reply("e", 0));
    h.client.disconnect();
    h.client.forget_token();
    h.take_actions();
    h.client.connect(h.now);
    let actions = h.take_actions();
    assert!(
        actions
            .iter()
            .all(|a| !matches!(a, Action::Open { .. } | Action::Send { .. })),
        "no socket without a token: {actions:?}"
    );
    assert!(actions
        .iter()
        .any(|a| matches!(a, Action::Host(TokenRequest { rejected: None }))));
}

#[test]
fn a_passing_refresh_failure_asks_again_after_a_backoff() {
    let mut h = Harness::new();
    let (socket, _) = h.connect_with(&live_reply("e", 0));
    h.client.socket_closed(h.now, socket, 3500, "invalid token");
    h.take_actions();
    h.client.token_refresh_deferred(h.now);
    let at = h.client.poll_timeout().expect("a retry is scheduled");
    assert!((500..=1_000).contains(&(at - h.now)));
    h.advance_to(at);
    // The request still names the refused token, so the host cannot hand it back.
    let request = TokenRequest {
        rejected: Some("jwt-1".into()),
    };
    assert!(h.take_actions().contains(&Action::Host(request)));
    // Handed back anyway, it is never sent again: the client keeps waiting.
    h.client.set_token(h.now, "jwt-1".into());
    assert!(h.take_actions().is_empty());
    h.client.set_token(h.now, "jwt-3".into());
    let (_, frame) = h.handshake(&live_reply("e", 0));
    assert!(frame.contains("jwt-3"));
}

#[test]
fn a_refused_refresh_token_stops_a_live_connection() {
    let mut h = Harness::new();
    let (socket, _) = h.connect_with(&live_reply("e", 0));
    h.take_events();
    h.client.token_refresh_failed("refresh token expired");
    assert!(matches!(h.take_actions()[..], [Action::Close { socket: s, .. }] if s == socket));
    assert_eq!(
        h.take_events(),
        vec![ClientEvent::Disconnected {
            code: 1,
            reason: "refresh token expired".into(),
            reconnect: false
        }]
    );
}

#[test]
fn temporary_connect_errors_retry_and_permanent_ones_stop() {
    let mut h = Harness::new();
    h.client.connect(0);
    let socket = h.take_actions().iter().find_map(|a| match a {
        Action::Open { socket, .. } => Some(*socket),
        _ => None,
    });
    h.client.socket_opened(0, socket.unwrap());
    h.message(
        socket.unwrap(),
        r#"{"id":1,"error":{"code":100,"message":"internal","temporary":true}}"#,
    );
    h.advance(1_000);
    assert_eq!(opens(&h.take_actions()), 1);

    let mut h = Harness::new();
    h.client.connect(0);
    h.take_actions();
    h.client.socket_opened(0, 1);
    h.message(
        1,
        r#"{"id":1,"error":{"code":103,"message":"permission denied"}}"#,
    );
    assert_eq!(h.client.state(), State::Disconnected);
}

#[test]
fn recovery_asks_from_the_last_offset_and_delivers_missed_publications_once() {
    let mut h = Harness::new();
    let (socket, _) = h.connect_with(&live_reply("kQxT", 17));
    h.publication(socket, 18, 18);
    h.publication(socket, 19, 19);
    h.client.socket_closed(h.now, socket, 1006, "");
    h.take_actions();
    h.advance(1_000);
    let recovered = format!(
        r#"{{"client":"c2","ping":25,"pong":true,"subs":{{"{CHANNEL}":{{"recoverable":true,"epoch":"kQxT","offset":19,"was_recovering":true,"recovered":true,"publications":[
            {{"data":{{"event":"chatMessageCreated","data":{{"seq":19}}}},"offset":19}},
            {{"data":{{"event":"chatMessageCreated","data":{{"seq":20}}}},"offset":20}},
            {{"data":{{"event":"chatMessageCreated","data":{{"seq":21}}}},"offset":21}}]}}}}}}"#
    )
    .replace('\n', "");
    let (socket, frame) = h.handshake(&recovered);
    let v: serde_json::Value = serde_json::from_str(&frame).unwrap();
    assert_eq!(
        v["connect"]["subs"][CHANNEL],
        serde_json::json!({"recover": true, "epoch": "kQxT", "offset": 19})
    );
    h.publication(socket, 21, 21);
    h.publication(socket, 22, 22);
    assert_eq!(delivered_seqs(&h.take_events()), vec![18, 19, 20, 21, 22]);
    assert_eq!(h.client.positions().get(CHANNEL).unwrap().offset, 22);
}

#[test]
fn a_recovered_reply_whose_offset_is_the_stream_top_still_delivers() {
    let mut h = Harness::new();
    let (socket, _) = h.connect_with(&live_reply("e", 5));
    h.client.socket_closed(h.now, socket, 3001, "shutdown");
    h.advance(1_000);
    let reply = format!(
        r#"{{"client":"c","subs":{{"{CHANNEL}":{{"recoverable":true,"epoch":"e","offset":7,"was_recovering":true,"recovered":true,"publications":[{{"data":{{"data":{{"seq":6}}}},"offset":6}},{{"data":{{"data":{{"seq":7}}}},"offset":7}}]}}}}}}"#
    );
    h.handshake(&reply);
    assert_eq!(delivered_seqs(&h.take_events()), vec![6, 7]);
}

#[test]
fn unrecoverable_positions_fire_resync() {
    let mut h = Harness::new();
    let (socket, _) = h.connect_with(&live_reply("old", 10));
    h.client.socket_closed(h.now, socket, 3001, "shutdown");
    h.advance(1_000);
    let reply = format!(
        r#"{{"client":"c","subs":{{"{CHANNEL}":{{"recoverable":true,"epoch":"new","offset":0,"was_recovering":true}}}}}}"#
    );
    let (socket, _) = h.handshake(&reply);
    let events = h.take_events();
    assert!(events.contains(&ClientEvent::Resync {
        channels: vec![CHANNEL.into()],
        reason: "epochChanged"
    }));
    // The new stream starts from its own offset.
    h.publication(socket, 1, 1);
    assert_eq!(delivered_seqs(&h.take_events()), vec![1]);
}

#[test]
fn state_invalidated_forgets_positions_and_reports_resync() {
    let mut h = Harness::new();
    let (socket, _) = h.connect_with(&live_reply("e", 10));
    h.client
        .socket_closed(h.now, socket, 3014, "state invalidated");
    h.advance(1_000);
    let (_, frame) = h.handshake(&live_reply("e", 30));
    assert!(!frame.contains("recover"));
    let events = h.take_events();
    assert!(events.contains(&ClientEvent::Resync {
        channels: vec![CHANNEL.into()],
        reason: "stateInvalidated"
    }));
}

#[test]
fn live_duplicates_are_dropped_and_a_gap_reconnects_to_recover() {
    let mut h = Harness::new();
    let (socket, _) = h.connect_with(&live_reply("e", 0));
    h.publication(socket, 1, 1);
    h.publication(socket, 1, 1);
    h.publication(socket, 2, 2);
    h.publication(socket, 5, 5);
    assert_eq!(delivered_seqs(&h.take_events()), vec![1, 2]);
    assert_eq!(h.client.state(), State::Connecting);
    h.advance(1_000);
    let (_, frame) = h.handshake(&live_reply("e", 5));
    assert!(frame.contains(r#""offset":2"#), "{frame}");
}

#[test]
fn forced_logout_events_are_delivered_then_end_the_connection() {
    for event in ["operatorBlocked", "chatUserExists", "operatorLoggedOut"] {
        let mut h = Harness::new();
        let (socket, _) = h.connect_with(&live_reply("e", 0));
        h.take_events();
        h.message(
            socket,
            &format!(
                r#"{{"push":{{"channel":"{CHANNEL}","pub":{{"data":{{"event":"{event}","data":{{}}}},"offset":1}}}}}}
{{"push":{{"channel":"{CHANNEL}","pub":{{"data":{{"event":"chatMessageCreated","data":{{}}}},"offset":2}}}}}}"#
            ),
        );
        let events = h.take_events();
        assert_eq!(events.len(), 2, "{events:?}");
        assert!(matches!(delivered(&events[0]), Some((Some(e), _, _)) if e == event));
        assert_eq!(
            events[1],
            ClientEvent::Disconnected {
                code: 4,
                reason: event.into(),
                reconnect: false
            }
        );
        h.advance(60_000);
        assert_eq!(opens(&h.take_actions()), 0);
    }
}

#[test]
fn online_skips_the_backoff_and_offline_drops_the_socket() {
    let mut h = Harness::new();
    let (socket, _) = h.connect_with(&live_reply("e", 0));
    h.client.network_offline(h.now);
    let actions = h.take_actions();
    assert!(matches!(actions[..], [Action::Close { socket: s, .. }] if s == socket));
    assert_eq!(h.client.state(), State::Connecting);
    h.client.network_online(h.now);
    assert_eq!(opens(&h.take_actions()), 1);
}

#[test]
fn messages_and_closes_of_stale_sockets_are_ignored() {
    let mut h = Harness::new();
    let (old, _) = h.connect_with(&live_reply("e", 0));
    h.client.socket_closed(h.now, old, 1006, "");
    h.advance(1_000);
    let (_, _) = h.handshake(&live_reply("e", 0));
    h.take_events();
    h.publication(old, 1, 1);
    h.client.socket_closed(h.now, old, 3503, "");
    assert!(h.take_events().is_empty());
    assert_eq!(h.client.state(), State::Connected);
}

#[test]
fn unreadable_frames_are_an_error_event_and_a_reconnect() {
    let mut h = Harness::new();
    let (socket, _) = h.connect_with(&live_reply("e", 0));
    h.take_events();
    h.message(socket, "{\"push\":{\"channel\":");
    let events = h.take_events();
    assert!(matches!(
        &events[0],
        ClientEvent::Error {
            kind: twin_panel::error_code::ErrorCode::Protocol,
            ..
        }
    ));
    assert!(matches!(
        events[1],
        ClientEvent::Disconnected {
            code: 5,
            reconnect: true,
            ..
        }
    ));
    h.advance(1_000);
    assert_eq!(opens(&h.take_actions()), 1);
}

#[test]
fn unknown_events_and_payloads_without_an_event_are_still_delivered() {
    let mut h = Harness::new();
    let (socket, _) = h.connect_with(&live_reply("e", 0));
    h.take_events();
    h.message(
        socket,
        &format!(r#"{{"push":{{"channel":"{CHANNEL}","pub":{{"data":{{"event":"somethingNew","data":[1]}},"offset":1}}}}}}"#),
    );
    h.message(
        socket,
        &format!(r#"{{"push":{{"channel":"{CHANNEL}","pub":{{"data":42,"offset":2}}}}}}"#),
    );
    let events = h.take_events();
    assert!(matches!(delivered(&events[0]), Some((Some(e), _, _)) if e == "somethingNew"));
    assert!(
        matches!(delivered(&events[1]), Some((None, data, _)) if data == serde_json::json!(42))
    );
}

#[test]
fn custom_backoff_bounds_are_respected() {
    let mut config = ClientConfig::new("ws://x");
    config.backoff = BackoffPolicy {
        min_ms: 10,
        max_ms: 40,
    };
    let mut client = CentrifugeClient::new(SerdeJson, config, 3);
    client.set_token(0, "t".into());
    client.connect(0);
    for attempt in 0..20u64 {
        client.socket_closed(attempt * 100, (attempt + 1) as u32, 1006, "");
        let at = client.poll_timeout().unwrap();
        let delay = at - attempt * 100;
        assert!((10..=40).contains(&delay), "{delay}");
        client.handle_timeout(at);
        while client.poll_action().is_some() {}
    }
}

/// One thing that can happen to the client.
#[derive(Debug, Clone)]
enum Input {
    Connect,
    Disconnect,
    Opened,
    Message(String),
    Closed(u16),
    Advance(u64),
    Online,
    Offline,
    Token,
    RefreshFailed,
}

fn input() -> impl Strategy<Value = Input> {
    prop_oneof![
        1 => Just(Input::Connect),
        1 => Just(Input::Disconnect),
        3 => Just(Input::Opened),
        4 => prop_oneof![
            Just(live_reply("e", 3)),
            Just("{}".to_string()),
            Just(r#"{"id":1,"error":{"code":109}}"#.to_string()),
            Just(format!(r#"{{"push":{{"channel":"{CHANNEL}","pub":{{"data":{{}},"offset":4}}}}}}"#)),
            ".*",
        ]
        .prop_map(|s| Input::Message(if s.starts_with("{\"client") { format!(r#"{{"id":1,"connect":{s}}}"#) } else { s })),
        2 => (1000u16..5000).prop_map(Input::Closed),
        3 => (0u64..40_000).prop_map(Input::Advance),
        1 => Just(Input::Online),
        1 => Just(Input::Offline),
        1 => Just(Input::Token),
        1 => Just(Input::RefreshFailed),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    /// Any sequence of inputs: no panic, never two sockets open at once, and a
    /// timer exactly when the client is waiting for something.
    #[test]
    fn never_two_sockets_at_once(inputs in proptest::collection::vec(input(), 1..60)) {
        let mut h = Harness::new();
        let mut open: Option<SocketId> = None;
        for input in inputs {
            let socket = open.unwrap_or(0);
            match input {
                Input::Connect => h.client.connect(h.now),
                Input::Disconnect => h.client.disconnect(),
                Input::Opened => h.client.socket_opened(h.now, socket),
                Input::Message(text) => h.feed(socket, &text),
                Input::Closed(code) => {
                    h.client.socket_closed(h.now, socket, code, "");
                    // The browser forgets a socket once it reported its close.
                    if h.client.state() != State::Connected { open = None; }
                }
                Input::Advance(ms) => h.advance(ms),
                Input::Online => h.client.network_online(h.now),
                Input::Offline => h.client.network_offline(h.now),
                Input::Token => h.client.set_token(h.now, "t".into()),
                Input::RefreshFailed => h.client.token_refresh_failed("no"),
            }
            for action in h.take_actions() {
                match action {
                    Action::Open { socket, .. } => {
                        prop_assert!(open.is_none(), "opened {socket} while {open:?} is open");
                        open = Some(socket);
                    }
                    Action::Close { socket, .. } => {
                        prop_assert_eq!(open, Some(socket));
                        open = None;
                    }
                    Action::Send { socket, .. } => prop_assert_eq!(open, Some(socket)),
                    Action::Host(_) => {}
                }
            }
            if h.client.state() == State::Disconnected {
                prop_assert_eq!(h.client.poll_timeout(), None);
            }
        }
    }

    /// Arbitrary text frames never panic, whatever state the client is in.
    #[test]
    fn arbitrary_frames_never_panic(frames in proptest::collection::vec(".{0,200}", 1..20)) {
        let mut h = Harness::new();
        let (socket, _) = h.connect_with(&live_reply("e", 0));
        for frame in frames {
            h.feed(socket, &frame);
            h.drain();
        }
    }

    /// Arbitrary JSON values in every slot of a push never panic.
    #[test]
    fn arbitrary_json_frames_never_panic(value in arb_json(), slot in 0usize..6) {
        let mut h = Harness::new();
        let (socket, _) = h.connect_with(&live_reply("e", 0));
        let v = value.to_string();
        let frame = match slot {
            0 => v,
            1 => format!(r#"{{"push":{v}}}"#),
            2 => format!(r#"{{"push":{{"channel":"{CHANNEL}","pub":{v}}}}}"#),
            3 => format!(r#"{{"id":1,"connect":{v}}}"#),
            4 => format!(r#"{{"push":{{"channel":{v},"subscribe":{v}}}}}"#),
            _ => format!(r#"{{"id":{v},"error":{v}}}"#),
        };
        h.feed(socket, &frame);
        h.drain();
    }
}

fn arb_json() -> impl Strategy<Value = serde_json::Value> {
    let leaf = prop_oneof![
        Just(serde_json::Value::Null),
        any::<bool>().prop_map(serde_json::Value::Bool),
        any::<i64>().prop_map(|n| serde_json::json!(n)),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(|n| serde_json::json!(n)),
        ".{0,10}".prop_map(serde_json::Value::String),
    ];
    leaf.prop_recursive(3, 24, 6, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..5).prop_map(serde_json::Value::Array),
            proptest::collection::btree_map(
                prop_oneof![
                    Just("data".to_string()),
                    Just("offset".to_string()),
                    Just("epoch".to_string()),
                    Just("publications".to_string()),
                    Just("recovered".to_string()),
                    Just("was_recovering".to_string()),
                    Just("event".to_string()),
                    "[a-z]{1,6}",
                ],
                inner,
                0..5
            )
            .prop_map(|m| serde_json::Value::Object(m.into_iter().collect())),
        ]
    })
}
