//! `/api/widgets`: a venue's dashboard widgets (DocumentStore kind `widget`).

use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use domain::{Dimension, Granularity};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::access::VenueAccess;
use crate::documents;
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiPath};
use crate::openapi::VenueErrors;
use crate::series::SeriesMetric;
use crate::state::AppState;

pub const KIND: &str = "widget";
pub const KINDS: [&str; 4] = ["kpi", "timeseries", "breakdown", "funnel"];
pub const MAX_TITLE_CHARS: usize = 100;

/// Grid placement: `x`, `y` ≥ 0; `w`, `h` ≥ 1.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Position {
    pub x: i64,
    pub y: i64,
    pub w: i64,
    pub h: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct WidgetInput {
    /// 1–100 characters.
    pub title: String,
    /// kpi, timeseries, breakdown or funnel.
    pub kind: String,
    /// A metric name as in `/api/metrics`; required except for funnels.
    pub metric: Option<String>,
    /// 1m, 5m, 1h or 1d (default 1h).
    pub granularity: Option<String>,
    /// For breakdowns: tier, channel, entryPoint or campaign.
    pub dimension: Option<String>,
    /// Narrow to one show.
    pub event_id: Option<String>,
    pub position: Position,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Widget {
    pub widget_id: String,
    pub title: String,
    pub kind: String,
    pub metric: Option<String>,
    pub granularity: String,
    pub dimension: Option<String>,
    pub event_id: Option<String>,
    pub position: Position,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct WidgetList {
    pub widgets: Vec<Widget>,
}

/// Checks the input; returns the widget it describes.
pub fn validate(
    input: WidgetInput,
    widget_id: String,
    created_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> ApiResult<Widget> {
    let bad = |m: String| Err(ApiError::BadRequest(m));
    let title = input.title.trim().to_owned();
    if title.is_empty() || title.chars().count() > MAX_TITLE_CHARS {
        return bad(format!("`title` must be 1–{MAX_TITLE_CHARS} characters"));
    }
    if !KINDS.contains(&input.kind.as_str()) {
        return bad(format!("`kind` must be one of {}", KINDS.join(", ")));
    }
    match &input.metric {
        Some(m) => {
            m.parse::<SeriesMetric>().map_err(ApiError::BadRequest)?;
        }
        None if input.kind != "funnel" => {
            return bad(format!("`metric` is required for a {} widget", input.kind));
        }
        None => {}
    }
    let granularity: Granularity = input
        .granularity
        .as_deref()
        .unwrap_or("1h")
        .parse()
        .map_err(ApiError::BadRequest)?;
    if let Some(d) = &input.dimension {
        d.parse::<Dimension>().map_err(ApiError::BadRequest)?;
    }
    let p = &input.position;
    if p.x < 0 || p.y < 0 || p.w < 1 || p.h < 1 {
        return bad("`position` needs x, y ≥ 0 and w, h ≥ 1".into());
    }
    Ok(Widget {
        widget_id,
        title,
        kind: input.kind,
        metric: input.metric,
        granularity: granularity.as_str().to_owned(),
        dimension: input.dimension,
        event_id: input.event_id.filter(|e| !e.is_empty()),
        position: input.position,
        created_at,
        updated_at: now,
    })
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_widgets, create_widget))
        .routes(routes!(update_widget, delete_widget))
}

/// The venue's widgets in reading order (top to bottom, left to right).
#[utoipa::path(get, path = "/api/widgets/{venueId}", tag = "widgets", security(("bearer" = [])),
    params(("venueId" = String, Path, description = "Venue id")),
    responses((status = 200, description = "Success", body = WidgetList), VenueErrors))]
#[tracing::instrument(skip_all)]
pub async fn list_widgets(
    State(state): State<AppState>,
    access: VenueAccess,
) -> ApiResult<Json<WidgetList>> {
    let mut widgets: Vec<Widget> = documents::list(&state, KIND, access.id()).await?;
    widgets.sort_by_key(|w| (w.position.y, w.position.x, w.created_at));
    Ok(Json(WidgetList { widgets }))
}

