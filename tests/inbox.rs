//! The inbox reducer, driven natively with serde_json payloads and an
//! injected clock.
#![cfg(not(target_arch = "wasm32"))]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)] // tests may panic

use proptest::prelude::*;
use serde_json::{json, Value};
use twin_panel::inbox::{
    InboxErrorKind, InboxOutput, InboxScope, LoadKind, ResyncReport, SessionQuery, TYPING_MS,
};
#[allow(unused_imports)]
use twin_panel::protocol::{JsonEngine, JsonError};

#[path = "../src/protocol/test_json.rs"]
mod test_json;
use test_json::SerdeJson;

type Inbox = twin_panel::inbox::InboxReducer<SerdeJson>;

const ME: &str = "389";
const NOW: u64 = 1_796_117_361_000; // 2026-12-01T09:29:21Z

/// An ISO stamp `minutes` after 09:00 on the test day.
fn at(minutes: u32) -> String {
    format!(
        "2026-12-01T{:02}:{:02}:00.000Z",
        9 + minutes / 60,
        minutes % 60
    )
}

/// A Session assigned to `operator` whose last client message is `last`
/// minutes after 09:00.
fn session(id: &str, operator: Option<&str>, last: u32, unread: i64) -> Value {
    json!({
        "id": id,
        "chatId": "chat-web-1",
        "name": format!("Visitor {id}"),
        "status": "ACTIVE",
        "botStatus": "FINISHED",
        "operatorId": operator,
        "operators": operator.map(|o| vec![json!({"id": o.parse::<i64>().unwrap(), "name": "Op", "type": "OPERATOR", "assigned_at": at(0)})]).unwrap_or_default(),
        "startedAt": at(0),
        "clientOnlineAt": null,
        "clientOfflineAt": null,
        "unreadClientMessageCount": unread,
        "lastMessageCreatedAt": at(last),
        "lastMessage": {"id": format!("{id}-m{last}"), "authorType": "CLIENT", "body": "hi", "createdAt": at(last), "readAt": null},
        "clientId": format!("client-{id}"),
        "tags": "",
    })
}

fn message(session_id: &str, id: &str, minutes: u32, author: &str) -> Value {
    json!({
        "id": id, "sessionId": session_id, "authorType": author, "authorId": "x",
        "body": format!("text {id}"), "createdAt": at(minutes), "readAt": null, "attachments": [],
    })
}

fn page(items: Vec<Value>) -> Value {
    json!({ "count": items.len(), "items": items })
}

fn inbox_for(me: Option<&str>) -> Inbox {
    let mut inbox = Inbox::new(SerdeJson);
    inbox.set_scope(InboxScope {
        me: me.map(str::to_owned),
        status: None,
        limit: None,
    });
    inbox
}

/// A store loaded with `sessions` (as both load queries' answers).
fn loaded(sessions: Vec<Value>) -> Inbox {
    let mut inbox = inbox_for(Some(ME));
    let generation = inbox.begin_load(LoadKind::Initial);
    inbox.finish_load(generation, vec![page(sessions), page(vec![])], NOW, NOW);
    inbox.take_outputs();
    inbox.take_dirty();
    inbox
}

fn ids(inbox: &Inbox) -> Vec<String> {
    inbox.sessions().iter().map(|e| e.id.clone()).collect()
}

fn unread(inbox: &Inbox, id: &str) -> u32 {
    inbox
        .get(id)
        .map(|e| e.unread)
        .unwrap_or_else(|| panic!("{id} not held"))
}

fn errors(outputs: &[InboxOutput]) -> Vec<InboxErrorKind> {
    outputs
        .iter()
        .filter_map(|o| match o {
            InboxOutput::Error(e) => Some(e.kind),
            _ => None,
        })
        .collect()
}

fn fetches(outputs: &[InboxOutput]) -> Vec<String> {
    outputs
        .iter()
        .filter_map(|o| match o {
            InboxOutput::FetchSession(id) => Some(id.clone()),
            _ => None,
        })
        .collect()
}

// ---- loading ----

#[test]
fn load_asks_for_my_sessions_and_the_open_ones() {
    let inbox = inbox_for(Some(ME));
    assert_eq!(
        inbox.load_queries(),
        vec![
            SessionQuery {
                operator_id: Some(ME.into()),
                status: None,
                limit: 100,
                sort: "-lastMessageCreatedAt"
            },
            SessionQuery {
                operator_id: None,
                status: Some("ACTIVE".into()),
                limit: 100,
                sort: "-lastMessageCreatedAt"
            },
        ]
    );
    let mut closed = inbox_for(Some(ME));
    closed.set_scope(InboxScope {
        me: Some(ME.into()),
        status: Some("CLOSED".into()),
        limit: Some(30),
    });
    assert_eq!(
        closed.load_queries().len(),
        1,
        "no queue among closed sessions"
    );
    assert_eq!(inbox_for(None).load_queries().len(), 1);
}

#[test]
fn load_sorts_filters_and_dedupes() {
    let mut other = session("s-other", Some("400"), 50, 1);
    other["operators"] = json!([{ "id": 400 }]);
    let mut bot = session("s-bot", None, 55, 0);
    bot["botStatus"] = json!("ACTIVE");
    let queue = session("s-queue", None, 20, 2);
    let inbox = {
        let mut inbox = inbox_for(Some(ME));
        let generation = inbox.begin_load(LoadKind::Initial);
        assert!(inbox.loading());
        inbox.finish_load(
            generation,
            vec![
                page(vec![
                    session("s1", Some(ME), 10, 1),
                    session("s2", Some(ME), 30, 0),
                ]),
                page(vec![session("s2", Some(ME), 30, 0), other, bot, queue]),
            ],
            NOW,
            NOW,
        );
        inbox
    };
    assert!(!inbox.loading());
    assert_eq!(ids(&inbox), ["s2", "s-queue", "s1"]);
    assert_eq!(inbox.unread_total(), 3);
}

