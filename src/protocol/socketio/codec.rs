//! Engine.IO packets, the Engine.IO handshake and Socket.IO packets, as text.
//!
//! Over WebSocket every text frame holds exactly one Engine.IO packet: a type
//! digit followed by its data (`0` open, `1` close, `2` ping, `3` pong,
//! `4` message, `5` upgrade, `6` noop). A Socket.IO packet travels as the data of
//! an Engine.IO message: a type digit, `<n>-` for binary packets, `/namespace,`
//! unless the namespace is `/`, the ack id digits, then JSON.
//!
//! The text layout is the same in Engine.IO v3 and v4 (Socket.IO v4 and v5);
//! what differs is who pings, who connects the main namespace, and the shape of
//! a connect error, which [`encode_packet`] takes from an [`EioVersion`].
//!
//! The packet header (type digit, attachments, namespace, ack id) is read as
//! text; every JSON part after it is parsed by the host's [`JsonEngine`] and
//! read field by field (the handshake, a connect payload's `sid`, a connect
//! error's message). Event and ack arguments stay the values the engine
//! built (`V`), so they reach the application without a copy; outgoing JSON
//! is written from serde shapes.
//!
//! Imports: std, serde and `protocol` only, no browser APIs. Used by the client
//! and the codec tests; the browser host takes only [`EioVersion`] from here.

use crate::protocol::json_engine::{exact_u64, JsonEngine, JsonError, Object};
use crate::text::{decimal, push_decimal};
use serde::ser::{SerializeSeq, Serializer};
use serde::Serialize;
use std::fmt;

/// A frame the server sent that the client cannot read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProtocolError {
    /// What was wrong, for logs and the `error` event. Never contains payload data.
    pub message: String,
}

impl fmt::Display for ProtocolError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl ProtocolError {
    fn new(message: impl Into<String>) -> Self {
        ProtocolError {
            message: message.into(),
        }
    }

    /// A JSON error, reported by kind only, never with frame content.
    fn json(what: &str, error: JsonError) -> Self {
        ProtocolError::new(crate::text::concat(&[
            "unreadable ",
            what,
            " (",
            error.as_str(),
            ")",
        ]))
    }
}

/// The Engine.IO protocol revision, which also fixes the Socket.IO one.
///
/// `V3` is Engine.IO v3 with Socket.IO protocol v4 (socket.io 2.x servers,
/// python-socketio 4.x); `V4` is Engine.IO v4 with Socket.IO protocol v5
/// (socket.io 3 and later, python-socketio 5 and later).
///
/// ```
/// use twin_panel::protocol::socketio::codec::EioVersion;
/// assert_eq!(EioVersion::V3.query_value(), "3");
/// assert_eq!(EioVersion::from_number(4), Some(EioVersion::V4));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EioVersion {
    /// Engine.IO 3: the client pings, the server connects `/` by itself.
    V3,
    /// Engine.IO 4: the server pings, the client sends CONNECT for every namespace.
    V4,
}

impl EioVersion {
    /// The value of the `EIO` query parameter.
    pub fn query_value(self) -> &'static str {
        match self {
            EioVersion::V3 => "3",
            EioVersion::V4 => "4",
        }
    }

    /// `3` or `4` as a version; anything else is `None`.
    pub fn from_number(n: u32) -> Option<Self> {
        match n {
            3 => Some(EioVersion::V3),
            4 => Some(EioVersion::V4),
            _ => None,
        }
    }

    /// The other version (the fallback target).
    pub fn other(self) -> Self {
        match self {
            EioVersion::V3 => EioVersion::V4,
            EioVersion::V4 => EioVersion::V3,
        }
    }
}

