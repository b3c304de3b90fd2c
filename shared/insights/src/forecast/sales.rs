//! Final-sales forecast of one show from its hourly sales so far.
//!
//! Model: tickets arrive as an (over-dispersed) Poisson process with rate
//!
//! ```text
//! λ(t) = A·e^{−b·t}  +  c·(1 + k·e^{−(H−t)/τ})
//!        on-sale spike    baseline with pre-show uplift
//! ```
//!
//! `t` hours since on-sale, `H` the show start. `A, b, c, k` are fitted by
//! penalised Poisson maximum likelihood (MAP with weak log-normal priors on
//! the spike half-life and on the uplift `k`, which the data cannot inform
//! until the show nears); `τ` is fixed. The forecast integrates `λ` from now
//! to the show start; its 80% interval combines the quasi-Poisson process
//! variance `φ·F` with parameter uncertainty from the Laplace approximation
//! (inverse Hessian of the penalised objective, delta method), as a
//! log-normal; everything is capped at the capacity.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use super::linalg;
use crate::math::nelder_mead::{self, Options};
use crate::math::special::{Z80, normal_cdf};

const MS_PER_HOUR: f64 = 3_600_000.0;

/// A show's sales so far.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SalesCurve {
    pub on_sale_at: DateTime<Utc>,
    pub show_starts_at: DateTime<Utc>,
    pub capacity: Option<i64>,
    /// Tickets per hour bucket (bucket start, tickets) since on-sale; missing
    /// hours mean zero sales. Sales before on-sale count in the first hour.
    pub hourly_sales: Vec<(DateTime<Utc>, i64)>,
    pub now: DateTime<Utc>,
}

/// The sales forecast of one show.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SalesForecast {
    pub sold_so_far: i64,
    pub projected_final_tickets: i64,
    /// 80% interval of the final tickets.
    pub interval_low: i64,
    pub interval_high: i64,
    /// When the expected curve reaches capacity (`None` if it does not, or no capacity).
    pub projected_sell_out_at: Option<DateTime<Utc>>,
    pub sell_out_probability: f64,
    pub method: String,
    /// Fitted curve, when a fit was made.
    pub fit: Option<SalesCurveFit>,
}

/// Fitted parameters of the rate curve.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SalesCurveFit {
    /// `A`: spike rate at on-sale, tickets/hour.
    pub spike_per_hour: f64,
    /// `b`: spike decay, 1/hour.
    pub decay_per_hour: f64,
    /// `c`: baseline rate, tickets/hour.
    pub baseline_per_hour: f64,
    /// `k`: relative baseline uplift at show start.
    pub pre_show_uplift: f64,
    /// `φ`: quasi-Poisson dispersion (variance / mean of counts).
    pub dispersion: f64,
    /// Expected tickets from now to show start (uncapped).
    pub expected_remaining: f64,
    /// Standard deviation of the remaining tickets (process + parameters).
    pub remaining_sd: f64,
}

/// Tunables of the sales model (priors and binning). Defaults are documented
/// in `docs/MODELS.md`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ForecastConfig {
    /// Prior median of the spike half-life `ln 2 / b`, hours.
    pub spike_half_life_hours: f64,
    /// Prior s.d. of `ln b`.
    pub spike_half_life_log_sd: f64,
    /// Prior median of the pre-show uplift `k`; `0` removes the uplift term.
    pub pre_show_uplift: f64,
    /// Prior s.d. of `ln k`.
    pub pre_show_uplift_log_sd: f64,
    /// `τ`, the time constant of the pre-show uplift, hours.
    pub uplift_time_constant_hours: f64,
    /// Hourly bins up to this many hours after on-sale, daily bins after.
    pub hourly_bins_hours: f64,
    /// Prior guess of the dispersion `φ` (tickets come in orders of ~2).
    pub dispersion_prior: f64,
    /// Weight of that guess, in degrees of freedom.
    pub dispersion_prior_weight: f64,
    /// Structural error: relative s.d. of the remaining sales added for
    /// the curve shape itself being wrong (calibrated on the backtest).
    pub structural_rel_sd: f64,
}

impl Default for ForecastConfig {
    fn default() -> Self {
        Self {
            spike_half_life_hours: 12.0,
            spike_half_life_log_sd: 1.5,
            pre_show_uplift: 3.0,
            pre_show_uplift_log_sd: 0.5,
            uplift_time_constant_hours: 72.0,
            hourly_bins_hours: 24.0,
            dispersion_prior: 2.0,
            dispersion_prior_weight: 4.0,
            structural_rel_sd: 0.15,
        }
    }
}

/// Forecast with [`ForecastConfig::default`].
#[must_use]
pub fn forecast_sales(curve: &SalesCurve) -> SalesForecast {
    forecast_sales_with(curve, &ForecastConfig::default())
}

