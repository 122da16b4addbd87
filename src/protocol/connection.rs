//! The connection lifecycle both sans-IO clients share.
//!
//! [`Connection`] holds what does not depend on the protocol: the state the
//! application sees, the [`Phase`] of the current attempt, socket ids, the
//! reconnect attempt counter with its jittered backoff, and the connect
//! deadline. A lifecycle step returns a [`Step`] that each client turns into
//! its own `Close` action and `Disconnected`/`Connecting` events; handshakes,
//! heartbeats, frames, actions and events stay in `centrifuge::client` and
//! `socketio::client`, the only users of this module.
//!
//! Time is milliseconds from the host; deadlines add with saturation and
//! socket ids wrap, so no input can overflow.
//!
//! Only the two clients import from here, and only [`SocketId`] is public
//! outside the crate (the clients re-export it). The steps every client takes
//! alike (`connect`, going on- and offline) are `SansIoClient`'s provided
//! methods, which see a [`Connection`] as a `sans_io::sealed::Lifecycle`. Imports: std and `protocol`
//! only, no browser APIs.

use crate::protocol::backoff::{BackoffPolicy, Jitter};
use crate::protocol::sans_io::sealed;
use crate::protocol::state::State;

/// Identifies one WebSocket a client asked the host to open.
pub type SocketId = u32;

/// Where the current attempt stands. `H` is what a client keeps during its
/// handshake, `L` what it keeps while live.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Phase<H, L> {
    /// No socket, no timer.
    Idle,
    /// The next attempt starts at `until`.
    Backoff { until: u64 },
    /// The next attempt waits for the host (the Centrifuge client: for a
    /// fresh token); no socket, no timer.
    AwaitingHost,
    /// The socket was asked for; the handshake must start before `deadline`.
    Opening { socket: SocketId, deadline: u64 },
    /// The handshake is under way; it must finish before `deadline`.
    Handshaking {
        socket: SocketId,
        deadline: u64,
        handshake: H,
    },
    /// Connected.
    Live { socket: SocketId, live: L },
}

/// What a lifecycle step changed that the host or the application must hear
/// of. The client reports it in this order: close the socket, then
/// `Disconnected`, then `Connecting`.
#[must_use]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Step {
    /// The socket the step dropped: the host must close it.
    pub closed: Option<SocketId>,
    /// Report `Disconnected`: `Some(true)` when a connected client lost its
    /// connection and tries again on its own, `Some(false)` when a client
    /// that was connected or connecting stopped for good.
    pub disconnected: Option<bool>,
    /// The client started (re)connecting.
    pub connecting: bool,
}

/// A timer of the lifecycle that has run out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Due {
    /// The backoff delay is over: start the next attempt.
    Retry,
    /// The socket did not open, or the handshake did not finish, in time.
    ConnectTimeout,
}

/// The shared lifecycle of one client. See the module documentation.
#[derive(Debug)]
pub(crate) struct Connection<H, L> {
    state: State,
    phase: Phase<H, L>,
    /// Failed attempts since the last success, for the backoff.
    attempt: u32,
    /// The id of the socket opened last.
    next_socket: SocketId,
    connect_timeout_ms: u64,
    backoff: BackoffPolicy,
    jitter: Jitter,
}

impl<H, L> Connection<H, L> {
    /// A disconnected, idle lifecycle; `seed` feeds the backoff jitter.
    pub fn new(connect_timeout_ms: u64, backoff: BackoffPolicy, seed: u64) -> Self {
        Connection {
            state: State::Disconnected,
            phase: Phase::Idle,
            attempt: 0,
            next_socket: 0,
            connect_timeout_ms,
            backoff,
            jitter: Jitter::new(seed),
        }
    }

    /// The state the application sees.
    pub fn state(&self) -> State {
        self.state
    }

    /// The current phase.
    pub fn phase(&self) -> &Phase<H, L> {
        &self.phase
    }

    /// The current phase, to update a client's handshake or live data.
    pub fn phase_mut(&mut self) -> &mut Phase<H, L> {
        &mut self.phase
    }

    /// The socket of the current attempt, if one is open or opening.
    pub fn socket(&self) -> Option<SocketId> {
        match self.phase {
            Phase::Opening { socket, .. }
            | Phase::Handshaking { socket, .. }
            | Phase::Live { socket, .. } => Some(socket),
            Phase::Idle | Phase::Backoff { .. } | Phase::AwaitingHost => None,
        }
    }

    /// Whether `socket` is the current one (reports for older ones are ignored).
    pub fn is_current(&self, socket: SocketId) -> bool {
        self.socket() == Some(socket)
    }

    /// The socket of the live connection.
    pub fn live_socket(&self) -> Option<SocketId> {
        match self.phase {
            Phase::Live { socket, .. } => Some(socket),
            _ => None,
        }
    }

