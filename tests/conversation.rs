//! The conversation reducer, driven natively with serde_json payloads and an
//! injected clock: paging, the optimistic send, echoes, edits, reads,
//! typing, other sessions' events, resync, and the visitor's side.
#![cfg(not(target_arch = "wasm32"))]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)] // tests may panic

use serde_json::{json, Value};
use twin_panel::conversation::{
    ConversationEvent as Event, LoadKind, LoadStep, Loading, Output, PageQuery, ResyncReport, Side,
    Status, TYPING_EVERY_MS, TYPING_MS,
};
#[allow(unused_imports)] // test_json.rs reaches them as `super::`
use twin_panel::protocol::{JsonEngine, JsonError};

#[path = "../src/protocol/test_json.rs"]
mod test_json;
use test_json::SerdeJson;

type Conversation = twin_panel::conversation::Conversation<SerdeJson>;

const SESSION: &str = "s1";
const NOW: u64 = 1_796_117_361_000; // 2026-12-01T09:29:21Z

/// An ISO stamp `seconds` after 09:00 on the test day.
fn at(seconds: u32) -> String {
    format!(
        "2026-12-01T09:{:02}:{:02}.000Z",
        seconds / 60 % 60,
        seconds % 60
    )
}

/// Message `n` of `SESSION`, written at second `n`.
fn message(n: u32, author: &str) -> Value {
    json!({
        "id": format!("m{n}"), "sessionId": SESSION, "authorType": author,
        "body": format!("text {n}"), "createdAt": at(n), "readAt": null,
    })
}

/// A page of messages `from..to` as the server answers `createdAt`: oldest first.
fn page(from: u32, to: u32, count: u32) -> Value {
    let items: Vec<Value> = (from..to).map(|n| message(n, "CLIENT")).collect();
    json!({ "count": count, "items": items })
}

/// Starts a load of the newest `limit` and answers its count: the page query.
fn newest(c: &mut Conversation, kind: LoadKind, limit: u32, count: u32) -> (u64, PageQuery) {
    let (generation, step) = c.begin_load(kind, limit).unwrap();
    assert_eq!(step, LoadStep::Count, "the count comes first");
    let query = c
        .counted(generation, json!({ "count": count }), limit)
        .unwrap()
        .expect("current");
    (generation, query)
}

/// Starts a load of older messages: its page query.
fn older(c: &mut Conversation, limit: u32) -> (u64, PageQuery) {
    match c.begin_load(LoadKind::Older, limit) {
        Some((generation, LoadStep::Page(query))) => (generation, query),
        other => panic!("{other:?}"),
    }
}

fn operator() -> Conversation {
    Conversation::new(SerdeJson, Side::Operator, Some(SESSION.into()))
}

fn ids(c: &Conversation) -> Vec<String> {
    c.items()
        .iter()
        .map(|i| i.id.clone().unwrap_or_else(|| "-".into()))
        .collect()
}

fn range(from: u32, to: u32) -> Vec<String> {
    (from..to).map(|n| format!("m{n}")).collect()
}

fn bodies(c: &Conversation) -> Vec<String> {
    c.items()
        .iter()
        .map(|i| i.value["body"].as_str().unwrap_or("").to_owned())
        .collect()
}

/// A conversation holding messages `from..to` of `count`, loaded as the newest page.
fn loaded(from: u32, to: u32, count: u32) -> Conversation {
    let mut c = operator();
    let (generation, query) = newest(&mut c, LoadKind::Newest, to - from, count);
    assert_eq!(
        query,
        PageQuery {
            offset: from,
            limit: to - from
        }
    );
    assert!(c
        .finish_load(generation, query, page(from, to, count), NOW)
        .unwrap());
    c.take_dirty();
    c.take_outputs();
    c
}

fn optimistic(body: &str) -> (Value, Value) {
    (
        json!({"body": body, "authorType": "OPERATOR", "sessionId": SESSION, "createdAt": at(500)}),
        json!({"body": body}),
    )
}

fn send(c: &mut Conversation, body: &str) -> String {
    let (value, outgoing) = optimistic(body);
    c.begin_send(value, outgoing, Some(body.into()))
}

fn status(c: &Conversation, local: &str) -> Status {
    c.items()
        .iter()
        .find(|i| i.local_id.as_deref() == Some(local))
        .expect("the local message is held")
        .status
}

