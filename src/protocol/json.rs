//! A small, strict JSON reader and writer: just what the wire protocols need.
//!
//! **Reading.** [`Value::parse`] checks a whole JSON text once (RFC 8259
//! syntax, at most [`MAX_DEPTH`] nested arrays and objects, nothing but
//! whitespace after the value) and returns a [`Value`]: a view of the text of
//! one value. Nothing is copied or built up front; a value is read when it is
//! asked for — the entries of an object, the items of an array, a string with
//! its escapes decoded, a number as the integer or float the caller needs. The
//! exact text of any value stays available ([`Value::raw`]), so payloads reach
//! the browser's `JSON.parse` untouched.
//!
//! Strings are checked as serde_json checks a value it skips or keeps raw: an
//! unpaired surrogate escape (`"\ud800"`) is valid JSON text, as for
//! `JSON.parse`. Decoding such a string into Rust text
//! ([`Value::to_str`]) is an error.
//!
//! [`fields`] reads a struct the way serde's derive did, so replies that
//! decoded before decode the same way now.
//!
//! **Writing.** [`push_string`] escapes exactly as serde_json does, byte for
//! byte; [`push_u64`] and [`push_i64`] write integers without `core::fmt`.
//!
//! Errors carry a kind and a byte position, never any of the input: tokens
//! travel in these frames.
//!
//! ```
//! use twin_panel::protocol::json::{self, Value};
//! let reply = Value::parse(r#"{"id":7,"data":{"x":[1, 2]},"name":"a\"b"}"#).unwrap();
//! assert_eq!(reply.get("id").unwrap().to_u64(), Ok(7));
//! assert_eq!(reply.get("data").unwrap().raw(), r#"{"x":[1, 2]}"#);
//! assert_eq!(reply.get("name").unwrap().to_str().unwrap(), "a\"b");
//! let mut out = String::new();
//! json::push_string(&mut out, "a\"b\n");
//! assert_eq!(out, r#""a\"b\n""#);
//! ```

use std::borrow::Cow;
use std::fmt;

/// The most arrays and objects that may be open at once, so that no input
/// can make a reader of nested values run deep. serde_json refuses a 128th
/// level in the values it builds and has no limit in those it skips or keeps
/// raw; this reader refuses a 129th level anywhere.
pub const MAX_DEPTH: u32 = 128;

/// What was wrong with a JSON text, or with a value for what was asked of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// The text ended inside a value.
    Eof,
    /// A byte that cannot stand here.
    Syntax,
    /// More than [`MAX_DEPTH`] arrays and objects open at once.
    Depth,
    /// Something other than whitespace after the value.
    Trailing,
    /// A string with an unpaired surrogate escape was asked for as text.
    Surrogate,
    /// A value of another type, or a number outside the range asked for.
    Type,
    /// A required field is absent.
    Missing,
    /// A field appears twice.
    Duplicate,
}

impl ErrorKind {
    /// True when the text itself is not acceptable JSON (as opposed to a
    /// well-formed value of the wrong shape). serde_json calls the first
    /// "syntax" or "EOF" errors and the second "data" errors.
    pub fn is_syntax(self) -> bool {
        matches!(
            self,
            ErrorKind::Eof
                | ErrorKind::Syntax
                | ErrorKind::Depth
                | ErrorKind::Trailing
                | ErrorKind::Surrogate
        )
    }
}

/// A JSON error: what and where (a byte offset into the text that was parsed).
///
/// ```
/// use twin_panel::protocol::json::{ErrorKind, Value};
/// let e = Value::parse(r#"{"a":tru"#).unwrap_err();
/// assert_eq!((e.kind, e.at), (ErrorKind::Eof, 8));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Error {
    /// What was wrong.
    pub kind: ErrorKind,
    /// Byte offset where it was found.
    pub at: usize,
}

impl Error {
    fn new(kind: ErrorKind, at: usize) -> Self {
        Error { kind, at }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match self.kind {
            ErrorKind::Eof => "unexpected end of JSON",
            ErrorKind::Syntax => "invalid JSON",
            ErrorKind::Depth => "JSON nested too deep",
            ErrorKind::Trailing => "text after the JSON value",
            ErrorKind::Surrogate => "unpaired surrogate in a JSON string",
            ErrorKind::Type => "JSON value of an unexpected type",
            ErrorKind::Missing => "missing JSON field",
            ErrorKind::Duplicate => "duplicate JSON field",
        };
        write!(f, "{what} at byte {}", self.at)
    }
}

