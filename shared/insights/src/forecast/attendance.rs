//! Attendance forecast on show night: how many ticket holders will come.
//!
//! Each of the `N` ticket holders shows up independently with probability
//! `ρ`; the venue's prior on `ρ` is a Beta distribution fitted to its past
//! shows' show-up rates (method of moments), or `Beta(18, 2)` (mean 0.9,
//! weight of 20 tickets) without history. Attendees arrive after doors open
//! with an exponential arrival curve, so by `m` minutes a fraction
//! `F(m) = 1 − e^{−m/τ}` of the eventual attendees has been scanned. The
//! scans so far, `A ~ Binomial(N, ρ·F)`, update `ρ` (exact posterior on a
//! grid); the remaining `N − A` holders each still come with probability
//! `ρ(1−F)/(1−ρF)`. The forecast is the posterior predictive of `A + later`.

use serde::{Deserialize, Serialize};

use crate::math::special::{Z80, ln_beta, normal_cdf};

/// The attendance forecast.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AttendanceForecast {
    pub expected_attendance: i64,
    pub expected_no_shows: i64,
    /// Expected attendance ÷ tickets sold.
    pub show_up_rate: f64,
    /// 80% interval of the attendance.
    pub interval_low: i64,
    pub interval_high: i64,
}

/// Priors of the attendance model.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AttendanceConfig {
    /// Prior mean show-up rate without past shows.
    pub default_show_up_rate: f64,
    /// Prior weight (`α + β`, in tickets) without past shows, or with one.
    pub default_prior_strength: f64,
    /// Bounds of the method-of-moments prior weight with ≥ 2 past shows.
    pub min_prior_strength: f64,
    pub max_prior_strength: f64,
    /// `τ` of the arrival curve, minutes after doors open.
    pub arrival_time_constant_minutes: f64,
}

impl Default for AttendanceConfig {
    fn default() -> Self {
        Self {
            default_show_up_rate: 0.9,
            default_prior_strength: 20.0,
            min_prior_strength: 2.0,
            max_prior_strength: 200.0,
            arrival_time_constant_minutes: 45.0,
        }
    }
}

/// Forecast with [`AttendanceConfig::default`].
#[must_use]
pub fn forecast_attendance(
    sold: i64,
    admitted_so_far: i64,
    minutes_since_doors: Option<f64>,
    past_show_up_rates: &[f64],
) -> AttendanceForecast {
    forecast_attendance_with(
        sold,
        admitted_so_far,
        minutes_since_doors,
        past_show_up_rates,
        &AttendanceConfig::default(),
    )
}

/// Forecast attendance. `minutes_since_doors = None` means doors are not
/// open yet (scans carry no information about the rate).
#[must_use]
pub fn forecast_attendance_with(
    sold: i64,
    admitted_so_far: i64,
    minutes_since_doors: Option<f64>,
    past_show_up_rates: &[f64],
    cfg: &AttendanceConfig,
) -> AttendanceForecast {
    const GRID: usize = 1_000;
    let n = sold.max(0);
    let admitted = admitted_so_far.clamp(0, n);
    if n == 0 {
        return AttendanceForecast {
            expected_attendance: 0,
            expected_no_shows: 0,
            show_up_rate: 0.0,
            interval_low: 0,
            interval_high: 0,
        };
    }
    let (alpha, beta) = beta_prior(past_show_up_rates, cfg);
    let arrived = minutes_since_doors.map_or(0.0, |m| {
        1.0 - (-m.max(0.0) / cfg.arrival_time_constant_minutes).exp()
    });
    let (nf, af) = (n as f64, admitted as f64);
    let remaining = n - admitted;

    // Posterior on a grid of ρ, in logs; q = chance a not-yet-scanned holder still comes.
    let mut components: Vec<(f64, f64)> = (0..GRID)
        .map(|i| {
            let rho = (i as f64 + 0.5) / GRID as f64;
            let mut lw =
                (alpha - 1.0) * rho.ln() + (beta - 1.0) * (1.0 - rho).ln() - ln_beta(alpha, beta);
            if arrived > 0.0 {
                let s = rho * arrived;
                lw += af * s.ln() + (nf - af) * (1.0 - s).ln();
            }
            let q = rho * (1.0 - arrived) / (1.0 - rho * arrived);
            (lw, q)
        })
        .collect();
    let max = components
        .iter()
        .map(|c| c.0)
        .fold(f64::NEG_INFINITY, f64::max);
    let total: f64 = components.iter().map(|c| (c.0 - max).exp()).sum();
    for c in &mut components {
        c.0 = (c.0 - max).exp() / total;
    }

    let expected_later: f64 = components.iter().map(|(w, q)| w * q).sum::<f64>() * remaining as f64;
    let expected = af + expected_later;
    let cdf = |x: i64| -> f64 {
        let m = remaining as f64;
        components
            .iter()
            .map(|(w, q)| {
                let (mean, sd) = (m * q, (m * q * (1.0 - q)).sqrt());
                let p = if sd < 1e-9 {
                    if x as f64 + 0.5 >= mean { 1.0 } else { 0.0 }
                } else {
                    normal_cdf((x as f64 + 0.5 - mean) / sd)
                };
                w * p
            })
            .sum()
    };
    let quantile = |p: f64| -> i64 {
        let (mut lo, mut hi) = (0, remaining);
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            if cdf(mid) >= p {
                hi = mid
            } else {
                lo = mid + 1
            }
        }
        lo
    };
    let expected_attendance = expected.round() as i64;
    AttendanceForecast {
        expected_attendance,
        expected_no_shows: n - expected_attendance,
        show_up_rate: expected / nf,
        interval_low: admitted + quantile(normal_cdf(-Z80)),
        interval_high: admitted + quantile(normal_cdf(Z80)),
    }
}

