//! The browser side of one sans-IO connection: its current WebSocket, its
//! deadline timer and the `online`/`offline` listeners, all created once per
//! owner. The owner's state machine decides; the driver only does the I/O and
//! reports back through [`DriverHost`].

use super::clock;
use super::glue;
use super::timer::Timer;
use super::websocket::{self, SocketEvent, SocketHandlers};
use std::cell::RefCell;
use std::rc::{Rc, Weak};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::WebSocket;

/// What a driver reports to its owner.
pub trait DriverHost: 'static {
    /// Something happened on socket `socket` (always the current one).
    fn socket_event(self: Rc<Self>, socket: u32, event: SocketEvent);
    /// The deadline set with [`SocketDriver::schedule`] has passed.
    fn deadline_passed(self: Rc<Self>);
    /// The browser went online (`true`) or offline (`false`).
    fn network_changed(self: Rc<Self>, online: bool);
}

type Slot = Rc<RefCell<Option<(u32, WebSocket)>>>;

/// One owner's socket, timer and network listeners.
pub struct SocketDriver {
    current: Slot,
    handlers: SocketHandlers,
    deadline: Timer,
    network: Closure<dyn FnMut(bool)>,
}

impl SocketDriver {
    /// A driver reporting to `host` for as long as the host lives. The host
    /// is a trait object: the closures below are trampolines into it, so a
    /// client's code is compiled once, in its host, not into each closure.
    pub fn new(host: Weak<dyn DriverHost>) -> Self {
        let current: Slot = Rc::new(RefCell::new(None));
        let (slot, h) = (current.clone(), host.clone());
        let handlers = SocketHandlers::new(move |ws, event| {
            let socket = {
                let mut slot = slot.borrow_mut();
                let Some((id, _)) = slot
                    .as_ref()
                    .filter(|(_, current)| js_sys::Object::is(current, ws))
                else {
                    return;
                };
                let id = *id;
                if matches!(event, SocketEvent::Closed { .. }) {
                    slot.take();
                }
                id
            };
            if let Some(host) = h.upgrade() {
                host.socket_event(socket, event);
            }
        });
        let h = host.clone();
        let deadline = Timer::new(move || {
            if let Some(host) = h.upgrade() {
                host.deadline_passed();
            }
        });
        let network = Closure::<dyn FnMut(bool)>::new(move |online: bool| {
            if let Some(host) = host.upgrade() {
                host.network_changed(online);
            }
        });
        glue::watch_network(network.as_ref().unchecked_ref(), true);
        SocketDriver {
            current,
            handlers,
            deadline,
            network,
        }
    }

    /// Opens socket `socket` to `url`; false when the browser refuses the URL.
    pub fn open(&self, socket: u32, url: &str) -> bool {
        match self.handlers.open(url) {
            Ok(ws) => {
                *self.current.borrow_mut() = Some((socket, ws));
                true
            }
            Err(_) => false,
        }
    }

    /// Sends `text` on socket `socket` if it is the current one.
    pub fn send(&self, socket: u32, text: &str) {
        if let Some((id, ws)) = &*self.current.borrow() {
            if *id == socket {
                websocket::send(ws, text);
            }
        }
    }

    /// Closes socket `socket` if it is the current one; it reports nothing more.
    pub fn close(&self, socket: u32, code: u16, reason: &str) {
        let current = self.current.borrow_mut().take_if(|(id, _)| *id == socket);
        if let Some((_, ws)) = current {
            websocket::close(&ws, code, reason);
        }
    }

    /// Calls [`DriverHost::deadline_passed`] at monotonic time `at` (ms), or never.
    pub fn schedule(&self, at: Option<u64>) {
        match at {
            Some(at) => self.deadline.arm(at.saturating_sub(clock::monotonic_ms())),
            None => self.deadline.cancel(),
        }
    }

    /// Closes the socket, cancels the timer and removes the network listeners.
    pub fn shutdown(&self) {
        if let Some((_, ws)) = self.current.borrow_mut().take() {
            websocket::close(&ws, 1000, "shutdown");
        }
        self.deadline.cancel();
        glue::watch_network(self.network.as_ref().unchecked_ref(), false);
    }
}
