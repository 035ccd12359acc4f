//! The Anthropic Messages API types (`POST /v1/messages`), faithful to the
//! JSON the API sends and accepts. Every model provider speaks these shapes,
//! the offline planner included, so the tool-use loop has one vocabulary.

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;

/// Who wrote a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// The person (and the tool results sent back on their side).
    User,
    /// The model.
    Assistant,
}

/// One message of a conversation. On input, `content` may also be a plain
/// string, which the API treats as a single text block.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Message {
    /// Who wrote it.
    pub role: Role,
    /// Its blocks, in order.
    #[serde(deserialize_with = "blocks_or_string")]
    pub content: Vec<ContentBlock>,
}

impl Message {
    /// A user message holding one text block.
    pub fn user_text(text: impl Into<String>) -> Self {
        Message {
            role: Role::User,
            content: vec![ContentBlock::text(text)],
        }
    }

    /// The text blocks of the message joined by blank lines.
    pub fn text(&self) -> String {
        join_text(&self.content)
    }

    /// Whether this is a user message the person typed (it has text and no
    /// tool results), as opposed to a message carrying tool results back.
    pub fn is_user_prompt(&self) -> bool {
        self.role == Role::User
            && self
                .content
                .iter()
                .all(|block| matches!(block, ContentBlock::Text { .. }))
            && !self.content.is_empty()
    }

    /// The `tool_use` blocks of the message, in order.
    pub fn tool_uses(&self) -> impl Iterator<Item = ToolUse<'_>> {
        self.content.iter().filter_map(|block| match block {
            ContentBlock::ToolUse { id, name, input } => Some(ToolUse { id, name, input }),
            _ => None,
        })
    }
}

/// A borrowed view of one `tool_use` block.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ToolUse<'a> {
    /// The id its `tool_result` must answer.
    pub id: &'a str,
    /// The tool to run.
    pub name: &'a str,
    /// The tool input (a JSON object).
    pub input: &'a Value,
}

/// One block of message content.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ContentBlock {
    /// Text written by the user or the model.
    Text { text: String },
    /// The model asks for a tool to be run with `input`.
    ToolUse {
        /// Unique within the conversation; the result answers it.
        id: String,
        /// The tool to run.
        name: String,
        /// The tool input (a JSON object matching the tool's schema).
        input: Value,
    },
    /// The result of the `tool_use` block with id `tool_use_id`.
    ToolResult {
        /// The `id` of the `tool_use` block this answers.
        tool_use_id: String,
        /// The tool's output (JSON text) or, when `is_error`, what went wrong.
        #[serde(deserialize_with = "text_or_blocks")]
        content: String,
        /// The tool did not succeed; `content` says why.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        is_error: bool,
    },
}

impl ContentBlock {
    /// A text block.
    pub fn text(text: impl Into<String>) -> Self {
        ContentBlock::Text { text: text.into() }
    }
}

/// The text blocks of `blocks` joined by blank lines, empty ones skipped.
pub fn join_text(blocks: &[ContentBlock]) -> String {
    let texts: Vec<&str> = blocks
        .iter()
        .filter_map(|block| match block {
            ContentBlock::Text { text } if !text.trim().is_empty() => Some(text.trim()),
            _ => None,
        })
        .collect();
    texts.join("\n\n")
}

/// A tool the model may call, in the API's format.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ToolDefinition {
    /// The name the model calls it by.
    pub name: String,
    /// What it does, for the model.
    pub description: String,
    /// JSON Schema of the tool's input.
    pub input_schema: Value,
}

/// Why the model stopped generating.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StopReason {
    /// The model finished its answer.
    EndTurn,
    /// The model wants the `tool_use` blocks of its message run.
    ToolUse,
    /// The answer hit `max_tokens` and is cut short.
    MaxTokens,
    /// A custom stop sequence was generated.
    StopSequence,
    /// The model declined to answer.
    Refusal,
    /// A long-running server-side turn was paused (server tools only).
    PauseTurn,
}

impl StopReason {
    /// The snake_case name used on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            StopReason::EndTurn => "end_turn",
            StopReason::ToolUse => "tool_use",
            StopReason::MaxTokens => "max_tokens",
            StopReason::StopSequence => "stop_sequence",
            StopReason::Refusal => "refusal",
            StopReason::PauseTurn => "pause_turn",
        }
    }
}

