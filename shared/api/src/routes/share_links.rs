//! `/api/share-links`: read-only, expiring, revocable links to one venue's or
//! one show's dashboard, for promoters and accountants without an account.
//!
//! A link's token is `share.<venue, base64url>.<linkId>.<secret>`. Only the
//! secret's SHA-256 is stored (DocumentStore kind [`KIND`]), so the table
//! never holds a working link. A token resolves to viewer claims for that
//! venue (and show): [`resolve`] checks it on every request, so a revoked
//! (deleted) or expired link stops working at once.

use axum::Json;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::access::VenueAccess;
use crate::auth::{Claims, Role, TokenError};
use crate::documents;
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiPath};
use crate::openapi::VenueErrors;
use crate::state::AppState;

pub const KIND: &str = "share-link";
/// Prefix of a share-link token (never a JWT: those start with `eyJ`).
pub const TOKEN_PREFIX: &str = "share.";
pub const DEFAULT_HOURS: i64 = 168;
pub const MAX_HOURS: i64 = 24 * 90;

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ShareLinkInput {
    /// Limit the link to one show of the venue.
    pub event_id: Option<String>,
    /// Lifetime, 1–2160 hours (default 168, a week).
    pub expires_in_hours: Option<i64>,
    /// What the link is for (shown in the list), ≤ 100 characters.
    pub label: Option<String>,
}

/// A link as listed: everything but its secret.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ShareLink {
    pub link_id: String,
    pub venue_id: String,
    pub event_id: Option<String>,
    pub label: Option<String>,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

/// What is stored: the link and its secret's hash.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Stored {
    #[serde(flatten)]
    link: ShareLink,
    secret_sha256: String,
}

/// A new link, with the only copy of its token.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CreatedShareLink {
    #[serde(flatten)]
    pub link: ShareLink,
    /// The bearer credential; not stored, not shown again.
    pub token: String,
    /// The dashboard page opened with the token (relative to the API's origin).
    pub url: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ShareLinkList {
    pub links: Vec<ShareLink>,
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_links, create_link))
        .routes(routes!(revoke_link))
}

/// The path prefix that serves every route to share-link tokens (the page
/// calls `/share/api/…` when it holds one).
pub const PATH_PREFIX: &str = "/share";

/// The routes a share link reads, under [`PATH_PREFIX`]: the dashboard's
/// numbers and nothing about people (customers, recipients, audit) or
/// settings (reports, alerts, widgets, exports, other links). Every one of
/// them takes `eventId`, so a show's link reads its show only
/// ([`crate::access::VenueAccess`] requires it).
pub const SHARED_ROUTES: [&str; 9] = [
    "/api/venues",
    "/api/dashboards/{venueId}",
    "/api/metrics/{venueId}",
    "/api/analytics/{venueId}",
    "/api/analytics/{venueId}/funnel",
    "/api/analytics/{venueId}/breakdowns",
    "/api/analytics/{venueId}/checkins",
    "/api/analytics/{venueId}/pacing",
    "/api/predictions/{venueId}",
];

/// Whether a request came in through [`PATH_PREFIX`] (the only door where a
/// share-link token is accepted).
pub fn via_share_door(parts: &axum::http::request::Parts) -> bool {
    let path = parts
        .extensions
        .get::<axum::extract::OriginalUri>()
        .map_or_else(|| parts.uri.path(), |u| u.0.path());
    path.strip_prefix(PATH_PREFIX)
        .is_some_and(|rest| rest.starts_with('/'))
}

/// What the share door answers any credential but a share link.
pub fn not_a_share_link() -> ApiError {
    ApiError::Unauthorized(format!(
        "{PATH_PREFIX}/… accepts share-link tokens only; signed-in users call /api/…"
    ))
}

