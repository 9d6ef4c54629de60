//! TODO(owner): language stage.
