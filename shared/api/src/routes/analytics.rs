//! `/api/analytics`: flow health (admin), and per venue the funnel,
//! breakdowns and check-ins over time.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::State;
use chrono::{DateTime, Duration, Utc};
use domain::EventType;
use domain::ports::FlowRecord;
use domain::{Dimension, Granularity, Metric};
use futures::future::join_all;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::ShowQuery;
use crate::access::{AdminClaims, VenueAccess};
use crate::checkins::{self, Checkins};
use crate::error::{ApiError, ApiResult};
use crate::extract::ApiQuery;
use crate::openapi::{AdminErrors, VenueErrors};
use crate::pacing::{self, Pacing};
use crate::state::AppState;
use crate::summary::Funnel;
use crate::totals::{breakdown, money_in, sum_all};

/// Health of one (type, source) flow.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct FlowView {
    /// The event type (queue name).
    #[serde(rename = "type")]
    pub event_type: String,
    /// The publishing source; `null` when the type never received an event.
    pub source: Option<String>,
    pub last_event_at: Option<DateTime<Utc>>,
    pub events_last_hour: i64,
    /// Messages quarantined (never counted).
    pub rejected: i64,
    pub total: i64,
    /// Messages in the type's dead-letter queue; `null` when unknown.
    pub dlq_depth: Option<i64>,
    /// `flowing`, `silent` (nothing within `silentAfterMinutes`), `never`, or
    /// `unattributed` (rejected messages whose `source` could not be read; `source` is null).
    pub status: String,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct FlowList {
    pub flows: Vec<FlowView>,
    pub silent_after_minutes: i64,
}

/// The flow-health source under which rejected messages without a readable
/// source are counted (`*`: never an id, see `domain::ids`).
const fn storage_unattributed() -> &'static str {
    "*"
}

/// Every event type appears: one row per source, or one `never` row.
pub fn flow_views(
    records: &[FlowRecord],
    dlq: &BTreeMap<EventType, Option<i64>>,
    now: DateTime<Utc>,
    silent_after: Duration,
) -> Vec<FlowView> {
    let mut out = Vec::new();
    for t in EventType::ALL {
        let dlq_depth = dlq.get(&t).copied().flatten();
        let mut rows: Vec<&FlowRecord> = records.iter().filter(|r| r.event_type == t).collect();
        rows.sort_by(|a, b| a.source.cmp(&b.source));
        // Unreadable rejections say nothing about whether a real source
        // sends: a type with only those still shows its `never` row.
        if rows.iter().all(|r| r.source == storage_unattributed()) {
            out.push(FlowView {
                event_type: t.as_str().into(),
                source: None,
                last_event_at: None,
                events_last_hour: 0,
                rejected: 0,
                total: 0,
                dlq_depth,
                status: "never".into(),
            });
        }
        for r in rows {
            // Rejected messages whose source could not be read: not a source
            // that went quiet, so not `never` either.
            let unattributed = r.source == storage_unattributed();
            let status = match r.last_event_at {
                _ if unattributed => "unattributed",
                None => "never",
                Some(at) if now - at > silent_after => "silent",
                Some(_) => "flowing",
            };
            out.push(FlowView {
                event_type: t.as_str().into(),
                source: (!unattributed).then(|| r.source.clone()),
                last_event_at: r.last_event_at,
                events_last_hour: r.events_last_hour,
                rejected: r.rejected,
                total: r.total,
                dlq_depth,
                status: status.into(),
            });
        }
    }
    out
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AnalyticsSummary {
    pub venue_id: String,
    pub event_id: Option<String>,
    pub funnel: Funnel,
    /// The keys seen per breakdown dimension (tier, channel, entryPoint, campaign).
    pub dimensions: BTreeMap<String, Vec<String>>,
}

#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(rename_all = "camelCase")]
pub struct BreakdownQuery {
    /// tier, channel, entryPoint or campaign.
    #[param(required = true, schema_with = dimension_schema)]
    pub dimension: Option<String>,
    pub event_id: Option<String>,
}

fn dimension_schema() -> utoipa::openapi::Object {
    crate::openapi::string_enum(Dimension::ALL.map(Dimension::as_str))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct BreakdownItem {
    pub key: String,
    /// Metric name → total (money in minor units). Per tier, cart adds are
    /// counted in tickets (`cartTicketsAdded`: one add may hold several
    /// tiers), not in add events like the `cartAdds` metric.
    pub metrics: BTreeMap<String, i64>,
}

/// A breakdown's name for `metric`: the metric's own, except where the
/// breakdown counts something else under it.
fn breakdown_metric_name(dim: Dimension, metric: Metric) -> &'static str {
    match (dim, metric) {
        (Dimension::Tier, Metric::CartAdds) => "cartTicketsAdded",
        _ => metric.as_str(),
    }
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct BreakdownList {
    pub dimension: String,
    pub event_id: Option<String>,
    /// The currency of the items' money; for `dimension=currency` each
    /// item's money is in the currency its key names.
    pub currency: String,
    pub items: Vec<BreakdownItem>,
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(flows))
        .routes(routes!(summary))
        .routes(routes!(funnel))
        .routes(routes!(breakdowns))
        .routes(routes!(checkins))
        .routes(routes!(pacing))
}

#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(rename_all = "camelCase")]
pub struct PacingQuery {
    /// The show to pace (required).
    #[param(required = true)]
    pub event_id: Option<String>,
    /// Days before the show to cover; default 60, at most 400.
    #[param(minimum = 0, maximum = 400)]
    pub horizon_days: Option<i64>,
    /// Compare only with shows whose capacity is within 25% of this one's.
    pub same_capacity: Option<bool>,
}

/// Pacing: the show's cumulative net tickets and net revenue by days before
/// it, against the venue's earlier shows (median and range) — "are we ahead
/// of last time at 30 days out, by how many tickets". One daily query per
/// show compared (at most 12, in parallel).
#[utoipa::path(get, path = "/api/analytics/{venueId}/pacing", tag = "analytics", security(("bearer" = [])),
    params(("venueId" = String, Path, description = "Venue id"), PacingQuery),
    responses((status = 200, description = "Success", body = Pacing), VenueErrors))]
