//! Frames to replies, commands to frames.
//!
//! One WebSocket text message holds one or more JSON objects separated by
//! `\n`. The host's [`JsonEngine`] parses each line; the envelope is read out
//! of it field by field, and publication payloads (`V`) stay the values the
//! engine built, so they reach the application without a copy. Commands are
//! written from serde structs.
//!
//! The wire shapes follow the Centrifuge client protocol v2 (JSON): unknown
//! fields are ignored, a missing field takes its default.
//!
//! Imports: std, serde and `protocol` only, no browser APIs. Used by the client
//! and the codec tests; the browser host does not read frames itself. Over
//! 500 lines only with its unit tests (the last 180).

use crate::protocol::json_engine::{exact_u64, JsonEngine, JsonError, Object, MAX_EXACT_INTEGER};
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
pub const MAX_EXACT_OFFSET: u64 = MAX_EXACT_INTEGER;

/// Reads the `offset` of `object` (see [`offset_from`]).
fn read_offset<J: JsonEngine>(object: &Object<'_, J>) -> Result<u64, ProtocolError> {
    offset_from(object.f64("offset")?)
}

/// An offset as the engine parsed it: uint64 in the protocol, but a JS
/// number is exact only up to [`MAX_EXACT_OFFSET`]; a larger one is refused,
/// never rounded. Absent or `null` (`None`) is 0, as for a channel without
/// history.
pub fn offset_from(offset: Option<f64>) -> Result<u64, ProtocolError> {
    let Some(offset) = offset else {
        return Ok(0);
    };
    if !(offset >= 0.0 && offset.fract() == 0.0) {
        return Err(JsonError::Shape.into());
    }
    exact_u64(offset).ok_or(ProtocolError {
        message: "an offset above 2^53 cannot be read exactly",
    })
}

/// Fields read on past a mistyped one, keeping the first error: the object
/// is refused once at the end ([`Reading::done`]), which leaves the wasm one
/// cleanup path per object instead of one per field read.
#[derive(Default)]
struct Reading {
    error: Option<ProtocolError>,
}

impl Reading {
    /// What `read` found; the default when absent, or when it failed (the
    /// first failure is kept).
    fn or<T: Default, E: Into<ProtocolError>>(&mut self, read: Result<Option<T>, E>) -> T {
        match read {
            Ok(value) => value.unwrap_or_default(),
            Err(error) => {
                self.error.get_or_insert(error.into());
                T::default()
            }
        }
    }

    /// `value`, unless a field failed.
    fn done<T>(self, value: T) -> Result<T, ProtocolError> {
        match self.error {
            Some(error) => Err(error),
            None => Ok(value),
        }
    }
}

/// An error object in a reply: `{"code", "message", "temporary"}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerError {
    /// Centrifuge error code (100–399 server, 400–1999 application).
    pub code: u32,
    /// Human-readable text from the server.
    pub message: String,
    /// The server says a retry may succeed.
    pub temporary: bool,
}

impl ServerError {
    fn read<J: JsonEngine>(error: &Object<'_, J>) -> Result<Self, ProtocolError> {
        let mut r = Reading::default();
        let code = r.or(error
            .u32("code")
            .and_then(|code| code.ok_or(JsonError::Shape).map(Some)));
        let message = r.or(error.str("message"));
        let temporary = r.or(error.bool("temporary"));
        r.done(ServerError {
            code,
            message,
            temporary,
        })
    }
}

/// One publication: the payload and its stream offset (0 when absent).
#[derive(Debug, Clone)]
pub struct Publication<V> {
    /// The payload, as the engine parsed it.
    pub data: V,
    /// Position in the channel stream; 0 when the channel keeps no history.
    pub offset: u64,
}

