//! TODO(owner): eval stage.
