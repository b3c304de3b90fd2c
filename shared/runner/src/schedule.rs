//! EventBridge Scheduler expressions: `rate(..)`, `cron(..)` and `at(..)`.
//!
//! The local runner fires the template's schedules itself, so it needs the
//! same expression language as AWS. Everything is evaluated in UTC (the
//! template pins `ScheduleExpressionTimezone: UTC`).
//!
//! Cron follows the AWS 6-field form `minutes hours day-of-month month
//! day-of-week year`, with day-of-week 1-7 = SUN-SAT and exactly one of
//! day-of-month / day-of-week being `?`. The `L`, `W` and `#` specials are
//! rejected with [`ScheduleError::Unsupported`].

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use chrono::{
    DateTime, Datelike, Duration as ChronoDuration, NaiveDate, NaiveDateTime, Timelike, Utc,
};

/// A parsed schedule expression.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScheduleExpr {
    /// `rate(5 minutes)`: fires every `Duration`, on multiples of it since the
    /// Unix epoch (so `rate(1 hour)` fires on the hour). AWS anchors a rate at
    /// the schedule's creation instead; aligned ticks make local runs and tests
    /// deterministic.
    Rate(Duration),
    /// `cron(0 3 * * ? *)` (boxed: its field bitmaps dwarf the other variants).
    Cron(Box<CronExpr>),
    /// `at(2026-11-25T10:00:00)`: fires once.
    At(DateTime<Utc>),
}

/// Why an expression was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScheduleError {
    #[error("invalid schedule expression {expr:?}: {reason}")]
    Syntax { expr: String, reason: String },
    #[error(
        "schedule expression {expr:?} uses {feature}, which the local scheduler does not support"
    )]
    Unsupported { expr: String, feature: String },
}

impl ScheduleExpr {
    /// The first firing time strictly after `t`, or `None` when the schedule
    /// never fires again (a past `at`, or a cron whose years have run out).
    #[must_use]
    pub fn next_after(&self, t: DateTime<Utc>) -> Option<DateTime<Utc>> {
        match self {
            Self::Rate(every) => next_rate_tick(*every, t),
            Self::Cron(cron) => cron.next_after(t),
            Self::At(at) => (*at > t).then_some(*at),
        }
    }
}

fn next_rate_tick(every: Duration, t: DateTime<Utc>) -> Option<DateTime<Utc>> {
    let period = i64::try_from(every.as_secs()).ok().filter(|p| *p > 0)?;
    let secs = t.timestamp();
    // Strictly after `t`: a `t` exactly on a tick (with no sub-second part)
    // moves to the following tick.
    let next = (secs.div_euclid(period) + 1) * period;
    DateTime::from_timestamp(next, 0)
}

impl FromStr for ScheduleExpr {
    type Err = ScheduleError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let expr = s.trim();
        let syntax = |reason: &str| ScheduleError::Syntax {
            expr: expr.to_owned(),
            reason: reason.to_owned(),
        };
        let (kind, rest) = expr
            .split_once('(')
            .ok_or_else(|| syntax("expected rate(..), cron(..) or at(..)"))?;
        let body = rest
            .strip_suffix(')')
            .ok_or_else(|| syntax("missing closing parenthesis"))?
            .trim();
        match kind.trim() {
            "rate" => parse_rate(expr, body).map(Self::Rate),
            "cron" => CronExpr::parse(expr, body).map(|cron| Self::Cron(Box::new(cron))),
            "at" => parse_at(body).map(Self::At).ok_or_else(|| {
                syntax("at() takes yyyy-mm-ddThh:mm:ss, e.g. at(2026-11-25T10:00:00)")
            }),
            _ => Err(syntax("expected rate(..), cron(..) or at(..)")),
        }
    }
}

