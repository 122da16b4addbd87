//! The messages between the tabs of a group, as they travel over the
//! BroadcastChannel: one flat object (so the browser's structured clone
//! carries a publication's data object as it is), marked with [`NAMESPACE`]
//! and [`VERSION`], whose `kind` says which other fields it has.
//!
//! [`read`] looks at `ns`, `v`, `from` and `kind` first, then at the fields
//! of that kind only, one look-up each; anything that is not ours, or lacks
//! or mistypes a field its kind needs, reads as `None` (the caller counts
//! those). [`write_into`] writes only the fields of its kind into the
//! host's [`Sink`] (a JS object; [`write()`] is the same as a serde value,
//! for the tests). Both sides of every kind are here, with their round-trip
//! tests: a kind changed on one side only would be a silent drop between
//! tabs. A run of publications travels as one message: its payloads as
//! they are, its items (index, offset) as one list of numbers.

use crate::error_code::ErrorCode;
use crate::protocol::centrifuge::positions::LossReason;
use crate::protocol::centrifuge::ClientEvent;
use crate::protocol::centrifuge::{Item, Publications};
use crate::protocol::json_engine::{exact_u64, JsonEngine, JsonError, Object};
use crate::protocol::State;
use serde::ser::SerializeMap;
use serde::{Serialize, Serializer};
use std::rc::Rc;

/// The `ns` field of every message.
pub const NAMESPACE: &str = "twin-panel/tabs";
/// The `v` field of every message; another version is ignored.
pub const VERSION: u32 = 2;
/// At most this many stream positions in one heartbeat.
pub const MAX_POSITIONS: usize = 64;

/// One message with its sender's tab id.
#[derive(Debug, Clone, PartialEq)]
pub struct Envelope<V> {
    /// The sender's tab id.
    pub from: String,
    /// What it says.
    pub message: Message<V>,
}

/// The leader's heartbeat.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Beat {
    /// The leader's connection state.
    pub state: State,
    /// Tabs in the group, the leader included.
    pub tabs: u32,
    /// The `connected` payload (client id, server version) while connected.
    pub connected: Option<(String, String)>,
    /// The leader client's stream positions: channel, epoch, offset.
    pub positions: Vec<(String, String, u64)>,
}

/// What one tab tells the others.
#[derive(Debug, Clone, PartialEq)]
pub enum Message<V> {
    /// A follower is here (sent on joining and every beat), and whether it
    /// wants the connection.
    Hello {
        /// It called `connect()` and not `disconnect()` since.
        wants: bool,
    },
    /// A follower called `connect()`: the leader connects if it is not.
    Connect,
    /// A tab leaves the group.
    Bye,
    /// The leader's heartbeat.
    Beat(Beat),
    /// A client event the leader relays; `epoch` is the stream epoch of a
    /// publication's channel (empty otherwise).
    Event {
        /// The event.
        event: ClientEvent<V>,
        /// The stream epoch of a publication.
        epoch: String,
    },
    /// A token pair from login, `useTokens()` or a refresh.
    Tokens {
        /// The access token.
        token: String,
        /// The refresh token.
        refresh_token: String,
        /// True when it comes from a refresh (receivers fire `tokenRefreshed`).
        refreshed: bool,
    },
    /// A follower asks the leader to refresh `token` (the one it holds).
    Refresh {
        /// The token the follower holds.
        token: String,
    },
    /// The leader's refresh of `token` failed.
    Refused {
        /// The token whose refresh failed.
        token: String,
        /// True for a passing failure (network, 5xx); false when the refresh
        /// token was refused and the session is over.
        retryable: bool,
    },
    /// `logout()` in some tab: every tab ends its session.
    Logout,
}

/// `state` as `panel.state` spells it.
fn state_from(text: &str) -> Option<State> {
    [State::Disconnected, State::Connecting, State::Connected]
        .into_iter()
        .find(|state| state.as_str() == text)
}

/// The `Error` kinds the client emits (the relayed one must be `'static`).
const ERROR_KINDS: [ErrorCode; 2] = [ErrorCode::Protocol, ErrorCode::Connect];