#[tracing::instrument(skip_all)]
pub async fn pacing(
    State(state): State<AppState>,
    access: VenueAccess,
    ApiQuery(q): ApiQuery<PacingQuery>,
) -> ApiResult<Json<Pacing>> {
    let id = q
        .event_id
        .as_deref()
        .filter(|s| !s.is_empty())
        .ok_or_else(|| ApiError::bad_request("missing `eventId`: pacing is per show"))?;
    let horizon = q.horizon_days.unwrap_or(pacing::DEFAULT_HORIZON);
    if !(0..=pacing::MAX_HORIZON).contains(&horizon) {
        return Err(ApiError::bad_request(format!(
            "`horizonDays` must be between 0 and {}",
            pacing::MAX_HORIZON
        )));
    }
    let shows = &access.venue.shows;
    let show = shows
        .iter()
        .find(|s| s.event_id == id)
        .ok_or_else(|| ApiError::NotFound(format!("no show {id:?} at this venue")))?;
    let earlier = pacing::comparables(shows, show, q.same_capacity.unwrap_or(false));
    let read = |event: &str| {
        let (state, venue, event) = (state.clone(), access.id().to_owned(), event.to_owned());
        async move {
            state
                .reader
                .rollups(&venue, Some(&event), Granularity::Day, 0, i64::MAX)
                .await
        }
    };
    let mut all = join_all(
        std::iter::once(show)
            .chain(earlier.iter().copied())
            .map(|s| read(&s.event_id)),
    )
    .await
    .into_iter()
    .collect::<Result<Vec<_>, _>>()?;
    // Money in one currency, the venue's (else the one most sold in).
    let currency = crate::totals::currency(&all.concat(), &access.venue);
    for rows in &mut all {
        *rows = money_in(rows, &access.venue, Some(&currency)).rows;
    }
    let rows_of = |i: usize| all[i].as_slice();
    let earlier_rows: Vec<pacing::ShowRows<'_>> = earlier
        .iter()
        .enumerate()
        .map(|(i, s)| pacing::ShowRows {
            show: s,
            rows: rows_of(i + 1),
        })
        .collect();
    Ok(Json(pacing::assemble(
        access.id(),
        &currency,
        access.tz(),
        &pacing::ShowRows {
            show,
            rows: rows_of(0),
        },
        &earlier_rows,
        horizon,
        state.now(),
    )))
}

#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(rename_all = "camelCase")]
pub struct CheckinsQuery {
    /// The show; omit for every show of the venue.
    pub event_id: Option<String>,
    /// RFC 3339; default two hours before the show starts (else three hours ago).
    #[param(schema_with = crate::openapi::date_time)]
    pub from: Option<String>,
    /// RFC 3339, exclusive; default an hour after the show starts, never past now. At most 24 h after `from`.
    #[param(schema_with = crate::openapi::date_time)]
    pub to: Option<String>,
}

/// Admitted scans per 5 minutes, per gate and in total: how doors are going
/// (venues staff gates from it). One query of the 5-minute rollups, which are
/// kept 35 days: an older window is refused with 400.
#[utoipa::path(get, path = "/api/analytics/{venueId}/checkins", tag = "analytics", security(("bearer" = [])),
    params(("venueId" = String, Path, description = "Venue id"), CheckinsQuery),
    responses((status = 200, description = "Success", body = Checkins), VenueErrors))]
