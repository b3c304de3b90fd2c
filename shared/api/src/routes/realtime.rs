//! `/api/realtime`: the last 15 minutes from the 1m rollups, and a WebSocket
//! that forwards the venue's live deltas from the [`RealtimeHub`](crate::hub::RealtimeHub).

use std::sync::Arc;
use std::time::Duration as StdDuration;

use axum::Json;
use axum::extract::State;
use axum::extract::ws::rejection::WebSocketUpgradeRejection;
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::http::HeaderMap;
use axum::http::header::AUTHORIZATION;
use axum::response::Response;
use chrono::{DateTime, Utc};
use domain::ports::{RollupRow, VenueRecord};
use domain::{Granularity, Metric};
use serde::{Deserialize, Serialize};
use tokio::sync::broadcast::Receiver;
use tokio::sync::broadcast::error::RecvError;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::access::{VenueAccess, authorize_venue};
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiPath, ApiQuery};
use crate::hub::HubMessage;
use crate::model::Money;
use crate::openapi::VenueErrors;
use crate::state::AppState;
use crate::totals::{InCurrency, money_in};

/// Minutes covered by the snapshot.
pub const WINDOW_MINUTES: i64 = 15;
/// Keep-alive ping interval on idle sockets.
const PING_EVERY: StdDuration = StdDuration::from_secs(30);

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct MinutePoint {
    pub t: DateTime<Utc>,
    pub tickets_sold: i64,
    /// Minor units.
    pub revenue: i64,
    pub scans_admitted: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RealtimeSnapshot {
    pub venue_id: String,
    pub window_minutes: i64,
    /// Start of the first minute in the window.
    pub since: DateTime<Utc>,
    pub revenue: Money,
    pub tickets_sold: i64,
    pub scans_admitted: i64,
    pub page_views: i64,
    pub cart_adds: i64,
    /// One point per minute, oldest first, zero-filled; the last is the current (partial) minute.
    pub per_minute: Vec<MinutePoint>,
}

/// `[from, to)` of the minute buckets in the window ending with the current minute.
pub fn window(now: DateTime<Utc>) -> (i64, i64) {
    let current = Granularity::Minute.bucket_start(now, chrono_tz::Tz::UTC);
    (current - (WINDOW_MINUTES - 1) * 60, current + 60)
}

pub fn snapshot(venue: &VenueRecord, rows: &[RollupRow], now: DateTime<Utc>) -> RealtimeSnapshot {
    let (from, to) = window(now);
    let InCurrency { currency, rows, .. } = money_in(rows, venue, None);
    let rows: Vec<&RollupRow> = rows
        .iter()
        .filter(|r| (from..to).contains(&r.bucket))
        .collect();
    let total = |m| rows.iter().map(|r| r.get(m)).sum::<i64>();
    let per_minute = (from..to)
        .step_by(60)
        .map(|t| {
            let row = rows.iter().find(|r| r.bucket == t);
            let get = |m| row.map_or(0, |r| r.get(m));
            MinutePoint {
                t: DateTime::from_timestamp(t, 0).unwrap_or_default(),
                tickets_sold: get(Metric::TicketsSold),
                revenue: get(Metric::Revenue),
                scans_admitted: get(Metric::ScansAdmitted),
            }
        })
        .collect();
    RealtimeSnapshot {
        venue_id: venue.venue_id.clone(),
        window_minutes: WINDOW_MINUTES,
        since: DateTime::from_timestamp(from, 0).unwrap_or_default(),
        revenue: Money::new(total(Metric::Revenue), &currency),
        tickets_sold: total(Metric::TicketsSold),
        scans_admitted: total(Metric::ScansAdmitted),
        page_views: total(Metric::PageViews),
        cart_adds: total(Metric::CartAdds),
        per_minute,
    }
}

#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct WsQuery {
    /// The JWT (browsers cannot set headers on a WebSocket); an
    /// `Authorization: Bearer` header works too.
    pub token: Option<String>,
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(realtime_snapshot))
        .routes(routes!(realtime_ws))
}

/// Totals and per-minute points of the last 15 minutes.
#[utoipa::path(get, path = "/api/realtime/{venueId}", tag = "realtime", security(("bearer" = [])),
    params(("venueId" = String, Path, description = "Venue id")),
    responses((status = 200, description = "Success", body = RealtimeSnapshot), VenueErrors))]
