//! Frames to replies, commands to frames.
//!
//! One WebSocket text message holds one or more JSON objects separated by
//! `\n`. The host's [`JsonEngine`] parses each line; the serde structs below
//! read the envelope out of it, and publication payloads (`V`) stay the values
//! the engine built, so they reach the application without a copy.
//!
//! The wire shapes follow the Centrifuge client protocol v2 (JSON): unknown
//! fields are ignored, a missing field takes its default.
//!
//! Imports: std, serde and `protocol` only, no browser APIs. Used by the client
//! and the codec tests; the browser host does not read frames itself. Over
//! 500 lines only with its unit tests (the last 180).

use crate::protocol::json_engine::{JsonEngine, JsonError};
use serde::de::{self, Deserializer, Visitor};
use serde::ser::{SerializeMap, Serializer};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

/// A frame the server sent that the client cannot read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProtocolError {
    /// What was wrong, for logs and the `error` event. Never contains payload data.
    pub message: &'static str,
}

impl fmt::Display for ProtocolError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message)
    }
}

impl From<JsonError> for ProtocolError {
    fn from(e: JsonError) -> Self {
        ProtocolError {
            message: match e {
                JsonError::Syntax => "unreadable reply (not JSON)",
                JsonError::Shape => "unreadable reply (unexpected field types)",
            },
        }
    }
}

/// The largest offset a JS number holds exactly (2^53 - 1).
pub const MAX_EXACT_OFFSET: u64 = (1 << 53) - 1;

/// A stream offset as the wire gave it: uint64 in the protocol, but a JS
/// number is exact only up to [`MAX_EXACT_OFFSET`]. A larger one is kept as
/// `None` and refused when the reply is read, never rounded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WireOffset(Option<u64>);

impl Default for WireOffset {
    /// No offset: 0, as for a channel without history.
    fn default() -> Self {
        WireOffset(Some(0))
    }
}

impl WireOffset {
    /// An exact offset.
    pub fn exact(offset: u64) -> Self {
        WireOffset((offset <= MAX_EXACT_OFFSET).then_some(offset))
    }

    fn get(self) -> Result<u64, ProtocolError> {
        self.0.ok_or(ProtocolError {
            message: "an offset above 2^53 cannot be read exactly",
        })
    }
}

impl<'de> Deserialize<'de> for WireOffset {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct OffsetVisitor;
        impl Visitor<'_> for OffsetVisitor {
            type Value = WireOffset;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an offset")
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<WireOffset, E> {
                Ok(WireOffset::exact(v))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<WireOffset, E> {
                u64::try_from(v)
                    .map(WireOffset::exact)
                    .map_err(|_| E::custom("negative offset"))
            }
            // The browser's parser gives a number past 2^53 as a float.
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<WireOffset, E> {
                if v >= 0.0 && v.fract() == 0.0 {
                    // Whole and at most 2^53 - 1 is exact (`5.0`, `1e3`).
                    Ok(if v <= MAX_EXACT_OFFSET as f64 {
                        WireOffset::exact(v as u64)
                    } else {
                        WireOffset(None)
                    })
                } else {
                    Err(E::custom("offset is not a whole number"))
                }
            }
        }
        // Asked for as a number: in the browser one call into JS (the value
        // as f64) instead of the five type probes of `deserialize_any`;
        // serde_json still hands over an integer as one.
        deserializer.deserialize_f64(OffsetVisitor)
    }
}

/// An error object in a reply: `{"code", "message", "temporary"}`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct ServerError {
    /// Centrifuge error code (100–399 server, 400–1999 application).
    pub code: u32,
    /// Human-readable text from the server.
    #[serde(default)]
    pub message: String,
    /// The server says a retry may succeed.
    #[serde(default)]
    pub temporary: bool,
}