impl std::error::Error for Error {}

/// One JSON value of a checked text: its exact text, without the whitespace
/// around it, and where that text starts in the parsed document.
///
/// A `Value` only comes from [`Value::parse`], a [`Document`] or reading
/// another value, so its text is always valid JSON.
#[derive(Clone, Copy)]
pub struct Value<'a> {
    raw: &'a str,
    at: usize,
    /// The arrays and objects of the document, when a [`Document`] recorded
    /// them; empty otherwise (their ends are then found by scanning).
    spans: &'a [Span],
}

impl PartialEq for Value<'_> {
    /// The same text at the same place.
    fn eq(&self, other: &Self) -> bool {
        self.raw == other.raw && self.at == other.at
    }
}

impl Eq for Value<'_> {}

/// Where an array or object of a [`Document`] starts and ends (after its
/// closing bracket), as byte offsets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Span {
    start: usize,
    end: usize,
}

/// A checked JSON text with the place of every array and object in it, so
/// that reading a value nested deep does not scan the values around it again
/// at every level: worth it for the frames of a busy connection.
///
/// Values read from a document borrow it; [`detach`](Self::detach) turns
/// one into a value of the text itself, which outlives the document.
///
/// ```
/// use twin_panel::protocol::json::Document;
/// let text = String::from(r#"{"a":[1,{"b":2}],"c":"x"}"#);
/// let c = {
///     let doc = Document::parse(&text).unwrap();
///     let c = doc.root().get("c").unwrap();
///     doc.detach(c)
/// };
/// assert_eq!(c.to_str().unwrap(), "x");
/// ```
#[derive(Debug)]
pub struct Document<'t> {
    text: &'t str,
    root: (usize, usize),
    spans: Vec<Span>,
}

impl<'t> Document<'t> {
    /// Checks `text` as [`Value::parse`] does, recording its arrays and objects.
    pub fn parse(text: &'t str) -> Result<Self, Error> {
        let mut spans = Vec::new();
        let root = check(text.as_bytes(), Some(&mut spans))?;
        Ok(Document { text, root, spans })
    }

    /// The value of the whole text.
    pub fn root(&self) -> Value<'_> {
        Value {
            raw: self.text.get(self.root.0..self.root.1).unwrap_or_default(),
            at: self.root.0,
            spans: &self.spans,
        }
    }

    /// `value`, read from this document, as a value of the text itself.
    pub fn detach(&self, value: Value<'_>) -> Value<'t> {
        Value {
            raw: self
                .text
                .get(value.at..value.at + value.raw.len())
                .unwrap_or_default(),
            at: value.at,
            spans: &[],
        }
    }
}

impl fmt::Debug for Value<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.raw)
    }
}

impl<'a> Value<'a> {
    /// Checks that `text` is one JSON value with only whitespace around it.
    ///
    /// ```
    /// use twin_panel::protocol::json::{ErrorKind, Value};
    /// assert_eq!(Value::parse(" [1, {}] \n").unwrap().raw(), "[1, {}]");
    /// assert_eq!(Value::parse("[1] x").unwrap_err().kind, ErrorKind::Trailing);
    /// assert_eq!(Value::parse("[01]").unwrap_err().kind, ErrorKind::Syntax);
    /// ```
    pub fn parse(text: &'a str) -> Result<Self, Error> {
        let (start, end) = check(text.as_bytes(), None)?;
        Ok(Value {
            raw: text.get(start..end).unwrap_or_default(),
            at: start,
            spans: &[],
        })
    }

