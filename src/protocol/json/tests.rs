//! Unit tests of the JSON reader and writer (compiled for tests only).
#![cfg(test)]

use super::*;

fn parse(text: &str) -> Value<'_> {
    Value::parse(text).unwrap()
}

fn kind_of(text: &str) -> ErrorKind {
    Value::parse(text).unwrap_err().kind
}

#[test]
fn accepts_every_kind_of_value_and_trims_whitespace() {
    for (text, raw) in [
        ("null", "null"),
        (" true", "true"),
        ("false ", "false"),
        ("\t\r\n 0 \n", "0"),
        ("-0.5e+10", "-0.5e+10"),
        ("1E-2", "1E-2"),
        (
            r#""a\"\\\/\b\f\n\r\t\u00e9""#,
            r#""a\"\\\/\b\f\n\r\t\u00e9""#,
        ),
        ("[ ]", "[ ]"),
        ("{ }", "{ }"),
        (
            r#" { "a" : [ 1 , { "b" : null } ] , "c" : "" } "#,
            r#"{ "a" : [ 1 , { "b" : null } ] , "c" : "" }"#,
        ),
    ] {
        let value = parse(text);
        assert_eq!(value.raw(), raw, "{text:?}");
        assert_eq!(value.at(), text.find(|c: char| !c.is_whitespace()).unwrap());
    }
}

#[test]
fn rejects_what_rfc_8259_rejects() {
    use ErrorKind::*;
    for (text, kind) in [
        ("", Eof),
        ("  ", Eof),
        ("[", Eof),
        ("[1,", Eof),
        ("{\"a\"", Eof),
        ("{\"a\":", Eof),
        ("\"abc", Eof),
        ("\"\\u12", Eof),
        ("tru", Eof),
        ("-", Eof),
        ("1.", Eof),
        ("1e", Eof),
        ("1e+", Eof),
        ("[1,]", Syntax),
        ("{\"a\":1,}", Syntax),
        ("{,}", Syntax),
        ("[,1]", Syntax),
        ("{\"a\" 1}", Syntax),
        ("{'a':1}", Syntax),
        ("{a:1}", Syntax),
        ("[1 2]", Syntax),
        ("[1}", Syntax),
        ("{\"a\":1]", Syntax),
        ("01", Trailing),
        ("[01]", Syntax),
        ("-01", Trailing),
        ("+1", Syntax),
        (".5", Syntax),
        ("1.e5", Syntax),
        ("-a", Syntax),
        ("NaN", Syntax),
        ("Infinity", Syntax),
        ("nul", Eof),
        ("nulL", Syntax),
        ("\"\\x\"", Syntax),
        ("\"\\u12G4\"", Syntax),
        ("\"\\U0041\"", Syntax),
        ("\"a\u{1}b\"", Syntax),
        ("\"tab\there\"", Syntax),
        ("\u{feff}1", Syntax),
        ("\u{a0}1", Syntax),
        ("\u{c}1", Syntax),
        ("1 2", Trailing),
        ("{} x", Trailing),
        ("\"a\"\"b\"", Trailing),
        ("[]]", Trailing),
    ] {
        assert_eq!(kind_of(text), kind, "{text:?}");
    }
}

#[test]
fn error_positions_point_at_the_offending_byte() {
    let at = |text: &str| Value::parse(text).unwrap_err().at;
    assert_eq!(at("[1,]"), 3);
    assert_eq!(at("{\"a\":1 x"), 7);
    assert_eq!(at("\"ab"), 3);
    assert_eq!(at("[1] x"), 4);
    assert_eq!(at("\"\\q\""), 2);
    assert_eq!(at("[\"é\u{1}\"]"), 4);
}

#[test]
fn errors_never_quote_the_input() {
    let secret = "{\"token\":\"s3cr3t\" garbage";
    let error = Value::parse(secret).unwrap_err();
    assert!(!error.to_string().contains("s3cr3t"));
    assert!(!format!("{error:?}").contains("s3cr3t"));
}

