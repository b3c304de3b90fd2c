//! A venue's customer base in one document: what the customers and insights
//! routes show (totals, segments, top customers, purchase patterns) and the
//! fitted model that scores any one customer. The nightly job writes it, so
//! a request on a large venue reads one item and one page instead of the
//! venue's whole customer partition; small venues are summarised per
//! request from one bounded query (see [`LIVE_FIT_MAX`]).

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use domain::ports::CustomerRow;
use domain::totals::DEFAULT_CURRENCY;
use insights::customers::{
    ClvModel, CustomerInsight, PopulationModel, SegmentSummary, segment_summary, top_customers,
};
use serde::{Deserialize, Serialize};

/// Document kind and id of a venue's customer base.
pub const KIND: &str = "customer-base";
pub const ID: &str = "current";
/// Top customers kept in the document (the routes list at most this many).
pub const TOP_STORED: usize = 100;
/// Venues with at most this many customers are summarised per request (one
/// query of at most this many items and a fit of ~150 ms); larger venues
/// read the nightly document.
pub const LIVE_FIT_MAX: usize = 2_000;

/// How a base's customers were scored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Scoring {
    pub model: ClvModel,
    pub fallback_reason: Option<String>,
    /// `nightly` (the nightly job), `scheduled` (the refresh between nights)
    /// or `live` (fitted for the request).
    pub source: String,
    pub fitted_at: DateTime<Utc>,
    /// Customers scored.
    pub customers: usize,
    /// The fitted model, to score one customer later (`None` when the
    /// scores came from the rows' stored insights).
    pub population: Option<PopulationModel>,
}

/// One of the top customers: the row (without its stored insight) and its score.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TopCustomer {
    pub row: CustomerRow,
    pub insight: CustomerInsight,
}

/// A venue's customer base at `computed_at`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CustomerBase {
    pub computed_at: DateTime<Utc>,
    /// `None` without a purchase.
    pub scoring: Option<Scoring>,
    pub customers: i64,
    pub orders: i64,
    pub tickets: i64,
    /// Customers with two or more orders.
    pub repeat_customers: i64,
    /// Spend per ISO 4217 code (a row without a split counts in its own currency).
    pub spend_by_currency: BTreeMap<String, i64>,
    pub tickets_by_tier: BTreeMap<String, i64>,
    /// Venue-local hour 0–23.
    pub orders_by_hour: Vec<u64>,
    /// Monday first.
    pub orders_by_weekday: Vec<u64>,
    pub lead_hours_sum: f64,
    pub lead_count: u64,
    /// Expected spend of all scored customers over the next 12 months.
    pub predicted_value_12m: i64,
    /// Sum and count of the churn risk of repeat customers (one-time buyers have none).
    pub repeat_churn_risk_sum: f64,
    pub repeat_scored: usize,
    /// Per RFM segment, best first, non-empty only.
    pub segments: Vec<SegmentSummary>,
    /// By lifetime value, highest first, at most [`TOP_STORED`].
    pub top: Vec<TopCustomer>,
    /// The venue's orders + refunds (rollups) when this was computed: the
    /// insights refresh refits only when it has moved.
    #[serde(default)]
    pub activity_seen: Option<i64>,
}

/// The currency a venue's customer money is shown in (the one most was
/// spent in) and the spend in it; other currencies are not added.
#[must_use]
pub fn main_currency(spend_by_currency: &BTreeMap<String, i64>) -> (String, i64) {
    spend_by_currency
        .iter()
        .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0)))
        .map_or_else(
            || (DEFAULT_CURRENCY.to_owned(), 0),
            |(c, v)| (c.clone(), *v),
        )
}

