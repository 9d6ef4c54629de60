//! Error codes shared across stages; the UI branches on `Code`, never on message strings.

use serde::{Deserialize, Serialize};

/// Stable error category that crosses IPC. Only add a variant when a consumer branches on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
#[serde(rename_all = "snake_case")]
pub enum Code {
    /// Network failure, timeout, HTTP error status.
    Network,
    /// The response was not a feed we could parse.
    FeedFormat,
    /// The embedding model is not installed or is corrupt.
    ModelMissing,
    /// The request is invalid in the current state (unknown id, duplicate source, ...).
    Precondition,
    /// The database is locked, corrupt or unwritable.
    Storage,
    /// Anything else.
    Internal,
}
