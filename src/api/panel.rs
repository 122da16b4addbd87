//! `OperatorPanel`: the operator's side of TWIN in one JS class.
//!
//! The protocol decisions live in [`CentrifugeClient`]; this file only moves
//! bytes and times between it and the browser. Events are queued while Rust
//! state is borrowed and delivered afterwards, so a listener may call back into
//! the panel (even `disconnect()` or `free()`-adjacent calls) safely.

use super::delivery::Delivery;
use super::error::{parse_answer, to_js, usage};
use super::js::{self, object, Emitter};
use super::options::PanelOptions;
use crate::protocol::backoff::BackoffPolicy;
use crate::protocol::centrifuge::codes::disconnected;
use crate::protocol::centrifuge::{Action, CentrifugeClient, ClientConfig, ClientEvent};
use crate::protocol::json_engine::JsonError;
use crate::rest::auth::{Auth, Credentials};
use crate::rest::error::ErrorInfo;
use crate::rest::http::{self, HttpRequest};
use crate::rest::tokens::TokenPair;
use crate::transport::clock;
use crate::transport::driver::{DriverHost, SocketDriver};
use crate::transport::engine_json::{EngineJson, JsJson};
use crate::transport::timer::Timer;
use crate::transport::websocket::SocketEvent;
use js_sys::{Function, Promise};
use std::cell::{Cell, OnceCell, RefCell};
use std::rc::{Rc, Weak};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;

mod rest_calls;

/// Lifecycle event names; a publication with one of these names reaches only
/// the `event` catch-all, so the server can never fake a state change.
const LIFECYCLE_EVENTS: [&str; 8] = [
    "connecting",
    "connected",
    "disconnected",
    "error",
    "resync",
    "tokenRefreshed",
    "event",
    "state",
];

/// The operator panel: login, live events over Centrifugo, the chats REST API.
///
/// ```js
/// import init, { OperatorPanel } from 'twin-panel';
/// await init();
/// const panel = new OperatorPanel({ iamUrl, chatUrl, centrifugoUrl });
/// await panel.login({ email, password });
/// panel.on('chatMessageCreated', (message) => console.log(message.body));
/// await panel.connect();
/// ```
#[wasm_bindgen]
pub struct OperatorPanel {
    core: Rc<Core>,
}

struct Core {
    options: PanelOptions,
    auth: Auth,
    client: RefCell<CentrifugeClient<EngineJson>>,
    driver: OnceCell<SocketDriver>,
    refresh_timer: OnceCell<Timer>,
    emitter: Emitter,
    events: Delivery<ClientEvent<JsJson>>,
    connect_waiters: RefCell<Vec<(Function, Function)>>,
    freed: Cell<bool>,
}

