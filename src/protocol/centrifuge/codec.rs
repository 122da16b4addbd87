//! Frames to replies, commands to frames.
//!
//! One WebSocket text message holds one or more JSON objects separated by `\n`.
//! Publication payloads stay raw JSON text here: the browser's `JSON.parse`
//! builds the JS object once, instead of a Rust value that is then copied.

use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use std::borrow::Cow;
use std::collections::BTreeMap;
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

/// One publication: the raw JSON `data` and its stream offset (0 when absent).
#[derive(Debug, Deserialize)]
pub struct Publication<'a> {
    /// The payload as JSON text, exactly as the server sent it.
    #[serde(borrow)]
    pub data: &'a RawValue,
    /// Position in the channel stream; 0 when the channel keeps no history.
    #[serde(default)]
    pub offset: u64,
}

/// The state of one server-side subscription, from a connect reply or a `subscribe` push.
#[derive(Debug, Default, Deserialize)]
pub struct SubscribeResult<'a> {
    /// The server keeps history for this channel, so gaps can be recovered.
    #[serde(default)]
    pub recoverable: bool,
    /// Stream epoch; a new epoch means the old history is gone.
    #[serde(default)]
    pub epoch: String,
    /// Stream offset.
    #[serde(default)]
    pub offset: u64,
    /// The client asked to recover this channel.
    #[serde(default)]
    pub was_recovering: bool,
    /// Every missed publication is in `publications`.
    #[serde(default)]
    pub recovered: bool,
    /// Missed publications, in order.
    #[serde(default, borrow)]
    pub publications: Vec<Publication<'a>>,
}

/// The result of a `connect` command.
#[derive(Debug, Default, Deserialize)]
pub struct ConnectResult<'a> {
    /// Client id the server gave this connection.
    #[serde(default)]
    pub client: String,
    /// Server version string.
    #[serde(default)]
    pub version: String,
    /// Server-side subscriptions by channel.
    #[serde(default, borrow)]
    pub subs: BTreeMap<Cow<'a, str>, SubscribeResult<'a>>,
    /// Server ping interval in seconds; 0 = the server does not ping.
    #[serde(default)]
    pub ping: u32,
    /// The client must answer each ping with one pong.
    #[serde(default)]
    pub pong: bool,
}

/// `{"code", "reason"}` of an `unsubscribe` or `disconnect` push.
#[derive(Debug, Default, Deserialize)]
pub struct CodeReason {
    /// Numeric code.
    #[serde(default)]
    pub code: u32,
    /// Short text.
    #[serde(default)]
    pub reason: String,
}

/// A server-initiated message.
#[derive(Debug)]
pub enum Push<'a> {
    /// A publication on `channel`.
    Publication {
        /// Channel name.
        channel: Cow<'a, str>,
        /// The publication.
        publication: Publication<'a>,
    },
    /// The server subscribed this connection to `channel` at run time.
    Subscribe {
        /// Channel name.
        channel: Cow<'a, str>,
        /// Its stream state.
        result: SubscribeResult<'a>,
    },
    /// The server removed the subscription to `channel`.
    Unsubscribe {
        /// Channel name.
        channel: Cow<'a, str>,
        /// Why.
        detail: CodeReason,
    },
    /// The server asks the client to disconnect (transports without close frames).
    Disconnect(CodeReason),
    /// An async message without a channel (`Client.Send` on the server).
    Message {
        /// The payload as JSON text.
        data: &'a RawValue,
    },
    /// A push kind this client does not use (join, leave, connect, refresh, ...).
    Other,
}

/// One decoded reply line.
#[derive(Debug)]
pub enum Reply<'a> {
    /// `{}`: a server ping.
    Ping,
    /// A successful `connect` reply.
    Connect {
        /// Command id it answers.
        id: u32,
        /// The result.
        result: ConnectResult<'a>,
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
    Push(Push<'a>),
}

#[derive(Deserialize)]
struct RawReply<'a> {
    #[serde(default)]
    id: u32,
    #[serde(default)]
    error: Option<ServerError>,
    #[serde(default, borrow)]
    connect: Option<ConnectResult<'a>>,
    #[serde(default, borrow)]
    push: Option<RawPush<'a>>,
}

#[derive(Deserialize)]
struct RawPush<'a> {
    #[serde(default, borrow)]
    channel: Cow<'a, str>,
    #[serde(default, rename = "pub", borrow)]
    publication: Option<Publication<'a>>,
    #[serde(default, borrow)]
    subscribe: Option<SubscribeResult<'a>>,
    #[serde(default)]
    unsubscribe: Option<CodeReason>,
    #[serde(default)]
    disconnect: Option<CodeReason>,
    #[serde(default, borrow)]
    message: Option<RawMessage<'a>>,
}

