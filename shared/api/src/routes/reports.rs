//! `/api/reports`: report definitions (DocumentStore kind `report-def`) and
//! the runs the report Lambdas record (kind `report-run`, each with the
//! `objectKeys` of its files, offered as presigned download links).

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
use crate::documents::{self, with_downloads};
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiPath};
use crate::openapi::VenueErrors;
use crate::state::AppState;
use crate::validate;

pub const DEF_KIND: &str = "report-def";
pub const RUN_KIND: &str = "report-run";
pub const CADENCES: [&str; 4] = ["daily", "weekly", "monthly", "once"];
pub const FORMATS: [&str; 3] = ["pdf", "xlsx", "csv"];
pub const MAX_RECIPIENTS: usize = 50;
/// Runs listed with the definitions (newest first).
pub const RECENT_RUNS: usize = 50;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ReportDefInput {
    pub name: String,
    /// daily, weekly, monthly or once.
    pub cadence: String,
    /// IANA zone for the schedule and the report's days; default the venue's.
    pub timezone: Option<String>,
    /// A non-empty subset of pdf, xlsx, csv.
    pub formats: Vec<String>,
    /// `venue` (default) or `show` (then `eventId` is required).
    pub scope: Option<String>,
    pub event_id: Option<String>,
    #[serde(default)]
    pub recipients: Vec<String>,
    /// Recipients kept on the list but not emailed (each must be in `recipients`).
    #[serde(default)]
    pub paused_recipients: Vec<String>,
    /// Start of a `once` report's range (required for `once`, ignored otherwise).
    #[serde(default)]
    pub from: Option<DateTime<Utc>>,
    /// Exclusive end of a `once` report's range; it is rendered once this has passed.
    #[serde(default)]
    pub to: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ReportDef {
    pub report_id: String,
    pub venue_id: String,
    pub name: String,
    pub cadence: String,
    pub timezone: String,
    pub formats: Vec<String>,
    pub scope: String,
    pub event_id: Option<String>,
    /// Who scheduled runs are emailed to (one message each).
    pub recipients: Vec<String>,
    /// Recipients not emailed for now.
    #[serde(default)]
    pub paused_recipients: Vec<String>,
    /// The range of a `once` report.
    #[serde(default)]
    pub from: Option<DateTime<Utc>>,
    #[serde(default)]
    pub to: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub created_by: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReportOverview {
    pub definitions: Vec<ReportDef>,
    /// Recent runs, newest first, each with `downloads: [{key, url}]`.
    pub runs: Vec<serde_json::Value>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RunList {
    /// Runs, newest first, each with `downloads: [{key, url}]`.
    pub runs: Vec<serde_json::Value>,
}

/// Who and when created a definition (kept across updates).
pub struct Origin {
    pub at: DateTime<Utc>,
    pub by: String,
}

pub fn validate_def(
    input: ReportDefInput,
    ids: (&str, String),
    origin: Origin,
    default_tz: &str,
    now: DateTime<Utc>,
) -> ApiResult<ReportDef> {
    let (venue_id, report_id) = ids;
    let name = validate::name("name", &input.name)?;
    if !CADENCES.contains(&input.cadence.as_str()) {
        return Err(ApiError::bad_request(format!(
            "`cadence` must be one of {}",
            CADENCES.join(", ")
        )));
    }
    let timezone = input.timezone.unwrap_or_else(|| default_tz.to_owned());
    timezone.parse::<chrono_tz::Tz>().map_err(|_| {
        ApiError::bad_request(format!("`timezone` is not an IANA time zone: {timezone:?}"))
    })?;
    let mut formats = Vec::new();
    for f in &input.formats {
        if !FORMATS.contains(&f.as_str()) {
            return Err(ApiError::bad_request(format!(
                "unknown format {f:?}; expected pdf, xlsx or csv"
            )));
        }
        if !formats.contains(f) {
            formats.push(f.clone());
        }
    }
    if formats.is_empty() {
        return Err(ApiError::bad_request(
            "`formats` needs at least one of pdf, xlsx, csv",
        ));
    }
    let scope = input.scope.unwrap_or_else(|| "venue".into());
    let event_id = input.event_id.filter(|e| !e.is_empty());
    match (scope.as_str(), &event_id) {
        ("venue", _) | ("show", Some(_)) => {}
        ("show", None) => return Err(ApiError::bad_request("a `show` report needs `eventId`")),
        _ => return Err(ApiError::bad_request("`scope` must be venue or show")),
    }
    if input.recipients.len() > MAX_RECIPIENTS {
        return Err(ApiError::bad_request(format!(
            "at most {MAX_RECIPIENTS} recipients"
        )));
    }
    let (from, to) = match (input.cadence.as_str(), input.from, input.to) {
        ("once", Some(from), Some(to)) if from < to => (Some(from), Some(to)),
        ("once", Some(_), Some(_)) => {
            return Err(ApiError::bad_request("`from` must be before `to`"));
        }
        ("once", _, _) => {
            return Err(ApiError::bad_request(
                "a `once` report needs `from` and `to`",
            ));
        }
        _ => (None, None),
    };
    let mut recipients: Vec<String> = Vec::new();
    for r in &input.recipients {
        let r = validate::email(r)?;
        if !recipients.iter().any(|x| x.eq_ignore_ascii_case(&r)) {
            recipients.push(r);
        }
    }
    let mut paused_recipients: Vec<String> = Vec::new();
    for p in &input.paused_recipients {
        let Some(r) = recipients.iter().find(|r| r.eq_ignore_ascii_case(p.trim())) else {
            return Err(ApiError::bad_request(format!(
                "paused recipient {p:?} is not one of `recipients`"
            )));
        };
        if !paused_recipients.contains(r) {
            paused_recipients.push(r.clone());
        }
    }
    Ok(ReportDef {
        report_id,
        venue_id: venue_id.to_owned(),
        name,
        cadence: input.cadence,
        timezone,
        formats,
        event_id: if scope == "show" { event_id } else { None },
        scope,
        recipients,
        paused_recipients,
        from,
        to,
        created_at: origin.at,
        created_by: origin.by,
        updated_at: now,
    })
}

async fn recent_runs(
    state: &AppState,
    venue: &str,
    limit: usize,
) -> ApiResult<Vec<serde_json::Value>> {
    // Documents come ordered by id; run ids are time-ordered, so newest last.
    let runs = state.docs.list(RUN_KIND, venue).await?;
    let mut out = Vec::new();
    for run in runs.into_iter().rev().take(limit) {
        out.push(with_downloads(state, run).await?);
    }
    Ok(out)
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(report_overview, create_report))
        .routes(routes!(list_runs))
        .routes(routes!(get_report, update_report, delete_report))
        .routes(routes!(run_report))
        .routes(routes!(put_recipient, delete_recipient))
        .routes(routes!(delivery_state))
        .routes(routes!(pause_report))
        .routes(routes!(resume_report))
}

/// What `POST .../run` renders: the definition's current period by default.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RunInput {
    /// Start of the period to render (with `to`); default: the definition's
    /// last complete period (a `once` report's own range).
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
    /// Only for the `adhoc` report id: the formats (default pdf, xlsx, csv).
    #[serde(default)]
    pub formats: Vec<String>,
    /// Only for the `adhoc` report id: one show.
    pub event_id: Option<String>,
}

/// The jobs' ports on the API's.
pub fn job_ports(state: &AppState) -> jobs::Ports {
    jobs::Ports {
        reader: state.reader.clone(),
        docs: state.docs.clone(),
        objects: state.objects.clone(),
        queues: state.queues.clone(),
        push: None,
        // The API renders on demand and never emails: delivery is the
        // report Lambda's (which holds the SES grant).
        mail: None,
    }
}

/// A job's failure as an API error (bad input → 400).
pub fn job_error(e: jobs::JobError) -> ApiError {
    match e {
        jobs::JobError::Invalid(m) => ApiError::BadRequest(m),
        jobs::JobError::Store(e) => e.into(),
        jobs::JobError::Render(e) => ApiError::Internal(e.to_string()),
        jobs::JobError::Delivery(m) => ApiError::Internal(m),
    }
}

fn period_of(
    def: &jobs::reports::ReportDef,
    input: &RunInput,
    now: DateTime<Utc>,
) -> ApiResult<jobs::reports::Period> {
    let tz = def.tz().map_err(job_error)?;
    match (input.from, input.to, def.from, def.to) {
        (Some(from), Some(to), _, _) | (None, None, Some(from), Some(to)) if from < to => {
            Ok(jobs::reports::Period::new(from, to, tz))
        }
        (Some(_), Some(_), _, _) => Err(ApiError::bad_request("`from` must be before `to`")),
        (Some(_), None, _, _) | (None, Some(_), _, _) => Err(ApiError::bad_request(
            "give both `from` and `to`, or neither",
        )),
        _ => jobs::reports::due_period(def, now).ok_or_else(|| {
            ApiError::bad_request("the definition has no period to render; give `from` and `to`")
        }),
    }
}

/// Renders a report now and returns its run (with download links). Re-running
/// a period replaces its files and run. The report id `adhoc` renders without
/// a definition (`from`, `to` and `formats` in the body).
#[utoipa::path(post, path = "/api/reports/{venueId}/{reportId}/run", tag = "reports", security(("bearer" = [])),
    params(("venueId" = String, Path, description = "Venue id"), ("reportId" = String, Path, description = "Report definition id, or `adhoc`")),
    request_body(content = RunInput, description = "Optional period (and, for `adhoc`, formats)"),
    responses((status = 200, description = "The run document with `downloads`", body = serde_json::Value), VenueErrors))]
