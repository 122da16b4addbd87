//! REST behaviour of OperatorPanel against the sandbox: refresh under load,
//! the refused-refresh path, retries, timeouts and the `request()` guard.
#![cfg(target_arch = "wasm32")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)] // tests may panic

mod support;

use js_sys::{Array, Promise, Reflect};
use support::*;
use twin_panel::api::OperatorPanel;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

async fn reset() {
    post("/__sandbox/faults/reset", "{}").await;
    post("/__sandbox/stats/reset", "{}").await;
}

async fn rejection(promise: Promise) -> JsValue {
    JsFuture::from(promise)
        .await
        .expect_err("the call must fail")
}

#[wasm_bindgen_test]
async fn twenty_concurrent_calls_across_a_token_expiry_share_one_refresh() {
    reset().await;
    let panel = logged_in("operator@twin.local", &[]).await;
    let refreshed = recorder(&panel, "tokenRefreshed");
    post("/__sandbox/tokens/expire", "{}").await;
    let calls: Array = (0..20).map(|_| JsValue::from(panel.me())).collect();
    let profiles = JsFuture::from(Promise::all(&calls))
        .await
        .expect("all 20 succeed");
    let profiles: Array = profiles.dyn_into().unwrap();
    assert_eq!(profiles.length(), 20);
    for profile in profiles.iter() {
        assert_eq!(field(&profile, "id"), 389);
    }
    let stats = get_json("/__sandbox/stats").await;
    assert_eq!(
        number(&stats, "refreshes"),
        1.0,
        "exactly one refresh request"
    );
    assert_eq!(refreshed.borrow().len(), 1);
}

#[wasm_bindgen_test]
async fn a_refused_refresh_token_ends_the_session() {
    reset().await;
    let panel = OperatorPanel::new(options()).unwrap();
    let tokens = JsFuture::from(panel.login(credentials("operator@twin.local", "operator")))
        .await
        .unwrap();
    let lost = recorder(&panel, "disconnected");
    JsFuture::from(panel.connect(JsValue::UNDEFINED))
        .await
        .unwrap();
    let stats_before = get_json("/__sandbox/stats").await;
    // Keep the access token, replace the refresh token with one the server never issued.
    Reflect::set(&tokens, &"refreshToken".into(), &"never-issued".into()).unwrap();
    panel.use_tokens(tokens).unwrap();
    post("/__sandbox/tokens/expire", "{}").await;

    let error = rejection(panel.me()).await;
    assert_eq!(field(&error, "name"), "TwinError");
    assert_eq!(field(&error, "status"), 401);
    assert_eq!(field(&error, "retryable"), JsValue::FALSE);
    let message = field(&error, "message").as_string().unwrap();
    assert!(!message.contains("never-issued"), "no token in messages");
    assert!(wait_for(2_000, || !lost.borrow().is_empty()).await);
    let event = lost.borrow()[0].clone();
    assert_eq!(field(&event, "code"), 1);
    assert_eq!(field(&event, "reconnect"), JsValue::FALSE);
    assert_eq!(panel.state(), "disconnected");
    // The session is over: further calls fail fast without touching the server.
    let error = rejection(panel.me()).await;
    assert_eq!(field(&error, "code"), "notAuthenticated");
    let stats_after = get_json("/__sandbox/stats").await;
    assert_eq!(
        number(&stats_after, "refreshes"),
        number(&stats_before, "refreshes"),
        "the refused refresh is not counted as a success"
    );
}

#[wasm_bindgen_test]
async fn a_5xx_is_retried_once_for_a_get_and_never_for_a_post() {
    reset().await;
    let panel = logged_in("operator@twin.local", &[]).await;
    post(
        "/__sandbox/faults/http",
        r#"{"failNext":1,"status":503,"pathPrefix":"/chat/api/v1/timestamp"}"#,
    )
    .await;
    let time = JsFuture::from(panel.server_time())
        .await
        .expect("retried once");
    assert!(field(&time, "timestamp").as_f64().is_some());

    post(
        "/__sandbox/faults/http",
        r#"{"failNext":2,"status":503,"pathPrefix":"/chat/api/v1/timestamp"}"#,
    )
    .await;
    let error = rejection(panel.server_time()).await;
    assert_eq!(field(&error, "status"), 503, "one retry only");
    post("/__sandbox/faults/reset", "{}").await;

    // A POST that failed may have taken effect: it is never repeated. Had it
    // been, the second attempt would pass the fault and get another answer.
    post(
        "/__sandbox/faults/http",
        r#"{"failNext":1,"status":503,"pathPrefix":"/chat/api/v1/users/me/pause"}"#,
    )
    .await;
    let error = rejection(panel.pause()).await;
    assert_eq!(field(&error, "status"), 503);
    assert_eq!(field(&error, "code"), "serverError");
    assert_eq!(field(&error, "retryable"), JsValue::TRUE);
}

#[wasm_bindgen_test]
async fn a_slow_answer_past_the_timeout_is_a_retryable_timeout() {
    reset().await;
    let panel = logged_in("operator@twin.local", &[("timeout", 500.0)]).await;
    post(
        "/__sandbox/faults/http",
        r#"{"delayNext":1,"delayMs":2000,"pathPrefix":"/chat/api/v1/timestamp"}"#,
    )
    .await;
    let error = rejection(panel.server_time()).await;
    assert_eq!(field(&error, "code"), "timeout");
    assert_eq!(field(&error, "status"), 0);
    assert_eq!(field(&error, "retryable"), JsValue::TRUE);
}

