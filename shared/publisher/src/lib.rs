//! Publishing CloudEvents to the Venue Analytics queues, for upstream Rust
//! services (ticket, scanning, order, venue, frontend back ends) and the CLI.
//!
//! ```no_run
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! use publisher::{OutgoingEvent, Publisher, QueueUrls};
//! # let purchase: domain::event::TicketPurchase<'static> = todo!();
//! let config = aws_config::load_from_env().await;
//! let sqs = aws_sdk_sqs::Client::new(&config);
//! let publisher = Publisher::new(sqs, QueueUrls::from_env()?);
//! let report = publisher.publish_batch(vec![OutgoingEvent::new("ticket-service", purchase)]).await?;
//! assert!(report.is_complete(), "{:?}", report.failed);
//! # Ok(()) }
//! ```
//!
//! [`simulate`] generates a deterministic show night (with the totals a
//! correct pipeline must show) for demos and end-to-end tests.

pub mod batch;
mod error;
mod outgoing;
mod publisher;
mod queues;
mod retry;
pub mod simulate;

pub use batch::{MAX_BATCH_ENTRIES, MAX_PAYLOAD_BYTES, plan_batches};
pub use error::{AwsError, PublishError};
pub use outgoing::{EventPayload, OutgoingEvent, envelope};
pub use publisher::{BatchReport, FailedEntry, Publisher};
pub use queues::QueueUrls;
pub use retry::RetryPolicy;
