//! The few fields a conversation reads out of a message, a read receipt, a
//! typing signal and a page of messages.
//!
//! Read one by one through the inbox's field reader, with the same tolerance
//! (ids as strings or whole numbers, `null` as absent, a field of an
//! impossible type makes the whole payload bad). Tolerant in two more ways,
//! for the widget's payloads, which no platform source describes exactly: a
//! message's id may be spelled `messageId` (the start answer's bot messages),
//! and the session id may be absent (the widget's socket belongs to one
//! session; its read receipts name none).

use crate::inbox::fields::{page_items, Reader};
use crate::protocol::json_engine::{JsonEngine, JsonError};

/// A message: a page item, a live `chatMessageCreated` / `chatMessageEdited`
/// (the widget's `chatMessageCreatedEmit`), a seeded bot message.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct MessageFacts {
    /// `id`, else `messageId`; absent in some bot messages of the start answer.
    pub id: Option<String>,
    /// `sessionId`, else `chatSessionId`.
    pub session_id: Option<String>,
    /// `authorType`: `CLIENT`, `OPERATOR`, `BOT` (values unconfirmed).
    pub author_type: Option<String>,
    /// `body`, to tell an own message's echo (see the reducer).
    pub body: Option<String>,
    /// `updatedAt`, set by an edit.
    pub updated_at: Option<String>,
    /// `createdAt`, for the order of a page.
    pub created_at: Option<String>,
    /// `readAt`: the other side read it.
    pub read_at: Option<String>,
}

impl MessageFacts {
    /// Reads a message; [`JsonError::Shape`] for a payload that is not an
    /// object or has a field of an impossible type.
    pub fn read<J: JsonEngine>(json: &J, value: J::Value) -> Result<Self, JsonError> {
        let mut message = Reader::new(json, value)?;
        let facts = MessageFacts {
            id: message.id_or("id", "messageId"),
            session_id: message.id_or("sessionId", "chatSessionId"),
            author_type: message.text("authorType"),
            body: message.text("body"),
            updated_at: message.text("updatedAt"),
            created_at: message.text("createdAt"),
            read_at: message.text("readAt"),
        };
        message.finish(facts)
    }
}

/// A read receipt: the panel's `chatMessageRead` `{messageId, sessionId,
/// readAt}`, the widget's `chatMessageReadEmit` `{messageId}`.
#[derive(Debug, PartialEq, Eq)]
pub struct ReadFacts {
    /// `messageId`, else `id`; required.
    pub message_id: String,
    /// `sessionId`, else `chatSessionId`.
    pub session_id: Option<String>,
    /// When; the reducer's clock when absent.
    pub read_at: Option<String>,
}

impl ReadFacts {
    /// Reads a read receipt.
    pub fn read<J: JsonEngine>(json: &J, value: J::Value) -> Result<Self, JsonError> {
        let mut read = Reader::new(json, value)?;
        let message_id = read.id_or("messageId", "id");
        let facts = ReadFacts {
            message_id: read.required(message_id),
            session_id: read.id_or("sessionId", "chatSessionId"),
            read_at: read.text("readAt"),
        };
        read.finish(facts)
    }
}

/// A typing signal: `{sessionId, authorType, authorId}` on both sides
/// (unconfirmed).
#[derive(Debug, PartialEq, Eq)]
pub struct TypingFacts {
    /// `sessionId`, else `chatSessionId`.
    pub session_id: Option<String>,
    /// Who types.
    pub author_type: Option<String>,
}

impl TypingFacts {
    /// Reads a typing signal.
    pub fn read<J: JsonEngine>(json: &J, value: J::Value) -> Result<Self, JsonError> {
        let mut typing = Reader::new(json, value)?;
        let facts = TypingFacts {
            session_id: typing.id_or("sessionId", "chatSessionId"),
            author_type: typing.text("authorType"),
        };
        typing.finish(facts)
    }
}

/// The items of a page `{count, items}` and its `count` (how many messages
/// the session has), when the answer says.
pub fn page<J: JsonEngine>(
    json: &J,
    value: J::Value,
) -> Result<(Vec<J::Value>, Option<u64>), JsonError> {
    let mut page = Reader::new(json, value.clone())?;
    let count = page.whole("count");
    let count = page.finish(count)?;
    let items = page_items(json, value)?;
    Ok((items, count.and_then(|n| u64::try_from(n).ok())))
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use crate::protocol::test_json::SerdeJson;
    use serde_json::json;

    #[test]
    fn a_message_id_may_be_spelled_message_id_and_the_session_may_be_absent() {
        let facts = MessageFacts::read(
            &SerdeJson,
            json!({"messageId": 7, "authorType": "BOT", "body": "hi"}),
        )
        .unwrap();
        assert_eq!(facts.id.as_deref(), Some("7"));
        assert_eq!(facts.session_id, None);
        assert_eq!(facts.body.as_deref(), Some("hi"));
        assert!(MessageFacts::read(&SerdeJson, json!({"id": "m", "body": 3})).is_err());
        assert!(MessageFacts::read(&SerdeJson, json!([1])).is_err());
    }

    #[test]
    fn a_receipt_needs_a_message_id() {
        let read = ReadFacts::read(&SerdeJson, json!({"messageId": "m"})).unwrap();
        assert_eq!(read.message_id, "m");
        assert_eq!(read.session_id, None);
        assert!(ReadFacts::read(&SerdeJson, json!({"sessionId": "s"})).is_err());
    }

    #[test]
    fn a_page_has_items_and_maybe_a_count() {
        let (items, count) = page(&SerdeJson, json!({"count": 9, "items": [{}, {}]})).unwrap();
        assert_eq!((items.len(), count), (2, Some(9)));
        let (items, count) = page(&SerdeJson, json!({"items": []})).unwrap();
        assert_eq!((items.len(), count), (0, None));
        assert!(page(&SerdeJson, json!({"count": "9", "items": []})).is_err());
        assert!(page(&SerdeJson, json!({"count": 1, "items": 4})).is_err());
    }
}
