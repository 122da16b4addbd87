//! Every operator REST call against the sandbox's chats model: the happy path,
//! the main error, and the live event each change causes.
#![cfg(target_arch = "wasm32")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)] // tests may panic

mod support;

use js_sys::{Array, Promise, Reflect};
use std::cell::RefCell;
use std::rc::Rc;
use support::*;
use twin_panel::api::OperatorPanel;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const ANNA: &str = "5e550000-0000-4000-8000-000000000001";
const ANNA_CLIENT: &str = "c1e00000-0000-4000-8000-000000000001";
const OTHER_COMPANY: &str = "5e550000-0000-4000-8000-000000000007";
const UNKNOWN: &str = "5e550000-0000-4000-8000-0000000000ff";

async fn fresh_model() {
    post("/__sandbox/faults/reset", "{}").await;
    post("/__sandbox/chats/reset", "{}").await;
}

async fn ok(promise: Promise) -> JsValue {
    JsFuture::from(promise).await.expect("the call succeeds")
}

async fn fails(promise: Promise, status: u16, code: &str) -> JsValue {
    let error = JsFuture::from(promise).await.expect_err("the call fails");
    assert_eq!(field(&error, "name"), "TwinError");
    assert_eq!(
        field(&error, "status"),
        status,
        "{:?}",
        field(&error, "message")
    );
    assert_eq!(field(&error, "code"), code);
    error
}

fn items(list: &JsValue) -> Vec<JsValue> {
    field(list, "items").dyn_into::<Array>().unwrap().to_vec()
}

fn query(entries: &[(&str, JsValue)]) -> JsValue {
    let o = js_sys::Object::new();
    for (k, v) in entries {
        Reflect::set(&o, &(*k).into(), v).unwrap();
    }
    o.into()
}

/// A connected panel for `email` and the payloads of `events` it receives.
async fn live(email: &str, events: &[&str]) -> (OperatorPanel, Vec<Rc<RefCell<Vec<JsValue>>>>) {
    let panel = logged_in(email, &[]).await;
    let seen = events.iter().map(|e| recorder(&panel, e)).collect();
    JsFuture::from(panel.connect(JsValue::UNDEFINED))
        .await
        .unwrap();
    (panel, seen)
}

