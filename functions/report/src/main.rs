//! The report Lambda, invoked by EventBridge Scheduler with `{"job":"reports"}`
//! (render the report periods that are due) or `{"job":"exports"}` (render
//! pending export jobs). All logic is in `jobs`; an error fails the
//! invocation, so the schedule's retry policy and DLQ apply.

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
        push: None,
    };
    let ports = &ports;
    lambda_runtime::run(service_fn(move |event: LambdaEvent<Value>| async move {
        handle(ports, &event.payload).await
    }))
    .await
}

async fn handle(ports: &Ports, input: &Value) -> Result<Value, Error> {
    let now = chrono::Utc::now();
    match input.get("job").and_then(Value::as_str) {
        Some("reports") => Ok(json!({ "reports": jobs::reports::run_due(ports, now).await? })),
        Some("exports") => Ok(json!({ "exports": jobs::exports::run_pending(ports, now).await? })),
        other => Err(format!(
            "unknown job {other:?}; expected {{\"job\":\"reports\"}} or {{\"job\":\"exports\"}}"
        )
        .into()),
    }
}
