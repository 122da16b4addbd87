//! The few fields the inbox reads out of each payload.
//!
//! Each field is looked up by itself in the value the engine parsed
//! ([`Object`]), and only the fields the reducer keys on: no pass over the
//! whole payload, nothing compiled per payload shape. The value itself is
//! kept whole for the snapshot. Unknown fields are never looked at.
//!
//! An event of a session is read in two steps (`session_first`): its
//! session id, then, only when the reducer applies it to a session it
//! holds, the rest (`MessageFields::rest`, …). Each look-up is a call into
//! the engine (a crossing into JavaScript in the browser), and most events
//! of a session the inbox does not hold are dropped or queued unread.
//!
//! Where the platform's shape is unconfirmed (twin-api.md marks every payload
//! but chatSessionStarted's as unverified) the readers are tolerant: ids may
//! be strings or integers, `operators` may be an array or a JSON-encoded
//! string, a field may go by another spelling (`chatSessionId` where
//! `sessionId` is absent), and absent or `null` optional fields are "unknown".
//! A field of a type nothing can explain (a number for `status`, a string for
//! `unreadClientMessageCount`) or a payload that is not an object makes the
//! payload bad ([`JsonError::Shape`]): it is counted and reported, never
//! half-applied.

use super::time::push_num;
use crate::protocol::json_engine::{JsonEngine, JsonError, Object, MAX_EXACT_INTEGER};

/// One payload's fields, read one by one.
///
/// A field of an impossible type marks the payload bad and reads as absent;
/// [`Reader::finish`] then turns the whole payload down. Reading on instead
/// of returning at the first bad field leaves the wasm one cleanup path per
/// payload instead of one per field read.
pub(crate) struct Reader<'j, J: JsonEngine> {
    object: Object<'j, J>,
    bad: bool,
}

impl<'j, J: JsonEngine> Reader<'j, J> {
    /// A reader of `value`; a [`JsonError::Shape`] when it is not an object.
    pub(crate) fn new(json: &'j J, value: J::Value) -> Result<Self, JsonError> {
        Ok(Reader {
            object: Object::new(json, value)?,
            bad: false,
        })
    }

    /// What `read` found; nothing, and the payload bad, when it failed.
    pub(crate) fn check<T: Default>(&mut self, read: Result<T, JsonError>) -> T {
        read.unwrap_or_else(|_| {
            self.bad = true;
            T::default()
        })
    }

    /// A text field.
    pub(crate) fn text(&mut self, key: &str) -> Option<String> {
        let read = self.object.str(key);
        self.check(read)
    }

    /// An id field (see [`id`]).
    pub(crate) fn id(&mut self, key: &str) -> Option<String> {
        let read = id(&self.object, key);
        self.check(read)
    }

    /// The id under `key`, else under `alias`, its other spelling.
    pub(crate) fn id_or(&mut self, key: &str, alias: &str) -> Option<String> {
        match self.id(key) {
            Some(id) => Some(id),
            None => self.id(alias),
        }
    }

    /// An id the payload cannot do without: absent, the payload is bad.
    pub(crate) fn required(&mut self, id: Option<String>) -> String {
        self.check(id.ok_or(JsonError::Shape))
    }

    /// A whole number (negative ones included).
    pub(crate) fn whole(&mut self, key: &str) -> Option<i64> {
        let read = self.object.f64(key);
        match self.check(read) {
            None => None,
            Some(n) => self.check(whole(n).map(Some).ok_or(JsonError::Shape)),
        }
    }

    /// `fields` when every field read, else a [`JsonError::Shape`].
    pub(crate) fn finish<T>(self, fields: T) -> Result<T, JsonError> {
        if self.bad {
            Err(JsonError::Shape)
        } else {
            Ok(fields)
        }
    }
}

/// An id field as text: a string, or a whole number (the platform sends some
/// ids as integers; `operatorId` is "string, number or null"). `None` when
/// absent, `null` or empty; a [`JsonError::Shape`] for any other type or a
/// number that is not a whole one JS holds exactly.
fn id<J: JsonEngine>(object: &Object<'_, J>, key: &str) -> Result<Option<String>, JsonError> {
    let Some(value) = object.get(key) else {
        return Ok(None);
    };
    let json = object.json();
    let text = match json.string(&value) {
        Some(text) => text,
        None => json
            .number(&value)
            .and_then(whole)
            .map(integer_text)
            .ok_or(JsonError::Shape)?,
    };
    Ok((!text.is_empty()).then_some(text))
}

