//! Shared set-up of the integration tests in `tests/tests/*.rs`: one local
//! stack (emulator + the template's resources) per test process. The
//! emulator is the one at `AWS_ENDPOINT_URL` (default `127.0.0.1:4566`);
//! when nothing answers there it is started and left running for the other
//! test processes (`.ci/run` starts and stops it around the whole suite).

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

use domain::EventType;
use pipeline::Message;
use publisher::simulate::Simulation;
use runner::LocalStack;
use storage::{Aws, Names};
use tokio::sync::OnceCell;

pub mod issuer;
pub mod mixed;
pub mod queues;
pub mod scenarios;

static STACK: OnceCell<Arc<LocalStack>> = OnceCell::const_new();

/// The repository root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

pub fn endpoint() -> String {
    std::env::var("AWS_ENDPOINT_URL").unwrap_or_else(|_| runner::emulator::DEFAULT_ENDPOINT.into())
}

/// The provisioned local stack (tables, queues and buckets from `infra/template.yaml`).
pub async fn stack() -> Arc<LocalStack> {
    STACK
        .get_or_init(|| async {
            let endpoint = endpoint();
            let emulator =
                runner::emulator::ensure(&endpoint, &root().join(".venv"), &root().join(".local"))
                    .expect("an emulator at AWS_ENDPOINT_URL (run scripts/setup.sh)");
            // Other test processes share it; `.ci/run` stops it at the end.
            std::mem::forget(emulator);
            let aws = storage::Aws::local_or_env(&endpoint).await;
            Arc::new(
                LocalStack::provision(aws, &root().join("infra/template.yaml"))
                    .await
                    .expect("provisioning the template"),
            )
        })
        .await
        .clone()
}

/// A bench's `--name N` argument, or `default`.
pub fn bench_arg(name: &str, default: usize) -> usize {
    bench_text(name)
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// The value after a bench's `--name` argument, if given.
pub fn bench_text(name: &str) -> Option<String> {
    std::env::args().skip_while(|a| a != name).nth(1)
}

/// The stack's quarantine (rejected messages to S3), as every ingest Lambda has it.
pub fn quarantine(local: &LocalStack) -> Arc<storage::S3Quarantine> {
    Arc::new(storage::S3Quarantine::new(
        local.aws.s3.clone(),
        local.names.quarantine_bucket.clone(),
    ))
}

/// Transactions of at most 20 actions, so a batch spans many chunks.
pub fn small_chunks() -> pipeline::PipelineConfig {
    pipeline::PipelineConfig {
        transaction_budget: 20,
        ..pipeline::PipelineConfig::default()
    }
}

/// A fresh id, so tests sharing the emulator never see each other's data.
pub fn unique(prefix: &str) -> String {
    format!("{prefix}-{}", uuid::Uuid::new_v4().simple())
}

/// Ingests every message of a simulated night through the real pipelines, in
/// batches of `batch` per queue, the venue update first (so the venue has its
/// time zone and shows); panics on any transient failure.
pub async fn ingest_simulation(aws: &Aws, names: &Names, sim: &Simulation, batch: usize) {
    let mut queues: BTreeMap<EventType, Vec<Message>> = BTreeMap::new();
    for (i, e) in sim.events.iter().enumerate() {
        queues.entry(e.event_type).or_default().push(Message {
            id: format!("msg-{i}"),
            body: e.body.clone(),
        });
    }
    let order = std::iter::once(EventType::VenueUpdate).chain(
        EventType::ALL
            .into_iter()
            .filter(|t| *t != EventType::VenueUpdate),
    );
    for t in order {
        let pipeline = storage::wire::ingest_pipeline(t, aws, names);
        for chunk in queues.remove(&t).unwrap_or_default().chunks(batch) {
            let outcome = pipeline.handle(chunk).await;
            assert!(
                outcome.failed.is_empty(),
                "{t}: failed messages {:?}",
                outcome.failed
            );
        }
    }
}

/// `GET path` on the API router with an admin token; panics unless 2xx.
pub async fn get_json(local: &LocalStack, path: &str) -> serde_json::Value {
    let (status, body) = get_status(local, path).await;
    assert!(
        (200..300).contains(&status),
        "GET {path} → {status}: {body}"
    );
    body
}

/// A GET through the whole router with an admin token: status and JSON body
/// (`null` when the body is not JSON).
pub async fn get_status(local: &LocalStack, path: &str) -> (u16, serde_json::Value) {
    use http_body_util::BodyExt;
    use tower::ServiceExt;
    let state =
        runner::wiring::api_state(&local.aws, &local.names, api::hub::RealtimeHub::default())
            .expect("the API state");
    let token = api::auth::issue_token(&state.auth, "tests", &[], true, chrono::Duration::hours(1));
    let req = http::Request::get(path)
        .header("authorization", format!("Bearer {token}"))
        .body(axum::body::Body::empty())
        .expect("a request");
    let resp = api::app(state).oneshot(req).await.expect("a response");
    let status = resp.status().as_u16();
    let bytes = resp.into_body().collect().await.expect("a body").to_bytes();
    (status, serde_json::from_slice(&bytes).unwrap_or_default())
}
