//! Emailing a scheduled report to its recipients, and the report's delivery
//! state: paused by a person, or by itself after [`PAUSE_AFTER_FAILURES`]
//! failed runs in a row (which raises an alert).
//!
//! One message per recipient (recipients never see each other's address):
//! the subject and body name the venue, the period and the headline figures;
//! the PDF is attached unless the message would exceed the mail limit, then
//! it is a presigned link like the XLSX and CSV. A run that failed part way
//! is retried whole by the next pass; recipients already sent to for that
//! period are not sent to again.

use chrono::{DateTime, Duration, Utc};
use mail_builder::MessageBuilder;
use reports::{Format, ReportData};
use serde::{Deserialize, Serialize};

use super::def::ReportDef;
use super::period::Period;
use super::run::{ReportRun, file_name};
use insights::alerts::TransitionKind;

use crate::alerts;
use crate::{JobError, Mail, Ports};

/// DocumentStore kind of delivery states, one per report definition.
pub const STATE_KIND: &str = "report-state";
/// Failed scheduled runs in a row after which a report pauses itself.
pub const PAUSE_AFTER_FAILURES: u32 = 5;
/// Lifetime of the download links in an email (SigV4's longest).
pub const LINK_TTL_SECS: u64 = 7 * 24 * 3600;

/// Delivery status values.
pub const SENT: &str = "sent";
pub const FAILED: &str = "failed";
/// No sender is configured where the run happened: nothing was sent.
pub const OFF: &str = "off";

/// One recipient's message of a run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Delivery {
    pub to: String,
    /// [`SENT`], [`FAILED`] or [`OFF`].
    pub status: String,
    pub message_id: Option<String>,
    pub error: Option<String>,
    /// `attached`, `linked` (the message would have been too large) or `none`.
    pub pdf: String,
    pub bytes: usize,
    pub at: DateTime<Utc>,
}

/// A report definition's delivery state (`report-state` / report id).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct DeliveryState {
    pub report_id: String,
    pub venue_id: String,
    /// A paused report is neither rendered nor sent by the schedule.
    pub paused: bool,
    pub paused_at: Option<DateTime<Utc>>,
    /// `failures` (it paused itself) or who paused it.
    pub paused_by: Option<String>,
    pub consecutive_failures: u32,
    pub last_error: Option<String>,
    pub last_run_id: Option<String>,
    pub updated_at: Option<DateTime<Utc>>,
}

/// Who pauses a report that keeps failing.
pub const PAUSED_BY_FAILURES: &str = "failures";

const ALERT_PREFIX: &str = "report-paused:";

/// The alert a self-paused report raises (no rule document has this id).
pub fn alert_id(report_id: &str) -> String {
    format!("{ALERT_PREFIX}{report_id}")
}

/// Whether an alert state is the pipeline's own (not a rule's).
pub fn is_pipeline_alert(rule_id: &str) -> bool {
    rule_id.starts_with(ALERT_PREFIX)
}

fn to_json<T: Serialize>(v: &T) -> Result<serde_json::Value, JobError> {
    serde_json::to_value(v).map_err(|e| JobError::Invalid(e.to_string()))
}

/// The stored state, or a fresh one.
pub async fn load_state(
    ports: &Ports,
    venue: &str,
    report_id: &str,
) -> Result<DeliveryState, JobError> {
    let stored = ports.docs.get(STATE_KIND, venue, report_id).await?;
    let mut state: DeliveryState = stored
        .and_then(|doc| {
            serde_json::from_value(doc)
                .inspect_err(|e| tracing::warn!(venue, report_id, error = %e, "ignoring a malformed report state"))
                .ok()
        })
        .unwrap_or_default();
    venue.clone_into(&mut state.venue_id);
    report_id.clone_into(&mut state.report_id);
    Ok(state)
}

async fn store_state(ports: &Ports, state: &DeliveryState) -> Result<(), JobError> {
    ports
        .docs
        .put(
            STATE_KIND,
            &state.venue_id,
            &state.report_id,
            &to_json(state)?,
            None,
        )
        .await?;
    Ok(())
}