#[wasm_bindgen]
impl OperatorPanel {
    /// Creates a panel. Every option is optional; the URLs default to the
    /// production TWIN hosts. Throws a `TwinError` (code `invalidArgument`) for
    /// malformed options.
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_optional_param_type = "OperatorPanelOptions")] options: JsValue,
    ) -> Result<OperatorPanel, JsValue> {
        let options = PanelOptions::from_js(options)?;
        let mut config = ClientConfig::new(options.centrifugo_url.clone());
        config.timeout_ms = options.connect_timeout;
        config.max_server_ping_delay_ms = options.ping_timeout;
        config.backoff = BackoffPolicy {
            min_ms: options.min_reconnect_delay,
            max_ms: options.max_reconnect_delay,
        };
        let core = Rc::new_cyclic(|weak: &Weak<Core>| {
            Core {
                auth: Auth::new(options.iam_url.clone(), options.ttl, options.timeout),
                options,
                client: RefCell::new(CentrifugeClient::new(
                    EngineJson,
                    config,
                    clock::random_seed(),
                )),
                driver: OnceCell::new(),
                refresh_timer: OnceCell::new(),
                emitter: Emitter::new(),
                events: Delivery::default(),
                connect_waiters: RefCell::new(Vec::new()),
                freed: Cell::new(false),
            }
            .with_weak(weak)
        });
        Ok(OperatorPanel { core })
    }

    /// Logs in with `{ email, password, companyId? }`. Resolves to
    /// `{ token, refreshToken, expiresAt }` (`expiresAt` in Unix ms). The
    /// password is used for this request only. Rejects with a `TwinError`
    /// (status 401 for wrong credentials).
    #[wasm_bindgen(unchecked_return_type = "Promise<Tokens>")]
    pub fn login(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Credentials")] credentials: JsValue,
    ) -> Promise {
        let core = self.core.clone();
        future_to_promise(async move {
            let email = js::get(&credentials, "email").as_string();
            let password = js::get(&credentials, "password").as_string();
            let (Some(email), Some(password)) = (email, password) else {
                return Err(usage("login() needs { email, password }"));
            };
            let company_id = js::get(&credentials, "companyId")
                .as_f64()
                .map(|n| n as i64);
            let pair = core
                .auth
                .login(Credentials {
                    email: &email,
                    password: &password,
                    company_id,
                })
                .await
                .map_err(|e| to_js(&e))?;
            core.adopt_tokens(&pair);
            Ok(tokens_object(&pair))
        })
    }

    /// Uses a token pair the host already holds (`{ token, refreshToken }`),
    /// e.g. from single sign-on or storage. Throws a `TwinError` when the token
    /// has no readable expiry.
    #[wasm_bindgen(js_name = useTokens)]
    pub fn use_tokens(
        &self,
        #[wasm_bindgen(unchecked_param_type = "TokenPairInput")] tokens: JsValue,
    ) -> Result<(), JsValue> {
        let token = js::get(&tokens, "token").as_string().unwrap_or_default();
        let refresh = js::get(&tokens, "refreshToken")
            .as_string()
            .unwrap_or_default();
        let pair = TokenPair::new(&EngineJson, token, refresh).map_err(|e| usage(e.message()))?;
        self.core.auth.use_tokens(pair.clone());
        self.core.adopt_tokens(&pair);
        Ok(())
    }

    /// Opens the live connection. Resolves on the first `connected`; rejects
    /// with a `TwinError` if the panel stops before that (bad token, terminal
    /// close code, `disconnect()`). Afterwards it reconnects on its own.
    #[wasm_bindgen(unchecked_return_type = "Promise<void>")]
    pub fn connect(&self) -> Promise {
        let core = self.core.clone();
        Promise::new(&mut |resolve, reject| core.start_connect(resolve, reject))
    }

    /// Closes the live connection and stops reconnecting. Tokens are kept.
    pub fn disconnect(&self) {
        self.core.client.borrow_mut().disconnect();
        self.core.pump();
    }

    /// Disconnects and forgets the tokens.
    pub fn logout(&self) {
        self.disconnect();
        self.core.auth.clear();
        if let Some(timer) = self.core.refresh_timer.get() {
            timer.cancel();
        }
    }

    /// `'disconnected'`, `'connecting'` or `'connected'`.
    #[wasm_bindgen(getter)]
    pub fn state(&self) -> String {
        self.core.client.borrow().state().as_str().into()
    }

    /// Adds a listener; returns the function that removes it. Names: the
    /// platform's events (`chatMessageCreated`, ...), `event` (every
    /// publication as `{ event, data }`), `connecting`, `connected`,
    /// `disconnected`, `error`, `resync`, `tokenRefreshed`.
    #[wasm_bindgen(skip_typescript)]
    pub fn on(&self, name: JsValue, listener: JsValue) -> Result<JsValue, JsValue> {
        self.core.emitter.listen(&name, &listener)
    }

    /// Removes a listener added with `on`.
    #[wasm_bindgen(skip_typescript)]
    pub fn off(&self, name: JsValue, listener: JsValue) {
        self.core.emitter.off(&name, &listener);
    }
}