#[test]
fn a_failed_load_keeps_the_last_good_store() {
    let mut inbox = loaded(vec![session("s1", Some(ME), 10, 1)]);
    let generation = inbox.begin_load(LoadKind::Initial);
    inbox.fail_load(generation);
    assert!(!inbox.loading());
    assert_eq!(ids(&inbox), ["s1"]);
    assert_eq!(errors(&inbox.take_outputs()), [InboxErrorKind::LoadFailed]);
    // A page of the wrong shape fails the load too.
    let generation = inbox.begin_load(LoadKind::Initial);
    inbox.finish_load(generation, vec![json!({"items": "nope"})], NOW, NOW);
    assert_eq!(ids(&inbox), ["s1"]);
    assert!(!inbox.loading());
    assert_eq!(errors(&inbox.take_outputs()), [InboxErrorKind::LoadFailed]);
}

#[test]
fn a_stale_load_is_ignored() {
    let mut inbox = inbox_for(Some(ME));
    let first = inbox.begin_load(LoadKind::Initial);
    let second = inbox.begin_load(LoadKind::Initial);
    inbox.finish_load(
        first,
        vec![page(vec![session("old", Some(ME), 1, 0)])],
        NOW,
        NOW,
    );
    assert!(inbox.loading());
    inbox.finish_load(
        second,
        vec![page(vec![session("new", Some(ME), 1, 0)])],
        NOW,
        NOW,
    );
    assert_eq!(ids(&inbox), ["new"]);
}

#[test]
fn events_during_a_load_apply_after_it() {
    let mut inbox = inbox_for(Some(ME));
    let generation = inbox.begin_load(LoadKind::Initial);
    assert!(inbox.apply(
        "chatMessageCreated",
        message("s1", "m-live", 40, "CLIENT"),
        NOW
    ));
    assert!(
        inbox.take_outputs().is_empty(),
        "no fetch while the load runs"
    );
    inbox.finish_load(
        generation,
        vec![page(vec![session("s1", Some(ME), 10, 1)])],
        NOW,
        NOW,
    );
    assert_eq!(unread(&inbox, "s1"), 2);
    assert_eq!(
        inbox.get("s1").unwrap().last_message_id.as_deref(),
        Some("m-live")
    );
}

// ---- each event kind ----

#[test]
fn session_started_adds_a_session_in_order() {
    let mut inbox = loaded(vec![session("s1", Some(ME), 10, 0)]);
    let v = inbox.version();
    assert!(inbox.apply("chatSessionStarted", session("s2", Some(ME), 20, 1), NOW));
    assert!(inbox.version() > v);
    assert!(inbox.take_dirty());
    assert_eq!(ids(&inbox), ["s2", "s1"]);
    assert_eq!(inbox.unread_total(), 1);
}

#[test]
fn session_added_and_deleted_follow_transfers() {
    let mut inbox = loaded(vec![session("s1", Some(ME), 10, 0)]);
    inbox.apply("chatSessionAdded", session("s2", Some(ME), 5, 0), NOW);
    assert_eq!(ids(&inbox), ["s1", "s2"]);
    // Transferred away: the payload names the new operator.
    let mut away = session("s1", Some("400"), 10, 0);
    away["operators"] = json!([{ "id": 400 }]);
    inbox.apply("chatSessionDeleted", away, NOW);
    assert_eq!(ids(&inbox), ["s2"]);
    // Removed from a session that now waits for anybody: it is in the queue.
    inbox.apply("chatSessionDeleted", session("s3", None, 1, 1), NOW);
    assert_eq!(ids(&inbox), ["s2", "s3"]);
}

#[test]
fn session_deleted_without_me_removes() {
    let mut inbox = inbox_for(None);
    inbox.apply("chatSessionStarted", session("s1", Some(ME), 10, 0), NOW);
    assert_eq!(ids(&inbox), ["s1"]);
    inbox.apply("chatSessionDeleted", session("s1", Some(ME), 10, 0), NOW);
    assert!(ids(&inbox).is_empty());
    // Its later events are not fetched.
    inbox.apply("chatMessageCreated", message("s1", "m", 11, "CLIENT"), NOW);
    assert!(fetches(&inbox.take_outputs()).is_empty());
}

#[test]
fn operator_not_found_puts_the_session_in_the_queue() {
    let mut inbox = loaded(vec![]);
    inbox.apply("operatorNotFound", session("q1", None, 3, 1), NOW);
    assert_eq!(ids(&inbox), ["q1"]);
    // Taken by somebody else: it leaves the queue.
    inbox.apply("chatSessionDeleted", session("q1", Some("400"), 3, 1), NOW);
    assert!(ids(&inbox).is_empty());
}

#[test]
fn switched_from_bot_and_closed_by_client_update_the_row() {
    let mut bot = session("s1", None, 10, 0);
    bot["botStatus"] = json!("ACTIVE");
    let mut inbox = loaded(vec![]);
    inbox.apply("chatSessionStarted", bot, NOW);
    assert!(ids(&inbox).is_empty(), "the bot's session is nobody's yet");
    inbox.apply(
        "chatSessionSwitchedFromBotToOperator",
        session("s1", Some(ME), 10, 1),
        NOW,
    );
    assert_eq!(unread(&inbox, "s1"), 1);
    let mut closed = session("s1", Some(ME), 10, 1);
    closed["status"] = json!("CLOSED");
    inbox.apply("sessionClosedByClient", closed, NOW);
    let entry = inbox.get("s1").unwrap();
    assert!(entry.is_closed());
    assert_eq!(entry.unread, 0, "a closed session has nothing to answer");
    assert_eq!(inbox.unread_total(), 0);
}

#[test]
fn a_client_message_moves_the_session_up_and_counts() {
    let mut inbox = loaded(vec![
        session("s1", Some(ME), 10, 0),
        session("s2", Some(ME), 20, 0),
    ]);
    inbox.apply("chatMessageCreated", message("s1", "m1", 30, "CLIENT"), NOW);
    assert_eq!(ids(&inbox), ["s1", "s2"]);
    assert_eq!(unread(&inbox, "s1"), 1);
    let entry = inbox.get("s1").unwrap();
    assert_eq!(entry.last_message_id.as_deref(), Some("m1"));
    assert_eq!(entry.last_message.as_ref().unwrap()["body"], "text m1");
    assert_eq!(
        entry.last_message_created_at.as_deref(),
        Some(at(30).as_str())
    );
    // An operator's message moves it, but is not unread.
    inbox.apply(
        "chatMessageCreated",
        message("s2", "m2", 31, "OPERATOR"),
        NOW,
    );
    assert_eq!(ids(&inbox), ["s2", "s1"]);
    assert_eq!(unread(&inbox, "s2"), 0);
}

