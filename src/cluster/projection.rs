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

impl Projection {
    /// Little-endian f32, row-major, `cols` per row (the format of the shipped file).
    pub fn from_le_bytes(bytes: &[u8], cols: usize) -> Option<Projection> {
        if cols == 0 || !bytes.len().is_multiple_of(4 * cols) {
            return None;
        }
        let matrix: Vec<f32> = bytes
            .chunks_exact(4)
            .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .collect();
        Some(Projection {
            rows: matrix.len() / cols,
            cols,
            matrix,
        })
    }

    pub fn to_le_bytes(&self) -> Vec<u8> {
        self.matrix.iter().flat_map(|x| x.to_le_bytes()).collect()
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

    #[test]
    fn bytes_round_trip_and_bad_lengths_are_refused() {
        let p = Projection {
            rows: 2,
            cols: 3,
            matrix: vec![1.0, -0.5, 0.25, 3.0, 2.0, 1.0],
        };
        assert_eq!(Projection::from_le_bytes(&p.to_le_bytes(), 3), Some(p));
        assert_eq!(Projection::from_le_bytes(&[0; 10], 3), None);
    }

    #[test]
    fn the_grouper_compares_projected_vectors() {
        use crate::cluster::{Grouper, GroupingConfig, ItemFeatures};
        use crate::model::Lang;
        // Two reports that differ only along axis 1; a projection that drops axis 1 makes
        // them the same, and the grouper's cosine must see that.
        let v = |sign: f32| {
            let mut v = vec![0.0f32; 384];
            (v[0], v[1], v[2]) = (1.0, 0.9 * sign, 0.1);
            let n = v.iter().map(|x| x * x).sum::<f32>().sqrt();
            v.iter().map(|x| x / n).collect::<Vec<f32>>()
        };
        let item = |id: i64, sign: f32| ItemFeatures {
            item_id: id,
            lang: Lang::En,
            published: None,
            source: String::new(),
            title: format!("report {id}"),
            text: String::new(),
            embedding: Some(v(sign)),
        };
        let mut matrix = vec![0.0f32; 2 * 384];
        (matrix[0], matrix[384 + 2]) = (1.0, 1.0);
        let cosine = |projection: Option<Projection>| {
            let mut g = Grouper::new(GroupingConfig {
                centring: false,
                projection,
                ..GroupingConfig::untuned()
            });
            g.restore(item(1, 1.0), 1);
            g.restore(item(2, -1.0), 2);
            g.pair_evidence(1, 2)
                .and_then(|e| e.cosine)
                .unwrap_or(f32::NAN)
        };
        assert!(cosine(None) < 0.2, "{}", cosine(None));
        let p = Projection {
            rows: 2,
            cols: 384,
            matrix,
        };
        assert!(cosine(Some(p)) > 0.99);
    }
}
