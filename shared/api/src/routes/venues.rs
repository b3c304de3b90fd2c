//! `GET /api/venues`: the venues a token may read (admin: all known venues).

use axum::Json;
use axum::extract::State;
use futures::future::try_join_all;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::Claims;
use crate::error::ApiResult;
use crate::model::VenueView;
use crate::openapi::AdminErrors;
use crate::state::AppState;

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct VenueList {
    pub venues: Vec<VenueView>,
    /// Where to open live updates (`?venue={venueId}&token={JWT}`), when they
    /// are not at `/api/realtime/{venueId}/ws` on this host.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub websocket_url: Option<String>,
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list_venues))
}

/// Venues granted by the token that have metadata (from `venue-update` events), by id.
#[utoipa::path(get, path = "/api/venues", tag = "venues", security(("bearer" = [])),
    responses((status = 200, description = "Success", body = VenueList), AdminErrors))]
#[tracing::instrument(skip_all)]
pub async fn list_venues(
    State(state): State<AppState>,
    claims: Claims,
) -> ApiResult<Json<VenueList>> {
    let records = if claims.is_admin() {
        state.reader.venues().await?
    } else {
        let lookups = claims.venues.iter().map(|v| state.reader.venue(v));
        try_join_all(lookups).await?.into_iter().flatten().collect()
    };
    let mut venues: Vec<VenueView> = records.iter().map(VenueView::from).collect();
    // A show's share link sees its show only.
    if let Some(show) = &claims.show_scope {
        for v in &mut venues {
            v.shows.retain(|s| &s.event_id == show);
        }
    }
    venues.sort_by(|a, b| a.venue_id.cmp(&b.venue_id));
    Ok(Json(VenueList {
        venues,
        websocket_url: state.websocket_url.clone(),
    }))
}
