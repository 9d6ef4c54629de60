//! TODO(owner): parse stage.
