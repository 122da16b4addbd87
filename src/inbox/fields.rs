//! The few fields the inbox reads out of each payload, as serde structs.
//!
//! A [`JsonEngine`](crate::protocol::JsonEngine) reads them out of the value
//! the engine parsed; the value itself is kept whole for the snapshot. Unknown
//! fields are ignored. Where the platform's shape is unconfirmed (twin-api.md
//! marks every payload but chatSessionStarted's as unverified) the structs are
//! tolerant: ids may be strings or integers, `operators` may be an array or a
//! JSON-encoded string, and absent or `null` optional fields are "unknown".
//! A field of a type nothing can explain (a number for `status`, a string for
//! `unreadClientMessageCount`) makes the payload bad: it is counted and
//! reported, never half-applied.

use serde::de::{self, Deserializer, SeqAccess, Visitor};
use serde::Deserialize;
use std::fmt;

/// An id the platform may send as a string or as an integer
/// (`operatorId` is "string, number or null" in chatSessionStarted).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LooseId(pub String);

impl<'de> Deserialize<'de> for LooseId {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct IdVisitor;
        impl Visitor<'_> for IdVisitor {
            type Value = LooseId;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an id")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<LooseId, E> {
                Ok(LooseId(v.to_owned()))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<LooseId, E> {
                Ok(LooseId(v))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<LooseId, E> {
                Ok(LooseId(v.to_string()))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<LooseId, E> {
                Ok(LooseId(v.to_string()))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<LooseId, E> {
                // JS numbers arrive as f64; only whole, safe integers are ids.
                if v.fract() == 0.0 && v.abs() < 9_007_199_254_740_992.0 {
                    Ok(LooseId((v as i64).to_string()))
                } else {
                    Err(E::custom("id"))
                }
            }
        }
        deserializer.deserialize_any(IdVisitor)
    }
}

/// Reads an id that must be present and non-empty.
pub(crate) fn required_id(id: Option<LooseId>) -> Option<String> {
    id.map(|id| id.0).filter(|id| !id.is_empty())
}

/// One entry of `Session.operators`; only its id matters here.
#[derive(Debug, Deserialize)]
pub struct OperatorRef {
    /// The operator's id (an integer in the SDK, accepted as a string too).
    #[serde(default)]
    pub id: Option<LooseId>,
}

/// `Session.operators`: an array, or (the PHP SDK accepts this) the same
/// array JSON-encoded in a string, which the reducer parses with its engine.
#[derive(Debug)]
pub enum OperatorsField {
    /// The usual array.
    List(Vec<OperatorRef>),
    /// A JSON text holding the array.
    Encoded(String),
}

impl<'de> Deserialize<'de> for OperatorsField {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct OperatorsVisitor;
        impl<'de> Visitor<'de> for OperatorsVisitor {
            type Value = OperatorsField;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a list of operators")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<OperatorsField, E> {
                Ok(OperatorsField::Encoded(v.to_owned()))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<OperatorsField, E> {
                Ok(OperatorsField::Encoded(v))
            }
            fn visit_unit<E: de::Error>(self) -> Result<OperatorsField, E> {
                Ok(OperatorsField::List(Vec::new()))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<OperatorsField, A::Error> {
                let mut list = Vec::new();
                while let Some(item) = seq.next_element::<OperatorRef>()? {
                    list.push(item);
                }
                Ok(OperatorsField::List(list))
            }
        }
        deserializer.deserialize_any(OperatorsVisitor)
    }
}

/// The fields of a Session (twin-api.md §6.1) the inbox orders, filters and
/// counts by. `V` is the engine's value: `lastMessage` is kept as sent.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SessionFields<V> {
    /// Required: a payload without an id is bad.
    #[serde(default)]
    pub id: Option<LooseId>,
    /// `ACTIVE`, `CLOSED`, … (enum values unconfirmed; compared as text).
    #[serde(default)]
    pub status: Option<String>,
    /// `ACTIVE` while the bot answers.
    #[serde(default)]
    pub bot_status: Option<String>,
    /// The session's main operator; string, number or null.
    #[serde(default)]
    pub operator_id: Option<LooseId>,
    /// Every operator taking part (main and helpers).
    #[serde(default)]
    pub operators: Option<OperatorsField>,
    /// The session's name, for the resync report's "changed".
    #[serde(default)]
    pub name: Option<String>,
    /// When the session started (date-time string).
    #[serde(default)]
    pub started_at: Option<String>,
    /// When its last message was written (date-time string).
    #[serde(default)]
    pub last_message_created_at: Option<String>,
    /// The last message, kept as the engine's value (absent: `None`).
    pub last_message: Option<V>,
    /// Client messages the operators have not read. Negative counts are read as 0.
    #[serde(default)]
    pub unread_client_message_count: Option<i64>,
    /// When the client last came online.
    #[serde(default)]
    pub client_online_at: Option<String>,
    /// When the client last went offline.
    #[serde(default)]
    pub client_offline_at: Option<String>,
    /// The client's id (string in practice; integers accepted).
    #[serde(default)]
    pub client_id: Option<LooseId>,
}

/// The fields of a Message (twin-api.md §6.5; chatMessageCreated and
/// chatMessageEdited carry one — inferred, not confirmed) and of a session's
/// `lastMessage` (§6.2).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MessageFields {
    /// The message id; required in events.
    #[serde(default)]
    pub id: Option<LooseId>,
    /// The session it belongs to; required in events. `chatSessionId` is
    /// accepted as another spelling (unconfirmed).
    #[serde(default, alias = "chatSessionId")]
    pub session_id: Option<LooseId>,
    /// `CLIENT`, `OPERATOR`, `BOT` (values unconfirmed; only `CLIENT` counts as unread).
    #[serde(default)]
    pub author_type: Option<String>,
    /// When it was written.
    #[serde(default)]
    pub created_at: Option<String>,
    /// When it was read; a client message with a `readAt` is not unread.
    #[serde(default)]
    pub read_at: Option<String>,
}

/// chatMessageRead: `{messageId, sessionId, readAt}` in the sandbox (the
/// platform's payload is unconfirmed; `id` is accepted for `messageId`).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReadFields {
    /// The message that was read.
    #[serde(default, alias = "id")]
    pub message_id: Option<LooseId>,
    /// Its session.
    #[serde(default, alias = "chatSessionId")]
    pub session_id: Option<LooseId>,
    /// When.
    #[serde(default)]
    pub read_at: Option<String>,
}

/// clientOnline / clientOffline: `{sessionId, clientId, at}` in the sandbox
/// (unconfirmed). Either id is enough: with only `clientId`, every held
/// session of that client changes.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PresenceFields {
    /// The session whose client changed.
    #[serde(default, alias = "chatSessionId")]
    pub session_id: Option<LooseId>,
    /// The client.
    #[serde(default)]
    pub client_id: Option<LooseId>,
    /// When (date-time string); the host's clock is used when absent.
    #[serde(default)]
    pub at: Option<String>,
}

/// typing: `{sessionId, authorType, authorId}` in the sandbox (unconfirmed).
/// Only the client's typing shows in the inbox; an absent `authorType`
/// counts as the client.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TypingFields {
    /// The session.
    #[serde(default, alias = "chatSessionId")]
    pub session_id: Option<LooseId>,
    /// Who types.
    #[serde(default)]
    pub author_type: Option<String>,
}

/// A list answer `{count, items}`; only the items matter.
#[derive(Debug, Deserialize)]
pub struct Page<V> {
    /// The rows.
    #[serde(default = "Vec::new")]
    pub items: Vec<V>,
}