/// Records a scheduled run's outcome: a success clears the failure count; a
/// failure adds one, and the [`PAUSE_AFTER_FAILURES`]th in a row pauses the
/// report and raises an alert. Returns whether the report paused now.
pub async fn record_outcome(
    ports: &Ports,
    def: &ReportDef,
    run_id: &str,
    error: Option<&str>,
    now: DateTime<Utc>,
) -> Result<bool, JobError> {
    let mut state = load_state(ports, &def.venue_id, &def.report_id).await?;
    state.last_run_id = Some(run_id.to_owned());
    state.updated_at = Some(now);
    let Some(error) = error else {
        state.consecutive_failures = 0;
        state.last_error = None;
        store_state(ports, &state).await?;
        return Ok(false);
    };
    state.consecutive_failures += 1;
    state.last_error = Some(error.to_owned());
    let pause = !state.paused && state.consecutive_failures >= PAUSE_AFTER_FAILURES;
    if pause {
        state.paused = true;
        state.paused_at = Some(now);
        state.paused_by = Some(PAUSED_BY_FAILURES.into());
    }
    store_state(ports, &state).await?;
    if pause {
        alerts::raise(
            ports,
            &def.venue_id,
            &alert_id(&def.report_id),
            &format!("Report paused: {}", def.name),
            TransitionKind::Fired,
            format!(
                "\"{}\" failed {} scheduled runs in a row and paused itself; last error: {error}. Fix the cause, then resume it.",
                def.name, state.consecutive_failures
            ),
            now,
        )
        .await?;
    }
    Ok(pause)
}

/// Pauses or resumes a report's schedule (the API's pause/resume). Resuming
/// clears the failure count and resolves the alert of a self-paused report.
pub async fn set_paused(
    ports: &Ports,
    def: &ReportDef,
    paused: bool,
    by: &str,
    now: DateTime<Utc>,
) -> Result<DeliveryState, JobError> {
    let mut state = load_state(ports, &def.venue_id, &def.report_id).await?;
    let self_paused = state.paused && state.paused_by.as_deref() == Some(PAUSED_BY_FAILURES);
    if paused && !state.paused {
        state.paused_at = Some(now);
        state.paused_by = Some(by.to_owned());
    }
    if !paused {
        state.paused_at = None;
        state.paused_by = None;
        state.consecutive_failures = 0;
    }
    state.paused = paused;
    state.updated_at = Some(now);
    store_state(ports, &state).await?;
    if !paused && self_paused {
        alerts::raise(
            ports,
            &def.venue_id,
            &alert_id(&def.report_id),
            &format!("Report paused: {}", def.name),
            TransitionKind::Resolved,
            format!("\"{}\" was resumed by {by}", def.name),
            now,
        )
        .await?;
    }
    Ok(state)
}

/// The recipients a run sends to: the definition's, minus its paused ones.
pub fn active_recipients(def: &ReportDef) -> Vec<&str> {
    def.recipients
        .iter()
        .filter(|r| {
            !def.paused_recipients
                .iter()
                .any(|p| p.eq_ignore_ascii_case(r))
        })
        .map(String::as_str)
        .collect()
}

/// What a run hands to [`deliver`].
pub struct Outgoing<'a> {
    pub def: &'a ReportDef,
    pub period: &'a Period,
    pub run: &'a ReportRun,
    pub data: &'a ReportData,
    pub pdf: Option<&'a [u8]>,
}

