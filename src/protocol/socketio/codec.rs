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
//! Payloads stay raw JSON text: the browser's `JSON.parse` builds the JS objects.

use crate::protocol::json::{self, fields, ErrorKind, Value};
use std::borrow::Cow;
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

    /// A JSON error, reported by kind and column only, never with frame content.
    fn json(what: &str, error: json::Error) -> Self {
        let kind = match error.kind {
            ErrorKind::Eof => "Eof",
            kind if kind.is_syntax() => "Syntax",
            _ => "Data",
        };
        ProtocolError::new(format!(
            "unreadable {what} ({kind} error at column {})",
            error.at + 1
        ))
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
#[derive(Debug, Clone, PartialEq, Eq)]
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
    pub max_payload: Option<u64>,
}

/// Reads the JSON of an open packet.
///
/// ```
/// use twin_panel::protocol::socketio::codec::decode_handshake;
/// let h = decode_handshake(r#"{"sid":"abc","upgrades":[],"pingInterval":25000,"pingTimeout":5000}"#).unwrap();
/// assert_eq!((h.sid.as_str(), h.ping_interval, h.ping_timeout, h.max_payload), ("abc", 25_000, 5_000, None));
/// ```
pub fn decode_handshake(json: &str) -> Result<Handshake, ProtocolError> {
    read_handshake(json).map_err(|e| ProtocolError::json("open packet", e))
}

fn read_handshake(text: &str) -> Result<Handshake, json::Error> {
    let value = Value::parse(text)?;
    let [sid, upgrades, ping_interval, ping_timeout, max_payload] = fields(
        value,
        [
            "sid",
            "upgrades",
            "pingInterval",
            "pingTimeout",
            "maxPayload",
        ],
    )?;
    let mut list = Vec::new();
    if let Some(upgrades) = upgrades {
        if !upgrades.is_array() {
            return Err(upgrades.error(ErrorKind::Type));
        }
        for upgrade in upgrades.items() {
            list.push(upgrade.to_str()?.into_owned());
        }
    }
    Ok(Handshake {
        sid: sid
            .ok_or(value.error(ErrorKind::Missing))?
            .to_str()?
            .into_owned(),
        upgrades: list,
        ping_interval: ping_interval.map_or(Ok(25_000), Value::to_u64)?,
        ping_timeout: ping_timeout.map_or(Ok(20_000), Value::to_u64)?,
        max_payload: max_payload
            .filter(|v| !v.is_null())
            .map(Value::to_u64)
            .transpose()?,
    })
}

/// Writes the JSON of an open packet (the server side; for tests and tools).
pub fn encode_handshake(handshake: &Handshake) -> String {
    let mut out = String::from("{\"sid\":");
    json::push_string(&mut out, &handshake.sid);
    out.push_str(",\"upgrades\":[");
    for (n, upgrade) in handshake.upgrades.iter().enumerate() {
        if n > 0 {
            out.push(',');
        }
        json::push_string(&mut out, upgrade);
    }
    out.push_str("],\"pingInterval\":");
    json::push_u64(&mut out, handshake.ping_interval);
    out.push_str(",\"pingTimeout\":");
    json::push_u64(&mut out, handshake.ping_timeout);
    if let Some(max) = handshake.max_payload {
        out.push_str(",\"maxPayload\":");
        json::push_u64(&mut out, max);
    }
    out.push('}');
    out
}

/// What a Socket.IO packet carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PacketKind {
    /// `0` CONNECT: from the client, the optional auth object (v5 only); from
    /// the server, `{"sid": ...}` in v5 and nothing in v4.
    Connect {
        /// The payload as JSON text, when there is one.
        payload_json: Option<String>,
    },
    /// `1` DISCONNECT of the namespace.
    Disconnect,
    /// `2` EVENT: `["name", arg...]`.
    Event {
        /// Ack id the sender waits for, if any.
        id: Option<u64>,
        /// Event name.
        name: String,
        /// The arguments after the name, as a JSON array (`[]` when none).
        args_json: String,
    },
    /// `3` ACK: the answer to the event sent with `id`.
    Ack {
        /// Ack id.
        id: u64,
        /// The answer's arguments, as a JSON array.
        args_json: String,
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
///
/// ```
/// use twin_panel::protocol::socketio::codec::{decode_packet, PacketKind};
/// let p = decode_packet(r#"2["chatMessageCreatedEmit",{"id":"m"}]"#).unwrap();
/// assert_eq!(p.namespace, "/");
/// assert!(matches!(&p.kind, PacketKind::Event { name, id: None, .. } if name == "chatMessageCreatedEmit"));
/// assert_eq!(p.first_arg_json(), r#"{"id":"m"}"#);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Packet {
    /// Namespace, `/` for the main one.
    pub namespace: String,
    /// Type and payload.
    pub kind: PacketKind,
}

