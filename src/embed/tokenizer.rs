//! XLM-RoBERTa SentencePiece-unigram tokenizer rebuilt from the model file's vocabulary,
//! reproducing Hugging Face `tokenizers` on multilingual-e5-small's `tokenizer.json`:
//! Precompiled normaliser → collapse runs of spaces → Metaspace (`▁`) → unigram Viterbi
//! (consecutive unknown characters fused into one `<unk>`) → `<s> … </s>`.
//!
//! The `.bin` carries the normaliser's single-code-point entries (ZWNJ, tabs, newlines → space,
//! control characters dropped, NFKC folds). Its multi-code-point entries are compositions
//! whose value is NFKC of the key; `tokenizers` looks a whole grapheme up first (when shorter
//! than 6 bytes) and takes the *shortest* matching key prefix, so a grapheme whose first
//! character is mapped is replaced by that character's mapping alone. Both rules are applied
//! here; `tests/integration/embed.rs` checks them against `tokenizer.json` on real text.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use unicode_normalization::UnicodeNormalization;
use unicode_segmentation::UnicodeSegmentation;

use super::format::Vocab;

const META: char = '\u{2581}';
/// `tokenizers` skips the whole-grapheme lookup for graphemes of 6 bytes or more.
const GRAPHEME_LOOKUP_MAX: usize = 6;
/// SentencePiece's penalty below the lowest piece score for an unknown character.
const UNK_PENALTY: f64 = 10.0;

/// FNV-1a: piece lookups hash short byte strings millions of times; SipHash is 3× slower here.
#[derive(Default)]
struct Fnv(u64);
impl Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        let mut h = if self.0 == 0 {
            0xcbf2_9ce4_8422_2325
        } else {
            self.0
        };
        for &b in bytes {
            h ^= b as u64;
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        self.0 = h;
    }
}

pub struct Tokenizer {
    pieces: HashMap<Box<[u8]>, u32, BuildHasherDefault<Fnv>>,
    scores: Vec<f64>,
    norm: HashMap<u32, Vec<char>>,
    max_piece_bytes: usize,
    unk_score: f64,
    pub bos: u32,
    pub eos: u32,
    pub unk: u32,
}

impl Tokenizer {
    pub fn new(v: Vocab) -> Tokenizer {
        let n = v.scores.len();
        let mut pieces = HashMap::with_capacity_and_hasher(n, BuildHasherDefault::<Fnv>::default());
        let mut max_piece_bytes = 1;
        for i in 0..n {
            let p = &v.blob[v.offsets[i] as usize..v.offsets[i + 1] as usize];
            if p.is_empty() || i as u32 == v.unk {
                continue;
            }
            max_piece_bytes = max_piece_bytes.max(p.len());
            // first occurrence wins, as in a trie built in id order
            pieces.entry(p.into()).or_insert(i as u32);
        }
        let min = v.scores.iter().copied().fold(f32::INFINITY, f32::min) as f64;
        Tokenizer {
            pieces,
            scores: v.scores.iter().map(|&s| s as f64).collect(),
            norm: v.norm,
            max_piece_bytes,
            unk_score: min - UNK_PENALTY,
            bos: v.bos,
            eos: v.eos,
            unk: v.unk,
        }
    }

    /// Token ids including `<s>` and `</s>`, content cut to `max_len - 2` tokens.
    pub fn encode(&self, text: &str, max_len: usize) -> Vec<u32> {
        let s = self.metaspace(&self.normalize(text));
        let mut ids = Vec::with_capacity(s.len() / 3 + 2);
        ids.push(self.bos);
        self.viterbi(&s, &mut ids);
        ids.truncate(max_len.saturating_sub(1).max(1));
        ids.push(self.eos);
        ids
    }

    fn map_char(&self, c: char, out: &mut String) {
        match self.norm.get(&(c as u32)) {
            Some(r) => out.extend(r.iter()),
            None => out.push(c),
        }
    }

