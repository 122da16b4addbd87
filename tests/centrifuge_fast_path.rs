//! The fast path decides what the full reader decides.
//!
//! The package hands the client each frame as the scanner read it
//! (`socket_scanned`: publications as records, their payloads in an array);
//! the full reader (`socket_lines`, every line read field by field) is the
//! path it replaced for publications. For random frames (publications in and
//! out of order, duplicates, gaps, missing and odd offsets, odd payloads,
//! envelopes of the wrong types, forced logouts, other replies, lines that
//! are not JSON) and random reconnects, both clients must ask for the same
//! I/O and deliver the same publications, in the same order, with the same
//! errors, after every step.
#![cfg(not(target_arch = "wasm32"))]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)] // tests may panic

use proptest::prelude::*;
use serde_json::{json, Value};
use std::sync::atomic::{AtomicUsize, Ordering};
use twin_panel::protocol::centrifuge::scan::{Scanner, Table};
use twin_panel::protocol::centrifuge::{Action, ClientConfig, SocketId};
use twin_panel::protocol::{JsonEngine, JsonError, SansIoClient};

#[path = "../src/protocol/test_json.rs"]
mod test_json;
use test_json::SerdeJson;

type ClientEvent = twin_panel::protocol::centrifuge::ClientEvent<Value>;
type CentrifugeClient = twin_panel::protocol::centrifuge::CentrifugeClient<SerdeJson>;

const CHANNEL: &str = "operator:389";

/// What a client's listeners and host saw, one publication at a time.
#[derive(Debug, Clone, PartialEq)]
enum Seen {
    Publication {
        channel: String,
        event: Option<String>,
        data: Value,
        offset: u64,
    },
    Event(ClientEvent),
    Action(Action),
}

struct Side {
    client: CentrifugeClient,
    scanner: Option<(Scanner, Table)>,
    socket: Option<SocketId>,
}

impl Side {
    fn new(fast: bool) -> Self {
        let mut client = CentrifugeClient::new(SerdeJson, ClientConfig::new("ws://x/ws"), 11);
        client.set_token(0, "jwt".into());
        Side {
            client,
            scanner: fast.then(Default::default),
            socket: None,
        }
    }

    fn frame(&mut self, now: u64, text: &str) {
        let socket = self.socket.unwrap_or(0);
        match &mut self.scanner {
            None => self.client.socket_message(now, socket, text),
            Some((scanner, table)) => {
                let scanned = scanner.scan(&SerdeJson, text);
                table.learn(scanner.take_fresh());
                let lines = table.decode(&scanned.records[1..]);
                let payloads = Value::Array(scanned.payloads);
                self.client
                    .socket_scanned(now, socket, &lines, &payloads, scanned.others);
            }
        }
    }

    fn seen(&mut self) -> Vec<Seen> {
        let mut seen = Vec::new();
        while let Some(action) = self.client.poll_action() {
            match &action {
                Action::Open { socket, .. } => self.socket = Some(*socket),
                Action::Close { socket, .. } if self.socket == Some(*socket) => self.socket = None,
                _ => {}
            }
            seen.push(Seen::Action(action));
        }
        while let Some(event) = self.client.poll_event() {
            match event {
                ClientEvent::Publications(run) => {
                    for (data, offset) in run.each(&SerdeJson) {
                        let data = data.expect("every item points into the payloads");
                        seen.push(Seen::Publication {
                            channel: run.channel.to_string(),
                            event: SerdeJson.event_name(&data),
                            data,
                            offset,
                        });
                    }
                }
                other => seen.push(Seen::Event(other)),
            }
        }
        seen
    }
}

/// One step, applied to both clients.
#[derive(Debug, Clone)]
enum Step {
    Connect,
    Opened,
    /// A text frame.
    Frame(String),
    /// The connect reply to the last connect command, at this stream position.
    Reply {
        offset: u64,
        recovered: Vec<u64>,
    },
    Advance(u64),
    Closed,
}

