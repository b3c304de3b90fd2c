//! Request extractors that authenticate and authorise: [`Claims`] (401),
//! [`AdminClaims`] (403 unless admin) and [`VenueAccess`] (403 for a venue
//! outside the token or a write by a viewer, 404 for an unknown venue).

use axum::extract::{FromRequestParts, RawPathParams};
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use domain::Granularity;
use domain::ports::{RollupRow, VenueRecord};

use crate::auth::{Claims, Role, gateway_claims};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

impl FromRequestParts<AppState> for Claims {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        if let Some(VerifiedClaims(claims)) = parts.extensions.get() {
            return Ok(claims.clone());
        }
        if let Some(claims) = gateway_claims(parts) {
            return Ok(claims);
        }
        let token = bearer(&parts.headers)?;
        let door = crate::routes::share_links::via_share_door(parts);
        verify_token(state, token, door).await
    }
}

/// The token of an `Authorization: Bearer <token>` header.
pub(crate) fn bearer(headers: &axum::http::HeaderMap) -> ApiResult<&str> {
    // Two credentials are ambiguous: which one a proxy or the gateway
    // checked is unknown, so neither is taken.
    if headers.get_all(AUTHORIZATION).iter().nth(1).is_some() {
        return Err(ApiError::Unauthorized(
            "more than one Authorization header: send one".into(),
        ));
    }
    let header = headers
        .get(AUTHORIZATION)
        .ok_or_else(|| ApiError::Unauthorized("missing bearer token".into()))?;
    header
        .to_str()
        .ok()
        .and_then(|h| {
            h.strip_prefix("Bearer ")
                .or_else(|| h.strip_prefix("bearer "))
        })
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .ok_or_else(|| {
            ApiError::Unauthorized("Authorization header must be `Bearer <token>`".into())
        })
}

/// Claims already verified for this request (by the audit middleware), so a
/// write's token is checked once. Only server code inserts extensions.
#[derive(Clone)]
pub(crate) struct VerifiedClaims(pub Claims);

/// Claims of a bearer token: a share link's (only through the share door,
/// `via_share_door`), or a JWT's (only elsewhere).
pub async fn verify_token(
    state: &AppState,
    token: &str,
    via_share_door: bool,
) -> ApiResult<Claims> {
    use crate::routes::share_links::{PATH_PREFIX, TOKEN_PREFIX, not_a_share_link, resolve};
    match (token.starts_with(TOKEN_PREFIX), via_share_door) {
        (true, true) => resolve(state, token).await,
        (false, false) => Ok(state.auth.verify_bearer(token).await?),
        (true, false) => Err(ApiError::Unauthorized(format!(
            "a share-link token reads through {PATH_PREFIX}/api/…, not here"
        ))),
        (false, true) => Err(not_a_share_link()),
    }
}

/// Claims of an admin token.
#[derive(Debug, Clone)]
pub struct AdminClaims(pub Claims);

impl FromRequestParts<AppState> for AdminClaims {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let claims = Claims::from_request_parts(parts, state).await?;
        if !claims.is_admin() {
            return Err(ApiError::Forbidden(
                "this route requires the admin role".into(),
            ));
        }
        Ok(AdminClaims(claims))
    }
}

/// An authorised request for the venue in the `{venueId}` path segment.
#[derive(Debug, Clone)]
pub struct VenueAccess {
    pub claims: Claims,
    pub venue: VenueRecord,
    /// The venue-scope daily rollups, when they had to be read to learn that
    /// a venue without metadata exists; handlers that need them reuse them.
    pub probe: Option<Vec<RollupRow>>,
}

impl VenueAccess {
    pub fn id(&self) -> &str {
        &self.venue.venue_id
    }

    /// The venue's time zone (UTC until a `venue-update` names one).
    pub fn tz(&self) -> chrono_tz::Tz {
        self.venue
            .timezone
            .as_deref()
            .and_then(|t| t.parse().ok())
            .unwrap_or(chrono_tz::Tz::UTC)
    }

    /// Daily venue-scope rollups, from the probe when it ran.
    pub async fn day_rollups(
        &self,
        state: &AppState,
        show: Option<&str>,
    ) -> ApiResult<Vec<RollupRow>> {
        match (&self.probe, show) {
            (Some(rows), None) => Ok(rows.clone()),
            _ => Ok(state
                .reader
                .rollups(self.id(), show, Granularity::Day, 0, i64::MAX)
                .await?),
        }
    }
}

impl FromRequestParts<AppState> for VenueAccess {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let claims = Claims::from_request_parts(parts, state).await?;
        let params = RawPathParams::from_request_parts(parts, state)
            .await
            .map_err(|e| ApiError::BadRequest(e.body_text()))?;
        let venue = params
            .iter()
            .find(|(k, _)| *k == "venueId")
            .map(|(_, v)| v.to_owned())
            .ok_or_else(|| {
                ApiError::Internal("route without a {venueId} segment uses VenueAccess".into())
            })?;
        // Writes need a manager (or admin); a viewer reads only.
        if !is_read(&parts.method) && claims.role() < Role::Manager {
            return Err(ApiError::Forbidden(format!(
                "the {} role is read-only; {} needs the manager or admin role",
                claims.role().as_str(),
                parts.method
            )));
        }
        let query: std::collections::HashMap<String, String> =
            axum::extract::Query::try_from_uri(&parts.uri)
                .map(|q: axum::extract::Query<_>| q.0)
                .unwrap_or_default();
        // A show id is part of the rollup keys: one outside the id grammar
        // (`*` is the venue scope's key) must not name a scope.
        if let Some(show) = query.get("eventId").filter(|s| !s.is_empty()) {
            domain::ids::check(show)
                .map_err(|e| ApiError::bad_request(format!("invalid_id: eventId {e}")))?;
        }
        if let Some(show) = &claims.show_scope
            && query.get("eventId") != Some(show)
        {
            return Err(ApiError::Forbidden(format!(
                "this link is for show {show:?} only: add ?eventId={show}"
            )));
        }
        authorize_venue(state, claims, &venue).await
    }
}

/// Methods that change nothing.
pub fn is_read(method: &axum::http::Method) -> bool {
    use axum::http::Method;
    [Method::GET, Method::HEAD, Method::OPTIONS].contains(method)
}

/// 403 unless the token grants `venue`; then 404 unless the venue is known,
/// either from its metadata or (for a venue whose `venue-update` has not
/// arrived) from its rollups.
pub async fn authorize_venue(
    state: &AppState,
    claims: Claims,
    venue: &str,
) -> ApiResult<VenueAccess> {
    if !claims.can_access(venue) {
        return Err(ApiError::Forbidden(format!(
            "the token does not grant access to venue {venue:?}"
        )));
    }
    if let Some(record) = state.reader.venue(venue).await? {
        return Ok(VenueAccess {
            claims,
            venue: record,
            probe: None,
        });
    }
    let rows = state
        .reader
        .rollups(venue, None, Granularity::Day, 0, i64::MAX)
        .await?;
    if rows.is_empty() {
        return Err(ApiError::NotFound(format!("unknown venue {venue:?}")));
    }
    let record = VenueRecord {
        venue_id: venue.to_owned(),
        name: None,
        timezone: None,
        capacity: None,
        currency: None,
        shows: Vec::new(),
    };
    Ok(VenueAccess {
        claims,
        venue: record,
        probe: Some(rows),
    })
}
