//! Engine integration tests, one module per theme.
mod cluster;
mod embed;
