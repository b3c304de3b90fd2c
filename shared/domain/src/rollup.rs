//! Rollup vocabulary: granularities and their buckets, metric and breakdown
//! names. Bucket starts are Unix seconds; a `1d` bucket starts at the venue's
//! local midnight.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, NaiveDate, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Granularity {
    #[serde(rename = "1m")]
    Minute,
    #[serde(rename = "5m")]
    FiveMinutes,
    #[serde(rename = "1h")]
    Hour,
    #[serde(rename = "1d")]
    Day,
}

impl Granularity {
    pub const ALL: [Granularity; 4] = [
        Granularity::Minute,
        Granularity::FiveMinutes,
        Granularity::Hour,
        Granularity::Day,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            Granularity::Minute => "1m",
            Granularity::FiveMinutes => "5m",
            Granularity::Hour => "1h",
            Granularity::Day => "1d",
        }
    }

    /// Fixed bucket width; `None` for venue-local days (23–25 hours).
    pub const fn fixed_seconds(self) -> Option<i64> {
        match self {
            Granularity::Minute => Some(60),
            Granularity::FiveMinutes => Some(300),
            Granularity::Hour => Some(3600),
            Granularity::Day => None,
        }
    }

    /// Nominal width, for rates and range limits.
    pub const fn nominal_seconds(self) -> i64 {
        match self.fixed_seconds() {
            Some(s) => s,
            None => 86_400,
        }
    }

    /// How long fine rollups are kept (DynamoDB TTL); coarse ones are kept.
    pub const fn retention_days(self) -> Option<i64> {
        match self {
            Granularity::Minute => Some(8),
            Granularity::FiveMinutes => Some(35),
            Granularity::Hour | Granularity::Day => None,
        }
    }

    /// The earliest instant whose rows of this granularity are still kept at
    /// `now` (`None`: kept for good). Series must not reach before it: TTL
    /// deletes older rows lazily, so they would read partly there.
    pub fn kept_since(self, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        self.retention_days()
            .map(|days| now - chrono::Duration::days(days))
    }

    /// Whether rows of this granularity starting at `start` are still kept
    /// at `now` (see [`Granularity::kept_since`]).
    pub fn keeps(self, start: DateTime<Utc>, now: DateTime<Utc>) -> bool {
        self.kept_since(now).is_none_or(|since| start >= since)
    }

    /// Start of the bucket holding `t` (Unix seconds).
    pub fn bucket_start(self, t: DateTime<Utc>, tz: Tz) -> i64 {
        let secs = t.timestamp();
        match self.fixed_seconds() {
            Some(w) => secs.div_euclid(w) * w,
            None => local_midnight(t, tz),
        }
    }

    /// Start of the bucket after the one starting at `start`.
    pub fn next_bucket(self, start: i64, tz: Tz) -> i64 {
        match self.fixed_seconds() {
            Some(w) => start + w,
            // 26 hours past a local midnight is always inside the next local day.
            None => local_midnight(
                DateTime::from_timestamp(start + 26 * 3600, 0).unwrap_or_default(),
                tz,
            ),
        }
    }
}

/// The first instant of local `date` in `tz`: its midnight, or where a DST
/// change skips midnight, the first local hour that exists. The one
/// local-midnight function of the workspace (the API, jobs, reports and CLI
/// all call it; only the test oracle in `aggregate::reference` is separate).
pub fn local_day_start(date: NaiveDate, tz: Tz) -> DateTime<Utc> {
    let midnight = date.and_time(NaiveTime::MIN);
    (0..4)
        .find_map(|h| {
            tz.from_local_datetime(&(midnight + chrono::Duration::hours(h)))
                .earliest()
        })
        .map_or_else(|| midnight.and_utc(), |t| t.with_timezone(&Utc))
}

/// Unix seconds of the local midnight that starts `t`'s day in `tz`.
pub fn local_midnight(t: DateTime<Utc>, tz: Tz) -> i64 {
    local_day_start(t.with_timezone(&tz).date_naive(), tz).timestamp()
}

impl fmt::Display for Granularity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Granularity {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Granularity::ALL
            .into_iter()
            .find(|g| g.as_str() == s)
            .ok_or_else(|| format!("unknown granularity {s:?}; expected 1m, 5m, 1h or 1d"))
    }
}

macro_rules! metrics {
    ($($variant:ident => $name:literal, $code:literal;)*) => {
        /// Counters kept in every rollup bucket.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Metric { $($variant,)* }

        impl Metric {
            pub const ALL: [Metric; metrics!(@count $($variant)*)] = [$(Metric::$variant,)*];
            pub const COUNT: usize = Self::ALL.len();
            /// The camelCase name used in the API and as the DynamoDB attribute.
            pub const fn as_str(self) -> &'static str {
                match self { $(Metric::$variant => $name,)* }
            }
            pub const fn index(self) -> usize { self as usize }
            /// Two-letter code used in breakdown attribute names (item size is billed).
            pub const fn code(self) -> &'static str {
                match self { $(Metric::$variant => $code,)* }
            }
        }
    };
    (@count $($x:ident)*) => { <[()]>::len(&[$(metrics!(@unit $x)),*]) };
    (@unit $x:ident) => { () };
}

metrics! {
    Revenue => "revenue", "rv";
    TicketsSold => "ticketsSold", "ts";
    Orders => "orders", "or";
    ScansAdmitted => "scansAdmitted", "sa";
    ScansRejected => "scansRejected", "sr";
    ScansDuplicate => "scansDuplicate", "sd";
    PageViews => "pageViews", "pv";
    UniqueSessions => "uniqueSessions", "us";
    CartAdds => "cartAdds", "ca";
    CartRemoves => "cartRemoves", "cr";
    CartCheckouts => "cartCheckouts", "cc";
    CartAbandons => "cartAbandons", "cb";
    CartAbandonedValue => "cartAbandonedValue", "cv";
    Refunds => "refunds", "rf";
    RefundedAmount => "refundedAmount", "ra";
    TicketsRefunded => "ticketsRefunded", "tr";
}

