//! The dashboard page (`GET /`, `GET /assets/{file}`) and `GET /api/openapi.json`.

use axum::Json;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::assets;
use crate::error::{ApiError, ErrorBody};
use crate::extract::ApiPath;
use crate::sign_in::SignIn;
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(index))
        .routes(routes!(asset))
        .routes(routes!(openapi_json))
        .routes(routes!(sign_in))
}

fn file(name: &str, cache_control: &'static str) -> Result<Response, ApiError> {
    let bytes =
        assets::get(name).ok_or_else(|| ApiError::NotFound(format!("no asset {name:?}")))?;
    Ok((
        [
            (header::CONTENT_TYPE, assets::content_type(name)),
            (header::CACHE_CONTROL, cache_control),
        ],
        bytes,
    )
        .into_response())
}

/// The dashboard page.
#[utoipa::path(get, path = "/", tag = "page",
    responses((status = 200, description = "The dashboard page", content_type = "text/html")))]
#[tracing::instrument(skip_all)]
pub async fn index() -> Result<Response, ApiError> {
    // Always revalidated, so a deploy shows at once.
    file("index.html", "no-cache")
}

/// A static file of the dashboard page.
#[utoipa::path(get, path = "/assets/{file}", tag = "page",
    params(("file" = String, Path, description = "File name, e.g. app.js")),
    responses((status = 200, description = "The file, with its content type"),
              (status = 404, description = "No such file", body = ErrorBody)))]
#[tracing::instrument(skip_all)]
pub async fn asset(ApiPath(name): ApiPath<String>) -> Result<Response, ApiError> {
    // Names are not content-hashed: cache briefly, then revalidate.
    file(&name, "public, max-age=300, must-revalidate")
}

/// This document.
#[utoipa::path(get, path = "/api/openapi.json", tag = "page",
    responses((status = 200, description = "The OpenAPI 3.1 document", content_type = "application/json")))]
#[tracing::instrument(skip_all)]
pub async fn openapi_json() -> Json<&'static utoipa::openapi::OpenApi> {
    Json(crate::openapi::document())
}

/// How the page signs people in: the identity provider's hosted sign-in
/// (authorization code + PKCE) on AWS, a pasted token locally. Public: it
/// names endpoints and a public client id, no secret.
#[utoipa::path(get, path = "/api/sign-in", tag = "page",
    responses((status = 200, description = "The sign-in method", body = SignIn)))]
#[tracing::instrument(skip_all)]
pub async fn sign_in(State(state): State<AppState>) -> Response {
    (
        [(header::CACHE_CONTROL, "no-cache")],
        Json(state.sign_in.clone()),
    )
        .into_response()
}
