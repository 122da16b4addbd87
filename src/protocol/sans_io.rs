//! What every sans-IO client here asks of its host, and the calls every one
//! of them takes: [`Action`] and [`SansIoClient`]. The host (the browser glue,
//! or a test) performs the actions, reports what happened with the current
//! time in milliseconds, and drains events.
//!
//! Pure: may import std and `protocol` only.

use super::connection::SocketId;
use super::State;
use std::collections::VecDeque;

/// I/O the host must perform; `X` is what only this client's host does (a
/// token refresh for Centrifuge; nothing for Socket.IO).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action<X> {
    /// Open a WebSocket to `url` and report its events with `socket`.
    Open {
        /// Id to report back.
        socket: SocketId,
        /// Where to connect.
        url: String,
    },
    /// Send one text frame on `socket`.
    Send {
        /// The socket.
        socket: SocketId,
        /// The frame.
        text: String,
    },
    /// Close `socket` and forget it; report nothing more for it.
    Close {
        /// The socket.
        socket: SocketId,
        /// WebSocket close code (1000 or 3000–4999).
        code: u16,
        /// Close reason.
        reason: &'static str,
    },
    /// Something only this client's host does.
    Host(X),
}

/// The two queues a client fills for its host, in order.
#[derive(Debug)]
pub struct Outbox<X, E> {
    /// I/O to perform.
    pub actions: VecDeque<Action<X>>,
    /// What to tell the application.
    pub events: VecDeque<E>,
}

impl<X, E> Default for Outbox<X, E> {
    fn default() -> Self {
        Outbox {
            actions: VecDeque::new(),
            events: VecDeque::new(),
        }
    }
}

/// The calls every client takes, besides its own frames and commands.
pub trait SansIoClient {
    /// What [`Action::Host`] carries.
    type HostAction;
    /// What the client tells the application.
    type Event;

    /// The client's queues.
    fn outbox(&mut self) -> &mut Outbox<Self::HostAction, Self::Event>;
    /// The next I/O to perform.
    fn poll_action(&mut self) -> Option<Action<Self::HostAction>> {
        self.outbox().actions.pop_front()
    }
    /// The next event for the application.
    fn poll_event(&mut self) -> Option<Self::Event> {
        self.outbox().events.pop_front()
    }
    /// When [`handle_timeout`](Self::handle_timeout) must be called next (ms).
    fn poll_timeout(&self) -> Option<u64>;
    /// The connection state.
    fn state(&self) -> State;
    /// Starts connecting (no-op unless disconnected).
    fn connect(&mut self, now: u64);
    /// Stops for good: closes the socket and cancels timers.
    fn disconnect(&mut self);
    /// Socket `socket` opened.
    fn socket_opened(&mut self, now: u64, socket: SocketId);
    /// A binary frame arrived on `socket`.
    fn socket_binary(&mut self, now: u64, socket: SocketId);
    /// `socket` closed with `code` and `reason` (reported once).
    fn socket_closed(&mut self, now: u64, socket: SocketId, code: u16, reason: &str);
    /// Fires whatever deadline has passed.
    fn handle_timeout(&mut self, now: u64);
    /// The browser reports it is online again: retry now instead of waiting.
    fn network_online(&mut self, now: u64);
    /// The browser reports it went offline: drop the socket, retry with backoff.
    fn network_offline(&mut self, now: u64);
}
