//! An OperatorPanel and a ChatWidget in one page hold a conversation through
//! the sandbox, once over Engine.IO 4 and once over Engine.IO 3; then the
//! widget's bounded waits, its event codes and `free()` during `start()`.
#![cfg(target_arch = "wasm32")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)] // tests may panic

mod support;

use js_sys::{Promise, Reflect};
use std::cell::RefCell;
use std::rc::Rc;
use support::*;
use twin_panel::api::{ChatWidget, ConnectingCode, DisconnectCode, OperatorPanel};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

type Seen = Rc<RefCell<Vec<JsValue>>>;

async fn ok(promise: Promise) -> JsValue {
    JsFuture::from(promise).await.expect("the call succeeds")
}

fn object(entries: &[(&str, JsValue)]) -> JsValue {
    let o = js_sys::Object::new();
    for (k, v) in entries {
        Reflect::set(&o, &(*k).into(), v).unwrap();
    }
    o.into()
}

/// A widget on the sandbox's chat `chat-web-1`, plus `extra` number options.
fn sandbox_widget(extra: &[(&str, f64)]) -> ChatWidget {
    let options = object(&[
        ("chatId", "chat-web-1".into()),
        ("chatUrl", format!("{}/chat/api/v1", sandbox()).into()),
        ("socketUrl", sandbox().into()),
    ]);
    for (name, value) in extra {
        Reflect::set(&options, &(*name).into(), &(*value).into()).unwrap();
    }
    ChatWidget::new(options).unwrap()
}

/// Awaits `promise` for at most `ms`; `None` when it is still pending then.
async fn settle(promise: Promise, ms: i32) -> Option<Result<JsValue, JsValue>> {
    let slot = Rc::new(RefCell::new(None));
    let sink = slot.clone();
    wasm_bindgen_futures::spawn_local(async move {
        let outcome = JsFuture::from(promise).await;
        *sink.borrow_mut() = Some(outcome);
    });
    wait_for(ms, || slot.borrow().is_some()).await;
    let outcome = slot.borrow_mut().take();
    outcome
}

/// The `code` of a promise that must have rejected within `ms`.
async fn rejection_code(promise: Promise, ms: i32, what: &str) -> JsValue {
    let outcome = settle(promise, ms).await;
    let error = outcome
        .unwrap_or_else(|| panic!("{what} settles"))
        .expect_err(what);
    field(&error, "code")
}

/// Widget sockets the sandbox admitted so far, over both Engine.IO versions.
async fn widget_sockets_admitted() -> f64 {
    let stats = get_json("/__sandbox/stats").await;
    number(&stats, "socketio.eio3") + number(&stats, "socketio.eio4")
}

fn widget_recorder(widget: &ChatWidget, name: &str) -> Seen {
    let seen = Rc::new(RefCell::new(Vec::new()));
    let sink = seen.clone();
    let listener = Closure::<dyn FnMut(JsValue)>::new(move |v: JsValue| sink.borrow_mut().push(v));
    widget.on(name.into(), listener.as_ref().clone()).unwrap();
    listener.forget();
    seen
}

fn has(seen: &Seen, key: &str, value: &str) -> bool {
    seen.borrow().iter().any(|v| field(v, key) == value)
}

