//! `GET /api/predictions/{venueId}[?eventId]`: per show, the final-ticket
//! forecast from its hourly sales so far and the attendance forecast from
//! its scans so far and the venue's past show-up rates.
//!
//! - Sales (`insights::forecast::forecast_sales`): a decaying on-sale spike
//!   plus a baseline with a pre-show uplift, fitted by penalised Poisson
//!   maximum likelihood; 80% interval, sell-out time and probability.
//!   On-sale is the show's `onSaleAt`, else its first sale.
//! - Attendance (`insights::forecast::forecast_attendance`): Beta-Binomial
//!   show-up with an exponential arrival curve after doors; the prior comes
//!   from past shows' admitted ÷ sold (shows started at least
//!   [`SETTLED_AFTER_HOURS`] ago, with scans). Doors are taken to open at the
//!   first admitted scan (the show record has no doors time).
//!
//! With `eventId` the show's forecast is the body; without, one per show
//! that is upcoming or started within [`SETTLED_AFTER_HOURS`].

use axum::Json;
use axum::extract::State;
use chrono::{DateTime, Duration, Utc};
use domain::ports::{RollupRow, ShowRecord};
use domain::{Granularity, Metric};
use futures::future::try_join_all;
use insights::forecast::{
    AttendanceForecast, SalesCurve, SalesCurveFit, SalesForecast, forecast_attendance,
    forecast_sales,
};
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

pub const SALES_MODEL: &str = "decay+baseline+pre-show-uplift/poisson-map";
pub const ATTENDANCE_MODEL: &str = "beta-binomial+exponential-arrivals";
/// Shows forecast when no `eventId` is given.
pub const MAX_SHOWS: usize = 20;
/// Past shows feeding the show-up prior, most recent first.
pub const MAX_PAST_SHOWS: usize = 20;
/// A show's scans are complete this long after its start.
pub const SETTLED_AFTER_HOURS: i64 = 4;

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SalesView {
    pub tickets_sold: i64,
    pub projected_final_tickets: i64,
    /// 80% interval of the final tickets.
    pub interval_low: i64,
    pub interval_high: i64,
    pub capacity: Option<i64>,
    /// When the expected curve reaches capacity (`null`: not expected).
    pub projected_sell_out_at: Option<DateTime<Utc>>,
    pub sell_out_probability: f64,
    /// `decay+baseline+pre-show-uplift/poisson-map`, `sold-out`, `final` or `insufficient-data`.
    pub method: String,
    pub on_sale_at: Option<DateTime<Utc>>,
    /// `show` (the show's `onSaleAt`) or `firstSale`.
    pub on_sale_source: Option<String>,
    /// Fitted curve (A, b, c, k, dispersion, expected remaining and its s.d.).
    #[schema(value_type = Option<Object>)]
    pub fit: Option<SalesCurveFit>,
}

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AttendanceView {
    pub tickets_sold: i64,
    pub admitted_so_far: i64,
    /// First admitted scan (taken as doors open); `null` before any scan.
    pub doors_opened_at: Option<DateTime<Utc>>,
    pub expected_attendance: i64,
    pub expected_no_shows: i64,
    pub show_up_rate: f64,
    /// 80% interval of the attendance.
    pub interval_low: i64,
    pub interval_high: i64,
    /// Past shows in the prior, and their mean show-up rate.
    pub past_shows: usize,
    pub past_show_up_rate: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ShowPrediction {
    pub event_id: String,
    pub name: String,
    pub starts_at: DateTime<Utc>,
    pub sales: SalesView,
    pub attendance: AttendanceView,
}

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Models {
    pub sales: String,
    pub attendance: String,
}

impl Default for Models {
    fn default() -> Self {
        Self {
            sales: SALES_MODEL.into(),
            attendance: ATTENDANCE_MODEL.into(),
        }
    }
}

/// The forecast of one show (`?eventId=`).
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct OnePrediction {
    pub venue_id: String,
    pub models: Models,
    #[serde(flatten)]
    pub show: ShowPrediction,
}

/// Forecasts of the upcoming and running shows.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PredictionList {
    pub venue_id: String,
    pub models: Models,
    pub shows: Vec<ShowPrediction>,
}

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[serde(untagged)]
pub enum Predictions {
    One(Box<OnePrediction>),
    Many(PredictionList),
}

