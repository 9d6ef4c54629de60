//! TODO(owner): api stage.
