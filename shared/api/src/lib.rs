//! The HTTP API of Venue Analytics: one axum [`Router`] built by [`app`],
//! run by `lambda_http::run(app(state))` in Lambda, `axum::serve` locally and
//! `app(state).oneshot(request)` in tests.
//!
//! Storage is reached only through the ports of [`domain::ports`]; the AWS
//! adapters live in the `storage` crate, which this crate never depends on.

pub mod access;
pub mod assets;
pub mod audit;
pub mod auth;
pub mod checkins;
pub mod compare;
pub mod documents;
pub mod error;
pub mod extract;
pub mod hub;
pub mod jwks;
mod jwt_crypto;
pub mod model;
pub mod openapi;
pub use domain::pacing;
pub mod routes;
pub mod series;
pub mod sign_in;
pub mod state;
pub mod summary;
pub mod totals;
pub mod validate;

use std::time::Duration;

use axum::Router;
use axum::http::{Method, header};
use tower_http::cors::{Any, CorsLayer};
use tower_http::trace::TraceLayer;

pub use auth::{AuthConfig, Claims, Role, issue_token, issue_token_as};
pub use error::ApiError;
pub use hub::RealtimeHub;
pub use state::AppState;

/// The whole API and dashboard page.
pub fn app(state: AppState) -> Router {
    let (router, _doc) = routes::api_router().split_for_parts();
    let router = router
        .fallback(routes::not_found)
        .method_not_allowed_fallback(routes::method_not_allowed);
    let shared = router.clone().route_layer(axum::middleware::from_fn(
        routes::share_links::only_share_links,
    ));
    Router::new()
        .nest(routes::share_links::PATH_PREFIX, shared)
        .merge(router)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            audit::record,
        ))
        .layer(cors())
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

/// Any origin may `GET` with an `Authorization` header (tokens, not cookies).
fn cors() -> CorsLayer {
    CorsLayer::new()
        .allow_origin(Any)
        .allow_methods([Method::GET, Method::HEAD])
        .allow_headers([header::AUTHORIZATION, header::CONTENT_TYPE])
        .max_age(Duration::from_secs(600))
}