/// One publication as the wire has it.
#[derive(Debug, Clone, Deserialize)]
pub struct WirePublication<V> {
    /// The payload, as the engine parsed it.
    pub data: V,
    /// Position in the channel stream; absent when the channel keeps no history.
    #[serde(default)]
    pub offset: WireOffset,
}

/// One publication: the payload and its stream offset (0 when absent).
#[derive(Debug, Clone)]
pub struct Publication<V> {
    /// The payload, as the engine parsed it.
    pub data: V,
    /// Position in the channel stream; 0 when the channel keeps no history.
    pub offset: u64,
}

impl<V> WirePublication<V> {
    fn read(self) -> Result<Publication<V>, ProtocolError> {
        Ok(Publication {
            data: self.data,
            offset: self.offset.get()?,
        })
    }
}

/// The state of one server-side subscription, as the wire has it.
#[derive(Debug, Clone, Deserialize)]
pub struct WireSubscribeResult<V> {
    #[serde(default)]
    recoverable: bool,
    #[serde(default)]
    epoch: String,
    #[serde(default)]
    offset: WireOffset,
    #[serde(default)]
    was_recovering: bool,
    #[serde(default)]
    recovered: bool,
    #[serde(default = "Vec::new")]
    publications: Vec<WirePublication<V>>,
}

/// The state of one server-side subscription, from a connect reply or a `subscribe` push.
#[derive(Debug, Clone)]
pub struct SubscribeResult<V> {
    /// The server keeps history for this channel, so gaps can be recovered.
    pub recoverable: bool,
    /// Stream epoch; a new epoch means the old history is gone.
    pub epoch: String,
    /// Stream offset.
    pub offset: u64,
    /// The client asked to recover this channel.
    pub was_recovering: bool,
    /// Every missed publication is in `publications`.
    pub recovered: bool,
    /// Missed publications, in order.
    pub publications: Vec<Publication<V>>,
}

impl<V> Default for SubscribeResult<V> {
    fn default() -> Self {
        SubscribeResult {
            recoverable: false,
            epoch: String::new(),
            offset: 0,
            was_recovering: false,
            recovered: false,
            publications: Vec::new(),
        }
    }
}

impl<V> WireSubscribeResult<V> {
    fn read(self) -> Result<SubscribeResult<V>, ProtocolError> {
        Ok(SubscribeResult {
            recoverable: self.recoverable,
            epoch: self.epoch,
            offset: self.offset.get()?,
            was_recovering: self.was_recovering,
            recovered: self.recovered,
            publications: self
                .publications
                .into_iter()
                .map(WirePublication::read)
                .collect::<Result<_, _>>()?,
        })
    }
}

#[derive(Debug, Deserialize)]
struct WireConnectResult<V> {
    #[serde(default)]
    client: String,
    #[serde(default)]
    version: String,
    #[serde(default = "BTreeMap::new")]
    subs: BTreeMap<String, WireSubscribeResult<V>>,
    #[serde(default)]
    ping: u32,
    #[serde(default)]
    pong: bool,
}

/// The result of a `connect` command.
#[derive(Debug)]
pub struct ConnectResult<V> {
    /// Client id the server gave this connection.
    pub client: String,
    /// Server version string.
    pub version: String,
    /// Server-side subscriptions by channel name.
    pub subs: BTreeMap<String, SubscribeResult<V>>,
    /// Server ping interval in seconds; 0 = the server does not ping.
    pub ping: u32,
    /// The client must answer each ping with one pong.
    pub pong: bool,
}

impl<V> Default for ConnectResult<V> {
    fn default() -> Self {
        ConnectResult {
            client: String::new(),
            version: String::new(),
            subs: BTreeMap::new(),
            ping: 0,
            pong: false,
        }
    }
}

/// `{"code", "reason"}` of an `unsubscribe` or `disconnect` push.
#[derive(Debug, Default, Clone, Deserialize)]
pub struct CodeReason {
    /// Numeric code.
    #[serde(default)]
    pub code: u32,
    /// Short text.
    #[serde(default)]
    pub reason: String,
}

