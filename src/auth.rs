//! The operator's session with the platform: the one holder of the token
//! pair, IAM login and refresh (one refresh in flight at a time), and every
//! authenticated call with its retry policy ([`crate::rest::retry`]).
//!
//! The platform's rules (twin-api.md §3): login returns `token` and
//! `refreshToken`; refresh is `POST /auth/refresh` with the raw token (no
//! `Bearer`) in `Authorization` and `{refreshToken, ttl}` in the body. Some
//! older servers are said to answer refresh on `GET` only, with the refresh
//! token in the query string; the refresh token never travels in a URL here,
//! so against such a server a refresh fails with a `TwinError` (405).
//!
//! Whoever else needs the token (the live connection, the refresh timer) is
//! told of every change through [`Auth::on_change`] and keeps no copy of
//! its own beyond what it is using right now.

use crate::protocol::json_engine::JsonEngine;
use crate::rest::error::{ErrorCode, ErrorInfo};
use crate::rest::retry::{CallRetries, Decision, RETRY_DELAY_MS};
use crate::rest::single_flight::Flight;
use crate::rest::tokens::TokenPair;
use crate::transport::clock;
use crate::transport::engine_json::EngineJson;
use crate::transport::http::{self, HttpRequest, HttpResponse};
use serde::Serialize;
use std::cell::{Cell, RefCell};
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;

/// What a refresh brings: the new pair, or why there is none.
pub type RefreshOutcome = Result<TokenPair, ErrorInfo>;

/// Login credentials.
pub struct Credentials<'a> {
    /// Operator e-mail.
    pub email: &'a str,
    /// Password; used for this one request and never stored.
    pub password: &'a str,
    /// Company to log into, when the operator belongs to several.
    pub company_id: Option<i64>,
}

/// A change of the token pair, as [`Auth::on_change`] reports it.
#[derive(Debug, Clone)]
pub enum TokenChange {
    /// New tokens from `login()` or `useTokens()`.
    Adopted(TokenPair),
    /// A refresh succeeded.
    Refreshed(TokenPair),
    /// A refresh failed for a passing reason (network, 5xx); the tokens stay.
    RefreshDeferred,
    /// The refresh token was refused: the tokens are gone, the session is over.
    RefreshRefused {
        /// Why.
        error: ErrorInfo,
        /// False when there were no tokens left to end (after a logout).
        ended_session: bool,
    },
    /// `logout()`: the tokens are gone.
    Cleared,
}

type Listener = Rc<dyn Fn(TokenChange)>;

/// Renews a token pair somewhere else than here: a tab that shares its
/// session asks the tab that holds the connection, which refreshes once for
/// all of them. Returns the new pair or why there is none.
pub type Refresher = Rc<dyn Fn(TokenPair) -> Pin<Box<dyn Future<Output = RefreshOutcome>>>>;

/// The operator's tokens, the calls that obtain them, and authenticated calls.
pub struct Auth {
    iam_url: String,
    ttl_s: u64,
    timeout_ms: u64,
    tokens: RefCell<Option<TokenPair>>,
    /// The token the last 403-caused refresh produced: a 403 with it is a
    /// permission error, not a reason to refresh again.
    renewed_for_403: RefCell<Option<String>>,
    flight: RefCell<Option<Flight<RefreshOutcome>>>,
    generation: Cell<u32>,
    listener: RefCell<Option<Listener>>,
    /// When set, refreshes go through it instead of IAM.
    refresher: RefCell<Option<Refresher>>,
}

impl Auth {
    /// A session against the IAM service at `iam_url` (e.g.
    /// `https://iam.twin24.ai/api/v1`); every request has `timeout_ms`.
    pub fn new(iam_url: String, ttl_s: u64, timeout_ms: u64) -> Self {
        Auth {
            iam_url,
            ttl_s,
            timeout_ms,
            tokens: RefCell::new(None),
            renewed_for_403: RefCell::new(None),
            flight: RefCell::new(None),
            generation: Cell::new(0),
            listener: RefCell::new(None),
            refresher: RefCell::new(None),
        }
    }

    /// Calls `listener` on every change of the tokens (once per refresh,
    /// however many calls waited for it), with no session state borrowed.
    pub fn on_change(&self, listener: impl Fn(TokenChange) + 'static) {
        *self.listener.borrow_mut() = Some(Rc::new(listener));
    }

    fn notify(&self, change: TokenChange) {
        let listener = self.listener.borrow().clone();
        if let Some(listener) = listener {
            listener(change);
        }
    }

    /// The current token pair.
    pub fn tokens(&self) -> Option<TokenPair> {
        self.tokens.borrow().clone()
    }

