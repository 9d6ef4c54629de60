//! TODO(owner): cluster stage.