    /// Whether the client waits out a backoff delay (going online cuts it short).
    pub fn is_backing_off(&self) -> bool {
        matches!(self.phase, Phase::Backoff { .. })
    }

    /// Whether the next attempt waits for the host.
    pub fn is_awaiting_host(&self) -> bool {
        matches!(self.phase, Phase::AwaitingHost)
    }

    /// `connect()`: from disconnected only, becomes connecting with a fresh
    /// attempt count. Returns whether it did; the caller then reports
    /// `Connecting` and starts the first attempt.
    pub fn begin(&mut self) -> bool {
        if self.state != State::Disconnected {
            return false;
        }
        self.state = State::Connecting;
        self.attempt = 0;
        true
    }

    /// The deadline of a connect step that starts at `now`.
    pub fn connect_deadline(&self, now: u64) -> u64 {
        now.saturating_add(self.connect_timeout_ms)
    }

    /// Takes a new socket id for an attempt starting at `now`; the caller asks
    /// the host to open it. Call only without a socket (after a close).
    pub fn start_attempt(&mut self, now: u64) -> SocketId {
        self.next_socket = self.next_socket.wrapping_add(1);
        let socket = self.next_socket;
        self.phase = Phase::Opening {
            socket,
            deadline: self.connect_deadline(now),
        };
        socket
    }

    /// Opening becomes handshaking on the same socket, with `deadline`; any
    /// other phase is left as it is.
    pub fn enter_handshake(&mut self, handshake: H, deadline: u64) {
        if let Phase::Opening { socket, .. } = self.phase {
            self.phase = Phase::Handshaking {
                socket,
                deadline,
                handshake,
            };
        }
    }

    /// The handshake succeeded: live on the same socket, with `live` made
    /// from the handshake data; connected, and the backoff starts over.
    /// Returns the socket, or `None` (and changes nothing) when not handshaking.
    pub fn go_live(&mut self, live: impl FnOnce(H) -> L) -> Option<SocketId> {
        match std::mem::replace(&mut self.phase, Phase::Idle) {
            Phase::Handshaking {
                socket, handshake, ..
            } => {
                self.phase = Phase::Live {
                    socket,
                    live: live(handshake),
                };
                self.state = State::Connected;
                self.attempt = 0;
                Some(socket)
            }
            other => {
                self.phase = other;
                None
            }
        }
    }

    /// The host reports `socket` closed. For the current socket, the phase
    /// becomes idle (nothing must close it again) and the phase it was in is
    /// returned; for any other, nothing changes and `None` is returned.
    pub fn socket_closed(&mut self, socket: SocketId) -> Option<Phase<H, L>> {
        if !self.is_current(socket) {
            return None;
        }
        Some(std::mem::replace(&mut self.phase, Phase::Idle))
    }

    /// Drops the socket (if any); the phase becomes idle.
    pub fn close_socket(&mut self) -> Step {
        let closed = self.socket();
        self.phase = Phase::Idle;
        Step {
            closed,
            ..Step::default()
        }
    }

    /// Drops the socket and becomes connecting; a connected client reports
    /// `Disconnected` (reconnecting) first. The phase stays idle: the caller
    /// retries now, schedules a retry or waits for the host.
    pub fn restart(&mut self) -> Step {
        let mut step = self.close_socket();
        match self.state {
            State::Connecting => return step,
            State::Connected => step.disconnected = Some(true),
            State::Disconnected => {}
        }
        self.state = State::Connecting;
        step.connecting = true;
        step
    }

    /// The next attempt starts after a backoff delay that grows per failed attempt.
    pub fn schedule_retry(&mut self, now: u64) {
        let delay = self.backoff.delay(self.attempt, &mut self.jitter);
        self.attempt = self.attempt.saturating_add(1);
        self.phase = Phase::Backoff {
            until: now.saturating_add(delay),
        };
    }

    /// Tests: the id of the socket opened last, to reach the wrap-around.
    #[cfg(all(test, not(target_arch = "wasm32")))]
    pub fn set_last_socket(&mut self, socket: SocketId) {
        self.next_socket = socket;
    }

    /// The next attempt waits for the host. Call only without a socket.
    pub fn await_host(&mut self) {
        self.phase = Phase::AwaitingHost;
    }

    /// The connection is lost: [`restart`](Self::restart), then retry after backoff.
    pub fn lose_connection(&mut self, now: u64) -> Step {
        let step = self.restart();
        self.schedule_retry(now);
        step
    }

    /// Stops for good: drops the socket, cancels timers, disconnected.
    pub fn terminate(&mut self) -> Step {
        let mut step = self.close_socket();
        if self.state != State::Disconnected {
            self.state = State::Disconnected;
            step.disconnected = Some(false);
        }
        step
    }

