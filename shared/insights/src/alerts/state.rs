//! Alert state machine: `Ok → Firing → Resolved → Firing …`, with a
//! transition reported only when the status changes (no re-fire spam while
//! a condition stays true, no repeated "resolved" while it stays false).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::evaluate::Evaluation;

/// Current status of a rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Status {
    /// Never fired since it was created.
    Ok,
    Firing,
    /// Fired before, condition no longer met.
    Resolved,
}

/// Persisted state of one rule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AlertState {
    pub rule_id: String,
    pub status: Status,
    /// When the current status began.
    pub since: DateTime<Utc>,
    pub last_value: Option<f64>,
    pub message: String,
}

/// Direction of a status change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum TransitionKind {
    Fired,
    Resolved,
}

/// A status change, to notify (webhook, dashboard).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Transition {
    pub rule_id: String,
    pub kind: TransitionKind,
    pub at: DateTime<Utc>,
    pub value: Option<f64>,
    pub message: String,
}

/// Advance a rule's state with a new evaluation.
///
/// | previous        | condition met | new status | transition |
/// |-----------------|---------------|------------|------------|
/// | none / Ok       | no            | Ok         | —          |
/// | none / Ok       | yes           | Firing     | Fired      |
/// | Firing          | yes           | Firing     | —          |
/// | Firing          | no            | Resolved   | Resolved   |
/// | Resolved        | no            | Resolved   | —          |
/// | Resolved        | yes           | Firing     | Fired      |
///
/// `since` changes only with the status; value and message always update.
#[must_use]
pub fn step(
    prev: Option<&AlertState>,
    eval: &Evaluation,
    now: DateTime<Utc>,
) -> (AlertState, Option<Transition>) {
    let rule_id = eval.rule_id.as_str();
    let previous = prev.map_or(Status::Ok, |p| p.status);
    let status = match (previous, eval.condition_met) {
        (_, true) => Status::Firing,
        (Status::Firing | Status::Resolved, false) => Status::Resolved,
        (Status::Ok, false) => Status::Ok,
    };
    let changed = prev.is_none_or(|p| p.status != status);
    let since = match prev {
        Some(p) if !changed => p.since,
        _ => now,
    };
    let transition = match (previous, status) {
        (Status::Ok | Status::Resolved, Status::Firing) => Some(TransitionKind::Fired),
        (Status::Firing, Status::Resolved) => Some(TransitionKind::Resolved),
        _ => None,
    }
    .map(|kind| Transition {
        rule_id: rule_id.to_owned(),
        kind,
        at: now,
        value: eval.value,
        message: eval.message.clone(),
    });
    let state = AlertState {
        rule_id: rule_id.to_owned(),
        status,
        since,
        last_value: eval.value,
        message: eval.message.clone(),
    };
    (state, transition)
}
