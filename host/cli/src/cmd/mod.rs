//! The subcommands of `trellis`, each turning its flags (with environment
//! fallbacks) into the validated config of a library crate.

mod ask;
mod dataset;
mod eval;
mod export;
mod server;
mod traces;
mod worker;

use std::io::IsTerminal;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use trellis_api::BearerToken;

/// The environment variable holding the deployment's bearer token. Read from
/// the environment only: a `--token` flag would show it in `ps`.
pub(crate) const TOKEN_VAR: &str = "TRELLIS_TOKEN";

/// Trellis: run an AI agent's tools as sandboxed WebAssembly components and
/// trace every conversation end to end.
#[derive(Debug, Parser)]
#[command(name = "trellis", version, about)]
pub(crate) struct Cli {
    /// Log more (`-v` debug, `-vv` trace). `RUST_LOG` overrides.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub(crate) verbose: u8,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve the tools of every plugin in a directory over HTTP.
    Worker(worker::WorkerArgs),
    /// Run the conversation server: the tool-use loop against a model.
    Server(server::ServerArgs),
    /// Ask the conversation server a question (and follow-ups).
    Ask(ask::AskArgs),
    /// Read traces from the conversation server's store.
    Traces(traces::TracesArgs),
    /// Eval datasets: build them from logged conversations, list, show,
    /// export and import them.
    Dataset(dataset::DatasetArgs),
    /// Score a dataset (replaying its answers or asking the server again),
    /// store the experiment, compare it with a baseline, gate on scores.
    Eval(eval::EvalArgs),
}

pub(crate) fn init_logging(verbose: u8) {
    let default = match verbose {
        0 => "info",
        1 => "debug",
        _ => "trace",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .init();
}

pub(crate) fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        match cli.command {
            Command::Worker(args) => worker::run(args).await,
            Command::Server(args) => server::run(args).await,
            Command::Ask(args) => ask::run(args).await,
            Command::Traces(args) => traces::run(args).await,
            Command::Dataset(args) => dataset::run(args).await,
            Command::Eval(args) => eval::run(args).await,
        }
    })
}

/// Resolves on Ctrl-C or SIGTERM: what stops a server cleanly.
pub(crate) async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(term) => term,
                Err(_) => {
                    let _ = ctrl_c.await;
                    return;
                }
            };
        tokio::select! {
            _ = ctrl_c => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    let _ = ctrl_c.await;
    tracing::info!("shutting down");
}

/// The bearer token of `TRELLIS_TOKEN`, if set (and not blank). Servers
/// require it, clients present it. An unusable value is an error that does
/// not repeat it.
pub(crate) fn token() -> anyhow::Result<Option<BearerToken>> {
    match std::env::var(TOKEN_VAR) {
        Ok(value) if value.trim().is_empty() => Ok(None),
        Ok(value) => BearerToken::new(value)
            .map(Some)
            .map_err(|e| anyhow::anyhow!("{TOKEN_VAR} is unusable: {e}")),
        Err(std::env::VarError::NotPresent) => Ok(None),
        Err(std::env::VarError::NotUnicode(_)) => {
            anyhow::bail!("{TOKEN_VAR} is unusable: it is not valid UTF-8")
        }
    }
}

/// Binds `addr`, refusing a non-loopback address unless `authenticated`
/// (TRELLIS_TOKEN set) or `allow_remote`: without authentication a worker or
/// server must not be reachable from other machines by accident.
pub(crate) async fn bind(
    addr: &str,
    allow_remote: bool,
    authenticated: bool,
    what: &str,
) -> anyhow::Result<tokio::net::TcpListener> {
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| anyhow::anyhow!("cannot listen on {addr}: {e}"))?;
    let local = listener.local_addr()?;
    if !local.ip().is_loopback() && !allow_remote && !authenticated {
        anyhow::bail!(
            "refusing to serve the {what} on non-loopback address {local}: it would be reachable \
             from other machines without authentication; set {TOKEN_VAR} to require a bearer \
             token, or pass --allow-remote if unauthenticated access is intended"
        );
    }
    Ok(listener)
}