fn echo(id: &str, body: &str) -> Value {
    json!({"id": id, "sessionId": SESSION, "authorType": "OPERATOR", "authorId": "389",
        "authorName": "Op", "body": body, "createdAt": at(501), "readAt": null})
}

// ---- paging ----

#[test]
fn the_newest_page_comes_oldest_first_and_says_whether_there_is_more() {
    let c = loaded(80, 100, 100);
    assert_eq!(ids(&c), range(80, 100));
    assert!(c.has_older());
    assert_eq!(c.loading(), Loading::Idle);
    assert_eq!(c.unread(), 20, "client messages without readAt");

    let all = loaded(0, 5, 5);
    assert!(!all.has_older(), "the count says the page holds everything");
}

#[test]
fn a_page_that_came_newest_first_is_turned_round() {
    let mut c = operator();
    let (generation, query) = newest(&mut c, LoadKind::Newest, 3, 3);
    let descending =
        json!({"items": [message(3, "CLIENT"), message(2, "CLIENT"), message(1, "CLIENT")]});
    c.finish_load(generation, query, descending, NOW).unwrap();
    assert_eq!(ids(&c), range(1, 4));
    assert!(!c.has_older(), "the count said 3");
}

#[test]
fn older_pages_count_from_the_oldest_and_end_with_none() {
    let mut c = loaded(80, 100, 100);
    // Live messages do not move the offsets: they count from the oldest.
    c.apply(Event::Created, message(100, "CLIENT"), NOW);
    let (generation, query) = older(&mut c, 30);
    assert_eq!(c.loading(), Loading::Older);
    assert_eq!(
        query,
        PageQuery {
            offset: 50,
            limit: 30
        }
    );
    assert!(c
        .finish_load(generation, query, page(50, 80, 101), NOW)
        .unwrap());
    assert_eq!(ids(&c), range(50, 101));
    assert!(c.has_older());

    let (generation, query) = older(&mut c, 100);
    assert_eq!(
        query,
        PageQuery {
            offset: 0,
            limit: 50
        }
    );
    // A message another operator deleted meanwhile: the page overlaps by one.
    assert!(c
        .finish_load(generation, query, page(1, 51, 100), NOW)
        .unwrap());
    assert_eq!(ids(&c), range(1, 101), "what came twice is kept once");
    assert!(!c.has_older());
    assert_eq!(
        c.begin_load(LoadKind::Older, 20),
        None,
        "nothing older: no request"
    );
}

#[test]
fn an_empty_older_page_ends_the_paging() {
    let mut c = loaded(10, 20, 20);
    let (generation, query) = older(&mut c, 10);
    c.finish_load(generation, query, json!({"count": 10, "items": []}), NOW)
        .unwrap();
    assert!(!c.has_older(), "no loop on a page that brings nothing");
}

#[test]
fn a_failed_load_keeps_what_was_shown_and_sets_the_error() {
    let mut c = loaded(0, 3, 3);
    let (generation, _) = c.begin_load(LoadKind::Newest, 20).unwrap();
    assert_eq!(c.loading(), Loading::Newest);
    c.fail_load(generation, json!({"code": "timeout"}));
    assert_eq!(ids(&c), range(0, 3));
    assert_eq!(c.loading(), Loading::Idle);
    assert_eq!(c.error(), Some(&json!({"code": "timeout"})));
    let (generation, query) = newest(&mut c, LoadKind::Newest, 20, 3);
    c.finish_load(generation, query, page(0, 3, 3), NOW)
        .unwrap();
    assert_eq!(c.error(), None, "a good load clears it");
    // Answers of the wrong shape are the host's to report.
    let (generation, query) = newest(&mut c, LoadKind::Newest, 20, 3);
    assert!(c
        .finish_load(generation, query, json!({"items": "no"}), NOW)
        .is_err());
    let (generation, _) = c.begin_load(LoadKind::Newest, 20).unwrap();
    assert!(
        c.counted(generation, json!({"items": []}), 20).is_err(),
        "no count"
    );
}