/// One Engine.IO packet; the `&str` is the text after the type digit.
///
/// ```
/// use twin_panel::protocol::socketio::codec::{decode_engine, encode_engine, EnginePacket};
/// assert_eq!(decode_engine("2"), Ok(EnginePacket::Ping("")));
/// assert_eq!(encode_engine(&EnginePacket::Message("42[\"a\"]")), "442[\"a\"]");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EnginePacket<'a> {
    /// `0`: the handshake JSON (see [`Handshake`]).
    Open(&'a str),
    /// `1`: the other side closes the session.
    Close(&'a str),
    /// `2`: a ping (from the server in v4, from the client in v3).
    Ping(&'a str),
    /// `3`: the answer to a ping.
    Pong(&'a str),
    /// `4`: a Socket.IO packet.
    Message(&'a str),
    /// `5`: transport upgrade (polling to WebSocket only; unused here).
    Upgrade(&'a str),
    /// `6`: no-op (polling only; ignored).
    Noop(&'a str),
}

impl EnginePacket<'_> {
    fn type_char(&self) -> char {
        match self {
            EnginePacket::Open(_) => '0',
            EnginePacket::Close(_) => '1',
            EnginePacket::Ping(_) => '2',
            EnginePacket::Pong(_) => '3',
            EnginePacket::Message(_) => '4',
            EnginePacket::Upgrade(_) => '5',
            EnginePacket::Noop(_) => '6',
        }
    }

    fn data(&self) -> &str {
        match self {
            EnginePacket::Open(d)
            | EnginePacket::Close(d)
            | EnginePacket::Ping(d)
            | EnginePacket::Pong(d)
            | EnginePacket::Message(d)
            | EnginePacket::Upgrade(d)
            | EnginePacket::Noop(d) => d,
        }
    }
}

/// Decodes one WebSocket text frame into an Engine.IO packet.
///
/// ```
/// use twin_panel::protocol::socketio::codec::{decode_engine, EnginePacket};
/// assert_eq!(decode_engine("4hello"), Ok(EnginePacket::Message("hello")));
/// assert!(decode_engine("").is_err());
/// assert!(decode_engine("{\"code\":5}").is_err());
/// ```
pub fn decode_engine(text: &str) -> Result<EnginePacket<'_>, ProtocolError> {
    let Some(&first) = text.as_bytes().first() else {
        return Err(ProtocolError::new("empty Engine.IO packet"));
    };
    // The type byte is ASCII whenever it is valid, so slicing after it is safe.
    let data = text.get(1..).unwrap_or("");
    Ok(match first {
        b'0' => EnginePacket::Open(data),
        b'1' => EnginePacket::Close(data),
        b'2' => EnginePacket::Ping(data),
        b'3' => EnginePacket::Pong(data),
        b'4' => EnginePacket::Message(data),
        b'5' => EnginePacket::Upgrade(data),
        b'6' => EnginePacket::Noop(data),
        b'b' => {
            return Err(ProtocolError::new(
                "base64 binary packets are not supported",
            ))
        }
        _ => return Err(ProtocolError::new("unknown Engine.IO packet type")),
    })
}

/// Encodes an Engine.IO packet as the text of one WebSocket frame.
pub fn encode_engine(packet: &EnginePacket<'_>) -> String {
    let data = packet.data();
    let mut text = String::with_capacity(1 + data.len());
    text.push(packet.type_char());
    text.push_str(data);
    text
}

/// The JSON of an Engine.IO open packet.
///
/// `maxPayload` is sent by v4 servers only. Missing intervals take the
/// engine.io server defaults (25 s interval, 20 s timeout).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Handshake {
    /// Engine.IO session id.
    pub sid: String,
    /// Transports the session could upgrade to (none matter over WebSocket).
    pub upgrades: Vec<String>,
    /// Heartbeat period in ms (`pingInterval`).
    pub ping_interval: u64,
    /// Heartbeat grace in ms (`pingTimeout`).
    pub ping_timeout: u64,
    /// Largest payload the server accepts, in bytes (`maxPayload`, v4 only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_payload: Option<u64>,
}

/// The engine.io server's `pingInterval` when the open packet has none, ms.
const DEFAULT_PING_INTERVAL: u64 = 25_000;
/// The engine.io server's `pingTimeout` when the open packet has none, ms.
const DEFAULT_PING_TIMEOUT: u64 = 20_000;

/// Reads the JSON of an open packet with `json`.
pub fn decode_handshake<J: JsonEngine>(json: &J, text: &str) -> Result<Handshake, ProtocolError> {
    read_handshake(json, text).map_err(|e| ProtocolError::json("open packet", e))
}

fn read_handshake<J: JsonEngine>(json: &J, text: &str) -> Result<Handshake, JsonError> {
    let open = Object::new(json, json.parse(text)?)?;
    let mut upgrades = Vec::new();
    for item in open.array("upgrades")?.unwrap_or_default() {
        upgrades.push(json.string(&item).ok_or(JsonError::Shape)?);
    }
    Ok(Handshake {
        sid: open.str("sid")?.ok_or(JsonError::Shape)?,
        upgrades,
        ping_interval: whole(open.f64("pingInterval")?)?.unwrap_or(DEFAULT_PING_INTERVAL),
        ping_timeout: whole(open.f64("pingTimeout")?)?.unwrap_or(DEFAULT_PING_TIMEOUT),
        max_payload: whole(open.f64("maxPayload")?)?,
    })
}

/// A whole, non-negative number of the handshake; one too large for a u64
/// saturates (deadlines then sit at the end of time instead of wrapping).
fn whole(n: Option<f64>) -> Result<Option<u64>, JsonError> {
    match n {
        None => Ok(None),
        // `as` saturates: 1e300 is u64::MAX.
        Some(n) if n >= 0.0 && n.fract() == 0.0 => Ok(Some(n as u64)),
        Some(_) => Err(JsonError::Shape),
    }
}

/// Writes the JSON of an open packet (the server side; for tests and tools).
pub fn encode_handshake<J: JsonEngine>(json: &J, handshake: &Handshake) -> String {
    json.write(handshake)
}

/// What a Socket.IO packet carries; `V` is the host's parsed JSON value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PacketKind<V> {
    /// `0` CONNECT: from the client, the optional auth object (v5 only); from
    /// the server, `{"sid": ...}` in v5 and nothing in v4.
    Connect {
        /// The payload (always an object), when there is one.
        payload: Option<V>,
    },
    /// `1` DISCONNECT of the namespace.
    Disconnect,
    /// `2` EVENT: `["name", arg...]`.
    Event {
        /// Ack id the sender waits for, if any.
        id: Option<u64>,
        /// Event name (a number name is kept as its decimal text).
        name: String,
        /// The arguments after the name, as the engine parsed them.
        args: Vec<V>,
    },
    /// `3` ACK: the answer to the event sent with `id`.
    Ack {
        /// Ack id.
        id: u64,
        /// The answer's arguments, as the engine parsed them.
        args: Vec<V>,
    },
    /// `4` CONNECT_ERROR: `{"message": ...}` in v5, a JSON string in v4.
    ConnectError {
        /// The server's message.
        message: String,
    },
    /// `5` BINARY_EVENT (not supported: only its header is read).
    BinaryEvent {
        /// Binary frames that follow the packet.
        attachments: u64,
        /// Ack id, if any.
        id: Option<u64>,
        /// The JSON part, with placeholders, unread.
        payload_json: String,
    },
    /// `6` BINARY_ACK (not supported: only its header is read).
    BinaryAck {
        /// Binary frames that follow the packet.
        attachments: u64,
        /// Ack id.
        id: Option<u64>,
        /// The JSON part, with placeholders, unread.
        payload_json: String,
    },
}

/// One Socket.IO packet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Packet<V> {
    /// Namespace, `/` for the main one.
    pub namespace: String,
    /// Type and payload.
    pub kind: PacketKind<V>,
}

impl<V> Packet<V> {
    /// A packet on the main namespace.
    pub fn main(kind: PacketKind<V>) -> Self {
        Packet {
            namespace: "/".into(),
            kind,
        }
    }

    /// The first argument of an EVENT or ACK, when there is one.
    pub fn first_arg(&self) -> Option<&V> {
        match &self.kind {
            PacketKind::Event { args, .. } | PacketKind::Ack { args, .. } => args.first(),
            _ => None,
        }
    }
}

/// Event names the Socket.IO v5 parser refuses: a server that receives one
/// drops the whole connection, so the client never sends them.
pub const RESERVED_EVENTS: [&str; 6] = [
    "connect",
    "connect_error",
    "disconnect",
    "disconnecting",
    "newListener",
    "removeListener",
];

/// Reads leading ASCII digits as a number; `None` when there are none.
fn leading_number(text: &str) -> Result<(Option<u64>, &str), ProtocolError> {
    let mut number: Option<u64> = None;
    let mut rest = text;
    while let Some(digit) = rest.as_bytes().first().filter(|b| b.is_ascii_digit()) {
        number = number
            .unwrap_or(0)
            .checked_mul(10)
            .and_then(|n| n.checked_add(u64::from(digit - b'0')));
        if number.is_none() {
            return Err(ProtocolError::new("Socket.IO number out of range"));
        }
        rest = rest.get(1..).unwrap_or_default();
    }
    Ok((number, rest))
}

/// Decodes the data of an Engine.IO message into a Socket.IO packet; the
/// JSON after the header is parsed and read with `json`.
///
/// Accepts both connect error forms (`44"text"` and `44{"message":"text"}`).
pub fn decode_packet<J: JsonEngine>(
    json: &J,
    text: &str,
) -> Result<Packet<J::Value>, ProtocolError> {
    let Some(&first) = text.as_bytes().first() else {
        return Err(ProtocolError::new("empty Socket.IO packet"));
    };
    if !(b'0'..=b'6').contains(&first) {
        return Err(ProtocolError::new("unknown Socket.IO packet type"));
    }
    let mut rest = text.get(1..).unwrap_or("");

    let mut attachments = 0;
    if first == b'5' || first == b'6' {
        let (count, after) = leading_number(rest)?;
        let after = after
            .strip_prefix('-')
            .ok_or_else(|| ProtocolError::new("binary packet without attachment count"))?;
        attachments =
            count.ok_or_else(|| ProtocolError::new("binary packet without attachment count"))?;
        rest = after;
    }

    let mut namespace = "/";
    if rest.starts_with('/') {
        match rest.find(',') {
            Some(comma) => {
                namespace = rest.get(..comma).unwrap_or("/");
                rest = rest.get(comma + 1..).unwrap_or("");
            }
            None => {
                namespace = rest;
                rest = "";
            }
        }
    }

    let (id, payload) = leading_number(rest)?;
    let payload = (!payload.is_empty()).then_some(payload);

    let kind = match first {
        b'0' => PacketKind::Connect {
            payload: match payload {
                None => None,
                Some(text) => Some(read_object(json, text, "CONNECT payload")?),
            },
        },
        // A payload on DISCONNECT means nothing; it is not worth a reconnect.
        b'1' => PacketKind::Disconnect,
        b'2' => {
            let text = payload.ok_or_else(|| ProtocolError::new("EVENT without arguments"))?;
            let (name, args) = read_event(json, text)?;
            PacketKind::Event { id, name, args }
        }
        b'3' => {
            let id = id.ok_or_else(|| ProtocolError::new("ACK without id"))?;
            let text = payload.ok_or_else(|| ProtocolError::new("ACK without arguments"))?;
            PacketKind::Ack {
                id,
                args: read_array(json, text, "ACK arguments")?,
            }
        }
        b'4' => PacketKind::ConnectError {
            message: payload
                .map(|text| connect_error_message(json, text))
                .unwrap_or_default(),
        },
        b'5' => PacketKind::BinaryEvent {
            attachments,
            id,
            payload_json: payload.unwrap_or("").to_owned(),
        },
        _ => PacketKind::BinaryAck {
            attachments,
            id,
            payload_json: payload.unwrap_or("").to_owned(),
        },
    };
    Ok(Packet {
        namespace: namespace.to_owned(),
        kind,
    })
}

/// Parses `text`, which must be one JSON object.
fn read_object<J: JsonEngine>(json: &J, text: &str, what: &str) -> Result<J::Value, ProtocolError> {
    let value = json.parse(text).map_err(|e| ProtocolError::json(what, e))?;
    if json.is_object(&value) {
        Ok(value)
    } else {
        Err(ProtocolError::new(crate::text::concat(&[
            what,
            " is not an object",
        ])))
    }
}

/// Parses `text`, which must be one JSON array, into its items.
fn read_array<J: JsonEngine>(
    json: &J,
    text: &str,
    what: &str,
) -> Result<Vec<J::Value>, ProtocolError> {
    json.parse(text)
        .and_then(|value| json.items(&value).ok_or(JsonError::Shape))
        .map_err(|e| ProtocolError::json(what, e))
}

/// `["name", arg...]` into the name and the remaining arguments. The name is
/// a string, or a whole number (the v5 parser takes a number too), kept as
/// its decimal text.
fn read_event<J: JsonEngine>(
    json: &J,
    text: &str,
) -> Result<(String, Vec<J::Value>), ProtocolError> {
    let mut items = read_array(json, text, "EVENT")?.into_iter();
    let Some(head) = items.next() else {
        return Err(ProtocolError::new("EVENT without a name"));
    };
    let name = match json.string(&head) {
        Some(name) => name,
        None => json
            .number(&head)
            .and_then(event_number)
            .ok_or_else(|| ProtocolError::new("EVENT name is not a string"))?,
    };
    Ok((name, items.collect()))
}

/// A whole-number event name as its decimal text.
fn event_number(n: f64) -> Option<String> {
    if n < 0.0 {
        exact_u64(-n).map(|n| crate::text::concat(&["-", &decimal(n)]))
    } else {
        exact_u64(n).map(decimal)
    }
}

/// The `sid` string of a CONNECT payload; `None` when it has none, or when
/// `sid` is not a string.
pub fn connect_sid<J: JsonEngine>(json: &J, payload: J::Value) -> Option<String> {
    let sid = json.field(&payload, "sid")?;
    json.string(&sid)
}

/// The message of a connect error in either form (a JSON string, or an object
/// with a string `message`); empty when there is none.
fn connect_error_message<J: JsonEngine>(json: &J, text: &str) -> String {
    let Ok(value) = json.parse(text) else {
        return String::new();
    };
    json.string(&value)
        .or_else(|| {
            let message = json.field(&value, "message")?;
            json.string(&message)
        })
        .unwrap_or_default()
}

/// `["name", arg...]` written as one JSON array.
struct EventArray<'a, I> {
    name: &'a str,
    args: I,
}

