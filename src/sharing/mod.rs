//! One live connection and one token refresh per browser: sharing a panel
//! across the tabs of one origin, decided here, sans-IO and natively tested.
//!
//! Tabs of one operator (same Centrifugo URL, same JWT `sub`) form a group.
//! The holder of the group's Web Lock is the leader: it keeps the only
//! WebSocket, does every token refresh, and relays every client event over
//! the group's BroadcastChannel. The other tabs (followers) replay what it
//! relays as if it came from their own socket.
//!
//! - [`tab`]: [`tab::Tab`], one tab's state machine, which makes every
//!   decision (who leads, what the listeners see, which pair the session
//!   keeps and who refreshes it); the browser driver
//!   (`api/panel/tab_driver.rs`) reports what happens and performs what the
//!   tab asks;
//! - [`message`]: the messages between tabs, how they are written and how a
//!   received value is read (anything else is dropped and counted);
//! - [`gate`]: exactly once, in order, per channel, across a leader change;
//! - [`members`]: the leader's table of followers, and a follower's watch on
//!   the leader's heartbeat (when to steal the lock of a frozen leader);
//! - [`tokens`]: which of two token pairs wins, and how a leader answers a
//!   follower's refresh request.
//!
//! # Why no publication is lost or doubled when the leader changes
//!
//! Every tab, the leader included, passes every publication through its
//! [`gate::Gate`]: a positioned publication (offset > 0) is shown only when
//! its offset is above the last one shown for that channel and epoch. A
//! BroadcastChannel keeps the order of one sender's messages, so each tab sees
//! the old leader's relays in stream order. The leader's heartbeat carries its
//! client's stream positions too, so a tab knows the position of a channel
//! even before a publication arrived on it. A tab that becomes leader seeds
//! its client with its gate's positions: the server's recovery then replays
//! exactly what came after the last publication this tab saw. Relays from the
//! old leader that were still queued and the new leader's recovered stream
//! are each in order, and the gate drops whatever the other already showed:
//! every publication is shown once, in order, in every tab that survives.
//!
//! Imports: std, serde, `protocol`, and the pure token and error types of
//! `rest` (`tokens`, `jwt`, `error`); no browser APIs.

pub mod gate;
pub mod members;
pub mod message;
pub mod tab;
pub mod tokens;

/// The BroadcastChannel name of the group of `sub` on `centrifugo_url`; the
/// Web Lock's name is this plus [`LOCK_SUFFIX`].
///
/// ```
/// assert_eq!(
///     twin_panel::sharing::group_name("wss://x/ws", "42"),
///     "twin-panel/v2/wss://x/ws/42"
/// );
/// ```
pub fn group_name(centrifugo_url: &str, sub: &str) -> String {
    let mut name = String::from("twin-panel/v2/");
    name.push_str(centrifugo_url);
    name.push('/');
    name.push_str(sub);
    name
}

/// Appended to the group name to name the leader's Web Lock.
pub const LOCK_SUFFIX: &str = "/leader";

/// The role of a tab, as `panel.sharing.role` spells it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Holds the lock and the socket.
    Leader,
    /// Replays what the leader relays.
    Follower,
    /// Not sharing (opted out, no browser support, no tokens or no `sub`).
    Off,
    /// In a group, but neither holding the lock nor hearing a leader yet:
    /// what `panel.sharing` says for the moment after joining (a lone tab
    /// leads a moment later). Reported only; the decisions see a follower.
    Joining,
}

impl Role {
    /// `'leader'`, `'follower'`, `'joining'` or `'off'`.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Leader => "leader",
            Role::Follower => "follower",
            Role::Off => "off",
            Role::Joining => "joining",
        }
    }
}

/// How often the leader beats and the followers say hello, for a
/// `pingTimeout` of `silence_ms`: a quarter of it, from 50 ms to 2 s.
pub fn beat_ms(silence_ms: u64) -> u64 {
    (silence_ms / 4).clamp(50, 2_000)
}
