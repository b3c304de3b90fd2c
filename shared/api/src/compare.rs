//! Period comparison: the same metrics for the previous period of equal
//! length, or the weekday-aligned period a year earlier (52 weeks), and the
//! change between the two. Pure: rows in, numbers out.

use std::collections::BTreeMap;
use std::str::FromStr;

use chrono::{DateTime, Duration, Utc};
use domain::Metric;
use domain::ports::RollupRow;
use serde::Serialize;
use utoipa::ToSchema;

use crate::totals::{ratio, sum_all};

/// What a period is compared with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compare {
    /// The period of equal length just before.
    Previous,
    /// The same weekdays a year earlier: 52 weeks (364 days) back, so a
    /// Saturday show is compared with a Saturday.
    Year,
}

impl Compare {
    pub const fn as_str(self) -> &'static str {
        match self {
            Compare::Previous => "previous",
            Compare::Year => "year",
        }
    }

    /// The period `[from, to)` is compared with.
    pub fn shifted(self, from: DateTime<Utc>, to: DateTime<Utc>) -> (DateTime<Utc>, DateTime<Utc>) {
        let back = match self {
            Compare::Previous => to - from,
            Compare::Year => Duration::weeks(52),
        };
        (from - back, to - back)
    }
}

impl FromStr for Compare {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "previous" => Ok(Compare::Previous),
            "year" => Ok(Compare::Year),
            _ => Err(format!(
                "unknown compare {s:?}; expected previous (the period of equal length before) or year (52 weeks earlier, same weekdays)"
            )),
        }
    }
}

/// The headline numbers of one period (money in the response's currency).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PeriodTotals {
    /// Gross revenue.
    pub revenue: i64,
    pub refunded: i64,
    /// Gross − refunded.
    pub net_revenue: i64,
    pub tickets_sold: i64,
    pub net_tickets_sold: i64,
    pub orders: i64,
    pub scans_admitted: i64,
    pub page_views: i64,
    pub cart_abandons: i64,
    /// Admitted ÷ net tickets sold.
    pub attendance_rate: Option<f64>,
}

impl PeriodTotals {
    /// Totals of rows already in one currency.
    pub fn of(rows: &[RollupRow]) -> Self {
        let t = sum_all(rows);
        let get = |m| t.get(&m).copied().unwrap_or(0);
        let net_tickets = get(Metric::TicketsSold) - get(Metric::TicketsRefunded);
        PeriodTotals {
            revenue: get(Metric::Revenue),
            refunded: get(Metric::RefundedAmount),
            net_revenue: get(Metric::Revenue) - get(Metric::RefundedAmount),
            tickets_sold: get(Metric::TicketsSold),
            net_tickets_sold: net_tickets,
            orders: get(Metric::Orders),
            scans_admitted: get(Metric::ScansAdmitted),
            page_views: get(Metric::PageViews),
            cart_abandons: get(Metric::CartAbandons),
            attendance_rate: ratio(get(Metric::ScansAdmitted), net_tickets),
        }
    }

    fn counts(&self) -> [(&'static str, i64); 9] {
        [
            ("revenue", self.revenue),
            ("refunded", self.refunded),
            ("netRevenue", self.net_revenue),
            ("ticketsSold", self.tickets_sold),
            ("netTicketsSold", self.net_tickets_sold),
            ("orders", self.orders),
            ("scansAdmitted", self.scans_admitted),
            ("pageViews", self.page_views),
            ("cartAbandons", self.cart_abandons),
        ]
    }
}

/// How a number moved from the compared period to this one.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, ToSchema)]
pub struct Change {
    /// This period − the compared one.
    pub absolute: f64,
    /// `absolute` ÷ the compared value; `null` when that was 0.
    pub percent: Option<f64>,
}

impl Change {
    #[allow(clippy::cast_precision_loss)]
    pub fn between(now: i64, before: i64) -> Self {
        Change {
            absolute: (now - before) as f64,
            percent: (before != 0).then(|| (now - before) as f64 / before.abs() as f64 * 100.0),
        }
    }
}

/// This period against the compared one.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Comparison {
    /// `previous` or `year`.
    pub compare: String,
    /// The compared period.
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub current: PeriodTotals,
    pub previous: PeriodTotals,
    /// Per metric name (`revenue`, `netRevenue`, `ticketsSold`, …, and
    /// `attendanceRate` in percentage points): this period against the compared one.
    pub changes: BTreeMap<String, Change>,
}

impl Comparison {
    pub fn new(
        compare: Compare,
        (from, to): (DateTime<Utc>, DateTime<Utc>),
        current: &[RollupRow],
        previous: &[RollupRow],
    ) -> Self {
        let (current, previous) = (PeriodTotals::of(current), PeriodTotals::of(previous));
        let mut changes: BTreeMap<String, Change> = current
            .counts()
            .iter()
            .zip(previous.counts())
            .map(|((name, now), (_, before))| ((*name).to_owned(), Change::between(*now, before)))
            .collect();
        if let (Some(now), Some(before)) = (current.attendance_rate, previous.attendance_rate) {
            changes.insert(
                "attendanceRate".into(),
                Change {
                    absolute: (now - before) * 100.0,
                    percent: (before != 0.0).then(|| (now - before) / before * 100.0),
                },
            );
        }
        Comparison {
            compare: compare.as_str().to_owned(),
            from,
            to,
            current,
            previous,
            changes,
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono::Datelike;

    use super::*;
    use crate::summary::tests::{at, row};

    #[test]
    fn previous_is_the_period_just_before_and_year_keeps_the_weekday() {
        let (from, to) = (at("2026-11-23T05:00:00Z"), at("2026-11-30T05:00:00Z"));
        assert_eq!(
            Compare::Previous.shifted(from, to),
            (at("2026-11-16T05:00:00Z"), from)
        );
        let (y_from, y_to) = Compare::Year.shifted(from, to);
        assert_eq!(y_from.weekday(), from.weekday());
        assert_eq!((y_to - y_from), (to - from));
        assert_eq!(y_from, at("2025-11-24T05:00:00Z"));
        assert!("month".parse::<Compare>().is_err());
    }

    #[test]
    fn changes_are_absolute_and_relative_to_the_compared_period() {
        let now = [row(
            "2026-11-24T05:00:00Z",
            &[
                (Metric::Revenue, 15_000),
                (Metric::RefundedAmount, 1_000),
                (Metric::TicketsSold, 6),
            ],
            &[],
        )];
        let before = [row(
            "2026-11-17T05:00:00Z",
            &[(Metric::Revenue, 10_000), (Metric::TicketsSold, 6)],
            &[],
        )];
        let c = Comparison::new(
            Compare::Previous,
            (at("2026-11-17T05:00:00Z"), at("2026-11-24T05:00:00Z")),
            &now,
            &before,
        );
        assert_eq!(c.current.net_revenue, 14_000);
        assert_eq!(c.changes["revenue"].absolute, 5_000.0);
        assert_eq!(c.changes["revenue"].percent, Some(50.0));
        assert_eq!(c.changes["netRevenue"].percent, Some(40.0));
        assert_eq!(c.changes["ticketsSold"].percent, Some(0.0));
        assert_eq!(
            c.changes["pageViews"].percent, None,
            "nothing to compare with"
        );
    }
}
