//! Scheduled jobs, as plain functions over the domain's ports. The report,
//! nightly-insights and alerts Lambdas and the local runner's scheduler call
//! these; nothing here knows AWS or Lambda.

pub mod alerts;
pub mod customer_base;
pub mod insights;

pub mod exports;
pub mod reports;

use std::sync::Arc;

use domain::ports::{AnalyticsReader, DocumentStore, ObjectStore, QueueStats, RealtimePush};

/// The ports a job needs; the Lambda mains and the local runner build them
/// from the `storage` adapters, tests from the same adapters against moto.
#[derive(Clone)]
pub struct Ports {
    pub reader: Arc<dyn AnalyticsReader>,
    pub docs: Arc<dyn DocumentStore>,
    pub objects: Arc<dyn ObjectStore>,
    pub queues: Arc<dyn QueueStats>,
    pub push: Option<Arc<dyn RealtimePush>>,
}

impl std::fmt::Debug for Ports {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Ports")
            .field("push", &self.push.is_some())
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
