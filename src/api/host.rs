//! The one browser host both JS classes run their sans-IO client in.
//!
//! A [`HostedClient`] (the Centrifuge or the Socket.IO state machine) decides;
//! the [`Host`] moves bytes and times between it and the browser: it performs
//! the socket actions through one [`SocketDriver`], re-arms the deadline
//! timer, and hands events to the owner (`OperatorPanel` or `ChatWidget`)
//! through a re-entrancy-safe queue, so a listener may call back into the
//! object that emitted the event. Everything client-specific (what an event
//! means to JS, actions other than socket I/O) stays with the owner through
//! [`HostOwner`].
//!
//! May import `transport/` and the protocol core; nothing here may know a
//! TWIN event name or a REST path.

use super::delivery::Delivery;
use super::error::to_js;
use crate::protocol::{Action, SansIoClient, State};
use crate::rest::error::{ErrorCode, ErrorInfo};
use crate::text::decimal;
use crate::transport::clock;
use crate::transport::driver::{DriverHost, SocketDriver};
use crate::transport::timer::Timer;
use crate::transport::websocket::SocketEvent;
use js_sys::{Function, JsString};
use std::cell::{Cell, OnceCell, RefCell};
use std::rc::{Rc, Weak};
use wasm_bindgen::prelude::*;

/// A sans-IO client as the host drives it: the calls every client takes,
/// plus how it reads a text frame the browser hands over as a JS string.
pub trait HostedClient: SansIoClient + 'static {
    /// A text frame arrived on `socket` (still a JS string).
    fn socket_text(&mut self, now: u64, socket: u32, text: &JsString);
}

/// The JS class that owns a [`Host`].
pub trait HostOwner: 'static {
    /// Its client.
    type Client: HostedClient;
    /// Its host.
    fn host(&self) -> &Host<Self::Client>;
    /// Performs what only the owner can (called with no Rust state borrowed).
    fn perform(self: &Rc<Self>, action: <Self::Client as SansIoClient>::HostAction);
    /// Tells JS about `event` (called with no Rust state borrowed).
    fn dispatch(self: &Rc<Self>, event: <Self::Client as SansIoClient>::Event);
}

/// A client, its socket driver and its event queue.
pub struct Host<C: HostedClient> {
    client: RefCell<Option<C>>,
    driver: OnceCell<SocketDriver>,
    events: Delivery<C::Event>,
    freed: Cell<bool>,
}

impl<C: HostedClient> Host<C> {
    /// A host for `client` (none yet when `None`), reporting to `owner`.
    pub fn new<O: HostOwner<Client = C>>(owner: &Weak<O>, client: Option<C>) -> Self {
        Host {
            client: RefCell::new(client),
            driver: OnceCell::from(SocketDriver::new(owner.clone() as Weak<dyn DriverHost>)),
            events: Delivery::default(),
            freed: Cell::new(false),
        }
    }

    /// Runs `f` on the client, if there is one.
    pub fn with_client<R>(&self, f: impl FnOnce(&mut C) -> R) -> Option<R> {
        self.client.borrow_mut().as_mut().map(f)
    }

    /// Replaces the client; the old one (if any) is stopped and its last
    /// events are still delivered by the next pump.
    pub fn replace_client(&self, client: C) {
        let previous = self.client.replace(None);
        if let Some(mut previous) = previous {
            previous.disconnect();
            self.drain_socket_io(&mut previous);
            while let Some(event) = previous.poll_event() {
                self.events.push(event);
            }
        }
        *self.client.borrow_mut() = Some(client);
    }

    /// The connection state (`Disconnected` before there is a client).
    pub fn state(&self) -> State {
        self.client
            .borrow()
            .as_ref()
            .map_or(State::Disconnected, SansIoClient::state)
    }

    /// True once the owner was freed.
    pub fn is_freed(&self) -> bool {
        self.freed.get()
    }

    /// Socket actions only (used for a client being replaced: its owner
    /// actions no longer matter).
    fn drain_socket_io(&self, client: &mut C) {
        while let Some(action) = client.poll_action() {
            self.perform_socket_action(client, action);
        }
    }