#[test]
fn a_newer_load_makes_the_older_answer_stale() {
    let mut c = operator();
    let (first, query) = newest(&mut c, LoadKind::Newest, 5, 5);
    let (second, _) = c.begin_load(LoadKind::Newest, 5).unwrap();
    assert!(!c.finish_load(first, query, page(0, 5, 5), NOW).unwrap());
    assert_eq!(c.counted(first, json!({"count": 5}), 5), Ok(None), "stale");
    assert!(ids(&c).is_empty());
    assert_eq!(c.loading(), Loading::Newest);
    c.finish_load(second, query, page(0, 5, 5), NOW).unwrap();
    assert_eq!(ids(&c), range(0, 5));
}

#[test]
fn messages_that_come_live_during_a_load_stay() {
    let mut c = operator();
    let (generation, query) = newest(&mut c, LoadKind::Newest, 5, 5);
    c.apply(Event::Created, message(9, "CLIENT"), NOW);
    c.apply(Event::Created, message(4, "CLIENT"), NOW); // also in the page
    c.finish_load(generation, query, page(0, 5, 5), NOW)
        .unwrap();
    assert_eq!(ids(&c), ["m0", "m1", "m2", "m3", "m4", "m9"]);
}

// ---- live events ----

#[test]
fn created_appends_once_by_id() {
    let mut c = loaded(0, 3, 3);
    c.apply(Event::Created, message(3, "CLIENT"), NOW);
    let version = c.version();
    c.apply(Event::Created, message(3, "CLIENT"), NOW);
    assert_eq!(ids(&c), range(0, 4));
    assert_eq!(c.version(), version, "a replay changes nothing");
    assert!(c.take_dirty());
    assert!(!c.take_dirty());
}

#[test]
fn other_sessions_events_change_nothing() {
    let mut c = loaded(0, 3, 3);
    let version = c.version();
    let mut other = message(7, "CLIENT");
    other["sessionId"] = json!("s2");
    c.apply(Event::Created, other.clone(), NOW);
    c.apply(Event::Edited, other, NOW);
    c.apply(
        Event::Read,
        json!({"messageId": "m1", "sessionId": "s2"}),
        NOW,
    );
    c.apply(
        Event::Typing,
        json!({"sessionId": "s2", "authorType": "CLIENT"}),
        NOW,
    );
    assert_eq!(c.version(), version);
    assert_eq!(c.bad_payloads(), 0);
    assert!(c.take_outputs().is_empty());
}

#[test]
fn malformed_events_are_counted_and_change_nothing() {
    let mut c = loaded(0, 3, 3);
    let version = c.version();
    for (event, payload) in [
        (
            Event::Created,
            json!({"sessionId": SESSION, "body": "no id"}),
        ),
        (Event::Created, json!({"id": "x", "body": "no session"})),
        (
            Event::Created,
            json!({"id": "x", "sessionId": SESSION, "body": 5}),
        ),
        (Event::Edited, json!("text")),
        (Event::Read, json!({"sessionId": SESSION})),
        (Event::Typing, json!({"authorType": "CLIENT"})),
    ] {
        c.apply(event, payload, NOW);
    }
    assert_eq!(c.version(), version);
    assert_eq!(c.bad_payloads(), 6);
    let outputs = c.take_outputs();
    assert_eq!(outputs.len(), 6);
    assert!(outputs.iter().all(|o| matches!(o, Output::BadPayload(_))));
}

#[test]
fn edited_replaces_and_read_sets_read_at() {
    let mut c = loaded(0, 3, 3);
    let mut edited = message(1, "CLIENT");
    edited["body"] = json!("changed");
    edited["updatedAt"] = json!(at(50));
    c.apply(Event::Edited, edited, NOW);
    assert_eq!(bodies(&c), ["text 0", "changed", "text 2"]);
    // An edit of a message not held changes nothing.
    let version = c.version();
    c.apply(Event::Edited, message(40, "CLIENT"), NOW);
    assert_eq!(c.version(), version);

    assert_eq!(c.unread(), 3);
    c.apply(
        Event::Read,
        json!({"messageId": "m2", "sessionId": SESSION, "readAt": at(60)}),
        NOW,
    );
    assert_eq!(c.items()[2].read_at.as_deref(), Some(at(60).as_str()));
    assert_eq!(c.unread(), 2);
    let version = c.version();
    c.apply(
        Event::Read,
        json!({"messageId": "m2", "sessionId": SESSION, "readAt": at(70)}),
        NOW,
    );
    assert_eq!(c.version(), version, "read once");
}

