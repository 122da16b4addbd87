//! ISO 8601 date-times as Unix milliseconds, without a date library.
//!
//! The platform writes date-times as strings (`2018-05-27T21:30:54+00:00` in
//! its reference, `2026-12-01T09:29:21.123Z` from the sandbox). The inbox only
//! orders them, so anything it cannot read counts as "unknown" (`None`), never
//! as an error.

/// Milliseconds since the Unix epoch of an ISO 8601 date-time
/// (`YYYY-MM-DDTHH:MM:SS[.fraction][Z|±HH:MM|±HHMM]`, `T` or a space between
/// date and time; no zone means UTC).
///
/// ```
/// use twin_panel::inbox::time::parse_ms;
/// assert_eq!(parse_ms("1970-01-01T00:00:01.5Z"), Some(1500));
/// assert_eq!(parse_ms("2018-05-27T21:30:54+00:00"), Some(1527456654000));
/// assert_eq!(parse_ms("yesterday"), None);
/// ```
pub fn parse_ms(text: &str) -> Option<i64> {
    let [y0, y1, y2, y3, b'-', mo0, mo1, b'-', d0, d1, sep, h0, h1, b':', mi0, mi1, b':', s0, s1, rest @ ..] =
        text.trim().as_bytes()
    else {
        return None;
    };
    if !matches!(sep, b'T' | b't' | b' ') {
        return None;
    }
    let year = digits(&[*y0, *y1, *y2, *y3])?;
    let month = digits(&[*mo0, *mo1])?;
    let day = digits(&[*d0, *d1])?;
    let hour = digits(&[*h0, *h1])?;
    let minute = digits(&[*mi0, *mi1])?;
    let second = digits(&[*s0, *s1])?;
    if !(1..=12).contains(&month)
        || !(1..=31).contains(&day)
        || hour > 23
        || minute > 59
        || second > 60
    {
        return None;
    }
    let mut rest = rest;
    let mut millis = 0;
    if let Some((&b'.', fraction)) = rest.split_first() {
        let len = fraction.iter().take_while(|c| c.is_ascii_digit()).count();
        if len == 0 {
            return None;
        }
        let mut scale = 100;
        for &c in fraction.iter().take(len.min(3)) {
            millis += i64::from(c - b'0') * scale;
            scale /= 10;
        }
        rest = fraction.get(len..).unwrap_or_default();
    }
    let offset_minutes = match rest {
        [] | [b'Z'] | [b'z'] => 0,
        [sign @ (b'+' | b'-'), zone @ ..] => {
            let (h, m) = match zone {
                [h1, h2, b':', m1, m2] | [h1, h2, m1, m2] => {
                    (digits(&[*h1, *h2])?, digits(&[*m1, *m2])?)
                }
                [h1, h2] => (digits(&[*h1, *h2])?, 0),
                _ => return None,
            };
            let minutes = h * 60 + m;
            if *sign == b'-' {
                -minutes
            } else {
                minutes
            }
        }
        _ => return None,
    };
    let days = days_from_civil(year, month, day);
    let seconds = days * 86_400 + hour * 3_600 + minute * 60 + second - offset_minutes * 60;
    Some(seconds * 1_000 + millis)
}

fn digits(b: &[u8]) -> Option<i64> {
    b.iter().try_fold(0i64, |n, &c| {
        c.is_ascii_digit().then(|| n * 10 + i64::from(c - b'0'))
    })
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Unix milliseconds as `YYYY-MM-DDTHH:MM:SS.mmmZ` (for stamps the inbox
/// makes itself, e.g. `clientOnlineAt` when an event carries no `at`).
///
/// ```
/// use twin_panel::inbox::time::{format_ms, parse_ms};
/// assert_eq!(format_ms(1_527_456_654_000), "2018-05-27T21:30:54.000Z");
/// assert_eq!(parse_ms(&format_ms(123_456_789)), Some(123_456_789));
/// ```
pub fn format_ms(ms: i64) -> String {
    let days = ms.div_euclid(86_400_000);
    let in_day = ms.rem_euclid(86_400_000);
    let (year, month, day) = civil_from_days(days);
    let mut out = String::with_capacity(24);
    push_num(&mut out, year, 4);
    out.push('-');
    push_num(&mut out, month, 2);
    out.push('-');
    push_num(&mut out, day, 2);
    out.push('T');
    push_num(&mut out, in_day / 3_600_000, 2);
    out.push(':');
    push_num(&mut out, in_day / 60_000 % 60, 2);
    out.push(':');
    push_num(&mut out, in_day / 1_000 % 60, 2);
    out.push('.');
    push_num(&mut out, in_day % 1_000, 3);
    out.push('Z');
    out
}

/// Appends `n` in decimal with `width` digits, zero-padded (clamped to
/// 0..10^width; `width` at most 18). Written out digit by digit: no
/// formatting machinery for the few numbers the inbox writes.
pub(crate) fn push_num(out: &mut String, n: i64, width: u32) {
    let n = n.clamp(0, 10_i64.pow(width) - 1);
    for i in (0..width).rev() {
        out.push(char::from(b'0' + (n / 10_i64.pow(i) % 10) as u8));
    }
}

/// The inverse of `days_from_civil`.
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::parse_ms;

    #[test]
    fn reads_the_platform_forms() {
        assert_eq!(parse_ms("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(parse_ms("2000-03-01T00:00:00Z"), Some(951_868_800_000));
        assert_eq!(
            parse_ms("2026-12-01T09:29:21.123456789Z"),
            Some(1_796_117_361_123)
        );
        assert_eq!(parse_ms("2026-12-01 09:29:21"), Some(1_796_117_361_000));
        assert_eq!(
            parse_ms("2026-12-01T12:29:21+03:00"),
            Some(1_796_117_361_000)
        );
        assert_eq!(
            parse_ms("2026-12-01T06:29:21-0300"),
            Some(1_796_117_361_000)
        );
    }

    #[test]
    fn refuses_anything_else() {
        for text in [
            "",
            "2026-12-01",
            "2026-13-01T00:00:00Z",
            "2026-12-01T00:00:00.Z",
            "2026-12-01T00:00:00+3",
            "abcd-ef-ghTij:kl:mn",
        ] {
            assert_eq!(parse_ms(text), None, "{text}");
        }
    }
}