/// Tokens billed for one model call.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Usage {
    /// Tokens of the request.
    pub input_tokens: u64,
    /// Tokens generated.
    pub output_tokens: u64,
}

/// `POST /v1/messages` request body.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MessagesRequest {
    /// The model name, e.g. `claude-sonnet-4-5`.
    pub model: String,
    /// Most tokens the answer may have.
    pub max_tokens: u32,
    /// The system prompt.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub system: Option<String>,
    /// Alternating user/assistant messages, starting with a user message.
    pub messages: Vec<Message>,
    /// Tools the model may call.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tools: Vec<ToolDefinition>,
}

/// `POST /v1/messages` response body (status 200).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MessagesResponse {
    /// The API's id of this message (`msg_...`).
    pub id: String,
    /// The model that answered, as the API names it.
    pub model: String,
    /// Always [`Role::Assistant`].
    pub role: Role,
    /// The answer: text and `tool_use` blocks.
    pub content: Vec<ContentBlock>,
    /// Why generation stopped.
    pub stop_reason: StopReason,
    /// Tokens billed for this call.
    pub usage: Usage,
}

impl MessagesResponse {
    /// The response as the assistant message to append to the conversation.
    pub fn to_message(&self) -> Message {
        Message {
            role: Role::Assistant,
            content: self.content.clone(),
        }
    }
}

/// The API accepts `"content": "text"` as shorthand for one text block.
fn blocks_or_string<'de, D: Deserializer<'de>>(de: D) -> Result<Vec<ContentBlock>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Content {
        Text(String),
        Blocks(Vec<ContentBlock>),
    }
    Ok(match Content::deserialize(de)? {
        Content::Text(text) => vec![ContentBlock::Text { text }],
        Content::Blocks(blocks) => blocks,
    })
}

/// A `tool_result`'s content may be a string or a list of text blocks; both
/// become one string here.
fn text_or_blocks<'de, D: Deserializer<'de>>(de: D) -> Result<String, D::Error> {
    #[derive(Deserialize)]
    struct TextBlock {
        #[serde(default)]
        text: String,
    }
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Content {
        Text(String),
        Blocks(Vec<TextBlock>),
    }
    Ok(match Content::deserialize(de)? {
        Content::Text(text) => text,
        Content::Blocks(blocks) => blocks
            .into_iter()
            .map(|block| block.text)
            .collect::<Vec<_>>()
            .join("\n"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn string_content_is_one_text_block() {
        let message: Message =
            serde_json::from_value(json!({"role": "user", "content": "hello"})).unwrap();
        assert_eq!(message, Message::user_text("hello"));
    }

    #[test]
    fn blocks_round_trip_in_the_api_shape() {
        let wire = json!({
            "role": "assistant",
            "content": [
                {"type": "text", "text": "Let me check."},
                {"type": "tool_use", "id": "toolu_1", "name": "lookup_medication",
                 "input": {"medications": ["metformin"]}}
            ]
        });
        let message: Message = serde_json::from_value(wire.clone()).unwrap();
        assert_eq!(serde_json::to_value(&message).unwrap(), wire);

        let result = json!({"role": "user", "content": [
            {"type": "tool_result", "tool_use_id": "toolu_1", "content": "boom", "is_error": true}
        ]});
        let message: Message = serde_json::from_value(result.clone()).unwrap();
        assert_eq!(serde_json::to_value(&message).unwrap(), result);
    }

    #[test]
    fn tool_result_accepts_text_block_content() {
        let message: Message = serde_json::from_value(json!({"role": "user", "content": [
            {"type": "tool_result", "tool_use_id": "t", "content": [{"type": "text", "text": "42"}]}
        ]}))
        .unwrap();
        assert_eq!(
            message.content[0],
            ContentBlock::ToolResult {
                tool_use_id: "t".into(),
                content: "42".into(),
                is_error: false
            }
        );
    }

    #[test]
    fn response_ignores_fields_it_does_not_use() {
        let response: MessagesResponse = serde_json::from_value(json!({
            "id": "msg_1", "type": "message", "role": "assistant", "model": "claude-sonnet-4-5",
            "content": [{"type": "text", "text": "Hi"}], "stop_reason": "end_turn",
            "stop_sequence": null,
            "usage": {"input_tokens": 3, "output_tokens": 1, "cache_read_input_tokens": 0}
        }))
        .unwrap();
        assert_eq!(response.stop_reason, StopReason::EndTurn);
        assert_eq!(response.usage.output_tokens, 1);
    }
}
