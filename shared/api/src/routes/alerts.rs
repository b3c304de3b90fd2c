//! `/api/alerts`: alert rules (DocumentStore kind `alert-rule`) and the states
//! the alert evaluator records (kind `alert-state`).

use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::access::VenueAccess;
use crate::documents;
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiPath};
use crate::openapi::VenueErrors;
use crate::series::SeriesMetric;
use crate::state::AppState;
use crate::validate;

pub const RULE_KIND: &str = "alert-rule";
pub const STATE_KIND: &str = "alert-state";
pub const CONDITIONS: [&str; 2] = ["above", "below"];
pub const MAX_WINDOW_MINUTES: i64 = 1_440;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AlertRuleInput {
    pub name: String,
    /// A metric name as in `/api/metrics`.
    pub metric: String,
    /// `above` or `below`.
    pub condition: String,
    /// Compared with the metric's total over the window (money in minor units).
    pub threshold: f64,
    /// 1–1440.
    pub window_minutes: i64,
    pub event_id: Option<String>,
    /// Default true.
    pub enabled: Option<bool>,
    /// E-mail addresses to notify.
    #[serde(default)]
    pub notify: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AlertRule {
    pub rule_id: String,
    pub name: String,
    pub metric: String,
    pub condition: String,
    pub threshold: f64,
    pub window_minutes: i64,
    pub event_id: Option<String>,
    pub enabled: bool,
    pub notify: Vec<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub created_by: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AlertOverview {
    pub rules: Vec<AlertRule>,
    /// States with `status: "firing"`, as the evaluator wrote them.
    pub firing: Vec<serde_json::Value>,
    /// The other recorded states (resolved, ok).
    pub history: Vec<serde_json::Value>,
}

pub fn validate_rule(
    input: AlertRuleInput,
    rule_id: String,
    created: (DateTime<Utc>, String),
    now: DateTime<Utc>,
) -> ApiResult<AlertRule> {
    let name = validate::name("name", &input.name)?;
    input
        .metric
        .parse::<SeriesMetric>()
        .map_err(ApiError::BadRequest)?;
    if !CONDITIONS.contains(&input.condition.as_str()) {
        return Err(ApiError::bad_request("`condition` must be above or below"));
    }
    if !input.threshold.is_finite() {
        return Err(ApiError::bad_request("`threshold` must be a finite number"));
    }
    if !(1..=MAX_WINDOW_MINUTES).contains(&input.window_minutes) {
        return Err(ApiError::bad_request(format!(
            "`windowMinutes` must be 1–{MAX_WINDOW_MINUTES}"
        )));
    }
    let notify = input
        .notify
        .iter()
        .map(|e| validate::email(e))
        .collect::<ApiResult<Vec<_>>>()?;
    Ok(AlertRule {
        rule_id,
        name,
        metric: input.metric,
        condition: input.condition,
        threshold: input.threshold,
        window_minutes: input.window_minutes,
        event_id: input.event_id.filter(|e| !e.is_empty()),
        enabled: input.enabled.unwrap_or(true),
        notify,
        created_at: created.0,
        created_by: created.1,
        updated_at: now,
    })
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(alert_overview, create_rule))
        .routes(routes!(update_rule, delete_rule))
}

/// Rules, firing alerts and past states.
#[utoipa::path(get, path = "/api/alerts/{venueId}", tag = "alerts", security(("bearer" = [])),
    params(("venueId" = String, Path, description = "Venue id")),
    responses((status = 200, description = "Success", body = AlertOverview), VenueErrors))]
#[tracing::instrument(skip_all)]
pub async fn alert_overview(
    State(state): State<AppState>,
    access: VenueAccess,
) -> ApiResult<Json<AlertOverview>> {
    let (rules, states) = tokio::try_join!(
        documents::list::<AlertRule>(&state, RULE_KIND, access.id()),
        async { Ok::<_, ApiError>(state.docs.list(STATE_KIND, access.id()).await?) },
    )?;
    let (firing, history) = states
        .into_iter()
        .partition(|s| s.get("status").and_then(|v| v.as_str()) == Some("firing"));
    Ok(Json(AlertOverview {
        rules,
        firing,
        history,
    }))
}

/// Creates a rule; answers 201 with its `Location`.
#[utoipa::path(post, path = "/api/alerts/{venueId}", tag = "alerts", security(("bearer" = [])),
    params(("venueId" = String, Path, description = "Venue id")),
    request_body = AlertRuleInput,
    responses((status = 201, description = "Created", body = AlertRule), VenueErrors))]
#[tracing::instrument(skip_all)]
pub async fn create_rule(
    State(state): State<AppState>,
    access: VenueAccess,
    ApiJson(input): ApiJson<AlertRuleInput>,
) -> ApiResult<Response> {
    let now = state.now();
    let rule = validate_rule(
        input,
        uuid::Uuid::new_v4().to_string(),
        (now, access.claims.sub.clone()),
        now,
    )?;
    documents::put(&state, RULE_KIND, access.id(), &rule.rule_id, &rule).await?;
    let location = format!("/api/alerts/{}/{}", access.id(), rule.rule_id);
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
    responses((status = 200, description = "Success", body = AlertRule), VenueErrors))]
#[tracing::instrument(skip_all)]
pub async fn update_rule(
    State(state): State<AppState>,
    access: VenueAccess,
    ApiPath((_, rule_id)): ApiPath<(String, String)>,
    ApiJson(input): ApiJson<AlertRuleInput>,
) -> ApiResult<Json<AlertRule>> {
    let existing: AlertRule = documents::get(&state, RULE_KIND, access.id(), &rule_id)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("no alert rule {rule_id:?}")))?;
    let rule = validate_rule(
        input,
        rule_id,
        (existing.created_at, existing.created_by),
        state.now(),
    )?;
    documents::put(&state, RULE_KIND, access.id(), &rule.rule_id, &rule).await?;
    Ok(Json(rule))
}

/// Deletes a rule.
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
    fn rules_are_validated() {
        let t = at("2026-01-01T00:00:00Z");
        let input = AlertRuleInput {
            name: "Slow sales".into(),
            metric: "ticketsSold".into(),
            condition: "below".into(),
            threshold: 5.0,
            window_minutes: 60,
            event_id: None,
            enabled: None,
            notify: vec!["ops@venue.example".into()],
        };
        let check = |f: &dyn Fn(&mut AlertRuleInput)| {
            let mut i = input.clone();
            f(&mut i);
            validate_rule(i, "r".into(), (t, "alice".into()), t)
        };
        assert!(check(&|_| {}).is_ok_and(|r| r.enabled));
        assert!(check(&|i| i.condition = "equals".into()).is_err());
        assert!(check(&|i| i.metric = "nope".into()).is_err());
        assert!(check(&|i| i.window_minutes = 0).is_err());
        assert!(check(&|i| i.threshold = f64::NAN).is_err());
        assert!(check(&|i| i.notify = vec!["nope".into()]).is_err());
    }
}