#[test]
fn nesting_is_limited_to_max_depth() {
    let nest = |n: usize, open: &str, close: &str| format!("{}{}", open.repeat(n), close.repeat(n));
    let depth = MAX_DEPTH as usize;
    assert!(Value::parse(&nest(depth, "[", "]")).is_ok());
    assert!(Value::parse(&nest(depth, "{\"a\":", "}").replace(":}", ":1}")).is_ok());
    let too_deep = nest(depth + 1, "[", "]");
    assert_eq!(
        Value::parse(&too_deep).unwrap_err(),
        Error::new(ErrorKind::Depth, depth)
    );
    // Objects and arrays mixed, closing in the right order at every level.
    let mut mixed = String::new();
    for n in 0..depth {
        mixed.push_str(if n % 2 == 0 { "{\"k\":" } else { "[" });
    }
    mixed.push('1');
    for n in (0..depth).rev() {
        mixed.push(if n % 2 == 0 { '}' } else { ']' });
    }
    assert!(Value::parse(&mixed).is_ok());
    let wrong = mixed.replacen("]}", "}]", 1);
    assert_eq!(kind_of(&wrong), ErrorKind::Syntax);
    // Deep but unbalanced input is an error, not a stack overflow.
    assert!(Value::parse(&"[".repeat(1_000_000)).is_err());
    assert!(Value::parse(&"{\"a\":".repeat(100_000)).is_err());
}