/// Sends the run to every active recipient not in `already_sent`; one
/// [`Delivery`] per recipient tried. A failed send does not stop the others.
pub async fn deliver(
    ports: &Ports,
    out: &Outgoing<'_>,
    already_sent: &[String],
    now: DateTime<Utc>,
) -> Result<Vec<Delivery>, JobError> {
    let todo: Vec<&str> = active_recipients(out.def)
        .into_iter()
        .filter(|r| !already_sent.iter().any(|s| s.eq_ignore_ascii_case(r)))
        .collect();
    if todo.is_empty() {
        return Ok(Vec::new());
    }
    let Some(mail) = &ports.mail else {
        return Ok(todo
            .into_iter()
            .map(|to| Delivery {
                to: to.to_owned(),
                status: OFF.into(),
                message_id: None,
                error: Some("email delivery is off: no REPORT_SENDER configured".into()),
                pdf: "none".into(),
                bytes: 0,
                at: now,
            })
            .collect());
    };
    let links = links(ports, out.run).await?;
    let mut sent = Vec::with_capacity(todo.len());
    for to in todo {
        let (raw, pdf) = compose(mail, out, &links, to, now)?;
        let bytes = raw.len();
        let result = mail.mailer.send_raw(to, raw).await;
        let ok = result.is_ok();
        tracing::info!(venue = %out.def.venue_id, report = %out.def.report_id, to, bytes, pdf, ok, "report email");
        sent.push(match result {
            Ok(id) => Delivery {
                to: to.to_owned(),
                status: SENT.into(),
                message_id: Some(id),
                error: None,
                pdf: pdf.into(),
                bytes,
                at: now,
            },
            Err(e) => Delivery {
                to: to.to_owned(),
                status: FAILED.into(),
                message_id: None,
                error: Some(e.to_string()),
                pdf: pdf.into(),
                bytes,
                at: now,
            },
        });
    }
    Ok(sent)
}

/// Presigned links to each stored file, by format.
async fn links(ports: &Ports, run: &ReportRun) -> Result<Vec<(Format, String)>, JobError> {
    let mut out = Vec::with_capacity(run.files.len());
    for f in &run.files {
        out.push((
            f.format,
            ports.objects.presigned_get(&f.key, LINK_TTL_SECS).await?,
        ));
    }
    Ok(out)
}

/// One recipient's message: the PDF attached when the whole message stays
/// within the limit, else linked. Returns the raw message and `attached`,
/// `linked` or `none`.
fn compose(
    mail: &Mail,
    out: &Outgoing<'_>,
    links: &[(Format, String)],
    to: &str,
    now: DateTime<Utc>,
) -> Result<(Vec<u8>, &'static str), JobError> {
    let text = Text::of(out, now)?;
    let build = |attach: bool| -> Result<Vec<u8>, JobError> {
        let linked: Vec<&(Format, String)> = links
            .iter()
            .filter(|(f, _)| !(attach && *f == Format::Pdf))
            .collect();
        let mut message = MessageBuilder::new()
            .from(("Venue Analytics", mail.mailer.sender()))
            .to(to)
            .subject(text.subject.clone())
            .date(now.timestamp())
            .text_body(text.plain(attach, &linked))
            .html_body(text.html(attach, &linked));
        if attach && let Some(pdf) = out.pdf {
            message = message.attachment(
                Format::Pdf.content_type(),
                file_name(&out.def.venue_id, &out.def.name, out.period, Format::Pdf),
                pdf,
            );
        }
        message
            .write_to_vec()
            .map_err(|e| JobError::Invalid(format!("composing the report email: {e}")))
    };
    if out.pdf.is_none() {
        return Ok((build(false)?, "none"));
    }
    let attached = build(true)?;
    if attached.len() <= mail.max_message_bytes {
        return Ok((attached, "attached"));
    }
    Ok((build(false)?, "linked"))
}

/// The words of a report email.
struct Text {
    subject: String,
    title: String,
    venue: String,
    period: String,
    timezone: String,
    figures: Vec<(String, String, Option<String>)>,
    expires: String,
}

/// Header-safe: no control characters (a venue name is upstream data).
fn one_line(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn format_label(f: Format) -> &'static str {
    match f {
        Format::Pdf => "Report (PDF)",
        Format::Xlsx => "Spreadsheet (XLSX)",
        Format::Csv => "Data (CSV)",
    }
}

