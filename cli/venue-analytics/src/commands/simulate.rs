//! `venue-analytics simulate`: a show night, published with a progress bar.

use std::process::ExitCode;

use anyhow::Context;
use indicatif::{ProgressBar, ProgressStyle};
use publisher::simulate::{Kind, SimConfig, Simulation, simulate};
use publisher::{OutgoingEvent, Publisher};

#[derive(clap::Args, Clone)]
#[group(id = "simulation")]
pub struct Args {
    /// Venue id (use a fresh one per run for exact totals).
    #[arg(long, default_value = "venue-riverside")]
    pub venue: String,
    /// Random seed: the same seed and clock minute publish the same events.
    #[arg(long, default_value_t = 7)]
    pub seed: u64,
    /// Size of the night: 1.0 is about 4,500 messages.
    #[arg(long, default_value_t = 1.0)]
    pub scale: f64,
    /// Write the totals a correct pipeline must show to this JSON file.
    #[arg(long)]
    pub expected_out: Option<std::path::PathBuf>,
    /// No progress bar.
    #[arg(long)]
    pub quiet: bool,
}

pub async fn run(args: Args) -> anyhow::Result<ExitCode> {
    let aws = super::aws().await;
    let publisher = super::publisher(&aws).await?;
    let sim = publish_night(&publisher, &args).await?;
    Ok(if sim.is_some() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// Publishes the night; `None` when some messages could not be sent.
pub async fn publish_night(
    publisher: &Publisher,
    args: &Args,
) -> anyhow::Result<Option<Simulation>> {
    let mut config = SimConfig::new(chrono::Utc::now(), args.seed);
    config.venue_id.clone_from(&args.venue);
    config.scale = args.scale;
    let sim = simulate(&config);
    if let Some(path) = &args.expected_out {
        std::fs::write(path, serde_json::to_string_pretty(&sim.expected)?)
            .with_context(|| format!("writing {}", path.display()))?;
    }
    let bar = if args.quiet {
        ProgressBar::hidden()
    } else {
        ProgressBar::new(sim.events.len() as u64)
    };
    bar.set_style(
        ProgressStyle::with_template("{spinner} publishing [{bar:40}] {pos}/{len} {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let mut failed = 0;
    // The venue update goes first, alone, so daily buckets use the venue's time zone.
    let (first, rest) = sim
        .events
        .split_first()
        .context("the simulation is empty")?;
    let first_report = publisher.publish_batch(vec![first.to_outgoing()]).await?;
    failed += first_report.failed.len();
    bar.inc(1);
    for chunk in rest.chunks(250) {
        let (malformed, good): (Vec<_>, Vec<_>) =
            chunk.iter().partition(|e| e.kind == Kind::Malformed);
        let report = publisher
            .publish_batch(
                good.iter()
                    .map(|e| e.to_outgoing())
                    .collect::<Vec<OutgoingEvent>>(),
            )
            .await?;
        failed += report.failed.len();
        for m in malformed {
            let url = publisher.queues().require(m.event_type)?.to_owned();
            failed += publisher
                .send_raw(&url, vec![m.body.clone()])
                .await?
                .failed
                .len();
        }
        bar.inc(chunk.len() as u64);
    }
    bar.finish_with_message("done");
    let e = &sim.expected;
    println!(
        "published {} messages for venue {} / show {}: {} valid, {} duplicates, {} late, {} malformed",
        sim.events.len(),
        e.venue_id,
        e.show_id,
        sim.count(Kind::Valid) + sim.count(Kind::Late),
        sim.count(Kind::Duplicate),
        sim.count(Kind::Late),
        sim.count(Kind::Malformed)
    );
    println!(
        "expected venue totals: revenue {} {}, {} tickets, {} orders, {} scans admitted, {} page views",
        e.venue.revenue,
        e.currency,
        e.venue.tickets_sold,
        e.venue.orders,
        e.venue.scans_admitted,
        e.venue.page_views
    );
    if failed > 0 {
        eprintln!("{failed} message(s) could not be sent");
        return Ok(None);
    }
    Ok(Some(sim))
}