/// What the stores hold about one show.
#[derive(Debug, Clone, PartialEq)]
pub struct ShowData {
    /// Hourly show-scope rollups.
    pub hourly: Vec<RollupRow>,
    /// First minute with an admitted scan.
    pub first_scan_at: Option<DateTime<Utc>>,
}

fn at(bucket: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(bucket, 0).unwrap_or_default()
}

/// Forecast one show from its data.
pub fn predict(
    show: &ShowRecord,
    data: &ShowData,
    venue_capacity: Option<u32>,
    past_rates: &[f64],
    now: DateTime<Utc>,
) -> ShowPrediction {
    let sold: i64 = data.hourly.iter().map(|r| r.get(Metric::TicketsSold)).sum();
    let admitted: i64 = data
        .hourly
        .iter()
        .map(|r| r.get(Metric::ScansAdmitted))
        .sum();
    let capacity = show.capacity.or(venue_capacity).map(i64::from);
    let hourly_sales: Vec<(DateTime<Utc>, i64)> = data
        .hourly
        .iter()
        .map(|r| (at(r.bucket), r.get(Metric::TicketsSold)))
        .filter(|(_, n)| *n > 0)
        .collect();
    let (on_sale_at, on_sale_source) = match (show.on_sale_at, hourly_sales.first()) {
        (Some(t), _) => (Some(t), Some("show")),
        (None, Some((t, _))) => (Some(*t), Some("firstSale")),
        (None, None) => (None, None),
    };
    let forecast: SalesForecast = forecast_sales(&SalesCurve {
        on_sale_at: on_sale_at.unwrap_or(now),
        show_starts_at: show.starts_at,
        capacity,
        hourly_sales,
        now,
    });
    #[allow(clippy::cast_precision_loss)]
    let minutes_since_doors = data
        .first_scan_at
        .map(|t| (now - t).num_seconds().max(0) as f64 / 60.0);
    let att: AttendanceForecast =
        forecast_attendance(sold, admitted, minutes_since_doors, past_rates);
    #[allow(clippy::cast_precision_loss)]
    let past_mean =
        (!past_rates.is_empty()).then(|| past_rates.iter().sum::<f64>() / past_rates.len() as f64);
    ShowPrediction {
        event_id: show.event_id.clone(),
        name: show.name.clone(),
        starts_at: show.starts_at,
        sales: SalesView {
            tickets_sold: forecast.sold_so_far,
            projected_final_tickets: forecast.projected_final_tickets,
            interval_low: forecast.interval_low,
            interval_high: forecast.interval_high,
            capacity,
            projected_sell_out_at: forecast.projected_sell_out_at,
            sell_out_probability: forecast.sell_out_probability,
            method: forecast.method,
            on_sale_at,
            on_sale_source: on_sale_source.map(str::to_owned),
            fit: forecast.fit,
        },
        attendance: AttendanceView {
            tickets_sold: sold,
            admitted_so_far: admitted,
            doors_opened_at: data.first_scan_at,
            expected_attendance: att.expected_attendance,
            expected_no_shows: att.expected_no_shows,
            show_up_rate: att.show_up_rate,
            interval_low: att.interval_low,
            interval_high: att.interval_high,
            past_shows: past_rates.len(),
            past_show_up_rate: past_mean,
        },
    }
}

/// Admitted ÷ sold of a finished show; `None` without sales or scans
/// (a show without scanning says nothing about show-up).
#[allow(clippy::cast_precision_loss)]
pub fn show_up_rate(rows: &[RollupRow]) -> Option<f64> {
    let sold: i64 = rows.iter().map(|r| r.get(Metric::TicketsSold)).sum();
    let admitted: i64 = rows.iter().map(|r| r.get(Metric::ScansAdmitted)).sum();
    (sold > 0 && admitted > 0).then(|| (admitted as f64 / sold as f64).min(1.0))
}