    /// Adopts a token pair the host already holds.
    pub fn use_tokens(&self, pair: TokenPair) {
        self.generation.set(self.generation.get().wrapping_add(1));
        *self.tokens.borrow_mut() = Some(pair.clone());
        self.notify(TokenChange::Adopted(pair));
    }

    /// Sends refreshes through `refresher` (`None`: to IAM, as by default).
    /// The retry policy and the change reports stay the same either way.
    pub fn set_refresher(&self, refresher: Option<Refresher>) {
        *self.refresher.borrow_mut() = refresher;
    }

    /// Adopts a pair another tab obtained; reported as a refresh when it
    /// came from one. A refresh in flight here yields to it.
    pub fn adopt(&self, pair: TokenPair, refreshed: bool) {
        self.generation.set(self.generation.get().wrapping_add(1));
        *self.tokens.borrow_mut() = Some(pair.clone());
        self.renewed_for_403.borrow_mut().take();
        self.notify(if refreshed {
            TokenChange::Refreshed(pair)
        } else {
            TokenChange::Adopted(pair)
        });
    }

    /// Another tab's refresh of the current token was refused: the session
    /// ends here too, as if this tab's own refresh had been refused.
    pub fn refused_elsewhere(&self, error: ErrorInfo) {
        let had_tokens = self.tokens.borrow_mut().take().is_some();
        if had_tokens {
            self.generation.set(self.generation.get().wrapping_add(1));
        }
        self.notify(TokenChange::RefreshRefused {
            error,
            ended_session: had_tokens,
        });
    }

    /// Ends the session for good (`free()`): the tokens are forgotten, nothing
    /// is reported any more, and a login or refresh still in flight keeps
    /// nothing it brings.
    pub fn close(&self) {
        self.listener.borrow_mut().take();
        self.refresher.borrow_mut().take();
        self.generation.set(self.generation.get().wrapping_add(1));
        self.tokens.borrow_mut().take();
    }

    /// Forgets the tokens; a refresh still in flight will not bring them back.
    pub fn clear(&self) {
        self.generation.set(self.generation.get().wrapping_add(1));
        *self.tokens.borrow_mut() = None;
        self.renewed_for_403.borrow_mut().take();
        self.notify(TokenChange::Cleared);
    }