#[tracing::instrument(skip_all)]
pub async fn run_report(
    State(state): State<AppState>,
    access: VenueAccess,
    ApiPath((_, id)): ApiPath<(String, String)>,
    body: axum::body::Bytes,
) -> ApiResult<Json<serde_json::Value>> {
    let input: RunInput = if body.iter().all(u8::is_ascii_whitespace) {
        RunInput::default()
    } else {
        serde_json::from_slice(&body)
            .map_err(|e| ApiError::bad_request(format!("invalid JSON body: {e}")))?
    };
    let now = state.now();
    let ports = job_ports(&state);
    let run = if id == jobs::reports::ADHOC_REPORT_ID {
        let (Some(from), Some(to)) = (input.from, input.to) else {
            return Err(ApiError::bad_request(
                "an `adhoc` run needs `from` and `to`",
            ));
        };
        let names = if input.formats.is_empty() {
            FORMATS.map(String::from).to_vec()
        } else {
            input.formats.clone()
        };
        let formats = names
            .iter()
            .map(|f| {
                f.parse::<jobs::reports::Format>()
                    .map_err(|e| ApiError::bad_request(e.to_string()))
            })
            .collect::<ApiResult<Vec<_>>>()?;
        jobs::reports::run_adhoc(
            &ports,
            access.id(),
            input.event_id.as_deref(),
            from,
            to,
            &formats,
            now,
        )
        .await
    } else {
        let doc = state
            .docs
            .get(DEF_KIND, access.id(), &id)
            .await?
            .ok_or_else(|| ApiError::not_found(format!("no report definition {id:?}")))?;
        let def = jobs::reports::ReportDef::from_doc(&doc)
            .map_err(|e| ApiError::Internal(e.to_string()))?;
        let period = period_of(&def, &input, now)?;
        jobs::reports::run_report(&ports, &def, period, now, "manual", false).await
    }
    .map_err(job_error)?;
    let doc = serde_json::to_value(&run).map_err(|e| ApiError::Internal(e.to_string()))?;
    Ok(Json(with_downloads(&state, doc).await?))
}

