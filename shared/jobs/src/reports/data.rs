//! [`build_report_data`]: a report's [`ReportData`] from the rollups, with
//! the dashboard's definitions (`shared/api/src/summary.rs`): totals are sums
//! of the venue-local daily rollups, average order value is revenue ÷ orders
//! rounded half away from zero, attendance is admitted ÷ sold, conversion is
//! orders ÷ page views (the funnel's view → purchase), rates are `None` for a
//! zero denominator, and tier/channel rows seen only in cart adds are left out.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use domain::pacing;
use domain::ports::{AnalyticsReader, RollupRow as StoredRow, ShowRecord, VenueRecord};
use domain::totals::{
    self, CurrencyTotals, currency_totals, div_round, in_currency, ratio, reporting_currency,
    sum_all,
};
use domain::{Dimension, Granularity, Metric};
use reports::{Breakdown, Kpis, ReportData, RollupRow};

use super::period::{Period, local_day_start};
use super::segments;
use crate::JobError;

pub use domain::totals::DEFAULT_CURRENCY;
/// Longest report range: two years of hourly rows.
pub const MAX_RANGE_DAYS: i64 = 2 * 366;

/// Loads and assembles the report of `venue` (or one `show`) for `[from, to)`.
///
/// `rows` are at `granularity` (`1h` or `1d`); `daily` are venue-local days.
/// When both ends are local midnights, the KPIs and breakdowns are sums of
/// the daily rollups (exactly the dashboard's numbers for those days);
/// otherwise of the hourly rollups starting in the range.
pub async fn build_report_data(
    reader: &dyn AnalyticsReader,
    venue: &str,
    show: Option<&str>,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    granularity: Granularity,
    now: DateTime<Utc>,
) -> Result<ReportData, JobError> {
    if !matches!(granularity, Granularity::Hour | Granularity::Day) {
        return Err(JobError::Invalid(format!(
            "report rows are 1h or 1d, not {granularity}"
        )));
    }
    if from >= to {
        return Err(JobError::Invalid(format!(
            "the period is empty: {from} is not before {to}"
        )));
    }
    if (to - from).num_days() > MAX_RANGE_DAYS {
        return Err(JobError::Invalid(format!(
            "the period is longer than {MAX_RANGE_DAYS} days"
        )));
    }
    let record = reader.venue(venue).await?.unwrap_or_else(|| VenueRecord {
        venue_id: venue.to_owned(),
        name: None,
        timezone: None,
        capacity: None,
        currency: None,
        shows: Vec::new(),
    });
    let tz: Tz = record
        .timezone
        .as_deref()
        .and_then(|t| t.parse().ok())
        .unwrap_or(Tz::UTC);
    let period = Period::new(from, to, tz);
    let (f, t) = (from.timestamp(), to.timestamp());
    // The previous period of equal length, for the "vs previous period" column.
    let (pf, pt) = (f - (t - f), f);
    let previous_granularity = if period.is_local_days() {
        Granularity::Day
    } else {
        Granularity::Hour
    };
    let show_record = show.and_then(|s| record.shows.iter().find(|r| r.event_id == s));
    let doors = doors_window(show_record, now);
    let (hours, days, customers, previous, door_rows) = tokio::try_join!(
        reader.rollups(venue, show, Granularity::Hour, f, t),
        async {
            if period.is_local_days() {
                reader
                    .rollups(venue, show, Granularity::Day, f, t)
                    .await
                    .map(Some)
            } else {
                Ok(None)
            }
        },
        reader.customers(venue),
        reader.rollups(venue, show, previous_granularity, pf, pt),
        async {
            match doors {
                Some((f, t)) => {
                    reader
                        .rollups(venue, show, Granularity::FiveMinutes, f, t)
                        .await
                }
                None => Ok(Vec::new()),
            }
        },
    )?;
    let checkins = doors.map_or_else(Vec::new, |(f, t)| checkins(&door_rows, f, t));
    let pacing = match show_record {
        Some(s) => Some(show_pacing(reader, &record, s, tz, now).await?),
        None => None,
    };
    // Every amount of the report is in one currency; money in others is
    // listed beside it, never added to it.
    let fallback = record.currency.as_deref().unwrap_or(DEFAULT_CURRENCY);
    let source_rows = days.as_deref().unwrap_or(&hours);
    let by_currency = currency_totals(source_rows, fallback);
    let currency = reporting_currency(record.currency.as_deref(), &by_currency);
    let hours = in_currency(&hours, &currency, fallback);
    let days = days.map(|d| in_currency(&d, &currency, fallback));
    let hourly: Vec<RollupRow> = hours.iter().map(convert).collect();
    let (summary_rows, daily) = match &days {
        // A day row written before the venue's zone was known starts at a UTC
        // midnight: it joins the local day holding its start, as in the API.
        Some(days) => (
            days.as_slice(),
            group_by_local_day(&days.iter().map(convert).collect::<Vec<_>>(), tz),
        ),
        None => (hours.as_slice(), group_by_local_day(&hourly, tz)),
    };
    let mine = by_currency.get(&currency).copied().unwrap_or_default();
    let previous_mine = currency_totals(&previous, fallback)
        .get(&currency)
        .copied()
        .unwrap_or_default();
    let previous = in_currency(&previous, &currency, fallback);
    let previous_from = DateTime::from_timestamp(pf, 0).unwrap_or(from);
    let other_currencies = by_currency
        .iter()
        .filter(|(code, t)| **code != currency && (t.revenue != 0 || t.orders != 0))
        .map(|(code, t)| reports::CurrencyAmount {
            currency: code.clone(),
            revenue: t.revenue,
            orders: t.orders,
        })
        .collect();
    let show_name = show_record.map(|s| s.name.clone());
    let venue_name = record.name.clone().unwrap_or_else(|| venue.to_owned());
    // The cover already names the venue (and show) under the title.
    let title = if show.is_some() {
        "Show report"
    } else {
        "Sales & attendance report"
    }
    .to_owned();
    let rows = if granularity == Granularity::Day {
        daily.clone()
    } else {
        hourly
    };
    Ok(ReportData {
        title,
        venue_id: venue.to_owned(),
        venue_name,
        event_id: show.map(str::to_owned),
        show_name,
        timezone: tz.name().to_owned(),
        currency,
        period_start: from,
        period_end: to,
        generated_at: now,
        granularity: granularity.as_str().to_owned(),
        kpis: kpis(summary_rows, mine, from, to),
        previous: Some(kpis(&previous, previous_mine, previous_from, from)),
        other_currencies,
        rows,
        daily,
        tiers: sales(summary_rows, Dimension::Tier),
        channels: sales(summary_rows, Dimension::Channel),
        campaigns: by_revenue(breakdown(summary_rows, Dimension::Campaign)),
        entry_points: entry_points(summary_rows),
        segments: segments::summary(&customers),
        checkins,
        pacing,
    })
}

