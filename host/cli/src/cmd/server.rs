//! `trellis server`: the conversation server (tool-use loop, model providers).

use std::process::ExitCode;
use std::time::Duration;

use clap::Args;
use trellis_agent::{build_provider, ApiKey, ModelChoice, ServerConfig};

pub(crate) const DEFAULT_LISTEN: &str = "127.0.0.1:8001";

#[derive(Debug, Args)]
pub(crate) struct ServerArgs {
    /// Address to listen on (`127.0.0.1:0` picks a free port).
    #[arg(long, env = "TRELLIS_SERVER_LISTEN", default_value = DEFAULT_LISTEN)]
    listen: String,
    /// Base URL of the tool worker.
    #[arg(long, env = "TRELLIS_WORKER", default_value = trellis_agent::server::DEFAULT_WORKER_URL)]
    worker: String,
    /// The model: `offline` (deterministic planner, no network), `anthropic`,
    /// `anthropic:<model>` or a `claude-*` model name. Default: `anthropic`
    /// when ANTHROPIC_API_KEY is set, else `offline`.
    #[arg(long, env = "TRELLIS_MODEL")]
    model: Option<String>,
    /// Most model calls per turn before the turn stops with a note.
    #[arg(long, default_value_t = trellis_agent::conversation::DEFAULT_MAX_MODEL_CALLS)]
    max_model_calls: u32,
    /// Conversations kept in memory (least recently used dropped first).
    #[arg(long, default_value_t = trellis_agent::conversation::DEFAULT_MAX_CONVERSATIONS)]
    max_conversations: usize,
    /// Minutes a conversation may sit unused before it is forgotten.
    #[arg(long, default_value_t = 60)]
    conversation_idle_minutes: u64,
    /// Messages kept per conversation (oldest whole turns dropped first).
    #[arg(long, default_value_t = trellis_agent::conversation::DEFAULT_MAX_HISTORY_MESSAGES)]
    max_history_messages: usize,
    /// Allow listening on a non-loopback address.
    #[arg(long)]
    allow_remote: bool,
}

pub(crate) async fn run(args: ServerArgs) -> anyhow::Result<ExitCode> {
    let api_key = std::env::var("ANTHROPIC_API_KEY")
        .ok()
        .filter(|k| !k.trim().is_empty())
        .map(ApiKey::new);
    let choice: ModelChoice = match &args.model {
        Some(model) => model.parse()?,
        None if api_key.is_some() => ModelChoice::Anthropic {
            model: trellis_agent::provider::DEFAULT_ANTHROPIC_MODEL.to_string(),
        },
        None => ModelChoice::Offline,
    };
    if args.max_model_calls == 0 {
        anyhow::bail!("--max-model-calls must be at least 1");
    }
    let base_url = std::env::var("ANTHROPIC_BASE_URL")
        .ok()
        .filter(|u| !u.trim().is_empty());
    let provider = build_provider(&choice, api_key, base_url)?;
    let config = ServerConfig {
        max_model_calls: args.max_model_calls,
        max_conversations: args.max_conversations,
        conversation_idle_timeout: Duration::from_secs(args.conversation_idle_minutes * 60),
        max_history_messages: args.max_history_messages,
        ..ServerConfig::new(args.worker, provider)
    };
    let listener = super::bind(&args.listen, args.allow_remote, "server").await?;
    trellis_agent::serve(listener, config, super::shutdown_signal()).await?;
    Ok(ExitCode::SUCCESS)
}
