//! TODO(owner): canonical stage.