    /// The exact text of the value.
    pub fn raw(self) -> &'a str {
        self.raw
    }

    /// Byte offset of the value in the parsed document.
    pub fn at(self) -> usize {
        self.at
    }

    /// An error of `kind` at this value.
    pub fn error(self, kind: ErrorKind) -> Error {
        Error::new(kind, self.at)
    }

    fn first(self) -> u8 {
        self.raw.as_bytes().first().copied().unwrap_or(b'n')
    }

    /// True for `null`.
    pub fn is_null(self) -> bool {
        self.first() == b'n'
    }

    /// True for an object.
    pub fn is_object(self) -> bool {
        self.first() == b'{'
    }

    /// True for an array.
    pub fn is_array(self) -> bool {
        self.first() == b'['
    }

    /// True for a string.
    pub fn is_string(self) -> bool {
        self.first() == b'"'
    }

    /// True for a number.
    pub fn is_number(self) -> bool {
        matches!(self.first(), b'-' | b'0'..=b'9')
    }

    /// `true` or `false`.
    pub fn to_bool(self) -> Result<bool, Error> {
        match self.raw {
            "true" => Ok(true),
            "false" => Ok(false),
            _ => Err(self.error(ErrorKind::Type)),
        }
    }

    /// A string with its escapes decoded; borrowed when it has none.
    ///
    /// ```
    /// use twin_panel::protocol::json::{ErrorKind, Value};
    /// let s = Value::parse(r#""\u00e9\ud83d\ude00\n""#).unwrap();
    /// assert_eq!(s.to_str().unwrap(), "é😀\n");
    /// let lone = Value::parse(r#""\ud800""#).unwrap();
    /// assert_eq!(lone.to_str().unwrap_err().kind, ErrorKind::Surrogate);
    /// ```
    pub fn to_str(self) -> Result<Cow<'a, str>, Error> {
        if !self.is_string() {
            return Err(self.error(ErrorKind::Type));
        }
        let inner = self
            .raw
            .get(1..self.raw.len().saturating_sub(1))
            .unwrap_or_default();
        if !inner.contains('\\') {
            return Ok(Cow::Borrowed(inner));
        }
        unescape(inner)
            .map(Cow::Owned)
            .ok_or_else(|| self.error(ErrorKind::Surrogate))
    }

    /// A non-negative integer without fraction or exponent that fits a `u64`.
    ///
    /// ```
    /// use twin_panel::protocol::json::Value;
    /// let n = |t| Value::parse(t).unwrap().to_u64().ok();
    /// assert_eq!(n("18446744073709551615"), Some(u64::MAX));
    /// assert_eq!((n("18446744073709551616"), n("-1"), n("-0"), n("1.0"), n("1e2")), (None, None, None, None, None));
    /// ```
    pub fn to_u64(self) -> Result<u64, Error> {
        let digits = self.raw.as_bytes();
        if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
            return Err(self.error(ErrorKind::Type));
        }
        digits
            .iter()
            .try_fold(0u64, |n, &d| {
                n.checked_mul(10)?.checked_add(u64::from(d - b'0'))
            })
            .ok_or_else(|| self.error(ErrorKind::Type))
    }

    /// [`to_u64`](Self::to_u64) within `u32`.
    pub fn to_u32(self) -> Result<u32, Error> {
        u32::try_from(self.to_u64()?).map_err(|_| self.error(ErrorKind::Type))
    }

    /// Any number as an `f64`; an error when it does not fit (is infinite).
    ///
    /// The bits serde_json gives when the digits (without the point) fit a
    /// `u64` and the power of ten is within ±22; then also correctly rounded
    /// when the digits are below 2^53, as a JWT `exp` always is. Beyond that
    /// within 3 units in the last place, where serde_json is within 2.
    ///
    /// ```
    /// use twin_panel::protocol::json::Value;
    /// let f = |t| Value::parse(t).unwrap().to_f64().ok();
    /// assert_eq!(f("1700000000.5"), Some(1_700_000_000.5));
    /// assert_eq!(f("-25e-1"), Some(-2.5));
    /// assert_eq!(f("1e400"), None);
    /// ```
    pub fn to_f64(self) -> Result<f64, Error> {
        if !self.is_number() {
            return Err(self.error(ErrorKind::Type));
        }
        let f = number_to_f64(self.raw.as_bytes());
        if f.is_finite() {
            Ok(f)
        } else {
            Err(self.error(ErrorKind::Syntax))
        }
    }

    /// The entries of an object in text order (none for any other value).
    /// Keys are string values: decode them with [`to_str`](Self::to_str).
    pub fn entries(self) -> Entries<'a> {
        Entries {
            inner: Cursor::open(self, b'{'),
        }
    }

    /// The items of an array in order (none for any other value).
    pub fn items(self) -> Items<'a> {
        Items {
            inner: Cursor::open(self, b'['),
        }
    }

    /// The value of the last entry named `key`, as `JSON.parse` keeps it.
    /// Keys that cannot be decoded never match.
    pub fn get(self, key: &str) -> Option<Value<'a>> {
        self.entries()
            .filter(|(k, _)| k.to_str().is_ok_and(|k| k == key))
            .last()
            .map(|(_, v)| v)
    }

    /// True when every string in the value (keys too) decodes to Rust text
    /// and every number fits an `f64`: what serde_json needs to build a
    /// `serde_json::Value` from it.
    pub fn is_strict(self) -> bool {
        let bytes = self.raw.as_bytes();
        let mut i = 0;
        while let Some(&b) = bytes.get(i) {
            let end = match b {
                b'"' => string_end(bytes, i),
                b'-' | b'0'..=b'9' => scalar_end(bytes, i),
                _ => i + 1,
            };
            let token = self.child(i, end);
            let fine = match b {
                b'"' => token.to_str().is_ok(),
                b'-' | b'0'..=b'9' => token.to_f64().is_ok(),
                _ => true,
            };
            if !fine {
                return false;
            }
            i = end.max(i + 1);
        }
        true
    }

    /// The value whose text spans `start..end` of this one.
    fn child(self, start: usize, end: usize) -> Value<'a> {
        Value {
            raw: self.raw.get(start..end).unwrap_or_default(),
            at: self.at + start,
            spans: self.spans,
        }
    }

    /// End of the member value starting at `i` of this value's text: from
    /// the recorded spans for an array or object, when there are some.
    fn end_of(self, i: usize) -> usize {
        let bytes = self.raw.as_bytes();
        if matches!(bytes.get(i), Some(b'{' | b'[')) {
            let start = self.at + i;
            let found = self.spans.binary_search_by_key(&start, |span| span.start);
            if let Some(span) = found.ok().and_then(|k| self.spans.get(k)) {
                return span.end - self.at;
            }
        }
        value_end(bytes, i)
    }
}