#[derive(Debug, Deserialize)]
struct WireMessage<V> {
    data: V,
}

/// What every line is read for first: nearly every line is a publication
/// push, and serde-wasm-bindgen looks each declared field up in JS (two
/// calls for an absent one), so this read declares only what that case
/// needs. Anything else is read a second time as a [`WireRest`].
#[derive(Debug, Deserialize)]
struct WireLine<V> {
    #[serde(default)]
    id: u32,
    #[serde(default = "none")]
    push: Option<WirePushHead<V>>,
}

#[derive(Debug, Deserialize)]
struct WirePushHead<V> {
    #[serde(default)]
    channel: String,
    #[serde(default = "none", rename = "pub")]
    publication: Option<WirePublication<V>>,
}

/// The rest of a line that is not a publication: a command's result or
/// error, or a push of another kind.
#[derive(Debug, Deserialize)]
struct WireRest<V> {
    #[serde(default)]
    error: Option<ServerError>,
    #[serde(default = "none")]
    connect: Option<WireConnectResult<V>>,
    #[serde(default = "none")]
    push: Option<WirePushRest<V>>,
}

#[derive(Debug, Deserialize)]
struct WirePushRest<V> {
    #[serde(default = "none")]
    subscribe: Option<WireSubscribeResult<V>>,
    #[serde(default)]
    unsubscribe: Option<CodeReason>,
    #[serde(default)]
    disconnect: Option<CodeReason>,
    #[serde(default = "none")]
    message: Option<WireMessage<V>>,
}

fn none<T>() -> Option<T> {
    None
}

/// A server-initiated message.
#[derive(Debug)]
pub enum Push<V> {
    /// A publication on `channel`.
    Publication {
        /// Channel name.
        channel: String,
        /// The publication.
        publication: Publication<V>,
    },
    /// The server subscribed this connection to `channel` at run time.
    Subscribe {
        /// Channel name.
        channel: String,
        /// Its stream state.
        result: SubscribeResult<V>,
    },
    /// The server removed the subscription to `channel`.
    Unsubscribe {
        /// Channel name.
        channel: String,
        /// Why.
        detail: CodeReason,
    },
    /// The server asks the client to disconnect (transports without close frames).
    Disconnect(CodeReason),
    /// An async message without a channel (`Client.Send` on the server).
    Message {
        /// The payload, as the engine parsed it.
        data: V,
    },
    /// A push kind this client does not use (join, leave, connect, refresh, ...).
    Other,
}

/// One decoded reply line.
#[derive(Debug)]
pub enum Reply<V> {
    /// `{}`: a server ping.
    Ping,
    /// A successful `connect` reply.
    Connect {
        /// Command id it answers.
        id: u32,
        /// The result.
        result: ConnectResult<V>,
    },
    /// An error reply to command `id`.
    Error {
        /// Command id it answers.
        id: u32,
        /// The error.
        error: ServerError,
    },
    /// A reply to a command this client never sends; ignored.
    OtherResult {
        /// Command id it answers.
        id: u32,
    },
    /// A push.
    Push(Push<V>),
}

impl<V> WireRest<V> {
    /// What the line means, given its `id` and push `channel` from the
    /// first read; an offset that cannot be read exactly is an error.
    fn read(self, id: u32, channel: String) -> Result<Reply<V>, ProtocolError> {
        if id > 0 {
            return Ok(match (self.error, self.connect) {
                (Some(error), _) => Reply::Error { id, error },
                (None, Some(result)) => {
                    // Inserted one by one: collecting into a BTreeMap would sort
                    // what is already sorted and ship a stable sort (~3 KB of wasm).
                    let mut subs = BTreeMap::new();
                    for (name, sub) in result.subs {
                        subs.insert(name, sub.read()?);
                    }
                    Reply::Connect {
                        id,
                        result: ConnectResult {
                            client: result.client,
                            version: result.version,
                            subs,
                            ping: result.ping,
                            pong: result.pong,
                        },
                    }
                }
                (None, None) => Reply::OtherResult { id },
            });
        }
        let Some(push) = self.push else {
            return Ok(Reply::Ping);
        };
        Ok(Reply::Push(if let Some(result) = push.subscribe {
            Push::Subscribe {
                channel,
                result: result.read()?,
            }
        } else if let Some(detail) = push.unsubscribe {
            Push::Unsubscribe { channel, detail }
        } else if let Some(detail) = push.disconnect {
            Push::Disconnect(detail)
        } else if let Some(message) = push.message {
            Push::Message { data: message.data }
        } else {
            Push::Other
        }))
    }
}