/// Guards [`PATH_PREFIX`] (a route layer: it sees the matched route): only a
/// share-link token passes, only to [`SHARED_ROUTES`], only to read. On AWS
/// the HTTP API's JWT authorizer guards `/api/…` and refuses a share token
/// (it is not a JWT); `/share/{proxy+}` has no gateway authorizer, so here
/// the function itself lets nothing else through — a JWT cannot use this
/// door to skip the gateway's check, and a link cannot reach beyond the
/// dashboard.
pub async fn only_share_links(req: Request, next: Next) -> Response {
    match crate::access::bearer(req.headers()) {
        Ok(token) if token.starts_with(TOKEN_PREFIX) => {}
        _ => return not_a_share_link().into_response(),
    }
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|m| {
            m.as_str()
                .strip_prefix(PATH_PREFIX)
                .unwrap_or(m.as_str())
                .to_owned()
        })
        .unwrap_or_default();
    if !crate::access::is_read(req.method()) || !SHARED_ROUTES.contains(&route.as_str()) {
        return ApiError::Forbidden(format!(
            "a share link reads the dashboard only: {} {route} is not shared",
            req.method()
        ))
        .into_response();
    }
    next.run(req).await
}

fn hash(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// Viewer claims of a share-link token, or why it is refused.
pub async fn resolve(state: &AppState, token: &str) -> Result<Claims, ApiError> {
    let refused = |why: &str| ApiError::Unauthorized(format!("share link refused: {why}"));
    let rest = token
        .strip_prefix(TOKEN_PREFIX)
        .ok_or_else(|| refused("not a share link"))?;
    let mut parts = rest.splitn(3, '.');
    let (Some(venue), Some(link_id), Some(secret)) = (parts.next(), parts.next(), parts.next())
    else {
        return Err(refused("malformed"));
    };
    let venue = B64
        .decode(venue)
        .ok()
        .and_then(|v| String::from_utf8(v).ok())
        .filter(|v| domain::ids::check(v).is_ok())
        .ok_or_else(|| refused("malformed"))?;
    // Link ids are 32 hex digits; anything else is no key to look up.
    if link_id.len() != 32 || !link_id.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(refused("malformed"));
    }
    let stored: Stored = documents::get(state, KIND, &venue, link_id)
        .await?
        .ok_or_else(|| refused("unknown or revoked"))?;
    // Compare hashes in constant time; the secret itself is never stored.
    let same: bool =
        subtle::ConstantTimeEq::ct_eq(hash(secret).as_bytes(), stored.secret_sha256.as_bytes())
            .into();
    if !same {
        return Err(refused("unknown or revoked"));
    }
    let now = state.now();
    if stored.link.expires_at <= now {
        return Err(ApiError::from(TokenError::Expired));
    }
    Ok(Claims {
        sub: format!("share:{link_id}"),
        venues: vec![venue],
        role: Some(Role::Viewer.as_str().to_owned()),
        exp: stored.link.expires_at.timestamp(),
        iat: stored.link.created_at.timestamp(),
        iss: None,
        aud: None,
        show_scope: stored.link.event_id,
    })
}

/// The venue's live share links (expired ones are left out).
#[utoipa::path(get, path = "/api/share-links/{venueId}", tag = "share-links", security(("bearer" = [])),
    params(("venueId" = String, Path, description = "Venue id")),
    responses((status = 200, description = "Success", body = ShareLinkList), VenueErrors))]
#[tracing::instrument(skip_all)]
pub async fn list_links(
    State(state): State<AppState>,
    access: VenueAccess,
) -> ApiResult<Json<ShareLinkList>> {
    let now = state.now();
    let stored: Vec<Stored> = documents::list(&state, KIND, access.id()).await?;
    let mut links: Vec<ShareLink> = stored
        .into_iter()
        .map(|s| s.link)
        .filter(|l| l.expires_at > now)
        .collect();
    links.sort_by_key(|l| l.created_at);
    Ok(Json(ShareLinkList { links }))
}