/// Definitions and recent runs.
#[utoipa::path(get, path = "/api/reports/{venueId}", tag = "reports", security(("bearer" = [])),
    params(("venueId" = String, Path, description = "Venue id")),
    responses((status = 200, description = "Success", body = ReportOverview), VenueErrors))]
#[tracing::instrument(skip_all)]
pub async fn report_overview(
    State(state): State<AppState>,
    access: VenueAccess,
) -> ApiResult<Json<ReportOverview>> {
    let (definitions, runs) = tokio::try_join!(
        documents::list(&state, DEF_KIND, access.id()),
        recent_runs(&state, access.id(), RECENT_RUNS)
    )?;
    Ok(Json(ReportOverview { definitions, runs }))
}

/// Every run, newest first, with download links.
#[utoipa::path(get, path = "/api/reports/{venueId}/runs", tag = "reports", security(("bearer" = [])),
    params(("venueId" = String, Path, description = "Venue id")),
    responses((status = 200, description = "Success", body = RunList), VenueErrors))]
#[tracing::instrument(skip_all)]
pub async fn list_runs(
    State(state): State<AppState>,
    access: VenueAccess,
) -> ApiResult<Json<RunList>> {
    Ok(Json(RunList {
        runs: recent_runs(&state, access.id(), usize::MAX).await?,
    }))
}