/// Reads one parsed reply line.
pub fn read_reply<J: JsonEngine>(
    json: &J,
    line: J::Value,
) -> Result<Reply<J::Value>, ProtocolError> {
    let head: WireLine<J::Value> = json.read(line.clone())?;
    let channel = match head.push {
        Some(WirePushHead {
            channel,
            publication: Some(publication),
        }) if head.id == 0 => {
            return Ok(Reply::Push(Push::Publication {
                channel,
                publication: publication.read()?,
            }))
        }
        Some(push) => push.channel,
        None => String::new(),
    };
    json.read::<WireRest<J::Value>>(line)?
        .read(head.id, channel)
}

/// Splits a WebSocket text message into its JSON lines (empty lines skipped).
pub fn split_frame(text: &str) -> impl Iterator<Item = &str> {
    text.split('\n').filter(|line| !line.trim().is_empty())
}

/// Parses every line of a text frame with `json` (hosts that hold the text).
pub fn parse_frame<'a, J: JsonEngine>(
    json: &'a J,
    text: &'a str,
) -> impl Iterator<Item = Result<J::Value, JsonError>> + 'a {
    split_frame(text).map(move |line| json.parse(line))
}

/// Where to resume one channel: `{"recover": true, "epoch", "offset"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RecoverRequest<'a> {
    /// Always true.
    pub recover: bool,
    /// Last epoch seen.
    pub epoch: &'a str,
    /// Last offset delivered.
    pub offset: u64,
}

/// Recovery requests by channel, written as one JSON object.
struct Subs<'a>(&'a [(&'a str, RecoverRequest<'a>)]);

impl Serialize for Subs<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (channel, request) in self.0 {
            map.serialize_entry(channel, request)?;
        }
        map.end()
    }
}

#[derive(Serialize)]
struct ConnectSettings<'a> {
    token: &'a str,
}

#[derive(Serialize)]
struct ConnectData<'a> {
    application: &'static str,
    settings: ConnectSettings<'a>,
}

#[derive(Serialize)]
struct ConnectRequest<'a> {
    data: ConnectData<'a>,
    name: &'a str,
    version: &'a str,
    #[serde(skip_serializing_if = "Subs::is_empty")]
    subs: Subs<'a>,
}

impl Subs<'_> {
    fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

#[derive(Serialize)]
struct ConnectCommand<'a> {
    id: u32,
    connect: ConnectRequest<'a>,
}

/// What a `connect` command carries.
#[derive(Debug, Clone, Copy)]
pub struct ConnectFields<'a> {
    /// Command id.
    pub id: u32,
    /// The operator's access token.
    pub token: &'a str,
    /// Client name.
    pub name: &'a str,
    /// Client version.
    pub version: &'a str,
    /// Channels to resume, in the order given.
    pub subs: &'a [(&'a str, RecoverRequest<'a>)],
}

/// Encodes the `connect` command TWIN expects: the operator token travels in
/// `data.settings.token` (the platform's own integration page), not as a
/// Centrifugo connection token. The `subs` key is left out when there are none.
pub fn encode_connect<J: JsonEngine>(json: &J, fields: ConnectFields<'_>) -> String {
    json.write(&ConnectCommand {
        id: fields.id,
        connect: ConnectRequest {
            data: ConnectData {
                application: "notifications",
                settings: ConnectSettings {
                    token: fields.token,
                },
            },
            name: fields.name,
            version: fields.version,
            subs: Subs(fields.subs),
        },
    })
}

