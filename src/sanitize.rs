//! TODO(owner): sanitize stage.
