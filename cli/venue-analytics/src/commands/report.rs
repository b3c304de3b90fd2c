//! `venue-analytics report`: render one report now against the local stack
//! (or `AWS_ENDPOINT_URL`), store it in the reports bucket under the report
//! id `adhoc` (same period → same keys), optionally copy the files to a
//! directory, and print the keys.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{Context, bail};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use chrono_tz::Tz;
use domain::Granularity;
use jobs::reports::{Format, ReportRun, local_day_start};

#[derive(clap::Args)]
pub struct Args {
    /// Venue id.
    #[arg(long)]
    venue: String,
    /// Start: RFC 3339 (`2026-11-01T00:00:00Z`) or a venue-local date (`2026-11-01`, its midnight).
    #[arg(long)]
    from: String,
    /// End: RFC 3339 (exclusive) or a venue-local date (inclusive: the report ends at the next midnight).
    #[arg(long)]
    to: String,
    /// Comma-separated formats: pdf, xlsx, csv.
    #[arg(long, default_value = "pdf,xlsx,csv", value_delimiter = ',')]
    format: Vec<String>,
    /// Report on one show (its event id) instead of the whole venue.
    #[arg(long)]
    show: Option<String>,
    /// Also write the files to this directory.
    #[arg(long)]
    out: Option<PathBuf>,
}

/// `--from`/`--to` before the venue's zone is known.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bound {
    Instant(DateTime<Utc>),
    Date(NaiveDate),
}

impl Bound {
    pub fn parse(flag: &str, s: &str) -> anyhow::Result<Self> {
        let s = s.trim();
        if let Ok(t) = DateTime::parse_from_rfc3339(s) {
            return Ok(Bound::Instant(t.with_timezone(&Utc)));
        }
        if let Ok(d) = NaiveDate::parse_from_str(s, "%Y-%m-%d") {
            return Ok(Bound::Date(d));
        }
        bail!("{flag} {s:?} is neither RFC 3339 (2026-11-01T00:00:00Z) nor a date (2026-11-01)")
    }

    /// A date `--from` is its local midnight; a date `--to` includes the day.
    pub fn resolve(self, tz: Tz, end: bool) -> DateTime<Utc> {
        match self {
            Bound::Instant(t) => t,
            Bound::Date(d) if end => local_day_start(d + Duration::days(1), tz),
            Bound::Date(d) => local_day_start(d, tz),
        }
    }
}

pub fn parse_formats(names: &[String]) -> anyhow::Result<Vec<Format>> {
    let mut out = Vec::new();
    for name in names.iter().map(|n| n.trim()).filter(|n| !n.is_empty()) {
        let f: Format = name.parse().map_err(|e| anyhow::anyhow!("--format: {e}"))?;
        if !out.contains(&f) {
            out.push(f);
        }
    }
    if out.is_empty() {
        bail!("--format needs at least one of pdf, xlsx, csv");
    }
    Ok(out)
}

