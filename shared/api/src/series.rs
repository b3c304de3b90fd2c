//! Pure assembly of a metric time series: zero-filled buckets from `from` to
//! `to`, with venue-local days for `1d`.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use domain::ports::RollupRow;
use domain::{Granularity, Metric};
use serde::Serialize;
use utoipa::ToSchema;

/// Most points one series may have.
pub const MAX_POINTS: usize = 2_000;

/// A stored counter, or a rate derived from one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SeriesMetric {
    Counter(Metric),
    /// Tickets sold per hour within each bucket.
    SalesVelocity,
    /// Revenue − refunded amount: what the venue keeps (gross is `revenue`).
    NetRevenue,
    /// Tickets sold − tickets refunded.
    NetTickets,
}

/// The derived metrics, by name.
const DERIVED: [(&str, SeriesMetric); 3] = [
    ("salesVelocity", SeriesMetric::SalesVelocity),
    ("netRevenue", SeriesMetric::NetRevenue),
    ("netTickets", SeriesMetric::NetTickets),
];

impl SeriesMetric {
    pub fn name(self) -> &'static str {
        match self {
            SeriesMetric::Counter(m) => m.as_str(),
            SeriesMetric::SalesVelocity => "salesVelocity",
            SeriesMetric::NetRevenue => "netRevenue",
            SeriesMetric::NetTickets => "netTickets",
        }
    }

    /// Every accepted metric name.
    pub fn names() -> Vec<&'static str> {
        Metric::ALL
            .iter()
            .map(|m| m.as_str())
            .chain(DERIVED.map(|(name, _)| name))
            .collect()
    }
}

impl fmt::Display for SeriesMetric {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for SeriesMetric {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if let Some((_, m)) = DERIVED.iter().find(|(name, _)| *name == s) {
            return Ok(*m);
        }
        s.parse::<Metric>().map(SeriesMetric::Counter).map_err(|_| {
            format!(
                "unknown metric {s:?}; expected one of {}",
                SeriesMetric::names().join(", ")
            )
        })
    }
}

/// A count for counters, a float for rates.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, ToSchema)]
#[serde(untagged)]
pub enum PointValue {
    Count(i64),
    Rate(f64),
}

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Point {
    /// Bucket start, RFC 3339 UTC.
    pub t: DateTime<Utc>,
    /// A count (an integer) for counters, tickets per hour for `salesVelocity`.
    /// Documented as one `number`: a `oneOf` integer/number would match 0 twice.
    #[schema(value_type = f64)]
    pub value: PointValue,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SeriesError {
    #[error("`from` must be before `to`")]
    EmptyRange,
    #[error(
        "the range holds {buckets} or more {granularity} buckets; at most {MAX_POINTS} are allowed: narrow the range or use a coarser granularity"
    )]
    TooManyPoints {
        buckets: usize,
        granularity: Granularity,
    },
}

/// Starts of the buckets overlapping `[from, to)`, at most [`MAX_POINTS`].
pub fn bucket_starts(
    g: Granularity,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    tz: Tz,
) -> Result<Vec<i64>, SeriesError> {
    if from >= to {
        return Err(SeriesError::EmptyRange);
    }
    let end = to.timestamp();
    // Cheap bound before walking (days are at most 25 hours).
    let estimate = (end - from.timestamp()) / g.nominal_seconds().clamp(1, 23 * 3600);
    if usize::try_from(estimate).unwrap_or(usize::MAX) > MAX_POINTS + 1 {
        return Err(SeriesError::TooManyPoints {
            buckets: MAX_POINTS + 1,
            granularity: g,
        });
    }
    let mut starts = Vec::new();
    let mut b = g.bucket_start(from, tz);
    while b < end {
        if starts.len() == MAX_POINTS {
            return Err(SeriesError::TooManyPoints {
                buckets: MAX_POINTS + 1,
                granularity: g,
            });
        }
        starts.push(b);
        b = g.next_bucket(b, tz);
    }
    Ok(starts)
}