/// Creates a definition; answers 201 with its `Location`.
#[utoipa::path(post, path = "/api/reports/{venueId}", tag = "reports", security(("bearer" = [])),
    params(("venueId" = String, Path, description = "Venue id")),
    request_body = ReportDefInput,
    responses((status = 201, description = "Created", body = ReportDef), VenueErrors))]
#[tracing::instrument(skip_all)]
pub async fn create_report(
    State(state): State<AppState>,
    access: VenueAccess,
    ApiJson(input): ApiJson<ReportDefInput>,
) -> ApiResult<Response> {
    let now = state.now();
    let tz = access.tz();
    let origin = Origin {
        at: now,
        by: access.claims.sub.clone(),
    };
    let def = validate_def(
        input,
        (access.id(), uuid::Uuid::new_v4().to_string()),
        origin,
        tz.name(),
        now,
    )?;
    documents::put(&state, DEF_KIND, access.id(), &def.report_id, &def).await?;
    let location = format!("/api/reports/{}/{}", access.id(), def.report_id);
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, location)],
        Json(def),
    )
        .into_response())
}

/// One definition.
#[utoipa::path(get, path = "/api/reports/{venueId}/{reportId}", tag = "reports", security(("bearer" = [])),
    params(("venueId" = String, Path, description = "Venue id"), ("reportId" = String, Path, description = "Report definition id")),
    responses((status = 200, description = "Success", body = ReportDef), VenueErrors))]
#[tracing::instrument(skip_all)]
pub async fn get_report(
    State(state): State<AppState>,
    access: VenueAccess,
    ApiPath((_, id)): ApiPath<(String, String)>,
) -> ApiResult<Json<ReportDef>> {
    documents::get(&state, DEF_KIND, access.id(), &id)
        .await?
        .map(Json)
        .ok_or_else(|| ApiError::not_found(format!("no report definition {id:?}")))
}

/// Replaces a definition.
#[utoipa::path(put, path = "/api/reports/{venueId}/{reportId}", tag = "reports", security(("bearer" = [])),
    params(("venueId" = String, Path, description = "Venue id"), ("reportId" = String, Path, description = "Report definition id")),
    request_body = ReportDefInput,
    responses((status = 200, description = "Success", body = ReportDef), VenueErrors))]
#[tracing::instrument(skip_all)]
pub async fn update_report(
    State(state): State<AppState>,
    access: VenueAccess,
    ApiPath((_, id)): ApiPath<(String, String)>,
    ApiJson(input): ApiJson<ReportDefInput>,
) -> ApiResult<Json<ReportDef>> {
    let existing: ReportDef = documents::get(&state, DEF_KIND, access.id(), &id)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("no report definition {id:?}")))?;
    let origin = Origin {
        at: existing.created_at,
        by: existing.created_by,
    };
    let def = validate_def(
        input,
        (access.id(), id),
        origin,
        access.tz().name(),
        state.now(),
    )?;
    documents::put(&state, DEF_KIND, access.id(), &def.report_id, &def).await?;
    Ok(Json(def))
}

