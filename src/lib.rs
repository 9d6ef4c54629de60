//! Parallax engine: ingest Arabic, Persian and English news feeds, detect each item's language,
//! and group coverage of one event across outlets and languages into stories.
//!
//! One module per pipeline stage; `api` is the single surface the CLI and the Tauri shell call.

pub mod api;
pub mod canonical;
pub mod carry;
pub mod catalog;
pub mod cluster;
pub mod discover;
pub mod embed;
pub mod error;
#[cfg(feature = "eval")]
pub mod eval;
pub mod fetch;
pub mod framing;
pub mod fulltext;
pub mod language;
pub mod model;
pub mod normalize;
pub mod opml;
pub mod parse;
pub mod paths;
pub mod refresh;
pub mod remote;
pub mod sanitize;
#[cfg(feature = "team")]
pub mod serve;
pub mod store;
pub mod watch;

#[cfg(test)]
mod test_fixtures;