/// A field a kind needs: `None` when it is absent, `null` or mistyped.
fn needed<T>(field: Result<Option<T>, JsonError>) -> Option<T> {
    field.ok().flatten()
}

/// The fields of one message, read on past a missing or mistyped one: the
/// message is refused once at the end ([`Fields::done`]), which leaves the
/// wasm one cleanup path per message instead of one per field read.
struct Fields<'o, 'j, J: JsonEngine> {
    object: &'o Object<'j, J>,
    bad: bool,
}

impl<J: JsonEngine> Fields<'_, '_, J> {
    fn ok<T: Default>(&mut self, read: Option<T>) -> T {
        read.unwrap_or_else(|| {
            self.bad = true;
            T::default()
        })
    }

    fn text(&mut self, key: &str) -> String {
        let read = needed(self.object.str(key));
        self.ok(read)
    }

    fn count(&mut self, key: &str) -> u32 {
        let read = needed(self.object.u32(key));
        self.ok(read)
    }

    fn flag(&mut self, key: &str) -> bool {
        let read = needed(self.object.bool(key));
        self.ok(read)
    }

    /// A list of numbers written in one go.
    fn numbers(&mut self, key: &str) -> Vec<f64> {
        let object = self.object;
        let read = object
            .get(key)
            .and_then(|value| object.json().numbers(&value));
        self.ok(read)
    }

    /// A list of texts.
    fn texts(&mut self, key: &str) -> Vec<String> {
        let object = self.object;
        let read = needed(object.array(key)).and_then(|items| {
            items
                .iter()
                .map(|item| object.json().string(item))
                .collect()
        });
        self.ok(read)
    }

    /// `value`, unless a field was missing or mistyped.
    fn done<T>(self, value: T) -> Option<T> {
        (!self.bad).then_some(value)
    }
}

/// Reads a received value: `None` when it is not a message of this
/// namespace and version, or a field its kind needs is missing or mistyped.
/// Fields other kinds use are never looked at.
pub fn read<J: JsonEngine>(json: &J, value: J::Value) -> Option<Envelope<J::Value>> {
    let object = &Object::new(json, value).ok()?;
    let mut f = Fields { object, bad: false };
    if f.text("ns") != NAMESPACE || f.count("v") != VERSION {
        return None;
    }
    let from = f.text("from");
    let kind = f.text("kind");
    if from.is_empty() {
        return None;
    }
    let message = match kind.as_str() {
        "hello" => Message::Hello {
            wants: f.flag("wants"),
        },
        "connect" => Message::Connect,
        "bye" => Message::Bye,
        "logout" => Message::Logout,
        "beat" => Message::Beat(read_beat(&mut f)?),
        "tokens" => Message::Tokens {
            token: f.text("token"),
            refresh_token: f.text("refreshToken"),
            refreshed: f.flag("refreshed"),
        },
        "refresh" => Message::Refresh {
            token: f.text("token"),
        },
        "refused" => Message::Refused {
            token: f.text("token"),
            retryable: f.flag("retryable"),
        },
        "publications" => Message::Event {
            event: ClientEvent::Publications(read_publications(&mut f)?),
            epoch: f.text("epoch"),
        },
        kind => event(read_event(&mut f, kind)?),
    };
    f.done(Envelope { from, message })
}

fn read_beat<J: JsonEngine>(f: &mut Fields<'_, '_, J>) -> Option<Beat> {
    let channels = f.texts("channels");
    let epochs = f.texts("epochs");
    let offsets = f.numbers("offsets");
    if channels.len() > MAX_POSITIONS
        || epochs.len() != channels.len()
        || offsets.len() != channels.len()
    {
        return None;
    }
    let mut positions = Vec::with_capacity(channels.len());
    for ((channel, epoch), offset) in channels.into_iter().zip(epochs).zip(offsets) {
        positions.push((channel, epoch, exact_u64(offset)?));
    }
    let client = f.object.str("client").ok()?;
    let version = f.object.str("version").ok()?;
    Some(Beat {
        state: state_from(&f.text("state"))?,
        tabs: f.count("tabs"),
        connected: client.zip(version),
        positions,
    })
}

