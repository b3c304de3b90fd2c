//! Each ingest Lambda binary, booted as a process under a minimal Lambda
//! Runtime API emulator, takes a sample SQS event from `events/sqs/`, writes
//! it through the real adapters to the emulator, and answers a partial batch
//! response. Also reports process-start-to-first-invoke time.
//!
//! The binaries come from `cargo build --bins` (`.ci/run` builds them first).

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue};
use axum::routing::{get, post};
use tests::{stack, unique};

#[derive(Default)]
struct Invocation {
    first_next_at: Option<Instant>,
    served: bool,
    response: Option<serde_json::Value>,
    error: Option<String>,
}

type Shared = Arc<Mutex<(String, Invocation)>>;

async fn next(State(s): State<Shared>) -> (HeaderMap, String) {
    let (event, body) = {
        let mut g = s.lock().unwrap();
        g.1.first_next_at.get_or_insert_with(Instant::now);
        let first = !g.1.served;
        g.1.served = true;
        (g.0.clone(), first)
    };
    if !body {
        // One invocation per test: park further polls.
        tokio::time::sleep(Duration::from_secs(3600)).await;
    }
    let mut h = HeaderMap::new();
    h.insert(
        "lambda-runtime-aws-request-id",
        HeaderValue::from_static("req-1"),
    );
    h.insert(
        "lambda-runtime-deadline-ms",
        HeaderValue::from_str(&(chrono::Utc::now().timestamp_millis() + 30_000).to_string())
            .unwrap(),
    );
    h.insert(
        "lambda-runtime-invoked-function-arn",
        HeaderValue::from_static("arn:aws:lambda:us-east-1:123456789012:function:ingest"),
    );
    h.insert(
        "lambda-runtime-trace-id",
        HeaderValue::from_static("Root=1-00000000-000000000000000000000000"),
    );
    (h, event)
}

async fn response(State(s): State<Shared>, Path(_id): Path<String>, body: String) -> &'static str {
    s.lock().unwrap().1.response = serde_json::from_str(&body).ok();
    "{}"
}

async fn error(State(s): State<Shared>, Path(_id): Path<String>, body: String) -> &'static str {
    s.lock().unwrap().1.error = Some(body);
    "{}"
}

async fn init_error(State(s): State<Shared>, body: String) -> &'static str {
    s.lock().unwrap().1.error = Some(format!("init error: {body}"));
    "{}"
}

fn binary(name: &str) -> PathBuf {
    let target = std::env::var("CARGO_TARGET_DIR")
        .map_or_else(|_| tests::root().join("target"), PathBuf::from);
    let profile = std::env::var("LAMBDA_PROFILE").unwrap_or_else(|_| "debug".into());
    target.join(profile).join(name)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_ingest_binary_answers_a_sample_event_under_the_runtime_api() {
    let local = stack().await;
    let mut timings = BTreeMap::new();
    for t in domain::EventType::ALL {
        let bin = binary(&format!("ingest-{t}"));
        assert!(
            bin.exists(),
            "{} is missing: run `cargo build --bins` first",
            bin.display()
        );
        // A fresh event id and venue, so the sample is new to the shared emulator.
        let venue = unique("venue");
        let sample =
            std::fs::read_to_string(tests::root().join(format!("events/sqs/{t}.json"))).unwrap();
        let mut event: serde_json::Value = serde_json::from_str(&sample).unwrap();
        for record in event["Records"].as_array_mut().unwrap() {
            let body = record["body"]
                .as_str()
                .unwrap()
                .replace("venue-riverside", &venue);
            let mut ce: serde_json::Value = serde_json::from_str(&body).unwrap();
            ce["id"] = unique("evt").into();
            record["body"] = ce.to_string().into();
        }
        let shared: Shared = Arc::new(Mutex::new((event.to_string(), Invocation::default())));
        let app = Router::new()
            .route("/2018-06-01/runtime/invocation/next", get(next))
            .route(
                "/2018-06-01/runtime/invocation/{id}/response",
                post(response),
            )
            .route("/2018-06-01/runtime/invocation/{id}/error", post(error))
            .route("/2018-06-01/runtime/init/error", post(init_error))
            .with_state(Arc::clone(&shared));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let server = tokio::spawn(async move { axum::serve(listener, app).await });

        let started = Instant::now();
        let mut child = tokio::process::Command::new(&bin)
            .envs(&local.env)
            .env("EVENT_TYPE", t.as_str())
            .env("AWS_LAMBDA_RUNTIME_API", addr.to_string())
            .env("AWS_LAMBDA_FUNCTION_NAME", format!("ingest-{t}"))
            .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128")
            .env("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
            .env("AWS_LAMBDA_LOG_GROUP_NAME", "/aws/lambda/ingest")
            .env("AWS_LAMBDA_LOG_STREAM_NAME", "local")
            .env("AWS_ENDPOINT_URL", tests::endpoint())
            .env("AWS_ACCESS_KEY_ID", "test")
            .env("AWS_SECRET_ACCESS_KEY", "test")
            .env("AWS_REGION", "us-east-1")
            .env_remove("TIMESTREAM_DATABASE")
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .kill_on_drop(true)
            .spawn()
            .unwrap();
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            {
                let g = shared.lock().unwrap();
                if g.1.response.is_some() || g.1.error.is_some() {
                    break;
                }
            }
            assert!(
                Instant::now() < deadline,
                "ingest-{t} did not answer within 30 s"
            );
            if let Some(status) = child.try_wait().unwrap() {
                panic!("ingest-{t} exited early with {status}");
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        child.kill().await.ok();
        server.abort();
        let g = shared.lock().unwrap();
        assert!(
            g.1.error.is_none(),
            "ingest-{t} reported an error: {:?}",
            g.1.error
        );
        let resp = g.1.response.clone().unwrap();
        assert_eq!(
            resp["batchItemFailures"],
            serde_json::json!([]),
            "ingest-{t}: {resp}"
        );
        let first = g.1.first_next_at.unwrap();
        timings.insert(t.to_string(), first.duration_since(started));
    }
    for (t, d) in &timings {
        println!(
            "process start → first invoke, ingest-{t}: {:.1} ms",
            d.as_secs_f64() * 1000.0
        );
    }
}
