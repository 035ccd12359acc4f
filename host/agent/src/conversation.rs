//! The tool-use loop and the conversation store.
//!
//! [`Agent::run_turn`] answers one user message: it calls the model, runs
//! every `tool_use` block of a response concurrently on the worker, sends the
//! results back, and repeats until the model ends its turn or the model-call
//! cap is reached. [`ConversationStore`] keeps histories between turns,
//! bounded in count, idle age and length.
//!
//! A traced turn ([`Agent::run_turn_traced`]) records each model call as a
//! `claude_messages_create` span (type llm) under the caller's span, and
//! sends that span's context to the worker with every tool call, so the
//! worker's `worker_execute_tool` spans hang under it too.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures::future::join_all;
use http::HeaderMap;
use rand::RngCore;
use serde_json::{json, Value};
use trellis_api::chat::{ToolCallRecord, Usage as ChatUsage};
use trellis_trace::{inject_trace_context, Exporter, SpanContext, SpanType};

use crate::messages::{ContentBlock, Message, MessagesResponse, Role, StopReason, ToolDefinition};
use crate::provider::{ModelProvider, ModelRequest, ProviderError};
use crate::worker_client::{ToolOutcome, WorkerClient};

/// Model calls allowed per turn before the loop gives up.
pub const DEFAULT_MAX_MODEL_CALLS: u32 = 8;
/// Conversations kept at once; the least recently used goes first.
pub const DEFAULT_MAX_CONVERSATIONS: usize = 1000;
/// A conversation unused this long is forgotten.
pub const DEFAULT_CONVERSATION_IDLE: Duration = Duration::from_secs(60 * 60);
/// Messages kept per conversation; the oldest whole turns go first.
pub const DEFAULT_MAX_HISTORY_MESSAGES: usize = 200;

/// The `stop_reason` of a turn cut off by the model-call cap.
pub const STOP_MAX_MODEL_CALLS: &str = "max_model_calls";

/// Why a turn could not be answered.
#[derive(Debug, thiserror::Error)]
pub enum TurnError {
    /// A model call failed (after the provider's own retries).
    #[error("model `{model}` failed: {source}")]
    Model {
        model: String,
        #[source]
        source: ProviderError,
    },
}

/// The answer to one user message.
#[derive(Debug, Clone, PartialEq)]
pub struct TurnOutcome {
    /// The assistant's final text.
    pub response: String,
    /// Every tool call, in the order the model asked for them.
    pub tool_calls: Vec<ToolCallRecord>,
    /// Tokens summed over the turn's model calls.
    pub usage: ChatUsage,
    /// How many times the model was called.
    pub model_calls: u32,
    /// `end_turn`, `max_tokens`, `stop_sequence`, `refusal` or
    /// [`STOP_MAX_MODEL_CALLS`].
    pub stop_reason: String,
    /// The messages this turn adds to the history: the user message, then
    /// alternating assistant/user(tool results), ending with an assistant
    /// message.
    pub messages: Vec<Message>,
}

/// The span name of one model call, whatever the provider (the seed's name;
/// `metadata.model` says which model answered).
pub const MODEL_CALL_SPAN: &str = "claude_messages_create";

/// Runs turns: a model provider, a worker, the loop's limits, and where the
/// spans of traced turns go.
pub struct Agent {
    provider: Arc<dyn ModelProvider>,
    worker: Arc<WorkerClient>,
    max_model_calls: u32,
    exporter: Exporter,
}

impl std::fmt::Debug for Agent {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Agent")
            .field("model", &self.provider.name())
            .field("worker", &self.worker.base_url())
            .field("max_model_calls", &self.max_model_calls)
            .field("exporter", &self.exporter.stats())
            .finish()
    }
}

impl Agent {
    /// An agent that stops a turn after `max_model_calls` model calls (at
    /// least 1).
    pub fn new(
        provider: Arc<dyn ModelProvider>,
        worker: WorkerClient,
        max_model_calls: u32,
    ) -> Self {
        Agent {
            provider,
            worker: Arc::new(worker),
            max_model_calls: max_model_calls.max(1),
            exporter: Exporter::disabled(),
        }
    }

    /// Sends the spans of traced turns to `exporter` (by default they are
    /// discarded).
    pub fn with_exporter(mut self, exporter: Exporter) -> Self {
        self.exporter = exporter;
        self
    }

    /// This agent with `provider` answering instead: same worker, limits
    /// and exporter (for a turn that asks for another model).
    pub fn with_provider(&self, provider: Arc<dyn ModelProvider>) -> Agent {
        Agent {
            provider,
            worker: self.worker.clone(),
            max_model_calls: self.max_model_calls,
            exporter: self.exporter.clone(),
        }
    }

    /// The model provider.
    pub fn provider(&self) -> Arc<dyn ModelProvider> {
        self.provider.clone()
    }