    /// Precompiled-charsmap normalisation (see module doc), then runs of spaces collapsed.
    pub fn normalize(&self, text: &str) -> String {
        let mut out = String::with_capacity(text.len() + 8);
        for g in text.graphemes(true) {
            if !self.map_grapheme(g, &mut out) {
                for c in g.chars() {
                    self.map_char(c, &mut out);
                }
            }
        }
        let mut collapsed = String::with_capacity(out.len());
        let mut prev_space = false;
        for c in out.chars() {
            if c == ' ' && prev_space {
                continue;
            }
            prev_space = c == ' ';
            collapsed.push(c);
        }
        collapsed
    }

    /// Whole-grapheme lookup: the shortest key prefix of `g` wins. Returns false if none.
    fn map_grapheme(&self, g: &str, out: &mut String) -> bool {
        if g.len() >= GRAPHEME_LOOKUP_MAX {
            return false;
        }
        let mut chars = g.char_indices();
        let Some((_, first)) = chars.next() else {
            return false;
        };
        if self.norm.contains_key(&(first as u32)) {
            self.map_char(first, out);
            return true;
        }
        // multi-code-point keys: canonical compositions of undecomposable characters
        let ends = chars
            .map(|(i, _)| i)
            .chain(std::iter::once(g.len()))
            .skip(1);
        for end in ends {
            let p = &g[..end];
            if p.chars().any(|c| c.nfd().nth(1).is_some()) {
                break;
            }
            let mut k = p.nfkc();
            if let (Some(single), None) = (k.next(), k.next()) {
                out.push(single);
                return true;
            }
        }
        false
    }

    /// Metaspace pre-tokenizer: spaces become `▁`, and a leading `▁` is ensured.
    fn metaspace(&self, s: &str) -> String {
        let mut out = String::with_capacity(s.len() + 3);
        if !s.is_empty() && !s.starts_with(' ') {
            out.push(META);
        }
        out.extend(s.chars().map(|c| if c == ' ' { META } else { c }));
        out
    }

    /// Best unigram segmentation; vocabulary pieces never hold an inner `▁`, so one pass over
    /// the whole string equals `tokenizers`' per-word passes.
    fn viterbi(&self, s: &str, ids: &mut Vec<u32>) {
        let bounds: Vec<usize> = s
            .char_indices()
            .map(|(i, _)| i)
            .chain(std::iter::once(s.len()))
            .collect();
        let n = bounds.len() - 1;
        // (score, token id or None for unknown, start char)
        let mut best: Vec<(f64, Option<u32>, usize)> = vec![(f64::NEG_INFINITY, None, 0); n + 1];
        let mut reached = vec![false; n + 1];
        best[0].0 = 0.0;
        reached[0] = true;
        let bytes = s.as_bytes();
        for i in 0..n {
            if !reached[i] {
                continue;
            }
            let start = bounds[i];
            let base = best[i].0;
            let mut single = false;
            for e in i + 1..=n {
                let len = bounds[e] - start;
                if len > self.max_piece_bytes {
                    break;
                }
                if let Some(&id) = self.pieces.get(&bytes[start..bounds[e]]) {
                    single |= e == i + 1;
                    let sc = base + self.scores[id as usize];
                    if !reached[e] || sc > best[e].0 {
                        best[e] = (sc, Some(id), i);
                        reached[e] = true;
                    }
                }
            }
            if !single {
                let sc = base + self.unk_score;
                if !reached[i + 1] || sc > best[i + 1].0 {
                    best[i + 1] = (sc, None, i);
                    reached[i + 1] = true;
                }
            }
        }
        let mut rev = Vec::new();
        let mut e = n;
        while e > 0 {
            let (_, id, from) = best[e];
            match id {
                Some(id) => rev.push(id),
                // fuse runs of unknown characters into one <unk>
                None if rev.last() == Some(&u32::MAX) => {}
                None => rev.push(u32::MAX),
            }
            e = from;
        }
        ids.extend(
            rev.iter()
                .rev()
                .map(|&id| if id == u32::MAX { self.unk } else { id }),
        );
    }
}
