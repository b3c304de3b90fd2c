//! `GET /api/metrics/{venueId}`: one metric as a zero-filled time series.

use axum::Json;
use axum::extract::State;
use chrono::{DateTime, Duration, Utc};
use domain::Granularity;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::access::VenueAccess;
use crate::compare::Compare;
use crate::error::{ApiError, ApiResult};
use crate::extract::ApiQuery;
use crate::openapi::VenueErrors;
use crate::series::{Point, SeriesMetric, bucket_starts, points};
use crate::state::AppState;
use crate::totals::{InCurrency, money_in};

#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(rename_all = "camelCase")]
pub struct MetricsQuery {
    /// revenue (minor units), ticketsSold, orders, scansAdmitted, scansRejected, scansDuplicate,
    /// pageViews, uniqueSessions, cartAdds, cartRemoves, cartCheckouts, cartAbandons,
    /// cartAbandonedValue, refunds, refundedAmount (minor units, net of won chargebacks),
    /// ticketsRefunded; derived: salesVelocity (tickets per hour), netRevenue
    /// (revenue − refundedAmount) and netTickets (ticketsSold − ticketsRefunded).
    /// `revenue` is gross.
    #[param(required = true, schema_with = metric_schema)]
    pub metric: Option<String>,
    /// 1m, 5m, 1h (default) or 1d (venue-local days).
    #[param(schema_with = granularity_schema)]
    pub granularity: Option<String>,
    /// RFC 3339; default `to` minus 24 hours (30 days for 1d). The first
    /// point is the whole bucket holding `from` (its `t` may be earlier):
    /// for exact totals of a period, `GET /api/dashboards/{venueId}?from=&to=`.
    #[param(schema_with = crate::openapi::date_time)]
    pub from: Option<String>,
    /// RFC 3339, exclusive; default now.
    #[param(schema_with = crate::openapi::date_time)]
    pub to: Option<String>,
    /// Narrow to one show.
    pub event_id: Option<String>,
    /// ISO 4217 code of the money metrics' currency; default the venue's
    /// (else the one with the most revenue in the range). Money in other
    /// currencies is never added in.
    #[param(pattern = "^[A-Z]{3}$")]
    pub currency: Option<String>,
    /// `previous` (the window of equal length before) or `year` (52 weeks
    /// earlier, same weekdays): adds `comparison`, point for point.
    #[param(pattern = "^(previous|year)$")]
    pub compare: Option<String>,
}

/// The same metric over the compared window; `points[i]` is compared with
/// the response's `points[i]`.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SeriesComparison {
    /// `previous` or `year`.
    pub compare: String,
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub points: Vec<Point>,
}

fn metric_schema() -> utoipa::openapi::Object {
    crate::openapi::string_enum(SeriesMetric::names())
}

fn granularity_schema() -> utoipa::openapi::Object {
    crate::openapi::string_enum(Granularity::ALL.map(Granularity::as_str))
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct MetricSeries {
    pub metric: String,
    pub granularity: String,
    pub event_id: Option<String>,
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    /// The zone whose midnights start 1d buckets.
    pub timezone: String,
    /// The currency of money metrics (revenue, refundedAmount, netRevenue, cartAbandonedValue).
    pub currency: String,
    pub points: Vec<Point>,
    pub comparison: Option<SeriesComparison>,
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(metric_series))
}

/// A metric per bucket from `from` to `to`; at most 2,000 points. `1m` rows
/// are kept 8 days and `5m` rows 35: a range (or its comparison) reaching
/// before is refused with 400, naming the granularities that cover it.
#[utoipa::path(get, path = "/api/metrics/{venueId}", tag = "metrics", security(("bearer" = [])),
    params(("venueId" = String, Path, description = "Venue id"), MetricsQuery),
    responses((status = 200, description = "Success", body = MetricSeries), VenueErrors))]
