//! The messages between the tabs of a group, as they travel over the
//! BroadcastChannel: one flat object (so the browser's structured clone
//! carries a publication's data object as it is), marked with [`NAMESPACE`]
//! and [`VERSION`]. [`read`] turns a received value into an [`Envelope`], or
//! `None` for anything that is not ours or is malformed (the caller counts
//! those); [`write`] makes the value to post.

use crate::protocol::centrifuge::positions::LossReason;
use crate::protocol::centrifuge::ClientEvent;
use crate::protocol::json_engine::JsonEngine;
use crate::protocol::State;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

/// The `ns` field of every message.
pub const NAMESPACE: &str = "twin-panel/tabs";
/// The `v` field of every message; another version is ignored.
pub const VERSION: u32 = 1;
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

/// A stream position on the wire.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct WirePosition {
    channel: String,
    epoch: String,
    offset: u64,
}

/// The one object every message travels as; the fields a kind does not use are absent.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[serde(bound(serialize = "V: Serialize", deserialize = "V: DeserializeOwned"))]
pub struct Wire<V> {
    ns: String,
    v: u32,
    kind: String,
    from: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    wants: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    state: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    tabs: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    client: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    version: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    positions: Option<Vec<WirePosition>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    code: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    reason: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    reconnect: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    channel: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    epoch: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    offset: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    data: Option<V>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    channels: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    message: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    token: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    refresh_token: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    refreshed: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    retryable: Option<bool>,
}

impl<V> Wire<V> {
    fn new(from: &str, kind: &str) -> Self {
        Wire {
            ns: NAMESPACE.into(),
            v: VERSION,
            kind: kind.into(),
            from: from.into(),
            wants: None,
            state: None,
            tabs: None,
            client: None,
            version: None,
            positions: None,
            code: None,
            reason: None,
            reconnect: None,
            channel: None,
            epoch: None,
            offset: None,
            name: None,
            data: None,
            channels: None,
            message: None,
            token: None,
            refresh_token: None,
            refreshed: None,
            retryable: None,
        }
    }
}

/// `state` as `panel.state` spells it.
fn state_from(text: &str) -> Option<State> {
    [State::Disconnected, State::Connecting, State::Connected]
        .into_iter()
        .find(|state| state.as_str() == text)
}

/// The `Error` kinds the client emits (the relayed one must be `'static`).
const ERROR_KINDS: [&str; 2] = ["protocol", "connect"];

/// Reads a received value: `None` when it is not a message of this
/// namespace and version, or a field its kind needs is missing or mistyped.
pub fn read<J: JsonEngine>(json: &J, value: J::Value) -> Option<Envelope<J::Value>> {
    let wire: Wire<J::Value> = json.read(value).ok()?;
    if wire.ns != NAMESPACE || wire.v != VERSION || wire.from.is_empty() {
        return None;
    }
    let message = match wire.kind.as_str() {
        "hello" => Message::Hello { wants: wire.wants? },
        "connect" => Message::Connect,
        "bye" => Message::Bye,
        "logout" => Message::Logout,
        "beat" => {
            let positions = wire.positions?;
            if positions.len() > MAX_POSITIONS {
                return None;
            }
            Message::Beat(Beat {
                state: state_from(&wire.state?)?,
                tabs: wire.tabs?,
                connected: wire.client.zip(wire.version),
                positions: positions
                    .into_iter()
                    .map(|p| (p.channel, p.epoch, p.offset))
                    .collect(),
            })
        }
        "tokens" => Message::Tokens {
            token: wire.token?,
            refresh_token: wire.refresh_token?,
            refreshed: wire.refreshed?,
        },
        "refresh" => Message::Refresh { token: wire.token? },
        "refused" => Message::Refused {
            token: wire.token?,
            retryable: wire.retryable?,
        },
        "connecting" => event(ClientEvent::Connecting {
            code: wire.code?,
            reason: wire.reason?,
        }),
        "connected" => event(ClientEvent::Connected {
            client: wire.client?,
            version: wire.version?,
        }),
        "disconnected" => event(ClientEvent::Disconnected {
            code: wire.code?,
            reason: wire.reason?,
            reconnect: wire.reconnect?,
        }),
        "publication" => {
            let data = match wire.data {
                Some(data) => data,
                None => json.parse("null").ok()?,
            };
            Message::Event {
                event: ClientEvent::Publication {
                    channel: wire.channel?,
                    event: wire.name,
                    data,
                    offset: wire.offset?,
                },
                epoch: wire.epoch?,
            }
        }
        "resync" => {
            let reason = wire.reason?;
            let reason = LossReason::ALL
                .into_iter()
                .find(|r| r.as_str() == reason)?
                .as_str();
            event(ClientEvent::Resync {
                channels: wire.channels?,
                reason,
            })
        }
        "error" => {
            let kind = wire.name?;
            let kind = ERROR_KINDS.into_iter().find(|k| *k == kind)?;
            event(ClientEvent::Error {
                kind,
                message: wire.message?,
            })
        }
        _ => return None,
    };
    Some(Envelope {
        from: wire.from,
        message,
    })
}