async fn conversation(eio: u32) {
    post("/__sandbox/faults/reset", "{}").await;
    post("/__sandbox/chats/reset", "{}").await;
    // 494 has no sessions after a reset: once active, new sessions go there.
    let panel: OperatorPanel = logged_in("third@twin.local", &[]).await;
    ok(panel.activate()).await;
    let started = recorder(&panel, "chatSessionStarted");
    let created = recorder(&panel, "chatMessageCreated");
    let operator_read = recorder(&panel, "chatMessageRead");
    let operator_typing = recorder(&panel, "typing");
    JsFuture::from(panel.connect(JsValue::UNDEFINED))
        .await
        .unwrap();

    let widget = ChatWidget::new(object(&[
        ("chatId", "chat-web-1".into()),
        ("chatUrl", format!("{}/chat/api/v1", sandbox()).into()),
        ("socketUrl", sandbox().into()),
        ("eio", eio.into()),
    ]))
    .unwrap();
    let messages = widget_recorder(&widget, "message");
    let read = widget_recorder(&widget, "read");
    let typing = widget_recorder(&widget, "typing");
    let changed = widget_recorder(&widget, "operatorChanged");

    let session = ok(widget.start(object(&[("clientName", "Widget visitor".into())]))).await;
    let session_id = field(&session, "id").as_string().unwrap();
    assert_eq!(widget.state(), "connected");
    assert!(
        wait_for(5_000, || has(&started, "id", &session_id)).await,
        "the operator gets chatSessionStarted"
    );

    let sent = ok(widget.send("Здравствуйте! Нужна помощь".into())).await;
    let client_message = field(&sent, "id").as_string().unwrap();
    assert!(
        wait_for(5_000, || has(&created, "id", &client_message)).await,
        "the operator gets the visitor's message"
    );

    let reply = ok(panel.send_message(
        session_id.as_str().into(),
        object(&[("body", "Добрый день! Чем помочь?".into())]),
    ))
    .await;
    let reply_id = field(&reply, "id").as_string().unwrap();
    assert!(
        wait_for(5_000, || has(&messages, "id", &reply_id)).await,
        "the widget gets the reply"
    );
    let shown = messages.borrow().last().cloned().unwrap();
    assert_eq!(field(&shown, "body"), "Добрый день! Чем помочь?");
    assert_eq!(field(&shown, "authorType"), "OPERATOR");

    // Read receipts, both ways.
    ok(panel.mark_read(client_message.as_str().into())).await;
    assert!(wait_for(5_000, || has(&read, "messageId", &client_message)).await);
    ok(widget.mark_read(reply_id.clone())).await;
    assert!(wait_for(5_000, || has(&operator_read, "messageId", &reply_id)).await);

    // Typing, both ways.
    widget.typing().unwrap();
    assert!(wait_for(5_000, || has(&operator_typing, "sessionId", &session_id)).await);
    ok(panel.typing(session_id.as_str().into())).await;
    assert!(wait_for(5_000, || !typing.borrow().is_empty()).await);

    // Transfer: the widget learns who answers now.
    ok(panel.transfer_to_operator(session_id.as_str().into(), 472.into())).await;
    assert!(wait_for(5_000, || has(&changed, "operatorId", "472")).await);
    assert!(has(&changed, "previousOperatorId", "494"));

    let stats = get_json("/__sandbox/stats").await;
    assert!(
        number(&stats, &format!("socketio.eio{eio}")) >= 1.0,
        "the socket spoke EIO {eio}"
    );

    // Closing, acknowledged: the session ends, here and on the server.
    ok(widget.close()).await;
    let closed = ok(panel.get_session(session_id.as_str().into())).await;
    assert_eq!(field(&closed, "status"), "CLOSED");
    assert_eq!(widget.state(), "disconnected");
    assert_eq!(widget.session_id(), None);
    panel.disconnect();
}

#[wasm_bindgen_test]
async fn a_conversation_over_engine_io_4() {
    conversation(4).await;
}

#[wasm_bindgen_test]
async fn a_conversation_over_engine_io_3() {
    conversation(3).await;
}

#[wasm_bindgen_test]
async fn talking_before_start_is_a_clear_error() {
    let widget = ChatWidget::new(object(&[
        ("chatId", "chat-web-1".into()),
        ("chatUrl", format!("{}/chat/api/v1", sandbox()).into()),
    ]))
    .unwrap();
    let error = JsFuture::from(widget.send("hi".into())).await.unwrap_err();
    assert_eq!(field(&error, "code"), "notStarted");
    let error = widget.typing().unwrap_err();
    assert_eq!(field(&error, "code"), "notStarted");
    let bad = ChatWidget::new(object(&[("chatUrl", "http://x".into())]));
    assert!(bad.is_err(), "chatId is required");
}

#[wasm_bindgen_test]
async fn an_unknown_chat_rejects_start_with_404() {
    let widget = ChatWidget::new(object(&[
        ("chatId", "no-such-chat".into()),
        ("chatUrl", format!("{}/chat/api/v1", sandbox()).into()),
    ]))
    .unwrap();
    let error = JsFuture::from(widget.start(JsValue::UNDEFINED))
        .await
        .unwrap_err();
    assert_eq!(field(&error, "status"), 404);
    assert_eq!(widget.state(), "disconnected");
}