async fn show_data(
    state: &AppState,
    venue: &str,
    show: &str,
    now: DateTime<Utc>,
) -> ApiResult<ShowData> {
    let to = Granularity::Hour.bucket_start(now, chrono_tz::Tz::UTC) + 3600;
    let hourly = state
        .reader
        .rollups(venue, Some(show), Granularity::Hour, 0, to)
        .await?;
    let first_scan_hour = hourly
        .iter()
        .find(|r| r.get(Metric::ScansAdmitted) > 0)
        .map(|r| r.bucket);
    let first_scan_at = match first_scan_hour {
        None => None,
        Some(h) => {
            let minutes = state
                .reader
                .rollups(venue, Some(show), Granularity::Minute, h, h + 3600)
                .await?;
            // Minute buckets may have expired for old shows: the hour then.
            Some(
                minutes
                    .iter()
                    .find(|r| r.get(Metric::ScansAdmitted) > 0)
                    .map_or(at(h), |r| at(r.bucket)),
            )
        }
    };
    Ok(ShowData {
        hourly,
        first_scan_at,
    })
}

/// Show-up rates of the venue's settled shows, most recent first.
async fn past_rates(
    state: &AppState,
    access: &VenueAccess,
    now: DateTime<Utc>,
) -> ApiResult<Vec<f64>> {
    let mut past: Vec<&ShowRecord> = access
        .venue
        .shows
        .iter()
        .filter(|s| s.starts_at + Duration::hours(SETTLED_AFTER_HOURS) <= now)
        .collect();
    past.sort_by_key(|s| std::cmp::Reverse(s.starts_at));
    past.truncate(MAX_PAST_SHOWS);
    let to = now.timestamp() + 86_400;
    let reads = past.iter().map(|s| {
        state
            .reader
            .rollups(access.id(), Some(&s.event_id), Granularity::Day, 0, to)
    });
    let rows = try_join_all(reads).await?;
    Ok(rows.iter().filter_map(|r| show_up_rate(r)).collect())
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(predictions))
}

/// Sales and attendance forecasts for one show, or for the upcoming and running shows.
#[utoipa::path(get, path = "/api/predictions/{venueId}", tag = "predictions", security(("bearer" = [])),
    params(("venueId" = String, Path, description = "Venue id"), ShowQuery),
    responses((status = 200, description = "`OnePrediction` with `eventId`, else `PredictionList`", body = Predictions), VenueErrors))]
