//! Percent-encoding of one URL component (a path segment, a query key or
//! value): the crate's only encoder. Pure.

/// Appends `text` percent-encoded: every byte of its UTF-8 but the RFC 3986
/// unreserved characters (`A-Z a-z 0-9 - . _ ~`) as `%XX`. Stricter than
/// `encodeURIComponent` (which keeps `! * ' ( )`), and so safe in any component.
///
/// ```
/// let mut out = String::new();
/// twin_panel::percent::encode_component("a b/é!", &mut out);
/// assert_eq!(out, "a%20b%2F%C3%A9%21");
/// ```
pub fn encode_component(text: &str, out: &mut String) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for &byte in text.as_bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(byte));
        } else {
            let hex = |nibble: u8| HEX.get(usize::from(nibble)).map_or('0', |&h| char::from(h));
            out.push('%');
            out.push(hex(byte >> 4));
            out.push(hex(byte & 0x0F));
        }
    }
}

/// Decodes `%XX` escapes; `None` for a malformed escape or bytes that are not
/// UTF-8. Used to see through an encoded path before checking it.
///
/// ```
/// assert_eq!(twin_panel::percent::decode("%2e%2E/a%20b").as_deref(), Some("../a b"));
/// assert_eq!(twin_panel::percent::decode("%zz"), None);
/// ```
pub fn decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut at = 0;
    while let Some(&byte) = bytes.get(at) {
        if byte == b'%' {
            let hex = text.get(at + 1..at + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            at += 3;
        } else {
            out.push(byte);
            at += 1;
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_unreserved_characters_stay() {
        let mut out = String::new();
        encode_component("aZ09-_.~!*'() /?#&=+é", &mut out);
        assert_eq!(out, "aZ09-_.~%21%2A%27%28%29%20%2F%3F%23%26%3D%2B%C3%A9");
    }

    #[test]
    fn decoding_round_trips() {
        for text in ["", "plain", "a b/c?d=é&%", "..", "Иван / VIP #1"] {
            let mut out = String::new();
            encode_component(text, &mut out);
            assert_eq!(decode(&out).as_deref(), Some(text));
        }
        assert_eq!(decode("%"), None);
        assert_eq!(decode("%4"), None);
        assert_eq!(decode("%ff"), None);
    }
}
