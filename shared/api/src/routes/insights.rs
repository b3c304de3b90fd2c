//! `GET /api/insights/{venueId}`: the venue's customer base — RFM segment
//! sizes, top customers by lifetime value, expected 12-month revenue and
//! churn risk (BG/NBD + Gamma-Gamma, or the documented fallback, named with
//! its reason), plus purchase patterns from the counters: repeat rate,
//! average order value and ticket price, busiest hour and weekday, lead
//! time, tickets per tier. See `docs/MODELS.md`.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::State;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use jobs::customer_base::{CustomerBase, main_currency};

use super::customers::{CustomerSummary, ModelInfo, SegmentCount, load, model_info, segments, top};
use crate::access::VenueAccess;
use crate::error::{ApiError, ApiResult};
use crate::model::Money;
use crate::openapi::VenueErrors;
use crate::state::AppState;
use crate::totals::{div_round, ratio};

/// Customers listed in `topCustomers`.
pub const TOP_N: usize = 10;
const WEEKDAYS: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Insights {
    pub venue_id: String,
    /// The CLV model: `bg-nbd+gamma-gamma`, `fallback-average`, or `none` without customers.
    pub method: String,
    /// The model, its fallback reason and where the scores come from.
    pub model: Option<ModelInfo>,
    pub customers: i64,
    /// Per RFM segment, best first.
    pub segments: Vec<SegmentCount>,
    /// Expected spend of the current customers over the next 12 months.
    pub predicted_revenue_12m: Money,
    /// Mean churn risk of repeat customers (one-time buyers have none under BG/NBD).
    pub average_churn_risk: Option<f64>,
    /// Total spend ÷ tickets.
    pub average_ticket_price: Money,
    pub tickets_by_tier: BTreeMap<String, i64>,
    /// Customers with ≥ 2 orders ÷ customers.
    pub repeat_purchase_rate: Option<f64>,
    pub average_order_value: Money,
    pub average_orders_per_customer: Option<f64>,
    /// Venue-local hour (0–23) with the most orders.
    pub busiest_hour: Option<u32>,
    /// Venue-local weekday with the most orders.
    pub busiest_weekday: Option<String>,
    /// Mean hours between purchase and show start.
    pub average_lead_hours: Option<f64>,
    pub orders_by_hour: Vec<u64>,
    /// Monday first.
    pub orders_by_weekday: Vec<u64>,
    /// By lifetime value, highest first.
    pub top_customers: Vec<CustomerSummary>,
}

fn argmax(counts: &[u64]) -> Option<usize> {
    let max = *counts.iter().max()?;
    (max > 0)
        .then(|| counts.iter().position(|c| *c == max))
        .flatten()
}

pub fn insights(venue: &str, base: &CustomerBase, now: chrono::DateTime<chrono::Utc>) -> Insights {
    let (currency, spend) = main_currency(&base.spend_by_currency);
    let scoring = base.scoring.as_ref();
    Insights {
        venue_id: venue.to_owned(),
        method: scoring.map_or_else(|| "none".to_owned(), |s| model_info(s).model),
        model: scoring.map(model_info),
        customers: base.customers,
        segments: if scoring.is_some() {
            segments(base, &currency)
        } else {
            Vec::new()
        },
        predicted_revenue_12m: Money::new(base.predicted_value_12m, &currency),
        #[allow(clippy::cast_precision_loss)]
        average_churn_risk: (base.repeat_scored > 0)
            .then(|| base.repeat_churn_risk_sum / base.repeat_scored as f64),
        average_ticket_price: Money::new(div_round(spend, base.tickets), &currency),
        tickets_by_tier: base.tickets_by_tier.clone(),
        repeat_purchase_rate: ratio(base.repeat_customers, base.customers),
        average_order_value: Money::new(div_round(spend, base.orders), &currency),
        average_orders_per_customer: ratio(base.orders, base.customers),
        busiest_hour: argmax(&base.orders_by_hour).and_then(|h| u32::try_from(h).ok()),
        busiest_weekday: argmax(&base.orders_by_weekday).map(|d| WEEKDAYS[d].to_owned()),
        #[allow(clippy::cast_precision_loss)]
        average_lead_hours: (base.lead_count > 0)
            .then(|| base.lead_hours_sum / base.lead_count as f64),
        orders_by_hour: base.orders_by_hour.clone(),
        orders_by_weekday: base.orders_by_weekday.clone(),
        top_customers: top(base, TOP_N, now),
    }
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(venue_insights))
}

/// Customer-base insights: segments, CLV, churn risk and purchase patterns.
#[utoipa::path(get, path = "/api/insights/{venueId}", tag = "insights", security(("bearer" = [])),
    params(("venueId" = String, Path, description = "Venue id")),
    responses((status = 200, description = "Success", body = Insights), VenueErrors))]
#[tracing::instrument(skip_all)]
pub async fn venue_insights(
    State(state): State<AppState>,
    access: VenueAccess,
) -> ApiResult<Json<Insights>> {
    let now = state.now();
    let loaded = load(&state, access.id(), now).await?;
    let base = loaded.base().ok_or_else(|| {
        ApiError::Unavailable(
            "this venue's customer base is summarised by the nightly insights job, which has not run yet; try again after it".into(),
        )
    })?;
    Ok(Json(insights(access.id(), base, now)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::routes::customers::base_of;
    use crate::routes::customers::tests::customer;
    use crate::summary::tests::at;

    #[test]
    fn insights_summarise_customer_rows() {
        let rows = vec![customer("a", 1000, 1, None), customer("b", 9000, 3, None)];
        let now = at("2026-11-24T00:00:00Z");
        let i = insights("v1", &base_of(&rows, now), now);
        assert_eq!(i.customers, 2);
        assert_eq!(i.method, "fallback-average");
        assert_eq!(
            i.model.as_ref().unwrap().fallback_reason.as_deref(),
            Some("2 customers (< 20)")
        );
        assert_eq!(i.segments.iter().map(|s| s.customers).sum::<i64>(), 2);
        assert_eq!(i.average_ticket_price.amount, 1250, "10000 over 8 tickets");
        let churn = i.average_churn_risk.unwrap();
        assert!(churn > 0.0 && churn < 1.0, "b's churn risk only: {churn}");
        assert!(i.predicted_revenue_12m.amount > 0);
        assert_eq!(i.repeat_purchase_rate, Some(0.5));
        assert_eq!(i.average_order_value.amount, 2500);
        assert_eq!(i.busiest_hour, Some(20));
        assert_eq!(i.busiest_weekday.as_deref(), Some("Friday"));
        assert_eq!(i.average_lead_hours, Some(48.0));
        assert_eq!(i.top_customers[0].customer_id, "b");
        let empty = insights("v1", &base_of(&[], now), now);
        assert_eq!(
            (empty.busiest_hour, empty.repeat_purchase_rate),
            (None, None)
        );
        assert_eq!((empty.method.as_str(), empty.model), ("none", None));
    }
}
