//! The BERT encoder of multilingual-e5-small: embeddings + LayerNorm, 12 × (self-attention,
//! FFN with exact GELU), mean pooling over all tokens, L2 normalisation.
//!
//! Texts of one batch are concatenated into one token matrix so every weight panel is read
//! once per batch; attention runs per text.

use super::format::{DType, Parsed, Q4_BLOCK_BYTES, QK, Tensor, dequantize_q4};
use super::kernels::{Isa, QActs, QMatrix, matmul};

/// Width of one attention head (384 / 12); the attention code is specialised for it.
const HEAD_DIM: usize = 32;

struct Layer {
    /// Q, K and V stacked: they share one quantised input.
    qkv: QMatrix,
    attn_out: QMatrix,
    ffn_in: QMatrix,
    ffn_out: QMatrix,
    attn_ln: (Vec<f32>, Vec<f32>),
    out_ln: (Vec<f32>, Vec<f32>),
}

pub struct Encoder {
    pub hidden: usize,
    heads: usize,
    ffn: usize,
    eps: f32,
    pub max_pos: usize,
    /// offset and row count of the Q4_0 token-embedding table inside the model image
    word: Tensor,
    pos: Vec<f32>,
    type0: Vec<f32>,
    emb_ln: (Vec<f32>, Vec<f32>),
    layers: Vec<Layer>,
    pub isa: Isa,
}

/// Per-thread buffers, reused across batches.
#[derive(Default)]
pub struct Scratch {
    x: Vec<f32>,
    qkv: Vec<f32>,
    ctx: Vec<f32>,
    tmp: Vec<f32>,
    mid: Vec<f32>,
    acts: QActs,
    probs: Vec<f32>,
}

fn tensor(p: &Parsed, name: &str, dtype: DType, len: usize) -> Result<Tensor, String> {
    let t = *p
        .tensors
        .get(name)
        .ok_or_else(|| format!("missing tensor {name}"))?;
    let ok = matches!(
        (t.dtype, dtype),
        (DType::F32, DType::F32) | (DType::Q4, DType::Q4)
    );
    if !ok || t.len != len {
        return Err(format!("tensor {name}: {} elements, expected {len}", t.len));
    }
    Ok(t)
}

fn f32s(data: &[u8], p: &Parsed, name: &str, len: usize) -> Result<Vec<f32>, String> {
    let t = tensor(p, name, DType::F32, len)?;
    Ok(data[t.offset..t.offset + t.bytes]
        .chunks_exact(4)
        .map(|b| f32::from_le_bytes(b.try_into().expect("4 bytes")))
        .collect())
}

fn q4<'a>(data: &'a [u8], p: &Parsed, name: &str, len: usize) -> Result<&'a [u8], String> {
    let t = tensor(p, name, DType::Q4, len)?;
    Ok(&data[t.offset..t.offset + t.bytes])
}

