//! `/api/customers`: per-customer totals and model-based insights (CLV,
//! churn risk, RFM segment) at a venue, and erasure on request.
//!
//! Insights come from the nightly job (stored on each customer row) while
//! they are fresh — fitted within [`FRESH_FOR_HOURS`] and the row unchanged
//! since; otherwise the venue's population is fitted on the fly (BG/NBD +
//! Gamma-Gamma, ~74 ms per 1,000 customers). See `docs/MODELS.md`.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Duration, Utc};
use domain::ports::CustomerPage;
use domain::ports::CustomerRow;
use insights::customers::{
    ClvModel, CustomerInsight, CustomerRecord, PopulationModel, fit_population,
};
use jobs::customer_base::{self, CustomerBase, Scoring, TOP_STORED, main_currency};
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
use crate::totals::div_round;

pub use crate::audit::AUDIT_KIND;
pub const DEFAULT_LIMIT: usize = 50;
pub const MAX_LIMIT: usize = 1_000;
/// A stored (nightly) insight older than this is refitted on the fly.
pub const FRESH_FOR_HOURS: i64 = 26;

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
    /// RFM segment (`champions`, `atRisk`, …).
    pub segment: Option<String>,
    /// Historic spend + expected spend over the next 12 months.
    pub lifetime_value: Option<Money>,
    /// Expected spend over the next 12 months (BG/NBD × Gamma-Gamma).
    pub predicted_value_12m: Option<Money>,
    /// 1 − P(alive) under BG/NBD (0 for one-time buyers: the model cannot tell).
    pub churn_risk: Option<f64>,
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
    /// The model's view of the customer (CLV, churn risk, RFM scores and
    /// segment, purchase patterns); `None` only without a purchase.
    #[schema(value_type = Option<Object>)]
    pub insight: Option<CustomerInsight>,
    pub model: Option<ModelInfo>,
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