/// The show's pacing against the venue's earlier shows (net tickets; one
/// daily query per show, in parallel), from two days before the first sale
/// of any of them.
async fn show_pacing(
    reader: &dyn AnalyticsReader,
    venue: &VenueRecord,
    show: &ShowRecord,
    tz: Tz,
    now: DateTime<Utc>,
) -> Result<reports::ShowPacing, JobError> {
    let p = crate::pacing::read(reader, venue, show, tz, pacing::DEFAULT_HORIZON, now).await?;
    let first_sale = p
        .points
        .iter()
        .position(|x| x.tickets.unwrap_or(0) != 0 || x.max.unwrap_or(0) != 0)
        .unwrap_or(p.points.len());
    let start = first_sale
        .saturating_sub(2)
        .min(p.points.len().saturating_sub(8));
    let points: Vec<reports::PacingPoint> = p.points[start..]
        .iter()
        .map(|x| reports::PacingPoint {
            days_before: x.days_before,
            tickets: x.tickets,
            median: x.median,
            min: x.min,
            max: x.max,
        })
        .collect();
    // Today while the show is ahead, else its day.
    let (at, tickets, median) = match &p.now {
        Some(n) => (n.days_before, n.tickets, n.median),
        None => {
            let day = p.points.last();
            (
                0,
                day.and_then(|x| x.tickets).unwrap_or(0),
                day.and_then(|x| x.median),
            )
        }
    };
    let when = if at == 0 {
        "on the show's day".to_owned()
    } else {
        format!("at {at} days out")
    };
    let n = p.comparables.len();
    let standing = Some(match median {
        #[allow(clippy::cast_precision_loss)]
        Some(m) if m > 0.0 => {
            let diff = tickets as f64 - m;
            format!(
                "{tickets} tickets {when}, {} the median of {n} earlier show{} by {:.0} ({:.1}%)",
                if diff >= 0.0 { "ahead of" } else { "behind" },
                if n == 1 { "" } else { "s" },
                diff.abs(),
                diff.abs() / m * 100.0
            )
        }
        _ => format!("{tickets} tickets {when}; no earlier show to compare"),
    });
    Ok(reports::ShowPacing {
        comparables: n,
        points,
        standing,
    })
}

