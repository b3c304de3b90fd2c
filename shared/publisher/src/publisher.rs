//! The SQS adapter: sends planned batches with `SendMessageBatch`.

use aws_sdk_sqs::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use aws_sdk_sqs::operation::send_message_batch::SendMessageBatchError;
use aws_sdk_sqs::types::SendMessageBatchRequestEntry;
use domain::CloudEvent;
use futures::StreamExt;
use serde::Serialize;
use tracing::{Instrument, debug, error, info_span, instrument};

use crate::batch::{Batch, Pending, plan_batches};
use crate::error::PublishError;
use crate::outgoing::OutgoingEvent;
use crate::queues::QueueUrls;
use crate::retry::{CallFailure, CallResult, EntryFailure, RetryPolicy, send_with_retry};

/// Publishes CloudEvents to the per-type queues.
#[derive(Debug, Clone)]
pub struct Publisher {
    sqs: aws_sdk_sqs::Client,
    queues: QueueUrls,
    retry: RetryPolicy,
    concurrency: usize,
}

/// What a batch publish did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BatchReport {
    /// Messages SQS accepted.
    pub sent: usize,
    /// Messages SQS did not accept after all attempts, in input order.
    pub failed: Vec<FailedEntry>,
    /// `SendMessageBatch` calls made, retries included.
    pub calls: u32,
    /// Entry re-sends after a retryable failure.
    pub retried: usize,
}

impl BatchReport {
    pub fn is_complete(&self) -> bool {
        self.failed.is_empty()
    }
}

/// A message that was not sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FailedEntry {
    /// Position in the input `Vec`.
    pub index: usize,
    /// The CloudEvent id (for raw sends: `raw-{index}`).
    pub id: String,
    pub queue_url: String,
    /// SQS error code, e.g. `InvalidMessageContents`, `RequestThrottled`.
    pub code: String,
    pub message: String,
    /// `true`: the message itself is wrong, retrying cannot help.
    pub sender_fault: bool,
    pub attempts: u32,
}

impl Publisher {
    pub fn new(sqs: aws_sdk_sqs::Client, queues: QueueUrls) -> Self {
        Publisher {
            sqs,
            queues,
            retry: RetryPolicy::default(),
            concurrency: 4,
        }
    }