/// Creates a read-only link to the venue's (or one show's) dashboard; answers
/// 201 with its token, which is shown only this once.
#[utoipa::path(post, path = "/api/share-links/{venueId}", tag = "share-links", security(("bearer" = [])),
    params(("venueId" = String, Path, description = "Venue id")),
    request_body = ShareLinkInput,
    responses((status = 201, description = "Created", body = CreatedShareLink), VenueErrors))]
#[tracing::instrument(skip_all)]
pub async fn create_link(
    State(state): State<AppState>,
    access: VenueAccess,
    ApiJson(input): ApiJson<ShareLinkInput>,
) -> ApiResult<Response> {
    let hours = input.expires_in_hours.unwrap_or(DEFAULT_HOURS);
    if !(1..=MAX_HOURS).contains(&hours) {
        return Err(ApiError::BadRequest(format!(
            "expiresInHours must be 1–{MAX_HOURS}"
        )));
    }
    if input
        .label
        .as_ref()
        .is_some_and(|l| l.chars().count() > 100)
    {
        return Err(ApiError::BadRequest(
            "label is at most 100 characters".into(),
        ));
    }
    if let Some(show) = &input.event_id {
        domain::ids::check(show).map_err(|e| ApiError::BadRequest(format!("eventId: {e}")))?;
        if !access.venue.shows.is_empty() && !access.venue.shows.iter().any(|s| &s.event_id == show)
        {
            return Err(ApiError::not_found(format!(
                "no show {show:?} at this venue"
            )));
        }
    }
    let now = state.now();
    let link_id = uuid::Uuid::new_v4().simple().to_string();
    let mut bytes = [0u8; 32];
    ring::rand::SecureRandom::fill(&ring::rand::SystemRandom::new(), &mut bytes)
        .map_err(|_| ApiError::Internal("no system randomness for a link secret".into()))?;
    let secret = B64.encode(bytes);
    let link = ShareLink {
        link_id: link_id.clone(),
        venue_id: access.id().to_owned(),
        event_id: input.event_id,
        label: input.label,
        created_by: access.claims.sub.clone(),
        created_at: now,
        expires_at: now + Duration::hours(hours),
    };
    let stored = Stored {
        link: link.clone(),
        secret_sha256: hash(&secret),
    };
    state
        .docs
        .put(
            KIND,
            access.id(),
            &link_id,
            &serde_json::to_value(&stored).map_err(|e| ApiError::Internal(e.to_string()))?,
            Some(link.expires_at),
        )
        .await?;
    let token = format!(
        "{TOKEN_PREFIX}{}.{link_id}.{secret}",
        B64.encode(access.id())
    );
    // The URL's fragment: everything but unreserved characters escaped.
    const ESCAPED: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
        .remove(b'-')
        .remove(b'_')
        .remove(b'.')
        .remove(b'~');
    let enc = |v: &str| percent_encoding::utf8_percent_encode(v, ESCAPED).to_string();
    let mut url = format!("/?token={token}#venue={}", enc(access.id()));
    if let Some(show) = &link.event_id {
        url.push_str(&format!("&event={}", enc(show)));
    }
    let location = format!("/api/share-links/{}", access.id());
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, location)],
        Json(CreatedShareLink { link, token, url }),
    )
        .into_response())
}

/// Revokes a link: it stops working at once.
#[utoipa::path(delete, path = "/api/share-links/{venueId}/{linkId}", tag = "share-links", security(("bearer" = [])),
    params(("venueId" = String, Path, description = "Venue id"), ("linkId" = String, Path, description = "Link id")),
    responses((status = 204, description = "Revoked"), VenueErrors))]
#[tracing::instrument(skip_all)]
pub async fn revoke_link(
    State(state): State<AppState>,
    access: VenueAccess,
    ApiPath((_, link_id)): ApiPath<(String, String)>,
) -> ApiResult<StatusCode> {
    documents::delete(&state, KIND, access.id(), &link_id, "share link").await
}
