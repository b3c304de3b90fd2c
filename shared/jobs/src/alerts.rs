//! The alerts job (every minute): evaluate each venue's alert rules against
//! what the stores observed, advance each rule's firing/resolved state, and
//! deliver the transitions — a history document, a realtime message to the
//! venue's dashboards and, when the rule has one, a webhook POST.
//!
//! Documents (kind / id): rules `alert-rule` / rule id (written by the API),
//! states `alert-state` / rule id, transitions `alert-history` /
//! `{ruleId}#{at}` (kept [`HISTORY_TTL_DAYS`] days).
//!
//! Observations: 1-minute venue rollups over the longest window the venue's
//! rules need, the flows table (last event per event type, across all
//! sources and venues: a silent flow is a pipeline that stopped) and the
//! dead-letter queue depths.

use std::collections::BTreeMap;
use std::time::Duration as StdDuration;

use chrono::{DateTime, Duration, SecondsFormat, Utc};
use domain::ports::{FlowRecord, RollupRow, ShowRecord, VenueRecord};
use domain::{EventType, Granularity};
use insights::alerts::{
    AlertRule, AlertState, FlowObs, Observations, PacingObs, RuleKind, Status, Transition,
    TransitionKind, evaluate, step,
};
use serde::{Deserialize, Serialize};

use crate::{JobError, Ports};

/// Name of the job in the schedules (`{"job":"alerts"}`).
pub const JOB: &str = "alerts";
pub const RULE_KIND: &str = "alert-rule";
pub const STATE_KIND: &str = "alert-state";
pub const HISTORY_KIND: &str = "alert-history";
/// History documents expire after this many days.
pub const HISTORY_TTL_DAYS: i64 = 90;
/// A webhook that has not answered by then is given up on (logged).
pub const WEBHOOK_TIMEOUT: StdDuration = StdDuration::from_secs(2);

/// What one run did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Summary {
    pub venues: usize,
    pub rules: usize,
    /// Stored rules that did not parse (skipped, logged).
    pub malformed_rules: usize,
    /// Rules firing after this run.
    pub firing: usize,
    pub fired: usize,
    pub resolved: usize,
    pub pushed: usize,
    pub webhooks_sent: usize,
    pub webhook_failures: usize,
}

/// A rule's state as stored: the state machine's [`AlertState`] plus the
/// rule's name, so the dashboard can list firing alerts from states alone.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StoredState {
    #[serde(flatten)]
    pub state: AlertState,
    pub name: String,
    pub venue_id: String,
}

/// A transition as stored in the history, pushed and POSTed to webhooks.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AlertNotice {
    /// Always `"alert"` (the realtime message type).
    #[serde(rename = "type")]
    pub kind: String,
    pub venue_id: String,
    pub name: String,
    #[serde(flatten)]
    pub transition: Transition,
}

impl AlertNotice {
    fn new(venue: &str, rule: &AlertRule, transition: Transition) -> Self {
        Self {
            kind: "alert".into(),
            venue_id: venue.to_owned(),
            name: rule.name.clone(),
            transition,
        }
    }

    /// `{ruleId}#{at}`: a rule's transitions sort by time.
    #[must_use]
    pub fn history_id(&self) -> String {
        format!(
            "{}#{}",
            self.transition.rule_id,
            self.transition
                .at
                .to_rfc3339_opts(SecondsFormat::Millis, true)
        )
    }
}

/// Minutes of 1-minute history a rule looks at.
#[must_use]
pub fn lookback_minutes(rule: &AlertRule) -> u32 {
    match &rule.kind {
        RuleKind::Threshold { window_minutes, .. }
        | RuleKind::ScanRejectionSpike { window_minutes, .. } => *window_minutes,
        RuleKind::SuddenChange {
            window_minutes,
            baseline_minutes,
            ..
        } => window_minutes + baseline_minutes,
        RuleKind::FlowSilent { .. }
        | RuleKind::DlqNotEmpty { .. }
        | RuleKind::PacingBehind { .. } => 0,
    }
}

/// The last event per event type across sources.
#[must_use]
pub fn flow_obs(flows: &[FlowRecord]) -> Vec<FlowObs> {
    let mut last: BTreeMap<&str, Option<DateTime<Utc>>> = BTreeMap::new();
    for f in flows {
        let e = last.entry(f.event_type.as_str()).or_default();
        *e = (*e).max(f.last_event_at);
    }
    last.into_iter()
        .map(|(t, at)| FlowObs {
            event_type: t.to_owned(),
            last_event_at: at,
        })
        .collect()
}

