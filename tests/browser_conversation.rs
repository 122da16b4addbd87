//! `panel.conversation(id)` and `widget.conversation` in the browser against
//! the sandbox, through the JS surface only (functions read off the objects
//! and called unbound): paging, the optimistic send (sent, failed, retried,
//! discarded), own messages' echoes before and after the answer, live
//! events, reads, edits, removals, a bad payload, `free()` mid-call, the
//! refetch after a lost stream, and the visitor's side.
#![cfg(target_arch = "wasm32")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)] // tests may panic

mod support;

use js_sys::{Array, Function, Object, Promise, Reflect};
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use support::{field, logged_in, post, sandbox, sleep, wait_for};
use twin_panel::api::ChatWidget;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const ME: &str = "389";

// ---- the JS surface ----

fn function(object: &JsValue, name: &str) -> Function {
    field(object, name)
        .dyn_into()
        .unwrap_or_else(|_| panic!("{name} is not a function"))
}

/// `object.name(...args)`, awaited when it returns a promise.
async fn call(object: &JsValue, name: &str, args: &[JsValue]) -> Result<JsValue, JsValue> {
    let args: Array = args.iter().collect();
    let result = function(object, name).apply(object, &args)?;
    JsFuture::from(Promise::resolve(&result)).await
}

/// `object.name(...args)` without waiting.
fn start(object: &JsValue, name: &str, args: &[JsValue]) -> JsValue {
    let args: Array = args.iter().collect();
    function(object, name).apply(object, &args).unwrap()
}

fn options(entries: &[(&str, JsValue)]) -> JsValue {
    let o = Object::new();
    for (k, v) in entries {
        Reflect::set(&o, &(*k).into(), v).unwrap();
    }
    o.into()
}

fn limit(n: u32) -> JsValue {
    options(&[("limit", n.into())])
}

/// Collects the payloads of `target.on(name)`.
fn on(target: &JsValue, name: &str) -> Rc<RefCell<Vec<JsValue>>> {
    let seen = Rc::new(RefCell::new(Vec::new()));
    let sink = seen.clone();
    let listener = Closure::<dyn FnMut(JsValue)>::new(move |v: JsValue| sink.borrow_mut().push(v));
    function(target, "on")
        .call2(target, &name.into(), listener.as_ref())
        .unwrap();
    listener.forget();
    seen
}

/// Counts the calls of a subscribe listener.
fn subscribe(store: &JsValue) -> Rc<Cell<u32>> {
    let count = Rc::new(Cell::new(0));
    let sink = count.clone();
    let listener = Closure::<dyn Fn()>::new(move || sink.set(sink.get() + 1));
    function(store, "subscribe")
        .call1(&JsValue::UNDEFINED, listener.as_ref())
        .unwrap();
    listener.forget();
    count
}

/// `getSnapshot` read off the store and called unbound, as React does.
fn snapshot(store: &JsValue) -> JsValue {
    function(store, "getSnapshot")
        .call0(&JsValue::UNDEFINED)
        .unwrap()
}

fn messages(store: &JsValue) -> Vec<JsValue> {
    Array::from(&field(&snapshot(store), "messages"))
        .iter()
        .collect()
}

fn text(value: &JsValue, key: &str) -> Option<String> {
    field(value, key).as_string()
}

fn bodies(store: &JsValue) -> Vec<String> {
    messages(store)
        .iter()
        .map(|m| text(m, "body").unwrap_or_default())
        .collect()
}

fn last(store: &JsValue) -> JsValue {
    messages(store).last().cloned().expect("a message")
}

fn with_body(store: &JsValue, body: &str) -> Vec<JsValue> {
    messages(store)
        .into_iter()
        .filter(|m| text(m, "body").as_deref() == Some(body))
        .collect()
}

fn number(value: &JsValue, key: &str) -> f64 {
    field(value, key).as_f64().unwrap_or(f64::NAN)
}

// ---- the sandbox ----

