//! Engine integration tests, one module per theme.

#[path = "../support/mod.rs"]
mod support;

mod ingest;
mod ingest_cli;
mod ingest_fetch;
