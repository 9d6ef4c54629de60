//! What follows ingestion: detect each new item's language, embed it, and place it in a story.
//!
//! The same steps run for fetched items, the demo archive and a full regroup, so every path
//! into the archive produces the same stories. The grouper's live state is rebuilt from the
//! archive on first use (items inside the grouping window, with their stored embeddings).

use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, Mutex};

use chrono::Duration;

use super::{ApiResult, Change, Engine};
use crate::cluster::{self, Grouper, GroupingConfig, ItemFeatures};
use crate::embed::{self, MODEL_TAG};
use crate::language::{Detector, LanguageConfig};
use crate::model::{Lang, Source, TimeSource};
use crate::store::{ItemQuery, StoreError, StoredItem, StoryAssignment};

const EMBED_BATCH: usize = 32;

#[derive(Default)]
pub(super) struct Pipeline {
    grouper: Mutex<Option<Grouper>>,
    pub(super) model: Mutex<ModelSlot>,
    /// Set while `install_model` runs, so the status line can say so and a second install waits.
    pub(super) installing: std::sync::atomic::AtomicBool,
    detector: Mutex<Option<(Vec<Lang>, Arc<Detector>)>>,
    pub(super) meaning: super::search::MeaningIndex,
    /// Set during a regroup: items are placed again, so their alerts are history, not news.
    pub(super) regrouping: std::sync::atomic::AtomicBool,
    /// Set while the demo archive is grouped (like a regroup: history, not live arrivals).
    pub(super) bulk_load: std::sync::atomic::AtomicBool,
    /// Multilingual stories whose carry and framing are prepared in the background.
    pub(super) prepare: Arc<super::carry_prepare::PrepareQueue>,
}

/// The model as last loaded. A failure is remembered (loading a corrupt file again on every
/// batch would cost a full read each time) until an install clears it.
#[derive(Default)]
pub(super) enum ModelSlot {
    #[default]
    NotTried,
    Loaded(Arc<embed::Model>),
    Failed(Arc<embed::EmbedError>),
}

impl Engine {
    /// The embedding model, loaded once on first use; `Err` is why it is not there (missing,
    /// corrupt, unreadable), and says how to install it.
    pub fn model(&self) -> Result<Arc<embed::Model>, Arc<embed::EmbedError>> {
        let mut slot = self.model_slot();
        // A missing file costs one failed open to re-check, and a CLI install must be seen.
        let retry = match &*slot {
            ModelSlot::NotTried => true,
            ModelSlot::Failed(e) => matches!(**e, embed::EmbedError::Missing { .. }),
            ModelSlot::Loaded(_) => false,
        };
        if retry {
            *slot = match embed::Model::load(&self.model_path()) {
                Ok(m) => ModelSlot::Loaded(Arc::new(m)),
                Err(e) => ModelSlot::Failed(Arc::new(e)),
            };
        }
        match &*slot {
            ModelSlot::Loaded(m) => Ok(m.clone()),
            ModelSlot::Failed(e) => Err(e.clone()),
            // Unreachable: a NotTried slot was just filled.
            ModelSlot::NotTried => Err(Arc::new(embed::EmbedError::Missing {
                path: self.model_path(),
            })),
        }
    }

    /// Where this engine looks for the model: the configured path, else `PARALLAX_MODEL` or the
    /// default install location.
    pub fn model_path(&self) -> std::path::PathBuf {
        self.inner
            .config
            .model_path
            .clone()
            .unwrap_or_else(embed::model_path)
    }