impl Packet {
    /// A packet on the main namespace.
    pub fn main(kind: PacketKind) -> Self {
        Packet {
            namespace: "/".into(),
            kind,
        }
    }

    /// The first argument of an EVENT or ACK as raw JSON, `null` when there is none.
    pub fn first_arg_json(&self) -> &str {
        match &self.kind {
            PacketKind::Event { args_json, .. } | PacketKind::Ack { args_json, .. } => {
                first_arg_json(args_json)
            }
            _ => "null",
        }
    }
}

/// The first element of a JSON array as raw JSON text; `null` when the array is
/// empty or the text is not an array.
///
/// ```
/// use twin_panel::protocol::socketio::codec::first_arg_json;
/// assert_eq!(first_arg_json(r#"[{"a":1}, 2]"#), r#"{"a":1}"#);
/// assert_eq!(first_arg_json("[]"), "null");
/// ```
pub fn first_arg_json(args_json: &str) -> &str {
    Value::parse(args_json)
        .ok()
        .filter(|args| args.is_array())
        .and_then(|args| args.items().next())
        .map_or("null", Value::raw)
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

/// Decodes the data of an Engine.IO message into a Socket.IO packet.
///
/// Accepts both connect error forms (`44"text"` and `44{"message":"text"}`).
///
/// ```
/// use twin_panel::protocol::socketio::codec::{decode_packet, PacketKind};
/// let p = decode_packet(r#"2/admin,5["x"]"#).unwrap();
/// assert_eq!(p.namespace, "/admin");
/// assert!(matches!(p.kind, PacketKind::Event { id: Some(5), .. }));
/// assert!(decode_packet("2{").is_err());
/// ```
pub fn decode_packet(text: &str) -> Result<Packet, ProtocolError> {
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
            payload_json: match payload {
                None => None,
                Some(json) => Some(object_json(json, "CONNECT payload")?),
            },
        },
        // A payload on DISCONNECT means nothing; it is not worth a reconnect.
        b'1' => PacketKind::Disconnect,
        b'2' => {
            let json = payload.ok_or_else(|| ProtocolError::new("EVENT without arguments"))?;
            let (name, args_json) = split_event(json)?;
            PacketKind::Event {
                id,
                name,
                args_json,
            }
        }
        b'3' => {
            let id = id.ok_or_else(|| ProtocolError::new("ACK without id"))?;
            let json = payload.ok_or_else(|| ProtocolError::new("ACK without arguments"))?;
            PacketKind::Ack {
                id,
                args_json: array_json(json)?,
            }
        }
        b'4' => PacketKind::ConnectError {
            message: connect_error_message(payload.unwrap_or("")),
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

/// Checks that `text` is one JSON object and returns it trimmed.
fn object_json(text: &str, what: &str) -> Result<String, ProtocolError> {
    let value = Value::parse(text).map_err(|e| ProtocolError::json(what, e))?;
    if value.is_object() {
        Ok(value.raw().to_owned())
    } else {
        Err(ProtocolError::new(format!("{what} is not an object")))
    }
}

/// The items of the JSON array `text`.
fn array_items<'a>(text: &'a str, what: &str) -> Result<json::Items<'a>, ProtocolError> {
    let value = Value::parse(text).map_err(|e| ProtocolError::json(what, e))?;
    if value.is_array() {
        Ok(value.items())
    } else {
        Err(ProtocolError::json(what, value.error(ErrorKind::Type)))
    }
}

/// Re-joins a JSON array from its raw elements, so whitespace around them goes.
fn join_array(items: json::Items<'_>) -> String {
    let mut out = String::from("[");
    for (n, item) in items.enumerate() {
        if n > 0 {
            out.push(',');
        }
        out.push_str(item.raw());
    }
    out.push(']');
    out
}

fn array_json(text: &str) -> Result<String, ProtocolError> {
    Ok(join_array(array_items(text, "ACK arguments")?))
}