/// Which model scored the customers, and when.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ModelInfo {
    /// `bg-nbd+gamma-gamma` (fitted on this venue) or `fallback-average`.
    pub model: String,
    /// Why the fallback was used (too few customers or repeat buyers, or a failed fit).
    pub fallback_reason: Option<String>,
    /// `nightly` (the nightly insights job), `scheduled` (the refresh
    /// between nights, for venues with new activity) or `live` (fitted for
    /// this request).
    pub source: String,
    pub fitted_at: DateTime<Utc>,
    /// Customers scored.
    pub customers: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SegmentCount {
    /// Segment id (`champions`, `loyal`, `potentialLoyalist`, `newCustomer`,
    /// `promising`, `needsAttention`, `atRisk`, `cannotLoseThem`, `hibernating`, `lost`).
    pub segment: String,
    pub label: String,
    pub customers: i64,
    /// Historic revenue of the segment.
    pub revenue: Money,
    /// Share of the customers.
    pub share: f64,
    /// Share of the historic revenue.
    pub revenue_share: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CustomerList {
    pub venue_id: String,
    /// `None` only for a venue with more than 2,000 customers before the
    /// nightly job first summarised it (`customers` still pages).
    pub totals: Option<CustomerTotals>,
    /// When the totals, segments and top customers were computed.
    pub summarised_at: Option<DateTime<Utc>>,
    /// `None` without customers.
    pub model: Option<ModelInfo>,
    /// Per RFM segment, best first; non-empty segments only.
    pub segments: Vec<SegmentCount>,
    /// Customers by lifetime value, highest first, up to `limit` (at most 100).
    pub top_customers: Vec<CustomerSummary>,
    /// One page of the venue's customers, by customer id, up to `limit`.
    pub customers: Vec<CustomerSummary>,
    /// Pass as `cursor` for the next page; absent on the last one.
    pub next_cursor: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// Customers per page and top customers to return (default 50, at most 1000; top customers at most 100).
    #[param(minimum = 1, maximum = 1000)]
    pub limit: Option<usize>,
    /// `nextCursor` of the previous page.
    pub cursor: Option<String>,
}

/// A venue's customers scored by the CLV model.
#[derive(Debug, Clone, PartialEq)]
pub struct Scored {
    pub model: ModelInfo,
    pub insights: Vec<CustomerInsight>,
    /// The fit, when it was made for this request (to score a row later).
    pub population: Option<PopulationModel>,
}

pub fn currency_of(row: &CustomerRow) -> &str {
    row.currency.as_deref().unwrap_or(DEFAULT_CURRENCY)
}

/// The model's view of a customer row: the nightly job's conversion, shared.
pub use jobs::insights::record_of;

fn model_name(m: ClvModel) -> String {
    serde_json::to_value(m)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

/// The stored nightly insight of a row, with its fit time and fallback
/// reason, when it is fresh: fitted within [`FRESH_FOR_HOURS`] of `now` and
/// the row's spend and orders unchanged since.
pub fn stored_insight(
    row: &CustomerRow,
    now: DateTime<Utc>,
) -> Option<(CustomerInsight, DateTime<Utc>, Option<String>)> {
    let v = row.insight.as_ref()?;
    let fitted_at: DateTime<Utc> = v.get("fittedAt")?.as_str()?.parse().ok()?;
    let reason = v
        .get("fallbackReason")
        .and_then(|r| r.as_str())
        .map(str::to_owned);
    let insight: CustomerInsight = serde_json::from_value(v.clone()).ok()?;
    let fresh = now - fitted_at <= Duration::hours(FRESH_FOR_HOURS)
        && fitted_at <= now
        && insight.frequency == row.orders
        && insight.historic_value == row.spend;
    fresh.then_some((insight, fitted_at, reason))
}

/// Score a venue's customers: the stored nightly insights when every
/// customer has a fresh one, else a fit of the population now.
pub fn score(rows: &[CustomerRow], now: DateTime<Utc>) -> Option<Scored> {
    let records: Vec<CustomerRecord> = rows.iter().filter_map(record_of).collect();
    if records.is_empty() {
        return None;
    }
    let stored: Option<Vec<_>> = rows
        .iter()
        .filter(|r| record_of(r).is_some())
        .map(|r| stored_insight(r, now))
        .collect();
    if let Some(stored) = stored {
        let fitted_at = stored.iter().map(|s| s.1).min().unwrap_or(now);
        let (model, reason) = (stored[0].0.model, stored[0].2.clone());
        let source = rows
            .iter()
            .find_map(|r| r.insight.as_ref()?.get("source")?.as_str())
            .unwrap_or(jobs::insights::NIGHTLY);
        return Some(Scored {
            model: ModelInfo {
                model: model_name(model),
                fallback_reason: reason,
                source: source.into(),
                fitted_at,
                customers: stored.len(),
            },
            insights: stored.into_iter().map(|s| s.0).collect(),
            population: None,
        });
    }
    let population = fit_population(&records, now);
    Some(Scored {
        model: ModelInfo {
            model: model_name(population.model),
            fallback_reason: population.fallback_reason.clone(),
            source: "live".into(),
            fitted_at: now,
            customers: records.len(),
        },
        insights: population.insights(&records, now),
        population: Some(population),
    })
}

/// The customer base of `rows` (all of a venue's customers), scored as [`score`] does.
pub fn base_of(rows: &[CustomerRow], now: DateTime<Utc>) -> CustomerBase {
    let scored = score(rows, now);
    let insights = scored.as_ref().map_or(&[][..], |s| &s.insights[..]);
    let scoring = scored.as_ref().map(|s| Scoring {
        model: s
            .insights
            .first()
            .map_or(ClvModel::FallbackAverage, |i| i.model),
        fallback_reason: s.model.fallback_reason.clone(),
        source: s.model.source.clone(),
        fitted_at: s.model.fitted_at,
        customers: s.model.customers,
        population: s.population.clone(),
    });
    CustomerBase::from_rows(rows, scoring, insights, now)
}

pub fn model_info(s: &Scoring) -> ModelInfo {
    ModelInfo {
        model: model_name(s.model),
        fallback_reason: s.fallback_reason.clone(),
        source: s.source.clone(),
        fitted_at: s.fitted_at,
        customers: s.customers,
    }
}

/// A venue's customer base as a request may read it.
pub enum Loaded {
    /// At most [`customer_base::LIVE_FIT_MAX`] customers: all of them, summarised now.
    Small {
        rows: Vec<CustomerRow>,
        base: CustomerBase,
    },
    /// More: the nightly document, if the job has run.
    Large { base: Option<CustomerBase> },
}

impl Loaded {
    pub fn base(&self) -> Option<&CustomerBase> {
        match self {
            Loaded::Small { base, .. } => Some(base),
            Loaded::Large { base } => base.as_ref(),
        }
    }
}

/// The nightly document first: a venue it counts as large is served from it
/// and its pages alone. Otherwise one query of at most `live_fit_max + 1`
/// customers decides (a venue can outgrow the limit during the day). Bounded
/// whatever the venue's history, and a large venue's request never reads
/// `live_fit_max` customers.
pub async fn load(state: &AppState, venue: &str, now: DateTime<Utc>) -> ApiResult<Loaded> {
    let max = state.live_fit_max;
    let stored = stored_base(state, venue).await?;
    if stored
        .as_ref()
        .is_some_and(|b| usize::try_from(b.customers).unwrap_or(0) > max)
    {
        return Ok(Loaded::Large { base: stored });
    }
    let page = state.reader.customers_page(venue, max + 1, None).await?;
    if page.rows.len() <= max && page.next.is_none() {
        let base = base_of(&page.rows, now);
        return Ok(Loaded::Small {
            rows: page.rows,
            base,
        });
    }
    Ok(Loaded::Large { base: stored })
}

async fn stored_base(state: &AppState, venue: &str) -> ApiResult<Option<CustomerBase>> {
    let Some(doc) = state
        .docs
        .get(customer_base::KIND, venue, customer_base::ID)
        .await?
    else {
        return Ok(None);
    };
    serde_json::from_value(doc)
        .map(Some)
        .map_err(|e| ApiError::Internal(format!("stored customer base unreadable: {e}")))
}

pub fn segment_id(insight: &CustomerInsight) -> String {
    serde_json::to_value(insight.segment)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

pub fn summarise(
    row: &CustomerRow,
    insight: Option<&CustomerInsight>,
    now: DateTime<Utc>,
) -> CustomerSummary {
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
        segment: insight.map(segment_id),
        lifetime_value: insight.map(|i| Money::new(i.lifetime_value, cur)),
        predicted_value_12m: insight.map(|i| Money::new(i.predicted_value_12m, cur)),
        churn_risk: insight.map(|i| i.churn_risk),
    }
}

/// Per-segment counts with money in `currency`.
pub fn segments(base: &CustomerBase, currency: &str) -> Vec<SegmentCount> {
    base.segments
        .iter()
        .map(|s| SegmentCount {
            segment: serde_json::to_value(s.segment)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default(),
            label: s.segment.label().to_owned(),
            customers: s.customers,
            revenue: Money::new(s.revenue, currency),
            share: s.share,
            revenue_share: s.revenue_share,
        })
        .collect()
}

/// The `n` customers with the highest lifetime value, as summaries.
pub fn top(base: &CustomerBase, n: usize, now: DateTime<Utc>) -> Vec<CustomerSummary> {
    base.top
        .iter()
        .take(n)
        .map(|t| summarise(&t.row, Some(&t.insight), now))
        .collect()
}

/// A row's insight: its stored nightly one while fresh, else scored with
/// the base's fitted model (when the base has one).
pub fn insight_of(
    row: &CustomerRow,
    base: Option<&CustomerBase>,
    now: DateTime<Utc>,
) -> Option<CustomerInsight> {
    if let Some((insight, ..)) = stored_insight(row, now) {
        return Some(insight);
    }
    let population = base?.scoring.as_ref()?.population.as_ref()?;
    Some(population.insight(&record_of(row)?, now))
}

pub fn totals(base: &CustomerBase) -> CustomerTotals {
    let (currency, spend) = main_currency(&base.spend_by_currency);
    CustomerTotals {
        customers: base.customers,
        revenue: Money::new(spend, &currency),
        orders: base.orders,
        tickets: base.tickets,
        repeat_customers: base.repeat_customers,
    }
}

/// The list response: the base's summary, and a page of `rows`.
pub fn list(
    venue: &str,
    base: Option<&CustomerBase>,
    page: CustomerPage,
    limit: usize,
    now: DateTime<Utc>,
) -> CustomerList {
    let currency = base.map(|b| main_currency(&b.spend_by_currency).0);
    CustomerList {
        venue_id: venue.to_owned(),
        totals: base.map(totals),
        summarised_at: base.map(|b| b.computed_at),
        model: base.and_then(|b| b.scoring.as_ref()).map(model_info),
        segments: base
            .zip(currency.as_deref())
            .map_or_else(Vec::new, |(b, c)| segments(b, c)),
        top_customers: base.map_or_else(Vec::new, |b| top(b, limit.min(TOP_STORED), now)),
        customers: page
            .rows
            .iter()
            .map(|r| summarise(r, insight_of(r, base, now).as_ref(), now))
            .collect(),
        next_cursor: page.next.as_deref().map(encode_cursor),
    }
}

/// Cursors are the last id of a page, base64url: opaque to clients.
fn encode_cursor(after: &str) -> String {
    URL_SAFE_NO_PAD.encode(after)
}

fn decode_cursor(cursor: &str) -> ApiResult<String> {
    URL_SAFE_NO_PAD
        .decode(cursor)
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .filter(|id| domain::ids::CustomerId::parse(id).is_ok())
        .ok_or_else(|| {
            ApiError::bad_request("`cursor` is not one this API returned; start without it")
        })
}

/// A page of in-memory rows (a small venue's, all of them), by id.
fn page_of(mut rows: Vec<CustomerRow>, limit: usize, after: Option<&str>) -> CustomerPage {
    rows.sort_by(|a, b| a.customer_id.cmp(&b.customer_id));
    rows.retain(|r| after.is_none_or(|a| r.customer_id.as_str() > a));
    let more = rows.len() > limit;
    rows.truncate(limit);
    let next = more
        .then(|| rows.last().map(|r| r.customer_id.clone()))
        .flatten();
    CustomerPage { rows, next }
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_customers))
        .routes(routes!(get_customer, erase_customer))
}

