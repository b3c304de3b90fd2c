//! `GET /api/campaigns/{venueId}`: per campaign, from the daily rollups'
//! campaign breakdowns (page views carry `campaignId`, purchases too).

use axum::Json;
use axum::extract::State;
use domain::ports::RollupRow;
use domain::{Dimension, Metric};
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
use crate::totals::{breakdown, currency, ratio};

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CampaignStats {
    pub campaign: String,
    pub page_views: i64,
    pub unique_sessions: i64,
    pub orders: i64,
    pub tickets_sold: i64,
    pub revenue: Money,
    /// Orders ÷ page views.
    pub conversion: Option<f64>,
    /// Revenue (minor units) ÷ page views.
    pub revenue_per_view: Option<f64>,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CampaignList {
    pub venue_id: String,
    pub event_id: Option<String>,
    /// By revenue, highest first.
    pub campaigns: Vec<CampaignStats>,
}

pub fn campaigns(rows: &[RollupRow], currency: &str) -> Vec<CampaignStats> {
    let mut out: Vec<CampaignStats> = breakdown(rows, Dimension::Campaign)
        .into_iter()
        .map(|(campaign, m)| {
            let get = |k| m.get(&k).copied().unwrap_or(0);
            let (views, orders, revenue) = (
                get(Metric::PageViews),
                get(Metric::Orders),
                get(Metric::Revenue),
            );
            CampaignStats {
                campaign,
                page_views: views,
                unique_sessions: get(Metric::UniqueSessions),
                orders,
                tickets_sold: get(Metric::TicketsSold),
                revenue: Money::new(revenue, currency),
                conversion: ratio(orders, views),
                revenue_per_view: ratio(revenue, views),
            }
        })
        .collect();
    out.sort_by(|a, b| {
        b.revenue
            .amount
            .cmp(&a.revenue.amount)
            .then_with(|| a.campaign.cmp(&b.campaign))
    });
    out
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
    let cur = currency(&rows, &access.venue);
    Ok(Json(CampaignList {
        venue_id: access.id().to_owned(),
        event_id: q.show().map(str::to_owned),
        campaigns: campaigns(&rows, &cur),
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
        assert_eq!(c[0].conversion, Some(0.04));
        assert_eq!(c[0].revenue_per_view, Some(180.0));
        assert_eq!(c[1].conversion, Some(0.0));
    }
}
