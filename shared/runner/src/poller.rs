//! The local event source mapping: long-polls a queue, hands the handler a
//! real `SqsEvent`, deletes what succeeded and makes the reported failures
//! visible again soon (SQS's redrive policy moves them to the DLQ after
//! `maxReceiveCount` receives).

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use aws_lambda_events::event::sqs::{SqsEvent, SqsMessage};
use aws_sdk_sqs::types::{DeleteMessageBatchRequestEntry, MessageSystemAttributeName};
use pipeline::Pipeline;
use tokio::sync::watch;

/// Where a poller reads and how it batches.
#[derive(Debug, Clone)]
pub struct PollerConfig {
    pub queue_url: String,
    pub queue_arn: String,
    pub batch_size: u32,
    pub region: String,
}

/// SQS returns at most 10 messages per receive.
const MAX_RECEIVE: i32 = 10;

/// Polls until `shutdown` turns true.
pub async fn run(
    sqs: aws_sdk_sqs::Client,
    config: PollerConfig,
    pipeline: Arc<Pipeline>,
    shutdown: watch::Receiver<bool>,
) {
    loop {
        if *shutdown.borrow() {
            return;
        }
        // Never dropped mid-flight: an abandoned long poll still takes
        // messages on the queue's side, and they would stay invisible for the
        // visibility timeout. A receive waits at most 2 s, so stopping does too;
        // a batch received while stopping is still handled, as Lambda would.
        let batch = receive_batch(&sqs, &config).await;
        let records = match batch {
            Ok(r) => r,
            Err(e) => {
                tracing::warn!(queue = config.queue_url, error = %e, "receive failed; backing off");
                tokio::time::sleep(Duration::from_secs(2)).await;
                continue;
            }
        };
        if records.is_empty() {
            continue;
        }
        let mut event = SqsEvent::default();
        event.records = records;
        let response = pipeline::sqs::handle_event(&pipeline, &event).await;
        let failed: HashSet<String> = response
            .batch_item_failures
            .iter()
            .map(|f| f.item_identifier.clone())
            .collect();
        settle(&sqs, &config.queue_url, &event.records, &failed).await;
    }
}

async fn receive_batch(
    sqs: &aws_sdk_sqs::Client,
    config: &PollerConfig,
) -> Result<Vec<SqsMessage>, aws_sdk_sqs::Error> {
    let mut records = Vec::new();
    let mut wait = 2;
    while records.len() < config.batch_size as usize {
        let want = MAX_RECEIVE
            .min(i32::try_from(config.batch_size as usize - records.len()).unwrap_or(MAX_RECEIVE));
        let out = sqs
            .receive_message()
            .queue_url(&config.queue_url)
            .max_number_of_messages(want)
            .wait_time_seconds(wait)
            .message_system_attribute_names(MessageSystemAttributeName::All)
            .send()
            .await?;
        let got = out.messages();
        if got.is_empty() {
            break;
        }
        records.extend(got.iter().map(|m| to_record(m, config)));
        wait = 0;
    }
    Ok(records)
}

fn to_record(m: &aws_sdk_sqs::types::Message, config: &PollerConfig) -> SqsMessage {
    let mut r = SqsMessage::default();
    r.message_id = m.message_id().map(str::to_owned);
    r.receipt_handle = m.receipt_handle().map(str::to_owned);
    r.body = m.body().map(str::to_owned);
    r.md5_of_body = m.md5_of_body().map(str::to_owned);
    r.attributes = m
        .attributes()
        .map(|a| {
            a.iter()
                .map(|(k, v)| (k.as_str().to_owned(), v.clone()))
                .collect()
        })
        .unwrap_or_default();
    r.event_source = Some("aws:sqs".into());
    r.event_source_arn = Some(config.queue_arn.clone());
    r.aws_region = Some(config.region.clone());
    r
}

async fn settle(
    sqs: &aws_sdk_sqs::Client,
    queue_url: &str,
    records: &[SqsMessage],
    failed: &HashSet<String>,
) {
    let mut done = Vec::new();
    for r in records {
        let (Some(id), Some(handle)) = (&r.message_id, &r.receipt_handle) else {
            continue;
        };
        if failed.contains(id) {
            let receives: i32 = r
                .attributes
                .get("ApproximateReceiveCount")
                .and_then(|c| c.parse().ok())
                .unwrap_or(1);
            // Retry soon, with backoff, instead of waiting out the visibility timeout.
            let delay = 2_i32.saturating_pow(receives.clamp(0, 5) as u32).min(30);
            let _ = sqs
                .change_message_visibility()
                .queue_url(queue_url)
                .receipt_handle(handle)
                .visibility_timeout(delay)
                .send()
                .await;
        } else if let Ok(entry) = DeleteMessageBatchRequestEntry::builder()
            .id(format!("m{}", done.len()))
            .receipt_handle(handle)
            .build()
        {
            done.push(entry);
        }
    }
    for chunk in done.chunks(10) {
        if let Err(e) = sqs
            .delete_message_batch()
            .queue_url(queue_url)
            .set_entries(Some(chunk.to_vec()))
            .send()
            .await
        {
            tracing::warn!(error = %aws_sdk_sqs::error::DisplayErrorContext(&e), "delete failed; the messages will be redelivered and found duplicates");
        }
    }
}
