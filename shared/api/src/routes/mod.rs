//! One module per route group; each exposes `router()`.

pub mod alerts;
pub mod analytics;
pub mod campaigns;
pub mod customers;
pub mod dashboards;
pub mod exports;
pub mod health;
pub mod insights;
pub mod metrics;
pub mod page;
pub mod predictions;
pub mod realtime;
pub mod reports;
pub mod share_links;
pub mod venues;
pub mod widgets;

use chrono::{DateTime, Utc};
use domain::Granularity;
use serde::Deserialize;
use utoipa::{IntoParams, OpenApi};
use utoipa_axum::router::OpenApiRouter;

use crate::compare::Compare;
use crate::error::ApiError;
use crate::openapi::ApiDoc;
use crate::state::AppState;

/// Every route, with its OpenAPI description.
pub fn api_router() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .merge(health::router())
        .merge(page::router())
        .merge(venues::router())
        .merge(dashboards::router())
        .merge(metrics::router())
        .merge(analytics::router())
        .merge(realtime::router())
        .merge(widgets::router())
        .merge(share_links::router())
        .merge(customers::router())
        .merge(campaigns::router())
        .merge(insights::router())
        .merge(predictions::router())
        .merge(alerts::router())
        .merge(reports::router())
        .merge(exports::router())
}

/// `?eventId=` narrows a venue-scoped read to one show.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(rename_all = "camelCase")]
pub struct ShowQuery {
    /// The show (an upstream `eventId`); omit for the whole venue.
    pub event_id: Option<String>,
}

impl ShowQuery {
    /// The show id, with an empty value treated as absent.
    pub fn show(&self) -> Option<&str> {
        self.event_id.as_deref().filter(|s| !s.is_empty())
    }
}

/// An optional RFC 3339 query parameter (empty = absent); 400 naming it otherwise.
pub fn instant(name: &str, raw: Option<&str>) -> Result<Option<DateTime<Utc>>, ApiError> {
    raw.filter(|t| !t.is_empty())
        .map(|t| {
            DateTime::parse_from_rfc3339(t)
                .map(|t| t.with_timezone(&Utc))
                .map_err(|e| {
                    ApiError::bad_request(format!("`{name}` must be an RFC 3339 time ({e}): {t:?}"))
                })
        })
        .transpose()
}

/// Fine rollup rows expire (TTL, lazily): a read of `granularity` reaching
/// back to `start`, before its rows are kept, would find some and miss
/// others. It is refused: "{subject} are kept N days (since …) and {what}
/// {start}: {advice}", `advice` given the granularities that do cover `start`.
pub fn require_kept(
    granularity: Granularity,
    start: DateTime<Utc>,
    now: DateTime<Utc>,
    (subject, what): (&str, &str),
    advice: impl FnOnce(&[&str]) -> String,
) -> Result<(), ApiError> {
    let Some(since) = granularity.kept_since(now).filter(|since| start < *since) else {
        return Ok(());
    };
    let covering: Vec<&str> = Granularity::ALL
        .into_iter()
        .filter(|g| g.keeps(start, now))
        .map(Granularity::as_str)
        .collect();
    let at = |t: DateTime<Utc>| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    Err(ApiError::bad_request(format!(
        "{subject} are kept {} days (since {}) and {what} {}: {}",
        granularity.retention_days().unwrap_or_default(),
        at(since),
        at(start),
        advice(&covering)
    )))
}

/// The optional `compare` query parameter (empty = absent).
pub fn compare(raw: Option<&str>) -> Result<Option<Compare>, ApiError> {
    raw.filter(|c| !c.is_empty())
        .map(str::parse)
        .transpose()
        .map_err(ApiError::BadRequest)
}

pub async fn not_found() -> ApiError {
    ApiError::NotFound("no such route".into())
}

pub async fn method_not_allowed() -> ApiError {
    ApiError::MethodNotAllowed("method not allowed on this route".into())
}