impl CustomerBase {
    /// Summarise `rows`, scored as `scoring` says with `insights` (one per
    /// row with a purchase).
    #[must_use]
    pub fn from_rows(
        rows: &[CustomerRow],
        scoring: Option<Scoring>,
        insights: &[CustomerInsight],
        now: DateTime<Utc>,
    ) -> Self {
        let mut base = CustomerBase {
            computed_at: now,
            scoring,
            customers: rows.len() as i64,
            orders: 0,
            tickets: 0,
            repeat_customers: 0,
            spend_by_currency: BTreeMap::new(),
            tickets_by_tier: BTreeMap::new(),
            orders_by_hour: vec![0; 24],
            orders_by_weekday: vec![0; 7],
            lead_hours_sum: 0.0,
            lead_count: 0,
            predicted_value_12m: insights.iter().map(|i| i.predicted_value_12m).sum(),
            repeat_churn_risk_sum: 0.0,
            repeat_scored: 0,
            segments: segment_summary(insights),
            top: Vec::new(),
            activity_seen: None,
        };
        for r in rows {
            base.orders += r.orders;
            base.tickets += r.tickets;
            base.repeat_customers += i64::from(r.orders >= 2);
            if r.spend_by_currency.is_empty() {
                let c = r.currency.as_deref().unwrap_or(DEFAULT_CURRENCY);
                *base.spend_by_currency.entry(c.to_owned()).or_default() += r.spend;
            }
            for (c, v) in &r.spend_by_currency {
                *base.spend_by_currency.entry(c.clone()).or_default() += v;
            }
            for (tier, n) in &r.tiers {
                *base.tickets_by_tier.entry(tier.clone()).or_default() += n;
            }
            for (acc, n) in base.orders_by_hour.iter_mut().zip(r.hour) {
                *acc += u64::from(n);
            }
            for (acc, n) in base.orders_by_weekday.iter_mut().zip(r.weekday) {
                *acc += u64::from(n);
            }
            base.lead_hours_sum += r.lead_hours_sum;
            base.lead_count += u64::from(r.lead_count);
        }
        for i in insights.iter().filter(|i| i.frequency >= 2) {
            base.repeat_churn_risk_sum += i.churn_risk;
            base.repeat_scored += 1;
        }
        let by_id: BTreeMap<&str, &CustomerRow> =
            rows.iter().map(|r| (r.customer_id.as_str(), r)).collect();
        base.top = top_customers(insights, TOP_STORED)
            .into_iter()
            .filter_map(|insight| {
                let mut row = (*by_id.get(insight.customer_id.as_str())?).clone();
                row.insight = None;
                Some(TopCustomer { row, insight })
            })
            .collect();
        base
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(id: &str, spend: i64, orders: i64, currency: &str) -> CustomerRow {
        CustomerRow {
            venue_id: "v".into(),
            customer_id: id.into(),
            spend,
            spend_by_currency: BTreeMap::from([(currency.to_owned(), spend)]),
            orders,
            tickets: orders * 2,
            currency: Some(currency.into()),
            first_purchase_at: None,
            last_purchase_at: None,
            weekday: [1, 0, 0, 0, 0, 0, 0],
            hour: [0; 24],
            lead_hours_sum: 10.0,
            lead_count: 1,
            tiers: BTreeMap::from([("GA".to_owned(), orders * 2)]),
            insight: Some(serde_json::json!({"kept": "out of the base"})),
        }
    }

    #[test]
    fn totals_add_up_per_currency_and_the_main_one_is_the_largest() {
        let rows = [
            row("a", 1000, 1, "EUR"),
            row("b", 5000, 3, "USD"),
            row("c", 2500, 2, "EUR"),
        ];
        let base =
            CustomerBase::from_rows(&rows, None, &[], "2026-12-01T00:00:00Z".parse().unwrap());
        assert_eq!(
            (
                base.customers,
                base.orders,
                base.tickets,
                base.repeat_customers
            ),
            (3, 6, 12, 2)
        );
        assert_eq!(
            base.spend_by_currency,
            BTreeMap::from([("EUR".into(), 3500), ("USD".into(), 5000)])
        );
        assert_eq!(
            main_currency(&base.spend_by_currency),
            ("USD".to_owned(), 5000)
        );
        assert_eq!(base.tickets_by_tier["GA"], 12);
        assert_eq!((base.orders_by_weekday[0], base.lead_count), (3, 3));
        assert!(
            base.top.is_empty() && base.segments.is_empty(),
            "nothing scored"
        );
        assert_eq!(
            main_currency(&BTreeMap::new()),
            (DEFAULT_CURRENCY.to_owned(), 0)
        );
    }
}