    fn perform_socket_action(&self, client: &mut C, action: Action<C::HostAction>) {
        let Some(driver) = self.driver.get() else {
            return;
        };
        match action {
            Action::Open { socket, url } => {
                if !driver.open(socket, &url) {
                    client.socket_closed(
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
            Action::Host(_) => {}
        }
    }
}

/// Performs the client's pending I/O, re-arms the deadline timer, then
/// delivers its events. Owner actions run after the client is released.
pub fn pump<O: HostOwner>(owner: &Rc<O>) {
    let host = owner.host();
    let mut owner_actions = Vec::new();
    if let Some(client) = host.client.borrow_mut().as_mut() {
        while let Some(action) = client.poll_action() {
            match action {
                Action::Host(action) => owner_actions.push(action),
                socket_action => host.perform_socket_action(client, socket_action),
            }
        }
        if let Some(driver) = host.driver.get() {
            driver.schedule(client.poll_timeout());
        }
        while let Some(event) = client.poll_event() {
            host.events.push(event);
        }
    }
    for action in owner_actions {
        owner.perform(action);
    }
    host.events.run(|event| owner.dispatch(event));
}

/// [`pump`] in a microtask: for calls from JS methods. A listener fired while
/// such a method runs could not `free()` the object (wasm-bindgen holds it
/// borrowed until the method returns), so its events wait for the method to end.
pub fn pump_later<O: HostOwner>(owner: &Rc<O>) {
    let owner = owner.clone();
    wasm_bindgen_futures::spawn_local(async move { pump(&owner) });
}

/// Stops the client and the driver for good; safe to call twice.
pub fn shutdown<O: HostOwner>(owner: &Rc<O>) {
    let host = owner.host();
    if host.freed.replace(true) {
        return;
    }
    host.with_client(SansIoClient::disconnect);
    pump(owner);
    if let Some(driver) = host.driver.get() {
        driver.shutdown();
    }
}

impl<O: HostOwner> DriverHost for O {
    fn socket_event(self: Rc<Self>, socket: u32, event: SocketEvent) {
        let now = clock::monotonic_ms();
        self.host().with_client(|client| match event {
            SocketEvent::Opened => client.socket_opened(now, socket),
            SocketEvent::Text(text) => client.socket_text(now, socket, &text),
            SocketEvent::Binary => client.socket_binary(now, socket),
            SocketEvent::Closed { code, reason } => {
                client.socket_closed(now, socket, code, &reason)
            }
        });
        pump(&self);
    }

    fn deadline_passed(self: Rc<Self>) {
        self.host()
            .with_client(|client| client.handle_timeout(clock::monotonic_ms()));
        pump(&self);
    }

    fn network_changed(self: Rc<Self>, online: bool) {
        self.host().with_client(|client| {
            let now = clock::monotonic_ms();
            if online {
                client.network_online(now);
            } else {
                client.network_offline(now);
            }
        });
        pump(&self);
    }
}

/// One promise waiting: its functions, an id for its deadline to find it, and
/// that deadline's timer (dropped, and so cancelled, with the waiter).
struct Waiter {
    id: u32,
    resolve: Function,
    reject: Function,
    _deadline: Option<Timer>,
}

/// Promises waiting for one outcome (a connect, a start), bounded so a
/// runaway caller gets an error instead of an ever-growing list. A waiter may
/// have a deadline: past it, it is rejected (`timeout`) and leaves the list,
/// while whatever it waited for goes on.
pub struct Waiters {
    waiting: Rc<RefCell<Vec<Waiter>>>,
    next_id: Cell<u32>,
    limit: usize,
}

impl Waiters {
    /// At most `limit` waiters at once.
    pub fn new(limit: usize) -> Self {
        Waiters {
            waiting: Rc::new(RefCell::new(Vec::new())),
            next_id: Cell::new(0),
            limit,
        }
    }

    /// Adds a waiter, or rejects it at once when `limit` already wait. With
    /// `deadline_ms`, it is rejected with a `timeout` TwinError after that long.
    pub fn add(&self, resolve: Function, reject: Function, deadline_ms: Option<u64>) {
        if self.waiting.borrow().len() >= self.limit {
            let error = to_js(&ErrorInfo::local(
                ErrorCode::TooManyWaiters,
                crate::text::concat(&[&decimal(self.limit as u64), " calls already wait for this"]),
                true,
            ));
            let _ = reject.call1(&JsValue::NULL, &error);
            return;
        }
        let id = self.next_id.get();
        self.next_id.set(id.wrapping_add(1));
        let deadline = deadline_ms.map(|ms| {
            let waiting = Rc::downgrade(&self.waiting);
            let timer = Timer::new(move || {
                let Some(waiting) = waiting.upgrade() else {
                    return;
                };
                let expired = {
                    let mut list = waiting.borrow_mut();
                    let at = list.iter().position(|w| w.id == id);
                    at.map(|at| list.remove(at))
                };
                if let Some(waiter) = expired {
                    let error = to_js(&ErrorInfo::local(
                        ErrorCode::Timeout,
                        crate::text::concat(&[
                            "not connected within ",
                            &decimal(ms),
                            " ms; still trying in the background",
                        ]),
                        true,
                    ));
                    let _ = waiter.reject.call1(&JsValue::NULL, &error);
                    // Dropping the waiter here would drop the timer whose
                    // callback is running: let the next turn do it.
                    wasm_bindgen_futures::spawn_local(async move { drop(waiter) });
                }
            });
            timer.arm(ms);
            timer
        });
        self.waiting.borrow_mut().push(Waiter {
            id,
            resolve,
            reject,
            _deadline: deadline,
        });
    }

    /// Resolves every waiter.
    pub fn resolve_all(&self) {
        let waiting = self.waiting.take();
        for waiter in waiting {
            let _ = waiter.resolve.call0(&JsValue::NULL);
        }
    }

    /// Rejects every waiter with the error `make` builds (only when one waits).
    pub fn reject_all(&self, make: impl FnOnce() -> JsValue) {
        let waiting = self.waiting.take();
        if waiting.is_empty() {
            return;
        }
        let error = make();
        for waiter in waiting {
            let _ = waiter.reject.call1(&JsValue::NULL, &error);
        }
    }
}