#[tracing::instrument(skip_all)]
pub async fn checkins(
    State(state): State<AppState>,
    access: VenueAccess,
    ApiQuery(q): ApiQuery<CheckinsQuery>,
) -> ApiResult<Json<Checkins>> {
    let show = q.event_id.as_deref().filter(|s| !s.is_empty());
    let record = show.and_then(|id| access.venue.shows.iter().find(|s| s.event_id == id));
    let (default_from, default_to) = checkins::default_window(record, state.now());
    let from = super::instant("from", q.from.as_deref())?.unwrap_or(default_from);
    let to = super::instant("to", q.to.as_deref())?.unwrap_or(default_to);
    if from >= to {
        return Err(ApiError::bad_request("`from` must be before `to`"));
    }
    if to - from > checkins::MAX_WINDOW {
        return Err(ApiError::bad_request(
            "the window is longer than 24 hours: narrow `from`/`to`",
        ));
    }
    super::require_kept(
        Granularity::FiveMinutes,
        from,
        state.now(),
        ("check-ins (5-minute rows)", "`from` is"),
        |_| {
            "older admissions remain in the hourly and daily metrics \
             (`/api/metrics`, metric `scansAdmitted`, granularity 1h or 1d)"
                .to_owned()
        },
    )?;
    let starts = checkins::bucket_starts(from, to);
    let rows = match (starts.first(), starts.last()) {
        (Some(&first), Some(&last)) => {
            state
                .reader
                .rollups(
                    access.id(),
                    show,
                    Granularity::FiveMinutes,
                    first,
                    last + checkins::BUCKET_SECONDS,
                )
                .await?
        }
        _ => Vec::new(),
    };
    Ok(Json(checkins::assemble(
        access.id(),
        show,
        &rows,
        &starts,
        (from, to),
    )))
}

/// Flow health per event type and source (admin).
#[utoipa::path(get, path = "/api/analytics/flows", tag = "analytics", security(("bearer" = [])),
    responses((status = 200, description = "Success", body = FlowList), AdminErrors))]
#[tracing::instrument(skip_all)]
pub async fn flows(
    State(state): State<AppState>,
    _admin: AdminClaims,
) -> ApiResult<Json<FlowList>> {
    let now = state.now();
    let records = state.reader.flows(now).await?;
    let depths = join_all(EventType::ALL.map(|t| {
        let queues = state.queues.clone();
        async move {
            let depth = queues.dlq_depth(t).await.unwrap_or_else(|e| {
                tracing::warn!(event_type = %t, error = %e, "DLQ depth unavailable");
                None
            });
            (t, depth)
        }
    }))
    .await;
    let dlq: BTreeMap<EventType, Option<i64>> = depths.into_iter().collect();
    Ok(Json(FlowList {
        flows: flow_views(&records, &dlq, now, state.silent_after),
        silent_after_minutes: state.silent_after.num_minutes(),
    }))
}

/// Funnel and the breakdown keys of a venue or show.
#[utoipa::path(get, path = "/api/analytics/{venueId}", tag = "analytics", security(("bearer" = [])),
    params(("venueId" = String, Path, description = "Venue id"), ShowQuery),
    responses((status = 200, description = "Success", body = AnalyticsSummary), VenueErrors))]
#[tracing::instrument(skip_all)]
pub async fn summary(
    State(state): State<AppState>,
    access: VenueAccess,
    ApiQuery(q): ApiQuery<ShowQuery>,
) -> ApiResult<Json<AnalyticsSummary>> {
    let rows = access.day_rollups(&state, q.show()).await?;
    let dimensions = Dimension::ALL
        .iter()
        .map(|d| {
            (
                d.as_str().to_owned(),
                breakdown(&rows, *d).into_keys().collect(),
            )
        })
        .collect();
    Ok(Json(AnalyticsSummary {
        venue_id: access.id().to_owned(),
        event_id: q.show().map(str::to_owned),
        funnel: Funnel::from_totals(&sum_all(&rows)),
        dimensions,
    }))
}

/// View → cart → purchase conversion.
#[utoipa::path(get, path = "/api/analytics/{venueId}/funnel", tag = "analytics", security(("bearer" = [])),
    params(("venueId" = String, Path, description = "Venue id"), ShowQuery),
    responses((status = 200, description = "Success", body = Funnel), VenueErrors))]
#[tracing::instrument(skip_all)]
pub async fn funnel(
    State(state): State<AppState>,
    access: VenueAccess,
    ApiQuery(q): ApiQuery<ShowQuery>,
) -> ApiResult<Json<Funnel>> {
    let rows = access.day_rollups(&state, q.show()).await?;
    Ok(Json(Funnel::from_totals(&sum_all(&rows))))
}

