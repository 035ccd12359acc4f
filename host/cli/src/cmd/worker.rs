//! `trellis worker`: load a plugin directory and serve its tools.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::Args;
use trellis_runtime::ReloadCompiler;
use trellis_trace::propagation::DEFAULT_PROJECT;
use trellis_worker::WorkerConfig;

use super::export;

pub(crate) const DEFAULT_LISTEN: &str = "127.0.0.1:8002";
/// The default server's collector.
pub(crate) const DEFAULT_COLLECTOR: &str = "http://127.0.0.1:8001/v1/traces";
const SERVICE_NAME: &str = "trellis-worker";
pub(crate) const DEFAULT_PLUGINS: &str = "plugins/dist";
pub(crate) const DEFAULT_CACHE: &str = ".trellis/cache";

#[derive(Debug, Args)]
pub(crate) struct WorkerArgs {
    /// Address to listen on (`127.0.0.1:0` picks a free port).
    #[arg(long, env = "TRELLIS_WORKER_LISTEN", default_value = DEFAULT_LISTEN)]
    listen: String,
    /// Directory of plugin components (`NAME.wasm`, optional `NAME.toml`).
    #[arg(long, env = "TRELLIS_PLUGINS", default_value = DEFAULT_PLUGINS)]
    plugins: PathBuf,
    /// Directory for compiled plugins, so restarts skip compilation.
    #[arg(long, env = "TRELLIS_CACHE", default_value = DEFAULT_CACHE)]
    cache_dir: PathBuf,
    /// Compile every start from scratch.
    #[arg(long)]
    no_cache: bool,
    /// Calls that may run at once; more wait briefly, then get 503.
    #[arg(
        long,
        env = "TRELLIS_MAX_CONCURRENT_CALLS",
        default_value_t = trellis_runtime::engine::DEFAULT_MAX_CONCURRENT_CALLS
    )]
    max_concurrent_calls: usize,
    /// How long a call waits for a free slot, in milliseconds.
    #[arg(
        long,
        env = "TRELLIS_QUEUE_TIMEOUT_MS",
        default_value_t = trellis_runtime::registry::DEFAULT_QUEUE_TIMEOUT.as_millis() as u64
    )]
    queue_timeout_ms: u64,
    /// Largest request body accepted, in bytes (a larger one gets 413).
    #[arg(
        long,
        env = "TRELLIS_WORKER_MAX_BODY_BYTES",
        default_value_t = trellis_worker::DEFAULT_MAX_BODY_BYTES
    )]
    max_body_bytes: usize,
    /// Do not watch the plugin directory for changes.
    #[arg(long)]
    no_hot_reload: bool,
    /// How a plugin that changes while the worker runs is compiled:
    /// `tiered` serves it at once on Winch's quickly compiled code and
    /// switches to Cranelift's optimised code when that is ready;
    /// `optimizing` waits for Cranelift; `baseline` stays on Winch's code.
    #[arg(
        long,
        env = "TRELLIS_RELOAD_COMPILER",
        value_enum,
        default_value_t = ReloadCompilerArg::Tiered
    )]
    reload_compiler: ReloadCompilerArg,
    /// OTLP/HTTP traces URL to send spans to. Default: the
    /// OTEL_EXPORTER_OTLP_* variables if set, else the default server's
    /// collector (http://127.0.0.1:8001/v1/traces). `none` turns export off.
    #[arg(long, value_name = "URL")]
    collector: Option<String>,
    /// The project of spans that do not inherit one from their caller (for
    /// Braintrust export).
    #[arg(long, env = "TRELLIS_PROJECT", default_value = DEFAULT_PROJECT)]
    project: String,
    /// Allow listening on a non-loopback address without TRELLIS_TOKEN set.
    #[arg(long)]
    allow_remote: bool,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum ReloadCompilerArg {
    Tiered,
    Optimizing,
    Baseline,
}

impl From<ReloadCompilerArg> for ReloadCompiler {
    fn from(arg: ReloadCompilerArg) -> Self {
        match arg {
            ReloadCompilerArg::Tiered => ReloadCompiler::Tiered,
            ReloadCompilerArg::Optimizing => ReloadCompiler::Optimizing,
            ReloadCompilerArg::Baseline => ReloadCompiler::Baseline,
        }
    }
}

pub(crate) async fn run(args: WorkerArgs) -> anyhow::Result<ExitCode> {
    if args.max_concurrent_calls == 0 {
        anyhow::bail!("--max-concurrent-calls must be at least 1");
    }
    if args.max_body_bytes == 0 {
        anyhow::bail!("--max-body-bytes must be at least 1");
    }
    let token = super::token()?;
    let mut destinations = Vec::new();
    if !export::disabled(args.collector.as_deref()) {
        let collector = export::chosen_endpoint(args.collector.as_deref())
            .unwrap_or_else(|| DEFAULT_COLLECTOR.to_string());
        destinations.push(export::otlp(&collector, SERVICE_NAME, token.as_ref()));
    }
    destinations.extend(export::braintrust(SERVICE_NAME, &args.project));
    let exporter = export::start(destinations, true)?;
    let config = WorkerConfig {
        cache_dir: (!args.no_cache).then_some(args.cache_dir),
        max_concurrent_calls: args.max_concurrent_calls,
        queue_timeout: Duration::from_millis(args.queue_timeout_ms),
        max_body_bytes: args.max_body_bytes,
        hot_reload: !args.no_hot_reload,
        reload_compiler: args.reload_compiler.into(),
        exporter: exporter.clone(),
        token: token.clone(),
        ..WorkerConfig::new(args.plugins)
    };
    let listener = super::bind(&args.listen, args.allow_remote, token.is_some(), "worker").await?;
    let served = trellis_worker::serve(listener, config, super::shutdown_signal()).await;
    export::flush(&exporter, export::SHUTDOWN_FLUSH_TIMEOUT).await;
    served?;
    Ok(ExitCode::SUCCESS)
}
