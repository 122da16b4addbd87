//! `shareAcrossTabs` in headless browsers: two panels of one page stand in
//! for two tabs (a BroadcastChannel reaches every other channel object of
//! its name, in this page too). The multi-page tests are Playwright's.
#![cfg(target_arch = "wasm32")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)] // tests may panic

mod support;

use js_sys::{Function, Reflect};
use support::*;
use twin_panel::api::OperatorPanel;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn role(panel: &OperatorPanel) -> String {
    field(&panel.sharing(), "role").as_string().unwrap()
}

fn tabs(panel: &OperatorPanel) -> f64 {
    number(&panel.sharing(), "tabs")
}

async fn connections(operator: &str) -> f64 {
    let stats = get_json("/__sandbox/stats").await;
    let by = field(&stats, "connectionsByOperator");
    field(&by, operator).as_f64().unwrap_or(0.0)
}

/// A logged-in panel and a second one given its tokens.
async fn two_tabs() -> (OperatorPanel, OperatorPanel) {
    let a = OperatorPanel::new(options()).unwrap();
    let tokens = JsFuture::from(a.login(credentials("operator@twin.local", "operator")))
        .await
        .expect("login succeeds");
    let b = OperatorPanel::new(options()).unwrap();
    b.use_tokens(tokens).unwrap();
    assert!(
        wait_for(5_000, || role(&a) == "leader"
            && role(&b) == "follower"
            && tabs(&a) == 2.0
            && tabs(&b) == 2.0)
        .await,
        "one leader, one follower: {} {}",
        role(&a),
        role(&b)
    );
    (a, b)
}

#[wasm_bindgen_test]
async fn two_tabs_share_one_connection_and_see_every_event() {
    let (a, b) = two_tabs().await;
    let seen_a = recorder(&a, "chatMessageCreated");
    let seen_b = recorder(&b, "chatMessageCreated");
    let connected_b = recorder(&b, "connected");
    JsFuture::from(a.connect(JsValue::UNDEFINED)).await.unwrap();
    JsFuture::from(b.connect(JsValue::UNDEFINED)).await.unwrap();
    assert_eq!(a.state(), "connected");
    assert_eq!(b.state(), "connected");
    assert!(wait_for(2_000, || connected_b.borrow().len() == 1).await);
    sleep(300).await;
    assert_eq!(connections("389").await, 1.0);
    for id in 1..=3 {
        post(
            "/__sandbox/publish",
            &format!(r#"{{"userId":"389","event":"chatMessageCreated","data":{{"id":{id}}}}}"#),
        )
        .await;
    }
    assert!(
        wait_for(5_000, || seen_a.borrow().len() == 3
            && seen_b.borrow().len() == 3)
        .await
    );
    sleep(200).await;
    let ids = |seen: &Vec<JsValue>| -> Vec<f64> { seen.iter().map(|v| number(v, "id")).collect() };
    assert_eq!(ids(&seen_a.borrow()), [1.0, 2.0, 3.0]);
    assert_eq!(ids(&seen_b.borrow()), [1.0, 2.0, 3.0]);

    // The follower leaves the connection: the leader keeps it.
    let gone_b = recorder(&b, "disconnected");
    b.disconnect();
    assert_eq!(b.state(), "disconnected");
    assert!(wait_for(1_000, || gone_b.borrow().len() == 1).await);
    assert_eq!(a.state(), "connected");

    // The leader goes: the follower takes over, and connects when asked.
    drop(a);
    assert!(wait_for(5_000, || role(&b) == "leader").await);
    JsFuture::from(b.connect(JsValue::UNDEFINED)).await.unwrap();
    sleep(300).await;
    assert_eq!(connections("389").await, 1.0);
    b.logout();
}

#[wasm_bindgen_test]
async fn logout_in_one_tab_ends_the_session_in_both() {
    let (a, b) = two_tabs().await;
    JsFuture::from(a.connect(JsValue::UNDEFINED)).await.unwrap();
    JsFuture::from(b.connect(JsValue::UNDEFINED)).await.unwrap();
    let gone_a = recorder(&a, "disconnected");
    b.logout();
    assert!(wait_for(3_000, || role(&a) == "off" && role(&b) == "off").await);
    assert!(wait_for(1_000, || gone_a.borrow().len() == 1).await);
    assert_eq!(field(&gone_a.borrow()[0], "reconnect"), JsValue::FALSE);
    assert_eq!(a.state(), "disconnected");
    sleep(300).await;
    assert_eq!(connections("389").await, 0.0);
}

#[wasm_bindgen_test]
async fn foreign_and_malformed_messages_are_ignored_and_counted() {
    let (a, b) = two_tabs().await;
    let ws = sandbox().replacen("http", "ws", 1);
    let name = format!("twin-panel/v2/{ws}/centrifugo/connection/websocket/389");
    let send = Function::new_with_args(
        "name",
        "const c = new BroadcastChannel(name);
         c.postMessage({ hello: 1 });
         c.postMessage('text');
         c.postMessage({ ns: 'twin-panel/tabs', v: 2, kind: 'hello', from: 'x' });
         c.postMessage({ ns: 'twin-panel/tabs', v: 3, kind: 'bye', from: 'x' });
         c.close();",
    );
    send.call1(&JsValue::NULL, &name.into()).unwrap();
    wait_for(2_000, || {
        number(&a.sharing(), "ignored") == 4.0 && number(&b.sharing(), "ignored") == 4.0
    })
    .await;
    assert_eq!(number(&a.sharing(), "ignored"), 4.0, "ignored by a");
    assert_eq!(number(&b.sharing(), "ignored"), 4.0, "ignored by b");
    assert_eq!(role(&a), "leader");
    a.logout();
}

#[wasm_bindgen_test]
async fn opted_out_panels_do_not_share() {
    let o = options();
    Reflect::set(&o, &"shareAcrossTabs".into(), &JsValue::FALSE).unwrap();
    let panel = OperatorPanel::new(o).unwrap();
    JsFuture::from(panel.login(credentials("operator@twin.local", "operator")))
        .await
        .unwrap();
    sleep(200).await;
    assert_eq!(role(&panel), "off");
    assert_eq!(tabs(&panel), 1.0);
    panel.logout();
}
