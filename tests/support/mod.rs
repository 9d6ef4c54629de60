//! Test support shared by the integration tests and `examples/fixture_server.rs`: a local feed
//! server that serves real Arabic, Persian and English items (committed text fixtures) in every format,
//! encoding and failure mode a feed reader meets.
#![allow(dead_code)]

pub mod backend;
pub mod corpus;
pub mod fixtures;
// The store's own test-database helper, shared rather than copied (see the file).
#[path = "../../src/store/testing/pg_database.rs"]
pub mod pg_database;
pub mod render;
pub mod server;
