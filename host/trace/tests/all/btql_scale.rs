//! BTQL at the size its targets are set for: over a million spans, the
//! seed's "recent conversations" in ≤ 50 ms and tool statistics in ≤ 1 s.
//! Ignored by default (it writes a few hundred MB); run with
//! `cargo test -p trellis-trace --release --test all -- --ignored btql_scale --nocapture`.
//! `TRELLIS_SCALE_SPANS` changes the size; `TRELLIS_SCALE_DB` keeps the
//! store between runs (filled once).

use std::time::{Duration, Instant};

use serde_json::json;
use trellis_trace::btql::{self, BtqlConfig, Query};
use trellis_trace::span::rfc3339;
use trellis_trace::{Span, SpanRecord, SpanType, TraceStore};

/// The seed's nine-span conversation, starting at `t0`.
fn conversation(t0: f64, i: usize) -> Vec<SpanRecord> {
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

fn timed<T>(f: impl FnOnce() -> T) -> (T, Duration) {
    let started = Instant::now();
    let out = f();
    (out, started.elapsed())
}

#[test]
#[ignore = "writes a million spans; run explicitly"]
fn btql_scale() {
    let target: usize = std::env::var("TRELLIS_SCALE_SPANS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let dir = tempfile::tempdir().unwrap();
    let path = std::env::var("TRELLIS_SCALE_DB")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|_| dir.path().join("scale.db"));
    let store = TraceStore::open(&path).unwrap();
    let t0 = 1_700_000_000.0;
    let (_, insert) = timed(|| {
        if store.count().unwrap() > 0 {
            return;
        }
        let mut batch = Vec::with_capacity(9000);
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
    println!("{count} spans (inserted in {insert:?})");
    let now = t0 + (count / 9) as f64;

    let config = BtqlConfig::default();
    let run = |text: &str| {
        let query: Query = text.parse().unwrap();
        // Once to warm the page cache, then timed.
        btql::execute_at(&store, &query, &config, now).unwrap();
        let (out, took) = timed(|| btql::execute_at(&store, &query, &config, now).unwrap());
        println!("{took:>12.3?}  {} rows  {text}", out.data.len());
        (out, took)
    };

    let (recent, took) = run(
        "SELECT span_id, output.conversation_id, output.patient_query, output.final_response \
         FROM project_logs('trellis-demo') WHERE span_attributes.name = 'client_conversation' \
         ORDER BY created DESC LIMIT 10",
    );
    assert_eq!(recent.data.len(), 10);
    assert!(
        took <= Duration::from_millis(50),
        "recent conversations took {took:?}"
    );

    let cursor = recent.cursor.unwrap();
    let (_, next) = run(&format!(
        "SELECT span_id, output.conversation_id FROM project_logs('trellis-demo') \
         WHERE span_attributes.name = 'client_conversation' ORDER BY created DESC \
         LIMIT 10 OFFSET '{cursor}'"
    ));
    assert!(
        next <= Duration::from_millis(50),
        "the next page took {next:?}"
    );

    let (tools, took) = run("SELECT span_attributes.name AS tool, count(*) AS calls, \
         avg(metrics.end - metrics.start) AS mean_duration, \
         percentile(metrics.end - metrics.start, 0.95) AS p95_duration, \
         avg(error IS NOT NULL) AS error_rate FROM project_logs('trellis-demo') \
         WHERE span_attributes.type = 'tool' GROUP BY span_attributes.name");
    assert_eq!(tools.data.len(), 2);
    assert!(
        took <= Duration::from_secs(1),
        "tool statistics took {took:?}"
    );

    // Reported, not asserted: the other canned queries.
    run("SELECT * FROM project_logs('trellis-demo') LIMIT 10");
    run(
        "SELECT output.patient_query, output.final_response, output.turns FROM \
         project_logs('trellis-demo') WHERE span_attributes.name = 'client_conversation'",
    );
    run(
        "SELECT span_id, output.conversation_id, output.patient_query FROM \
         project_logs('trellis-demo') WHERE span_attributes.name = 'client_conversation' \
         AND scores.clinical_completeness < 0.5 LIMIT 10",
    );
    run(
        "SELECT output.conversation_id FROM project_logs('trellis-demo') WHERE \
         span_attributes.name = 'client_conversation' AND created > now() - interval 24 hour",
    );
    run(
        "SELECT output.conversation_id, metrics.tokens, metrics.llm_calls, metrics.errors \
         FROM project_logs('trellis-demo', shape => 'summary') LIMIT 10",
    );
    run(
        "SELECT span_id FROM project_logs('trellis-demo', shape => 'traces') \
         WHERE output.conversation_id = 'c7' LIMIT 100",
    );
    run("SELECT output.conversation_id FROM project_logs('trellis-demo') WHERE \
         span_attributes.name = 'client_conversation' AND output.patient_query MATCH 'Patient 12345' \
         LIMIT 10");
}
