//! Summary statistics shared by the evaluations and benchmarks.

/// The `q` quantile (0 ≤ q ≤ 1) of `values` by nearest rank: the sorted value at
/// `round((n − 1) · q)`. NaN when there are no values.
pub fn quantile<T: Copy + PartialOrd + Into<f64>>(values: &[T], q: f64) -> f64 {
    if values.is_empty() {
        return f64::NAN;
    }
    let mut sorted: Vec<f64> = values.iter().map(|&v| v.into()).collect();
    sorted.sort_by(f64::total_cmp);
    let i = ((sorted.len() - 1) as f64 * q.clamp(0.0, 1.0)).round() as usize;
    sorted[i]
}

/// The median by nearest rank (see [`quantile`]).
pub fn median<T: Copy + PartialOrd + Into<f64>>(values: &[T]) -> f64 {
    quantile(values, 0.5)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_quantiles() {
        let v = [5.0, 1.0, 4.0, 2.0, 3.0];
        assert_eq!(median(&v), 3.0);
        assert_eq!(quantile(&v, 0.0), 1.0);
        assert_eq!(quantile(&v, 1.0), 5.0);
        assert_eq!(quantile(&v, 0.9), 5.0);
        assert_eq!(quantile(&[1.5f32, 0.5], 0.5), 1.5);
        assert!(median::<f64>(&[]).is_nan());
    }
}