impl fmt::Display for ScheduleExpr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Rate(every) => {
                let secs = every.as_secs();
                let (value, unit) = if secs % 86_400 == 0 {
                    (secs / 86_400, "day")
                } else if secs % 3_600 == 0 {
                    (secs / 3_600, "hour")
                } else {
                    (secs / 60, "minute")
                };
                let plural = if value == 1 { "" } else { "s" };
                write!(f, "rate({value} {unit}{plural})")
            }
            Self::Cron(cron) => write!(f, "cron({})", cron.source),
            Self::At(at) => write!(f, "at({})", at.format("%Y-%m-%dT%H:%M:%S")),
        }
    }
}

/// `value unit`, with AWS's rule: singular unit for 1, plural otherwise.
fn parse_rate(expr: &str, body: &str) -> Result<Duration, ScheduleError> {
    let syntax = |reason: String| ScheduleError::Syntax {
        expr: expr.to_owned(),
        reason,
    };
    let mut parts = body.split_whitespace();
    let (Some(value), Some(unit), None) = (parts.next(), parts.next(), parts.next()) else {
        return Err(syntax(
            "rate() takes `<value> <unit>`, e.g. rate(5 minutes)".into(),
        ));
    };
    let value: u64 = value
        .parse()
        .ok()
        .filter(|v| *v > 0)
        .ok_or_else(|| syntax(format!("rate value {value:?} is not a positive integer")))?;
    let (seconds, singular) = match unit {
        "minute" => (60, true),
        "minutes" => (60, false),
        "hour" => (3_600, true),
        "hours" => (3_600, false),
        "day" => (86_400, true),
        "days" => (86_400, false),
        other => {
            return Err(syntax(format!(
                "unknown rate unit {other:?} (minute(s), hour(s) or day(s))"
            )));
        }
    };
    if singular != (value == 1) {
        return Err(syntax(format!(
            "rate unit must be singular for 1 and plural otherwise, got `{value} {unit}`"
        )));
    }
    value
        .checked_mul(seconds)
        .map(Duration::from_secs)
        .ok_or_else(|| syntax("rate is too large".into()))
}

fn parse_at(body: &str) -> Option<DateTime<Utc>> {
    NaiveDateTime::parse_from_str(body, "%Y-%m-%dT%H:%M:%S")
        .ok()
        .map(|naive| naive.and_utc())
}

/// A parsed AWS cron expression.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CronExpr {
    source: String,
    minutes: ValueSet,
    hours: ValueSet,
    days: DaySpec,
    months: ValueSet,
    years: ValueSet,
}

/// AWS forbids constraining both day fields: one of them is always `?`.
#[derive(Debug, Clone, PartialEq, Eq)]
enum DaySpec {
    OfMonth(ValueSet),
    OfWeek(ValueSet),
}

const MIN_YEAR: u32 = 1970;
const MAX_YEAR: u32 = 2199;

const MONTH_NAMES: &[&str] = &[
    "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC",
];
/// AWS numbers days of the week 1-7 starting on Sunday.
const DAY_NAMES: &[&str] = &["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

/// Which field is being parsed: its bounds and the names it accepts.
struct FieldKind {
    name: &'static str,
    min: u32,
    max: u32,
    names: &'static [&'static str],
}

const MINUTES: FieldKind = FieldKind {
    name: "minutes",
    min: 0,
    max: 59,
    names: &[],
};
const HOURS: FieldKind = FieldKind {
    name: "hours",
    min: 0,
    max: 23,
    names: &[],
};
const DAY_OF_MONTH: FieldKind = FieldKind {
    name: "day-of-month",
    min: 1,
    max: 31,
    names: &[],
};
const MONTH: FieldKind = FieldKind {
    name: "month",
    min: 1,
    max: 12,
    names: MONTH_NAMES,
};
const DAY_OF_WEEK: FieldKind = FieldKind {
    name: "day-of-week",
    min: 1,
    max: 7,
    names: DAY_NAMES,
};
const YEAR: FieldKind = FieldKind {
    name: "year",
    min: MIN_YEAR,
    max: MAX_YEAR,
    names: &[],
};

