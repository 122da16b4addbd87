//! Fuzzing of both wire codecs and both client state machines, natively.
//!
//! Three kinds of input reach the Centrifuge codec (`split_frame`,
//! `read_reply`), the Socket.IO codec (`decode_engine`, `decode_packet`,
//! `decode_handshake`) and the two client state machines (the Centrifuge
//! client reading frames as the package does, through the scanner), with the
//! serde_json test engine standing in for the browser's `JSON.parse`:
//! arbitrary bytes (lossy UTF-8), arbitrary JSON, and structure-aware
//! mutations of valid frames (byte edits, truncation, splicing, and JSON edits
//! that swap a value for another of any type, drop or add a key). The property
//! is always the same: no panic (a panic aborts the wasm module in the
//! browser), and what the client does in answer is sound (a protocol error
//! closes the socket, every frame it sends can be read back).
//!
//! `FUZZ_CASES` sets the number of cases per property (default 200, so
//! `cargo test` stays quick); each case feeds one or more inputs, and every
//! property prints `fuzz <name>: <cases> cases, <inputs> inputs` to stderr
//! (visible with `-- --nocapture`). proptest is used as a random generator
//! with shrinking; cargo-fuzz would need a nightly toolchain.
#![cfg(not(target_arch = "wasm32"))]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)] // tests may panic

use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use serde_json::{json, Map, Value};
use std::cell::Cell;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::time::Instant;
use twin_panel::protocol::centrifuge::codec::{read_reply, split_frame, ProtocolError, Reply};
use twin_panel::protocol::centrifuge::scan::{Scanner, Table};
use twin_panel::protocol::centrifuge::{self, CentrifugeClient};
use twin_panel::protocol::socketio::codec::{self as sio_codec, decode_engine, EnginePacket};
use twin_panel::protocol::socketio::{self, EioVersion, SocketIoClient};
use twin_panel::protocol::SansIoClient;
use twin_panel::protocol::{JsonEngine, JsonError};

#[path = "../src/protocol/test_json.rs"]
mod test_json;
use test_json::SerdeJson;

// ---------------------------------------------------------------------------
// Runner

fn cases() -> u32 {
    std::env::var("FUZZ_CASES")
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .filter(|&n: &u32| n > 0)
        .unwrap_or(200)
}

/// Runs `test` over `cases()` values of `strategy`; `test` adds the number of
/// inputs it fed to the counter it is given. Panics (the failure) with the
/// shrunk input when the property breaks.
fn fuzz<S: Strategy>(
    name: &str,
    strategy: S,
    test: impl Fn(S::Value, &Cell<u64>) -> Result<(), TestCaseError>,
) {
    let config = Config {
        cases: cases(),
        // Nothing is written next to the sources; a failure prints its input.
        failure_persistence: None,
        max_shrink_iters: 2_000,
        ..Config::default()
    };
    let inputs = Cell::new(0u64);
    let started = Instant::now();
    let mut runner = TestRunner::new(config.clone());
    if let Err(failure) = runner.run(&strategy, |value| test(value, &inputs)) {
        panic!("fuzz {name}: {failure}");
    }
    eprintln!(
        "fuzz {name}: {} cases, {} inputs, {} ms",
        config.cases,
        inputs.get(),
        started.elapsed().as_millis()
    );
}

// ---------------------------------------------------------------------------
// Generators shared by both protocols

/// Raw bytes, some uniformly random, some from a JSON-ish alphabet so that
/// the parsers get past their first byte more often.
fn arb_bytes() -> impl Strategy<Value = Vec<u8>> {
    const ALPHABET: &[u8] = b"{}[]\":,0123456789-+.eE tfnrulas\\/\n\r\t\x00\xff\xc3\xa9";
    prop_oneof![
        proptest::collection::vec(any::<u8>(), 0..300),
        proptest::collection::vec(proptest::sample::select(ALPHABET), 0..300),
    ]
}

/// Keys both protocols look for, so generated objects hit real fields.
const KEYS: &[&str] = &[
    "id",
    "push",
    "pub",
    "channel",
    "data",
    "offset",
    "connect",
    "error",
    "code",
    "message",
    "reason",
    "temporary",
    "client",
    "version",
    "subs",
    "ping",
    "pong",
    "epoch",
    "recoverable",
    "positioned",
    "recovered",
    "was_recovering",
    "publications",
    "subscribe",
    "unsubscribe",
    "disconnect",
    "event",
    "seq",
    "sid",
    "upgrades",
    "pingInterval",
    "pingTimeout",
    "maxPayload",
    "__proto__",
    "_placeholder",
    "num",
    "tags",
    "info",
];

