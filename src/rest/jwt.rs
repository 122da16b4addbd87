//! Reads the expiry of a JWT access token, as the platform's PHP SDK does:
//! split on `.`, base64url-decode the middle part, take the numeric `exp`.
//! The signature is the server's business; the client only needs the time.

use crate::protocol::json::{fields, Value};

/// Expiry of `token` in Unix milliseconds, or `None` when it has no readable `exp`.
///
/// ```
/// use twin_panel::rest::jwt::expires_at_ms;
/// // {"alg":"HS256"} . {"exp":1700000000} . sig
/// let token = "eyJhbGciOiJIUzI1NiJ9.eyJleHAiOjE3MDAwMDAwMDB9.c2ln";
/// assert_eq!(expires_at_ms(token), Some(1_700_000_000_000));
/// assert_eq!(expires_at_ms("not-a-jwt"), None);
/// ```
pub fn expires_at_ms(token: &str) -> Option<u64> {
    let mut parts = token.split('.');
    let (_header, payload, _signature) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    let json = base64url_decode(payload)?;
    // A payload that is not UTF-8 is not JSON; bad bytes inside a string
    // value do not matter for `exp`, so they are replaced rather than refused.
    let json = String::from_utf8_lossy(&json);
    let [exp] = fields(Value::parse(&json).ok()?, ["exp"]).ok()?;
    let exp = exp?.to_f64().ok()?;
    if exp < 0.0 {
        return None;
    }
    Some((exp * 1000.0) as u64)
}

/// Decodes unpadded (or padded) base64url; `None` on any other character.
pub fn base64url_decode(text: &str) -> Option<Vec<u8>> {
    fn sextet(c: u8) -> Option<u32> {
        Some(match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'-' | b'+' => 62,
            b'_' | b'/' => 63,
            _ => return None,
        } as u32)
    }
    let bytes = text.trim_end_matches('=').as_bytes();
    if bytes.len() % 4 == 1 {
        return None;
    }
    let mut out = Vec::with_capacity(bytes.len() * 3 / 4);
    for chunk in bytes.chunks(4) {
        let mut acc = 0u32;
        for (i, &c) in chunk.iter().enumerate() {
            acc |= sextet(c)? << (18 - 6 * i);
        }
        let produced = chunk.len() - 1;
        for i in 0..produced {
            out.push((acc >> (16 - 8 * i)) as u8);
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_base64url_without_padding() {
        assert_eq!(base64url_decode("aGVsbG8").unwrap(), b"hello");
        assert_eq!(base64url_decode("aGVsbG8=").unwrap(), b"hello");
        assert_eq!(base64url_decode("_-8").unwrap(), vec![0xff, 0xef]);
        assert_eq!(base64url_decode("").unwrap(), Vec::<u8>::new());
        assert!(base64url_decode("a").is_none());
        assert!(base64url_decode("a$bc").is_none());
    }

    #[test]
    fn fractional_exp_is_accepted() {
        // {"exp":1700000000.5}
        let token = "x.eyJleHAiOjE3MDAwMDAwMDAuNX0.y";
        assert_eq!(expires_at_ms(token), Some(1_700_000_000_500));
    }

    #[test]
    fn tokens_without_exp_are_rejected() {
        // {"sub":"1"}
        assert_eq!(expires_at_ms("x.eyJzdWIiOiIxIn0.y"), None);
        assert_eq!(expires_at_ms("x.y"), None);
        assert_eq!(expires_at_ms("a.b.c.d"), None);
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod same_as_serde {
    use super::*;
    use crate::protocol::json::testing::{arb_input, config};
    use proptest::prelude::*;

    /// The serde_json reader of the claims that `expires_at_ms` replaced.
    fn old_expiry(claims: &[u8]) -> Option<u64> {
        #[derive(serde::Deserialize)]
        struct Claims {
            exp: f64,
        }
        let claims: Claims = serde_json::from_slice(claims).ok()?;
        if !claims.exp.is_finite() || claims.exp < 0.0 {
            return None;
        }
        Some((claims.exp * 1000.0) as u64)
    }

    fn base64url(bytes: &[u8]) -> String {
        const ALPHABET: &[u8; 64] =
            b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        let mut out = String::new();
        for chunk in bytes.chunks(3) {
            let n = chunk.iter().fold(0u32, |acc, &b| acc << 8 | u32::from(b))
                << (8 * (3 - chunk.len()));
            for i in 0..=chunk.len() {
                out.push(char::from(ALPHABET[(n >> (18 - 6 * i) & 63) as usize]));
            }
        }
        out
    }

    const TEMPLATES: &[&str] = &["@", r#"{"exp":@}"#, r#"{"sub":@,"exp":1700000000}"#, "[@]"];

    const FRAMES: &[&str] = &[
        r#"{"exp":1700000000}"#,
        r#"{"exp":1700000000.5,"iat":1}"#,
        r#"{"exp":1.7e9}"#,
    ];

    #[test]
    fn base64url_round_trips() {
        for text in ["", "a", "ab", "abc", "abcd", "\u{ff}\u{fe}"] {
            assert_eq!(
                base64url_decode(&base64url(text.as_bytes())).unwrap(),
                text.as_bytes()
            );
        }
    }

    proptest! {
        #![proptest_config(config())]

        #[test]
        fn expiry_reads_as_before(claims in arb_input(TEMPLATES, FRAMES)) {
            let token = format!("h.{}.s", base64url(claims.as_bytes()));
            prop_assert_eq!(expires_at_ms(&token), old_expiry(claims.as_bytes()));
        }

        #[test]
        fn integer_expiries_read_as_before(exp in any::<u64>()) {
            let claims = format!(r#"{{"exp":{exp}}}"#);
            let token = format!("h.{}.s", base64url(claims.as_bytes()));
            prop_assert_eq!(expires_at_ms(&token), old_expiry(claims.as_bytes()));
        }
    }
}
