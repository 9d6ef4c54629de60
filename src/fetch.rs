//! TODO(owner): fetch stage.
