//! Evaluations over the shared data sets (`parallax eval ...`).

pub mod carry;
pub mod lang;
pub mod stories;

#[cfg(test)]
pub(crate) mod fixtures;
