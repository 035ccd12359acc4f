//! The conversation server's API: `POST /api/chat`.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// `POST /api/chat` request body.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChatRequest {
    /// The user's message for this turn.
    pub message: String,
    /// Continue this conversation; absent starts a new one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conversation_id: Option<String>,
    /// Answer this turn with another model than the server's own:
    /// `offline`, `anthropic`, `anthropic:<model>` or a `claude-*` name.
    /// Anthropic models need the server to have an API key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
}

/// `POST /api/chat` response body.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChatResponse {
    pub conversation_id: String,
    /// The assistant's answer for this turn.
    pub response: String,
    /// The trace this turn was recorded in (32 hex digits).
    pub trace_id: String,
    /// Which model provider and model answered (e.g. `offline`,
    /// `claude-sonnet-4-5`).
    pub model: String,
    /// Every tool call made during the turn, in the order the model asked.
    pub tool_calls: Vec<ToolCallRecord>,
    pub usage: Usage,
    /// How many times the model was called during the turn.
    pub model_calls: u32,
    /// Why the turn ended: `end_turn`, `max_tokens` or `max_model_calls`.
    pub stop_reason: String,
}

/// One tool call made while answering a turn.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ToolCallRecord {
    pub name: String,
    pub input: Value,
    /// The tool's output, or the error body when `is_error`.
    pub output: Value,
    pub is_error: bool,
    pub duration_ms: f64,
}

/// Tokens the model consumed over the turn (summed over model calls).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Usage {
    pub input_tokens: u64,
    pub output_tokens: u64,
}
