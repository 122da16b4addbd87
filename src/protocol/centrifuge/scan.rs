//! The fast path of a frame: what the host's scanner hands the client.
//!
//! The browser host splits a text frame and parses each line with
//! `JSON.parse` anyway (`scanFrame` in `js/panel.js`). While it does, it
//! pulls out of each publication push the few numbers the client decides
//! on, and hands them over as one `Float64Array` per frame: no call across
//! the wasm boundary per publication, and the payloads stay in a JS array.
//! Every other line (connect replies, errors, pings, subscription pushes,
//! and any publication whose envelope the scanner is not sure of) goes to
//! the full reader ([`super::codec::read_reply`]), which decides as before.
//! Whether an offset is valid, ordering, recovery and gaps are still
//! decided here, in Rust.
//!
//! The records: `[fresh, then per line: channel or kind, offset, name]`.
//!
//! - `fresh`: how many strings the scanner added to its table since the
//!   last frame ([`Table::learn`] takes them, in order);
//! - channel or kind: the channel's index in the table for a publication,
//!   else [`OTHER`], [`NOT_JSON`] or [`NOT_OBJECT`];
//! - offset: the `offset` as parsed, [`ABSENT`] when absent or `null`, NaN
//!   when it is not a number or is negative;
//! - name: the index of the `event` the payload names, or [`NO_NAME`].
//!
//! The table holds channel and event names, each given an index once; it is
//! bounded ([`TABLE_MAX`]), and a line whose name finds no room goes to the
//! full reader. [`Scanner`] is the scanner written over any engine: the
//! reference the JavaScript follows, which the tests compare with the full
//! reader and, in the browser, with the JavaScript.
//!
//! Imports: std and `protocol` only.

use super::batch::Name;
use super::codec::{offset_from, ProtocolError};
use crate::protocol::json_engine::{JsonEngine, JsonError};
use std::rc::Rc;

/// A line for the full reader (taken from the frame's other values, in order).
pub const OTHER: f64 = -1.0;
/// A line that is not JSON.
pub const NOT_JSON: f64 = -2.0;
/// A line that is JSON but not an object.
pub const NOT_OBJECT: f64 = -3.0;
/// No `offset` (or `null`).
pub const ABSENT: f64 = -1.0;
/// The payload names no event.
pub const NO_NAME: f64 = -1.0;
/// At most this many strings in the table.
pub const TABLE_MAX: usize = 1024;

/// One line of a scanned frame.
#[derive(Debug, Clone, PartialEq)]
pub enum Line {
    /// A publication push whose envelope the scanner read: its payload is
    /// the next one of the frame's payloads.
    Publication {
        /// The channel (`""` when absent or `null`).
        channel: Name,
        /// The offset as parsed (see the module documentation).
        offset: f64,
        /// The event its payload names.
        name: Option<Name>,
    },
    /// Any other reply: the next one of the frame's other values.
    Other,
    /// Not JSON.
    NotJson,
    /// JSON, but not an object (or a record the table cannot explain).
    NotObject,
}

impl Line {
    /// The publication's offset: 0 when absent (as the full reader reads
    /// it), an error when it is not a whole number from 0 to 2^53 − 1.
    pub fn offset(raw: f64) -> Result<u64, ProtocolError> {
        if raw == ABSENT {
            return Ok(0);
        }
        if raw.is_nan() {
            return Err(JsonError::Shape.into());
        }
        offset_from(Some(raw))
    }
}

/// The client's copy of the scanner's table.
#[derive(Debug, Default)]
pub struct Table {
    names: Vec<Name>,
}

impl Table {
    /// Appends the strings the scanner added, in the order it added them.
    pub fn learn(&mut self, fresh: impl IntoIterator<Item = String>) {
        self.names.extend(fresh.into_iter().map(Rc::new));
    }

    fn get(&self, index: f64) -> Option<Name> {
        if !(index >= 0.0 && index < self.names.len() as f64) {
            return None;
        }
        self.names.get(index as usize).cloned()
    }