/// Admitted scans per gate per 5 minutes over `[from, to)`, busiest gate first.
fn checkins(rows: &[StoredRow], from: i64, to: i64) -> Vec<reports::GateCheckins> {
    let mut gates: Vec<reports::GateCheckins> = totals::admitted_by_gate(rows)
        .into_iter()
        .map(|(gate, per)| reports::GateCheckins {
            gate,
            points: (from..to)
                .step_by(300)
                .map(|b| {
                    let t = DateTime::from_timestamp(b, 0).unwrap_or_default();
                    (t, per.get(&b).copied().unwrap_or(0))
                })
                .collect(),
        })
        .collect();
    let total = |g: &reports::GateCheckins| g.points.iter().map(|p| p.1).sum::<i64>();
    gates.sort_by_key(|g| std::cmp::Reverse(total(g)));
    gates
}

fn convert(r: &StoredRow) -> RollupRow {
    RollupRow {
        bucket_start: DateTime::from_timestamp(r.bucket, 0).unwrap_or_default(),
        revenue: r.get(Metric::Revenue),
        tickets_sold: r.get(Metric::TicketsSold),
        orders: r.get(Metric::Orders),
        scans_admitted: r.get(Metric::ScansAdmitted),
        scans_rejected: r.get(Metric::ScansRejected),
        scans_duplicate: r.get(Metric::ScansDuplicate),
        page_views: r.get(Metric::PageViews),
        cart_adds: r.get(Metric::CartAdds),
        cart_checkouts: r.get(Metric::CartCheckouts),
        cart_abandons: r.get(Metric::CartAbandons),
        refunded: r.get(Metric::RefundedAmount),
    }
}

/// Rows summed per venue-local day: hourly rows (ranges that are not whole
/// days), or day rows (one local day may hold a row of a UTC day too).
fn group_by_local_day(rows: &[RollupRow], tz: Tz) -> Vec<RollupRow> {
    let mut days: BTreeMap<DateTime<Utc>, RollupRow> = BTreeMap::new();
    for row in rows {
        let start = local_day_start(row.bucket_start.with_timezone(&tz).date_naive(), tz);
        days.entry(start)
            .or_insert_with(|| RollupRow {
                bucket_start: start,
                ..RollupRow::default()
            })
            .accumulate(row);
    }
    days.into_values().collect()
}

/// `rows` are in the report's currency; `mine` is that currency's money
/// (average order value divides its revenue by its own orders).
fn kpis(rows: &[StoredRow], mine: CurrencyTotals, from: DateTime<Utc>, to: DateTime<Utc>) -> Kpis {
    let totals = sum_all(rows);
    let get = |m| totals.get(&m).copied().unwrap_or(0);
    let (revenue, sold, orders, admitted, views) = (
        get(Metric::Revenue),
        get(Metric::TicketsSold),
        get(Metric::Orders),
        get(Metric::ScansAdmitted),
        get(Metric::PageViews),
    );
    #[allow(clippy::cast_precision_loss)]
    let hours = (to - from).num_seconds() as f64 / 3600.0;
    #[allow(clippy::cast_precision_loss)]
    let velocity = if hours > 0.0 {
        sold as f64 / hours
    } else {
        0.0
    };
    let tickets_refunded = get(Metric::TicketsRefunded);
    Kpis {
        revenue,
        refunded: get(Metric::RefundedAmount),
        refunds: get(Metric::Refunds),
        tickets_refunded,
        tickets_sold: sold,
        orders,
        average_order_value: div_round(mine.revenue, mine.orders),
        scans_admitted: admitted,
        scans_rejected: get(Metric::ScansRejected),
        scans_duplicate: get(Metric::ScansDuplicate),
        attendance_rate: ratio(admitted, sold - tickets_refunded),
        page_views: views,
        cart_adds: get(Metric::CartAdds),
        cart_checkouts: get(Metric::CartCheckouts),
        cart_abandons: get(Metric::CartAbandons),
        conversion_rate: ratio(orders, views),
        sales_velocity_per_hour: velocity,
    }
}