    /// Replaces the retry policy (default: 5 attempts, 100 ms doubling to 5 s).
    #[must_use]
    pub fn with_retry(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    /// Calls in flight at once (default 4). `1` keeps the input order across calls.
    #[must_use]
    pub fn with_concurrency(mut self, concurrency: usize) -> Self {
        self.concurrency = concurrency.max(1);
        self
    }

    pub fn queues(&self) -> &QueueUrls {
        &self.queues
    }

    /// Publishes one event to its type's queue, retrying transient failures.
    pub async fn publish<D: Serialize>(&self, event: &CloudEvent<D>) -> Result<(), PublishError> {
        let report = self
            .publish_batch(vec![OutgoingEvent::from_cloud_event(event)?])
            .await?;
        match report.failed.into_iter().next() {
            None => Ok(()),
            Some(f) => Err(PublishError::NotAccepted {
                id: f.id,
                code: f.code,
                message: f.message,
                attempts: f.attempts,
            }),
        }
    }

    /// Publishes events to their types' queues in as few calls as the limits
    /// allow. Entries SQS does not accept after all retries are in
    /// [`BatchReport::failed`]; an error means nothing was sent.
    #[instrument(skip_all, fields(events = events.len()))]
    pub async fn publish_batch(
        &self,
        events: Vec<OutgoingEvent>,
    ) -> Result<BatchReport, PublishError> {
        let pending = events
            .iter()
            .map(|e| {
                Ok(Pending {
                    queue_url: self.queues.require(e.event_type)?,
                    body: &e.body,
                    id: &e.id,
                })
            })
            .collect::<Result<Vec<_>, PublishError>>()?;
        self.send_planned(&pending).await
    }

    /// Sends `bodies` verbatim to `queue_url` (same batching and retries): for
    /// testing the quarantine path with messages the contract rejects.
    #[instrument(skip_all, fields(queue_url = %queue_url, messages = bodies.len()))]
    pub async fn send_raw(
        &self,
        queue_url: &str,
        bodies: Vec<String>,
    ) -> Result<BatchReport, PublishError> {
        let ids: Vec<String> = (0..bodies.len()).map(|i| format!("raw-{i}")).collect();
        let pending: Vec<_> = bodies
            .iter()
            .zip(&ids)
            .map(|(body, id)| Pending {
                queue_url,
                body,
                id,
            })
            .collect();
        self.send_planned(&pending).await
    }

    async fn send_planned(&self, pending: &[Pending<'_>]) -> Result<BatchReport, PublishError> {
        let batches = plan_batches(pending)?;
        let mut results =
            futures::stream::iter(batches.iter().map(|b| self.send_batch(b, pending)))
                .buffer_unordered(self.concurrency)
                .collect::<Vec<_>>()
                .await;
        results.sort_by_key(|(first, _)| *first);
        let mut report = BatchReport::default();
        for (_, r) in results {
            report.calls += r.calls;
            report.retried += r.retried;
            report.sent += r.sent;
            report.failed.extend(r.failed);
        }
        report.failed.sort_by_key(|f| f.index);
        for f in &report.failed {
            error!(id = %f.id, queue_url = %f.queue_url, code = %f.code, attempts = f.attempts, "message not accepted by SQS: {}", f.message);
        }
        debug!(
            sent = report.sent,
            failed = report.failed.len(),
            calls = report.calls,
            "publish finished"
        );
        Ok(report)
    }

    /// Sends one planned call with retries; returns its first input index (for ordering) and its report.
    async fn send_batch(&self, batch: &Batch<'_>, pending: &[Pending<'_>]) -> (usize, BatchReport) {
        let queue_url = batch.queue_url;
        let span = info_span!(
            "send_message_batch",
            queue_url,
            entries = batch.entries.len(),
            bytes = batch.payload_bytes()
        );
        let outcome = send_with_retry(&self.retry, &batch.entries, |entries| {
            let built: Result<Vec<_>, _> = entries
                .iter()
                .map(|e| {
                    SendMessageBatchRequestEntry::builder()
                        .id(&e.entry_id)
                        .message_body(pending[e.index].body)
                        .build()
                })
                .collect();
            let request = built.map(|entries| {
                self.sqs
                    .send_message_batch()
                    .queue_url(queue_url)
                    .set_entries(Some(entries))
            });
            async move {
                match request {
                    Ok(request) => match request.send().await {
                        Ok(out) => CallResult::Completed(
                            out.failed()
                                .iter()
                                .map(|f| EntryFailure {
                                    entry_id: f.id().to_owned(),
                                    code: f.code().to_owned(),
                                    message: f.message().unwrap_or_default().to_owned(),
                                    sender_fault: f.sender_fault(),
                                })
                                .collect(),
                        ),
                        Err(e) => CallResult::Failed(classify(&e)),
                    },
                    Err(e) => CallResult::Failed(CallFailure {
                        code: "InvalidRequest".into(),
                        message: e.to_string(),
                        retryable: false,
                    }),
                }
            }
        })
        .instrument(span)
        .await;
        let failed: Vec<FailedEntry> = outcome
            .failures
            .into_iter()
            .map(|f| FailedEntry {
                index: f.index,
                id: pending[f.index].id.to_owned(),
                queue_url: queue_url.to_owned(),
                code: f.code,
                message: f.message,
                sender_fault: f.sender_fault,
                attempts: f.attempts,
            })
            .collect();
        let first = batch.entries.first().map_or(usize::MAX, |e| e.index);
        let report = BatchReport {
            sent: batch.entries.len() - failed.len(),
            failed,
            calls: outcome.calls,
            retried: outcome.retried,
        };
        (first, report)
    }
}

/// Error codes of a failed call that are worth retrying.
const TRANSIENT_CODES: [&str; 6] = [
    "RequestThrottled",
    "ThrottlingException",
    "Throttling",
    "KmsThrottled",
    "ServiceUnavailable",
    "InternalError",
];

/// Whether a failed call may succeed later (throttling, 5xx, network) or never will.
fn classify(
    e: &SdkError<SendMessageBatchError, aws_sdk_sqs::config::http::HttpResponse>,
) -> CallFailure {
    let message = DisplayErrorContext(e).to_string();
    let (code, retryable) = match e {
        SdkError::ServiceError(se) => {
            let code = se.err().code().unwrap_or("Unknown").to_owned();
            let retryable = matches!(
                se.err(),
                SendMessageBatchError::RequestThrottled(_) | SendMessageBatchError::KmsThrottled(_)
            ) || se.raw().status().is_server_error()
                || TRANSIENT_CODES.contains(&code.as_str());
            (code, retryable)
        }
        SdkError::TimeoutError(_) => ("Timeout".to_owned(), true),
        SdkError::DispatchFailure(_) => ("DispatchFailure".to_owned(), true),
        SdkError::ResponseError(_) => ("ResponseError".to_owned(), true),
        SdkError::ConstructionFailure(_) => ("ConstructionFailure".to_owned(), false),
        _ => ("Unknown".to_owned(), true),
    };
    CallFailure {
        code,
        message,
        retryable,
    }
}