#[test]
fn an_edit_of_the_last_message_replaces_it() {
    let mut inbox = loaded(vec![session("s1", Some(ME), 10, 1)]);
    let before = inbox.version();
    let mut older = message("s1", "not-last", 5, "CLIENT");
    older["body"] = json!("edited old");
    inbox.apply("chatMessageEdited", older, NOW);
    assert_eq!(
        inbox.version(),
        before,
        "an older message is not in the row"
    );
    let mut edited = message("s1", "s1-m10", 10, "OPERATOR");
    edited["body"] = json!("edited");
    inbox.apply("chatMessageEdited", edited, NOW);
    assert_eq!(
        inbox.get("s1").unwrap().last_message.as_ref().unwrap()["body"],
        "edited"
    );
    assert_eq!(unread(&inbox, "s1"), 1, "an edit counts nothing");
    assert_eq!(ids(&inbox), ["s1"]);
}

#[test]
fn message_read_marks_the_last_message() {
    let mut inbox = loaded(vec![session("s1", Some(ME), 10, 0)]);
    inbox.apply(
        "chatMessageCreated",
        message("s1", "op", 11, "OPERATOR"),
        NOW,
    );
    inbox.apply(
        "chatMessageRead",
        json!({"messageId": "op", "sessionId": "s1", "readAt": at(12)}),
        NOW,
    );
    assert_eq!(
        inbox.get("s1").unwrap().last_message_read_at.as_deref(),
        Some(at(12).as_str())
    );
    let v = inbox.version();
    inbox.apply(
        "chatMessageRead",
        json!({"messageId": "op", "sessionId": "s1", "readAt": at(12)}),
        NOW,
    );
    assert_eq!(inbox.version(), v, "read twice changes nothing");
}

#[test]
fn typing_shows_and_expires() {
    let mut inbox = loaded(vec![session("s1", Some(ME), 10, 0)]);
    inbox.apply(
        "typing",
        json!({"sessionId": "s1", "authorType": "CLIENT", "authorId": "c"}),
        NOW,
    );
    assert!(inbox.get("s1").unwrap().typing);
    assert_eq!(inbox.next_deadline(), Some(NOW + TYPING_MS));
    // Another typing event pushes the deadline without a change.
    let v = inbox.version();
    inbox.apply("typing", json!({"sessionId": "s1"}), NOW + 3_000);
    assert_eq!(inbox.version(), v);
    inbox.tick(NOW + TYPING_MS);
    assert!(inbox.get("s1").unwrap().typing);
    inbox.tick(NOW + 3_000 + TYPING_MS);
    assert!(!inbox.get("s1").unwrap().typing);
    assert_eq!(inbox.next_deadline(), None);
    // An operator typing is not the client.
    inbox.apply(
        "typing",
        json!({"sessionId": "s1", "authorType": "OPERATOR"}),
        NOW,
    );
    assert!(!inbox.get("s1").unwrap().typing);
    // A client message ends typing.
    inbox.apply("typing", json!({"sessionId": "s1"}), NOW);
    inbox.apply("chatMessageCreated", message("s1", "m", 20, "CLIENT"), NOW);
    assert!(!inbox.get("s1").unwrap().typing);
}

#[test]
fn client_presence_follows_online_and_offline() {
    let mut inbox = loaded(vec![
        session("s1", Some(ME), 10, 0),
        session("s2", Some(ME), 5, 0),
    ]);
    inbox.apply(
        "clientOnline",
        json!({"sessionId": "s1", "clientId": "client-s1", "at": at(20)}),
        NOW,
    );
    assert!(inbox.get("s1").unwrap().client_online);
    inbox.apply(
        "clientOffline",
        json!({"sessionId": "s1", "at": at(21)}),
        NOW,
    );
    assert!(!inbox.get("s1").unwrap().client_online);
    // An older event delivered late changes nothing.
    inbox.apply(
        "clientOnline",
        json!({"sessionId": "s1", "at": at(15)}),
        NOW,
    );
    assert!(!inbox.get("s1").unwrap().client_online);
    // Keyed by client only (tolerated shape), without a time (host clock).
    inbox.apply("clientOnline", json!({"clientId": "client-s2"}), NOW);
    assert!(inbox.get("s2").unwrap().client_online);
    assert_eq!(
        inbox.get("s2").unwrap().client_online_at.as_deref(),
        Some("2026-12-01T09:29:21.000Z")
    );
}

// ---- delivery faults ----

#[test]
fn the_same_message_twice_counts_once() {
    let mut inbox = loaded(vec![session("s1", Some(ME), 10, 0)]);
    inbox.apply("chatMessageCreated", message("s1", "m1", 11, "CLIENT"), NOW);
    let v = inbox.version();
    inbox.apply("chatMessageCreated", message("s1", "m1", 11, "CLIENT"), NOW);
    assert_eq!(inbox.version(), v);
    assert_eq!(unread(&inbox, "s1"), 1);
    // Even after newer ones.
    inbox.apply("chatMessageCreated", message("s1", "m2", 12, "CLIENT"), NOW);
    inbox.apply("chatMessageCreated", message("s1", "m1", 11, "CLIENT"), NOW);
    assert_eq!(unread(&inbox, "s1"), 2);
}

#[test]
fn the_same_session_event_twice_changes_nothing_the_second_time() {
    let mut inbox = loaded(vec![]);
    inbox.apply("chatSessionStarted", session("s1", Some(ME), 10, 1), NOW);
    inbox.apply("chatMessageCreated", message("s1", "m1", 11, "CLIENT"), NOW);
    let v = inbox.version();
    inbox.take_dirty();
    inbox.apply("chatSessionStarted", session("s1", Some(ME), 10, 1), NOW);
    assert_eq!(inbox.version(), v);
    assert!(!inbox.take_dirty());
    assert_eq!(
        unread(&inbox, "s1"),
        2,
        "the replayed older object does not undo the message"
    );
    assert_eq!(
        inbox.get("s1").unwrap().last_message_id.as_deref(),
        Some("m1")
    );
}

