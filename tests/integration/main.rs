//! Engine integration tests, one module per theme.

mod catalog;
mod language;
mod parse;
