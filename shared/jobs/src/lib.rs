//! Scheduled jobs, as plain functions over the domain's ports. The report,
//! nightly-insights and alerts Lambdas and the local runner's scheduler call
//! these; nothing here knows AWS or Lambda.

pub mod alerts;
pub mod customer_base;
pub mod insights;
pub mod pacing;

pub mod exports;
pub mod reports;

use std::sync::Arc;

use domain::ports::{
    AnalyticsReader, DocumentStore, Mailer, ObjectStore, QueueStats, RealtimePush,
};

/// The ports a job needs; the Lambda mains and the local runner build them
/// from the `storage` adapters, tests from the same adapters against moto.
#[derive(Clone)]
pub struct Ports {
    pub reader: Arc<dyn AnalyticsReader>,
    pub docs: Arc<dyn DocumentStore>,
    pub objects: Arc<dyn ObjectStore>,
    pub queues: Arc<dyn QueueStats>,
    pub push: Option<Arc<dyn RealtimePush>>,
    /// Report email; `None` where delivery is off (no sender configured, or
    /// a caller that never delivers, like the API).
    pub mail: Option<Mail>,
}

/// Outgoing email and its size limit.
#[derive(Clone)]
pub struct Mail {
    pub mailer: Arc<dyn Mailer>,
    /// Largest raw message sent; a PDF that would make it larger goes as a
    /// link. SES refuses raw messages over 10 MB (v1; the v2 API takes 40 MB).
    pub max_message_bytes: usize,
}

impl Mail {
    /// SES's limit for a raw message, base64 attachments included.
    pub const SES_MAX_MESSAGE_BYTES: usize = 10 * 1024 * 1024;

    pub fn new(mailer: Arc<dyn Mailer>) -> Self {
        Mail {
            mailer,
            max_message_bytes: Self::SES_MAX_MESSAGE_BYTES,
        }
    }
}

impl std::fmt::Debug for Ports {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Ports")
            .field("push", &self.push.is_some())
            .field(
                "mail",
                &self.mail.as_ref().map(|m| m.mailer.sender().to_owned()),
            )
            .finish_non_exhaustive()
    }
}

/// Why a job failed.
#[derive(Debug, thiserror::Error)]
pub enum JobError {
    #[error(transparent)]
    Store(#[from] domain::ports::StoreError),
    #[error("rendering failed: {0}")]
    Render(#[from] ::reports::RenderError),
    #[error("invalid input: {0}")]
    Invalid(String),
    #[error("email delivery failed: {0}")]
    Delivery(String),
}

/// The jobs a schedule can name in its input (`{"job": "..."}`).
pub const JOB_NAMES: [&str; 5] = [
    "reports",
    "exports",
    "insights",
    "insights-refresh",
    "alerts",
];

/// Runs the job a schedule's input names and returns its summary as JSON.
/// The report, nightly-insights and alerts Lambdas and the local scheduler
/// all dispatch through here; a new scheduled job is one more arm.
pub async fn run(
    ports: &Ports,
    job: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<serde_json::Value, JobError> {
    fn json<T: serde::Serialize>(v: &T) -> serde_json::Value {
        serde_json::to_value(v).unwrap_or(serde_json::Value::Null)
    }
    Ok(match job {
        "reports" => json(&reports::run_due(ports, now).await?),
        "exports" => json(&exports::run_pending(ports, now).await?),
        "insights" => json(&insights::run(ports, now).await?),
        "insights-refresh" => json(&insights::refresh(ports, now).await?),
        "alerts" => json(&alerts::run(ports, now).await?),
        other => {
            return Err(JobError::Invalid(format!(
                "unknown job {other:?}; expected one of {}",
                JOB_NAMES.join(", ")
            )));
        }
    })
}
