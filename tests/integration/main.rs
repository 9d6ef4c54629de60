//! Engine integration tests, one module per theme.

mod catalog;
