//! The one place that turns Lambda's SQS types into pipeline messages and back.

use aws_lambda_events::event::sqs::{BatchItemFailure, SqsBatchResponse, SqsEvent};

use crate::ingest::{Message, Pipeline};

/// Messages of an SQS event; records without an id or body are impossible from SQS and skipped.
pub fn messages(event: &SqsEvent) -> Vec<Message> {
    event
        .records
        .iter()
        .filter_map(|r| {
            Some(Message {
                id: r.message_id.clone()?,
                body: r.body.clone()?,
            })
        })
        .collect()
}

/// The partial-batch response: only the failed messages are retried.
pub fn batch_response(failed: &[String]) -> SqsBatchResponse {
    let mut response = SqsBatchResponse::default();
    response.batch_item_failures = failed
        .iter()
        .map(|id| {
            let mut f = BatchItemFailure::default();
            f.item_identifier = id.clone();
            f
        })
        .collect();
    response
}

/// The whole ingest handler on Lambda's types: an SQS event in, the partial
/// batch response out. The Lambda mains and the local runner both call this.
pub async fn handle_event(pipeline: &Pipeline, event: &SqsEvent) -> SqsBatchResponse {
    let outcome = pipeline.handle(&messages(event)).await;
    batch_response(&outcome.failed)
}
