//! Eval stage: measure pipeline stages against the labelled sets in `../shared`.

pub mod stories;
