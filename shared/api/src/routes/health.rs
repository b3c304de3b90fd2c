//! `GET /health`: liveness plus a quick check of each dependency (no auth).

use std::collections::BTreeMap;
use std::future::Future;
use std::time::Duration;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use domain::EventType;
use domain::ports::StoreResult;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::state::AppState;

/// Each dependency check gives up after this long.
const CHECK_TIMEOUT: Duration = Duration::from_secs(2);

#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    /// `ok`, or `degraded` when a dependency check failed.
    pub status: String,
    pub version: String,
    /// `dynamodb`, `s3`, `sqs` → `ok` | `error` | `timeout`.
    pub dependencies: BTreeMap<String, String>,
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(health))
}

async fn check<T>(name: &str, f: impl Future<Output = StoreResult<T>>) -> String {
    match tokio::time::timeout(CHECK_TIMEOUT, f).await {
        Ok(Ok(_)) => "ok".into(),
        Ok(Err(e)) => {
            tracing::warn!(dependency = name, error = %e, "health check failed");
            "error".into()
        }
        Err(_) => {
            tracing::warn!(dependency = name, "health check timed out");
            "timeout".into()
        }
    }
}

/// Liveness and dependency status; 503 when degraded.
#[utoipa::path(get, path = "/health", tag = "health",
    responses((status = 200, description = "All dependencies answer", body = Health),
              (status = 503, description = "A dependency failed", body = Health)))]
#[tracing::instrument(skip_all)]
pub async fn health(State(state): State<AppState>) -> (StatusCode, Json<Health>) {
    let dynamo = async {
        // Constant work: one key of each table, never a scan (the route has no auth).
        let (venues, docs) = tokio::join!(
            state.reader.venue("__health__"),
            state.docs.list("widget", "__health__")
        );
        venues.and(docs)
    };
    let (dynamodb, s3, sqs) = tokio::join!(
        check("dynamodb", dynamo),
        check("s3", state.objects.list_keys("__health__/")),
        check("sqs", state.queues.dlq_depth(EventType::TicketPurchase)),
    );
    let dependencies: BTreeMap<String, String> = [("dynamodb", dynamodb), ("s3", s3), ("sqs", sqs)]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect();
    let ok = dependencies.values().all(|v| v == "ok");
    let body = Health {
        status: if ok { "ok" } else { "degraded" }.into(),
        version: env!("CARGO_PKG_VERSION").into(),
        dependencies,
    };
    (
        if ok {
            StatusCode::OK
        } else {
            StatusCode::SERVICE_UNAVAILABLE
        },
        Json(body),
    )
}