/// One point per bucket start; buckets without a row are zero. A row counts
/// in the bucket that contains its start: a day row bucketed under another
/// zone (events that arrived before the venue's zone was known) lands in the
/// local day holding its start instead of vanishing, so the points always
/// sum to the total of the range.
pub fn points(
    rows: &[RollupRow],
    metric: SeriesMetric,
    g: Granularity,
    starts: &[i64],
    tz: Tz,
) -> Vec<Point> {
    let mut per_bucket: Vec<Vec<&RollupRow>> = vec![Vec::new(); starts.len()];
    for r in rows {
        let i = starts.partition_point(|&s| s <= r.bucket);
        if i > 0 {
            per_bucket[i - 1].push(r);
        }
    }
    starts
        .iter()
        .zip(&per_bucket)
        .map(|(&start, rows)| {
            let sum = |m: Metric| rows.iter().map(|r| r.get(m)).sum::<i64>();
            let value = match metric {
                SeriesMetric::Counter(m) => PointValue::Count(sum(m)),
                SeriesMetric::NetRevenue => {
                    PointValue::Count(sum(Metric::Revenue) - sum(Metric::RefundedAmount))
                }
                SeriesMetric::NetTickets => {
                    PointValue::Count(sum(Metric::TicketsSold) - sum(Metric::TicketsRefunded))
                }
                SeriesMetric::SalesVelocity => {
                    let sold = sum(Metric::TicketsSold);
                    let width = g.next_bucket(start, tz) - start;
                    #[allow(clippy::cast_precision_loss)]
                    PointValue::Rate(sold as f64 * 3600.0 / width as f64)
                }
            };
            Point {
                t: DateTime::from_timestamp(start, 0).unwrap_or_default(),
                value,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::summary::tests::{at, row};

    #[test]
    fn fixed_buckets_are_zero_filled() {
        let starts = bucket_starts(
            Granularity::Hour,
            at("2026-11-24T10:30:00Z"),
            at("2026-11-24T13:00:00Z"),
            Tz::UTC,
        )
        .unwrap();
        assert_eq!(starts.len(), 3, "10:00, 11:00, 12:00");
        let rows = vec![row("2026-11-24T11:00:00Z", &[(Metric::Revenue, 4500)], &[])];
        let pts = points(
            &rows,
            SeriesMetric::Counter(Metric::Revenue),
            Granularity::Hour,
            &starts,
            Tz::UTC,
        );
        let values: Vec<_> = pts.iter().map(|p| p.value).collect();
        assert_eq!(
            values,
            vec![
                PointValue::Count(0),
                PointValue::Count(4500),
                PointValue::Count(0)
            ]
        );
        assert_eq!(pts[0].t, at("2026-11-24T10:00:00Z"));
    }

    #[test]
    fn daily_buckets_start_at_local_midnight_across_dst() {
        let ny: Tz = "America/New_York".parse().unwrap();
        let starts = bucket_starts(
            Granularity::Day,
            at("2026-11-01T00:00:00Z"),
            at("2026-11-03T00:00:00Z"),
            ny,
        )
        .unwrap();
        let ts: Vec<_> = starts
            .iter()
            .map(|s| DateTime::from_timestamp(*s, 0).unwrap())
            .collect();
        // Oct 31 local (EDT, UTC-4), Nov 1 (EDT until 02:00), Nov 2 (EST, UTC-5).
        assert_eq!(
            ts,
            vec![
                at("2026-10-31T04:00:00Z"),
                at("2026-11-01T04:00:00Z"),
                at("2026-11-02T05:00:00Z")
            ]
        );
        let rows = vec![row(
            "2026-11-01T04:00:00Z",
            &[(Metric::TicketsSold, 50)],
            &[],
        )];
        let pts = points(
            &rows,
            SeriesMetric::SalesVelocity,
            Granularity::Day,
            &starts,
            ny,
        );
        assert_eq!(
            pts[1].value,
            PointValue::Rate(2.0),
            "50 tickets over a 25-hour day"
        );
    }

    #[test]
    fn velocity_scales_to_per_hour() {
        let starts = bucket_starts(
            Granularity::FiveMinutes,
            at("2026-11-24T10:00:00Z"),
            at("2026-11-24T10:05:00Z"),
            Tz::UTC,
        )
        .unwrap();
        let rows = vec![row(
            "2026-11-24T10:00:00Z",
            &[(Metric::TicketsSold, 3)],
            &[],
        )];
        let pts = points(
            &rows,
            SeriesMetric::SalesVelocity,
            Granularity::FiveMinutes,
            &starts,
            Tz::UTC,
        );
        assert_eq!(pts[0].value, PointValue::Rate(36.0));
    }

    #[test]
    fn ranges_are_validated() {
        let t = at("2026-11-24T10:00:00Z");
        assert_eq!(
            bucket_starts(Granularity::Minute, t, t, Tz::UTC),
            Err(SeriesError::EmptyRange)
        );
        let too_long = bucket_starts(
            Granularity::Minute,
            t,
            t + chrono::Duration::days(2),
            Tz::UTC,
        );
        assert!(matches!(too_long, Err(SeriesError::TooManyPoints { .. })));
        assert_eq!(
            bucket_starts(
                Granularity::Minute,
                t,
                t + chrono::Duration::minutes(2000),
                Tz::UTC
            )
            .unwrap()
            .len(),
            2000
        );
        assert!(
            bucket_starts(
                Granularity::Minute,
                t,
                t + chrono::Duration::minutes(2001),
                Tz::UTC
            )
            .is_err()
        );
    }

    #[test]
    fn metric_names_parse() {
        assert_eq!("salesVelocity".parse(), Ok(SeriesMetric::SalesVelocity));
        assert_eq!(
            "cartAbandons".parse(),
            Ok(SeriesMetric::Counter(Metric::CartAbandons))
        );
        assert!(
            "bogus"
                .parse::<SeriesMetric>()
                .unwrap_err()
                .contains("revenue")
        );
    }
}
