//! Serve the fixture feeds (and optionally N benchmark feeds) on 127.0.0.1 until killed or until
//! standard input closes, for end-to-end tests and `parallax bench fetch`.
//!
//! Prints one JSON line on stdout once listening:
//! `{"base_urls": ["http://127.0.0.1:PORT/", ...], "fixtures": [names], "bench": [urls]}`.
//!
//! Usage: `fixture_server [--bench N] [--ports K]` (K listeners = K distinct origins).

#[path = "../tests/support/mod.rs"]
mod support;

use std::io::Read;
use support::corpus::{Corpus, fixture_text_dir};
use support::fixtures::{bench_feeds, catalogue};
use support::server::FixtureServer;

fn arg(args: &[String], name: &str) -> Option<usize> {
    let i = args.iter().position(|a| a == name)?;
    args.get(i + 1)?.parse().ok()
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let bench = arg(&args, "--bench").unwrap_or(0);
    let ports = arg(&args, "--ports").unwrap_or(1);
    let corpus = Corpus::load(&fixture_text_dir(), 10_000).map_err(anyhow::Error::msg)?;
    let fixtures = catalogue(&corpus);
    let names: Vec<String> = fixtures.iter().map(|f| f.name.clone()).collect();
    let mut routes: Vec<_> = fixtures
        .into_iter()
        .map(|f| (f.name, f.behaviour))
        .collect();
    let bench_routes = bench_feeds(&corpus, bench);
    let bench_names: Vec<String> = bench_routes.iter().map(|(n, _)| n.clone()).collect();
    routes.extend(bench_routes);
    let server = FixtureServer::start_many(routes, ports).await?;
    let line = serde_json::json!({
        "base_urls": server.addrs().iter().map(|a| format!("http://{a}/")).collect::<Vec<_>>(),
        "fixtures": names,
        "bench": bench_names.iter().enumerate().map(|(i, n)| server.url_on(i, n)).collect::<Vec<_>>(),
    });
    println!("{line}");
    // Run until the parent closes our stdin (or kills us).
    tokio::task::spawn_blocking(|| {
        let mut sink = Vec::new();
        let _ = std::io::stdin().read_to_end(&mut sink);
    })
    .await?;
    Ok(())
}
