//! `venue-analytics flows`: the flow-health table, from the API.

use std::process::ExitCode;

use anyhow::Context;

#[derive(clap::Args)]
pub struct Args {
    /// Print the API's JSON instead of the table.
    #[arg(long)]
    json: bool,
}

pub async fn run(args: Args) -> anyhow::Result<ExitCode> {
    let url = format!("{}/api/analytics/flows", super::api_base());
    let resp = reqwest::Client::new()
        .get(&url)
        .bearer_auth(super::admin_token()?)
        .send()
        .await
        .with_context(|| {
            format!("GET {url}: is `venue-analytics up` running? (ANALYTICS_HTTP_ADDR)")
        })?;
    let status = resp.status();
    let body: serde_json::Value = resp
        .json()
        .await
        .context("the API answered with something that is not JSON")?;
    if !status.is_success() {
        anyhow::bail!(
            "GET {url} answered {status}: {}",
            body["error"].as_str().unwrap_or("no detail")
        );
    }
    let flows = body["flows"].as_array().cloned().unwrap_or_default();
    if args.json {
        println!("{}", serde_json::to_string_pretty(&body)?);
    } else {
        println!(
            "{:<16} {:<18} {:<8} {:<22} {:>10} {:>9} {:>6}",
            "TYPE", "SOURCE", "STATUS", "LAST EVENT", "LAST HOUR", "REJECTED", "DLQ"
        );
        for f in &flows {
            let text = |k: &str| f[k].as_str().map_or_else(|| "-".to_owned(), str::to_owned);
            let num = |k: &str| {
                f[k].as_i64()
                    .map_or_else(|| "-".to_owned(), |n| n.to_string())
            };
            println!(
                "{:<16} {:<18} {:<8} {:<22} {:>10} {:>9} {:>6}",
                text("type"),
                text("source"),
                text("status"),
                text("lastEventAt").chars().take(20).collect::<String>(),
                num("eventsLastHour"),
                num("rejected"),
                num("dlqDepth")
            );
        }
    }
    // A type is healthy when any of its sources is flowing (a source that only
    // ever sent unreadable messages shows as `never` beside the real one).
    let mut by_type: std::collections::BTreeMap<String, bool> = std::collections::BTreeMap::new();
    for f in &flows {
        let flowing = f["status"] == "flowing";
        *by_type
            .entry(f["type"].as_str().unwrap_or("?").to_owned())
            .or_default() |= flowing;
    }
    let unhealthy: Vec<&String> = by_type
        .iter()
        .filter(|(_, ok)| !**ok)
        .map(|(t, _)| t)
        .collect();
    if unhealthy.is_empty() {
        Ok(ExitCode::SUCCESS)
    } else {
        eprintln!(
            "silent or never seen: {}",
            unhealthy
                .iter()
                .map(|t| t.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        );
        Ok(ExitCode::from(1))
    }
}
