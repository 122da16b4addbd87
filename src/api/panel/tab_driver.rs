//! The browser driver of [`Tab`], the sharing of one panel across the tabs
//! of an operator (`shareAcrossTabs`). It reports to the tab what happens
//! (the group's BroadcastChannel and Web Lock through `TabLink`, one timer,
//! this tab's client events, the panel's calls and token changes) and
//! performs, in order, what the tab asks. It decides nothing.
//!
//! Events for the listeners wait for a microtask when the tab's input came
//! from a JS method: a listener could not `free()` the panel while
//! wasm-bindgen holds it. `sharing` and the `disconnected` of a stop always
//! wait for one.

use super::payloads::{code_reason_event, disconnect_error};
use super::Core;
use crate::api::error::to_js;
use crate::api::js::{self, object, TabLink};
use crate::auth::{RefreshOutcome, Refresher, TokenChange};
use crate::protocol::centrifuge::ClientEvent;
use crate::protocol::{SansIoClient, State};
use crate::rest::error::{ErrorCode, ErrorInfo};
use crate::rest::single_flight::Flight;
use crate::rest::tokens::TokenPair;
use crate::sharing::message::{self, Message, Sink};
use crate::sharing::tab::{
    beat_message, AuthCommand, AuthTokens, ClientCommand, Config, ConnectAnswer, Output, OwnClient,
    Tab,
};
use crate::sharing::Role;
use crate::transport::clock;
use crate::transport::engine_json::{EngineJson, JsJson};
use crate::transport::timer::Timer;
use js_sys::Function;
use std::cell::RefCell;
use std::rc::{Rc, Weak};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

/// The tab, its group's link, its timer, and the refresh its session waits for.
pub(super) struct TabDriver {
    machine: RefCell<Tab<EngineJson>>,
    tab_id: String,
    link: RefCell<Option<TabLink>>,
    on_message: Closure<dyn FnMut(JsValue)>,
    on_lock: Closure<dyn FnMut(u32, bool)>,
    timer: Timer,
    flight: RefCell<Option<Flight<RefreshOutcome>>>,
}

impl TabDriver {
    /// The driver of a tab that shares as the options and the browser allow.
    pub(super) fn new(core: &Weak<Core>, options: &super::PanelOptions) -> Self {
        let mut tab_id = crate::text::decimal(clock::random_seed());
        tab_id.push('-');
        crate::text::push_decimal(&mut tab_id, clock::wall_ms());
        let config = Config {
            tab_id: tab_id.clone(),
            centrifugo_url: options.centrifugo_url.clone(),
            silence_ms: options.ping_timeout,
            refresh_timeout_ms: options.timeout,
            enabled: options.share_across_tabs && js::can_share_tabs(),
        };
        let weak = core.clone();
        let on_message = Closure::<dyn FnMut(JsValue)>::new(move |value| {
            let Some(core) = weak.upgrade() else { return };
            let now = clock::monotonic_ms();
            input(&core, false, |tab, client| {
                tab.handle_message(now, JsJson(value), client)
            });
        });
        let weak = core.clone();
        let on_lock = Closure::<dyn FnMut(u32, bool)>::new(move |id, granted| {
            let Some(core) = weak.upgrade() else { return };
            let now = clock::monotonic_ms();
            tell(&core, false, |tab| match granted {
                true => tab.lock_granted(now, id),
                false => tab.lock_lost(now, id),
            });
        });
        let weak = core.clone();
        let timer = Timer::new(move || {
            let Some(core) = weak.upgrade() else { return };
            let now = clock::monotonic_ms();
            input(&core, false, |tab, client| {
                let jitter = js_sys::Math::random() * tab.beat_ms() as f64;
                tab.handle_timeout(now, jitter as u64, client)
            });
        });
        TabDriver {
            machine: RefCell::new(Tab::new(EngineJson, config)),
            tab_id,
            link: RefCell::new(None),
            on_message,
            on_lock,
            timer,
            flight: RefCell::new(None),
        }
    }

    /// This tab's role.
    pub(super) fn role(&self) -> Role {
        self.machine.borrow().role()
    }

    /// The tab's `{ role, tabs, ignored }`.
    pub(super) fn machine_status(&self) -> crate::sharing::tab::Status {
        self.machine.borrow().status()
    }

    /// `panel.sharing`: `{ role, tabs, ignored }`.
    pub(super) fn status(&self) -> JsValue {
        let status = self.machine.borrow().status();
        object(&[
            ("role", JsValue::from_str(status.role.as_str())),
            ("tabs", JsValue::from_f64(f64::from(status.tabs))),
            ("ignored", JsValue::from_f64(f64::from(status.ignored))),
        ])
    }

    fn post(&self, message: &Message<JsJson>) {
        if let Some(link) = self.link.borrow().as_ref() {
            link.post(&self.object(message));
        }
    }

