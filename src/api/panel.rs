//! `OperatorPanel`: the operator's side of TWIN in one JS class.
//!
//! The protocol decisions live in [`CentrifugeClient`]; this file only moves
//! bytes and times between it and the browser. Events are queued while Rust
//! state is borrowed and delivered afterwards, so a listener may call back into
//! the panel (even `disconnect()` or `free()`-adjacent calls) safely. The
//! REST calls, the payload builders, the inbox's REST adapter and the driver
//! of the tab sharing are in `panel/`.

use super::class::js_class;
use super::conversation::Conversations;
use super::error::{client_error, freed, parse_answer, to_js, usage};
use super::host::{self, Host, HostOwner, HostedClient, Waiters};
use super::inbox::InboxStore;
use super::js::{self, object, Emitter};
use super::options::{self, PanelOptions};
use crate::auth::{Auth, Credentials, TokenChange};
use crate::conversation::ConversationEvent;
use crate::inbox::InboxEvent;
use crate::protocol::centrifuge::scan::{Line, Table};
use crate::protocol::centrifuge::{CentrifugeClient, ClientEvent, Publications, TokenRequest};
use crate::protocol::{SansIoClient, State};
use crate::rest::error::{ErrorCode, ErrorInfo};
use crate::rest::jwt;
use crate::rest::tokens::TokenPair;
use crate::sharing::Role;
use crate::transport::clock;
use crate::transport::engine_json::{EngineJson, JsJson};
use crate::transport::timer::Timer;
use js_sys::{Function, JsString, Promise, Reflect};
use std::cell::{Cell, OnceCell, RefCell};
use std::rc::{Rc, Weak};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::future_to_promise;

mod conversation_rest;
mod inbox_rest;
mod payloads;
mod rest_calls;
mod tab_driver;

use inbox_rest::PanelRest;
use payloads::{code_reason, code_reason_event, company_id, disconnect_error, tokens_object};

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
    host: Host<CentrifugeClient<EngineJson>>,
    refresh_timer: OnceCell<Timer>,
    emitter: Emitter,
    connect_waiters: Waiters,
    /// `panel.inbox`, created on first access (and again after `inbox.free()`).
    inbox: RefCell<Option<Rc<InboxStore>>>,
    /// `panel.conversation(id)`: the open ones.
    conversations: Conversations,
    /// One connection and one refresh for every tab of the operator.
    tab: tab_driver::TabDriver,
    /// `free()` was called.
    freed: Cell<bool>,
    /// `panel.status`, created on first access.
    status: OnceCell<js::StatusStore>,
    /// `panel.conversation()` was called: publications a conversation
    /// follows are read for the open conversations.
    conversations_opened: Cell<bool>,
}

/// The wait before the proactive refresh is tried again after a passing
/// failure, and the least time between two proactive refreshes.
const RETRY_REFRESH_MS: u64 = 30_000;

/// At most this many `connect()` calls may wait at once.
const MAX_CONNECT_WAITERS: usize = 64;

js_class! {
    OperatorPanel(Core, PanelOptions);

    #[doc = " Creates a panel. Every option is optional; the URLs default to the"]
    #[doc = " production TWIN hosts. Throws a `TwinError` (code `invalidArgument`) for"]
    #[doc = " malformed options."]
    new(unchecked_optional_param_type = "OperatorPanelOptions");

    /// Adds a listener; returns the function that removes it. Names: the
    /// platform's events (`chatMessageCreated`, ...), `event` (every
    /// publication as `{ event, data }`), `connecting`, `connected`,
    /// `disconnected`, `error`, `resync`, `tokenRefreshed`, `sharing`.
    on;
}

