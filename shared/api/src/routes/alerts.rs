//! `/api/alerts`: alert rules (DocumentStore kind `alert-rule`), validated by
//! `insights::alerts::AlertRule::validate`, and what the alerts job records:
//! states (`alert-state`, one per rule) and transitions (`alert-history`).
//!
//! A rule body: `{"name", "kind": {"type": "threshold" | "suddenChange" |
//! "flowSilent" | "dlqNotEmpty" | "scanRejectionSpike", …}, "enabled",
//! "webhookUrl"}` — the kinds and their fields are in `docs/MODELS.md` §3.

use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use insights::alerts::{AlertRule, RuleKind};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::access::VenueAccess;
use crate::documents;
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiPath};
use crate::openapi::VenueErrors;
use crate::state::AppState;

pub const RULE_KIND: &str = "alert-rule";
pub const STATE_KIND: &str = "alert-state";
pub const HISTORY_KIND: &str = "alert-history";
/// Transitions listed in the overview, latest first.
pub const HISTORY_LIMIT: usize = 50;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AlertRuleInput {
    pub name: String,
    /// What the rule watches, tagged by `type`.
    #[schema(value_type = Object)]
    pub kind: RuleKind,
    /// Default true.
    pub enabled: Option<bool>,
    /// POSTed the transition as JSON (2 s timeout) when set.
    pub webhook_url: Option<String>,
}

/// A stored rule: the model's rule plus who made it and when.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct StoredRule {
    /// `id`, `venueId`, `name`, `kind`, `enabled`, `webhookUrl`.
    #[serde(flatten)]
    #[schema(value_type = Object)]
    pub rule: AlertRule,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub created_by: String,
}

/// A rule's state as the alerts job stored it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AlertStateView {
    pub rule_id: String,
    pub name: Option<String>,
    /// `ok`, `firing` or `resolved`.
    pub status: String,
    /// When the current status began.
    pub since: Option<DateTime<Utc>>,
    pub last_value: Option<f64>,
    #[serde(default)]
    pub message: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AlertOverview {
    pub rules: Vec<StoredRule>,
    /// Rules currently firing.
    pub firing: Vec<AlertStateView>,
    /// Every rule's current state.
    pub states: Vec<AlertStateView>,
    /// The latest transitions (fired / resolved), newest first.
    #[schema(value_type = Vec<Object>)]
    pub history: Vec<serde_json::Value>,
}

/// Build and validate a rule; 400 lists every problem.
pub fn validate_rule(
    input: AlertRuleInput,
    venue: &str,
    rule_id: String,
    created: (DateTime<Utc>, String),
    now: DateTime<Utc>,
) -> ApiResult<StoredRule> {
    let rule = AlertRule {
        id: rule_id,
        venue_id: venue.to_owned(),
        name: input.name.trim().to_owned(),
        kind: input.kind,
        enabled: input.enabled.unwrap_or(true),
        webhook_url: input
            .webhook_url
            .map(|u| u.trim().to_owned())
            .filter(|u| !u.is_empty()),
    };
    rule.validate()
        .map_err(|errors| ApiError::bad_request(errors.join("; ")))?;
    Ok(StoredRule {
        rule,
        created_at: created.0,
        created_by: created.1,
        updated_at: now,
    })
}

fn at_of(doc: &serde_json::Value) -> &str {
    doc.get("at").and_then(|v| v.as_str()).unwrap_or_default()
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(alert_overview, create_rule))
        .routes(routes!(update_rule, delete_rule))
}

/// Rules, firing alerts, every rule's state and the latest transitions.
#[utoipa::path(get, path = "/api/alerts/{venueId}", tag = "alerts", security(("bearer" = [])),
    params(("venueId" = String, Path, description = "Venue id")),
    responses((status = 200, description = "Success", body = AlertOverview), VenueErrors))]
#[tracing::instrument(skip_all)]
pub async fn alert_overview(
    State(state): State<AppState>,
    access: VenueAccess,
) -> ApiResult<Json<AlertOverview>> {
    let (rules, states, mut history) = tokio::try_join!(
        documents::list::<StoredRule>(&state, RULE_KIND, access.id()),
        documents::list::<AlertStateView>(&state, STATE_KIND, access.id()),
        async { Ok::<_, ApiError>(state.docs.list(HISTORY_KIND, access.id()).await?) },
    )?;
    // States of deleted rules are not shown; names come from the rules. The
    // pipeline's own alerts (a report that paused itself) have no rule and
    // carry their name.
    let states: Vec<AlertStateView> = states
        .into_iter()
        .filter_map(|mut s| {
            if jobs::reports::delivery::is_pipeline_alert(&s.rule_id) {
                return Some(s);
            }
            let rule = rules.iter().find(|r| r.rule.id == s.rule_id)?;
            s.name = Some(rule.rule.name.clone());
            Some(s)
        })
        .collect();
    let firing = states
        .iter()
        .filter(|s| s.status == "firing")
        .cloned()
        .collect();
    // RFC 3339 UTC times of one format sort as strings.
    history.sort_by(|a, b| at_of(b).cmp(at_of(a)));
    history.truncate(HISTORY_LIMIT);
    Ok(Json(AlertOverview {
        rules,
        firing,
        states,
        history,
    }))
}