#[derive(Deserialize)]
struct RawMessage<'a> {
    #[serde(borrow)]
    data: &'a RawValue,
}

/// Splits a WebSocket text message into its JSON lines (empty lines skipped).
pub fn split_frame(text: &str) -> impl Iterator<Item = &str> {
    text.split('\n').filter(|line| !line.trim().is_empty())
}

/// Decodes one reply line.
///
/// ```
/// use twin_panel::protocol::centrifuge::codec::{decode_reply, Reply};
/// assert!(matches!(decode_reply("{}"), Ok(Reply::Ping)));
/// assert!(decode_reply("{\"id\":").is_err());
/// ```
pub fn decode_reply(line: &str) -> Result<Reply<'_>, ProtocolError> {
    // The serde message can quote frame content; report only where it broke.
    let raw: RawReply<'_> = serde_json::from_str(line).map_err(|e| {
        let kind = match e.classify() {
            serde_json::error::Category::Syntax => "syntax",
            serde_json::error::Category::Eof => "truncated",
            serde_json::error::Category::Data => "unexpected type",
            serde_json::error::Category::Io => "io",
        };
        ProtocolError::new(format!(
            "unreadable reply ({kind} error at column {})",
            e.column()
        ))
    })?;
    if raw.id > 0 {
        return Ok(match (raw.error, raw.connect) {
            (Some(error), _) => Reply::Error { id: raw.id, error },
            (None, Some(result)) => Reply::Connect { id: raw.id, result },
            (None, None) => Reply::OtherResult { id: raw.id },
        });
    }
    let Some(push) = raw.push else {
        return Ok(Reply::Ping);
    };
    let channel = push.channel;
    Ok(Reply::Push(if let Some(publication) = push.publication {
        Push::Publication {
            channel,
            publication,
        }
    } else if let Some(result) = push.subscribe {
        Push::Subscribe { channel, result }
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

/// The name of a platform event: the `event` field of a publication's data.
///
/// Returns `None` when the payload is not an object with a string `event`.
pub fn event_name(data: &RawValue) -> Option<Cow<'_, str>> {
    #[derive(Deserialize)]
    struct Envelope<'a> {
        #[serde(borrow)]
        event: Cow<'a, str>,
    }
    serde_json::from_str::<Envelope<'_>>(data.get())
        .ok()
        .map(|e| e.event)
}

/// Where to resume one channel: `{"recover": true, "epoch", "offset"}`.
#[derive(Debug, Serialize)]
pub struct RecoverRequest<'a> {
    /// Always true.
    pub recover: bool,
    /// Last epoch seen.
    pub epoch: &'a str,
    /// Last offset delivered.
    pub offset: u64,
}

#[derive(Serialize)]
struct ConnectCommand<'a> {
    id: u32,
    connect: ConnectRequest<'a>,
}

#[derive(Serialize)]
struct ConnectRequest<'a> {
    data: ConnectData<'a>,
    name: &'a str,
    version: &'a str,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    subs: BTreeMap<&'a str, RecoverRequest<'a>>,
}

#[derive(Serialize)]
struct ConnectData<'a> {
    application: &'a str,
    settings: ConnectSettings<'a>,
}

#[derive(Serialize)]
struct ConnectSettings<'a> {
    token: &'a str,
}

/// Encodes the `connect` command TWIN expects: the operator token travels in
/// `data.settings.token` (the platform's own integration page), not as a
/// Centrifugo connection token.
///
/// ```
/// use std::collections::BTreeMap;
/// use twin_panel::protocol::centrifuge::codec::encode_connect;
/// let frame = encode_connect(1, "jwt", "twin-panel", "0.1.0", BTreeMap::new());
/// assert_eq!(frame, r#"{"id":1,"connect":{"data":{"application":"notifications","settings":{"token":"jwt"}},"name":"twin-panel","version":"0.1.0"}}"#);
/// ```
pub fn encode_connect(
    id: u32,
    token: &str,
    name: &str,
    version: &str,
    subs: BTreeMap<&str, RecoverRequest<'_>>,
) -> String {
    let command = ConnectCommand {
        id,
        connect: ConnectRequest {
            data: ConnectData {
                application: "notifications",
                settings: ConnectSettings { token },
            },
            name,
            version,
            subs,
        },
    };
    // Serialising plain strings, integers and maps cannot fail.
    serde_json::to_string(&command).unwrap_or_default()
}

/// The pong frame: an empty command.
pub const PONG: &str = "{}";

#[cfg(test)]
mod tests {
    use super::*;

