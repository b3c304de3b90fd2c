//! The alerts Lambda, invoked by EventBridge Scheduler with `{"job":"alerts"}`
//! (every minute): evaluates each venue's alert rules, stores their states
//! and delivers transitions (history, dashboards over the WebSocket API,
//! webhooks). All logic is in `jobs::alerts`; an error fails the invocation,
//! so the schedule's retry policy and DLQ apply.

use std::sync::Arc;

use jobs::Ports;
use lambda_runtime::{Error, LambdaEvent, service_fn};
use serde_json::{Value, json};
use storage::{Aws, DynamoDocuments, DynamoReader, Names, S3Objects, SqsQueueStats};

fn main() -> Result<(), Error> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?
        .block_on(run())
}

async fn run() -> Result<(), Error> {
    lambda_runtime::tracing::init_default_subscriber();
    let names = Names::from_env()?;
    let aws = Aws::from_env().await;
    let ports = Ports {
        reader: Arc::new(DynamoReader::new(aws.dynamodb.clone(), names.clone())),
        docs: Arc::new(DynamoDocuments::new(
            aws.dynamodb.clone(),
            names.app.clone(),
        )),
        objects: Arc::new(S3Objects::new(aws.s3.clone(), names.reports_bucket.clone())),
        queues: Arc::new(SqsQueueStats::new(aws.sqs.clone(), names.dlq_urls.clone())),
        push: storage::wire::websocket_push(&aws, &names),
    };
    let ports = &ports;
    lambda_runtime::run(service_fn(move |event: LambdaEvent<Value>| async move {
        handle(ports, &event.payload).await
    }))
    .await
}

async fn handle(ports: &Ports, input: &Value) -> Result<Value, Error> {
    match input.get("job").and_then(Value::as_str) {
        Some(jobs::alerts::JOB) => {
            Ok(json!({ "alerts": jobs::alerts::run(ports, chrono::Utc::now()).await? }))
        }
        other => Err(format!(
            "unknown job {other:?}; expected {{\"job\":\"{}\"}}",
            jobs::alerts::JOB
        )
        .into()),
    }
}