impl Encoder {
    pub fn new(data: &[u8], p: &Parsed) -> Result<Encoder, String> {
        let h = &p.header;
        let (hd, ff) = (h.hidden, h.ffn);
        if hd / h.heads != HEAD_DIM {
            return Err(format!(
                "unsupported head width {} (expected {HEAD_DIM})",
                hd / h.heads
            ));
        }
        let word = tensor(p, "emb.word", DType::Q4, h.emb_rows * hd)?;
        let mut layers = Vec::with_capacity(h.layers);
        for l in 0..h.layers {
            let f = |s: &str, n: usize| f32s(data, p, &format!("l{l}.{s}"), n);
            let w = |s: &str, n: usize| q4(data, p, &format!("l{l}.{s}"), n);
            let (qb, kb, vb) = (f("q.b", hd)?, f("k.b", hd)?, f("v.b", hd)?);
            let (aob, fib, fob) = (f("ao.b", hd)?, f("fi.b", ff)?, f("fo.b", hd)?);
            layers.push(Layer {
                qkv: QMatrix::from_q4(
                    &[
                        (w("q.w", hd * hd)?, &qb),
                        (w("k.w", hd * hd)?, &kb),
                        (w("v.w", hd * hd)?, &vb),
                    ],
                    hd,
                ),
                attn_out: QMatrix::from_q4(&[(w("ao.w", hd * hd)?, &aob)], hd),
                ffn_in: QMatrix::from_q4(&[(w("fi.w", ff * hd)?, &fib)], hd),
                ffn_out: QMatrix::from_q4(&[(w("fo.w", hd * ff)?, &fob)], ff),
                attn_ln: (f("aln.w", hd)?, f("aln.b", hd)?),
                out_ln: (f("oln.w", hd)?, f("oln.b", hd)?),
            });
        }
        Ok(Encoder {
            hidden: hd,
            heads: h.heads,
            ffn: ff,
            eps: h.eps,
            max_pos: h.max_pos,
            word,
            pos: f32s(data, p, "emb.pos", h.max_pos * hd)?,
            type0: f32s(data, p, "emb.type", 2 * hd)?[..hd].to_vec(),
            emb_ln: (
                f32s(data, p, "emb.ln.w", hd)?,
                f32s(data, p, "emb.ln.b", hd)?,
            ),
            layers,
            isa: Isa::detect(),
        })
    }

    /// Mean-pooled, L2-normalised embeddings of token sequences (each ≤ max_pos tokens).
    pub fn forward(&self, data: &[u8], seqs: &[Vec<u32>], s: &mut Scratch) -> Vec<Vec<f32>> {
        #[cfg(target_arch = "x86_64")]
        if self.isa != Isa::Portable {
            // SAFETY: any non-portable Isa was detected with AVX2 and FMA present.
            return unsafe { self.forward_avx2(data, seqs, s) };
        }
        self.forward_impl(data, seqs, s)
    }

    /// The element-wise parts (LayerNorm, GELU, attention, quantisation) compiled for AVX2.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2,fma")]
    unsafe fn forward_avx2(
        &self,
        data: &[u8],
        seqs: &[Vec<u32>],
        s: &mut Scratch,
    ) -> Vec<Vec<f32>> {
        self.forward_impl(data, seqs, s)
    }

    #[inline(always)]
    fn forward_impl(&self, data: &[u8], seqs: &[Vec<u32>], s: &mut Scratch) -> Vec<Vec<f32>> {
        let hd = self.hidden;
        let t: usize = seqs.iter().map(Vec::len).sum();
        s.x.resize(t * hd, 0.0);
        s.qkv.resize(t * 3 * hd, 0.0);
        s.ctx.resize(t * hd, 0.0);
        s.tmp.resize(t * hd, 0.0);
        s.mid.resize(t * self.ffn, 0.0);

        // embeddings: only the rows this batch uses are dequantised
        let row_bytes = hd / QK * Q4_BLOCK_BYTES;
        let table = &data[self.word.offset..self.word.offset + self.word.bytes];
        let mut r = 0;
        for seq in seqs {
            for (p, &id) in seq.iter().enumerate() {
                let x = &mut s.x[r * hd..(r + 1) * hd];
                dequantize_q4(
                    &table[id as usize * row_bytes..(id as usize + 1) * row_bytes],
                    x,
                );
                let pos = &self.pos[p * hd..(p + 1) * hd];
                for ((v, a), b) in x.iter_mut().zip(pos).zip(&self.type0) {
                    *v += a + b;
                }
                r += 1;
            }
        }
        layer_norm(&mut s.x, None, &self.emb_ln, hd, self.eps);

        for l in &self.layers {
            s.acts.quantize(&s.x, hd);
            matmul(self.isa, &s.acts, &l.qkv, &mut s.qkv);
            self.attention(seqs, s);
            s.acts.quantize(&s.ctx, hd);
            matmul(self.isa, &s.acts, &l.attn_out, &mut s.tmp);
            layer_norm(&mut s.x, Some(&s.tmp), &l.attn_ln, hd, self.eps);

            s.acts.quantize(&s.x, hd);
            matmul(self.isa, &s.acts, &l.ffn_in, &mut s.mid);
            s.mid.iter_mut().for_each(|v| *v = gelu(*v));
            s.acts.quantize(&s.mid, self.ffn);
            matmul(self.isa, &s.acts, &l.ffn_out, &mut s.tmp);
            layer_norm(&mut s.x, Some(&s.tmp), &l.out_ln, hd, self.eps);
        }

        let mut out = Vec::with_capacity(seqs.len());
        let mut start = 0;
        for seq in seqs {
            let mut e = vec![0f32; hd];
            for row in s.x[start * hd..(start + seq.len()) * hd].chunks_exact(hd) {
                e.iter_mut().zip(row).for_each(|(a, b)| *a += b);
            }
            let norm = e.iter().map(|v| v * v).sum::<f32>().sqrt().max(1e-12);
            e.iter_mut().for_each(|v| *v /= norm);
            out.push(e);
            start += seq.len();
        }
        out
    }

