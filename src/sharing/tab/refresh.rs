//! One token pair and one refresh per group. A pair another tab posts is
//! adopted when newer ([`tokens::is_newer`]); a new pair of this tab's own
//! is posted once. A follower's session refreshes through the leader: it
//! names the token it holds and waits, bounded by `timeout`, for a pair
//! other than that one, or a refusal. The leader answers ([`tokens::answer`]):
//! one refresh in its session's single flight however many ask, or the
//! current pair to a tab that named an old token. A tab that becomes leader
//! while it waits does the refresh itself.

use super::{AuthCommand, Output, Tab};
use crate::error_code::ErrorCode;
use crate::protocol::json_engine::JsonEngine;
use crate::rest::error::ErrorInfo;
use crate::rest::tokens::TokenPair;
use crate::sharing::message::Message;
use crate::sharing::tokens::{self, RefreshAnswer};
use crate::sharing::Role;

use super::{RefreshOutcome, Waiting};

impl<J: JsonEngine> Tab<J> {
    /// The session wants a refresh of `token` and this tab follows: it asks
    /// the leader (again on every tick while it waits). True when a new
    /// wait began (false: the request joins the one that waits for `token`).
    pub fn refresh_requested(&mut self, now: u64, token: &str) -> bool {
        let new = self.waiting.as_ref().is_none_or(|w| w.named != token);
        if new {
            self.waiting = Some(Waiting {
                named: token.to_owned(),
                deadline: now.saturating_add(self.config.refresh_timeout_ms),
            });
        }
        self.post(Message::Refresh {
            token: token.to_owned(),
        });
        new
    }

    /// The IAM refresh of [`AuthCommand::RefreshOnce`] ended.
    pub fn refresh_done(&mut self, outcome: RefreshOutcome) {
        self.land(outcome);
    }

    /// Posts a pair the other tabs have not seen yet.
    pub(super) fn announce(&mut self, pair: &TokenPair, refreshed: bool) {
        if self.known_token.as_deref() == Some(pair.token.as_str()) {
            return;
        }
        self.known_token = Some(pair.token.clone());
        self.post(Message::Tokens {
            token: pair.token.clone(),
            refresh_token: pair.refresh_token.clone(),
            refreshed,
        });
    }

    /// A pair another tab posted: adopted when newer than this tab's.
    pub(super) fn offered(&mut self, token: String, refresh_token: String, refreshed: bool) {
        let Ok(pair) = TokenPair::new(&self.json, token, refresh_token) else {
            self.count_ignored();
            return;
        };
        let current = self
            .tokens
            .as_ref()
            .map(|p| (p.token.as_str(), p.expires_at_ms));
        if tokens::is_newer(current, (&pair.token, pair.expires_at_ms)) {
            self.known_token = Some(pair.token.clone());
            self.push(Output::Auth(AuthCommand::Adopt { pair, refreshed }));
        }
        self.land_if_answered();
    }

    /// The leader answers a follower's request to refresh `named`.
    pub(super) fn answer_refresh(&mut self, named: &str) {
        let current = self.tokens.as_ref().map(|pair| pair.token.as_str());
        match tokens::answer(current, named) {
            RefreshAnswer::SendCurrent => {
                if let Some(pair) = self.tokens.clone() {
                    self.post(Message::Tokens {
                        token: pair.token,
                        refresh_token: pair.refresh_token,
                        refreshed: true,
                    });
                }
            }
            // The session's single flight: one IAM call however many ask;
            // its outcome reaches the group through `tokens_changed`.
            RefreshAnswer::Refresh => self.push(Output::Auth(AuthCommand::Refresh)),
            RefreshAnswer::Ignore => {}
        }
    }

    /// The leader's refresh of `token` failed: the refresh waiting for it
    /// fails too; a refused refresh of the current token ends the session.
    pub(super) fn refused(&mut self, token: &str, retryable: bool) {
        let error = refused_error(retryable);
        if self.waiting.as_ref().is_some_and(|w| w.named == token) {
            self.land(Err(error));
        } else if !retryable && self.tokens.as_ref().is_some_and(|p| p.token == token) {
            self.push(Output::Auth(AuthCommand::RefusedElsewhere(error)));
        }
    }

    /// This tab's refresh failed: a leader tells the tabs that wait for it.
    pub(super) fn refresh_failed(&mut self, session_ended: bool) {
        if self.role() != Role::Leader {
            return;
        }
        if let Some(token) = self.known_token.clone() {
            self.post(Message::Refused {
                token,
                retryable: !session_ended,
            });
        }
    }

    /// Lands the waiting refresh when the session now holds another token.
    pub(super) fn land_if_answered(&mut self) {
        let answered = match (&self.waiting, &self.tokens) {
            (Some(waiting), Some(pair)) if pair.token != waiting.named => Some(pair.clone()),
            _ => None,
        };
        if let Some(pair) = answered {
            self.land(Ok(pair));
        }
    }

    /// Ends the waiting refresh (if any) with `outcome`.
    pub(super) fn land(&mut self, outcome: RefreshOutcome) {
        if self.waiting.take().is_some() {
            self.push(Output::Land(outcome));
        }
    }
}

/// The error a refusal the leader posted stands for.
fn refused_error(retryable: bool) -> ErrorInfo {
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

/// No tab answered the refresh request in time.
pub(super) fn timed_out(timeout_ms: u64) -> ErrorInfo {
    ErrorInfo::local(
        ErrorCode::Timeout,
        crate::text::concat(&[
            "no tab refreshed the token within ",
            &crate::text::decimal(timeout_ms),
            " ms",
        ]),
        true,
    )
}

/// The tab left its group while its refresh waited.
pub(super) fn session_ended() -> ErrorInfo {
    ErrorInfo::local(
        ErrorCode::LoggedOut,
        "the session ended while the refresh was waited for",
        false,
    )
}
