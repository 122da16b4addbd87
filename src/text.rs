//! Text built without `core::fmt`: decimal numbers and messages made of
//! parts. `format!` and `to_string()` on a number pull the formatting
//! machinery into the wasm for every type they touch; messages and URLs are
//! built from these instead. Pure.

/// Appends `n` in decimal.
///
/// ```
/// let mut out = String::from("id ");
/// twin_panel::text::push_decimal(&mut out, 4096);
/// assert_eq!(out, "id 4096");
/// ```
pub fn push_decimal(out: &mut String, n: u64) {
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    let mut rest = n;
    loop {
        at -= 1;
        if let Some(digit) = digits.get_mut(at) {
            // `rest % 10` is below 10: the cast cannot truncate.
            *digit = b'0' + (rest % 10) as u8;
        }
        rest /= 10;
        if rest == 0 || at == 0 {
            break;
        }
    }
    for &digit in digits.get(at..).unwrap_or_default() {
        out.push(char::from(digit));
    }
}

/// `n` in decimal.
///
/// ```
/// assert_eq!(twin_panel::text::decimal(0), "0");
/// assert_eq!(twin_panel::text::decimal(u64::MAX), u64::MAX.to_string());
/// ```
pub fn decimal(n: u64) -> String {
    let mut out = String::new();
    push_decimal(&mut out, n);
    out
}

/// The parts joined, in one allocation (`[..].concat()` ships a generic
/// join with separators).
///
/// ```
/// assert_eq!(twin_panel::text::concat(&["a", "bc", ""]), "abc");
/// ```
pub fn concat(parts: &[&str]) -> String {
    let mut out = String::with_capacity(parts.iter().map(|part| part.len()).sum());
    for part in parts {
        out.push_str(part);
    }
    out
}

/// Where `needle` first starts in `haystack`, by bytes (`str::find` with a
/// `&str` pattern ships the two-way searcher and its panics' formatting).
///
/// ```
/// assert_eq!(twin_panel::text::find("wss://host/ws", "://"), Some(3));
/// assert_eq!(twin_panel::text::find("host", "://"), None);
/// ```
pub fn find(haystack: &str, needle: &str) -> Option<usize> {
    let needle = needle.as_bytes();
    if needle.is_empty() {
        return Some(0);
    }
    haystack
        .as_bytes()
        .windows(needle.len())
        .position(|window| window == needle)
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    #[test]
    fn decimal_matches_display() {
        for n in [0, 1, 9, 10, 99, 100, 12345, 1 << 53, u64::MAX - 1, u64::MAX] {
            assert_eq!(decimal(n), n.to_string());
        }
    }
}