/// `n` when it is a whole number JS holds exactly (negative ones included).
fn whole(n: f64) -> Option<i64> {
    (n.fract() == 0.0 && n.abs() <= MAX_EXACT_INTEGER as f64).then_some(n as i64)
}

/// `n` in decimal, without the formatting machinery.
fn integer_text(n: i64) -> String {
    let magnitude = n.unsigned_abs();
    let mut width = 1;
    while width < 18 && magnitude >= 10_u64.pow(width) {
        width += 1;
    }
    let mut text = String::with_capacity(width as usize + 1);
    if n < 0 {
        text.push('-');
    }
    push_num(
        &mut text,
        i64::try_from(magnitude).unwrap_or(i64::MAX),
        width,
    );
    text
}

/// The fields of a Session (twin-api.md §6.1) the inbox orders, filters and
/// counts by. `V` is the engine's value: `lastMessage` is kept as sent.
#[derive(Debug)]
pub struct SessionFields<V> {
    /// Required: a payload without an id is bad.
    pub id: String,
    /// `ACTIVE`, `CLOSED`, … (enum values unconfirmed; compared as text).
    pub status: Option<String>,
    /// `botStatus`: `ACTIVE` while the bot answers.
    pub bot_status: Option<String>,
    /// `operatorId`: the session's main operator.
    pub operator_id: Option<String>,
    /// The ids of `operators`: every operator taking part (main and helpers).
    pub operator_ids: Vec<String>,
    /// The session's name, for the resync report's "changed".
    pub name: Option<String>,
    /// `startedAt` (date-time string).
    pub started_at: Option<String>,
    /// `lastMessageCreatedAt` (date-time string).
    pub last_message_created_at: Option<String>,
    /// `lastMessage`, kept as the engine's value, whatever its type.
    pub last_message: Option<V>,
    /// `lastMessage.id`, when the last message reads as a message.
    pub last_message_id: Option<String>,
    /// `lastMessage.createdAt`, when the last message reads as a message.
    pub last_message_at: Option<String>,
    /// `unreadClientMessageCount`: client messages the operators have not
    /// read (a whole number; may be negative, which the reducer reads as 0).
    pub unread_client_message_count: Option<i64>,
    /// `clientOnlineAt`: when the client last came online.
    pub client_online_at: Option<String>,
    /// `clientOfflineAt`: when the client last went offline.
    pub client_offline_at: Option<String>,
    /// `clientId` (string in practice; integers accepted).
    pub client_id: Option<String>,
}

impl<V: Clone> SessionFields<V> {
    /// Reads a Session. A `lastMessage` whose own fields do not read is kept
    /// without its id and time: the session is still good.
    pub fn read<J: JsonEngine<Value = V>>(json: &J, value: V) -> Result<Self, JsonError> {
        let mut session = Reader::new(json, value)?;
        let id = session.id("id");
        let operators = operator_ids(json, session.object.get("operators"));
        let last_message = session.object.get("lastMessage");
        let (last_message_id, last_message_at) = last_message
            .clone()
            .and_then(|message| message_stamp(json, message).ok())
            .unwrap_or_default();
        let fields = SessionFields {
            id: session.required(id),
            status: session.text("status"),
            bot_status: session.text("botStatus"),
            operator_id: session.id("operatorId"),
            operator_ids: session.check(operators),
            name: session.text("name"),
            started_at: session.text("startedAt"),
            last_message_created_at: session.text("lastMessageCreatedAt"),
            last_message,
            last_message_id,
            last_message_at,
            unread_client_message_count: session.whole("unreadClientMessageCount"),
            client_online_at: session.text("clientOnlineAt"),
            client_offline_at: session.text("clientOfflineAt"),
            client_id: session.id("clientId"),
        };
        session.finish(fields)
    }
}