    /// The model provider's name (`offline`, `claude-sonnet-4-5`, ...).
    pub fn model_name(&self) -> &str {
        self.provider.name()
    }

    /// The worker client.
    pub fn worker(&self) -> &WorkerClient {
        &self.worker
    }

    /// Answer `user_message` given the earlier `history`, recording no spans.
    pub async fn run_turn(
        &self,
        history: &[Message],
        user_message: &str,
    ) -> Result<TurnOutcome, TurnError> {
        self.turn(history, user_message, None).await
    }

    /// [`Agent::run_turn`], traced: every model call is a span under
    /// `parent`, and every worker request carries `parent` in its headers.
    pub async fn run_turn_traced(
        &self,
        history: &[Message],
        user_message: &str,
        parent: &SpanContext,
    ) -> Result<TurnOutcome, TurnError> {
        self.turn(history, user_message, Some(parent)).await
    }

    async fn turn(
        &self,
        history: &[Message],
        user_message: &str,
        parent: Option<&SpanContext>,
    ) -> Result<TurnOutcome, TurnError> {
        let headers = trace_headers(parent);
        let tools = self.worker.tools(&headers).await.definitions();
        let mut messages = history.to_vec();
        let turn_start = messages.len();
        messages.push(Message::user_text(user_message));

        let mut tool_calls = Vec::new();
        let mut usage = ChatUsage::default();
        let mut model_calls = 0;
        loop {
            if model_calls >= self.max_model_calls {
                let response = format!(
                    "Stopped after {model_calls} model calls without a final answer; the \
                     tool calls made so far are recorded with this turn. Ask a narrower \
                     question or raise the model-call limit."
                );
                messages.push(Message {
                    role: Role::Assistant,
                    content: vec![ContentBlock::text(&response)],
                });
                return Ok(TurnOutcome {
                    response,
                    tool_calls,
                    usage,
                    model_calls,
                    stop_reason: STOP_MAX_MODEL_CALLS.to_string(),
                    messages: messages.split_off(turn_start),
                });
            }
            let response = self.call_model(&messages, &tools, parent).await?;
            model_calls += 1;
            usage.input_tokens += response.usage.input_tokens;
            usage.output_tokens += response.usage.output_tokens;

            let assistant = response.to_message();
            let tool_uses: Vec<(String, String, Value)> = assistant
                .tool_uses()
                .map(|t| (t.id.to_string(), t.name.to_string(), t.input.clone()))
                .collect();
            if response.stop_reason == StopReason::ToolUse && !tool_uses.is_empty() {
                messages.push(assistant);
                let outcomes = join_all(
                    tool_uses
                        .iter()
                        .map(|(_, name, input)| self.call_tool(name, input, parent)),
                )
                .await;
                let mut results = Vec::with_capacity(outcomes.len());
                for ((id, name, input), outcome) in tool_uses.into_iter().zip(outcomes) {
                    results.push(ContentBlock::ToolResult {
                        tool_use_id: id,
                        content: outcome.content(),
                        is_error: outcome.is_error,
                    });
                    tool_calls.push(ToolCallRecord {
                        name,
                        input,
                        output: outcome.output,
                        is_error: outcome.is_error,
                        duration_ms: outcome.duration_ms,
                    });
                }
                messages.push(Message {
                    role: Role::User,
                    content: results,
                });
                continue;
            }

            let (final_message, text) = final_answer(&response);
            messages.push(final_message);
            return Ok(TurnOutcome {
                response: text,
                tool_calls,
                usage,
                model_calls,
                stop_reason: response.stop_reason.as_str().to_string(),
                messages: messages.split_off(turn_start),
            });
        }
    }

    /// One model call. With a `parent`, it is recorded as a
    /// [`MODEL_CALL_SPAN`] span (type llm): input the messages sent, output
    /// the content returned, `metadata.model` and `stop_reason`, token
    /// counts, and the error if the call failed.
    pub async fn call_model(
        &self,
        messages: &[Message],
        tools: &[ToolDefinition],
        parent: Option<&SpanContext>,
    ) -> Result<MessagesResponse, TurnError> {
        let model = self.provider.name();
        let mut span = parent.map(|p| {
            let mut span = p.child(MODEL_CALL_SPAN, SpanType::Llm);
            span.log_input(json!(messages));
            span.log_metadata_value(json!({
                "model": model,
                "tools": tools.iter().map(|t| t.name.as_str()).collect::<Vec<_>>(),
            }));
            span
        });
        let request = ModelRequest {
            messages: messages.to_vec(),
            tools: tools.to_vec(),
        };
        let result = self
            .provider
            .create(request)
            .await
            .map_err(|source| TurnError::Model {
                model: model.to_string(),
                source,
            });
        if let Some(mut span) = span.take() {
            match &result {
                Ok(response) => {
                    span.log_output(json!(response.content));
                    span.log_metadata_value(json!({
                        "stop_reason": response.stop_reason.as_str(),
                        "response_model": response.model,
                    }));
                    span.add_usage(response.usage.input_tokens, response.usage.output_tokens);
                }
                Err(error) => span.set_error(error.to_string()),
            }
            self.exporter.export(span.end());
        }
        result
    }

