//! IAM login and token refresh, with one refresh in flight at a time.
//!
//! The platform's rules (twin-api.md §3): login returns `token` and
//! `refreshToken`; refresh is `POST /auth/refresh` with the raw token (no
//! `Bearer`) in `Authorization` and `{refreshToken, ttl}` in the body. Some
//! older servers are said to answer refresh on `GET` only, with the refresh
//! token in the query string; the refresh token never travels in a URL here,
//! so against such a server a refresh fails with a `TwinError` (405).

use super::error::ErrorInfo;
use super::http::{self, HttpRequest, HttpResponse};
use super::single_flight::Flight;
use super::tokens::TokenPair;
use crate::protocol::json_engine::JsonEngine;
use crate::transport::engine_json::EngineJson;
use serde::Serialize;
use std::cell::{Cell, RefCell};

type RefreshOutcome = Result<TokenPair, ErrorInfo>;

/// Login credentials.
pub struct Credentials<'a> {
    /// Operator e-mail.
    pub email: &'a str,
    /// Password; used for this one request and never stored.
    pub password: &'a str,
    /// Company to log into, when the operator belongs to several.
    pub company_id: Option<i64>,
}

/// The operator's tokens and the calls that obtain them.
pub struct Auth {
    iam_url: String,
    ttl_s: u64,
    timeout_ms: u64,
    tokens: RefCell<Option<TokenPair>>,
    flight: RefCell<Option<Flight<RefreshOutcome>>>,
    generation: Cell<u32>,
    refreshes: Cell<u32>,
}

impl Auth {
    /// Auth against the IAM service at `iam_url` (e.g. `https://iam.twin24.ai/api/v1`).
    pub fn new(iam_url: String, ttl_s: u64, timeout_ms: u64) -> Self {
        Auth {
            iam_url,
            ttl_s,
            timeout_ms,
            tokens: RefCell::new(None),
            flight: RefCell::new(None),
            generation: Cell::new(0),
            refreshes: Cell::new(0),
        }
    }

    /// The current token pair.
    pub fn tokens(&self) -> Option<TokenPair> {
        self.tokens.borrow().clone()
    }

    /// How many refresh requests were sent.
    pub fn refresh_count(&self) -> u32 {
        self.refreshes.get()
    }

    /// Adopts a token pair the host already holds.
    pub fn use_tokens(&self, pair: TokenPair) {
        self.generation.set(self.generation.get().wrapping_add(1));
        *self.tokens.borrow_mut() = Some(pair);
    }

    /// Forgets the tokens; a refresh still in flight will not bring them back.
    pub fn clear(&self) {
        self.generation.set(self.generation.get().wrapping_add(1));
        *self.tokens.borrow_mut() = None;
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
        let url = format!("{}/auth/login", self.iam_url);
        let response = http::send(HttpRequest {
            method: "POST",
            url: &url,
            authorization: None,
            body: Some(body),
            timeout_ms: self.timeout_ms,
        })
        .await?;
        let pair = parse_pair(&response)?;
        self.use_tokens(pair.clone());
        Ok(pair)
    }

    /// Renews the tokens. Callers that arrive while a refresh runs share its
    /// outcome; the flag is true only for the caller whose request it was, so
    /// side effects (events, timers) happen once per refresh.
    pub async fn refresh(&self) -> (RefreshOutcome, bool) {
        let existing = self.flight.borrow().clone();
        if let Some(flight) = existing {
            return (flight.wait().await, false);
        }
        let flight = Flight::default();
        *self.flight.borrow_mut() = Some(flight.clone());
        let generation = self.generation.get();
        let outcome = self.refresh_request().await;
        let outcome = match outcome {
            Ok(pair) if self.generation.get() == generation => {
                *self.tokens.borrow_mut() = Some(pair.clone());
                Ok(pair)
            }
            Ok(_) => Err(ErrorInfo::local(
                "loggedOut",
                "logged out while the token was being refreshed",
                false,
            )),
            Err(error) => Err(error),
        };
        *self.flight.borrow_mut() = None;
        flight.land(outcome.clone());
        (outcome, true)
    }

    async fn refresh_request(&self) -> RefreshOutcome {
        let Some(current) = self.tokens() else {
            return Err(ErrorInfo::local(
                "notAuthenticated",
                "log in or call useTokens() first",
                false,
            ));
        };
        self.refreshes.set(self.refreshes.get().saturating_add(1));
        let url = format!("{}/auth/refresh", self.iam_url);
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
        code: "badResponse",
        message: e.message().into(),
        details: None,
        retryable: false,
    })
}