/// Walks the members of a checked array or object.
#[derive(Clone)]
struct Cursor<'a> {
    value: Value<'a>,
    /// Index of the next member (or of the closing bracket); `None` when done.
    next: Option<usize>,
}

impl<'a> Cursor<'a> {
    fn open(value: Value<'a>, bracket: u8) -> Self {
        let next = (value.first() == bracket).then(|| skip_ws(value.raw.as_bytes(), 1));
        Cursor { value, next }
    }

    /// The next member: its text range. Also steps over the `,` after it.
    fn member(&mut self) -> Option<(usize, usize)> {
        let bytes = self.value.raw.as_bytes();
        let start = self.next.take()?;
        if matches!(bytes.get(start), Some(b'}' | b']') | None) {
            return None;
        }
        let end = self.value.end_of(start);
        let after = skip_ws(bytes, end);
        if bytes.get(after) == Some(&b',') {
            self.next = Some(skip_ws(bytes, after + 1));
        }
        Some((start, end))
    }
}

/// The entries of an object: `(key, value)`, the key a string [`Value`].
#[derive(Clone)]
pub struct Entries<'a> {
    inner: Cursor<'a>,
}

impl<'a> Iterator for Entries<'a> {
    type Item = (Value<'a>, Value<'a>);

    fn next(&mut self) -> Option<Self::Item> {
        let cursor = &mut self.inner;
        let bytes = cursor.value.raw.as_bytes();
        let key_start = cursor.next.take()?;
        if bytes.get(key_start) != Some(&b'"') {
            return None;
        }
        let key_end = string_end(bytes, key_start);
        let colon = skip_ws(bytes, key_end);
        if bytes.get(colon) != Some(&b':') {
            return None;
        }
        cursor.next = Some(skip_ws(bytes, colon + 1));
        let (start, end) = cursor.member()?;
        Some((
            cursor.value.child(key_start, key_end),
            cursor.value.child(start, end),
        ))
    }
}

/// The items of an array.
#[derive(Clone)]
pub struct Items<'a> {
    inner: Cursor<'a>,
}

impl<'a> Iterator for Items<'a> {
    type Item = Value<'a>;

    fn next(&mut self) -> Option<Self::Item> {
        let (start, end) = self.inner.member()?;
        Some(self.inner.value.child(start, end))
    }
}

/// Reads a struct from `value` the way serde's derive reads one: an object,
/// whose entries named in `names` land in the slot of the same index (a
/// name may list aliases, separated by `|`; unknown keys are skipped; a field
/// given twice is an error), or an array of the fields in order (no longer
/// than `names`). A slot stays `None` when its field is absent.
///
/// ```
/// use twin_panel::protocol::json::{fields, Value};
/// let v = Value::parse(r#"{"authToken":"t","x":1}"#).unwrap();
/// let [token, refresh] = fields(v, ["token|authToken", "refreshToken"]).unwrap();
/// assert_eq!(token.unwrap().to_str().unwrap(), "t");
/// assert!(refresh.is_none());
/// assert!(fields(Value::parse(r#"{"token":1,"authToken":2}"#).unwrap(), ["token|authToken"]).is_err());
/// ```
pub fn fields<'a, const N: usize>(
    value: Value<'a>,
    names: [&str; N],
) -> Result<[Option<Value<'a>>; N], Error> {
    let mut slots = [None; N];
    read_fields(value, &names, &mut slots)?;
    Ok(slots)
}