impl<I> Serialize for EventArray<'_, I>
where
    I: IntoIterator + Copy,
    I::Item: Serialize,
{
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut seq = serializer.serialize_seq(None)?;
        seq.serialize_element(self.name)?;
        for arg in self.args {
            seq.serialize_element(&arg)?;
        }
        seq.end()
    }
}

/// Writes the JSON part of an EVENT, `["name", arg...]`, with `json`; empty
/// when an argument cannot be written as JSON.
pub fn encode_event_json<J, I>(json: &J, name: &str, args: I) -> String
where
    J: JsonEngine,
    I: IntoIterator + Copy,
    I::Item: Serialize,
{
    json.write(&EventArray { name, args })
}

#[derive(Serialize)]
struct ErrorObject<'a> {
    message: &'a str,
}

/// Pushes `/namespace,` unless the namespace is the main one.
fn push_namespace(out: &mut String, namespace: &str) {
    if !namespace.is_empty() && namespace != "/" {
        out.push_str(namespace);
        out.push(',');
    }
}

fn push_id(out: &mut String, id: Option<u64>) {
    if let Some(id) = id {
        push_decimal(out, id);
    }
}

/// The header of a Socket.IO packet: type digit, `/namespace,` unless it is
/// the main one, then the ack id digits.
pub fn packet_header(type_digit: char, namespace: &str, id: Option<u64>) -> String {
    let mut out = String::with_capacity(8 + namespace.len());
    out.push(type_digit);
    push_namespace(&mut out, namespace);
    push_id(&mut out, id);
    out
}