#[wasm_bindgen]
impl OperatorPanel {
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
            core.check_live()?;
            let email = js::get(&credentials, "email").as_string();
            let password = js::get(&credentials, "password").as_string();
            let (Some(email), Some(password)) = (email, password) else {
                return Err(usage("login() needs { email, password }"));
            };
            let company_id = company_id(&js::get(&credentials, "companyId"))?;
            let pair = core
                .auth
                .login(Credentials {
                    email: &email,
                    password: &password,
                    company_id,
                })
                .await;
            // A panel freed meanwhile says so, whatever the login came to.
            core.check_live()?;
            Ok(tokens_object(&pair.map_err(|e| to_js(&e))?))
        })
    }

    /// Uses a token pair the host already holds (`{ token, refreshToken }`),
    /// e.g. from single sign-on or storage. Throws a `TwinError` when the token
    /// has no readable expiry.
    ///
    /// A pair of another operator (another JWT `sub`) ends the connection
    /// as the first operator (`disconnected`: code 0, reason `the operator
    /// changed`, `reconnect: false`); `connect()` then connects as the new
    /// one (a sharing tab in the new operator's group).
    #[wasm_bindgen(js_name = useTokens)]
    pub fn use_tokens(
        &self,
        #[wasm_bindgen(unchecked_param_type = "TokenPairInput")] tokens: JsValue,
    ) -> Result<(), JsValue> {
        self.core.check_live()?;
        let token = js::get(&tokens, "token").as_string().unwrap_or_default();
        let refresh = js::get(&tokens, "refreshToken")
            .as_string()
            .unwrap_or_default();
        let pair = TokenPair::new(&EngineJson, token, refresh).map_err(|e| usage(e.message()))?;
        self.core.auth.use_tokens(pair);
        Ok(())
    }

    /// Opens the live connection. Resolves on the first `connected`; rejects
    /// with a `TwinError` if the panel stops before that (bad token, terminal
    /// close code, `disconnect()`), or, given `{ timeout }` (ms), with code
    /// `timeout` once that has passed: the panel then goes on trying in the
    /// background, and `connected` fires when it gets through. Afterwards it
    /// reconnects on its own.
    #[wasm_bindgen(unchecked_return_type = "Promise<void>")]
    pub fn connect(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "ConnectOptions")] options: JsValue,
    ) -> Promise {
        let deadline = match options::connect_deadline(options) {
            Ok(deadline) => deadline,
            Err(error) => return Promise::reject(&error),
        };
        let core = self.core.clone();
        Promise::new(&mut |resolve, reject| core.start_connect(resolve, reject, deadline))
    }

    /// Closes the live connection and stops reconnecting. Tokens are kept.
    pub fn disconnect(&self) {
        self.core.disconnect();
    }

    /// Disconnects and forgets the tokens (every copy: the session's and
    /// the one the live connection would reconnect with).
    /// With `shareAcrossTabs`, every tab of the operator logs out.
    pub fn logout(&self) {
        self.core.logout(true);
    }

    /// The live session store (`load`, `subscribe`, `getSnapshot`,
    /// `markRead`): created on first access, the same object until `free()`.
    #[wasm_bindgen(getter, unchecked_return_type = "Inbox")]
    pub fn inbox(&self) -> JsValue {
        let mut inbox = self.core.inbox.borrow_mut();
        let ended = inbox
            .as_ref()
            .is_some_and(|store| store.is_freed() && !self.core.freed.get());
        if inbox.is_none() || ended {
            *inbox = Some(InboxStore::new(Box::new(PanelRest(Rc::downgrade(
                &self.core,
            )))));
        }
        inbox
            .as_ref()
            .map_or(JsValue::UNDEFINED, |store| store.js_object())
    }

    /// The live conversation of session `sessionId` (`load`, `loadOlder`,
    /// `send`, `subscribe`, `getSnapshot`, ...): the same object for one id
    /// until its `free()`. Throws a `TwinError` for an empty id.
    #[wasm_bindgen(unchecked_return_type = "Conversation")]
    pub fn conversation(
        &self,
        #[wasm_bindgen(js_name = sessionId, unchecked_param_type = "string")] session_id: JsValue,
    ) -> Result<JsValue, JsValue> {
        self.core.check_live()?;
        let Some(id) = js::id_text(&session_id).filter(|id| !id.is_empty()) else {
            return Err(usage("conversation() needs a session id"));
        };
        let rest = || -> Box<dyn super::conversation::ConversationRest> {
            Box::new(PanelRest(Rc::downgrade(&self.core)))
        };
        self.core.conversations_opened.set(true);
        Ok(self.core.conversations.open(id, rest))
    }

    /// `'disconnected'`, `'connecting'` or `'connected'`.
    #[wasm_bindgen(getter, unchecked_return_type = "ConnectionState")]
    pub fn state(&self) -> String {
        tab_driver::state(&self.core)
            .unwrap_or_else(|| self.core.host.state())
            .as_str()
            .into()
    }

    /// A store of `{ state, sharing: { role, tabs } }` for a status badge,
    /// with the contract of `inbox`: bound `subscribe(listener) ->
    /// unsubscribe` and `getSnapshot()`, a frozen snapshot that is the same
    /// object until the state or the sharing changes, one notification per
    /// batch of changes. The same object on every read.
    ///
    /// ```js
    /// const { state, sharing } = useSyncExternalStore(panel.status.subscribe, panel.status.getSnapshot);
    /// ```
    #[wasm_bindgen(getter, unchecked_return_type = "StatusStore")]
    pub fn status(&self) -> JsValue {
        let core = &self.core;
        let store = core.status.get_or_init(|| {
            let (state, role, tabs) = core.status_now();
            js::StatusStore::new(state, role, tabs)
        });
        AsRef::<JsValue>::as_ref(store).clone()
    }

    /// How this tab shares the operator's connection with the other tabs
    /// of the browser: `{ role, tabs, ignored }`. `role` is `'leader'` (holds
    /// the connection), `'follower'` (mirrors the leader's) or `'off'`
    /// (`shareAcrossTabs: false`, no browser support, no tokens, or a token
    /// without `sub`); `tabs` counts the group's tabs, this one included;
    /// `ignored` counts foreign or malformed messages dropped.
    #[wasm_bindgen(getter, unchecked_return_type = "TabSharing")]
    pub fn sharing(&self) -> JsValue {
        self.core.tab.status()
    }
}

