//! TODO(owner): catalog stage.
