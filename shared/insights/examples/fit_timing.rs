//! Time `fit_population` + scoring on a simulated venue of N customers.
//!
//! `cargo run --release -p insights --example fit_timing [n_customers]`

#![allow(clippy::print_stdout)]

use std::collections::BTreeMap;

use chrono::{Duration, TimeZone, Utc};
use insights::customers::{CustomerRecord, fit_population};
use insights::math::rng::SplitMix64;

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(10_000);
    let now = Utc
        .with_ymd_and_hms(2026, 6, 1, 0, 0, 0)
        .single()
        .expect("date");
    let mut rng = SplitMix64::new(1);
    // BG/NBD population: λ ~ Gamma(0.8, 6)/week, p ~ Beta(1, 4); order values ~ Gamma.
    let records: Vec<CustomerRecord> = (0..n)
        .map(|i| {
            let age_weeks = rng.range(1.0, 104.0);
            let lambda = rng.gamma(0.8) / 6.0;
            let ga = rng.gamma(1.0);
            let p = ga / (ga + rng.gamma(4.0));
            let (mut t, mut last, mut orders) = (0.0, 0.0, 1i64);
            loop {
                t += -(1.0 - rng.uniform()).ln() / lambda;
                if t > age_weeks {
                    break;
                }
                orders += 1;
                last = t;
                if rng.uniform() < p {
                    break;
                }
            }
            let mean_value = rng.gamma(4.0) * 1_500.0;
            let first = now - Duration::minutes((age_weeks * 7.0 * 1440.0) as i64);
            CustomerRecord {
                customer_id: format!("c{i}"),
                total_spend: (mean_value * orders as f64) as i64,
                orders,
                tickets: orders * 2,
                first_purchase_at: first,
                last_purchase_at: first + Duration::minutes((last * 7.0 * 1440.0) as i64),
                purchases_by_weekday: [0; 7],
                purchases_by_hour: [0; 24],
                lead_time_hours_sum: 0.0,
                lead_time_count: 0,
                tiers: BTreeMap::new(),
            }
        })
        .collect();
    let started = std::time::Instant::now();
    let model = fit_population(&records, now);
    let fitted = started.elapsed();
    let insights = model.insights(&records, now);
    println!(
        "{n} customers: fit {fitted:.1?}, score {:.1?}; model {:?}; BG/NBD {:?}; Gamma-Gamma {:?}",
        started.elapsed() - fitted,
        model.model,
        model.bg_nbd,
        model.gamma_gamma
    );
    let mean_pred = insights
        .iter()
        .map(|i| i.predicted_value_12m as f64)
        .sum::<f64>()
        / n as f64;
    println!("mean predicted 12-month value: {mean_pred:.0} minor units");
}