#[tracing::instrument(skip_all)]
pub async fn metric_series(
    State(state): State<AppState>,
    access: VenueAccess,
    ApiQuery(q): ApiQuery<MetricsQuery>,
) -> ApiResult<Json<MetricSeries>> {
    let metric: SeriesMetric = q
        .metric
        .as_deref()
        .ok_or_else(|| {
            ApiError::bad_request(format!(
                "missing `metric`; expected one of {}",
                SeriesMetric::names().join(", ")
            ))
        })?
        .parse()
        .map_err(ApiError::BadRequest)?;
    let granularity: Granularity = q
        .granularity
        .as_deref()
        .unwrap_or("1h")
        .parse()
        .map_err(ApiError::BadRequest)?;
    let to = super::instant("to", q.to.as_deref())?.unwrap_or_else(|| state.now());
    let default_span = if granularity == Granularity::Day {
        Duration::days(30)
    } else {
        Duration::hours(24)
    };
    let from = super::instant("from", q.from.as_deref())?.unwrap_or(to - default_span);
    let wanted = q.currency.as_deref().filter(|c| !c.is_empty());
    if let Some(c) = wanted
        && !(c.len() == 3 && c.bytes().all(|b| b.is_ascii_uppercase()))
    {
        return Err(ApiError::bad_request(format!(
            "`currency` must be an ISO 4217 code (three upper-case letters): {c:?}"
        )));
    }
    let compare = super::compare(q.compare.as_deref())?;
    let tz = access.tz();
    let starts = bucket_starts(granularity, from, to, tz)
        .map_err(|e| ApiError::bad_request(e.to_string()))?;
    let show = q.event_id.as_deref().filter(|s| !s.is_empty());
    let read = |starts: Vec<i64>| {
        let (state, venue) = (state.clone(), access.id().to_owned());
        async move {
            let rows = match (starts.first(), starts.last()) {
                (Some(&first), Some(&last)) => {
                    state
                        .reader
                        .rollups(
                            &venue,
                            show,
                            granularity,
                            first,
                            granularity.next_bucket(last, tz),
                        )
                        .await?
                }
                _ => Vec::new(),
            };
            Ok::<_, ApiError>((starts, rows))
        }
    };
    let compared = compare.map(|c| (c, c.shifted(from, to)));
    check_kept(
        granularity,
        from,
        compared.map(|(c, (f, _))| (c, f)),
        state.now(),
    )?;
    let compared_starts = match compared {
        Some((_, (f, t))) => bucket_starts(granularity, f, t, tz)
            .map_err(|e| ApiError::bad_request(e.to_string()))?,
        None => Vec::new(),
    };
    let ((starts, rows), (compared_starts, compared_rows)) =
        tokio::try_join!(read(starts), read(compared_starts))?;
    let InCurrency { currency, rows, .. } = money_in(&rows, &access.venue, wanted);
    let comparison = compared.map(|(c, (f, t))| {
        let rows = money_in(&compared_rows, &access.venue, Some(&currency)).rows;
        // Point for point with the current window (a DST day may leave one over).
        let mut points = points(&rows, metric, granularity, &compared_starts, tz);
        points.truncate(starts.len());
        SeriesComparison {
            compare: c.as_str().to_owned(),
            from: f,
            to: t,
            points,
        }
    });
    Ok(Json(MetricSeries {
        metric: metric.name().to_owned(),
        granularity: granularity.as_str().to_owned(),
        event_id: show.map(str::to_owned),
        from,
        to,
        timezone: tz.name().to_owned(),
        currency,
        points: points(&rows, metric, granularity, &starts, tz),
        comparison,
    }))
}

/// Fine rows expire (TTL, lazily): a series, or its comparison, reaching
/// before they are kept is refused, naming the granularities that cover it.
fn check_kept(
    granularity: Granularity,
    from: DateTime<Utc>,
    compared: Option<(Compare, DateTime<Utc>)>,
    now: DateTime<Utc>,
) -> ApiResult<()> {
    let (what, start) = match compared {
        Some((c, f)) if f < from => (format!("`compare={}` reaches", c.as_str()), f),
        _ => ("`from` is".to_owned(), from),
    };
    let subject = format!("`{}` series", granularity.as_str());
    super::require_kept(granularity, start, now, (&subject, &what), |covering| {
        format!("ask for {}", covering.join(" or "))
    })
}
