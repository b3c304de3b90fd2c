//! Customer intelligence: lifetime value, churn risk, RFM segment and
//! purchase patterns of each customer of a venue.
//!
//! CLV = historic spend + predicted 12-month spend, where predicted spend =
//! expected orders (BG/NBD) × expected order value (Gamma-Gamma), both fitted
//! by maximum likelihood over the venue's customers ([`fit_population`]).
//! See `docs/MODELS.md` for the models, their sources and assumptions.

pub mod bgnbd;
pub mod gamma_gamma;
mod patterns;
mod population;
mod rfm;

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

pub use patterns::PurchasePatterns;
pub use population::{
    ClvModel, MIN_CUSTOMERS, MIN_REPEAT_CUSTOMERS, PREDICTION_HORIZON_WEEKS, PopulationModel,
    fit_population,
};
pub use rfm::{RfmReference, RfmScore, Segment};

/// Per-venue purchase history of one customer, as the ingest accumulates it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CustomerRecord {
    pub customer_id: String,
    /// Sum of order amounts, minor units.
    pub total_spend: i64,
    pub orders: i64,
    pub tickets: i64,
    pub first_purchase_at: DateTime<Utc>,
    pub last_purchase_at: DateTime<Utc>,
    /// Purchases per venue-local weekday, Monday = 0.
    pub purchases_by_weekday: [u32; 7],
    /// Purchases per venue-local hour of day.
    pub purchases_by_hour: [u32; 24],
    /// Sum over orders of (show start − purchase time), hours.
    pub lead_time_hours_sum: f64,
    pub lead_time_count: u32,
    /// Tickets per tier.
    pub tiers: BTreeMap<String, i64>,
}

/// Everything the dashboards show about one customer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CustomerInsight {
    pub customer_id: String,
    /// Spend so far, minor units.
    pub historic_value: i64,
    /// Expected spend in the next 12 months, minor units.
    pub predicted_value_12m: i64,
    /// `historic_value + predicted_value_12m`.
    pub lifetime_value: i64,
    pub expected_orders_12m: f64,
    pub probability_alive: f64,
    /// `1 − probability_alive`.
    pub churn_risk: f64,
    /// Days since the last purchase.
    pub recency_days: f64,
    /// Number of orders.
    pub frequency: i64,
    pub rfm: RfmScore,
    pub segment: Segment,
    pub patterns: PurchasePatterns,
    /// Which CLV model produced the prediction.
    pub model: ClvModel,
}

/// Customers and revenue of one segment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SegmentSummary {
    pub segment: Segment,
    pub customers: i64,
    /// Historic revenue of the segment's customers, minor units.
    pub revenue: i64,
    /// Share of all customers in this segment (0..=1).
    pub share: f64,
    /// Share of all historic revenue from this segment (0..=1).
    pub revenue_share: f64,
}

/// Per-segment counts, in [`Segment::ALL`] order, non-empty segments only.
#[must_use]
pub fn segment_summary(insights: &[CustomerInsight]) -> Vec<SegmentSummary> {
    let total = insights.len() as f64;
    let total_revenue: i64 = insights.iter().map(|c| c.historic_value).sum();
    Segment::ALL
        .iter()
        .filter_map(|&segment| {
            let members = insights.iter().filter(|c| c.segment == segment);
            let (customers, revenue) =
                members.fold((0i64, 0i64), |(n, r), c| (n + 1, r + c.historic_value));
            (customers > 0).then(|| SegmentSummary {
                segment,
                customers,
                revenue,
                share: customers as f64 / total,
                revenue_share: if total_revenue > 0 {
                    revenue as f64 / total_revenue as f64
                } else {
                    0.0
                },
            })
        })
        .collect()
}

/// The `n` customers with the highest lifetime value (ties by customer id).
#[must_use]
pub fn top_customers(insights: &[CustomerInsight], n: usize) -> Vec<CustomerInsight> {
    let mut v: Vec<&CustomerInsight> = insights.iter().collect();
    v.sort_by(|a, b| {
        b.lifetime_value
            .cmp(&a.lifetime_value)
            .then_with(|| a.customer_id.cmp(&b.customer_id))
    });
    v.into_iter().take(n).cloned().collect()
}