#[test]
fn typing_shows_until_a_few_seconds_pass_and_a_message_ends_it() {
    let mut c = loaded(0, 1, 1);
    let typing = json!({"sessionId": SESSION, "authorType": "CLIENT"});
    c.apply(Event::Typing, typing.clone(), NOW);
    assert!(c.typing());
    assert_eq!(c.next_deadline(), Some(NOW + TYPING_MS));
    c.apply(Event::Typing, typing.clone(), NOW + 1_000);
    c.tick(NOW + TYPING_MS);
    assert!(c.typing(), "the second signal renewed it");
    c.tick(NOW + 1_000 + TYPING_MS);
    assert!(!c.typing());
    assert_eq!(c.next_deadline(), None);

    // Another operator typing is not the client.
    c.apply(
        Event::Typing,
        json!({"sessionId": SESSION, "authorType": "OPERATOR"}),
        NOW,
    );
    assert!(!c.typing());
    c.apply(Event::Typing, typing, NOW);
    c.apply(Event::Created, message(5, "CLIENT"), NOW);
    assert!(!c.typing(), "the client's message ends the indicator");
}

#[test]
fn mark_read_marks_the_clients_unread_messages_and_rolls_back() {
    let mut c = loaded(0, 3, 3);
    c.apply(Event::Created, echo("mine", "operator text"), NOW);
    let ids = c.begin_mark_read(NOW);
    assert_eq!(ids, range(0, 3), "only the client's");
    assert_eq!(c.unread(), 0);
    assert!(c.begin_mark_read(NOW).is_empty());
    c.mark_read_failed(&ids[1..]);
    assert_eq!(c.unread(), 2);
}

#[test]
fn typing_signals_go_out_at_most_every_two_seconds() {
    let mut c = operator();
    assert!(c.typing_signal(NOW));
    assert!(!c.typing_signal(NOW + 1));
    assert!(!c.typing_signal(NOW + TYPING_EVERY_MS - 1));
    assert!(c.typing_signal(NOW + TYPING_EVERY_MS));
}

// ---- the optimistic send ----

#[test]
fn a_send_is_pending_then_sent_with_the_servers_id() {
    let mut c = loaded(0, 2, 2);
    let local = send(&mut c, "hello");
    assert_eq!(local, "local-1");
    assert_eq!(status(&c, &local), Status::Pending);
    assert_eq!(ids(&c), ["m0", "m1", "-"]);
    c.sent(&local, json!({"id": "m9", "createdAt": at(99)}));
    assert_eq!(status(&c, &local), Status::Sent);
    assert_eq!(ids(&c), ["m0", "m1", "m9"]);
    assert_eq!(c.items()[2].created_at.as_deref(), Some(at(99).as_str()));
    assert_eq!(c.items()[2].local_id.as_deref(), Some("local-1"));
    assert_eq!(c.unread(), 2, "own messages are never unread");
}

#[test]
fn a_failed_send_is_retried_once_per_failure_or_discarded() {
    let mut c = loaded(0, 2, 2);
    let local = send(&mut c, "hello");
    send(&mut c, "second");
    assert_eq!(c.retry(&local), None, "a pending send is not sent twice");
    c.send_failed(&local, json!({"code": "timeout", "retryable": true}));
    assert_eq!(status(&c, &local), Status::Failed);
    assert_eq!(
        c.items()[2].error,
        Some(json!({"code": "timeout", "retryable": true}))
    );
    assert!(!c.discard("local-2"), "only a failed message is discarded");

    assert_eq!(c.retry(&local), Some(json!({"body": "hello"})));
    assert_eq!(c.retry(&local), None, "one retry per failure");
    assert_eq!(bodies(&c), ["text 0", "text 1", "second", "hello"]);
    assert_eq!(status(&c, &local), Status::Pending);
    assert_eq!(c.items()[3].error, None);

    c.send_failed(&local, json!({"code": "network"}));
    assert!(c.discard(&local));
    assert!(!c.discard(&local));
    assert_eq!(bodies(&c), ["text 0", "text 1", "second"]);
    // The answer of a discarded message finds nothing.
    c.sent(&local, json!({"id": "late"}));
    assert_eq!(bodies(&c), ["text 0", "text 1", "second"]);
}

