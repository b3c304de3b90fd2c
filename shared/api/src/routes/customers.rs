//! `/api/customers`: per-customer totals at a venue, and erasure on request.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use domain::ports::CustomerRow;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::access::VenueAccess;
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiPath, ApiQuery};
use crate::model::{DEFAULT_CURRENCY, Money};
use crate::openapi::VenueErrors;
use crate::state::AppState;
use crate::totals::{div_round, ratio};

pub const AUDIT_KIND: &str = "audit";
pub const DEFAULT_LIMIT: usize = 50;
pub const MAX_LIMIT: usize = 1_000;

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CustomerSummary {
    pub customer_id: String,
    pub spend: Money,
    pub orders: i64,
    pub tickets: i64,
    pub average_order_value: Money,
    pub first_purchase_at: Option<DateTime<Utc>>,
    pub last_purchase_at: Option<DateTime<Utc>>,
    /// Days since the last purchase.
    pub recency_days: Option<f64>,
    /// RFM segment, once the nightly insights job has run.
    pub segment: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CustomerDetail {
    #[serde(flatten)]
    pub summary: CustomerSummary,
    /// Orders per venue-local weekday, Monday first.
    pub purchases_by_weekday: Vec<u32>,
    /// Orders per venue-local hour.
    pub purchases_by_hour: Vec<u32>,
    /// Mean hours between purchase and show start.
    pub average_lead_hours: Option<f64>,
    /// Tickets per tier.
    pub tiers: BTreeMap<String, i64>,
    /// Fields derived by the nightly insights job (CLV, churn risk, …), if it has run.
    pub insight: Option<serde_json::Value>,
}

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CustomerTotals {
    pub customers: i64,
    pub revenue: Money,
    pub orders: i64,
    pub tickets: i64,
    /// Customers with two or more orders.
    pub repeat_customers: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct SegmentCount {
    pub segment: String,
    pub customers: i64,
    pub revenue: i64,
    /// Share of the customers with a segment.
    pub share: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CustomerList {
    pub venue_id: String,
    pub totals: CustomerTotals,
    /// Per RFM segment (empty until the nightly insights job has run).
    pub segments: Vec<SegmentCount>,
    /// Customers by spend, highest first, up to `limit`.
    pub top_customers: Vec<CustomerSummary>,
}

#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// Customers to return (default 50, at most 1000).
    pub limit: Option<usize>,
}

fn currency_of(row: &CustomerRow) -> &str {
    row.currency.as_deref().unwrap_or(DEFAULT_CURRENCY)
}

pub fn segment_of(row: &CustomerRow) -> Option<String> {
    row.insight
        .as_ref()?
        .get("segment")?
        .as_str()
        .map(str::to_owned)
}

pub fn summarise(row: &CustomerRow, now: DateTime<Utc>) -> CustomerSummary {
    let cur = currency_of(row);
    #[allow(clippy::cast_precision_loss)]
    let recency_days = row
        .last_purchase_at
        .map(|t| (now - t).num_seconds().max(0) as f64 / 86_400.0);
    CustomerSummary {
        customer_id: row.customer_id.clone(),
        spend: Money::new(row.spend, cur),
        orders: row.orders,
        tickets: row.tickets,
        average_order_value: Money::new(div_round(row.spend, row.orders), cur),
        first_purchase_at: row.first_purchase_at,
        last_purchase_at: row.last_purchase_at,
        recency_days,
        segment: segment_of(row),
    }
}

/// Customers by spend (ties by id).
pub fn by_spend(rows: &mut [CustomerRow]) {
    rows.sort_by(|a, b| {
        b.spend
            .cmp(&a.spend)
            .then_with(|| a.customer_id.cmp(&b.customer_id))
    });
}

pub fn list(
    venue: &str,
    mut rows: Vec<CustomerRow>,
    limit: usize,
    now: DateTime<Utc>,
) -> CustomerList {
    by_spend(&mut rows);
    let currency = rows
        .first()
        .map_or(DEFAULT_CURRENCY, currency_of)
        .to_owned();
    let totals = CustomerTotals {
        customers: rows.len() as i64,
        revenue: Money::new(rows.iter().map(|r| r.spend).sum(), &currency),
        orders: rows.iter().map(|r| r.orders).sum(),
        tickets: rows.iter().map(|r| r.tickets).sum(),
        repeat_customers: rows.iter().filter(|r| r.orders >= 2).count() as i64,
    };
    let mut segments: BTreeMap<String, (i64, i64)> = BTreeMap::new();
    for r in &rows {
        if let Some(s) = segment_of(r) {
            let e = segments.entry(s).or_default();
            e.0 += 1;
            e.1 += r.spend;
        }
    }
    let segmented: i64 = segments.values().map(|v| v.0).sum();
    let segments = segments
        .into_iter()
        .map(|(segment, (customers, revenue))| SegmentCount {
            segment,
            customers,
            revenue,
            share: ratio(customers, segmented).unwrap_or(0.0),
        })
        .collect();
    CustomerList {
        venue_id: venue.to_owned(),
        totals,
        segments,
        top_customers: rows.iter().take(limit).map(|r| summarise(r, now)).collect(),
    }
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_customers))
        .routes(routes!(get_customer, erase_customer))
}

/// Totals, segments and top customers by spend.
#[utoipa::path(get, path = "/api/customers/{venueId}", tag = "customers", security(("bearer" = [])),
    params(("venueId" = String, Path, description = "Venue id"), ListQuery),
    responses((status = 200, description = "Success", body = CustomerList), VenueErrors))]
