//! Evaluations over the shared data sets (`parallax eval ...`).

pub mod carry;
pub mod fulltext;
pub mod lang;
pub mod related;
pub mod stats;
pub mod stories;