impl Drop for OperatorPanel {
    fn drop(&mut self) {
        self.core.shutdown();
    }
}

fn tokens_object(pair: &TokenPair) -> JsValue {
    object(&[
        ("token", JsValue::from_str(&pair.token)),
        ("refreshToken", JsValue::from_str(&pair.refresh_token)),
        ("expiresAt", JsValue::from_f64(pair.expires_at_ms as f64)),
    ])
}

impl Core {
    fn with_weak(self, weak: &Weak<Core>) -> Self {
        let _ = self.driver.set(SocketDriver::new(weak.clone()));
        let w = weak.clone();
        let _ = self.refresh_timer.set(Timer::new(move || {
            if let Some(core) = w.upgrade() {
                wasm_bindgen_futures::spawn_local(async move {
                    // A failure here is not fatal yet: the next 401 or the socket retries it.
                    let _ = core.refresh_tokens().await;
                });
            }
        }));
        self
    }

    /// New tokens from login, `useTokens` or a refresh: the socket uses them on
    /// its next connect, and the refresh timer is re-armed.
    fn adopt_tokens(&self, pair: &TokenPair) {
        self.client
            .borrow_mut()
            .set_token(clock::monotonic_ms(), pair.token.clone());
        if let Some(timer) = self.refresh_timer.get() {
            let now = clock::wall_ms();
            let due = pair.refresh_due_at(now, self.options.refresh_before * 1000);
            timer.arm(due.saturating_sub(now));
        }
    }

    /// Refreshes the tokens (single flight). A refused refresh token ends the
    /// session: tokens are dropped and `disconnected` fires with `reconnect: false`.
    async fn refresh_tokens(self: &Rc<Self>) -> Result<TokenPair, ErrorInfo> {
        let (outcome, performed) = self.auth.refresh().await;
        if !performed {
            return outcome;
        }
        match &outcome {
            Ok(pair) => {
                self.adopt_tokens(pair);
                self.emitter.emit("tokenRefreshed", &tokens_object(pair));
            }
            Err(error) if error.retryable => {
                self.client
                    .borrow_mut()
                    .token_refresh_deferred(clock::monotonic_ms());
            }
            Err(error) => {
                if self.auth.tokens().is_some() {
                    self.auth.clear();
                    if let Some(timer) = self.refresh_timer.get() {
                        timer.cancel();
                    }
                    self.emitter.emit("error", &to_js(error));
                }
                self.client
                    .borrow_mut()
                    .token_refresh_failed("token refresh failed");
            }
        }
        self.pump();
        outcome
    }

    fn start_connect(self: &Rc<Self>, resolve: Function, reject: Function) {
        if self.freed.get() {
            let _ = reject.call1(&JsValue::NULL, &usage("the panel was freed"));
            return;
        }
        let Some(pair) = self.auth.tokens() else {
            let error = to_js(&ErrorInfo::local(
                "notAuthenticated",
                "log in or call useTokens() before connect()",
                false,
            ));
            let _ = reject.call1(&JsValue::NULL, &error);
            return;
        };
        if self.client.borrow().state() == crate::protocol::centrifuge::State::Connected {
            let _ = resolve.call0(&JsValue::NULL);
            return;
        }
        self.connect_waiters.borrow_mut().push((resolve, reject));
        {
            let now = clock::monotonic_ms();
            let mut client = self.client.borrow_mut();
            client.set_token(now, pair.token);
            client.connect(now);
        }
        self.pump();
    }

    /// Performs pending I/O, re-arms the deadline timer, then delivers events.
    fn pump(self: &Rc<Self>) {
        loop {
            let action = self.client.borrow_mut().poll_action();
            match action {
                Some(action) => self.perform(action),
                None => break,
            }
        }
        let Some(driver) = self.driver.get() else {
            return;
        };
        driver.schedule(self.client.borrow().poll_timeout());
        loop {
            let event = self.client.borrow_mut().poll_event();
            match event {
                Some(event) => self.events.push(event),
                None => break,
            }
        }
        self.events.run(|event| self.dispatch(event));
    }