/// Creates a widget; answers 201 with its `Location`.
#[utoipa::path(post, path = "/api/widgets/{venueId}", tag = "widgets", security(("bearer" = [])),
    params(("venueId" = String, Path, description = "Venue id")),
    request_body = WidgetInput,
    responses((status = 201, description = "Created", body = Widget, headers(("Location" = String, description = "URL of the widget"))), VenueErrors))]
#[tracing::instrument(skip_all)]
pub async fn create_widget(
    State(state): State<AppState>,
    access: VenueAccess,
    ApiJson(input): ApiJson<WidgetInput>,
) -> ApiResult<Response> {
    let now = state.now();
    let widget = validate(input, uuid::Uuid::new_v4().to_string(), now, now)?;
    documents::put(&state, KIND, access.id(), &widget.widget_id, &widget).await?;
    let location = format!("/api/widgets/{}/{}", access.id(), widget.widget_id);
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, location)],
        Json(widget),
    )
        .into_response())
}

/// Replaces a widget.
#[utoipa::path(put, path = "/api/widgets/{venueId}/{widgetId}", tag = "widgets", security(("bearer" = [])),
    params(("venueId" = String, Path, description = "Venue id"), ("widgetId" = String, Path, description = "Widget id")),
    request_body = WidgetInput,
    responses((status = 200, description = "Success", body = Widget), VenueErrors))]
#[tracing::instrument(skip_all)]
pub async fn update_widget(
    State(state): State<AppState>,
    access: VenueAccess,
    ApiPath((_, widget_id)): ApiPath<(String, String)>,
    ApiJson(input): ApiJson<WidgetInput>,
) -> ApiResult<Json<Widget>> {
    let existing: Widget = documents::get(&state, KIND, access.id(), &widget_id)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("no widget {widget_id:?}")))?;
    let widget = validate(input, widget_id, existing.created_at, state.now())?;
    documents::put(&state, KIND, access.id(), &widget.widget_id, &widget).await?;
    Ok(Json(widget))
}

/// Deletes a widget.
#[utoipa::path(delete, path = "/api/widgets/{venueId}/{widgetId}", tag = "widgets", security(("bearer" = [])),
    params(("venueId" = String, Path, description = "Venue id"), ("widgetId" = String, Path, description = "Widget id")),
    responses((status = 204, description = "Deleted"), VenueErrors))]
#[tracing::instrument(skip_all)]
pub async fn delete_widget(
    State(state): State<AppState>,
    access: VenueAccess,
    ApiPath((_, widget_id)): ApiPath<(String, String)>,
) -> ApiResult<StatusCode> {
    documents::delete(&state, KIND, access.id(), &widget_id, "widget").await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::summary::tests::at;

    fn input() -> WidgetInput {
        WidgetInput {
            title: "Revenue".into(),
            kind: "timeseries".into(),
            metric: Some("revenue".into()),
            granularity: None,
            dimension: None,
            event_id: None,
            position: Position {
                x: 0,
                y: 0,
                w: 4,
                h: 2,
            },
        }
    }

    fn check(mutate: impl FnOnce(&mut WidgetInput), ok: bool) {
        let mut i = input();
        mutate(&mut i);
        let t = at("2026-01-01T00:00:00Z");
        assert_eq!(validate(i.clone(), "w1".into(), t, t).is_ok(), ok, "{i:?}");
    }

    #[test]
    fn widgets_are_validated() {
        check(|_| {}, true);
        check(|i| i.kind = "pie".into(), false);
        check(|i| i.metric = Some("bogus".into()), false);
        check(|i| i.metric = None, false);
        check(|i| (i.kind, i.metric) = ("funnel".into(), None), true);
        check(|i| i.granularity = Some("2h".into()), false);
        check(|i| i.title = "x".repeat(101), false);
        check(|i| i.title = "é".repeat(100), true);
        check(|i| i.title = "  ".into(), false);
        check(|i| i.position.x = -1, false);
        check(|i| i.position.w = 0, false);
        check(|i| i.dimension = Some("color".into()), false);
        let t = at("2026-01-01T00:00:00Z");
        assert_eq!(
            validate(input(), "w1".into(), t, t).unwrap().granularity,
            "1h"
        );
    }
}