#[tracing::instrument(skip_all)]
pub async fn predictions(
    State(state): State<AppState>,
    access: VenueAccess,
    ApiQuery(q): ApiQuery<ShowQuery>,
) -> ApiResult<Json<Predictions>> {
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
            let mut current: Vec<&ShowRecord> = access
                .venue
                .shows
                .iter()
                .filter(|s| s.starts_at + Duration::hours(SETTLED_AFTER_HOURS) > now)
                .collect();
            current.sort_by_key(|s| s.starts_at);
            current.truncate(MAX_SHOWS);
            current
        }
    };
    let (data, rates) = tokio::try_join!(
        try_join_all(
            shows
                .iter()
                .map(|s| show_data(&state, access.id(), &s.event_id, now))
        ),
        past_rates(&state, &access, now),
    )?;
    let mut predictions = shows
        .iter()
        .zip(&data)
        .map(|(s, d)| predict(s, d, access.venue.capacity, &rates, now));
    let venue_id = access.id().to_owned();
    Ok(Json(match q.show() {
        Some(_) => Predictions::One(Box::new(OnePrediction {
            venue_id,
            models: Models::default(),
            show: predictions.next().expect("one show"),
        })),
        None => Predictions::Many(PredictionList {
            venue_id,
            models: Models::default(),
            shows: predictions.collect(),
        }),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::summary::tests::{at as t, row};

    fn show(capacity: Option<u32>, on_sale: Option<&str>) -> ShowRecord {
        ShowRecord {
            event_id: "s1".into(),
            name: "Show".into(),
            starts_at: t("2026-11-26T20:00:00Z"),
            capacity,
            on_sale_at: on_sale.map(t),
        }
    }

    #[test]
    fn a_steady_seller_is_projected_forward_with_an_interval() {
        // 10 tickets an hour for 4 days since on-sale, then forecast 2 days ahead.
        let on_sale = t("2026-11-20T20:00:00Z");
        let now = t("2026-11-24T20:00:00Z");
        let hourly: Vec<RollupRow> = (0..96)
            .map(|h| {
                let mut r = row("2026-11-20T20:00:00Z", &[(Metric::TicketsSold, 10)], &[]);
                r.bucket = (on_sale + Duration::hours(h)).timestamp();
                r
            })
            .collect();
        let data = ShowData {
            hourly,
            first_scan_at: None,
        };
        let p = predict(
            &show(Some(5000), Some("2026-11-20T20:00:00Z")),
            &data,
            None,
            &[],
            now,
        );
        let s = &p.sales;
        assert_eq!(s.tickets_sold, 960);
        assert_eq!(s.method, SALES_MODEL);
        assert_eq!(s.on_sale_source.as_deref(), Some("show"));
        // 48 more hours at ~10/h (the uplift adds some): well above 960 + 300, below capacity.
        assert!(
            (1300..=2200).contains(&s.projected_final_tickets),
            "{}",
            s.projected_final_tickets
        );
        assert!(
            s.interval_low <= s.projected_final_tickets
                && s.projected_final_tickets <= s.interval_high
        );
        assert!(s.interval_low >= 960);
        assert!(s.sell_out_probability < 0.01);
        assert_eq!(s.projected_sell_out_at, None);
        // Doors not open: attendance is the Beta(18, 2) prior, 90% of the sold tickets.
        assert_eq!(p.attendance.expected_attendance, 864);
        assert_eq!(p.attendance.expected_no_shows, 96);
    }

    #[test]
    fn on_sale_defaults_to_the_first_sale_and_scans_update_attendance() {
        let now = t("2026-11-26T21:30:00Z");
        let hourly = vec![
            row("2026-11-25T10:00:00Z", &[(Metric::TicketsSold, 100)], &[]),
            row("2026-11-26T19:00:00Z", &[(Metric::ScansAdmitted, 60)], &[]),
        ];
        let data = ShowData {
            hourly,
            first_scan_at: Some(t("2026-11-26T19:00:00Z")),
        };
        let p = predict(&show(None, None), &data, Some(100), &[0.8, 0.8, 0.8], now);
        assert_eq!(p.sales.on_sale_at, Some(t("2026-11-25T10:00:00Z")));
        assert_eq!(p.sales.on_sale_source.as_deref(), Some("firstSale"));
        assert_eq!(p.sales.method, "sold-out");
        assert_eq!(p.sales.capacity, Some(100));
        // 150 min after doors, F = 0.96: most who come are in; the strong
        // prior at 0.8 (three identical past rates: concentration 200) says
        // ρ ≈ 0.7, so each of the 40 others still comes with ≈ 8%: ≈ 3 more.
        let a = &p.attendance;
        assert_eq!(a.admitted_so_far, 60);
        assert!(
            (62..=66).contains(&a.expected_attendance),
            "{}",
            a.expected_attendance
        );
        assert_eq!(a.past_shows, 3);
        assert!((a.past_show_up_rate.unwrap() - 0.8).abs() < 1e-12);
    }

    #[test]
    fn show_up_needs_sales_and_scans() {
        let rows = vec![row(
            "2026-11-20T00:00:00Z",
            &[(Metric::TicketsSold, 200), (Metric::ScansAdmitted, 170)],
            &[],
        )];
        assert_eq!(show_up_rate(&rows), Some(0.85));
        let unscanned = vec![row(
            "2026-11-20T00:00:00Z",
            &[(Metric::TicketsSold, 200)],
            &[],
        )];
        assert_eq!(show_up_rate(&unscanned), None);
    }
}