#[test]
fn the_echo_after_the_answer_replaces_the_optimistic_message() {
    let mut c = loaded(0, 2, 2);
    let local = send(&mut c, "hello");
    c.sent(&local, json!({"id": "m9", "createdAt": at(99)}));
    c.apply(Event::Created, echo("m9", "hello"), NOW);
    assert_eq!(ids(&c), ["m0", "m1", "m9"]);
    assert_eq!(c.items()[2].value["authorName"], json!("Op"));
    assert_eq!(status(&c, &local), Status::Sent);
    assert_eq!(c.items()[2].local_id.as_deref(), Some("local-1"));
}

#[test]
fn the_echo_before_the_answer_is_held_back_then_taken_in() {
    let mut c = loaded(0, 2, 2);
    let local = send(&mut c, "hello");
    let version = c.version();
    c.apply(Event::Created, echo("m9", "hello"), NOW);
    assert_eq!(ids(&c), ["m0", "m1", "-"], "no second copy while pending");
    assert_eq!(c.version(), version);
    c.sent(&local, json!({"id": "m9", "createdAt": at(99)}));
    assert_eq!(ids(&c), ["m0", "m1", "m9"]);
    assert_eq!(c.items()[2].value["authorName"], json!("Op"));
    c.apply(Event::Created, echo("m9", "hello"), NOW);
    assert_eq!(ids(&c), ["m0", "m1", "m9"], "and once more, still one");
}

#[test]
fn an_echo_no_answer_claims_shows_once_the_sends_settle() {
    let mut c = loaded(0, 2, 2);
    let local = send(&mut c, "mine");
    // Another tab of this operator (or a helper operator) writes meanwhile.
    c.apply(Event::Created, echo("m8", "theirs"), NOW);
    c.sent(&local, json!({"id": "m9"}));
    assert_eq!(ids(&c), ["m0", "m1", "m9", "m8"]);
    assert_eq!(bodies(&c), ["text 0", "text 1", "mine", "theirs"]);
}

#[test]
fn a_failed_send_whose_echo_came_counts_as_sent() {
    // Echo first, then the answer times out.
    let mut c = loaded(0, 2, 2);
    let local = send(&mut c, "hello");
    c.apply(Event::Created, echo("m9", "hello"), NOW);
    c.send_failed(&local, json!({"code": "timeout"}));
    assert_eq!(status(&c, &local), Status::Sent);
    assert_eq!(ids(&c), ["m0", "m1", "m9"]);
    assert_eq!(c.retry(&local), None);

    // The answer times out, then the echo comes.
    let local = send(&mut c, "again");
    c.send_failed(&local, json!({"code": "timeout"}));
    c.apply(Event::Created, echo("m10", "again"), NOW);
    assert_eq!(status(&c, &local), Status::Sent);
    assert_eq!(ids(&c), ["m0", "m1", "m9", "m10"]);
}

#[test]
fn edits_and_removals_of_own_messages() {
    let mut c = loaded(0, 2, 2);
    let local = send(&mut c, "hello");
    c.sent(&local, json!({"id": "m9"}));
    let mut updated = echo("m9", "hello, edited");
    updated["updatedAt"] = json!(at(120));
    assert!(c.edited(updated));
    assert_eq!(bodies(&c)[2], "hello, edited");
    assert!(!c.edited(json!({"id": "unknown"})));
    assert!(c.replace("m9", json!({"id": "m9", "body": "patched"})));
    assert_eq!(bodies(&c)[2], "patched");
    assert!(c.removed("m9"));
    assert!(!c.removed("m9"));
    assert_eq!(ids(&c), ["m0", "m1"]);
}

// ---- resync ----

