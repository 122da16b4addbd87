//! The tokens of a sharing tab (issue #11): a pair another tab posts is
//! adopted when it is newer; the leader answers refresh requests (one IAM
//! refresh however many tabs ask); a follower's own refreshes go to the
//! leader through [`Session::set_refresher`](crate::rest::session::Session::set_refresher)
//! and wait, bounded by the REST `timeout`, for a pair other than the one
//! they named, or a refusal. Which pair wins and how a request is answered
//! is decided in [`crate::sharing::tokens`].

use super::Core;
use crate::rest::error::{ErrorCode, ErrorInfo};
use crate::rest::session::{RefreshOutcome, Refresher};
use crate::rest::single_flight::Flight;
use crate::rest::tokens::TokenPair;
use crate::sharing::message::Message;
use crate::sharing::tokens::{self, RefreshAnswer};
use crate::transport::engine_json::EngineJson;
use crate::transport::timer::Timer;
use std::rc::{Rc, Weak};

/// A follower's refresh request waiting for the leader's answer.
pub(super) struct Pending {
    pub(super) named: String,
    flight: Flight<RefreshOutcome>,
    _deadline: Timer,
}

/// A pair another tab posted: adopted when newer than this tab's.
pub(super) fn adopt(core: &Rc<Core>, token: String, refresh_token: String, refreshed: bool) {
    let sharing = &core.sharing;
    let Ok(pair) = TokenPair::new(&EngineJson, token, refresh_token) else {
        sharing.count_ignored();
        return;
    };
    let current = core.session.tokens();
    let newer = tokens::is_newer(
        current
            .as_ref()
            .map(|p| (p.token.as_str(), p.expires_at_ms)),
        (&pair.token, pair.expires_at_ms),
    );
    if newer {
        *sharing.known_token.borrow_mut() = Some(pair.token.clone());
        core.session.adopt(pair, refreshed);
    }
    land_if_answered(core);
}

/// The leader answers a follower's request to refresh `named`.
pub(super) fn answer_refresh(core: &Rc<Core>, named: &str) {
    let current = core.session.tokens();
    match tokens::answer(current.as_ref().map(|p| p.token.as_str()), named) {
        RefreshAnswer::SendCurrent => {
            if let Some(pair) = current {
                core.sharing.post(Message::Tokens {
                    token: pair.token,
                    refresh_token: pair.refresh_token,
                    refreshed: true,
                });
            }
        }
        RefreshAnswer::Refresh => {
            let core = core.clone();
            // The session's single flight: one IAM call however many ask;
            // its outcome reaches the group through on_token_change.
            wasm_bindgen_futures::spawn_local(async move {
                let _ = core.session.refresh().await;
            });
        }
        RefreshAnswer::Ignore => {}
    }
}

/// The error a refusal the leader posted stands for.
pub(super) fn refused_error(retryable: bool) -> ErrorInfo {
    if retryable {
        ErrorInfo::local(
            ErrorCode::Network,
            "the tab holding the shared connection could not refresh the token",
            true,
        )
    } else {
        ErrorInfo {
            status: 401,
            code: ErrorCode::Unauthorized,
            message: "the refresh token was refused".into(),
            details: None,
            retryable: false,
        }
    }
}

/// A follower's refresh: ask the leader, wait (bounded by `timeout`) for a
/// pair other than the one named, or for a refusal.
pub(super) fn remote_refresher(weak: Weak<Core>) -> Refresher {
    Rc::new(move |current: TokenPair| {
        let weak = weak.clone();
        Box::pin(async move {
            let Some(core) = weak.upgrade() else {
                return Err(ErrorInfo::local(
                    ErrorCode::LoggedOut,
                    "the panel was freed",
                    false,
                ));
            };
            let flight = waiting_flight(&core, &current.token);
            core.sharing.post(Message::Refresh {
                token: current.token,
            });
            drop(core);
            flight.wait().await
        })
    })
}

fn waiting_flight(core: &Rc<Core>, named: &str) -> Flight<RefreshOutcome> {
    let mut pending = core.sharing.pending.borrow_mut();
    if let Some(p) = pending.as_ref().filter(|p| p.named == named) {
        return p.flight.clone();
    }
    let flight = Flight::default();
    let weak = Rc::downgrade(core);
    let timeout = core.options.timeout;
    let deadline = Timer::new(move || {
        if let Some(core) = weak.upgrade() {
            land(
                &core,
                Err(ErrorInfo::local(
                    ErrorCode::Timeout,
                    format!("no tab refreshed the token within {timeout} ms"),
                    true,
                )),
            );
        }
    });
    deadline.arm(timeout);
    *pending = Some(Pending {
        named: named.to_owned(),
        flight: flight.clone(),
        _deadline: deadline,
    });
    flight
}

/// Lands a waiting refresh when the session now holds another token.
pub(super) fn land_if_answered(core: &Rc<Core>) {
    let named = core
        .sharing
        .pending
        .borrow()
        .as_ref()
        .map(|p| p.named.clone());
    let (Some(named), Some(pair)) = (named, core.session.tokens()) else {
        return;
    };
    if pair.token != named {
        land(core, Ok(pair));
    }
}

/// Ends the waiting refresh (if any) with `outcome`.
pub(super) fn land(core: &Rc<Core>, outcome: RefreshOutcome) {
    let pending = core.sharing.pending.borrow_mut().take();
    if let Some(pending) = pending {
        pending.flight.land(outcome);
        // Its deadline timer may be the caller: drop it on the next turn.
        wasm_bindgen_futures::spawn_local(async move { drop(pending) });
    }
}