/// Observations of one venue from its 1-minute rollups.
#[must_use]
pub fn observations(
    rows: &[RollupRow],
    flows: Vec<FlowObs>,
    dlq_depths: BTreeMap<String, i64>,
    now: DateTime<Utc>,
) -> Observations {
    let mut series: BTreeMap<String, Vec<(DateTime<Utc>, f64)>> = BTreeMap::new();
    for r in rows {
        let Some(t) = DateTime::from_timestamp(r.bucket, 0) else {
            continue;
        };
        for (m, v) in &r.base {
            #[allow(clippy::cast_precision_loss)]
            series
                .entry(m.as_str().to_owned())
                .or_default()
                .push((t, *v as f64));
        }
    }
    Observations {
        now,
        series,
        flows,
        dlq_depths,
        pacing: Vec::new(),
    }
}

/// Where each upcoming show a pacing rule watches stands today: read only
/// for venues with such a rule, only for shows within the rules' reach (a
/// daily query for the show and one per earlier show compared, ≤ 12).
async fn pacing_obs(
    ports: &Ports,
    venue: &VenueRecord,
    rules: &[AlertRule],
    now: DateTime<Utc>,
) -> Result<Vec<PacingObs>, JobError> {
    let watch: Vec<(Option<&str>, u32)> = rules
        .iter()
        .filter(|r| r.enabled)
        .filter_map(|r| match &r.kind {
            RuleKind::PacingBehind {
                event_id,
                days_before,
                ..
            } => Some((event_id.as_deref(), *days_before)),
            _ => None,
        })
        .collect();
    if watch.is_empty() {
        return Ok(Vec::new());
    }
    let tz: chrono_tz::Tz = venue
        .timezone
        .as_deref()
        .and_then(|t| t.parse().ok())
        .unwrap_or(chrono_tz::UTC);
    let days_out = |show: &ShowRecord| {
        (show.starts_at.with_timezone(&tz).date_naive() - now.with_timezone(&tz).date_naive())
            .num_days()
    };
    let mut out = Vec::new();
    for show in venue.shows.iter().filter(|s| s.starts_at >= now) {
        let d = days_out(show);
        let reach = watch
            .iter()
            .filter(|(e, _)| e.is_none_or(|e| e == show.event_id))
            .map(|(_, n)| i64::from(*n))
            .max();
        if reach.is_none_or(|n| d > n) {
            continue;
        }
        let p = crate::pacing::read(ports.reader.as_ref(), venue, show, tz, d, now).await?;
        if let Some(at) = p.now {
            out.push(PacingObs {
                event_id: show.event_id.clone(),
                name: show.name.clone(),
                days_before: at.days_before,
                tickets: at.tickets,
                median: at.median,
            });
        }
    }
    Ok(out)
}

/// Evaluate every venue's rules at `now`, store states and deliver transitions.
///
/// # Errors
/// A failed read or write of the stores (the next run retries; states are
/// only advanced once stored). Delivery failures (push, webhook) are logged
/// and counted, never fatal.
pub async fn run(ports: &Ports, now: DateTime<Utc>) -> Result<Summary, JobError> {
    let venues = ports.reader.venues().await?;
    let mut summary = Summary {
        venues: venues.len(),
        ..Summary::default()
    };
    let mut flows: Option<Vec<FlowObs>> = None;
    let mut dlq: Option<BTreeMap<String, i64>> = None;
    let client = reqwest::Client::builder()
        .timeout(WEBHOOK_TIMEOUT)
        .build()
        .map_err(|e| JobError::Invalid(format!("http client: {e}")))?;
    for venue in &venues {
        let venue_id = venue.venue_id.as_str();
        let rules = load_rules(ports, venue_id, &mut summary).await?;
        if rules.is_empty() {
            continue;
        }
        // Read what the rules need, once per run.
        if flows.is_none()
            && rules
                .iter()
                .any(|r| matches!(r.kind, RuleKind::FlowSilent { .. }))
        {
            flows = Some(flow_obs(&ports.reader.flows(now).await?));
        }
        if dlq.is_none()
            && rules
                .iter()
                .any(|r| matches!(r.kind, RuleKind::DlqNotEmpty { .. }))
        {
            dlq = Some(dlq_depths(ports).await?);
        }
        let lookback = rules.iter().map(lookback_minutes).max().unwrap_or(0);
        let rows = if lookback > 0 {
            let from = (now - Duration::minutes(i64::from(lookback))).timestamp();
            ports
                .reader
                .rollups(venue_id, None, Granularity::Minute, from, now.timestamp())
                .await?
        } else {
            Vec::new()
        };
        let mut obs = observations(
            &rows,
            flows.clone().unwrap_or_default(),
            dlq.clone().unwrap_or_default(),
            now,
        );
        obs.pacing = pacing_obs(ports, venue, &rules, now).await?;
        for rule in &rules {
            advance(ports, &client, venue_id, rule, &obs, now, &mut summary).await?;
        }
    }
    tracing::info!(?summary, "alerts job done");
    Ok(summary)
}

