//! Logs → dataset: finds logged conversations with BTQL and turns each into
//! a dataset row, the healthcare example's three ways:
//!
//! - [`Selection::Recent`]: the newest conversations;
//! - [`Selection::Search`]: conversations whose question contains a term;
//! - [`Selection::Complex`]: conversations that used at least two distinct
//!   tools.
//!
//! A conversation is its `client_conversation` root span, whose output holds
//! `conversation_id`, `patient_query`, `final_response` and `total_turns`.
//! Each row is `input = {patient_query}`, `expected = {final_response}`,
//! `metadata = {conversation_id, total_turns, trace_id, source:
//! "production_logs"}`, and its id is the conversation id, so building a
//! dataset twice from the same logs adds no duplicates.

use std::collections::{BTreeSet, HashMap};

use serde_json::{json, Map, Value};
use trellis_agent::ChatClient;
use trellis_api::btql::{contains_pattern, string_literal};
use trellis_api::objects::NewDatasetRow;

use crate::EvalError;

/// The span name of a logged conversation's root.
pub const CONVERSATION_SPAN: &str = "client_conversation";
/// The tags every row built from logs carries.
pub const DEFAULT_TAGS: [&str; 2] = ["production", "healthcare"];
/// How many recent conversations `Complex` looks through for multi-tool ones.
pub const DEFAULT_COMPLEX_SCAN: usize = 500;

/// Which logged conversations to take.
#[derive(Debug, Clone, PartialEq)]
pub enum Selection {
    /// The newest `limit` conversations.
    Recent { limit: usize },
    /// Up to `limit` newest conversations whose question contains `term`
    /// (case-insensitive).
    Search { term: String, limit: usize },
    /// Up to `limit` newest conversations, among the latest `scan`, that
    /// called at least two distinct tools.
    Complex { limit: usize, scan: usize },
}

impl Selection {
    /// A short description for messages: `the 10 most recent conversations`.
    pub fn describe(&self) -> String {
        match self {
            Selection::Recent { limit } => format!("the {limit} most recent conversations"),
            Selection::Search { term, limit } => {
                format!("up to {limit} conversations whose question mentions {term:?}")
            }
            Selection::Complex { limit, scan } => format!(
                "up to {limit} conversations (of the latest {scan}) that used at least two distinct tools"
            ),
        }
    }
}

/// One logged conversation, as read from its root span.
#[derive(Debug, Clone, PartialEq)]
pub struct LoggedConversation {
    /// The trace id (`root_span_id`).
    pub trace_id: String,
    pub conversation_id: String,
    pub patient_query: String,
    pub final_response: String,
    pub total_turns: u64,
    /// The distinct tools it called (filled for `Complex` only).
    pub tools: BTreeSet<String>,
}

impl LoggedConversation {
    /// The dataset row for this conversation, tagged with `tags`.
    pub fn to_row(&self, tags: &[String]) -> NewDatasetRow {
        let mut metadata = json!({
            "conversation_id": self.conversation_id,
            "total_turns": self.total_turns,
            "trace_id": self.trace_id,
            "source": "production_logs",
        });
        if !self.tools.is_empty() {
            metadata["tools"] = json!(self.tools);
        }
        NewDatasetRow {
            id: Some(self.conversation_id.clone()),
            input: json!({ "patient_query": self.patient_query }),
            expected: json!({ "final_response": self.final_response }),
            metadata,
            tags: tags.to_vec(),
        }
    }
}

/// The conversations of `project` that `selection` picks, newest first.
/// Root spans without a question or an answer (a conversation whose only
/// turn failed) are left out.
pub async fn select(
    client: &ChatClient,
    project: &str,
    selection: &Selection,
) -> Result<Vec<LoggedConversation>, EvalError> {
    let (filter, limit) = match selection {
        Selection::Recent { limit } => (None, *limit),
        Selection::Search { term, limit } => (
            Some(format!(
                "output.patient_query ILIKE {}",
                contains_pattern(term)
            )),
            *limit,
        ),
        Selection::Complex { scan, .. } => (None, *scan),
    };
    let query = conversations_query(project, filter.as_deref(), limit);
    let rows = client.btql(&query).await?.data;
    let mut conversations: Vec<LoggedConversation> =
        rows.iter().filter_map(conversation_from_row).collect();
    if let Selection::Complex { limit, .. } = selection {
        let tools = tools_by_trace(client, project, &conversations).await?;
        conversations.retain_mut(|c| {
            c.tools = tools.get(&c.trace_id).cloned().unwrap_or_default();
            c.tools.len() >= 2
        });
        conversations.truncate(*limit);
    }
    Ok(conversations)
}

