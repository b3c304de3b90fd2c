//! Gamma-Gamma model of monetary value (Fader & Hardie 2013, "The
//! Gamma-Gamma Model of Monetary Value"; first used in Fader, Hardie & Lee
//! 2005, "RFM and CLV: Using Iso-Value Curves for Customer Base Analysis").
//!
//! A customer's order values are i.i.d. `Gamma(p, ν)`; across customers
//! `ν ~ Gamma(q, γ)`. So a customer's mean order value is `p/ν` and the
//! population mean is `pγ/(q−1)` (needs `q > 1`). Spend is assumed
//! independent of purchase frequency.

use serde::{Deserialize, Serialize};

use crate::math::nelder_mead::{self, Options};
use crate::math::special::ln_gamma;

/// Gamma-Gamma parameters (money in minor units).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GammaGammaParams {
    pub p: f64,
    pub q: f64,
    pub gamma: f64,
}

/// A customer's number of orders and mean order value.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SpendSummary {
    /// Orders averaged over (≥ 1).
    pub x: f64,
    /// Mean order value, minor units (> 0).
    pub mean: f64,
}

impl GammaGammaParams {
    /// Density of the observed mean `z̄` given `x` orders (Fader & Hardie
    /// 2013, eq. 4), in logs:
    /// `f(z̄|x) = Γ(px+q)/(Γ(px)Γ(q)) · γ^q · x^{px} · z̄^{px−1} / (γ + x z̄)^{px+q}`.
    #[must_use]
    pub fn log_likelihood(&self, c: &SpendSummary) -> f64 {
        let Self { p, q, gamma } = *self;
        let px = p * c.x;
        ln_gamma(px + q) - ln_gamma(px) - ln_gamma(q)
            + q * gamma.ln()
            + px * c.x.ln()
            + (px - 1.0) * c.mean.ln()
            - (px + q) * (gamma + c.x * c.mean).ln()
    }

    /// Conditional expected mean order value (Fader & Hardie 2013, eq. 5):
    /// `E[M | x, z̄] = p(γ + x z̄) / (px + q − 1)`, a weighted average of the
    /// population mean `pγ/(q−1)` and the customer's own mean `z̄`, the
    /// customer's weight `px/(px+q−1)` growing with their order count.
    #[must_use]
    pub fn expected_spend(&self, c: &SpendSummary) -> f64 {
        let Self { p, q, gamma } = *self;
        p * (gamma + c.x * c.mean) / (p * c.x + q - 1.0)
    }

    /// Population mean order value `pγ/(q−1)`.
    #[must_use]
    pub fn population_mean(&self) -> f64 {
        self.p * self.gamma / (self.q - 1.0)
    }
}

/// Outcome of a maximum-likelihood fit.
#[derive(Debug, Clone, Copy)]
pub struct GammaGammaFit {
    pub params: GammaGammaParams,
    pub log_likelihood: f64,
}

/// Fit by maximum likelihood (Nelder–Mead on `ln p, ln q, ln γ`). Returns
/// `None` when the optimum is not finite, `q ≤ 1` (no finite population
/// mean) or a parameter leaves `[1e-4, 1e9]`.
#[must_use]
pub fn fit(data: &[SpendSummary]) -> Option<GammaGammaFit> {
    let data: Vec<SpendSummary> = data
        .iter()
        .copied()
        .filter(|c| c.x >= 1.0 && c.mean > 0.0)
        .collect();
    if data.is_empty() {
        return None;
    }
    let neg_ll = |v: &[f64]| {
        if v.iter().any(|p| p.abs() > 25.0) {
            return f64::INFINITY;
        }
        let params = GammaGammaParams {
            p: v[0].exp(),
            q: v[1].exp(),
            gamma: v[2].exp(),
        };
        -data.iter().map(|c| params.log_likelihood(c)).sum::<f64>()
    };
    // Start at p = 2, q = 3 and γ matching the sample mean: pγ/(q−1) = mean → γ = mean.
    let mean = data.iter().map(|c| c.mean).sum::<f64>() / data.len() as f64;
    let start = [2f64.ln(), 3f64.ln(), mean.ln()];
    let m = nelder_mead::minimize_with_restart(
        neg_ll,
        &start,
        Options {
            max_evals: 3_000,
            ..Options::default()
        },
    );
    let params = GammaGammaParams {
        p: m.x[0].exp(),
        q: m.x[1].exp(),
        gamma: m.x[2].exp(),
    };
    let plausible = [params.p, params.q, params.gamma]
        .iter()
        .all(|v| v.is_finite() && (1e-4..=1e9).contains(v));
    (m.value.is_finite() && plausible && params.q > 1.0).then_some(GammaGammaFit {
        params,
        log_likelihood: -m.value,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expected_spend_hand_computed() {
        // CDNOW estimates (Fader & Hardie 2013): p = 6.25, q = 3.74, γ = 15.44.
        // Customer with x = 2 orders averaging 40:
        // E[M] = 6.25·(15.44 + 2·40) / (6.25·2 + 3.74 − 1) = 596.5 / 15.24 = 39.14042
        let p = GammaGammaParams {
            p: 6.25,
            q: 3.74,
            gamma: 15.44,
        };
        let e = p.expected_spend(&SpendSummary { x: 2.0, mean: 40.0 });
        assert!((e - 596.5 / 15.24).abs() < 1e-9, "{e}");
        // Population mean pγ/(q−1) = 96.5/2.74 = 35.21898
        assert!((p.population_mean() - 96.5 / 2.74).abs() < 1e-9);
    }

    #[test]
    fn log_likelihood_hand_computed() {
        // p = 1, q = 2, γ = 1, x = 1, z̄ = 1:
        // f = Γ(3)/(Γ(1)Γ(2)) · 1² · 1¹ · 1⁰ / (1+1)³ = 2/8 = 0.25
        let p = GammaGammaParams {
            p: 1.0,
            q: 2.0,
            gamma: 1.0,
        };
        let ll = p.log_likelihood(&SpendSummary { x: 1.0, mean: 1.0 });
        assert!((ll - 0.25f64.ln()).abs() < 1e-12, "{ll}");
    }

    #[test]
    fn fit_recovers_simulated_population_mean() {
        use crate::math::rng::SplitMix64;
        let truth = GammaGammaParams {
            p: 6.0,
            q: 4.0,
            gamma: 3_000.0,
        };
        let mut rng = SplitMix64::new(5);
        let data: Vec<SpendSummary> = (0..2_000)
            .map(|i| {
                let nu = rng.gamma(truth.q) / truth.gamma;
                let x = 1 + i % 5;
                let total: f64 = (0..x).map(|_| rng.gamma(truth.p) / nu).sum();
                SpendSummary {
                    x: x as f64,
                    mean: total / x as f64,
                }
            })
            .collect();
        let fit = fit(&data).expect("fit");
        let got = fit.params.population_mean();
        let want = truth.population_mean(); // 6·3000/3 = 6000
        assert!((got - want).abs() / want < 0.1, "{:?} → {got}", fit.params);
    }
}
