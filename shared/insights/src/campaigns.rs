//! Campaign performance from per-campaign counters.
//!
//! Attribution is last-touch at the event level: an event counts for the
//! campaign whose `campaignId` the event itself carries (page views, cart
//! updates and purchases each tagged by the frontend with the campaign of
//! the visit). No cross-event stitching or multi-touch weighting is done.

use serde::{Deserialize, Serialize};

/// Counters the ingest keeps per campaign.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CampaignCounters {
    pub campaign_id: String,
    pub page_views: i64,
    pub unique_sessions: i64,
    pub cart_adds: i64,
    pub orders: i64,
    pub tickets: i64,
    /// Minor units.
    pub revenue: i64,
}

/// Derived performance of one campaign.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CampaignPerformance {
    pub campaign_id: String,
    /// Page views.
    pub reach: i64,
    pub unique_sessions: i64,
    /// Orders ÷ page views (0 without views).
    pub conversion_rate: f64,
    /// Cart adds ÷ page views (0 without views).
    pub cart_rate: f64,
    /// Minor units.
    pub revenue: i64,
    /// Revenue ÷ page views, minor units (0 without views).
    pub revenue_per_view: f64,
    pub orders: i64,
    pub tickets: i64,
}

/// Performance of each campaign, highest revenue first (ties by id).
#[must_use]
pub fn campaign_report(counters: &[CampaignCounters]) -> Vec<CampaignPerformance> {
    let ratio = |num: i64, den: i64| {
        if den > 0 {
            num as f64 / den as f64
        } else {
            0.0
        }
    };
    let mut report: Vec<CampaignPerformance> = counters
        .iter()
        .map(|c| CampaignPerformance {
            campaign_id: c.campaign_id.clone(),
            reach: c.page_views,
            unique_sessions: c.unique_sessions,
            conversion_rate: ratio(c.orders, c.page_views),
            cart_rate: ratio(c.cart_adds, c.page_views),
            revenue: c.revenue,
            revenue_per_view: ratio(c.revenue, c.page_views),
            orders: c.orders,
            tickets: c.tickets,
        })
        .collect();
    report.sort_by(|a, b| {
        b.revenue
            .cmp(&a.revenue)
            .then_with(|| a.campaign_id.cmp(&b.campaign_id))
    });
    report
}
