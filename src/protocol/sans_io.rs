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
///
/// `state`, `connect`, `network_online` and `network_offline` are the same
/// for every client (steps of the lifecycle they share): they are provided
/// here, over what the crate-private `sealed::Client` gives. Only the crate's
/// own clients implement this trait.
pub trait SansIoClient: sealed::Client {
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
    fn state(&self) -> State {
        self.connection().state()
    }
    /// Starts connecting (no-op unless disconnected). The first attempt is immediate.
    fn connect(&mut self, now: u64) {
        if self.connection_mut().begin() {
            self.connect_called();
            self.start_attempt(now);
        }
    }
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
    fn network_online(&mut self, now: u64) {
        if self.connection().is_backing_off() {
            self.start_attempt(now);
        }
    }
    /// The browser reports it went offline: drop the socket, retry with backoff.
    fn network_offline(&mut self, now: u64) {
        if self.connection().has_socket() {
            self.went_offline(now);
        }
    }
}

/// What [`SansIoClient`]'s provided methods need of a client. Public in a
/// module the crate does not export, so no type outside the crate can
/// implement [`SansIoClient`] and code outside cannot name these traits.
pub(crate) mod sealed {
    use crate::protocol::State;

    /// A client's connection lifecycle, whatever its handshake and live data
    /// (implemented by `connection::Connection`).
    pub trait Lifecycle {
        /// The state the application sees.
        fn state(&self) -> State;
        /// From disconnected only: becomes connecting; returns whether it did.
        fn begin(&mut self) -> bool;
        /// Whether the client waits out a backoff delay.
        fn is_backing_off(&self) -> bool;
        /// Whether a socket is open or opening.
        fn has_socket(&self) -> bool;
    }

    /// The client's side of the shared lifecycle steps.
    pub trait Client {
        /// Opens the next socket now (or does what must come first).
        fn start_attempt(&mut self, now: u64);
        /// `connect()` began: report `Connecting` (the first attempt follows).
        fn connect_called(&mut self);
        /// The browser went offline with a socket open or opening: drop it and
        /// retry with backoff.
        fn went_offline(&mut self, now: u64);
        /// The client's lifecycle.
        fn connection(&self) -> &dyn Lifecycle;
        /// The client's lifecycle, to change.
        fn connection_mut(&mut self) -> &mut dyn Lifecycle;
    }
}
