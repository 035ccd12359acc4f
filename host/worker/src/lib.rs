//! `trellis worker`: the HTTP surface over the plugin runtime.
//!
//! - [`app`] builds the router (`GET /v1/tools`, `POST /v1/tools/{name}/call`,
//!   `GET /healthz`, `GET /metrics`) so handlers can be tested without a socket.
//! - [`serve`] loads the plugin directory, starts hot reload, and serves on a
//!   listener until the shutdown future resolves.
//! - [`metrics`]: the counters behind `GET /metrics`.
//!
//! Every tool call is traced: a `worker_execute_tool` span continuing the
//! caller's trace (from `traceparent` or `x-bt-parent-span`), and under it a
//! span named after the tool that the plugin annotates through the WIT
//! `span` import, with the host's receipt in its metrics and metadata. Spans
//! leave through the configured [`Exporter`].

use std::future::Future;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::extract::{DefaultBodyLimit, State};
use axum::http::header::RETRY_AFTER;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::value::RawValue;
use serde_json::{json, Map, Value};
use tokio::net::TcpListener;
use trellis_api::http::{
    unknown_route, with_bearer_auth, wrong_method, ApiError, JsonBody, PathParam,
};
use trellis_api::worker::{CallRequest, CallResponse, ToolInfo, ToolList};
use trellis_api::{BearerToken, ErrorBody};
use trellis_runtime::{
    CallError, CallOutcome, EngineConfig, Registry, RegistryConfig, ReloadCompiler, Watcher,
};
use trellis_trace::span::SpanEvent;
use trellis_trace::{extract_trace_context, Exporter, Span, SpanType};

pub mod metrics;

use metrics::Metrics;

/// Largest request body accepted, in bytes.
pub const DEFAULT_MAX_BODY_BYTES: usize = 1024 * 1024;
/// The span name of one tool call on the worker (its child is named after
/// the tool).
pub const EXECUTE_SPAN: &str = "worker_execute_tool";

/// Settings of a worker.
#[derive(Debug, Clone)]
pub struct WorkerConfig {
    /// The directory of plugins to load and watch.
    pub plugins_dir: PathBuf,
    /// Where compiled plugins are cached across restarts (`None`: no cache).
    pub cache_dir: Option<PathBuf>,
    /// Calls that may run at once; more wait up to `queue_timeout`, then 503.
    pub max_concurrent_calls: usize,
    /// How long a call waits for a free slot before it is refused with 503.
    pub queue_timeout: Duration,
    /// Largest request body accepted, in bytes; a larger one gets 413.
    pub max_body_bytes: usize,
    /// Watch the directory and reload plugins when it changes.
    pub hot_reload: bool,
    /// How a reloaded plugin is compiled.
    pub reload_compiler: ReloadCompiler,
    /// Where the spans of tool calls go.
    pub exporter: Exporter,
    /// When set, every route but `/healthz` requires `Authorization: Bearer
    /// <token>`.
    pub token: Option<BearerToken>,
}

impl WorkerConfig {
    /// A worker serving `plugins_dir` with the default limits, no cache, no
    /// token, and span export off.
    pub fn new(plugins_dir: impl Into<PathBuf>) -> Self {
        WorkerConfig {
            plugins_dir: plugins_dir.into(),
            cache_dir: None,
            max_concurrent_calls: trellis_runtime::engine::DEFAULT_MAX_CONCURRENT_CALLS,
            queue_timeout: trellis_runtime::registry::DEFAULT_QUEUE_TIMEOUT,
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            hot_reload: true,
            reload_compiler: ReloadCompiler::default(),
            exporter: Exporter::disabled(),
            token: None,
        }
    }
}

