//! `venue-analytics outbox`: the emails the local emulator's SES accepted
//! (scheduled reports), listed, or saved as `.eml` files to open in a mail
//! client. Only the emulator keeps sent mail; against AWS this says so.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, bail};
use mail_parser::{MessageParser, MimeHeaders};

#[derive(clap::Args)]
pub struct Args {
    /// Only messages to addresses containing this.
    #[arg(long)]
    to: Option<String>,
    /// Write each message as `{n}.eml` into this directory.
    #[arg(long)]
    save: Option<PathBuf>,
}

/// One sent message as the emulator keeps it.
pub struct Sent {
    pub to: Vec<String>,
    pub raw: String,
}

/// Every message the emulator's SES accepted, oldest first.
pub async fn sent(endpoint: &str) -> anyhow::Result<Vec<Sent>> {
    let url = format!("{}/moto-api/data.json", endpoint.trim_end_matches('/'));
    let resp = reqwest::get(&url)
        .await
        .with_context(|| format!("reading {url}; is `venue-analytics up` running?"))?;
    if !resp.status().is_success() {
        bail!(
            "{url} answered {}: only the local emulator keeps sent mail (on AWS, look in the recipients' inboxes)",
            resp.status()
        );
    }
    let data: serde_json::Value = resp.json().await.context("parsing the emulator's state")?;
    Ok(data["ses"]["RawMessage"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        .map(|m| Sent {
            to: m["destinations"]
                .as_array()
                .map(Vec::as_slice)
                .unwrap_or_default()
                .iter()
                .filter_map(|d| d.as_str().map(str::to_owned))
                .collect(),
            raw: m["raw_data"].as_str().unwrap_or_default().to_owned(),
        })
        .collect())
}

pub async fn run(args: Args) -> anyhow::Result<ExitCode> {
    let endpoint = std::env::var("AWS_ENDPOINT_URL")
        .ok()
        .filter(|e| !e.is_empty())
        .unwrap_or_else(|| runner::emulator::DEFAULT_ENDPOINT.to_owned());
    let messages: Vec<Sent> = sent(&endpoint)
        .await?
        .into_iter()
        .filter(|m| {
            args.to
                .as_deref()
                .is_none_or(|want| m.to.iter().any(|t| t.contains(want)))
        })
        .collect();
    if messages.is_empty() {
        println!("no messages sent yet (scheduled reports with recipients are emailed when due)");
        return Ok(ExitCode::SUCCESS);
    }
    if let Some(dir) = &args.save {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    for (n, m) in messages.iter().enumerate() {
        let parsed = MessageParser::default().parse(m.raw.as_bytes());
        let subject = parsed
            .as_ref()
            .and_then(|p| p.subject())
            .unwrap_or("(no subject)");
        let attachments: Vec<String> = parsed
            .as_ref()
            .map(|p| {
                p.attachments()
                    .map(|a| {
                        format!(
                            "{} ({} bytes)",
                            a.attachment_name().unwrap_or("attachment"),
                            a.contents().len()
                        )
                    })
                    .collect()
            })
            .unwrap_or_default();
        // The emulator lists the envelope and the `To` header both.
        let mut to = m.to.clone();
        to.sort();
        to.dedup();
        println!("{:>3}. to {}", n + 1, to.join(", "));
        println!("     {subject}");
        if !attachments.is_empty() {
            println!("     attached: {}", attachments.join(", "));
        }
        if let Some(dir) = &args.save {
            let path = dir.join(format!("{}.eml", n + 1));
            std::fs::write(&path, &m.raw).with_context(|| format!("writing {}", path.display()))?;
            println!("     saved {}", path.display());
        }
    }
    Ok(ExitCode::SUCCESS)
}
