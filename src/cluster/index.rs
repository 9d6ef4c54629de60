//! Candidate shortlist over live items, so assigning one item among 100,000 stays in milliseconds.
//!
//! Each centred embedding is reduced to its sign bits (384 bits = six u64). Hamming distance
//! between sign vectors tracks the angle between the vectors, so the nearest signatures hold the
//! nearest items; exact scoring then runs only on them. Items that share a rare word are added,
//! which also serves items without an embedding.

use std::collections::HashMap;

/// Words seen in more items than this are too common to shortlist by.
const RARE_WORD_MAX_DF: u32 = 64;
/// At most this many candidates come from word postings.
const MAX_WORD_CANDIDATES: usize = 256;

#[derive(Debug, Clone, Default)]
pub struct Index {
    words_per_sig: usize,
    sigs: Vec<u64>,
    has_sig: Vec<bool>,
    removed: Vec<bool>,
    postings: HashMap<u32, Vec<usize>>,
}

fn signature(v: &[f32], out: &mut Vec<u64>) {
    for chunk in v.chunks(64) {
        let mut w = 0u64;
        for (b, x) in chunk.iter().enumerate() {
            if *x > 0.0 {
                w |= 1 << b;
            }
        }
        out.push(w);
    }
}

impl Index {
    pub fn add(&mut self, emb: Option<&[f32]>, words: &[u32]) {
        let idx = self.has_sig.len();
        match emb {
            Some(v) if self.words_per_sig == 0 || v.len().div_ceil(64) == self.words_per_sig => {
                self.words_per_sig = v.len().div_ceil(64);
                signature(v, &mut self.sigs);
                self.has_sig.push(true);
            }
            _ => {
                self.sigs.extend(std::iter::repeat_n(0, self.words_per_sig));
                self.has_sig.push(false);
            }
        }
        self.removed.push(false);
        for &w in words {
            self.postings.entry(w).or_default().push(idx);
        }
    }

    pub fn remove(&mut self, idx: usize) {
        if let Some(r) = self.removed.get_mut(idx) {
            *r = true;
        }
    }

    /// Items worth scoring exactly for a query, ascending. All items when there are at most `k`.
    pub fn shortlist(
        &self,
        emb: Option<&[f32]>,
        words: &[u32],
        k: usize,
        df: &[u32],
    ) -> Vec<usize> {
        let n = self.has_sig.len();
        if n <= k {
            return (0..n).filter(|&i| !self.removed[i]).collect();
        }
        let mut picked = vec![false; n];
        if let Some(v) = emb.filter(|v| v.len().div_ceil(64) == self.words_per_sig) {
            let mut q = Vec::with_capacity(self.words_per_sig);
            signature(v, &mut q);
            let wps = self.words_per_sig;
            let mut dist = vec![u16::MAX; n];
            let mut histogram = vec![0usize; wps * 64 + 1];
            for (i, sig) in self.sigs.chunks_exact(wps).enumerate() {
                if self.has_sig[i] && !self.removed[i] {
                    let d: u32 = sig.iter().zip(&q).map(|(a, b)| (a ^ b).count_ones()).sum();
                    dist[i] = d as u16;
                    histogram[d as usize] += 1;
                }
            }
            // Smallest distance bound that admits k items; ties at the bound go by index.
            let (mut bound, mut total) = (0usize, 0usize);
            while bound < histogram.len() && total + histogram[bound] < k {
                total += histogram[bound];
                bound += 1;
            }
            let mut at_bound = k - total;
            for (i, &d) in dist.iter().enumerate() {
                if (d as usize) < bound {
                    picked[i] = true;
                } else if d as usize == bound && at_bound > 0 {
                    picked[i] = true;
                    at_bound -= 1;
                }
            }
        }
        let mut rare: Vec<u32> = words
            .iter()
            .copied()
            .filter(|&w| {
                df.get(w as usize)
                    .is_some_and(|&d| d > 0 && d <= RARE_WORD_MAX_DF)
            })
            .collect();
        rare.sort_by_key(|&w| (df[w as usize], w));
        let mut added = 0;
        'words: for w in rare {
            for &i in self.postings.get(&w).map_or(&[][..], Vec::as_slice) {
                if added >= MAX_WORD_CANDIDATES {
                    break 'words;
                }
                if !picked[i] && !self.removed[i] {
                    picked[i] = true;
                    added += 1;
                }
            }
        }
        (0..n).filter(|&i| picked[i]).collect()
    }
}
