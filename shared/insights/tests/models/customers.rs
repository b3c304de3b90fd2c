use std::collections::BTreeMap;

use chrono::Duration;
use insights::customers::{
    ClvModel, CustomerRecord, RfmScore, Segment, fit_population, segment_summary, top_customers,
};

use super::t0;

fn record(
    id: &str,
    orders: i64,
    spend: i64,
    first_weeks_ago: i64,
    last_weeks_ago: i64,
) -> CustomerRecord {
    CustomerRecord {
        customer_id: id.into(),
        total_spend: spend,
        orders,
        tickets: orders * 2,
        first_purchase_at: t0() - Duration::weeks(first_weeks_ago),
        last_purchase_at: t0() - Duration::weeks(last_weeks_ago),
        purchases_by_weekday: [0; 7],
        purchases_by_hour: [0; 24],
        lead_time_hours_sum: 0.0,
        lead_time_count: 0,
        tiers: BTreeMap::new(),
    }
}

#[test]
fn rfm_quintiles_on_ten_customers() {
    // Customer i (0..10): last purchase 10−i days ago (i = 9 is the most recent),
    // i+1 orders, spend 1000·(i+1). Score = 1 + ⌊5·(#strictly worse)/10⌋, and
    // customer i has exactly i worse customers on each axis → scores 1,1,2,2,3,3,4,4,5,5.
    let records: Vec<CustomerRecord> = (0..10)
        .map(|i| {
            let mut r = record(&format!("c{i}"), i + 1, 1_000 * (i + 1), 52, 0);
            r.last_purchase_at = t0() - Duration::days(10 - i);
            r
        })
        .collect();
    let model = fit_population(&records, t0());
    let scores: Vec<u8> = records
        .iter()
        .map(|r| model.insight(r, t0()).rfm.r)
        .collect();
    assert_eq!(scores, [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]);
    let c9 = model.insight(&records[9], t0());
    assert_eq!(c9.rfm, RfmScore { r: 5, f: 5, m: 5 });
    assert_eq!(c9.segment, Segment::Champions);
    let c0 = model.insight(&records[0], t0());
    assert_eq!(c0.rfm, RfmScore { r: 1, f: 1, m: 1 });
    assert_eq!(c0.segment, Segment::Lost);
    assert!((c0.recency_days - 10.0).abs() < 1e-9);
}

#[test]
fn rfm_ties_share_a_score() {
    // Orders: six customers with 1, then 2, 3, 4, 5.
    // 1 order: 0 worse → 1; 2: 6 worse → 1+⌊30/10⌋ = 4; 3: 7 → 1+⌊35/10⌋ = 4;
    // 4: 8 → 5; 5: 9 → 5.
    let orders = [1, 1, 1, 1, 1, 1, 2, 3, 4, 5];
    let records: Vec<CustomerRecord> = orders
        .iter()
        .enumerate()
        .map(|(i, &o)| record(&format!("c{i}"), o, 100 * o, 30, 1))
        .collect();
    let model = fit_population(&records, t0());
    let f: Vec<u8> = records
        .iter()
        .map(|r| model.insight(r, t0()).rfm.f)
        .collect();
    assert_eq!(f, [1, 1, 1, 1, 1, 1, 4, 4, 5, 5]);
}

#[test]
fn segment_grid() {
    // Rows R = 5..1, columns F = 1..5 (see Segment::from_scores docs).
    use Segment::*;
    let grid = [
        [
            NewCustomer,
            PotentialLoyalist,
            PotentialLoyalist,
            Champions,
            Champions,
        ],
        [
            Promising,
            PotentialLoyalist,
            PotentialLoyalist,
            Loyal,
            Loyal,
        ],
        [NeedsAttention, NeedsAttention, NeedsAttention, Loyal, Loyal],
        [Hibernating, Hibernating, AtRisk, AtRisk, CannotLoseThem],
        [Lost, Lost, AtRisk, AtRisk, CannotLoseThem],
    ];
    for (row, r) in grid.iter().zip((1..=5).rev()) {
        for (want, f) in row.iter().zip(1..=5) {
            assert_eq!(Segment::from_scores(r, f), *want, "r={r} f={f}");
        }
    }
}

#[test]
fn fallback_for_small_population_hand_computed() {
    // A: 3 orders, 9000 spent, first 20 weeks ago, last 2 weeks ago → x=2, tₓ=18, T=20.
    // B: 1 order, 3000, 10 weeks ago → x=0, T=10.
    // Fallback priors: λ̄ = Σx/ΣT = 2/30 → r=1, α=15, a=1, b=3;
    // Gamma-Gamma p=4, q=5, γ = v̄ = 12000/4 orders = 3000.
    // P(alive, A) = 1/(1 + 1/(3+2−1)·((15+20)/(15+18))³) = 1/(1 + 0.25·1.193060) = 0.770259
    // E[orders in 52.18 w] = P(alive)·E_{p~Beta(1,5)}[(1 − (35/(35+52.18p))³)/p]
    //                      = 0.770259 · 3.128855 = 2.410028   (mpmath quad)
    // E[M] = (3000 + 3·3000)/(3+1) = 3000 → predicted = 2.410028·3000 = 7230.08 → 7230.
    let a = record("A", 3, 9_000, 20, 2);
    let b = record("B", 1, 3_000, 10, 10);
    let model = fit_population(&[a.clone(), b.clone()], t0());
    assert_eq!(model.model, ClvModel::FallbackAverage);
    assert!(
        model
            .fallback_reason
            .as_deref()
            .unwrap()
            .contains("2 customers")
    );
    let ia = model.insight(&a, t0());
    assert!((ia.probability_alive - 0.770_259).abs() < 1e-6, "{ia:?}");
    assert!((ia.churn_risk - (1.0 - 0.770_259)).abs() < 1e-6);
    assert!((ia.expected_orders_12m - 2.410_028).abs() < 1e-4, "{ia:?}");
    assert_eq!(ia.predicted_value_12m, 7_230);
    assert_eq!(ia.lifetime_value, 9_000 + 7_230);
    assert_eq!(ia.model, ClvModel::FallbackAverage);
    // BG/NBD never calls a one-time buyer dead.
    assert_eq!(model.insight(&b, t0()).probability_alive, 1.0);
}