/// Creates a rule; answers 201 with its `Location`.
#[utoipa::path(post, path = "/api/alerts/{venueId}", tag = "alerts", security(("bearer" = [])),
    params(("venueId" = String, Path, description = "Venue id")),
    request_body = AlertRuleInput,
    responses((status = 201, description = "Created", body = StoredRule), VenueErrors))]
#[tracing::instrument(skip_all)]
pub async fn create_rule(
    State(state): State<AppState>,
    access: VenueAccess,
    ApiJson(input): ApiJson<AlertRuleInput>,
) -> ApiResult<Response> {
    let now = state.now();
    let rule = validate_rule(
        input,
        access.id(),
        uuid::Uuid::new_v4().to_string(),
        (now, access.claims.sub.clone()),
        now,
    )?;
    documents::put(&state, RULE_KIND, access.id(), &rule.rule.id, &rule).await?;
    let location = format!("/api/alerts/{}/{}", access.id(), rule.rule.id);
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, location)],
        Json(rule),
    )
        .into_response())
}

/// Replaces a rule.
#[utoipa::path(put, path = "/api/alerts/{venueId}/{ruleId}", tag = "alerts", security(("bearer" = [])),
    params(("venueId" = String, Path, description = "Venue id"), ("ruleId" = String, Path, description = "Rule id")),
    request_body = AlertRuleInput,
    responses((status = 200, description = "Success", body = StoredRule), VenueErrors))]
#[tracing::instrument(skip_all)]
pub async fn update_rule(
    State(state): State<AppState>,
    access: VenueAccess,
    ApiPath((_, rule_id)): ApiPath<(String, String)>,
    ApiJson(input): ApiJson<AlertRuleInput>,
) -> ApiResult<Json<StoredRule>> {
    let existing: StoredRule = documents::get(&state, RULE_KIND, access.id(), &rule_id)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("no alert rule {rule_id:?}")))?;
    let rule = validate_rule(
        input,
        access.id(),
        rule_id,
        (existing.created_at, existing.created_by),
        state.now(),
    )?;
    documents::put(&state, RULE_KIND, access.id(), &rule.rule.id, &rule).await?;
    Ok(Json(rule))
}

/// Deletes a rule and its state (its history stays until it expires).
#[utoipa::path(delete, path = "/api/alerts/{venueId}/{ruleId}", tag = "alerts", security(("bearer" = [])),
    params(("venueId" = String, Path, description = "Venue id"), ("ruleId" = String, Path, description = "Rule id")),
    responses((status = 204, description = "Deleted"), VenueErrors))]
#[tracing::instrument(skip_all)]
pub async fn delete_rule(
    State(state): State<AppState>,
    access: VenueAccess,
    ApiPath((_, rule_id)): ApiPath<(String, String)>,
) -> ApiResult<StatusCode> {
    if state.docs.delete(RULE_KIND, access.id(), &rule_id).await? {
        state.docs.delete(STATE_KIND, access.id(), &rule_id).await?;
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::not_found(format!("no alert rule {rule_id:?}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::summary::tests::at;

    #[test]
    fn rules_are_validated_by_the_model_with_every_problem_listed() {
        let t = at("2026-01-01T00:00:00Z");
        let check = |body: serde_json::Value| {
            let input: AlertRuleInput = serde_json::from_value(body).unwrap();
            validate_rule(input, "v1", "r".into(), (t, "alice".into()), t)
        };
        let ok = check(serde_json::json!({
            "name": " Sales stalled ",
            "kind": {"type": "flowSilent", "eventType": "ticket-purchase", "minutes": 10},
            "webhookUrl": "https://hooks.example/alerts"
        }))
        .unwrap();
        assert!(ok.rule.enabled);
        assert_eq!(ok.rule.name, "Sales stalled");
        assert_eq!(ok.rule.venue_id, "v1");
        let v = serde_json::to_value(&ok).unwrap();
        assert_eq!(v["id"], "r");
        assert_eq!(v["kind"]["type"], "flowSilent");
        assert_eq!(v["createdBy"], "alice");
        assert_eq!(serde_json::from_value::<StoredRule>(v).unwrap(), ok);

        let bad = check(serde_json::json!({
            "name": "",
            "kind": {"type": "threshold", "metric": "nope", "windowMinutes": 0, "op": "gt", "value": 1},
            "webhookUrl": "ftp://x"
        }));
        let Err(ApiError::BadRequest(msg)) = bad else {
            panic!("expected 400, got {bad:?}")
        };
        for part in [
            "name must not be empty",
            "unknown metric \"nope\"",
            "windowMinutes must be between 1 and 1440",
            "webhookUrl must start with http",
        ] {
            assert!(msg.contains(part), "{part:?} missing from {msg:?}");
        }
        let spike = check(serde_json::json!({
            "name": "Gate trouble",
            "kind": {"type": "scanRejectionSpike", "windowMinutes": 5, "rejectionRate": 1.5, "minScans": 0},
            "enabled": false
        }));
        assert!(
            matches!(spike, Err(ApiError::BadRequest(m)) if m.contains("rejectionRate") && m.contains("minScans"))
        );
    }
}