    fn pushes(text: &str) -> Vec<Reply<'_>> {
        split_frame(text)
            .map(|l| decode_reply(l).unwrap())
            .collect()
    }

    #[test]
    fn splits_several_objects_on_newlines() {
        let text = "{}\n{\"push\":{\"channel\":\"a\",\"pub\":{\"data\":{\"x\":1},\"offset\":3}}}\n";
        let replies = pushes(text);
        assert_eq!(replies.len(), 2);
        assert!(matches!(replies[0], Reply::Ping));
        match &replies[1] {
            Reply::Push(Push::Publication {
                channel,
                publication,
            }) => {
                assert_eq!(channel, "a");
                assert_eq!(publication.data.get(), "{\"x\":1}");
                assert_eq!(publication.offset, 3);
            }
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn decodes_connect_reply_with_server_side_subscriptions() {
        let line = r#"{"id":1,"connect":{"client":"c1","version":"1.0.0","subs":{"operator:389":{"recoverable":true,"positioned":true,"epoch":"kQxT","offset":17}},"ping":25,"pong":true,"unknown":[1,2]}}"#;
        match decode_reply(line).unwrap() {
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
        match decode_reply(r#"{"id":1,"error":{"code":109,"message":"token expired"}}"#).unwrap() {
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
        let Reply::Connect { result, .. } = decode_reply(line).unwrap() else {
            panic!("not a connect reply")
        };
        let sub = &result.subs["ch"];
        assert!(sub.recovered && sub.was_recovering);
        let offsets: Vec<u64> = sub.publications.iter().map(|p| p.offset).collect();
        assert_eq!(offsets, vec![20, 21]);
    }

    #[test]
    fn decodes_runtime_subscribe_unsubscribe_and_disconnect_pushes() {
        let sub = decode_reply(
            r#"{"push":{"channel":"x","subscribe":{"recoverable":true,"epoch":"e","offset":4}}}"#,
        )
        .unwrap();
        assert!(
            matches!(sub, Reply::Push(Push::Subscribe { ref channel, ref result }) if channel == "x" && result.offset == 4)
        );
        let unsub = decode_reply(
            r#"{"push":{"channel":"x","unsubscribe":{"code":2000,"reason":"server"}}}"#,
        )
        .unwrap();
        assert!(
            matches!(unsub, Reply::Push(Push::Unsubscribe { ref detail, .. }) if detail.code == 2000)
        );
        let disc =
            decode_reply(r#"{"push":{"disconnect":{"code":3001,"reason":"shutdown"}}}"#).unwrap();
        assert!(matches!(disc, Reply::Push(Push::Disconnect(ref d)) if d.code == 3001));
        let join = decode_reply(r#"{"push":{"channel":"x","join":{"info":{}}}}"#).unwrap();
        assert!(matches!(join, Reply::Push(Push::Other)));
    }

    #[test]
    fn escaped_channel_names_are_unescaped() {
        let reply = decode_reply(r#"{"push":{"channel":"a\"b","pub":{"data":"x"}}}"#).unwrap();
        assert!(
            matches!(reply, Reply::Push(Push::Publication { ref channel, .. }) if channel == "a\"b")
        );
    }

    #[test]
    fn wrong_types_and_truncated_json_are_errors() {
        assert!(decode_reply(r#"{"id":"one"}"#).is_err());
        assert!(
            decode_reply(r#"{"push":{"channel":"a","pub":{"data":{},"offset":"7"}}}"#).is_err()
        );
        assert!(decode_reply(r#"{"push":{"channel":"a","pub":{"data":{"#).is_err());
        assert!(decode_reply("garbage").is_err());
        assert!(decode_reply("[1,2]").is_err());
    }

    #[test]
    fn event_name_reads_the_envelope() {
        let raw: &RawValue =
            serde_json::from_str(r#"{"event":"chatMessageCreated","data":{"id":"m1"}}"#).unwrap();
        assert_eq!(event_name(raw).as_deref(), Some("chatMessageCreated"));
        let raw: &RawValue = serde_json::from_str(r#"{"event":5}"#).unwrap();
        assert_eq!(event_name(raw), None);
        let raw: &RawValue = serde_json::from_str(r#""text""#).unwrap();
        assert_eq!(event_name(raw), None);
    }

    #[test]
    fn connect_with_recovery_positions() {
        let mut subs = BTreeMap::new();
        subs.insert(
            "operator:389",
            RecoverRequest {
                recover: true,
                epoch: "kQxT",
                offset: 19,
            },
        );
        let frame = encode_connect(3, "t\"k", "twin-panel", "0.1.0", subs);
        assert_eq!(
            frame,
            r#"{"id":3,"connect":{"data":{"application":"notifications","settings":{"token":"t\"k"}},"name":"twin-panel","version":"0.1.0","subs":{"operator:389":{"recover":true,"epoch":"kQxT","offset":19}}}}"#
        );
    }
}
