//! The bodies of the Lambda `main`s: wire adapters from the environment once
//! (failing fast before the first invoke), then hand each invocation to the
//! shared handler — the ingest pipeline, or a scheduled job.

use std::sync::Arc;

use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent};
use domain::EventType;
use domain::ports::RealtimePush;
use jobs::{Mail, Ports};
use lambda_runtime::{Error, LambdaEvent, service_fn};
use serde_json::Value;
use storage::{Aws, DynamoDocuments, DynamoReader, Names, S3Objects, SesMailer, SqsQueueStats};

/// Logging as `lambda_runtime::tracing::init_default_subscriber` sets it up
/// (Lambda's advanced logging controls: `AWS_LAMBDA_LOG_FORMAT=JSON`,
/// `AWS_LAMBDA_LOG_LEVEL`, else `RUST_LOG`, else INFO), with a plain level
/// filter: its `EnvFilter` brings a regex engine (≈ 0.3 MB) into every binary
/// for per-target directives no function uses.
pub fn init_logging() {
    use lambda_runtime::tracing::subscriber::{self, filter::LevelFilter};
    let level = std::env::var("AWS_LAMBDA_LOG_LEVEL")
        .or_else(|_| std::env::var("RUST_LOG"))
        .ok()
        .and_then(|v| v.trim().parse::<LevelFilter>().ok())
        .unwrap_or(LevelFilter::INFO);
    let logs = subscriber::fmt()
        .with_target(false)
        .without_time()
        .with_max_level(level);
    let json = std::env::var("AWS_LAMBDA_LOG_FORMAT").is_ok_and(|f| f.eq_ignore_ascii_case("json"));
    if json {
        logs.json().init();
    } else {
        logs.init();
    }
}

/// Runs the ingest Lambda for `event_type`'s queue. Fails fast, before the
/// first invoke, when the environment is incomplete.
pub fn ingest_main(event_type: EventType) -> Result<(), Error> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?
        .block_on(run(event_type))
}

async fn run(event_type: EventType) -> Result<(), Error> {
    init_logging();
    let names = Names::from_env()?;
    let aws = Aws::from_env().await;
    let push = storage::wire::websocket_push(&aws, &names);
    let pipeline =
        Arc::new(storage::wire::ingest_pipeline(event_type, &aws, &names).with_push(push));
    lambda_runtime::run(service_fn(move |event: LambdaEvent<SqsEvent>| {
        let pipeline = Arc::clone(&pipeline);
        async move {
            Ok::<SqsBatchResponse, Error>(
                pipeline::sqs::handle_event(&pipeline, &event.payload).await,
            )
        }
    }))
    .await
}

/// The jobs' ports on the AWS adapters (the Lambda environment's names, or
/// the local ones: the runner and the CLI build them here too).
pub fn job_ports(aws: &Aws, names: &Names, push: Option<Arc<dyn RealtimePush>>) -> Ports {
    Ports {
        reader: Arc::new(DynamoReader::new(aws.dynamodb.clone(), names.clone())),
        docs: Arc::new(DynamoDocuments::new(
            aws.dynamodb.clone(),
            names.app.clone(),
        )),
        objects: Arc::new(S3Objects::new(aws.s3.clone(), names.reports_bucket.clone())),
        queues: Arc::new(SqsQueueStats::new(aws.sqs.clone(), names.dlq_urls.clone())),
        push,
        mail: names
            .report_sender
            .as_ref()
            .map(|sender| Mail::new(Arc::new(SesMailer::new(aws, sender.clone())))),
    }
}

/// Runs a scheduled-job Lambda: EventBridge Scheduler invokes it with
/// `{"job": NAME}`; `accepted` lists the jobs this function runs. An error
/// fails the invocation, so the schedule's retry policy and DLQ apply.
pub fn job_main(accepted: &'static [&'static str], with_push: bool) -> Result<(), Error> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?
        .block_on(run_jobs(accepted, with_push))
}

async fn run_jobs(accepted: &'static [&'static str], with_push: bool) -> Result<(), Error> {
    init_logging();
    let names = Names::from_env()?;
    let aws = Aws::from_env().await;
    let push = if with_push {
        storage::wire::websocket_push(&aws, &names)
    } else {
        None
    };
    let ports = job_ports(&aws, &names, push);
    let ports = &ports;
    lambda_runtime::run(service_fn(move |event: LambdaEvent<Value>| async move {
        let job = event
            .payload
            .get("job")
            .and_then(Value::as_str)
            .unwrap_or_default();
        if !accepted.contains(&job) {
            return Err(Error::from(format!(
                "unknown job {job:?}; this function runs {}",
                accepted.join(", ")
            )));
        }
        let summary = jobs::run(ports, job, chrono::Utc::now()).await?;
        Ok::<Value, Error>(serde_json::json!({ job: summary }))
    }))
    .await
}
