//! Deterministic simulator of on-sale curves and a backtest of
//! [`forecast_sales`](super::forecast_sales) on them.
//!
//! The simulator deliberately does not share the forecast's functional
//! form: the on-sale spike decays as a power law (Lomax), the baseline has
//! a linear trend, the pre-show bump is a Gamma-shaped curve in time to
//! show, a time-of-day cycle and day-to-day demand shocks modulate
//! everything, orders (not tickets) are Poisson with 1–4 tickets each, and
//! sales stop at capacity.

use chrono::{DateTime, Duration, TimeZone, Utc};
use serde::{Deserialize, Serialize};

use super::sales::{ForecastConfig, SalesCurve, forecast_sales_with};
use crate::math::rng::SplitMix64;

/// One simulated show.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SimulatedShow {
    /// The full curve as seen at show start (`now = show_starts_at`).
    pub curve: SalesCurve,
    /// Tickets sold in each hour since on-sale (dense, one per hour).
    pub hourly: Vec<i64>,
    /// When the last ticket was sold, if the show sold out.
    pub sold_out_at: Option<DateTime<Utc>>,
    /// Tickets the show would have sold without a capacity limit (expected).
    pub demand: f64,
}

impl SimulatedShow {
    #[must_use]
    pub fn final_tickets(&self) -> i64 {
        self.hourly.iter().sum()
    }

    /// The curve as it looked `hours` after on-sale.
    #[must_use]
    pub fn truncated(&self, hours: i64) -> SalesCurve {
        let now = self.curve.on_sale_at + Duration::hours(hours);
        SalesCurve {
            now,
            hourly_sales: self
                .curve
                .hourly_sales
                .iter()
                .copied()
                .filter(|(t, _)| *t < now)
                .collect(),
            ..self.curve.clone()
        }
    }
}

/// Ticket-quantity distribution per order: 1–4 tickets with these weights (mean 1.85).
const ORDER_SIZES: [(i64, f64); 4] = [(1, 0.45), (2, 0.35), (3, 0.10), (4, 0.10)];

/// Simulate one show's sales. Same seed, same show.
#[must_use]
pub fn simulate_show(seed: u64) -> SimulatedShow {
    let mut rng = SplitMix64::new(seed ^ 0x05EE_D0F5_A1E5);
    let base = Utc
        .with_ymd_and_hms(2026, 1, 5, 10, 0, 0)
        .single()
        .expect("valid date");
    let on_sale_at = base + Duration::days((rng.uniform() * 300.0) as i64);
    let window_hours = (rng.range(14.0, 75.0) * 24.0).round() as i64;
    let horizon = window_hours as f64;
    let show_starts_at = on_sale_at + Duration::hours(window_hours);
    let capacity = rng.range(150f64.ln(), 15_000f64.ln()).exp().round() as i64;
    let demand = capacity as f64 * (0.85f64.ln() + 0.45 * rng.normal()).exp();

    let spike_share = rng.range(0.15, 0.5);
    let bump_share = rng.range(0.05, 0.3);
    let base_share = 1.0 - spike_share - bump_share;
    let (t0, shape) = (rng.range(0.5, 8.0), rng.range(1.2, 2.5));
    let trend = rng.range(-0.5, 1.0);
    let (bump_k, bump_theta) = (rng.range(1.0, 2.5), rng.range(12.0, 60.0));
    let diurnal_amp = rng.range(0.3, 0.8);
    let local_offset = rng.range(-8.0, 3.0);

    // Unnormalised densities over t ∈ [0, H] hours.
    let baseline = |t: f64| (1.0 + trend * t / horizon) / (horizon * (1.0 + trend / 2.0));
    let bump_raw = |t: f64| {
        let d = (horizon - t).max(1e-6);
        d.powf(bump_k - 1.0) * (-d / bump_theta).exp()
    };
    let bump_norm: f64 = (0..window_hours).map(|h| bump_raw(h as f64 + 0.5)).sum();
    let day_shocks: Vec<f64> = (0..=window_hours / 24)
        .map(|_| rng.gamma(25.0) / 25.0)
        .collect();

    let mean_order = ORDER_SIZES.iter().map(|(q, w)| *q as f64 * w).sum::<f64>();
    let mut hourly = Vec::with_capacity(window_hours as usize);
    let mut sold = 0;
    let mut sold_out_at = None;
    for h in 0..window_hours {
        let t = h as f64 + 0.5;
        let local_hour = (t + 10.0 + local_offset).rem_euclid(24.0);
        let diurnal =
            1.0 + diurnal_amp * (std::f64::consts::TAU * (local_hour - 14.0) / 24.0).cos();
        // Spike mass in this hour from the Lomax CDF, the rest at midpoint density.
        let spike_mass =
            (1.0 + h as f64 / t0).powf(-shape) - (1.0 + (h + 1) as f64 / t0).powf(-shape);
        let density = spike_share * spike_mass
            + base_share * baseline(t)
            + bump_share * bump_raw(t) / bump_norm;
        let expected = demand * density * diurnal * day_shocks[(h / 24) as usize];
        let orders = rng.poisson(expected / mean_order);
        let mut tickets: i64 = (0..orders).map(|_| order_size(&mut rng)).sum();
        if sold_out_at.is_some() {
            tickets = 0;
        } else if sold + tickets >= capacity {
            let needed = capacity - sold;
            let fraction = needed as f64 / tickets.max(1) as f64;
            sold_out_at =
                Some(on_sale_at + Duration::seconds(((h as f64 + fraction) * 3_600.0) as i64));
            tickets = needed;
        }
        sold += tickets;
        hourly.push(tickets);
    }
    let hourly_sales = hourly
        .iter()
        .enumerate()
        .filter(|(_, n)| **n > 0)
        .map(|(h, n)| (on_sale_at + Duration::hours(h as i64), *n))
        .collect();
    SimulatedShow {
        curve: SalesCurve {
            on_sale_at,
            show_starts_at,
            capacity: Some(capacity),
            hourly_sales,
            now: show_starts_at,
        },
        hourly,
        sold_out_at,
        demand,
    }
}

