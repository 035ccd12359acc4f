//! The conversation server's HTTP surface: `POST /api/chat`, `GET /healthz`,
//! `GET /metrics`, and (when a collector is configured) the trace collector's
//! `POST /v1/traces` and `GET /api/traces/{trace_id}` and the trace query
//! endpoint `POST /btql` over the collector's store. [`app`] builds the
//! router (tested with `oneshot`, no socket); [`serve`] runs it on a listener
//! the caller bound. Every failure is answered as `{"error": {"kind",
//! "message"}}`.
//!
//! Each chat turn is a `server_process_turn` span continuing the caller's
//! trace (from `traceparent` or `x-bt-parent-span`; a malformed header starts
//! a new trace and is logged), and the response's `trace_id` names it.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{json, Value};
use tokio::net::TcpListener;
use trellis_api::chat::{ChatRequest, ChatResponse};
use trellis_api::http::{unknown_route, with_bearer_auth, wrong_method, ApiError, JsonBody};
use trellis_api::{BearerToken, ErrorKind};
use trellis_trace::btql::BtqlConfig;
use trellis_trace::propagation::DEFAULT_PROJECT;
use trellis_trace::{extract_trace_context, Collector, Exporter, Span, SpanType};

use crate::conversation::{
    Agent, ConversationStore, StoreLimits, TurnError, TurnOutcome, DEFAULT_CONVERSATION_IDLE,
    DEFAULT_MAX_CONVERSATIONS, DEFAULT_MAX_HISTORY_MESSAGES, DEFAULT_MAX_MODEL_CALLS,
};
use crate::provider::{ModelChoice, ModelChoiceError, ModelProvider, ProviderFactory};
use crate::worker_client::{WorkerClient, WorkerClientError};

/// Where the tool worker listens unless configured otherwise.
pub const DEFAULT_WORKER_URL: &str = "http://127.0.0.1:8002";
/// Longest user message accepted, in bytes (UTF-8).
pub const DEFAULT_MAX_MESSAGE_BYTES: usize = 100 * 1024;
/// The span name of one chat turn on the server.
pub const TURN_SPAN: &str = "server_process_turn";

/// Everything the conversation server needs, validated by the caller.
#[derive(Clone)]
pub struct ServerConfig {
    /// Base URL of the tool worker, e.g. `http://127.0.0.1:8002`.
    pub worker_url: String,
    /// The model that answers (see [`crate::provider::build_provider`]).
    pub provider: Arc<dyn ModelProvider>,
    /// Builds the models a chat request may ask for instead (`"model"`);
    /// the default can build only `offline`.
    pub models: ProviderFactory,
    /// Model calls allowed per turn.
    pub max_model_calls: u32,
    /// Conversations kept in memory; the least recently used goes first.
    pub max_conversations: usize,
    /// A conversation unused this long is forgotten.
    pub conversation_idle_timeout: Duration,
    /// Messages kept per conversation (oldest whole turns dropped first).
    pub max_history_messages: usize,
    /// Longest user message accepted, in bytes; longer ones get 413.
    pub max_message_bytes: usize,
    /// Where the server's own spans go (turns, model calls).
    pub exporter: Exporter,
    /// The trace collector to serve (`POST /v1/traces`,
    /// `GET /api/traces/{trace_id}`); `None` serves no trace routes.
    pub collector: Option<Collector>,
    /// Row and time limits of `POST /btql` queries (served with the
    /// collector).
    pub btql: BtqlConfig,
    /// The project of traces that do not name one.
    pub project: String,
    /// When set, every route but `/healthz` requires `Authorization: Bearer
    /// <token>`, and calls to the worker carry it.
    pub token: Option<BearerToken>,
}

impl ServerConfig {
    /// The defaults for everything but the worker and the model.
    pub fn new(worker_url: impl Into<String>, provider: Arc<dyn ModelProvider>) -> Self {
        ServerConfig {
            worker_url: worker_url.into(),
            provider,
            models: ProviderFactory::default(),
            max_model_calls: DEFAULT_MAX_MODEL_CALLS,
            max_conversations: DEFAULT_MAX_CONVERSATIONS,
            conversation_idle_timeout: DEFAULT_CONVERSATION_IDLE,
            max_history_messages: DEFAULT_MAX_HISTORY_MESSAGES,
            max_message_bytes: DEFAULT_MAX_MESSAGE_BYTES,
            exporter: Exporter::disabled(),
            collector: None,
            btql: BtqlConfig::default(),
            project: DEFAULT_PROJECT.to_string(),
            token: None,
        }
    }
}

impl std::fmt::Debug for ServerConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServerConfig")
            .field("worker_url", &self.worker_url)
            .field("model", &self.provider.name())
            .field("max_model_calls", &self.max_model_calls)
            .field("max_conversations", &self.max_conversations)
            .field("conversation_idle_timeout", &self.conversation_idle_timeout)
            .field("max_history_messages", &self.max_history_messages)
            .field("max_message_bytes", &self.max_message_bytes)
            .field("exporter", &self.exporter.destination_stats())
            .field(
                "store",
                &self.collector.as_ref().map(|c| c.store().path().to_owned()),
            )
            .field("btql", &self.btql)
            .field("project", &self.project)
            .field("token", &self.token)
            .finish()
    }
}

