//! An OperatorPanel and a ChatWidget in one page hold a conversation through
//! the sandbox, once over Engine.IO 4 and once over Engine.IO 3.
#![cfg(target_arch = "wasm32")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)] // tests may panic

mod support;

use js_sys::{Promise, Reflect};
use std::cell::RefCell;
use std::rc::Rc;
use support::*;
use twin_panel::api::{ChatWidget, OperatorPanel};
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
    widget.disconnect();
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
