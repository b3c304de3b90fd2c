//! Arithmetic over stored rollup rows, shared by the API and the reports so
//! that a report's numbers are the dashboard's: sums, breakdown totals, ratios.

use std::collections::BTreeMap;

use crate::ports::RollupRow;
use crate::rollup::{Dimension, Metric};

/// Sum of every base counter over `rows`.
pub fn sum_all(rows: &[RollupRow]) -> BTreeMap<Metric, i64> {
    let mut out = BTreeMap::new();
    for row in rows {
        for (m, v) in &row.base {
            *out.entry(*m).or_insert(0) += v;
        }
    }
    out
}

/// Per breakdown value of `dim`: the sum of each metric over `rows`.
pub fn breakdown(rows: &[RollupRow], dim: Dimension) -> BTreeMap<String, BTreeMap<Metric, i64>> {
    let mut out: BTreeMap<String, BTreeMap<Metric, i64>> = BTreeMap::new();
    for row in rows {
        for (m, d, key, v) in &row.breakdowns {
            if *d == dim {
                *out.entry(key.clone()).or_default().entry(*m).or_insert(0) += v;
            }
        }
    }
    out
}

/// `num / den`, `None` when the denominator is zero.
#[allow(clippy::cast_precision_loss)]
pub fn ratio(num: i64, den: i64) -> Option<f64> {
    (den != 0).then(|| num as f64 / den as f64)
}

/// Integer division rounded half away from zero; 0 for a zero denominator.
pub fn div_round(num: i64, den: i64) -> i64 {
    if den == 0 {
        return 0;
    }
    let (q, r) = (num / den, num % den);
    if 2 * r.abs() >= den.abs() {
        q + num.signum() * den.signum()
    } else {
        q
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounding_is_half_away_from_zero() {
        assert_eq!(div_round(10, 4), 3);
        assert_eq!(div_round(9, 4), 2);
        assert_eq!(div_round(-10, 4), -3);
        assert_eq!(div_round(7, 0), 0);
        assert_eq!(ratio(1, 0), None);
        assert_eq!(ratio(1, 4), Some(0.25));
    }
}
