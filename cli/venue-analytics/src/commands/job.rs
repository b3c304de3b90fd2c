//! `venue-analytics job NAME`: run one scheduled job now (what EventBridge
//! Scheduler would start) against the local stack or `AWS_ENDPOINT_URL`,
//! and print its summary. `insights` refits every venue's customer model
//! and writes the customer-base documents the customers routes read.

use std::process::ExitCode;

use anyhow::Context;

#[derive(clap::Args)]
pub struct Args {
    /// The job: reports, exports, insights or alerts.
    name: String,
}

pub async fn run(args: Args) -> anyhow::Result<ExitCode> {
    if !jobs::JOB_NAMES.contains(&args.name.as_str()) {
        anyhow::bail!(
            "no job {:?}; run one of: {}",
            args.name,
            jobs::JOB_NAMES.join(", ")
        );
    }
    let aws = super::aws().await;
    let names = storage::Names::from_env().unwrap_or_else(|_| storage::Names::local());
    let ports = runner::schedules::job_ports(&aws, &names, None);
    let summary = jobs::run(&ports, &args.name, chrono::Utc::now())
        .await
        .with_context(|| {
            format!("the {} job failed; is `venue-analytics up` running (or AWS_ENDPOINT_URL set to your stack)?", args.name)
        })?;
    println!("{}", serde_json::to_string_pretty(&summary)?);
    Ok(ExitCode::SUCCESS)
}