/// The BTQL query for root conversation spans, newest first.
fn conversations_query(project: &str, filter: Option<&str>, limit: usize) -> String {
    let mut query = format!(
        "SELECT root_span_id, output FROM project_logs({}) WHERE span_attributes.name = {}",
        string_literal(project),
        string_literal(CONVERSATION_SPAN)
    );
    if let Some(filter) = filter {
        query.push_str(" AND ");
        query.push_str(filter);
    }
    query.push_str(&format!(" ORDER BY created DESC LIMIT {limit}"));
    query
}

/// Reads one root-span row; `None` when it lacks a question or an answer.
fn conversation_from_row(row: &Map<String, Value>) -> Option<LoggedConversation> {
    let output = row.get("output")?;
    let text = |key: &str| {
        output
            .get(key)
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    };
    Some(LoggedConversation {
        trace_id: row.get("root_span_id")?.as_str()?.to_string(),
        conversation_id: text("conversation_id")?,
        patient_query: text("patient_query")?,
        final_response: text("final_response")?,
        total_turns: output
            .get("total_turns")
            .and_then(Value::as_u64)
            .unwrap_or(1),
        tools: BTreeSet::new(),
    })
}

/// The distinct tool names (spans of type `tool`) of each trace.
async fn tools_by_trace(
    client: &ChatClient,
    project: &str,
    conversations: &[LoggedConversation],
) -> Result<HashMap<String, BTreeSet<String>>, EvalError> {
    let mut tools: HashMap<String, BTreeSet<String>> = HashMap::new();
    // A bounded IN list per query keeps each query small.
    for chunk in conversations.chunks(100) {
        let ids: Vec<String> = chunk.iter().map(|c| string_literal(&c.trace_id)).collect();
        let query = format!(
            "SELECT root_span_id, span_attributes.name AS tool, count(*) AS calls \
             FROM project_logs({}) WHERE span_attributes.type = 'tool' AND root_span_id IN ({}) \
             GROUP BY root_span_id, span_attributes.name LIMIT 10000",
            string_literal(project),
            ids.join(", ")
        );
        for row in client.btql(&query).await?.data {
            let trace = row.get("root_span_id").and_then(Value::as_str);
            let tool = row.get("tool").and_then(Value::as_str);
            if let (Some(trace), Some(tool)) = (trace, tool) {
                tools
                    .entry(trace.to_string())
                    .or_default()
                    .insert(tool.to_string());
            }
        }
    }
    Ok(tools)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_conversation_query_quotes_everything_it_is_given() {
        let query = conversations_query("o'brien", Some("output.patient_query ILIKE '%x%'"), 5);
        assert_eq!(
            query,
            "SELECT root_span_id, output FROM project_logs('o''brien') WHERE \
             span_attributes.name = 'client_conversation' AND output.patient_query ILIKE '%x%' \
             ORDER BY created DESC LIMIT 5"
        );
    }

    #[test]
    fn a_root_span_becomes_a_row_keyed_by_its_conversation() {
        let row = json!({
            "root_span_id": "ab".repeat(16),
            "output": {"conversation_id": "c-1", "patient_query": "BMI?", "final_response": "30.9", "total_turns": 2},
        });
        let conversation = conversation_from_row(row.as_object().unwrap()).unwrap();
        let dataset_row = conversation.to_row(&["production".into()]);
        assert_eq!(dataset_row.id.as_deref(), Some("c-1"));
        assert_eq!(dataset_row.input, json!({"patient_query": "BMI?"}));
        assert_eq!(dataset_row.expected, json!({"final_response": "30.9"}));
        assert_eq!(dataset_row.metadata["source"], "production_logs");
        assert_eq!(dataset_row.metadata["total_turns"], 2);
        assert_eq!(dataset_row.metadata["trace_id"], "ab".repeat(16));
        assert_eq!(dataset_row.tags, vec!["production".to_string()]);
    }

    #[test]
    fn a_conversation_without_an_answer_is_not_a_row() {
        let row =
            json!({"root_span_id": "x", "output": {"conversation_id": "c", "patient_query": "q"}});
        assert_eq!(conversation_from_row(row.as_object().unwrap()), None);
    }
}
