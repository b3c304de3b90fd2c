//! Pure evaluation of one rule against the current observations.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use super::rules::{AlertRule, RuleKind};

/// What the scheduler observed for a venue at `now`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Observations {
    pub now: DateTime<Utc>,
    /// Per metric name, `(bucket start, value)` of 1-minute buckets; missing
    /// buckets are zero.
    pub series: BTreeMap<String, Vec<(DateTime<Utc>, f64)>>,
    pub flows: Vec<FlowObs>,
    /// Messages waiting in each event type's dead-letter queue.
    pub dlq_depths: BTreeMap<String, i64>,
    /// Where each upcoming show stands against the venue's earlier shows
    /// (only read when a pacing rule needs it).
    #[serde(default)]
    pub pacing: Vec<PacingObs>,
}

/// One upcoming show's pacing today.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PacingObs {
    pub event_id: String,
    pub name: String,
    /// Venue-local days until the show's day.
    pub days_before: i64,
    /// Net tickets so far.
    pub tickets: i64,
    /// The earlier shows' median at the same distance (`None`: none to compare).
    pub median: Option<f64>,
}

impl PacingObs {
    /// How far behind the median, in percent of it (negative: ahead).
    #[must_use]
    pub fn behind_pct(&self) -> Option<f64> {
        #[allow(clippy::cast_precision_loss)]
        self.median
            .filter(|m| *m > 0.0)
            .map(|m| (m - self.tickets as f64) / m * 100.0)
    }
}

/// Last event seen of one event type.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FlowObs {
    pub event_type: String,
    pub last_event_at: Option<DateTime<Utc>>,
}

/// Result of evaluating a rule once.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Evaluation {
    pub rule_id: String,
    pub condition_met: bool,
    /// The watched quantity (sum, percent change, minutes, depth, rate).
    pub value: Option<f64>,
    pub message: String,
}

impl Observations {
    /// Sum of a metric over buckets starting in `[now − end_ago − minutes, now − end_ago)`.
    fn sum(&self, metric: &str, minutes: u32, end_ago: u32) -> f64 {
        let end = self.now - Duration::minutes(i64::from(end_ago));
        let start = end - Duration::minutes(i64::from(minutes));
        self.series.get(metric).map_or(0.0, |points| {
            points
                .iter()
                .filter(|(t, _)| *t >= start && *t < end)
                .map(|(_, v)| v)
                .sum()
        })
    }
}