fn offset() -> impl Strategy<Value = Option<String>> {
    prop_oneof![
        6 => (1u64..12).prop_map(|n| Some(n.to_string())),
        1 => Just(None),
        1 => Just(Some("null".into())),
        1 => Just(Some(r#""7""#.into())),
        1 => Just(Some("-1".into())),
        1 => Just(Some("1.5".into())),
        1 => Just(Some("9007199254740993".into())),
        1 => Just(Some("1e400".into())),
        1 => Just(Some("true".into())),
        1 => Just(Some("{}".into())),
    ]
}

fn payload() -> impl Strategy<Value = Option<String>> {
    prop_oneof![
        6 => (0u32..100).prop_map(|seq| Some(format!(r#"{{"event":"chatMessageCreated","data":{{"seq":{seq}}}}}"#))),
        1 => prop_oneof![
            Just("operatorBlocked"), Just("connected"), Just("event"), Just("somethingNew"),
        ].prop_map(|name| Some(format!(r#"{{"event":"{name}","data":{{}}}}"#))),
        1 => Just(Some(r#"{"event":5,"data":1}"#.into())),
        1 => Just(Some(r#"["operatorBlocked"]"#.into())),
        1 => Just(Some("42".into())),
        1 => Just(Some("null".into())),
        1 => Just(Some(r#""text""#.into())),
        1 => Just(None),
    ]
}

fn channel() -> impl Strategy<Value = Option<String>> {
    prop_oneof![
        8 => Just(Some(format!(r#""{CHANNEL}""#))),
        1 => Just(Some(r#""other""#.into())),
        1 => Just(None),
        1 => Just(Some("null".into())),
        1 => Just(Some("5".into())),
    ]
}

fn publication() -> impl Strategy<Value = String> {
    (channel(), payload(), offset(), 0u8..12).prop_map(|(channel, data, offset, id)| {
        let mut publication = Vec::new();
        if let Some(data) = data {
            publication.push(format!(r#""data":{data}"#));
        }
        if let Some(offset) = offset {
            publication.push(format!(r#""offset":{offset}"#));
        }
        let mut push = vec![format!(r#""pub":{{{}}}"#, publication.join(","))];
        if let Some(channel) = channel {
            push.push(format!(r#""channel":{channel}"#));
        }
        let id = match id {
            0 => r#""id":null,"#,
            1 => r#""id":0,"#,
            2 => r#""id":"x","#,
            _ => "",
        };
        format!(r#"{{{id}"push":{{{}}}}}"#, push.join(","))
    })
}

fn other_line() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("{}".to_string()),
        Just(format!(
            r#"{{"push":{{"channel":"{CHANNEL}","join":{{"info":{{}}}}}}}}"#
        )),
        Just(format!(
            r#"{{"push":{{"channel":"{CHANNEL}","subscribe":{{"recoverable":true,"epoch":"e","offset":2}}}}}}"#
        )),
        Just(r#"{"push":{"channel":"x","unsubscribe":{"code":2000}}}"#.to_string()),
        Just(
            r#"{"push":{"message":{"data":{"event":"chatMessageCreated","data":1}}}}"#.to_string()
        ),
        Just(r#"{"push":{"message":{"data":{"event":"operatorLoggedOut"}}}}"#.to_string()),
        Just(r#"{"push":{"pub":7}}"#.to_string()),
        Just(r#"{"id":9,"rpc":{}}"#.to_string()),
        Just("not json".to_string()),
        Just("[1,2]".to_string()),
        Just("null".to_string()),
        Just("   ".to_string()),
        Just("\u{feff}".to_string()),
    ]
}

/// Publications `from..from + count` of the channel, in order (with one
/// other line among them when `with` is given).
fn sequence() -> impl Strategy<Value = String> {
    (1u64..8, 1u64..30, proptest::option::of((0usize..30, other_line()))).prop_map(
        |(from, count, with)| {
            let mut lines: Vec<String> = (from..from + count)
                .map(|n| format!(r#"{{"push":{{"channel":"{CHANNEL}","pub":{{"data":{{"event":"chatMessageCreated","data":{{"seq":{n}}}}},"offset":{n}}}}}}}"#))
                .collect();
            if let Some((at, line)) = with {
                lines.insert(at.min(lines.len()), line);
            }
            lines.join("\n")
        },
    )
}

fn frame() -> impl Strategy<Value = String> {
    (
        proptest::collection::vec(
            prop_oneof![
                5 => publication(),
                4 => sequence(),
                2 => other_line(),
                1 => Just(String::new())
            ],
            1..6,
        ),
        any::<bool>(),
    )
        .prop_map(|(lines, trailing)| {
            let mut text = lines.join("\n");
            if trailing {
                text.push('\n');
            }
            text
        })
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        1 => Just(Step::Connect),
        2 => Just(Step::Opened),
        2 => (0u64..6, proptest::collection::vec(1u64..10, 0..4))
            .prop_map(|(offset, recovered)| Step::Reply { offset, recovered }),
        10 => frame().prop_map(Step::Frame),
        2 => (0u64..30_000).prop_map(Step::Advance),
        1 => Just(Step::Closed),
    ]
}

/// The connect reply to the last connect command `side` sent, if any.
fn reply(side: &Side, sent: &[Seen], offset: u64, recovered: &[u64]) -> Option<String> {
    let id = sent.iter().rev().find_map(|seen| match seen {
        Seen::Action(Action::Send { text, .. }) => {
            let command: Value = serde_json::from_str(text).ok()?;
            command["id"].as_u64()
        }
        _ => None,
    })?;
    side.socket?;
    let publications: Vec<Value> = recovered
        .iter()
        .map(|n| json!({"data": {"event": "chatMessageCreated", "data": {"seq": n}}, "offset": n}))
        .collect();
    let sub = json!({
        "recoverable": true, "epoch": "e", "offset": offset, "was_recovering": true,
        "recovered": !recovered.is_empty(), "publications": publications,
    });
    Some(json!({"id": id, "connect": {"client": "c", "ping": 25, "pong": true, "subs": {CHANNEL: sub}}}).to_string())
}

/// Publications delivered and frames refused over all cases (printed: a
/// property that never reached them would prove nothing).
static REACH: [AtomicUsize; 2] = [AtomicUsize::new(0), AtomicUsize::new(0)];

proptest! {
    #![proptest_config(ProptestConfig {
        cases: std::env::var("FAST_PATH_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(2_000),
        ..ProptestConfig::default()
    })]

    #[test]
    fn the_fast_path_and_the_full_reader_decide_the_same(steps in proptest::collection::vec(step(), 1..40)) {
        let mut full = Side::new(false);
        let mut fast = Side::new(true);
        let mut now = 0;
        let mut sent = Vec::new();
        // Live first (a recoverable channel at offset 0), then anything.
        let start = [Step::Connect, Step::Opened, Step::Reply { offset: 0, recovered: Vec::new() }];
        for step in start.into_iter().chain(steps) {
            match &step {
                Step::Connect => {
                    full.client.connect(now);
                    fast.client.connect(now);
                }
                Step::Opened => {
                    let socket = full.socket.unwrap_or(0);
                    full.client.socket_opened(now, socket);
                    fast.client.socket_opened(now, fast.socket.unwrap_or(0));
                }
                Step::Frame(text) => {
                    full.frame(now, text);
                    fast.frame(now, text);
                }
                Step::Reply { offset, recovered } => {
                    if let Some(text) = reply(&full, &sent, *offset, recovered) {
                        full.frame(now, &text);
                        fast.frame(now, &text);
                    }
                }
                Step::Advance(ms) => {
                    now += ms;
                    full.client.handle_timeout(now);
                    fast.client.handle_timeout(now);
                }
                Step::Closed => {
                    let socket = full.socket.unwrap_or(0);
                    full.client.socket_closed(now, socket, 1006, "");
                    fast.client.socket_closed(now, fast.socket.unwrap_or(0), 1006, "");
                }
            }
            let seen = full.seen();
            prop_assert_eq!(&seen, &fast.seen(), "after {:?}", step);
            for item in &seen {
                let counter = match item {
                    Seen::Publication { .. } => &REACH[0],
                    Seen::Event(ClientEvent::Error { .. }) => &REACH[1],
                    _ => continue,
                };
                counter.fetch_add(1, Ordering::Relaxed);
            }
            sent.extend(seen);
        }
    }
}

#[test]
fn the_property_reaches_deliveries_and_refusals() {
    // Runs after (or beside) the property; it only reports what it reached.
    let delivered = REACH[0].load(Ordering::Relaxed);
    let refused = REACH[1].load(Ordering::Relaxed);
    eprintln!("fast path reached: {delivered} publications delivered, {refused} frames refused");
}

/// The reference scanner keeps one run per channel and frame: a frame of
/// many publications is one event, not one per publication.
#[test]
fn a_frame_of_publications_is_one_run() {
    let mut fast = Side::new(true);
    fast.client.connect(0);
    fast.seen();
    fast.client.socket_opened(0, fast.socket.unwrap());
    let sent = fast.seen();
    let reply = reply(&fast, &sent, 0, &[]).unwrap();
    fast.frame(0, &reply);
    fast.seen();
    let frame: Vec<String> = (1..=100)
        .map(|n| format!(r#"{{"push":{{"channel":"{CHANNEL}","pub":{{"data":{{"event":"chatMessageCreated","data":{n}}},"offset":{n}}}}}}}"#))
        .collect();
    fast.frame(1, &frame.join("\n"));
    let mut runs = Vec::new();
    while let Some(event) = fast.client.poll_event() {
        runs.push(event);
    }
    assert_eq!(runs.len(), 1, "{runs:?}");
    let ClientEvent::Publications(run) = &runs[0] else {
        panic!("not a run: {:?}", runs[0]);
    };
    let offsets: Vec<u64> = run.items.iter().map(|item| item.offset).collect();
    assert_eq!(offsets, (1..=100).collect::<Vec<u64>>());
}
