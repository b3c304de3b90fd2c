//! Special functions: log-gamma, Gauss hypergeometric 2F1 and the normal
//! distribution.

use std::f64::consts::PI;

/// Lanczos coefficients (g = 7, n = 9), as in Numerical Recipes 3rd ed. §6.1.
const LANCZOS: [f64; 9] = [
    0.999_999_999_999_809_9,
    676.520_368_121_885_1,
    -1_259.139_216_722_402_8,
    771.323_428_777_653_1,
    -176.615_029_162_140_6,
    12.507_343_278_686_905,
    -0.138_571_095_265_720_12,
    9.984_369_578_019_572e-6,
    1.505_632_735_149_311_6e-7,
];

/// Natural log of the gamma function, `ln Γ(x)` for `x > 0` (Lanczos
/// approximation, relative error ≈ 1e-15; reflection for `x < 0.5`).
#[must_use]
pub fn ln_gamma(x: f64) -> f64 {
    if x < 0.5 {
        // Γ(x)Γ(1−x) = π / sin(πx)
        return (PI / (PI * x).sin()).abs().ln() - ln_gamma(1.0 - x);
    }
    let x = x - 1.0;
    let mut sum = LANCZOS[0];
    for (i, c) in LANCZOS.iter().enumerate().skip(1) {
        sum += c / (x + i as f64);
    }
    let t = x + 7.5;
    0.5 * (2.0 * PI).ln() + (x + 0.5) * t.ln() - t + sum.ln()
}

/// Natural log of the beta function `ln B(a, b)`.
#[must_use]
pub fn ln_beta(a: f64, b: f64) -> f64 {
    ln_gamma(a) + ln_gamma(b) - ln_gamma(a + b)
}

/// Gauss hypergeometric function `₂F₁(a, b; c; z)` for `0 ≤ z < 1`, by its
/// power series. Returns `None` when the series has not converged after
/// `MAX_TERMS` terms (only happens for `z` extremely close to 1).
#[must_use]
pub fn hyp2f1(a: f64, b: f64, c: f64, z: f64) -> Option<f64> {
    const MAX_TERMS: usize = 200_000;
    if !(0.0..1.0).contains(&z) {
        return None;
    }
    let mut term = 1.0;
    let mut sum = 1.0;
    for n in 0..MAX_TERMS {
        let n = n as f64;
        term *= (a + n) * (b + n) / ((c + n) * (n + 1.0)) * z;
        sum += term;
        if term.abs() <= 1e-15 * sum.abs() {
            return sum.is_finite().then_some(sum);
        }
    }
    None
}

/// Standard normal cumulative distribution function Φ(x).
#[must_use]
pub fn normal_cdf(x: f64) -> f64 {
    0.5 * erfc(-x / std::f64::consts::SQRT_2)
}

/// Complementary error function (Numerical Recipes `erfcc`, Chebyshev fit,
/// relative error < 1.2e-7 everywhere).
#[must_use]
pub fn erfc(x: f64) -> f64 {
    let z = x.abs();
    let t = 1.0 / (1.0 + 0.5 * z);
    let ans = t
        * (-z * z - 1.265_512_23
            + t * (1.000_023_68
                + t * (0.374_091_96
                    + t * (0.096_784_18
                        + t * (-0.186_288_06
                            + t * (0.278_868_07
                                + t * (-1.135_203_98
                                    + t * (1.488_515_87
                                        + t * (-0.822_152_23 + t * 0.170_872_77)))))))))
            .exp();
    if x >= 0.0 { ans } else { 2.0 - ans }
}

/// z-score of the two-sided 80% interval: Φ⁻¹(0.9).
pub const Z80: f64 = 1.281_551_565_544_600_4;

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64, tol: f64) {
        assert!((a - b).abs() <= tol, "{a} vs {b}");
    }

    #[test]
    fn ln_gamma_matches_factorials_and_half() {
        // Γ(5) = 4! = 24; Γ(0.5) = √π; Γ(10) = 362880
        close(ln_gamma(5.0), 24f64.ln(), 1e-12);
        close(ln_gamma(0.5), PI.sqrt().ln(), 1e-12);
        close(ln_gamma(10.0), 362_880f64.ln(), 1e-11);
        // Γ(0.1) = 9.513507698668732 (mpmath.gamma(0.1))
        close(ln_gamma(0.1), 9.513_507_698_668_732f64.ln(), 1e-12);
    }

    #[test]
    fn hyp2f1_matches_closed_forms() {
        // 2F1(1,1;2;z) = −ln(1−z)/z ; at z = 0.5: 2 ln 2 = 1.3862943611198906
        close(hyp2f1(1.0, 1.0, 2.0, 0.5).unwrap(), 2.0 * 2f64.ln(), 1e-13);
        // 2F1(a,b;b;z) = (1−z)^−a ; a = 2.5, z = 0.9 → 0.1^−2.5 = 316.227766...
        close(hyp2f1(2.5, 3.0, 3.0, 0.9).unwrap(), 0.1f64.powf(-2.5), 1e-9);
        assert!(hyp2f1(1.0, 1.0, 2.0, 1.0).is_none());
    }

    #[test]
    fn normal_cdf_known_points() {
        close(normal_cdf(0.0), 0.5, 1e-7);
        close(normal_cdf(Z80), 0.9, 1e-7);
        close(normal_cdf(-1.959_963_984_540_054), 0.025, 1e-7);
    }
}

