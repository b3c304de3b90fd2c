//! The audit trail: every write an authenticated caller attempts (who, what,
//! when, and how it ended) is stored as a document of kind [`AUDIT_KIND`] in
//! the venue's partition (`*` for routes outside a venue), kept for
//! [`AUDIT_RETENTION_DAYS`]. (Erasing a customer adds its own record of the
//! erasure, intent first, to the same trail.) Anonymous attempts are not stored (they are
//! refused with 401 and would let anyone fill the table).

use axum::extract::{FromRequestParts, Request, State};
use axum::middleware::Next;
use axum::response::Response;
use chrono::{Duration, SecondsFormat};
use serde_json::json;

use crate::access::{VerifiedClaims, is_read};
use crate::auth::Claims;
use crate::state::AppState;

pub const AUDIT_KIND: &str = "audit";
pub const AUDIT_RETENTION_DAYS: i64 = 400;

/// Middleware: runs the request, then records it when it was a write by a
/// caller whose token verified. A failed audit write is logged, not turned
/// into an error: the change itself has already been made.
pub async fn record(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if is_read(req.method()) {
        return next.run(req).await;
    }
    let (mut parts, body) = req.into_parts();
    let caller = Claims::from_request_parts(&mut parts, &state).await.ok();
    if let Some(c) = &caller {
        // The handler's extractor reuses these instead of verifying again.
        parts.extensions.insert(VerifiedClaims(c.clone()));
    }
    let method = parts.method.to_string();
    let path = parts.uri.path().to_owned();
    let res = next.run(Request::from_parts(parts, body)).await;
    let Some(caller) = caller else {
        return res;
    };
    let at = state.now();
    let venue = venue_of(&path).unwrap_or_else(|| "*".to_owned());
    let doc = json!({
        "sub": caller.sub,
        "role": caller.role().as_str(),
        "method": method,
        "path": path,
        "status": res.status().as_u16(),
        "at": at.to_rfc3339_opts(SecondsFormat::Millis, true),
    });
    // Sortable by time; the random suffix keeps two writes of one millisecond apart.
    let id = format!(
        "{}#{}",
        at.to_rfc3339_opts(SecondsFormat::Micros, true),
        uuid::Uuid::new_v4().simple()
    );
    let expires = at + Duration::days(AUDIT_RETENTION_DAYS);
    if let Err(e) = state
        .docs
        .put(AUDIT_KIND, &venue, &id, &doc, Some(expires))
        .await
    {
        tracing::error!(error = %e, method, path = doc["path"].as_str(), "audit record not stored");
    }
    res
}

/// The venue of a venue-scoped path, `/api/{area}/{venueId}[/…]`, decoded.
fn venue_of(path: &str) -> Option<String> {
    let mut segments = path.strip_prefix("/api/")?.split('/');
    let _area = segments.next()?;
    let raw = segments.next().filter(|s| !s.is_empty())?;
    percent_encoding::percent_decode_str(raw)
        .decode_utf8()
        .ok()
        .map(|v| v.into_owned())
}

#[cfg(test)]
mod tests {
    use super::venue_of;

    #[test]
    fn the_venue_is_the_decoded_third_segment() {
        assert_eq!(venue_of("/api/widgets/v%231/w1").as_deref(), Some("v#1"));
        assert_eq!(venue_of("/api/reports/v1").as_deref(), Some("v1"));
        assert_eq!(venue_of("/api/analytics"), None);
        assert_eq!(venue_of("/health"), None);
    }
}