fn arb_number() -> impl Strategy<Value = Value> {
    prop_oneof![
        any::<u64>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        (0u64..10).prop_map(Value::from),
        Just(json!(u64::MAX)),
        Just(json!(u32::MAX as u64 + 1)),
        Just(json!(-1)),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(Value::from),
        Just(json!(1.5)),
    ]
}

fn arb_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        arb_number(),
        ".{0,12}".prop_map(Value::String),
        proptest::sample::select(KEYS).prop_map(|k| Value::String(k.to_string())),
    ];
    leaf.prop_recursive(4, 32, 6, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
            proptest::collection::vec((arb_key(), inner), 0..6)
                .prop_map(|pairs| Value::Object(pairs.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

fn arb_key() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => proptest::sample::select(KEYS).prop_map(str::to_string),
        1 => "[a-z_]{0,8}",
    ]
}

/// One edit of a frame. Positions are taken modulo the frame's length.
#[derive(Debug, Clone)]
enum Mutation {
    /// Cut the frame at a position.
    Truncate(usize),
    /// Replace one byte.
    SetByte(usize, u8),
    /// Insert bytes.
    Insert(usize, Vec<u8>),
    /// Remove a span.
    Remove(usize, usize),
    /// Repeat a span.
    Duplicate(usize, usize),
    /// Append the tail of another valid frame.
    Splice(usize, usize),
    /// Swap the n-th JSON value for another value of any type.
    ReplaceValue(usize, Value),
    /// Drop the n-th JSON value from its parent.
    RemoveValue(usize),
    /// Add a key to the n-th JSON object.
    AddKey(usize, String, Value),
    /// Turn a number into a string and back, a string into a number.
    FlipType(usize),
}

fn arb_mutation() -> impl Strategy<Value = Mutation> {
    let pos = any::<usize>();
    prop_oneof![
        1 => pos.prop_map(Mutation::Truncate),
        2 => (pos, any::<u8>()).prop_map(|(p, b)| Mutation::SetByte(p, b)),
        2 => (pos, arb_bytes()).prop_map(|(p, b)| Mutation::Insert(p, b)),
        1 => (pos, 0usize..16).prop_map(|(p, n)| Mutation::Remove(p, n)),
        1 => (pos, 0usize..32).prop_map(|(p, n)| Mutation::Duplicate(p, n)),
        1 => (any::<usize>(), pos).prop_map(|(f, p)| Mutation::Splice(f, p)),
        4 => (pos, arb_json()).prop_map(|(p, v)| Mutation::ReplaceValue(p, v)),
        2 => pos.prop_map(Mutation::RemoveValue),
        2 => (pos, arb_key(), arb_json()).prop_map(|(p, k, v)| Mutation::AddKey(p, k, v)),
        2 => pos.prop_map(Mutation::FlipType),
    ]
}

/// JSON pointers of every value in `v`, depth first.
fn pointers(v: &Value, here: String, out: &mut Vec<String>) {
    out.push(here.clone());
    match v {
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                pointers(item, format!("{here}/{i}"), out);
            }
        }
        Value::Object(map) => {
            for (k, item) in map {
                let k = k.replace('~', "~0").replace('/', "~1");
                pointers(item, format!("{here}/{k}"), out);
            }
        }
        _ => {}
    }
}

