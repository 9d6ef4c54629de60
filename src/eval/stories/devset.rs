//! A dev set loaded once: its items, features and embeddings.

use std::path::Path;

use super::{Embedder, EvalError, EvalItem, Scores, embed_items, features, group, load, score};
use crate::cluster::{GroupingConfig, ItemFeatures};

/// One dev set with its features precomputed.
pub struct DevSet {
    pub name: String,
    pub items: Vec<EvalItem>,
    pub feats: Vec<ItemFeatures>,
}

impl DevSet {
    /// `detect_language`: feed detected languages (what the app sees) instead of gold ones.
    pub fn load(
        path: &Path,
        embedder: &dyn Embedder,
        detect_language: bool,
    ) -> Result<Self, EvalError> {
        let items = load(path)?;
        let embeddings = embed_items(&items, embedder)?;
        let mut feats = features(&items, Some(&embeddings));
        if detect_language {
            super::use_languages(&mut feats, &super::detect_languages(&items));
        }
        let name = path
            .file_stem()
            .map_or_else(String::new, |s| s.to_string_lossy().into_owned());
        Ok(DevSet { name, items, feats })
    }

    pub fn run(&self, cfg: &GroupingConfig) -> Scores {
        let (labels, _) = group(&self.feats, cfg);
        score(&self.items, &labels)
    }

    /// The same set with the embeddings removed (the no-model fallback).
    pub fn without_embeddings(&self) -> DevSet {
        let feats = self.feats.iter().cloned().map(|mut f| {
            f.embedding = None;
            f
        });
        DevSet {
            name: self.name.clone(),
            items: self.items.clone(),
            feats: feats.collect(),
        }
    }
}