impl<V> Publication<V> {
    /// `{"data", "offset"}`: `data` must be there (`null` included).
    fn read<J: JsonEngine<Value = V>>(publication: &Object<'_, J>) -> Result<Self, ProtocolError> {
        let data = publication
            .json()
            .field(publication.value(), "data")
            .ok_or(JsonError::Shape)?;
        Ok(Publication {
            data,
            offset: read_offset(publication)?,
        })
    }
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

impl<V> SubscribeResult<V> {
    fn read<J: JsonEngine<Value = V>>(sub: &Object<'_, J>) -> Result<Self, ProtocolError> {
        let mut r = Reading::default();
        let mut publications = Vec::new();
        for publication in r.or(sub.array("publications")) {
            let read = Object::new(sub.json(), publication)
                .map_err(ProtocolError::from)
                .and_then(|publication| Publication::read(&publication));
            match read {
                Ok(publication) => publications.push(publication),
                Err(error) => {
                    r.error.get_or_insert(error);
                    break;
                }
            }
        }
        let recoverable = r.or(sub.bool("recoverable"));
        let epoch = r.or(sub.str("epoch"));
        let offset = r.or(read_offset(sub).map(Some));
        let was_recovering = r.or(sub.bool("was_recovering"));
        let recovered = r.or(sub.bool("recovered"));
        r.done(SubscribeResult {
            recoverable,
            epoch,
            offset,
            was_recovering,
            recovered,
            publications,
        })
    }
}

/// The result of a `connect` command.
#[derive(Debug)]
pub struct ConnectResult<V> {
    /// Client id the server gave this connection.
    pub client: String,
    /// Server version string.
    pub version: String,
    /// Server-side subscriptions, by channel name, in the reply's order.
    pub subs: Vec<(String, SubscribeResult<V>)>,
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
            subs: Vec::new(),
            ping: 0,
            pong: false,
        }
    }
}

impl<V> ConnectResult<V> {
    fn read<J: JsonEngine<Value = V>>(result: &Object<'_, J>) -> Result<Self, ProtocolError> {
        let json = result.json();
        let mut r = Reading::default();
        let mut subs = Vec::new();
        if let Some(all) = result.get("subs") {
            for (channel, sub) in r.or(json.entries(&all).ok_or(JsonError::Shape).map(Some)) {
                let read = Object::new(json, sub)
                    .map_err(ProtocolError::from)
                    .and_then(|sub| SubscribeResult::read(&sub));
                match read {
                    Ok(sub) => subs.push((channel, sub)),
                    Err(error) => {
                        r.error.get_or_insert(error);
                        break;
                    }
                }
            }
        }
        let client = r.or(result.str("client"));
        let version = r.or(result.str("version"));
        let ping = r.or(result.u32("ping"));
        let pong = r.or(result.bool("pong"));
        r.done(ConnectResult {
            client,
            version,
            subs,
            ping,
            pong,
        })
    }

    /// The subscription to `channel`, if the reply has one.
    pub fn sub(&self, channel: &str) -> Option<&SubscribeResult<V>> {
        self.subs
            .iter()
            .find(|(name, _)| name == channel)
            .map(|(_, sub)| sub)
    }
}

/// `{"code", "reason"}` of an `unsubscribe` or `disconnect` push.
#[derive(Debug, Default, Clone)]
pub struct CodeReason {
    /// Numeric code.
    pub code: u32,
    /// Short text.
    pub reason: String,
}

