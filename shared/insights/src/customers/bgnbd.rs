//! BG/NBD model of repeat purchasing (Fader, Hardie & Lee 2005, "Counting
//! Your Customers the Easy Way: An Alternative to the Pareto/NBD Model",
//! Marketing Science 24(2)).
//!
//! While active, a customer buys as a Poisson process with rate
//! `λ ~ Gamma(r, α)`; after each purchase they drop out for good with
//! probability `p ~ Beta(a, b)`. A customer is summarised by `(x, tₓ, T)`:
//! repeat purchases, time of the last purchase and age, both measured from
//! the first purchase (here in weeks).

use serde::{Deserialize, Serialize};

use crate::math::nelder_mead::{self, Options};
use crate::math::special::beta_expectation;

/// BG/NBD parameters.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BgNbdParams {
    /// Shape of the purchase-rate Gamma.
    pub r: f64,
    /// Rate (inverse scale, per week) of the purchase-rate Gamma.
    pub alpha: f64,
    /// Dropout Beta `a`.
    pub a: f64,
    /// Dropout Beta `b`.
    pub b: f64,
}

/// One customer's frequency/recency summary, times in weeks.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RepeatSummary {
    /// Repeat purchases (orders − 1).
    pub x: f64,
    /// Time of the last purchase since the first.
    pub t_x: f64,
    /// Age: now − first purchase.
    pub t: f64,
}

impl BgNbdParams {
    /// Log-likelihood of one customer, FHL (2005) eq. 6:
    /// `L = B(a,b+x)/B(a,b) · Γ(r+x)αʳ/(Γ(r)(α+T)^{r+x})
    ///    + 1{x>0} · B(a+1,b+x−1)/B(a,b) · Γ(r+x)αʳ/(Γ(r)(α+tₓ)^{r+x})`.
    ///
    /// `x` must be a whole number (it is a count).
    #[must_use]
    pub fn log_likelihood(&self, c: &RepeatSummary) -> f64 {
        self.log_likelihood_with(c, &XTerms::new(self, c.x))
    }

    fn log_likelihood_with(&self, c: &RepeatSummary, xt: &XTerms) -> f64 {
        let Self { r, alpha, a, b } = *self;
        let x = c.x;
        let a1 = xt.ln_gamma_ratio_r + r * alpha.ln();
        let a3 = -(r + x) * (alpha + c.t).ln();
        let base = a1 + xt.ln_beta_ratio;
        if x > 0.0 {
            let a4 = (a / (b + x - 1.0)).ln() - (r + x) * (alpha + c.t_x).ln();
            let m = a3.max(a4);
            base + m + ((a3 - m).exp() + (a4 - m).exp()).ln()
        } else {
            base + a3
        }
    }

    /// Probability the customer is still active, FHL (2005) eq. 13 /
    /// Fader, Hardie & Lee (2008) note "Computing P(alive) using the BG/NBD":
    /// `1 / (1 + 1{x>0} · a/(b+x−1) · ((α+T)/(α+tₓ))^{r+x})`.
    #[must_use]
    pub fn probability_alive(&self, c: &RepeatSummary) -> f64 {
        if c.x <= 0.0 {
            return 1.0;
        }
        let Self { r, alpha, a, b } = *self;
        let ln_odds =
            (a / (b + c.x - 1.0)).ln() + (r + c.x) * ((alpha + c.t) / (alpha + c.t_x)).ln();
        1.0 / (1.0 + ln_odds.exp())
    }