/// Per key of `dim`, the report's breakdown measures.
fn breakdown(rows: &[StoredRow], dim: Dimension) -> Vec<Breakdown> {
    totals::breakdown(rows, dim)
        .into_iter()
        .map(|(key, sums)| {
            let get = |m| sums.get(&m).copied().unwrap_or(0);
            Breakdown {
                revenue: get(Metric::Revenue),
                tickets_sold: get(Metric::TicketsSold),
                orders: get(Metric::Orders),
                scans_admitted: get(Metric::ScansAdmitted),
                page_views: get(Metric::PageViews),
                key,
            }
        })
        .collect()
}

fn by_revenue(mut v: Vec<Breakdown>) -> Vec<Breakdown> {
    v.sort_by(|a, b| b.revenue.cmp(&a.revenue).then_with(|| a.key.cmp(&b.key)));
    v
}

/// Tier or channel sales by revenue; keys seen only in cart adds are left out (as on the dashboard).
fn sales(rows: &[StoredRow], dim: Dimension) -> Vec<Breakdown> {
    by_revenue(
        breakdown(rows, dim)
            .into_iter()
            .filter(|b| b.revenue != 0 || b.tickets_sold != 0 || b.orders != 0)
            .collect(),
    )
}

fn entry_points(rows: &[StoredRow]) -> Vec<Breakdown> {
    let mut v = breakdown(rows, Dimension::EntryPoint);
    v.sort_by(|a, b| {
        b.scans_admitted
            .cmp(&a.scans_admitted)
            .then_with(|| a.key.cmp(&b.key))
    });
    v
}