    fn perform(self: &Rc<Self>, action: Action) {
        let Some(driver) = self.driver.get() else {
            return;
        };
        match action {
            Action::Open { socket, url } => {
                if !driver.open(socket, &url) {
                    self.client.borrow_mut().socket_closed(
                        clock::monotonic_ms(),
                        socket,
                        1006,
                        "the WebSocket could not be created",
                    );
                }
            }
            Action::Send { socket, text } => driver.send(socket, &text),
            Action::Close {
                socket,
                code,
                reason,
            } => driver.close(socket, code, reason),
            Action::RefreshToken { rejected } => {
                // A proactive refresh may already have replaced the refused token.
                if let Some(pair) = self.auth.tokens() {
                    if rejected.as_deref() != Some(pair.token.as_str())
                        && !pair.is_expired(clock::wall_ms())
                    {
                        self.client
                            .borrow_mut()
                            .set_token(clock::monotonic_ms(), pair.token);
                        return;
                    }
                }
                let core = self.clone();
                wasm_bindgen_futures::spawn_local(async move {
                    // refresh_tokens reports the outcome to the client itself.
                    let _ = core.refresh_tokens().await;
                });
            }
        }
    }

    fn dispatch(&self, event: ClientEvent<JsJson>) {
        match event {
            ClientEvent::Connecting { code, reason } => {
                self.emitter.emit("connecting", &code_reason(code, &reason));
            }
            ClientEvent::Connected { client, version } => {
                let waiters = std::mem::take(&mut *self.connect_waiters.borrow_mut());
                for (resolve, _) in waiters {
                    let _ = resolve.call0(&JsValue::NULL);
                }
                self.emitter.emit(
                    "connected",
                    &object(&[
                        ("client", JsValue::from_str(&client)),
                        ("version", JsValue::from_str(&version)),
                    ]),
                );
            }
            ClientEvent::Disconnected {
                code,
                reason,
                reconnect,
            } => {
                if !reconnect {
                    let waiters = std::mem::take(&mut *self.connect_waiters.borrow_mut());
                    if !waiters.is_empty() {
                        let error = to_js(&disconnect_error(code, &reason));
                        for (_, reject) in waiters {
                            let _ = reject.call1(&JsValue::NULL, &error);
                        }
                    }
                }
                let payload = code_reason(code, &reason);
                let _ = js_sys::Reflect::set(&payload, &"reconnect".into(), &reconnect.into());
                self.emitter.emit("disconnected", &payload);
            }
            ClientEvent::Publication { event, data, .. } => {
                let by_name = event
                    .as_deref()
                    .is_some_and(|name| !LIFECYCLE_EVENTS.contains(&name));
                self.emitter.publication(&data.0, by_name);
            }
            ClientEvent::Resync { channels, reason } => {
                let list: js_sys::Array = channels.iter().map(|c| JsValue::from_str(c)).collect();
                self.emitter.emit(
                    "resync",
                    &object(&[
                        ("channels", list.into()),
                        ("reason", JsValue::from_str(reason)),
                    ]),
                );
            }
            ClientEvent::Error { kind, message } => {
                self.emitter
                    .emit("error", &to_js(&ErrorInfo::local(kind, message, true)));
            }
        }
    }

    /// An authenticated JSON call: refreshes once on 401/403 and repeats it.
    fn call(self: Rc<Self>, method: &'static str, url: String, body: Option<String>) -> Promise {
        future_to_promise(async move {
            let result = self.authorized(method, &url, body).await;
            match result {
                Ok(text) => parse_answer(&text),
                Err(error) => Err(to_js(&error)),
            }
        })
    }

