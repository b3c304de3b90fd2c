//! RFC 3339 event times. Almost every `time` is `YYYY-MM-DDTHH:MM:SS[.fff]Z`
//! or has a `±HH:MM` offset; those are read here without chrono's general
//! machinery. Anything else (leap seconds, more than nine fraction digits,
//! out-of-range fields, malformed text) goes to chrono, which therefore
//! decides every error and every unusual case.

use chrono::{DateTime, ParseError, Utc};

/// Parses like `DateTime::parse_from_rfc3339(text)`, converted to UTC.
pub(super) fn parse_utc(text: &str) -> Result<DateTime<Utc>, ParseError> {
    match common_form(text.as_bytes()) {
        Some(t) => Ok(t),
        None => DateTime::parse_from_rfc3339(text).map(|t| t.with_timezone(&Utc)),
    }
}

/// `YYYY-MM-DD(T|t| )HH:MM:SS[.d{1,9}](Z|z|±HH:MM)` with every field in
/// range and no leap second; `None` for anything else.
fn common_form(b: &[u8]) -> Option<DateTime<Utc>> {
    if b.len() < 20 {
        return None;
    }
    let digit = |i: usize| {
        let d = b.get(i)?.wrapping_sub(b'0');
        (d < 10).then_some(i64::from(d))
    };
    let pair = |i: usize| Some(digit(i)? * 10 + digit(i + 1)?);
    let year = pair(0)? * 100 + pair(2)?;
    let (month, day) = (pair(5)?, pair(8)?);
    let (hour, minute, second) = (pair(11)?, pair(14)?, pair(17)?);
    if b[4] != b'-'
        || b[7] != b'-'
        || !matches!(b[10], b'T' | b't' | b' ')
        || b[13] != b':'
        || b[16] != b':'
        || !(1..=12).contains(&month)
        || day < 1
        || day > days_in_month(year, month)
        || hour > 23
        || minute > 59
        || second > 59
    {
        return None;
    }
    let mut i = 19;
    let mut nanos = 0;
    if b[i] == b'.' {
        i += 1;
        let start = i;
        while let Some(d) = digit(i) {
            if i - start == 9 {
                return None;
            }
            nanos = nanos * 10 + d;
            i += 1;
        }
        let digits = i - start;
        if digits == 0 {
            return None;
        }
        nanos *= 10_i64.pow(9 - u32::try_from(digits).ok()?);
    }
    let offset = match *b.get(i)? {
        b'Z' | b'z' => {
            i += 1;
            0
        }
        sign @ (b'+' | b'-') => {
            let (hours, minutes) = (pair(i + 1)?, pair(i + 4)?);
            if b[i + 3] != b':' || hours > 23 || minutes > 59 {
                return None;
            }
            i += 6;
            let seconds = hours * 3600 + minutes * 60;
            if sign == b'-' { -seconds } else { seconds }
        }
        _ => return None,
    };
    if i != b.len() {
        return None;
    }
    let local = days_from_civil(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second;
    DateTime::from_timestamp(local - offset, u32::try_from(nanos).ok()?)
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let year_of_era = y - era * 400;
    let day_of_year = (153 * ((month + 9) % 12) + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn chrono(text: &str) -> Result<DateTime<Utc>, ParseError> {
        DateTime::parse_from_rfc3339(text).map(|t| t.with_timezone(&Utc))
    }

    #[test]
    fn the_common_forms_are_read_without_chrono() {
        for text in [
            "2026-11-24T19:02:11Z",
            "2026-11-24t19:02:11z",
            "2026-11-24 19:02:11Z",
            "2026-11-24T19:02:11.5Z",
            "2026-11-24T19:02:11.123456789Z",
            "2026-11-24T19:02:11+05:30",
            "2026-11-24T19:02:11.250-08:00",
            "2024-02-29T23:59:59-23:59",
            "0000-01-01T00:00:00Z",
            "9999-12-31T23:59:59.999999999+00:00",
            "1969-12-31T23:59:59.1Z",
        ] {
            let quick = common_form(text.as_bytes());
            assert!(quick.is_some(), "{text}");
            assert_eq!(quick.map(Ok), Some(chrono(text)), "{text}");
        }
    }

    #[test]
    fn unusual_and_invalid_forms_are_left_to_chrono() {
        for text in [
            "2026-11-24T19:02:60Z",
            "2026-11-24T19:02:11.1234567891Z",
            "2026-11-24T19:02:11.Z",
            "2026-02-29T19:02:11Z",
            "2026-13-01T19:02:11Z",
            "2026-11-24T24:00:00Z",
            "2026-11-24T19:02:11+24:00",
            "2026-11-24T19:02:11+05:60",
            "2026-11-24T19:02:11\u{2212}05:00",
            "2026-11-24T19:02:11",
            "2026-11-24T19:02:11Z ",
            "2026-11-24X19:02:11Z",
            "26-11-24T19:02:11Z",
        ] {
            assert_eq!(common_form(text.as_bytes()), None, "{text}");
            assert_eq!(parse_utc(text), chrono(text), "{text}");
        }
    }

    fn two(n: u32) -> String {
        format!("{n:02}")
    }

    /// Near-valid timestamps: every field sometimes just out of range.
    fn near_rfc3339() -> impl Strategy<Value = String> {
        (
            (0u32..=9999, 0u32..=13, 0u32..=32),
            (0u32..=25, 0u32..=61, 0u32..=61),
            prop::sample::select(vec!["T", "t", " ", "_"]),
            proptest::option::of("[0-9]{0,11}"),
            prop_oneof![
                Just("Z".to_owned()),
                Just("z".to_owned()),
                Just(String::new()),
                (
                    prop::sample::select(vec!["+", "-", "\u{2212}"]),
                    0u32..=25,
                    0u32..=61
                )
                    .prop_map(|(s, h, m)| format!("{s}{h:02}:{m:02}")),
                "[+-][0-9]{1,4}",
            ],
        )
            .prop_map(|((y, mo, d), (h, mi, s), sep, frac, zone)| {
                let frac = frac.map_or(String::new(), |f| format!(".{f}"));
                format!(
                    "{y:04}-{}-{}{sep}{}:{}:{}{frac}{zone}",
                    two(mo),
                    two(d),
                    two(h),
                    two(mi),
                    two(s)
                )
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4096))]

        #[test]
        fn agrees_with_chrono_on_near_valid_text(text in near_rfc3339()) {
            prop_assert_eq!(parse_utc(&text), chrono(&text));
        }

        #[test]
        fn agrees_with_chrono_after_any_one_byte_edit(
            text in near_rfc3339(),
            at in any::<prop::sample::Index>(),
            byte in prop::sample::select(b"0123456789-:.+Tt Zz\xc3".to_vec()),
        ) {
            let mut bytes = text.into_bytes();
            let at = at.index(bytes.len());
            bytes[at] = byte;
            if let Ok(text) = String::from_utf8(bytes) {
                prop_assert_eq!(parse_utc(&text), chrono(&text));
            }
        }

        #[test]
        fn agrees_with_chrono_on_arbitrary_text(text in "[0-9T:.+Z -]{0,32}") {
            prop_assert_eq!(parse_utc(&text), chrono(&text));
        }
    }
}
