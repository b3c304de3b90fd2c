use chrono::Duration;
use insights::forecast::backtest::{backtest, simulate_show};
use insights::forecast::{ForecastConfig, SalesCurve, forecast_sales, forecast_sales_with};

use super::t0;

/// `rate` tickets every hour for `observed` hours; show `horizon` hours after on-sale.
fn constant_curve(rate: i64, observed: i64, horizon: i64, capacity: Option<i64>) -> SalesCurve {
    let on_sale_at = t0();
    SalesCurve {
        on_sale_at,
        show_starts_at: on_sale_at + Duration::hours(horizon),
        capacity,
        hourly_sales: (0..observed)
            .map(|h| (on_sale_at + Duration::hours(h), rate))
            .collect(),
        now: on_sale_at + Duration::hours(observed),
    }
}

#[test]
fn constant_rate_extrapolates_rate_times_remaining_hours() {
    // 10/h for 100 h, show at 200 h, no pre-show uplift:
    // final ≈ 1000 sold + 10 · 100 remaining = 2000.
    let no_uplift = ForecastConfig {
        pre_show_uplift: 0.0,
        ..ForecastConfig::default()
    };
    let f = forecast_sales_with(&constant_curve(10, 100, 200, None), &no_uplift);
    assert_eq!(f.sold_so_far, 1_000);
    assert!((f.projected_final_tickets - 2_000).abs() <= 60, "{f:?}");
    assert!(f.interval_low < 2_000 && 2_000 < f.interval_high, "{f:?}");
    // sd ≈ √(φ·1000 + (0.15·1000)²) ≈ 155 → the 80% interval is about ±200.
    assert!(f.interval_high - f.interval_low < 700, "{f:?}");
    assert_eq!(f.projected_sell_out_at, None);
    assert_eq!(f.sell_out_probability, 0.0);

    // With the default uplift prior the pre-show bump adds on top, at most
    // c·k·τ·(1 − e^{−100/τ}) = 10·3·72·0.751 ≈ 1622 at the prior median.
    let f = forecast_sales(&constant_curve(10, 100, 200, None));
    assert!((2_000..3_700).contains(&f.projected_final_tickets), "{f:?}");
    assert!(f.method.contains("uplift"));
}

#[test]
fn projects_sell_out_time() {
    // 10/h for 100 h, capacity 1500: 500 left at 10/h → sells out at ≈ 150 h.
    let no_uplift = ForecastConfig {
        pre_show_uplift: 0.0,
        ..ForecastConfig::default()
    };
    let f = forecast_sales_with(&constant_curve(10, 100, 300, Some(1_500)), &no_uplift);
    assert_eq!(f.projected_final_tickets, 1_500);
    assert_eq!(f.interval_high, 1_500);
    let at = f.projected_sell_out_at.expect("sell-out projected");
    let hours = (at - t0()).num_minutes() as f64 / 60.0;
    assert!((hours - 150.0).abs() < 5.0, "{hours}");
    assert!(f.sell_out_probability > 0.95, "{f:?}");
}

#[test]
fn decaying_spike_is_not_extrapolated_flat() {
    // 200·e^{−t/10} + 2 per hour for 48 h, show at 400 h. Remaining ≈ 2·352 = 704 plus
    // uplift; a flat extrapolation of the average rate (≈ 43/h) would give ≈ 15 000.
    let on_sale_at = t0();
    let curve = SalesCurve {
        on_sale_at,
        show_starts_at: on_sale_at + Duration::hours(400),
        capacity: None,
        hourly_sales: (0..48)
            .map(|h| {
                (
                    on_sale_at + Duration::hours(h),
                    (200.0 * (-(h as f64 + 0.5) / 10.0).exp() + 2.0).round() as i64,
                )
            })
            .collect(),
        now: on_sale_at + Duration::hours(48),
    };
    let f = forecast_sales(&curve);
    let remaining = f.projected_final_tickets - f.sold_so_far;
    assert!((500..2_500).contains(&remaining), "{f:?}");
    let fit = f.fit.unwrap();
    assert!((fit.decay_per_hour - 0.1).abs() < 0.03, "{fit:?}");
}

#[test]
fn edge_cases() {
    // Already sold out.
    let f = forecast_sales(&constant_curve(10, 50, 200, Some(300)));
    assert_eq!(
        (
            f.method.as_str(),
            f.projected_final_tickets,
            f.sell_out_probability
        ),
        ("sold-out", 500, 1.0)
    );
    assert_eq!(f.projected_sell_out_at, Some(t0() + Duration::hours(30)));
    // Show started: sales are final.
    let f = forecast_sales(&constant_curve(10, 50, 50, None));
    assert_eq!(
        (
            f.method.as_str(),
            f.projected_final_tickets,
            f.interval_low,
            f.interval_high
        ),
        ("final", 500, 500, 500)
    );
    // Nothing sold yet.
    let f = forecast_sales(&constant_curve(0, 5, 50, Some(100)));
    assert_eq!(
        (
            f.method.as_str(),
            f.projected_final_tickets,
            f.interval_high
        ),
        ("insufficient-data", 0, 100)
    );
}

#[test]
fn simulator_is_deterministic_and_respects_capacity() {
    assert_eq!(simulate_show(7), simulate_show(7));
    assert_ne!(simulate_show(7).hourly, simulate_show(8).hourly);
    for seed in 0..50 {
        let s = simulate_show(seed);
        let cap = s.curve.capacity.unwrap();
        assert!(s.final_tickets() <= cap);
        assert_eq!(
            s.sold_out_at.is_some(),
            s.final_tickets() == cap,
            "seed {seed}"
        );
        // On-sale spike: the first day outsells an average day.
        let days = s.hourly.len() as f64 / 24.0;
        let first_day: i64 = s.hourly.iter().take(24).sum();
        assert!(
            first_day as f64 > s.final_tickets() as f64 / days,
            "seed {seed}"
        );
    }
}

#[test]
fn backtest_on_200_shows_is_sane() {
    let report = backtest(200, &[0.25, 0.5, 0.75]);
    let [early, _, late] = report.cutoffs.as_slice() else {
        panic!("3 cutoffs")
    };
    assert!(late.mape < early.mape, "{report:?}");
    for c in &report.cutoffs {
        assert!(c.shows > 100, "{c:?}");
        assert!(c.mape < 0.2, "{c:?}");
        assert!((0.6..=0.98).contains(&c.coverage80), "{c:?}");
        assert!(c.sell_out_brier < 0.2, "{c:?}");
    }
    assert!(
        report.sold_out_shows > 20 && report.sold_out_shows < 180,
        "{report:?}"
    );
}