    /// One tool call on the worker. With a `parent`, the request carries it
    /// in its trace headers, so the worker's spans hang under it.
    pub async fn call_tool(
        &self,
        name: &str,
        input: &Value,
        parent: Option<&SpanContext>,
    ) -> ToolOutcome {
        self.worker
            .call_tool(name, input, &trace_headers(parent))
            .await
    }
}

/// The headers that carry `parent` to the worker (none without a parent).
fn trace_headers(parent: Option<&SpanContext>) -> HeaderMap {
    let mut headers = HeaderMap::new();
    if let Some(parent) = parent {
        inject_trace_context(parent, &mut headers);
    }
    headers
}

/// The message kept in the history for a response that ends the turn, and
/// the text shown to the user. `tool_use` blocks that will not be run are
/// dropped (the API rejects a history with unanswered calls), and an empty
/// answer gets a placeholder (the API rejects empty assistant messages).
fn final_answer(response: &MessagesResponse) -> (Message, String) {
    let mut content: Vec<ContentBlock> = response
        .content
        .iter()
        .filter(|block| matches!(block, ContentBlock::Text { text } if !text.trim().is_empty()))
        .cloned()
        .collect();
    let mut text = crate::messages::join_text(&content);
    if text.is_empty() {
        text = format!(
            "The model returned no text (stop reason: {}).",
            response.stop_reason.as_str()
        );
        content = vec![ContentBlock::text(&text)];
    }
    (
        Message {
            role: Role::Assistant,
            content,
        },
        text,
    )
}

/// Limits of a [`ConversationStore`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StoreLimits {
    /// Conversations kept; the least recently used is evicted first.
    pub max_conversations: usize,
    /// A conversation unused this long is forgotten.
    pub idle_timeout: Duration,
    /// Messages kept per conversation; the oldest whole turns go first.
    pub max_history_messages: usize,
}

impl Default for StoreLimits {
    fn default() -> Self {
        StoreLimits {
            max_conversations: DEFAULT_MAX_CONVERSATIONS,
            idle_timeout: DEFAULT_CONVERSATION_IDLE,
            max_history_messages: DEFAULT_MAX_HISTORY_MESSAGES,
        }
    }
}

/// One conversation's history. Held behind an async lock so two turns of
/// the same conversation run one after the other, never interleaved.
pub type History = Arc<tokio::sync::Mutex<Vec<Message>>>;

struct Entry {
    history: History,
    last_used: Instant,
}

/// Conversation histories keyed by id, in memory.
pub struct ConversationStore {
    limits: StoreLimits,
    entries: Mutex<HashMap<String, Entry>>,
}

impl std::fmt::Debug for ConversationStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ConversationStore")
            .field("limits", &self.limits)
            .field("conversations", &self.len())
            .finish()
    }
}

impl ConversationStore {
    /// An empty store.
    pub fn new(limits: StoreLimits) -> Self {
        ConversationStore {
            limits,
            entries: Mutex::new(HashMap::new()),
        }
    }

    /// The store's limits.
    pub fn limits(&self) -> StoreLimits {
        self.limits
    }

    /// How many conversations are kept.
    pub fn len(&self) -> usize {
        self.lock().len()
    }

    /// Whether no conversation is kept.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The history of conversation `id`, unless it is unknown or expired.
    pub fn get(&self, id: &str) -> Option<History> {
        self.get_at(id, Instant::now())
    }