#[wasm_bindgen_test]
async fn a_server_that_refuses_engine_io_4_is_retried_with_3() {
    post("/__sandbox/faults/reset", "{}").await;
    post("/__sandbox/chats/reset", "{}").await;
    // The next handshake is refused with HTTP 400, as a server without EIO 4 does.
    post(
        "/__sandbox/faults/http",
        r#"{"failNext":1,"status":400,"pathPrefix":"/socket.io"}"#,
    )
    .await;
    let before = get_json("/__sandbox/stats").await;
    let widget = ChatWidget::new(object(&[
        ("chatId", "chat-web-1".into()),
        ("chatUrl", format!("{}/chat/api/v1", sandbox()).into()),
        ("socketUrl", sandbox().into()),
    ]))
    .unwrap();
    ok(widget.start(object(&[("clientName", "Old server".into())]))).await;
    assert_eq!(widget.state(), "connected");
    let after = get_json("/__sandbox/stats").await;
    assert_eq!(
        number(&after, "socketio.eio3") - number(&before, "socketio.eio3"),
        1.0,
        "the second attempt spoke EIO 3"
    );
    assert_eq!(
        number(&after, "socketio.eio4"),
        number(&before, "socketio.eio4")
    );
    widget.disconnect();
}

#[wasm_bindgen_test]
async fn free_or_disconnect_while_start_runs_stops_the_widget() {
    post("/__sandbox/faults/reset", "{}").await;
    post("/__sandbox/chats/reset", "{}").await;
    for free in [true, false] {
        // The start request is held back, so the call below lands while it runs.
        post(
            "/__sandbox/faults/http",
            r#"{"delayNext":2,"delayMs":600,"pathPrefix":"/chat/api/v1/chats"}"#,
        )
        .await;
        let sockets = widget_sockets_admitted().await;
        let widget = sandbox_widget(&[]);
        let starting = widget.start(object(&[("clientName", "Gone soon".into())]));
        sleep(150).await;
        if free {
            drop(widget); // what `free()` does
        } else {
            widget.disconnect();
            assert_eq!(widget.state(), "disconnected");
        }
        let code = rejection_code(starting, 5_000, "start()").await;
        // free() rejects every wait with `freed`; disconnect() with `disconnected`.
        let expected = if free { "freed" } else { "disconnected" };
        assert_eq!(code, expected, "free: {free}");
        // A socket opened after the start answer would be counted by now.
        sleep(500).await;
        assert_eq!(
            widget_sockets_admitted().await,
            sockets,
            "no socket opens after the stop (free: {free})"
        );
        post("/__sandbox/faults/reset", "{}").await;
    }
}

