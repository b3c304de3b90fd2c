//! `venue-analytics up`: the local stack.

use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use runner::{LocalStack, RunnerConfig};
use tokio::sync::watch;

#[derive(clap::Args)]
pub struct Args {
    /// After start-up, publish a simulated show night and print the dashboard URL when it has landed.
    #[arg(long)]
    simulate: bool,
    #[command(flatten)]
    sim: super::simulate::Args,
}

pub async fn run(args: Args) -> anyhow::Result<ExitCode> {
    let config = RunnerConfig::from_env()?;
    let _emulator = runner::emulator::ensure(
        &config.endpoint,
        &config.root.join(".venv"),
        &config.root.join(".local"),
    )?;
    let aws = storage::Aws::local_or_env(&config.endpoint).await;
    let local = Arc::new(LocalStack::provision(aws, &config.template).await?);
    println!(
        "provisioned {} queues, {} tables, {} buckets from {}",
        local.stack.queues.len(),
        local.stack.tables.len(),
        local.stack.buckets.len(),
        config.template.display()
    );
    let (stop_tx, stop_rx) = watch::channel(false);
    let server = tokio::spawn(runner::serve(Arc::clone(&local), config.http_addr, stop_rx));
    let base = format!("http://{}", config.http_addr);
    wait_for_health(&base).await?;
    println!("API and dashboard on {base} (Ctrl-C stops)");
    if args.simulate {
        let publisher = super::publisher(&local.aws).await?;
        if let Some(sim) = super::simulate::publish_night(&publisher, &args.sim).await? {
            wait_for_totals(&base, &sim.expected.venue_id, sim.expected.venue.revenue).await;
            if let Err(e) = super::report::simulated_week(
                &local.aws,
                &local.names,
                &sim.expected.venue_id,
                &sim.expected.venue,
            )
            .await
            {
                eprintln!("warning: the simulated week's report failed: {e:#}");
            } else {
                println!(
                    "the report was emailed through the emulator's SES: `venue-analytics outbox --save DIR` lists it and writes it as .eml"
                );
            }
        }
        let cfg = api::auth::AuthConfig::local()?;
        let token = api::auth::issue_token(
            &cfg,
            "local-user",
            std::slice::from_ref(&args.sim.venue),
            true,
            chrono::Duration::hours(12),
        );
        println!(
            "\ndashboard: {base}/?token={token}#venue={}\n",
            args.sim.venue
        );
    }
    tokio::select! {
        r = tokio::signal::ctrl_c() => r.context("waiting for Ctrl-C")?,
        r = terminated() => r?,
    }
    println!("stopping…");
    let _ = stop_tx.send(true);
    server.await.context("runner task")??;
    Ok(ExitCode::SUCCESS)
}

async fn terminated() -> anyhow::Result<()> {
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
    term.recv().await;
    Ok(())
}

async fn wait_for_health(base: &str) -> anyhow::Result<()> {
    let client = reqwest::Client::new();
    for _ in 0..100 {
        if client.get(format!("{base}/health")).send().await.is_ok() {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    anyhow::bail!("the API did not answer on {base}/health")
}

/// Polls the dashboard until the venue's revenue reaches `revenue` (at most a minute).
async fn wait_for_totals(base: &str, venue: &str, revenue: i64) {
    let Ok(token) = super::admin_token() else {
        return;
    };
    let client = reqwest::Client::new();
    for _ in 0..120 {
        let got = async {
            let v: serde_json::Value = client
                .get(format!("{base}/api/dashboards/{venue}"))
                .bearer_auth(&token)
                .send()
                .await
                .ok()?
                .json()
                .await
                .ok()?;
            v["revenue"]["amount"].as_i64()
        }
        .await;
        if got == Some(revenue) {
            println!("all events landed: revenue {revenue} (minor units)");
            return;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    eprintln!(
        "warning: the dashboard did not reach the expected revenue {revenue} within a minute"
    );
}