/// `["name", arg...]` into the name and the array of the remaining arguments.
fn split_event(text: &str) -> Result<(String, String), ProtocolError> {
    let mut items = array_items(text, "EVENT")?;
    let Some(head) = items.next() else {
        return Err(ProtocolError::new("EVENT without a name"));
    };
    // The v5 parser also takes a number as the name.
    let name = if head.is_string() {
        head.to_str()
            .map_err(|e| ProtocolError::json("event name", e))?
            .into_owned()
    } else if head.is_number() {
        head.raw().to_owned()
    } else {
        return Err(ProtocolError::new("EVENT name is not a string"));
    };
    Ok((name, join_array(items)))
}

/// The message of a connect error in either form (a JSON string, or an object
/// with a string `message`); empty when there is none. As when serde_json read
/// the payload into a `serde_json::Value` first, a payload with a string that
/// cannot be decoded or a number too large for an `f64` anywhere has none.
fn connect_error_message(text: &str) -> String {
    let message = || -> Option<String> {
        let value = Value::parse(text).ok().filter(|v| v.is_strict())?;
        if value.is_string() {
            return value.to_str().ok().map(Cow::into_owned);
        }
        // Unlike a plain struct, serde's untagged enum took no array form here.
        let [message] = fields(value.is_object().then_some(value)?, ["message"]).ok()?;
        Some(message?.to_str().ok()?.into_owned())
    };
    message().unwrap_or_default()
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
        json::push_u64(out, id);
    }
}

/// Writes `["name", arg...]` from a name and the JSON array of arguments.
fn push_event(out: &mut String, name: &str, args_json: &str) {
    out.push('[');
    json::push_string(out, name);
    let inner = args_json
        .trim()
        .strip_prefix('[')
        .and_then(|a| a.strip_suffix(']'))
        .unwrap_or("")
        .trim();
    if !inner.is_empty() {
        out.push(',');
        out.push_str(inner);
    }
    out.push(']');
}

/// Encodes a Socket.IO packet as the data of an Engine.IO message (without the `4`).
///
/// `version` only changes the connect error form. `args_json` of an EVENT or
/// ACK must be a JSON array.
///
/// ```
/// use twin_panel::protocol::socketio::codec::{encode_packet, EioVersion, Packet, PacketKind};
/// let ack = Packet::main(PacketKind::Event { id: Some(7), name: "typing".into(), args_json: "[{}]".into() });
/// assert_eq!(encode_packet(&ack, EioVersion::V4), r#"27["typing",{}]"#);
/// let err = Packet::main(PacketKind::ConnectError { message: "bad".into() });
/// assert_eq!(encode_packet(&err, EioVersion::V3), r#"4"bad""#);
/// assert_eq!(encode_packet(&err, EioVersion::V4), r#"4{"message":"bad"}"#);
/// ```
pub fn encode_packet(packet: &Packet, version: EioVersion) -> String {
    let mut out = String::new();
    let ns = packet.namespace.as_str();
    match &packet.kind {
        PacketKind::Connect { payload_json } => {
            out.push('0');
            push_namespace(&mut out, ns);
            if let Some(json) = payload_json {
                out.push_str(json);
            }
        }
        PacketKind::Disconnect => {
            out.push('1');
            push_namespace(&mut out, ns);
        }
        PacketKind::Event {
            id,
            name,
            args_json,
        } => {
            out.push('2');
            push_namespace(&mut out, ns);
            push_id(&mut out, *id);
            push_event(&mut out, name, args_json);
        }
        PacketKind::Ack { id, args_json } => {
            out.push('3');
            push_namespace(&mut out, ns);
            push_id(&mut out, Some(*id));
            out.push_str(args_json);
        }
        PacketKind::ConnectError { message } => {
            out.push('4');
            push_namespace(&mut out, ns);
            match version {
                EioVersion::V3 => json::push_string(&mut out, message),
                EioVersion::V4 => {
                    out.push_str("{\"message\":");
                    json::push_string(&mut out, message);
                    out.push('}');
                }
            }
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
            out.push(if matches!(packet.kind, PacketKind::BinaryEvent { .. }) {
                '5'
            } else {
                '6'
            });
            json::push_u64(&mut out, *attachments);
            out.push('-');
            push_namespace(&mut out, ns);
            push_id(&mut out, *id);
            out.push_str(payload_json);
        }
    }
    out
}

/// The WebSocket URL of a Socket.IO server.
///
/// `base` is the server origin with an optional path prefix (`https://` and
/// `http://` become `wss://` and `ws://`); `path` is the Socket.IO path
/// (socket.io-client's `path`, normally `/socket.io/`); `query` pairs are
/// appended after `EIO` and `transport`, percent-encoded as `encodeURIComponent` does.
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
        percent_encode(&mut url, key);
        url.push('=');
        percent_encode(&mut url, value);
    }
    url
}

