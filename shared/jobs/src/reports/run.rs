//! Rendering a report period to the object store and recording the run.

use std::sync::Arc;
use std::time::Instant;

use chrono::{DateTime, Utc};
use domain::Granularity;
use reports::{Format, ReportData};
use serde::{Deserialize, Serialize};

use super::data::build_report_data;
use super::def::{Cadence, DEF_KIND, RUN_KIND, ReportDef};
use super::delivery::{self, Delivery, Outgoing};
use super::period::{Period, due_runs};
use crate::{JobError, Ports};

/// Run status values.
pub const SUCCEEDED: &str = "succeeded";
pub const FAILED: &str = "failed";

/// One stored file of a run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RunFile {
    pub format: Format,
    pub key: String,
    pub bytes: usize,
    pub content_type: String,
    pub render_ms: u64,
}

/// The `report-run` document: one per (report, period); a re-run replaces it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReportRun {
    pub run_id: String,
    pub report_id: String,
    pub venue_id: String,
    pub name: String,
    pub cadence: Cadence,
    pub event_id: Option<String>,
    pub timezone: String,
    pub period_start: DateTime<Utc>,
    pub period_end: DateTime<Utc>,
    /// `succeeded` or `failed`.
    pub status: String,
    pub error: Option<String>,
    /// What the API turns into presigned `downloads`.
    pub object_keys: Vec<String>,
    pub files: Vec<RunFile>,
    pub started_at: DateTime<Utc>,
    pub finished_at: DateTime<Utc>,
    /// Reading the rollups and assembling the data.
    pub build_ms: u64,
    /// Whole run, storage included.
    pub duration_ms: u64,
    /// `schedule` or `manual`.
    pub trigger: String,
    /// The emails of this period, every recipient's latest attempt.
    #[serde(default)]
    pub deliveries: Vec<Delivery>,
}

/// What one [`run_due`] pass did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DueSummary {
    pub venues: usize,
    pub definitions: usize,
    pub rendered: usize,
    /// Due periods that already have a successful run.
    pub skipped: usize,
    pub failed: usize,
    /// Definitions not run because they are paused.
    pub paused: usize,
    /// Reports that paused themselves in this pass.
    pub paused_now: usize,
    pub emails_sent: usize,
    pub emails_failed: usize,
}

fn millis(since: Instant) -> u64 {
    u64::try_from(since.elapsed().as_millis()).unwrap_or(u64::MAX)
}

/// `{venue}_{name}_{period}.{ext}`, plain ASCII.
pub fn file_name(venue: &str, name: &str, period: &Period, format: Format) -> String {
    let clean = |s: &str| -> String {
        let s: String = s
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' || c == '.' {
                    c
                } else {
                    '-'
                }
            })
            .collect();
        s.split('-')
            .filter(|p| !p.is_empty())
            .collect::<Vec<_>>()
            .join("-")
    };
    format!(
        "{}_{}_{}.{}",
        clean(venue),
        clean(name),
        period.slug(),
        format.extension()
    )
}

/// `attachment; filename="..."` with a plain-ASCII file name.
pub fn content_disposition(venue: &str, name: &str, period: &Period, format: Format) -> String {
    format!(
        "attachment; filename=\"{}\"",
        file_name(venue, name, period, format)
    )
}

/// Renders `def` for `period` in each of its formats, stores the files under
/// their period keys (overwriting an earlier run of the same period) and
/// upserts the run document. With `deliver`, it then emails the run to the
/// definition's active recipients (those an earlier attempt of the period
/// reached are not sent to again); a failed email fails the run. A failure
/// is recorded in the run document too.
pub async fn run_report(
    ports: &Ports,
    def: &ReportDef,
    period: Period,
    now: DateTime<Utc>,
    trigger: &str,
    deliver: bool,
) -> Result<ReportRun, JobError> {
    let started = Instant::now();
    let mut run = ReportRun {
        run_id: period.run_id(&def.report_id),
        report_id: def.report_id.clone(),
        venue_id: def.venue_id.clone(),
        name: def.name.clone(),
        cadence: def.cadence,
        event_id: def.show().map(str::to_owned),
        timezone: period.tz.name().to_owned(),
        period_start: period.start,
        period_end: period.end,
        status: FAILED.into(),
        error: None,
        object_keys: Vec::new(),
        files: Vec::new(),
        started_at: now,
        finished_at: now,
        build_ms: 0,
        duration_ms: 0,
        trigger: trigger.to_owned(),
        deliveries: Vec::new(),
    };
    let earlier = if deliver {
        earlier_deliveries(ports, def, &run.run_id).await?
    } else {
        Vec::new()
    };
    let result = match render_and_store(ports, def, period, now, &mut run).await {
        Ok(rendered) if deliver => {
            send(ports, def, &period, &mut run, &rendered, earlier, now).await
        }
        Ok(_) => Ok(()),
        Err(e) => Err(e),
    };
    run.duration_ms = millis(started);
    run.finished_at =
        now + chrono::Duration::milliseconds(i64::try_from(run.duration_ms).unwrap_or(0));
    match &result {
        Ok(()) => run.status = SUCCEEDED.into(),
        Err(e) => {
            tracing::warn!(venue = %def.venue_id, report = %def.report_id, error = %e, "report run failed");
            run.error = Some(e.to_string());
        }
    }
    let doc = serde_json::to_value(&run).map_err(|e| JobError::Invalid(e.to_string()))?;
    ports
        .docs
        .put(RUN_KIND, &def.venue_id, &run.run_id, &doc, None)
        .await?;
    result.map(|()| run)
}