#[test]
fn a_resync_refetches_the_newest_page_and_reports() {
    let mut c = loaded(10, 20, 20);
    // Older history was paged in.
    let (generation, query) = older(&mut c, 10);
    c.finish_load(generation, query, page(0, 10, 20), NOW)
        .unwrap();
    let pending = send(&mut c, "unsent");
    c.send_failed(&pending, json!({"code": "network"}));
    assert_eq!(ids(&c).len(), 21);

    // While down: m12 was deleted, m15 read, m19 edited, m20 and m21 written.
    let (generation, query) = newest(&mut c, LoadKind::Resync("epochChanged".into()), 11, 21);
    assert_eq!(
        query,
        PageQuery {
            offset: 10,
            limit: 11
        }
    );
    let mut items: Vec<Value> = (10..22)
        .filter(|&n| n != 12)
        .map(|n| message(n, "CLIENT"))
        .collect();
    items[4]["readAt"] = json!(at(200)); // m15
    items[8]["body"] = json!("edited"); // m19
    c.finish_load(
        generation,
        query,
        json!({"count": 21, "items": items}),
        NOW + 5,
    )
    .unwrap();
    let outputs = c.take_outputs();
    assert_eq!(
        outputs,
        vec![Output::Resync(ResyncReport {
            reason: "epochChanged".into(),
            at: NOW + 5,
            added: vec!["m20".into(), "m21".into()],
            removed: vec!["m12".into()],
            changed: vec!["m15".into(), "m19".into()],
        })]
    );
    let mut expected = range(0, 22);
    expected.retain(|id| id != "m12");
    expected.push("-".into());
    assert_eq!(
        ids(&c),
        expected,
        "the older pages stay; the failed send too"
    );
    assert!(!c.has_older());
}

#[test]
fn a_resync_with_a_gap_drops_the_older_messages() {
    let mut c = loaded(0, 10, 10);
    let (generation, query) = newest(&mut c, LoadKind::Resync("historyGone".into()), 5, 45);
    c.finish_load(generation, query, page(40, 45, 45), NOW)
        .unwrap();
    assert_eq!(ids(&c), range(40, 45));
    assert!(c.has_older());
    match &c.take_outputs()[..] {
        [Output::Resync(report)] => {
            assert_eq!(report.added, range(40, 45));
            assert!(report.removed.is_empty(), "the gap is not a deletion");
        }
        other => panic!("{other:?}"),
    }
}

// ---- the visitor's side ----

#[test]
fn the_visitor_side_is_seeded_and_follows_session_less_events() {
    let mut c = Conversation::new(SerdeJson, Side::Visitor, None);
    c.reset(Some(SESSION.into()));
    c.seed(vec![
        json!({"messageId": "b1", "authorType": "BOT", "body": "Hello! How can I help?", "answers": [], "actions": {}}),
        json!({"authorType": "BOT", "body": "no id"}),
    ]);
    assert_eq!(ids(&c), ["b1", "-"]);
    assert_eq!(c.unread(), 1, "the bot's greeting, unread until marked");

    // The operator's message (sessionId present) and a receipt without one.
    let mut reply = message(1, "OPERATOR");
    reply["answers"] = json!(["Yes", "No"]);
    c.apply(Event::Created, reply, NOW);
    let local = c.begin_send(
        json!({"body": "question", "authorType": "CLIENT"}),
        json!({"body": "question"}),
        Some("question".into()),
    );
    c.sent(&local, json!({"id": "v1"}));
    c.apply(Event::Read, json!({"messageId": "v1"}), NOW);
    assert!(
        c.items()[3].is_read(),
        "the operator read the visitor's message"
    );
    // The platform may echo the visitor's own message: still one.
    c.apply(
        Event::Created,
        json!({"id": "v1", "authorType": "CLIENT", "body": "question"}),
        NOW,
    );
    assert_eq!(ids(&c), ["b1", "-", "m1", "v1"]);
    assert_eq!(c.items()[2].value["answers"], json!(["Yes", "No"]));

    c.apply(Event::Typing, json!({"authorType": "BOT"}), NOW);
    assert!(c.typing(), "the bot's typing shows");
    c.tick(NOW + TYPING_MS);
    c.apply(Event::Typing, json!({"authorType": "CLIENT"}), NOW);
    assert!(!c.typing(), "the visitor's own typing does not");

    assert_eq!(c.begin_mark_read(NOW), ["b1", "m1"]);
    assert_eq!(c.unread(), 0);

    // A new session starts over.
    c.reset(Some("s9".into()));
    assert!(ids(&c).is_empty());
    assert_eq!(c.session_id(), Some("s9"));
}

#[test]
fn the_visitor_side_has_no_history_to_page() {
    let mut c = Conversation::new(SerdeJson, Side::Visitor, Some(SESSION.into()));
    assert!(!c.has_older());
    assert_eq!(c.begin_load(LoadKind::Older, 20), None);
}