fn read_publications<J: JsonEngine>(f: &mut Fields<'_, '_, J>) -> Option<Publications<J::Value>> {
    let numbers = f.numbers("items");
    if numbers.len() % 2 != 0 {
        return None;
    }
    let mut items = Vec::with_capacity(numbers.len() / 2);
    for item in numbers.chunks_exact(2) {
        let [index, offset] = *item else {
            return None;
        };
        items.push(Item {
            index: u32::try_from(exact_u64(index)?).ok()?,
            offset: exact_u64(offset)?,
        });
    }
    Some(Publications {
        channel: Rc::new(f.text("channel")),
        payloads: f.object.get("data")?,
        items,
    })
}

/// The relayed client events other than a publication.
fn read_event<J: JsonEngine>(
    f: &mut Fields<'_, '_, J>,
    kind: &str,
) -> Option<ClientEvent<J::Value>> {
    Some(match kind {
        "connecting" => ClientEvent::Connecting {
            code: f.count("code"),
            reason: f.text("reason"),
        },
        "connected" => ClientEvent::Connected {
            client: f.text("client"),
            version: f.text("version"),
        },
        "disconnected" => ClientEvent::Disconnected {
            code: f.count("code"),
            reason: f.text("reason"),
            reconnect: f.flag("reconnect"),
        },
        "resync" => {
            let reason = f.text("reason");
            let reason = LossReason::ALL
                .into_iter()
                .find(|r| r.as_str() == reason)?
                .as_str();
            ClientEvent::Resync {
                channels: f.texts("channels"),
                reason,
            }
        }
        "error" => {
            let kind = f.text("name");
            ClientEvent::Error {
                kind: ERROR_KINDS.into_iter().find(|k| k.as_str() == kind)?,
                message: f.text("message"),
            }
        }
        _ => return None,
    })
}

fn event<V>(event: ClientEvent<V>) -> Message<V> {
    Message::Event {
        event,
        epoch: String::new(),
    }
}

