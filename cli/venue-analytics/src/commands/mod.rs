//! One module per subcommand, plus what they share.

pub mod flows;
pub mod job;
pub mod outbox;
pub mod publish;
pub mod report;
pub mod simulate;
pub mod token;
pub mod up;

use anyhow::Context;
use domain::EventType;
use publisher::{Publisher, QueueUrls};

/// SDK clients on `AWS_ENDPOINT_URL` (default: the local emulator), with
/// dummy credentials when none are configured and the endpoint is local.
pub async fn aws() -> storage::Aws {
    storage::Aws::local_or_env(runner::emulator::DEFAULT_ENDPOINT).await
}

/// A publisher whose queues are found by name (local queue names are the type names).
pub async fn publisher(aws: &storage::Aws) -> anyhow::Result<Publisher> {
    let prefix = std::env::var("ANALYTICS_QUEUE_PREFIX").unwrap_or_default();
    let queues = QueueUrls::resolve(&aws.sqs, &prefix)
        .await
        .context("finding the queues; is `venue-analytics up` running (or AWS_ENDPOINT_URL set to your stack)?")?;
    Ok(Publisher::new(aws.sqs.clone(), queues).with_concurrency(4))
}

/// The base URL of the local API.
pub fn api_base() -> String {
    let addr = std::env::var("ANALYTICS_HTTP_ADDR").unwrap_or_else(|_| "127.0.0.1:3000".into());
    format!("http://{addr}")
}

pub fn admin_token() -> anyhow::Result<String> {
    let cfg = api::auth::AuthConfig::local()?;
    Ok(api::auth::issue_token(
        &cfg,
        "venue-analytics-cli",
        &[],
        true,
        chrono::Duration::hours(12),
    ))
}

pub fn parse_type(name: &str) -> anyhow::Result<EventType> {
    name.parse::<EventType>()
        .map_err(|e| anyhow::anyhow!("{e}"))
}