/// The deliveries an earlier attempt of this run recorded.
async fn earlier_deliveries(
    ports: &Ports,
    def: &ReportDef,
    run_id: &str,
) -> Result<Vec<Delivery>, JobError> {
    Ok(ports
        .docs
        .get(RUN_KIND, &def.venue_id, run_id)
        .await?
        .and_then(|doc| doc.get("deliveries").cloned())
        .and_then(|d| serde_json::from_value(d).ok())
        .unwrap_or_default())
}

/// Emails the rendered run; keeps the earlier attempts' successes and fails
/// when any recipient's message failed.
async fn send(
    ports: &Ports,
    def: &ReportDef,
    period: &Period,
    run: &mut ReportRun,
    rendered: &Rendered,
    earlier: Vec<Delivery>,
    now: DateTime<Utc>,
) -> Result<(), JobError> {
    let sent_before: Vec<Delivery> = earlier
        .into_iter()
        .filter(|d| d.status == delivery::SENT)
        .collect();
    let already: Vec<String> = sent_before.iter().map(|d| d.to.clone()).collect();
    let out = Outgoing {
        def,
        period,
        run,
        data: &rendered.data,
        pdf: rendered.pdf.as_deref(),
    };
    let fresh = delivery::deliver(ports, &out, &already, now).await?;
    run.deliveries = sent_before.into_iter().chain(fresh).collect();
    let failed: Vec<String> = run
        .deliveries
        .iter()
        .filter(|d| d.status == delivery::FAILED)
        .map(|d| format!("{}: {}", d.to, d.error.as_deref().unwrap_or("failed")))
        .collect();
    if failed.is_empty() {
        Ok(())
    } else {
        Err(JobError::Delivery(format!(
            "{} of {} emails failed ({})",
            failed.len(),
            run.deliveries.len(),
            failed.join("; ")
        )))
    }
}

/// What a render leaves for delivery.
struct Rendered {
    data: Arc<ReportData>,
    pdf: Option<Vec<u8>>,
}

async fn render_and_store(
    ports: &Ports,
    def: &ReportDef,
    period: Period,
    now: DateTime<Utc>,
    run: &mut ReportRun,
) -> Result<Rendered, JobError> {
    let formats = def.parsed_formats()?;
    let build = Instant::now();
    let mut data: ReportData = build_report_data(
        ports.reader.as_ref(),
        &def.venue_id,
        def.show(),
        period.start,
        period.end,
        Granularity::Hour,
        now,
    )
    .await?;
    if !def.name.trim().is_empty() {
        data.title = def.name.clone();
    }
    run.build_ms = millis(build);
    let data = Arc::new(data);
    let mut pdf = None;
    for format in formats {
        let render = Instant::now();
        let shared = Arc::clone(&data);
        let bytes = tokio::task::spawn_blocking(move || reports::render(format, &shared))
            .await
            .map_err(|e| JobError::Invalid(format!("renderer panicked: {e}")))??;
        let render_ms = millis(render);
        let key = period.object_key(&def.venue_id, &def.report_id, format);
        let size = bytes.len();
        if format == Format::Pdf {
            pdf = Some(bytes.clone());
        }
        let disposition = content_disposition(&def.venue_id, &def.name, &period, format);
        ports
            .objects
            .put_object(&key, bytes, format.content_type(), Some(&disposition))
            .await?;
        tracing::info!(venue = %def.venue_id, report = %def.report_id, %key, bytes = size, render_ms, "report file stored");
        run.object_keys.push(key.clone());
        run.files.push(RunFile {
            format,
            key,
            bytes: size,
            content_type: format.content_type().to_owned(),
            render_ms,
        });
    }
    Ok(Rendered { data, pdf })
}

/// Report id of on-demand runs: `adhoc` for the venue, `adhoc-show-{eventId}` for a show.
pub fn adhoc_report_id(show: Option<&str>) -> String {
    match show {
        Some(s) => format!("{}-show-{s}", super::ADHOC_REPORT_ID),
        None => super::ADHOC_REPORT_ID.to_owned(),
    }
}