    pub(super) fn model_slot(&self) -> std::sync::MutexGuard<'_, ModelSlot> {
        self.inner
            .pipeline
            .model
            .lock()
            .unwrap_or_else(|p| p.into_inner())
    }

    /// Load the model on a background thread at low priority when it is installed, so the
    /// first refresh or search by meaning does not wait ~1 s for it, and the window's first
    /// paint does not wait for the load (it verifies 72 MB). Reports through a `Task` event.
    pub fn preload_model(&self) {
        if !self.model_path().is_file() || !matches!(*self.model_slot(), ModelSlot::NotTried) {
            return;
        }
        let engine = self.clone();
        let spawned = std::thread::Builder::new()
            .name("model-preload".into())
            .spawn(move || {
                #[cfg(target_os = "linux")]
                // SAFETY: lowers this thread's own scheduling priority; no memory is touched.
                unsafe {
                    libc::setpriority(libc::PRIO_PROCESS, libc::gettid() as libc::id_t, 10);
                }
                let message = match engine.model() {
                    Ok(_) => "embedding model loaded".to_string(),
                    Err(e) => e.to_string(),
                };
                engine.emit(Change::Task {
                    task: "model".into(),
                    done: 1,
                    total: 1,
                    message,
                });
            });
        if let Err(e) = spawned {
            tracing::warn!("model preload thread: {e}");
        }
    }

    pub(super) fn detector(&self) -> ApiResult<Arc<Detector>> {
        let languages = self.settings()?.languages;
        let mut slot = self
            .inner
            .pipeline
            .detector
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        if let Some((_, d)) = slot.as_ref().filter(|(langs, _)| *langs == languages) {
            return Ok(d.clone());
        }
        let d = Arc::new(Detector::new(&LanguageConfig {
            languages: languages.clone(),
            ..LanguageConfig::default()
        }));
        *slot = Some((languages, d.clone()));
        Ok(d)
    }

    fn grouping_config(&self) -> ApiResult<GroupingConfig> {
        Ok(GroupingConfig {
            window_hours: self.settings()?.grouping_window_hours as f64,
            ..GroupingConfig::default()
        })
    }

    /// Detect, embed and group newly stored items. Returns the stories that changed.
    /// Without the grouping lease nothing is done: the process that holds it groups them.
    pub fn process_items(&self, ids: &[i64]) -> ApiResult<Vec<i64>> {
        if ids.is_empty() || !self.hold_grouping_lease()? {
            return Ok(Vec::new());
        }
        let items = self.with_store(|s| {
            s.items(&ItemQuery {
                ids: Some(ids.to_vec()),
                ascending: true,
                ..Default::default()
            })
        })?;
        let sources = self.with_store(super::stories::source_map)?;
        let langs = self.detect_languages(&items, &sources)?;
        let embeddings = self.embed_items(&items)?;
        if let Some(e) = &embeddings {
            self.index_meanings(
                items
                    .iter()
                    .zip(&langs)
                    .zip(e)
                    .map(|((it, l), v)| (it.id, l, v)),
            );
        }

        let mut guard = self
            .inner
            .pipeline
            .grouper
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        if guard.is_none() {
            *guard = Some(self.restore_grouper()?);
        }
        let Some(grouper) = guard.as_mut() else {
            return Ok(Vec::new());
        };
        let mut assignments = Vec::with_capacity(items.len());
        for (i, it) in items.iter().enumerate() {
            let f = features(
                it,
                langs[i].clone(),
                embeddings.as_ref().map(|e| e[i].clone()),
            );
            let a = grouper.assign(f);
            assignments.push(StoryAssignment {
                item_id: it.id,
                story_id: a.story_id,
                score: Some(a.explanation.score),
                explanation: serde_json::to_string(&super::Explanation::from(&a.explanation)).ok(),
                pinned: false,
                routine: a.routine,
            });
        }
        // Re-check what this batch changed now, so the archive never waits for the next batch.
        grouper.recheck();
        let moves = grouper.take_moves();
        let mut touched: BTreeSet<i64> = assignments.iter().map(|a| a.story_id).collect();
        let mut moved: Vec<StoryAssignment> = Vec::new();
        for mv in &moves {
            touched.insert(mv.from);
            touched.insert(mv.to);
            let e = grouper.explain(mv.item_id).map(super::Explanation::from);
            let a = StoryAssignment {
                item_id: mv.item_id,
                story_id: mv.to,
                score: e.as_ref().map(|e| e.score),
                explanation: e.and_then(|e| serde_json::to_string(&e).ok()),
                pinned: false,
                routine: grouper.is_routine(mv.item_id),
            };
            match assignments.iter_mut().find(|x| x.item_id == mv.item_id) {
                Some(x) => *x = a,
                None => moved.push(a),
            }
        }
        drop(guard);
        self.with_store(|s| {
            s.assign(&assignments)?;
            // Items of earlier batches that a re-check split off or merged.
            s.assign(&moved)
        })?;
        let ids: Vec<i64> = touched.into_iter().collect();
        self.emit(Change::StoriesUpdated { ids: ids.clone() });
        // A failing watch must not undo grouping: the items are stored and placed already.
        let item_ids: Vec<i64> = items.iter().map(|i| i.id).collect();
        let moved_ids: Vec<i64> = moved.iter().map(|m| m.item_id).collect();
        if let Err(e) = self.apply_watches(&item_ids, &moved_ids) {
            tracing::warn!("watches: {e}");
        }
        Ok(ids)
    }

    /// Group every item not yet in a story (an archive from before the model was installed, or
    /// the demo archive), in arrival order, reporting progress.
    pub fn group_pending(&self) -> ApiResult<usize> {
        let total = self.with_store(|s| s.ungrouped_items(usize::MAX))?.len();
        let mut done = 0usize;
        // Another live process groups this archive: the items wait for it.
        while self.hold_grouping_lease()? {
            let batch = self.with_store(|s| s.ungrouped_items(256))?;
            if batch.is_empty() {
                break;
            }
            self.process_items(&batch)?;
            done += batch.len();
            self.emit(Change::Task {
                task: "grouping".into(),
                done: done as u64,
                total: total as u64,
                message: format!("grouped {done} of {total} items"),
            });
        }
        Ok(done)
    }

    /// Forget automatic grouping and run it again over the whole archive (corrections stay).
    pub fn regroup_all(&self) -> ApiResult<usize> {
        if !self.hold_grouping_lease()? {
            let who = self
                .grouping_lease()?
                .map(|l| format!("process {} on {}", l.pid, l.host))
                .unwrap_or_else(|| "another process".into());
            return Err(super::ApiError::precondition(format!(
                "{who} groups this archive now; stop it, then regroup"
            )));
        }
        self.with_store(|s| s.clear_automatic_assignments())?;
        self.reset_grouper();
        use std::sync::atomic::Ordering;
        self.inner
            .pipeline
            .regrouping
            .store(true, Ordering::Relaxed);
        let r = self.group_pending();
        self.inner
            .pipeline
            .regrouping
            .store(false, Ordering::Relaxed);
        r
    }

    /// Drop the in-memory grouper: the next batch rebuilds it from the archive.
    pub(super) fn reset_grouper(&self) {
        *self
            .inner
            .pipeline
            .grouper
            .lock()
            .unwrap_or_else(|p| p.into_inner()) = None;
    }

    fn detect_languages(
        &self,
        items: &[StoredItem],
        sources: &HashMap<String, Source>,
    ) -> ApiResult<Vec<Lang>> {
        let detector = self.detector()?;
        let mut out = Vec::with_capacity(items.len());
        let mut rows = Vec::with_capacity(items.len());
        for it in items {
            if let (Some(l), Some(c)) = (&it.lang, it.lang_confidence) {
                out.push(l.clone());
                rows.push((it.id, l.clone(), c));
                continue;
            }
            // The feed's or the catalog's declared language is a prior, not the answer.
            let prior = it
                .item
                .declared_lang
                .clone()
                .filter(|l| *l != Lang::Und)
                .or_else(|| sources.get(&it.item.source_id).map(|s| s.language.clone()))
                .filter(|l| *l != Lang::Und);
            let text = format!("{}\n{}", it.item.title, it.body_text());
            let d = detector.detect(&text, prior.as_ref());
            out.push(d.lang.clone());
            rows.push((it.id, d.lang, d.confidence));
        }
        self.with_store(|s| s.set_languages(&rows))?;
        Ok(out)
    }

    /// Embed title + lead of each item (and store the vectors); `None` when the model is missing.
    fn embed_items(&self, items: &[StoredItem]) -> ApiResult<Option<Vec<Vec<f32>>>> {
        let Ok(model) = self.model() else {
            return Ok(None);
        };
        let mut out: Vec<Vec<f32>> = Vec::with_capacity(items.len());
        let mut todo: Vec<usize> = Vec::new();
        for (i, it) in items.iter().enumerate() {
            match self.with_store(|s| s.embedding(it.id))? {
                Some(v) => out.push(v),
                None => {
                    out.push(Vec::new());
                    todo.push(i);
                }
            }
        }
        for chunk in todo.chunks(EMBED_BATCH) {
            let inputs: Vec<String> = chunk
                .iter()
                .map(|&i| cluster::embedding_input(&items[i].item.title, items[i].body_text()))
                .collect();
            let refs: Vec<&str> = inputs.iter().map(String::as_str).collect();
            let vecs = model
                .embed(&refs)
                .map_err(|e| super::ApiError::new(e.code(), e.to_string()))?;
            self.with_store(|s| {
                for (&i, v) in chunk.iter().zip(&vecs) {
                    s.put_embedding(items[i].id, MODEL_TAG, v)?;
                }
                Ok::<_, StoreError>(())
            })?;
            for (&i, v) in chunk.iter().zip(vecs) {
                out[i] = v;
            }
        }
        Ok(Some(out))
    }

    /// A grouper holding the archive's live stories (inside the window of the newest item).
    fn restore_grouper(&self) -> ApiResult<Grouper> {
        let cfg = self.grouping_config()?;
        let window = Duration::minutes((cfg.window_hours * 60.0) as i64);
        let mut g = Grouper::new(cfg);
        self.with_store(|s| {
            g.reserve_story_ids(s.max_story_id()?);
            let newest = s
                .items(&ItemQuery {
                    limit: Some(1),
                    ..Default::default()
                })?
                .into_iter()
                .next()
                .map(|i| i.item.published);
            let Some(newest) = newest else {
                return Ok(());
            };
            let assigned = s.assignments_since(newest - window)?;
            let by_id: HashMap<i64, StoryAssignment> =
                assigned.iter().map(|a| (a.item_id, a.clone())).collect();
            for chunk in assigned.chunks(500) {
                let items = s.items(&ItemQuery {
                    ids: Some(chunk.iter().map(|a| a.item_id).collect()),
                    ascending: true,
                    ..Default::default()
                })?;
                for it in items {
                    let Some(a) = by_id.get(&it.id) else { continue };
                    let emb = s.embedding(it.id)?;
                    let lang = it.lang.clone().unwrap_or(Lang::Und);
                    g.restore(features(&it, lang, emb), a.story_id);
                    if a.pinned {
                        g.pin(it.id, a.story_id);
                    }
                }
            }
            Ok(())
        })?;
        Ok(g)
    }
}

fn features(it: &StoredItem, lang: Lang, embedding: Option<Vec<f32>>) -> ItemFeatures {
    ItemFeatures {
        item_id: it.id,
        lang,
        // A fetch time is a guess: no time is better evidence than a wrong one.
        published: (it.item.time_source != TimeSource::Fetched).then_some(it.item.published),
        source: it.item.source_id.clone(),
        title: it.item.title.clone(),
        text: it.body_text().to_owned(),
        embedding: embedding.filter(|e| !e.is_empty()),
    }
}