#[test]
fn out_of_order_messages_keep_the_newest_last() {
    let mut inbox = loaded(vec![session("s1", Some(ME), 10, 0)]);
    inbox.apply("chatMessageCreated", message("s1", "m3", 30, "CLIENT"), NOW);
    inbox.apply("chatMessageCreated", message("s1", "m2", 20, "CLIENT"), NOW);
    let entry = inbox.get("s1").unwrap();
    assert_eq!(entry.last_message_id.as_deref(), Some("m3"));
    assert_eq!(
        entry.unread, 2,
        "the late one was never counted by the server's object"
    );
    // A message older than the server's own last message is in its count.
    inbox.apply("chatMessageCreated", message("s1", "m0", 5, "CLIENT"), NOW);
    assert_eq!(unread(&inbox, "s1"), 2);
}

#[test]
fn an_unknown_session_is_fetched_once_and_its_events_wait() {
    let mut inbox = loaded(vec![]);
    inbox.apply("chatMessageCreated", message("s9", "m1", 11, "CLIENT"), NOW);
    inbox.apply("typing", json!({"sessionId": "s9"}), NOW);
    inbox.apply("chatMessageCreated", message("s9", "m2", 12, "CLIENT"), NOW);
    assert_eq!(fetches(&inbox.take_outputs()), ["s9"], "single flight");
    assert!(ids(&inbox).is_empty());
    // The server's object already counts m1 (its last message).
    let mut fetched = session("s9", Some(ME), 11, 1);
    fetched["lastMessage"]["id"] = json!("m1");
    inbox.fetched("s9", Some(fetched));
    assert_eq!(ids(&inbox), ["s9"]);
    let entry = inbox.get("s9").unwrap();
    assert_eq!(entry.unread, 2, "m1 from the object, m2 from the queue");
    assert_eq!(entry.last_message_id.as_deref(), Some("m2"));
    assert!(!entry.typing, "m2 came after the typing");
    assert_eq!(inbox.pending_ids().count(), 0);
}

#[test]
fn an_unknown_session_outside_the_scope_is_not_fetched_again() {
    let mut inbox = loaded(vec![]);
    inbox.apply("chatMessageCreated", message("s9", "m1", 11, "CLIENT"), NOW);
    assert_eq!(fetches(&inbox.take_outputs()), ["s9"]);
    let mut other = session("s9", Some("400"), 11, 1);
    other["operators"] = json!([{ "id": "400" }]);
    inbox.fetched("s9", Some(other));
    assert!(ids(&inbox).is_empty());
    inbox.apply("chatMessageCreated", message("s9", "m2", 12, "CLIENT"), NOW);
    assert!(fetches(&inbox.take_outputs()).is_empty());
    // Until a session event brings it in.
    inbox.apply("chatSessionAdded", session("s9", Some(ME), 12, 2), NOW);
    assert_eq!(ids(&inbox), ["s9"]);
    // A 404 also ends the wait.
    inbox.apply("typing", json!({"sessionId": "gone"}), NOW);
    assert_eq!(fetches(&inbox.take_outputs()), ["gone"]);
    inbox.fetched("gone", None);
    assert_eq!(inbox.pending_ids().count(), 0);
}

#[test]
fn a_failed_fetch_keeps_the_events_and_tries_again() {
    let mut inbox = loaded(vec![]);
    inbox.apply("chatMessageCreated", message("s9", "m1", 11, "CLIENT"), NOW);
    assert_eq!(fetches(&inbox.take_outputs()), ["s9"]);
    inbox.fetch_failed("s9");
    assert_eq!(errors(&inbox.take_outputs()), [InboxErrorKind::FetchFailed]);
    inbox.apply("chatMessageCreated", message("s9", "m2", 12, "CLIENT"), NOW);
    assert_eq!(fetches(&inbox.take_outputs()), ["s9"]);
    inbox.fetched("s9", Some(session("s9", Some(ME), 1, 0)));
    assert_eq!(unread(&inbox, "s9"), 2, "both waited");
}

#[test]
fn a_late_fetch_answer_does_not_undo_newer_events() {
    let mut inbox = loaded(vec![]);
    inbox.apply("chatMessageCreated", message("s9", "m1", 11, "CLIENT"), NOW);
    inbox.apply("chatSessionAdded", session("s9", Some(ME), 20, 3), NOW);
    inbox.apply("chatMessageCreated", message("s9", "m2", 21, "CLIENT"), NOW);
    assert_eq!(unread(&inbox, "s9"), 4);
    // The fetch asked for m1's sake answers with an object older than m2.
    inbox.fetched("s9", Some(session("s9", Some(ME), 20, 3)));
    assert_eq!(unread(&inbox, "s9"), 4);
    assert_eq!(
        inbox.get("s9").unwrap().last_message_id.as_deref(),
        Some("m2")
    );
}

// ---- bad input ----

#[test]
fn bad_payloads_are_counted_and_change_nothing() {
    let mut inbox = loaded(vec![session("s1", Some(ME), 10, 1)]);
    let v = inbox.version();
    let bad = [
        ("chatSessionStarted", json!({"name": "no id"})),
        ("chatSessionStarted", json!({"id": ""})),
        ("chatSessionAdded", json!({"id": "s1", "status": 7})),
        (
            "chatSessionAdded",
            json!({"id": "s1", "unreadClientMessageCount": "three"}),
        ),
        (
            "chatSessionAdded",
            json!({"id": "s1", "operators": "not json"}),
        ),
        (
            "chatMessageCreated",
            json!({"id": "m", "body": "no session"}),
        ),
        ("chatMessageCreated", json!({"sessionId": "s1"})),
        (
            "chatMessageCreated",
            json!({"id": "m", "sessionId": "s1", "createdAt": 5}),
        ),
        ("chatMessageEdited", json!("a string")),
        ("chatMessageRead", json!({"sessionId": "s1"})),
        ("typing", json!([1, 2])),
        ("clientOnline", json!({"at": at(1)})),
        ("clientOffline", json!(null)),
    ];
    for (event, payload) in bad.clone() {
        assert!(inbox.apply(event, payload, NOW), "{event}");
    }
    assert_eq!(inbox.bad_payloads(), bad.len() as u64);
    let outputs = inbox.take_outputs();
    assert_eq!(
        errors(&outputs),
        vec![InboxErrorKind::BadPayload; bad.len()]
    );
    assert!(fetches(&outputs).is_empty());
    assert_eq!(inbox.version(), v);
    assert_eq!(ids(&inbox), ["s1"]);
    assert_eq!(unread(&inbox, "s1"), 1);
}