    /// Scaled dot-product attention within each text; writes `s.ctx` from `s.qkv`.
    #[inline(always)]
    fn attention(&self, seqs: &[Vec<u32>], s: &mut Scratch) {
        let hd = self.hidden;
        let dh = hd / self.heads;
        let scale = 1.0 / (dh as f32).sqrt();
        let mut start = 0;
        for seq in seqs {
            let n = seq.len();
            s.probs.resize(n, 0.0);
            let qkv = &s.qkv[start * 3 * hd..(start + n) * 3 * hd];
            for h in 0..self.heads {
                for i in 0..n {
                    let q = head(qkv, i * 3 * hd + h * dh);
                    let probs = &mut s.probs[..n];
                    for (j, p) in probs.iter_mut().enumerate() {
                        let k = head(qkv, j * 3 * hd + hd + h * dh);
                        *p = dot32(q, k) * scale;
                    }
                    let max = probs.iter().fold(f32::NEG_INFINITY, |m, &v| m.max(v));
                    probs.iter_mut().for_each(|p| *p = exp(*p - max));
                    let inv = 1.0 / sum8(probs, |p| p);
                    // the accumulator stays in registers across the keys
                    let mut acc = [0f32; HEAD_DIM];
                    for (j, &pr) in probs.iter().enumerate() {
                        let p = pr * inv;
                        let v = head(qkv, j * 3 * hd + 2 * hd + h * dh);
                        acc.iter_mut().zip(v).for_each(|(a, b)| *a += p * b);
                    }
                    s.ctx[(start + i) * hd + h * dh..][..dh].copy_from_slice(&acc);
                }
            }
            start += n;
        }
    }
}

/// One head's slice of a row, as a fixed-width array (lets the compiler keep it in registers).
#[inline(always)]
fn head(row: &[f32], at: usize) -> &[f32; HEAD_DIM] {
    row[at..at + HEAD_DIM].try_into().expect("head width")
}

/// Dot product of two head vectors with 8 independent lanes (one AVX register).
#[inline(always)]
fn dot32(a: &[f32; HEAD_DIM], b: &[f32; HEAD_DIM]) -> f32 {
    let mut lanes = [0f32; 8];
    for (ca, cb) in a.chunks_exact(8).zip(b.chunks_exact(8)) {
        for ((l, x), y) in lanes.iter_mut().zip(ca).zip(cb) {
            *l += x * y;
        }
    }
    ((lanes[0] + lanes[4]) + (lanes[1] + lanes[5]))
        + ((lanes[2] + lanes[6]) + (lanes[3] + lanes[7]))
}

