//! TODO(owner): refresh stage.