    /// `message` as the plain object posted to the other tabs.
    fn object(&self, message: &Message<JsJson>) -> JsValue {
        let mut sink = ObjectSink(js_sys::Object::new());
        message::write_into(&self.tab_id, message, &mut sink);
        sink.0.into()
    }

    fn join(&self, name: &str) {
        let bye = self.object(&Message::Bye);
        let on_message = self.on_message.as_ref().unchecked_ref();
        let on_lock = self.on_lock.as_ref().unchecked_ref();
        match TabLink::new(name, on_message, on_lock, &bye) {
            Ok(link) => *self.link.borrow_mut() = Some(link),
            Err(_) => self.machine.borrow_mut().link_failed(),
        }
    }
}

/// A message written into a plain JS object.
struct ObjectSink(js_sys::Object);

impl ObjectSink {
    fn set(&self, key: &str, value: &JsValue) {
        // Setting a property on a fresh plain object cannot fail.
        let _ = js_sys::Reflect::set(&self.0, &JsValue::from_str(key), value);
    }
}

impl Sink<JsJson> for ObjectSink {
    fn text(&mut self, key: &'static str, value: &str) {
        self.set(key, &JsValue::from_str(value));
    }
    fn count(&mut self, key: &'static str, value: u32) {
        self.set(key, &JsValue::from_f64(f64::from(value)));
    }
    fn flag(&mut self, key: &'static str, value: bool) {
        self.set(key, &JsValue::from_bool(value));
    }
    fn value(&mut self, key: &'static str, value: &JsJson) {
        self.set(key, &value.0);
    }
    fn numbers(&mut self, key: &'static str, value: &[f64]) {
        self.set(key, &js_sys::Float64Array::from(value).into());
    }
    fn texts(&mut self, key: &'static str, values: &[&str]) {
        let list = js_sys::Array::new();
        for value in values {
            list.push(&JsValue::from_str(value));
        }
        self.set(key, &list.into());
    }
}

/// Reports something to the tab (with this tab's client to read), then
/// performs what it queued. `from_method`: the call came from a JS method,
/// so events for the listeners wait.
fn input<R>(
    core: &Rc<Core>,
    from_method: bool,
    report: impl FnOnce(&mut Tab<EngineJson>, &dyn OwnClient) -> R,
) -> Option<R> {
    let reply = core
        .host
        .with_client(|client| report(&mut core.tab.machine.borrow_mut(), client));
    run(core, from_method);
    reply
}

/// [`input`] for what needs no client.
fn tell<R>(
    core: &Rc<Core>,
    from_method: bool,
    report: impl FnOnce(&mut Tab<EngineJson>) -> R,
) -> R {
    let reply = report(&mut core.tab.machine.borrow_mut());
    run(core, from_method);
    reply
}

/// Performs what the tab queued, in order, and re-arms its timer.
fn run(core: &Rc<Core>, from_method: bool) {
    loop {
        let output = core.tab.machine.borrow_mut().poll_output();
        let Some(output) = output else { break };
        perform(core, output, from_method);
    }
    match core.tab.machine.borrow().poll_timeout() {
        Some(at) => core.tab.timer.arm(at.saturating_sub(clock::monotonic_ms())),
        None => core.tab.timer.cancel(),
    }
}

fn perform(core: &Rc<Core>, output: Output<JsJson>, from_method: bool) {
    let driver = &core.tab;
    match output {
        Output::Join(name) => driver.join(&name),
        Output::Leave => {
            if let Some(link) = driver.link.take() {
                link.close();
            }
        }
        Output::Post(message) => driver.post(&message),
        Output::Beat { tabs, connected } => {
            let beat = core.host.with_client(|c| beat_message(c, tabs, connected));
            if let Some(beat) = beat {
                driver.post(&beat);
            }
        }
        Output::Lock { id, steal } => {
            if let Some(link) = driver.link.borrow().as_ref() {
                link.lock(id, steal);
            }
        }
        Output::Client(command) => {
            core.host.with_client(|client| match command {
                ClientCommand::Connect => client.connect(clock::monotonic_ms()),
                ClientCommand::Disconnect => client.disconnect(),
                ClientCommand::Seed(positions) => {
                    for (channel, epoch, offset) in &positions {
                        client.seed_position(channel, epoch, *offset);
                    }
                }
            });
            super::host::pump_later(core);
        }
        Output::Auth(command) => auth(core, command),
        Output::Land(outcome) => {
            if let Some(flight) = driver.flight.take() {
                flight.land(outcome);
            }
        }
        Output::Show(event) if from_method => later(core, |core| core.dispatch_event(event)),
        Output::Show(event) => core.dispatch_event(event),
        Output::Stop { code, reason, show } => {
            let error = || to_js(&disconnect_error(code, reason));
            core.connect_waiters.reject_all(error);
            if show {
                later(core, move |core| {
                    let payload = code_reason_event(code, reason, false);
                    core.status_changed();
                    core.emitter.emit("disconnected", &payload);
                });
            }
        }
        Output::Status => later(core, |core| {
            core.status_changed();
            core.emitter.emit("sharing", &core.tab.status())
        }),
        Output::LogOut => core.logout(false),
    }
}

