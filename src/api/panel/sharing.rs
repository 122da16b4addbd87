//! The browser side of sharing one panel across the tabs of an operator
//! (`shareAcrossTabs`, issue #11): the group's BroadcastChannel and Web
//! Lock (`TabLink` in the glue), the heartbeat timer, and what a leader or a
//! follower does with each message. What to decide lives in
//! [`crate::sharing`] (pure, natively tested); the delivery rules (what a
//! tab's listeners see, and when) live in [`super::mirror`], leader changes
//! and the heartbeat in [`super::leadership`], the shared tokens in
//! [`super::shared_tokens`].
//!
//! A tab joins its group when it gets tokens whose JWT has a `sub`, and
//! leaves on logout, on a refused refresh, on `free()`, or to join another
//! group when the `sub` changes. While it is a follower its own client stays
//! idle and its refreshes go to the leader through `Session::set_refresher`.

use super::leadership::{beat, on_lock, tick};
use super::mirror;
use super::shared_tokens::{
    adopt, answer_refresh, land, land_if_answered, refused_error, remote_refresher, Pending,
};
use super::Core;
use crate::api::js::{self, object, TabLink};
use crate::protocol::centrifuge::ClientEvent;
use crate::protocol::{SansIoClient, State};
use crate::rest::error::{ErrorCode, ErrorInfo};
use crate::rest::jwt;
use crate::rest::session::TokenChange;
use crate::sharing::gate::Gate;
use crate::sharing::members::{LeaderWatch, Members};
use crate::sharing::message::{self, Message};
use crate::sharing::{beat_ms, group_name, Role};
use crate::transport::clock;
use crate::transport::engine_json::{self, EngineJson, JsJson};
use crate::transport::timer::Timer;
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

/// A tab's sharing state; `group` is `None` while it is off.
pub(super) struct Sharing {
    enabled: bool,
    tab_id: String,
    pub(super) group: RefCell<Option<Group>>,
    ignored: Cell<u32>,
    /// This tab called `connect()` and not `disconnect()` since.
    pub(super) wants: Cell<bool>,
    /// The state this tab's listeners last saw (no event twice in a row).
    pub(super) shown: Cell<State>,
    /// The lifecycle state of the last event this tab made up, if the real
    /// one has not come yet.
    pub(super) made_up: Cell<Option<State>>,
    /// This tab left the group as its leader: its client's last events go
    /// through the delivery rules, not straight to the listeners.
    pub(super) stopping: Cell<bool>,
    /// The token last posted or received, so a received pair is not echoed.
    pub(super) known_token: RefCell<Option<String>>,
    pub(super) pending: RefCell<Option<Pending>>,
    reported: Cell<(Role, u32)>,
    next_lock: Cell<u32>,
}

/// One joined group.
pub(super) struct Group {
    name: String,
    pub(super) link: TabLink,
    _on_message: Closure<dyn FnMut(JsValue)>,
    _on_lock: Closure<dyn FnMut(u32, bool)>,
    pub(super) tick: Timer,
    pub(super) lock_id: u32,
    pub(super) leader: bool,
    pub(super) members: Members,
    pub(super) watch: LeaderWatch,
    pub(super) gate: Gate,
    /// The leader's connection state, as last relayed or beaten.
    pub(super) mirror: State,
    /// The leader's `connected` payload while it is connected.
    pub(super) connected: Option<(String, String)>,
    pub(super) tabs: u32,
}

impl Sharing {
    /// Sharing as the options and the browser allow.
    pub(super) fn new(wanted: bool) -> Self {
        let random = (js_sys::Math::random() * 9_007_199_254_740_991.0) as u64;
        Sharing {
            enabled: wanted && js::can_share_tabs(),
            tab_id: format!("{random:x}-{}", clock::wall_ms()),
            group: RefCell::new(None),
            ignored: Cell::new(0),
            wants: Cell::new(false),
            shown: Cell::new(State::Disconnected),
            made_up: Cell::new(None),
            stopping: Cell::new(false),
            known_token: RefCell::new(None),
            pending: RefCell::new(None),
            reported: Cell::new((Role::Off, 1)),
            next_lock: Cell::new(0),
        }
    }

    /// This tab's role.
    pub(super) fn role(&self) -> Role {
        match self.group.borrow().as_ref() {
            None => Role::Off,
            Some(group) if group.leader => Role::Leader,
            Some(_) => Role::Follower,
        }
    }

    /// `{ role, tabs, ignored }`.
    pub(super) fn status(&self) -> JsValue {
        let (role, tabs) = self.role_and_tabs();
        object(&[
            ("role", JsValue::from_str(role.as_str())),
            ("tabs", JsValue::from_f64(f64::from(tabs))),
            ("ignored", JsValue::from_f64(f64::from(self.ignored.get()))),
        ])
    }