    /// The lines of `records` (without the leading `fresh` count).
    pub fn decode(&self, records: &[f64]) -> Vec<Line> {
        records
            .chunks_exact(3)
            .map(|record| match *record {
                [kind, ..] if kind == OTHER => Line::Other,
                [kind, ..] if kind == NOT_JSON => Line::NotJson,
                [channel, offset, name] => {
                    let Some(channel) = self.get(channel) else {
                        return Line::NotObject;
                    };
                    let name = if name == NO_NAME {
                        None
                    } else {
                        match self.get(name) {
                            Some(name) => Some(name),
                            None => return Line::NotObject,
                        }
                    };
                    Line::Publication {
                        channel,
                        offset,
                        name,
                    }
                }
                _ => Line::NotObject,
            })
            .collect()
    }
}

/// A frame as the scanner leaves it.
#[derive(Debug)]
pub struct Scanned<V> {
    /// The records (see the module documentation).
    pub records: Vec<f64>,
    /// The payloads of the publication lines, in order.
    pub payloads: Vec<V>,
    /// The other lines' values, in order.
    pub others: Vec<V>,
}

/// The scanner over any engine: what `scanFrame` in `js/panel.js` does,
/// step for step (the tests hold the two to the same records).
#[derive(Debug, Default)]
pub struct Scanner {
    known: Vec<String>,
    fresh: Vec<String>,
}

impl Scanner {
    /// The strings added since the last call, in order.
    pub fn take_fresh(&mut self) -> Vec<String> {
        std::mem::take(&mut self.fresh)
    }

    fn index(&mut self, text: &str) -> Option<f64> {
        if let Some(at) = self.known.iter().position(|known| known == text) {
            return Some(at as f64);
        }
        if self.known.len() >= TABLE_MAX {
            return None;
        }
        self.known.push(text.to_owned());
        self.fresh.push(text.to_owned());
        Some((self.known.len() - 1) as f64)
    }

    /// Splits `text` on `\n`, parses each line and records it.
    pub fn scan<J: JsonEngine>(&mut self, json: &J, text: &str) -> Scanned<J::Value> {
        let mut scanned = Scanned {
            records: vec![0.0],
            payloads: Vec::new(),
            others: Vec::new(),
        };
        for line in text.split('\n') {
            if line.is_empty() {
                continue;
            }
            let value = match json.parse(line) {
                Ok(value) => value,
                // JavaScript's `trim()`: its white space, and the BOM.
                Err(_) if line.trim_matches(js_space).is_empty() => continue,
                Err(_) => {
                    scanned.records.extend([NOT_JSON, 0.0, 0.0]);
                    continue;
                }
            };
            if !json.is_object(&value) {
                scanned.records.extend([NOT_OBJECT, 0.0, 0.0]);
                continue;
            }
            match self.publication(json, &value) {
                Some((record, payload)) => {
                    scanned.records.extend(record);
                    scanned.payloads.push(payload);
                }
                None => {
                    scanned.records.extend([OTHER, 0.0, 0.0]);
                    scanned.others.push(value);
                }
            }
        }
        if let Some(count) = scanned.records.first_mut() {
            *count = self.fresh.len() as f64;
        }
        scanned
    }

    /// The record and payload of a publication push the full reader would
    /// read as one, or `None` (for the full reader).
    fn publication<J: JsonEngine>(
        &mut self,
        json: &J,
        line: &J::Value,
    ) -> Option<([f64; 3], J::Value)> {
        let present = |object: &J::Value, key: &str| {
            json.field(object, key).filter(|value| !json.is_null(value))
        };
        if present(line, "id").is_some() {
            return None;
        }
        let push = json
            .field(line, "push")
            .filter(|push| json.is_object(push))?;
        let channel = match present(&push, "channel") {
            None => String::new(),
            Some(channel) => json.string(&channel)?,
        };
        let publication = json
            .field(&push, "pub")
            .filter(|publication| json.is_object(publication))?;
        let data = json.field(&publication, "data")?;
        let offset = match present(&publication, "offset") {
            None => ABSENT,
            Some(offset) => match json.number(&offset) {
                Some(n) if n >= 0.0 => n,
                _ => f64::NAN,
            },
        };
        let channel = self.index(&channel)?;
        let name = match json.is_object(&data).then(|| json.field(&data, "event")) {
            Some(Some(event)) => match json.string(&event) {
                Some(event) => self.index(&event)?,
                None => NO_NAME,
            },
            _ => NO_NAME,
        };
        Some(([channel, offset, name], data))
    }
}