fn auth(core: &Rc<Core>, command: AuthCommand) {
    let session = &core.auth;
    match command {
        AuthCommand::RefreshThroughLeader => {
            session.set_refresher(Some(remote_refresher(Rc::downgrade(core))))
        }
        AuthCommand::RefreshThroughIam => session.set_refresher(None),
        AuthCommand::Adopt { pair, refreshed } => session.adopt(pair, refreshed),
        AuthCommand::RefusedElsewhere(error) => session.refused_elsewhere(error),
        AuthCommand::Refresh => {
            // Its outcome reaches the tab through token_changed.
            let core = core.clone();
            wasm_bindgen_futures::spawn_local(async move {
                let _ = core.auth.refresh().await;
            });
        }
        AuthCommand::RefreshOnce(pair) => {
            let core = core.clone();
            wasm_bindgen_futures::spawn_local(async move {
                let outcome = core.auth.refresh_with_iam(&pair).await;
                tell(&core, false, |tab| tab.refresh_done(outcome));
            });
        }
    }
}

/// A follower's refresh: the tab asks the leader, and the refresh waits for
/// the tab's [`Output::Land`].
fn remote_refresher(weak: Weak<Core>) -> Refresher {
    Rc::new(move |current: TokenPair| {
        let weak = weak.clone();
        Box::pin(async move {
            let flight = weak.upgrade().and_then(|core| {
                let now = clock::monotonic_ms();
                let token = &current.token;
                let new = tell(&core, false, |tab| tab.refresh_requested(now, token));
                let mut slot = core.tab.flight.borrow_mut();
                if new || slot.is_none() {
                    *slot = Some(Flight::default());
                }
                slot.clone()
            });
            match flight {
                Some(flight) => flight.wait().await,
                None => Err(ErrorInfo::local(
                    ErrorCode::LoggedOut,
                    "the panel was freed",
                    false,
                )),
            }
        })
    })
}

/// Runs `f` in a microtask (with no Rust state borrowed).
fn later(core: &Rc<Core>, f: impl FnOnce(&Rc<Core>) + 'static) {
    let core = core.clone();
    wasm_bindgen_futures::spawn_local(async move { f(&core) });
}

/// An event of this tab's own client.
pub(super) fn client_event(core: &Rc<Core>, event: ClientEvent<JsJson>) {
    let now = || clock::monotonic_ms();
    input(core, false, |tab, client| {
        tab.client_event(event, &now, client)
    });
}

/// The session's tokens changed.
pub(super) fn token_changed(core: &Rc<Core>, change: &TokenChange) {
    let change = match change.clone() {
        TokenChange::Adopted(pair) => AuthTokens::Adopted(pair),
        TokenChange::Refreshed(pair) => AuthTokens::Refreshed(pair),
        TokenChange::RefreshDeferred => AuthTokens::RefreshDeferred,
        TokenChange::RefreshRefused { ended_session, .. } => {
            AuthTokens::RefreshRefused { ended_session }
        }
        TokenChange::Cleared => AuthTokens::Cleared,
    };
    let now = clock::monotonic_ms();
    input(core, true, |tab, client| {
        tab.tokens_changed(now, change, client)
    });
}

/// `connect()` in a sharing tab; false when the caller connects this tab's
/// own client, as without sharing.
pub(super) fn connect(
    core: &Rc<Core>,
    resolve: Function,
    reject: Function,
    deadline: Option<u64>,
) -> bool {
    let answer = input(core, true, |tab, client| tab.connect(client));
    match answer {
        Some(ConnectAnswer::Resolve) => drop(resolve.call0(&JsValue::NULL)),
        Some(ConnectAnswer::Wait) => core.connect_waiters.add(resolve, reject, deadline),
        Some(ConnectAnswer::OwnClient) | None => return false,
    }
    true
}

/// `disconnect()` in a sharing tab; false when it does not share.
pub(super) fn disconnect(core: &Rc<Core>) -> bool {
    tell(core, true, Tab::disconnect)
}

/// `logout()` in this tab: the other tabs of the group log out too.
pub(super) fn logout(core: &Rc<Core>) {
    tell(core, true, Tab::logout);
}

/// `free()`: the tab leaves its group.
pub(super) fn free(core: &Rc<Core>) {
    input(core, true, |tab, client| tab.free(client));
}

/// `panel.state` while sharing (`None` when not).
pub(super) fn state(core: &Core) -> Option<State> {
    let tab = core.tab.machine.borrow();
    core.host.with_client(|client| tab.state(client)).flatten()
}
