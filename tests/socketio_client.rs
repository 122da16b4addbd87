//! The Socket.IO codec and client state machine, driven natively with an injected clock.
#![cfg(not(target_arch = "wasm32"))]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)] // tests may panic

use proptest::prelude::*;
use serde_json::{json, Value};
use twin_panel::error_code::ErrorCode;
use twin_panel::protocol::backoff::BackoffPolicy;
use twin_panel::protocol::socketio::codec::{
    self, decode_engine, encode_engine, socket_url, EnginePacket, Handshake, Packet, PacketKind,
    ProtocolError,
};
use twin_panel::protocol::socketio::{
    Action, ClientConfig, ClientEvent, EioVersion, EmitError, SocketId, SocketIoClient, State,
};
use twin_panel::protocol::SansIoClient;
use twin_panel::protocol::{JsonEngine, JsonError};

#[path = "../src/protocol/test_json.rs"]
mod test_json;
use test_json::SerdeJson;

const OPEN_V4: &str =
    r#"0{"sid":"abc","upgrades":[],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000}"#;
const OPEN_V3: &str =
    r#"0{"sid":"e3","upgrades":["websocket"],"pingInterval":25000,"pingTimeout":5000}"#;
const BASE: &str = "ws://sandbox";

// The codec with the test JSON engine.

/// The close the client asks for: code 1000, reason "close".
fn close(socket: SocketId) -> Action {
    Action::Close {
        socket,
        code: 1000,
        reason: "close",
    }
}

fn decode_handshake(text: &str) -> Result<Handshake, ProtocolError> {
    codec::decode_handshake(&SerdeJson, text)
}

fn encode_handshake(handshake: &Handshake) -> String {
    codec::encode_handshake(&SerdeJson, handshake)
}

fn decode_packet(text: &str) -> Result<Packet<Value>, ProtocolError> {
    codec::decode_packet(&SerdeJson, text)
}

fn encode_packet(packet: &Packet<Value>, version: EioVersion) -> String {
    codec::encode_packet(&SerdeJson, packet, version)
}

/// One JSON value from its text.
fn v(text: &str) -> Value {
    serde_json::from_str(text).expect("test JSON")
}

/// The items of a JSON array from its text.
fn arr(text: &str) -> Vec<Value> {
    serde_json::from_str(text).expect("test JSON array")
}

/// A payload serde_json cannot write (a map with non-string keys).
fn unwritable() -> std::collections::BTreeMap<Vec<u8>, u8> {
    [(vec![1], 1)].into_iter().collect()
}

/// A client plus a clock and a record of everything it asked for.
struct Harness {
    client: SocketIoClient<SerdeJson>,
    now: u64,
    actions: Vec<Action>,
    events: Vec<ClientEvent<Value>>,
    /// The last socket the client asked to open, and its URL.
    last_open: Option<(SocketId, String)>,
}

impl Harness {
    fn new() -> Self {
        Self::with_config(config(None), 7)
    }

    fn with_eio(eio: Option<EioVersion>) -> Self {
        Self::with_config(config(eio), 7)
    }

    fn with_config(config: ClientConfig, seed: u64) -> Self {
        Harness {
            client: SocketIoClient::new(SerdeJson, config, seed),
            now: 0,
            actions: Vec::new(),
            events: Vec::new(),
            last_open: None,
        }
    }

    fn drain(&mut self) {
        while let Some(a) = self.client.poll_action() {
            if let Action::Open { socket, url } = &a {
                self.last_open = Some((*socket, url.clone()));
            }
            self.actions.push(a);
        }
        while let Some(e) = self.client.poll_event() {
            self.events.push(e);
        }
    }

    fn take_actions(&mut self) -> Vec<Action> {
        self.drain();
        std::mem::take(&mut self.actions)
    }

