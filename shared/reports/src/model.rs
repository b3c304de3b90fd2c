//! Report input: everything a renderer needs, already aggregated.
//!
//! Renderers never query anything; the caller (report Lambda, API) loads the
//! rollups and fills a [`ReportData`]. Amounts are integer minor units of
//! [`ReportData::currency`]; rates are fractions in `0.0..=1.0`.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// One report's data, for one venue (and optionally one show).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReportData {
    pub title: String,
    pub venue_id: String,
    pub venue_name: String,
    pub event_id: Option<String>,
    pub show_name: Option<String>,
    /// IANA time zone of the venue, e.g. `America/New_York`.
    pub timezone: String,
    /// ISO 4217 code; every amount in this report is in its minor units.
    pub currency: String,
    /// Inclusive start of the reported period.
    pub period_start: DateTime<Utc>,
    /// Exclusive end of the reported period.
    pub period_end: DateTime<Utc>,
    pub generated_at: DateTime<Utc>,
    /// Bucket size of [`ReportData::rows`]: `"1h"` or `"1d"`.
    pub granularity: String,
    pub kpis: Kpis,
    /// The same KPIs for the previous period of equal length (the "vs
    /// previous period" column), when the caller loaded it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous: Option<Kpis>,
    /// Sales in currencies other than [`ReportData::currency`]: listed, never
    /// added to its amounts.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub other_currencies: Vec<CurrencyAmount>,
    /// Time series at `granularity`, `bucket_start` ascending.
    pub rows: Vec<RollupRow>,
    /// Venue-local days, `bucket_start` = local midnight (in UTC), ascending.
    pub daily: Vec<RollupRow>,
    pub tiers: Vec<Breakdown>,
    pub channels: Vec<Breakdown>,
    pub campaigns: Vec<Breakdown>,
    pub entry_points: Vec<Breakdown>,
    pub segments: Vec<SegmentRow>,
    /// A show report's check-ins around doors: admitted scans per 5 minutes
    /// per gate, busiest gate first (empty for venue reports).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub checkins: Vec<GateCheckins>,
    /// A show report's pacing against the venue's earlier shows.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pacing: Option<ShowPacing>,
}

/// A show's cumulative net tickets by days before it, against the venue's
/// earlier shows at the same distance.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ShowPacing {
    /// Earlier shows compared with.
    pub comparables: usize,
    /// From the furthest day shown down to the show's day (0).
    pub points: Vec<PacingPoint>,
    /// Where the show stood when the report was made, in words.
    pub standing: Option<String>,
}

/// One day before the show.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PacingPoint {
    pub days_before: i64,
    /// `None` for days still ahead.
    pub tickets: Option<i64>,
    pub median: Option<f64>,
    pub min: Option<i64>,
    pub max: Option<i64>,
}

/// One gate's admitted scans per 5-minute bucket.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GateCheckins {
    pub gate: String,
    /// `(bucket start, admitted)`, ascending, zero-filled.
    pub points: Vec<(DateTime<Utc>, i64)>,
}

/// Revenue and orders in one currency.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CurrencyAmount {
    pub currency: String,
    pub revenue: i64,
    pub orders: i64,
}

/// Headline numbers for the whole period.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Kpis {
    /// Gross revenue: what was charged, before refunds.
    pub revenue: i64,
    /// Refunded (refunds, cancellations, chargebacks), net of won chargebacks.
    #[serde(default)]
    pub refunded: i64,
    /// Refund events of every reason.
    #[serde(default)]
    pub refunds: i64,
    #[serde(default)]
    pub tickets_refunded: i64,
    /// Tickets sold (gross).
    pub tickets_sold: i64,
    pub orders: i64,
    pub average_order_value: i64,
    pub scans_admitted: i64,
    pub scans_rejected: i64,
    pub scans_duplicate: i64,
    /// Admitted scans / net tickets sold; `None` when nothing was sold.
    pub attendance_rate: Option<f64>,
    pub page_views: i64,
    pub cart_adds: i64,
    pub cart_checkouts: i64,
    pub cart_abandons: i64,
    /// Orders / page views; `None` without page views.
    pub conversion_rate: Option<f64>,
    /// Tickets sold per hour of the period.
    pub sales_velocity_per_hour: f64,
}

/// One time bucket of the rollups.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RollupRow {
    pub bucket_start: DateTime<Utc>,
    pub revenue: i64,
    pub tickets_sold: i64,
    pub orders: i64,
    pub scans_admitted: i64,
    pub scans_rejected: i64,
    pub scans_duplicate: i64,
    pub page_views: i64,
    pub cart_adds: i64,
    pub cart_checkouts: i64,
    pub cart_abandons: i64,
    /// Refunded in the bucket (by the refund's own time), net of won chargebacks.
    #[serde(default)]
    pub refunded: i64,
}

impl Kpis {
    /// Gross revenue − refunded.
    pub fn net_revenue(&self) -> i64 {
        self.revenue - self.refunded
    }

    /// Tickets sold − tickets refunded.
    pub fn net_tickets(&self) -> i64 {
        self.tickets_sold - self.tickets_refunded
    }
}

impl RollupRow {
    /// Gross revenue − refunded.
    pub fn net_revenue(&self) -> i64 {
        self.revenue - self.refunded
    }

    /// Adds `other`'s measures into `self` (keeps `self.bucket_start`).
    pub fn accumulate(&mut self, other: &RollupRow) {
        self.revenue += other.revenue;
        self.tickets_sold += other.tickets_sold;
        self.orders += other.orders;
        self.scans_admitted += other.scans_admitted;
        self.scans_rejected += other.scans_rejected;
        self.scans_duplicate += other.scans_duplicate;
        self.page_views += other.page_views;
        self.cart_adds += other.cart_adds;
        self.cart_checkouts += other.cart_checkouts;
        self.cart_abandons += other.cart_abandons;
        self.refunded += other.refunded;
    }
}

/// Totals for one key of a dimension (tier, channel, campaign, entry point).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Breakdown {
    pub key: String,
    pub revenue: i64,
    pub tickets_sold: i64,
    pub orders: i64,
    pub scans_admitted: i64,
    pub page_views: i64,
}

/// One customer segment.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SegmentRow {
    pub segment: String,
    pub customers: i64,
    pub revenue: i64,
}
