//! Report definitions as the API stores them (DocumentStore kind
//! [`DEF_KIND`]), read back leniently: unknown fields are ignored.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use reports::Format;
use serde::{Deserialize, Serialize};

use crate::JobError;

/// DocumentStore kind of report definitions.
pub const DEF_KIND: &str = "report-def";
/// DocumentStore kind of report runs.
pub const RUN_KIND: &str = "report-run";
/// Report id of on-demand runs (CLI, `POST .../run` without a definition).
pub const ADHOC_REPORT_ID: &str = "adhoc";

/// How often a definition is rendered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Cadence {
    Daily,
    Weekly,
    Monthly,
    /// One fixed range (`from`..`to`), rendered once it has ended.
    Once,
}

/// One report definition.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReportDef {
    pub report_id: String,
    pub venue_id: String,
    pub name: String,
    pub cadence: Cadence,
    /// IANA zone of the schedule and the report's days.
    pub timezone: String,
    pub formats: Vec<String>,
    /// `venue` or `show`.
    #[serde(default = "venue_scope")]
    pub scope: String,
    #[serde(default)]
    pub event_id: Option<String>,
    #[serde(default)]
    pub recipients: Vec<String>,
    /// Recipients kept on the list but not sent to.
    #[serde(default)]
    pub paused_recipients: Vec<String>,
    /// Start of a `once` range.
    #[serde(default)]
    pub from: Option<DateTime<Utc>>,
    /// End (exclusive) of a `once` range.
    #[serde(default)]
    pub to: Option<DateTime<Utc>>,
}

fn venue_scope() -> String {
    "venue".into()
}

impl ReportDef {
    /// Parses a stored document.
    pub fn from_doc(doc: &serde_json::Value) -> Result<Self, JobError> {
        serde_json::from_value(doc.clone())
            .map_err(|e| JobError::Invalid(format!("malformed report definition: {e}")))
    }

    pub fn tz(&self) -> Result<Tz, JobError> {
        self.timezone.parse().map_err(|_| {
            JobError::Invalid(format!(
                "report {}: unknown time zone {:?}",
                self.report_id, self.timezone
            ))
        })
    }

    /// The show of a `show`-scoped report.
    pub fn show(&self) -> Option<&str> {
        (self.scope == "show")
            .then_some(self.event_id.as_deref())
            .flatten()
    }

    /// The formats, parsed, without repeats (pdf, xlsx, csv order kept as given).
    pub fn parsed_formats(&self) -> Result<Vec<Format>, JobError> {
        let mut out: Vec<Format> = Vec::new();
        for f in &self.formats {
            let format: Format = f.parse()?;
            if !out.contains(&format) {
                out.push(format);
            }
        }
        if out.is_empty() {
            return Err(JobError::Invalid(format!(
                "report {} has no formats",
                self.report_id
            )));
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_api_document_shape() {
        let doc = serde_json::json!({
            "reportId": "r1", "venueId": "v1", "name": "Weekly", "cadence": "weekly",
            "timezone": "Europe/Berlin", "formats": ["pdf", "CSV", "pdf"], "scope": "show",
            "eventId": "s1", "recipients": [], "createdAt": "2026-01-01T00:00:00Z",
            "updatedAt": "2026-01-01T00:00:00Z", "createdBy": "x"
        });
        let def = ReportDef::from_doc(&doc).unwrap();
        assert_eq!(def.cadence, Cadence::Weekly);
        assert_eq!(def.show(), Some("s1"));
        assert_eq!(
            def.parsed_formats().unwrap(),
            vec![Format::Pdf, Format::Csv]
        );
        assert_eq!(def.tz().unwrap(), chrono_tz::Europe::Berlin);
        assert!(ReportDef::from_doc(&serde_json::json!({"reportId": "r"})).is_err());
    }
}