/// `id` and `createdAt` of a session's `lastMessage` (twin-api.md §6.2).
fn message_stamp<J: JsonEngine>(
    json: &J,
    value: J::Value,
) -> Result<(Option<String>, Option<String>), JsonError> {
    let mut message = Reader::new(json, value)?;
    let stamp = (message.id("id"), message.text("createdAt"));
    message.finish(stamp)
}

/// The ids in `Session.operators`: an array of `{id, …}`, or (the PHP SDK
/// accepts this) the same array JSON-encoded in a string, which the engine
/// parses. Entries without an id are skipped.
fn operator_ids<J: JsonEngine>(
    json: &J,
    field: Option<J::Value>,
) -> Result<Vec<String>, JsonError> {
    let Some(field) = field else {
        return Ok(Vec::new());
    };
    let list = match json.string(&field) {
        Some(text) if text.trim().is_empty() => return Ok(Vec::new()),
        Some(text) => json.parse(&text).map_err(|_| JsonError::Shape)?,
        None => field,
    };
    let mut ids = Vec::new();
    for operator in json.items(&list).ok_or(JsonError::Shape)? {
        if let Some(id) = id(&Object::new(json, operator)?, "id")? {
            ids.push(id);
        }
    }
    Ok(ids)
}

/// The first step of reading an event of a session: the payload as an
/// object and its session id (`sessionId`, else `chatSessionId`; `None`
/// when it names none). A [`JsonError::Shape`] when the payload is not an
/// object or its session id is of the wrong type. The reader goes on with
/// the event's own fields (`MessageFields::rest`, …).
pub(crate) fn session_first<J: JsonEngine>(
    json: &J,
    value: J::Value,
) -> Result<(Reader<'_, J>, Option<String>), JsonError> {
    let mut reader = Reader::new(json, value)?;
    let session_id = reader.id_or("sessionId", "chatSessionId");
    if reader.bad {
        return Err(JsonError::Shape);
    }
    Ok((reader, session_id))
}

/// A Message of chatMessageCreated and chatMessageEdited (twin-api.md §6.5;
/// inferred, not confirmed).
#[derive(Debug)]
pub struct MessageFields {
    /// The message id; required.
    pub id: String,
    /// The session it belongs to (`sessionId`, or `chatSessionId`); required.
    pub session_id: String,
    /// `authorType`: `CLIENT`, `OPERATOR`, `BOT` (values unconfirmed; only
    /// `CLIENT` counts as unread).
    pub author_type: Option<String>,
    /// `createdAt`: when it was written.
    pub created_at: Option<String>,
    /// `readAt`: when it was read; a client message with one is not unread.
    pub read_at: Option<String>,
}

impl MessageFields {
    /// Reads a message event.
    pub fn read<J: JsonEngine>(json: &J, value: J::Value) -> Result<Self, JsonError> {
        let (message, session_id) = session_first(json, value)?;
        Self::rest(message, session_id)
    }

    /// Reads the fields after the session id (see [`session_first`]);
    /// without one, the payload is bad.
    pub(crate) fn rest<J: JsonEngine>(
        mut message: Reader<'_, J>,
        session_id: Option<String>,
    ) -> Result<Self, JsonError> {
        let id = message.id("id");
        let fields = MessageFields {
            id: message.required(id),
            session_id: message.required(session_id),
            author_type: message.text("authorType"),
            created_at: message.text("createdAt"),
            read_at: message.text("readAt"),
        };
        message.finish(fields)
    }
}

/// The id of a message in a page of a session's messages when it is a client
/// message without `readAt` (one `markRead` marks); `None` for another
/// message, a [`JsonError::Shape`] for one that does not read.
pub fn unread_client_message<J: JsonEngine>(
    json: &J,
    value: J::Value,
) -> Result<Option<String>, JsonError> {
    let mut message = Reader::new(json, value)?;
    let from_client = message.text("authorType").as_deref() == Some("CLIENT");
    let unread = message.text("readAt").is_none();
    let id = message.id("id").filter(|_| from_client && unread);
    message.finish(id)
}