/// A set of allowed values for one field, as a bitmap offset by the field's minimum.
#[derive(Debug, Clone, PartialEq, Eq)]
struct ValueSet {
    min: u32,
    bits: [u64; 4],
}

impl ValueSet {
    fn empty(min: u32) -> Self {
        Self { min, bits: [0; 4] }
    }

    fn insert(&mut self, value: u32) {
        let i = (value - self.min) as usize;
        self.bits[i / 64] |= 1 << (i % 64);
    }

    fn contains(&self, value: u32) -> bool {
        let Some(i) = value.checked_sub(self.min).map(|i| i as usize) else {
            return false;
        };
        i < 256 && self.bits[i / 64] & (1 << (i % 64)) != 0
    }

    /// The smallest member `>= from`, if any.
    fn first_at_or_after(&self, from: u32) -> Option<u32> {
        (from.max(self.min)..self.min + 256).find(|v| self.contains(*v))
    }
}

impl CronExpr {
    fn parse(expr: &str, body: &str) -> Result<Self, ScheduleError> {
        let syntax = |reason: String| ScheduleError::Syntax {
            expr: expr.to_owned(),
            reason,
        };
        for (feature, what) in [
            ('L', "L (last)"),
            ('W', "W (weekday)"),
            ('#', "# (nth weekday)"),
        ] {
            let uses = body.split_whitespace().any(|field| {
                let upper = field.to_ascii_uppercase();
                // Names such as WED or JUL contain these letters; strip them first.
                let stripped = DAY_NAMES
                    .iter()
                    .chain(MONTH_NAMES)
                    .fold(upper, |acc, name| acc.replace(name, ""));
                stripped.contains(feature)
            });
            if uses {
                return Err(ScheduleError::Unsupported {
                    expr: expr.to_owned(),
                    feature: what.to_owned(),
                });
            }
        }
        let fields: Vec<&str> = body.split_whitespace().collect();
        let [minutes, hours, dom, month, dow, year] = fields[..] else {
            return Err(syntax(format!(
                "cron() takes 6 fields (minutes hours day-of-month month day-of-week year), got {}",
                fields.len()
            )));
        };
        let days = match (dom == "?", dow == "?") {
            (true, false) => DaySpec::OfWeek(parse_field(dow, &DAY_OF_WEEK).map_err(&syntax)?),
            (false, true) => DaySpec::OfMonth(parse_field(dom, &DAY_OF_MONTH).map_err(&syntax)?),
            _ => {
                return Err(syntax(
                    "exactly one of day-of-month and day-of-week must be `?`".into(),
                ));
            }
        };
        Ok(Self {
            source: body.split_whitespace().collect::<Vec<_>>().join(" "),
            minutes: parse_field(minutes, &MINUTES).map_err(&syntax)?,
            hours: parse_field(hours, &HOURS).map_err(&syntax)?,
            days,
            months: parse_field(month, &MONTH).map_err(&syntax)?,
            years: parse_field(year, &YEAR).map_err(&syntax)?,
        })
    }

    /// The first matching minute strictly after `t`.
    #[must_use]
    pub fn next_after(&self, t: DateTime<Utc>) -> Option<DateTime<Utc>> {
        // Start at the next whole minute after `t`.
        let start = t.naive_utc().with_second(0)?.with_nanosecond(0)? + ChronoDuration::minutes(1);
        let mut date = start.date();
        let mut from_minute = start.hour() * 60 + start.minute();
        loop {
            let year = u32::try_from(date.year()).ok()?;
            if year > MAX_YEAR {
                return None;
            }
            if !self.years.contains(year) {
                let next_year = self.years.first_at_or_after(year + 1)?;
                date = NaiveDate::from_ymd_opt(i32::try_from(next_year).ok()?, 1, 1)?;
                from_minute = 0;
                continue;
            }
            if !self.months.contains(date.month()) {
                date = first_of_next_month(date)?;
                from_minute = 0;
                continue;
            }
            if self.day_matches(date)
                && let Some(minute_of_day) = self.first_time_at_or_after(from_minute)
            {
                let time =
                    chrono::NaiveTime::from_hms_opt(minute_of_day / 60, minute_of_day % 60, 0)?;
                return Some(date.and_time(time).and_utc());
            }
            date = date.succ_opt()?;
            from_minute = 0;
        }
    }