impl fmt::Display for Metric {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Metric {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Metric::ALL
            .into_iter()
            .find(|m| m.as_str() == s)
            .ok_or_else(|| {
                let names: Vec<_> = Metric::ALL.iter().map(|m| m.as_str()).collect();
                format!("unknown metric {s:?}; expected one of {}", names.join(", "))
            })
    }
}

/// Breakdown dimensions. A breakdown counter is stored as the attribute
/// `{metric code}.{dimension code}#{value}` (e.g. `rv.t#VIP`: revenue by
/// tier VIP) beside the base counters of the bucket; short codes keep the
/// busiest items under DynamoDB's 1 KB write unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Dimension {
    Tier,
    Channel,
    EntryPoint,
    Campaign,
    /// The ISO 4217 code of money: revenue, orders, tickets and abandoned
    /// cart value per currency, so that no total adds two currencies.
    Currency,
    /// Why money went back: `refund`, `cancellation`, `chargeback` (opened),
    /// `chargebackWon` (negative: money back), `chargebackLost`.
    RefundReason,
}

impl Dimension {
    pub const ALL: [Dimension; 6] = [
        Dimension::Tier,
        Dimension::Channel,
        Dimension::EntryPoint,
        Dimension::Campaign,
        Dimension::Currency,
        Dimension::RefundReason,
    ];
    /// One-letter code used in breakdown attribute names.
    pub const fn code(self) -> &'static str {
        match self {
            Dimension::Tier => "t",
            Dimension::Channel => "c",
            Dimension::EntryPoint => "e",
            Dimension::Campaign => "m",
            Dimension::Currency => "$",
            Dimension::RefundReason => "r",
        }
    }

    pub const fn as_str(self) -> &'static str {
        match self {
            Dimension::Tier => "tier",
            Dimension::Channel => "channel",
            Dimension::EntryPoint => "entryPoint",
            Dimension::Campaign => "campaign",
            Dimension::Currency => "currency",
            Dimension::RefundReason => "refundReason",
        }
    }
}

impl FromStr for Dimension {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Dimension::ALL
            .into_iter()
            .find(|d| d.as_str() == s)
            .ok_or_else(|| {
                format!("unknown dimension {s:?}; expected tier, channel, entryPoint, campaign, currency or refundReason")
            })
    }
}

/// The attribute name of a breakdown counter.
pub fn breakdown_attr(metric: Metric, dim: Dimension, value: &str) -> String {
    format!("{}.{}#{}", metric.code(), dim.code(), value)
}

/// Splits a breakdown attribute name back into its parts.
pub fn parse_breakdown_attr(attr: &str) -> Option<(Metric, Dimension, &str)> {
    let (codes, value) = attr.split_once('#')?;
    let (m, d) = codes.split_once('.')?;
    let metric = Metric::ALL.into_iter().find(|x| x.code() == m)?;
    let dim = Dimension::ALL.into_iter().find(|x| x.code() == d)?;
    Some((metric, dim, value))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn fixed_buckets_floor_to_their_width() {
        let t = at("2026-11-24T19:07:42Z");
        assert_eq!(
            Granularity::Minute.bucket_start(t, Tz::UTC),
            at("2026-11-24T19:07:00Z").timestamp()
        );
        assert_eq!(
            Granularity::FiveMinutes.bucket_start(t, Tz::UTC),
            at("2026-11-24T19:05:00Z").timestamp()
        );
        assert_eq!(
            Granularity::Hour.bucket_start(t, Tz::UTC),
            at("2026-11-24T19:00:00Z").timestamp()
        );
    }

    #[test]
    fn day_buckets_start_at_venue_local_midnight() {
        let ny: Tz = "America/New_York".parse().unwrap();
        // 02:30 UTC on the 25th is 21:30 on the 24th in New York (UTC-5).
        let t = at("2026-11-25T02:30:00Z");
        assert_eq!(
            Granularity::Day.bucket_start(t, ny),
            at("2026-11-24T05:00:00Z").timestamp()
        );
        assert_eq!(
            Granularity::Day.bucket_start(t, Tz::UTC),
            at("2026-11-25T00:00:00Z").timestamp()
        );
    }

    #[test]
    fn day_after_a_dst_change_is_23_or_25_hours() {
        let ny: Tz = "America/New_York".parse().unwrap();
        let start = Granularity::Day.bucket_start(at("2026-03-08T12:00:00Z"), ny);
        assert_eq!(Granularity::Day.next_bucket(start, ny) - start, 23 * 3600);
        let start = Granularity::Day.bucket_start(at("2026-11-01T12:00:00Z"), ny);
        assert_eq!(Granularity::Day.next_bucket(start, ny) - start, 25 * 3600);
    }

    #[test]
    fn names_round_trip() {
        for m in Metric::ALL {
            assert_eq!(m.as_str().parse::<Metric>().unwrap(), m);
        }
        for g in Granularity::ALL {
            assert_eq!(g.as_str().parse::<Granularity>().unwrap(), g);
        }
        let codes: std::collections::HashSet<_> = Metric::ALL.iter().map(|m| m.code()).collect();
        assert_eq!(codes.len(), Metric::COUNT, "metric codes must be distinct");
        let attr = breakdown_attr(Metric::Revenue, Dimension::Tier, "VIP #1");
        assert_eq!(attr, "rv.t#VIP #1");
        assert_eq!(
            parse_breakdown_attr(&attr),
            Some((Metric::Revenue, Dimension::Tier, "VIP #1"))
        );
    }
}