/// Totals, RFM segments, the CLV model used and top customers by lifetime
/// value, and one page of the venue's customers (by id, `cursor` for the
/// next). Reads at most 2,001 customers, or the nightly summary and one page.
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
    let after = q.cursor.as_deref().map(decode_cursor).transpose()?;
    let now = state.now();
    let list = match load(&state, access.id(), now).await? {
        Loaded::Small { rows, base } => {
            let page = page_of(rows, limit, after.as_deref());
            list(access.id(), Some(&base), page, limit, now)
        }
        Loaded::Large { base } => {
            let page = state
                .reader
                .customers_page(access.id(), limit, after.as_deref())
                .await?;
            list(access.id(), base.as_ref(), page, limit, now)
        }
    };
    Ok(Json(list))
}

/// One customer's metrics, purchase patterns and model insight (CLV, churn
/// risk, segment): the nightly one while fresh, else scored now with the
/// venue's model (fitted now for a small venue, the nightly fit otherwise).
#[utoipa::path(get, path = "/api/customers/{venueId}/{customerId}", tag = "customers", security(("bearer" = [])),
    params(("venueId" = String, Path, description = "Venue id"), ("customerId" = String, Path, description = "Customer (user) id")),
    responses((status = 200, description = "Success", body = CustomerDetail), VenueErrors))]
