//! Generators for the tests that hold this reader against serde_json: JSON
//! texts built token by token, so they can hold what a `serde_json::Value`
//! cannot (unpaired surrogate escapes, repeated keys, numbers too large for
//! an `f64`), with the field names the protocol decoders look for.
#![cfg(test)]

use proptest::prelude::*;
use proptest::sample::select;

/// Every field name a decoder of this crate reads, and a few it skips.
pub const KEYS: &[&str] = &[
    "id",
    "error",
    "connect",
    "push",
    "code",
    "message",
    "temporary",
    "client",
    "version",
    "subs",
    "ping",
    "pong",
    "recoverable",
    "epoch",
    "offset",
    "was_recovering",
    "recovered",
    "publications",
    "channel",
    "pub",
    "subscribe",
    "unsubscribe",
    "disconnect",
    "data",
    "reason",
    "event",
    "sid",
    "upgrades",
    "pingInterval",
    "pingTimeout",
    "maxPayload",
    "token",
    "authToken",
    "accessToken",
    "refreshToken",
    "refresh_token",
    "details",
    "exp",
    "positioned",
    "join",
];

/// Numbers at the edges the decoders care about.
const NUMBERS: &[&str] = &[
    "0",
    "1",
    "-0",
    "-1",
    "7",
    "25000",
    "4294967295",
    "4294967296",
    "18446744073709551615",
    "18446744073709551616",
    "-9223372036854775808",
    "-9223372036854775809",
    "1.5",
    "2.0",
    "1e2",
    "1E+2",
    "-25e-1",
    "0e0",
    "1e400",
    "-1e400",
    "1e-400",
    "0.1",
    "123456789012345678901234567890",
    "18446744073709551616.5",
    "1700000000.5",
    "1.7976931348623157e308",
];

/// Strings with and without escapes, some of which cannot become Rust text.
const STRINGS: &[&str] = &[
    r#""""#,
    r#""a""#,
    r#""null""#,
    r#""operatorBlocked""#,
    r#""chatMessageCreated""#,
    r#""websocket""#,
    r#""é😀""#,
    r#""a\"b\\c\/\b\f\n\r\t""#,
    r#""\u00e9\u0000""#,
    r#""\ud83d\ude00""#,
    r#""\ud800""#,
    r#""\udc00""#,
    r#""x\ud800\u0041""#,
    r#""\ud800\ud800\udc00""#,
];

fn ws() -> impl Strategy<Value = &'static str> {
    select(&["", "", "", "", " ", "\n", " \t\r\n "][..])
}