#[tracing::instrument(skip_all)]
pub async fn realtime_snapshot(
    State(state): State<AppState>,
    access: VenueAccess,
) -> ApiResult<Json<RealtimeSnapshot>> {
    let now = state.now();
    let (from, to) = window(now);
    let rows = state
        .reader
        .rollups(access.id(), None, Granularity::Minute, from, to)
        .await?;
    Ok(Json(snapshot(&access.venue, &rows, now)))
}

/// Live updates. The server sends `{"type":"hello","venueId"}`, then each
/// message ingest pushes for the venue (`{"type":"delta",…}`, `{"type":"alert",…}`),
/// and `{"type":"lagged","missed":n}` if this socket fell behind.
#[utoipa::path(get, path = "/api/realtime/{venueId}/ws", tag = "realtime",
    params(("venueId" = String, Path, description = "Venue id"), WsQuery),
    responses((status = 101, description = "Switching to the WebSocket protocol"), VenueErrors))]
#[tracing::instrument(skip_all)]
pub async fn realtime_ws(
    State(state): State<AppState>,
    ApiPath(venue): ApiPath<String>,
    ApiQuery(q): ApiQuery<WsQuery>,
    headers: HeaderMap,
    upgrade: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> ApiResult<Response> {
    let header_token = headers
        .get(AUTHORIZATION)
        .and_then(|h| h.to_str().ok())
        .and_then(|h| h.strip_prefix("Bearer "))
        .map(str::to_owned);
    let token = q
        .token
        .or(header_token)
        .ok_or_else(|| ApiError::Unauthorized("missing token: pass ?token=<JWT>".into()))?;
    // Never served through the share door: a share link polls instead.
    let claims = crate::access::verify_token(&state, &token, false).await?;
    let access = authorize_venue(&state, claims, &venue).await?;
    let upgrade = upgrade.map_err(|e| ApiError::BadRequest(e.body_text()))?;
    // Subscribe before the upgrade so nothing published meanwhile is missed.
    let rx = state.hub.subscribe();
    let venue = access.id().to_owned();
    Ok(upgrade.on_upgrade(move |socket| forward(socket, venue, rx)))
}

fn text(value: &serde_json::Value) -> Message {
    Message::Text(value.to_string().into())
}

async fn forward(mut socket: WebSocket, venue: String, mut rx: Receiver<Arc<HubMessage>>) {
    if socket
        .send(text(
            &serde_json::json!({"type": "hello", "venueId": venue}),
        ))
        .await
        .is_err()
    {
        return;
    }
    let mut ping = tokio::time::interval(PING_EVERY);
    ping.tick().await;
    loop {
        tokio::select! {
            incoming = socket.recv() => match incoming {
                // Pings are answered by the socket itself; client text is ignored.
                Some(Ok(Message::Close(_)) | Err(_)) | None => break,
                Some(Ok(_)) => {}
            },
            msg = rx.recv() => {
                let out = match msg {
                    Ok(m) if m.venue == venue => text(&m.message),
                    Ok(_) => continue,
                    Err(RecvError::Lagged(missed)) => text(&serde_json::json!({"type": "lagged", "missed": missed})),
                    Err(RecvError::Closed) => break,
                };
                if socket.send(out).await.is_err() {
                    break;
                }
            }
            _ = ping.tick() => {
                if socket.send(Message::Ping(Default::default())).await.is_err() {
                    break;
                }
            }
        }
    }
    tracing::debug!(venue, "realtime socket closed");
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::summary::tests::{at, row, venue};

    #[test]
    fn snapshot_covers_fifteen_zero_filled_minutes() {
        let now = at("2026-11-24T20:30:20Z");
        let rows = vec![
            row("2026-11-24T20:15:00Z", &[(Metric::TicketsSold, 9)], &[]), // just outside
            row(
                "2026-11-24T20:16:00Z",
                &[(Metric::TicketsSold, 2), (Metric::Revenue, 9000)],
                &[],
            ),
            row(
                "2026-11-24T20:30:00Z",
                &[(Metric::ScansAdmitted, 4), (Metric::PageViews, 7)],
                &[],
            ),
        ];
        let s = snapshot(&venue(), &rows, now);
        assert_eq!(s.per_minute.len(), 15);
        assert_eq!(s.since, at("2026-11-24T20:16:00Z"));
        assert_eq!(s.tickets_sold, 2);
        assert_eq!(s.revenue, Money::new(9000, "EUR"));
        assert_eq!(s.per_minute[14].scans_admitted, 4);
        assert_eq!(s.per_minute[1].tickets_sold, 0);
        assert_eq!(s.page_views, 7);
    }
}