    fn day_matches(&self, date: NaiveDate) -> bool {
        match &self.days {
            DaySpec::OfMonth(days) => days.contains(date.day()),
            DaySpec::OfWeek(days) => days.contains(date.weekday().number_from_sunday()),
        }
    }

    /// The first allowed minute of the day (as `hour * 60 + minute`) at or after `from`.
    fn first_time_at_or_after(&self, from: u32) -> Option<u32> {
        let (from_hour, from_min) = (from / 60, from % 60);
        let mut hour = self.hours.first_at_or_after(from_hour)?;
        while hour <= 23 {
            let start = if hour == from_hour { from_min } else { 0 };
            if let Some(minute) = self.minutes.first_at_or_after(start).filter(|m| *m <= 59) {
                return Some(hour * 60 + minute);
            }
            hour = self.hours.first_at_or_after(hour + 1)?;
        }
        None
    }
}

fn first_of_next_month(date: NaiveDate) -> Option<NaiveDate> {
    let (year, month) = if date.month() == 12 {
        (date.year() + 1, 1)
    } else {
        (date.year(), date.month() + 1)
    };
    NaiveDate::from_ymd_opt(year, month, 1)
}

/// One field: a comma-separated list of `*`, `v`, `a-b`, each optionally `/step`.
fn parse_field(field: &str, kind: &FieldKind) -> Result<ValueSet, String> {
    let mut set = ValueSet::empty(kind.min);
    for item in field.split(',') {
        let (range, step) = match item.split_once('/') {
            Some((range, step)) => {
                let step: u32 = step.parse().ok().filter(|s| *s > 0).ok_or_else(|| {
                    format!("{}: step {step:?} is not a positive integer", kind.name)
                })?;
                (range, step)
            }
            None => (item, 1),
        };
        let (start, end) = if range == "*" {
            (kind.min, kind.max)
        } else if let Some((a, b)) = range.split_once('-') {
            let (a, b) = (parse_value(a, kind)?, parse_value(b, kind)?);
            if a > b {
                return Err(format!("{}: range {range:?} runs backwards", kind.name));
            }
            (a, b)
        } else {
            let v = parse_value(range, kind)?;
            // `5/15` means "from 5 to the end, every 15"; a bare `5` is just 5.
            (v, if item.contains('/') { kind.max } else { v })
        };
        for v in (start..=end).step_by(step as usize) {
            set.insert(v);
        }
    }
    Ok(set)
}

