//! `trellis traces`: read traces from the server's store.
//! `trellis traces show TRACE_ID` prints one as an indented tree with
//! durations, model calls, tool outputs and scores.

use std::process::ExitCode;

use clap::{Args, Subcommand};
use trellis_agent::client::DEFAULT_SERVER_URL;
use trellis_agent::{ChatClient, ClientError};

#[derive(Debug, Args)]
pub(crate) struct TracesArgs {
    #[command(subcommand)]
    command: TracesCommand,
}

#[derive(Debug, Subcommand)]
enum TracesCommand {
    /// Print one trace as a tree (`trellis ask` prints the id).
    Show(ShowArgs),
}

#[derive(Debug, Args)]
struct ShowArgs {
    /// The trace id: 32 hex digits.
    trace_id: String,
    /// Base URL of the conversation server that stores the trace.
    #[arg(long, env = "TRELLIS_SERVER", default_value = DEFAULT_SERVER_URL)]
    server: String,
    /// Print the tree as JSON (`GET /api/traces/{trace_id}`) instead.
    #[arg(long)]
    json: bool,
}

pub(crate) async fn run(args: TracesArgs) -> anyhow::Result<ExitCode> {
    match args.command {
        TracesCommand::Show(args) => show(args).await,
    }
}

async fn show(args: ShowArgs) -> anyhow::Result<ExitCode> {
    let id = args.trace_id.trim().to_ascii_lowercase();
    if id.len() != 32 || !id.bytes().all(|b| b.is_ascii_hexdigit()) {
        eprintln!(
            "error: `{}` is not a trace id (32 hex digits, as `trellis ask` prints)",
            args.trace_id
        );
        return Ok(ExitCode::FAILURE);
    }
    let client = ChatClient::new(&args.server)?;
    let tree = match client.trace(&id).await {
        Ok(tree) => tree,
        Err(ClientError::Api { status: 404, .. }) => {
            eprintln!(
                "error: trace {id} not found on the Trellis server at {} (spans can take a moment to arrive; check the id and --server)",
                client.base_url()
            );
            return Ok(ExitCode::FAILURE);
        }
        Err(err @ ClientError::ServerUnreachable { .. }) => {
            eprintln!("error: {err}");
            return Ok(ExitCode::FAILURE);
        }
        Err(err) => return Err(err.into()),
    };
    if args.json {
        println!("{}", serde_json::to_string_pretty(&tree)?);
    } else {
        print!("{}", tree.render());
    }
    Ok(ExitCode::SUCCESS)
}
