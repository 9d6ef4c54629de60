//! Team mode: `parallax serve` (the HTTP API over a PostgreSQL archive) and `parallax users`.

use std::net::SocketAddr;

use anyhow::Context;
use parallax::api::{Engine, EngineConfig, Role};

#[derive(clap::Args)]
pub struct ServeArgs {
    /// Address to listen on (put a TLS reverse proxy in front for anything but loopback).
    #[arg(long, default_value = "127.0.0.1:8080")]
    listen: SocketAddr,
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
        let listener = tokio::net::TcpListener::bind(a.listen)
            .await
            .with_context(|| format!("cannot listen on {}", a.listen))?;
        eprintln!(
            "parallax serve: listening on http://{}",
            listener.local_addr()?
        );
        parallax::serve::serve(engine, listener, async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await?;
        Ok(())
    })
}
