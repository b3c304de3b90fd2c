//! Nelder–Mead downhill simplex minimiser (Nelder & Mead 1965, standard
//! coefficients: reflection 1, expansion 2, contraction ½, shrink ½).
//!
//! Used for the maximum-likelihood fits (BG/NBD, Gamma-Gamma, sales curve),
//! always on log-transformed parameters so positivity needs no constraints.
//! Non-finite objective values are treated as `+∞`, which makes the simplex
//! back away from invalid regions.

/// Settings for [`minimize`].
#[derive(Debug, Clone, Copy)]
pub struct Options {
    /// Edge length of the initial simplex along each axis.
    pub initial_step: f64,
    /// Stop when `max f − min f` over the simplex is below this.
    pub f_tol: f64,
    /// ... and every vertex is within this distance (per coordinate) of the best.
    pub x_tol: f64,
    /// Hard cap on objective evaluations.
    pub max_evals: usize,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            initial_step: 0.5,
            f_tol: 1e-9,
            x_tol: 1e-7,
            max_evals: 4_000,
        }
    }
}

/// Result of [`minimize`].
#[derive(Debug, Clone)]
pub struct Minimum {
    pub x: Vec<f64>,
    pub value: f64,
    pub evals: usize,
    pub converged: bool,
}

/// Minimise `f` starting from `x0`.
pub fn minimize<F: FnMut(&[f64]) -> f64>(mut f: F, x0: &[f64], opts: Options) -> Minimum {
    let n = x0.len();
    let evals = std::cell::Cell::new(0usize);
    let mut eval = |x: &[f64]| {
        evals.set(evals.get() + 1);
        let v = f(x);
        if v.is_finite() { v } else { f64::INFINITY }
    };
    let mut simplex: Vec<Vec<f64>> = Vec::with_capacity(n + 1);
    simplex.push(x0.to_vec());
    for i in 0..n {
        let mut v = x0.to_vec();
        v[i] += opts.initial_step;
        simplex.push(v);
    }
    let mut values: Vec<f64> = simplex.iter().map(|x| eval(x)).collect();
    let mut converged = false;

    loop {
        // Order vertices best → worst.
        let mut order: Vec<usize> = (0..=n).collect();
        order.sort_by(|&a, &b| values[a].total_cmp(&values[b]));
        simplex = order.iter().map(|&i| simplex[i].clone()).collect();
        values = order.iter().map(|&i| values[i]).collect();

        let spread = values[n] - values[0];
        let size = simplex[1..]
            .iter()
            .flat_map(|v| v.iter().zip(&simplex[0]).map(|(a, b)| (a - b).abs()))
            .fold(0.0, f64::max);
        if spread.abs() <= opts.f_tol && size <= opts.x_tol {
            converged = true;
            break;
        }
        if evals.get() >= opts.max_evals {
            break;
        }

        let centroid: Vec<f64> = (0..n)
            .map(|j| simplex[..n].iter().map(|v| v[j]).sum::<f64>() / n as f64)
            .collect();
        let along = |t: f64| -> Vec<f64> {
            centroid
                .iter()
                .zip(&simplex[n])
                .map(|(c, w)| c + t * (c - w))
                .collect()
        };

        let reflected = along(1.0);
        let fr = eval(&reflected);
        if fr < values[0] {
            let expanded = along(2.0);
            let fe = eval(&expanded);
            if fe < fr {
                simplex[n] = expanded;
                values[n] = fe;
            } else {
                simplex[n] = reflected;
                values[n] = fr;
            }
            continue;
        }
        if fr < values[n - 1] {
            simplex[n] = reflected;
            values[n] = fr;
            continue;
        }
        let (contracted, fc) = if fr < values[n] {
            let c = along(0.5);
            let v = eval(&c);
            (c, v)
        } else {
            let c = along(-0.5);
            let v = eval(&c);
            (c, v)
        };
        if fc < values[n].min(fr) {
            simplex[n] = contracted;
            values[n] = fc;
            continue;
        }
        // Shrink towards the best vertex.
        let best = simplex[0].clone();
        for i in 1..=n {
            simplex[i] = best
                .iter()
                .zip(&simplex[i])
                .map(|(b, v)| b + 0.5 * (v - b))
                .collect();
            values[i] = eval(&simplex[i]);
        }
    }
    Minimum {
        x: simplex[0].clone(),
        value: values[0],
        evals: evals.get(),
        converged,
    }
}

/// Minimise with one restart from the first optimum (a standard guard
/// against the simplex collapsing prematurely).
pub fn minimize_with_restart<F: FnMut(&[f64]) -> f64>(
    mut f: F,
    x0: &[f64],
    opts: Options,
) -> Minimum {
    let first = minimize(&mut f, x0, opts);
    let second = minimize(
        &mut f,
        &first.x,
        Options {
            initial_step: opts.initial_step * 0.5,
            ..opts
        },
    );
    let evals = first.evals + second.evals;
    if second.value <= first.value {
        Minimum { evals, ..second }
    } else {
        Minimum { evals, ..first }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_rosenbrock_minimum() {
        // Rosenbrock: minimum 0 at (1, 1).
        let m = minimize_with_restart(
            |x| (1.0 - x[0]).powi(2) + 100.0 * (x[1] - x[0] * x[0]).powi(2),
            &[-1.2, 1.0],
            Options {
                max_evals: 10_000,
                ..Options::default()
            },
        );
        assert!(m.value < 1e-10, "{m:?}");
        assert!(
            (m.x[0] - 1.0).abs() < 1e-4 && (m.x[1] - 1.0).abs() < 1e-4,
            "{m:?}"
        );
    }

    #[test]
    fn avoids_non_finite_region() {
        // ln is undefined for x ≤ 0: the minimiser must stay in x > 0.
        // f(x) = x − ln x has its minimum 1 at x = 1.
        let m = minimize(|x| x[0] - x[0].ln(), &[3.0], Options::default());
        assert!((m.x[0] - 1.0).abs() < 1e-4, "{m:?}");
    }
}
