//! `venue-analytics publish FILE`: NDJSON CloudEvents, routed by `type`.

use std::process::ExitCode;

use anyhow::Context;
use publisher::OutgoingEvent;

#[derive(clap::Args)]
pub struct Args {
    /// NDJSON file, one CloudEvent per line (`-` for stdin).
    file: String,
    /// Send each line verbatim to --queue, without any check (to exercise the quarantine).
    #[arg(long, requires = "queue")]
    raw: bool,
    /// Queue name for --raw (an event type, e.g. ticket-purchase).
    #[arg(long)]
    queue: Option<String>,
}

fn read_lines(file: &str) -> anyhow::Result<Vec<(usize, String)>> {
    let text = if file == "-" {
        std::io::read_to_string(std::io::stdin()).context("reading stdin")?
    } else {
        std::fs::read_to_string(file).with_context(|| format!("reading {file}"))?
    };
    Ok(text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| (i + 1, l.to_owned()))
        .collect())
}

pub async fn run(args: Args) -> anyhow::Result<ExitCode> {
    let lines = read_lines(&args.file)?;
    let aws = super::aws().await;
    let publisher = super::publisher(&aws).await?;
    let report = if args.raw {
        let name = args.queue.as_deref().unwrap_or_default();
        let t = super::parse_type(name)?;
        let url = publisher.queues().require(t)?.to_owned();
        publisher
            .send_raw(&url, lines.into_iter().map(|(_, l)| l).collect())
            .await?
    } else {
        let now = chrono::Utc::now();
        let mut events = Vec::with_capacity(lines.len());
        let mut errors = Vec::new();
        for (no, line) in &lines {
            let t = serde_json::from_str::<serde_json::Value>(line)
                .map_err(|e| format!("not JSON: {e}"))
                .and_then(|v| {
                    v["type"]
                        .as_str()
                        .map(str::to_owned)
                        .ok_or_else(|| "no `type` attribute".to_owned())
                })
                .and_then(|name| name.parse::<domain::EventType>().map_err(|e| e.to_string()));
            match t.and_then(|t| {
                domain::decode(t, line, now)
                    .map(|e| (t, e.id.to_string()))
                    .map_err(|r| r.to_string())
            }) {
                Ok((t, id)) => events.push(OutgoingEvent::raw(t, id, line.clone())),
                Err(e) => errors.push(format!("{}:{no}: {e}", args.file)),
            }
        }
        if !errors.is_empty() {
            for e in &errors {
                eprintln!("{e}");
            }
            anyhow::bail!(
                "{} of {} lines are invalid; nothing was sent (use --raw --queue NAME to send them anyway)",
                errors.len(),
                lines.len()
            );
        }
        publisher.publish_batch(events).await?
    };
    println!(
        "sent {} message(s) in {} call(s), {} failed",
        report.sent,
        report.calls,
        report.failed.len()
    );
    for f in &report.failed {
        eprintln!(
            "failed: entry {} ({}): {} {}",
            f.index + 1,
            f.id,
            f.code,
            f.message
        );
    }
    Ok(if report.is_complete() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
