//! Pacing against earlier shows: a show's cumulative net tickets (and net
//! revenue) by days before it starts, against the venue's earlier comparable
//! shows at the same distance (median and range). Pure: rows in, curve out.

use crate::Metric;
use crate::ports::{RollupRow, ShowRecord};
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use serde::Serialize;

/// Default and largest horizon, days before the show.
pub const DEFAULT_HORIZON: i64 = 60;
pub const MAX_HORIZON: i64 = 400;
/// Most earlier shows compared (the latest ones).
pub const MAX_COMPARABLES: usize = 12;

/// One day before the show: this show's running totals, and the earlier
/// shows' at the same distance.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct PacingPoint {
    /// 0 = the show's own day.
    pub days_before: i64,
    /// Net tickets (sold − refunded) up to and including that day; `null`
    /// for days still ahead.
    pub tickets: Option<i64>,
    pub net_revenue: Option<i64>,
    /// The comparable shows' net tickets at the same distance.
    pub median: Option<f64>,
    pub min: Option<i64>,
    pub max: Option<i64>,
}

/// A show compared with.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Comparable {
    pub event_id: String,
    pub name: String,
    pub starts_at: DateTime<Utc>,
    pub capacity: Option<u32>,
    /// Its final net tickets (at day 0).
    pub final_tickets: i64,
}

/// Where the show stands today against the median.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct PacingNow {
    pub days_before: i64,
    pub tickets: i64,
    pub median: Option<f64>,
    /// Tickets − median (negative: behind).
    pub ahead_by: Option<f64>,
    /// `ahead_by` ÷ median × 100.
    pub ahead_by_percent: Option<f64>,
}

/// `GET /api/analytics/{venueId}/pacing`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Pacing {
    pub venue_id: String,
    pub event_id: String,
    pub starts_at: DateTime<Utc>,
    pub currency: String,
    pub horizon_days: i64,
    pub comparables: Vec<Comparable>,
    /// From `horizon_days` before the show down to its day.
    pub points: Vec<PacingPoint>,
    /// Today against the median; `null` once the show has started or
    /// before its horizon.
    pub now: Option<PacingNow>,
}

/// Days from the venue-local date of `bucket` to the show's local date.
fn days_before(bucket: i64, starts_at: DateTime<Utc>, tz: Tz) -> i64 {
    let day = DateTime::from_timestamp(bucket, 0)
        .unwrap_or_default()
        .with_timezone(&tz)
        .date_naive();
    (starts_at.with_timezone(&tz).date_naive() - day).num_days()
}

/// Net tickets and net revenue per day before the show, cumulative from the
/// first sale (sales before the horizon count in its first point).
/// `cum[d]` = totals of every day at least `d` days before the show.
fn cumulative(
    rows: &[RollupRow],
    starts_at: DateTime<Utc>,
    tz: Tz,
    horizon: i64,
) -> Vec<(i64, i64)> {
    let mut per_day = vec![(0i64, 0i64); usize::try_from(horizon + 1).unwrap_or(0)];
    let mut before_horizon = (0, 0);
    for r in rows {
        let d = days_before(r.bucket, starts_at, tz);
        let t = r.get(Metric::TicketsSold) - r.get(Metric::TicketsRefunded);
        let m = r.get(Metric::Revenue) - r.get(Metric::RefundedAmount);
        match usize::try_from(d) {
            Ok(i) if i < per_day.len() => {
                per_day[i].0 += t;
                per_day[i].1 += m;
            }
            Ok(_) => {
                before_horizon.0 += t;
                before_horizon.1 += m;
            }
            // After the show's day: not pacing.
            Err(_) => {}
        }
    }
    let mut out = vec![(0, 0); per_day.len()];
    let mut running = before_horizon;
    for i in (0..per_day.len()).rev() {
        running.0 += per_day[i].0;
        running.1 += per_day[i].1;
        out[i] = running;
    }
    out
}

fn median(mut v: Vec<i64>) -> Option<f64> {
    v.sort_unstable();
    let n = v.len();
    match n {
        0 => None,
        #[allow(clippy::cast_precision_loss)]
        _ if n % 2 == 1 => Some(v[n / 2] as f64),
        #[allow(clippy::cast_precision_loss)]
        _ => Some((v[n / 2 - 1] + v[n / 2]) as f64 / 2.0),
    }
}

