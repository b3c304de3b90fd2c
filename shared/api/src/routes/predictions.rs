//! `GET /api/predictions/{venueId}[?eventId]`: a run-rate projection of each
//! upcoming show's final ticket count.
//!
//! Method `run-rate`: final = sold so far + (tickets sold in the last 24
//! hours ÷ 24) × hours until the show starts, capped at capacity. It assumes
//! the recent pace holds; it has no interval. The model-based forecast comes
//! from the insights crate later.

use axum::Json;
use axum::extract::State;
use chrono::{DateTime, Duration, Utc};
use domain::ports::{RollupRow, ShowRecord};
use domain::{Granularity, Metric};
use futures::future::try_join_all;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::ShowQuery;
use crate::access::VenueAccess;
use crate::error::{ApiError, ApiResult};
use crate::extract::ApiQuery;
use crate::openapi::VenueErrors;
use crate::state::AppState;

pub const METHOD: &str = "run-rate";
/// Upcoming shows projected when no `eventId` is given.
pub const MAX_SHOWS: usize = 20;
const RATE_WINDOW_HOURS: i64 = 24;

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SalesProjection {
    pub tickets_sold: i64,
    /// Tickets sold in the last 24 hourly buckets (the current one included).
    pub last_24h_tickets: i64,
    pub rate_per_hour: f64,
    pub hours_until_start: f64,
    pub projected_final_tickets: i64,
    pub capacity: Option<i64>,
    /// Whether the projection was cut at capacity.
    pub capped_at_capacity: bool,
    /// When capacity is reached at the current rate, if before the start.
    pub projected_sell_out_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ShowPrediction {
    pub event_id: String,
    pub name: String,
    pub starts_at: DateTime<Utc>,
    pub method: String,
    pub sales: SalesProjection,
}

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PredictionList {
    pub venue_id: String,
    pub method: String,
    pub description: String,
    pub shows: Vec<ShowPrediction>,
}

/// The projection for one show from its hourly rollups.
#[allow(clippy::cast_precision_loss, clippy::cast_possible_truncation)]
pub fn project(
    rows: &[RollupRow],
    show: &ShowRecord,
    venue_capacity: Option<u32>,
    now: DateTime<Utc>,
) -> SalesProjection {
    let sold: i64 = rows.iter().map(|r| r.get(Metric::TicketsSold)).sum();
    let window_start =
        Granularity::Hour.bucket_start(now, chrono_tz::Tz::UTC) - (RATE_WINDOW_HOURS - 1) * 3600;
    let recent: i64 = rows
        .iter()
        .filter(|r| r.bucket >= window_start)
        .map(|r| r.get(Metric::TicketsSold))
        .sum();
    let rate = recent as f64 / RATE_WINDOW_HOURS as f64;
    let hours = ((show.starts_at - now).num_seconds().max(0)) as f64 / 3600.0;
    let capacity = show.capacity.or(venue_capacity).map(i64::from);
    let uncapped = sold + (rate * hours).round() as i64;
    let projected = capacity.map_or(uncapped, |c| uncapped.min(c.max(sold)));
    let sell_out = capacity.filter(|c| rate > 0.0 && sold < *c).and_then(|c| {
        let at = now + Duration::seconds(((c - sold) as f64 / rate * 3600.0).round() as i64);
        (at <= show.starts_at).then_some(at)
    });
    SalesProjection {
        tickets_sold: sold,
        last_24h_tickets: recent,
        rate_per_hour: rate,
        hours_until_start: hours,
        projected_final_tickets: projected,
        capacity,
        capped_at_capacity: projected < uncapped,
        projected_sell_out_at: sell_out,
    }
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(predictions))
}

/// Run-rate ticket projections for one show, or the next upcoming shows.
#[utoipa::path(get, path = "/api/predictions/{venueId}", tag = "predictions", security(("bearer" = [])),
    params(("venueId" = String, Path, description = "Venue id"), ShowQuery),
    responses((status = 200, description = "Success", body = PredictionList), VenueErrors))]