/// chatMessageRead: `{messageId, sessionId, readAt}` in the sandbox (the
/// platform's payload is unconfirmed; `id` is read where `messageId` is
/// absent, `chatSessionId` where `sessionId` is).
#[derive(Debug)]
pub struct ReadFields {
    /// The message that was read; required.
    pub message_id: String,
    /// Its session; required.
    pub session_id: String,
    /// When.
    pub read_at: Option<String>,
}

impl ReadFields {
    /// Reads a chatMessageRead payload.
    pub fn read<J: JsonEngine>(json: &J, value: J::Value) -> Result<Self, JsonError> {
        let (read, session_id) = session_first(json, value)?;
        Self::rest(read, session_id)
    }

    /// Reads the fields after the session id (see [`session_first`]);
    /// without one, the payload is bad.
    pub(crate) fn rest<J: JsonEngine>(
        mut read: Reader<'_, J>,
        session_id: Option<String>,
    ) -> Result<Self, JsonError> {
        let message_id = read.id_or("messageId", "id");
        let fields = ReadFields {
            message_id: read.required(message_id),
            session_id: read.required(session_id),
            read_at: read.text("readAt"),
        };
        read.finish(fields)
    }
}

/// clientOnline / clientOffline: `{sessionId, clientId, at}` in the sandbox
/// (unconfirmed). Either id is enough (a payload with neither is bad): with
/// only `clientId`, every held session of that client changes.
#[derive(Debug)]
pub struct PresenceFields {
    /// The session whose client changed (`sessionId` or `chatSessionId`).
    pub session_id: Option<String>,
    /// The client.
    pub client_id: Option<String>,
    /// When (date-time string); the host's clock is used when absent.
    pub at: Option<String>,
}

impl PresenceFields {
    /// Reads a presence payload.
    pub fn read<J: JsonEngine>(json: &J, value: J::Value) -> Result<Self, JsonError> {
        let (presence, session_id) = session_first(json, value)?;
        Self::rest(presence, session_id)
    }

    /// Reads the fields after the session id (see [`session_first`]).
    pub(crate) fn rest<J: JsonEngine>(
        mut presence: Reader<'_, J>,
        session_id: Option<String>,
    ) -> Result<Self, JsonError> {
        let client_id = presence.id("clientId");
        presence.bad |= session_id.is_none() && client_id.is_none();
        let fields = PresenceFields {
            session_id,
            client_id,
            at: presence.text("at"),
        };
        presence.finish(fields)
    }
}

/// typing: `{sessionId, authorType, authorId}` in the sandbox (unconfirmed).
/// Only the client's typing shows in the inbox; an absent `authorType`
/// counts as the client.
#[derive(Debug)]
pub struct TypingFields {
    /// The session (`sessionId` or `chatSessionId`); required.
    pub session_id: String,
    /// Who types.
    pub author_type: Option<String>,
}

impl TypingFields {
    /// Reads a typing payload.
    pub fn read<J: JsonEngine>(json: &J, value: J::Value) -> Result<Self, JsonError> {
        let (typing, session_id) = session_first(json, value)?;
        Self::rest(typing, session_id)
    }

    /// Reads the fields after the session id (see [`session_first`]);
    /// without one, the payload is bad.
    pub(crate) fn rest<J: JsonEngine>(
        mut typing: Reader<'_, J>,
        session_id: Option<String>,
    ) -> Result<Self, JsonError> {
        let fields = TypingFields {
            session_id: typing.required(session_id),
            author_type: typing.text("authorType"),
        };
        typing.finish(fields)
    }
}

