//! `/api/exports`: export jobs (DocumentStore kind `export-job`) with
//! presigned download links for their `objectKeys`.

use axum::Json;
use axum::extract::State;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::access::VenueAccess;
use crate::documents::with_downloads;
use crate::error::{ApiError, ApiResult};
use crate::extract::ApiPath;
use crate::openapi::VenueErrors;
use crate::state::AppState;

pub const KIND: &str = "export-job";

#[derive(Debug, Serialize, ToSchema)]
pub struct ExportList {
    /// Jobs, newest first (ids are time-ordered), each with `downloads: [{key, url}]`.
    pub jobs: Vec<serde_json::Value>,
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_exports))
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