/// Forecast the final tickets of a show.
#[must_use]
pub fn forecast_sales_with(curve: &SalesCurve, cfg: &ForecastConfig) -> SalesForecast {
    let hours = |t: DateTime<Utc>| (t - curve.on_sale_at).num_milliseconds() as f64 / MS_PER_HOUR;
    let horizon = hours(curve.show_starts_at).max(0.0);
    let t_now = hours(curve.now).clamp(0.0, horizon);
    let observed: Vec<(f64, i64)> = curve
        .hourly_sales
        .iter()
        .filter(|(t, n)| *t < curve.now && *n > 0)
        .map(|(t, n)| (hours(*t).max(0.0), *n))
        .collect();
    let sold: i64 = observed.iter().map(|(_, n)| n).sum();
    let capacity = curve.capacity.filter(|c| *c > 0);

    let done = |method: &str, low: i64, high: i64| SalesForecast {
        sold_so_far: sold,
        projected_final_tickets: sold,
        interval_low: low,
        interval_high: high,
        projected_sell_out_at: None,
        sell_out_probability: 0.0,
        method: method.to_owned(),
        fit: None,
    };

    if let Some(cap) = capacity.filter(|c| sold >= *c) {
        return SalesForecast {
            projected_sell_out_at: sold_out_at(curve, cap),
            sell_out_probability: 1.0,
            ..done("sold-out", sold, sold)
        };
    }
    if t_now >= horizon {
        return done("final", sold, sold);
    }
    if t_now < 1.0 || sold == 0 {
        // Nothing to extrapolate from: say so rather than invent a curve.
        return done("insufficient-data", sold, capacity.unwrap_or(sold));
    }

    let bins = make_bins(&observed, t_now, cfg.hourly_bins_hours);
    let model = RateModel {
        horizon,
        tau: cfg.uplift_time_constant_hours,
        bump: cfg.pre_show_uplift > 0.0,
    };
    let prior = Prior::new(cfg, &bins, t_now);
    let objective = |v: &[f64]| model.neg_log_likelihood(v, &bins) + prior.penalty(v, model.bump);
    let start = prior.start(model.bump);
    let opt = nelder_mead::minimize_with_restart(
        objective,
        &start,
        Options {
            initial_step: 0.7,
            f_tol: 1e-7,
            x_tol: 1e-5,
            max_evals: 2_500,
        },
    );
    let theta = opt.x;

    let remaining = |v: &[f64]| model.cumulative(v, t_now, horizon);
    let expected_remaining = remaining(&theta);
    let dispersion = dispersion(&model, &theta, &bins, cfg);
    let param_var = parameter_variance(&objective, &remaining, &theta) * dispersion;
    let structural = (cfg.structural_rel_sd * expected_remaining).powi(2);
    let variance = dispersion * expected_remaining + param_var + structural;
    let sd = variance.max(0.0).sqrt();
    let dist = LogNormal::matching(expected_remaining, variance);

    let cap_total = |x: f64| {
        let total = sold as f64 + x;
        capacity.map_or(total, |c| total.min(c as f64))
    };
    let projected = cap_total(expected_remaining).round() as i64;
    let low = cap_total(dist.quantile(-Z80)).floor() as i64;
    let high = cap_total(dist.quantile(Z80)).ceil() as i64;

    let (sell_out_probability, projected_sell_out_at) = match capacity {
        Some(cap) => {
            let needed = (cap - sold) as f64;
            let p = dist.exceedance(needed);
            let at = (expected_remaining >= needed)
                .then(|| {
                    solve_time(
                        |t| model.cumulative(&theta, t_now, t),
                        needed,
                        t_now,
                        horizon,
                    )
                })
                .map(|t| curve.on_sale_at + Duration::milliseconds((t * MS_PER_HOUR) as i64));
            (p, at)
        }
        None => (0.0, None),
    };

    let p = model.params(&theta);
    SalesForecast {
        sold_so_far: sold,
        projected_final_tickets: projected,
        interval_low: low.max(sold),
        interval_high: high.max(projected),
        projected_sell_out_at,
        sell_out_probability,
        method: if model.bump {
            "decay+baseline+pre-show-uplift/poisson-map"
        } else {
            "decay+baseline/poisson-map"
        }
        .to_owned(),
        fit: Some(SalesCurveFit {
            spike_per_hour: p[0],
            decay_per_hour: p[1],
            baseline_per_hour: p[2],
            pre_show_uplift: p[3],
            dispersion,
            expected_remaining,
            remaining_sd: sd,
        }),
    }
}

/// A likelihood bin `[t0, t1)` with `y` tickets.
#[derive(Debug, Clone, Copy)]
struct Bin {
    t0: f64,
    t1: f64,
    y: f64,
}