fn event<V>(event: ClientEvent<V>) -> Message<V> {
    Message::Event {
        event,
        epoch: String::new(),
    }
}

/// The value to post for `message` from tab `from` (serialize it with the
/// host's engine).
pub fn write<V>(from: &str, message: Message<V>) -> Wire<V> {
    match message {
        Message::Hello { wants } => Wire {
            wants: Some(wants),
            ..Wire::new(from, "hello")
        },
        Message::Connect => Wire::new(from, "connect"),
        Message::Bye => Wire::new(from, "bye"),
        Message::Logout => Wire::new(from, "logout"),
        Message::Beat(beat) => {
            let (client, version) = beat.connected.unzip();
            Wire {
                state: Some(beat.state.as_str().into()),
                tabs: Some(beat.tabs),
                client,
                version,
                positions: Some(
                    beat.positions
                        .into_iter()
                        .take(MAX_POSITIONS)
                        .map(|(channel, epoch, offset)| WirePosition {
                            channel,
                            epoch,
                            offset,
                        })
                        .collect(),
                ),
                ..Wire::new(from, "beat")
            }
        }
        Message::Tokens {
            token,
            refresh_token,
            refreshed,
        } => Wire {
            token: Some(token),
            refresh_token: Some(refresh_token),
            refreshed: Some(refreshed),
            ..Wire::new(from, "tokens")
        },
        Message::Refresh { token } => Wire {
            token: Some(token),
            ..Wire::new(from, "refresh")
        },
        Message::Refused { token, retryable } => Wire {
            token: Some(token),
            retryable: Some(retryable),
            ..Wire::new(from, "refused")
        },
        Message::Event { event, epoch } => write_event(from, event, epoch),
    }
}

fn write_event<V>(from: &str, event: ClientEvent<V>, epoch: String) -> Wire<V> {
    match event {
        ClientEvent::Connecting { code, reason } => Wire {
            code: Some(code),
            reason: Some(reason),
            ..Wire::new(from, "connecting")
        },
        ClientEvent::Connected { client, version } => Wire {
            client: Some(client),
            version: Some(version),
            ..Wire::new(from, "connected")
        },
        ClientEvent::Disconnected {
            code,
            reason,
            reconnect,
        } => Wire {
            code: Some(code),
            reason: Some(reason),
            reconnect: Some(reconnect),
            ..Wire::new(from, "disconnected")
        },
        ClientEvent::Publication {
            channel,
            event,
            data,
            offset,
        } => Wire {
            channel: Some(channel),
            name: event,
            data: Some(data),
            offset: Some(offset),
            epoch: Some(epoch),
            ..Wire::new(from, "publication")
        },
        ClientEvent::Resync { channels, reason } => Wire {
            channels: Some(channels),
            reason: Some(reason.into()),
            ..Wire::new(from, "resync")
        },
        ClientEvent::Error { kind, message } => Wire {
            name: Some(kind.into()),
            message: Some(message),
            ..Wire::new(from, "error")
        },
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use crate::protocol::test_json::SerdeJson;
    use serde_json::{json, Value};

    fn round_trip(message: Message<Value>) -> Option<Envelope<Value>> {
        let value = serde_json::to_value(write("tab-1", message)).ok()?;
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
                event: ClientEvent::Publication {
                    channel: "ch".into(),
                    event: Some("chatMessageCreated".into()),
                    data: json!({"event": "chatMessageCreated", "data": {"id": 1}}),
                    offset: 9,
                },
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
                kind: "protocol",
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
            event: ClientEvent::Publication {
                channel: "ch".into(),
                event: None,
                data: Value::Null,
                offset: 0,
            },
            epoch: String::new(),
        };
        assert_eq!(round_trip(message.clone()).unwrap().message, message);
    }

    #[test]
    fn foreign_and_malformed_values_are_refused() {
        let good =
            serde_json::to_value(write::<Value>("t", Message::Hello { wants: false })).unwrap();
        assert!(read(&SerdeJson, good.clone()).is_some());
        let mut bad = Vec::new();
        for (key, value) in [
            ("ns", json!("other")),
            ("v", json!(2)),
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
            json!({"ns": NAMESPACE, "v": 1, "kind": "beat", "from": "t"}),
            json!({"ns": NAMESPACE, "v": 1, "kind": "resync", "from": "t", "channels": [], "reason": "x"}),
            json!({"ns": NAMESPACE, "v": 1, "kind": "error", "from": "t", "name": "x", "message": "m"}),
            json!({"ns": NAMESPACE, "v": 1, "kind": "publication", "from": "t", "channel": "c", "offset": -1, "epoch": ""}),
            json!({"ns": NAMESPACE, "v": 1, "kind": "tokens", "from": "t", "token": "a"}),
        ]);
        for value in bad {
            assert!(read(&SerdeJson, value.clone()).is_none(), "{value}");
        }
    }
}