impl Core {
    /// `free()` (see `api/class.rs`): ends the panel for good; a second call
    /// does nothing.
    fn free(self: &Rc<Self>) {
        if self.freed.replace(true) {
            return;
        }
        // The waiting promises first, with the reason that is true: the rest
        // of the shutdown (the tab leaving its group, the socket stopping)
        // would otherwise reject them with its own.
        self.connect_waiters.reject_all(|| freed("panel"));
        self.auth.close();
        tab_driver::free(self);
        // The socket's last events (`disconnected`) reach the listeners,
        // which still find a readable panel; then they are dropped.
        host::shutdown(self);
        if let Some(inbox) = self.inbox.borrow().clone() {
            inbox.on_free();
        }
        self.conversations.on_free();
        self.cancel_refresh_timer();
        self.emitter.clear();
        self.status_changed();
        if let Some(store) = self.status.get() {
            store.end();
        }
    }

    /// The state, role and tab count `panel.status` shows.
    fn status_now(&self) -> (&'static str, &'static str, u32) {
        let sharing = self.tab.machine_status();
        let state = tab_driver::state(self).unwrap_or_else(|| self.host.state());
        (state.as_str(), sharing.role.as_str(), sharing.tabs)
    }

    /// Brings `panel.status` up to date (if anyone asked for it); called
    /// wherever the state or the sharing may have changed.
    fn status_changed(&self) {
        if let Some(store) = self.status.get() {
            let (state, role, tabs) = self.status_now();
            store.update(state, role, tabs);
        }
    }

