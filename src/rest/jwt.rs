//! Reads the expiry of a JWT access token, as the platform's PHP SDK does:
//! split on `.`, base64url-decode the middle part, take the numeric `exp`.
//! The signature is the server's business; the client only needs the time.

use crate::protocol::json_engine::{exact_u64, JsonEngine, Object};
use crate::text::decimal;

/// Expiry of `token` in Unix milliseconds, or `None` when it has no readable
/// numeric `exp`.
pub fn expires_at_ms<J: JsonEngine>(json: &J, token: &str) -> Option<u64> {
    let exp = claims(json, token)?.f64("exp").ok()??;
    (exp.is_finite() && exp >= 0.0).then_some((exp * 1000.0) as u64)
}

/// The payload of `token`: split on `.` (exactly three parts),
/// base64url-decode the middle one, parse it with the engine.
fn claims<'j, J: JsonEngine>(json: &'j J, token: &str) -> Option<Object<'j, J>> {
    let mut parts = token.split('.');
    let (_header, payload, _signature) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    let text = base64url_decode(payload)?;
    // A payload that is not UTF-8 is not JSON; bad bytes inside a string
    // value do not matter for the claims read here, so they are replaced
    // rather than refused.
    let value = json.parse(&String::from_utf8_lossy(&text)).ok()?;
    Object::new(json, value).ok()
}

/// The `sub` claim of `token` (a string, or a whole number as its text), or
/// `None` when it has none.
pub fn subject<J: JsonEngine>(json: &J, token: &str) -> Option<String> {
    let sub = claims(json, token)?.get("sub")?;
    match json.string(&sub) {
        Some(text) => Some(text).filter(|text| !text.is_empty()),
        None => json.number(&sub).and_then(exact_u64).map(decimal),
    }
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

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use crate::protocol::test_json::SerdeJson;

    fn expiry(token: &str) -> Option<u64> {
        expires_at_ms(&SerdeJson, token)
    }

    #[test]
    fn reads_exp_in_seconds() {
        // {"alg":"HS256"} . {"exp":1700000000} . sig
        let token = "eyJhbGciOiJIUzI1NiJ9.eyJleHAiOjE3MDAwMDAwMDB9.c2ln";
        assert_eq!(expiry(token), Some(1_700_000_000_000));
        assert_eq!(expiry("not-a-jwt"), None);
    }

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
        assert_eq!(expiry(token), Some(1_700_000_000_500));
    }

    #[test]
    fn reads_the_subject() {
        // {"sub":"1"}, {"sub":42}, {"exp":1}
        assert_eq!(
            subject(&SerdeJson, "x.eyJzdWIiOiIxIn0.y").as_deref(),
            Some("1")
        );
        assert_eq!(
            subject(&SerdeJson, "x.eyJzdWIiOjQyfQ.y").as_deref(),
            Some("42")
        );
        assert_eq!(subject(&SerdeJson, "x.eyJleHAiOjF9.y"), None);
        assert_eq!(subject(&SerdeJson, "opaque"), None);
    }

    #[test]
    fn tokens_without_exp_are_rejected() {
        // {"sub":"1"}
        assert_eq!(expiry("x.eyJzdWIiOiIxIn0.y"), None);
        assert_eq!(expiry("x.y"), None);
        assert_eq!(expiry("a.b.c.d"), None);
    }
}
