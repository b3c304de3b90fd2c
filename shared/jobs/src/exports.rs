//! Exports: a metric range of a venue (or show) as CSV or XLSX rollup rows.
//!
//! The API creates an `export-job` document ([`ExportJob`]); ranges of at
//! most [`INLINE_MAX_ROWS`] rows are rendered in the request, larger ones
//! stay `pending` until the scheduled [`run_pending`] pass renders them.
//! Files go to `exports/{venueId}/{jobId}.{ext}`; the job's `objectKeys`
//! become presigned links in the API.

use std::time::Instant;

use chrono::{DateTime, Duration, Utc};
use domain::Granularity;
use reports::Format;
use serde::{Deserialize, Serialize};

use crate::reports::{MAX_RANGE_DAYS, Period, build_report_data, content_disposition};
use crate::{JobError, Ports};

/// DocumentStore kind of export jobs.
pub const KIND: &str = "export-job";
/// Larger exports run as a background job.
pub const INLINE_MAX_ROWS: i64 = 2_000;
/// A `running` job older than this is assumed lost (its runner died) and retried.
pub const STALE_AFTER_MINUTES: i64 = 15;

pub const PENDING: &str = "pending";
pub const RUNNING: &str = "running";
pub const SUCCEEDED: &str = "succeeded";
pub const FAILED: &str = "failed";

/// What to export.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExportRequest {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    /// `1h` (default) or `1d`.
    #[serde(default)]
    pub granularity: Option<String>,
    /// `csv` (default) or `xlsx`.
    #[serde(default)]
    pub format: Option<String>,
    /// Export one show instead of the whole venue.
    #[serde(default)]
    pub event_id: Option<String>,
}

/// The `export-job` document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExportJob {
    pub job_id: String,
    pub venue_id: String,
    pub event_id: Option<String>,
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub granularity: Granularity,
    pub format: Format,
    /// `pending`, `running`, `succeeded` or `failed`.
    pub status: String,
    /// Rows the range spans (at most).
    pub rows: i64,
    pub object_keys: Vec<String>,
    pub bytes: Option<usize>,
    pub error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub created_by: String,
    pub started_at: Option<DateTime<Utc>>,
    pub finished_at: Option<DateTime<Utc>>,
    pub duration_ms: Option<u64>,
}

impl ExportJob {
    /// A validated, `pending` job with a fresh time-ordered id.
    pub fn new(
        venue: &str,
        req: ExportRequest,
        created_by: &str,
        now: DateTime<Utc>,
    ) -> Result<Self, JobError> {
        let granularity: Granularity = req
            .granularity
            .as_deref()
            .unwrap_or("1h")
            .parse()
            .map_err(JobError::Invalid)?;
        if !matches!(granularity, Granularity::Hour | Granularity::Day) {
            return Err(JobError::Invalid(format!(
                "exports are 1h or 1d rows, not {granularity}"
            )));
        }
        let format: Format = req
            .format
            .as_deref()
            .unwrap_or("csv")
            .parse()
            .map_err(|e: reports::RenderError| JobError::Invalid(e.to_string()))?;
        if format == Format::Pdf {
            return Err(JobError::Invalid(
                "exports are csv or xlsx; PDF is a report format".into(),
            ));
        }
        if req.from >= req.to {
            return Err(JobError::Invalid("`from` must be before `to`".into()));
        }
        if req.to - req.from > Duration::days(MAX_RANGE_DAYS) {
            return Err(JobError::Invalid(format!(
                "the range is longer than {MAX_RANGE_DAYS} days"
            )));
        }
        let width = granularity.nominal_seconds();
        let rows = ((req.to - req.from).num_seconds() + width - 1) / width;
        Ok(ExportJob {
            job_id: uuid::Uuid::now_v7().to_string(),
            venue_id: venue.to_owned(),
            event_id: req.event_id.filter(|e| !e.is_empty()),
            from: req.from,
            to: req.to,
            granularity,
            format,
            status: PENDING.into(),
            rows,
            object_keys: Vec::new(),
            bytes: None,
            error: None,
            created_at: now,
            created_by: created_by.to_owned(),
            started_at: None,
            finished_at: None,
            duration_ms: None,
        })
    }

    /// Small enough to render within the request.
    pub fn is_inline(&self) -> bool {
        self.rows <= INLINE_MAX_ROWS
    }

    pub fn object_key(&self) -> String {
        format!(
            "exports/{}/{}.{}",
            self.venue_id,
            self.job_id,
            self.format.extension()
        )
    }

    pub fn to_doc(&self) -> Result<serde_json::Value, JobError> {
        serde_json::to_value(self).map_err(|e| JobError::Invalid(e.to_string()))
    }
}

async fn save(ports: &Ports, job: &ExportJob) -> Result<(), JobError> {
    Ok(ports
        .docs
        .put(KIND, &job.venue_id, &job.job_id, &job.to_doc()?, None)
        .await?)
}

/// Stores the job; renders it now when it [`is_inline`](ExportJob::is_inline).
pub async fn submit(
    ports: &Ports,
    job: ExportJob,
    now: DateTime<Utc>,
) -> Result<ExportJob, JobError> {
    if job.is_inline() {
        process(ports, job, now).await
    } else {
        save(ports, &job).await?;
        Ok(job)
    }
}