    /// When a lifecycle timer runs out: the backoff or the connect deadline.
    /// Timers of the live connection (heartbeats) are the client's.
    pub fn timeout(&self) -> Option<u64> {
        match self.phase {
            Phase::Backoff { until } => Some(until),
            Phase::Opening { deadline, .. } | Phase::Handshaking { deadline, .. } => Some(deadline),
            Phase::Idle | Phase::AwaitingHost | Phase::Live { .. } => None,
        }
    }

    /// The lifecycle timer that has run out at `now`, if any.
    pub fn due(&self, now: u64) -> Option<Due> {
        match self.phase {
            Phase::Backoff { until } if now >= until => Some(Due::Retry),
            Phase::Opening { deadline, .. } | Phase::Handshaking { deadline, .. }
                if now >= deadline =>
            {
                Some(Due::ConnectTimeout)
            }
            _ => None,
        }
    }
}

/// The lifecycle as `SansIoClient`'s provided methods see it.
impl<H, L> sealed::Lifecycle for Connection<H, L> {
    fn state(&self) -> State {
        self.state
    }

    fn begin(&mut self) -> bool {
        Connection::begin(self)
    }

    fn is_backing_off(&self) -> bool {
        Connection::is_backing_off(self)
    }

    fn has_socket(&self) -> bool {
        self.socket().is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    type Lifecycle = Connection<&'static str, &'static str>;

    fn lifecycle() -> Lifecycle {
        Connection::new(5_000, BackoffPolicy::default(), 7)
    }

    /// A lifecycle connected at `now` on its first socket.
    fn connected(now: u64) -> (Lifecycle, SocketId) {
        let mut conn = lifecycle();
        assert!(conn.begin());
        let socket = conn.start_attempt(now);
        conn.enter_handshake("hello", conn.connect_deadline(now));
        assert_eq!(conn.go_live(|_| "live"), Some(socket));
        (conn, socket)
    }

    #[test]
    fn starts_disconnected_and_idle() {
        let conn = lifecycle();
        assert_eq!(conn.state(), State::Disconnected);
        assert_eq!(conn.phase(), &Phase::Idle);
        assert_eq!(conn.socket(), None);
        assert_eq!(conn.timeout(), None);
        assert_eq!(conn.due(u64::MAX), None);
    }

    #[test]
    fn begin_only_from_disconnected() {
        let mut conn = lifecycle();
        assert!(conn.begin());
        assert_eq!(conn.state(), State::Connecting);
        assert!(!conn.begin());
        let (mut live, _) = connected(0);
        assert!(!live.begin());
        assert_eq!(live.state(), State::Connected);
    }

    #[test]
    fn each_attempt_takes_a_new_socket_with_a_connect_deadline() {
        let mut conn = lifecycle();
        assert!(conn.begin());
        let first = conn.start_attempt(100);
        assert_eq!(
            conn.phase(),
            &Phase::Opening {
                socket: first,
                deadline: 5_100
            }
        );
        assert_eq!(conn.timeout(), Some(5_100));
        assert!(conn.is_current(first));
        let _ = conn.close_socket();
        let second = conn.start_attempt(200);
        assert_ne!(first, second);
        assert!(!conn.is_current(first));
        assert!(conn.is_current(second));
    }

    #[test]
    fn socket_ids_wrap_around() {
        let mut conn = lifecycle();
        conn.next_socket = SocketId::MAX;
        assert_eq!(conn.start_attempt(0), 0);
        let _ = conn.close_socket();
        assert_eq!(conn.start_attempt(0), 1);
    }

    #[test]
    fn huge_timeouts_and_delays_saturate() {
        let policy = BackoffPolicy {
            min_ms: u64::MAX,
            max_ms: u64::MAX,
        };
        let mut conn: Lifecycle = Connection::new(u64::MAX, policy, 1);
        assert!(conn.begin());
        conn.start_attempt(5);
        assert_eq!(conn.timeout(), Some(u64::MAX));
        assert_eq!(conn.due(u64::MAX - 1), None);
        assert_eq!(conn.due(u64::MAX), Some(Due::ConnectTimeout));
        let _ = conn.lose_connection(10);
        assert_eq!(conn.timeout(), Some(u64::MAX));
        conn.attempt = u32::MAX;
        conn.schedule_retry(10);
        assert_eq!(conn.attempt, u32::MAX);
        assert_eq!(conn.timeout(), Some(u64::MAX));
    }

    #[test]
    fn the_handshake_keeps_the_socket_and_takes_its_own_deadline() {
        let mut conn = lifecycle();
        assert!(conn.begin());
        let socket = conn.start_attempt(0);
        conn.enter_handshake("hello", 9_000);
        assert_eq!(
            conn.phase(),
            &Phase::Handshaking {
                socket,
                deadline: 9_000,
                handshake: "hello"
            }
        );
        assert_eq!(conn.due(8_999), None);
        assert_eq!(conn.due(9_000), Some(Due::ConnectTimeout));
        // Only an opening socket starts a handshake.
        conn.enter_handshake("again", 1);
        assert_eq!(conn.timeout(), Some(9_000));
    }

    #[test]
    fn going_live_needs_a_handshake_and_resets_the_backoff() {
        let mut conn = lifecycle();
        assert_eq!(conn.go_live(|h| h), None);
        assert!(conn.begin());
        let _ = conn.lose_connection(0);
        let _ = conn.lose_connection(0);
        assert_eq!(conn.attempt, 2);
        let socket = conn.start_attempt(0);
        assert_eq!(conn.go_live(|h| h), None, "still opening");
        conn.enter_handshake("hello", 10);
        assert_eq!(conn.go_live(|h| h), Some(socket));
        assert_eq!(
            conn.phase(),
            &Phase::Live {
                socket,
                live: "hello"
            }
        );
        assert_eq!(conn.state(), State::Connected);
        assert_eq!(conn.attempt, 0);
        assert_eq!(conn.live_socket(), Some(socket));
        assert_eq!(conn.timeout(), None, "live timers are the client's");
    }

    #[test]
    fn losing_a_live_connection_reports_disconnected_then_connecting() {
        let (mut conn, socket) = connected(0);
        assert_eq!(
            conn.lose_connection(1_000),
            Step {
                closed: Some(socket),
                disconnected: Some(true),
                connecting: true
            }
        );
        assert_eq!(conn.state(), State::Connecting);
        assert!(conn.is_backing_off());
        let until = conn.timeout().expect("a retry is scheduled");
        assert!((1_500..=2_000).contains(&until), "first retry at {until}");
        assert_eq!(conn.due(until - 1), None);
        assert_eq!(conn.due(until), Some(Due::Retry));
    }

    #[test]
    fn losing_an_attempt_while_connecting_reports_only_the_close() {
        let mut conn = lifecycle();
        assert!(conn.begin());
        let socket = conn.start_attempt(0);
        assert_eq!(
            conn.lose_connection(0),
            Step {
                closed: Some(socket),
                ..Step::default()
            }
        );
        // Nothing left to close on the next loss.
        assert_eq!(conn.lose_connection(0), Step::default());
    }

    #[test]
    fn backoff_grows_per_failed_attempt() {
        let mut conn = lifecycle();
        assert!(conn.begin());
        for (attempt, ceiling) in [1_000, 1_500, 2_500, 4_500].into_iter().enumerate() {
            let _ = conn.lose_connection(0);
            let until = conn.timeout().expect("a retry is scheduled");
            assert!(
                (500..=ceiling).contains(&until),
                "attempt {attempt}: {until}"
            );
        }
        assert_eq!(conn.attempt, 4);
    }

    #[test]
    fn restart_leaves_the_next_step_to_the_caller() {
        let (mut conn, socket) = connected(0);
        let step = conn.restart();
        assert_eq!(step.closed, Some(socket));
        assert_eq!(conn.phase(), &Phase::Idle);
        conn.await_host();
        assert!(conn.is_awaiting_host());
        assert_eq!(conn.socket(), None);
        assert_eq!(conn.timeout(), None);
        conn.schedule_retry(0);
        assert!(conn.is_backing_off());
    }

    #[test]
    fn terminate_reports_once() {
        let (mut conn, socket) = connected(0);
        assert_eq!(
            conn.terminate(),
            Step {
                closed: Some(socket),
                disconnected: Some(false),
                connecting: false
            }
        );
        assert_eq!(conn.state(), State::Disconnected);
        assert_eq!(conn.phase(), &Phase::Idle);
        assert_eq!(conn.terminate(), Step::default());
        // A stop while backing off cancels the timer.
        let mut conn = lifecycle();
        assert!(conn.begin());
        conn.schedule_retry(0);
        let step = conn.terminate();
        assert_eq!(step.closed, None);
        assert_eq!(step.disconnected, Some(false));
        assert_eq!(conn.timeout(), None);
    }

    #[test]
    fn a_closed_socket_is_forgotten_and_stale_ones_are_ignored() {
        let (mut conn, socket) = connected(0);
        assert_eq!(conn.socket_closed(socket.wrapping_add(1)), None);
        assert_eq!(conn.socket_closed(socket.wrapping_sub(1)), None);
        assert_eq!(
            conn.socket_closed(socket),
            Some(Phase::Live {
                socket,
                live: "live"
            })
        );
        assert_eq!(conn.socket(), None);
        // It is gone: the loss that follows closes nothing.
        let step = conn.lose_connection(0);
        assert_eq!(step.closed, None);
        assert_eq!(step.disconnected, Some(true));
        assert_eq!(conn.socket_closed(socket), None);
    }
}
