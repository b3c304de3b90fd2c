//! Validated view of a [`ReportData`] shared by all renderers: the venue time
//! zone, bucket size, and venue-local day helpers.

use std::borrow::Cow;

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, Utc};
use chrono_tz::Tz;

use crate::{RenderError, ReportData, RollupRow};

/// What every renderer needs besides the raw data, checked once.
pub(crate) struct ReportContext<'a> {
    pub data: &'a ReportData,
    pub tz: Tz,
    /// Length of one `rows` bucket in hours (1 or 24).
    pub bucket_hours: f64,
}

impl<'a> ReportContext<'a> {
    /// Validates the documented preconditions of [`ReportData`].
    pub fn new(data: &'a ReportData) -> Result<Self, RenderError> {
        let tz: Tz = data.timezone.parse().map_err(|_| {
            RenderError::InvalidData(format!("unknown IANA time zone {:?}", data.timezone))
        })?;
        let bucket_hours = match data.granularity.as_str() {
            "1h" => 1.0,
            "1d" => 24.0,
            other => {
                return Err(RenderError::InvalidData(format!(
                    "granularity must be \"1h\" or \"1d\", got {other:?}"
                )));
            }
        };
        if data.currency.len() != 3 || !data.currency.chars().all(|c| c.is_ascii_alphabetic()) {
            return Err(RenderError::InvalidData(format!(
                "currency must be an ISO 4217 code, got {:?}",
                data.currency
            )));
        }
        if data.period_end < data.period_start {
            return Err(RenderError::InvalidData(
                "period_end is before period_start".into(),
            ));
        }
        Ok(Self {
            data,
            tz,
            bucket_hours,
        })
    }

    pub fn local(&self, instant: DateTime<Utc>) -> NaiveDateTime {
        instant.with_timezone(&self.tz).naive_local()
    }

    /// Venue-local days: `data.daily` when given, else derived from `rows`.
    pub fn daily(&self) -> Cow<'a, [RollupRow]> {
        if self.data.daily.is_empty() && !self.data.rows.is_empty() {
            Cow::Owned(group_by_local_day(&self.data.rows, self.tz))
        } else {
            Cow::Borrowed(&self.data.daily)
        }
    }

    /// Hours in the venue-local day starting at `day_start` (23 or 25 on DST changes).
    pub fn local_day_hours(&self, day_start: DateTime<Utc>) -> f64 {
        let date = day_start.with_timezone(&self.tz).date_naive();
        let next = date
            .succ_opt()
            .map_or(day_start + Duration::days(1), |next| {
                local_midnight(next, self.tz)
            });
        (next - day_start).num_seconds() as f64 / 3600.0
    }

    /// Human period, venue-local, end shown inclusively: `1 Jan 2025 – 31 Dec 2025`.
    pub fn period_label(&self) -> String {
        let start = self.local(self.data.period_start).date();
        let last = self
            .local(self.data.period_end - Duration::seconds(1))
            .date()
            .max(start);
        if start == last {
            start.format("%-d %b %Y").to_string()
        } else {
            format!(
                "{} – {}",
                start.format("%-d %b %Y"),
                last.format("%-d %b %Y")
            )
        }
    }

    /// Hours covered by the period (at least one bucket, to keep rates finite).
    pub fn period_hours(&self) -> f64 {
        let seconds = (self.data.period_end - self.data.period_start).num_seconds() as f64;
        (seconds / 3600.0).max(self.bucket_hours)
    }
}

pub(crate) use domain::rollup::local_day_start as local_midnight;

/// Sums rows (ascending) into venue-local days.
pub(crate) fn group_by_local_day(rows: &[RollupRow], tz: Tz) -> Vec<RollupRow> {
    group_by(rows, tz, |date| date)
}

/// Sums rows (ascending) into groups keyed by `key(local date)`; each group's
/// `bucket_start` is local midnight of its key date, or its first row's start
/// when the data begins mid-group (a partial first week).
pub(crate) fn group_by(
    rows: &[RollupRow],
    tz: Tz,
    key: impl Fn(NaiveDate) -> NaiveDate,
) -> Vec<RollupRow> {
    let mut out: Vec<RollupRow> = Vec::new();
    let mut current: Option<NaiveDate> = None;
    for row in rows {
        let group = key(row.bucket_start.with_timezone(&tz).date_naive());
        if current != Some(group) {
            current = Some(group);
            let bucket_start = local_midnight(group, tz).max(row.bucket_start);
            out.push(RollupRow {
                bucket_start,
                ..RollupRow::default()
            });
        }
        if let Some(last) = out.last_mut() {
            last.accumulate(row);
        }
    }
    out
}

/// Monday of the ISO week containing `date`.
pub(crate) fn week_start(date: NaiveDate) -> NaiveDate {
    date - Duration::days(i64::from(date.weekday().num_days_from_monday()))
}