    fn take_events(&mut self) -> Vec<ClientEvent<Value>> {
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

    /// Moves the clock to the pending retry, so it opens the next socket.
    fn retry(&mut self) {
        let at = self.client.poll_timeout().expect("a retry is scheduled");
        self.advance_to(at);
    }

    /// Emits `payload_json` parsed (no argument when it is empty).
    fn emit(
        &mut self,
        name: &str,
        payload_json: &str,
        ack: bool,
    ) -> Result<Option<u64>, EmitError> {
        let payload = (!payload_json.trim().is_empty()).then(|| v(payload_json));
        self.client.emit(name, payload.as_ref(), ack)
    }

    fn message(&mut self, socket: SocketId, text: &str) {
        self.client.socket_message(self.now, socket, text);
        self.drain();
    }

    fn close(&mut self, socket: SocketId) {
        self.client.socket_closed(self.now, socket, 1006, "");
        self.drain();
    }

    /// The socket and URL of the pending `Open`, taking every action so far.
    fn pending_open(&mut self) -> (SocketId, String) {
        let actions = self.take_actions();
        actions
            .iter()
            .rev()
            .find_map(|a| match a {
                Action::Open { socket, url } => Some((*socket, url.clone())),
                _ => None,
            })
            .expect("an Open action")
    }

    /// The last socket opened (live or pending) and its URL.
    fn current(&mut self) -> (SocketId, String) {
        self.drain();
        self.last_open.clone().expect("a socket")
    }

    /// Opens the current socket and delivers `open_frame`; returns the socket
    /// and the frames the client sent in answer.
    fn engine_open(&mut self, open_frame: &str) -> (SocketId, Vec<String>) {
        let (socket, _) = self.current();
        self.take_actions();
        self.client.socket_opened(self.now, socket);
        self.message(socket, open_frame);
        (socket, sent_frames(&self.take_actions()))
    }

    /// A full Engine.IO 4 / Socket.IO 5 handshake; returns the socket.
    fn connect_v4(&mut self) -> SocketId {
        self.client.connect(self.now);
        self.handshake_v4()
    }

    fn handshake_v4(&mut self) -> SocketId {
        let (socket, frames) = self.engine_open(OPEN_V4);
        assert_eq!(frames, vec!["40"]);
        self.message(socket, r#"40{"sid":"s5"}"#);
        assert_eq!(self.client.state(), State::Connected);
        socket
    }

    /// A full Engine.IO 3 / Socket.IO 4 handshake (the server connects `/`).
    fn handshake_v3(&mut self) -> SocketId {
        let (socket, frames) = self.engine_open(OPEN_V3);
        assert!(frames.is_empty(), "nothing sent for `/` on v3: {frames:?}");
        self.message(socket, "40");
        assert_eq!(self.client.state(), State::Connected);
        socket
    }
}

fn config(eio: Option<EioVersion>) -> ClientConfig {
    let mut config = ClientConfig::new(BASE);
    config.query.push(("sessionId".into(), "s-1".into()));
    config.eio = eio;
    config
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

fn opens(actions: &[Action]) -> Vec<String> {
    actions
        .iter()
        .filter_map(|a| match a {
            Action::Open { url, .. } => Some(url.clone()),
            _ => None,
        })
        .collect()
}

fn url(eio: &str) -> String {
    format!("{BASE}/socket.io/?EIO={eio}&transport=websocket&sessionId=s-1")
}

// ---------------------------------------------------------------- codec

#[test]
fn engine_packets_round_trip() {
    let packets = [
        EnginePacket::Open(r#"{"sid":"a"}"#),
        EnginePacket::Close(""),
        EnginePacket::Ping(""),
        EnginePacket::Ping("probe"),
        EnginePacket::Pong(""),
        EnginePacket::Pong("probe"),
        EnginePacket::Message(r#"2["x",1]"#),
        EnginePacket::Message("héllo ✓"),
        EnginePacket::Upgrade(""),
        EnginePacket::Noop(""),
    ];
    for packet in packets {
        let text = encode_engine(&packet);
        assert_eq!(decode_engine(&text), Ok(packet), "{text}");
    }
    assert_eq!(encode_engine(&EnginePacket::Pong("")), "3");
    for bad in [
        "",
        "7",
        "x",
        "{\"code\":5,\"message\":\"Unsupported protocol version\"}",
        "bAQID",
    ] {
        assert!(decode_engine(bad).is_err(), "{bad:?}");
    }
}

#[test]
fn handshakes_of_both_versions_decode_and_round_trip() {
    let v4 = decode_handshake(&OPEN_V4[1..]).unwrap();
    assert_eq!(
        v4,
        Handshake {
            sid: "abc".into(),
            upgrades: vec![],
            ping_interval: 25_000,
            ping_timeout: 20_000,
            max_payload: Some(1_000_000),
        }
    );
    assert_eq!(encode_handshake(&v4), &OPEN_V4[1..]);
    let v3 = decode_handshake(&OPEN_V3[1..]).unwrap();
    assert_eq!(v3.max_payload, None);
    assert_eq!(v3.ping_timeout, 5_000);
    assert_eq!(encode_handshake(&v3), &OPEN_V3[1..]);
    for bad in [
        "",
        "{}",
        r#"{"sid":5}"#,
        r#"{"sid":"a","pingInterval":-1}"#,
        r#"{"sid":"a","pingInterval":2.5}"#,
        "[]",
    ] {
        assert!(decode_handshake(bad).is_err(), "{bad}");
    }
    let sparse = decode_handshake(r#"{"sid":"a","extra":true}"#).unwrap();
    assert_eq!(
        (sparse.ping_interval, sparse.ping_timeout),
        (25_000, 20_000)
    );
}

fn every_packet_kind() -> Vec<Packet<Value>> {
    let kinds = [
        PacketKind::Connect { payload: None },
        PacketKind::Connect {
            payload: Some(v(r#"{"token":"t\"1"}"#)),
        },
        PacketKind::Disconnect,
        PacketKind::Event {
            id: None,
            name: "chatMessageCreatedEmit".into(),
            args: arr(r#"[{"id":"m","body":"Привет"}]"#),
        },
        PacketKind::Event {
            id: Some(0),
            name: "no args".into(),
            args: arr("[]"),
        },
        PacketKind::Event {
            id: Some(12),
            name: "many".into(),
            args: arr(r#"[1,"two",null,[3]]"#),
        },
        PacketKind::Ack {
            id: 1,
            args: arr(r#"["ok"]"#),
        },
        PacketKind::Ack {
            id: 99,
            args: arr("[]"),
        },
        PacketKind::ConnectError {
            message: "bad \"token\"".into(),
        },
        PacketKind::BinaryEvent {
            attachments: 1,
            id: None,
            payload_json: r#"["up",{"_placeholder":true,"num":0}]"#.into(),
        },
        PacketKind::BinaryAck {
            attachments: 2,
            id: Some(4),
            payload_json: r#"[{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]"#.into(),
        },
    ];
    let mut packets = Vec::new();
    for namespace in ["/", "/admin"] {
        for kind in &kinds {
            packets.push(Packet {
                namespace: namespace.into(),
                kind: kind.clone(),
            });
        }
    }
    packets
}

#[test]
fn socketio_packets_round_trip_in_both_versions() {
    for version in [EioVersion::V3, EioVersion::V4] {
        for packet in every_packet_kind() {
            let text = encode_packet(&packet, version);
            assert_eq!(
                decode_packet(&text),
                Ok(packet.clone()),
                "{version:?} {text}"
            );
            // Wrapped in an Engine.IO message, as on the wire.
            let frame = encode_engine(&EnginePacket::Message(&text));
            assert_eq!(decode_engine(&frame), Ok(EnginePacket::Message(&text)));
        }
    }
}

#[test]
fn connect_errors_take_the_form_of_each_version() {
    let packet = Packet::main(PacketKind::ConnectError {
        message: "bad".into(),
    });
    assert_eq!(encode_packet(&packet, EioVersion::V3), r#"4"bad""#);
    assert_eq!(
        encode_packet(&packet, EioVersion::V4),
        r#"4{"message":"bad"}"#
    );
    let in_ns = Packet {
        namespace: "/admin".into(),
        kind: PacketKind::Disconnect,
    };
    assert_eq!(encode_packet(&in_ns, EioVersion::V4), "1/admin,");
}

#[test]
fn known_literal_frames_decode() {
    let frame = |text: &str| match decode_engine(text).unwrap() {
        EnginePacket::Message(data) => decode_packet(data).unwrap(),
        other => panic!("{other:?}"),
    };
    assert_eq!(
        frame("40"),
        Packet::main(PacketKind::Connect { payload: None })
    );
    assert_eq!(
        frame(r#"40{"sid":"x"}"#),
        Packet::main(PacketKind::Connect {
            payload: Some(v(r#"{"sid":"x"}"#))
        })
    );
    let message = frame(r#"42["chatMessageCreatedEmit",{"id":"m"}]"#);
    assert_eq!(
        message,
        Packet::main(PacketKind::Event {
            id: None,
            name: "chatMessageCreatedEmit".into(),
            args: arr(r#"[{"id":"m"}]"#)
        })
    );
    assert_eq!(message.first_arg(), Some(&json!({"id": "m"})));
    assert_eq!(
        frame(r#"42/admin,5["x"]"#),
        Packet {
            namespace: "/admin".into(),
            kind: PacketKind::Event {
                id: Some(5),
                name: "x".into(),
                args: arr("[]")
            }
        }
    );
    assert_eq!(frame(r#"42/admin,5["x"]"#).first_arg(), None);
    let ack = frame(r#"431["ok"]"#);
    assert_eq!(
        ack,
        Packet::main(PacketKind::Ack {
            id: 1,
            args: arr(r#"["ok"]"#)
        })
    );
    assert_eq!(ack.first_arg(), Some(&json!("ok")));
    for text in [
        r#"44{"message":"bad"}"#,
        r#"44"bad""#,
        r#"44{"message":"bad","data":{"x":1}}"#,
    ] {
        assert_eq!(
            frame(text),
            Packet::main(PacketKind::ConnectError {
                message: "bad".into()
            }),
            "{text}"
        );
    }
    assert_eq!(frame("41"), Packet::main(PacketKind::Disconnect));
    assert_eq!(
        frame(r#"451-["up",{"_placeholder":true,"num":0}]"#).kind,
        PacketKind::BinaryEvent {
            attachments: 1,
            id: None,
            payload_json: r#"["up",{"_placeholder":true,"num":0}]"#.into()
        }
    );
}

#[test]
fn malformed_socketio_packets_are_errors() {
    for bad in [
        "",
        "7",
        "x",
        "2",
        "2{}",
        "2[]",
        "2[{}]",
        "2[null]",
        "2[\"x\"",
        "3[\"no id\"]",
        "31",
        "31{}",
        "0[]",
        "0\"x\"",
        "5[]",
        "5x-[]",
        "2/admin,[",
    ] {
        assert!(decode_packet(bad).is_err(), "{bad:?}");
    }
}

#[test]
fn urls_carry_the_version_and_encoded_query() {
    let query = vec![
        ("sessionId".to_string(), "4d32dc5a-73d3".to_string()),
        ("na me".to_string(), "ä&=/".to_string()),
    ];
    assert_eq!(
        socket_url("https://chat.example/", "/socket.io/", EioVersion::V4, &query),
        "wss://chat.example/socket.io/?EIO=4&transport=websocket&sessionId=4d32dc5a-73d3&na%20me=%C3%A4%26%3D%2F"
    );
    assert_eq!(
        socket_url(
            "http://localhost:8080/prefix",
            "socket.io/",
            EioVersion::V3,
            &[]
        ),
        "ws://localhost:8080/prefix/socket.io/?EIO=3&transport=websocket"
    );
}

// ---------------------------------------------------------------- handshake

#[test]
fn v5_sends_connect_after_the_open_packet_and_connects_on_the_sid() {
    let mut h = Harness::new();
    h.client.connect(0);
    let (socket, url_v4) = h.pending_open();
    assert_eq!(url_v4, url("4"));
    h.client.socket_opened(0, socket);
    assert!(h.take_actions().is_empty(), "the server speaks first");
    h.message(socket, OPEN_V4);
    assert_eq!(sent_frames(&h.take_actions()), vec!["40"]);
    assert_eq!(h.client.state(), State::Connecting);
    h.message(socket, r#"40{"sid":"s5"}"#);
    assert_eq!(h.client.state(), State::Connected);
    assert_eq!(
        h.take_events(),
        vec![
            ClientEvent::Connecting {
                reason: "connect called".into()
            },
            ClientEvent::Connected { sid: "s5".into() }
        ]
    );
    assert_eq!(h.client.eio_version(), EioVersion::V4);
}

#[test]
fn v5_connect_carries_auth_and_namespace() {
    let mut cfg = config(Some(EioVersion::V4));
    cfg.namespace = "/widget".into();
    cfg.auth_json = Some(r#" {"token":"t"} "#.into());
    let mut h = Harness::with_config(cfg, 1);
    h.client.connect(0);
    let (socket, frames) = h.engine_open(OPEN_V4);
    assert_eq!(frames, vec![r#"40/widget,{"token":"t"}"#]);
    // Packets of other namespaces are not ours.
    h.message(socket, r#"40{"sid":"root"}"#);
    assert_eq!(h.client.state(), State::Connecting);
    h.message(socket, r#"40/widget,{"sid":"w"}"#);
    assert!(h
        .take_events()
        .contains(&ClientEvent::Connected { sid: "w".into() }));
    h.message(socket, r#"42["x",1]"#);
    h.message(socket, r#"42/widget,["y",2]"#);
    let events = h.take_events();
    assert_eq!(
        events,
        vec![ClientEvent::Message {
            name: "y".into(),
            args: vec![v("2")]
        }]
    );
    assert_eq!(h.emit("typing", "{}", false), Ok(None));
    assert_eq!(
        sent_frames(&h.take_actions()),
        vec![r#"42/widget,["typing",{}]"#]
    );
}

#[test]
fn an_auth_that_is_not_an_object_is_dropped_with_a_config_error() {
    let mut cfg = config(Some(EioVersion::V4));
    cfg.auth_json = Some("[1]".into());
    let mut h = Harness::with_config(cfg, 1);
    assert!(matches!(
        h.take_events()[..],
        [ClientEvent::Error {
            kind: ErrorCode::Config,
            ..
        }]
    ));
    h.client.connect(0);
    let (_, frames) = h.engine_open(OPEN_V4);
    assert_eq!(frames, vec!["40"]);
}

#[test]
fn v3_connects_without_the_client_sending_connect() {
    let mut h = Harness::with_eio(Some(EioVersion::V3));
    h.client.connect(0);
    let (socket, url_v3) = h.pending_open();
    assert_eq!(url_v3, url("3"));
    h.message(socket, OPEN_V3);
    assert!(sent_frames(&h.take_actions()).is_empty());
    // socket.io 2.x sends `40` right after the open packet.
    h.message(socket, "40");
    let events = h.take_events();
    assert_eq!(events[1], ClientEvent::Connected { sid: "e3".into() });
    h.message(socket, r#"42["chatMessageReadEmit",{"messageId":"m1"}]"#);
    assert_eq!(
        h.take_events(),
        vec![ClientEvent::Message {
            name: "chatMessageReadEmit".into(),
            args: vec![v(r#"{"messageId":"m1"}"#)]
        }]
    );
}

#[test]
fn v3_connects_other_namespaces_without_auth() {
    let mut cfg = config(Some(EioVersion::V3));
    cfg.namespace = "widget".into();
    cfg.auth_json = Some(r#"{"token":"t"}"#.into());
    let mut h = Harness::with_config(cfg, 1);
    h.client.connect(0);
    let (socket, frames) = h.engine_open(OPEN_V3);
    assert_eq!(frames, vec!["40/widget,"]);
    h.message(socket, "40");
    assert_eq!(h.client.state(), State::Connecting, "`/` is not ours");
    h.message(socket, "40/widget,");
    assert_eq!(h.client.state(), State::Connected);
}

#[test]
fn connect_timeout_covers_the_open_packet_and_the_namespace_connect() {
    let mut h = Harness::with_eio(Some(EioVersion::V4));
    h.client.connect(0);
    let (socket, _) = h.pending_open();
    h.advance_to(3_000);
    h.message(socket, OPEN_V4);
    h.take_actions();
    assert_eq!(h.client.poll_timeout(), Some(5_000));
    h.advance_to(4_999);
    assert!(h.take_actions().is_empty());
    h.advance_to(5_000);
    assert_eq!(h.take_actions(), vec![close(socket)]);
    assert_eq!(h.client.state(), State::Connecting);
    let retry_at = h.client.poll_timeout().unwrap();
    assert!((5_500..=6_000).contains(&retry_at), "{retry_at}");
    h.advance_to(retry_at);
    assert_eq!(opens(&h.take_actions()), vec![url("4")]);
}

// ---------------------------------------------------------------- heartbeat

#[test]
fn v4_answers_each_server_ping_with_exactly_one_pong() {
    let mut h = Harness::new();
    h.client.connect(0);
    let (socket, _) = h.pending_open();
    h.message(socket, OPEN_V4);
    h.take_actions();
    // Pings during the namespace handshake are answered too.
    h.message(socket, "2");
    assert_eq!(sent_frames(&h.take_actions()), vec!["3"]);
    h.message(socket, r#"40{"sid":"s"}"#);
    for _ in 0..3 {
        h.advance(25_000);
        h.message(socket, "2");
    }
    assert_eq!(sent_frames(&h.take_actions()), vec!["3", "3", "3"]);
    assert_eq!(h.client.state(), State::Connected);
}

#[test]
fn v4_is_dead_after_ping_interval_plus_timeout_of_silence() {
    let mut h = Harness::new();
    let socket = h.connect_v4();
    h.take_events();
    assert_eq!(h.client.poll_timeout(), Some(45_000));
    h.advance_to(30_000);
    // Only a ping re-arms the watchdog, as engine.io-client.
    h.message(socket, r#"42["x"]"#);
    assert_eq!(h.client.poll_timeout(), Some(45_000));
    h.message(socket, "2");
    assert_eq!(h.client.poll_timeout(), Some(75_000));
    h.advance_to(74_999);
    assert_eq!(h.client.state(), State::Connected);
    h.advance_to(75_000);
    assert_eq!(h.client.state(), State::Connecting);
    assert!(h.take_actions().contains(&close(socket)));
    let events = h.take_events();
    assert_eq!(
        events[1..],
        [
            ClientEvent::Disconnected {
                reason: "ping timeout".into(),
                reconnect: true
            },
            ClientEvent::Connecting {
                reason: "ping timeout".into()
            }
        ]
    );
}

#[test]
fn v3_pings_every_interval_and_is_dead_without_a_pong() {
    let mut h = Harness::with_eio(Some(EioVersion::V3));
    h.client.connect(0);
    let socket = h.handshake_v3();
    h.take_events();
    h.take_actions();
    // Server pings are not part of v3 from the server side: ignored.
    h.message(socket, "2");
    assert!(h.take_actions().is_empty());
    assert_eq!(h.client.poll_timeout(), Some(25_000));
    h.advance_to(24_999);
    assert!(h.take_actions().is_empty());
    h.advance_to(25_000);
    assert_eq!(sent_frames(&h.take_actions()), vec!["2"]);
    assert_eq!(
        h.client.poll_timeout(),
        Some(30_000),
        "pong within pingTimeout"
    );
    h.advance_to(25_040);
    h.message(socket, "3");
    assert_eq!(
        h.client.poll_timeout(),
        Some(50_040),
        "next ping one interval after the pong"
    );
    h.advance_to(50_040);
    assert_eq!(sent_frames(&h.take_actions()), vec!["2"]);
    // No pong this time.
    h.advance_to(55_039);
    assert_eq!(h.client.state(), State::Connected);
    h.advance_to(55_040);
    assert_eq!(h.client.state(), State::Connecting);
    assert!(h.take_actions().contains(&close(socket)));
    assert!(h.take_events().contains(&ClientEvent::Disconnected {
        reason: "ping timeout".into(),
        reconnect: true
    }));
}

#[test]
fn tiny_ping_intervals_are_raised_so_the_timer_cannot_spin() {
    let mut h = Harness::with_eio(Some(EioVersion::V3));
    h.client.connect(0);
    let (socket, _) = h.pending_open();
    h.message(
        socket,
        r#"0{"sid":"a","upgrades":[],"pingInterval":0,"pingTimeout":0}"#,
    );
    h.message(socket, "40");
    assert_eq!(h.client.poll_timeout(), Some(1_000));
}

// ---------------------------------------------------------------- fallback

#[test]
fn auto_mode_falls_back_to_v3_at_once_when_the_first_socket_closes_before_open() {
    let mut h = Harness::new();
    h.client.connect(0);
    let (first, url_v4) = h.pending_open();
    assert_eq!(url_v4, url("4"));
    // A refused upgrade (HTTP 400) looks like close 1006 without an open event.
    h.close(first);
    let (second, url_v3) = h.pending_open();
    assert_eq!(url_v3, url("3"), "retried at once with EIO=3");
    assert_eq!(h.client.eio_version(), EioVersion::V3);
    h.message(second, OPEN_V3);
    h.message(second, "40");
    assert_eq!(h.client.state(), State::Connected);
    // After a successful v3 connection, every reconnect stays on 3.
    for _ in 0..3 {
        let (socket, _) = h.current();
        h.close(socket);
        h.retry();
        let (socket, u) = h.pending_open();
        assert_eq!(u, url("3"));
        // Even a close before the open packet no longer switches.
        h.close(socket);
        h.retry();
        let (_, u) = h.pending_open();
        assert_eq!(u, url("3"));
        h.handshake_v3();
    }
    // A new connect() after disconnect() is still the same client: 3.
    h.client.disconnect();
    h.client.connect(h.now);
    let (_, u) = h.pending_open();
    assert_eq!(u, url("3"));
}

#[test]
fn an_engine_io_error_before_open_also_falls_back() {
    let mut h = Harness::new();
    h.client.connect(0);
    let (socket, _) = h.pending_open();
    h.message(
        socket,
        r#"{"code":5,"message":"Unsupported protocol version"}"#,
    );
    let actions = h.take_actions();
    assert_eq!(actions[0], close(socket));
    assert_eq!(opens(&actions), vec![url("3")]);
    assert!(matches!(
        h.take_events()[..],
        [
            ClientEvent::Connecting { .. },
            ClientEvent::Error {
                kind: ErrorCode::Protocol,
                ..
            }
        ]
    ));
}

#[test]
fn a_socketio_v4_server_that_ignored_eio_4_is_detected_by_its_sidless_connect() {
    let mut h = Harness::new();
    h.client.connect(0);
    let (socket, frames) = h.engine_open(OPEN_V3);
    assert_eq!(frames, vec!["40"]);
    h.message(socket, "40");
    let actions = h.take_actions();
    assert_eq!(actions[0], close(socket));
    assert_eq!(opens(&actions), vec![url("3")]);
    assert_eq!(h.client.state(), State::Connecting);
    h.handshake_v3();
}

#[test]
fn explicit_v4_never_falls_back() {
    let mut h = Harness::with_eio(Some(EioVersion::V4));
    h.client.connect(0);
    for _ in 0..4 {
        let (socket, u) = h.pending_open();
        assert_eq!(u, url("4"));
        h.close(socket);
        assert!(opens(&h.take_actions()).is_empty(), "waits for the backoff");
        h.retry();
    }
    // A sid-less connect is accepted as is: the caller chose the version.
    let (socket, _) = h.engine_open(OPEN_V4);
    h.message(socket, "40");
    assert!(h
        .take_events()
        .contains(&ClientEvent::Connected { sid: "abc".into() }));
}

#[test]
fn explicit_v3_never_switches_to_v4() {
    let mut h = Harness::with_eio(Some(EioVersion::V3));
    h.client.connect(0);
    for _ in 0..4 {
        let (socket, u) = h.pending_open();
        assert_eq!(u, url("3"));
        h.close(socket);
        h.retry();
    }
}

#[test]
fn an_unsettled_auto_client_alternates_versions_at_backoff_pace() {
    let mut h = Harness::new();
    h.client.connect(0);
    let mut urls = Vec::new();
    let (mut socket, mut u) = h.pending_open();
    for _ in 0..4 {
        urls.push(u);
        h.close(socket);
        if !h.actions.iter().any(|a| matches!(a, Action::Open { .. })) {
            h.retry();
        }
        (socket, u) = h.pending_open();
    }
    urls.push(u);
    assert_eq!(urls, vec![url("4"), url("3"), url("4"), url("3"), url("4")]);
    // Once v4 connects, it is kept: a pre-open close no longer switches.
    h.handshake_v4();
    let socket = h.current().0;
    h.close(socket);
    h.retry();
    let (socket, u) = h.pending_open();
    assert_eq!(u, url("4"));
    h.close(socket);
    h.retry();
    assert_eq!(h.pending_open().1, url("4"));
}

#[test]
fn timeouts_and_offline_do_not_switch_versions() {
    let mut h = Harness::new();
    h.client.connect(0);
    h.pending_open();
    h.advance(5_000);
    h.advance(30_000);
    assert_eq!(h.pending_open().1, url("4"));
    h.client.network_offline(h.now);
    h.client.network_online(h.now);
    assert_eq!(h.pending_open().1, url("4"));
}

// ---------------------------------------------------------------- reconnect

#[test]
fn backoff_grows_per_failed_attempt_and_resets_after_a_connect() {
    let mut h = Harness::with_config(config(Some(EioVersion::V4)), 99);
    h.client.connect(0);
    let mut delays = Vec::new();
    for _ in 0..8 {
        let (socket, _) = h.pending_open();
        h.close(socket);
        let at = h.client.poll_timeout().unwrap();
        delays.push(at - h.now);
        h.advance_to(at);
    }
    let bounds = [1_000, 1_500, 2_500, 4_500, 8_500, 16_500, 20_000, 20_000];
    for (d, hi) in delays.iter().zip(bounds) {
        assert!((500..=hi).contains(d), "{delays:?}");
    }
    let socket = h.handshake_v4();
    h.close(socket);
    let delay = h.client.poll_timeout().unwrap() - h.now;
    assert!((500..=1_000).contains(&delay), "{delay}");
}

#[test]
fn each_failed_attempt_that_waits_for_a_retry_is_an_error_once_connecting_is_not() {
    let mut h = Harness::with_config(config(Some(EioVersion::V4)), 7);
    h.client.connect(0);
    h.take_events();
    for round in 0..3 {
        let (socket, _) = h.pending_open();
        h.close(socket);
        let events = h.take_events();
        assert_eq!(events.len(), 1, "round {round}: {events:?}");
        assert!(
            matches!(&events[0], ClientEvent::Error { kind: ErrorCode::Connect, message } if message.contains("transport close")),
            "round {round}: {events:?}"
        );
        h.advance_to(h.client.poll_timeout().unwrap());
    }
    // A connect timeout is a failed attempt too.
    let (_, _) = h.pending_open();
    h.advance(5_000);
    let events = h.take_events();
    assert!(
        matches!(&events[..], [ClientEvent::Error { kind: ErrorCode::Connect, message }] if message.contains("connect timeout")),
        "{events:?}"
    );
    // A lost live connection is a disconnected + connecting, not an attempt error.
    h.advance_to(h.client.poll_timeout().unwrap());
    let socket = h.handshake_v4();
    h.take_events();
    h.close(socket);
    let events = h.take_events();
    assert!(
        events
            .iter()
            .all(|e| !matches!(e, ClientEvent::Error { .. })),
        "{events:?}"
    );
}

#[test]
fn custom_backoff_bounds_are_respected() {
    let mut cfg = config(Some(EioVersion::V4));
    cfg.backoff = BackoffPolicy {
        min_ms: 10,
        max_ms: 40,
    };
    let mut h = Harness::with_config(cfg, 3);
    h.client.connect(0);
    for _ in 0..20 {
        let (socket, _) = h.pending_open();
        h.close(socket);
        let delay = h.client.poll_timeout().unwrap() - h.now;
        assert!((10..=40).contains(&delay), "{delay}");
        h.advance(delay);
    }
}

#[test]
fn transport_close_and_engine_close_reconnect() {
    for how in ["socket", "engine close"] {
        let mut h = Harness::new();
        let socket = h.connect_v4();
        h.take_events();
        if how == "socket" {
            h.close(socket);
            assert!(h.take_actions().is_empty(), "the socket is already gone");
        } else {
            h.message(socket, "1");
            assert_eq!(h.take_actions(), vec![close(socket)]);
        }
        assert_eq!(
            h.take_events(),
            vec![
                ClientEvent::Disconnected {
                    reason: "transport close".into(),
                    reconnect: true
                },
                ClientEvent::Connecting {
                    reason: "transport close".into()
                }
            ],
            "{how}"
        );
        h.advance(1_000);
        assert_eq!(opens(&h.take_actions()), vec![url("4")], "{how}");
    }
}

#[test]
fn a_server_disconnect_ends_for_good() {
    let mut h = Harness::new();
    let socket = h.connect_v4();
    h.take_events();
    h.message(socket, "41");
    assert_eq!(h.take_actions(), vec![close(socket)]);
    assert_eq!(
        h.take_events(),
        vec![ClientEvent::Disconnected {
            reason: "io server disconnect".into(),
            reconnect: false
        }]
    );
    assert_eq!(h.client.state(), State::Disconnected);
    assert_eq!(h.client.poll_timeout(), None);
    h.advance(120_000);
    assert!(h.take_actions().is_empty());
}

#[test]
fn connect_errors_in_either_form_stop_without_reconnect() {
    for (eio, frame) in [
        (EioVersion::V4, r#"44{"message":"bad session"}"#),
        (EioVersion::V3, r#"44"bad session""#),
    ] {
        let mut h = Harness::with_eio(Some(eio));
        h.client.connect(0);
        let open = if eio == EioVersion::V4 {
            OPEN_V4
        } else {
            OPEN_V3
        };
        let (socket, _) = h.engine_open(open);
        h.take_events();
        h.message(socket, frame);
        assert_eq!(h.take_actions(), vec![close(socket)]);
        assert_eq!(
            h.take_events(),
            vec![
                ClientEvent::Error {
                    kind: ErrorCode::Connect,
                    message: "bad session".into()
                },
                ClientEvent::Disconnected {
                    reason: "connect error".into(),
                    reconnect: false
                }
            ]
        );
        h.advance(60_000);
        assert!(h.take_actions().is_empty());
    }
}

#[test]
fn a_v3_error_packet_on_a_live_connection_is_only_reported() {
    let mut h = Harness::with_eio(Some(EioVersion::V3));
    h.client.connect(0);
    let socket = h.handshake_v3();
    h.take_events();
    h.message(socket, r#"44"not allowed""#);
    assert_eq!(h.client.state(), State::Connected);
    assert!(matches!(
        h.take_events()[..],
        [ClientEvent::Error {
            kind: ErrorCode::Connect,
            ..
        }]
    ));
}

#[test]
fn disconnect_during_a_pending_connect_leaves_nothing_running() {
    for stage in 0..3 {
        let mut h = Harness::new();
        h.client.connect(0);
        let (socket, _) = h.pending_open();
        if stage >= 1 {
            h.message(socket, OPEN_V4);
        }
        if stage >= 2 {
            h.message(socket, "2");
        }
        h.take_actions();
        h.client.disconnect();
        assert_eq!(h.take_actions(), vec![close(socket)], "{stage}");
        assert_eq!(h.client.poll_timeout(), None);
        assert_eq!(h.client.state(), State::Disconnected);
        // Late news from the abandoned socket changes nothing.
        h.client.socket_opened(10, socket);
        h.message(socket, OPEN_V4);
        h.message(socket, r#"40{"sid":"late"}"#);
        h.close(socket);
        h.advance(120_000);
        assert!(h.take_actions().is_empty());
        let events = h.take_events();
        assert_eq!(
            events.last(),
            Some(&ClientEvent::Disconnected {
                reason: "io client disconnect".into(),
                reconnect: false
            })
        );
        assert!(!events
            .iter()
            .any(|e| matches!(e, ClientEvent::Connected { .. })));
    }
}

#[test]
fn disconnect_during_backoff_cancels_the_retry() {
    let mut h = Harness::new();
    let socket = h.connect_v4();
    h.close(socket);
    h.client.disconnect();
    h.take_actions();
    assert_eq!(h.client.poll_timeout(), None);
    h.advance(60_000);
    assert!(opens(&h.take_actions()).is_empty());
}

#[test]
fn disconnect_when_connected_says_goodbye_to_the_namespace() {
    let mut h = Harness::new();
    let socket = h.connect_v4();
    h.take_actions();
    h.client.disconnect();
    assert_eq!(
        h.take_actions(),
        vec![
            Action::Send {
                socket,
                text: "41".into()
            },
            close(socket)
        ]
    );
}

#[test]
fn stale_sockets_are_ignored() {
    let mut h = Harness::new();
    let old = h.connect_v4();
    h.close(old);
    h.advance(1_000);
    let new = h.handshake_v4();
    assert_ne!(old, new);
    h.take_events();
    h.take_actions();
    h.message(old, r#"42["x",1]"#);
    h.message(old, "2");
    h.message(old, "41");
    h.client.socket_binary(h.now, old);
    h.close(old);
    assert!(h.take_events().is_empty());
    assert!(h.take_actions().is_empty());
    assert_eq!(h.client.state(), State::Connected);
}

#[test]
fn online_skips_the_backoff_and_offline_drops_the_socket() {
    let mut h = Harness::new();
    let socket = h.connect_v4();
    h.take_actions();
    h.client.network_offline(h.now);
    assert_eq!(h.take_actions(), vec![close(socket)]);
    assert_eq!(h.client.state(), State::Connecting);
    h.client.network_online(h.now);
    assert_eq!(opens(&h.take_actions()), vec![url("4")]);
}

// ---------------------------------------------------------------- events, emits, acks

#[test]
fn widget_events_arrive_with_their_arguments_as_parsed_values() {
    let mut h = Harness::new();
    let socket = h.connect_v4();
    h.take_events();
    h.message(
        socket,
        r#"42["chatMessageCreatedEmit",{"id":"d0f1","authorType":"BOT","body":"Переключаю на оператора","avatar":null}]"#,
    );
    h.message(
        socket,
        r#"42["showTypingIndicatorEmit",{"authorType":"BOT"}]"#,
    );
    h.message(socket, r#"42["operatorLoggedOutEmit"]"#);
    h.message(socket, r#"425["needsAck",1,2]"#);
    assert_eq!(
        h.take_events(),
        vec![
            ClientEvent::Message {
                name: "chatMessageCreatedEmit".into(),
                args: vec![v(
                    r#"{"id":"d0f1","authorType":"BOT","body":"Переключаю на оператора","avatar":null}"#
                )]
            },
            ClientEvent::Message {
                name: "showTypingIndicatorEmit".into(),
                args: vec![v(r#"{"authorType":"BOT"}"#)]
            },
            ClientEvent::Message {
                name: "operatorLoggedOutEmit".into(),
                args: vec![]
            },
            ClientEvent::Message {
                name: "needsAck".into(),
                args: vec![json!(1), json!(2)]
            },
        ]
    );
    assert!(
        sent_frames(&h.take_actions()).is_empty(),
        "no ack is sent back"
    );
}

#[test]
fn emits_wait_for_the_connection_and_flush_in_order() {
    let mut h = Harness::new();
    assert_eq!(h.emit("a", r#"{"n":1}"#, false), Ok(None));
    assert_eq!(h.emit("b", "", true), Ok(Some(0)));
    h.client.connect(0);
    let (socket, frames) = h.engine_open(OPEN_V4);
    assert_eq!(frames, vec!["40"]);
    assert_eq!(h.emit("c", "[1, 2]", true), Ok(Some(1)));
    assert_eq!(h.client.queued(), 3);
    h.message(socket, r#"40{"sid":"s"}"#);
    assert_eq!(h.client.queued(), 0);
    assert_eq!(h.emit("d", "\"x\"", false), Ok(None));
    assert_eq!(
        sent_frames(&h.take_actions()),
        vec![
            r#"42["a",{"n":1}]"#,
            r#"420["b"]"#,
            r#"421["c",[1,2]]"#,
            r#"42["d","x"]"#
        ]
    );
    // Acks resolve by id, in whatever order they come, once.
    h.message(socket, r#"431["second"]"#);
    h.message(socket, r#"430[]"#);
    h.message(socket, r#"430["again"]"#);
    h.message(socket, r#"437["unknown"]"#);
    let acks: Vec<ClientEvent<Value>> = h
        .take_events()
        .into_iter()
        .filter(|e| matches!(e, ClientEvent::Ack { .. }))
        .collect();
    assert_eq!(
        acks,
        vec![
            ClientEvent::Ack {
                id: 1,
                args: arr(r#"["second"]"#)
            },
            ClientEvent::Ack {
                id: 0,
                args: arr("[]")
            }
        ]
    );
}

#[test]
fn ack_ids_keep_increasing_across_reconnects() {
    let mut h = Harness::new();
    let socket = h.connect_v4();
    let ids: Vec<_> = (0..3).map(|_| h.emit("x", "1", true).unwrap()).collect();
    assert_eq!(ids, vec![Some(0), Some(1), Some(2)]);
    h.close(socket);
    h.advance(1_000);
    h.handshake_v4();
    assert_eq!(h.emit("x", "1", true), Ok(Some(3)));
}

#[test]
fn acks_of_a_lost_connection_are_reported_lost_and_queued_ones_survive_it() {
    let mut h = Harness::new();
    let socket = h.connect_v4();
    h.emit("sent", "1", true).unwrap();
    h.close(socket);
    h.emit("queued", "2", true).unwrap();
    let events = h.take_events();
    assert!(events.contains(&ClientEvent::AckLost { id: 0 }));
    assert!(!events.contains(&ClientEvent::AckLost { id: 1 }));
    h.advance(1_000);
    h.take_actions();
    let socket = h.handshake_v4();
    assert_eq!(sent_frames(&h.take_actions()), vec![r#"421["queued",2]"#]);
    h.message(socket, r#"431[true]"#);
    assert!(h.take_events().contains(&ClientEvent::Ack {
        id: 1,
        args: arr("[true]")
    }));
}

#[test]
fn stopping_drops_queued_emits_and_reports_their_acks_lost() {
    let mut h = Harness::new();
    h.client.connect(0);
    h.emit("a", "1", true).unwrap();
    h.emit("b", "1", false).unwrap();
    h.client.disconnect();
    assert_eq!(h.client.queued(), 0);
    assert!(h.take_events().contains(&ClientEvent::AckLost { id: 0 }));
    h.client.connect(h.now);
    h.handshake_v4();
    assert!(sent_frames(&h.take_actions()).is_empty());
}

#[test]
fn a_full_queue_refuses_with_an_error_event() {
    let mut h = Harness::new();
    for n in 0..100 {
        assert!(h.emit("e", &n.to_string(), false).is_ok());
    }
    assert_eq!(h.emit("e", "100", true), Err(EmitError::QueueFull));
    assert!(matches!(
        h.take_events()[..],
        [ClientEvent::Error {
            kind: ErrorCode::QueueFull,
            ..
        }]
    ));
    // The refused emit took no ack id.
    assert_eq!(h.client.queued(), 100);
    h.connect_v4();
    let frames = sent_frames(&h.take_actions());
    assert_eq!(frames.len(), 100);
    assert_eq!(frames[0], r#"42["e",0]"#);
    assert_eq!(frames[99], r#"42["e",99]"#);
    assert_eq!(
        h.client.emit("e", Some(&unwritable()), true),
        Err(EmitError::InvalidJson)
    );
    assert_eq!(h.emit("e", "1", true), Ok(Some(0)));
}

#[test]
fn emits_the_engine_cannot_write_or_with_reserved_names_are_refused() {
    let mut h = Harness::new();
    assert_eq!(
        h.client.emit("e", Some(&unwritable()), false),
        Err(EmitError::InvalidJson)
    );
    for name in [
        "",
        "connect",
        "connect_error",
        "disconnect",
        "disconnecting",
        "newListener",
        "removeListener",
    ] {
        assert_eq!(
            h.emit(name, "1", false),
            Err(EmitError::ReservedName),
            "{name}"
        );
    }
    assert_eq!(h.client.queued(), 0);
    assert_eq!(h.emit("qu\"ote", " {\"a\" : 1} ", false), Ok(None));
    // Any serde value is a payload, the engine's own values included.
    assert_eq!(
        h.client.emit("typing", Some(&Typing { on: true }), false),
        Ok(None)
    );
    assert_eq!(h.client.emit("list", Some(&[1, 2][..]), false), Ok(None));
    h.connect_v4();
    assert_eq!(
        sent_frames(&h.take_actions()),
        vec![
            r#"42["qu\"ote",{"a":1}]"#,
            r#"42["typing",{"on":true}]"#,
            r#"42["list",[1,2]]"#
        ]
    );
}

#[derive(serde::Serialize)]
struct Typing {
    on: bool,
}

#[test]
fn binary_packets_are_reported_and_skipped_without_dropping_the_connection() {
    let mut h = Harness::new();
    let socket = h.connect_v4();
    h.take_events();
    h.message(
        socket,
        r#"452-["upload",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]"#,
    );
    h.client.socket_binary(h.now, socket);
    h.client.socket_binary(h.now, socket);
    h.drain();
    let events = h.take_events();
    assert!(
        matches!(
            events[..],
            [ClientEvent::Error {
                kind: ErrorCode::Unsupported,
                ..
            }]
        ),
        "{events:?}"
    );
    // A binary frame nobody announced is reported too.
    h.client.socket_binary(h.now, socket);
    assert!(matches!(
        h.take_events()[..],
        [ClientEvent::Error {
            kind: ErrorCode::Unsupported,
            ..
        }]
    ));
    h.message(socket, r#"461-[{"_placeholder":true,"num":0}]"#);
    assert_eq!(h.take_events().len(), 1);
    assert_eq!(h.client.state(), State::Connected);
    assert!(h.take_actions().is_empty());
    h.message(socket, r#"42["still",true]"#);
    assert_eq!(
        h.take_events(),
        vec![ClientEvent::Message {
            name: "still".into(),
            args: vec![v("true")]
        }]
    );
}

#[test]
fn unreadable_frames_are_an_error_event_and_a_reconnect() {
    for bad in ["", "x", "4", "42{", r#"42["a""#, "49", r#"0{"sid":1}"#] {
        let mut h = Harness::new();
        let socket = h.connect_v4();
        h.take_events();
        h.message(socket, bad);
        let events = h.take_events();
        if bad.starts_with('0') {
            // A second open packet is ignored, whatever it holds.
            assert!(events.is_empty(), "{bad}: {events:?}");
            continue;
        }
        assert!(
            matches!(&events[0], ClientEvent::Error { kind: ErrorCode::Protocol, message } if !message.contains("a\"")),
            "{bad}: {events:?}"
        );
        assert_eq!(
            events[1],
            ClientEvent::Disconnected {
                reason: "parse error".into(),
                reconnect: true
            },
            "{bad}"
        );
        assert!(h.take_actions().contains(&close(socket)));
        h.advance(1_000);
        assert_eq!(opens(&h.take_actions()).len(), 1);
    }
}

#[test]
fn an_unreadable_open_packet_is_a_protocol_error() {
    let mut h = Harness::with_eio(Some(EioVersion::V4));
    h.client.connect(0);
    let (socket, _) = h.pending_open();
    h.message(socket, r#"0{"sid":"a","pingInterval":"soon"}"#);
    assert!(h.take_actions().contains(&close(socket)));
    assert!(h.take_events().iter().any(|e| matches!(
        e,
        ClientEvent::Error {
            kind: ErrorCode::Protocol,
            ..
        }
    )));
    assert_eq!(h.client.state(), State::Connecting);
}

#[test]
fn noop_upgrade_and_stray_pongs_change_nothing() {
    let mut h = Harness::new();
    let socket = h.connect_v4();
    h.take_events();
    h.take_actions();
    for frame in ["6", "5", "3", "3probe", r#"40{"sid":"again"}"#] {
        h.message(socket, frame);
    }
    assert!(h.take_events().is_empty());
    assert!(h.take_actions().is_empty());
    assert_eq!(h.client.poll_timeout(), Some(45_000));
}

// ---------------------------------------------------------------- properties

/// One thing that can happen to the client.
#[derive(Debug, Clone)]
enum Input {
    Connect,
    Disconnect,
    Opened,
    Message(String),
    Binary,
    Closed(u16),
    Advance(u64),
    Online,
    Offline,
    Emit(bool),
}

fn frame() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(OPEN_V4.to_string()),
        Just(OPEN_V3.to_string()),
        Just("40".to_string()),
        Just(r#"40{"sid":"s"}"#.to_string()),
        Just("41".to_string()),
        Just("2".to_string()),
        Just("3".to_string()),
        Just("1".to_string()),
        Just(r#"42["m",{}]"#.to_string()),
        Just(r#"430["ok"]"#.to_string()),
        Just(r#"44"no""#.to_string()),
        Just(r#"451-["b",{"_placeholder":true,"num":0}]"#.to_string()),
        ".{0,40}",
        "[0-6]{1,2}.{0,20}",
    ]
}

fn input() -> impl Strategy<Value = Input> {
    prop_oneof![
        1 => Just(Input::Connect),
        1 => Just(Input::Disconnect),
        2 => Just(Input::Opened),
        6 => frame().prop_map(Input::Message),
        1 => Just(Input::Binary),
        2 => (1000u16..5000).prop_map(Input::Closed),
        3 => (0u64..60_000).prop_map(Input::Advance),
        1 => Just(Input::Online),
        1 => Just(Input::Offline),
        1 => any::<bool>().prop_map(Input::Emit),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 500, ..ProptestConfig::default() })]

    /// Any sequence of inputs, in every version mode: no panic, never two
    /// sockets open at once, frames only on the open socket, and a timer
    /// exactly when the client is waiting for something.
    #[test]
    fn never_two_sockets_at_once(
        inputs in proptest::collection::vec(input(), 1..80),
        mode in 0u8..3,
    ) {
        let eio = match mode {
            0 => None,
            1 => Some(EioVersion::V3),
            _ => Some(EioVersion::V4),
        };
        let mut h = Harness::with_eio(eio);
        let mut open: Option<SocketId> = None;
        let mut last: SocketId = 0;
        for input in inputs {
            // Most inputs go to the open socket, some to the previous one.
            let socket = open.unwrap_or(last);
            match input {
                Input::Connect => h.client.connect(h.now),
                Input::Disconnect => h.client.disconnect(),
                Input::Opened => h.client.socket_opened(h.now, socket),
                Input::Message(text) => h.client.socket_message(h.now, socket, &text),
                Input::Binary => h.client.socket_binary(h.now, socket),
                Input::Closed(code) => {
                    h.client.socket_closed(h.now, socket, code, "");
                    // The browser forgets a socket once it reported its close.
                    if open == Some(socket) { open = None; }
                }
                Input::Advance(ms) => h.advance(ms),
                Input::Online => h.client.network_online(h.now),
                Input::Offline => h.client.network_offline(h.now),
                Input::Emit(ack) => { let _ = h.emit("e", "{}", ack); }
            }
            for action in h.take_actions() {
                match action {
                    Action::Open { socket, url } => {
                        prop_assert!(open.is_none(), "opened {socket} while {open:?} is open");
                        if let Some(v) = eio {
                            let expected = format!("EIO={}&", v.query_value());
                            prop_assert!(url.contains(&expected));
                        }
                        open = Some(socket);
                        last = socket;
                    }
                    Action::Close { socket, .. } => {
                        prop_assert_eq!(open, Some(socket));
                        open = None;
                    }
                    Action::Send { socket, .. } => prop_assert_eq!(open, Some(socket)),
                }
            }
            match h.client.state() {
                State::Disconnected => {
                    prop_assert_eq!(h.client.poll_timeout(), None);
                    prop_assert!(open.is_none());
                }
                State::Connecting | State::Connected => {
                    prop_assert!(h.client.poll_timeout().is_some());
                }
            }
        }
    }

    /// Arbitrary text frames never panic, in any phase of the handshake.
    #[test]
    fn arbitrary_frames_never_panic(
        frames in proptest::collection::vec(".{0,200}", 1..20),
        stage in 0u8..3,
        v3 in any::<bool>(),
    ) {
        let mut h = Harness::with_eio(Some(if v3 { EioVersion::V3 } else { EioVersion::V4 }));
        h.client.connect(0);
        let (socket, _) = h.pending_open();
        if stage >= 1 {
            h.message(socket, if v3 { OPEN_V3 } else { OPEN_V4 });
        }
        if stage >= 2 {
            h.message(socket, if v3 { "40" } else { r#"40{"sid":"s"}"# });
        }
        for frame in frames {
            h.client.socket_message(h.now, socket, &frame);
            h.drain();
        }
    }

    /// The codecs never panic, and whatever decodes re-encodes to something
    /// that decodes to the same packet.
    #[test]
    fn codecs_never_panic_and_decoded_packets_reencode(text in "[0-6]{0,2}(/[a-z]{0,3},)?[0-9]{0,3}.{0,60}") {
        let _ = decode_engine(&text);
        let _ = decode_handshake(&text);
        if let Ok(packet) = decode_packet(&text) {
            for version in [EioVersion::V3, EioVersion::V4] {
                let again = encode_packet(&packet, version);
                prop_assert_eq!(decode_packet(&again), Ok(packet.clone()), "{}", again);
            }
        }
    }

    /// Valid events with arbitrary names and JSON arguments round trip.
    #[test]
    fn arbitrary_events_round_trip(
        name in ".{1,20}",
        args in proptest::collection::vec(arb_json(), 0..4),
        id in proptest::option::of(any::<u64>()),
        ns in prop_oneof![Just("/".to_string()), "/[a-z]{1,8}"],
    ) {
        let packet = Packet {
            namespace: ns,
            kind: PacketKind::Event { id, name, args },
        };
        let text = encode_packet(&packet, EioVersion::V4);
        prop_assert_eq!(decode_packet(&text), Ok(packet));
    }
}

fn arb_json() -> impl Strategy<Value = serde_json::Value> {
    let leaf = prop_oneof![
        Just(serde_json::Value::Null),
        any::<bool>().prop_map(serde_json::Value::Bool),
        any::<i64>().prop_map(|n| serde_json::json!(n)),
        ".{0,10}".prop_map(serde_json::Value::String),
    ];
    leaf.prop_recursive(3, 24, 6, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..5).prop_map(serde_json::Value::Array),
            proptest::collection::btree_map("[a-z]{1,6}", inner, 0..5)
                .prop_map(|m| serde_json::Value::Object(m.into_iter().collect())),
        ]
    })
}