#[test]
fn strings_decode_escapes_and_surrogate_pairs() {
    let text = |t: &str| parse(t).to_str().map(Cow::into_owned);
    assert!(matches!(
        parse(r#""plain é""#).to_str(),
        Ok(Cow::Borrowed("plain é"))
    ));
    assert_eq!(text(r#""a\"b\\c\/d""#).unwrap(), "a\"b\\c/d");
    assert_eq!(text(r#""\b\f\n\r\t""#).unwrap(), "\u{8}\u{c}\n\r\t");
    assert_eq!(
        text(r#""\u0000\u001F\u00e9\u20AC""#).unwrap(),
        "\u{0}\u{1f}é€"
    );
    assert_eq!(text(r#""\uD83D\uDE00!""#).unwrap(), "😀!");
    assert_eq!(text(r#""\udbff\udfff""#).unwrap(), "\u{10ffff}");
    for lone in [
        r#""\ud800""#,
        r#""\udc00""#,
        r#""\ud800x""#,
        r#""\ud800\n""#,
        r#""\ud800\u0041""#,
        r#""\ud800\ud800""#,
        r#""\udfff\ud800""#,
    ] {
        assert_eq!(
            parse(lone).to_str().unwrap_err(),
            Error::new(ErrorKind::Surrogate, 0),
            "{lone}"
        );
    }
    assert_eq!(parse("1").to_str().unwrap_err().kind, ErrorKind::Type);
}

#[test]
fn numbers_read_as_the_caller_needs() {
    let u = |t: &str| parse(t).to_u64().ok();
    assert_eq!(u("0"), Some(0));
    assert_eq!(u("18446744073709551615"), Some(u64::MAX));
    for bad in [
        "18446744073709551616",
        "-1",
        "-0",
        "1.0",
        "1e0",
        "\"1\"",
        "null",
        "true",
    ] {
        assert_eq!(u(bad), None, "{bad}");
    }
    let u32_of = |t: &str| parse(t).to_u32().ok();
    assert_eq!(u32_of("4294967295"), Some(u32::MAX));
    assert_eq!(u32_of("4294967296"), None);

    let f = |t: &str| parse(t).to_f64().ok();
    assert_eq!(f("0"), Some(0.0));
    assert_eq!(f("-0").map(f64::is_sign_negative), Some(true));
    assert_eq!(f("1700000000.5"), Some(1_700_000_000.5));
    assert_eq!(f("1.7976931348623157e308"), Some(f64::MAX));
    assert_eq!(f("4.9e-324"), Some(5e-324));
    assert_eq!(f("1e-400"), Some(0.0));
    assert_eq!(f("0e999999999999"), Some(0.0));
    assert_eq!(
        f("18446744073709551616"),
        Some(18_446_744_073_709_551_616.0)
    );
    assert_eq!(f("1e400"), None);
    assert_eq!(f("-1e400"), None);
    assert_eq!(f("1e99999999999999999999"), None);
    assert_eq!(f("\"1\""), None);
    assert_eq!(parse("1e400").to_f64().unwrap_err().kind, ErrorKind::Syntax);
}

#[test]
fn bools_and_types() {
    assert_eq!(parse("true").to_bool(), Ok(true));
    assert_eq!(parse("false").to_bool(), Ok(false));
    assert_eq!(parse("null").to_bool().unwrap_err().kind, ErrorKind::Type);
    let v = parse(r#"[null, {}, [], "", 1]"#);
    let kinds: Vec<_> = v
        .items()
        .map(|i| {
            (
                i.is_null(),
                i.is_object(),
                i.is_array(),
                i.is_string(),
                i.is_number(),
            )
        })
        .collect();
    assert_eq!(
        kinds,
        [
            (true, false, false, false, false),
            (false, true, false, false, false),
            (false, false, true, false, false),
            (false, false, false, true, false),
            (false, false, false, false, true),
        ]
    );
}

#[test]
fn objects_and_arrays_iterate_in_order_with_positions() {
    let text = r#" { "a" : 1 , "b\u0063" : [ 2 , "x" ] , "a" : {"n":null} } "#;
    let v = parse(text);
    let entries: Vec<(String, &str, usize)> = v
        .entries()
        .map(|(k, v)| (k.to_str().unwrap().into_owned(), v.raw(), v.at()))
        .collect();
    assert_eq!(
        entries,
        [
            ("a".to_string(), "1", 9),
            ("bc".to_string(), r#"[ 2 , "x" ]"#, 25),
            ("a".to_string(), r#"{"n":null}"#, 45),
        ]
    );
    for (_, raw, at) in &entries {
        assert_eq!(&text[*at..*at + raw.len()], *raw);
    }
    assert_eq!(
        v.get("a").unwrap().raw(),
        r#"{"n":null}"#,
        "the last one wins"
    );
    assert_eq!(v.get("bc").unwrap().items().count(), 2);
    assert_eq!(v.get("missing"), None);
    assert_eq!(parse("[]").items().count(), 0);
    assert_eq!(parse("{}").entries().count(), 0);
    assert_eq!(parse("[1]").entries().count(), 0);
    assert_eq!(parse(r#"{"a":1}"#).items().count(), 0);
    assert_eq!(parse("\"s\"").get("s"), None);
    let undecodable = parse(r#"{"\ud800":1,"a":2}"#);
    assert_eq!(undecodable.entries().count(), 2);
    assert_eq!(undecodable.get("a").unwrap().raw(), "2");
    let items: Vec<&str> = parse(r#"[ "]" , "\"[" , [[]] , {"}":"{"} ]"#)
        .items()
        .map(Value::raw)
        .collect();
    assert_eq!(items, [r#""]""#, r#""\"[""#, "[[]]", r#"{"}":"{"}"#]);
}

/// Every value inside `a` and `b`, in the same order, is the same.
fn same_tree(a: Value<'_>, b: Value<'_>) {
    assert_eq!((a.raw(), a.at()), (b.raw(), b.at()));
    assert_eq!(a.items().count(), b.items().count());
    for (x, y) in a.items().zip(b.items()) {
        same_tree(x, y);
    }
    assert_eq!(a.entries().count(), b.entries().count());
    for ((kx, x), (ky, y)) in a.entries().zip(b.entries()) {
        assert_eq!((kx.raw(), kx.at()), (ky.raw(), ky.at()));
        same_tree(x, y);
    }
}

#[test]
fn documents_read_as_values_do_and_detach_from_the_text() {
    let text = r#" {"a":[1,{"b":[[],{}]},"]"],"c":{"d":{"e":"x}"}},"f":[{"}":"{"}]} "#;
    let doc = Document::parse(text).unwrap();
    same_tree(doc.root(), parse(text));
    let d = doc.root().get("c").unwrap().get("d").unwrap();
    let detached = doc.detach(d);
    drop(doc);
    assert_eq!(detached.raw(), r#"{"e":"x}"}"#);
    assert_eq!(detached.at(), 37);
    assert_eq!(detached.get("e").unwrap().to_str().unwrap(), "x}");
    assert_eq!(
        Document::parse("[1,]").unwrap_err(),
        Value::parse("[1,]").unwrap_err()
    );
    let deep = format!(
        "{}{}",
        "[".repeat(MAX_DEPTH as usize),
        "]".repeat(MAX_DEPTH as usize)
    );
    same_tree(Document::parse(&deep).unwrap().root(), parse(&deep));
}

#[test]
fn fields_read_structs_as_serde_derive_does() {
    let v = parse(r#"{"b":2,"x":{"b":9},"a":1}"#);
    let [a, b, c] = fields(v, ["a", "b", "c"]).unwrap();
    assert_eq!((a.unwrap().raw(), b.unwrap().raw(), c), ("1", "2", None));
    // Aliases share a slot, and count as the same field.
    let [t] = fields(
        parse(r#"{"accessToken":"t"}"#),
        ["token|authToken|accessToken"],
    )
    .unwrap();
    assert_eq!(t.unwrap().raw(), "\"t\"");
    let dup = fields(
        parse(r#"{"token":1,"accessToken":2}"#),
        ["token|accessToken"],
    );
    assert_eq!(dup.unwrap_err(), Error::new(ErrorKind::Duplicate, 11));
    assert!(fields(parse(r#"{"a":1,"a":1}"#), ["a"]).is_err());
    // Unknown keys may repeat; keys are matched after unescaping.
    assert!(fields(parse(r#"{"z":1,"z":1,"\u0061":3}"#), ["a"]).unwrap()[0].is_some());
    // A key that cannot be decoded fails the struct, as in serde_json.
    assert_eq!(
        fields(parse(r#"{"\udc00":1}"#), ["a"]).unwrap_err().kind,
        ErrorKind::Surrogate
    );
    // The array form: fields in order, missing ones absent, no extras.
    let [a, b] = fields(parse("[1]"), ["a", "b"]).unwrap();
    assert_eq!((a.map(Value::raw), b), (Some("1"), None));
    assert_eq!(
        fields(parse("[1,2,3]"), ["a", "b"]).unwrap_err(),
        Error::new(ErrorKind::Trailing, 5)
    );
    for other in ["1", "\"a\"", "null", "true"] {
        assert_eq!(
            fields(parse(other), ["a"]).unwrap_err().kind,
            ErrorKind::Type
        );
    }
}

#[test]
fn strict_values_are_what_serde_json_can_build() {
    assert!(parse(r#"{"a":["x",1.5,-2,{"b":null}],"c":"\u00e9\ud83d\ude00"}"#).is_strict());
    assert!(!parse(r#"{"a":["\ud800"]}"#).is_strict());
    assert!(!parse(r#"{"\udc00":1}"#).is_strict());
    assert!(!parse(r#"[1e400]"#).is_strict());
    assert!(parse(r#"["1e400", "\\ud800"]"#).is_strict());
}

#[test]
fn strings_are_escaped_as_serde_json_escapes_them() {
    let cases = [
        ("", r#""""#),
        ("plain", r#""plain""#),
        ("\"\\/", r#""\"\\/""#),
        ("\u{8}\u{c}\n\r\t", r#""\b\f\n\r\t""#),
        ("\u{0}\u{1}\u{1f}\u{7f}", "\"\\u0000\\u0001\\u001f\u{7f}\""),
        ("é😀\u{2028}", "\"é😀\u{2028}\""),
    ];
    for (text, json) in cases {
        assert_eq!(string(text), json, "{text:?}");
        let mut out = String::from("x");
        push_string(&mut out, text);
        assert_eq!(out, format!("x{json}"));
    }
}

#[test]
fn integers_are_written_in_decimal() {
    for n in [
        0,
        1,
        9,
        10,
        99,
        100,
        4_294_967_295,
        10_000_000_000_000_000_000,
        u64::MAX,
    ] {
        let mut out = String::new();
        push_u64(&mut out, n);
        assert_eq!(out, n.to_string());
    }
    for n in [0, -1, 1, i64::MIN, i64::MAX, -10] {
        let mut out = String::new();
        push_i64(&mut out, n);
        assert_eq!(out, n.to_string());
    }
}

/// Differential tests against serde_json, natively (proptest does not run
/// in the browser).
#[cfg(not(target_arch = "wasm32"))]
mod against_serde_json {
    use super::super::testing::{arb_json_text, arb_text, config};
    use super::*;
    use proptest::prelude::*;
    use serde_json::value::RawValue;

    /// Depth of the deepest array or object in checked text.
    fn depth(value: Value<'_>) -> u32 {
        let children = value
            .items()
            .chain(value.entries().map(|(_, v)| v))
            .map(depth)
            .max()
            .unwrap_or(0);
        children + u32::from(value.is_array() || value.is_object())
    }

    /// serde_json's own reading of a number, within a few units in the last place.
    fn close(mine: f64, theirs: f64) -> bool {
        mine == theirs || (mine - theirs).abs() <= theirs.abs() * 1e-14 + f64::MIN_POSITIVE
    }

    /// Checks every value inside `value` against what serde_json makes of its text.
    fn agrees(value: Value<'_>) -> Result<(), TestCaseError> {
        let raw = value.raw();
        let theirs = serde_json::from_str::<&RawValue>(raw)
            .ok()
            .map(RawValue::get);
        prop_assert_eq!(theirs, Some(raw));
        prop_assert_eq!(
            value.to_str().ok().map(Cow::into_owned),
            serde_json::from_str::<String>(raw).ok()
        );
        prop_assert_eq!(value.to_u64().ok(), serde_json::from_str::<u64>(raw).ok());
        prop_assert_eq!(value.to_u32().ok(), serde_json::from_str::<u32>(raw).ok());
        prop_assert_eq!(value.to_bool().ok(), serde_json::from_str::<bool>(raw).ok());
        match (value.to_f64(), serde_json::from_str::<f64>(raw)) {
            (Ok(mine), Ok(theirs)) => {
                prop_assert!(close(mine, theirs), "{raw}: {mine} vs {theirs}")
            }
            (mine, theirs) => prop_assert_eq!(mine.is_ok(), theirs.is_ok(), "{}", raw),
        }
        prop_assert_eq!(
            value.is_strict(),
            serde_json::from_str::<serde_json::Value>(raw).is_ok()
        );
        if value.is_array() {
            let theirs: Vec<&RawValue> = serde_json::from_str(raw).unwrap();
            let mine: Vec<&str> = value.items().map(Value::raw).collect();
            let theirs: Vec<&str> = theirs.iter().map(|r| r.get()).collect();
            prop_assert_eq!(mine, theirs);
        }
        if value.is_object() {
            // serde_json decodes every key; the entries are those of a map
            // that keeps duplicates, in order.
            let theirs: Result<Vec<(String, &RawValue)>, _> =
                serde_json::from_str::<Entries>(raw).map(|e| e.0);
            let mine: Option<Vec<(String, &str)>> = value
                .entries()
                .map(|(k, v)| Some((k.to_str().ok()?.into_owned(), v.raw())))
                .collect();
            match theirs {
                Ok(theirs) => {
                    let theirs: Vec<(String, &str)> =
                        theirs.into_iter().map(|(k, v)| (k, v.get())).collect();
                    prop_assert_eq!(mine, Some(theirs));
                }
                Err(_) => prop_assert_eq!(mine, None),
            }
        }
        for item in value.items() {
            agrees(item)?;
        }
        for (key, item) in value.entries() {
            prop_assert_eq!(
                key.to_str().ok().map(Cow::into_owned),
                serde_json::from_str::<String>(key.raw()).ok()
            );
            agrees(item)?;
        }
        Ok(())
    }

    /// Every entry of an object, in order, duplicates kept.
    struct Entries<'a>(Vec<(String, &'a RawValue)>);

    impl<'de: 'a, 'a> serde::Deserialize<'de> for Entries<'a> {
        fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            struct Visit;
            impl<'de> serde::de::Visitor<'de> for Visit {
                type Value = Entries<'de>;
                fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                    f.write_str("an object")
                }
                fn visit_map<A: serde::de::MapAccess<'de>>(
                    self,
                    mut map: A,
                ) -> Result<Self::Value, A::Error> {
                    let mut out = Vec::new();
                    while let Some(entry) = map.next_entry::<String, &RawValue>()? {
                        out.push(entry);
                    }
                    Ok(Entries(out))
                }
            }
            d.deserialize_map(Visit)
        }
    }

    fn arb_value() -> impl Strategy<Value = serde_json::Value> {
        use serde_json::Value as J;
        let leaf = prop_oneof![
            Just(J::Null),
            any::<bool>().prop_map(J::Bool),
            any::<u64>().prop_map(J::from),
            any::<i64>().prop_map(J::from),
            any::<f64>()
                .prop_filter("finite", |f| f.is_finite())
                .prop_map(J::from),
            any::<String>().prop_map(J::String),
        ];
        leaf.prop_recursive(6, 64, 8, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..6).prop_map(J::Array),
                proptest::collection::btree_map(any::<String>(), inner, 0..6)
                    .prop_map(|m| J::Object(m.into_iter().collect())),
            ]
        })
    }

    /// `value` (from serde_json) and `mine` hold the same data.
    fn same(value: &serde_json::Value, mine: Value<'_>) -> Result<(), TestCaseError> {
        use serde_json::Value as J;
        match value {
            J::Null => prop_assert!(mine.is_null()),
            J::Bool(b) => prop_assert_eq!(mine.to_bool(), Ok(*b)),
            J::Number(n) => {
                if let Some(u) = n.as_u64() {
                    prop_assert_eq!(mine.to_u64(), Ok(u));
                } else {
                    prop_assert!(mine.to_u64().is_err());
                }
                let f = n.as_f64().unwrap();
                let m = mine.to_f64().unwrap();
                if n.is_f64() {
                    prop_assert!(close(m, f), "{} vs {}", m, f);
                } else {
                    // Integers become the nearest f64, as `as f64` makes them.
                    prop_assert_eq!(m, f);
                }
            }
            J::String(s) => prop_assert_eq!(mine.to_str().unwrap(), s.as_str()),
            J::Array(items) => {
                prop_assert_eq!(mine.items().count(), items.len());
                for (item, m) in items.iter().zip(mine.items()) {
                    same(item, m)?;
                }
            }
            J::Object(map) => {
                prop_assert_eq!(mine.entries().count(), map.len());
                for (k, m) in mine.entries() {
                    let k = k.to_str().unwrap();
                    let item = map.get(k.as_ref());
                    prop_assert!(item.is_some(), "unknown key");
                    same(item.unwrap(), m)?;
                    prop_assert_eq!(mine.get(&k), Some(m));
                }
            }
        }
        Ok(())
    }

    proptest! {
        #![proptest_config(config())]

        /// Whatever serde_json writes, compact or pretty, reads back to the same data.
        #[test]
        fn reads_what_serde_json_writes(value in arb_value()) {
            for text in [
                serde_json::to_string(&value).unwrap(),
                serde_json::to_string_pretty(&value).unwrap(),
            ] {
                let mine = Value::parse(&text);
                prop_assert!(mine.is_ok(), "{:?}", mine);
                same(&value, mine.unwrap())?;
            }
        }

        /// Any text is accepted exactly when serde_json accepts it as a raw
        /// value (or skips it), except past the depth limit; the values
        /// inside read as serde_json reads them.
        #[test]
        fn accepts_exactly_what_serde_json_accepts(text in arb_text()) {
            let mine = Value::parse(&text);
            prop_assert_eq!(Document::parse(&text).map(|d| d.root().raw().len()), mine.map(|v| v.raw().len()));
            let raw = serde_json::from_str::<&RawValue>(&text);
            let skipped = serde_json::from_str::<serde::de::IgnoredAny>(&text);
            prop_assert_eq!(raw.is_ok(), skipped.is_ok());
            match (mine, raw) {
                (Ok(mine), Ok(raw)) => {
                    prop_assert_eq!(mine.raw(), raw.get());
                    agrees(mine)?;
                }
                (Err(e), Ok(_)) => prop_assert_eq!(e.kind, ErrorKind::Depth),
                (Ok(mine), Err(e)) => prop_assert!(false, "accepted {:?}, serde_json: {}", mine, e),
                (Err(e), Err(_)) => prop_assert!(e.at <= text.len()),
            }
        }

        /// JSON texts built token by token (with what a serde_json::Value
        /// cannot hold) read as serde_json reads them, value by value.
        #[test]
        fn values_read_as_serde_json_reads_them(text in arb_json_text()) {
            let mine = Value::parse(&text);
            prop_assert!(mine.is_ok(), "{:?}", mine);
            let mine = mine.unwrap();
            prop_assert!(depth(mine) <= MAX_DEPTH);
            agrees(mine)?;
        }

        /// A document finds every value where a scan finds it.
        #[test]
        fn documents_find_what_scanning_finds(text in arb_json_text()) {
            let doc = Document::parse(&text).unwrap();
            same_tree(doc.root(), Value::parse(&text).unwrap());
        }

        /// Escaping matches serde_json byte for byte and reads back.
        #[test]
        fn escaping_matches_serde_json(text in any::<String>()) {
            let mine = string(&text);
            prop_assert_eq!(&mine, &serde_json::to_string(&text).unwrap());
            prop_assert_eq!(serde_json::from_str::<String>(&mine).unwrap(), text.clone());
            prop_assert_eq!(Value::parse(&mine).unwrap().to_str().unwrap(), text.as_str());
        }

        /// Every character written as `\uXXXX` (surrogate pairs beyond the
        /// BMP) decodes back.
        #[test]
        fn unicode_escapes_decode(text in any::<String>()) {
            let mut json = String::from("\"");
            for unit in text.encode_utf16() {
                json.push_str(&format!("\\u{unit:04X}"));
            }
            json.push('"');
            prop_assert_eq!(Value::parse(&json).unwrap().to_str().unwrap(), text.as_str());
        }

        /// Where the digits fit a u64 and the power of ten is within ±22,
        /// this reader gets the bits serde_json gets, correctly rounded
        /// below 2^53.
        #[test]
        fn floats_in_the_exact_range_match_bit_for_bit(
            significand in prop_oneof![0u64..(1 << 53), any::<u64>()],
            exponent in -22i32..=22,
            negative in any::<bool>(),
            shape in 0..3,
        ) {
            let sign = if negative { "-" } else { "" };
            let text = match shape {
                0 => format!("{sign}{significand}e{exponent}"),
                1 if exponent < 0 => {
                    let digits = format!("{significand:0>23}");
                    let point = digits.len() - exponent.unsigned_abs() as usize;
                    let integer = digits[..point].trim_start_matches('0');
                    let integer = if integer.is_empty() { "0" } else { integer };
                    format!("{sign}{integer}.{}", &digits[point..])
                }
                _ => format!("{sign}{significand}E+{}", exponent.max(0)),
            };
            let mine = Value::parse(&text).unwrap().to_f64().unwrap();
            let theirs: f64 = serde_json::from_str(&text).unwrap();
            prop_assert_eq!(mine.to_bits(), theirs.to_bits(), "{}", text);
            if significand < 1 << 53 {
                prop_assert_eq!(mine, text.parse::<f64>().unwrap(), "{}", text);
            }
        }
    }
}