/// The show's inputs: its record and its daily rows (money in one currency).
pub struct ShowRows<'a> {
    pub show: &'a ShowRecord,
    pub rows: &'a [RollupRow],
}

/// Assembles the pacing of `show` against `earlier` at `now`.
pub fn assemble(
    venue_id: &str,
    currency: &str,
    tz: Tz,
    show: &ShowRows<'_>,
    earlier: &[ShowRows<'_>],
    horizon: i64,
    now: DateTime<Utc>,
) -> Pacing {
    let starts_at = show.show.starts_at;
    let mine = cumulative(show.rows, starts_at, tz, horizon);
    let theirs: Vec<Vec<(i64, i64)>> = earlier
        .iter()
        .map(|e| cumulative(e.rows, e.show.starts_at, tz, horizon))
        .collect();
    let today = (starts_at >= now).then(|| days_before(now.timestamp(), starts_at, tz));
    let points: Vec<PacingPoint> = (0..=horizon)
        .rev()
        .map(|d| {
            let i = usize::try_from(d).unwrap_or(0);
            let known = today.is_none_or(|t| d >= t);
            let others: Vec<i64> = theirs.iter().map(|c| c[i].0).collect();
            PacingPoint {
                days_before: d,
                tickets: known.then(|| mine[i].0),
                net_revenue: known.then(|| mine[i].1),
                median: median(others.clone()),
                min: others.iter().min().copied(),
                max: others.iter().max().copied(),
            }
        })
        .collect();
    let now_point = today.filter(|t| *t <= horizon).map(|t| {
        let p = points
            .iter()
            .find(|p| p.days_before == t)
            .expect("every day of the horizon has a point");
        let tickets = p.tickets.unwrap_or(0);
        #[allow(clippy::cast_precision_loss)]
        let ahead_by = p.median.map(|m| tickets as f64 - m);
        PacingNow {
            days_before: t,
            tickets,
            median: p.median,
            ahead_by,
            ahead_by_percent: ahead_by
                .zip(p.median)
                .and_then(|(a, m)| (m != 0.0).then(|| a / m * 100.0)),
        }
    });
    Pacing {
        venue_id: venue_id.to_owned(),
        event_id: show.show.event_id.clone(),
        starts_at,
        currency: currency.to_owned(),
        horizon_days: horizon,
        comparables: earlier
            .iter()
            .zip(&theirs)
            .map(|(e, c)| Comparable {
                event_id: e.show.event_id.clone(),
                name: e.show.name.clone(),
                starts_at: e.show.starts_at,
                capacity: e.show.capacity,
                final_tickets: c.first().map_or(0, |p| p.0),
            })
            .collect(),
        points,
        now: now_point,
    }
}

/// The earlier shows `show` is compared with: started before it, the latest
/// [`MAX_COMPARABLES`]; with `same_capacity`, only those within 25% of its
/// capacity (shows without a capacity are then left out).
pub fn comparables<'a>(
    shows: &'a [ShowRecord],
    show: &ShowRecord,
    same_capacity: bool,
) -> Vec<&'a ShowRecord> {
    let band = |c: Option<u32>| match (show.capacity, c) {
        (Some(mine), Some(theirs)) => {
            let (mine, theirs) = (f64::from(mine), f64::from(theirs));
            (theirs - mine).abs() <= 0.25 * mine
        }
        _ => false,
    };
    let mut earlier: Vec<&ShowRecord> = shows
        .iter()
        .filter(|s| s.event_id != show.event_id && s.starts_at < show.starts_at)
        .filter(|s| !same_capacity || band(s.capacity))
        .collect();
    earlier.sort_by_key(|s| std::cmp::Reverse(s.starts_at));
    earlier.truncate(MAX_COMPARABLES);
    earlier
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Dimension;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn row(t: &str, base: &[(Metric, i64)], _: &[(Metric, Dimension, &str, i64)]) -> RollupRow {
        RollupRow {
            bucket: at(t).timestamp(),
            base: base.iter().copied().collect(),
            breakdowns: Vec::new(),
            currency: Some("EUR".into()),
        }
    }

    fn show(id: &str, starts: &str, capacity: Option<u32>) -> ShowRecord {
        ShowRecord {
            event_id: id.into(),
            name: id.into(),
            starts_at: at(starts),
            capacity,
            on_sale_at: None,
        }
    }

    fn sold(day: &str, tickets: i64) -> RollupRow {
        row(
            &format!("{day}T00:00:00Z"),
            &[
                (Metric::TicketsSold, tickets),
                (Metric::Revenue, tickets * 1000),
            ],
            &[],
        )
    }

    #[test]
    fn the_show_is_compared_day_for_day_with_the_median_of_earlier_shows() {
        let tz = Tz::UTC;
        // Three earlier shows, each selling on D-3 and D-1.
        let a = show("a", "2026-10-10T20:00:00Z", Some(500));
        let b = show("b", "2026-10-20T20:00:00Z", Some(500));
        let c = show("c", "2026-10-30T20:00:00Z", Some(500));
        let rows_a = [sold("2026-10-07", 10), sold("2026-10-09", 10)];
        let rows_b = [sold("2026-10-17", 20), sold("2026-10-19", 20)];
        let rows_c = [sold("2026-10-27", 30), sold("2026-10-29", 5)];
        let mine = show("m", "2026-11-10T20:00:00Z", Some(500));
        // 25 sold on D-5 (before the horizon of 3: counted in its first point) and 5 on D-3.
        let rows_m = [sold("2026-11-05", 25), sold("2026-11-07", 5)];
        let earlier = [
            ShowRows {
                show: &a,
                rows: &rows_a,
            },
            ShowRows {
                show: &b,
                rows: &rows_b,
            },
            ShowRows {
                show: &c,
                rows: &rows_c,
            },
        ];
        let now = at("2026-11-08T12:00:00Z"); // D-2
        let p = assemble(
            "v",
            "USD",
            tz,
            &ShowRows {
                show: &mine,
                rows: &rows_m,
            },
            &earlier,
            3,
            now,
        );
        let by_d = |d: i64| {
            p.points
                .iter()
                .find(|x| x.days_before == d)
                .unwrap()
                .clone()
        };
        assert_eq!(by_d(3).tickets, Some(30));
        assert_eq!(by_d(3).median, Some(20.0), "10, 20, 30");
        assert_eq!((by_d(3).min, by_d(3).max), (Some(10), Some(30)));
        assert_eq!(by_d(2).tickets, Some(30), "today: known");
        assert_eq!(by_d(1).tickets, None, "tomorrow: not yet");
        assert_eq!(by_d(0).median, Some(35.0), "20, 35, 40");
        let now = p.now.unwrap();
        assert_eq!((now.days_before, now.tickets), (2, 30));
        assert_eq!(now.ahead_by, Some(10.0));
        assert_eq!(now.ahead_by_percent, Some(50.0));
        assert_eq!(
            p.comparables
                .iter()
                .map(|c| c.final_tickets)
                .collect::<Vec<_>>(),
            [20, 40, 35]
        );
        assert_eq!(by_d(3).net_revenue, Some(30_000));
    }

    #[test]
    fn comparables_are_earlier_shows_in_the_capacity_band_latest_first() {
        let mine = show("m", "2026-11-10T20:00:00Z", Some(1000));
        let shows = [
            show("small", "2026-10-01T20:00:00Z", Some(300)),
            show("close", "2026-10-02T20:00:00Z", Some(1200)),
            show("later", "2026-12-01T20:00:00Z", Some(1000)),
            show("unknown", "2026-10-03T20:00:00Z", None),
            mine.clone(),
        ];
        let ids = |v: Vec<&ShowRecord>| v.iter().map(|s| s.event_id.clone()).collect::<Vec<_>>();
        assert_eq!(
            ids(comparables(&shows, &mine, false)),
            ["unknown", "close", "small"]
        );
        assert_eq!(ids(comparables(&shows, &mine, true)), ["close"]);
    }
}
