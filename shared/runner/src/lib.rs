//! The local runner behind `venue-analytics up`: starts the emulator when
//! needed, provisions the resources of `infra/template.yaml` on it, and hosts
//! the same handlers the Lambdas run — the ingest pipelines behind local
//! event source mappings, the API router, and the scheduled jobs.

pub mod emulator;
pub mod poller;
pub mod provision;
pub mod schedule;
pub mod schedules;
pub mod template;
pub mod wiring;

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Context;
use domain::EventType;
use storage::{Aws, Names};
use tokio::sync::watch;

use crate::provision::Provisioned;
use crate::template::Stack;

/// Where the local stack lives.
#[derive(Debug, Clone)]
pub struct RunnerConfig {
    pub endpoint: String,
    pub http_addr: SocketAddr,
    pub template: PathBuf,
    /// The repository root: `.venv` (the emulator) and `.local` (logs) live there.
    pub root: PathBuf,
}

impl RunnerConfig {
    /// From `AWS_ENDPOINT_URL` (default `http://127.0.0.1:4566`), `ANALYTICS_HTTP_ADDR`
    /// (default `127.0.0.1:3000`) and `ANALYTICS_TEMPLATE`.
    pub fn from_env() -> anyhow::Result<Self> {
        let template = Stack::default_template_path();
        let root = template
            .parent()
            .and_then(|p| p.parent())
            .map_or_else(|| PathBuf::from("."), PathBuf::from);
        let http_addr =
            std::env::var("ANALYTICS_HTTP_ADDR").unwrap_or_else(|_| "127.0.0.1:3000".into());
        Ok(RunnerConfig {
            endpoint: std::env::var("AWS_ENDPOINT_URL")
                .unwrap_or_else(|_| emulator::DEFAULT_ENDPOINT.into()),
            http_addr: http_addr
                .parse()
                .with_context(|| format!("ANALYTICS_HTTP_ADDR {http_addr:?} is not host:port"))?,
            template,
            root,
        })
    }
}

/// A provisioned local stack: clients, the parsed template and the local resources.
pub struct LocalStack {
    pub aws: Aws,
    pub stack: Stack,
    pub provisioned: Provisioned,
    /// The environment the functions see (globals resolved to local resources).
    pub env: BTreeMap<String, String>,
    pub names: Names,
}

impl LocalStack {
    /// Parses the template and provisions its resources on the configured endpoint.
    pub async fn provision(aws: Aws, template: &std::path::Path) -> anyhow::Result<Self> {
        let stack =
            Stack::load(template).with_context(|| format!("reading {}", template.display()))?;
        let provisioned = provision::provision(&aws, &stack)
            .await
            .context("provisioning the template's resources")?;
        // Every function shares the globals; the dashboard function also names the DLQs.
        let mut env = BTreeMap::new();
        for f in &stack.functions {
            for (k, v) in provisioned.env(&stack, f) {
                env.entry(k).or_insert(v);
            }
        }
        let names = Names::from_lookup(|k| env.get(k).cloned())
            .context("the template's environment is incomplete")?;
        Ok(LocalStack {
            aws,
            stack,
            provisioned,
            env,
            names,
        })
    }

    /// Queue URL of an event type's queue (local queue names are the type names).
    pub fn queue_url(&self, t: EventType) -> Option<&str> {
        let q = self
            .stack
            .queues
            .iter()
            .find(|q| q.local_name == t.as_str())?;
        self.provisioned
            .queue_urls
            .get(&q.logical_id)
            .map(String::as_str)
    }
}

/// Runs pollers, the HTTP server and the schedules until `shutdown` turns true.
pub async fn serve(
    local: Arc<LocalStack>,
    http_addr: SocketAddr,
    shutdown: watch::Receiver<bool>,
) -> anyhow::Result<()> {
    let hub = api::hub::RealtimeHub::default();
    let mut tasks = Vec::new();
    for f in &local.stack.functions {
        let fenv = local.provisioned.env(&local.stack, f);
        let Some(t) = fenv
            .get("EVENT_TYPE")
            .and_then(|t| t.parse::<EventType>().ok())
        else {
            continue;
        };
        for source in &f.sqs_sources {
            let (Some(url), Some(arn)) = (
                local.provisioned.queue_urls.get(&source.queue_logical_id),
                local.provisioned.queue_arns.get(&source.queue_logical_id),
            ) else {
                anyhow::bail!(
                    "{} reads from unknown queue {}",
                    f.logical_id,
                    source.queue_logical_id
                );
            };
            let push: Arc<dyn domain::ports::RealtimePush> = Arc::new(hub.clone());
            let pipeline = Arc::new(
                storage::wire::ingest_pipeline(t, &local.aws, &local.names).with_push(Some(push)),
            );
            let config = poller::PollerConfig {
                queue_url: url.clone(),
                queue_arn: arn.clone(),
                batch_size: source.batch_size,
                region: local
                    .aws
                    .sdk_config
                    .region()
                    .map_or_else(|| "us-east-1".into(), ToString::to_string),
            };
            tasks.push(tokio::spawn(poller::run(
                local.aws.sqs.clone(),
                config,
                pipeline,
                shutdown.clone(),
            )));
        }
    }
    tasks.push(tokio::spawn(schedules::run(
        Arc::clone(&local),
        Some(Arc::new(hub.clone())),
        shutdown.clone(),
    )));
    let state = wiring::api_state(&local.aws, &local.names, hub.clone())?;
    let listener = tokio::net::TcpListener::bind(http_addr)
        .await
        .with_context(|| {
            format!("binding {http_addr} (set ANALYTICS_HTTP_ADDR to use another address)")
        })?;
    let mut stop = shutdown.clone();
    let server = axum::serve(listener, api::app(state)).with_graceful_shutdown(async move {
        let _ = stop.wait_for(|s| *s).await;
    });
    server.await.context("http server")?;
    for t in tasks {
        let _ = t.await;
    }
    Ok(())
}
