//! The template's EventBridge Scheduler schedules, fired locally: for every
//! function's `ScheduleV2` event, sleep until the expression's next firing
//! time and run the job its `Input` names (`{"job":"reports"}` → the same
//! `jobs` function the Lambda runs). One task per schedule; a job run never
//! overlaps the next firing of the same schedule (a firing that falls while
//! the job is still running is skipped, as the next one is computed after
//! the run ends). `ANALYTICS_SCHEDULES=off` disables them.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use domain::ports::RealtimePush;
use jobs::{JobError, Ports};
use tokio::sync::watch;

use crate::LocalStack;
use crate::template::ScheduleSpec;

/// The same ports the job Lambdas run on.
pub use lambda_glue::job_ports;

/// Why a scheduled job could not run.
#[derive(Debug, thiserror::Error)]
pub enum ScheduleJobError {
    #[error("no local job named {0:?}")]
    Unknown(String),
    #[error(transparent)]
    Job(#[from] JobError),
}

/// Runs the job a schedule's input names; returns its summary as JSON.
pub async fn run_job(
    ports: &Ports,
    job: &str,
    now: DateTime<Utc>,
) -> Result<serde_json::Value, ScheduleJobError> {
    if !jobs::JOB_NAMES.contains(&job) {
        return Err(ScheduleJobError::Unknown(job.to_owned()));
    }
    Ok(jobs::run(ports, job, now).await?)
}

/// The job name of a schedule's input (`{"job": "..."}`).
pub fn job_name(spec: &ScheduleSpec) -> Option<&str> {
    spec.input.as_ref()?.get("job")?.as_str()
}

/// Fires every schedule of the stack until `shutdown` turns true.
pub async fn run(
    local: Arc<LocalStack>,
    push: Option<Arc<dyn RealtimePush>>,
    shutdown: watch::Receiver<bool>,
) {
    if std::env::var("ANALYTICS_SCHEDULES").is_ok_and(|v| v.eq_ignore_ascii_case("off")) {
        tracing::info!("local schedules are off (ANALYTICS_SCHEDULES=off)");
        return;
    }
    let ports = job_ports(&local.aws, &local.names, push);
    let mut tasks = Vec::new();
    for f in &local.stack.functions {
        for spec in &f.schedules {
            let Some(job) = job_name(spec).map(str::to_owned) else {
                tracing::warn!(function = %f.logical_id, schedule = %spec.name, "schedule input names no job; not fired locally");
                continue;
            };
            match spec.expr() {
                Ok(expr) => {
                    tracing::info!(function = %f.logical_id, schedule = %spec.name, %expr, %job, "local schedule");
                    tasks.push(tokio::spawn(fire(
                        expr,
                        job,
                        ports.clone(),
                        shutdown.clone(),
                    )));
                }
                Err(e) => {
                    tracing::warn!(function = %f.logical_id, schedule = %spec.name, error = %e, "schedule not fired locally")
                }
            }
        }
    }
    for t in tasks {
        let _ = t.await;
    }
}

async fn fire(
    expr: crate::schedule::ScheduleExpr,
    job: String,
    ports: Ports,
    mut shutdown: watch::Receiver<bool>,
) {
    loop {
        let Some(next) = expr.next_after(Utc::now()) else {
            tracing::info!(%job, %expr, "schedule will not fire again");
            return;
        };
        let wait = (next - Utc::now()).to_std().unwrap_or_default();
        tokio::select! {
            () = tokio::time::sleep(wait) => {}
            _ = shutdown.wait_for(|s| *s) => return,
        }
        let started = std::time::Instant::now();
        // On a blocking thread with its own `block_on`: a job's future need not
        // be `Send` (some hold borrows across awaits the compiler cannot prove Send).
        let (p, j, handle) = (
            ports.clone(),
            job.clone(),
            tokio::runtime::Handle::current(),
        );
        let outcome = tokio::task::spawn_blocking(move || {
            handle.block_on(async move { run_job(&p, &j, next).await })
        })
        .await;
        let Ok(outcome) = outcome else {
            tracing::error!(%job, "scheduled job panicked");
            continue;
        };
        match outcome {
            Ok(summary) => {
                tracing::debug!(%job, ms = started.elapsed().as_millis(), %summary, "scheduled job ran")
            }
            Err(ScheduleJobError::Unknown(name)) => {
                tracing::warn!(job = %name, "no local job; the schedule stays idle");
                return;
            }
            Err(e) => tracing::warn!(%job, error = %e, "scheduled job failed"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_template_schedules_name_known_jobs() {
        let stack =
            crate::template::Stack::load(&crate::template::Stack::default_template_path()).unwrap();
        let jobs: Vec<&str> = stack
            .functions
            .iter()
            .flat_map(|f| f.schedules.iter())
            .filter_map(job_name)
            .collect();
        for job in ["reports", "insights", "insights-refresh", "alerts"] {
            assert!(jobs.contains(&job), "{jobs:?} lacks {job}");
        }
        for job in &jobs {
            assert!(jobs::JOB_NAMES.contains(job), "unknown job {job}");
        }
    }
}
