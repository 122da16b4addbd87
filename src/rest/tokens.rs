//! The token pair and when to renew it.

use super::jwt;
use crate::protocol::json::{fields, Value};

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
    pub fn new(token: String, refresh_token: String) -> Result<Self, TokenError> {
        if token.is_empty() {
            return Err(TokenError::MissingToken);
        }
        let expires_at_ms = jwt::expires_at_ms(&token).ok_or(TokenError::NoExpiry)?;
        Ok(TokenPair {
            token,
            refresh_token,
            expires_at_ms,
        })
    }

    /// Reads a login or refresh answer: `token` (or `authToken`, as the PHP SDK
    /// names it) and `refreshToken` (or `refresh_token`).
    ///
    /// ```
    /// use twin_panel::rest::tokens::TokenPair;
    /// let body = r#"{"authToken":"x.eyJleHAiOjEwfQ.y","refreshToken":"r"}"#;
    /// let pair = TokenPair::from_auth_body(body).unwrap();
    /// assert_eq!(pair.expires_at_ms, 10_000);
    /// ```
    pub fn from_auth_body(body: &str) -> Result<Self, TokenError> {
        let body = Value::parse(body).map_err(|_| TokenError::Unreadable)?;
        let [token, refresh] = fields(
            body,
            ["token|authToken|accessToken", "refreshToken|refresh_token"],
        )
        .map_err(|_| TokenError::Unreadable)?;
        // Absent and null both read as missing; any other non-string is unreadable.
        let text = |v: Option<Value<'_>>| match v.filter(|v| !v.is_null()) {
            None => Ok(None),
            Some(v) => v
                .to_str()
                .map(|s| Some(s.into_owned()))
                .map_err(|_| TokenError::Unreadable),
        };
        let (token, refresh) = (text(token)?, text(refresh)?);
        let token = token.ok_or(TokenError::MissingToken)?;
        let refresh = refresh
            .filter(|r| !r.is_empty())
            .ok_or(TokenError::MissingRefreshToken)?;
        TokenPair::new(token, refresh)
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
        now_ms
            + remaining
                .saturating_sub(refresh_before_ms)
                .max(remaining / 2)
    }

    /// True when the token has expired at `now_ms`.
    pub fn is_expired(&self, now_ms: u64) -> bool {
        now_ms >= self.expires_at_ms
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOKEN: &str = "x.eyJleHAiOjEwfQ.y"; // exp 10 s

    #[test]
    fn reads_both_spellings() {
        let a = TokenPair::from_auth_body(&format!(r#"{{"token":"{TOKEN}","refreshToken":"r"}}"#))
            .unwrap();
        let b = TokenPair::from_auth_body(&format!(
            r#"{{"authToken":"{TOKEN}","refreshToken":"r","extra":1}}"#
        ))
        .unwrap();
        assert_eq!(a, b);
        assert_eq!(a.expires_at_ms, 10_000);
    }

    #[test]
    fn missing_parts_are_errors() {
        assert_eq!(
            TokenPair::from_auth_body("\"text\"").unwrap_err(),
            TokenError::Unreadable
        );
        assert_eq!(
            TokenPair::from_auth_body(r#"{"refreshToken":"r"}"#).unwrap_err(),
            TokenError::MissingToken
        );
        assert_eq!(
            TokenPair::from_auth_body(&format!(r#"{{"token":"{TOKEN}"}}"#)).unwrap_err(),
            TokenError::MissingRefreshToken
        );
        assert_eq!(
            TokenPair::from_auth_body(r#"{"token":"opaque","refreshToken":"r"}"#).unwrap_err(),
            TokenError::NoExpiry
        );
    }

    #[test]
    fn expiry_checks() {
        let pair =
            TokenPair::from_auth_body(&format!(r#"{{"token":"{TOKEN}","refreshToken":"r"}}"#))
                .unwrap();
        assert!(!pair.is_expired(9_999));
        assert!(pair.is_expired(10_000));
        assert_eq!(pair.refresh_due_at(20_000, 1_000), 20_000);
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod same_as_serde {
    use super::*;
    use crate::protocol::json::testing::{arb_input, config};
    use proptest::prelude::*;

    /// The serde_json reader `from_auth_body` replaced.
    fn old_from_auth_body(body: &str) -> Result<TokenPair, TokenError> {
        #[derive(serde::Deserialize)]
        struct Body {
            #[serde(default, alias = "authToken", alias = "accessToken")]
            token: Option<String>,
            #[serde(default, rename = "refreshToken", alias = "refresh_token")]
            refresh_token: Option<String>,
        }
        let body: Body = serde_json::from_str(body).map_err(|_| TokenError::Unreadable)?;
        let token = body.token.ok_or(TokenError::MissingToken)?;
        let refresh = body
            .refresh_token
            .filter(|r| !r.is_empty())
            .ok_or(TokenError::MissingRefreshToken)?;
        TokenPair::new(token, refresh)
    }

    const TEMPLATES: &[&str] = &[
        "@",
        r#"{"token":@,"refreshToken":"r"}"#,
        r#"{"authToken":"x.eyJleHAiOjEwfQ.y","refresh_token":@}"#,
        r#"{"accessToken":"x.eyJleHAiOjEwfQ.y","refreshToken":"r","token":@}"#,
        r#"["x.eyJleHAiOjEwfQ.y",@]"#,
        r#"[@,"r"]"#,
    ];

    const FRAMES: &[&str] = &[
        r#"{"token":"x.eyJleHAiOjEwfQ.y","refreshToken":"r"}"#,
        r#"{"authToken":"x.eyJleHAiOjEwfQ.y","refresh_token":"r","extra":1}"#,
        r#"{"accessToken":"x.eyJleHAiOjEwfQ.y","refreshToken":"r"}"#,
    ];

    proptest! {
        #![proptest_config(config())]

        #[test]
        fn auth_bodies_read_as_before(body in arb_input(TEMPLATES, FRAMES)) {
            prop_assert_eq!(TokenPair::from_auth_body(&body), old_from_auth_body(&body));
        }
    }
}