    /// Expected purchases in the next `horizon` weeks, given the history.
    ///
    /// Computed as `P(alive) · E_p[(1 − ((α+T)/(α+T+p·t))^{r+x}) / p]` with
    /// `p ~ Beta(a, b+x)` — the posterior of the dropout probability of a
    /// customer still alive — because given `(λ, p)` and alive, expected
    /// purchases in `t` are `(1 − e^{−λpt})/p` (FHL eq. 7) and
    /// `λ | alive ~ Gamma(r+x, α+T)`. This is the same quantity as FHL
    /// eq. 10 (the ₂F₁ form, see [`Self::expected_transactions_2f1`]) but
    /// stays finite and accurate for every `a`, including `a ≤ 1`.
    #[must_use]
    pub fn expected_transactions(&self, c: &RepeatSummary, horizon: f64) -> f64 {
        if horizon <= 0.0 {
            return 0.0;
        }
        let Self { r, alpha, b, .. } = *self;
        let shape = r + c.x;
        let scale = alpha + c.t;
        let g = |p: f64| {
            let u = p * horizon / scale;
            // (1 − (1+u)^{−shape}) / p, written to avoid cancellation at small u.
            -(-shape * u.ln_1p()).exp_m1() / p
        };
        self.probability_alive(c) * beta_expectation(self.a, b + c.x, g)
    }

    /// FHL (2005) eq. 10, the closed form with the Gauss hypergeometric
    /// function. Needs `a > 1` for the `(a+b+x−1)/(a−1)` factor to be the
    /// value of a convergent integral; kept as an independent check of
    /// [`Self::expected_transactions`].
    #[must_use]
    pub fn expected_transactions_2f1(&self, c: &RepeatSummary, horizon: f64) -> Option<f64> {
        let Self { r, alpha, a, b } = *self;
        let x = c.x;
        let z = horizon / (alpha + c.t + horizon);
        let f = crate::math::special::hyp2f1(r + x, b + x, a + b + x - 1.0, z)?;
        let head = (a + b + x - 1.0) / (a - 1.0);
        let bracket = 1.0 - ((alpha + c.t) / (alpha + c.t + horizon)).powf(r + x) * f;
        Some(head * bracket * self.probability_alive(c))
    }

    /// Mean purchase rate `r/α` of an active customer, per week.
    #[must_use]
    pub fn mean_rate(&self) -> f64 {
        self.r / self.alpha
    }

    /// Parameters from the optimiser's coordinates
    /// `(ln r, ln α, logit(a/(a+b)), ln(a+b))`. The dropout Beta is
    /// parametrised by its mean and concentration so that a population with
    /// homogeneous dropout (MLE at `a, b → ∞` with a fixed ratio) converges
    /// to the cap [`MAX_CONCENTRATION`] instead of running off to infinity.
    fn from_coords(v: &[f64]) -> Self {
        let mean = 1.0 / (1.0 + (-v[2]).exp());
        let kappa = v[3].exp().min(MAX_CONCENTRATION);
        Self {
            r: v[0].exp(),
            alpha: v[1].exp(),
            a: mean * kappa,
            b: (1.0 - mean) * kappa,
        }
    }

    fn is_plausible(&self) -> bool {
        [self.r, self.alpha, self.a, self.b]
            .iter()
            .all(|v| v.is_finite() && (1e-4..=1e5).contains(v))
    }
}

/// The `x`-dependent Gamma/Beta ratios, shared by all customers with the
/// same repeat count (computed as finite products since `x` is a count).
struct XTerms {
    /// `ln Γ(r+x) − ln Γ(r)`
    ln_gamma_ratio_r: f64,
    /// `ln B(a, b+x) − ln B(a, b)`
    ln_beta_ratio: f64,
}

impl XTerms {
    fn new(p: &BgNbdParams, x: f64) -> Self {
        let n = x.max(0.0).round() as u64;
        let mut g = 0.0;
        let mut bt = 0.0;
        for i in 0..n {
            let i = i as f64;
            g += (p.r + i).ln();
            // B(a,b+x)/B(a,b) = Π (b+i)/(a+b+i)
            bt += (p.b + i).ln() - (p.a + p.b + i).ln();
        }
        Self {
            ln_gamma_ratio_r: g,
            ln_beta_ratio: bt,
        }
    }
}