#[test]
fn tolerated_shapes_are_read() {
    let mut inbox = loaded(vec![]);
    // Integer ids, operators as a JSON string, negative counts, unknown fields.
    let payload = json!({
        "id": 77, "operatorId": 389, "operators": "[{\"id\":389}]", "status": "ACTIVE",
        "unreadClientMessageCount": -4, "startedAt": "2026-12-01 09:00:00", "somethingNew": {"x": 1},
    });
    inbox.apply("chatSessionStarted", payload, NOW);
    assert_eq!(ids(&inbox), ["77"]);
    assert_eq!(unread(&inbox, "77"), 0);
    inbox.apply(
        "chatMessageCreated",
        json!({"id": 5, "chatSessionId": 77, "authorType": "CLIENT"}),
        NOW,
    );
    assert_eq!(unread(&inbox, "77"), 1);
    assert_eq!(
        inbox.get("77").unwrap().last_message_ms,
        Some(NOW as i64),
        "no createdAt: the host's clock"
    );
}

#[test]
fn other_events_are_not_the_inbox_s() {
    let mut inbox = loaded(vec![]);
    assert!(!inbox.apply("operatorBlocked", json!({}), NOW));
    assert!(!inbox.apply("somethingNew", json!({"id": "x"}), NOW));
    assert_eq!(inbox.bad_payloads(), 0);
}

// ---- markRead ----

#[test]
fn mark_read_clears_and_rolls_back() {
    let mut inbox = loaded(vec![session("s1", Some(ME), 10, 3)]);
    let ticket = inbox.begin_mark_read("s1").unwrap();
    assert_eq!(unread(&inbox, "s1"), 0);
    inbox.apply("chatMessageCreated", message("s1", "m", 11, "CLIENT"), NOW);
    inbox.mark_read_failed(ticket);
    assert_eq!(unread(&inbox, "s1"), 4, "3 restored on top of the new one");
    assert_eq!(
        errors(&inbox.take_outputs()),
        [InboxErrorKind::MarkReadFailed]
    );
    // A fresher server count wins over a rollback.
    let ticket = inbox.begin_mark_read("s1").unwrap();
    inbox.apply("chatSessionAdded", session("s1", Some(ME), 12, 0), NOW);
    inbox.mark_read_failed(ticket);
    assert_eq!(unread(&inbox, "s1"), 0);
    assert!(inbox.begin_mark_read("nope").is_none());
}

#[test]
fn mark_read_picks_unread_client_messages() {
    let inbox = loaded(vec![]);
    let mut read = message("s1", "read", 1, "CLIENT");
    read["readAt"] = json!(at(2));
    let list = page(vec![
        message("s1", "a", 3, "CLIENT"),
        read,
        message("s1", "op", 4, "OPERATOR"),
        message("s1", "b", 5, "CLIENT"),
    ]);
    assert_eq!(inbox.messages_to_mark(list), ["a", "b"]);
    assert!(inbox.messages_to_mark(json!("garbage")).is_empty());
}

// ---- resync ----

#[test]
fn resync_reports_what_changed_while_away() {
    let mut inbox = loaded(vec![
        session("keep", Some(ME), 10, 0),
        session("moved", Some(ME), 11, 1),
        session("gone", Some(ME), 12, 0),
    ]);
    inbox.take_dirty();
    let generation = inbox.begin_load(LoadKind::Resync {
        reason: "epoch changed".into(),
    });
    assert!(inbox.loading());
    // An event while the reload runs lands after it.
    inbox.apply("typing", json!({"sessionId": "new"}), NOW);
    let mut moved = session("moved", Some(ME), 40, 3);
    moved["lastMessage"]["id"] = json!("moved-m40");
    inbox.finish_load(
        generation,
        vec![
            page(vec![
                session("keep", Some(ME), 10, 0),
                moved,
                session("new", Some(ME), 30, 2),
            ]),
            page(vec![]),
        ],
        NOW,
        NOW + 1,
    );
    let report = ResyncReport {
        reason: "epoch changed".into(),
        at: NOW + 1,
        added: vec!["new".into()],
        removed: vec!["gone".into()],
        changed: vec!["moved".into()],
        missed_messages: 2,
    };
    let outputs = inbox.take_outputs();
    assert!(
        outputs.contains(&InboxOutput::Resync(report.clone())),
        "{outputs:?}"
    );
    assert_eq!(inbox.last_resync(), Some(&report));
    assert_eq!(ids(&inbox), ["moved", "new", "keep"]);
    assert!(inbox.get("new").unwrap().typing);
    assert!(inbox.take_dirty());
    assert_eq!(serde_json::to_value(&report).unwrap()["missedMessages"], 2);
}

#[test]
fn a_resync_with_nothing_missed_reports_nothing() {
    let sessions = vec![session("a", Some(ME), 10, 1), session("b", Some(ME), 20, 0)];
    let mut inbox = loaded(sessions.clone());
    let generation = inbox.begin_load(LoadKind::Resync {
        reason: "gap".into(),
    });
    inbox.finish_load(generation, vec![page(sessions)], NOW, NOW);
    assert!(inbox.last_resync().unwrap().is_empty());
}

#[test]
fn a_failed_resync_keeps_the_store_and_says_so() {
    let mut inbox = loaded(vec![session("a", Some(ME), 10, 1)]);
    let generation = inbox.begin_load(LoadKind::Resync {
        reason: "gap".into(),
    });
    inbox.apply("chatMessageCreated", message("a", "m", 11, "CLIENT"), NOW);
    inbox.fail_load(generation);
    assert_eq!(
        errors(&inbox.take_outputs()),
        [InboxErrorKind::ResyncFailed]
    );
    assert!(!inbox.loading());
    assert_eq!(
        unread(&inbox, "a"),
        2,
        "the event that came meanwhile is applied"
    );
    assert!(inbox.last_resync().is_none());
}