#[test]
fn fit_on_a_realistic_population_uses_the_mle_models() {
    // 400 customers from a deterministic pattern: varied frequency, recency and spend.
    let records: Vec<CustomerRecord> = (0..400)
        .map(|i| {
            let orders = 1 + (i * 7 % 13) % 6;
            let first = 10 + i % 90;
            let last = if orders == 1 { first } else { (i * 11) % first };
            let avg = 2_000 + (i * 37 % 50) * 100;
            record(&format!("c{i}"), orders, orders * avg, first, last)
        })
        .collect();
    let model = fit_population(&records, t0());
    assert_eq!(
        model.model,
        ClvModel::BgNbdGammaGamma,
        "{:?}",
        model.fallback_reason
    );
    assert!(model.bg_nbd_log_likelihood.unwrap().is_finite());
    let insights = model.insights(&records, t0());
    for i in &insights {
        assert!((0.0..=1.0).contains(&i.probability_alive));
        assert!(i.predicted_value_12m >= 0);
        assert_eq!(i.lifetime_value, i.historic_value + i.predicted_value_12m);
    }
    // Same history except recency: the recent buyer is likelier alive and worth more.
    let recent = model.insight(&record("r", 5, 15_000, 50, 1), t0());
    let lapsed = model.insight(&record("l", 5, 15_000, 50, 40), t0());
    assert!(
        recent.probability_alive > lapsed.probability_alive + 0.1,
        "{recent:?} {lapsed:?}"
    );
    assert!(recent.predicted_value_12m > lapsed.predicted_value_12m);

    let summary = segment_summary(&insights);
    assert_eq!(summary.iter().map(|s| s.customers).sum::<i64>(), 400);
    assert!((summary.iter().map(|s| s.share).sum::<f64>() - 1.0).abs() < 1e-9);
    let top = top_customers(&insights, 5);
    assert_eq!(top.len(), 5);
    assert!(
        top.windows(2)
            .all(|w| w[0].lifetime_value >= w[1].lifetime_value)
    );
    assert!(
        insights
            .iter()
            .all(|i| i.lifetime_value <= top[0].lifetime_value)
    );
}

#[test]
fn purchase_patterns_hand_computed() {
    let mut r = record("p", 4, 10_001, 10, 1);
    r.tickets = 4;
    r.purchases_by_weekday = [0, 1, 0, 0, 2, 2, 0]; // Friday and Saturday tie → Friday
    r.purchases_by_hour[19] = 3;
    r.purchases_by_hour[20] = 1;
    r.lead_time_hours_sum = 300.0;
    r.lead_time_count = 4;
    r.tiers = BTreeMap::from([("GA".into(), 2), ("VIP".into(), 2), ("Balcony".into(), 1)]);
    let p = fit_population(std::slice::from_ref(&r), t0())
        .insight(&r, t0())
        .patterns;
    assert_eq!(p.preferred_weekday.as_deref(), Some("Friday"));
    assert_eq!(p.preferred_hour, Some(19));
    assert_eq!(p.average_lead_time_hours, Some(75.0)); // 300 / 4
    assert_eq!(p.average_ticket_price, Some(2_500)); // 10001 / 4 = 2500.25 → 2500
    assert_eq!(p.top_tier.as_deref(), Some("GA")); // GA and VIP tie at 2 → alphabetical
    let empty = record("e", 1, 0, 1, 1);
    let p = fit_population(std::slice::from_ref(&empty), t0())
        .insight(&empty, t0())
        .patterns;
    assert_eq!(
        (
            p.preferred_weekday,
            p.preferred_hour,
            p.average_lead_time_hours,
            p.top_tier
        ),
        (None, None, None, None)
    );
}

#[test]
fn insight_json_is_camel_case() {
    let r = record("j", 2, 5_000, 10, 2);
    let i = fit_population(std::slice::from_ref(&r), t0()).insight(&r, t0());
    let v = serde_json::to_value(&i).unwrap();
    for key in [
        "customerId",
        "historicValue",
        "predictedValue12m",
        "lifetimeValue",
        "probabilityAlive",
        "churnRisk",
        "rfm",
        "segment",
        "patterns",
    ] {
        assert!(v.get(key).is_some(), "missing {key} in {v}");
    }
    assert_eq!(v["model"], "fallback-average");
    assert_eq!(v["segment"], serde_json::to_value(i.segment).unwrap());
    assert!(v["patterns"].get("preferredWeekday").is_some());
    let back: insights::customers::CustomerInsight = serde_json::from_value(v).unwrap();
    assert_eq!(back, i);
}