/// The pong frame: an empty command.
pub const PONG: &str = "{}";

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use crate::protocol::test_json::SerdeJson;

    fn decode(line: &str) -> Result<Reply<serde_json::Value>, ProtocolError> {
        read_reply(&SerdeJson, SerdeJson.parse(line)?)
    }

    #[test]
    fn splits_several_objects_on_newlines() {
        let text = "{}\n{\"push\":{\"channel\":\"a\",\"pub\":{\"data\":{\"x\":1},\"offset\":3}}}\n";
        let replies: Vec<_> = parse_frame(&SerdeJson, text)
            .map(|l| read_reply(&SerdeJson, l.unwrap()).unwrap())
            .collect();
        assert_eq!(replies.len(), 2);
        assert!(matches!(replies[0], Reply::Ping));
        match &replies[1] {
            Reply::Push(Push::Publication {
                channel,
                publication,
            }) => {
                assert_eq!(channel, "a");
                assert_eq!(publication.data, serde_json::json!({"x": 1}));
                assert_eq!(publication.offset, 3);
            }
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn decodes_connect_reply_with_server_side_subscriptions() {
        let line = r#"{"id":1,"connect":{"client":"c1","version":"1.0.0","subs":{"operator:389":{"recoverable":true,"positioned":true,"epoch":"kQxT","offset":17}},"ping":25,"pong":true,"unknown":[1,2]}}"#;
        match decode(line).unwrap() {
            Reply::Connect { id, result } => {
                assert_eq!(id, 1);
                assert_eq!(result.client, "c1");
                assert_eq!(result.ping, 25);
                assert!(result.pong);
                let sub = &result.subs["operator:389"];
                assert!(sub.recoverable);
                assert_eq!(sub.epoch, "kQxT");
                assert_eq!(sub.offset, 17);
            }
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn decodes_error_reply() {
        match decode(r#"{"id":1,"error":{"code":109,"message":"token expired"}}"#).unwrap() {
            Reply::Error { id, error } => {
                assert_eq!(id, 1);
                assert_eq!(error.code, 109);
                assert!(!error.temporary);
            }
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn decodes_recovered_publications_in_order() {
        let line = r#"{"id":1,"connect":{"client":"c","subs":{"ch":{"recoverable":true,"epoch":"e","offset":19,"recovered":true,"was_recovering":true,"publications":[{"data":{"n":20},"offset":20},{"data":{"n":21},"offset":21}]}}}}"#;
        let Reply::Connect { result, .. } = decode(line).unwrap() else {
            panic!("not a connect reply")
        };
        let sub = &result.subs["ch"];
        assert!(sub.recovered && sub.was_recovering);
        let offsets: Vec<u64> = sub.publications.iter().map(|p| p.offset).collect();
        assert_eq!(offsets, vec![20, 21]);
    }

    #[test]
    fn decodes_runtime_subscribe_unsubscribe_and_disconnect_pushes() {
        let sub = decode(
            r#"{"push":{"channel":"x","subscribe":{"recoverable":true,"epoch":"e","offset":4}}}"#,
        )
        .unwrap();
        assert!(
            matches!(sub, Reply::Push(Push::Subscribe { ref channel, ref result }) if channel == "x" && result.offset == 4)
        );
        let unsub =
            decode(r#"{"push":{"channel":"x","unsubscribe":{"code":2000,"reason":"server"}}}"#)
                .unwrap();
        assert!(
            matches!(unsub, Reply::Push(Push::Unsubscribe { ref detail, .. }) if detail.code == 2000)
        );
        let disc = decode(r#"{"push":{"disconnect":{"code":3001,"reason":"shutdown"}}}"#).unwrap();
        assert!(matches!(disc, Reply::Push(Push::Disconnect(ref d)) if d.code == 3001));
        let join = decode(r#"{"push":{"channel":"x","join":{"info":{}}}}"#).unwrap();
        assert!(matches!(join, Reply::Push(Push::Other)));
        let message = decode(r#"{"push":{"message":{"data":{"note":1}}}}"#).unwrap();
        assert!(matches!(message, Reply::Push(Push::Message { .. })));
    }

    #[test]
    fn wrong_types_and_truncated_json_are_errors() {
        assert!(decode(r#"{"id":"one"}"#).is_err());
        assert!(decode(r#"{"push":{"channel":"a","pub":{"data":{},"offset":"7"}}}"#).is_err());
        assert!(decode(r#"{"push":{"channel":"a","pub":{"data":{"#).is_err());
        assert!(decode(r#"{"push":{"channel":"a","pub":{"offset":1}}}"#).is_err());
        assert!(decode("garbage").is_err());
        assert!(decode("[1,2]").is_err());
    }

    #[test]
    fn offsets_are_exact_up_to_2_53_and_refused_above() {
        let at = |offset: &str| {
            decode(&format!(
                r#"{{"push":{{"channel":"a","pub":{{"data":1,"offset":{offset}}}}}}}"#
            ))
        };
        match at("9007199254740991").unwrap() {
            Reply::Push(Push::Publication { publication, .. }) => {
                assert_eq!(publication.offset, MAX_EXACT_OFFSET)
            }
            other => panic!("unexpected {other:?}"),
        }
        for too_large in [
            "9007199254740992",
            "9007199254740993",
            "18446744073709551615",
            "1e300",
        ] {
            let error = at(too_large).unwrap_err();
            assert!(error.message.contains("2^53"), "{too_large}: {error}");
        }
        assert!(at("-1").is_err());
        assert!(at("1.5").is_err());
        let sub = r#"{"id":1,"connect":{"subs":{"a":{"offset":9007199254740993}}}}"#;
        assert!(decode(sub).is_err());
    }

    #[test]
    fn odd_payloads_are_kept_as_parsed() {
        let nested = format!("{}1{}", "[".repeat(100), "]".repeat(100));
        let line = format!(r#"{{"push":{{"channel":"a","pub":{{"data":{nested},"offset":2}}}}}}"#);
        assert!(matches!(
            decode(&line).unwrap(),
            Reply::Push(Push::Publication { .. })
        ));
    }

    #[test]
    fn only_an_object_names_an_event() {
        let json = SerdeJson;
        let name = |text: &str| json.event_name(&json.parse(text).unwrap());
        assert_eq!(name(r#"["operatorBlocked"]"#), None);
        assert_eq!(name(r#"{"event":5}"#), None);
        assert_eq!(name(r#""text""#), None);
        assert_eq!(
            name(r#"{"event":"operatorBlocked"}"#).as_deref(),
            Some("operatorBlocked")
        );
    }

    #[test]
    fn connect_with_and_without_recovery_positions() {
        let subs = [(
            "operator:389",
            RecoverRequest {
                recover: true,
                epoch: "kQxT",
                offset: 19,
            },
        )];
        let mut fields = ConnectFields {
            id: 3,
            token: "t\"k",
            name: "twin-panel",
            version: "0.1.0",
            subs: &subs,
        };
        assert_eq!(
            encode_connect(&SerdeJson, fields),
            r#"{"id":3,"connect":{"data":{"application":"notifications","settings":{"token":"t\"k"}},"name":"twin-panel","version":"0.1.0","subs":{"operator:389":{"recover":true,"epoch":"kQxT","offset":19}}}}"#
        );
        fields.subs = &[];
        assert_eq!(
            encode_connect(&SerdeJson, fields),
            r#"{"id":3,"connect":{"data":{"application":"notifications","settings":{"token":"t\"k"}},"name":"twin-panel","version":"0.1.0"}}"#
        );
    }
}
