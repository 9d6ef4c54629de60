//! Test support shared by the integration tests and `examples/fixture_server.rs`: a local feed
//! server that serves real Arabic, Persian and English items (committed text fixtures) in every format,
//! encoding and failure mode a feed reader meets.
#![allow(dead_code)]

pub mod corpus;
pub mod fixtures;
pub mod render;
pub mod server;
