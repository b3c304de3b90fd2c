//! The body of every ingest Lambda's `main`: wire adapters from the
//! environment once, then hand each SQS batch to the shared pipeline.

use std::sync::Arc;

use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent};
use domain::EventType;
use lambda_runtime::{Error, LambdaEvent, service_fn};
use storage::{Aws, Names};

/// Runs the ingest Lambda for `event_type`'s queue. Fails fast, before the
/// first invoke, when the environment is incomplete.
pub fn main(event_type: EventType) -> Result<(), Error> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?
        .block_on(run(event_type))
}

async fn run(event_type: EventType) -> Result<(), Error> {
    lambda_runtime::tracing::init_default_subscriber();
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