    /// Start a conversation with `messages`; its new id.
    pub fn insert(&self, messages: Vec<Message>) -> String {
        self.insert_at(messages, Instant::now())
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Entry>> {
        self.entries.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn get_at(&self, id: &str, now: Instant) -> Option<History> {
        let mut entries = self.lock();
        let idle = self.limits.idle_timeout;
        let entry = entries.get_mut(id)?;
        if now.saturating_duration_since(entry.last_used) > idle {
            entries.remove(id);
            return None;
        }
        entry.last_used = now;
        Some(entry.history.clone())
    }

    fn insert_at(&self, mut messages: Vec<Message>, now: Instant) -> String {
        trim_history(&mut messages, self.limits.max_history_messages);
        let id = conversation_id();
        let mut entries = self.lock();
        let idle = self.limits.idle_timeout;
        entries.retain(|_, entry| now.saturating_duration_since(entry.last_used) <= idle);
        while entries.len() >= self.limits.max_conversations.max(1) {
            let oldest = entries
                .iter()
                .min_by_key(|(_, entry)| entry.last_used)
                .map(|(id, _)| id.clone());
            match oldest {
                Some(oldest) => entries.remove(&oldest),
                None => break,
            };
        }
        entries.insert(
            id.clone(),
            Entry {
                history: Arc::new(tokio::sync::Mutex::new(messages)),
                last_used: now,
            },
        );
        id
    }

    /// Append a turn's messages to a history (held locked by the caller),
    /// then drop the oldest turns past the length cap.
    pub fn append(&self, history: &mut Vec<Message>, turn: Vec<Message>) {
        history.extend(turn);
        trim_history(history, self.limits.max_history_messages);
    }
}

/// Drop the oldest whole turns until at most `max` messages remain. A turn
/// starts at a user prompt, so a `tool_use` is never separated from its
/// `tool_result`; the latest turn is kept whole even if it alone is longer.
pub fn trim_history(messages: &mut Vec<Message>, max: usize) {
    if messages.len() <= max {
        return;
    }
    let starts = messages
        .iter()
        .enumerate()
        .filter(|(_, m)| m.is_user_prompt())
        .map(|(i, _)| i);
    let mut cut = None;
    for start in starts {
        cut = Some(start);
        if messages.len() - start <= max {
            break;
        }
    }
    if let Some(cut) = cut {
        messages.drain(..cut);
    }
}

/// A random UUID (version 4 layout): hard to guess, so one client cannot
/// stumble into another's conversation.
fn conversation_id() -> String {
    let mut bytes = [0u8; 16];
    rand::rng().fill_bytes(&mut bytes);
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn turn(n: usize, with_tools: bool) -> Vec<Message> {
        let mut out = vec![Message::user_text(format!("question {n}"))];
        if with_tools {
            out.push(Message {
                role: Role::Assistant,
                content: vec![ContentBlock::ToolUse {
                    id: format!("t{n}"),
                    name: "x".into(),
                    input: json!({}),
                }],
            });
            out.push(Message {
                role: Role::User,
                content: vec![ContentBlock::ToolResult {
                    tool_use_id: format!("t{n}"),
                    content: "{}".into(),
                    is_error: false,
                }],
            });
        }
        out.push(Message {
            role: Role::Assistant,
            content: vec![ContentBlock::text(format!("answer {n}"))],
        });
        out
    }

    #[test]
    fn trimming_drops_whole_turns() {
        let mut history: Vec<Message> = (0..5).flat_map(|n| turn(n, n % 2 == 0)).collect();
        // Turns are 4, 2, 4, 2, 4 messages long: 16 in all.
        trim_history(&mut history, 7);
        assert_eq!(history.len(), 6, "the last two turns fit in 7");
        assert_eq!(history[0].text(), "question 3");
        assert!(history[0].is_user_prompt());

        let mut long: Vec<Message> = turn(0, true);
        trim_history(&mut long, 2);
        assert_eq!(long.len(), 4, "the latest turn is never split");
    }

    #[test]
    fn idle_conversations_expire() {
        let store = ConversationStore::new(StoreLimits {
            idle_timeout: Duration::from_secs(60),
            ..StoreLimits::default()
        });
        let start = Instant::now();
        let id = store.insert_at(turn(0, false), start);
        assert!(store.get_at(&id, start + Duration::from_secs(59)).is_some());
        // The get above refreshed it; 61 s after that it is gone.
        assert!(store
            .get_at(&id, start + Duration::from_secs(121))
            .is_none());
        assert!(store
            .get_at(&id, start + Duration::from_secs(122))
            .is_none());
    }

    #[test]
    fn the_least_recently_used_conversation_is_evicted() {
        let store = ConversationStore::new(StoreLimits {
            max_conversations: 2,
            ..StoreLimits::default()
        });
        let t0 = Instant::now();
        let a = store.insert_at(turn(0, false), t0);
        let b = store.insert_at(turn(1, false), t0 + Duration::from_secs(1));
        assert!(store.get_at(&a, t0 + Duration::from_secs(2)).is_some());
        let c = store.insert_at(turn(2, false), t0 + Duration::from_secs(3));
        assert_eq!(store.len(), 2);
        let now = t0 + Duration::from_secs(4);
        assert!(store.get_at(&b, now).is_none(), "b was least recently used");
        assert!(store.get_at(&a, now).is_some());
        assert!(store.get_at(&c, now).is_some());
    }

    #[test]
    fn conversation_ids_are_uuid_shaped_and_distinct() {
        let a = conversation_id();
        let b = conversation_id();
        assert_ne!(a, b);
        assert_eq!(a.len(), 36);
        assert_eq!(&a[14..15], "4");
    }
}