impl CodeReason {
    fn read<J: JsonEngine>(detail: &Object<'_, J>) -> Result<Self, JsonError> {
        Ok(CodeReason {
            code: detail.u32("code")?.unwrap_or(0),
            reason: detail.str("reason")?.unwrap_or_default(),
        })
    }
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

/// Reads one parsed reply line, field by field: a publication push (nearly
/// every line) is recognised from `id`, `push.channel` and `push.pub` alone,
/// and only the fields a line's kind needs are looked at.
pub fn read_reply<J: JsonEngine>(
    json: &J,
    line: J::Value,
) -> Result<Reply<J::Value>, ProtocolError> {
    let line = Object::new(json, line)?;
    let id = line.u32("id")?.unwrap_or(0);
    if id > 0 {
        if let Some(error) = line.object("error")? {
            return Ok(Reply::Error {
                id,
                error: ServerError::read(&error)?,
            });
        }
        return Ok(match line.object("connect")? {
            Some(result) => Reply::Connect {
                id,
                result: ConnectResult::read(&result)?,
            },
            None => Reply::OtherResult { id },
        });
    }
    let Some(push) = line.object("push")? else {
        return Ok(Reply::Ping);
    };
    let channel = push.str("channel")?.unwrap_or_default();
    Ok(Reply::Push(
        if let Some(publication) = push.object("pub")? {
            Push::Publication {
                channel,
                publication: Publication::read(&publication)?,
            }
        } else if let Some(result) = push.object("subscribe")? {
            Push::Subscribe {
                channel,
                result: SubscribeResult::read(&result)?,
            }
        } else if let Some(detail) = push.object("unsubscribe")? {
            Push::Unsubscribe {
                channel,
                detail: CodeReason::read(&detail)?,
            }
        } else if let Some(detail) = push.object("disconnect")? {
            Push::Disconnect(CodeReason::read(&detail)?)
        } else if let Some(message) = push.object("message")? {
            Push::Message {
                data: json
                    .field(message.value(), "data")
                    .ok_or(JsonError::Shape)?,
            }
        } else {
            Push::Other
        },
    ))
}

/// Splits a WebSocket text message into its JSON lines (blank lines
/// skipped: white space as JavaScript's `trim()` knows it).
pub fn split_frame(text: &str) -> impl Iterator<Item = &str> {
    text.split('\n')
        .filter(|line| !line.trim_matches(super::scan::js_space).is_empty())
}

/// Parses every line of a text frame with `json` (hosts that hold the text).
pub fn parse_frame<'a, J: JsonEngine>(
    json: &'a J,
    text: &'a str,
) -> impl Iterator<Item = Result<J::Value, JsonError>> + 'a {
    split_frame(text).map(move |line| json.parse(line))
}

/// Where to resume one channel: `{"recover": true, "epoch", "offset"}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecoverRequest<'a> {
    /// Always true.
    pub recover: bool,
    /// Last epoch seen.
    pub epoch: &'a str,
    /// Last offset delivered.
    pub offset: u64,
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
///
/// Written here, as `JSON.stringify` would: the command has one fixed shape,
/// and writing it through serde compiled more code than it has fields.
pub fn encode_connect<J: JsonEngine>(_json: &J, fields: ConnectFields<'_>) -> String {
    let mut out = String::from("{\"id\":");
    crate::text::push_decimal(&mut out, u64::from(fields.id));
    out.push_str(r#","connect":{"data":{"application":"notifications","settings":{"token":"#);
    push_json_string(&mut out, fields.token);
    out.push_str(r#"}},"name":"#);
    push_json_string(&mut out, fields.name);
    out.push_str(r#","version":"#);
    push_json_string(&mut out, fields.version);
    if !fields.subs.is_empty() {
        out.push_str(r#","subs":{"#);
        for (at, (channel, request)) in fields.subs.iter().enumerate() {
            if at > 0 {
                out.push(',');
            }
            push_json_string(&mut out, channel);
            out.push_str(if request.recover {
                r#":{"recover":true,"epoch":"#
            } else {
                r#":{"recover":false,"epoch":"#
            });
            push_json_string(&mut out, request.epoch);
            out.push_str(r#","offset":"#);
            crate::text::push_decimal(&mut out, request.offset);
            out.push('}');
        }
        out.push('}');
    }
    out.push_str("}}");
    out
}

/// Appends `text` as a JSON string, escaped as `JSON.stringify` does.
fn push_json_string(out: &mut String, text: &str) {
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if c < ' ' => {
                out.push_str("\\u00");
                for nibble in [c as u32 >> 4, c as u32 & 15] {
                    out.push(char::from_digit(nibble, 16).unwrap_or('0'));
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
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
                let sub = result.sub("operator:389").unwrap();
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
        let sub = result.sub("ch").unwrap();
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