fn order_size(rng: &mut SplitMix64) -> i64 {
    let u = rng.uniform();
    let mut acc = 0.0;
    for (q, w) in ORDER_SIZES {
        acc += w;
        if u < acc {
            return q;
        }
    }
    ORDER_SIZES[ORDER_SIZES.len() - 1].0
}

/// Backtest results at one cutoff.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CutoffReport {
    /// Fraction of the sales window (on-sale → show start) seen by the forecast.
    pub cutoff: f64,
    /// Shows forecast (those already sold out at the cutoff are excluded).
    pub shows: usize,
    /// Mean absolute percentage error of the final tickets.
    pub mape: f64,
    /// Median absolute percentage error of the final tickets.
    pub median_ape: f64,
    /// Share of shows whose final tickets fell inside the 80% interval.
    pub coverage80: f64,
    /// Shows that went on to sell out.
    pub sell_outs: usize,
    /// ... of which the forecast projected a sell-out time.
    pub sell_outs_projected: usize,
    /// Mean absolute error of the projected sell-out time, hours (over `sell_outs_projected`).
    pub sell_out_time_mae_hours: Option<f64>,
    /// Brier score of `sell_out_probability` against sold-out-or-not.
    pub sell_out_brier: f64,
}

/// The backtest report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BacktestReport {
    pub simulated_shows: usize,
    pub sold_out_shows: usize,
    pub cutoffs: Vec<CutoffReport>,
}

/// Simulate `n_shows` shows (seeds `0..n_shows`) and forecast each at every
/// cutoff fraction of its sales window.
#[must_use]
pub fn backtest(n_shows: usize, cutoffs: &[f64]) -> BacktestReport {
    backtest_with(n_shows, cutoffs, &ForecastConfig::default())
}

/// [`backtest`] with a given forecast configuration.
#[must_use]
pub fn backtest_with(n_shows: usize, cutoffs: &[f64], cfg: &ForecastConfig) -> BacktestReport {
    let shows: Vec<SimulatedShow> = (0..n_shows as u64).map(simulate_show).collect();
    let cutoffs = cutoffs
        .iter()
        .map(|&cutoff| evaluate_cutoff(&shows, cutoff, cfg))
        .collect();
    BacktestReport {
        simulated_shows: n_shows,
        sold_out_shows: shows.iter().filter(|s| s.sold_out_at.is_some()).count(),
        cutoffs,
    }
}

fn evaluate_cutoff(shows: &[SimulatedShow], cutoff: f64, cfg: &ForecastConfig) -> CutoffReport {
    let mut apes = Vec::new();
    let (mut covered, mut sell_outs, mut projected, mut brier) = (0usize, 0usize, 0usize, 0.0);
    let mut time_errors = Vec::new();
    for show in shows {
        let window = show.hourly.len() as i64;
        let hours = ((window as f64 * cutoff).floor() as i64).clamp(1, window);
        let now = show.curve.on_sale_at + Duration::hours(hours);
        if show.sold_out_at.is_some_and(|t| t <= now) {
            continue;
        }
        let actual = show.final_tickets();
        let f = forecast_sales_with(&show.truncated(hours), cfg);
        apes.push((f.projected_final_tickets - actual).abs() as f64 / actual.max(1) as f64);
        covered += usize::from((f.interval_low..=f.interval_high).contains(&actual));
        let sold_out = show.sold_out_at.is_some();
        brier += (f.sell_out_probability - f64::from(u8::from(sold_out))).powi(2);
        if let Some(truth) = show.sold_out_at {
            sell_outs += 1;
            if let Some(at) = f.projected_sell_out_at {
                projected += 1;
                time_errors.push((at - truth).num_seconds().abs() as f64 / 3_600.0);
            }
        }
    }
    let n = apes.len();
    let mean = |v: &[f64]| {
        if v.is_empty() {
            0.0
        } else {
            v.iter().sum::<f64>() / v.len() as f64
        }
    };
    let mut sorted = apes.clone();
    sorted.sort_by(f64::total_cmp);
    CutoffReport {
        cutoff,
        shows: n,
        mape: mean(&apes),
        median_ape: sorted.get(n / 2).copied().unwrap_or(0.0),
        coverage80: if n == 0 {
            0.0
        } else {
            covered as f64 / n as f64
        },
        sell_outs,
        sell_outs_projected: projected,
        sell_out_time_mae_hours: (!time_errors.is_empty()).then(|| mean(&time_errors)),
        sell_out_brier: if n == 0 { 0.0 } else { brier / n as f64 },
    }
}