fn parse_value(token: &str, kind: &FieldKind) -> Result<u32, String> {
    let upper = token.to_ascii_uppercase();
    let value = if let Some(i) = kind.names.iter().position(|n| *n == upper) {
        u32::try_from(i).map_err(|e| e.to_string())? + kind.min
    } else {
        token.parse::<u32>().map_err(|_| {
            if token == "?" {
                format!(
                    "{}: `?` is only allowed in day-of-month or day-of-week",
                    kind.name
                )
            } else {
                format!("{}: {token:?} is not a number or name", kind.name)
            }
        })?
    };
    if value < kind.min || value > kind.max {
        return Err(format!(
            "{}: {value} is outside {}-{}",
            kind.name, kind.min, kind.max
        ));
    }
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    /// Parses `expr`, then checks the successive firing times after `from`.
    fn check(expr: &str, from: &str, expected: &[&str]) {
        let parsed: ScheduleExpr = expr.parse().unwrap_or_else(|e| panic!("{expr}: {e}"));
        let mut t = utc(from);
        for want in expected {
            let next = parsed
                .next_after(t)
                .unwrap_or_else(|| panic!("{expr}: no firing after {t}"));
            assert_eq!(next, utc(want), "{expr} after {t}");
            t = next;
        }
    }

    fn check_err(expr: &str, needle: &str) {
        let err = expr.parse::<ScheduleExpr>().expect_err(expr).to_string();
        assert!(
            err.contains(needle),
            "{expr}: error {err:?} lacks {needle:?}"
        );
    }

    #[test]
    fn rates_fire_on_aligned_ticks() {
        check(
            "rate(1 minute)",
            "2026-11-24T19:02:11Z",
            &["2026-11-24T19:03:00Z", "2026-11-24T19:04:00Z"],
        );
        check(
            "rate(1 hour)",
            "2026-11-24T19:00:00Z",
            &["2026-11-24T20:00:00Z", "2026-11-24T21:00:00Z"],
        );
        check(
            "rate(5 minutes)",
            "2026-11-24T19:02:11Z",
            &["2026-11-24T19:05:00Z"],
        );
        check(
            "rate(2 days)",
            "2026-01-01T00:00:00Z",
            &["2026-01-03T00:00:00Z"],
        );
        assert_eq!(
            "rate(15 minutes)".parse::<ScheduleExpr>().unwrap(),
            ScheduleExpr::Rate(Duration::from_secs(900))
        );
    }

    #[test]
    fn rate_errors_follow_aws_rules() {
        check_err("rate(5 minute)", "plural");
        check_err("rate(1 hours)", "singular");
        check_err("rate(0 minutes)", "positive");
        check_err("rate(5 weeks)", "unknown rate unit");
        check_err("rate(5)", "<value> <unit>");
        check_err("rate(5 minutes", "closing parenthesis");
        check_err("every(5 minutes)", "expected rate");
    }

    #[test]
    fn nightly_cron() {
        // 03:00 UTC every day; from just before, at and after the slot.
        check(
            "cron(0 3 * * ? *)",
            "2026-11-24T02:59:59Z",
            &["2026-11-24T03:00:00Z"],
        );
        check(
            "cron(0 3 * * ? *)",
            "2026-11-24T03:00:00Z",
            &["2026-11-25T03:00:00Z", "2026-11-26T03:00:00Z"],
        );
        // Crossing a month and a year end.
        check(
            "cron(0 3 * * ? *)",
            "2026-12-31T04:00:00Z",
            &["2027-01-01T03:00:00Z"],
        );
    }

    #[test]
    fn cron_lists_ranges_steps() {
        check(
            "cron(0/15 9-10 * * ? *)",
            "2026-11-24T10:40:00Z",
            &[
                "2026-11-24T10:45:00Z",
                "2026-11-25T09:00:00Z",
                "2026-11-25T09:15:00Z",
            ],
        );
        check(
            "cron(5,35 */12 * * ? *)",
            "2026-11-24T00:05:00Z",
            &[
                "2026-11-24T00:35:00Z",
                "2026-11-24T12:05:00Z",
                "2026-11-24T12:35:00Z",
            ],
        );
        check(
            "cron(10-20/5 8 * * ? *)",
            "2026-11-24T08:16:00Z",
            &["2026-11-24T08:20:00Z"],
        );
    }

    #[test]
    fn cron_day_of_week_names_and_numbers() {
        // 2026-11-24 is a Tuesday.
        check(
            "cron(0 18 ? * MON-FRI *)",
            "2026-11-27T18:00:00Z", // Friday, at the slot
            &["2026-11-30T18:00:00Z", "2026-12-01T18:00:00Z"],
        );
        // 1 = Sunday in AWS numbering.
        check(
            "cron(0 0 ? * 1 *)",
            "2026-11-24T00:00:00Z",
            &["2026-11-29T00:00:00Z"],
        );
        check(
            "cron(30 12 ? * sat,sun *)",
            "2026-11-24T00:00:00Z",
            &["2026-11-28T12:30:00Z"],
        );
    }

    #[test]
    fn cron_day_of_month_month_and_year() {
        check(
            "cron(0 12 1 JAN,JUL ? *)",
            "2026-02-10T00:00:00Z",
            &["2026-07-01T12:00:00Z", "2027-01-01T12:00:00Z"],
        );
        // Day 31 skips the short months.
        check(
            "cron(0 0 31 * ? *)",
            "2026-03-31T00:00:00Z",
            &["2026-05-31T00:00:00Z", "2026-07-31T00:00:00Z"],
        );
        // Leap day, only in leap years.
        check(
            "cron(0 0 29 2 ? *)",
            "2026-01-01T00:00:00Z",
            &["2028-02-29T00:00:00Z"],
        );
        check(
            "cron(0 0 1 1 ? 2030)",
            "2026-06-01T00:00:00Z",
            &["2030-01-01T00:00:00Z"],
        );
        let once: ScheduleExpr = "cron(0 0 1 1 ? 2030)".parse().unwrap();
        assert_eq!(once.next_after(utc("2030-01-01T00:00:00Z")), None);
        let never: ScheduleExpr = "cron(0 0 30 2 ? *)".parse().unwrap();
        assert_eq!(never.next_after(utc("2026-01-01T00:00:00Z")), None);
    }

    #[test]
    fn cron_errors() {
        check_err(
            "cron(0 3 * * * *)",
            "exactly one of day-of-month and day-of-week",
        );
        check_err(
            "cron(0 3 ? * ? *)",
            "exactly one of day-of-month and day-of-week",
        );
        check_err("cron(0 3 * * ?)", "6 fields");
        check_err("cron(60 3 * * ? *)", "minutes: 60 is outside 0-59");
        check_err("cron(0 24 * * ? *)", "hours: 24 is outside 0-23");
        check_err("cron(0 3 * 13 ? *)", "month: 13 is outside 1-12");
        check_err("cron(0 3 ? * 8 *)", "day-of-week: 8 is outside 1-7");
        check_err("cron(0 3 * FOO ? *)", "not a number or name");
        check_err("cron(0 5-3 * * ? *)", "runs backwards");
        check_err("cron(*/0 3 * * ? *)", "positive integer");
        check_err("cron(? 3 * * ? *)", "only allowed in day-of-month");
        check_err("cron(0 3 L * ? *)", "L (last)");
        check_err("cron(0 3 15W * ? *)", "W (weekday)");
        check_err("cron(0 3 ? * 6#3 *)", "# (nth weekday)");
        // Names containing L / W are not mistaken for the specials.
        assert!("cron(0 3 ? JUL WED *)".parse::<ScheduleExpr>().is_ok());
    }

    #[test]
    fn at_fires_once() {
        check(
            "at(2026-11-25T10:00:00)",
            "2026-11-24T00:00:00Z",
            &["2026-11-25T10:00:00Z"],
        );
        let at: ScheduleExpr = "at(2026-11-25T10:00:00)".parse().unwrap();
        assert_eq!(at.next_after(utc("2026-11-25T10:00:00Z")), None);
        check_err("at(2026-11-25 10:00)", "yyyy-mm-ddThh:mm:ss");
    }

    #[test]
    fn display_round_trips() {
        for expr in [
            "rate(1 minute)",
            "rate(5 minutes)",
            "rate(1 hour)",
            "rate(3 days)",
            "cron(0 3 * * ? *)",
            "at(2026-11-25T10:00:00)",
        ] {
            let parsed: ScheduleExpr = expr.parse().unwrap();
            assert_eq!(parsed.to_string(), expr);
            assert_eq!(parsed.to_string().parse::<ScheduleExpr>().unwrap(), parsed);
        }
    }
}