/// Largest `a + b` the fit uses: beyond it the dropout Beta is, for all
/// practical purposes, a point mass (s.d. of `p` below 0.016).
pub const MAX_CONCENTRATION: f64 = 1_000.0;

/// Outcome of a maximum-likelihood fit.
#[derive(Debug, Clone, Copy)]
pub struct BgNbdFit {
    pub params: BgNbdParams,
    pub log_likelihood: f64,
}

/// Fit by maximum likelihood (Nelder–Mead on `ln r`, `ln α`,
/// `logit(a/(a+b))`, `ln(a+b)`, the last capped at [`MAX_CONCENTRATION`]).
/// Returns `None` when the optimum is not finite or a parameter ends up
/// outside `[1e-4, 1e5]` (a degenerate population, e.g. nobody repeats).
#[must_use]
pub fn fit(data: &[RepeatSummary]) -> Option<BgNbdFit> {
    if data.is_empty() {
        return None;
    }
    let max_x = data
        .iter()
        .map(|c| c.x.max(0.0) as usize)
        .max()
        .unwrap_or(0);
    let neg_ll = |v: &[f64]| {
        if v.iter().any(|p| p.abs() > 15.0) {
            return f64::INFINITY;
        }
        let params = BgNbdParams::from_coords(v);
        let terms: Vec<XTerms> = (0..=max_x)
            .map(|x| XTerms::new(&params, x as f64))
            .collect();
        -data
            .iter()
            .map(|c| params.log_likelihood_with(c, &terms[c.x.max(0.0) as usize]))
            .sum::<f64>()
    };
    // Start: r = 1, α = mean age / (mean repeats + ½) (rate ≈ observed).
    let n = data.len() as f64;
    let mean_t = data.iter().map(|c| c.t).sum::<f64>() / n;
    let mean_x = data.iter().map(|c| c.x).sum::<f64>() / n;
    let alpha0 = (mean_t.max(1.0) / (mean_x + 0.5)).max(0.1);
    // a = 1, b = 3 → mean 0.25, concentration 4.
    let start = [0.0, alpha0.ln(), (0.25f64 / 0.75).ln(), 4f64.ln()];
    let opts = Options {
        max_evals: 3_000,
        ..Options::default()
    };
    let m = nelder_mead::minimize_with_restart(neg_ll, &start, opts);
    let params = BgNbdParams::from_coords(&m.x);
    (m.value.is_finite() && params.is_plausible()).then_some(BgNbdFit {
        params,
        log_likelihood: -m.value,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Published CDNOW estimates (FHL 2005, Table/§5): r = 0.243,
    /// α = 4.414, a = 0.793, b = 2.426 (weeks).
    const CDNOW: BgNbdParams = BgNbdParams {
        r: 0.243,
        alpha: 4.414,
        a: 0.793,
        b: 2.426,
    };

    #[test]
    fn paper_conditional_expectation() {
        // FHL 2005 §5: a customer with x = 2, tₓ = 30.43, T = 38.86 is
        // expected to make 1.226 purchases in the next 39 weeks.
        let c = RepeatSummary {
            x: 2.0,
            t_x: 30.43,
            t: 38.86,
        };
        let e = CDNOW.expected_transactions(&c, 39.0);
        assert!((e - 1.226).abs() < 1e-3, "{e}");
    }

    #[test]
    fn p_alive_hand_computed() {
        // x = 2, tₓ = 30.43, T = 38.86:
        // odds = a/(b+x−1) · ((α+T)/(α+tₓ))^{r+x}
        //      = 0.793/3.426 · (43.274/34.844)^{2.243}
        //      = 0.231465 · 1.625789 = 0.376314   (checked with mpmath, 30 digits)
        // P(alive) = 1/(1+0.376314) = 0.726579
        let c = RepeatSummary {
            x: 2.0,
            t_x: 30.43,
            t: 38.86,
        };
        let p = CDNOW.probability_alive(&c);
        assert!((p - 0.726_579).abs() < 1e-6, "{p}");
        // Nobody who never repeated is considered dead by BG/NBD.
        assert!(
            (CDNOW.probability_alive(&RepeatSummary {
                x: 0.0,
                t_x: 0.0,
                t: 50.0
            }) - 1.0)
                .abs()
                < 1e-12
        );
    }

    #[test]
    fn quadrature_matches_hypergeometric_closed_form() {
        // With a > 1 both forms are valid and must agree.
        let p = BgNbdParams {
            r: 0.8,
            alpha: 6.0,
            a: 1.7,
            b: 3.2,
        };
        for c in [
            RepeatSummary {
                x: 0.0,
                t_x: 0.0,
                t: 20.0,
            },
            RepeatSummary {
                x: 3.0,
                t_x: 10.0,
                t: 30.0,
            },
            RepeatSummary {
                x: 7.0,
                t_x: 45.0,
                t: 52.0,
            },
        ] {
            let q = p.expected_transactions(&c, 52.0);
            let h = p.expected_transactions_2f1(&c, 52.0).unwrap();
            assert!((q - h).abs() < 1e-6 * h.max(1.0), "{c:?}: {q} vs {h}");
        }
    }

    #[test]
    fn log_likelihood_hand_computed() {
        // r=1, α=1, a=1, b=1; x=1, tₓ=1, T=2:
        // term1 = B(1,2)/B(1,1) · Γ(2)·1/(Γ(1)·3²) = ½ · 1/9 = 1/18
        // term2 = B(2,1)/B(1,1) · Γ(2)·1/(Γ(1)·2²) = ½ · 1/4 = 1/8
        // L = 1/18 + 1/8 = 13/72
        let p = BgNbdParams {
            r: 1.0,
            alpha: 1.0,
            a: 1.0,
            b: 1.0,
        };
        let ll = p.log_likelihood(&RepeatSummary {
            x: 1.0,
            t_x: 1.0,
            t: 2.0,
        });
        assert!((ll - (13.0f64 / 72.0).ln()).abs() < 1e-12, "{ll}");
    }

    #[test]
    fn fit_recovers_simulated_parameters() {
        use crate::math::rng::SplitMix64;
        let truth = BgNbdParams {
            r: 1.5,
            alpha: 8.0,
            a: 1.2,
            b: 4.0,
        };
        let mut rng = SplitMix64::new(11);
        let data: Vec<RepeatSummary> = (0..3_000)
            .map(|_| simulate(&truth, 52.0, &mut rng))
            .collect();
        let fit = fit(&data).expect("fit");
        let p = fit.params;
        // Mean rate r/α and mean dropout a/(a+b) are the well-identified combinations.
        assert!(
            (p.mean_rate() - truth.mean_rate()).abs() / truth.mean_rate() < 0.15,
            "{p:?}"
        );
        let dropout = p.a / (p.a + p.b);
        assert!((dropout - 1.2 / 5.2).abs() < 0.08, "{p:?}");
        assert!(
            fit.log_likelihood > data.iter().map(|c| truth.log_likelihood(c)).sum::<f64>() - 1e-6
        );
    }

    /// Draw one customer's `(x, tₓ, T)` over an observation window of `t` weeks.
    pub(crate) fn simulate(
        p: &BgNbdParams,
        t: f64,
        rng: &mut crate::math::rng::SplitMix64,
    ) -> RepeatSummary {
        let lambda = rng.gamma(p.r) / p.alpha;
        let ga = rng.gamma(p.a);
        let drop = ga / (ga + rng.gamma(p.b));
        let (mut now, mut x, mut last) = (0.0, 0.0, 0.0);
        loop {
            now += -(1.0 - rng.uniform()).ln() / lambda;
            if now > t {
                break;
            }
            x += 1.0;
            last = now;
            if rng.uniform() < drop {
                break;
            }
        }
        RepeatSummary { x, t_x: last, t }
    }
}
