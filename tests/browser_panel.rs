//! OperatorPanel in headless Chromium against the running sandbox.
//!
//! `make test` starts the sandbox and passes its address in `TWIN_SANDBOX_URL`
//! at build time.
#![cfg(target_arch = "wasm32")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)] // tests may panic

mod support;

use js_sys::{Function, Reflect, JSON};
use std::cell::RefCell;
use std::rc::Rc;
use support::*;
use twin_panel::api::OperatorPanel;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
async fn login_connect_and_receive_a_published_event() {
    let panel = OperatorPanel::new(options()).unwrap();
    let tokens = JsFuture::from(panel.login(credentials("operator@twin.local", "operator")))
        .await
        .expect("login succeeds");
    assert!(Reflect::get(&tokens, &"token".into()).unwrap().is_string());
    assert!(
        Reflect::get(&tokens, &"expiresAt".into())
            .unwrap()
            .as_f64()
            .unwrap()
            > js_sys::Date::now()
    );

    let states = recorder(&panel, "connected");
    let messages = recorder(&panel, "chatMessageCreated");
    let all = recorder(&panel, "event");
    JsFuture::from(panel.connect(JsValue::UNDEFINED))
        .await
        .expect("connect resolves");
    assert_eq!(panel.state(), "connected");
    assert_eq!(states.borrow().len(), 1);

    let data = r#"{"id":"m-1","authorType":"CLIENT","body":"Здравствуйте! \"quoted\"","attachments":[],"sessionId":"s-1","createdAt":"2026-11-24T10:00:00+00:00","nested":{"n":1.5,"list":[true,null]}}"#;
    post(
        "/__sandbox/publish",
        &format!(r#"{{"userId":"389","event":"chatMessageCreated","data":{data}}}"#),
    )
    .await;
    assert!(
        wait_for(5_000, || !messages.borrow().is_empty()).await,
        "event arrived"
    );
    let received = JSON::stringify(&messages.borrow()[0]).unwrap();
    let expected = JSON::stringify(&JSON::parse(data).unwrap()).unwrap();
    assert_eq!(received, expected);
    let envelope = &all.borrow()[0];
    assert_eq!(
        Reflect::get(envelope, &"event".into()).unwrap(),
        JsValue::from_str("chatMessageCreated")
    );
    panel.disconnect();
    assert_eq!(panel.state(), "disconnected");
}

#[wasm_bindgen_test]
async fn wrong_password_rejects_with_a_twin_error_401() {
    let panel = OperatorPanel::new(options()).unwrap();
    let error = JsFuture::from(panel.login(credentials("operator@twin.local", "wrong")))
        .await
        .expect_err("login must fail");
    assert!(
        error.is_instance_of::<js_sys::Error>(),
        "a real Error subclass"
    );
    assert_eq!(Reflect::get(&error, &"name".into()).unwrap(), "TwinError");
    assert_eq!(Reflect::get(&error, &"status".into()).unwrap(), 401);
    assert_eq!(
        Reflect::get(&error, &"code".into()).unwrap(),
        "unauthorized"
    );
    assert_eq!(Reflect::get(&error, &"retryable".into()).unwrap(), false);
    let message = Reflect::get(&error, &"message".into())
        .unwrap()
        .as_string()
        .unwrap();
    assert!(
        !message.contains("wrong"),
        "the password never appears in errors"
    );
}

#[wasm_bindgen_test]
async fn connect_before_login_rejects_and_a_listener_can_disconnect_from_inside() {
    let panel = Rc::new(OperatorPanel::new(options()).unwrap());
    let error = JsFuture::from(panel.connect(JsValue::UNDEFINED))
        .await
        .expect_err("not logged in");
    assert_eq!(
        Reflect::get(&error, &"code".into()).unwrap(),
        "notAuthenticated"
    );

    JsFuture::from(panel.login(credentials("operator@twin.local", "operator")))
        .await
        .unwrap();
    let inner = panel.clone();
    let listener = Closure::<dyn FnMut(JsValue)>::new(move |_| inner.disconnect());
    panel
        .on("connected".into(), listener.as_ref().clone())
        .unwrap();
    listener.forget();
    let disconnected = recorder(&panel, "disconnected");
    JsFuture::from(panel.connect(JsValue::UNDEFINED))
        .await
        .unwrap();
    assert_eq!(panel.state(), "disconnected");
    let events = disconnected.borrow();
    assert_eq!(events.len(), 1);
    assert_eq!(Reflect::get(&events[0], &"code".into()).unwrap(), 0);
    assert_eq!(
        Reflect::get(&events[0], &"reconnect".into()).unwrap(),
        false
    );
}

#[wasm_bindgen_test]
async fn unsubscribe_function_removes_the_listener() {
    let panel = OperatorPanel::new(options()).unwrap();
    JsFuture::from(panel.login(credentials("dev@twin.local", "operator")))
        .await
        .unwrap();
    let seen = Rc::new(RefCell::new(0));
    let sink = seen.clone();
    let listener = Closure::<dyn FnMut(JsValue)>::new(move |_| *sink.borrow_mut() += 1);
    let unsubscribe: Function = panel
        .on("typing".into(), listener.as_ref().clone())
        .unwrap()
        .dyn_into()
        .unwrap();
    listener.forget();
    let typing = recorder(&panel, "typing");
    JsFuture::from(panel.connect(JsValue::UNDEFINED))
        .await
        .unwrap();
    post(
        "/__sandbox/publish",
        r#"{"userId":"472","event":"typing","data":{"n":1}}"#,
    )
    .await;
    assert!(wait_for(5_000, || typing.borrow().len() == 1).await);
    unsubscribe.call0(&JsValue::NULL).unwrap();
    post(
        "/__sandbox/publish",
        r#"{"userId":"472","event":"typing","data":{"n":2}}"#,
    )
    .await;
    assert!(wait_for(5_000, || typing.borrow().len() == 2).await);
    assert_eq!(*seen.borrow(), 1);
    panel.disconnect();
}

#[wasm_bindgen_test]
async fn connect_with_a_timeout_rejects_and_keeps_trying_in_the_background() {
    // A loopback port nothing listens on: the socket fails again and again.
    let options = options_with(&[("minReconnectDelay", 50.0), ("maxReconnectDelay", 100.0)]);
    js_sys::Reflect::set(
        &options,
        &"centrifugoUrl".into(),
        &"ws://127.0.0.1:59999/connection/websocket".into(),
    )
    .unwrap();
    let panel = OperatorPanel::new(options).unwrap();
    JsFuture::from(panel.login(credentials("operator@twin.local", "operator")))
        .await
        .unwrap();
    let connect_options = js_sys::Object::new();
    js_sys::Reflect::set(&connect_options, &"timeout".into(), &300.into()).unwrap();
    let error = JsFuture::from(panel.connect(connect_options.into()))
        .await
        .expect_err("the deadline passes first");
    assert_eq!(field(&error, "code"), "timeout");
    assert_eq!(field(&error, "retryable"), JsValue::TRUE);
    assert_eq!(panel.state(), "connecting", "still trying");
    let bad = js_sys::Object::new();
    js_sys::Reflect::set(&bad, &"timeout".into(), &(-1).into()).unwrap();
    let error = JsFuture::from(panel.connect(bad.into())).await.unwrap_err();
    assert_eq!(field(&error, "code"), "invalidArgument");
    panel.disconnect();
}

#[wasm_bindgen_test]
async fn disconnect_then_connect_at_once_connects() {
    let panel = logged_in("operator@twin.local", &[]).await;
    JsFuture::from(panel.connect(JsValue::UNDEFINED))
        .await
        .unwrap();
    // The old connection's `disconnected` is delivered after the new
    // connect() began: it must not reject it.
    panel.disconnect();
    JsFuture::from(panel.connect(JsValue::UNDEFINED))
        .await
        .expect("the new connect() is not rejected by the old disconnect");
    assert_eq!(panel.state(), "connected");
    panel.disconnect();
}