/// Deletes a definition (its past runs stay).
#[utoipa::path(delete, path = "/api/reports/{venueId}/{reportId}", tag = "reports", security(("bearer" = [])),
    params(("venueId" = String, Path, description = "Venue id"), ("reportId" = String, Path, description = "Report definition id")),
    responses((status = 204, description = "Deleted"), VenueErrors))]
#[tracing::instrument(skip_all)]
pub async fn delete_report(
    State(state): State<AppState>,
    access: VenueAccess,
    ApiPath((_, id)): ApiPath<(String, String)>,
) -> ApiResult<StatusCode> {
    documents::delete(&state, DEF_KIND, access.id(), &id, "report definition").await
}

/// A recipient's setting (`PUT .../recipients/{email}`).
#[derive(Debug, Clone, Default, PartialEq, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RecipientInput {
    /// Keep the address on the list but stop emailing it.
    #[serde(default)]
    pub paused: bool,
}

async fn stored_def(state: &AppState, venue: &str, id: &str) -> ApiResult<ReportDef> {
    documents::get(state, DEF_KIND, venue, id)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("no report definition {id:?}")))
}

/// Adds a recipient, or pauses or resumes one; answers the definition.
#[utoipa::path(put, path = "/api/reports/{venueId}/{reportId}/recipients/{email}", tag = "reports", security(("bearer" = [])),
    params(("venueId" = String, Path, description = "Venue id"), ("reportId" = String, Path, description = "Report definition id"), ("email" = String, Path, description = "Recipient address")),
    request_body(content = RecipientInput, description = "`paused` (default false)"),
    responses((status = 200, description = "The definition", body = ReportDef), VenueErrors))]
#[tracing::instrument(skip_all)]
pub async fn put_recipient(
    State(state): State<AppState>,
    access: VenueAccess,
    ApiPath((_, id, email)): ApiPath<(String, String, String)>,
    body: axum::body::Bytes,
) -> ApiResult<Json<ReportDef>> {
    let input: RecipientInput = if body.iter().all(u8::is_ascii_whitespace) {
        RecipientInput::default()
    } else {
        serde_json::from_slice(&body)
            .map_err(|e| ApiError::bad_request(format!("invalid JSON body: {e}")))?
    };
    let email = validate::email(&email)?;
    let mut def = stored_def(&state, access.id(), &id).await?;
    let known = def
        .recipients
        .iter()
        .find(|r| r.eq_ignore_ascii_case(&email))
        .cloned();
    let email = match known {
        Some(r) => r,
        None if def.recipients.len() >= MAX_RECIPIENTS => {
            return Err(ApiError::bad_request(format!(
                "at most {MAX_RECIPIENTS} recipients"
            )));
        }
        None => {
            def.recipients.push(email.clone());
            email
        }
    };
    def.paused_recipients.retain(|p| p != &email);
    if input.paused {
        def.paused_recipients.push(email);
    }
    def.updated_at = state.now();
    documents::put(&state, DEF_KIND, access.id(), &def.report_id, &def).await?;
    Ok(Json(def))
}

/// Removes a recipient; answers the definition.
#[utoipa::path(delete, path = "/api/reports/{venueId}/{reportId}/recipients/{email}", tag = "reports", security(("bearer" = [])),
    params(("venueId" = String, Path, description = "Venue id"), ("reportId" = String, Path, description = "Report definition id"), ("email" = String, Path, description = "Recipient address")),
    responses((status = 200, description = "The definition", body = ReportDef), VenueErrors))]
