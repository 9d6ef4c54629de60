//! Engine integration tests, one module per theme.

#[path = "../support/mod.rs"]
mod support;

mod backends;
mod catalog;
mod cluster;
mod embed;
mod feeds_wild;
mod fulltext;
mod ingest;
mod ingest_cli;
mod ingest_fetch;
mod language;
mod parse;
mod related;
mod search;