/// Beta prior `(α, β)` on the show-up rate from past shows' rates.
fn beta_prior(past: &[f64], cfg: &AttendanceConfig) -> (f64, f64) {
    let rates: Vec<f64> = past
        .iter()
        .copied()
        .filter(|r| r.is_finite() && (0.0..=1.0).contains(r))
        .collect();
    let (mean, strength) = match rates.len() {
        0 => (cfg.default_show_up_rate, cfg.default_prior_strength),
        1 => (rates[0], cfg.default_prior_strength),
        k => {
            let mean = rates.iter().sum::<f64>() / k as f64;
            let var = rates.iter().map(|r| (r - mean).powi(2)).sum::<f64>() / (k - 1) as f64;
            // Beta moments: var = m(1−m)/(κ+1) → κ = m(1−m)/var − 1.
            let strength = if var > 0.0 {
                mean * (1.0 - mean) / var - 1.0
            } else {
                cfg.max_prior_strength
            };
            (
                mean,
                strength.clamp(cfg.min_prior_strength, cfg.max_prior_strength),
            )
        }
    };
    let mean = mean.clamp(0.01, 0.99);
    (mean * strength, (1.0 - mean) * strength)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prior_only_is_beta_binomial() {
        // Beta(18, 2), N = 1000, no scans: E = 1000·0.9 = 900.
        // Beta-binomial sd = √(N·ρ̄(1−ρ̄)·(α+β+N)/(α+β+1)) = √(1000·0.09·1020/21) = 66.1,
        // so the 80% interval is about 900 ± 1.28·66 (left-skewed: Beta(18,2) has a long low tail).
        let f = forecast_attendance(1_000, 0, None, &[]);
        assert_eq!(f.expected_attendance, 900);
        assert_eq!(f.expected_no_shows, 100);
        assert!((f.show_up_rate - 0.9).abs() < 1e-3);
        assert!((790..=840).contains(&f.interval_low), "{f:?}");
        assert!((950..=990).contains(&f.interval_high), "{f:?}");
    }

    #[test]
    fn past_rates_set_the_prior_mean() {
        // Three past shows at exactly 0.8: mean 0.8, zero variance → strength 200.
        // 500 sold → 400 expected.
        let f = forecast_attendance(500, 0, None, &[0.8, 0.8, 0.8]);
        assert_eq!(f.expected_attendance, 400);
        assert_eq!(f.expected_no_shows, 100);
    }

    #[test]
    fn after_everyone_arrived_attendance_is_the_scans() {
        // 10 000 minutes after doors F ≈ 1: nobody else comes.
        let f = forecast_attendance(1_000, 700, Some(10_000.0), &[]);
        assert_eq!(
            (f.expected_attendance, f.interval_low, f.interval_high),
            (700, 700, 700)
        );
    }

    #[test]
    fn scans_consistent_with_prior_keep_it() {
        // ρ = 0.9, 45 min after doors with τ = 45: F = 1 − e^{−1} = 0.632,
        // expected scans = 1000·0.9·0.632 = 569. With A = 569 the posterior stays near 0.9:
        // later = 431 · 0.9·0.368/(1 − 0.569) = 431 · 0.768 = 331 → total ≈ 900.
        let f = forecast_attendance(1_000, 569, Some(45.0), &[]);
        assert!((f.expected_attendance - 900).abs() <= 5, "{f:?}");
        // More scans than expected at the same time → higher forecast, and narrower than prior-only.
        let hot = forecast_attendance(1_000, 620, Some(45.0), &[]);
        assert!(
            hot.expected_attendance > f.expected_attendance + 30,
            "{hot:?}"
        );
        assert!(f.interval_high - f.interval_low < 100, "{f:?}");
    }

    #[test]
    fn nothing_sold_nothing_expected() {
        let f = forecast_attendance(0, 0, Some(10.0), &[0.9]);
        assert_eq!(f.expected_attendance, 0);
    }
}
