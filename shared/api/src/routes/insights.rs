//! `GET /api/insights/{venueId}`: what the customer rows support directly —
//! top spenders, repeat-purchase rate, average order value, busiest hour and
//! weekday, mean booking lead time. (Model-based CLV and churn come from the
//! nightly insights job and show up on the customer rows' `insight`.)

use axum::Json;
use axum::extract::State;
use domain::ports::CustomerRow;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::customers::{CustomerSummary, by_spend, summarise};
use crate::access::VenueAccess;
use crate::error::ApiResult;
use crate::model::{DEFAULT_CURRENCY, Money};
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
    /// How these were computed: `customer-rows` (direct aggregates, no model).
    pub method: String,
    pub customers: i64,
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
    pub top_customers: Vec<CustomerSummary>,
}

fn argmax(counts: &[u64]) -> Option<usize> {
    let max = *counts.iter().max()?;
    (max > 0)
        .then(|| counts.iter().position(|c| *c == max))
        .flatten()
}

pub fn insights(
    venue: &str,
    mut rows: Vec<CustomerRow>,
    now: chrono::DateTime<chrono::Utc>,
) -> Insights {
    by_spend(&mut rows);
    let currency = rows
        .first()
        .and_then(|r| r.currency.clone())
        .unwrap_or_else(|| DEFAULT_CURRENCY.into());
    let customers = rows.len() as i64;
    let orders: i64 = rows.iter().map(|r| r.orders).sum();
    let spend: i64 = rows.iter().map(|r| r.spend).sum();
    let mut by_hour = vec![0u64; 24];
    let mut by_weekday = vec![0u64; 7];
    for r in &rows {
        for (acc, n) in by_hour.iter_mut().zip(r.hour) {
            *acc += u64::from(n);
        }
        for (acc, n) in by_weekday.iter_mut().zip(r.weekday) {
            *acc += u64::from(n);
        }
    }
    let lead_sum: f64 = rows.iter().map(|r| r.lead_hours_sum).sum();
    let lead_count: u32 = rows.iter().map(|r| r.lead_count).sum();
    Insights {
        venue_id: venue.to_owned(),
        method: "customer-rows".into(),
        customers,
        repeat_purchase_rate: ratio(
            rows.iter().filter(|r| r.orders >= 2).count() as i64,
            customers,
        ),
        average_order_value: Money::new(div_round(spend, orders), &currency),
        average_orders_per_customer: ratio(orders, customers),
        busiest_hour: argmax(&by_hour).and_then(|h| u32::try_from(h).ok()),
        busiest_weekday: argmax(&by_weekday).map(|d| WEEKDAYS[d].to_owned()),
        average_lead_hours: (lead_count > 0).then(|| lead_sum / f64::from(lead_count)),
        orders_by_hour: by_hour,
        orders_by_weekday: by_weekday,
        top_customers: rows.iter().take(TOP_N).map(|r| summarise(r, now)).collect(),
    }
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(venue_insights))
}

/// Customer insights computed from the customer rows.
#[utoipa::path(get, path = "/api/insights/{venueId}", tag = "insights", security(("bearer" = [])),
    params(("venueId" = String, Path, description = "Venue id")),
    responses((status = 200, description = "Success", body = Insights), VenueErrors))]
#[tracing::instrument(skip_all)]
pub async fn venue_insights(
    State(state): State<AppState>,
    access: VenueAccess,
) -> ApiResult<Json<Insights>> {
    let rows = state.reader.customers(access.id()).await?;
    Ok(Json(insights(access.id(), rows, state.now())))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::routes::customers::tests::customer;
    use crate::summary::tests::at;

    #[test]
    fn insights_summarise_customer_rows() {
        let rows = vec![customer("a", 1000, 1, None), customer("b", 9000, 3, None)];
        let i = insights("v1", rows, at("2026-11-24T00:00:00Z"));
        assert_eq!(i.customers, 2);
        assert_eq!(i.repeat_purchase_rate, Some(0.5));
        assert_eq!(i.average_order_value.amount, 2500);
        assert_eq!(i.busiest_hour, Some(20));
        assert_eq!(i.busiest_weekday.as_deref(), Some("Friday"));
        assert_eq!(i.average_lead_hours, Some(48.0));
        assert_eq!(i.top_customers[0].customer_id, "b");
        let empty = insights("v1", vec![], at("2026-11-24T00:00:00Z"));
        assert_eq!(
            (empty.busiest_hour, empty.repeat_purchase_rate),
            (None, None)
        );
    }
}
