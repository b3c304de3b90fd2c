//! `venue-analytics outbox`: the emails the local emulator's SES accepted
//! (scheduled reports), listed, or saved as `.eml` files to open in a mail
//! client. Only the emulator keeps sent mail; against AWS this says so.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use mail_parser::{MessageParser, MimeHeaders};
use runner::emulator::{SentMail, sent_mail};

#[derive(clap::Args)]
pub struct Args {
    /// Only messages to addresses containing this.
    #[arg(long)]
    to: Option<String>,
    /// Write each message as `{n}.eml` into this directory.
    #[arg(long)]
    save: Option<PathBuf>,
}

pub async fn run(args: Args) -> anyhow::Result<ExitCode> {
    let endpoint = std::env::var("AWS_ENDPOINT_URL")
        .ok()
        .filter(|e| !e.is_empty())
        .unwrap_or_else(|| runner::emulator::DEFAULT_ENDPOINT.to_owned());
    let messages: Vec<SentMail> = sent_mail(&endpoint)
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