/// `E[g(p)]` for `p ~ Beta(a, b)`, by tanh-sinh (double-exponential)
/// quadrature on `(0, 1)`. Robust to the integrable endpoint singularities of
/// the Beta density when `a < 1` or `b < 1`; `g` must be bounded on `(0, 1)`.
pub fn beta_expectation(a: f64, b: f64, g: impl Fn(f64) -> f64) -> f64 {
    if a > 50.0 && b > 50.0 {
        return concentrated_beta_expectation(a, b, g);
    }
    // p = 1 / (1 + e^{−s}), s = π·sinh(t); dp/dt = π·cosh(t)·p·(1−p).
    const H: f64 = 1.0 / 32.0;
    const T_MAX: f64 = 4.5;
    let ln_norm = ln_beta(a, b);
    let mut sum = 0.0;
    let steps = (T_MAX / H) as i64;
    for k in -steps..=steps {
        let t = k as f64 * H;
        let s = PI * t.sinh();
        // ln p and ln(1−p) without cancellation.
        let ln_p = -softplus(-s);
        let ln_q = -softplus(s);
        let p = ln_p.exp();
        if p <= 0.0 || p >= 1.0 {
            continue;
        }
        // Beta density × Jacobian, in logs: p^{a−1}(1−p)^{b−1} · p(1−p) · π cosh t / B.
        let ln_w = a * ln_p + b * ln_q - ln_norm + (PI * t.cosh()).ln();
        sum += H * ln_w.exp() * g(p);
    }
    sum
}

/// For a concentrated Beta (both shapes large, so no endpoint singularity
/// and a narrow peak tanh-sinh nodes would straddle): composite Simpson over
/// mean ± 12 s.d.
fn concentrated_beta_expectation(a: f64, b: f64, g: impl Fn(f64) -> f64) -> f64 {
    const INTERVALS: usize = 600;
    let mean = a / (a + b);
    let sd = (a * b / ((a + b).powi(2) * (a + b + 1.0))).sqrt();
    let lo = (mean - 12.0 * sd).max(1e-12);
    let hi = (mean + 12.0 * sd).min(1.0 - 1e-12);
    let h = (hi - lo) / INTERVALS as f64;
    let ln_norm = ln_beta(a, b);
    let f = |p: f64| ((a - 1.0) * p.ln() + (b - 1.0) * (1.0 - p).ln() - ln_norm).exp() * g(p);
    let inner: f64 = (1..INTERVALS)
        .map(|i| if i % 2 == 1 { 4.0 } else { 2.0 } * f(lo + i as f64 * h))
        .sum();
    (f(lo) + inner + f(hi)) * h / 3.0
}

/// `ln(1 + eˣ)` without overflow.
fn softplus(x: f64) -> f64 {
    if x > 30.0 {
        x + (-x).exp().ln_1p()
    } else {
        x.exp().ln_1p()
    }
}

#[cfg(test)]
mod beta_tests {
    use super::*;

    #[test]
    fn beta_moments() {
        // E[1] = 1, E[p] = a/(a+b), E[p²] = a(a+1)/((a+b)(a+b+1)) — also for a, b < 1.
        for &(a, b) in &[
            (0.793, 2.426),
            (0.3, 0.5),
            (6.0, 9.0),
            (1.0, 1.0),
            (250.0, 750.0),
            (4e3, 6e3),
        ] {
            let one = beta_expectation(a, b, |_| 1.0);
            let mean = beta_expectation(a, b, |p| p);
            let sq = beta_expectation(a, b, |p| p * p);
            assert!((one - 1.0).abs() < 1e-6, "{a} {b} {one}");
            assert!((mean - a / (a + b)).abs() < 1e-6, "{a} {b} {mean}");
            let want = a * (a + 1.0) / ((a + b) * (a + b + 1.0));
            assert!((sq - want).abs() < 1e-6, "{a} {b} {sq}");
        }
    }
}