/// Hourly bins while the spike is on, then daily bins (which average out the
/// time-of-day cycle the model does not describe); the last bin ends at now.
fn make_bins(observed: &[(f64, i64)], t_now: f64, hourly_until: f64) -> Vec<Bin> {
    let mut edges = Vec::new();
    let mut t = 0.0;
    while t < t_now {
        edges.push(t);
        t += if t < hourly_until { 1.0 } else { 24.0 };
    }
    edges.push(t_now);
    let mut bins: Vec<Bin> = edges
        .windows(2)
        .map(|w| Bin {
            t0: w[0],
            t1: w[1],
            y: 0.0,
        })
        .collect();
    for (t, n) in observed {
        let i = edges
            .partition_point(|e| e <= t)
            .saturating_sub(1)
            .min(bins.len() - 1);
        bins[i].y += *n as f64;
    }
    bins
}

/// `λ(t) = A e^{−bt} + c (1 + k e^{−(H−t)/τ})`, parameters in logs.
struct RateModel {
    horizon: f64,
    tau: f64,
    bump: bool,
}

impl RateModel {
    fn params(&self, v: &[f64]) -> [f64; 4] {
        [
            v[0].exp(),
            v[1].exp(),
            v[2].exp(),
            if self.bump { v[3].exp() } else { 0.0 },
        ]
    }

    /// `∫_{t0}^{t1} λ(t) dt`.
    fn cumulative(&self, v: &[f64], t0: f64, t1: f64) -> f64 {
        let [a, b, c, k] = self.params(v);
        let spike = a / b * ((-b * t0).exp() - (-b * t1).exp());
        let base = c * (t1 - t0);
        let bump = c
            * k
            * self.tau
            * ((-(self.horizon - t1) / self.tau).exp() - (-(self.horizon - t0) / self.tau).exp());
        spike + base + bump
    }

    /// `Σ μ − y ln μ` over the bins (Poisson, constant terms dropped).
    fn neg_log_likelihood(&self, v: &[f64], bins: &[Bin]) -> f64 {
        bins.iter()
            .map(|bin| {
                let mu = self.cumulative(v, bin.t0, bin.t1);
                if bin.y > 0.0 {
                    mu - bin.y * mu.ln()
                } else {
                    mu
                }
            })
            .sum()
    }
}

/// Weak priors (log-normal) and the starting point of the fit.
struct Prior {
    ln_b: f64,
    sd_b: f64,
    ln_k: f64,
    sd_k: f64,
    ln_a: f64,
    ln_c: f64,
}

/// Scale priors on `ln A` and `ln c` are this wide: they only keep the
/// optimiser finite when a component is absent from the data.
const SCALE_PRIOR_SD: f64 = 8.0;

impl Prior {
    fn new(cfg: &ForecastConfig, bins: &[Bin], t_now: f64) -> Self {
        let total: f64 = bins.iter().map(|b| b.y).sum();
        let late: Vec<&Bin> = bins.iter().filter(|b| b.t0 >= t_now / 2.0).collect();
        let late_hours: f64 = late.iter().map(|b| b.t1 - b.t0).sum();
        let late_rate = late.iter().map(|b| b.y).sum::<f64>() / late_hours.max(1.0);
        let c0 = late_rate.max(total / t_now / 10.0).max(0.01);
        let a0 = (bins[0].y - c0).max(c0).max(0.5);
        Self {
            ln_b: (std::f64::consts::LN_2 / cfg.spike_half_life_hours).ln(),
            sd_b: cfg.spike_half_life_log_sd,
            ln_k: cfg.pre_show_uplift.max(f64::MIN_POSITIVE).ln(),
            sd_k: cfg.pre_show_uplift_log_sd,
            ln_a: a0.ln(),
            ln_c: c0.ln(),
        }
    }

    fn start(&self, bump: bool) -> Vec<f64> {
        let mut v = vec![self.ln_a, self.ln_b, self.ln_c];
        if bump {
            v.push(self.ln_k);
        }
        v
    }

    /// `−ln prior` up to a constant.
    fn penalty(&self, v: &[f64], bump: bool) -> f64 {
        let sq = |x: f64, m: f64, s: f64| 0.5 * ((x - m) / s).powi(2);
        let mut p = sq(v[0], self.ln_a, SCALE_PRIOR_SD)
            + sq(v[1], self.ln_b, self.sd_b)
            + sq(v[2], self.ln_c, SCALE_PRIOR_SD);
        if bump {
            p += sq(v[3], self.ln_k, self.sd_k);
        }
        p
    }
}

