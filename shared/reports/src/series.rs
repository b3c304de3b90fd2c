//! Chart series: rows downsampled so a chart never has more points than a
//! page can show (a year of hourly rows becomes ~53 weekly buckets).

use chrono::{DateTime, NaiveDateTime, Utc};

use crate::RollupRow;
use crate::context::{ReportContext, group_by, week_start};

/// Size of one chart bucket.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum BucketKind {
    Hour,
    Day,
    Week,
}

impl BucketKind {
    /// "Hourly", "Daily" or "Weekly", for chart subtitles.
    pub fn adjective(self) -> &'static str {
        match self {
            BucketKind::Hour => "Hourly",
            BucketKind::Day => "Daily",
            BucketKind::Week => "Weekly",
        }
    }
}

/// One aggregated point of a chart.
#[derive(Clone, Debug)]
pub(crate) struct ChartBucket {
    pub start: DateTime<Utc>,
    pub start_local: NaiveDateTime,
    pub totals: RollupRow,
    /// Hours of data in this bucket (for tickets-per-hour velocity).
    pub hours: f64,
}

impl ChartBucket {
    pub fn velocity(&self) -> f64 {
        if self.hours > 0.0 {
            self.totals.tickets_sold as f64 / self.hours
        } else {
            0.0
        }
    }
}

/// Most hourly points a chart shows before switching to days.
const MAX_HOURLY_POINTS: usize = 96;
/// Most daily points a chart shows before switching to weeks.
const MAX_DAILY_POINTS: usize = 120;

/// Buckets `rows` to hours, venue-local days or ISO weeks, whichever keeps
/// the series at or under ~120 points.
pub(crate) fn chart_buckets(ctx: &ReportContext<'_>) -> (BucketKind, Vec<ChartBucket>) {
    let rows = &ctx.data.rows;
    let span_days = ctx.period_hours() / 24.0;
    let (kind, grouped) = if ctx.bucket_hours < 24.0 && rows.len() <= MAX_HOURLY_POINTS {
        (BucketKind::Hour, rows.clone())
    } else if span_days <= MAX_DAILY_POINTS as f64 {
        (BucketKind::Day, group_by(rows, ctx.tz, |date| date))
    } else {
        (BucketKind::Week, group_by(rows, ctx.tz, week_start))
    };
    // Hours per bucket = number of source rows in it × row size.
    let mut buckets: Vec<ChartBucket> = grouped
        .into_iter()
        .map(|totals| ChartBucket {
            start: totals.bucket_start,
            start_local: ctx.local(totals.bucket_start),
            totals,
            hours: 0.0,
        })
        .collect();
    let mut index = 0;
    for row in rows {
        while index + 1 < buckets.len() && row.bucket_start >= buckets[index + 1].start {
            index += 1;
        }
        if let Some(bucket) = buckets.get_mut(index) {
            bucket.hours += ctx.bucket_hours;
        }
    }
    (kind, buckets)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures;

    #[test]
    fn a_year_of_hours_becomes_weeks_with_all_hours_kept() {
        let data = fixtures::year_hourly(1);
        let ctx = ReportContext::new(&data).unwrap();
        let (kind, buckets) = chart_buckets(&ctx);
        assert_eq!(kind, BucketKind::Week);
        assert!((52..=54).contains(&buckets.len()), "{}", buckets.len());
        let hours: f64 = buckets.iter().map(|b| b.hours).sum();
        assert_eq!(hours, 8760.0);
        let revenue: i64 = buckets.iter().map(|b| b.totals.revenue).sum();
        assert_eq!(revenue, data.kpis.revenue);
    }

    #[test]
    fn a_week_becomes_days() {
        let data = fixtures::show_week(1);
        let ctx = ReportContext::new(&data).unwrap();
        let (kind, buckets) = chart_buckets(&ctx);
        assert_eq!(kind, BucketKind::Day);
        assert_eq!(buckets.len(), 7);
    }
}
