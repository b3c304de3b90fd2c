//! Tiny dense linear algebra for the Laplace approximation (4×4 matrices).

/// Inverse of a symmetric positive-definite matrix by Gauss–Jordan
/// elimination with partial pivoting; `None` if (numerically) singular.
pub fn invert(m: &[Vec<f64>]) -> Option<Vec<Vec<f64>>> {
    let n = m.len();
    let mut a: Vec<Vec<f64>> = m
        .iter()
        .enumerate()
        .map(|(i, row)| {
            let mut r = row.clone();
            r.extend((0..n).map(|j| if i == j { 1.0 } else { 0.0 }));
            r
        })
        .collect();
    for col in 0..n {
        let pivot = (col..n).max_by(|&x, &y| a[x][col].abs().total_cmp(&a[y][col].abs()))?;
        if a[pivot][col].abs() < 1e-12 {
            return None;
        }
        a.swap(col, pivot);
        let p = a[col][col];
        for v in &mut a[col] {
            *v /= p;
        }
        for row in 0..n {
            if row != col {
                let factor = a[row][col];
                if factor != 0.0 {
                    let pivot_row = a[col].clone();
                    for (v, pv) in a[row].iter_mut().zip(pivot_row) {
                        *v -= factor * pv;
                    }
                }
            }
        }
    }
    Some(a.into_iter().map(|r| r[n..].to_vec()).collect())
}

/// `gᵀ M g`.
pub fn quad_form(m: &[Vec<f64>], g: &[f64]) -> f64 {
    m.iter()
        .zip(g)
        .map(|(row, gi)| gi * row.iter().zip(g).map(|(a, b)| a * b).sum::<f64>())
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inverts_2x2() {
        // [[4,2],[2,3]]⁻¹ = 1/8 · [[3,−2],[−2,4]]
        let inv = invert(&[vec![4.0, 2.0], vec![2.0, 3.0]]).unwrap();
        let want = [[0.375, -0.25], [-0.25, 0.5]];
        for i in 0..2 {
            for j in 0..2 {
                assert!((inv[i][j] - want[i][j]).abs() < 1e-12);
            }
        }
        // gᵀMg with g = (1, 1): 4 + 2 + 2 + 3 = 11
        assert!((quad_form(&[vec![4.0, 2.0], vec![2.0, 3.0]], &[1.0, 1.0]) - 11.0).abs() < 1e-12);
        assert!(invert(&[vec![1.0, 2.0], vec![2.0, 4.0]]).is_none());
    }
}
