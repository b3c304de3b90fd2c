//! `GET /api/dashboards/{venueId}[?eventId]`: the summary in three store round
//! trips (venue metadata, daily totals, the last hour's minutes). A period
//! (`from`/`to`) adds the finer rows of its edges, read at once with the rest
//! (`domain::period`): its totals are exact to the minute, not whole days.

use axum::Json;
use axum::extract::State;
use domain::Granularity;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::access::VenueAccess;
use crate::compare::{Compare, Comparison};
use crate::error::{ApiError, ApiResult};
use crate::extract::ApiQuery;
use crate::openapi::VenueErrors;
use crate::state::AppState;
use crate::summary::{DashboardSummary, Period, SummaryInput, assemble, velocity_window};
use crate::totals::money_in;
use chrono::{DateTime, Utc};
use domain::period::Period as Counted;
use domain::ports::RollupRow;

#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(rename_all = "camelCase")]
pub struct DashboardQuery {
    /// The show (an upstream `eventId`); omit for the whole venue.
    pub event_id: Option<String>,
    /// RFC 3339: the period counts the minutes starting at or after it (5
    /// minutes once 1-minute rows are past their 8 days, hours past 35 days;
    /// `period.resolution` says which). Omit `from` and `to` for all time.
    #[param(schema_with = crate::openapi::date_time)]
    pub from: Option<String>,
    /// RFC 3339, exclusive: the period counts the buckets starting before it.
    /// Default now.
    #[param(schema_with = crate::openapi::date_time)]
    pub to: Option<String>,
    /// `previous` (the period of equal length before) or `year` (52 weeks
    /// earlier, same weekdays): adds `comparison`. Needs `from`.
    #[param(pattern = "^(previous|year)$")]
    pub compare: Option<String>,
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(dashboard))
}

/// Totals, rates, funnel and breakdowns of a venue or one of its shows.
#[utoipa::path(get, path = "/api/dashboards/{venueId}", tag = "dashboards", security(("bearer" = [])),
    params(("venueId" = String, Path, description = "Venue id"), DashboardQuery),
    responses((status = 200, description = "Success", body = DashboardSummary), VenueErrors))]
#[tracing::instrument(skip_all)]
pub async fn dashboard(
    State(state): State<AppState>,
    access: VenueAccess,
    ApiQuery(q): ApiQuery<DashboardQuery>,
) -> ApiResult<Json<DashboardSummary>> {
    let now = state.now();
    let show = q.event_id.as_deref().filter(|s| !s.is_empty());
    let compare = super::compare(q.compare.as_deref())?;
    let from = super::instant("from", q.from.as_deref())?;
    let to = super::instant("to", q.to.as_deref())?;
    let period = match (from, to) {
        (None, None) => None,
        (from, to) => {
            let to = to.unwrap_or(now);
            let from = from.ok_or_else(|| ApiError::bad_request("`to` needs a `from`"))?;
            if from >= to {
                return Err(ApiError::bad_request("`from` must be before `to`"));
            }
            Some((from, to))
        }
    };
    if compare.is_some() && period.is_none() {
        return Err(ApiError::bad_request(
            "`compare` needs a period: set `from` (and optionally `to`)",
        ));
    }
    let (velocity_from, velocity_to) = velocity_window(now);
    let counted = period.map(|(from, to)| counted_periods((from, to), compare, access.tz(), now));
    let periods: Vec<Counted> = counted
        .iter()
        .flat_map(|(p, c)| std::iter::once(*p).chain(*c))
        .collect();
    // Every day row of the scope in one query, the last hour's minutes, and
    // the finer rows at the periods' edges, all at once.
    let (all_days, minutes, edges) = tokio::try_join!(
        access.day_rollups(&state, show),
        async {
            Ok(state
                .reader
                .rollups(
                    access.id(),
                    show,
                    Granularity::Minute,
                    velocity_from,
                    velocity_to,
                )
                .await?)
        },
        futures::future::try_join_all(periods.iter().map(|p| edge_rows(
            &state,
            access.id(),
            show,
            p
        ))),
    )?;
    let rows_of = |i: usize| rows_in(&periods[i], &edges[i], &all_days);
    // All time reads the day rows as they are; a period, its own rows.
    let in_period = counted.map(|_| rows_of(0));
    let days = in_period.as_deref().unwrap_or(&all_days);
    let mut summary = assemble(SummaryInput {
        venue: &access.venue,
        event_id: show,
        days,
        minutes: &minutes,
        now,
    });
    if let Some((current, shifted)) = counted {
        summary.period = Some(Period::of(&current));
        if let (Some(compare), Some(shifted)) = (compare, shifted) {
            let previous = rows_of(1);
            let currency = Some(summary.currency.as_str());
            let current = money_in(days, &access.venue, currency).rows;
            let previous = money_in(&previous, &access.venue, currency).rows;
            let shifted = Period::of(&shifted);
            summary.comparison = Some(Comparison::new(
                compare,
                (shifted.from, shifted.to),
                &current,
                &previous,
            ));
        }
    }
    Ok(Json(summary))
}

/// The period counted and the compared one, at one resolution so both count
/// alike: the finest whose rows are kept for both.
fn counted_periods(
    (from, to): (DateTime<Utc>, DateTime<Utc>),
    compare: Option<Compare>,
    tz: chrono_tz::Tz,
    now: DateTime<Utc>,
) -> (Counted, Option<Counted>) {
    let shifted = compare.map(|c| c.shifted(from, to));
    let resolution = std::iter::once((from, to))
        .chain(shifted)
        .map(|(f, t)| Counted::counted(f, t, tz, now).resolution)
        .max()
        .unwrap_or(Granularity::Minute);
    (
        Counted::at(from, to, resolution, tz),
        shifted.map(|(f, t)| Counted::at(f, t, resolution, tz)),
    )
}

/// A period's rows: its edge rows, and the day rows of its whole days.
fn rows_in(period: &Counted, edges: &[RollupRow], all_days: &[RollupRow]) -> Vec<RollupRow> {
    let mut rows = edges.to_vec();
    for span in period
        .tile()
        .iter()
        .filter(|s| s.granularity == Granularity::Day)
    {
        rows.extend(
            all_days
                .iter()
                .filter(|r| (span.from..span.to).contains(&r.bucket))
                .cloned(),
        );
    }
    rows
}

/// The rows of a period's spans finer than a day (its day rows are cut from
/// the day query): one query per span, at most six, each a day's hours at most.
async fn edge_rows(
    state: &AppState,
    venue: &str,
    show: Option<&str>,
    period: &Counted,
) -> ApiResult<Vec<RollupRow>> {
    let spans: Vec<_> = period
        .tile()
        .into_iter()
        .filter(|s| s.granularity != Granularity::Day)
        .collect();
    let parts = futures::future::try_join_all(spans.iter().map(|s| {
        state
            .reader
            .rollups(venue, show, s.granularity, s.from, s.to)
    }))
    .await?;
    Ok(parts.into_iter().flatten().collect())
}
