//! The tool worker's API: `GET /v1/tools` and `POST /v1/tools/{name}/call`.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::ErrorBody;

/// `GET /v1/tools`: every tool the worker serves right now.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ToolList {
    /// Grows on every change of the tool set (a plugin added, replaced or
    /// removed). Clients cache the list and refetch when it changes.
    pub revision: u64,
    pub tools: Vec<ToolInfo>,
}

/// One tool as the worker serves it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ToolInfo {
    pub name: String,
    pub description: String,
    /// The tool's JSON Schema, as a JSON value.
    pub input_schema: Value,
    /// The plugin (file stem of `NAME.wasm`) that provides the tool.
    pub plugin: String,
    /// `sha256:<hex>` of the plugin file that is serving.
    pub digest: String,
}

/// `POST /v1/tools/{name}/call` request body.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CallRequest {
    /// The tool input; must be a JSON object matching the tool's schema.
    pub input: Value,
}

/// `POST /v1/tools/{name}/call` response (status 200): the call ran, and
/// either succeeded (`is_error: false`, `output`) or did not (`is_error:
/// true`, `error`). The worker sends the plugin's output as the JSON text it
/// returned (`O` = `Box<RawValue>`: checked, never re-encoded); a client
/// reads it as a [`Value`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CallResponse<O = Value> {
    pub is_error: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output: Option<O>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<ErrorBody>,
    /// Wall time of the call inside the worker, instantiation included.
    pub duration_ms: f64,
    /// The receipt of the sandboxed call; absent when the call never reached
    /// a plugin (schema validation failed first).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub receipt: Option<Receipt>,
}

/// What the host measured about one sandboxed call.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Receipt {
    pub plugin: String,
    /// `sha256:<hex>` of the plugin version that ran the call.
    pub digest: String,
    pub duration_ms: f64,
    /// The largest linear memory the instance reached, in bytes.
    pub peak_memory_bytes: u64,
}
