//! TODO(owner): opml stage.