/// Renders and stores one job, recording `succeeded` or `failed` (a failed
/// job keeps its error; it is not retried).
pub async fn process(
    ports: &Ports,
    mut job: ExportJob,
    now: DateTime<Utc>,
) -> Result<ExportJob, JobError> {
    let started = Instant::now();
    job.status = RUNNING.into();
    job.started_at = Some(now);
    save(ports, &job).await?;
    let result = render_and_store(ports, &job, now).await;
    job.duration_ms = Some(u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX));
    job.finished_at = Some(
        now + Duration::milliseconds(i64::try_from(job.duration_ms.unwrap_or(0)).unwrap_or(0)),
    );
    match result {
        Ok((key, bytes)) => {
            job.status = SUCCEEDED.into();
            job.object_keys = vec![key];
            job.bytes = Some(bytes);
        }
        Err(e) => {
            tracing::warn!(venue = %job.venue_id, job = %job.job_id, error = %e, "export failed");
            job.status = FAILED.into();
            job.error = Some(e.to_string());
        }
    }
    save(ports, &job).await?;
    Ok(job)
}

async fn render_and_store(
    ports: &Ports,
    job: &ExportJob,
    now: DateTime<Utc>,
) -> Result<(String, usize), JobError> {
    let data = build_report_data(
        ports.reader.as_ref(),
        &job.venue_id,
        job.event_id.as_deref(),
        job.from,
        job.to,
        job.granularity,
        now,
    )
    .await?;
    let tz = data.timezone.parse().unwrap_or(chrono_tz::UTC);
    let format = job.format;
    let bytes = tokio::task::spawn_blocking(move || reports::render(format, &data))
        .await
        .map_err(|e| JobError::Invalid(format!("renderer panicked: {e}")))??;
    let key = job.object_key();
    let size = bytes.len();
    let disposition = content_disposition(
        &job.venue_id,
        "export",
        &Period::new(job.from, job.to, tz),
        format,
    );
    ports
        .objects
        .put_object(&key, bytes, format.content_type(), Some(&disposition))
        .await?;
    Ok((key, size))
}

/// What one [`run_pending`] pass did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct PendingSummary {
    pub succeeded: usize,
    pub failed: usize,
}

/// The scheduled pass: renders every venue's `pending` jobs (and `running`
/// ones whose runner died more than [`STALE_AFTER_MINUTES`] ago), oldest first.
pub async fn run_pending(ports: &Ports, now: DateTime<Utc>) -> Result<PendingSummary, JobError> {
    let mut summary = PendingSummary::default();
    for venue in ports.reader.venues().await? {
        for doc in ports.docs.list(KIND, &venue.venue_id).await? {
            let Ok(job) = serde_json::from_value::<ExportJob>(doc) else {
                continue;
            };
            let stale = job.status == RUNNING
                && job
                    .started_at
                    .is_some_and(|t| now - t > Duration::minutes(STALE_AFTER_MINUTES));
            if job.status != PENDING && !stale {
                continue;
            }
            let done = process(ports, job, now).await?;
            if done.status == SUCCEEDED {
                summary.succeeded += 1;
            } else {
                summary.failed += 1;
            }
        }
    }
    if summary != PendingSummary::default() {
        tracing::info!(?summary, "export jobs pass");
    }
    Ok(summary)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn req(from: &str, to: &str) -> ExportRequest {
        ExportRequest {
            from: at(from),
            to: at(to),
            granularity: None,
            format: None,
            event_id: None,
        }
    }

    #[test]
    fn small_ranges_are_inline_large_ones_queued() {
        let now = at("2026-11-24T00:00:00Z");
        let week = ExportJob::new(
            "v1",
            req("2026-11-01T00:00:00Z", "2026-11-08T00:00:00Z"),
            "u",
            now,
        )
        .unwrap();
        assert_eq!(
            (
                week.rows,
                week.is_inline(),
                week.format,
                week.status.as_str()
            ),
            (168, true, Format::Csv, PENDING)
        );
        assert!(
            week.object_key().starts_with("exports/v1/") && week.object_key().ends_with(".csv")
        );
        let year = ExportJob::new(
            "v1",
            req("2025-01-01T00:00:00Z", "2026-01-01T00:00:00Z"),
            "u",
            now,
        )
        .unwrap();
        assert_eq!(year.rows, 8760);
        assert!(!year.is_inline());
        let mut daily = req("2025-01-01T00:00:00Z", "2026-01-01T00:00:00Z");
        daily.granularity = Some("1d".into());
        assert!(ExportJob::new("v1", daily, "u", now).unwrap().is_inline());
    }

    #[test]
    fn bad_requests_are_rejected() {
        let now = at("2026-11-24T00:00:00Z");
        let bad = |f: &dyn Fn(&mut ExportRequest)| {
            let mut r = req("2026-11-01T00:00:00Z", "2026-11-08T00:00:00Z");
            f(&mut r);
            ExportJob::new("v1", r, "u", now).is_err()
        };
        assert!(bad(&|r| r.format = Some("pdf".into())));
        assert!(bad(&|r| r.format = Some("docx".into())));
        assert!(bad(&|r| r.granularity = Some("1m".into())));
        assert!(bad(&|r| r.to = r.from));
        assert!(bad(&|r| r.from = at("2020-01-01T00:00:00Z")));
        assert!(!bad(&|r| r.format = Some("xlsx".into())));
    }
}