/// Σ f(v) with 8 independent lanes, so it vectorises (a plain f32 sum is a serial chain).
#[inline(always)]
fn sum8(v: &[f32], f: impl Fn(f32) -> f32) -> f32 {
    let mut lanes = [0f32; 8];
    let chunks = v.chunks_exact(8);
    let tail: f32 = chunks.remainder().iter().map(|&x| f(x)).sum();
    for c in chunks {
        for (l, &x) in lanes.iter_mut().zip(c) {
            *l += f(x);
        }
    }
    lanes.iter().sum::<f32>() + tail
}

/// x = LayerNorm(x + y) row by row (y absent: LayerNorm(x)).
#[inline(always)]
fn layer_norm(
    x: &mut [f32],
    y: Option<&[f32]>,
    (w, b): &(Vec<f32>, Vec<f32>),
    hd: usize,
    eps: f32,
) {
    for (ri, row) in x.chunks_exact_mut(hd).enumerate() {
        if let Some(y) = y {
            row.iter_mut()
                .zip(&y[ri * hd..(ri + 1) * hd])
                .for_each(|(a, b)| *a += b);
        }
        let mean = sum8(row, |v| v) / hd as f32;
        let var = sum8(row, |v| (v - mean) * (v - mean)) / hd as f32;
        let inv = 1.0 / (var + eps).sqrt();
        for ((v, g), bb) in row.iter_mut().zip(w).zip(b) {
            *v = (*v - mean) * inv * g + bb;
        }
    }
}

/// Exact (erf) GELU, as BERT uses.
#[inline(always)]
fn gelu(x: f32) -> f32 {
    0.5 * x * (1.0 + erf(x * std::f32::consts::FRAC_1_SQRT_2))
}

/// erf with |error| < 2e-7 (Abramowitz & Stegun 7.1.26), far below the int8 rounding.
/// Branch-free and libm-free so the GELU loop vectorises.
#[inline(always)]
fn erf(x: f32) -> f32 {
    let a = x.abs();
    let t = 1.0 / (1.0 + 0.327_591_1 * a);
    let poly = t
        * (0.254_829_6
            + t * (-0.284_496_74 + t * (1.421_413_7 + t * (-1.453_152_1 + t * 1.061_405_4))));
    let r = 1.0 - poly * exp(-a * a);
    r.copysign(x)
}

/// e^x to ~2 ulp for x in [-87, 88] (clamped outside): x = n·ln2 + r, |r| ≤ ln2/2,
/// e^r by a degree-6 Taylor polynomial, 2^n through the exponent bits. Vectorisable.
#[inline(always)]
fn exp(x: f32) -> f32 {
    const ROUND: f32 = 12_582_912.0;
    let x = x.clamp(-87.0, 88.0);
    let t = x * std::f32::consts::LOG2_E + ROUND;
    let n = t - ROUND;
    // n as an integer straight from t's mantissa bits: no float→int cast, which would not vectorise
    let ni = t.to_bits().wrapping_sub(ROUND.to_bits());
    let r = x - n * 0.693_145_75 - n * 1.428_606_8e-6;
    let p = 1.0
        + r * (1.0
            + r * (0.5
                + r * (1.0 / 6.0 + r * (1.0 / 24.0 + r * (1.0 / 120.0 + r * (1.0 / 720.0))))));
    p * f32::from_bits(ni.wrapping_add(127) << 23)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exp_is_accurate() {
        for i in -800..=800 {
            let x = i as f32 * 0.1;
            let (got, want) = (exp(x), x.exp());
            assert!(
                (got - want).abs() <= 4e-7 * want,
                "exp({x}) = {got}, want {want}"
            );
        }
    }

    #[test]
    fn erf_is_accurate() {
        for (x, want) in [
            (0.0f32, 0.0f32),
            (0.5, 0.520_499_9),
            (1.0, 0.842_700_8),
            (-2.0, -0.995_322_3),
            (3.5, 0.999_999_3),
        ] {
            assert!((erf(x) - want).abs() < 3e-7, "erf({x}) = {}", erf(x));
        }
    }
}
