//! The token pair and when to renew it.

use super::jwt;
use crate::protocol::json_engine::{JsonEngine, Object};

/// An access token with its refresh token and expiry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenPair {
    /// The JWT sent as `Authorization: Bearer ...` and in the Centrifugo connect data.
    pub token: String,
    /// The opaque token that buys a new pair.
    pub refresh_token: String,
    /// Expiry of `token`, Unix milliseconds.
    pub expires_at_ms: u64,
}

/// Why a login or refresh answer could not be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenError {
    /// The body is not the expected JSON object.
    Unreadable,
    /// No `token` (or `authToken`) in the body.
    MissingToken,
    /// No `refreshToken` in the body.
    MissingRefreshToken,
    /// The token has no readable `exp`.
    NoExpiry,
}

impl TokenError {
    /// A message that never quotes the token.
    pub fn message(&self) -> &'static str {
        match self {
            TokenError::Unreadable => "the auth answer is not a JSON object",
            TokenError::MissingToken => "the auth answer has no token",
            TokenError::MissingRefreshToken => "the auth answer has no refreshToken",
            TokenError::NoExpiry => "the token has no readable exp claim",
        }
    }
}

impl TokenPair {
    /// Builds a pair from a token and refresh token, reading the expiry from the JWT.
    pub fn new<J: JsonEngine>(
        json: &J,
        token: String,
        refresh_token: String,
    ) -> Result<Self, TokenError> {
        if token.is_empty() {
            return Err(TokenError::MissingToken);
        }
        let expires_at_ms = jwt::expires_at_ms(json, &token).ok_or(TokenError::NoExpiry)?;
        Ok(TokenPair {
            token,
            refresh_token,
            expires_at_ms,
        })
    }

    /// Reads a login or refresh answer: `token` (or `authToken` / `accessToken`,
    /// as the PHP SDK names it) and `refreshToken` (or `refresh_token`).
    /// The platform's pages and SDKs spell the fields in several ways; every
    /// spelling seen is accepted, the first one present wins.
    pub fn from_auth_body<J: JsonEngine>(json: &J, body: &str) -> Result<Self, TokenError> {
        let answer = json
            .parse(body)
            .and_then(|value| Object::new(json, value))
            .map_err(|_| TokenError::Unreadable)?;
        let first = |names: &[&str]| -> Result<Option<String>, TokenError> {
            for name in names {
                if let Some(text) = answer.str(name).map_err(|_| TokenError::Unreadable)? {
                    return Ok(Some(text));
                }
            }
            Ok(None)
        };
        let token =
            first(&["token", "authToken", "accessToken"])?.ok_or(TokenError::MissingToken)?;
        let refresh = first(&["refreshToken", "refresh_token"])?
            .filter(|r| !r.is_empty())
            .ok_or(TokenError::MissingRefreshToken)?;
        TokenPair::new(json, token, refresh)
    }

    /// When to renew proactively: `refresh_before_ms` ahead of expiry, but never
    /// earlier than half the remaining lifetime, so short tokens are not
    /// refreshed in a loop.
    ///
    /// ```
    /// use twin_panel::rest::tokens::TokenPair;
    /// let pair = TokenPair { token: "t".into(), refresh_token: "r".into(), expires_at_ms: 100_000 };
    /// assert_eq!(pair.refresh_due_at(0, 10_000), 90_000);
    /// assert_eq!(pair.refresh_due_at(0, 900_000), 50_000);
    /// ```
    pub fn refresh_due_at(&self, now_ms: u64, refresh_before_ms: u64) -> u64 {
        let remaining = self.expires_at_ms.saturating_sub(now_ms);
        now_ms.saturating_add(
            remaining
                .saturating_sub(refresh_before_ms)
                .max(remaining / 2),
        )
    }

    /// True when the token has expired at `now_ms`.
    pub fn is_expired(&self, now_ms: u64) -> bool {
        now_ms >= self.expires_at_ms
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use crate::protocol::test_json::SerdeJson;

    fn from_auth_body(body: &str) -> Result<TokenPair, TokenError> {
        TokenPair::from_auth_body(&SerdeJson, body)
    }

    const TOKEN: &str = "x.eyJleHAiOjEwfQ.y"; // exp 10 s

    #[test]
    fn reads_both_spellings() {
        let a = from_auth_body(&format!(r#"{{"token":"{TOKEN}","refreshToken":"r"}}"#)).unwrap();
        let b = from_auth_body(&format!(
            r#"{{"authToken":"{TOKEN}","refreshToken":"r","extra":1}}"#
        ))
        .unwrap();
        assert_eq!(a, b);
        assert_eq!(a.expires_at_ms, 10_000);
    }

    #[test]
    fn missing_parts_are_errors() {
        assert_eq!(
            from_auth_body("\"text\"").unwrap_err(),
            TokenError::Unreadable
        );
        assert_eq!(
            from_auth_body(r#"{"refreshToken":"r"}"#).unwrap_err(),
            TokenError::MissingToken
        );
        assert_eq!(
            from_auth_body(&format!(r#"{{"token":"{TOKEN}"}}"#)).unwrap_err(),
            TokenError::MissingRefreshToken
        );
        assert_eq!(
            from_auth_body(r#"{"token":"opaque","refreshToken":"r"}"#).unwrap_err(),
            TokenError::NoExpiry
        );
    }

    #[test]
    fn expiry_checks() {
        let pair = from_auth_body(&format!(r#"{{"token":"{TOKEN}","refreshToken":"r"}}"#)).unwrap();
        assert!(!pair.is_expired(9_999));
        assert!(pair.is_expired(10_000));
        assert_eq!(pair.refresh_due_at(20_000, 1_000), 20_000);
    }
}
