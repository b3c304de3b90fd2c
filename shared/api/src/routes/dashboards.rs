//! `GET /api/dashboards/{venueId}[?eventId]`: the summary in three store round
//! trips (venue metadata, daily totals, the last hour's minutes).

use axum::Json;
use axum::extract::State;
use domain::Granularity;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::access::VenueAccess;
use crate::compare::{Comparison, within};
use crate::error::{ApiError, ApiResult};
use crate::extract::ApiQuery;
use crate::openapi::VenueErrors;
use crate::state::AppState;
use crate::summary::{DashboardSummary, Period, SummaryInput, assemble, velocity_window};
use crate::totals::money_in;

#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(rename_all = "camelCase")]
pub struct DashboardQuery {
    /// The show (an upstream `eventId`); omit for the whole venue.
    pub event_id: Option<String>,
    /// RFC 3339: only venue-local days starting at or after it (day
    /// resolution). Omit `from` and `to` for all time.
    #[param(schema_with = crate::openapi::date_time)]
    pub from: Option<String>,
    /// RFC 3339, exclusive: only days starting before it. Default now.
    #[param(schema_with = crate::openapi::date_time)]
    pub to: Option<String>,
    /// `previous` (the period of equal length before) or `year` (52 weeks
    /// earlier, same weekdays): adds `comparison`. Needs `from`.
    #[param(pattern = "^(previous|year)$")]
    pub compare: Option<String>,
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(dashboard))
}

/// Totals, rates, funnel and breakdowns of a venue or one of its shows.
#[utoipa::path(get, path = "/api/dashboards/{venueId}", tag = "dashboards", security(("bearer" = [])),
    params(("venueId" = String, Path, description = "Venue id"), DashboardQuery),
    responses((status = 200, description = "Success", body = DashboardSummary), VenueErrors))]
#[tracing::instrument(skip_all)]
pub async fn dashboard(
    State(state): State<AppState>,
    access: VenueAccess,
    ApiQuery(q): ApiQuery<DashboardQuery>,
) -> ApiResult<Json<DashboardSummary>> {
    let now = state.now();
    let show = q.event_id.as_deref().filter(|s| !s.is_empty());
    let compare = super::compare(q.compare.as_deref())?;
    let from = super::instant("from", q.from.as_deref())?;
    let to = super::instant("to", q.to.as_deref())?;
    let period = match (from, to) {
        (None, None) => None,
        (from, to) => {
            let to = to.unwrap_or(now);
            let from = from.ok_or_else(|| ApiError::bad_request("`to` needs a `from`"))?;
            if from >= to {
                return Err(ApiError::bad_request("`from` must be before `to`"));
            }
            Some((from, to))
        }
    };
    if compare.is_some() && period.is_none() {
        return Err(ApiError::bad_request(
            "`compare` needs a period: set `from` (and optionally `to`)",
        ));
    }
    let (velocity_from, velocity_to) = velocity_window(now);
    // Every day row of the scope in one query: the period and the compared
    // period are both cut from it (still three round trips).
    let (all_days, minutes) = tokio::try_join!(access.day_rollups(&state, show), async {
        Ok(state
            .reader
            .rollups(
                access.id(),
                show,
                Granularity::Minute,
                velocity_from,
                velocity_to,
            )
            .await?)
    },)?;
    // All time reads the rows as they are; a period, its own days.
    let in_period = period.map(|(from, to)| within(&all_days, from, to));
    let days = in_period.as_deref().unwrap_or(&all_days);
    let mut summary = assemble(SummaryInput {
        venue: &access.venue,
        event_id: show,
        days,
        minutes: &minutes,
        now,
    });
    if let Some((from, to)) = period {
        summary.period = Some(Period { from, to });
        if let Some(compare) = compare {
            let shifted = compare.shifted(from, to);
            let previous = within(&all_days, shifted.0, shifted.1);
            let currency = Some(summary.currency.as_str());
            let current = money_in(days, &access.venue, currency).rows;
            let previous = money_in(&previous, &access.venue, currency).rows;
            summary.comparison = Some(Comparison::new(compare, shifted, &current, &previous));
        }
    }
    Ok(Json(summary))
}