#[wasm_bindgen_test]
async fn network_failures_are_retryable_twin_errors() {
    let o = options();
    Reflect::set(
        &o,
        &"chatUrl".into(),
        &"http://127.0.0.1:9/chat/api/v1".into(),
    )
    .unwrap();
    let panel = OperatorPanel::new(o).unwrap();
    JsFuture::from(panel.login(credentials("operator@twin.local", "operator")))
        .await
        .unwrap();
    let error = rejection(panel.server_time()).await;
    assert_eq!(field(&error, "code"), "network");
    assert_eq!(field(&error, "retryable"), JsValue::TRUE);
}

#[wasm_bindgen_test]
async fn request_only_reaches_the_configured_services() {
    reset().await;
    let panel = logged_in("operator@twin.local", &[]).await;
    let time = JsFuture::from(panel.request("GET".into(), "/timestamp".into(), JsValue::UNDEFINED))
        .await
        .unwrap();
    assert!(field(&time, "timestamp").as_f64().is_some());
    let iam_me = format!("{}/iam/api/v1/users/me", sandbox());
    let me = JsFuture::from(panel.request("get".into(), iam_me, JsValue::UNDEFINED))
        .await
        .unwrap();
    assert_eq!(field(&me, "id"), 389);
    for path in [
        "https://example.com/chat/api/v1/sessions",
        "//example.com/x",
        "timestamp",
        "/\\example.com",
        &format!("{}/chat/api/v1/../../iam/api/v1/users/me", sandbox()),
        &format!("{}/chat/api/v1.example.com/x", sandbox()),
        "/%2e%2e/%2E%2E/iam/api/v1/users/me",
        &format!("{}/chat/api/v1/.%2e/.%2e/iam/api/v1/users/me", sandbox()),
    ] {
        let error = rejection(panel.request("GET".into(), path.into(), JsValue::UNDEFINED)).await;
        assert_eq!(field(&error, "code"), "forbiddenUrl", "{path}");
    }
}

#[wasm_bindgen_test]
async fn ids_that_are_not_path_segments_are_refused_before_any_request() {
    let panel = logged_in("operator@twin.local", &[]).await;
    let error = rejection(panel.get_session("..".into())).await;
    assert_eq!(field(&error, "code"), "invalidArgument");
    let error = rejection(panel.get_session(JsValue::NULL)).await;
    assert_eq!(field(&error, "code"), "invalidArgument");
}

#[wasm_bindgen_test]
async fn tokens_are_refreshed_ahead_of_expiry() {
    reset().await;
    // ttl 4 s, refresh 2 s before expiry: tokenRefreshed after about 2 s.
    let panel = logged_in(
        "operator@twin.local",
        &[("ttl", 4.0), ("refreshBefore", 2.0)],
    )
    .await;
    let refreshed = recorder(&panel, "tokenRefreshed");
    assert!(
        wait_for(6_000, || !refreshed.borrow().is_empty()).await,
        "proactive refresh"
    );
    let tokens = refreshed.borrow()[0].clone();
    assert!(field(&tokens, "expiresAt").as_f64().unwrap() > js_sys::Date::now());
    let me = JsFuture::from(panel.me()).await.unwrap();
    assert_eq!(field(&me, "id"), 389);
}

#[wasm_bindgen_test]
async fn a_refresh_refused_with_405_is_an_error_and_never_retried_with_the_token_in_a_url() {
    reset().await;
    let panel = logged_in("operator@twin.local", &[]).await;
    post(
        "/__sandbox/faults/http",
        r#"{"failNext":1,"status":405,"pathPrefix":"/iam/api/v1/auth/refresh"}"#,
    )
    .await;
    post("/__sandbox/tokens/expire", "{}").await;
    let error = JsFuture::from(panel.me())
        .await
        .expect_err("no GET fallback: the refresh fails");
    assert_eq!(field(&error, "status"), 405);
    // The fault answered the one POST; a GET retry would have reached the handler.
    assert_eq!(
        number(&get_json("/__sandbox/stats").await, "refreshes"),
        0.0
    );
}

#[wasm_bindgen_test]
async fn a_403_refreshes_a_token_once_then_is_a_plain_permission_error() {
    reset().await;
    let panel = logged_in("operator@twin.local", &[]).await;
    post(
        "/__sandbox/faults/http",
        r#"{"failNext":3,"status":403,"pathPrefix":"/chat/api/v1/timestamp"}"#,
    )
    .await;
    // First call: 403, one refresh, 403 again with the fresh token: forbidden.
    let error = rejection(panel.server_time()).await;
    assert_eq!(field(&error, "status"), 403);
    assert_eq!(field(&error, "code"), "forbidden");
    // Second call: a 403 with the token a 403 already renewed is no reason
    // to refresh again.
    let error = rejection(panel.server_time()).await;
    assert_eq!(field(&error, "code"), "forbidden");
    assert_eq!(
        number(&get_json("/__sandbox/stats").await, "refreshes"),
        1.0
    );
    // Still logged in: the next call goes through.
    let me = JsFuture::from(panel.me()).await.expect("still logged in");
    assert_eq!(field(&me, "id"), 389);
}

#[wasm_bindgen_test]
async fn a_token_lifetime_past_the_set_timeout_limit_does_not_refresh_at_once() {
    reset().await;
    // 30 days: the refresh is due in about 30 days less 15 minutes, beyond
    // the 2^31 - 1 ms setTimeout honours; fired at once, it would loop.
    let panel = logged_in("operator@twin.local", &[("ttl", 2_592_000.0)]).await;
    let refreshed = recorder(&panel, "tokenRefreshed");
    sleep(1_500).await;
    assert!(refreshed.borrow().is_empty(), "no refresh");
    assert_eq!(
        number(&get_json("/__sandbox/stats").await, "refreshes"),
        0.0
    );
    let me = JsFuture::from(panel.me()).await.unwrap();
    assert_eq!(field(&me, "id"), 389);
}