#[tracing::instrument(skip_all)]
pub async fn get_customer(
    State(state): State<AppState>,
    access: VenueAccess,
    ApiPath((_, customer)): ApiPath<(String, String)>,
) -> ApiResult<Json<CustomerDetail>> {
    let now = state.now();
    let row = state
        .reader
        .customer(access.id(), &customer)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("no customer {customer:?} at this venue")))?;
    let (insight, model) = match stored_insight(&row, now) {
        Some((insight, fitted_at, reason)) => {
            let model = ModelInfo {
                model: model_name(insight.model),
                fallback_reason: reason,
                source: "nightly".into(),
                fitted_at,
                customers: 1,
            };
            (Some(insight), Some(model))
        }
        None if record_of(&row).is_some() => {
            let loaded = load(&state, access.id(), now).await?;
            let base = loaded.base();
            let insight = match &loaded {
                // Scored with the others just now: the same numbers as the list.
                Loaded::Small { base, .. } => base
                    .scoring
                    .as_ref()
                    .and_then(|s| s.population.as_ref())
                    .and_then(|p| Some(p.insight(&record_of(&row)?, now))),
                Loaded::Large { base } => insight_of(&row, base.as_ref(), now),
            };
            let model = insight
                .as_ref()
                .and(base.and_then(|b| b.scoring.as_ref()).map(model_info));
            (insight, model)
        }
        None => (None, None),
    };
    #[allow(clippy::cast_precision_loss)]
    let average_lead_hours =
        (row.lead_count > 0).then(|| row.lead_hours_sum / f64::from(row.lead_count));
    Ok(Json(CustomerDetail {
        summary: summarise(&row, insight.as_ref(), now),
        purchases_by_weekday: row.weekday.to_vec(),
        purchases_by_hour: row.hour.to_vec(),
        average_lead_hours,
        tiers: row.tiers.clone(),
        insight,
        model,
    }))
}