/// A quoted key: mostly a known field name, sometimes spelt with an escape,
/// sometimes a key no decoder reads or one that cannot be decoded.
pub fn arb_key() -> impl Strategy<Value = String> {
    prop_oneof![
        12 => select(KEYS).prop_map(|k| format!("\"{k}\"")),
        1 => select(KEYS).prop_map(|k| {
            let mut chars = k.chars();
            let first = chars.next().map_or(0, u32::from);
            format!("\"\\u{first:04x}{}\"", chars.as_str())
        }),
        1 => Just(r#""\ud800""#.to_string()),
        1 => "[a-z_]{0,3}".prop_map(|k| format!("\"{k}\"")),
    ]
}

fn arb_leaf() -> impl Strategy<Value = String> {
    prop_oneof![
        2 => select(&["null", "true", "false"][..]).prop_map(str::to_string),
        3 => select(NUMBERS).prop_map(str::to_string),
        3 => select(STRINGS).prop_map(str::to_string),
        1 => any::<u64>().prop_map(|n| n.to_string()),
        1 => any::<i64>().prop_map(|n| n.to_string()),
        1 => any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(|f| serde_json::to_string(&f).unwrap()),
        2 => any::<String>().prop_map(|s| serde_json::to_string(&s).unwrap()),
    ]
}

/// JSON text: arrays and objects up to five deep, with whitespace between
/// tokens; keys repeat now and then.
pub fn arb_json_text() -> impl Strategy<Value = String> {
    arb_leaf().prop_recursive(5, 64, 6, |inner| {
        prop_oneof![
            proptest::collection::vec((ws(), inner.clone(), ws()), 0..5).prop_map(|items| {
                let items: Vec<String> = items
                    .into_iter()
                    .map(|(a, v, b)| format!("{a}{v}{b}"))
                    .collect();
                format!("[{}]", items.join(","))
            }),
            proptest::collection::vec((ws(), arb_key(), ws(), inner), 0..6).prop_map(|entries| {
                let entries: Vec<String> = entries
                    .into_iter()
                    .map(|(a, k, b, v)| format!("{a}{k}{b}:{v}"))
                    .collect();
                format!("{{{}}}", entries.join(","))
            }),
        ]
    })
}

/// One edit of a text, at a char position taken modulo its length.
#[derive(Debug, Clone)]
pub enum Edit {
    /// Remove a char.
    Delete(usize),
    /// Insert a char.
    Insert(usize, char),
    /// Replace a char.
    Replace(usize, char),
    /// Cut the text.
    Truncate(usize),
}

fn arb_char() -> impl Strategy<Value = char> {
    prop_oneof![
        4 => select(&[
            '{', '}', '[', ']', '"', ':', ',', '0', '1', '9', '-', '+', '.', 'e', 'E', 't', 'n',
            'u', 'l', '\\', '/', ' ', '\n', '\t', '\r', '\u{0}', '\u{1f}', '\u{a0}', '\u{feff}',
            'é',
        ][..]),
        1 => any::<char>(),
    ]
}

fn arb_edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        2 => any::<usize>().prop_map(Edit::Delete),
        2 => (any::<usize>(), arb_char()).prop_map(|(p, c)| Edit::Insert(p, c)),
        2 => (any::<usize>(), arb_char()).prop_map(|(p, c)| Edit::Replace(p, c)),
        1 => any::<usize>().prop_map(Edit::Truncate),
    ]
}

/// One to three edits.
pub fn arb_edits() -> impl Strategy<Value = Vec<Edit>> {
    proptest::collection::vec(arb_edit(), 1..4)
}

/// Applies `edits` to `text`.
pub fn apply(text: &str, edits: &[Edit]) -> String {
    let mut chars: Vec<char> = text.chars().collect();
    for edit in edits {
        let len = chars.len();
        match *edit {
            Edit::Delete(p) if len > 0 => {
                chars.remove(p % len);
            }
            Edit::Insert(p, c) => chars.insert(p % (len + 1), c),
            Edit::Replace(p, c) if len > 0 => chars[p % len] = c,
            Edit::Truncate(p) => chars.truncate(p % (len + 1)),
            _ => {}
        }
    }
    chars.into_iter().collect()
}

/// A JSON text after one to three edits: mostly no longer JSON, or only just.
pub fn arb_near_json_text() -> impl Strategy<Value = String> {
    (arb_json_text(), arb_edits()).prop_map(|(text, edits)| apply(&text, &edits))
}

/// Any text at all, from a JSON-heavy alphabet or from all of Unicode.
pub fn arb_any_text() -> impl Strategy<Value = String> {
    prop_oneof![
        proptest::collection::vec(arb_char(), 0..64).prop_map(|c| c.into_iter().collect()),
        any::<String>(),
    ]
}

/// Valid, nearly valid and arbitrary texts, in that proportion.
pub fn arb_text() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => arb_json_text(),
        4 => arb_near_json_text(),
        1 => arb_any_text(),
    ]
}

/// Texts for a decoder: `templates` (frames with `@` where a generated value
/// goes) filled in, `frames` after a few edits, and any text at all.
pub fn arb_input(
    templates: &'static [&'static str],
    frames: &'static [&'static str],
) -> impl Strategy<Value = String> {
    prop_oneof![
        4 => (select(templates), arb_json_text()).prop_map(|(t, v)| t.replace('@', &v)),
        2 => select(frames).prop_map(str::to_string),
        3 => (select(frames), arb_edits()).prop_map(|(f, e)| apply(f, &e)),
        1 => arb_text(),
    ]
}

/// Proptest settings of these tests: 512 cases unless `PROPTEST_CASES` says.
pub fn config() -> ProptestConfig {
    ProptestConfig {
        cases: std::env::var("PROPTEST_CASES")
            .ok()
            .and_then(|n| n.parse().ok())
            .unwrap_or(512),
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}