fn read_fields<'a>(
    value: Value<'a>,
    names: &[&str],
    slots: &mut [Option<Value<'a>>],
) -> Result<(), Error> {
    if value.is_array() {
        let mut items = value.items();
        for slot in slots.iter_mut() {
            *slot = items.next();
        }
        return match items.next() {
            Some(extra) => Err(extra.error(ErrorKind::Trailing)),
            None => Ok(()),
        };
    }
    if !value.is_object() {
        return Err(value.error(ErrorKind::Type));
    }
    for (key, item) in value.entries() {
        let name = key.to_str()?;
        let found = names
            .iter()
            .position(|n| n.split('|').any(|alias| alias == name));
        if let Some(slot) = found.and_then(|i| slots.get_mut(i)) {
            if slot.is_some() {
                return Err(key.error(ErrorKind::Duplicate));
            }
            *slot = Some(item);
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// Checking a whole text

fn skip_ws(bytes: &[u8], mut i: usize) -> usize {
    while matches!(bytes.get(i), Some(b' ' | b'\t' | b'\n' | b'\r')) {
        i += 1;
    }
    i
}

/// Checks a whole text; returns the range of its value. With `spans`, also
/// records the range of every array and object, in the order they open.
fn check(bytes: &[u8], mut spans: Option<&mut Vec<Span>>) -> Result<(usize, usize), Error> {
    let start = skip_ws(bytes, 0);
    let mut i = start;
    // Bit n is set when the n-th open container is an object.
    let mut objects: u128 = 0;
    let mut depth: u32 = 0;
    // Where in `spans` each open container is, to set its end when it closes.
    let mut open = [0usize; MAX_DEPTH as usize];
    let close = |spans: &mut Option<&mut Vec<Span>>, open: &[usize], depth: u32, end: usize| {
        let at = open.get(depth as usize).copied().unwrap_or(usize::MAX);
        if let Some(span) = spans.as_deref_mut().and_then(|s| s.get_mut(at)) {
            span.end = end;
        }
    };
    loop {
        // A value starts at `i` (after whitespace).
        i = skip_ws(bytes, i);
        let Some(&b) = bytes.get(i) else {
            return Err(Error::new(ErrorKind::Eof, i));
        };
        match b {
            b'{' | b'[' => {
                if depth == MAX_DEPTH {
                    return Err(Error::new(ErrorKind::Depth, i));
                }
                if let Some(spans) = spans.as_deref_mut() {
                    if let Some(slot) = open.get_mut(depth as usize) {
                        *slot = spans.len();
                    }
                    spans.push(Span { start: i, end: i });
                }
                depth += 1;
                objects = objects << 1 | u128::from(b == b'{');
                i = skip_ws(bytes, i + 1);
                if bytes.get(i) == Some(if b == b'{' { &b'}' } else { &b']' }) {
                    depth -= 1;
                    objects >>= 1;
                    i += 1;
                    close(&mut spans, &open, depth, i);
                } else if b == b'{' {
                    i = check_key(bytes, i)?;
                    continue;
                } else {
                    continue;
                }
            }
            b'"' => i = check_string(bytes, i)?,
            b't' => i = check_literal(bytes, i, b"true")?,
            b'f' => i = check_literal(bytes, i, b"false")?,
            b'n' => i = check_literal(bytes, i, b"null")?,
            b'-' | b'0'..=b'9' => i = check_number(bytes, i)?,
            _ => return Err(Error::new(ErrorKind::Syntax, i)),
        }
        // A value ended at `i`: close containers until one wants another member.
        loop {
            if depth == 0 {
                let end = i;
                let rest = skip_ws(bytes, end);
                if rest < bytes.len() {
                    return Err(Error::new(ErrorKind::Trailing, rest));
                }
                return Ok((start, end));
            }
            i = skip_ws(bytes, i);
            let in_object = objects & 1 == 1;
            match (bytes.get(i), in_object) {
                (None, _) => return Err(Error::new(ErrorKind::Eof, i)),
                (Some(b','), true) => {
                    i = check_key(bytes, skip_ws(bytes, i + 1))?;
                    break;
                }
                (Some(b','), false) => {
                    i += 1;
                    break;
                }
                (Some(b'}'), true) | (Some(b']'), false) => {
                    depth -= 1;
                    objects >>= 1;
                    i += 1;
                    close(&mut spans, &open, depth, i);
                }
                _ => return Err(Error::new(ErrorKind::Syntax, i)),
            }
        }
    }
}

/// Checks `"key" :` at `i`; returns the index after the colon.
fn check_key(bytes: &[u8], i: usize) -> Result<usize, Error> {
    match bytes.get(i) {
        None => return Err(Error::new(ErrorKind::Eof, i)),
        Some(b'"') => {}
        Some(_) => return Err(Error::new(ErrorKind::Syntax, i)),
    }
    let end = skip_ws(bytes, check_string(bytes, i)?);
    match bytes.get(end) {
        None => Err(Error::new(ErrorKind::Eof, end)),
        Some(b':') => Ok(end + 1),
        Some(_) => Err(Error::new(ErrorKind::Syntax, end)),
    }
}

/// Checks the string starting at the quote at `i`; returns the index after it.
fn check_string(bytes: &[u8], i: usize) -> Result<usize, Error> {
    let mut j = i + 1;
    loop {
        j = string_stop(bytes, j, true);
        let Some(&b) = bytes.get(j) else {
            return Err(Error::new(ErrorKind::Eof, j));
        };
        match b {
            b'"' => return Ok(j + 1),
            b'\\' => {
                j += 1;
                match bytes.get(j) {
                    None => return Err(Error::new(ErrorKind::Eof, j)),
                    Some(b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't') => j += 1,
                    Some(b'u') => {
                        for k in j + 1..j + 5 {
                            match bytes.get(k) {
                                None => return Err(Error::new(ErrorKind::Eof, k)),
                                Some(h) if h.is_ascii_hexdigit() => {}
                                Some(_) => return Err(Error::new(ErrorKind::Syntax, k)),
                            }
                        }
                        j += 5;
                    }
                    Some(_) => return Err(Error::new(ErrorKind::Syntax, j)),
                }
            }
            0..=0x1f => return Err(Error::new(ErrorKind::Syntax, j)),
            _ => j += 1,
        }
    }
}

fn check_literal(bytes: &[u8], i: usize, word: &[u8]) -> Result<usize, Error> {
    for (k, &expected) in word.iter().enumerate() {
        match bytes.get(i + k) {
            None => return Err(Error::new(ErrorKind::Eof, i + k)),
            Some(&b) if b == expected => {}
            Some(_) => return Err(Error::new(ErrorKind::Syntax, i + k)),
        }
    }
    Ok(i + word.len())
}

/// `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?` at `i`.
fn check_number(bytes: &[u8], mut i: usize) -> Result<usize, Error> {
    let digits = |bytes: &[u8], i: usize| -> Result<usize, Error> {
        match bytes.get(i) {
            None => Err(Error::new(ErrorKind::Eof, i)),
            Some(b) if b.is_ascii_digit() => {
                let mut j = i + 1;
                while bytes.get(j).is_some_and(u8::is_ascii_digit) {
                    j += 1;
                }
                Ok(j)
            }
            Some(_) => Err(Error::new(ErrorKind::Syntax, i)),
        }
    };
    if bytes.get(i) == Some(&b'-') {
        i += 1;
    }
    i = if bytes.get(i) == Some(&b'0') {
        i + 1
    } else {
        digits(bytes, i)?
    };
    if bytes.get(i) == Some(&b'.') {
        i = digits(bytes, i + 1)?;
    }
    if matches!(bytes.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(bytes.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        i = digits(bytes, i)?;
    }
    Ok(i)
}

// ---------------------------------------------------------------------------
// Reading checked text (no errors left to find: on anything unexpected the
// functions below stop short instead of failing)

/// End of the value starting at `i` in checked text.
fn value_end(bytes: &[u8], i: usize) -> usize {
    match bytes.get(i) {
        Some(b'"') => string_end(bytes, i),
        Some(b'{' | b'[') => {
            let mut depth = 0usize;
            let mut j = i;
            while let Some(&b) = bytes.get(j) {
                match b {
                    b'"' => {
                        j = string_end(bytes, j);
                        continue;
                    }
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' => {
                        depth = depth.saturating_sub(1);
                        if depth == 0 {
                            return j + 1;
                        }
                    }
                    _ => {}
                }
                j += 1;
            }
            j
        }
        _ => scalar_end(bytes, i),
    }
}

/// End of the string whose quote is at `i`, in checked text.
fn string_end(bytes: &[u8], i: usize) -> usize {
    let mut j = i + 1;
    loop {
        j = string_stop(bytes, j, false);
        match bytes.get(j) {
            Some(b'"') => return j + 1,
            Some(_) => j += 2,
            None => return j,
        }
    }
}

/// Index of the first `"` or `\` at or after `i` (with `controls`, also of
/// the first byte below 0x20); the length when there is none.
///
/// Eight bytes at a time, as strings are most of a payload: a byte is
/// flagged when subtracting one borrows from it (it was zero after the XOR)
/// or, for `controls`, when subtracting 0x20 does. A flag can only be wrong
/// above a right one, and the bytes of a flagged word are then looked at one
/// by one.
fn string_stop(bytes: &[u8], mut i: usize, controls: bool) -> usize {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let zero_in = |word: u64| word.wrapping_sub(ONES) & !word;
    while let Some(chunk) = bytes.get(i..i + 8) {
        let word = u64::from_le_bytes(chunk.try_into().unwrap_or_default());
        let mut flags =
            zero_in(word ^ (ONES * u64::from(b'"'))) | zero_in(word ^ (ONES * u64::from(b'\\')));
        if controls {
            flags |= word.wrapping_sub(ONES * 0x20) & !word;
        }
        if flags & HIGH != 0 {
            break;
        }
        i += 8;
    }
    while let Some(&b) = bytes.get(i) {
        if b == b'"' || b == b'\\' || (controls && b < 0x20) {
            return i;
        }
        i += 1;
    }
    i
}

/// End of a number or literal at `i`, in checked text.
fn scalar_end(bytes: &[u8], i: usize) -> usize {
    let mut j = i;
    while bytes
        .get(j)
        .is_some_and(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'+' | b'.'))
    {
        j += 1;
    }
    j
}

/// Decodes the inside of a checked string; `None` on an unpaired surrogate.
fn unescape(inner: &str) -> Option<String> {
    let mut out = String::with_capacity(inner.len());
    let mut rest = inner;
    while let Some(slash) = rest.find('\\') {
        out.push_str(rest.get(..slash)?);
        let escape = rest.get(slash + 1..)?;
        let (c, used) = match escape.as_bytes().first()? {
            b'"' => ('"', 1),
            b'\\' => ('\\', 1),
            b'/' => ('/', 1),
            b'b' => ('\u{8}', 1),
            b'f' => ('\u{c}', 1),
            b'n' => ('\n', 1),
            b'r' => ('\r', 1),
            b't' => ('\t', 1),
            _ => {
                let high = hex4(escape.get(1..5)?)?;
                match high {
                    0xD800..=0xDBFF => {
                        escape.get(5..7).filter(|s| *s == "\\u")?;
                        let low = hex4(escape.get(7..11)?)?;
                        if !(0xDC00..=0xDFFF).contains(&low) {
                            return None;
                        }
                        let code = 0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00);
                        (char::from_u32(code)?, 11)
                    }
                    _ => (char::from_u32(high)?, 5),
                }
            }
        };
        out.push(c);
        rest = escape.get(used..)?;
    }
    out.push_str(rest);
    Some(out)
}

/// Four hex digits as a number.
fn hex4(digits: &str) -> Option<u32> {
    if digits.len() != 4 {
        return None;
    }
    digits
        .chars()
        .try_fold(0, |n, c| Some(n << 4 | c.to_digit(16)?))
}

/// Exact powers of ten: every one up to 1e22 is an `f64` without rounding.
const POW10: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
    1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
];