    fn role_and_tabs(&self) -> (Role, u32) {
        match self.group.borrow().as_ref() {
            None => (Role::Off, 1),
            Some(group) if group.leader => (Role::Leader, group.members.tabs()),
            Some(group) => (Role::Follower, group.tabs.max(1)),
        }
    }

    /// Posts `message` to the group (nothing when off).
    pub(super) fn post(&self, message: Message<JsJson>) {
        if let Some(group) = self.group.borrow().as_ref() {
            if let Some(value) = engine_json::to_js(&message::write(&self.tab_id, &message)) {
                group.link.post(&value);
            }
        }
    }

    /// Counts a dropped message.
    pub(super) fn count_ignored(&self) {
        self.ignored.set(self.ignored.get().saturating_add(1));
    }

    /// A fresh id for a lock request.
    pub(super) fn next_lock_id(&self) -> u32 {
        let id = self.next_lock.get().wrapping_add(1);
        self.next_lock.set(id);
        id
    }
}

/// Emits `sharing` (later, with no Rust state borrowed) when the role or
/// the tab count changed since the last report.
pub(super) fn report(core: &Rc<Core>) {
    let now = core.sharing.role_and_tabs();
    if core.sharing.reported.replace(now) != now {
        later(core, |core| {
            core.emitter.emit("sharing", &core.sharing.status())
        });
    }
}

/// Runs `f` in a microtask (for calls that start inside a JS method).
pub(super) fn later(core: &Rc<Core>, f: impl FnOnce(&Rc<Core>) + 'static) {
    let core = core.clone();
    wasm_bindgen_futures::spawn_local(async move { f(&core) });
}

/// The session's tokens changed: join, rejoin or leave the group, and tell
/// the other tabs about a pair they do not have yet.
pub(super) fn on_token_change(core: &Rc<Core>, change: &TokenChange) {
    let sharing = &core.sharing;
    if !sharing.enabled {
        return;
    }
    match change {
        TokenChange::Adopted(pair) | TokenChange::Refreshed(pair) => {
            let name = jwt::subject(&EngineJson, &pair.token)
                .map(|sub| group_name(&core.options.centrifugo_url, &sub));
            let current = sharing.group.borrow().as_ref().map(|g| g.name.clone());
            if current != name {
                if current.is_some() {
                    mirror::end_for_new_operator(core);
                }
                leave(core);
                if let Some(name) = name {
                    join(core, name);
                }
            }
            let known = sharing.known_token.borrow().clone();
            if known.as_deref() != Some(pair.token.as_str()) {
                *sharing.known_token.borrow_mut() = Some(pair.token.clone());
                sharing.post(Message::Tokens {
                    token: pair.token.clone(),
                    refresh_token: pair.refresh_token.clone(),
                    refreshed: matches!(change, TokenChange::Refreshed(_)),
                });
            }
            land_if_answered(core);
        }
        TokenChange::RefreshDeferred | TokenChange::RefreshRefused { .. } => {
            let ended = matches!(
                change,
                TokenChange::RefreshRefused {
                    ended_session: true,
                    ..
                }
            );
            if sharing.role() == Role::Leader {
                if let Some(token) = sharing.known_token.borrow().clone() {
                    sharing.post(Message::Refused {
                        token,
                        retryable: !ended,
                    });
                }
            }
            if ended {
                leave(core);
            }
        }
        TokenChange::Cleared => leave(core),
    }
}

fn join(core: &Rc<Core>, name: String) {
    let sharing = &core.sharing;
    let weak = Rc::downgrade(core);
    let on_message = Closure::<dyn FnMut(JsValue)>::new(move |value: JsValue| {
        if let Some(core) = weak.upgrade() {
            on_message(&core, value);
        }
    });
    let weak = Rc::downgrade(core);
    let on_lock = Closure::<dyn FnMut(u32, bool)>::new(move |id: u32, granted: bool| {
        if let Some(core) = weak.upgrade() {
            on_lock(&core, id, granted);
        }
    });
    let bye = engine_json::to_js(&message::write::<JsJson>(&sharing.tab_id, &Message::Bye))
        .unwrap_or(JsValue::NULL);
    let Ok(link) = TabLink::new(
        &name,
        on_message.as_ref().unchecked_ref(),
        on_lock.as_ref().unchecked_ref(),
        &bye,
    ) else {
        return;
    };
    let weak = Rc::downgrade(core);
    let tick = Timer::new(move || {
        if let Some(core) = weak.upgrade() {
            tick(&core);
        }
    });
    let silence = core.options.ping_timeout;
    tick.arm(beat_ms(silence));
    let lock_id = sharing.next_lock_id();
    link.lock(lock_id, false);
    let now = clock::monotonic_ms();
    *sharing.group.borrow_mut() = Some(Group {
        name,
        link,
        _on_message: on_message,
        _on_lock: on_lock,
        tick,
        lock_id,
        leader: false,
        members: Members::new(silence.saturating_mul(2)),
        watch: LeaderWatch::new(silence, now),
        gate: Gate::default(),
        mirror: State::Disconnected,
        connected: None,
        tabs: 1,
    });
    // A connection this tab held alone stops quietly: the leader's takes
    // over. Its last events are a follower's, dropped: nothing is stopping.
    sharing.stopping.set(false);
    follow(core);
}

