//! The store at the size the BTQL targets are set for: a million spans,
//! "latest conversations" in ≤ 50 ms and a per-tool aggregate in ≤ 1 s.
//! Ignored by default (it writes a few hundred MB); run with
//! `cargo test -p trellis-trace --release --test all -- --ignored store_scale --nocapture`
//! and `TRELLIS_SCALE_SPANS` to change the size.

use std::time::{Duration, Instant};

use serde_json::json;
use trellis_trace::span::rfc3339;
use trellis_trace::{Span, SpanRecord, SpanType, TraceStore};

/// The seed's nine-span conversation, starting at `t0`.
fn conversation(t0: f64, i: usize) -> Vec<SpanRecord> {
    let mut conv = Span::root("client_conversation", SpanType::Task).with_project("trellis-demo");
    conv.log_output(json!({"conversation_id": format!("c{i}"), "total_turns": 1,
        "patient_query": "45-year-old with fatigue", "final_response": "Evaluate for diabetes."}));
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
    let llm2 = server.child("claude_messages_create", SpanType::Llm);
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
            s.metrics.end = Some(start + 0.5);
            s.created = rfc3339(start);
            s
        })
        .collect()
}

fn timed<T>(f: impl FnOnce() -> T) -> (T, Duration) {
    let started = Instant::now();
    let out = f();
    (out, started.elapsed())
}

#[test]
#[ignore = "writes a million spans; run explicitly"]
fn store_scale() {
    let target: usize = std::env::var("TRELLIS_SCALE_SPANS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let dir = tempfile::tempdir().unwrap();
    // `TRELLIS_SCALE_DB` keeps the store between runs (filled once).
    let path = std::env::var("TRELLIS_SCALE_DB")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|_| dir.path().join("scale.db"));
    let store = TraceStore::open(&path).unwrap();
    let t0 = 1_700_000_000.0;
    let (_, insert) = timed(|| {
        if store.count().unwrap() > 0 {
            return;
        }
        let mut batch = Vec::with_capacity(9 * 1000);
        let mut i = 0;
        while i * 9 < target {
            batch.extend(conversation(t0 + i as f64, i));
            i += 1;
            if batch.len() >= 9000 {
                store.insert_spans(&batch).unwrap();
                batch.clear();
            }
        }
        store.insert_spans(&batch).unwrap();
    });
    let count = store.count().unwrap();
    println!("inserted {count} spans in {insert:?}");

    let reader = store.reader().unwrap();
    let (latest, q1) = timed(|| {
        let mut stmt = reader
            .prepare(
                "SELECT span_id, json_extract(output, '$.patient_query') FROM spans \
                 WHERE project = 'trellis-demo' AND name = 'client_conversation' \
                 ORDER BY created DESC LIMIT 10",
            )
            .unwrap();
        stmt.query_map([], |r| r.get::<_, String>(0))
            .unwrap()
            .count()
    });
    println!("latest 10 conversations: {q1:?}");
    assert_eq!(latest, 10);
    assert!(
        q1 <= Duration::from_millis(50),
        "latest conversations took {q1:?}"
    );

    let (groups, q2) = timed(|| {
        let mut stmt = reader
            .prepare(
                "SELECT name, count(*), avg(end_time - start_time), \
                 avg(json_extract(scores, '$.health_risk')) FROM spans \
                 WHERE project = 'trellis-demo' AND type = 'tool' GROUP BY name",
            )
            .unwrap();
        stmt.query_map([], |r| r.get::<_, String>(0))
            .unwrap()
            .count()
    });
    println!("tool group-by: {q2:?}");
    assert_eq!(groups, 2);
    assert!(q2 <= Duration::from_secs(1), "tool aggregate took {q2:?}");
}
