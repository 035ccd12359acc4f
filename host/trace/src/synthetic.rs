//! Generated traces for scale tests and benchmarks: the seed's nine-span
//! conversation (client → server → two tools → model), repeated with fresh
//! ids, one conversation per second. The trace crate's million-span checks
//! and `trellis-bench` (B5 ingest, B6 queries) both use it, so they measure
//! the same shape of data.

use crate::span::rfc3339;
use crate::{Span, SpanRecord, SpanType, StoreError, TraceStore};
use serde_json::json;

/// Start time of the first generated conversation (unix seconds).
pub const T0: f64 = 1_700_000_000.0;
/// Spans in one generated conversation.
pub const SPANS_PER_CONVERSATION: usize = 9;
/// The project the generated spans belong to.
pub const PROJECT: &str = "trellis-demo";

/// Conversation `i`: nine spans starting at `T0 + i` seconds.
pub fn conversation(i: usize) -> Vec<SpanRecord> {
    let t0 = T0 + i as f64;
    let mut conv = Span::root("client_conversation", SpanType::Task).with_project(PROJECT);
    let query = format!("Patient {i}: 45-year-old with fatigue and increased thirst");
    conv.log_output(json!({"conversation_id": format!("c{i}"), "total_turns": 1,
        "turns": [{"query": query, "response": "Evaluate for diabetes."}],
        "patient_query": query, "final_response": "Evaluate for diabetes."}));
    conv.log_score("clinical_completeness", (i % 10) as f64 / 10.0);
    let turn = conv.child("client_turn", SpanType::Task);
    let server = turn.child("server_process_turn", SpanType::Task);
    let mut llm1 = server.child("claude_messages_create", SpanType::Llm);
    llm1.add_usage(900, 120);
    let w1 = server.child("worker_execute_tool", SpanType::Task);
    let mut bmi = w1.child("calculate_clinical_metrics", SpanType::Tool);
    bmi.log_input(json!({"height_feet": 5, "height_inches": 4, "weight_lb": 180}));
    bmi.log_output(json!({"bmi": 30.9, "category": "obese"}));
    bmi.log_score("health_risk", (i % 10) as f64 / 10.0);
    let w2 = server.child("worker_execute_tool", SpanType::Task);
    let mut search = w2.child("search_medical_knowledge", SpanType::Tool);
    search.log_input(json!({"query": "fatigue and increased thirst"}));
    search.log_output(json!({"results": ["diabetes", "thyroid"]}));
    if i.is_multiple_of(17) {
        search.set_error("knowledge base timeout");
    }
    let mut llm2 = server.child("claude_messages_create", SpanType::Llm);
    llm2.add_usage(1400, 300);
    let spans = [
        conv.end(),
        turn.end(),
        server.end(),
        llm1.end(),
        w1.end(),
        bmi.end(),
        w2.end(),
        search.end(),
        llm2.end(),
    ];
    spans
        .into_iter()
        .enumerate()
        .map(|(k, mut s)| {
            let start = t0 + k as f64 * 0.01;
            s.metrics.start = Some(start);
            s.metrics.end = Some(start + 0.25 + (i % 7) as f64 * 0.125);
            s.created = rfc3339(start);
            s
        })
        .collect()
}

/// At least `n` spans: whole conversations numbered from `first`.
pub fn spans(first: usize, n: usize) -> Vec<SpanRecord> {
    let conversations = n.div_ceil(SPANS_PER_CONVERSATION);
    (first..first + conversations)
        .flat_map(conversation)
        .collect()
}

/// Fills `store` with at least `n` generated spans in batches of `batch`.
pub fn fill(store: &TraceStore, n: usize, batch: usize) -> Result<(), StoreError> {
    let per_batch = batch.div_ceil(SPANS_PER_CONVERSATION);
    let conversations = n.div_ceil(SPANS_PER_CONVERSATION);
    let mut i = 0;
    while i < conversations {
        let end = (i + per_batch).min(conversations);
        let records: Vec<SpanRecord> = (i..end).flat_map(conversation).collect();
        store.insert_spans(&records)?;
        i = end;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conversations_are_nine_spans_of_one_trace() {
        let spans = conversation(3);
        assert_eq!(spans.len(), SPANS_PER_CONVERSATION);
        assert!(spans
            .iter()
            .all(|s| s.root_span_id == spans[0].root_span_id));
        assert_eq!(spans[0].name(), "client_conversation");
        assert_eq!(spans[0].project.as_deref(), Some(PROJECT));
    }

    #[test]
    fn fill_writes_whole_conversations() {
        let dir = tempfile::tempdir().unwrap();
        let store = TraceStore::open(dir.path().join("t.db")).unwrap();
        fill(&store, 100, 20).unwrap();
        assert_eq!(store.count().unwrap(), 108);
        assert_eq!(spans(0, 10).len(), 18);
    }
}