/// A CONNECT of `namespace` with its optional auth `payload`, as the data of
/// an Engine.IO message (without the `4`).
///
/// The client sends only CONNECT, DISCONNECT ([`packet_header`]) and EVENT
/// ([`encode_event_json`]) packets, and encodes each with its own function:
/// [`encode_packet`] (every kind, for tests and tools) would bring the
/// server's packets into the package's wasm.
pub fn encode_connect<J: JsonEngine>(
    json: &J,
    namespace: &str,
    payload: Option<&J::Value>,
) -> String {
    let mut out = packet_header('0', namespace, None);
    if let Some(payload) = payload {
        out.push_str(&json.write(payload));
    }
    out
}

/// Encodes a Socket.IO packet as the data of an Engine.IO message (without
/// the `4`); its JSON is written with `json`.
///
/// `version` only changes the connect error form.
pub fn encode_packet<J: JsonEngine>(
    json: &J,
    packet: &Packet<J::Value>,
    version: EioVersion,
) -> String {
    let ns = packet.namespace.as_str();
    match &packet.kind {
        PacketKind::Connect { payload } => encode_connect(json, ns, payload.as_ref()),
        PacketKind::Disconnect => packet_header('1', ns, None),
        PacketKind::Event { id, name, args } => {
            let mut out = packet_header('2', ns, *id);
            out.push_str(&encode_event_json(json, name, args.as_slice()));
            out
        }
        PacketKind::Ack { id, args } => {
            let mut out = packet_header('3', ns, Some(*id));
            out.push_str(&json.write(args));
            out
        }
        PacketKind::ConnectError { message } => {
            let mut out = packet_header('4', ns, None);
            out.push_str(&match version {
                EioVersion::V3 => json.write(message),
                EioVersion::V4 => json.write(&ErrorObject { message }),
            });
            out
        }
        PacketKind::BinaryEvent {
            attachments,
            id,
            payload_json,
        }
        | PacketKind::BinaryAck {
            attachments,
            id,
            payload_json,
        } => {
            let mut out = String::new();
            out.push(if matches!(packet.kind, PacketKind::BinaryEvent { .. }) {
                '5'
            } else {
                '6'
            });
            push_decimal(&mut out, *attachments);
            out.push('-');
            push_namespace(&mut out, ns);
            push_id(&mut out, *id);
            out.push_str(payload_json);
            out
        }
    }
}

