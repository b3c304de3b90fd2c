//! Errors of the publisher. Problems found before anything is sent (no queue
//! URL, a message over the size limit) are errors; entries SQS refuses are
//! reported per entry in [`crate::BatchReport::failed`] instead, so one bad
//! queue does not hide what was sent elsewhere.

use domain::EventType;

/// Boxed AWS SDK error (they are large; boxing keeps `Result` small).
pub type AwsError = Box<dyn std::error::Error + Send + Sync + 'static>;

#[derive(Debug, thiserror::Error)]
pub enum PublishError {
    #[error("no queue URL configured for {0} events (set QUEUE_URL_{suffix})", suffix = .0.env_suffix())]
    NoQueueUrl(EventType),

    #[error(
        "no queue URL in the environment: set at least one of QUEUE_URL_TICKET_PURCHASE, QUEUE_URL_TICKET_SCAN, QUEUE_URL_PAGE_VIEW, QUEUE_URL_CART_UPDATE, QUEUE_URL_VENUE_UPDATE, QUEUE_URL_TICKET_REFUND"
    )]
    NoQueueUrlsInEnv,

    #[error("cannot resolve the URL of queue {name:?}: {source}")]
    ResolveQueue {
        name: String,
        #[source]
        source: AwsError,
    },

    #[error("message {id:?} is {bytes} bytes; SQS accepts at most {limit} bytes per message")]
    MessageTooLarge {
        id: String,
        bytes: usize,
        limit: usize,
    },

    #[error("message {id:?} has an empty body; SQS rejects empty messages")]
    EmptyBody { id: String },

    #[error("cannot serialize the CloudEvent: {0}")]
    Serialize(#[from] serde_json::Error),

    #[error("SQS did not accept event {id:?} after {attempts} attempt(s): {code}: {message}")]
    NotAccepted {
        id: String,
        code: String,
        message: String,
        attempts: u32,
    },
}