/// The rows of a list answer `{count, items}`. Absent items are none; `null`
/// or anything else but an array is a [`JsonError::Shape`]: a load that read
/// it as "no sessions" would empty the store.
pub fn page_items<J: JsonEngine>(json: &J, page: J::Value) -> Result<Vec<J::Value>, JsonError> {
    let page = Object::new(json, page)?;
    match json.field(page.value(), "items") {
        None => Ok(Vec::new()),
        Some(items) => json.items(&items).ok_or(JsonError::Shape),
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use crate::protocol::test_json::SerdeJson;
    use serde_json::json;

    fn read_id(value: serde_json::Value) -> Result<Option<String>, JsonError> {
        let payload = json!({ "id": value });
        id(&Object::new(&SerdeJson, payload)?, "id")
    }

    #[test]
    fn a_bad_field_anywhere_makes_the_payload_bad() {
        let session = |extra: serde_json::Value| {
            let mut payload = json!({"id": "s", "status": "ACTIVE", "clientId": 4});
            payload
                .as_object_mut()
                .unwrap()
                .extend(extra.as_object().unwrap().clone());
            SessionFields::read(&SerdeJson, payload).map(|s| (s.id, s.status, s.client_id))
        };
        assert_eq!(
            session(json!({})),
            Ok(("s".into(), Some("ACTIVE".into()), Some("4".into())))
        );
        for bad in [
            json!({"id": null}),
            json!({"status": 7}),
            json!({"botStatus": true}),
            json!({"operatorId": 1.5}),
            json!({"name": []}),
            json!({"clientOfflineAt": {}}),
            json!({"clientId": false}),
        ] {
            assert_eq!(session(bad.clone()), Err(JsonError::Shape), "{bad}");
        }
        let message = |payload| MessageFields::read(&SerdeJson, payload).map(|m| m.id);
        assert_eq!(
            message(json!({"id": 5, "chatSessionId": 77})),
            Ok("5".into())
        );
        assert_eq!(message(json!({"id": 5})), Err(JsonError::Shape));
        assert_eq!(
            message(json!({"id": 5, "sessionId": "s", "readAt": 1})),
            Err(JsonError::Shape)
        );
        let typing = |payload| TypingFields::read(&SerdeJson, payload).map(|t| t.session_id);
        assert_eq!(typing(json!({"sessionId": "s"})), Ok("s".into()));
        assert_eq!(
            typing(json!({"authorType": "CLIENT"})),
            Err(JsonError::Shape)
        );
    }

    #[test]
    fn mark_read_picks_client_messages_without_read_at() {
        let pick = |payload| unread_client_message(&SerdeJson, payload);
        assert_eq!(
            pick(json!({"id": "a", "authorType": "CLIENT"})),
            Ok(Some("a".into()))
        );
        assert_eq!(
            pick(json!({"id": "a", "authorType": "CLIENT", "readAt": "2026-12-01T09:00:00Z"})),
            Ok(None)
        );
        assert_eq!(pick(json!({"id": "a", "authorType": "BOT"})), Ok(None));
        assert_eq!(
            pick(json!({"id": "a", "authorType": 1})),
            Err(JsonError::Shape)
        );
    }

    #[test]
    fn ids_are_strings_or_whole_numbers() {
        assert_eq!(read_id(json!("s1")), Ok(Some("s1".into())));
        assert_eq!(read_id(json!(389)), Ok(Some("389".into())));
        assert_eq!(read_id(json!(0)), Ok(Some("0".into())));
        assert_eq!(read_id(json!(-12)), Ok(Some("-12".into())));
        assert_eq!(read_id(json!(7.0)), Ok(Some("7".into())));
        assert_eq!(
            read_id(json!(9_007_199_254_740_991_u64)),
            Ok(Some("9007199254740991".into()))
        );
        assert_eq!(read_id(json!("")), Ok(None));
        assert_eq!(read_id(json!(null)), Ok(None));
        assert_eq!(read_id(json!(3.5)), Err(JsonError::Shape));
        assert_eq!(
            read_id(json!(9_007_199_254_740_993_u64)),
            Err(JsonError::Shape)
        );
        assert_eq!(read_id(json!(true)), Err(JsonError::Shape));
        assert_eq!(read_id(json!([1])), Err(JsonError::Shape));
    }

    #[test]
    fn operators_are_an_array_or_its_json_text() {
        let ids = |operators| {
            SessionFields::read(&SerdeJson, json!({ "id": "s", "operators": operators }))
                .map(|s| s.operator_ids)
        };
        let two = Ok(vec!["389".to_owned(), "400".to_owned()]);
        assert_eq!(
            ids(json!([{"id": 389}, {"name": "no id"}, {"id": "400"}])),
            two
        );
        assert_eq!(ids(json!("[{\"id\":389},{\"id\":\"400\"}]")), two);
        assert_eq!(ids(json!(" ")), Ok(vec![]));
        assert_eq!(ids(json!(null)), Ok(vec![]));
        for bad in [
            json!("not json"),
            json!("{}"),
            json!({}),
            json!([1]),
            json!([{"id": {}}]),
        ] {
            assert_eq!(ids(bad.clone()), Err(JsonError::Shape), "{bad}");
        }
    }

    #[test]
    fn a_last_message_that_does_not_read_keeps_the_session_good() {
        let session = SessionFields::read(
            &SerdeJson,
            json!({"id": "s", "lastMessage": {"id": 3.5, "createdAt": "2026-12-01T09:00:00Z"}}),
        )
        .unwrap();
        assert!(session.last_message.is_some());
        assert_eq!(session.last_message_id, None);
        assert_eq!(session.last_message_at, None);
        let session =
            SessionFields::read(&SerdeJson, json!({"id": "s", "lastMessage": "text"})).unwrap();
        assert_eq!(session.last_message, Some(json!("text")));
        let session =
            SessionFields::read(&SerdeJson, json!({"id": "s", "lastMessage": null})).unwrap();
        assert_eq!(session.last_message, None);
    }

    #[test]
    fn counts_are_whole_numbers() {
        let count = |n| {
            SessionFields::read(
                &SerdeJson,
                json!({"id": "s", "unreadClientMessageCount": n}),
            )
            .map(|s| s.unread_client_message_count)
        };
        assert_eq!(count(json!(3)), Ok(Some(3)));
        assert_eq!(count(json!(-4)), Ok(Some(-4)));
        assert_eq!(count(json!(null)), Ok(None));
        assert_eq!(count(json!(1.5)), Err(JsonError::Shape));
        assert_eq!(count(json!("3")), Err(JsonError::Shape));
    }

    #[test]
    fn the_other_spelling_is_read_when_the_first_is_absent() {
        let read =
            |payload| ReadFields::read(&SerdeJson, payload).map(|r| (r.message_id, r.session_id));
        let both = Ok(("m".to_owned(), "s".to_owned()));
        assert_eq!(read(json!({"messageId": "m", "sessionId": "s"})), both);
        assert_eq!(read(json!({"id": "m", "chatSessionId": "s"})), both);
        assert_eq!(
            read(json!({"messageId": "m", "id": "x", "sessionId": "s", "chatSessionId": "y"})),
            both
        );
        assert_eq!(read(json!({"messageId": "m"})), Err(JsonError::Shape));
        assert_eq!(
            read(json!({"messageId": "m", "sessionId": 1.5})),
            Err(JsonError::Shape)
        );
    }

    #[test]
    fn presence_names_a_session_or_a_client() {
        let presence = |payload| {
            PresenceFields::read(&SerdeJson, payload).map(|p| (p.session_id, p.client_id))
        };
        assert_eq!(
            presence(json!({"chatSessionId": 7})),
            Ok((Some("7".into()), None))
        );
        assert_eq!(
            presence(json!({"clientId": "c"})),
            Ok((None, Some("c".into())))
        );
        assert_eq!(presence(json!({"at": "now"})), Err(JsonError::Shape));
        assert_eq!(
            presence(json!({"sessionId": 1.5, "chatSessionId": 7})),
            Err(JsonError::Shape)
        );
    }

    #[test]
    fn a_page_has_an_array_of_items_or_none() {
        let items = |page| page_items(&SerdeJson, page).map(|items| items.len());
        assert_eq!(items(json!({"count": 2, "items": [{}, {}]})), Ok(2));
        assert_eq!(items(json!({"count": 0})), Ok(0));
        assert_eq!(items(json!({"items": null})), Err(JsonError::Shape));
        assert_eq!(items(json!({"items": "nope"})), Err(JsonError::Shape));
    }

    #[test]
    fn a_payload_that_is_not_an_object_is_bad() {
        for payload in [json!(null), json!("text"), json!([1, 2]), json!(4)] {
            assert!(TypingFields::read(&SerdeJson, payload.clone()).is_err());
            assert!(PresenceFields::read(&SerdeJson, payload.clone()).is_err());
            assert!(MessageFields::read(&SerdeJson, payload.clone()).is_err());
            assert!(page_items(&SerdeJson, payload).is_err());
        }
    }
}