    /// `POST {iam}/auth/login`.
    pub async fn login(&self, credentials: Credentials<'_>) -> Result<TokenPair, ErrorInfo> {
        #[derive(Serialize)]
        #[serde(rename_all = "camelCase")]
        struct LoginBody<'a> {
            email: &'a str,
            password: &'a str,
            ttl: u64,
            company_id: Option<i64>,
        }
        let body = EngineJson.write(&LoginBody {
            email: credentials.email,
            password: credentials.password,
            ttl: self.ttl_s,
            company_id: credentials.company_id,
        });
        let url = crate::text::concat(&[&self.iam_url, "/auth/login"]);
        let generation = self.generation.get();
        let response = http::send(HttpRequest {
            method: "POST",
            url: &url,
            authorization: None,
            body: Some(body),
            timeout_ms: self.timeout_ms,
        })
        .await?;
        let pair = parse_pair(&response)?;
        if self.generation.get() != generation {
            // `logout()` (or other tokens) came while the login ran: they
            // win, and this pair is dropped, so no connection can use it.
            return Err(ErrorInfo::local(
                ErrorCode::LoggedOut,
                "logout() or other tokens came before the login finished",
                false,
            ));
        }
        self.use_tokens(pair.clone());
        Ok(pair)
    }

    /// Refreshes the tokens, and tells the listener what came of it (once
    /// per refresh). A refused refresh token ends the session. When tokens
    /// were adopted (`login()`, `useTokens()`) or cleared while the refresh
    /// ran, its outcome no longer matters: the callers get the current tokens
    /// (or `loggedOut`) and nothing is reported.
    pub async fn refresh(&self) -> RefreshOutcome {
        let (outcome, performed) = self.refresh_once().await;
        if !performed {
            return outcome;
        }
        match &outcome {
            Ok(pair) => self.notify(TokenChange::Refreshed(pair.clone())),
            Err(error) if error.retryable => self.notify(TokenChange::RefreshDeferred),
            Err(error) => {
                let had_tokens = self.tokens.borrow_mut().take().is_some();
                if had_tokens {
                    self.generation.set(self.generation.get().wrapping_add(1));
                }
                self.notify(TokenChange::RefreshRefused {
                    error: error.clone(),
                    ended_session: had_tokens,
                });
            }
        }
        outcome
    }

    /// An authenticated call (`Authorization: Bearer`); the answer's text.
    /// An expired token is refreshed first; failures follow [`crate::rest::retry`].
    pub async fn call(
        &self,
        method: &str,
        url: &str,
        body: Option<String>,
    ) -> Result<String, ErrorInfo> {
        let Some(mut pair) = self.tokens() else {
            return Err(ErrorInfo::local(
                ErrorCode::NotAuthenticated,
                "log in or call useTokens() first",
                false,
            ));
        };
        if pair.is_expired(clock::wall_ms()) {
            pair = self.refresh().await?;
        }
        let mut retries = CallRetries::default();
        loop {
            let bearer = crate::text::concat(&["Bearer ", &pair.token]);
            let outcome = http::send(HttpRequest {
                method,
                url,
                authorization: Some(&bearer),
                body: body.clone(),
                timeout_ms: self.timeout_ms,
            })
            .await;
            let error = match outcome {
                Ok(response) => return Ok(response.text),
                Err(error) => error,
            };
            let renewed_for_403 =
                self.renewed_for_403.borrow().as_deref() == Some(pair.token.as_str());
            match retries.decide(method, &error, renewed_for_403) {
                Decision::Refresh => {
                    // Another call may have refreshed while this one was in flight.
                    let newer = self.tokens().filter(|newer| newer.token != pair.token);
                    pair = match newer {
                        Some(newer) => newer,
                        None => self.refresh().await?,
                    };
                    if error.status == 403 {
                        *self.renewed_for_403.borrow_mut() = Some(pair.token.clone());
                    }
                }
                Decision::RetryLater => crate::transport::timer::sleep(RETRY_DELAY_MS).await,
                Decision::Fail => return Err(error),
            }
        }
    }

    /// Renews the tokens. Callers that arrive while a refresh runs share its
    /// outcome; the flag is true only for the caller whose request it was and
    /// only when no tokens were adopted or cleared meanwhile, so side effects
    /// (events, timers) happen once per refresh that counts.
    async fn refresh_once(&self) -> (RefreshOutcome, bool) {
        let existing = self.flight.borrow().clone();
        if let Some(flight) = existing {
            return (flight.wait().await, false);
        }
        let flight = Flight::default();
        *self.flight.borrow_mut() = Some(flight.clone());
        let generation = self.generation.get();
        let outcome = self.refresh_request().await;
        let current = self.generation.get() == generation;
        let outcome = if current {
            if let Ok(pair) = &outcome {
                *self.tokens.borrow_mut() = Some(pair.clone());
            }
            outcome
        } else {
            // Tokens were adopted or cleared meanwhile: they win.
            self.tokens().ok_or_else(|| {
                ErrorInfo::local(
                    ErrorCode::LoggedOut,
                    "logged out while the token was being refreshed",
                    false,
                )
            })
        };
        *self.flight.borrow_mut() = None;
        flight.land(outcome.clone());
        // A superseded refresh reports nothing: the adoption already did.
        (outcome, current)
    }

    async fn refresh_request(&self) -> RefreshOutcome {
        let Some(current) = self.tokens() else {
            return Err(ErrorInfo::local(
                ErrorCode::NotAuthenticated,
                "log in or call useTokens() first",
                false,
            ));
        };
        let refresher = self.refresher.borrow().clone();
        match refresher {
            Some(refresher) => refresher(current).await,
            None => self.refresh_with_iam(&current).await,
        }
    }

    /// One `POST {iam}/auth/refresh` for `current`, nothing else (no
    /// single flight, no report): for a tab that takes over the refreshes of
    /// its group while it waited for another tab's.
    pub async fn refresh_with_iam(&self, current: &TokenPair) -> RefreshOutcome {
        let url = crate::text::concat(&[&self.iam_url, "/auth/refresh"]);
        #[derive(Serialize)]
        #[serde(rename_all = "camelCase")]
        struct RefreshBody<'a> {
            refresh_token: &'a str,
            ttl: u64,
        }
        let body = EngineJson.write(&RefreshBody {
            refresh_token: &current.refresh_token,
            ttl: self.ttl_s,
        });
        let response = http::send(HttpRequest {
            method: "POST",
            url: &url,
            authorization: Some(&current.token),
            body: Some(body),
            timeout_ms: self.timeout_ms,
        })
        .await;
        parse_pair(&response?)
    }
}

fn parse_pair(response: &HttpResponse) -> Result<TokenPair, ErrorInfo> {
    TokenPair::from_auth_body(&EngineJson, &response.text).map_err(|e| ErrorInfo {
        status: response.status,
        code: ErrorCode::BadResponse,
        message: e.message().into(),
        details: None,
        retryable: false,
    })
}
