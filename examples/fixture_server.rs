//! Serve the fixture feeds (and optionally N benchmark feeds) on 127.0.0.1 until killed or until
//! standard input closes, for end-to-end tests and `parallax bench fetch`.
//!
//! Prints one JSON line on stdout once listening:
//! `{"base_urls": ["http://127.0.0.1:PORT/", ...], "fixtures": [names], "bench": [urls]}`.
//!
//! Usage: `fixture_server [--bench N] [--ports K]` (K listeners = K distinct origins).
//!
//! Replay mode (the team benchmark, `scripts/bench-team.sh replay`): `fixture_server --replay
//! DATA --bench N --cycle SECS [--initial K] [--per-cycle M] [--ports K]` serves N feeds of the
//! real headlines in DATA (../shared/data: `parallax::api::bench_corpus`), each feed a run of one
//! outlet's items. Nothing is published until the first line on standard input; then every feed
//! shows K items at once and gains M new ones each cycle, feeds spread evenly over the cycle (feed
//! i publishes at second i mod SECS of it), each new item dated the moment it appears, so a
//! reader's feed→story lag is measured from publication. A JSON line on stdout every 10 s says
//! how many items are out (`{"secs": s, "cycle": c, "published": n, "exhausted": feeds}`).

#[path = "../tests/support/mod.rs"]
mod support;

#[path = "fixture_server/replay.rs"]
mod replay;

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
    if let Some(i) = args.iter().position(|a| a == "--replay") {
        let data = args
            .get(i + 1)
            .ok_or_else(|| anyhow::anyhow!("--replay needs the data folder"))?;
        let opts = replay::Options {
            data: data.into(),
            feeds: bench.max(1),
            cycle_secs: arg(&args, "--cycle").unwrap_or(90).max(1) as u64,
            initial: arg(&args, "--initial").unwrap_or(1),
            per_cycle: arg(&args, "--per-cycle").unwrap_or(1),
            ports,
        };
        return replay::run(opts).await;
    }
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