/// Why the server could not start or stopped with an error.
#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    /// The worker URL or its HTTP client is unusable.
    #[error(transparent)]
    Worker(#[from] WorkerClientError),
    /// The listener has no local address.
    #[error("cannot read the listener's address: {0}")]
    LocalAddr(#[source] std::io::Error),
    /// Serving failed.
    #[error("the conversation server failed: {0}")]
    Serve(#[source] std::io::Error),
}

/// The server's shared state: the agent and the conversations.
#[derive(Clone, Debug)]
pub struct AppState {
    inner: Arc<Shared>,
}

#[derive(Debug)]
struct Shared {
    agent: Agent,
    models: ProviderFactory,
    store: ConversationStore,
    max_message_bytes: usize,
    exporter: Exporter,
    collector: Option<Collector>,
    btql: BtqlConfig,
    project: String,
    token: Option<BearerToken>,
}

impl AppState {
    /// State for `config`; fails if the worker URL is unusable.
    pub fn new(config: ServerConfig) -> Result<Self, ServerError> {
        let worker = WorkerClient::new(&config.worker_url)?.with_token(config.token.clone());
        let agent = Agent::new(config.provider, worker, config.max_model_calls)
            .with_exporter(config.exporter.clone());
        let store = ConversationStore::new(StoreLimits {
            max_conversations: config.max_conversations,
            idle_timeout: config.conversation_idle_timeout,
            max_history_messages: config.max_history_messages,
        });
        Ok(AppState {
            inner: Arc::new(Shared {
                agent,
                models: config.models,
                store,
                max_message_bytes: config.max_message_bytes,
                exporter: config.exporter,
                collector: config.collector,
                btql: config.btql,
                project: config.project,
                token: config.token,
            }),
        })
    }

    /// Where the server's spans go.
    pub fn exporter(&self) -> &Exporter {
        &self.inner.exporter
    }

    /// The agent that runs turns.
    pub fn agent(&self) -> &Agent {
        &self.inner.agent
    }

    /// The conversations.
    pub fn store(&self) -> &ConversationStore {
        &self.inner.store
    }

    /// The agent for a turn that asks for `model` (none: the server's own).
    fn agent_for(&self, model: Option<&str>) -> Result<Agent, ApiError> {
        let own = self.agent();
        let Some(model) = model.map(str::trim).filter(|m| !m.is_empty()) else {
            return Ok(own.with_provider(own.provider()));
        };
        let choice: ModelChoice = model
            .parse()
            .map_err(|e: ModelChoiceError| ApiError::bad_request(format!("`model`: {e}")))?;
        if choice.name() == own.model_name() {
            return Ok(own.with_provider(own.provider()));
        }
        let provider = self.inner.models.provider(&choice).map_err(|e| {
            ApiError::bad_request(format!(
                "`model` `{model}` cannot be used by this server: {e}"
            ))
        })?;
        Ok(own.with_provider(provider))
    }
}

/// The router: `POST /api/chat`, `GET /healthz`, `GET /metrics`, and the
/// collector's routes and `POST /btql` when there is a collector; unknown
/// routes 404 and wrong methods 405, both with error bodies.
pub fn app(state: AppState) -> Router {
    // Room for the largest message even if JSON escaping doubles it, plus the
    // rest of the body. A larger body is refused with 413 while it is read,
    // before it is buffered whole.
    let body_limit = state.inner.max_message_bytes.saturating_mul(2) + 16 * 1024;
    let collector = state.inner.collector.clone();
    let btql = state.inner.btql.clone();
    let token = state.inner.token.clone();
    let router = Router::new()
        .route("/api/chat", post(chat))
        .route("/healthz", get(healthz))
        .route("/metrics", get(metrics))
        .fallback(unknown_route)
        .method_not_allowed_fallback(wrong_method)
        .layer(DefaultBodyLimit::max(body_limit))
        .with_state(state);
    // Merged after the layer above: OTLP batches, queries, datasets and
    // experiments keep their own body limits.
    let router = match collector {
        Some(collector) => router
            .merge(trellis_trace::btql::routes(collector.store().clone(), btql))
            .merge(trellis_trace::objects::routes(
                collector.store().clone(),
                trellis_trace::ObjectsConfig::default(),
            ))
            .merge(trellis_trace::routes(collector)),
        None => router,
    };
    with_bearer_auth(router, token)
}

/// Serve on `listener` until `shutdown` completes. Prints
/// `listening on http://ADDR` to stdout once ready (tests and scripts wait
/// for that line).
pub async fn serve(
    listener: TcpListener,
    config: ServerConfig,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), ServerError> {
    let state = AppState::new(config)?;
    let addr = listener.local_addr().map_err(ServerError::LocalAddr)?;
    tracing::info!(
        model = state.agent().model_name(),
        worker = state.agent().worker().base_url(),
        store = %state
            .inner
            .collector
            .as_ref()
            .map_or_else(|| "(none)".to_string(), |c| c.store().path().display().to_string()),
        project = %state.inner.project,
        authenticated = state.inner.token.is_some(),
        "conversation server ready"
    );
    println!("listening on http://{addr}");
    axum::serve(listener, app(state))
        .with_graceful_shutdown(shutdown)
        .await
        .map_err(ServerError::Serve)
}

async fn healthz(State(state): State<AppState>) -> Json<Value> {
    Json(json!({
        "status": "ok",
        "model": state.agent().model_name(),
        "worker": state.agent().worker().base_url(),
    }))
}

/// `GET /metrics`: the span exporter's counters and the conversations held,
/// in the Prometheus text format.
async fn metrics(State(state): State<AppState>) -> Response {
    let mut body = String::from(
        "# HELP trellis_server_conversations Conversations held in memory.\n\
         # TYPE trellis_server_conversations gauge\n",
    );
    body.push_str(&format!(
        "trellis_server_conversations {}\n",
        state.store().len()
    ));
    body.push_str(&state.inner.exporter.render_prometheus());
    (
        StatusCode::OK,
        [("content-type", "text/plain; version=0.0.4")],
        body,
    )
        .into_response()
}

async fn chat(
    State(state): State<AppState>,
    headers: HeaderMap,
    JsonBody(request): JsonBody<ChatRequest>,
) -> Result<Json<ChatResponse>, ApiError> {
    let message = request.message;
    if message.trim().is_empty() {
        return Err(ApiError::bad_request(
            "`message` is empty: send the question to ask",
        ));
    }
    let limit = state.inner.max_message_bytes;
    if message.len() > limit {
        return Err(ApiError::payload_too_large(format!(
            "`message` is {} bytes; the limit is {limit} bytes",
            message.len()
        )));
    }
    let agent = state.agent_for(request.model.as_deref())?;
    let mut span = extract_trace_context(&headers)
        .start_span(TURN_SPAN, SpanType::Task)
        .with_default_project(state.inner.project.as_str());
    span.log_input(json!(message));
    span.log_metadata_value(json!({ "model": agent.model_name() }));
    let existing = request.conversation_id.filter(|id| !id.trim().is_empty());
    if let Some(id) = &existing {
        span.log_metadata_value(json!({ "conversation_id": id }));
    }
    let result = run_turn(&state, &agent, existing, &message, &span).await;
    match result {
        Ok((conversation_id, outcome)) => {
            span.log_output(json!(outcome.response));
            span.log_metadata_value(json!({
                "conversation_id": conversation_id,
                "model_calls": outcome.model_calls,
                "tool_calls": outcome.tool_calls.len(),
                "tools": outcome.tool_calls.iter().map(|c| c.name.as_str()).collect::<Vec<_>>(),
                "stop_reason": outcome.stop_reason,
            }));
            span.add_usage(outcome.usage.input_tokens, outcome.usage.output_tokens);
            let trace_id = span.trace_id().to_owned();
            state.inner.exporter.export(span.end());
            Ok(Json(chat_response(
                conversation_id,
                trace_id,
                agent.model_name(),
                outcome,
            )))
        }
        Err(error) => {
            span.set_error(error.body.message.clone());
            state.inner.exporter.export(span.end());
            Err(error)
        }
    }
}

/// Runs one turn of a new or existing conversation under `span`.
async fn run_turn(
    state: &AppState,
    agent: &Agent,
    existing: Option<String>,
    message: &str,
    span: &Span,
) -> Result<(String, TurnOutcome), ApiError> {
    let store = state.store();
    let trace = span.context();
    match existing {
        Some(id) => {
            let history = store.get(&id).ok_or_else(|| {
                ApiError::not_found(format!(
                    "conversation `{id}` not found (it may have expired)"
                ))
            })?;
            // Held for the whole turn: turns of one conversation queue up.
            let mut history = history.lock().await;
            let outcome = agent
                .run_turn_traced(&history, message, trace)
                .await
                .map_err(upstream)?;
            store.append(&mut history, outcome.messages.clone());
            Ok((id, outcome))
        }
        None => {
            let outcome = agent
                .run_turn_traced(&[], message, trace)
                .await
                .map_err(upstream)?;
            let id = store.insert(outcome.messages.clone());
            Ok((id, outcome))
        }
    }
}

fn chat_response(
    conversation_id: String,
    trace_id: String,
    model: &str,
    outcome: TurnOutcome,
) -> ChatResponse {
    ChatResponse {
        conversation_id,
        response: outcome.response,
        trace_id,
        model: model.to_string(),
        tool_calls: outcome.tool_calls,
        usage: outcome.usage,
        model_calls: outcome.model_calls,
        stop_reason: outcome.stop_reason,
    }
}

/// A failed model call is the upstream's fault: 502 with its reason.
fn upstream(error: TurnError) -> ApiError {
    tracing::error!("turn failed: {error}");
    ApiError::new(
        StatusCode::BAD_GATEWAY,
        ErrorKind::Upstream,
        error.to_string(),
    )
}