/// Totals per value of one dimension, by key.
#[utoipa::path(get, path = "/api/analytics/{venueId}/breakdowns", tag = "analytics", security(("bearer" = [])),
    params(("venueId" = String, Path, description = "Venue id"), BreakdownQuery),
    responses((status = 200, description = "Success", body = BreakdownList), VenueErrors))]
#[tracing::instrument(skip_all)]
pub async fn breakdowns(
    State(state): State<AppState>,
    access: VenueAccess,
    ApiQuery(q): ApiQuery<BreakdownQuery>,
) -> ApiResult<Json<BreakdownList>> {
    let dim: Dimension = q
        .dimension
        .as_deref()
        .ok_or_else(|| {
            ApiError::bad_request(
                "missing `dimension`; expected tier, channel, entryPoint or campaign",
            )
        })?
        .parse()
        .map_err(ApiError::BadRequest)?;
    let show = q.event_id.as_deref().filter(|s| !s.is_empty());
    let rows = access.day_rollups(&state, show).await?;
    // Per currency, each key's money is in that key's currency; otherwise
    // every amount is in the response's currency.
    let money = money_in(&rows, &access.venue, None);
    let rows = if dim == Dimension::Currency {
        rows
    } else {
        money.rows
    };
    let items = breakdown(&rows, dim)
        .into_iter()
        .map(|(key, m)| BreakdownItem {
            key,
            metrics: m
                .into_iter()
                .map(|(k, v): (Metric, i64)| (breakdown_metric_name(dim, k).to_owned(), v))
                .collect(),
        })
        .collect();
    Ok(Json(BreakdownList {
        dimension: dim.as_str().to_owned(),
        event_id: show.map(str::to_owned),
        currency: money.currency,
        items,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::summary::tests::at;

    #[test]
    fn cart_adds_per_tier_are_named_for_what_they_count() {
        // Ingest adds each item's quantity to its tier, and 1 per event to
        // the total: the tier's number is tickets, so it has its own name.
        assert_eq!(
            breakdown_metric_name(Dimension::Tier, Metric::CartAdds),
            "cartTicketsAdded"
        );
        assert_eq!(
            breakdown_metric_name(Dimension::Tier, Metric::TicketsSold),
            "ticketsSold"
        );
        assert_eq!(
            breakdown_metric_name(Dimension::Campaign, Metric::CartAdds),
            "cartAdds"
        );
    }

    #[test]
    fn every_type_is_listed_and_silence_is_detected() {
        let now = at("2026-11-24T12:00:00Z");
        let record = |t, source: &str, last: &str| FlowRecord {
            event_type: t,
            source: source.into(),
            last_event_at: Some(at(last)),
            total: 10,
            rejected: 1,
            events_last_hour: 3,
        };
        let records = vec![
            record(
                EventType::TicketPurchase,
                "ticket-service",
                "2026-11-24T11:59:00Z",
            ),
            record(
                EventType::TicketPurchase,
                "box-office",
                "2026-11-24T10:00:00Z",
            ),
        ];
        let dlq = BTreeMap::from([
            (EventType::TicketPurchase, Some(2)),
            (EventType::PageView, None),
        ]);
        let views = flow_views(&records, &dlq, now, Duration::minutes(15));
        assert_eq!(
            views.len(),
            7,
            "two purchase sources + five never-seen types"
        );
        assert_eq!(views[0].source.as_deref(), Some("box-office"));
        assert_eq!(views[0].status, "silent");
        assert_eq!(views[1].status, "flowing");
        assert_eq!(views[1].dlq_depth, Some(2));
        let never: Vec<_> = views
            .iter()
            .filter(|v| v.status == "never")
            .map(|v| v.event_type.as_str())
            .collect();
        assert_eq!(
            never,
            vec![
                "ticket-scan",
                "page-view",
                "cart-update",
                "venue-update",
                "ticket-refund"
            ]
        );
        assert!(
            views
                .iter()
                .filter(|v| v.status == "never")
                .all(|v| v.source.is_none())
        );
    }

    #[test]
    fn unreadable_rejections_are_unattributed_and_keep_the_never_row() {
        let now = at("2026-11-24T12:00:00Z");
        let records = vec![FlowRecord {
            event_type: EventType::PageView,
            source: storage_unattributed().into(),
            last_event_at: Some(at("2026-11-24T11:59:00Z")),
            total: 2,
            rejected: 2,
            events_last_hour: 0,
        }];
        let views = flow_views(&records, &BTreeMap::new(), now, Duration::minutes(15));
        let page: Vec<_> = views
            .iter()
            .filter(|v| v.event_type == "page-view")
            .map(|v| (v.status.as_str(), v.source.clone(), v.rejected))
            .collect();
        assert_eq!(
            page,
            vec![("never", None, 0), ("unattributed", None, 2)],
            "no real source ever sent page views: that must still show"
        );
    }
}