    /// The `freed` TwinError when the panel was freed.
    fn check_live(&self) -> Result<(), JsValue> {
        if self.freed.get() {
            Err(freed("panel"))
        } else {
            Ok(())
        }
    }

    /// The panel's state for `options`; `this` is its own weak reference.
    fn new(options: PanelOptions, this: &Weak<Core>) -> Self {
        let client = CentrifugeClient::new(
            EngineJson,
            options.centrifuge_config(),
            clock::random_seed(),
        );
        Core {
            auth: Auth::new(options.iam_url.clone(), options.ttl, options.timeout),
            host: Host::new(this, Some(client)),
            refresh_timer: OnceCell::new(),
            emitter: Emitter::new(&js::names(&crate::events::PANEL_EVENTS)),
            connect_waiters: Waiters::new(MAX_CONNECT_WAITERS),
            inbox: RefCell::new(None),
            conversations: Conversations::default(),
            tab: tab_driver::TabDriver::new(this, &options),
            freed: Cell::new(false),
            status: OnceCell::new(),
            conversations_opened: Cell::new(false),
            options,
        }
        .with_weak(this)
    }

    fn with_weak(self, weak: &Weak<Core>) -> Self {
        let w = weak.clone();
        let _ = self.refresh_timer.set(Timer::new(move || {
            if let Some(core) = w.upgrade() {
                wasm_bindgen_futures::spawn_local(async move {
                    // A failure here is not fatal yet: the next 401 or the socket retries it.
                    let _ = core.auth.refresh().await;
                });
            }
        }));
        let w = weak.clone();
        self.auth.on_change(move |change| {
            if let Some(core) = w.upgrade() {
                core.token_changed(change);
            }
        });
        self
    }

    /// The session's tokens changed: the live connection uses the new token
    /// on its next connect, the refresh timer follows the expiry, and a
    /// refused refresh token ends the connection (`disconnected`, `reconnect: false`).
    fn token_changed(self: &Rc<Self>, change: TokenChange) {
        let now = clock::monotonic_ms();
        let shared = change.clone();
        match change {
            TokenChange::Adopted(pair) => {
                self.end_if_operator_changed(&pair.token);
                self.adopt_tokens(&pair, 0);
            }
            TokenChange::Refreshed(pair) => {
                // A fresh token that already looks due (the clock is ahead of
                // the server's) must not start a refresh loop.
                self.adopt_tokens(&pair, RETRY_REFRESH_MS);
                self.emitter.emit("tokenRefreshed", &tokens_object(&pair));
            }
            TokenChange::RefreshDeferred => {
                self.host
                    .with_client(|client| client.token_refresh_deferred(now));
                if let Some(timer) = self.refresh_timer.get() {
                    timer.arm(RETRY_REFRESH_MS);
                }
            }
            TokenChange::RefreshRefused {
                error,
                ended_session,
            } => {
                if ended_session {
                    self.cancel_refresh_timer();
                    self.emitter.emit("error", &to_js(&error));
                }
                self.host
                    .with_client(|client| client.token_refresh_failed("token refresh failed"));
            }
            TokenChange::Cleared => {
                self.cancel_refresh_timer();
                self.host.with_client(|client| client.forget_token());
            }
        }
        tab_driver::token_changed(self, &shared);
        host::pump_later(self);
    }

    /// A tab that shares no connection and gets a token of another
    /// operator (another JWT `sub`) ends its live connection: it would keep
    /// the first operator's identity until it reconnects. (A sharing tab
    /// moves to the other operator's group instead, see `sharing`.)
    fn end_if_operator_changed(&self, token: &str) {
        if self.tab.role() != Role::Off {
            return;
        }
        let subject = |token: &str| jwt::subject(&EngineJson, token);
        let new = subject(token);
        self.host.with_client(|client| {
            let old = client.token().and_then(subject);
            if old.is_some() && new.is_some() && old != new {
                client.end("the operator changed");
            }
        });
    }

