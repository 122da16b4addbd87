//! `panel.inbox` in the browser against the sandbox: the JS surface as an
//! app uses it (functions read off the object and called unbound), live
//! events, fetches for unknown sessions, bad payloads, markRead, a scripted
//! day ending equal to a fresh load, and the resync report of an epoch change.
#![cfg(target_arch = "wasm32")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)] // tests may panic

mod support;

use js_sys::{Array, Function, Object, Promise, Reflect};
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use support::{field, logged_in, post, sleep, wait_for};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const ME: &str = "389";

// ---- calling the JS surface ----

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

/// A logged-in operator panel as the JS object an app holds: the suite
/// uses only the JS surface (`panel.inbox`, methods by name).
async fn js_panel(email: &str) -> JsValue {
    JsValue::from(logged_in(email, &[]).await)
}

/// `panel.inbox`.
fn inbox_of(panel: &JsValue) -> JsValue {
    let inbox = field(panel, "inbox");
    assert!(inbox.is_object(), "panel.inbox is an object");
    inbox
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

/// `getSnapshot` read off the inbox and called unbound, as React does.
fn snapshot(inbox: &JsValue) -> JsValue {
    function(inbox, "getSnapshot")
        .call0(&JsValue::UNDEFINED)
        .unwrap()
}

fn sessions(snapshot: &JsValue) -> Vec<JsValue> {
    Array::from(&field(snapshot, "sessions")).iter().collect()
}

fn session<'a>(list: &'a [JsValue], id: &str) -> Option<&'a JsValue> {
    list.iter()
        .find(|s| field(s, "id").as_string().as_deref() == Some(id))
}

fn number(value: &JsValue, key: &str) -> f64 {
    field(value, key).as_f64().unwrap_or(f64::NAN)
}

fn text(value: &JsValue, key: &str) -> Option<String> {
    field(value, key).as_string()
}

fn ids(snapshot: &JsValue) -> Vec<String> {
    sessions(snapshot)
        .iter()
        .filter_map(|s| text(s, "id"))
        .collect()
}

