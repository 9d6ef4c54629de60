//! TODO(owner): normalize stage.
