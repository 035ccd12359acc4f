//! BTQL at the size its targets are set for: over a million spans, the
//! seed's "recent conversations" in ≤ 50 ms and tool statistics in ≤ 1 s.
//! Ignored by default (it writes a few hundred MB); run with
//! `cargo test -p trellis-trace --release --test all -- --ignored btql_scale --nocapture`.
//! `TRELLIS_SCALE_SPANS` changes the size; `TRELLIS_SCALE_DB` keeps the
//! store between runs (filled once).

use std::time::Duration;

use trellis_trace::btql::{self, BtqlConfig, Query};

use crate::scale_data::{filled_store, timed, T0};

#[test]
#[ignore = "writes a million spans; run explicitly"]
fn btql_scale() {
    let (store, _dir, insert) = filled_store();
    let count = store.count().unwrap();
    println!("{count} spans (inserted in {insert:?})");
    let now = T0 + (count / 9) as f64;

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