/// Where a message is written, field by field: a JS object in the
/// browser (the tab driver's), a serde map for the tests ([`write()`]).
pub trait Sink<V> {
    /// A text field.
    fn text(&mut self, key: &'static str, value: &str);
    /// A whole-number field.
    fn count(&mut self, key: &'static str, value: u32);
    /// A boolean field.
    fn flag(&mut self, key: &'static str, value: bool);
    /// A value as the engine parsed it (structured clone carries it as it is).
    fn value(&mut self, key: &'static str, value: &V);
    /// A list of numbers (a `Float64Array`), which [`JsonEngine::numbers`] reads back.
    fn numbers(&mut self, key: &'static str, value: &[f64]);
    /// A list of texts.
    fn texts(&mut self, key: &'static str, values: &[&str]);
}

/// Writes `message` from tab `from` into `sink`: `ns`, `v`, `kind`, `from`,
/// then the fields of its kind only.
pub fn write_into<V>(from: &str, message: &Message<V>, sink: &mut dyn Sink<V>) {
    sink.text("ns", NAMESPACE);
    sink.count("v", VERSION);
    sink.text("kind", kind(message));
    sink.text("from", from);
    match message {
        Message::Connect | Message::Bye | Message::Logout => {}
        Message::Hello { wants } => sink.flag("wants", *wants),
        Message::Beat(beat) => {
            sink.text("state", beat.state.as_str());
            sink.count("tabs", beat.tabs);
            if let Some((client, version)) = &beat.connected {
                sink.text("client", client);
                sink.text("version", version);
            }
            let (mut channels, mut epochs, mut offsets) = (Vec::new(), Vec::new(), Vec::new());
            for (channel, epoch, offset) in beat.positions.iter().take(MAX_POSITIONS) {
                channels.push(channel.as_str());
                epochs.push(epoch.as_str());
                offsets.push(*offset as f64);
            }
            sink.texts("channels", &channels);
            sink.texts("epochs", &epochs);
            sink.numbers("offsets", &offsets);
        }
        Message::Tokens {
            token,
            refresh_token,
            refreshed,
        } => {
            sink.text("token", token);
            sink.text("refreshToken", refresh_token);
            sink.flag("refreshed", *refreshed);
        }
        Message::Refresh { token } => sink.text("token", token),
        Message::Refused { token, retryable } => {
            sink.text("token", token);
            sink.flag("retryable", *retryable);
        }
        Message::Event { event, epoch } => match event {
            ClientEvent::Connecting { code, reason } => {
                sink.count("code", *code);
                sink.text("reason", reason);
            }
            ClientEvent::Connected { client, version } => {
                sink.text("client", client);
                sink.text("version", version);
            }
            ClientEvent::Disconnected {
                code,
                reason,
                reconnect,
            } => {
                sink.count("code", *code);
                sink.text("reason", reason);
                sink.flag("reconnect", *reconnect);
            }
            ClientEvent::Publications(run) => {
                sink.text("channel", &run.channel);
                sink.text("epoch", epoch);
                sink.value("data", &run.payloads);
                let mut items = Vec::with_capacity(run.items.len() * 2);
                for item in &run.items {
                    items.extend([f64::from(item.index), item.offset as f64]);
                }
                sink.numbers("items", &items);
            }
            ClientEvent::Resync { channels, reason } => {
                let channels: Vec<&str> = channels.iter().map(String::as_str).collect();
                sink.texts("channels", &channels);
                sink.text("reason", reason);
            }
            ClientEvent::Error { kind, message } => {
                sink.text("name", kind.as_str());
                sink.text("message", message);
            }
        },
    }
}

/// The `kind` of `message`.
fn kind<V>(message: &Message<V>) -> &'static str {
    match message {
        Message::Hello { .. } => "hello",
        Message::Connect => "connect",
        Message::Bye => "bye",
        Message::Logout => "logout",
        Message::Beat(_) => "beat",
        Message::Tokens { .. } => "tokens",
        Message::Refresh { .. } => "refresh",
        Message::Refused { .. } => "refused",
        Message::Event { event, .. } => match event {
            ClientEvent::Connecting { .. } => "connecting",
            ClientEvent::Connected { .. } => "connected",
            ClientEvent::Disconnected { .. } => "disconnected",
            ClientEvent::Publications(_) => "publications",
            ClientEvent::Resync { .. } => "resync",
            ClientEvent::Error { .. } => "error",
        },
    }
}

/// `message` from tab `from` as a serde value (what [`write_into`] writes:
/// the tests serialize it with serde_json).
pub fn write<'a, V: Serialize>(from: &'a str, message: &'a Message<V>) -> Outgoing<'a, V> {
    Outgoing { from, message }
}

/// A message as it is posted; see [`write()`].
pub struct Outgoing<'a, V> {
    from: &'a str,
    message: &'a Message<V>,
}

impl<V: Serialize> Serialize for Outgoing<'_, V> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut sink = MapSink {
            map: serializer.serialize_map(None)?,
            error: None,
        };
        write_into(self.from, self.message, &mut sink);
        match sink.error {
            Some(error) => Err(error),
            None => sink.map.end(),
        }
    }
}

/// A [`Sink`] over a serde map; keeps the first error.
struct MapSink<M: SerializeMap> {
    map: M,
    error: Option<M::Error>,
}

impl<M: SerializeMap> MapSink<M> {
    fn entry<T: Serialize + ?Sized>(&mut self, key: &str, value: &T) {
        if self.error.is_none() {
            self.error = self.map.serialize_entry(key, value).err();
        }
    }
}

impl<V: Serialize, M: SerializeMap> Sink<V> for MapSink<M> {
    fn text(&mut self, key: &'static str, value: &str) {
        self.entry(key, value);
    }
    fn count(&mut self, key: &'static str, value: u32) {
        self.entry(key, &value);
    }
    fn flag(&mut self, key: &'static str, value: bool) {
        self.entry(key, &value);
    }
    fn value(&mut self, key: &'static str, value: &V) {
        self.entry(key, value);
    }
    fn numbers(&mut self, key: &'static str, value: &[f64]) {
        self.entry(key, value);
    }
    fn texts(&mut self, key: &'static str, values: &[&str]) {
        self.entry(key, values);
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use crate::protocol::json_engine::MAX_EXACT_INTEGER;
    use crate::protocol::test_json::{Recording, SerdeJson};
    use serde_json::{json, Value};

    fn round_trip(message: Message<Value>) -> Option<Envelope<Value>> {
        let value = serde_json::to_value(write("tab-1", &message)).ok()?;
        read(&SerdeJson, value)
    }

    #[test]
    fn every_kind_survives_the_trip() {
        let messages = vec![
            Message::Hello { wants: true },
            Message::Connect,
            Message::Bye,
            Message::Logout,
            Message::Beat(Beat {
                state: State::Connected,
                tabs: 3,
                connected: Some(("c".into(), "v".into())),
                positions: vec![("ch".into(), "e".into(), 7)],
            }),
            Message::Tokens {
                token: "t".into(),
                refresh_token: "r".into(),
                refreshed: true,
            },
            Message::Refresh { token: "t".into() },
            Message::Refused {
                token: "t".into(),
                retryable: false,
            },
            Message::Event {
                event: ClientEvent::Publications(Publications {
                    channel: Rc::new("ch".into()),
                    payloads: json!([
                        {"event": "chatMessageCreated", "data": {"id": 1}},
                        {"event": "chatMessageCreated", "data": {"id": 2}}
                    ]),
                    items: vec![
                        Item {
                            index: 0,
                            offset: 9,
                        },
                        Item {
                            index: 1,
                            offset: MAX_EXACT_INTEGER,
                        },
                    ],
                }),
                epoch: "e".into(),
            },
            event(ClientEvent::Connecting {
                code: 0,
                reason: "connect called".into(),
            }),
            event(ClientEvent::Connected {
                client: "c".into(),
                version: "v".into(),
            }),
            event(ClientEvent::Disconnected {
                code: 4,
                reason: "forced logout".into(),
                reconnect: false,
            }),
            event(ClientEvent::Resync {
                channels: vec!["ch".into()],
                reason: "historyGone",
            }),
            event(ClientEvent::Error {
                kind: ErrorCode::Protocol,
                message: "bad frame".into(),
            }),
        ];
        for message in messages {
            let envelope = round_trip(message.clone()).unwrap();
            assert_eq!(envelope.from, "tab-1");
            assert_eq!(envelope.message, message);
        }
    }

    #[test]
    fn a_publication_with_null_data_keeps_it() {
        let message = Message::Event {
            event: ClientEvent::Publications(Publications {
                channel: Rc::new(String::new()),
                payloads: json!([null]),
                items: vec![Item {
                    index: 0,
                    offset: 0,
                }],
            }),
            epoch: String::new(),
        };
        assert_eq!(round_trip(message.clone()).unwrap().message, message);
    }

    #[test]
    fn foreign_and_malformed_values_are_refused() {
        let good =
            serde_json::to_value(write::<Value>("t", &Message::Hello { wants: false })).unwrap();
        assert!(read(&SerdeJson, good.clone()).is_some());
        let mut bad = Vec::new();
        for (key, value) in [
            ("ns", json!("other")),
            ("v", json!(1)),
            ("from", json!("")),
            ("kind", json!("nope")),
            ("wants", json!("yes")),
            ("wants", Value::Null),
        ] {
            let mut changed = good.clone();
            changed[key] = value;
            bad.push(changed);
        }
        bad.extend([
            json!("hello"),
            json!(null),
            json!([1, 2]),
            json!({"ns": NAMESPACE, "v": 2, "kind": "beat", "from": "t"}),
            json!({"ns": NAMESPACE, "v": 2, "kind": "beat", "from": "t", "state": "connected", "tabs": 2,
                   "channels": ["c"], "epochs": [], "offsets": [1]}),
            json!({"ns": NAMESPACE, "v": 2, "kind": "beat", "from": "t", "state": "connected", "tabs": 2,
                   "channels": ["c"], "epochs": ["e"], "offsets": [1.5]}),
            json!({"ns": NAMESPACE, "v": 2, "kind": "resync", "from": "t", "channels": [], "reason": "x"}),
            json!({"ns": NAMESPACE, "v": 2, "kind": "error", "from": "t", "name": "x", "message": "m"}),
            json!({"ns": NAMESPACE, "v": 2, "kind": "publications", "from": "t", "channel": "c", "epoch": "",
                   "data": [1], "items": [0]}),
            json!({"ns": NAMESPACE, "v": 2, "kind": "publications", "from": "t", "channel": "c", "epoch": "",
                   "data": [1], "items": [0, -1]}),
            json!({"ns": NAMESPACE, "v": 2, "kind": "publications", "from": "t", "channel": "c", "epoch": "",
                   "items": [0, 1]}),
            json!({"ns": NAMESPACE, "v": 2, "kind": "publication", "from": "t", "channel": "c", "offset": 1, "epoch": ""}),
            json!({"ns": NAMESPACE, "v": 2, "kind": "tokens", "from": "t", "token": "a"}),
        ]);
        for value in bad {
            assert!(read(&SerdeJson, value.clone()).is_none(), "{value}");
        }
    }

    #[test]
    fn a_message_is_written_with_the_fields_of_its_kind_only() {
        let value = serde_json::to_value(write::<Value>(
            "t",
            &Message::Refused {
                token: "a".into(),
                retryable: true,
            },
        ))
        .unwrap();
        assert_eq!(
            value,
            json!({"ns": NAMESPACE, "v": 2, "kind": "refused", "from": "t", "token": "a", "retryable": true})
        );
        let beat = Message::<Value>::Beat(Beat {
            state: State::Connecting,
            tabs: 2,
            connected: None,
            positions: (0..MAX_POSITIONS + 5)
                .map(|i| (i.to_string(), "e".to_owned(), 1))
                .collect(),
        });
        let value = serde_json::to_value(write("t", &beat)).unwrap();
        assert_eq!(value["channels"].as_array().unwrap().len(), MAX_POSITIONS);
        assert_eq!(value["offsets"].as_array().unwrap().len(), MAX_POSITIONS);
        assert!(value.get("client").is_none());
        assert!(read(&SerdeJson, value).is_some());
    }

    /// `ns`, `v`, `from`, `kind`, then only what the kind has: a foreign
    /// object costs one look-up, and a field another kind uses is never read.
    #[test]
    fn a_message_is_read_by_kind() {
        let fields_read = |value: Value| {
            let json = Recording::default();
            let read = read(&json, value).map(|e| e.message);
            (read, json.count())
        };
        let hello = json!({"ns": NAMESPACE, "v": 2, "kind": "hello", "from": "t", "wants": true, "token": 5});
        assert_eq!(
            fields_read(hello),
            (Some(Message::Hello { wants: true }), 5)
        );
        let bye = json!({"ns": NAMESPACE, "v": 2, "kind": "bye", "from": "t", "wants": "mistyped"});
        assert_eq!(fields_read(bye), (Some(Message::Bye), 4));
        assert_eq!(fields_read(json!({"hello": 1})), (None, 1));
        let publication = serde_json::to_value(write(
            "t",
            &Message::Event {
                event: ClientEvent::Publications(Publications {
                    channel: Rc::new("ch".into()),
                    payloads: json!([{"id": 1}, {"id": 2}]),
                    items: vec![
                        Item {
                            index: 0,
                            offset: 3,
                        },
                        Item {
                            index: 1,
                            offset: 4,
                        },
                    ],
                }),
                epoch: "e".into(),
            },
        ))
        .unwrap();
        // items, channel, data, epoch: whatever the number of publications.
        assert_eq!(fields_read(publication).1, 4 + 4);
    }
}