/// Quasi-Poisson dispersion `φ = Σ (y−μ)²/μ / dof`, from the daily bins
/// when there are at least three of them (time-of-day swings in hourly bins
/// average out over the forecast horizon), shrunk toward the configured
/// prior and floored at 1 (no under-dispersion).
fn dispersion(model: &RateModel, v: &[f64], bins: &[Bin], cfg: &ForecastConfig) -> f64 {
    let daily: Vec<&Bin> = bins.iter().filter(|b| b.t1 - b.t0 >= 23.0).collect();
    let used: Vec<&Bin> = if daily.len() >= 3 {
        daily
    } else {
        bins.iter().collect()
    };
    let chi2: f64 = used
        .iter()
        .map(|b| {
            let mu = model.cumulative(v, b.t0, b.t1).max(1e-9);
            (b.y - mu).powi(2) / mu
        })
        .sum();
    let dof = (used.len() as f64 - v.len() as f64).max(0.0);
    let w = cfg.dispersion_prior_weight;
    ((chi2 + w * cfg.dispersion_prior) / (dof + w)).max(1.0)
}

/// Delta-method variance of `f(θ)` under the Laplace approximation
/// `θ ~ N(θ̂, H⁻¹)`, `H` the Hessian of the objective (central differences).
fn parameter_variance(
    objective: &impl Fn(&[f64]) -> f64,
    f: &impl Fn(&[f64]) -> f64,
    theta: &[f64],
) -> f64 {
    const STEP: f64 = 1e-3;
    let n = theta.len();
    let at = |d: &[(usize, f64)]| {
        let mut v = theta.to_vec();
        for &(i, s) in d {
            v[i] += s;
        }
        v
    };
    let f0 = objective(theta);
    let second = |i: usize, j: usize| {
        if i == j {
            (objective(&at(&[(i, STEP)])) - 2.0 * f0 + objective(&at(&[(i, -STEP)])))
                / (STEP * STEP)
        } else {
            (objective(&at(&[(i, STEP), (j, STEP)]))
                - objective(&at(&[(i, STEP), (j, -STEP)]))
                - objective(&at(&[(i, -STEP), (j, STEP)]))
                + objective(&at(&[(i, -STEP), (j, -STEP)])))
                / (4.0 * STEP * STEP)
        }
    };
    let hess: Vec<Vec<f64>> = (0..n)
        .map(|i| (0..n).map(|j| second(i, j)).collect())
        .collect();
    let grad: Vec<f64> = (0..n)
        .map(|i| (f(&at(&[(i, STEP)])) - f(&at(&[(i, -STEP)]))) / (2.0 * STEP))
        .collect();
    let from_inverse = linalg::invert(&hess)
        .map(|inv| linalg::quad_form(&inv, &grad))
        .filter(|v| *v >= 0.0);
    // Not positive definite (optimiser stopped on a ridge): use the diagonal.
    from_inverse.unwrap_or_else(|| {
        grad.iter()
            .zip(0..n)
            .map(|(g, i)| g * g / hess[i][i].abs().max(1e-9))
            .sum()
    })
}

/// Log-normal with a given mean and variance (moment matching).
struct LogNormal {
    mu: f64,
    sigma: f64,
}

impl LogNormal {
    fn matching(mean: f64, variance: f64) -> Self {
        let mean = mean.max(1e-9);
        let sigma2 = (1.0 + variance.max(0.0) / (mean * mean)).ln();
        Self {
            mu: mean.ln() - sigma2 / 2.0,
            sigma: sigma2.sqrt(),
        }
    }

    fn quantile(&self, z: f64) -> f64 {
        (self.mu + z * self.sigma).exp()
    }

    /// `P(X ≥ x)`.
    fn exceedance(&self, x: f64) -> f64 {
        if x <= 0.0 {
            return 1.0;
        }
        if self.sigma <= 0.0 {
            return if self.mu.exp() >= x { 1.0 } else { 0.0 };
        }
        1.0 - normal_cdf((x.ln() - self.mu) / self.sigma)
    }
}

/// The `t ∈ [lo, hi]` where the increasing `cum(t)` reaches `target` (bisection).
fn solve_time(cum: impl Fn(f64) -> f64, target: f64, lo: f64, hi: f64) -> f64 {
    let (mut lo, mut hi) = (lo, hi);
    for _ in 0..60 {
        let mid = 0.5 * (lo + hi);
        if cum(mid) >= target {
            hi = mid
        } else {
            lo = mid
        }
    }
    hi
}

/// End of the hour in which cumulative sales reached capacity.
fn sold_out_at(curve: &SalesCurve, cap: i64) -> Option<DateTime<Utc>> {
    let mut sales: Vec<&(DateTime<Utc>, i64)> = curve
        .hourly_sales
        .iter()
        .filter(|(t, _)| *t < curve.now)
        .collect();
    sales.sort_by_key(|(t, _)| *t);
    let mut total = 0;
    for (t, n) in sales {
        total += n;
        if total >= cap {
            return Some((*t + Duration::hours(1)).min(curve.now));
        }
    }
    None
}
