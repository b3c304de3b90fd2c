use insights::campaigns::{CampaignCounters, campaign_report};

fn counters(id: &str, views: i64, carts: i64, orders: i64, revenue: i64) -> CampaignCounters {
    CampaignCounters {
        campaign_id: id.into(),
        page_views: views,
        unique_sessions: views / 2,
        cart_adds: carts,
        orders,
        tickets: orders * 2,
        revenue,
    }
}

#[test]
fn report_hand_computed_and_sorted_by_revenue() {
    // spring: 1000 views, 50 carts, 20 orders, 90 000 → conversion 0.02, cart 0.05, 90/view.
    // email: 200 views, 30 carts, 10 orders, 120 000 → 0.05, 0.15, 600/view.
    // dead: no views → all rates 0.
    let report = campaign_report(&[
        counters("spring", 1_000, 50, 20, 90_000),
        counters("email", 200, 30, 10, 120_000),
        counters("dead", 0, 0, 0, 0),
    ]);
    let ids: Vec<&str> = report.iter().map(|c| c.campaign_id.as_str()).collect();
    assert_eq!(ids, ["email", "spring", "dead"]);
    let spring = &report[1];
    assert_eq!(spring.reach, 1_000);
    assert!((spring.conversion_rate - 0.02).abs() < 1e-12);
    assert!((spring.cart_rate - 0.05).abs() < 1e-12);
    assert!((spring.revenue_per_view - 90.0).abs() < 1e-12);
    assert!((report[0].revenue_per_view - 600.0).abs() < 1e-12);
    assert_eq!(
        (report[2].conversion_rate, report[2].revenue_per_view),
        (0.0, 0.0)
    );
    let json = serde_json::to_value(&report[0]).unwrap();
    assert_eq!(json["campaignId"], "email");
    assert!(json.get("revenuePerView").is_some());
}
