//! Evaluations over the shared data sets (`parallax eval ...`).

pub mod lang;

#[cfg(test)]
pub(crate) mod fixtures;
