//! `GET /api/campaigns/{venueId}`: per campaign reach, conversion, revenue
//! and revenue per view (`insights::campaigns::campaign_report`), from the
//! daily rollups' campaign breakdowns.
//!
//! Attribution is last-touch at the event level: page views and purchases
//! count for the `campaignId` they carry; no stitching across a visitor's
//! events. Cart updates carry no campaign, so cart adds per campaign are not
//! tracked (`cartRate` is `null`, and `notes` says so).

use axum::Json;
use axum::extract::State;
use domain::ports::RollupRow;
use domain::{Dimension, Metric};
use insights::campaigns::{CampaignCounters, campaign_report};
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::ShowQuery;
use crate::access::VenueAccess;
use crate::error::ApiResult;
use crate::extract::ApiQuery;
use crate::model::Money;
use crate::openapi::VenueErrors;
use crate::state::AppState;
use crate::totals::{breakdown, money_in};

pub const ATTRIBUTION: &str = "last-touch (event level)";
pub const CART_NOTE: &str =
    "cart adds per campaign are not tracked: cart-update events carry no campaignId";

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CampaignStats {
    /// The `campaignId`.
    pub campaign: String,
    /// Page views.
    pub reach: i64,
    pub page_views: i64,
    pub unique_sessions: i64,
    pub orders: i64,
    pub tickets_sold: i64,
    pub revenue: Money,
    /// Orders ÷ page views (0 without views).
    pub conversion_rate: f64,
    /// Cart adds ÷ page views; `null` while cart adds per campaign are not tracked.
    pub cart_rate: Option<f64>,
    /// Revenue (minor units) ÷ page views (0 without views).
    pub revenue_per_view: f64,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CampaignList {
    pub venue_id: String,
    pub event_id: Option<String>,
    pub attribution: String,
    pub notes: Vec<String>,
    /// By revenue, highest first (ties by campaign).
    pub campaigns: Vec<CampaignStats>,
}

/// Per-campaign counters from the rollups' campaign breakdowns.
pub fn counters(rows: &[RollupRow]) -> Vec<CampaignCounters> {
    breakdown(rows, Dimension::Campaign)
        .into_iter()
        .map(|(campaign_id, m)| {
            let get = |k| m.get(&k).copied().unwrap_or(0);
            CampaignCounters {
                campaign_id,
                page_views: get(Metric::PageViews),
                unique_sessions: get(Metric::UniqueSessions),
                cart_adds: get(Metric::CartAdds),
                orders: get(Metric::Orders),
                tickets: get(Metric::TicketsSold),
                revenue: get(Metric::Revenue),
            }
        })
        .collect()
}

pub fn campaigns(rows: &[RollupRow], currency: &str) -> Vec<CampaignStats> {
    let counters = counters(rows);
    let carts_tracked = counters.iter().any(|c| c.cart_adds > 0);
    campaign_report(&counters)
        .into_iter()
        .map(|p| CampaignStats {
            campaign: p.campaign_id,
            reach: p.reach,
            page_views: p.reach,
            unique_sessions: p.unique_sessions,
            orders: p.orders,
            tickets_sold: p.tickets,
            revenue: Money::new(p.revenue, currency),
            conversion_rate: p.conversion_rate,
            cart_rate: carts_tracked.then_some(p.cart_rate),
            revenue_per_view: p.revenue_per_view,
        })
        .collect()
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list_campaigns))
}

/// Reach, conversion and revenue per campaign.
#[utoipa::path(get, path = "/api/campaigns/{venueId}", tag = "campaigns", security(("bearer" = [])),
    params(("venueId" = String, Path, description = "Venue id"), ShowQuery),
    responses((status = 200, description = "Success", body = CampaignList), VenueErrors))]
#[tracing::instrument(skip_all)]
pub async fn list_campaigns(
    State(state): State<AppState>,
    access: VenueAccess,
    ApiQuery(q): ApiQuery<ShowQuery>,
) -> ApiResult<Json<CampaignList>> {
    let rows = access.day_rollups(&state, q.show()).await?;
    let money = money_in(&rows, &access.venue, None);
    let campaigns = campaigns(&money.rows, &money.currency);
    let notes = if campaigns.iter().all(|c| c.cart_rate.is_none()) {
        vec![CART_NOTE.to_owned()]
    } else {
        Vec::new()
    };
    Ok(Json(CampaignList {
        venue_id: access.id().to_owned(),
        event_id: q.show().map(str::to_owned),
        attribution: ATTRIBUTION.into(),
        notes,
        campaigns,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::summary::tests::row;

    #[test]
    fn campaigns_convert_views_to_orders() {
        use Metric::*;
        let rows = vec![
            row(
                "2026-11-22T00:00:00Z",
                &[],
                &[
                    (PageViews, Dimension::Campaign, "fall", 40),
                    (UniqueSessions, Dimension::Campaign, "fall", 30),
                    (Orders, Dimension::Campaign, "fall", 2),
                    (Revenue, Dimension::Campaign, "fall", 9000),
                ],
            ),
            row(
                "2026-11-23T00:00:00Z",
                &[],
                &[
                    (PageViews, Dimension::Campaign, "fall", 10),
                    (PageViews, Dimension::Campaign, "email", 5),
                    (Revenue, Dimension::Tier, "GA", 1),
                ],
            ),
        ];
        let c = campaigns(&rows, "EUR");
        assert_eq!(c.len(), 2);
        assert_eq!(c[0].campaign, "fall");
        assert_eq!(c[0].page_views, 50);
        assert_eq!(c[0].reach, 50);
        assert_eq!(c[0].unique_sessions, 30);
        assert_eq!(c[0].conversion_rate, 0.04);
        assert_eq!(c[0].revenue_per_view, 180.0);
        assert_eq!(c[0].cart_rate, None, "not tracked per campaign");
        assert_eq!(c[1].campaign, "email");
        assert_eq!(c[1].conversion_rate, 0.0);
    }
}