/// One on-demand report of `venue` (or a show) for `[from, to)`, stored under
/// [`adhoc_report_id`] (same scope and period, same keys).
pub async fn run_adhoc(
    ports: &Ports,
    venue: &str,
    show: Option<&str>,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    formats: &[Format],
    now: DateTime<Utc>,
) -> Result<ReportRun, JobError> {
    let record = ports.reader.venue(venue).await?;
    let timezone = record
        .as_ref()
        .and_then(|v| v.timezone.clone())
        .unwrap_or_else(|| "UTC".into());
    let def = ReportDef {
        report_id: adhoc_report_id(show),
        venue_id: venue.to_owned(),
        name: String::new(),
        cadence: Cadence::Once,
        timezone,
        formats: formats.iter().map(ToString::to_string).collect(),
        scope: if show.is_some() { "show" } else { "venue" }.into(),
        event_id: show.map(str::to_owned),
        recipients: Vec::new(),
        paused_recipients: Vec::new(),
        from: Some(from),
        to: Some(to),
    };
    let period = Period::new(from, to, def.tz()?);
    run_report(ports, &def, period, now, "manual", false).await
}

/// The scheduled job: every venue's definitions, each due period rendered
/// and emailed once (a period with a successful run is skipped; a failed one
/// is retried on the next pass). One definition's failure does not stop the
/// others; a paused definition is left alone, and one that fails
/// [`delivery::PAUSE_AFTER_FAILURES`] passes in a row pauses itself.
pub async fn run_due(ports: &Ports, now: DateTime<Utc>) -> Result<DueSummary, JobError> {
    let mut summary = DueSummary::default();
    for venue in ports.reader.venues().await? {
        summary.venues += 1;
        let defs: Vec<ReportDef> = ports
            .docs
            .list(DEF_KIND, &venue.venue_id)
            .await?
            .iter()
            .filter_map(|doc| match ReportDef::from_doc(doc) {
                Ok(d) => Some(d),
                Err(e) => {
                    tracing::warn!(venue = %venue.venue_id, error = %e, "skipping a report definition");
                    None
                }
            })
            .collect();
        summary.definitions += defs.len();
        let mut paused = std::collections::BTreeSet::new();
        for (def, start, end) in due_runs(&defs, now) {
            if paused.contains(&def.report_id) {
                continue;
            }
            if delivery::load_state(ports, &def.venue_id, &def.report_id)
                .await?
                .paused
            {
                summary.paused += 1;
                paused.insert(def.report_id.clone());
                continue;
            }
            let period = Period::new(start, end, def.tz()?);
            let run_id = period.run_id(&def.report_id);
            let done = ports.docs.get(RUN_KIND, &def.venue_id, &run_id).await?;
            if done
                .as_ref()
                .and_then(|d| d.get("status"))
                .and_then(|s| s.as_str())
                == Some(SUCCEEDED)
            {
                summary.skipped += 1;
                continue;
            }
            let result = run_report(ports, &def, period, now, "schedule", true).await;
            let error = match &result {
                Ok(run) => {
                    summary.rendered += 1;
                    count_emails(&mut summary, &run.deliveries);
                    None
                }
                Err(e) => {
                    summary.failed += 1;
                    if let Some(run) = ports.docs.get(RUN_KIND, &def.venue_id, &run_id).await?
                        && let Some(d) = run.get("deliveries").cloned()
                    {
                        let earlier: Vec<Delivery> = serde_json::from_value(d).unwrap_or_default();
                        count_emails(&mut summary, &earlier);
                    }
                    Some(e.to_string())
                }
            };
            if delivery::record_outcome(ports, &def, &run_id, error.as_deref(), now).await? {
                summary.paused_now += 1;
                paused.insert(def.report_id.clone());
            }
        }
    }
    tracing::info!(?summary, "scheduled reports pass");
    Ok(summary)
}

fn count_emails(summary: &mut DueSummary, deliveries: &[Delivery]) {
    summary.emails_sent += deliveries
        .iter()
        .filter(|d| d.status == delivery::SENT)
        .count();
    summary.emails_failed += deliveries
        .iter()
        .filter(|d| d.status == delivery::FAILED)
        .count();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn disposition_is_an_ascii_attachment() {
        let at = |s: &str| DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc);
        let p = Period::new(
            at("2026-11-23T05:00:00Z"),
            at("2026-11-24T05:00:00Z"),
            chrono_tz::America::New_York,
        );
        assert_eq!(
            content_disposition("venue-1", "Wöchentlich / sales", &p, Format::Pdf),
            "attachment; filename=\"venue-1_W-chentlich-sales_2026-11-23_2026-11-24.pdf\""
        );
    }
}