/// Takes an erased customer out of the venue's stored top customers (the
/// totals are aggregates and stay).
async fn forget_in_base(state: &AppState, venue: &str, customer: &str) -> ApiResult<()> {
    let Some(doc) = state
        .docs
        .get(customer_base::KIND, venue, customer_base::ID)
        .await?
    else {
        return Ok(());
    };
    let Ok(mut base) = serde_json::from_value::<CustomerBase>(doc) else {
        return Ok(());
    };
    let before = base.top.len();
    base.top.retain(|t| t.row.customer_id != customer);
    if base.top.len() != before {
        let doc = serde_json::to_value(&base)
            .map_err(|e| ApiError::Internal(format!("customer base: {e}")))?;
        state
            .docs
            .put(customer_base::KIND, venue, customer_base::ID, &doc, None)
            .await?;
    }
    Ok(())
}

/// Erases a customer's personal metrics at the venue (aggregates stay; so
/// does the dedupe state ingest needs to count a redelivered purchase once:
/// hashes of event ids, no personal data) and records who asked, when, and
/// the outcome in an `audit` document.
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
    forget_in_base(&state, access.id(), &customer).await?;
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
            spend_by_currency: Default::default(),
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
    fn customers_are_scored_live_and_listed_by_lifetime_value() {
        let rows = vec![
            customer("a", 1000, 1, None),
            customer("b", 9000, 3, None),
            customer("c", 5000, 2, None),
        ];
        let now = at("2026-11-24T00:00:00Z");
        let base = base_of(&rows, now);
        let l = list("v1", Some(&base), page_of(rows, 2, None), 2, now);
        let page: Vec<_> = l.customers.iter().map(|c| c.customer_id.as_str()).collect();
        assert_eq!(page, vec!["a", "b"], "by id, two per page");
        assert_eq!(
            l.next_cursor
                .as_deref()
                .map(decode_cursor)
                .transpose()
                .unwrap()
                .as_deref(),
            Some("b")
        );
        assert!(
            l.customers.iter().all(|c| c.lifetime_value.is_some()),
            "scored with the live fit"
        );
        let ids: Vec<_> = l
            .top_customers
            .iter()
            .map(|c| c.customer_id.as_str())
            .collect();
        assert_eq!(ids, vec!["b", "c"]);
        let totals = l.totals.as_ref().unwrap();
        assert_eq!(totals.customers, 3);
        assert_eq!(totals.revenue, Money::new(15_000, "EUR"));
        assert_eq!(totals.repeat_customers, 2);
        let model = l.model.unwrap();
        assert_eq!(model.model, "fallback-average");
        assert_eq!(model.source, "live");
        assert_eq!(model.fallback_reason.as_deref(), Some("3 customers (< 20)"));
        // Same last purchase for all: recency ties (R = 1); F: a=1, c=2, b=4 →
        // lost, lost, atRisk.
        let seg: Vec<_> = l
            .segments
            .iter()
            .map(|s| (s.segment.as_str(), s.customers))
            .collect();
        assert_eq!(seg, vec![("atRisk", 1), ("lost", 2)]);
        assert!((l.segments[1].share - 2.0 / 3.0).abs() < 1e-12);
        assert_eq!(l.segments[1].revenue, Money::new(6000, "EUR"));
        let b = &l.top_customers[0];
        assert_eq!(b.average_order_value.amount, 3000);
        assert_eq!(b.recency_days, Some(4.0));
        assert!(b.lifetime_value.as_ref().unwrap().amount > 9000);
        assert!(b.churn_risk.unwrap() > 0.0 && b.churn_risk.unwrap() < 1.0);
    }

    #[test]
    fn cursors_round_trip_and_foreign_ones_are_refused() {
        assert_eq!(decode_cursor(&encode_cursor("fan-01")).unwrap(), "fan-01");
        for bad in [
            "!!",
            "",
            &encode_cursor("a#b"),
            &URL_SAFE_NO_PAD.encode([0xff, 0xfe]),
        ] {
            assert!(
                matches!(decode_cursor(bad), Err(ApiError::BadRequest(_))),
                "{bad:?}"
            );
        }
        let rows = vec![
            customer("c", 1, 1, None),
            customer("a", 1, 1, None),
            customer("b", 1, 1, None),
        ];
        let first = page_of(rows.clone(), 2, None);
        assert_eq!(first.next.as_deref(), Some("b"));
        let rest = page_of(rows, 2, first.next.as_deref());
        let ids: Vec<_> = rest.rows.iter().map(|r| r.customer_id.as_str()).collect();
        assert_eq!((ids, rest.next), (vec!["c"], None));
    }

    #[test]
    fn fresh_nightly_insights_are_used_and_stale_ones_refitted() {
        let now = at("2026-11-24T00:00:00Z");
        let mut rows = vec![customer("a", 1000, 1, None), customer("b", 9000, 3, None)];
        let live = score(&rows, now).unwrap();
        for (row, insight) in rows.iter_mut().zip(&live.insights) {
            let mut v = serde_json::to_value(insight).unwrap();
            v["fittedAt"] = serde_json::json!("2026-11-23T03:00:00Z");
            v["fallbackReason"] = serde_json::json!("2 customers (< 20)");
            row.insight = Some(v);
        }
        let nightly = score(&rows, now).unwrap();
        assert_eq!(nightly.model.source, "nightly");
        assert_eq!(nightly.model.fitted_at, at("2026-11-23T03:00:00Z"));
        assert_eq!(nightly.insights, live.insights);
        // A purchase since the fit makes b's stored insight stale: refit all.
        rows[1].orders = 4;
        assert_eq!(score(&rows, now).unwrap().model.source, "live");
        rows[1].orders = 3;
        assert_eq!(
            score(&rows, at("2026-11-24T06:00:00Z"))
                .unwrap()
                .model
                .source,
            "live",
            "27 hours old"
        );
        assert!(score(&[], now).is_none());
    }
}