#[tracing::instrument(skip_all)]
pub async fn delete_recipient(
    State(state): State<AppState>,
    access: VenueAccess,
    ApiPath((_, id, email)): ApiPath<(String, String, String)>,
) -> ApiResult<Json<ReportDef>> {
    let mut def = stored_def(&state, access.id(), &id).await?;
    let before = def.recipients.len();
    def.recipients
        .retain(|r| !r.eq_ignore_ascii_case(email.trim()));
    if def.recipients.len() == before {
        return Err(ApiError::not_found(format!(
            "{email:?} is not a recipient of {id:?}"
        )));
    }
    def.paused_recipients
        .retain(|p| !p.eq_ignore_ascii_case(email.trim()));
    def.updated_at = state.now();
    documents::put(&state, DEF_KIND, access.id(), &def.report_id, &def).await?;
    Ok(Json(def))
}

/// A definition's delivery state: paused or not (by whom), failed runs in a
/// row, the last error.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DeliveryStateView {
    pub report_id: String,
    pub venue_id: String,
    pub paused: bool,
    pub paused_at: Option<DateTime<Utc>>,
    /// `failures` when it paused itself, else who paused it.
    pub paused_by: Option<String>,
    pub consecutive_failures: u32,
    /// Failed runs in a row at which a report pauses itself.
    pub pause_after_failures: u32,
    pub last_error: Option<String>,
    pub last_run_id: Option<String>,
    pub updated_at: Option<DateTime<Utc>>,
}

impl From<jobs::reports::delivery::DeliveryState> for DeliveryStateView {
    fn from(s: jobs::reports::delivery::DeliveryState) -> Self {
        DeliveryStateView {
            report_id: s.report_id,
            venue_id: s.venue_id,
            paused: s.paused,
            paused_at: s.paused_at,
            paused_by: s.paused_by,
            consecutive_failures: s.consecutive_failures,
            pause_after_failures: jobs::reports::delivery::PAUSE_AFTER_FAILURES,
            last_error: s.last_error,
            last_run_id: s.last_run_id,
            updated_at: s.updated_at,
        }
    }
}

/// The definition's delivery state.
#[utoipa::path(get, path = "/api/reports/{venueId}/{reportId}/delivery", tag = "reports", security(("bearer" = [])),
    params(("venueId" = String, Path, description = "Venue id"), ("reportId" = String, Path, description = "Report definition id")),
    responses((status = 200, description = "Success", body = DeliveryStateView), VenueErrors))]
#[tracing::instrument(skip_all)]
pub async fn delivery_state(
    State(state): State<AppState>,
    access: VenueAccess,
    ApiPath((_, id)): ApiPath<(String, String)>,
) -> ApiResult<Json<DeliveryStateView>> {
    stored_def(&state, access.id(), &id).await?;
    let s = jobs::reports::delivery::load_state(&job_ports(&state), access.id(), &id)
        .await
        .map_err(job_error)?;
    Ok(Json(s.into()))
}

async fn set_paused(
    state: &AppState,
    access: &VenueAccess,
    id: &str,
    paused: bool,
) -> ApiResult<Json<DeliveryStateView>> {
    let doc = state
        .docs
        .get(DEF_KIND, access.id(), id)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("no report definition {id:?}")))?;
    let def =
        jobs::reports::ReportDef::from_doc(&doc).map_err(|e| ApiError::Internal(e.to_string()))?;
    let s = jobs::reports::delivery::set_paused(
        &job_ports(state),
        &def,
        paused,
        &access.claims.sub,
        state.now(),
    )
    .await
    .map_err(job_error)?;
    Ok(Json(s.into()))
}

/// Pauses the schedule: no runs, no emails, until resumed.
#[utoipa::path(post, path = "/api/reports/{venueId}/{reportId}/pause", tag = "reports", security(("bearer" = [])),
    params(("venueId" = String, Path, description = "Venue id"), ("reportId" = String, Path, description = "Report definition id")),
    responses((status = 200, description = "The delivery state", body = DeliveryStateView), VenueErrors))]