async fn load_rules(
    ports: &Ports,
    venue: &str,
    summary: &mut Summary,
) -> Result<Vec<AlertRule>, JobError> {
    let docs = ports.docs.list(RULE_KIND, venue).await?;
    let mut rules = Vec::with_capacity(docs.len());
    for doc in docs {
        match serde_json::from_value::<AlertRule>(doc) {
            Ok(r) => rules.push(r),
            Err(e) => {
                summary.malformed_rules += 1;
                tracing::warn!(venue, error = %e, "skipping a malformed alert rule");
            }
        }
    }
    summary.rules += rules.len();
    Ok(rules)
}

async fn dlq_depths(ports: &Ports) -> Result<BTreeMap<String, i64>, JobError> {
    let mut out = BTreeMap::new();
    for t in EventType::ALL {
        if let Some(depth) = ports.queues.dlq_depth(t).await? {
            out.insert(t.as_str().to_owned(), depth);
        }
    }
    Ok(out)
}

/// Evaluate one rule, store its new state and deliver a transition.
async fn advance(
    ports: &Ports,
    client: &reqwest::Client,
    venue: &str,
    rule: &AlertRule,
    obs: &Observations,
    now: DateTime<Utc>,
    summary: &mut Summary,
) -> Result<(), JobError> {
    let prev: Option<AlertState> = match ports.docs.get(STATE_KIND, venue, &rule.id).await? {
        Some(doc) => serde_json::from_value(doc)
            .inspect_err(|e| tracing::warn!(venue, rule = rule.id, error = %e, "ignoring a malformed alert state"))
            .ok(),
        None => None,
    };
    let eval = evaluate(rule, obs);
    let (state, transition) = step(prev.as_ref(), &eval, now);
    if state.status == Status::Firing {
        summary.firing += 1;
    }
    let stored = StoredState {
        state,
        name: rule.name.clone(),
        venue_id: venue.to_owned(),
    };
    ports
        .docs
        .put(STATE_KIND, venue, &rule.id, &to_json(&stored)?, None)
        .await?;
    let Some(transition) = transition else {
        return Ok(());
    };
    match transition.kind {
        TransitionKind::Fired => summary.fired += 1,
        TransitionKind::Resolved => summary.resolved += 1,
    }
    let notice = AlertNotice::new(venue, rule, transition);
    let body = to_json(&notice)?;
    tracing::info!(venue, rule = rule.id, kind = ?notice.transition.kind, message = notice.transition.message, "alert transition");
    let ttl = now + Duration::days(HISTORY_TTL_DAYS);
    ports
        .docs
        .put(HISTORY_KIND, venue, &notice.history_id(), &body, Some(ttl))
        .await?;
    if let Some(push) = &ports.push {
        match push.push(venue, &body).await {
            Ok(()) => summary.pushed += 1,
            Err(e) => {
                tracing::warn!(venue, rule = rule.id, error = %e, "pushing an alert to dashboards failed")
            }
        }
    }
    if let Some(url) = rule.webhook_url.as_deref() {
        match client
            .post(url)
            .json(&body)
            .send()
            .await
            .and_then(reqwest::Response::error_for_status)
        {
            Ok(_) => summary.webhooks_sent += 1,
            Err(e) => {
                summary.webhook_failures += 1;
                tracing::warn!(venue, rule = rule.id, error = %e, "alert webhook failed");
            }
        }
    }
    Ok(())
}

fn to_json<T: Serialize>(v: &T) -> Result<serde_json::Value, JobError> {
    serde_json::to_value(v).map_err(|e| JobError::Invalid(e.to_string()))
}

