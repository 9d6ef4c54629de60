//! A learned linear map of the e5 vectors, applied before language centring and the cosine.
//!
//! e5 spends most of its 384 dimensions on what a headline is about (Iran, nuclear talks), which
//! every item of a dense stream shares; what tells one happening from the next sits in a few
//! directions. A projection learnt from labelled same-happening and different-happening pairs
//! (`eval::stories::projection`) shrinks the directions along which reports of one happening
//! differ and keeps those along which neighbouring happenings differ. Being linear, projecting
//! the raw vectors and the language means equals projecting the centred vectors.

use serde::{Deserialize, Serialize};

/// `out = matrix · input`, row-major `rows × cols`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Projection {
    pub rows: usize,
    pub cols: usize,
    pub matrix: Vec<f32>,
}

impl Projection {
    /// The map for a vector of `cols` dimensions; a vector of another length is returned as is
    /// (an embedder of another size, whose vectors the projection was not learnt for).
    pub fn apply(&self, v: &[f32]) -> Vec<f32> {
        if v.len() != self.cols || self.matrix.len() != self.rows * self.cols {
            return v.to_vec();
        }
        self.matrix
            .chunks_exact(self.cols)
            .map(|row| row.iter().zip(v).map(|(a, b)| a * b).sum())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn applies_row_major_and_passes_other_sizes_through() {
        let p = Projection {
            rows: 2,
            cols: 3,
            matrix: vec![1.0, 0.0, 0.0, 0.0, 2.0, 1.0],
        };
        assert_eq!(p.apply(&[1.0, 2.0, 3.0]), vec![1.0, 7.0]);
        assert_eq!(p.apply(&[1.0, 2.0]), vec![1.0, 2.0]);
    }
}
