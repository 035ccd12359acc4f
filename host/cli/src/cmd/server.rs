//! `trellis server`: the conversation server (tool-use loop, model
//! providers) with the embedded trace collector and store.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use clap::Args;
use trellis_agent::{build_provider, ApiKey, ModelChoice, ProviderFactory, ServerConfig};
use trellis_trace::btql::{BtqlConfig, DEFAULT_TIME_LIMIT, MAX_LIMIT};
use trellis_trace::propagation::DEFAULT_PROJECT;
use trellis_trace::{Collector, CollectorConfig, ExporterConfig, TraceStore};

use super::export;

pub(crate) const DEFAULT_LISTEN: &str = "127.0.0.1:8001";
pub(crate) const DEFAULT_STORE: &str = ".trellis/traces.db";
const SERVICE_NAME: &str = "trellis-server";

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
    /// Largest chat message accepted, in bytes (a larger one gets 413).
    #[arg(
        long,
        env = "TRELLIS_MAX_MESSAGE_BYTES",
        default_value_t = trellis_agent::server::DEFAULT_MAX_MESSAGE_BYTES
    )]
    max_message_bytes: usize,
    /// Largest OTLP export request the collector accepts on `/v1/traces`, in
    /// bytes (a larger one gets 413).
    #[arg(
        long,
        env = "TRELLIS_MAX_OTLP_BODY_BYTES",
        default_value_t = trellis_trace::collector::DEFAULT_MAX_BODY_BYTES
    )]
    max_otlp_body_bytes: usize,
    /// The SQLite trace store the collector writes to.
    #[arg(long, env = "TRELLIS_STORE", default_value = DEFAULT_STORE)]
    store: PathBuf,
    /// The project of traces that do not name one.
    #[arg(long, env = "TRELLIS_PROJECT", default_value = DEFAULT_PROJECT)]
    project: String,
    /// Most rows one `POST /btql` query may return (a larger LIMIT is
    /// lowered to it).
    #[arg(long, default_value_t = MAX_LIMIT)]
    btql_max_rows: u64,
    /// Milliseconds one `POST /btql` query may run before it is interrupted.
    #[arg(long, default_value_t = DEFAULT_TIME_LIMIT.as_millis() as u64)]
    btql_timeout_ms: u64,
    /// Allow listening on a non-loopback address without TRELLIS_TOKEN set.
    #[arg(long)]
    allow_remote: bool,
}

pub(crate) async fn run(args: ServerArgs) -> anyhow::Result<ExitCode> {
    let token = super::token()?;
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
    let provider = build_provider(&choice, api_key.clone(), base_url.clone())?;
    let models = ProviderFactory::new(api_key, base_url);
    if args.project.trim().is_empty() {
        anyhow::bail!("--project must not be empty");
    }
    if args.max_message_bytes == 0 || args.max_otlp_body_bytes == 0 {
        anyhow::bail!("--max-message-bytes and --max-otlp-body-bytes must be at least 1");
    }
    if args.btql_max_rows == 0 || args.btql_timeout_ms == 0 {
        anyhow::bail!("--btql-max-rows and --btql-timeout-ms must be at least 1");
    }
    let defaults = BtqlConfig::default();
    let btql = BtqlConfig {
        default_limit: defaults.default_limit.min(args.btql_max_rows),
        max_limit: args.btql_max_rows,
        time_limit: Duration::from_millis(args.btql_timeout_ms),
    };
    let store_path = args.store.clone();
    let store = tokio::task::spawn_blocking(move || TraceStore::open(store_path)).await??;
    let collector = Collector::new(
        Arc::new(store),
        CollectorConfig {
            default_project: args.project.clone(),
            max_body_bytes: args.max_otlp_body_bytes,
        },
    );
    // The server's own spans go straight into its store, unless the OTel
    // variables send them elsewhere.
    // `OTEL_TRACES_EXPORTER=none` turns the server's own spans off too (the
    // collector still stores what others send).
    let mut destinations = Vec::new();
    if !export::disabled(None) {
        destinations.push(match export::chosen_endpoint(None) {
            Some(url) => export::otlp(&url, SERVICE_NAME, token.as_ref()),
            None => ExporterConfig::in_process(collector.clone()).with_service_name(SERVICE_NAME),
        });
        destinations.extend(export::braintrust(SERVICE_NAME, &args.project));
    }
    let exporter = export::start(destinations, true)?;

    let config = ServerConfig {
        max_model_calls: args.max_model_calls,
        max_conversations: args.max_conversations,
        conversation_idle_timeout: Duration::from_secs(args.conversation_idle_minutes * 60),
        max_history_messages: args.max_history_messages,
        max_message_bytes: args.max_message_bytes,
        exporter: exporter.clone(),
        collector: Some(collector),
        btql,
        project: args.project,
        token: token.clone(),
        models,
        ..ServerConfig::new(args.worker, provider)
    };
    let listener = super::bind(&args.listen, args.allow_remote, token.is_some(), "server").await?;
    let served = trellis_agent::serve(listener, config, super::shutdown_signal()).await;
    export::flush(&exporter, export::SHUTDOWN_FLUSH_TIMEOUT).await;
    served?;
    Ok(ExitCode::SUCCESS)
}