    /// `disconnect()`: the shared connection stays up for the other tabs that want it.
    fn disconnect(self: &Rc<Self>) {
        if !tab_driver::disconnect(self) {
            self.host.with_client(|client| client.disconnect());
            host::pump_later(self);
        }
    }

    /// `logout()`, and a logout another tab of the group announced
    /// (`broadcast` false: it is not announced again).
    fn logout(self: &Rc<Self>, broadcast: bool) {
        if broadcast {
            tab_driver::logout(self);
        }
        self.disconnect();
        self.auth.clear();
        if let Some(inbox) = self.inbox.borrow().clone() {
            inbox.on_logout();
        }
        self.conversations.on_logout();
    }

    /// The live connection takes `pair`'s token on its next connect; the
    /// refresh timer is armed for its due time, but not sooner than `min_ms`.
    fn adopt_tokens(&self, pair: &TokenPair, min_ms: u64) {
        self.host
            .with_client(|client| client.set_token(clock::monotonic_ms(), pair.token.clone()));
        if let Some(timer) = self.refresh_timer.get() {
            let now = clock::wall_ms();
            let due = pair.refresh_due_at(now, self.options.refresh_before.saturating_mul(1000));
            timer.arm(due.saturating_sub(now).max(min_ms));
        }
    }

    fn cancel_refresh_timer(&self) {
        if let Some(timer) = self.refresh_timer.get() {
            timer.cancel();
        }
    }

    fn start_connect(self: &Rc<Self>, resolve: Function, reject: Function, deadline: Option<u64>) {
        if let Err(error) = self.check_live() {
            let _ = reject.call1(&JsValue::NULL, &error);
            return;
        }
        if self.auth.tokens().is_none() {
            let error = to_js(&ErrorInfo::local(
                ErrorCode::NotAuthenticated,
                "log in or call useTokens() before connect()",
                false,
            ));
            let _ = reject.call1(&JsValue::NULL, &error);
            return;
        }
        if tab_driver::connect(self, resolve.clone(), reject.clone(), deadline) {
            return;
        }
        if self.host.state() == State::Connected {
            let _ = resolve.call0(&JsValue::NULL);
            return;
        }
        self.connect_waiters.add(resolve, reject, deadline);
        // The client already holds the session's token (token_changed); one
        // it is waiting to replace is never handed back here.
        self.host
            .with_client(|client| client.connect(clock::monotonic_ms()));
        host::pump_later(self);
    }

    fn dispatch_event(&self, event: ClientEvent<JsJson>) {
        match event {
            ClientEvent::Connecting { code, reason } => {
                self.status_changed();
                self.emitter.emit("connecting", &code_reason(code, &reason));
            }
            ClientEvent::Connected { client, version } => {
                self.status_changed();
                self.connect_waiters.resolve_all();
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
                // A `disconnected` delivered after a newer connect() began
                // is about the old connection: it must not reject the new one.
                if !reconnect && self.host.state() == State::Disconnected {
                    self.connect_waiters
                        .reject_all(|| to_js(&disconnect_error(code, &reason)));
                }
                self.status_changed();
                self.emitter
                    .emit("disconnected", &code_reason_event(code, &reason, reconnect));
            }
            ClientEvent::Publications(run) => self.deliver(&run),
            ClientEvent::Resync { channels, reason } => {
                if let Some(inbox) = self.inbox.borrow().clone() {
                    inbox.on_resync(reason);
                }
                self.conversations.on_resync(reason);
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
                self.emitter.emit("error", &client_error(kind, message));
            }
        }
    }