pub async fn run(args: Args) -> anyhow::Result<ExitCode> {
    let (from, to) = (
        Bound::parse("--from", &args.from)?,
        Bound::parse("--to", &args.to)?,
    );
    let formats = parse_formats(&args.format)?;
    let aws = super::aws().await;
    let names = storage::Names::from_env().unwrap_or_else(|_| storage::Names::local());
    let ports = runner::schedules::job_ports(&aws, &names, None);
    let unreachable = || {
        format!(
            "reading venue {:?}; is `venue-analytics up` running (or AWS_ENDPOINT_URL set to your stack)?",
            args.venue
        )
    };
    let venue = ports
        .reader
        .venue(&args.venue)
        .await
        .with_context(unreachable)?;
    if venue.is_none() {
        let rows = ports
            .reader
            .rollups(&args.venue, None, Granularity::Day, 0, i64::MAX)
            .await
            .with_context(unreachable)?;
        if rows.is_empty() {
            bail!(
                "unknown venue {:?}: no metadata and no data (publish some events first)",
                args.venue
            );
        }
    }
    let tz: Tz = venue
        .as_ref()
        .and_then(|v| v.timezone.as_deref())
        .and_then(|t| t.parse().ok())
        .unwrap_or(Tz::UTC);
    if let Some(show) = &args.show
        && !venue
            .as_ref()
            .is_some_and(|v| v.shows.iter().any(|s| &s.event_id == show))
    {
        tracing::warn!(%show, "the show is not in the venue's metadata; reporting whatever its rollups hold");
    }
    let (from, to) = (from.resolve(tz, false), to.resolve(tz, true));
    if from >= to {
        bail!("--from ({from}) must be before --to ({to})");
    }
    let started = Instant::now();
    let run = jobs::reports::run_adhoc(
        &ports,
        &args.venue,
        args.show.as_deref(),
        from,
        to,
        &formats,
        Utc::now(),
    )
    .await
    .context("rendering the report")?;
    let total = started.elapsed();
    print_run(&run, &names.reports_bucket, total);
    if let Some(dir) = &args.out {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        for key in &run.object_keys {
            let bytes = ports
                .objects
                .get_object(key)
                .await?
                .with_context(|| format!("{key} vanished from the bucket"))?;
            let name = key.rsplit('/').next().unwrap_or(key);
            let path = dir.join(format!("{}_{name}", args.venue));
            std::fs::write(&path, bytes).with_context(|| format!("writing {}", path.display()))?;
            println!("wrote {}", path.display());
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Who the demo report is emailed to (the emulator keeps the message).
pub fn demo_recipient(venue: &str) -> String {
    let host: String = venue
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    format!("gm@{}.example", host.trim_matches('-'))
}

/// Report id of the definition [`simulated_week`] keeps for the demo venue.
pub const DEMO_REPORT_ID: &str = "weekly";

/// For `up --simulate`: stores a weekly definition for `venue` (stable id
/// [`DEMO_REPORT_ID`], so repeated starts upsert it) and, once the rollups
/// hold every simulated event (`expected`, at most a minute), renders the
/// simulated week (the 7 venue-local days before today, and today), so the
/// reports bucket and `/api/reports` have a report to download at once.
pub async fn simulated_week(
    aws: &storage::Aws,
    names: &storage::Names,
    venue: &str,
    expected: &publisher::simulate::Totals,
) -> anyhow::Result<ReportRun> {
    let ports = runner::schedules::job_ports(aws, names, None);
    let record = ports
        .reader
        .venue(venue)
        .await
        .context("reading the simulated venue")?;
    let tz: Tz = record
        .as_ref()
        .and_then(|v| v.timezone.as_deref())
        .and_then(|t| t.parse().ok())
        .unwrap_or(Tz::UTC);
    let now = Utc::now();
    let def = jobs::reports::ReportDef {
        report_id: DEMO_REPORT_ID.into(),
        venue_id: venue.to_owned(),
        name: "Weekly sales & attendance".into(),
        cadence: jobs::reports::Cadence::Weekly,
        timezone: tz.name().to_owned(),
        formats: Format::ALL.iter().map(ToString::to_string).collect(),
        scope: "venue".into(),
        event_id: None,
        recipients: vec![demo_recipient(venue)],
        paused_recipients: Vec::new(),
        from: None,
        to: None,
    };
    let mut doc = serde_json::to_value(&def)?;
    if let Some(obj) = doc.as_object_mut() {
        for (k, v) in [
            ("createdAt", serde_json::json!(now)),
            ("updatedAt", serde_json::json!(now)),
            ("createdBy", serde_json::json!("venue-analytics up")),
        ] {
            obj.insert(k.into(), v);
        }
    }
    ports
        .docs
        .put(jobs::reports::DEF_KIND, venue, DEMO_REPORT_ID, &doc, None)
        .await
        .context("storing the demo report definition")?;
    let today = now.with_timezone(&tz).date_naive();
    let period = jobs::reports::Period::new(
        local_day_start(today - Duration::days(7), tz),
        local_day_start(today + Duration::days(1), tz),
        tz,
    );
    wait_for_rollups(&ports, venue, &period, expected).await?;
    let started = Instant::now();
    let run = jobs::reports::run_report(&ports, &def, period, now, "manual", true)
        .await
        .context("rendering the demo report")?;
    print_run(&run, &names.reports_bucket, started.elapsed());
    Ok(run)
}

/// Polls the report's own numbers until they equal the simulation's totals
/// (the queues drain at different speeds); warns after a minute.
async fn wait_for_rollups(
    ports: &jobs::Ports,
    venue: &str,
    period: &jobs::reports::Period,
    expected: &publisher::simulate::Totals,
) -> anyhow::Result<()> {
    let want = [
        expected.revenue,
        expected.tickets_sold,
        expected.orders,
        expected.scans_admitted,
        expected.page_views,
        expected.cart_adds,
        expected.cart_abandons,
    ];
    for _ in 0..30 {
        let data = jobs::reports::build_report_data(
            ports.reader.as_ref(),
            venue,
            None,
            period.start,
            period.end,
            Granularity::Day,
            Utc::now(),
        )
        .await?;
        let k = &data.kpis;
        let got = [
            k.revenue,
            k.tickets_sold,
            k.orders,
            k.scans_admitted,
            k.page_views,
            k.cart_adds,
            k.cart_abandons,
        ];
        if got == want {
            return Ok(());
        }
        tokio::time::sleep(std::time::Duration::from_secs(2)).await;
    }
    tracing::warn!(
        venue,
        "the rollups did not reach the simulated totals; rendering the report anyway"
    );
    Ok(())
}

fn print_run(run: &ReportRun, bucket: &str, total: std::time::Duration) {
    println!(
        "report {} for {} ({} to {}, {}): data built in {} ms, total {} ms",
        run.report_id,
        run.venue_id,
        run.period_start.to_rfc3339(),
        run.period_end.to_rfc3339(),
        run.timezone,
        run.build_ms,
        total.as_millis()
    );
    for f in &run.files {
        println!(
            "  s3://{bucket}/{}  {:>9} bytes  rendered in {} ms",
            f.key, f.bytes, f.render_ms
        );
    }
    for d in &run.deliveries {
        println!(
            "  email to {}: {} (PDF {}, {} bytes){}",
            d.to,
            d.status,
            d.pdf,
            d.bytes,
            d.error
                .as_deref()
                .map(|e| format!(": {e}"))
                .unwrap_or_default()
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounds_parse_dates_and_instants() {
        let tz = chrono_tz::America::New_York;
        let from = Bound::parse("--from", "2026-11-01")
            .unwrap()
            .resolve(tz, false);
        let to = Bound::parse("--to", "2026-11-01")
            .unwrap()
            .resolve(tz, true);
        assert_eq!(from.to_rfc3339(), "2026-11-01T04:00:00+00:00");
        assert_eq!(
            to.to_rfc3339(),
            "2026-11-02T05:00:00+00:00",
            "inclusive, across the DST change"
        );
        let t = Bound::parse("--to", "2026-11-01T10:00:00+01:00")
            .unwrap()
            .resolve(tz, true);
        assert_eq!(t.to_rfc3339(), "2026-11-01T09:00:00+00:00");
        assert!(Bound::parse("--from", "yesterday").is_err());
        assert_eq!(
            parse_formats(&["PDF".into(), "csv".into(), "pdf".into()]).unwrap(),
            vec![Format::Pdf, Format::Csv]
        );
        assert!(parse_formats(&["docx".into()]).is_err());
        assert!(parse_formats(&[]).is_err());
    }
}