/// Raises (or resolves) an alert that no rule evaluates: the pipeline's own
/// (a report that paused itself). It is stored and delivered like a rule's
/// transition — state, history, a push to the venue's dashboards — under
/// `rule_id`, which no rule document has, so the alerts job leaves it be.
///
/// # Errors
/// A failed write of the state or the history.
pub async fn raise(
    ports: &Ports,
    venue: &str,
    rule_id: &str,
    name: &str,
    kind: TransitionKind,
    message: String,
    now: DateTime<Utc>,
) -> Result<(), JobError> {
    let state = AlertState {
        rule_id: rule_id.to_owned(),
        status: match kind {
            TransitionKind::Fired => Status::Firing,
            TransitionKind::Resolved => Status::Resolved,
        },
        since: now,
        last_value: None,
        message: message.clone(),
    };
    let stored = StoredState {
        state,
        name: name.to_owned(),
        venue_id: venue.to_owned(),
    };
    ports
        .docs
        .put(STATE_KIND, venue, rule_id, &to_json(&stored)?, None)
        .await?;
    let notice = AlertNotice {
        kind: "alert".into(),
        venue_id: venue.to_owned(),
        name: name.to_owned(),
        transition: Transition {
            rule_id: rule_id.to_owned(),
            kind,
            at: now,
            value: None,
            message,
        },
    };
    let body = to_json(&notice)?;
    tracing::info!(venue, rule = rule_id, ?kind, "pipeline alert");
    let ttl = now + Duration::days(HISTORY_TTL_DAYS);
    ports
        .docs
        .put(HISTORY_KIND, venue, &notice.history_id(), &body, Some(ttl))
        .await?;
    if let Some(push) = &ports.push
        && let Err(e) = push.push(venue, &body).await
    {
        tracing::warn!(venue, rule = rule_id, error = %e, "pushing an alert to dashboards failed");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use domain::Metric;

    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    fn rule(kind: RuleKind) -> AlertRule {
        AlertRule {
            id: "r1".into(),
            venue_id: "v".into(),
            name: "Sales stalled".into(),
            kind,
            enabled: true,
            webhook_url: None,
        }
    }

    fn flow(t: EventType, source: &str, last: Option<&str>) -> FlowRecord {
        FlowRecord {
            event_type: t,
            source: source.into(),
            last_event_at: last.map(at),
            total: 1,
            rejected: 0,
            events_last_hour: 0,
        }
    }

    #[test]
    fn lookback_covers_window_and_baseline() {
        let sudden = rule(RuleKind::SuddenChange {
            metric: "orders".into(),
            window_minutes: 15,
            baseline_minutes: 60,
            change_pct: 50.0,
        });
        assert_eq!(lookback_minutes(&sudden), 75);
        let silent = rule(RuleKind::FlowSilent {
            event_type: "ticket-purchase".into(),
            minutes: 10,
        });
        assert_eq!(lookback_minutes(&silent), 0);
    }

    #[test]
    fn flows_keep_the_latest_event_per_type() {
        let flows = [
            flow(
                EventType::TicketPurchase,
                "web",
                Some("2026-05-01T10:00:00Z"),
            ),
            flow(
                EventType::TicketPurchase,
                "box-office",
                Some("2026-05-01T11:00:00Z"),
            ),
            flow(EventType::TicketScan, "gate", None),
        ];
        let obs = flow_obs(&flows);
        assert_eq!(obs.len(), 2);
        assert_eq!(obs[0].event_type, "ticket-purchase");
        assert_eq!(obs[0].last_event_at, Some(at("2026-05-01T11:00:00Z")));
        assert_eq!(
            obs[1],
            FlowObs {
                event_type: "ticket-scan".into(),
                last_event_at: None
            }
        );
    }

    #[test]
    fn minute_rollups_feed_a_threshold_rule() {
        let now = at("2026-05-01T12:00:30Z");
        let row = |t: &str, n: i64| RollupRow {
            bucket: at(t).timestamp(),
            base: BTreeMap::from([(Metric::TicketsSold, n), (Metric::Orders, 1)]),
            ..RollupRow::default()
        };
        // 11:50 is outside a 10-minute window ending at 12:00:30; 12:00 (the current minute) is inside.
        let rows = [
            row("2026-05-01T11:50:00Z", 100),
            row("2026-05-01T11:55:00Z", 3),
            row("2026-05-01T12:00:00Z", 4),
        ];
        let obs = observations(&rows, vec![], BTreeMap::new(), now);
        assert_eq!(obs.series["ticketsSold"].len(), 3);
        let r = rule(RuleKind::Threshold {
            metric: "ticketsSold".into(),
            window_minutes: 10,
            op: insights::alerts::Op::Lt,
            value: 10.0,
        });
        let e = evaluate(&r, &obs);
        assert_eq!(e.value, Some(7.0));
        assert!(e.condition_met);
    }

    #[test]
    fn notices_are_alert_messages_with_sortable_ids() {
        let r = rule(RuleKind::FlowSilent {
            event_type: "ticket-purchase".into(),
            minutes: 10,
        });
        let t = Transition {
            rule_id: "r1".into(),
            kind: TransitionKind::Fired,
            at: at("2026-05-01T12:00:00Z"),
            value: Some(12.0),
            message: "last ticket-purchase event 12 min ago".into(),
        };
        let n = AlertNotice::new("v", &r, t);
        assert_eq!(n.history_id(), "r1#2026-05-01T12:00:00.000Z");
        let v = serde_json::to_value(&n).unwrap();
        assert_eq!(v["type"], "alert");
        assert_eq!(v["kind"], "fired");
        assert_eq!(v["ruleId"], "r1");
        assert_eq!(v["name"], "Sales stalled");
        assert_eq!(v["venueId"], "v");
        assert_eq!(serde_json::from_value::<AlertNotice>(v).unwrap(), n);
    }
}