/// The WebSocket URL of a Socket.IO server.
///
/// `base` is the server origin with an optional path prefix (`https://` and
/// `http://` become `wss://` and `ws://`); `path` is the Socket.IO path
/// (socket.io-client's `path`, normally `/socket.io/`); `query` pairs are
/// appended after `EIO` and `transport`, percent-encoded ([`crate::percent::encode_component`]).
///
/// ```
/// use twin_panel::protocol::socketio::codec::{socket_url, EioVersion};
/// let url = socket_url("https://chat.example/", "/socket.io/", EioVersion::V4, &[("sessionId".into(), "a b&c".into())]);
/// assert_eq!(url, "wss://chat.example/socket.io/?EIO=4&transport=websocket&sessionId=a%20b%26c");
/// ```
pub fn socket_url(
    base: &str,
    path: &str,
    version: EioVersion,
    query: &[(String, String)],
) -> String {
    let base = base.trim().trim_end_matches('/');
    let mut url = String::with_capacity(base.len() + path.len() + 40);
    if let Some(rest) = base.strip_prefix("https://") {
        url.push_str("wss://");
        url.push_str(rest);
    } else if let Some(rest) = base.strip_prefix("http://") {
        url.push_str("ws://");
        url.push_str(rest);
    } else {
        url.push_str(base);
    }
    if !path.starts_with('/') {
        url.push('/');
    }
    url.push_str(path);
    url.push_str("?EIO=");
    url.push_str(version.query_value());
    url.push_str("&transport=websocket");
    for (key, value) in query {
        url.push('&');
        crate::percent::encode_component(key, &mut url);
        url.push('=');
        crate::percent::encode_component(value, &mut url);
    }
    url
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use crate::protocol::test_json::SerdeJson;
    use serde_json::{json, Value};

    fn decode(text: &str) -> Result<Packet<Value>, ProtocolError> {
        decode_packet(&SerdeJson, text)
    }

    fn encode(packet: &Packet<Value>, version: EioVersion) -> String {
        encode_packet(&SerdeJson, packet, version)
    }

    #[test]
    fn namespace_without_comma_takes_the_rest() {
        let p = decode("1/admin").unwrap();
        assert_eq!(p.namespace, "/admin");
        assert_eq!(p.kind, PacketKind::Disconnect);
    }

    #[test]
    fn event_names_may_be_integers_and_arguments_stay_values() {
        let p = decode(r#"2[ 7 , {"a": 1} , "x" ]"#).unwrap();
        assert_eq!(
            p.kind,
            PacketKind::Event {
                id: None,
                name: "7".into(),
                args: vec![json!({"a": 1}), json!("x")],
            }
        );
        assert_eq!(p.first_arg(), Some(&json!({"a": 1})));
        assert_eq!(
            decode("2[-3]").unwrap().kind,
            PacketKind::Event {
                id: None,
                name: "-3".into(),
                args: vec![]
            }
        );
        for bad in ["2[1.5]", "2[true]", "2[null]", "2[{}]", "2[[\"x\"]]"] {
            assert_eq!(
                decode(bad).unwrap_err().message,
                "EVENT name is not a string",
                "{bad}"
            );
        }
        assert_eq!(decode("2[]").unwrap_err().message, "EVENT without a name");
        assert_eq!(
            decode("2{}").unwrap_err().message,
            "unreadable EVENT (unexpected field types)"
        );
        assert_eq!(
            decode("2[").unwrap_err().message,
            "unreadable EVENT (not JSON)"
        );
    }

    #[test]
    fn escaped_names_are_unescaped_and_reescaped() {
        let p = decode(r#"2["a\"b\u0041"]"#).unwrap();
        assert!(matches!(&p.kind, PacketKind::Event { name, .. } if name == "a\"bA"));
        assert_eq!(encode(&p, EioVersion::V4), r#"2["a\"bA"]"#);
    }

    #[test]
    fn events_and_acks_are_written_as_one_array() {
        let event = Packet {
            namespace: "/w".into(),
            kind: PacketKind::Event {
                id: Some(7),
                name: "typing".into(),
                args: vec![json!({}), json!([1, "2"])],
            },
        };
        assert_eq!(
            encode(&event, EioVersion::V4),
            r#"2/w,7["typing",{},[1,"2"]]"#
        );
        let ack = Packet::main(PacketKind::Ack {
            id: 3,
            args: vec![json!(null)],
        });
        assert_eq!(encode(&ack, EioVersion::V3), "33[null]");
        assert_eq!(
            encode_event_json(&SerdeJson, "x", None::<&Value>),
            r#"["x"]"#
        );
    }

    #[test]
    fn huge_ids_are_errors() {
        assert!(decode("399999999999999999999999[]").is_err());
        assert!(decode("599999999999999999999999-[]").is_err());
    }

    #[test]
    fn connect_payloads_must_be_objects_and_give_their_string_sid() {
        for bad in ["0[]", r#"0["sid"]"#, "0\"x\"", "0true", "0null", "0{"] {
            assert!(decode(bad).is_err(), "{bad}");
        }
        let sid = |text: &str| connect_sid(&SerdeJson, SerdeJson.parse(text).unwrap());
        assert_eq!(
            sid(r#"{"sid":"s-1","x":[1,{"sid":2}]}"#).as_deref(),
            Some("s-1")
        );
        assert_eq!(sid(r#"{"sid":5}"#), None);
        assert_eq!(sid(r#"{"sid":{"a":"b"}}"#), None);
        assert_eq!(sid("{}"), None);
        assert_eq!(sid(r#"["s"]"#), None);
    }

    #[test]
    fn connect_errors_are_read_in_both_forms() {
        let message = |text: &str| match decode(text).unwrap().kind {
            PacketKind::ConnectError { message } => message,
            other => panic!("{other:?}"),
        };
        assert_eq!(message(r#"4"refused""#), "refused");
        assert_eq!(message(r#"4{"message":"bad","data":{"x":1}}"#), "bad");
        assert_eq!(message(r#"4{"data":[1],"message":"late"}"#), "late");
        // Anything else reads as no message (the client then says "refused").
        for none in [
            "4",
            r#"4{"message":5}"#,
            r#"4{"message":null}"#,
            "4[\"m\"]",
            "47",
            "4{",
        ] {
            assert_eq!(message(none), "", "{none}");
        }
    }

    #[test]
    fn connect_errors_are_written_in_the_form_of_each_version() {
        let err = Packet::main(PacketKind::ConnectError {
            message: "b\"ad".into(),
        });
        assert_eq!(encode(&err, EioVersion::V3), r#"4"b\"ad""#);
        assert_eq!(encode(&err, EioVersion::V4), r#"4{"message":"b\"ad"}"#);
    }
}
