//! `GET /api/dashboards/{venueId}[?eventId]`: the summary in three store round
//! trips (venue metadata, daily totals, the last hour's minutes).

use axum::Json;
use axum::extract::State;
use domain::Granularity;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::ShowQuery;
use crate::access::VenueAccess;
use crate::error::ApiResult;
use crate::extract::ApiQuery;
use crate::openapi::VenueErrors;
use crate::state::AppState;
use crate::summary::{DashboardSummary, SummaryInput, assemble, velocity_window};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(dashboard))
}

/// Totals, rates, funnel and breakdowns of a venue or one of its shows.
#[utoipa::path(get, path = "/api/dashboards/{venueId}", tag = "dashboards", security(("bearer" = [])),
    params(("venueId" = String, Path, description = "Venue id"), ShowQuery),
    responses((status = 200, description = "Success", body = DashboardSummary), VenueErrors))]
#[tracing::instrument(skip_all)]
pub async fn dashboard(
    State(state): State<AppState>,
    access: VenueAccess,
    ApiQuery(q): ApiQuery<ShowQuery>,
) -> ApiResult<Json<DashboardSummary>> {
    let now = state.now();
    let show = q.show();
    let (from, to) = velocity_window(now);
    let (days, minutes) = tokio::try_join!(access.day_rollups(&state, show), async {
        Ok(state
            .reader
            .rollups(access.id(), show, Granularity::Minute, from, to)
            .await?)
    },)?;
    Ok(Json(assemble(SummaryInput {
        venue: &access.venue,
        event_id: show,
        days: &days,
        minutes: &minutes,
        now,
    })))
}