#[tracing::instrument(skip_all)]
pub async fn predictions(
    State(state): State<AppState>,
    access: VenueAccess,
    ApiQuery(q): ApiQuery<ShowQuery>,
) -> ApiResult<Json<PredictionList>> {
    let now = state.now();
    let shows: Vec<&ShowRecord> = match q.show() {
        Some(id) => vec![
            access
                .venue
                .shows
                .iter()
                .find(|s| s.event_id == id)
                .ok_or_else(|| {
                    ApiError::not_found(format!(
                        "no show {id:?} at this venue (its start time is needed)"
                    ))
                })?,
        ],
        None => {
            let mut upcoming: Vec<&ShowRecord> = access
                .venue
                .shows
                .iter()
                .filter(|s| s.starts_at > now)
                .collect();
            upcoming.sort_by_key(|s| s.starts_at);
            upcoming.truncate(MAX_SHOWS);
            upcoming
        }
    };
    let to = Granularity::Hour.bucket_start(now, chrono_tz::Tz::UTC) + 3600;
    let reads = shows.iter().map(|s| {
        state
            .reader
            .rollups(access.id(), Some(&s.event_id), Granularity::Hour, 0, to)
    });
    let rows = try_join_all(reads).await?;
    let shows = shows
        .iter()
        .zip(rows)
        .map(|(s, rows)| ShowPrediction {
            event_id: s.event_id.clone(),
            name: s.name.clone(),
            starts_at: s.starts_at,
            method: METHOD.into(),
            sales: project(&rows, s, access.venue.capacity, now),
        })
        .collect();
    Ok(Json(PredictionList {
        venue_id: access.id().to_owned(),
        method: METHOD.into(),
        description:
            "sold so far + (tickets in the last 24h / 24) x hours until start, capped at capacity"
                .into(),
        shows,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::summary::tests::{at, row};

    fn show(capacity: Option<u32>) -> ShowRecord {
        ShowRecord {
            event_id: "s1".into(),
            name: "Show".into(),
            starts_at: at("2026-11-26T12:00:00Z"),
            capacity,
            on_sale_at: None,
        }
    }

    #[test]
    fn run_rate_projects_the_last_day_forward() {
        let now = at("2026-11-24T12:30:00Z");
        let rows = vec![
            row("2026-11-20T10:00:00Z", &[(Metric::TicketsSold, 100)], &[]), // old: counts as sold, not in the rate
            row("2026-11-23T14:00:00Z", &[(Metric::TicketsSold, 24)], &[]),
            row("2026-11-24T12:00:00Z", &[(Metric::TicketsSold, 24)], &[]),
        ];
        let p = project(&rows, &show(None), None, now);
        assert_eq!(p.tickets_sold, 148);
        assert_eq!(p.last_24h_tickets, 48);
        assert_eq!(p.rate_per_hour, 2.0);
        assert_eq!(p.hours_until_start, 47.5);
        assert_eq!(p.projected_final_tickets, 148 + 95);
        assert!(!p.capped_at_capacity);
        assert_eq!(p.projected_sell_out_at, None);

        let capped = project(&rows, &show(Some(200)), None, now);
        assert_eq!(capped.projected_final_tickets, 200);
        assert!(capped.capped_at_capacity);
        assert_eq!(
            capped.projected_sell_out_at,
            Some(at("2026-11-25T14:30:00Z")),
            "52 tickets at 2/h"
        );
    }

    #[test]
    fn a_started_show_projects_what_it_sold() {
        let rows = vec![row(
            "2026-11-26T11:00:00Z",
            &[(Metric::TicketsSold, 10)],
            &[],
        )];
        let p = project(&rows, &show(Some(5)), None, at("2026-11-26T13:00:00Z"));
        assert_eq!(p.hours_until_start, 0.0);
        assert_eq!(p.projected_final_tickets, 10, "never below what was sold");
    }
}
