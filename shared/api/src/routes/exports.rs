//! `/api/exports`: export jobs (DocumentStore kind `export-job`) with
//! presigned download links for their `objectKeys`. `POST` renders a small
//! range at once (201, `succeeded`, with `downloads`); a larger one is stored
//! `pending` (202) for the scheduled export pass; poll `GET .../{jobId}`.

use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::access::VenueAccess;
use crate::documents::with_downloads;
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiPath};
use crate::openapi::VenueErrors;
use crate::routes::reports::{job_error, job_ports};
use crate::state::AppState;

pub const KIND: &str = "export-job";

#[derive(Debug, Serialize, ToSchema)]
pub struct ExportList {
    /// Jobs, newest first (ids are time-ordered), each with `downloads: [{key, url}]`.
    pub jobs: Vec<serde_json::Value>,
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_exports, create_export))
        .routes(routes!(get_export))
}

/// The venue's export jobs.
#[utoipa::path(get, path = "/api/exports/{venueId}", tag = "exports", security(("bearer" = [])),
    params(("venueId" = String, Path, description = "Venue id")),
    responses((status = 200, description = "Success", body = ExportList), VenueErrors))]
#[tracing::instrument(skip_all)]
pub async fn list_exports(
    State(state): State<AppState>,
    access: VenueAccess,
) -> ApiResult<Json<ExportList>> {
    let mut jobs = Vec::new();
    for job in state.docs.list(KIND, access.id()).await?.into_iter().rev() {
        jobs.push(with_downloads(&state, job).await?);
    }
    Ok(Json(ExportList { jobs }))
}

/// What to export: `{"from", "to", "granularity": "1h"|"1d", "format": "csv"|"xlsx", "eventId"?}`.
#[derive(Debug, Clone, serde::Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ExportInput {
    pub from: chrono::DateTime<chrono::Utc>,
    pub to: chrono::DateTime<chrono::Utc>,
    /// `1h` (default) or `1d`.
    pub granularity: Option<String>,
    /// `csv` (default) or `xlsx`.
    pub format: Option<String>,
    pub event_id: Option<String>,
}

/// Creates an export job: rendered at once when it spans at most
/// 2,000 rows (201), else queued for the scheduled pass (202).
#[utoipa::path(post, path = "/api/exports/{venueId}", tag = "exports", security(("bearer" = [])),
    params(("venueId" = String, Path, description = "Venue id")),
    request_body = ExportInput,
    responses((status = 201, description = "Rendered: the job with `downloads`", body = serde_json::Value),
        (status = 202, description = "Queued: the pending job; poll its `Location`", body = serde_json::Value), VenueErrors))]
#[tracing::instrument(skip_all)]
pub async fn create_export(
    State(state): State<AppState>,
    access: VenueAccess,
    ApiJson(input): ApiJson<ExportInput>,
) -> ApiResult<Response> {
    let now = state.now();
    let request = jobs::exports::ExportRequest {
        from: input.from,
        to: input.to,
        granularity: input.granularity,
        format: input.format,
        event_id: input.event_id,
    };
    let job = jobs::exports::ExportJob::new(access.id(), request, &access.claims.sub, now)
        .map_err(job_error)?;
    let status = if job.is_inline() {
        StatusCode::CREATED
    } else {
        StatusCode::ACCEPTED
    };
    let job = jobs::exports::submit(&job_ports(&state), job, now)
        .await
        .map_err(job_error)?;
    let location = format!("/api/exports/{}/{}", access.id(), job.job_id);
    let doc = with_downloads(&state, job.to_doc().map_err(job_error)?).await?;
    Ok((status, [(header::LOCATION, location)], Json(doc)).into_response())
}

/// One export job.
#[utoipa::path(get, path = "/api/exports/{venueId}/{jobId}", tag = "exports", security(("bearer" = [])),
    params(("venueId" = String, Path, description = "Venue id"), ("jobId" = String, Path, description = "Export job id")),
    responses((status = 200, description = "The job document with `downloads`", body = serde_json::Value), VenueErrors))]
#[tracing::instrument(skip_all)]
pub async fn get_export(
    State(state): State<AppState>,
    access: VenueAccess,
    ApiPath((_, id)): ApiPath<(String, String)>,
) -> ApiResult<Json<serde_json::Value>> {
    let job = state
        .docs
        .get(KIND, access.id(), &id)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("no export job {id:?}")))?;
    Ok(Json(with_downloads(&state, job).await?))
}
