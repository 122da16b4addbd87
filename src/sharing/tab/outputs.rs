//! What the tab asks of its host ([`Output`], in order) and what it answers
//! a call with.

use super::{OwnClient, RefreshOutcome};
use crate::protocol::centrifuge::ClientEvent;
use crate::protocol::State;
use crate::rest::error::ErrorInfo;
use crate::rest::tokens::TokenPair;
use crate::sharing::message::{Beat, Message};
use crate::sharing::Role;

/// A command for this tab's own Centrifuge client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClientCommand {
    /// `connect(now)`.
    Connect,
    /// `disconnect()`.
    Disconnect,
    /// `seed_position` for each channel, epoch, offset: the client recovers
    /// from what this tab has shown.
    Seed(Vec<(String, String, u64)>),
}

/// A command for the session, the holder of the token pair.
#[derive(Debug, Clone, PartialEq)]
pub enum AuthCommand {
    /// Send the session's refreshes to the leader: each calls
    /// [`Tab::refresh_requested`](super::Tab::refresh_requested) and waits for [`Output::Land`].
    RefreshThroughLeader,
    /// Send the session's refreshes to IAM again.
    RefreshThroughIam,
    /// Adopt a pair another tab posted (reported as a refresh when `refreshed`).
    Adopt {
        /// The pair.
        pair: TokenPair,
        /// It came from a refresh.
        refreshed: bool,
    },
    /// Refresh, in the session's single flight (a follower asked).
    Refresh,
    /// One IAM refresh of `pair`, outside the single flight (the refresh
    /// this tab asked the old leader for); report it with [`Tab::refresh_done`](super::Tab::refresh_done).
    RefreshOnce(TokenPair),
    /// Another tab's refresh of the current token was refused: the session ends.
    RefusedElsewhere(ErrorInfo),
}

/// What the host performs for the tab, in order.
#[derive(Debug, Clone, PartialEq)]
pub enum Output<V> {
    /// Open the BroadcastChannel of group `0` (its lock comes with [`Output::Lock`]).
    /// If it cannot, call [`Tab::link_failed`](super::Tab::link_failed) at once.
    Join(String),
    /// Close the group's channel and let go of its lock; report nothing from them after.
    Leave,
    /// Post a message to the other tabs of the group.
    Post(Message<V>),
    /// Post the heartbeat: [`beat_message`] with the client as it is then.
    Beat {
        /// Tabs in the group, this one included.
        tabs: u32,
        /// The `connected` payload of the leader's connection, if any.
        connected: Option<(String, String)>,
    },
    /// Ask for the group's lock as request `id` (dropping any earlier
    /// request); with `steal`, take it from its holder.
    Lock {
        /// Reported back to [`Tab::lock_granted`](super::Tab::lock_granted) or [`Tab::lock_lost`](super::Tab::lock_lost).
        id: u32,
        /// Take the lock from its holder.
        steal: bool,
    },
    /// A command for this tab's own client.
    Client(ClientCommand),
    /// A command for the tab's authentication (its tokens and refreshes).
    Auth(AuthCommand),
    /// The refresh this tab's session waits for ended with this outcome.
    Land(RefreshOutcome),
    /// Show this event to the tab's listeners.
    Show(ClientEvent<V>),
    /// The connection stopped for this tab: reject the waiting `connect()`
    /// calls with `code` and `reason`, and when `show`, fire `disconnected`
    /// (`reconnect: false`).
    Stop {
        /// Disconnect code.
        code: u32,
        /// Why.
        reason: &'static str,
        /// The listeners did not see `disconnected` last.
        show: bool,
    },
    /// The role or the tab count changed: fire `sharing` with [`Tab::status`](super::Tab::status).
    Status,
    /// Another tab logged out: log out here, without telling the others.
    LogOut,
}

/// What `connect()` does in this tab.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConnectAnswer {
    /// Connect this tab's own client, as without sharing (not sharing, or a
    /// leader whose socket is not up yet).
    OwnClient,
    /// Resolve now: the shared connection is up.
    Resolve,
    /// Wait for the leader's `connected`.
    Wait,
}

/// `panel.sharing`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Status {
    /// This tab's role.
    pub role: Role,
    /// Tabs in the group, this one included (1 when off).
    pub tabs: u32,
    /// Foreign or malformed messages dropped.
    pub ignored: u32,
}

/// The heartbeat a leader posts, with its client's state and recoverable
/// stream positions as they are when it is posted; `connected` goes along
/// only while the client is connected.
pub fn beat_message<V>(
    client: &dyn OwnClient,
    tabs: u32,
    connected: Option<(String, String)>,
) -> Message<V> {
    let state = client.state();
    Message::Beat(Beat {
        state,
        tabs,
        connected: connected.filter(|_| state == State::Connected),
        positions: client.positions(),
    })
}
