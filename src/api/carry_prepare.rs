//! Carry and framing prepared in the background as items arrive, so the first look at a
//! multilingual story does not wait for its sentences to be embedded (about 13 s for a 100-item
//! story on two cores; reading a prepared analysis back takes milliseconds).
//!
//! Opt-in (`Engine::prepare_analyses_in_background`): the app and `parallax serve` turn it on; a
//! one-shot CLI command would exit before the work pays off. Only stories changed by live
//! grouping or a correction (every `StoriesUpdated` event) are queued, and only those in two or more languages (the rest need no embeddings and
//! are computed in a few milliseconds when opened); a regroup or the demo load queues nothing.
//! One thread at low priority does the work; whatever a user opens meanwhile is computed on
//! demand as before, so nothing ever waits for this queue.

use std::collections::BTreeSet;
use std::sync::{Arc, Condvar, Mutex, Weak};

use super::{ApiResult, Engine, Inner};
use crate::error::Code;
use crate::model::Lang;
use std::sync::atomic::Ordering;

/// Stories waiting for their analysis, and whether the worker runs.
#[derive(Default)]
pub(super) struct PrepareQueue {
    state: Mutex<QueueState>,
    wake: Condvar,
}

#[derive(Default)]
struct QueueState {
    enabled: bool,
    closed: bool,
    waiting: BTreeSet<i64>,
    /// The story being prepared now (for `wait_for_prepared_analyses`).
    busy: bool,
}

impl PrepareQueue {
    fn lock(&self) -> std::sync::MutexGuard<'_, QueueState> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Stop the worker (the engine is going away): it ends after the story in hand.
    pub(super) fn close(&self) {
        self.lock().closed = true;
        self.wake.notify_all();
    }
}

impl Engine {
    /// Prepare the carry and framing of multilingual stories in the background as live grouping
    /// changes them. Idempotent.
    pub fn prepare_analyses_in_background(&self) {
        let queue = &self.inner.pipeline.prepare;
        {
            let mut st = queue.lock();
            if st.enabled || st.closed {
                return;
            }
            st.enabled = true;
        }
        let weak = Arc::downgrade(&self.inner);
        let q = queue.clone();
        let spawned = std::thread::Builder::new()
            .name("analysis-prepare".into())
            .spawn(move || worker(q, weak));
        if let Err(e) = spawned {
            tracing::warn!("analysis thread: {e}");
            queue.lock().enabled = false;
        }
    }

    /// Queue `stories` (changed by live grouping) when background preparation is on.
    pub(super) fn queue_analyses(&self, stories: &[i64]) {
        let p = &self.inner.pipeline;
        // A regroup or the demo load changes every story at once: that is history, opened
        // (and computed) on demand.
        if p.regrouping.load(Ordering::Relaxed) || p.bulk_load.load(Ordering::Relaxed) {
            return;
        }
        let queue = &p.prepare;
        let mut st = queue.lock();
        if !st.enabled || st.closed || stories.is_empty() {
            return;
        }
        st.waiting
            .extend(stories.iter().copied().filter(|&id| id > 0));
        drop(st);
        queue.wake.notify_all();
    }

    /// Block until the queue is empty and no story is being prepared (tests and benchmarks).
    pub fn wait_for_prepared_analyses(&self) {
        let queue = &self.inner.pipeline.prepare;
        let mut st = queue.lock();
        while st.enabled && !st.closed && (st.busy || !st.waiting.is_empty()) {
            st = queue.wake.wait(st).unwrap_or_else(|p| p.into_inner());
        }
    }

    /// Compute and store the analysis of a story in two or more languages, embedding what is not
    /// cached. Returns whether it was computed (false: one language, gone, or no model).
    pub fn prepare_story_analysis(&self, story_id: i64) -> ApiResult<bool> {
        if !self.model_path().is_file() {
            return Ok(false);
        }
        let members = match self.analysis_members(story_id) {
            Ok((m, _)) => m,
            // Merged away or split off since it was queued.
            Err(e) if e.code == Code::Precondition => return Ok(false),
            Err(e) => return Err(e),
        };
        let langs: BTreeSet<Lang> = members.iter().map(super::carry::item_lang).collect();
        if langs.len() < 2 {
            return Ok(false);
        }
        self.analyse(story_id)?;
        Ok(true)
    }
}

/// Takes stories off the queue until the engine is dropped. Holds the engine only while it
/// works on a story, so dropping the last handle releases the archive (and its lease) at once.
fn worker(queue: Arc<PrepareQueue>, engine: Weak<Inner>) {
    #[cfg(target_os = "linux")]
    // SAFETY: lowers this thread's own scheduling priority (the embedder's threads it starts
    // inherit it); no memory is touched.
    unsafe {
        libc::setpriority(libc::PRIO_PROCESS, libc::gettid() as libc::id_t, 10);
    }
    loop {
        let story = {
            let mut st = queue.lock();
            st.busy = false;
            queue.wake.notify_all();
            loop {
                if st.closed {
                    return;
                }
                if let Some(id) = st.waiting.pop_last() {
                    st.busy = true;
                    break id;
                }
                st = queue.wake.wait(st).unwrap_or_else(|p| p.into_inner());
            }
        };
        let Some(inner) = engine.upgrade() else {
            return;
        };
        let e = Engine { inner };
        if let Err(err) = e.prepare_story_analysis(story) {
            tracing::warn!("preparing the analysis of story {story}: {err}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::EngineConfig;

    fn engine(dir: &std::path::Path) -> Engine {
        Engine::open(EngineConfig {
            seed_catalog: false,
            ..EngineConfig::new(dir.join("a.db"))
        })
        .unwrap()
    }

    #[test]
    fn queue_is_ignored_until_enabled_and_drains_when_enabled() {
        let dir = tempfile::tempdir().unwrap();
        let e = engine(dir.path());
        e.queue_analyses(&[1, 2]);
        assert!(e.inner.pipeline.prepare.lock().waiting.is_empty());
        e.prepare_analyses_in_background();
        // Story ids that do not exist are taken off the queue without error.
        e.queue_analyses(&[5, 6, -3]);
        e.wait_for_prepared_analyses();
        let st = e.inner.pipeline.prepare.lock();
        assert!(st.waiting.is_empty() && !st.busy);
    }

    #[test]
    fn the_worker_ends_with_the_engine() {
        let dir = tempfile::tempdir().unwrap();
        let e = engine(dir.path());
        e.prepare_analyses_in_background();
        let weak = Arc::downgrade(&e.inner);
        drop(e);
        // The idle worker holds only a weak reference: the engine (and its lease) is released.
        assert!(weak.upgrade().is_none());
    }
}
