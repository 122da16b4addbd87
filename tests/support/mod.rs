//! Helpers shared by the browser suites: sandbox address, HTTP to the
//! sandbox's test API, sleeping, recording listener payloads.
#![allow(dead_code)]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)] // tests may panic

use js_sys::{Promise, Reflect};
use std::cell::RefCell;
use std::rc::Rc;
use twin_panel::api::OperatorPanel;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

pub fn sandbox() -> &'static str {
    // The sandbox's default address when built without `make test`.
    match option_env!("TWIN_SANDBOX_URL") {
        Some(url) => url,
        None => "http://127.0.0.1:8080",
    }
}

pub fn options() -> JsValue {
    let base = sandbox();
    let ws = base.replacen("http", "ws", 1);
    let o = js_sys::Object::new();
    for (k, v) in [
        ("iamUrl", format!("{base}/iam/api/v1")),
        ("chatUrl", format!("{base}/chat/api/v1")),
        (
            "centrifugoUrl",
            format!("{ws}/centrifugo/connection/websocket"),
        ),
    ] {
        Reflect::set(&o, &k.into(), &v.into()).unwrap();
    }
    o.into()
}

pub fn credentials(email: &str, password: &str) -> JsValue {
    let o = js_sys::Object::new();
    Reflect::set(&o, &"email".into(), &email.into()).unwrap();
    Reflect::set(&o, &"password".into(), &password.into()).unwrap();
    o.into()
}

/// `POST` of a JSON body to the sandbox, answer parsed as JSON.
pub async fn post(path: &str, body: &str) -> JsValue {
    let init = web_sys::RequestInit::new();
    init.set_method("POST");
    init.set_body(&JsValue::from_str(body));
    let headers = web_sys::Headers::new().unwrap();
    headers.set("Content-Type", "application/json").unwrap();
    // The control endpoints refuse state changes without it.
    headers.set("X-Sandbox-Control", "1").unwrap();
    init.set_headers(&headers);
    fetch_json(path, &init).await
}

/// `GET` on the sandbox, parsed as JSON.
pub async fn get_json(path: &str) -> JsValue {
    fetch_json(path, &web_sys::RequestInit::new()).await
}

async fn fetch_json(path: &str, init: &web_sys::RequestInit) -> JsValue {
    let window = web_sys::window().unwrap();
    let response: web_sys::Response =
        JsFuture::from(window.fetch_with_str_and_init(&format!("{}{path}", sandbox()), init))
            .await
            .unwrap()
            .dyn_into()
            .unwrap();
    assert!(response.ok(), "{path} answered {}", response.status());
    JsFuture::from(response.json().unwrap()).await.unwrap()
}

/// A property of a JS object.
pub fn field(value: &JsValue, key: &str) -> JsValue {
    Reflect::get(value, &key.into()).unwrap()
}

/// Resolves after `ms` milliseconds.
pub async fn sleep(ms: i32) {
    let promise = Promise::new(&mut |resolve, _| {
        web_sys::window()
            .unwrap()
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms)
            .unwrap();
    });
    JsFuture::from(promise).await.unwrap();
}

/// Collects every payload a listener receives.
pub fn recorder(panel: &OperatorPanel, name: &str) -> Rc<RefCell<Vec<JsValue>>> {
    let seen = Rc::new(RefCell::new(Vec::new()));
    let sink = seen.clone();
    let listener = Closure::<dyn FnMut(JsValue)>::new(move |v: JsValue| sink.borrow_mut().push(v));
    panel.on(name.into(), listener.as_ref().clone()).unwrap();
    listener.forget();
    seen
}

/// Waits until `check` holds, up to `ms`.
pub async fn wait_for(ms: i32, mut check: impl FnMut() -> bool) -> bool {
    let mut waited = 0;
    while !check() {
        if waited >= ms {
            return false;
        }
        sleep(20).await;
        waited += 20;
    }
    true
}

/// Options pointing at the sandbox, plus `extra` (`[(name, number)]`).
pub fn options_with(extra: &[(&str, f64)]) -> JsValue {
    let o = options();
    for (k, v) in extra {
        Reflect::set(&o, &(*k).into(), &(*v).into()).unwrap();
    }
    o
}

/// A number field of a JS object (`a.b.c` paths).
pub fn number(value: &JsValue, path: &str) -> f64 {
    let mut v = value.clone();
    for key in path.split('.') {
        v = Reflect::get(&v, &key.into()).unwrap();
    }
    v.as_f64().unwrap_or(f64::NAN)
}

/// A panel logged in as `email` (password `operator`).
pub async fn logged_in(email: &str, extra: &[(&str, f64)]) -> OperatorPanel {
    let panel = OperatorPanel::new(options_with(extra)).unwrap();
    JsFuture::from(panel.login(credentials(email, "operator")))
        .await
        .expect("login succeeds");
    panel
}