impl Text {
    fn of(out: &Outgoing<'_>, now: DateTime<Utc>) -> Result<Self, JobError> {
        let h = reports::headline(out.data)?;
        let venue = if out.data.venue_name.trim().is_empty() {
            out.def.venue_id.clone()
        } else {
            out.data.venue_name.clone()
        };
        let title = match &out.data.show_name {
            Some(show) if !show.trim().is_empty() => format!("{} — {show}", out.data.title),
            _ => out.data.title.clone(),
        };
        let net = h
            .figures
            .first()
            .map(|f| format!(": {} {}", f.label.to_lowercase(), f.value))
            .unwrap_or_default();
        let expires = (now + Duration::seconds(i64::try_from(LINK_TTL_SECS).unwrap_or(0)))
            .format("%-d %b %Y %H:%M UTC")
            .to_string();
        Ok(Text {
            subject: one_line(&format!("{venue} · {title} · {}{net}", h.period)),
            title: one_line(&title),
            venue: one_line(&venue),
            period: h.period,
            timezone: out.data.timezone.clone(),
            figures: h
                .figures
                .into_iter()
                .map(|f| (f.label.to_owned(), f.value, f.change))
                .collect(),
            expires,
        })
    }

    fn plain(&self, attached: bool, links: &[&(Format, String)]) -> String {
        let mut s = format!(
            "{} — {}\n{} ({})\n\n",
            self.title, self.venue, self.period, self.timezone
        );
        let width = self.figures.iter().map(|f| f.0.len()).max().unwrap_or(0);
        for (label, value, change) in &self.figures {
            s.push_str(&format!("{label:<width$}  {value}"));
            if let Some(c) = change {
                s.push_str(&format!("  ({c})"));
            }
            s.push('\n');
        }
        s.push('\n');
        if attached {
            s.push_str("The report is attached as a PDF.\n");
        }
        for (format, url) in links {
            s.push_str(&format!("{}: {url}\n", format_label(*format)));
        }
        if !links.is_empty() {
            s.push_str(&format!("Links work until {}.\n", self.expires));
        }
        s.push_str(
            "\nYou receive this as a recipient of this scheduled report; the venue's managers can pause or remove you.\n",
        );
        s
    }

    fn html(&self, attached: bool, links: &[&(Format, String)]) -> String {
        let mut rows = String::new();
        for (label, value, change) in &self.figures {
            rows.push_str(&format!(
                "<tr><td style=\"padding:4px 16px 4px 0;color:#555\">{}</td><td style=\"padding:4px 16px 4px 0;font-weight:600\">{}</td><td style=\"color:#777\">{}</td></tr>",
                escape(label),
                escape(value),
                change.as_deref().map(escape).unwrap_or_default()
            ));
        }
        let mut files = String::new();
        if attached {
            files.push_str("<p>The report is attached as a PDF.</p>");
        }
        if !links.is_empty() {
            files.push_str("<ul>");
            for (format, url) in links {
                files.push_str(&format!(
                    "<li><a href=\"{}\">{}</a></li>",
                    escape(url),
                    format_label(*format)
                ));
            }
            files.push_str(&format!(
                "</ul><p style=\"color:#777\">Links work until {}.</p>",
                escape(&self.expires)
            ));
        }
        format!(
            "<!doctype html><html><body style=\"font-family:system-ui,sans-serif\"><h2 style=\"margin:0\">{}</h2><p style=\"margin:4px 0 16px\">{} · {} ({})</p><table>{rows}</table>{files}<p style=\"color:#777;font-size:12px\">You receive this as a recipient of this scheduled report; the venue's managers can pause or remove you.</p></body></html>",
            escape(&self.title),
            escape(&self.venue),
            escape(&self.period),
            escape(&self.timezone)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_escapes_upstream_text_and_headers_stay_on_one_line() {
        assert_eq!(
            escape("<b>Rock & \"Roll\"</b>"),
            "&lt;b&gt;Rock &amp; &quot;Roll&quot;&lt;/b&gt;"
        );
        assert_eq!(one_line("Hall\r\nBcc: x@y"), "Hall  Bcc: x@y");
    }

    #[test]
    fn paused_recipients_are_left_out_whatever_their_case() {
        let def = ReportDef::from_doc(&serde_json::json!({
            "reportId": "r", "venueId": "v", "name": "n", "cadence": "daily",
            "timezone": "UTC", "formats": ["pdf"],
            "recipients": ["a@x.example", "B@x.example", "c@x.example"],
            "pausedRecipients": ["b@X.example"]
        }))
        .unwrap();
        assert_eq!(active_recipients(&def), vec!["a@x.example", "c@x.example"]);
    }
}