#[tracing::instrument(skip_all)]
pub async fn list_customers(
    State(state): State<AppState>,
    access: VenueAccess,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> ApiResult<Json<CustomerList>> {
    let limit = q.limit.unwrap_or(DEFAULT_LIMIT);
    if limit == 0 || limit > MAX_LIMIT {
        return Err(ApiError::bad_request(format!(
            "`limit` must be 1–{MAX_LIMIT}"
        )));
    }
    let rows = state.reader.customers(access.id()).await?;
    Ok(Json(list(access.id(), rows, limit, state.now())))
}

/// One customer's metrics and purchase patterns.
#[utoipa::path(get, path = "/api/customers/{venueId}/{customerId}", tag = "customers", security(("bearer" = [])),
    params(("venueId" = String, Path, description = "Venue id"), ("customerId" = String, Path, description = "Customer (user) id")),
    responses((status = 200, description = "Success", body = CustomerDetail), VenueErrors))]
#[tracing::instrument(skip_all)]
pub async fn get_customer(
    State(state): State<AppState>,
    access: VenueAccess,
    ApiPath((_, customer)): ApiPath<(String, String)>,
) -> ApiResult<Json<CustomerDetail>> {
    let row = state
        .reader
        .customer(access.id(), &customer)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("no customer {customer:?} at this venue")))?;
    #[allow(clippy::cast_precision_loss)]
    let average_lead_hours =
        (row.lead_count > 0).then(|| row.lead_hours_sum / f64::from(row.lead_count));
    Ok(Json(CustomerDetail {
        summary: summarise(&row, state.now()),
        purchases_by_weekday: row.weekday.to_vec(),
        purchases_by_hour: row.hour.to_vec(),
        average_lead_hours,
        tiers: row.tiers.clone(),
        insight: row.insight.clone(),
    }))
}

/// Erases a customer's personal metrics at the venue (aggregates stay) and
/// records who asked, when, and the outcome in an `audit` document.
#[utoipa::path(delete, path = "/api/customers/{venueId}/{customerId}", tag = "customers", security(("bearer" = [])),
    params(("venueId" = String, Path, description = "Venue id"), ("customerId" = String, Path, description = "Customer (user) id")),
    responses((status = 204, description = "Erased"), VenueErrors))]
#[tracing::instrument(skip_all)]
pub async fn erase_customer(
    State(state): State<AppState>,
    access: VenueAccess,
    ApiPath((_, customer)): ApiPath<(String, String)>,
) -> ApiResult<StatusCode> {
    // v7 ids sort by time, so the audit trail lists in order.
    let audit_id = uuid::Uuid::now_v7().to_string();
    let record = |status: &str| {
        serde_json::json!({
            "auditId": audit_id,
            "action": "customer.erase",
            "venueId": access.id(),
            "customerId": customer,
            "by": access.claims.sub,
            "at": state.now(),
            "status": status,
        })
    };
    // Intent first: an erasure is never performed without a trace.
    state
        .docs
        .put(
            AUDIT_KIND,
            access.id(),
            &audit_id,
            &record("requested"),
            None,
        )
        .await?;
    let existed = state.reader.erase_customer(access.id(), &customer).await?;
    let outcome = if existed { "erased" } else { "not-found" };
    state
        .docs
        .put(AUDIT_KIND, access.id(), &audit_id, &record(outcome), None)
        .await?;
    tracing::info!(venue = access.id(), by = %access.claims.sub, outcome, "customer erasure");
    if existed {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::not_found(format!(
            "no customer {customer:?} at this venue"
        )))
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::summary::tests::at;

    pub(crate) fn customer(
        id: &str,
        spend: i64,
        orders: i64,
        segment: Option<&str>,
    ) -> CustomerRow {
        let mut hour = [0; 24];
        hour[20] = u32::try_from(orders).unwrap();
        let mut weekday = [0; 7];
        weekday[4] = u32::try_from(orders).unwrap();
        CustomerRow {
            venue_id: "v1".into(),
            customer_id: id.into(),
            spend,
            orders,
            tickets: orders * 2,
            currency: Some("EUR".into()),
            first_purchase_at: Some(at("2026-01-01T00:00:00Z")),
            last_purchase_at: Some(at("2026-11-20T00:00:00Z")),
            weekday,
            hour,
            lead_hours_sum: 48.0 * orders as f64,
            lead_count: u32::try_from(orders).unwrap(),
            tiers: BTreeMap::new(),
            insight: segment.map(|s| serde_json::json!({"segment": s})),
        }
    }

    #[test]
    fn customers_are_listed_by_spend_with_totals() {
        let rows = vec![
            customer("a", 1000, 1, Some("new")),
            customer("b", 9000, 3, Some("champions")),
            customer("c", 5000, 2, None),
        ];
        let l = list("v1", rows, 2, at("2026-11-24T00:00:00Z"));
        let ids: Vec<_> = l
            .top_customers
            .iter()
            .map(|c| c.customer_id.as_str())
            .collect();
        assert_eq!(ids, vec!["b", "c"]);
        assert_eq!(l.totals.customers, 3);
        assert_eq!(l.totals.revenue, Money::new(15_000, "EUR"));
        assert_eq!(l.totals.repeat_customers, 2);
        assert_eq!(l.segments.len(), 2);
        assert_eq!(l.segments[0].share, 0.5);
        assert_eq!(l.top_customers[0].average_order_value.amount, 3000);
        assert_eq!(l.top_customers[0].recency_days, Some(4.0));
    }
}