/// What a list row shows, as text, for comparing two snapshots.
fn rows(snapshot: &JsValue) -> String {
    sessions(snapshot)
        .iter()
        .map(|s| {
            let last = field(s, "lastMessage");
            let last_id = if last.is_object() {
                text(&last, "id")
            } else {
                None
            };
            format!(
                "{}|{:?}|{:?}|unread {}|last {:?} at {:?}|online {:?}",
                text(s, "id").unwrap_or_default(),
                text(s, "status"),
                text(s, "operatorId"),
                number(s, "unread"),
                last_id,
                text(s, "lastMessageCreatedAt"),
                field(s, "clientOnline").as_bool(),
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Counts calls of a subscribe listener; returns the count and the unsubscribe function.
fn subscribe(inbox: &JsValue) -> (Rc<Cell<u32>>, Function) {
    let count = Rc::new(Cell::new(0));
    let sink = count.clone();
    let listener = Closure::<dyn Fn()>::new(move || sink.set(sink.get() + 1));
    let unsubscribe = function(inbox, "subscribe")
        .call1(&JsValue::UNDEFINED, listener.as_ref())
        .unwrap();
    listener.forget();
    (count, unsubscribe.dyn_into().unwrap())
}

fn load_options(status: Option<&str>, limit: Option<u32>) -> JsValue {
    let o = Object::new();
    if let Some(status) = status {
        Reflect::set(&o, &"status".into(), &status.into()).unwrap();
    }
    if let Some(limit) = limit {
        Reflect::set(&o, &"limit".into(), &f64::from(limit).into()).unwrap();
    }
    o.into()
}

// ---- the sandbox's visitors ----

async fn start_session(name: &str, operator: Option<&str>, message: Option<&str>) -> String {
    let mut body = format!(r#"{{"name":"{name}","clientName":"{name}""#);
    if let Some(operator) = operator {
        body.push_str(&format!(r#","operatorId":"{operator}""#));
    }
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

async fn visitor(path: &str, session_id: &str, extra: &str) {
    post(
        &format!("/__sandbox/visitor/{path}"),
        &format!(r#"{{"sessionId":"{session_id}"{extra}}}"#),
    )
    .await;
}

/// Waits until every publication sent so far reached the panel: one more,
/// on the same channel, arrives after them.
async fn fence(panel: &JsValue, n: u32) {
    // `on()` takes known names only: the fence comes through `event`.
    let seen = on(panel, "event");
    post(
        "/__sandbox/publish",
        &format!(r#"{{"userId":"{ME}","event":"inboxTestFence","data":{{"n":{n}}}}}"#),
    )
    .await;
    let fenced = || {
        seen.borrow()
            .iter()
            .any(|e| text(e, "event").as_deref() == Some("inboxTestFence"))
    };
    assert!(wait_for(10_000, fenced).await, "the fence arrived");
}

/// A fresh sandbox and a connected operator 389 who takes sessions.
async fn connected_operator() -> JsValue {
    post("/__sandbox/chats/reset", "{}").await;
    let panel = js_panel("operator@twin.local").await;
    call(&panel, "activate", &[]).await.expect("activate");
    call(&panel, "connect", &[]).await.expect("connect");
    panel
}

/// Frees the panels and restores the seed, operator statuses included, so
/// the suites after this one start as on a fresh sandbox.
async fn finish(panels: Vec<JsValue>) {
    for panel in panels {
        call(&panel, "free", &[]).await.unwrap();
    }
    post("/__sandbox/chats/reset", "{}").await;
}

// ---- the tests ----

#[wasm_bindgen_test]
async fn the_inbox_and_its_functions_are_stable_and_work_unbound() {
    post("/__sandbox/chats/reset", "{}").await;
    let panel = js_panel("operator@twin.local").await;
    let inbox = inbox_of(&panel);
    assert!(
        Object::is(&inbox, &inbox_of(&panel)),
        "panel.inbox is one object"
    );
    assert!(Object::is(
        &field(&inbox, "subscribe"),
        &field(&inbox, "subscribe")
    ));
    assert!(Object::is(
        &field(&inbox, "getSnapshot"),
        &field(&inbox, "getSnapshot")
    ));

    let empty = snapshot(&inbox);
    assert!(Object::is_frozen(empty.unchecked_ref::<Object>()));
    assert!(
        Object::is(&empty, &snapshot(&inbox)),
        "unchanged: the same object"
    );
    assert_eq!(sessions(&empty).len(), 0);
    assert_eq!(field(&empty, "lastResync"), JsValue::NULL);

    let (notified, unsubscribe) = subscribe(&inbox);
    call(&inbox, "load", &[load_options(Some("ACTIVE"), None)])
        .await
        .expect("load");
    let loaded = snapshot(&inbox);
    assert!(!Object::is(&loaded, &empty));
    assert_eq!(field(&loaded, "loading"), JsValue::FALSE);
    assert!(number(&loaded, "version") > number(&empty, "version"));
    assert!(notified.get() >= 1, "the listener heard of the load");

    // Same rows as the REST list, newest activity first.
    let list = sessions(&loaded);
    assert!(
        !list.is_empty(),
        "the seed gives operator 389 open sessions"
    );
    let times: Vec<f64> = list
        .iter()
        .map(|s| {
            let at = field(s, "lastMessageCreatedAt");
            let at = if at.is_string() {
                at
            } else {
                field(s, "startedAt")
            };
            js_sys::Date::parse(&at.as_string().unwrap_or_default())
        })
        .collect();
    assert!(times.windows(2).all(|w| w[0] >= w[1]), "sorted: {times:?}");
    for s in &list {
        assert_eq!(text(s, "status").as_deref(), Some("ACTIVE"));
        assert!(Object::is_frozen(s.unchecked_ref::<Object>()));
        assert_eq!(number(s, "unread"), number(s, "unreadClientMessageCount"));
        assert!(field(s, "typing").is_falsy());
    }
    let total: f64 = list.iter().map(|s| number(s, "unread")).sum();
    assert_eq!(number(&loaded, "unreadTotal"), total);
    unsubscribe.call0(&JsValue::UNDEFINED).unwrap();
    finish(vec![panel]).await;
}

#[wasm_bindgen_test]
async fn live_events_change_the_snapshot_and_rows_are_reused() {
    let panel = connected_operator().await;
    let inbox = inbox_of(&panel);
    call(&inbox, "load", &[load_options(Some("ACTIVE"), None)])
        .await
        .unwrap();
    let before = snapshot(&inbox);

    let id = start_session("Inbox live", Some(ME), Some("hello")).await;
    assert!(
        wait_for(10_000, || session(&sessions(&snapshot(&inbox)), &id)
            .is_some())
        .await,
        "chatSessionStarted added the session"
    );
    let message_id = client_says(&id, "are you there").await;
    assert!(
        wait_for(10_000, || {
            let snap = snapshot(&inbox);
            let list = sessions(&snap);
            session(&list, &id).is_some_and(|s| {
                text(&field(s, "lastMessage"), "id").as_deref() == Some(message_id.as_str())
            })
        })
        .await,
        "chatMessageCreated moved the last message"
    );
    let after = snapshot(&inbox);
    let list = sessions(&after);
    assert_eq!(
        text(&list[0], "id").as_deref(),
        Some(id.as_str()),
        "the newest on top"
    );
    assert_eq!(number(&list[0], "unread"), 2.0);
    assert_eq!(
        number(&after, "unreadTotal"),
        number(&before, "unreadTotal") + 2.0
    );
    // Rows that did not change are the very same objects.
    for old in sessions(&before) {
        let old_id = text(&old, "id").unwrap();
        assert!(
            Object::is(&old, session(&list, &old_id).unwrap()),
            "row {old_id} reused"
        );
    }

    visitor("typing", &id, "").await;
    assert!(
        wait_for(10_000, || session(&sessions(&snapshot(&inbox)), &id)
            .is_some_and(|s| field(s, "typing").is_truthy()))
        .await,
        "typing shows"
    );
    // Stamps are whole seconds: an offline in the second the client came
    // online would still read as online.
    sleep(1_100).await;
    visitor("online", &id, r#","online":false"#).await;
    assert!(
        wait_for(10_000, || session(&sessions(&snapshot(&inbox)), &id)
            .is_some_and(|s| field(s, "clientOnline") == JsValue::FALSE))
        .await,
        "clientOffline"
    );
    visitor("close", &id, "").await;
    assert!(
        wait_for(10_000, || session(&sessions(&snapshot(&inbox)), &id)
            .is_none())
        .await,
        "a closed session leaves the ACTIVE inbox"
    );
    finish(vec![panel]).await;
}

#[wasm_bindgen_test]
async fn a_replayed_burst_makes_one_notification() {
    let panel = connected_operator().await;
    let inbox = inbox_of(&panel);
    call(&inbox, "load", &[load_options(Some("ACTIVE"), None)])
        .await
        .unwrap();
    let id = start_session("Inbox burst", Some(ME), None).await;
    assert!(
        wait_for(10_000, || session(&sessions(&snapshot(&inbox)), &id)
            .is_some())
        .await
    );
    let (notified, _unsubscribe) = subscribe(&inbox);
    sleep(50).await;
    notified.set(0);

    // While the socket is down, 30 messages pile up in the channel history;
    // the reconnect recovers them in one reply.
    call(&panel, "disconnect", &[]).await.unwrap();
    for i in 0..30 {
        client_says(&id, &format!("burst {i}")).await;
    }
    let version = number(&snapshot(&inbox), "version");
    call(&panel, "connect", &[]).await.unwrap();
    fence(&panel, 1).await;
    sleep(50).await;
    let after = snapshot(&inbox);
    assert!(
        number(&after, "version") >= version + 30.0,
        "30 changes applied"
    );
    assert_eq!(
        number(session(&sessions(&after), &id).unwrap(), "unread"),
        30.0
    );
    assert_eq!(notified.get(), 1, "one notification for the whole replay");
    finish(vec![panel]).await;
}

#[wasm_bindgen_test]
async fn an_event_for_an_unknown_session_fetches_it() {
    let panel = connected_operator().await;
    let older = start_session("Inbox older", Some(ME), Some("first")).await;
    sleep(1_100).await; // stamps are whole seconds

    let newer = start_session("Inbox newer", Some(ME), Some("second")).await;
    let inbox = inbox_of(&panel);
    // Only the newest session of each query: `older` is not held.
    call(&inbox, "load", &[load_options(Some("ACTIVE"), Some(1))])
        .await
        .unwrap();
    assert_eq!(ids(&snapshot(&inbox)), vec![newer.as_str()]);
    sleep(1_100).await;
    let message_id = client_says(&older, "still here").await;
    assert!(
        wait_for(10_000, || session(&sessions(&snapshot(&inbox)), &older)
            .is_some())
        .await,
        "the session was fetched"
    );
    let snap = snapshot(&inbox);
    let list = sessions(&snap);
    let row = session(&list, &older).unwrap();
    assert_eq!(
        text(&field(row, "lastMessage"), "id").as_deref(),
        Some(message_id.as_str())
    );
    assert_eq!(
        number(row, "unread"),
        2.0,
        "the fetched object counts both, once each"
    );
    assert_eq!(ids(&snap)[0], older, "its new message puts it on top");
    finish(vec![panel]).await;
}

#[wasm_bindgen_test]
async fn a_bad_payload_is_reported_and_changes_nothing() {
    let panel = connected_operator().await;
    let inbox = inbox_of(&panel);
    call(&inbox, "load", &[load_options(Some("ACTIVE"), None)])
        .await
        .unwrap();
    let errors = on(&inbox, "error");
    let before = snapshot(&inbox);
    for data in [r#"{"name":"no id"}"#, r#"{"id":"x","status":7}"#] {
        post(
            "/__sandbox/publish",
            &format!(r#"{{"userId":"{ME}","event":"chatSessionStarted","data":{data}}}"#),
        )
        .await;
    }
    assert!(
        wait_for(10_000, || errors.borrow().len() == 2).await,
        "two errors"
    );
    let error = &errors.borrow()[0].clone();
    assert_eq!(text(error, "name").as_deref(), Some("TwinError"));
    assert_eq!(text(error, "code").as_deref(), Some("inboxBadPayload"));
    assert_eq!(
        text(&field(error, "details"), "event").as_deref(),
        Some("chatSessionStarted")
    );
    let after = snapshot(&inbox);
    assert_eq!(number(&inbox, "badPayloads"), 2.0);
    assert!(Object::is(&after, &before), "the snapshot did not change");
    finish(vec![panel]).await;
}

#[wasm_bindgen_test]
async fn mark_read_clears_the_count_and_rolls_back_on_failure() {
    let panel = connected_operator().await;
    let inbox = inbox_of(&panel);
    call(&inbox, "load", &[load_options(Some("ACTIVE"), None)])
        .await
        .unwrap();
    let id = start_session("Inbox read", Some(ME), Some("one")).await;
    client_says(&id, "two").await;
    assert!(
        wait_for(10_000, || session(&sessions(&snapshot(&inbox)), &id)
            .is_some_and(|s| number(s, "unread") == 2.0))
        .await
    );

    // The PATCH fails: the count comes back and the error is reported.
    let errors = on(&inbox, "error");
    post(
        "/__sandbox/faults/http",
        r#"{"pathPrefix":"/chat/api/v1/messages/","failNext":2,"status":422}"#,
    )
    .await;
    let failed = call(&inbox, "markRead", &[id.as_str().into()]).await;
    let error = failed.expect_err("markRead rejects");
    assert_eq!(number(&error, "status"), 422.0);
    assert_eq!(
        number(
            session(&sessions(&snapshot(&inbox)), &id).unwrap(),
            "unread"
        ),
        2.0
    );
    assert_eq!(errors.borrow().len(), 1);
    post("/__sandbox/faults/reset", "{}").await;

    call(&inbox, "markRead", &[id.as_str().into()])
        .await
        .expect("markRead");
    assert_eq!(
        number(
            session(&sessions(&snapshot(&inbox)), &id).unwrap(),
            "unread"
        ),
        0.0
    );
    let fresh = call(&panel, "getSession", &[id.as_str().into()])
        .await
        .unwrap();
    assert_eq!(
        number(&fresh, "unreadClientMessageCount"),
        0.0,
        "the server agrees"
    );
    finish(vec![panel]).await;
}

#[wasm_bindgen_test]
async fn a_scripted_day_ends_equal_to_a_fresh_load() {
    let panel = connected_operator().await;
    let inbox = inbox_of(&panel);
    call(&inbox, "load", &[load_options(None, None)])
        .await
        .unwrap();
    let colleague = js_panel("dev@twin.local").await;

    let mut open = Vec::new();
    for i in 0..5 {
        open.push(start_session(&format!("Day {i}"), Some(ME), Some("hello")).await);
    }
    let theirs = start_session("Day theirs", Some("472"), Some("hi dev")).await;
    for round in 0..6 {
        for (i, id) in open.iter().enumerate() {
            if round > 4 && i == 0 {
                continue; // closed
            }
            match (round + i) % 5 {
                0 => {
                    client_says(id, &format!("round {round}")).await;
                }
                1 => visitor("typing", id, "").await,
                2 => visitor("online", id, r#","online":false"#).await,
                3 => visitor("online", id, r#","online":true"#).await,
                _ => {
                    let m = client_says(id, "a question").await;
                    visitor("read", id, &format!(r#","messageId":"{m}""#)).await;
                }
            }
        }
        if round == 2 {
            // A colleague hands a session over; this operator hands one away.
            call(
                &colleague,
                "transferToOperator",
                &[theirs.as_str().into(), ME.into()],
            )
            .await
            .expect("transfer to me");
            call(
                &panel,
                "transferToOperator",
                &[open[4].as_str().into(), "472".into()],
            )
            .await
            .expect("transfer away");
        }
        if round == 4 {
            visitor("close", &open[0], "").await;
        }
    }
    client_says(&theirs, "thanks for taking over").await;
    fence(&panel, 2).await;

    let fresh_panel = js_panel("operator@twin.local").await;
    let fresh = inbox_of(&fresh_panel);
    call(&fresh, "load", &[load_options(None, None)])
        .await
        .unwrap();
    let expected = rows(&snapshot(&fresh));
    // Fetches may still be in flight after the fence.
    let equal = wait_for(10_000, || rows(&snapshot(&inbox)) == expected).await;
    assert!(
        equal,
        "live:\n{}\nfresh:\n{expected}",
        rows(&snapshot(&inbox))
    );
    let live = ids(&snapshot(&inbox));
    assert!(live.contains(&theirs), "the session handed over is here");
    assert!(!live.contains(&open[4]), "the one handed away is not");
    finish(vec![fresh_panel, colleague, panel]).await;
}

#[wasm_bindgen_test]
async fn an_epoch_change_reports_what_changed_while_down() {
    let panel = connected_operator().await;
    let inbox = inbox_of(&panel);
    let kept = start_session("Epoch kept", Some(ME), Some("a")).await;
    let written = start_session("Epoch written", Some(ME), Some("b")).await;
    let closed = start_session("Epoch closed", Some(ME), Some("c")).await;
    call(&inbox, "load", &[load_options(Some("ACTIVE"), None)])
        .await
        .unwrap();
    let held = ids(&snapshot(&inbox));
    for id in [&kept, &written, &closed] {
        assert!(held.contains(id));
    }
    let reports = on(&inbox, "resync");

    call(&panel, "disconnect", &[]).await.unwrap();
    client_says(&written, "while you were away").await;
    client_says(&written, "still away?").await;
    visitor("close", &closed, "").await;
    let added = start_session("Epoch added", Some(ME), Some("new")).await;
    post("/__sandbox/faults/restart", "{}").await;
    call(&panel, "connect", &[]).await.unwrap();

    assert!(
        wait_for(15_000, || !reports.borrow().is_empty()).await,
        "resync reported"
    );
    let report = reports.borrow()[0].clone();
    let list = |key: &str| -> Vec<String> {
        Array::from(&field(&report, key))
            .iter()
            .filter_map(|v| v.as_string())
            .collect()
    };
    assert_eq!(text(&report, "reason").as_deref(), Some("epochChanged"));
    assert_eq!(list("added"), vec![added.as_str()]);
    assert_eq!(list("removed"), vec![closed.as_str()]);
    assert_eq!(list("changed"), vec![written.as_str()]);
    assert_eq!(number(&report, "missedMessages"), 2.0);
    assert!(number(&report, "at") > 0.0);
    let snap = snapshot(&inbox);
    let last = field(&snap, "lastResync");
    assert_eq!(
        list("added"),
        Array::from(&field(&last, "added"))
            .iter()
            .filter_map(|v| v.as_string())
            .collect::<Vec<_>>()
    );
    let row = session(&sessions(&snap), &written).cloned().unwrap();
    assert_eq!(
        number(&row, "unread"),
        3.0,
        "the first message and the two missed"
    );
    assert!(ids(&snap).contains(&added) && !ids(&snap).contains(&closed));
    finish(vec![panel]).await;
}
