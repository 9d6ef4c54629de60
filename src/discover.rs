//! TODO(owner): discover stage.
