//! Pure assembly of check-ins over time: admitted scans per 5 minutes, per
//! gate (entry point) and in total, zero-filled across a window around doors.

use chrono::{DateTime, Duration, Utc};
use domain::Metric;
use domain::ports::{RollupRow, ShowRecord};
use serde::Serialize;
use utoipa::ToSchema;

/// Width of a check-in bucket.
pub const BUCKET_SECONDS: i64 = 300;
/// Longest window: one day of 5-minute buckets.
pub const MAX_WINDOW: Duration = Duration::hours(24);
/// Default window around a show's start: doors usually open 60–90 minutes before.
pub const BEFORE_START: Duration = Duration::hours(2);
pub const AFTER_START: Duration = Duration::hours(1);

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct CheckinPoint {
    /// Bucket start, RFC 3339 UTC.
    pub t: DateTime<Utc>,
    /// Admitted scans in the bucket.
    pub admitted: i64,
}

/// One gate's check-ins.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct GateCheckins {
    pub gate: String,
    pub total: i64,
    pub points: Vec<CheckinPoint>,
}

/// `GET /api/analytics/{venueId}/checkins`.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Checkins {
    pub venue_id: String,
    pub event_id: Option<String>,
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub bucket_minutes: i64,
    /// All gates together, per bucket.
    pub points: Vec<CheckinPoint>,
    /// Per gate, busiest first.
    pub gates: Vec<GateCheckins>,
    /// The busiest bucket (all gates): when staffing matters most.
    pub peak: Option<CheckinPoint>,
}

/// The window to show when the caller names none: around the show's start
/// (two hours before to one after, never past `now`), else the last three hours.
pub fn default_window(
    show: Option<&ShowRecord>,
    now: DateTime<Utc>,
) -> (DateTime<Utc>, DateTime<Utc>) {
    match show {
        Some(s) if s.starts_at - BEFORE_START < now => (
            s.starts_at - BEFORE_START,
            (s.starts_at + AFTER_START).min(now),
        ),
        _ => (now - Duration::hours(3), now),
    }
}

/// Bucket starts of `[from, to)`, aligned to 5 minutes.
pub fn bucket_starts(from: DateTime<Utc>, to: DateTime<Utc>) -> Vec<i64> {
    let first = from.timestamp().div_euclid(BUCKET_SECONDS) * BUCKET_SECONDS;
    (first..to.timestamp())
        .step_by(BUCKET_SECONDS.unsigned_abs() as usize)
        .collect()
}

/// Check-ins of `rows` (5-minute rollups) over `starts`.
pub fn assemble(
    venue_id: &str,
    event_id: Option<&str>,
    rows: &[RollupRow],
    starts: &[i64],
    (from, to): (DateTime<Utc>, DateTime<Utc>),
) -> Checkins {
    let at = |b: i64| DateTime::from_timestamp(b, 0).unwrap_or_default();
    let in_window = |b: &i64| starts.binary_search(b).is_ok();
    let mut per_bucket = std::collections::BTreeMap::new();
    for r in rows {
        *per_bucket.entry(r.bucket).or_insert(0) += r.get(Metric::ScansAdmitted);
    }
    let total: Vec<i64> = starts
        .iter()
        .map(|b| per_bucket.get(b).copied().unwrap_or(0))
        .collect();
    let gates: Vec<(String, Vec<i64>)> = domain::totals::admitted_by_gate(rows)
        .into_iter()
        .filter(|(_, per)| per.keys().any(in_window))
        .map(|(gate, per)| {
            let values = starts
                .iter()
                .map(|b| per.get(b).copied().unwrap_or(0))
                .collect();
            (gate, values)
        })
        .collect();
    let series = |values: &[i64]| -> Vec<CheckinPoint> {
        starts
            .iter()
            .zip(values)
            .map(|(&b, &admitted)| CheckinPoint { t: at(b), admitted })
            .collect()
    };
    let mut gates: Vec<GateCheckins> = gates
        .into_iter()
        .map(|(gate, values)| GateCheckins {
            gate,
            total: values.iter().sum(),
            points: series(&values),
        })
        .collect();
    gates.sort_by(|a, b| b.total.cmp(&a.total).then_with(|| a.gate.cmp(&b.gate)));
    let points = series(&total);
    let peak = points
        .iter()
        .filter(|p| p.admitted > 0)
        .max_by(|a, b| a.admitted.cmp(&b.admitted).then(b.t.cmp(&a.t)))
        .cloned();
    Checkins {
        venue_id: venue_id.to_owned(),
        event_id: event_id.map(str::to_owned),
        from,
        to,
        bucket_minutes: BUCKET_SECONDS / 60,
        points,
        gates,
        peak,
    }
}

#[cfg(test)]
mod tests {
    use domain::Dimension;

    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    fn row(t: &str, gates: &[(&str, i64)]) -> RollupRow {
        RollupRow {
            bucket: at(t).timestamp(),
            base: [(Metric::ScansAdmitted, gates.iter().map(|g| g.1).sum())].into(),
            breakdowns: gates
                .iter()
                .map(|(g, n)| {
                    (
                        Metric::ScansAdmitted,
                        Dimension::EntryPoint,
                        (*g).to_owned(),
                        *n,
                    )
                })
                .chain([(
                    Metric::ScansRejected,
                    Dimension::EntryPoint,
                    "North".to_owned(),
                    9,
                )])
                .collect(),
            currency: None,
        }
    }

    #[test]
    fn admitted_scans_per_gate_are_zero_filled_and_sum_to_the_total() {
        let (from, to) = (at("2026-11-24T19:02:00Z"), at("2026-11-24T19:20:00Z"));
        let starts = bucket_starts(from, to);
        assert_eq!(starts.len(), 4, "19:00, 19:05, 19:10, 19:15");
        let rows = [
            row("2026-11-24T19:05:00Z", &[("North", 12), ("South", 3)]),
            row("2026-11-24T19:15:00Z", &[("South", 20)]),
            // Outside the window: not counted.
            row("2026-11-24T19:20:00Z", &[("North", 50)]),
        ];
        let c = assemble("v", Some("s"), &rows, &starts, (from, to));
        let values = |p: &[CheckinPoint]| p.iter().map(|p| p.admitted).collect::<Vec<_>>();
        assert_eq!(values(&c.points), [0, 15, 0, 20]);
        assert_eq!(c.gates[0].gate, "South", "busiest first");
        assert_eq!(values(&c.gates[0].points), [0, 3, 0, 20]);
        assert_eq!(values(&c.gates[1].points), [0, 12, 0, 0]);
        assert_eq!(c.peak.unwrap().t, at("2026-11-24T19:15:00Z"));
        assert_eq!(c.bucket_minutes, 5);
    }

    #[test]
    fn the_default_window_is_around_doors_and_never_in_the_future() {
        let now = at("2026-11-24T19:30:00Z");
        let show = ShowRecord {
            event_id: "s".into(),
            name: "Show".into(),
            starts_at: at("2026-11-24T20:00:00Z"),
            capacity: None,
            on_sale_at: None,
        };
        assert_eq!(
            default_window(Some(&show), now),
            (at("2026-11-24T18:00:00Z"), now)
        );
        let later = at("2026-11-25T02:00:00Z");
        assert_eq!(
            default_window(Some(&show), later),
            (at("2026-11-24T18:00:00Z"), at("2026-11-24T21:00:00Z"))
        );
        assert_eq!(default_window(None, now), (now - Duration::hours(3), now));
    }
}