/// Starts a visitor session assigned to operator 389 with a first message.
async fn visitor_session(message: &str) -> String {
    let session = post(
        "/__sandbox/visitor/session",
        &format!(r#"{{"operatorId":389,"clientName":"Browser test","message":"{message}"}}"#),
    )
    .await;
    field(&session, "id").as_string().unwrap()
}

fn ids(seen: &Rc<RefCell<Vec<JsValue>>>) -> Vec<String> {
    seen.borrow()
        .iter()
        .filter_map(|v| field(v, "id").as_string())
        .collect()
}

#[wasm_bindgen_test]
async fn sessions_are_listed_paged_filtered_and_fetched() {
    fresh_model().await;
    let panel = logged_in("operator@twin.local", &[]).await;
    let page =
        ok(panel.list_sessions(query(&[("limit", 2.into()), ("sort", "-startedAt".into())]))).await;
    assert!(field(&page, "count").as_f64().unwrap() >= 4.0);
    assert_eq!(items(&page).len(), 2);

    let week_ago = js_sys::Date::new(&JsValue::from_f64(js_sys::Date::now() - 7.0 * 86_400_000.0));
    let closed = ok(panel.list_sessions(query(&[
        ("status", "CLOSED".into()),
        ("from", week_ago.into()),
        ("limit", 50.into()),
    ])))
    .await;
    assert!(!items(&closed).is_empty());
    for session in items(&closed) {
        assert_eq!(field(&session, "status"), "CLOSED");
    }

    let anna = ok(panel.get_session(ANNA.into())).await;
    assert_eq!(field(&anna, "id"), ANNA);
    assert_eq!(field(&anna, "clientId"), ANNA_CLIENT);
    fails(panel.get_session(UNKNOWN.into()), 404, "notFound").await;
    fails(panel.get_session(OTHER_COMPANY.into()), 403, "forbidden").await;
}

#[wasm_bindgen_test]
async fn message_history_of_a_session_and_of_a_client() {
    fresh_model().await;
    let panel = logged_in("operator@twin.local", &[]).await;
    let history = ok(panel.session_messages(ANNA.into(), query(&[("limit", 3.into())]))).await;
    assert_eq!(field(&history, "count"), 4);
    assert_eq!(items(&history).len(), 3);
    let attachments = items(&history)
        .iter()
        .map(|m| {
            field(m, "attachments")
                .dyn_into::<Array>()
                .unwrap()
                .length()
        })
        .sum::<u32>();
    assert!(attachments >= 1, "the seeded attachment is listed");
    let by_client = ok(panel.client_messages(ANNA_CLIENT.into(), JsValue::UNDEFINED)).await;
    assert!(field(&by_client, "count").as_f64().unwrap() >= 4.0);
    fails(
        panel.session_messages(UNKNOWN.into(), JsValue::UNDEFINED),
        404,
        "notFound",
    )
    .await;
}

#[wasm_bindgen_test]
async fn a_new_session_and_a_client_message_arrive_live() {
    fresh_model().await;
    let (_panel, seen) = live(
        "operator@twin.local",
        &[
            "chatSessionStarted",
            "chatMessageCreated",
            "chatMessageRead",
            "sessionClosedByClient",
        ],
    )
    .await;
    let session = visitor_session("Здравствуйте").await;
    assert!(
        wait_for(5_000, || ids(&seen[0]).contains(&session)).await,
        "chatSessionStarted"
    );
    let message = post(
        "/__sandbox/visitor/message",
        &format!(r#"{{"sessionId":"{session}","body":"Где мой заказ?"}}"#),
    )
    .await;
    let message_id = field(&message, "id").as_string().unwrap();
    assert!(
        wait_for(5_000, || ids(&seen[1]).contains(&message_id)).await,
        "chatMessageCreated"
    );
    let created = seen[1].borrow().last().cloned().unwrap();
    assert_eq!(field(&created, "body"), "Где мой заказ?");
    assert_eq!(field(&created, "authorType"), "CLIENT");

    post(
        "/__sandbox/visitor/read",
        &format!(r#"{{"sessionId":"{session}","messageId":"{message_id}"}}"#),
    )
    .await;
    assert!(
        wait_for(5_000, || !seen[2].borrow().is_empty()).await,
        "chatMessageRead"
    );
    assert_eq!(
        field(&seen[2].borrow()[0], "messageId"),
        message_id.as_str()
    );

    post(
        "/__sandbox/visitor/close",
        &format!(r#"{{"sessionId":"{session}"}}"#),
    )
    .await;
    assert!(
        wait_for(5_000, || ids(&seen[3]).contains(&session)).await,
        "sessionClosedByClient"
    );
}

#[wasm_bindgen_test]
async fn send_edit_delete_and_read_messages() {
    fresh_model().await;
    let (panel, _) = live("operator@twin.local", &[]).await;
    let (helper, helper_seen) = live(
        "dev@twin.local",
        &["chatMessageCreated", "chatMessageEdited"],
    )
    .await;
    let session = visitor_session("Hi").await;
    ok(panel.add_operator(session.as_str().into(), 472.into())).await;

    let sent = ok(panel.send_message(
        session.as_str().into(),
        query(&[("body", "Добрый день! Чем помочь?".into())]),
    ))
    .await;
    let id = field(&sent, "id").as_string().unwrap();
    assert!(field(&sent, "createdAt").is_string());
    assert!(
        wait_for(5_000, || ids(&helper_seen[0]).contains(&id)).await,
        "the helper sees it"
    );

    let error = fails(
        panel.send_message(session.as_str().into(), query(&[("body", "".into())])),
        422,
        "unprocessableEntity",
    )
    .await;
    assert_eq!(field(&field(&error, "details"), "body"), "required");

    let edited = ok(panel.edit_message(
        session.as_str().into(),
        id.as_str().into(),
        query(&[("body", "Добрый вечер!".into())]),
    ))
    .await;
    assert_eq!(field(&edited, "body"), "Добрый вечер!");
    assert!(field(&edited, "updatedAt").is_string());
    assert!(
        wait_for(5_000, || ids(&helper_seen[1]).contains(&id)).await,
        "chatMessageEdited"
    );
    // Only the author may change a message.
    fails(
        helper.edit_message(
            session.as_str().into(),
            id.as_str().into(),
            query(&[("body", "x".into())]),
        ),
        403,
        "forbidden",
    )
    .await;

    ok(panel.delete_message(session.as_str().into(), id.as_str().into())).await;
    let history = ok(panel.session_messages(session.as_str().into(), JsValue::UNDEFINED)).await;
    assert!(!items(&history)
        .iter()
        .any(|m| field(m, "id") == id.as_str()));
    fails(
        panel.delete_message(session.as_str().into(), id.as_str().into()),
        404,
        "notFound",
    )
    .await;

    let unread_before = field(
        &ok(panel.get_session(ANNA.into())).await,
        "unreadClientMessageCount",
    );
    let anna_history = ok(panel.session_messages(ANNA.into(), JsValue::UNDEFINED)).await;
    let unread = items(&anna_history)
        .into_iter()
        .find(|m| field(m, "authorType") == "CLIENT" && field(m, "readAt").is_null())
        .expect("a seeded unread client message");
    ok(panel.mark_read(field(&unread, "id"))).await;
    let unread_after = field(
        &ok(panel.get_session(ANNA.into())).await,
        "unreadClientMessageCount",
    );
    assert_eq!(
        unread_after.as_f64().unwrap() + 1.0,
        unread_before.as_f64().unwrap()
    );
    fails(panel.mark_read(UNKNOWN.into()), 404, "notFound").await;
}

#[wasm_bindgen_test]
async fn a_failed_send_is_never_repeated() {
    fresh_model().await;
    let panel = logged_in("operator@twin.local", &[]).await;
    post(
        "/__sandbox/faults/http",
        &format!(
            r#"{{"failNext":1,"status":503,"pathPrefix":"/chat/api/v1/sessions/{ANNA}/operators/messages"}}"#
        ),
    )
    .await;
    fails(
        panel.send_message(ANNA.into(), query(&[("body", "once".into())])),
        503,
        "serverError",
    )
    .await;
    let history = ok(panel.session_messages(ANNA.into(), JsValue::UNDEFINED)).await;
    assert_eq!(
        field(&history, "count"),
        4,
        "nothing was sent twice (or at all)"
    );
}

#[wasm_bindgen_test]
async fn transfers_move_the_session_between_operators_live() {
    fresh_model().await;
    let (panel, mine) = live("operator@twin.local", &["chatSessionDeleted"]).await;
    let (_dev, theirs) = live("dev@twin.local", &["chatSessionAdded"]).await;
    let session = visitor_session("Transfer me").await;

    ok(panel.transfer_to_operator(session.as_str().into(), 472.into())).await;
    assert!(
        wait_for(5_000, || ids(&theirs[0]).contains(&session)).await,
        "chatSessionAdded"
    );
    assert!(
        wait_for(5_000, || ids(&mine[0]).contains(&session)).await,
        "chatSessionDeleted"
    );
    let moved = ok(panel.get_session(session.as_str().into())).await;
    assert_eq!(field(&moved, "operatorId"), "472");
    fails(
        panel.transfer_to_operator(session.as_str().into(), 99_999.into()),
        404,
        "notFound",
    )
    .await;

    // Group 2 "Sales" = [494, 472]: the first ACTIVE operator other than the current one.
    ok(panel.transfer_to_group(session.as_str().into(), 2.into())).await;
    let regrouped = ok(panel.get_session(session.as_str().into())).await;
    assert_ne!(field(&regrouped, "operatorId"), "472");
    fails(
        panel.transfer_to_group(session.as_str().into(), 99.into()),
        404,
        "notFound",
    )
    .await;

    let second = visitor_session("Helpers").await;
    ok(panel.add_operator(second.as_str().into(), 494.into())).await;
    let with_helper = ok(panel.get_session(second.as_str().into())).await;
    let operators: Array = field(&with_helper, "operators").dyn_into().unwrap();
    assert_eq!(operators.length(), 2);
    ok(panel.remove_operator(second.as_str().into(), 494.into())).await;
    fails(
        panel.remove_operator(second.as_str().into(), 494.into()),
        422,
        "unprocessableEntity",
    )
    .await;
}

#[wasm_bindgen_test]
async fn rename_spam_ban_and_close() {
    fresh_model().await;
    let panel = logged_in("operator@twin.local", &[]).await;
    let name = "Иван / VIP #1";
    ok(panel.rename_session(ANNA.into(), name.into())).await;
    assert_eq!(
        field(&ok(panel.get_session(ANNA.into())).await, "name"),
        name
    );
    fails(
        panel.rename_session(UNKNOWN.into(), "x".into()),
        404,
        "notFound",
    )
    .await;

    ok(panel.mark_spam(ANNA.into())).await;
    assert_eq!(
        field(&ok(panel.get_session(ANNA.into())).await, "markedAsSpam"),
        true
    );
    ok(panel.unmark_spam(ANNA.into())).await;
    assert_eq!(
        field(&ok(panel.get_session(ANNA.into())).await, "markedAsSpam"),
        false
    );

    ok(panel.ban_client(ANNA_CLIENT.into())).await;
    assert_eq!(
        field(&ok(panel.get_session(ANNA.into())).await, "clientBanned"),
        true
    );
    ok(panel.unban_client(ANNA_CLIENT.into())).await;
    assert_eq!(
        field(&ok(panel.get_session(ANNA.into())).await, "clientBanned"),
        false
    );
    fails(panel.ban_client(UNKNOWN.into()), 404, "notFound").await;

    ok(panel.close_session(ANNA.into(), "resolved".into())).await;
    assert_eq!(
        field(&ok(panel.get_session(ANNA.into())).await, "status"),
        "CLOSED"
    );
    fails(
        panel.send_message(ANNA.into(), query(&[("body", "after close".into())])),
        403,
        "forbidden",
    )
    .await;
    fails(
        panel.close_session(UNKNOWN.into(), JsValue::UNDEFINED),
        404,
        "notFound",
    )
    .await;
}

#[wasm_bindgen_test]
async fn operators_groups_and_the_operators_own_status() {
    fresh_model().await;
    let panel = logged_in("operator@twin.local", &[]).await;
    let operators = ok(panel.list_operators(JsValue::UNDEFINED)).await;
    assert!(field(&operators, "count").as_f64().unwrap() >= 3.0);
    let groups = ok(panel.list_groups(JsValue::UNDEFINED)).await;
    assert!(items(&groups).iter().any(|g| field(g, "name") == "Support"));

    let status_of_389 = |list: &JsValue| {
        items(list)
            .into_iter()
            .find(|o| field(o, "id") == 389)
            .map(|o| field(&o, "status"))
            .unwrap()
    };
    ok(panel.pause()).await;
    let paused = ok(panel.list_operators(query(&[("userId", "389".into())]))).await;
    assert_eq!(status_of_389(&paused), "PAUSED");
    ok(panel.activate()).await;
    let active = ok(panel.list_operators(JsValue::UNDEFINED)).await;
    assert_eq!(status_of_389(&active), "ACTIVE");
    let me = ok(panel.me()).await;
    assert_eq!(field(&me, "email"), "operator@twin.local");
    let time = ok(panel.server_time()).await;
    assert!(field(&time, "timestamp").as_f64().unwrap() > 1_700_000_000.0);
}