/// Applies a JSON edit to `text` when it is JSON (after `prefix` bytes, for
/// Socket.IO's type digits); byte edits apply to anything.
fn mutate(text: &str, prefix: usize, m: &Mutation, corpus: &[&str]) -> String {
    let mut bytes = text.as_bytes().to_vec();
    let at = |p: usize, len: usize| if len == 0 { 0 } else { p % (len + 1) };
    match m {
        Mutation::Truncate(p) => bytes.truncate(at(*p, bytes.len())),
        Mutation::SetByte(p, b) => {
            if !bytes.is_empty() {
                let i = p % bytes.len();
                bytes[i] = *b;
            }
        }
        Mutation::Insert(p, ins) => {
            let i = at(*p, bytes.len());
            bytes.splice(i..i, ins.iter().copied());
        }
        Mutation::Remove(p, n) => {
            let i = at(*p, bytes.len());
            let end = (i + n).min(bytes.len());
            bytes.drain(i..end);
        }
        Mutation::Duplicate(p, n) => {
            let i = at(*p, bytes.len());
            let end = (i + n).min(bytes.len());
            let span = bytes[i..end].to_vec();
            bytes.splice(end..end, span);
        }
        Mutation::Splice(f, p) => {
            let other = corpus[f % corpus.len()].as_bytes();
            let i = at(*p, other.len());
            bytes.extend_from_slice(&other[i..]);
        }
        Mutation::ReplaceValue(n, _)
        | Mutation::RemoveValue(n)
        | Mutation::AddKey(n, _, _)
        | Mutation::FlipType(n) => {
            let head = text.get(..prefix.min(text.len())).unwrap_or("");
            let Ok(mut value) = serde_json::from_str::<Value>(text.get(head.len()..).unwrap_or(""))
            else {
                return text.to_string();
            };
            edit_json(&mut value, *n, m);
            return format!("{head}{value}");
        }
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

fn edit_json(value: &mut Value, n: usize, m: &Mutation) {
    let mut all = Vec::new();
    pointers(value, String::new(), &mut all);
    let target = all[n % all.len()].clone();
    match m {
        Mutation::ReplaceValue(_, replacement) => {
            if let Some(slot) = value.pointer_mut(&target) {
                *slot = replacement.clone();
            }
        }
        Mutation::RemoveValue(_) => {
            let Some(cut) = target.rfind('/') else {
                *value = Value::Null;
                return;
            };
            let key = target[cut + 1..].replace("~1", "/").replace("~0", "~");
            match value.pointer_mut(&target[..cut]) {
                Some(Value::Object(map)) => {
                    map.remove(&key);
                }
                Some(Value::Array(items)) => {
                    if let Ok(i) = key.parse::<usize>() {
                        if i < items.len() {
                            items.remove(i);
                        }
                    }
                }
                _ => {}
            }
        }
        Mutation::AddKey(_, key, v) => {
            if let Some(Value::Object(map)) = value.pointer_mut(&target) {
                map.insert(key.clone(), v.clone());
            }
        }
        Mutation::FlipType(_) => {
            if let Some(slot) = value.pointer_mut(&target) {
                *slot = match slot.take() {
                    Value::Number(n) => Value::String(n.to_string()),
                    Value::String(s) => s
                        .parse::<u64>()
                        .map(Value::from)
                        .unwrap_or(Value::from(s.len())),
                    Value::Bool(b) => Value::from(u8::from(b)),
                    Value::Null => Value::from(0),
                    Value::Array(items) => Value::Object(
                        items
                            .into_iter()
                            .enumerate()
                            .map(|(i, v)| (i.to_string(), v))
                            .collect(),
                    ),
                    Value::Object(map) => Value::Array(map.into_iter().map(|(_, v)| v).collect()),
                };
            }
        }
        _ => {}
    }
}

/// A valid frame from `corpus` after a few mutations.
fn arb_mutated(corpus: &'static [&'static str], prefix: usize) -> impl Strategy<Value = String> {
    (
        proptest::sample::select(corpus),
        proptest::collection::vec(arb_mutation(), 1..5),
    )
        .prop_map(move |(frame, mutations)| {
            mutations.iter().fold(frame.to_string(), |text, m| {
                mutate(&text, prefix, m, corpus)
            })
        })
}

fn lossy(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

// ---------------------------------------------------------------------------
// Centrifuge

const CHANNEL: &str = "operator:389";

/// How deep the state machine fuzzing gets: payloads handed to the
/// application and frames refused, over every case (printed, not asserted).
static CENTRIFUGE_DELIVERED: AtomicU64 = AtomicU64::new(0);
static CENTRIFUGE_REFUSED: AtomicU64 = AtomicU64::new(0);
static SOCKETIO_DELIVERED: AtomicU64 = AtomicU64::new(0);
static SOCKETIO_REFUSED: AtomicU64 = AtomicU64::new(0);
static SOCKETIO_ACKED: AtomicU64 = AtomicU64::new(0);

/// Replies and pushes as a Centrifuge v0.40 node sends them to the panel.
const CENTRIFUGE_FRAMES: &[&str] = &[
    "{}",
    r#"{"id":1,"connect":{"client":"6f1c","version":"0.40.1","subs":{"operator:389":{"recoverable":true,"positioned":true,"epoch":"xRtq","offset":3}},"ping":25,"pong":true}}"#,
    r#"{"id":1,"connect":{"client":"6f1c","version":"0.40.1","subs":{"operator:389":{"recoverable":true,"positioned":true,"epoch":"xRtq","offset":5,"recovered":true,"was_recovering":true,"publications":[{"data":{"event":"chatMessageCreated","data":{"seq":4}},"offset":4},{"data":{"event":"typing","data":{"sessionId":"s"}},"offset":5}]}},"ping":25,"pong":true}}"#,
    r#"{"id":1,"connect":{"client":"6f1c","version":"0.40.1","subs":{"operator:389":{"recoverable":true,"positioned":true,"epoch":"new","offset":0,"was_recovering":true}},"ping":2,"pong":true}}"#,
    r#"{"id":1,"error":{"code":109,"message":"token expired"}}"#,
    r#"{"id":1,"error":{"code":100,"message":"internal server error","temporary":true}}"#,
    r#"{"push":{"channel":"operator:389","pub":{"data":{"event":"chatMessageCreated","data":{"seq":4,"id":"3e550000-0000-4000-8000-000000000009","sessionId":"5e550000-0000-4000-8000-000000000001","authorType":"CLIENT","type":"REGULAR","body":"Здравствуйте!","createdAt":"2026-11-24T10:00:00+00:00"}},"offset":4}}}"#,
    r#"{"push":{"channel":"operator:389","pub":{"data":{"event":"chatSessionStarted","data":{"id":"s","operatorId":"389","messages":[]}},"offset":5,"tags":{"k":"v"}}}}"#,
    r#"{"push":{"channel":"operator:389","pub":{"data":{"event":"typing","data":{}}}}}"#,
    r#"{"push":{"channel":"operator:389","pub":{"data":null,"offset":6}}}"#,
    r#"{"push":{"disconnect":{"code":3501,"reason":"bad request"}}}"#,
    r#"{"push":{"disconnect":{"code":4503,"reason":"operator blocked"}}}"#,
    r#"{"push":{"channel":"operator:389","unsubscribe":{"code":2000,"reason":"server unsubscribe"}}}"#,
    r#"{"push":{"channel":"extra:1","subscribe":{"recoverable":true,"positioned":true,"epoch":"e2","offset":0}}}"#,
    r#"{"push":{"message":{"data":{"note":"hello"}}}}"#,
    r#"{"push":{"channel":"operator:389","join":{"info":{"user":"389","client":"c"}}}}"#,
    r#"{"id":2,"refresh":{"client":"6f1c","version":"0.40.1","expires":true,"ttl":60}}"#,
    "{}\n{\"push\":{\"channel\":\"operator:389\",\"pub\":{\"data\":{\"event\":\"chatMessageRead\",\"data\":{\"messageId\":\"m\"}},\"offset\":7}}}",
];

/// Parses and reads one reply line.
fn decode_reply(line: &str) -> Result<Reply<Value>, ProtocolError> {
    read_reply(&SerdeJson, SerdeJson.parse(line)?)
}

/// Decodes every line of `text` the way the client does.
fn centrifuge_decode(text: &str, inputs: &Cell<u64>) {
    for line in split_frame(text) {
        inputs.set(inputs.get() + 1);
        let _ = decode_reply(line);
    }
    inputs.set(inputs.get() + 1);
    let _ = decode_reply(text);
}

/// Where the state machine is when the fuzzed frames arrive.
#[derive(Debug, Clone, Copy)]
enum CentrifugeStage {
    /// The socket is open, the connect command is sent, no reply yet.
    Handshaking,
    /// Connected, publications flow.
    Live,
    /// Connected after a recovery (positions known).
    Recovered,
}

struct CentrifugeHarness {
    client: CentrifugeClient<SerdeJson>,
    /// Frames take the package's path: the scanner (the reference of
    /// `scanFrame` in `js/panel.js`), then `socket_scanned`.
    scanner: Scanner,
    table: Table,
    now: u64,
    open: Option<centrifuge::SocketId>,
    /// Id of the last `connect` command sent, to answer it.
    connect_id: Option<u64>,
    /// Answer every reconnect with a connect reply, so later frames reach a
    /// live connection again (otherwise they land in the handshake).
    rehandshake: bool,
}

/// The connect reply after a reconnect: recovery succeeded at offset 5.
const CENTRIFUGE_RECOVERED_REPLY: &str = r#"{"client":"6f1d","version":"0.40.1","subs":{"operator:389":{"recoverable":true,"positioned":true,"epoch":"xRtq","offset":5,"recovered":true,"was_recovering":true}},"ping":25,"pong":true}"#;

impl CentrifugeHarness {
    fn new(stage: CentrifugeStage, rehandshake: bool) -> Result<Self, TestCaseError> {
        let mut client = CentrifugeClient::new(
            SerdeJson,
            centrifuge::ClientConfig::new("ws://127.0.0.1/centrifugo/connection/websocket"),
            7,
        );
        client.set_token(0, "jwt".into());
        client.connect(0);
        let mut h = CentrifugeHarness {
            client,
            scanner: Scanner::default(),
            table: Table::default(),
            now: 0,
            open: None,
            connect_id: None,
            rehandshake,
        };
        h.check()?;
        let socket = h
            .open
            .ok_or_else(|| TestCaseError::fail("no socket opened"))?;
        h.client.socket_opened(0, socket);
        h.check()?;
        let reply = match stage {
            CentrifugeStage::Handshaking => return Ok(h),
            CentrifugeStage::Live => CENTRIFUGE_FRAMES[1],
            CentrifugeStage::Recovered => CENTRIFUGE_FRAMES[2],
        };
        h.message(socket, reply);
        h.check()?;
        prop_assert_eq!(h.client.state(), centrifuge::State::Connected);
        Ok(h)
    }

    /// Hands a text frame to the client as the package does.
    fn message(&mut self, socket: centrifuge::SocketId, text: &str) {
        let scanned = self.scanner.scan(&SerdeJson, text);
        self.table.learn(self.scanner.take_fresh());
        let lines = self.table.decode(&scanned.records[1..]);
        let payloads = Value::Array(scanned.payloads);
        self.client
            .socket_scanned(self.now, socket, &lines, &payloads, scanned.others);
    }

    /// Drains actions and events, checking what the browser glue relies on.
    fn check(&mut self) -> Result<(), TestCaseError> {
        let mut closed = false;
        while let Some(action) = self.client.poll_action() {
            match action {
                centrifuge::Action::Open { socket, .. } => {
                    prop_assert!(self.open.is_none(), "a second socket opened");
                    self.open = Some(socket);
                }
                centrifuge::Action::Close { socket, .. } => {
                    prop_assert_eq!(self.open, Some(socket), "closed a socket that is not open");
                    self.open = None;
                    closed = true;
                }
                centrifuge::Action::Send { socket, text } => {
                    prop_assert_eq!(self.open, Some(socket), "sent on a socket that is not open");
                    let frame = serde_json::from_str::<Value>(&text);
                    prop_assert!(frame.is_ok(), "sent a frame that is not JSON");
                    if let Ok(frame) = frame {
                        if frame.get("connect").is_some() {
                            self.connect_id = frame.get("id").and_then(Value::as_u64);
                        }
                    }
                }
                centrifuge::Action::Host(_) => {
                    self.client.set_token(self.now, "jwt-2".into());
                }
            }
        }
        while let Some(event) = self.client.poll_event() {
            match event {
                centrifuge::ClientEvent::Publications(run) => {
                    // The payloads stay the engine's values, handed to JS as
                    // they are; every item points at one of them.
                    let payloads = run.payloads.as_array().map_or(0, Vec::len);
                    for item in &run.items {
                        prop_assert!(
                            (item.index as usize) < payloads,
                            "an item past the payloads"
                        );
                    }
                    CENTRIFUGE_DELIVERED.fetch_add(run.items.len() as u64, Relaxed);
                }
                centrifuge::ClientEvent::Error {
                    kind: twin_panel::error_code::ErrorCode::Protocol,
                    ..
                } => {
                    // An unreadable frame ends the connection (then a reconnect).
                    prop_assert!(closed, "a protocol error left the socket open");
                    CENTRIFUGE_REFUSED.fetch_add(1, Relaxed);
                }
                _ => {}
            }
        }
        Ok(())
    }

    fn feed(&mut self, text: &str, inputs: &Cell<u64>) -> Result<(), TestCaseError> {
        inputs.set(inputs.get() + 1);
        if let Some(socket) = self.open {
            self.message(socket, text);
        }
        self.check()?;
        // A reconnect that was scheduled opens a new socket; answer it so
        // later frames reach a live connection again.
        self.now += 1;
        if let Some(deadline) = self.client.poll_timeout() {
            if deadline <= self.now + 60_000 && self.open.is_none() {
                self.now = self.now.max(deadline);
                self.client.handle_timeout(self.now);
                self.check()?;
                if let Some(socket) = self.open {
                    self.client.socket_opened(self.now, socket);
                    self.check()?;
                    if let (true, Some(id)) = (self.rehandshake, self.connect_id) {
                        let reply =
                            format!(r#"{{"id":{id},"connect":{CENTRIFUGE_RECOVERED_REPLY}}}"#);
                        self.message(socket, &reply);
                        self.check()?;
                    }
                }
            }
        }
        Ok(())
    }
}

fn centrifuge_stage() -> impl Strategy<Value = CentrifugeStage> {
    prop_oneof![
        Just(CentrifugeStage::Handshaking),
        Just(CentrifugeStage::Live),
        Just(CentrifugeStage::Recovered),
    ]
}

/// A frame for the state machine: valid, mutated, JSON or bytes.
fn centrifuge_frame() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => proptest::sample::select(CENTRIFUGE_FRAMES).prop_map(str::to_string),
        2 => (1u64..12).prop_map(|offset| format!(
            r#"{{"push":{{"channel":"{CHANNEL}","pub":{{"data":{{"event":"chatMessageCreated","data":{{"seq":{offset}}}}},"offset":{offset}}}}}}}"#
        )),
        4 => arb_mutated(CENTRIFUGE_FRAMES, 0),
        1 => arb_json().prop_map(|v| v.to_string()),
        1 => arb_bytes().prop_map(|b| lossy(&b)),
    ]
}

#[test]
fn centrifuge_codec_arbitrary_bytes() {
    fuzz("centrifuge codec, bytes", arb_bytes(), |bytes, inputs| {
        centrifuge_decode(&lossy(&bytes), inputs);
        Ok(())
    });
}

#[test]
fn centrifuge_codec_arbitrary_json() {
    let envelopes = prop_oneof![
        Just("{}"),
        Just(r#"{"push":{}}"#),
        Just(r#"{"id":1,"connect":{}}"#),
        Just(r#"{"push":{"channel":"operator:389","pub":{}}}"#),
        Just(r#"{"id":1,"connect":{"client":"c","subs":{"operator:389":{}}}}"#),
    ];
    fuzz(
        "centrifuge codec, JSON",
        (arb_json(), envelopes, any::<usize>()),
        |(value, envelope, n), inputs| {
            centrifuge_decode(&value.to_string(), inputs);
            // The same value placed at a random spot of a valid envelope.
            let mut frame: Value = serde_json::from_str(envelope).unwrap();
            edit_json(&mut frame, n, &Mutation::ReplaceValue(0, value));
            centrifuge_decode(&frame.to_string(), inputs);
            Ok(())
        },
    );
}

#[test]
fn centrifuge_codec_mutated_frames() {
    fuzz(
        "centrifuge codec, mutated frames",
        arb_mutated(CENTRIFUGE_FRAMES, 0),
        |text, inputs| {
            centrifuge_decode(&text, inputs);
            Ok(())
        },
    );
}

#[test]
fn centrifuge_client_socket_message() {
    fuzz(
        "centrifuge client, socket_message",
        (
            centrifuge_stage(),
            any::<bool>(),
            proptest::collection::vec(centrifuge_frame(), 1..24),
        ),
        |(stage, rehandshake, frames), inputs| {
            let mut h = CentrifugeHarness::new(stage, rehandshake)?;
            for frame in &frames {
                h.feed(frame, inputs)?;
            }
            // Several frames in one WebSocket message, as the server batches them.
            h.feed(&frames.join("\n"), inputs)?;
            Ok(())
        },
    );
    eprintln!(
        "fuzz centrifuge client reached: {} publications delivered, {} frames refused",
        CENTRIFUGE_DELIVERED.load(Relaxed),
        CENTRIFUGE_REFUSED.load(Relaxed)
    );
}

// ---------------------------------------------------------------------------
// Socket.IO

const OPEN_V4: &str =
    r#"0{"sid":"abc","upgrades":[],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000}"#;
const OPEN_V3: &str =
    r#"0{"sid":"e3","upgrades":["websocket"],"pingInterval":25000,"pingTimeout":5000}"#;

/// Engine.IO frames (type digit + Socket.IO packet) as v3 and v4 servers send them.
const SOCKETIO_FRAMES: &[&str] = &[
    OPEN_V4,
    OPEN_V3,
    "2",
    "3",
    "2probe",
    "1",
    "6",
    "40",
    r#"40{"sid":"s-1"}"#,
    r#"40/widget,{"sid":"s-2"}"#,
    r#"42["chatMessageCreatedEmit",{"id":"m1","sessionId":"s","body":"Здравствуйте","authorType":"OPERATOR","createdAt":"2026-11-24T10:00:00+00:00"}]"#,
    r#"42["showTypingIndicatorEmit"]"#,
    r#"42["chatMessageReadEmit",{"messageId":"m1"},{"extra":[1,2,3]}]"#,
    r#"42/widget,7["operatorChanged",{"operatorId":"389","name":"Первый"}]"#,
    r#"431["ok"]"#,
    r#"43/widget,12[{"x":null}]"#,
    r#"44{"message":"Not authorized"}"#,
    r#"44"refused""#,
    "41",
    "41/widget,",
    r#"451-["upload",{"_placeholder":true,"num":0}]"#,
    r#"461-/widget,3[{"_placeholder":true,"num":0}]"#,
];

fn decode_packet(text: &str) -> Result<sio_codec::Packet<Value>, sio_codec::ProtocolError> {
    sio_codec::decode_packet(&SerdeJson, text)
}

fn decode_handshake(text: &str) -> Result<sio_codec::Handshake, sio_codec::ProtocolError> {
    sio_codec::decode_handshake(&SerdeJson, text)
}

fn socketio_decode(text: &str, inputs: &Cell<u64>) {
    inputs.set(inputs.get() + 3);
    let _ = decode_engine(text);
    let _ = decode_packet(text);
    let _ = decode_handshake(text);
    if let Some(rest) = text.get(1..) {
        inputs.set(inputs.get() + 2);
        let _ = decode_packet(rest);
        let _ = decode_handshake(rest);
    }
}

#[derive(Debug, Clone, Copy)]
enum SocketIoStage {
    /// The socket is open; the Engine.IO open packet has not come.
    Opening,
    /// Engine.IO is open; the namespace CONNECT has not been answered.
    Handshaking,
    /// The namespace is connected.
    Live,
}

struct SocketIoHarness {
    client: SocketIoClient<SerdeJson>,
    now: u64,
    open: Option<socketio::SocketId>,
    v3: bool,
    /// Answer every reconnect with the open and connect packets, so later
    /// frames reach a connected namespace again.
    rehandshake: bool,
}

impl SocketIoHarness {
    fn new(stage: SocketIoStage, v3: bool, rehandshake: bool) -> Result<Self, TestCaseError> {
        let mut config = socketio::ClientConfig::new("ws://127.0.0.1");
        config.query.push(("sessionId".into(), "s-1".into()));
        config.eio = Some(if v3 { EioVersion::V3 } else { EioVersion::V4 });
        let mut h = SocketIoHarness {
            client: SocketIoClient::new(SerdeJson, config, 7),
            now: 0,
            open: None,
            v3,
            rehandshake,
        };
        h.client.connect(0);
        h.check()?;
        let socket = h
            .open
            .ok_or_else(|| TestCaseError::fail("no socket opened"))?;
        h.client.socket_opened(0, socket);
        if matches!(stage, SocketIoStage::Opening) {
            return Ok(h);
        }
        h.client
            .socket_message(0, socket, if v3 { OPEN_V3 } else { OPEN_V4 });
        h.check()?;
        if matches!(stage, SocketIoStage::Handshaking) {
            return Ok(h);
        }
        h.client
            .socket_message(0, socket, if v3 { "40" } else { r#"40{"sid":"s"}"# });
        h.check()?;
        prop_assert_eq!(h.client.state(), socketio::State::Connected);
        Ok(h)
    }

    fn check(&mut self) -> Result<(), TestCaseError> {
        while let Some(action) = self.client.poll_action() {
            match action {
                socketio::Action::Open { socket, .. } => {
                    prop_assert!(self.open.is_none(), "a second socket opened");
                    self.open = Some(socket);
                }
                socketio::Action::Close { socket, .. } => {
                    prop_assert_eq!(self.open, Some(socket), "closed a socket that is not open");
                    self.open = None;
                }
                socketio::Action::Send { socket, text } => {
                    prop_assert_eq!(self.open, Some(socket), "sent on a socket that is not open");
                    // Whatever the client writes, a server can read back.
                    match decode_engine(&text) {
                        Ok(EnginePacket::Message(data)) => {
                            prop_assert!(
                                decode_packet(data).is_ok(),
                                "sent an unreadable packet: {}",
                                text
                            );
                        }
                        Ok(_) => {}
                        Err(_) => prop_assert!(false, "sent an unreadable frame: {}", text),
                    }
                }
            }
        }
        while let Some(event) = self.client.poll_event() {
            match event {
                socketio::ClientEvent::Message { .. } => {
                    // The arguments are the engine's values, handed to JS as they are.
                    SOCKETIO_DELIVERED.fetch_add(1, Relaxed);
                }
                socketio::ClientEvent::Error {
                    kind: twin_panel::error_code::ErrorCode::Protocol,
                    ..
                } => {
                    SOCKETIO_REFUSED.fetch_add(1, Relaxed);
                }
                socketio::ClientEvent::Ack { .. } => {
                    SOCKETIO_ACKED.fetch_add(1, Relaxed);
                }
                _ => {}
            }
        }
        Ok(())
    }

    fn feed(&mut self, text: &str, inputs: &Cell<u64>) -> Result<(), TestCaseError> {
        inputs.set(inputs.get() + 1);
        if let Some(socket) = self.open {
            self.client.socket_message(self.now, socket, text);
        }
        self.check()?;
        self.now += 1;
        if let Some(deadline) = self.client.poll_timeout() {
            if deadline <= self.now + 60_000 && self.open.is_none() {
                self.now = self.now.max(deadline);
                self.client.handle_timeout(self.now);
                self.check()?;
                if let Some(socket) = self.open {
                    self.client.socket_opened(self.now, socket);
                    if self.rehandshake {
                        let (open, connect) = if self.v3 {
                            (OPEN_V3, "40")
                        } else {
                            (OPEN_V4, r#"40{"sid":"s"}"#)
                        };
                        self.client.socket_message(self.now, socket, open);
                        self.check()?;
                        if let Some(socket) = self.open {
                            self.client.socket_message(self.now, socket, connect);
                        }
                        self.check()?;
                    }
                }
            }
        }
        Ok(())
    }
}

fn socketio_stage() -> impl Strategy<Value = SocketIoStage> {
    prop_oneof![
        Just(SocketIoStage::Opening),
        Just(SocketIoStage::Handshaking),
        Just(SocketIoStage::Live),
    ]
}

fn socketio_frame() -> impl Strategy<Value = String> {
    const EVENTS: &[&str] = &[
        "chatMessageCreatedEmit",
        "showTypingIndicatorEmit",
        "chatMessageReadEmit",
        "operatorChanged",
        "operatorStatusChanged",
        "operatorLoggedOut",
    ];
    prop_oneof![
        3 => proptest::sample::select(SOCKETIO_FRAMES).prop_map(str::to_string),
        // Valid events with any JSON argument, so deliveries happen often.
        3 => (proptest::sample::select(EVENTS), arb_json())
            .prop_map(|(name, arg)| format!("42[{},{arg}]", json!(name))),
        // Mutations keep the type digits and edit the JSON after them.
        2 => arb_mutated(SOCKETIO_FRAMES, 2),
        2 => arb_mutated(SOCKETIO_FRAMES, 0),
        1 => ("[0-6]{0,2}", arb_json()).prop_map(|(head, v)| format!("{head}{v}")),
        1 => arb_bytes().prop_map(|b| lossy(&b)),
    ]
}

#[test]
fn socketio_codec_arbitrary_bytes() {
    fuzz("socket.io codec, bytes", arb_bytes(), |bytes, inputs| {
        socketio_decode(&lossy(&bytes), inputs);
        Ok(())
    });
}

#[test]
fn socketio_codec_arbitrary_json() {
    let heads = prop_oneof![
        Just(""),
        Just("0"),
        Just("40"),
        Just("42"),
        Just("4217"),
        Just("42/widget,"),
        Just("43"),
        Just("44"),
        Just("451-"),
    ];
    fuzz(
        "socket.io codec, JSON",
        (heads, arb_json()),
        |(head, value), inputs| {
            socketio_decode(&format!("{head}{value}"), inputs);
            // An event with the value as its argument list or first argument.
            socketio_decode(&format!("42[\"e\",{value}]"), inputs);
            Ok(())
        },
    );
}

#[test]
fn socketio_codec_mutated_frames() {
    fuzz(
        "socket.io codec, mutated frames",
        prop_oneof![
            arb_mutated(SOCKETIO_FRAMES, 2),
            arb_mutated(SOCKETIO_FRAMES, 0)
        ],
        |text, inputs| {
            socketio_decode(&text, inputs);
            Ok(())
        },
    );
}

#[test]
fn socketio_client_socket_message() {
    fuzz(
        "socket.io client, socket_message",
        (
            socketio_stage(),
            any::<bool>(),
            any::<bool>(),
            proptest::collection::vec(socketio_frame(), 1..24),
            proptest::collection::vec(proptest::option::of(arb_json()), 1..24),
        ),
        |(stage, v3, rehandshake, frames, emits), inputs| {
            let mut h = SocketIoHarness::new(stage, v3, rehandshake)?;
            for (frame, emit) in frames.iter().zip(emits.iter().cycle()) {
                // Emits with any JSON argument go out between the frames (or
                // wait for the connection); the sends are checked like any other.
                let _ = h.client.emit("clientTyping", emit.as_ref(), emit.is_some());
                h.check()?;
                h.feed(frame, inputs)?;
            }
            Ok(())
        },
    );
    eprintln!(
        "fuzz socket.io client reached: {} events delivered, {} acks answered, {} frames refused",
        SOCKETIO_DELIVERED.load(Relaxed),
        SOCKETIO_ACKED.load(Relaxed),
        SOCKETIO_REFUSED.load(Relaxed)
    );
}

// ---------------------------------------------------------------------------
// Fixed hostile inputs: the fault suite's frames, checked natively too.

#[test]
fn hostile_frames_from_the_fault_suite_are_errors_not_panics() {
    let huge = "x".repeat(10 * 1024 * 1024);
    let deep = "[".repeat(100_000);
    let frames = [
        "garbage text, not JSON",
        r#"{"push":{"channel":"#,
        r#"{"push":{"channel":"operator:389","pub":{"data":{},"offset":"7"}}}"#,
        huge.as_str(),
        deep.as_str(),
    ];
    for frame in frames {
        assert!(decode_reply(frame).is_err());
        let mut h = CentrifugeHarness::new(CentrifugeStage::Live, true).unwrap();
        h.feed(frame, &Cell::new(0)).unwrap();
        let mut h = SocketIoHarness::new(SocketIoStage::Live, false, true).unwrap();
        h.feed(frame, &Cell::new(0)).unwrap();
    }
}