async fn start_session(name: &str, message: Option<&str>) -> String {
    let mut body = format!(r#"{{"clientName":"{name}","operatorId":"{ME}""#);
    if let Some(message) = message {
        body.push_str(&format!(r#","message":"{message}""#));
    }
    body.push('}');
    text(&post("/__sandbox/visitor/session", &body).await, "id").expect("a session id")
}

async fn client_says(session_id: &str, body: &str) -> String {
    let message = post(
        "/__sandbox/visitor/message",
        &format!(r#"{{"sessionId":"{session_id}","body":"{body}"}}"#),
    )
    .await;
    text(&message, "id").expect("a message id")
}

/// Waits until every publication sent so far reached the panel: one more,
/// on the same channel, arrives after them.
async fn fence(panel: &JsValue) {
    let seen = on(panel, "event");
    post(
        "/__sandbox/publish",
        &format!(r#"{{"userId":"{ME}","event":"conversationTestFence","data":{{}}}}"#),
    )
    .await;
    let fenced = || {
        seen.borrow()
            .iter()
            .any(|e| text(e, "event").as_deref() == Some("conversationTestFence"))
    };
    assert!(wait_for(10_000, fenced).await, "the fence arrived");
}

/// A fresh sandbox and a connected operator 389.
async fn connected_operator() -> JsValue {
    post("/__sandbox/faults/reset", "{}").await;
    post("/__sandbox/chats/reset", "{}").await;
    let panel = JsValue::from(logged_in("operator@twin.local", &[]).await);
    call(&panel, "activate", &[]).await.expect("activate");
    call(&panel, "connect", &[]).await.expect("connect");
    panel
}

async fn finish(panel: JsValue) {
    call(&panel, "free", &[]).await.unwrap();
    post("/__sandbox/faults/reset", "{}").await;
    post("/__sandbox/chats/reset", "{}").await;
}

fn conversation(panel: &JsValue, id: &str) -> JsValue {
    start(panel, "conversation", &[id.into()])
}

// ---- the operator's side ----

#[wasm_bindgen_test]
async fn a_conversation_pages_back_and_keeps_the_newest_live() {
    let panel = connected_operator().await;
    let id = start_session("Pages", Some("m0")).await;
    for n in 1..25 {
        client_says(&id, &format!("m{n}")).await;
    }
    let c = conversation(&panel, &id);
    assert!(
        Object::is(&c, &conversation(&panel, &id)),
        "one store per id"
    );
    assert!(Object::is(&field(&c, "subscribe"), &field(&c, "subscribe")));
    assert!(Object::is(
        &field(&c, "getSnapshot"),
        &field(&c, "getSnapshot")
    ));
    let empty = snapshot(&c);
    assert!(Object::is_frozen(empty.unchecked_ref::<Object>()));
    assert!(
        Object::is(&empty, &snapshot(&c)),
        "unchanged: the same object"
    );
    assert_eq!(text(&empty, "sessionId").as_deref(), Some(id.as_str()));
    assert_eq!(text(&empty, "loading").as_deref(), Some("idle"));

    let notified = subscribe(&c);
    call(&c, "load", &[limit(10)]).await.expect("load");
    let expected: Vec<String> = (15..25).map(|n| format!("m{n}")).collect();
    assert_eq!(bodies(&c), expected, "the newest page, oldest first");
    let snap = snapshot(&c);
    assert_eq!(field(&snap, "hasOlder"), JsValue::TRUE);
    assert_eq!(number(&snap, "unread"), 10.0);
    assert!(Object::is_frozen(last(&c).unchecked_ref::<Object>()));
    assert_eq!(text(&last(&c), "status").as_deref(), Some("sent"));
    assert!(notified.get() >= 1);

    assert_eq!(
        call(&c, "loadOlder", &[limit(10)]).await.unwrap(),
        JsValue::TRUE
    );
    assert_eq!(bodies(&c).len(), 20);
    assert_eq!(
        call(&c, "loadOlder", &[limit(10)]).await.unwrap(),
        JsValue::TRUE
    );
    let all: Vec<String> = (0..25).map(|n| format!("m{n}")).collect();
    assert_eq!(bodies(&c), all, "every message once, in order");
    assert_eq!(field(&snapshot(&c), "hasOlder"), JsValue::FALSE);
    assert_eq!(call(&c, "loadOlder", &[]).await.unwrap(), JsValue::FALSE);

    // Live: this session's message comes once; another session's changes nothing.
    client_says(&id, "live").await;
    assert!(
        wait_for(10_000, || bodies(&c).last().map(String::as_str)
            == Some("live"))
        .await
    );
    let before = snapshot(&c);
    let other = start_session("Other", Some("elsewhere")).await;
    client_says(&other, "still elsewhere").await;
    post(
        "/__sandbox/visitor/typing",
        &format!(r#"{{"sessionId":"{other}"}}"#),
    )
    .await;
    fence(&panel).await;
    assert!(
        Object::is(&before, &snapshot(&c)),
        "other sessions change nothing"
    );
    assert_eq!(with_body(&c, "live").len(), 1);

    // The client types: shown, then gone a few seconds later.
    post(
        "/__sandbox/visitor/typing",
        &format!(r#"{{"sessionId":"{id}"}}"#),
    )
    .await;
    assert!(
        wait_for(10_000, || field(&snapshot(&c), "clientTyping")
            == JsValue::TRUE)
        .await
    );
    assert!(
        wait_for(10_000, || field(&snapshot(&c), "clientTyping")
            == JsValue::FALSE)
        .await
    );
    finish(panel).await;
}

#[wasm_bindgen_test]
async fn an_optimistic_send_is_sent_or_failed_then_retried_or_discarded() {
    let panel = connected_operator().await;
    let id = start_session("Sends", Some("hello")).await;
    let c = conversation(&panel, &id);
    call(&c, "load", &[]).await.unwrap();

    let sending = start(&c, "send", &["Здравствуйте!".into()]);
    let pending = last(&c);
    assert_eq!(
        text(&pending, "status").as_deref(),
        Some("pending"),
        "shown at once"
    );
    assert!(text(&pending, "localId").is_some());
    assert_eq!(text(&pending, "authorType").as_deref(), Some("OPERATOR"));
    let sent = JsFuture::from(Promise::from(sending)).await.expect("sent");
    let shown = last(&c);
    assert_eq!(text(&shown, "status").as_deref(), Some("sent"));
    assert_eq!(text(&shown, "id"), text(&sent, "id"));
    assert_eq!(text(&shown, "localId"), text(&pending, "localId"));

    // The send fails: shown as failed with its TwinError; a retry sends it once.
    let path = format!("/chat/api/v1/sessions/{id}/operators/messages");
    let fault = format!(r#"{{"pathPrefix":"{path}","failNext":1,"status":503}}"#);
    post("/__sandbox/faults/http", &fault).await;
    let error = call(&c, "send", &["retry me".into()])
        .await
        .expect_err("the send fails");
    assert_eq!(number(&error, "status"), 503.0);
    let failed = last(&c);
    assert_eq!(text(&failed, "status").as_deref(), Some("failed"));
    assert_eq!(text(&field(&failed, "error"), "code"), text(&error, "code"));
    assert_eq!(field(&field(&failed, "error"), "retryable"), JsValue::TRUE);
    let local = field(&failed, "localId");
    call(&c, "retry", std::slice::from_ref(&local))
        .await
        .expect("the retry is sent");
    assert!(
        call(&c, "retry", std::slice::from_ref(&local))
            .await
            .is_err(),
        "not failed any more"
    );
    assert_eq!(text(&last(&c), "status").as_deref(), Some("sent"));
    let page = call(&panel, "sessionMessages", &[id.as_str().into(), limit(50)])
        .await
        .unwrap();
    let on_server = Array::from(&field(&page, "items"))
        .iter()
        .filter(|m| text(m, "body").as_deref() == Some("retry me"))
        .count();
    assert_eq!(on_server, 1, "one message on the server for one localId");

    // Failed again, then discarded.
    post("/__sandbox/faults/http", &fault).await;
    call(&c, "send", &["drop me".into()])
        .await
        .expect_err("fails");
    let local = field(&last(&c), "localId");
    assert_eq!(
        start(&c, "discard", std::slice::from_ref(&local)),
        JsValue::TRUE
    );
    assert_eq!(start(&c, "discard", &[local]), JsValue::FALSE);
    assert!(with_body(&c, "drop me").is_empty());
    finish(panel).await;
}

#[wasm_bindgen_test]
async fn the_echo_of_an_own_message_never_doubles_it() {
    let panel = connected_operator().await;
    let id = start_session("Echo", Some("hi")).await;
    let c = conversation(&panel, &id);
    call(&c, "load", &[]).await.unwrap();
    // The echo first: the answer is held back 400 ms after it went out.
    post(
        "/__sandbox/chats/echo",
        r#"{"on":true,"answerDelayMs":400}"#,
    )
    .await;
    let echoed = on(&panel, "chatMessageCreated");
    call(&c, "send", &["echo first".into()]).await.unwrap();
    assert!(
        !echoed.borrow().is_empty(),
        "the platform echoed it before answering"
    );
    // Then the answer first.
    post("/__sandbox/chats/echo", r#"{"on":true}"#).await;
    call(&c, "send", &["echo after".into()]).await.unwrap();
    fence(&panel).await;
    sleep(100).await;
    for body in ["echo first", "echo after"] {
        let copies = with_body(&c, body);
        assert_eq!(copies.len(), 1, "{body}: one message");
        assert_eq!(text(&copies[0], "status").as_deref(), Some("sent"));
        assert_eq!(
            text(&copies[0], "authorId").as_deref(),
            Some(ME),
            "the server's copy"
        );
    }
    finish(panel).await;
}

#[wasm_bindgen_test]
async fn reads_edits_and_removals() {
    let panel = connected_operator().await;
    let id = start_session("Reads", Some("first")).await;
    client_says(&id, "second").await;
    let c = conversation(&panel, &id);
    call(&c, "load", &[]).await.unwrap();
    assert_eq!(number(&snapshot(&c), "unread"), 2.0);
    call(&c, "markRead", &[]).await.expect("markRead");
    assert_eq!(number(&snapshot(&c), "unread"), 0.0);
    let page = call(&panel, "sessionMessages", &[id.as_str().into()])
        .await
        .unwrap();
    assert!(
        Array::from(&field(&page, "items"))
            .iter()
            .all(|m| field(&m, "readAt").is_string()),
        "the server agrees"
    );

    let sent = call(&c, "send", &["mine".into()]).await.unwrap();
    let mine = text(&sent, "id").unwrap();
    post(
        "/__sandbox/visitor/read",
        &format!(r#"{{"sessionId":"{id}","messageId":"{mine}"}}"#),
    )
    .await;
    assert!(
        wait_for(10_000, || field(&last(&c), "readAt").is_string()).await,
        "read tick"
    );

    let patch = options(&[("body", "mine, edited".into())]);
    call(&c, "edit", &[mine.as_str().into(), patch])
        .await
        .expect("edit");
    assert_eq!(text(&last(&c), "body").as_deref(), Some("mine, edited"));
    assert!(field(&last(&c), "updatedAt").is_string());
    call(&c, "remove", &[mine.as_str().into()])
        .await
        .expect("remove");
    assert!(messages(&c)
        .iter()
        .all(|m| text(m, "id").as_deref() != Some(mine.as_str())));
    finish(panel).await;
}

#[wasm_bindgen_test]
async fn a_bad_payload_is_counted_and_free_mid_call_is_safe() {
    let panel = connected_operator().await;
    let id = start_session("Bad", Some("hi")).await;
    let c = conversation(&panel, &id);
    call(&c, "load", &[]).await.unwrap();
    let errors = on(&c, "error");
    let before = snapshot(&c);
    post(
        "/__sandbox/publish",
        &format!(r#"{{"userId":"{ME}","event":"chatMessageCreated","data":{{"sessionId":"{id}","body":"no id"}}}}"#),
    )
    .await;
    assert!(wait_for(10_000, || errors.borrow().len() == 1).await);
    assert_eq!(
        text(&errors.borrow()[0], "code").as_deref(),
        Some("conversationBadPayload")
    );
    assert_eq!(number(&c, "badPayloads"), 1.0);
    assert!(Object::is(&before, &snapshot(&c)), "nothing changed");

    // free() while a load and a send run: both settle, nothing throws, and
    // the next conversation() of that id is a new store.
    post(
        "/__sandbox/faults/http",
        r#"{"pathPrefix":"/chat/api/v1/sessions/","delayNext":2,"delayMs":300}"#,
    )
    .await;
    let notified = subscribe(&c);
    let loading = Promise::from(start(&c, "load", &[]));
    let sending = Promise::from(start(&c, "send", &["gone".into()]));
    call(&c, "free", &[]).await.unwrap();
    let count = notified.get();
    let _ = JsFuture::from(loading).await;
    let _ = JsFuture::from(sending).await;
    sleep(50).await;
    assert_eq!(notified.get(), count, "no notification after free()");
    let again = conversation(&panel, &id);
    assert!(!Object::is(&again, &c), "a new store");
    call(&again, "load", &[]).await.expect("the new one loads");
    finish(panel).await;
}

#[wasm_bindgen_test]
async fn a_lost_stream_refetches_the_newest_page_and_reports() {
    let panel = connected_operator().await;
    let id = start_session("Resync", Some("before")).await;
    let c = conversation(&panel, &id);
    call(&c, "load", &[]).await.unwrap();
    let reports = on(&c, "resync");
    call(&panel, "disconnect", &[]).await.unwrap();
    let missed = [
        client_says(&id, "missed 1").await,
        client_says(&id, "missed 2").await,
    ];
    post("/__sandbox/faults/restart", "{}").await;
    call(&panel, "connect", &[]).await.unwrap();
    assert!(
        wait_for(15_000, || !reports.borrow().is_empty()).await,
        "resync reported"
    );
    let report = reports.borrow()[0].clone();
    assert_eq!(text(&report, "reason").as_deref(), Some("epochChanged"));
    let added: Vec<String> = Array::from(&field(&report, "added"))
        .iter()
        .filter_map(|v| v.as_string())
        .collect();
    assert_eq!(added, missed);
    assert_eq!(bodies(&c), ["before", "missed 1", "missed 2"]);
    finish(panel).await;
}

// ---- the visitor's side ----

fn widget() -> JsValue {
    JsValue::from(
        ChatWidget::new(options(&[
            ("chatId", "chat-web-1".into()),
            ("chatUrl", format!("{}/chat/api/v1", sandbox()).into()),
            ("socketUrl", sandbox().into()),
        ]))
        .unwrap(),
    )
}

#[wasm_bindgen_test]
async fn the_widget_conversation_is_seeded_and_follows_the_operator() {
    let panel = connected_operator().await;
    let w = widget();
    let c = field(&w, "conversation");
    assert!(Object::is(&c, &field(&w, "conversation")));
    assert_eq!(field(&snapshot(&c), "sessionId"), JsValue::NULL);
    let visitor = options(&[
        ("clientName", "Widget reader".into()),
        ("botId", "b0700000-0000-4000-8000-000000000001".into()),
    ]);
    let session = call(&w, "start", &[visitor]).await.expect("start");
    let id = text(&session, "id").unwrap();
    let snap = snapshot(&c);
    assert_eq!(text(&snap, "sessionId").as_deref(), Some(id.as_str()));
    let greeting = last(&c);
    assert_eq!(text(&greeting, "authorType").as_deref(), Some("BOT"));
    assert!(field(&greeting, "answers").is_object() && field(&greeting, "actions").is_object());
    assert!(text(&greeting, "id").is_some(), "its messageId is its id");
    assert_eq!(number(&snap, "unread"), 1.0);
    assert_eq!(field(&snap, "hasOlder"), JsValue::FALSE);
    assert_eq!(call(&c, "load", &[]).await.unwrap(), JsValue::UNDEFINED);
    assert_eq!(call(&c, "loadOlder", &[]).await.unwrap(), JsValue::FALSE);

    // The bot hands over: the operator is known, writes and types.
    post(
        "/__sandbox/visitor/handover",
        &format!(r#"{{"sessionId":"{id}","operatorId":"{ME}"}}"#),
    )
    .await;
    assert!(wait_for(10_000, || field(&snapshot(&c), "operator").is_object()).await);
    assert_eq!(
        text(&field(&snapshot(&c), "operator"), "id").as_deref(),
        Some(ME)
    );
    let reply = options(&[("body", "Operator here".into())]);
    call(&panel, "sendMessage", &[id.as_str().into(), reply])
        .await
        .unwrap();
    assert!(
        wait_for(10_000, || bodies(&c).last().map(String::as_str)
            == Some("Operator here"))
        .await
    );
    call(&panel, "typing", &[id.as_str().into()]).await.unwrap();
    assert!(
        wait_for(10_000, || field(&snapshot(&c), "operatorTyping")
            == JsValue::TRUE)
        .await
    );

    // The visitor writes: optimistic, then sent; the operator reads it.
    let sending = Promise::from(start(&c, "send", &["Thanks!".into()]));
    assert_eq!(text(&last(&c), "status").as_deref(), Some("pending"));
    assert_eq!(text(&last(&c), "authorType").as_deref(), Some("CLIENT"));
    let sent = JsFuture::from(sending).await.expect("sent");
    let mine = text(&sent, "id").unwrap();
    assert_eq!(text(&last(&c), "id").as_deref(), Some(mine.as_str()));
    call(&panel, "markRead", &[mine.as_str().into()])
        .await
        .unwrap();
    assert!(
        wait_for(10_000, || field(&last(&c), "readAt").is_string()).await,
        "read tick"
    );

    // An echo of the visitor's own message (if the platform sent one) is one message.
    post(
        "/__sandbox/chats/echo",
        r#"{"on":true,"answerDelayMs":300}"#,
    )
    .await;
    call(&c, "send", &["echoed".into()]).await.unwrap();
    sleep(300).await;
    assert_eq!(with_body(&c, "echoed").len(), 1);

    call(&c, "markRead", &[]).await.expect("markRead");
    assert_eq!(number(&snapshot(&c), "unread"), 0.0);
    call(&c, "typing", &[]).await.expect("typing");
    call(&w, "free", &[]).await.unwrap();
    assert!(call(&c, "send", &["after free".into()]).await.is_err());
    finish(panel).await;
}