/// Evaluate `rule` against `obs`. A disabled rule never meets its condition.
#[must_use]
pub fn evaluate(rule: &AlertRule, obs: &Observations) -> Evaluation {
    let rule_id = rule.id.clone();
    let met = |value: f64, message: String| Evaluation {
        rule_id: rule_id.clone(),
        condition_met: true,
        value: Some(value),
        message,
    };
    let ok = |value: Option<f64>, message: String| Evaluation {
        rule_id: rule_id.clone(),
        condition_met: false,
        value,
        message,
    };
    if !rule.enabled {
        return ok(None, "rule disabled".into());
    }
    match &rule.kind {
        RuleKind::Threshold {
            metric,
            window_minutes,
            op,
            value,
        } => {
            let v = obs.sum(metric, *window_minutes, 0);
            let text = format!("{metric} over the last {window_minutes} min is {v}");
            if op.holds(v, *value) {
                met(v, format!("{text} ({} {value})", op.symbol()))
            } else {
                ok(Some(v), text)
            }
        }
        RuleKind::SuddenChange {
            metric,
            window_minutes,
            baseline_minutes,
            change_pct,
        } => {
            let current = obs.sum(metric, *window_minutes, 0);
            let baseline = obs.sum(metric, *baseline_minutes, *window_minutes)
                * f64::from(*window_minutes)
                / f64::from(*baseline_minutes);
            if baseline <= 0.0 {
                return ok(
                    None,
                    format!(
                        "{metric}: no baseline activity in the preceding {baseline_minutes} min"
                    ),
                );
            }
            let change = (current - baseline) / baseline * 100.0;
            let direction = if change >= 0.0 { "up" } else { "down" };
            let text = format!(
                "{metric} {direction} {:.1}% over the last {window_minutes} min ({current} vs expected {baseline:.1})",
                change.abs()
            );
            if change.abs() >= *change_pct {
                met(change, text)
            } else {
                ok(Some(change), text)
            }
        }
        RuleKind::FlowSilent {
            event_type,
            minutes,
        } => {
            let last = obs
                .flows
                .iter()
                .filter(|f| &f.event_type == event_type)
                .filter_map(|f| f.last_event_at)
                .max();
            match last {
                None => Evaluation {
                    rule_id: rule_id.clone(),
                    condition_met: true,
                    value: None,
                    message: format!("never received a {event_type} event"),
                },
                Some(at) => {
                    let silent = (obs.now - at).num_seconds() as f64 / 60.0;
                    let text = format!("last {event_type} event {silent:.0} min ago");
                    if silent >= f64::from(*minutes) {
                        met(silent, text)
                    } else {
                        ok(Some(silent), text)
                    }
                }
            }
        }
        RuleKind::DlqNotEmpty { event_type } => {
            let depth: i64 = obs
                .dlq_depths
                .iter()
                .filter(|(t, _)| event_type.as_ref().is_none_or(|want| *t == want))
                .map(|(_, d)| *d)
                .sum();
            let scope = event_type.as_deref().unwrap_or("any event type");
            let text = format!("{depth} message(s) in the dead-letter queue of {scope}");
            if depth > 0 {
                met(depth as f64, text)
            } else {
                ok(Some(0.0), text)
            }
        }
        RuleKind::ScanRejectionSpike {
            window_minutes,
            rejection_rate,
            min_scans,
        } => {
            let admitted = obs.sum("scansAdmitted", *window_minutes, 0);
            let refused = obs.sum("scansRejected", *window_minutes, 0)
                + obs.sum("scansDuplicate", *window_minutes, 0);
            let total = admitted + refused;
            if total < *min_scans as f64 || total <= 0.0 {
                return ok(
                    None,
                    format!(
                        "{total} scans in the last {window_minutes} min (< {min_scans} needed)"
                    ),
                );
            }
            let rate = refused / total;
            let text = format!(
                "{:.1}% of {total} scans refused in the last {window_minutes} min (threshold {:.1}%)",
                rate * 100.0,
                rejection_rate * 100.0
            );
            if rate >= *rejection_rate {
                met(rate, text)
            } else {
                ok(Some(rate), text)
            }
        }
        RuleKind::PacingBehind {
            event_id,
            days_before,
            behind_pct,
        } => {
            let watched: Vec<&PacingObs> = obs
                .pacing
                .iter()
                .filter(|p| event_id.as_ref().is_none_or(|e| *e == p.event_id))
                .filter(|p| (0..=i64::from(*days_before)).contains(&p.days_before))
                .collect();
            let mut behind: Vec<(&PacingObs, f64)> = watched
                .iter()
                .filter_map(|p| p.behind_pct().map(|b| (*p, b)))
                .filter(|(_, b)| *b >= *behind_pct)
                .collect();
            behind.sort_by(|a, b| b.1.total_cmp(&a.1));
            let describe = |p: &PacingObs, b: f64| {
                format!(
                    "{} is {b:.1}% behind at {} days out ({} tickets vs median {:.0})",
                    p.name,
                    p.days_before,
                    p.tickets,
                    p.median.unwrap_or(0.0)
                )
            };
            match behind.first() {
                Some((p, b)) => {
                    let mut text = describe(p, *b);
                    if behind.len() > 1 {
                        text.push_str(&format!(" and {} more show(s)", behind.len() - 1));
                    }
                    met(*b, text)
                }
                None if watched.is_empty() => ok(
                    None,
                    format!("no show within {days_before} days to compare"),
                ),
                None => ok(
                    watched
                        .iter()
                        .filter_map(|p| p.behind_pct())
                        .reduce(f64::max),
                    format!(
                        "{} show(s) within {days_before} days, none {behind_pct}% behind",
                        watched.len()
                    ),
                ),
            }
        }
    }
}