/// 1e22, 1e44, ... 1e308 (each the nearest `f64`), so that any exponent
/// takes two or three steps.
const POW10_BY_22: [f64; 14] = [
    1e22, 1e44, 1e66, 1e88, 1e110, 1e132, 1e154, 1e176, 1e198, 1e220, 1e242, 1e264, 1e286, 1e308,
];

/// A checked number as an `f64`, read as serde_json reads it: the digits
/// that fit a `u64` form the significand, later ones only move the exponent.
fn number_to_f64(bytes: &[u8]) -> f64 {
    let negative = bytes.first() == Some(&b'-');
    let mut significand: u64 = 0;
    let mut exponent: i32 = 0;
    // serde_json's rules: once the integer digits overflow, each further one
    // multiplies by ten; fraction digits are taken while they fit.
    let mut integer_full = false;
    let mut fraction: Option<bool> = None;
    let mut i = usize::from(negative);
    while let Some(&b) = bytes.get(i) {
        match b {
            b'0'..=b'9' => {
                let next = significand
                    .checked_mul(10)
                    .and_then(|n| n.checked_add(u64::from(b - b'0')));
                match (fraction, next) {
                    (None, Some(n)) if !integer_full => significand = n,
                    (None, _) => {
                        integer_full = true;
                        exponent = exponent.saturating_add(1);
                    }
                    (Some(false), Some(n)) => {
                        significand = n;
                        exponent -= 1;
                    }
                    (Some(_), _) => fraction = Some(true),
                }
            }
            b'.' => fraction = Some(false),
            _ => break,
        }
        i += 1;
    }
    if matches!(bytes.get(i), Some(b'e' | b'E')) {
        i += 1;
        let negative_exponent = bytes.get(i) == Some(&b'-');
        if matches!(bytes.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        let mut e: i32 = 0;
        while let Some(&b) = bytes.get(i).filter(|b| b.is_ascii_digit()) {
            e = e.saturating_mul(10).saturating_add(i32::from(b - b'0'));
            i += 1;
        }
        exponent = if negative_exponent {
            exponent.saturating_sub(e)
        } else {
            exponent.saturating_add(e)
        };
    }
    let mut f = significand as f64;
    while exponent != 0 && f != 0.0 && f.is_finite() {
        // The exact power first, then the rounded ones.
        let n = exponent.unsigned_abs();
        let (step, pow) = if n % 22 != 0 {
            (n % 22, POW10.get((n % 22) as usize))
        } else {
            let chunks = (n / 22).min(14);
            (chunks * 22, POW10_BY_22.get(chunks as usize - 1))
        };
        let pow = pow.copied().unwrap_or(1e22);
        if exponent > 0 {
            f *= pow;
            exponent -= step as i32;
        } else {
            f /= pow;
            exponent += step as i32;
        }
    }
    if negative {
        -f
    } else {
        f
    }
}

// ---------------------------------------------------------------------------
// Writing

/// Appends `text` as a JSON string literal, escaped as serde_json escapes
/// it: `"` and `\` with a backslash, `\b \f \n \r \t` by name, other control
/// characters as `\u00XX` (lowercase hex), everything else as it is.
///
/// ```
/// use twin_panel::protocol::json::push_string;
/// let mut out = String::new();
/// push_string(&mut out, "tab\there \u{1} é");
/// assert_eq!(out, r#""tab\there \u0001 é""#);
/// ```
pub fn push_string(out: &mut String, text: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.reserve(text.len() + 2);
    out.push('"');
    let mut plain = 0;
    for (i, &b) in text.as_bytes().iter().enumerate() {
        let named = match b {
            b'"' => '"',
            b'\\' => '\\',
            b'\n' => 'n',
            b'\r' => 'r',
            b'\t' => 't',
            0x08 => 'b',
            0x0c => 'f',
            0..=0x1f => 'u',
            _ => continue,
        };
        out.push_str(text.get(plain..i).unwrap_or_default());
        plain = i + 1;
        out.push('\\');
        out.push(named);
        if named == 'u' {
            out.push_str("00");
            out.push(char::from(HEX[usize::from(b >> 4)]));
            out.push(char::from(HEX[usize::from(b & 0x0f)]));
        }
    }
    out.push_str(text.get(plain..).unwrap_or_default());
    out.push('"');
}

/// `text` as a JSON string literal (see [`push_string`]).
pub fn string(text: &str) -> String {
    let mut out = String::new();
    push_string(&mut out, text);
    out
}

/// Appends `n` in decimal.
///
/// ```
/// use twin_panel::protocol::json::{push_i64, push_u64};
/// let mut out = String::new();
/// push_u64(&mut out, 0);
/// push_u64(&mut out, u64::MAX);
/// push_i64(&mut out, i64::MIN);
/// assert_eq!(out, "018446744073709551615-9223372036854775808");
/// ```
pub fn push_u64(out: &mut String, n: u64) {
    let mut unit = 1;
    while n / unit >= 10 {
        unit *= 10;
    }
    loop {
        out.push(char::from(b'0' + (n / unit % 10) as u8));
        if unit == 1 {
            break;
        }
        unit /= 10;
    }
}

/// Appends `n` in decimal.
pub fn push_i64(out: &mut String, n: i64) {
    if n < 0 {
        out.push('-');
    }
    push_u64(out, n.unsigned_abs());
}

#[cfg(test)]
mod tests;

#[cfg(all(test, not(target_arch = "wasm32")))]
pub(crate) mod testing;