/// A show report's check-ins: 5-minute buckets from two hours before the
/// start to an hour after (never past `now`); none for a show whose
/// 5-minute rows are no longer all kept (TTL deletes them lazily: a curve
/// from what is left would be wrong, its totals stay in the hourly rows).
fn doors_window(show: Option<&ShowRecord>, now: DateTime<Utc>) -> Option<(i64, i64)> {
    let s = show?;
    let from = (s.starts_at - chrono::Duration::hours(2)).timestamp();
    let to = (s.starts_at + chrono::Duration::hours(1))
        .min(now)
        .timestamp();
    let from = from - from.rem_euclid(300);
    let kept = DateTime::from_timestamp(from, 0)
        .is_some_and(|start| Granularity::FiveMinutes.keeps(start, now));
    (from < to && kept).then_some((from, to))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doors_are_charted_only_while_their_five_minute_rows_are_kept() {
        let now = DateTime::parse_from_rfc3339("2026-11-24T20:30:00Z")
            .unwrap()
            .to_utc();
        let show = |starts_at: DateTime<Utc>| ShowRecord {
            event_id: "s".into(),
            name: "S".into(),
            starts_at,
            capacity: None,
            on_sale_at: None,
        };
        let tonight = show(now - chrono::Duration::minutes(30));
        assert_eq!(
            doors_window(Some(&tonight), now),
            Some((
                (now - chrono::Duration::minutes(150)).timestamp(),
                now.timestamp()
            ))
        );
        let month_ago = show(now - chrono::Duration::days(34));
        assert!(doors_window(Some(&month_ago), now).is_some());
        let long_ago = show(now - chrono::Duration::days(36));
        assert_eq!(doors_window(Some(&long_ago), now), None);
        let upcoming = show(now + chrono::Duration::hours(3));
        assert_eq!(doors_window(Some(&upcoming), now), None);
        assert_eq!(doors_window(None, now), None);
    }

    fn row(
        bucket: i64,
        base: &[(Metric, i64)],
        breakdowns: &[(Metric, Dimension, &str, i64)],
    ) -> StoredRow {
        StoredRow {
            bucket,
            base: base.iter().copied().collect(),
            breakdowns: breakdowns
                .iter()
                .map(|(m, d, k, v)| (*m, *d, (*k).to_owned(), *v))
                .collect(),
            currency: Some("EUR".into()),
        }
    }

    #[test]
    fn kpis_follow_the_dashboard_definitions() {
        use Metric::*;
        let rows = [
            row(
                0,
                &[
                    (Revenue, 9000),
                    (TicketsSold, 4),
                    (Orders, 2),
                    (PageViews, 40),
                    (ScansAdmitted, 2),
                ],
                &[],
            ),
            row(
                86_400,
                &[
                    (Revenue, 2000),
                    (TicketsSold, 1),
                    (Orders, 1),
                    (ScansAdmitted, 1),
                ],
                &[],
            ),
        ];
        let from = DateTime::from_timestamp(0, 0).unwrap();
        let mine = currency_totals(&rows, "EUR")["EUR"];
        let k = kpis(&rows, mine, from, from + chrono::Duration::days(2));
        assert_eq!(
            (k.revenue, k.tickets_sold, k.orders, k.average_order_value),
            (11_000, 5, 3, 3667)
        );
        assert_eq!(k.attendance_rate, Some(0.6));
        assert_eq!(k.conversion_rate, Some(3.0 / 40.0));
        assert!((k.sales_velocity_per_hour - 5.0 / 48.0).abs() < 1e-12);
        let empty = kpis(
            &[],
            CurrencyTotals::default(),
            from,
            from + chrono::Duration::days(1),
        );
        assert_eq!(
            (
                empty.attendance_rate,
                empty.conversion_rate,
                empty.average_order_value
            ),
            (None, None, 0)
        );
    }

    #[test]
    fn breakdowns_drop_cart_only_tiers_and_sort_by_revenue() {
        use Dimension::*;
        use Metric::*;
        let rows = [
            row(
                0,
                &[],
                &[
                    (Revenue, Tier, "GA", 4000),
                    (TicketsSold, Tier, "GA", 3),
                    (Revenue, Tier, "VIP", 5000),
                    (CartAdds, Tier, "Box", 2),
                ],
            ),
            row(
                1,
                &[],
                &[
                    (Revenue, Tier, "GA", 2000),
                    (ScansAdmitted, EntryPoint, "south", 1),
                    (ScansAdmitted, EntryPoint, "north", 2),
                ],
            ),
        ];
        let tiers: Vec<_> = sales(&rows, Tier)
            .into_iter()
            .map(|b| (b.key, b.revenue))
            .collect();
        assert_eq!(
            tiers,
            vec![("GA".to_owned(), 6000), ("VIP".to_owned(), 5000)]
        );
        let doors: Vec<_> = entry_points(&rows).into_iter().map(|b| b.key).collect();
        assert_eq!(doors, vec!["north", "south"]);
    }

    #[test]
    fn a_day_row_from_before_the_zone_joins_its_local_day() {
        // Kathmandu's 4 Dec starts at 18:15Z on the 3rd; a row of the UTC day
        // (written before the venue-update named the zone) starts inside it.
        let tz = chrono_tz::Asia::Kathmandu;
        let at = |s: &str| DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc);
        let rows = [
            RollupRow {
                bucket_start: at("2026-12-03T18:15:00Z"),
                revenue: 3030,
                orders: 3,
                ..RollupRow::default()
            },
            RollupRow {
                bucket_start: at("2026-12-04T00:00:00Z"),
                revenue: 3000,
                orders: 2,
                ..RollupRow::default()
            },
        ];
        let days = group_by_local_day(&rows, tz);
        assert_eq!(days.len(), 1, "one row per local date: {days:?}");
        assert_eq!(
            (days[0].bucket_start, days[0].revenue, days[0].orders),
            (at("2026-12-03T18:15:00Z"), 6030, 5)
        );
    }

    #[test]
    fn partial_days_are_grouped_in_the_venue_zone() {
        let tz = chrono_tz::America::New_York;
        let at = |s: &str| DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc);
        let hourly = [
            RollupRow {
                bucket_start: at("2026-11-23T03:00:00Z"),
                revenue: 1,
                ..RollupRow::default()
            },
            RollupRow {
                bucket_start: at("2026-11-23T06:00:00Z"),
                revenue: 2,
                ..RollupRow::default()
            },
            RollupRow {
                bucket_start: at("2026-11-23T20:00:00Z"),
                revenue: 4,
                ..RollupRow::default()
            },
        ];
        let days = group_by_local_day(&hourly, tz);
        assert_eq!(days.len(), 2);
        assert_eq!(
            (days[0].bucket_start, days[0].revenue),
            (at("2026-11-22T05:00:00Z"), 1)
        );
        assert_eq!(
            (days[1].bucket_start, days[1].revenue),
            (at("2026-11-23T05:00:00Z"), 6)
        );
    }
}