// ---- properties ----

#[derive(Debug, Clone)]
enum Step {
    Event(&'static str, Value),
    Fetch(usize, Option<Value>),
    FetchFail(usize),
    Tick(u64),
    Load(Vec<Value>, bool),
    MarkRead(usize, bool),
}

const IDS: [&str; 4] = ["s0", "s1", "s2", "s3"];

fn any_session() -> impl Strategy<Value = Value> {
    (
        0..IDS.len(),
        prop::option::of(prop::sample::select(vec![ME, "400"])),
        0u32..60,
        -2i64..5,
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(|(i, operator, last, unread, closed, bot)| {
            let mut s = session(IDS[i], operator, last, unread);
            if closed {
                s["status"] = json!("CLOSED");
            }
            if bot {
                s["botStatus"] = json!("ACTIVE");
            }
            s
        })
}

fn any_payload() -> impl Strategy<Value = Value> {
    prop_oneof![
        any_session(),
        (0..IDS.len(), 0u32..8, 0u32..60, any::<bool>()).prop_map(|(i, m, minutes, client)| {
            message(
                IDS[i],
                &format!("m{m}"),
                minutes,
                if client { "CLIENT" } else { "OPERATOR" },
            )
        }),
        (0..IDS.len(), 0u32..8).prop_map(
            |(i, m)| json!({"sessionId": IDS[i], "messageId": format!("m{m}"), "readAt": at(59)})
        ),
        (0..IDS.len(), 0u32..60)
            .prop_map(|(i, minutes)| json!({"sessionId": IDS[i], "at": at(minutes)})),
        (0..IDS.len()).prop_map(|i| json!({"sessionId": IDS[i], "authorType": "CLIENT"})),
        prop_oneof![
            Just(json!(null)),
            Just(json!({"id": 3.5})),
            Just(json!({"sessionId": []})),
            Just(json!([]))
        ],
    ]
}

const EVENTS: [&str; 12] = [
    "chatSessionStarted",
    "chatSessionAdded",
    "operatorNotFound",
    "chatSessionSwitchedFromBotToOperator",
    "sessionClosedByClient",
    "chatSessionDeleted",
    "chatMessageCreated",
    "chatMessageEdited",
    "chatMessageRead",
    "typing",
    "clientOnline",
    "clientOffline",
];

fn any_step() -> impl Strategy<Value = Step> {
    prop_oneof![
        8 => (prop::sample::select(EVENTS.to_vec()), any_payload()).prop_map(|(e, p)| Step::Event(e, p)),
        2 => (0..IDS.len(), prop::option::of(any_session())).prop_map(|(i, s)| Step::Fetch(i, s)),
        1 => (0..IDS.len()).prop_map(Step::FetchFail),
        1 => (0u64..12_000).prop_map(Step::Tick),
        1 => (prop::collection::vec(any_session(), 0..5), any::<bool>()).prop_map(|(s, resync)| Step::Load(s, resync)),
        1 => (0..IDS.len(), any::<bool>()).prop_map(|(i, ok)| Step::MarkRead(i, ok)),
    ]
}

/// What a snapshot shows, for "unchanged version ⇒ unchanged snapshot".
fn shown(inbox: &Inbox) -> Vec<(String, u32, bool, bool, Option<String>, u64)> {
    inbox
        .sessions()
        .iter()
        .map(|e| {
            (
                e.id.clone(),
                e.unread,
                e.typing,
                e.client_online,
                e.last_message_id.clone(),
                e.rev,
            )
        })
        .collect()
}

fn check_invariants(inbox: &Inbox) {
    let sessions = inbox.sessions();
    for pair in sessions.windows(2) {
        assert!(
            pair[0].last_activity_ms() >= pair[1].last_activity_ms(),
            "sorted newest first"
        );
    }
    // The list order is kept as changes come: it is what a fresh sort gives.
    let mut sorted = sessions.clone();
    sorted.sort_by(|a, b| {
        b.last_activity_ms()
            .cmp(&a.last_activity_ms())
            .then_with(|| a.id.cmp(&b.id))
    });
    let order = |list: &[&twin_panel::inbox::InboxEntry<Value>]| {
        list.iter().map(|e| e.id.clone()).collect::<Vec<_>>()
    };
    assert_eq!(order(&sessions), order(&sorted), "newest first, ties by id");
    let by_id = inbox.held().by_id();
    assert_eq!(by_id.len(), sessions.len());
    for pair in by_id.windows(2) {
        assert!(pair[0].id < pair[1].id, "by id, each id once");
    }
    for entry in by_id {
        assert!(std::ptr::eq(inbox.get(&entry.id).unwrap(), entry));
    }
    let mut seen = std::collections::HashSet::new();
    for entry in &sessions {
        assert!(seen.insert(entry.id.clone()), "duplicate id {}", entry.id);
        if entry.is_closed() {
            assert!(!entry.typing, "a closed session does not type");
        }
        assert!(entry.rev <= inbox.version());
    }
    assert_eq!(
        inbox.unread_total(),
        sessions.iter().map(|e| u64::from(e.unread)).sum::<u64>()
    );
    for id in inbox.pending_ids() {
        assert!(
            inbox.get(id).is_none() || inbox.refetching(id),
            "events wait only for sessions not held, or fetched again"
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn any_sequence_keeps_the_invariants(steps in prop::collection::vec(any_step(), 1..60), with_me in any::<bool>()) {
        let mut inbox = inbox_for(with_me.then_some(ME));
        let mut now = NOW;
        let mut tickets = Vec::new();
        let mut loads = Vec::new();
        for step in steps {
            let before_version = inbox.version();
            let before = shown(&inbox);
            match step {
                Step::Event(event, payload) => { inbox.apply(event, payload, now); }
                Step::Fetch(i, session) => inbox.fetched(IDS[i], session.map(|mut s| { s["id"] = json!(IDS[i]); s })),
                Step::FetchFail(i) => inbox.fetch_failed(IDS[i]),
                Step::Tick(ms) => { now += ms; inbox.tick(now); }
                Step::Load(sessions, resync) => {
                    if let Some(generation) = loads.pop() {
                        inbox.finish_load(generation, vec![page(sessions)], now, now);
                    } else {
                        let kind = if resync { LoadKind::Resync { reason: "gap".into() } } else { LoadKind::Initial };
                        loads.push(inbox.begin_load(kind));
                    }
                }
                Step::MarkRead(i, ok) => {
                    if let Some(ticket) = inbox.begin_mark_read(IDS[i]) {
                        if !ok { tickets.push(ticket); }
                    } else if let Some(ticket) = tickets.pop() {
                        inbox.mark_read_failed(ticket);
                    }
                }
            }
            for output in inbox.take_outputs() {
                if let InboxOutput::Resync(report) = output {
                    let mut all: Vec<_> = report.added.iter().chain(&report.removed).chain(&report.changed).collect();
                    let n = all.len();
                    all.sort();
                    all.dedup();
                    prop_assert_eq!(all.len(), n, "an id is in one list of the report");
                }
            }
            check_invariants(&inbox);
            if inbox.version() == before_version {
                prop_assert_eq!(shown(&inbox), before, "a change without a new version");
            }
        }
    }

    #[test]
    fn a_message_delivered_twice_is_applied_once(
        setup in prop::collection::vec((prop::sample::select(EVENTS.to_vec()), any_payload()), 0..20),
        event in prop::sample::select(EVENTS.to_vec()),
        payload in any_payload(),
    ) {
        let mut inbox = loaded(IDS.iter().map(|id| session(id, Some(ME), 1, 0)).collect());
        for (e, p) in setup {
            inbox.apply(e, p, NOW);
        }
        inbox.apply(event, payload.clone(), NOW);
        let once = shown(&inbox);
        let unread_once = inbox.unread_total();
        inbox.apply(event, payload, NOW);
        prop_assert_eq!(inbox.unread_total(), unread_once);
        let twice: Vec<_> = shown(&inbox).into_iter().map(|(id, u, t, o, m, _)| (id, u, t, o, m)).collect();
        let once: Vec<_> = once.into_iter().map(|(id, u, t, o, m, _)| (id, u, t, o, m)).collect();
        prop_assert_eq!(twice, once);
    }
}

#[test]
fn a_large_inbox_keeps_its_order_through_events() {
    let name = |i: u32| format!("s{i}");
    let mut inbox = loaded(
        (0..2000)
            .map(|i| session(&name(i), Some(ME), i % 50, 0))
            .collect(),
    );
    assert_eq!(inbox.sessions().len(), 2000);
    check_invariants(&inbox);
    // Messages move rows up the list, new sessions come, some leave.
    for i in (0..2000).step_by(7) {
        let m = message(&name(i), &format!("n{i}"), 50 + i % 9, "CLIENT");
        inbox.apply("chatMessageCreated", m, NOW);
    }
    for i in 2000..2100 {
        inbox.apply(
            "chatSessionStarted",
            session(&name(i), Some(ME), i % 60, 1),
            NOW,
        );
    }
    for i in (0..2100).step_by(11) {
        let mut away = session(&name(i), Some("400"), 1, 0);
        away["operators"] = json!([{ "id": 400 }]);
        inbox.apply("chatSessionAdded", away, NOW);
    }
    check_invariants(&inbox);
    assert_eq!(inbox.sessions().len(), 2100 - 191);
    assert_eq!(unread(&inbox, "s7"), 1);
    assert_eq!(
        inbox.sessions()[0].last_activity_ms(),
        inbox
            .sessions()
            .iter()
            .map(|e| e.last_activity_ms())
            .max()
            .unwrap()
    );
}

#[test]
fn whole_second_stamps_ask_the_server_about_live_messages_and_count_replayed_ones_once() {
    // Live: another message in the same second as the object's last one may
    // be new (written after the object was read) or late (a recovered
    // stream): the row is fetched again and the server's count wins.
    for (server_unread, what) in [(2, "new"), (1, "already counted")] {
        let mut inbox = loaded(vec![session("s1", Some(ME), 10, 1)]);
        inbox.apply(
            "chatMessageCreated",
            message("s1", "same-second", 10, "CLIENT"),
            NOW,
        );
        assert_eq!(fetches(&inbox.take_outputs()), ["s1"], "{what}");
        assert_eq!(
            unread(&inbox, "s1"),
            1,
            "{what}: not counted before the server says"
        );
        assert_eq!(
            inbox.get("s1").unwrap().last_message_id.as_deref(),
            Some("same-second")
        );
        // A message of the next minute waits for the answer, then counts.
        inbox.apply(
            "chatMessageCreated",
            message("s1", "next", 11, "CLIENT"),
            NOW,
        );
        assert!(fetches(&inbox.take_outputs()).is_empty(), "single flight");
        assert_eq!(unread(&inbox, "s1"), 1, "{what}");
        let mut fetched = session("s1", Some(ME), 10, server_unread);
        fetched["lastMessage"]["id"] = json!("same-second");
        inbox.fetched("s1", Some(fetched));
        assert_eq!(unread(&inbox, "s1"), server_unread as u32 + 1, "{what}");
        assert_eq!(
            inbox.get("s1").unwrap().last_message_id.as_deref(),
            Some("next")
        );
        assert!(fetches(&inbox.take_outputs()).is_empty(), "{what}");
    }
    // Replayed after a fetch: the fetched object already counts it.
    let mut inbox = loaded(vec![]);
    inbox.apply(
        "chatMessageCreated",
        message("s9", "early", 10, "CLIENT"),
        NOW,
    );
    inbox.apply(
        "chatMessageCreated",
        message("s9", "last", 10, "CLIENT"),
        NOW,
    );
    let mut fetched = session("s9", Some(ME), 10, 2);
    fetched["lastMessage"]["id"] = json!("last");
    inbox.fetched("s9", Some(fetched));
    assert_eq!(unread(&inbox, "s9"), 2);
}

#[test]
fn a_refresh_by_the_host_wins_and_a_closed_session_counts_nothing() {
    let mut inbox = loaded(vec![session("s1", Some(ME), 10, 0)]);
    inbox.apply(
        "chatMessageCreated",
        message("s1", "deleted-later", 20, "CLIENT"),
        NOW,
    );
    assert_eq!(unread(&inbox, "s1"), 1);
    // The last message was deleted: the object's last message moves back.
    // A fetch for an event's sake keeps the newer state; the host's own refresh wins.
    inbox.refreshed(session("s1", Some(ME), 10, 0));
    assert_eq!(unread(&inbox, "s1"), 0);
    assert_eq!(
        inbox.get("s1").unwrap().last_message_id.as_deref(),
        Some("s1-m10")
    );
    // An older object that is closed still zeroes the count.
    inbox.apply(
        "chatMessageCreated",
        message("s1", "m30", 30, "CLIENT"),
        NOW,
    );
    let mut closed = session("s1", Some(ME), 10, 1);
    closed["status"] = json!("CLOSED");
    inbox.apply("chatMessageCreated", message("s9", "x", 1, "CLIENT"), NOW);
    inbox.fetched("s1", Some(closed));
    let entry = inbox.get("s1").unwrap();
    assert!(entry.is_closed());
    assert_eq!(entry.unread, 0);
    assert_eq!(
        entry.last_message_id.as_deref(),
        Some("m30"),
        "the late object keeps the newer message"
    );
}

// ---- what is read ----

/// [`SerdeJson`] that writes down every field looked up, in order.
type Keys = test_json::Recording;

/// A store of `sessions` that writes down what it reads.
fn loaded_with_keys(sessions: Vec<Value>) -> (twin_panel::inbox::InboxReducer<Keys>, Keys) {
    let keys = Keys::default();
    let mut inbox = twin_panel::inbox::InboxReducer::new(keys.clone());
    inbox.set_scope(InboxScope {
        me: Some(ME.to_owned()),
        status: None,
        limit: None,
    });
    let generation = inbox.begin_load(LoadKind::Initial);
    inbox.finish_load(generation, vec![page(sessions)], NOW, NOW);
    inbox.take_outputs();
    keys.take();
    (inbox, keys)
}

#[test]
fn an_event_of_a_session_not_held_is_read_no_further_than_its_session() {
    let (mut inbox, keys) = loaded_with_keys(vec![session("s1", Some(ME), 10, 0)]);
    // A session not held: its message waits for the fetch, unread.
    inbox.apply("chatMessageCreated", message("s9", "m1", 11, "CLIENT"), NOW);
    assert_eq!(keys.take(), ["sessionId"]);
    assert_eq!(inbox.pending_ids().collect::<Vec<_>>(), ["s9"]);
    let outputs = inbox.take_outputs();
    assert_eq!(fetches(&outputs), ["s9"]);
    // Another operator's: out of scope, and its events are dropped unread.
    inbox.fetched("s9", Some(session("s9", Some("400"), 11, 1)));
    keys.take();
    for (event, payload) in [
        ("chatMessageCreated", message("s9", "m2", 12, "CLIENT")),
        ("chatMessageEdited", message("s9", "m2", 12, "CLIENT")),
        (
            "chatMessageRead",
            json!({"messageId": "m2", "sessionId": "s9", "readAt": at(13)}),
        ),
        ("typing", json!({"sessionId": "s9", "authorType": "CLIENT"})),
        (
            "clientOnline",
            json!({"sessionId": "s9", "clientId": "c", "at": at(13)}),
        ),
    ] {
        inbox.apply(event, payload, NOW);
        assert_eq!(keys.take(), ["sessionId"], "{event}");
    }
    assert!(inbox.take_outputs().is_empty());
    // The other spelling is read when the first is absent.
    inbox.apply(
        "chatMessageCreated",
        json!({"id": "m3", "chatSessionId": "s9"}),
        NOW,
    );
    assert_eq!(keys.take(), ["sessionId", "chatSessionId"]);
    // A held session's message is read whole.
    inbox.apply("chatMessageCreated", message("s1", "m4", 14, "CLIENT"), NOW);
    assert_eq!(
        keys.take(),
        ["sessionId", "id", "authorType", "createdAt", "readAt"]
    );
    assert_eq!(inbox.get("s1").unwrap().unread, 1);
    // Typing of a session not held, not known to be out of scope: the
    // author decides whether it is fetched.
    inbox.apply(
        "typing",
        json!({"sessionId": "s8", "authorType": "OPERATOR"}),
        NOW,
    );
    assert_eq!(keys.take(), ["sessionId", "authorType"]);
    assert!(fetches(&inbox.take_outputs()).is_empty());
}

#[test]
fn a_bad_payload_is_reported_when_its_session_is_held() {
    let mut inbox = loaded(vec![session("s1", Some(ME), 10, 0)]);
    // Out of scope: dropped unread, so not reported.
    inbox.apply("chatMessageCreated", message("s9", "m1", 11, "CLIENT"), NOW);
    inbox.fetched("s9", Some(session("s9", Some("400"), 11, 1)));
    inbox.take_outputs();
    let bad_created_at = |session: &str| json!({"id": "m", "sessionId": session, "createdAt": 5});
    inbox.apply("chatMessageCreated", bad_created_at("s9"), NOW);
    inbox.apply("typing", json!({"sessionId": "s9", "authorType": 5}), NOW);
    assert!(inbox.take_outputs().is_empty());
    assert_eq!(inbox.bad_payloads(), 0);
    // A session id that does not read: reported at once.
    inbox.apply(
        "chatMessageCreated",
        json!({"id": "m", "sessionId": 1.5}),
        NOW,
    );
    assert_eq!(errors(&inbox.take_outputs()), [InboxErrorKind::BadPayload]);
    // A session not held yet: the event waits unread and is reported when
    // its session turns out to be held (and dropped with it when not).
    inbox.apply("chatMessageCreated", bad_created_at("s8"), NOW);
    inbox.apply("clientOnline", json!({"sessionId": "s8", "at": 5}), NOW);
    assert_eq!(fetches(&inbox.take_outputs()), ["s8"]);
    inbox.fetched("s8", Some(session("s8", Some(ME), 11, 0)));
    assert_eq!(
        errors(&inbox.take_outputs()),
        [InboxErrorKind::BadPayload, InboxErrorKind::BadPayload]
    );
    assert_eq!(inbox.bad_payloads(), 3);
    assert_eq!(unread(&inbox, "s8"), 0);
}
