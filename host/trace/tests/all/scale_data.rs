//! The million-span store both scale checks run over (`store_scale` on raw
//! SQL, `btql` on queries): the seed's nine-span conversation, repeated.
//! `TRELLIS_SCALE_SPANS` changes the size; `TRELLIS_SCALE_DB` keeps the
//! store between runs (filled once).

use std::time::{Duration, Instant};

use serde_json::json;
use trellis_trace::span::rfc3339;
use trellis_trace::{Span, SpanRecord, SpanType, TraceStore};

/// Start time of the first generated conversation (unix seconds); one
/// conversation follows every second.
pub(crate) const T0: f64 = 1_700_000_000.0;

/// The seed's nine-span conversation, starting at `t0`.
pub(crate) fn conversation(t0: f64, i: usize) -> Vec<SpanRecord> {
    let mut conv = Span::root("client_conversation", SpanType::Task).with_project("trellis-demo");
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
    bmi.log_output(json!({"bmi": 30.9, "category": "obese"}));
    bmi.log_score("health_risk", (i % 10) as f64 / 10.0);
    let w2 = server.child("worker_execute_tool", SpanType::Task);
    let mut search = w2.child("search_medical_knowledge", SpanType::Tool);
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

pub(crate) fn timed<T>(f: impl FnOnce() -> T) -> (T, Duration) {
    let started = Instant::now();
    let out = f();
    (out, started.elapsed())
}

/// A store holding about `TRELLIS_SCALE_SPANS` (default 1,000,000) generated
/// spans, with how long filling it took (zero when `TRELLIS_SCALE_DB` named a
/// store that was already filled). Keep the directory alive while using it.
pub(crate) fn filled_store() -> (TraceStore, tempfile::TempDir, Duration) {
    let target: usize = std::env::var("TRELLIS_SCALE_SPANS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let dir = tempfile::tempdir().unwrap();
    let path = std::env::var("TRELLIS_SCALE_DB")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|_| dir.path().join("scale.db"));
    let store = TraceStore::open(&path).unwrap();
    let (_, insert) = timed(|| {
        if store.count().unwrap() > 0 {
            return;
        }
        let mut batch = Vec::with_capacity(9000);
        let mut i = 0;
        while i * 9 < target {
            batch.extend(conversation(T0 + i as f64, i));
            i += 1;
            if batch.len() >= 9000 {
                store.insert_spans(&batch).unwrap();
                batch.clear();
            }
        }
        store.insert_spans(&batch).unwrap();
    });
    (store, dir, insert)
}