/// Why the worker could not start or keep serving.
#[derive(Debug, thiserror::Error)]
pub enum WorkerError {
    #[error("plugin directory `{0}` does not exist or is not a directory")]
    NoPluginDir(PathBuf),
    #[error("cannot start the plugin runtime: {0}")]
    Runtime(#[from] trellis_runtime::LoadError),
    #[error("cannot watch the plugin directory for hot reload: {0}")]
    Watch(String),
    #[error("server error: {0}")]
    Io(#[from] std::io::Error),
}

/// Shared state of the handlers.
#[derive(Clone)]
pub struct AppState {
    pub registry: Arc<Registry>,
    pub metrics: Arc<Metrics>,
    pub exporter: Exporter,
    /// The bearer token requests must carry (`None`: no access control).
    pub token: Option<BearerToken>,
}

impl AppState {
    /// State serving `registry`, exporting no spans.
    pub fn new(registry: Arc<Registry>) -> Self {
        AppState {
            registry,
            metrics: Arc::new(Metrics::default()),
            exporter: Exporter::disabled(),
            token: None,
        }
    }

    /// Requires `token` on every route but `/healthz`.
    pub fn with_token(mut self, token: Option<BearerToken>) -> Self {
        self.token = token;
        self
    }

    /// Sends the spans of tool calls to `exporter`.
    pub fn with_exporter(mut self, exporter: Exporter) -> Self {
        self.exporter = exporter;
        self
    }
}

/// The worker's router; behind the state's bearer token when it has one.
pub fn app(state: AppState, max_body_bytes: usize) -> Router {
    let token = state.token.clone();
    let router = Router::new()
        .route("/v1/tools", get(list_tools))
        .route("/v1/tools/{name}/call", post(call_tool))
        .route("/healthz", get(healthz))
        .route("/metrics", get(metrics_text))
        .fallback(unknown_route)
        .method_not_allowed_fallback(wrong_method)
        .layer(DefaultBodyLimit::max(max_body_bytes))
        .with_state(state);
    with_bearer_auth(router, token)
}

/// Builds the registry for `config`, loads the directory, and (if enabled)
/// starts hot reload. Returns the state and the watcher guard.
pub async fn start(config: &WorkerConfig) -> Result<(AppState, Option<Watcher>), WorkerError> {
    if !config.plugins_dir.is_dir() {
        return Err(WorkerError::NoPluginDir(config.plugins_dir.clone()));
    }
    let registry = Arc::new(Registry::new(RegistryConfig {
        dir: config.plugins_dir.clone(),
        engine: EngineConfig {
            max_concurrent_calls: config.max_concurrent_calls,
            cache_dir: config.cache_dir.clone(),
            // Without hot reload nothing is compiled after start-up: no
            // baseline engine is needed.
            reload_compiler: if config.hot_reload {
                config.reload_compiler
            } else {
                ReloadCompiler::Optimizing
            },
        },
        queue_timeout: config.queue_timeout,
    })?);
    let scanning = registry.clone();
    let report = tokio::task::spawn_blocking(move || scanning.scan())
        .await
        .map_err(|e| std::io::Error::other(e.to_string()))?;
    tracing::info!(
        dir = %config.plugins_dir.display(),
        plugins = report.loaded.len(),
        rejected = report.rejected.len(),
        "plugin directory loaded"
    );
    let watcher = if config.hot_reload {
        Some(
            Watcher::start(registry.clone(), trellis_runtime::watch::DEFAULT_DEBOUNCE)
                .map_err(|e| WorkerError::Watch(e.to_string()))?,
        )
    } else {
        None
    };
    Ok((
        AppState::new(registry)
            .with_exporter(config.exporter.clone())
            .with_token(config.token.clone()),
        watcher,
    ))
}

/// Serves the worker on `listener` until `shutdown` resolves. Prints
/// `listening on http://ADDR` once the plugins are loaded and the socket is
/// ready to answer.
pub async fn serve(
    listener: TcpListener,
    config: WorkerConfig,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), WorkerError> {
    let (state, _watcher) = start(&config).await?;
    let router = app(state, config.max_body_bytes);
    let addr = listener.local_addr()?;
    println!("listening on http://{addr}");
    axum::serve(listener, router)
        .with_graceful_shutdown(shutdown)
        .await?;
    Ok(())
}

async fn list_tools(State(state): State<AppState>) -> Json<ToolList> {
    let snapshot = state.registry.snapshot();
    let tools = snapshot
        .tools()
        .map(|(plugin, tool)| ToolInfo {
            name: tool.name.clone(),
            description: tool.description.clone(),
            input_schema: tool.input_schema.clone(),
            plugin: plugin.name.clone(),
            digest: plugin.digest.clone(),
        })
        .collect();
    Json(ToolList {
        revision: snapshot.revision,
        tools,
    })
}

async fn call_tool(
    State(state): State<AppState>,
    PathParam(name): PathParam<String>,
    headers: HeaderMap,
    JsonBody(request): JsonBody<CallRequest>,
) -> Result<Response, ApiError> {
    let started = Instant::now();
    // Building spans copies the input and output a few times; a worker that
    // exports nowhere skips it.
    let spans = state
        .exporter
        .is_enabled()
        .then(|| CallSpans::start(&state, &headers, &name, &request.input));
    let outcome = state.registry.call(&name, &request.input).await;
    let duration_ms = started.elapsed().as_secs_f64() * 1000.0;
    let kind = match &outcome.result {
        Ok(_) => "ok",
        Err(e) => e.kind().as_str(),
    };
    state.metrics.record_call(&name, kind, duration_ms / 1000.0);
    if let Some(spans) = spans {
        spans.finish(&state.exporter, &outcome);
    }

    match outcome.result {
        Err(CallError::UnknownTool(tool)) => Err(ApiError::not_found(format!(
            "tool `{tool}` not found; GET /v1/tools lists the tools being served"
        ))),
        Err(CallError::Busy { slots, waited }) => Ok(busy_response(slots, waited)),
        Ok(output) => Ok(Json(CallResponse::<Box<RawValue>> {
            is_error: false,
            output: Some(output),
            error: None,
            duration_ms,
            receipt: outcome.receipt,
        })
        .into_response()),
        Err(error) => Ok(Json(CallResponse::<Box<RawValue>> {
            is_error: true,
            output: None,
            error: Some(ErrorBody::new(error.kind(), error.to_string())),
            duration_ms,
            receipt: outcome.receipt,
        })
        .into_response()),
    }
}

/// The answer to a call refused because all `slots` stayed busy for
/// `waited`: 503 with an `unavailable` error naming the cause, and a
/// `Retry-After` of the queue wait rounded up to whole seconds (at least 1),
/// a fair guess at when a slot frees up.
fn busy_response(slots: usize, waited: Duration) -> Response {
    let message = CallError::Busy { slots, waited }.to_string();
    let mut response = ApiError::unavailable(message).into_response();
    let seconds = waited.as_millis().div_ceil(1000).max(1);
    response
        .headers_mut()
        .insert(RETRY_AFTER, HeaderValue::from(seconds as u64));
    response
}

/// Opens the span named after the tool, under `execute`.
/// The two spans of a call: `execute_tool` (a child of the caller's span
/// when the request carries a trace context) and, when the tool exists, the
/// tool's own span under it.
struct CallSpans {
    execute: Span,
    tool: Option<Span>,
    /// The plugin serving the tool (name, digest) when the call started.
    plugin: Option<(String, String)>,
    revision: u64,
}

impl CallSpans {
    fn start(state: &AppState, headers: &HeaderMap, name: &str, input: &Value) -> CallSpans {
        let mut execute = extract_trace_context(headers).start_span(EXECUTE_SPAN, SpanType::Task);
        execute.log_input(input.clone());
        let (plugin, revision) = {
            let snapshot = state.registry.snapshot();
            let plugin = snapshot
                .tool(name)
                .map(|(plugin, _)| (plugin.name.clone(), plugin.digest.clone()));
            (plugin, snapshot.revision)
        };
        execute.log_metadata_value(json!({ "tool": name }));
        if let Some((plugin, digest)) = &plugin {
            execute.log_metadata_value(json!({ "plugin": plugin, "digest": digest }));
        }
        let tool = plugin.is_some().then(|| {
            let mut span = execute.child(name, SpanType::Tool);
            span.log_input(input.clone());
            span
        });
        CallSpans {
            execute,
            tool,
            plugin,
            revision,
        }
    }

    /// Ends both spans with the call's outcome and queues them for export.
    fn finish(self, exporter: &Exporter, outcome: &CallOutcome) {
        let CallSpans {
            mut execute,
            tool,
            plugin,
            revision,
        } = self;
        // The output text is parsed once for both spans.
        let output = outcome.result.as_deref().map(output_value);
        if let Some(tool) = tool {
            let logged = output.as_ref().ok().cloned();
            exporter.export(finish_tool_span(
                tool,
                outcome,
                logged,
                plugin.as_ref(),
                revision,
            ));
        }
        match output {
            Ok(output) => execute.log_output(output),
            Err(error) => execute.set_error(error_value(error)),
        }
        exporter.export(execute.end());
    }
}

/// Ends the tool's span with what the plugin logged through the `span`
/// import (output, scores, metadata, events) and what the host measured:
/// output falls back to the tool's result, metadata gains the plugin, its
/// digest and the registry revision, metrics the receipt's duration and
/// peak memory; a failed call records its error.
fn finish_tool_span(
    mut span: Span,
    outcome: &CallOutcome,
    output: Option<Value>,
    plugin: Option<&(String, String)>,
    revision: u64,
) -> trellis_trace::SpanRecord {
    let notes = &outcome.notes;
    match (&notes.output, output) {
        (Some(logged), _) => span.log_output(logged.clone()),
        (None, Some(output)) => span.log_output(output),
        (None, None) => {}
    }
    for (score, value) in &notes.scores {
        span.log_score(score.clone(), *value);
    }
    span.log_metadata(notes.metadata.clone());
    // The receipt names the plugin version that actually ran; the snapshot
    // taken before the call is the fallback when it never reached one.
    let (plugin, digest) = match &outcome.receipt {
        Some(receipt) => (Some(receipt.plugin.clone()), Some(receipt.digest.clone())),
        None => (plugin.map(|p| p.0.clone()), plugin.map(|p| p.1.clone())),
    };
    span.log_metadata_value(json!({
        "plugin": plugin,
        "digest": digest,
        "revision": revision,
    }));
    if let Some(receipt) = &outcome.receipt {
        span.log_metrics([
            ("duration_ms", receipt.duration_ms),
            ("peak_memory_bytes", receipt.peak_memory_bytes as f64),
        ]);
    }
    if notes.dropped > 0 {
        span.log_metadata_value(json!({ "dropped_annotations": notes.dropped }));
    }
    if let Err(error) = &outcome.result {
        span.set_error(error_value(error));
    }
    let mut record = span.end();
    record
        .events
        .extend(notes.events.iter().map(|event| SpanEvent {
            time: event.time,
            name: event.message.clone(),
            attributes: Map::new(),
        }));
    record
}

/// A tool's output as a span's `output`. The runtime checked that the text
/// parses; were it ever not to, the span keeps the text as a string.
fn output_value(output: &RawValue) -> Value {
    serde_json::from_str(output.get()).unwrap_or_else(|_| Value::String(output.get().to_owned()))
}

/// A failed call as a span's `error`: its kind and message.
fn error_value(error: &CallError) -> Value {
    json!({ "kind": error.kind().as_str(), "message": error.to_string() })
}

async fn healthz(State(state): State<AppState>) -> Json<serde_json::Value> {
    let snapshot = state.registry.snapshot();
    Json(serde_json::json!({
        "status": "ok",
        "revision": snapshot.revision,
        "plugins": snapshot.plugins.len(),
        "tools": snapshot.tools().count(),
    }))
}

async fn metrics_text(State(state): State<AppState>) -> Response {
    let snapshot = state.registry.snapshot();
    let mut body = state.metrics.render(
        snapshot.revision,
        snapshot.plugins.len(),
        state.registry.calls_in_flight(),
    );
    body.push_str(&state.exporter.render_prometheus());
    (
        StatusCode::OK,
        [("content-type", "text/plain; version=0.0.4")],
        body,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn body_json(response: Response) -> Value {
        let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .unwrap();
        serde_json::from_slice(&bytes).unwrap()
    }

    #[tokio::test]
    async fn a_busy_refusal_is_503_with_retry_after_and_names_the_cause() {
        let response = busy_response(2, Duration::from_millis(300));
        assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(response.headers()[RETRY_AFTER], "1");
        let body = body_json(response).await;
        assert_eq!(body["error"]["kind"], "unavailable");
        let message = body["error"]["message"].as_str().unwrap();
        assert!(message.contains("all 2 call slots are busy"), "{message}");

        let long = busy_response(64, Duration::from_millis(2500));
        assert_eq!(long.headers()[RETRY_AFTER], "3");
    }
}
