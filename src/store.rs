//! TODO(owner): store stage.