    async fn authorized(
        self: &Rc<Self>,
        method: &'static str,
        url: &str,
        body: Option<String>,
    ) -> Result<String, ErrorInfo> {
        let Some(mut pair) = self.auth.tokens() else {
            return Err(ErrorInfo::local(
                "notAuthenticated",
                "log in or call useTokens() first",
                false,
            ));
        };
        if pair.is_expired(clock::wall_ms()) {
            pair = self.refresh_tokens().await?;
        }
        let mut refreshed = false;
        let mut retried = false;
        loop {
            let bearer = format!("Bearer {}", pair.token);
            let outcome = http::send(HttpRequest {
                method,
                url,
                authorization: Some(&bearer),
                body: body.clone(),
                timeout_ms: self.options.timeout,
            })
            .await;
            match outcome {
                Ok(response) => return Ok(response.text),
                Err(error) if error.wants_refresh() && !refreshed => {
                    refreshed = true;
                    // Another call may have refreshed while this one was in flight.
                    pair = match self.auth.tokens() {
                        Some(newer) if newer.token != pair.token => newer,
                        _ => self.refresh_tokens().await?,
                    };
                }
                // Only a GET is repeated: a POST that failed may still have taken effect.
                Err(error)
                    if error.retryable && error.status != 0 && method == "GET" && !retried =>
                {
                    retried = true;
                    crate::transport::timer::sleep(RETRY_DELAY_MS).await;
                }
                Err(error) => return Err(error),
            }
        }
    }

    fn shutdown(self: &Rc<Self>) {
        if self.freed.replace(true) {
            return;
        }
        self.client.borrow_mut().disconnect();
        self.pump();
        if let Some(driver) = self.driver.get() {
            driver.shutdown();
        }
        if let Some(timer) = self.refresh_timer.get() {
            timer.cancel();
        }
        self.emitter.clear();
    }
}

impl DriverHost for Core {
    fn socket_event(self: Rc<Self>, socket: u32, event: SocketEvent) {
        let now = clock::monotonic_ms();
        {
            let mut client = self.client.borrow_mut();
            match event {
                SocketEvent::Opened => client.socket_opened(now, socket),
                SocketEvent::Text(text) => {
                    // The engine splits and parses the frame; the core reads the envelopes.
                    let lines = js::parse_frame(&text);
                    client.socket_lines(
                        now,
                        socket,
                        lines.iter().map(|line| {
                            if line.is_undefined() {
                                Err(JsonError::Syntax)
                            } else {
                                Ok(JsJson(line))
                            }
                        }),
                    );
                }
                // Centrifuge JSON never sends binary frames; ignore one.
                SocketEvent::Binary => {}
                SocketEvent::Closed { code, reason } => {
                    client.socket_closed(now, socket, code, &reason)
                }
            }
        }
        self.pump();
    }

    fn deadline_passed(self: Rc<Self>) {
        self.client
            .borrow_mut()
            .handle_timeout(clock::monotonic_ms());
        self.pump();
    }

    fn network_changed(self: Rc<Self>, online: bool) {
        let now = clock::monotonic_ms();
        if online {
            self.client.borrow_mut().network_online(now);
        } else {
            self.client.borrow_mut().network_offline(now);
        }
        self.pump();
    }
}

/// Pause before repeating a failed GET.
const RETRY_DELAY_MS: u64 = 300;

fn code_reason(code: u32, reason: &str) -> JsValue {
    object(&[
        ("code", JsValue::from_f64(f64::from(code))),
        ("reason", JsValue::from_str(reason)),
    ])
}

/// The error a pending `connect()` rejects with when the panel stops.
fn disconnect_error(code: u32, reason: &str) -> ErrorInfo {
    let unauthorized =
        code == u32::from(disconnected::UNAUTHORIZED) || code == 3500 || code == 109 || code == 101;
    ErrorInfo {
        status: 0,
        code: if unauthorized {
            "unauthorized"
        } else {
            "disconnected"
        },
        message: format!("disconnected: {reason} ({code})"),
        details: Some(format!(r#"{{"code":{code}}}"#)),
        retryable: false,
    }
}
