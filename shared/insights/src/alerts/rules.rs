//! Alert rule definitions and their validation.

use serde::{Deserialize, Serialize};

/// Metric names a rule may watch (the camelCase names of the metrics API).
pub const METRICS: [&str; 10] = [
    "revenue",
    "ticketsSold",
    "orders",
    "scansAdmitted",
    "scansRejected",
    "scansDuplicate",
    "pageViews",
    "cartAdds",
    "cartCheckouts",
    "cartAbandons",
];

/// Event types (queue names) a flow rule may watch.
pub const EVENT_TYPES: [&str; 6] = [
    "ticket-purchase",
    "ticket-scan",
    "page-view",
    "cart-update",
    "venue-update",
    "ticket-refund",
];

/// Longest window a rule may use: one day of 1-minute buckets.
pub const MAX_WINDOW_MINUTES: u32 = 1_440;

/// A venue's alert rule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AlertRule {
    pub id: String,
    pub venue_id: String,
    pub name: String,
    pub kind: RuleKind,
    pub enabled: bool,
    pub webhook_url: Option<String>,
}

/// Comparison of a [`RuleKind::Threshold`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Op {
    Gt,
    Gte,
    Lt,
    Lte,
}

impl Op {
    #[must_use]
    pub fn holds(self, value: f64, threshold: f64) -> bool {
        match self {
            Self::Gt => value > threshold,
            Self::Gte => value >= threshold,
            Self::Lt => value < threshold,
            Self::Lte => value <= threshold,
        }
    }

    #[must_use]
    pub fn symbol(self) -> &'static str {
        match self {
            Self::Gt => ">",
            Self::Gte => "≥",
            Self::Lt => "<",
            Self::Lte => "≤",
        }
    }
}

/// What a rule watches. Metric values are sums of 1-minute buckets.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(
    tag = "type",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum RuleKind {
    /// The metric summed over the last `window_minutes` compared with `value`.
    Threshold {
        metric: String,
        window_minutes: u32,
        op: Op,
        value: f64,
    },
    /// The last `window_minutes` differ from the preceding `baseline_minutes`
    /// (scaled to the same length) by at least `change_pct` percent, up or down.
    SuddenChange {
        metric: String,
        window_minutes: u32,
        baseline_minutes: u32,
        change_pct: f64,
    },
    /// No event of `event_type` for `minutes` (or never).
    FlowSilent { event_type: String, minutes: u32 },
    /// A dead-letter queue holds messages (one event type, or any).
    DlqNotEmpty { event_type: Option<String> },
    /// Over the last `window_minutes`, at least `min_scans` scans and a share
    /// of them not admitted (rejected + duplicate) of at least `rejection_rate`.
    ScanRejectionSpike {
        window_minutes: u32,
        rejection_rate: f64,
        min_scans: i64,
    },
    /// From `days_before` days out until it starts, a show (one, or every
    /// upcoming show of the venue) is behind the median of the venue's
    /// earlier shows at the same distance by at least `behind_pct` percent
    /// of net tickets.
    PacingBehind {
        #[serde(default)]
        event_id: Option<String>,
        days_before: u32,
        behind_pct: f64,
    },
}

/// Furthest out a pacing rule may start watching.
pub const MAX_PACING_DAYS: u32 = 400;

impl AlertRule {
    /// Check the rule; every problem found is reported.
    pub fn validate(&self) -> Result<(), Vec<String>> {
        let mut errors = Vec::new();
        for (field, value) in [
            ("id", &self.id),
            ("venueId", &self.venue_id),
            ("name", &self.name),
        ] {
            if value.trim().is_empty() {
                errors.push(format!("{field} must not be empty"));
            }
        }
        match &self.kind {
            RuleKind::Threshold {
                metric,
                window_minutes,
                value,
                ..
            } => {
                check_metric(metric, &mut errors);
                check_window("windowMinutes", *window_minutes, &mut errors);
                if !value.is_finite() {
                    errors.push("value must be a finite number".into());
                }
            }
            RuleKind::SuddenChange {
                metric,
                window_minutes,
                baseline_minutes,
                change_pct,
            } => {
                check_metric(metric, &mut errors);
                check_window("windowMinutes", *window_minutes, &mut errors);
                check_window("baselineMinutes", *baseline_minutes, &mut errors);
                if !(change_pct.is_finite() && *change_pct > 0.0) {
                    errors.push(format!(
                        "changePct must be a positive percentage, got {change_pct}"
                    ));
                }
            }
            RuleKind::FlowSilent {
                event_type,
                minutes,
            } => {
                check_event_type(event_type, &mut errors);
                check_window("minutes", *minutes, &mut errors);
            }
            RuleKind::DlqNotEmpty { event_type } => {
                if let Some(t) = event_type {
                    check_event_type(t, &mut errors);
                }
            }
            RuleKind::ScanRejectionSpike {
                window_minutes,
                rejection_rate,
                min_scans,
            } => {
                check_window("windowMinutes", *window_minutes, &mut errors);
                if !(*rejection_rate > 0.0 && *rejection_rate <= 1.0) {
                    errors.push(format!(
                        "rejectionRate must be in (0, 1], got {rejection_rate}"
                    ));
                }
                if *min_scans < 1 {
                    errors.push(format!("minScans must be at least 1, got {min_scans}"));
                }
            }
            RuleKind::PacingBehind {
                event_id,
                days_before,
                behind_pct,
            } => {
                if event_id.as_deref().is_some_and(|e| e.trim().is_empty()) {
                    errors.push("eventId must not be empty (omit it for every show)".into());
                }
                if *days_before > MAX_PACING_DAYS {
                    errors.push(format!(
                        "daysBefore must be at most {MAX_PACING_DAYS}, got {days_before}"
                    ));
                }
                if !(behind_pct.is_finite() && *behind_pct > 0.0 && *behind_pct <= 100.0) {
                    errors.push(format!(
                        "behindPct must be a percentage in (0, 100], got {behind_pct}"
                    ));
                }
            }
        }
        if let Some(Err(e)) = self.webhook_url.as_deref().map(check_webhook) {
            errors.push(e);
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }
}

fn check_metric(metric: &str, errors: &mut Vec<String>) {
    if !METRICS.contains(&metric) {
        errors.push(format!(
            "unknown metric \"{metric}\" (expected one of: {})",
            METRICS.join(", ")
        ));
    }
}

fn check_event_type(event_type: &str, errors: &mut Vec<String>) {
    if !EVENT_TYPES.contains(&event_type) {
        errors.push(format!(
            "unknown event type \"{event_type}\" (expected one of: {})",
            EVENT_TYPES.join(", ")
        ));
    }
}

fn check_window(field: &str, minutes: u32, errors: &mut Vec<String>) {
    if !(1..=MAX_WINDOW_MINUTES).contains(&minutes) {
        errors.push(format!(
            "{field} must be between 1 and {MAX_WINDOW_MINUTES} minutes, got {minutes}"
        ));
    }
}

/// An absolute `http://` or `https://` URL with a host and no whitespace.
fn check_webhook(url: &str) -> Result<(), String> {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .ok_or_else(|| format!("webhookUrl must start with http:// or https://, got \"{url}\""))?;
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let host_name = match host.rsplit_once(':') {
        Some((h, port)) if port.chars().all(|c| c.is_ascii_digit()) => h,
        _ => host,
    };
    if host_name.is_empty() || url.chars().any(char::is_whitespace) {
        return Err(format!(
            "webhookUrl must be an absolute URL with a host, got \"{url}\""
        ));
    }
    Ok(())
}