#[wasm_bindgen_test]
async fn an_unanswered_ack_ends_in_timeout_and_close_still_ends_the_session() {
    post("/__sandbox/faults/reset", "{}").await;
    post("/__sandbox/chats/reset", "{}").await;
    let widget = sandbox_widget(&[("timeout", 1_000.0)]);
    let disconnected = widget_recorder(&widget, "disconnected");
    ok(widget.start(object(&[("clientName", "Unheard".into())]))).await;
    assert!(widget.session_id().is_some());
    // The server still reads what the widget sends, but nothing comes back.
    post("/__sandbox/faults/silence", r#"{"on":true}"#).await;
    let code = rejection_code(
        widget.mark_read("3e550000-0000-4000-8000-000000000001".into()),
        8_000,
        "markRead()",
    )
    .await;
    assert_eq!(code, "timeout");
    let code = rejection_code(widget.close(), 8_000, "close()").await;
    assert_eq!(code, "timeout");
    assert_eq!(widget.state(), "disconnected", "close() ended the socket");
    assert_eq!(widget.session_id(), None, "close() ended the session");
    assert!(wait_for(5_000, || !disconnected.borrow().is_empty()).await);
    post("/__sandbox/faults/silence", r#"{"on":false}"#).await;
}

#[wasm_bindgen_test]
async fn the_ack_table_is_bounded() {
    post("/__sandbox/faults/reset", "{}").await;
    post("/__sandbox/chats/reset", "{}").await;
    let widget = sandbox_widget(&[("timeout", 1_500.0)]);
    ok(widget.start(object(&[("clientName", "Many reads".into())]))).await;
    let sent = ok(widget.send("A message to mark".into())).await;
    let message = field(&sent, "id").as_string().unwrap();
    post("/__sandbox/faults/silence", r#"{"on":true}"#).await;
    let waiting: Vec<Promise> = (0..64).map(|_| widget.mark_read(message.clone())).collect();
    let code = rejection_code(
        widget.mark_read(message.clone()),
        5_000,
        "the 65th markRead()",
    )
    .await;
    assert_eq!(code, "tooManyWaiters");
    for promise in waiting {
        assert_eq!(
            rejection_code(promise, 8_000, "a waiting markRead()").await,
            "timeout"
        );
    }
    // Timed-out waits leave the table: a new call is accepted and answered.
    post("/__sandbox/faults/silence", r#"{"on":false}"#).await;
    let outcome = settle(widget.mark_read(message), 8_000).await;
    assert!(
        matches!(outcome, Some(Ok(_))),
        "markRead() is answered: {outcome:?}"
    );
    widget.disconnect();
}

#[wasm_bindgen_test]
async fn connecting_and_disconnected_carry_the_panel_codes() {
    post("/__sandbox/faults/reset", "{}").await;
    post("/__sandbox/chats/reset", "{}").await;
    let code = |v: &JsValue| number(v, "code");
    let widget = sandbox_widget(&[("minReconnectDelay", 50.0), ("maxReconnectDelay", 200.0)]);
    let connecting = widget_recorder(&widget, "connecting");
    let connected = widget_recorder(&widget, "connected");
    let disconnected = widget_recorder(&widget, "disconnected");
    ok(widget.start(object(&[("clientName", "Coded".into())]))).await;
    assert_eq!(
        code(&connecting.borrow()[0]),
        ConnectingCode::ConnectCalled as u32 as f64
    );

    // The socket drops: it comes back by itself.
    post("/__sandbox/faults/drop", "{}").await;
    assert!(wait_for(5_000, || !disconnected.borrow().is_empty()).await);
    let dropped = disconnected.borrow()[0].clone();
    assert_eq!(field(&dropped, "reconnect"), true);
    assert_eq!(
        code(&dropped),
        ConnectingCode::TransportClosed as u32 as f64
    );
    assert!(wait_for(5_000, || connected.borrow().len() == 2).await);
    assert_eq!(
        code(&connecting.borrow()[1]),
        ConnectingCode::TransportClosed as u32 as f64
    );

    // The server ends every widget socket: no reconnect.
    post("/__sandbox/chats/reset", "{}").await;
    assert!(wait_for(5_000, || disconnected.borrow().len() == 2).await);
    let ended = disconnected.borrow()[1].clone();
    assert_eq!(field(&ended, "reconnect"), false);
    assert_eq!(field(&ended, "reason"), "io server disconnect");
    assert_eq!(code(&ended), DisconnectCode::ServerDisconnect as u32 as f64);

    // The session closes on the server; the next connect is refused.
    let widget = sandbox_widget(&[("minReconnectDelay", 50.0), ("maxReconnectDelay", 200.0)]);
    let disconnected = widget_recorder(&widget, "disconnected");
    let errors = widget_recorder(&widget, "error");
    let session = ok(widget.start(object(&[("clientName", "Refused".into())]))).await;
    let session_id = field(&session, "id").as_string().unwrap();
    post(
        "/__sandbox/visitor/close",
        &format!(r#"{{"sessionId":"{session_id}"}}"#),
    )
    .await;
    post("/__sandbox/faults/drop", "{}").await;
    assert!(wait_for(5_000, || disconnected.borrow().len() == 2).await);
    let refused = disconnected.borrow()[1].clone();
    assert_eq!(field(&refused, "reconnect"), false);
    assert_eq!(code(&refused), DisconnectCode::ConnectRefused as u32 as f64);
    assert!(has(&errors, "message", "Session is closed."));

    // The app's own disconnect().
    let widget = sandbox_widget(&[]);
    let disconnected = widget_recorder(&widget, "disconnected");
    ok(widget.start(object(&[("clientName", "Coded too".into())]))).await;
    widget.disconnect();
    assert!(wait_for(5_000, || !disconnected.borrow().is_empty()).await);
    let ended = disconnected.borrow()[0].clone();
    assert_eq!(field(&ended, "reconnect"), false);
    assert_eq!(code(&ended), DisconnectCode::DisconnectCalled as u32 as f64);
}