/// This tab follows from now on: its refreshes go to the leader, its own
/// client stops (a follower's client says nothing), and it says hello.
pub(super) fn follow(core: &Rc<Core>) {
    core.session
        .set_refresher(Some(remote_refresher(Rc::downgrade(core))));
    core.host.with_client(|client| client.disconnect());
    super::host::pump_later(core);
    let sharing = &core.sharing;
    sharing.post(Message::Hello {
        wants: sharing.wants.get(),
    });
    report(core);
}

/// Leaves the group (logout, refused refresh, `free()`, another `sub`).
pub(super) fn leave(core: &Rc<Core>) {
    let sharing = &core.sharing;
    sharing.post(Message::Bye);
    let Some(group) = sharing.group.borrow_mut().take() else {
        return;
    };
    if group.leader && core.host.state() != State::Disconnected {
        // Off now: this tab's connection stops, but not with events its
        // listeners should not see (after a logout they saw `disconnected`).
        sharing.stopping.set(true);
        core.host.with_client(|client| client.disconnect());
        super::host::pump_later(core);
    } else if !group.leader && sharing.wants.replace(false) {
        // A follower that still wanted the connection loses it with the
        // group (its session ended): as its own socket would have stopped.
        mirror::stop_following(core);
    }
    group.link.close();
    group.tick.cancel();
    core.session.set_refresher(None);
    land(
        core,
        Err(ErrorInfo::local(
            ErrorCode::LoggedOut,
            "the session ended while the refresh was waited for",
            false,
        )),
    );
    // The closures may be running right now: drop them on the next turn.
    wasm_bindgen_futures::spawn_local(async move { drop(group) });
    report(core);
}

fn on_message(core: &Rc<Core>, value: JsValue) {
    let sharing = &core.sharing;
    let Some(envelope) = message::read(&EngineJson, JsJson(value)) else {
        sharing.ignored.set(sharing.ignored.get().saturating_add(1));
        return;
    };
    let from = envelope.from;
    if from == sharing.tab_id {
        return;
    }
    let now = clock::monotonic_ms();
    let leader = sharing.role() == Role::Leader;
    match envelope.message {
        Message::Hello { wants } if leader => {
            let new = sharing
                .group
                .borrow_mut()
                .as_mut()
                .is_some_and(|g| g.members.heard(&from, wants, now));
            if new {
                beat(core);
            }
        }
        Message::Connect if leader => {
            if let Some(group) = sharing.group.borrow_mut().as_mut() {
                group.members.heard(&from, true, now);
            }
            core.host.with_client(|client| client.connect(now));
            super::host::pump_later(core);
        }
        Message::Bye if leader => {
            let left = sharing
                .group
                .borrow_mut()
                .as_mut()
                .is_some_and(|g| g.members.left(&from));
            if left {
                beat(core);
            }
        }
        Message::Beat(beat) if !leader => mirror::on_beat(core, &from, beat, now),
        Message::Event { event, epoch } => match event {
            ClientEvent::Publication { .. } => mirror::deliver(core, event, &epoch),
            lifecycle => {
                let from_leader = sharing
                    .group
                    .borrow()
                    .as_ref()
                    .is_some_and(|g| !g.leader && g.watch.leader() == Some(from.as_str()));
                if from_leader {
                    mirror::track(core, &lifecycle);
                    mirror::deliver(core, lifecycle, "");
                }
            }
        },
        Message::Tokens {
            token,
            refresh_token,
            refreshed,
        } => adopt(core, token, refresh_token, refreshed),
        Message::Refresh { token } if leader => answer_refresh(core, &token),
        Message::Refused { token, retryable } => {
            let error = refused_error(retryable);
            let pending = sharing.pending.borrow().as_ref().map(|p| p.named.clone());
            if pending.as_deref() == Some(token.as_str()) {
                land(core, Err(error));
            } else if !retryable
                && core
                    .session
                    .tokens()
                    .is_some_and(|pair| pair.token == token)
            {
                core.session.refused_elsewhere(error);
            }
        }
        Message::Logout => core.logout(false),
        // Hellos, connects and refresh requests are the leader's business;
        // beats are a follower's.
        _ => {}
    }
    report(core);
}