/// `encodeURIComponent`: everything but `A-Z a-z 0-9 - _ . ! ~ * ' ( )` as `%XX` of UTF-8.
fn percent_encode(out: &mut String, text: &str) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for &b in text.as_bytes() {
        if b.is_ascii_alphanumeric() || b"-_.!~*'()".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push('%');
            out.push(char::from(HEX[usize::from(b >> 4)]));
            out.push(char::from(HEX[usize::from(b & 0x0F)]));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn namespace_without_comma_takes_the_rest() {
        let p = decode_packet("1/admin").unwrap();
        assert_eq!(p.namespace, "/admin");
        assert_eq!(p.kind, PacketKind::Disconnect);
    }

    #[test]
    fn event_names_may_be_numbers_and_arguments_lose_outer_whitespace() {
        let p = decode_packet(r#"2[ 7 , {"a": 1} , "x" ]"#).unwrap();
        assert_eq!(
            p.kind,
            PacketKind::Event {
                id: None,
                name: "7".into(),
                args_json: r#"[{"a": 1},"x"]"#.into()
            }
        );
    }

    #[test]
    fn escaped_names_are_unescaped_and_reescaped() {
        let p = decode_packet(r#"2["a\"b\u0041"]"#).unwrap();
        assert!(matches!(&p.kind, PacketKind::Event { name, .. } if name == "a\"bA"));
        assert_eq!(encode_packet(&p, EioVersion::V4), r#"2["a\"bA"]"#);
    }

    #[test]
    fn huge_ids_are_errors() {
        assert!(decode_packet("399999999999999999999999[]").is_err());
        assert!(decode_packet("599999999999999999999999-[]").is_err());
    }

    #[test]
    fn connect_error_object_without_a_string_message_reads_as_empty() {
        let p = decode_packet(r#"4{"message":5}"#).unwrap();
        assert_eq!(
            p.kind,
            PacketKind::ConnectError {
                message: String::new()
            }
        );
    }

    #[test]
    fn percent_encoding_matches_encode_uri_component() {
        let mut out = String::new();
        percent_encode(&mut out, "aZ09-_.!~*'() /?#&=+é");
        assert_eq!(out, "aZ09-_.!~*'()%20%2F%3F%23%26%3D%2B%C3%A9");
    }
}

/// The JSON readers and writers against the serde_json ones they replaced
/// (kept here, as they were, as the reference).
#[cfg(all(test, not(target_arch = "wasm32")))]
mod same_as_serde {
    use super::*;
    use crate::protocol::json::testing::{arb_input, config};
    use proptest::prelude::*;
    use serde::{Deserialize, Serialize};
    use serde_json::value::RawValue;

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct OldHandshake {
        sid: String,
        #[serde(default)]
        upgrades: Vec<String>,
        #[serde(default = "default_ping_interval")]
        ping_interval: u64,
        #[serde(default = "default_ping_timeout")]
        ping_timeout: u64,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        max_payload: Option<u64>,
    }

    fn default_ping_interval() -> u64 {
        25_000
    }

    fn default_ping_timeout() -> u64 {
        20_000
    }

    fn old_handshake(json: &str) -> Option<Handshake> {
        let h: OldHandshake = serde_json::from_str(json).ok()?;
        Some(Handshake {
            sid: h.sid,
            upgrades: h.upgrades,
            ping_interval: h.ping_interval,
            ping_timeout: h.ping_timeout,
            max_payload: h.max_payload,
        })
    }

    fn old_first_arg_json(args_json: &str) -> &str {
        match serde_json::from_str::<Vec<&RawValue>>(args_json) {
            Ok(args) => args.first().map_or("null", |a| a.get()),
            Err(_) => "null",
        }
    }

    fn old_object_json(json: &str) -> Option<String> {
        let raw: &RawValue = serde_json::from_str(json).ok()?;
        raw.get().starts_with('{').then(|| raw.get().to_owned())
    }

    fn old_join(items: &[&RawValue]) -> String {
        let items: Vec<&str> = items.iter().map(|i| i.get()).collect();
        format!("[{}]", items.join(","))
    }

    fn old_array_json(json: &str) -> Option<String> {
        let items: Vec<&RawValue> = serde_json::from_str(json).ok()?;
        Some(old_join(&items))
    }

    fn old_split_event(json: &str) -> Option<(String, String)> {
        let items: Vec<&RawValue> = serde_json::from_str(json).ok()?;
        let (head, args) = items.split_first()?;
        let head = head.get();
        let name = if head.starts_with('"') {
            serde_json::from_str::<String>(head).ok()?
        } else if head.starts_with(|c: char| c == '-' || c.is_ascii_digit()) {
            head.to_owned()
        } else {
            return None;
        };
        Some((name, old_join(args)))
    }

    fn old_connect_error_message(json: &str) -> String {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum ConnectError {
            Text(String),
            Object {
                #[serde(default)]
                message: Option<serde_json::Value>,
            },
        }
        match serde_json::from_str::<ConnectError>(json) {
            Ok(ConnectError::Text(message)) => message,
            Ok(ConnectError::Object {
                message: Some(serde_json::Value::String(message)),
            }) => message,
            _ => String::new(),
        }
    }

    const TEMPLATES: &[&str] = &[
        "@",
        "[@]",
        "[@,@]",
        r#"["e",@]"#,
        r#"{"sid":"s","upgrades":@}"#,
        r#"{"sid":@,"pingInterval":@,"pingTimeout":@,"maxPayload":@}"#,
        r#"["s",@,@,@,@]"#,
        r#"{"message":@}"#,
        r#"[@,{"message":"m"}]"#,
    ];

    const FRAMES: &[&str] = &[
        r#"{"sid":"abc","upgrades":[],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000}"#,
        r#"{"sid":"e3","upgrades":["websocket"],"pingInterval":25000,"pingTimeout":5000}"#,
        r#"["chatMessageCreatedEmit",{"id":"m1","body":"Здравствуйте"}]"#,
        r#"["chatMessageReadEmit",{"messageId":"m1"},{"extra":[1,2,3]}]"#,
        r#"[ 7 , {"a": 1} , "x" ]"#,
        r#"{"message":"Not authorized"}"#,
        r#""refused""#,
        r#"{"sid":"s-1"}"#,
    ];

    proptest! {
        #![proptest_config(config())]

        #[test]
        fn json_readers_read_what_the_serde_ones_read(text in arb_input(TEMPLATES, FRAMES)) {
            prop_assert_eq!(decode_handshake(&text).ok(), old_handshake(&text));
            prop_assert_eq!(first_arg_json(&text), old_first_arg_json(&text));
            prop_assert_eq!(object_json(&text, "x").ok(), old_object_json(&text));
            prop_assert_eq!(array_json(&text).ok(), old_array_json(&text));
            prop_assert_eq!(split_event(&text).ok(), old_split_event(&text));
            prop_assert_eq!(connect_error_message(&text), old_connect_error_message(&text));
        }

        #[test]
        fn handshakes_are_written_as_serde_wrote_them(
            sid in any::<String>(),
            upgrades in proptest::collection::vec(any::<String>(), 0..3),
            ping_interval in any::<u64>(),
            ping_timeout in any::<u64>(),
            max_payload in any::<Option<u64>>(),
        ) {
            let old = OldHandshake { sid, upgrades, ping_interval, ping_timeout, max_payload };
            let new = Handshake {
                sid: old.sid.clone(),
                upgrades: old.upgrades.clone(),
                ping_interval,
                ping_timeout,
                max_payload,
            };
            prop_assert_eq!(encode_handshake(&new), serde_json::to_string(&old).unwrap());
        }

        #[test]
        fn packets_are_written_as_before(
            name in any::<String>(),
            id in any::<Option<u64>>(),
            attachments in any::<u64>(),
        ) {
            let event = Packet::main(PacketKind::Event { id, name: name.clone(), args_json: "[1]".into() });
            let mut expected = String::from("2");
            if let Some(id) = id {
                expected.push_str(&id.to_string());
            }
            expected.push_str(&format!("[{},1]", serde_json::to_string(&name).unwrap()));
            prop_assert_eq!(encode_packet(&event, EioVersion::V4), expected);
            let error = Packet::main(PacketKind::ConnectError { message: name.clone() });
            prop_assert_eq!(
                encode_packet(&error, EioVersion::V4),
                format!("4{}", serde_json::to_string(&serde_json::json!({"message": name})).unwrap())
            );
            let binary = Packet::main(PacketKind::BinaryEvent { attachments, id, payload_json: "[]".into() });
            let id_text = id.map(|i| i.to_string()).unwrap_or_default();
            prop_assert_eq!(encode_packet(&binary, EioVersion::V3), format!("5{attachments}-{id_text}[]"));
        }
    }
}
