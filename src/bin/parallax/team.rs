//! Team mode: `parallax serve` (the HTTP API over a PostgreSQL archive) and `parallax users`.

use std::net::SocketAddr;

use anyhow::Context;
use parallax::api::{Engine, EngineConfig, Role};
use parallax::serve::jobs::{self, FetchOptions};
use parallax::serve::pipeline::{self, PipelineOptions};

#[derive(clap::Args)]
pub struct ServeArgs {
    /// Address to listen on (put a TLS reverse proxy in front for anything but loopback).
    #[arg(long, default_value = "127.0.0.1:8080")]
    listen: SocketAddr,
    /// Only fetch: claim due feeds from the archive's job table alongside the other servers and
    /// workers; no HTTP, no grouping (the server that holds the grouping lease groups).
    #[arg(long)]
    worker: bool,
    /// Do not fetch in this process: leave fetching to `--worker` processes.
    #[arg(long, conflicts_with = "worker")]
    no_fetch: bool,
    /// Feeds this process fetches at once.
    #[arg(long, default_value_t = 16)]
    concurrency: usize,
    /// Seconds a claimed feed stays this process's: a feed whose worker died is fetched by
    /// another after this long. Keep it above the longest fetch (the fetcher's timeouts).
    #[arg(long, default_value_t = 300)]
    claim_secs: u32,
}

#[derive(clap::Args)]
pub struct UsersArgs {
    #[command(subcommand)]
    cmd: UsersCmd,
}

#[derive(clap::Subcommand)]
enum UsersCmd {
    /// Add a user and print their API token (shown once: only its hash is stored).
    Add {
        name: String,
        #[arg(long, value_parser = ["reader", "editor", "admin"], default_value = "reader")]
        role: String,
    },
}

/// The configuration of a team command: it needs `--pg`, and a team archive is not seeded
/// with the bundled catalog (the team chooses its sources).
pub fn team_config(config: EngineConfig) -> anyhow::Result<EngineConfig> {
    anyhow::ensure!(
        config.postgres.is_some(),
        "team mode needs the PostgreSQL archive: --pg URL (or PARALLAX_PG)"
    );
    Ok(EngineConfig {
        seed_catalog: false,
        ..config
    })
}

pub fn users(config: EngineConfig, a: UsersArgs) -> anyhow::Result<()> {
    match a.cmd {
        UsersCmd::Add { name, role } => {
            let role = Role::parse(&role).context("role: reader, editor or admin")?;
            let token = Engine::open(config)?.add_user(&name, role)?;
            eprintln!(
                "added {name} ({}); the token below is shown once: keep it safe",
                role.as_str()
            );
            println!("{token}");
            Ok(())
        }
    }
}

pub fn serve(config: EngineConfig, a: ServeArgs) -> anyhow::Result<()> {
    let engine = Engine::open(config)?;
    let rt = tokio::runtime::Runtime::new()?;
    rt.block_on(async move {
        let (stop_tx, stop) = tokio::sync::watch::channel(false);
        tokio::spawn(async move {
            stop_signal().await;
            let _ = stop_tx.send(true);
        });
        let fetching = FetchOptions {
            concurrency: a.concurrency.max(1),
            claim_secs: a.claim_secs.max(1),
            ..FetchOptions::new(worker_name())
        };
        if a.worker {
            eprintln!("parallax serve --worker: fetching as {}", fetching.worker);
            jobs::run(engine, fetching, stop).await;
            return Ok(());
        }
        // The grouping server prepares carry and framing of multilingual stories as they change,
        // so a client's first look at one does not wait for its sentences to be embedded.
        engine.prepare_analyses_in_background();
        let listener = tokio::net::TcpListener::bind(a.listen)
            .await
            .with_context(|| format!("cannot listen on {}", a.listen))?;
        let mut tasks = tokio::task::JoinSet::new();
        tasks.spawn(pipeline::run(
            engine.clone(),
            PipelineOptions::default(),
            stop.clone(),
        ));
        if !a.no_fetch {
            tasks.spawn(jobs::run(engine.clone(), fetching, stop.clone()));
        }
        eprintln!(
            "parallax serve: listening on http://{}",
            listener.local_addr()?
        );
        let mut until = stop.clone();
        parallax::serve::serve(engine, listener, async move {
            let _ = until.wait_for(|stopped| *stopped).await;
        })
        .await?;
        while tasks.join_next().await.is_some() {}
        Ok(())
    })
}

/// Ctrl-C or SIGTERM (what systemd and docker send).
async fn stop_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

/// This process in the job table: host, pid and a random tag (pids repeat across restarts).
fn worker_name() -> String {
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|h| h.trim().to_string())
        .ok()
        .filter(|h| !h.is_empty())
        .or_else(|| std::env::var("HOSTNAME").ok())
        .unwrap_or_else(|| "localhost".into());
    format!(
        "{host}:{}:{:04x}",
        std::process::id(),
        rand::random::<u16>()
    )
}