    /// Hands a run of publications to the inbox, the open conversations
    /// and the listeners. The listeners get their payloads in one call
    /// (`deliverPublications` in `js/panel.js` reads each payload's name);
    /// a payload is read here only while the inbox or a conversation may
    /// follow it, and then its listeners run after the store applied it (so
    /// they already see the new snapshot).
    fn deliver(&self, run: &Publications<JsJson>) {
        let inbox = self.inbox.borrow().clone();
        let conversations = self.conversations_opened.get();
        let payloads = &run.payloads.0;
        let mut indexes = Vec::with_capacity(run.items.len());
        for item in &run.items {
            if inbox.is_some() || conversations {
                let payload = Reflect::get_u32(payloads, item.index).unwrap_or_default();
                if let Some(name) = js::event_name(&payload) {
                    let inbox = inbox
                        .as_ref()
                        .filter(|_| InboxEvent::from_name(&name).is_some());
                    let conversation =
                        conversations && ConversationEvent::of_panel(&name).is_some();
                    if inbox.is_some() || conversation {
                        if !indexes.is_empty() {
                            js::deliver_publications(&self.emitter, payloads, &indexes);
                            indexes.clear();
                        }
                        // One call: the payload is a plain object (it has a name).
                        let data = js::field(&payload, "data");
                        if let Some(inbox) = inbox {
                            inbox.on_publication(&name, &data);
                        }
                        if conversation {
                            self.conversations.on_publication(&name, &data);
                        }
                    }
                }
            }
            indexes.push(f64::from(item.index));
        }
        if !indexes.is_empty() {
            js::deliver_publications(&self.emitter, payloads, &indexes);
        }
    }

    /// An authenticated JSON call (see [`Auth::call`]); the answer parsed.
    fn call(self: Rc<Self>, method: &'static str, url: String, body: Option<String>) -> Promise {
        future_to_promise(async move {
            self.check_live()?;
            let outcome = self.auth.call(method, &url, body).await;
            // A panel freed meanwhile says so, whatever the call came to.
            self.check_live()?;
            match outcome {
                Ok(text) => parse_answer(&text),
                Err(error) => Err(to_js(&error)),
            }
        })
    }
}

thread_local! {
    /// The wasm's copy of the scanner's table (one for the page, as the
    /// scanner's in `js/panel.js`).
    static TABLE: RefCell<Table> = RefCell::new(Table::default());
}

impl HostedClient for CentrifugeClient<EngineJson> {
    fn socket_text(&mut self, now: u64, socket: u32, text: &JsString) {
        // The engine splits, parses and scans the frame: one call, whatever
        // the number of publications in it.
        let records = js::scan_frame(text);
        let parts = js::frame_parts();
        let lines = TABLE.with(|table| {
            let mut table = table.borrow_mut();
            if records.first().is_some_and(|&fresh| fresh > 0.0) {
                let fresh: js_sys::Array = parts.get(2).unchecked_into();
                table.learn(fresh.iter().filter_map(|name| name.as_string()));
            }
            table.decode(records.get(1..).unwrap_or_default())
        });
        let others = match lines.contains(&Line::Other) {
            true => js_sys::Array::from(&parts.get(1))
                .iter()
                .map(JsJson)
                .collect(),
            false => Vec::new(),
        };
        self.socket_scanned(now, socket, &lines, &JsJson(parts.get(0)), others);
    }
}

impl HostOwner for Core {
    type Client = CentrifugeClient<EngineJson>;

    fn host(&self) -> &Host<Self::Client> {
        &self.host
    }

    fn perform(self: &Rc<Self>, TokenRequest { rejected }: TokenRequest) {
        // A proactive refresh may already have replaced the refused token.
        if let Some(pair) = self.auth.tokens() {
            if rejected.as_deref() != Some(pair.token.as_str())
                && !pair.is_expired(clock::wall_ms())
            {
                self.host
                    .with_client(|client| client.set_token(clock::monotonic_ms(), pair.token));
                host::pump(self);
                return;
            }
        }
        let core = self.clone();
        wasm_bindgen_futures::spawn_local(async move {
            // The session reports the outcome through token_changed.
            let _ = core.auth.refresh().await;
        });
    }

    fn dispatch(self: &Rc<Self>, event: ClientEvent<JsJson>) {
        tab_driver::client_event(self, event);
    }
}