/// A character JavaScript's `String.prototype.trim` removes.
pub(crate) fn js_space(c: char) -> bool {
    (c.is_whitespace() && c != '\u{85}') || c == '\u{feff}'
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use crate::protocol::test_json::SerdeJson;

    fn scan(text: &str) -> (Vec<f64>, Vec<String>) {
        let mut scanner = Scanner::default();
        let scanned = scanner.scan(&SerdeJson, text);
        (scanned.records, scanner.take_fresh())
    }

    #[test]
    fn publications_are_recorded_and_the_rest_left_to_the_reader() {
        let text = concat!(
            r#"{"push":{"channel":"a","pub":{"data":{"event":"x","data":1},"offset":7}}}"#,
            "\n{}\n",
            r#"{"push":{"channel":"a","pub":{"data":[1],"offset":null}}}"#,
            "\nnope\n[1]\n",
            r#"{"id":1,"push":{"channel":"a","pub":{"data":1}}}"#,
        );
        let (records, fresh) = scan(text);
        assert_eq!(fresh, ["a", "x"]);
        assert_eq!(records[..4], [2.0, 0.0, 7.0, 1.0]);
        assert_eq!(records[4..7], [OTHER, 0.0, 0.0]);
        assert_eq!(records[7..10], [0.0, ABSENT, NO_NAME]);
        assert_eq!(records[10..13], [NOT_JSON, 0.0, 0.0]);
        assert_eq!(records[13..16], [NOT_OBJECT, 0.0, 0.0]);
        assert_eq!(records[16..19], [OTHER, 0.0, 0.0]);
        let mut table = Table::default();
        table.learn(fresh);
        let lines = table.decode(&records[1..]);
        assert_eq!(
            lines[0],
            Line::Publication {
                channel: Rc::new("a".into()),
                offset: 7.0,
                name: Some(Rc::new("x".into()))
            }
        );
        assert_eq!(lines[1], Line::Other);
        assert_eq!(lines[3], Line::NotJson);
        assert_eq!(lines[4], Line::NotObject);
    }

    #[test]
    fn an_envelope_of_the_wrong_types_goes_to_the_reader() {
        for line in [
            r#"{"push":{"channel":5,"pub":{"data":1}}}"#,
            r#"{"push":{"channel":"a","pub":{"offset":1}}}"#,
            r#"{"push":{"channel":"a","pub":[1]}}"#,
            r#"{"push":[1]}"#,
            r#"{"id":"x","push":{"channel":"a","pub":{"data":1}}}"#,
        ] {
            assert_eq!(scan(line).0[1], OTHER, "{line}");
        }
        let offset = |text: &str| {
            let line = format!(r#"{{"push":{{"pub":{{"data":1,"offset":{text}}}}}}}"#);
            scan(&line).0[2]
        };
        assert!(offset(r#""7""#).is_nan());
        assert!(offset("-1").is_nan());
        assert!(offset("true").is_nan());
        assert_eq!(offset("9007199254740993"), 9_007_199_254_740_992.0);
        assert_eq!(Line::offset(ABSENT), Ok(0));
        assert!(Line::offset(f64::NAN).is_err());
        assert!(Line::offset(1.5).is_err());
        assert!(Line::offset(9_007_199_254_740_992.0)
            .unwrap_err()
            .message
            .contains("2^53"));
    }

    #[test]
    fn a_full_table_sends_new_names_to_the_reader() {
        let mut scanner = Scanner::default();
        let line = |n: usize| format!(r#"{{"push":{{"channel":"c{n}","pub":{{"data":1}}}}}}"#);
        for n in 0..TABLE_MAX {
            assert_eq!(scanner.scan(&SerdeJson, &line(n)).records[1], n as f64);
        }
        assert_eq!(scanner.scan(&SerdeJson, &line(TABLE_MAX)).records[1], OTHER);
        assert_eq!(scanner.scan(&SerdeJson, &line(3)).records[1], 3.0);
        assert_eq!(scanner.take_fresh().len(), TABLE_MAX);
    }

    #[test]
    fn records_the_table_cannot_explain_are_refused() {
        let table = Table::default();
        assert_eq!(table.decode(&[0.0, 1.0, NO_NAME]), [Line::NotObject]);
        assert_eq!(table.decode(&[-7.0, 1.0, NO_NAME]), [Line::NotObject]);
        assert_eq!(table.decode(&[f64::NAN, 1.0, NO_NAME]), [Line::NotObject]);
    }
}