#[tracing::instrument(skip_all)]
pub async fn pause_report(
    State(state): State<AppState>,
    access: VenueAccess,
    ApiPath((_, id)): ApiPath<(String, String)>,
) -> ApiResult<Json<DeliveryStateView>> {
    set_paused(&state, &access, &id, true).await
}

/// Resumes the schedule; clears the failure count (and the alert of a
/// report that paused itself).
#[utoipa::path(post, path = "/api/reports/{venueId}/{reportId}/resume", tag = "reports", security(("bearer" = [])),
    params(("venueId" = String, Path, description = "Venue id"), ("reportId" = String, Path, description = "Report definition id")),
    responses((status = 200, description = "The delivery state", body = DeliveryStateView), VenueErrors))]
#[tracing::instrument(skip_all)]
pub async fn resume_report(
    State(state): State<AppState>,
    access: VenueAccess,
    ApiPath((_, id)): ApiPath<(String, String)>,
) -> ApiResult<Json<DeliveryStateView>> {
    set_paused(&state, &access, &id, false).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::summary::tests::at;

    #[test]
    fn definitions_are_validated() {
        let t = at("2026-01-01T00:00:00Z");
        let input = ReportDefInput {
            name: "Weekly sales".into(),
            cadence: "weekly".into(),
            timezone: None,
            formats: vec!["pdf".into(), "csv".into(), "pdf".into()],
            scope: None,
            event_id: None,
            recipients: vec!["gm@venue.example".into()],
            paused_recipients: vec![],
            from: None,
            to: None,
        };
        let check = |f: &dyn Fn(&mut ReportDefInput)| {
            let mut i = input.clone();
            f(&mut i);
            validate_def(
                i,
                ("v1", "r1".into()),
                Origin {
                    at: t,
                    by: "a".into(),
                },
                "Europe/Berlin",
                t,
            )
        };
        let ok = check(&|_| {}).unwrap();
        assert_eq!(ok.formats, vec!["pdf", "csv"]);
        assert_eq!(ok.timezone, "Europe/Berlin");
        assert_eq!(ok.scope, "venue");
        assert!(check(&|i| i.cadence = "hourly".into()).is_err());
        assert!(check(&|i| i.formats = vec![]).is_err());
        assert!(check(&|i| i.formats = vec!["docx".into()]).is_err());
        assert!(check(&|i| i.timezone = Some("Mars/Olympus".into())).is_err());
        assert!(check(&|i| i.scope = Some("show".into())).is_err());
        assert!(
            check(&|i| (i.scope, i.event_id) = (Some("show".into()), Some("s1".into()))).is_ok()
        );
        assert!(check(&|i| i.recipients = vec!["x".into()]).is_err());
        assert!(
            check(&|i| i.paused_recipients = vec!["other@venue.example".into()]).is_err(),
            "only a recipient can be paused"
        );
        assert_eq!(
            check(&|i| i.paused_recipients = vec!["GM@venue.example".into()])
                .unwrap()
                .paused_recipients,
            vec!["gm@venue.example"]
        );
        assert_eq!(
            check(&|i| i.recipients = vec!["a@x.example".into(), "A@x.example".into()])
                .unwrap()
                .recipients,
            vec!["a@x.example"],
            "one message per address"
        );
        let once = |from: &str, to: &str| {
            check(&|i| {
                (i.cadence, i.from, i.to) = ("once".into(), Some(at(from)), Some(at(to)));
            })
        };
        let ok = once("2026-01-01T00:00:00Z", "2026-01-08T00:00:00Z").unwrap();
        assert_eq!(ok.to, Some(at("2026-01-08T00:00:00Z")));
        assert!(once("2026-01-08T00:00:00Z", "2026-01-01T00:00:00Z").is_err());
        assert!(check(&|i| i.cadence = "once".into()).is_err());
        assert_eq!(
            check(&|i| i.from = Some(t)).unwrap().from,
            None,
            "only `once` keeps a range"
        );
    }
}
