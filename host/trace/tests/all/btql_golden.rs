//! Golden queries: each case is one or more equivalent queries (SQL and
//! pipe dialect) and the exact rows they must return from the fixture.
//! The seed's three queries run verbatim.

use serde_json::{json, Value};
use trellis_trace::btql::{self, PlanOptions, Query};

use super::fixture::{fixture, span_id, Fixture, NOW, Q1, Q2A, Q3, R1, R2B, R3};

struct Case {
    name: &'static str,
    /// Equivalent queries: every one must return `rows`.
    queries: Vec<&'static str>,
    rows: Vec<Value>,
}

fn case(name: &'static str, queries: &[&'static str], rows: Vec<Value>) -> Case {
    Case {
        name,
        queries: queries.to_vec(),
        rows,
    }
}

fn ids(list: &[(u32, u32)]) -> Vec<Value> {
    list.iter()
        .map(|(t, n)| json!({"span_id": span_id(*t, *n)}))
        .collect()
}

fn conversations(list: &[u32]) -> Vec<Value> {
    list.iter()
        .map(|t| json!({"conversation_id": format!("conv-{t}")}))
        .collect()
}

fn cases(f: &Fixture) -> Vec<Case> {
    let turns = |t: u32| f.record(t, 1)["output"]["turns"].clone();
    vec![
        case(
            "seed: conversations with their question, answer and turns",
            &[
                "SELECT output.patient_query, output.final_response, output.turns FROM \
                 project_logs('trellis-demo') WHERE span_attributes.name = 'client_conversation'",
                "select: output.patient_query, output.final_response, output.turns \
                 | from: project_logs('trellis-demo') \
                 | filter: span_attributes.name = 'client_conversation'",
            ],
            vec![
                json!({"patient_query": Q3, "final_response": R3, "turns": turns(3)}),
                json!({"patient_query": Q2A, "final_response": R2B, "turns": turns(2)}),
                json!({"patient_query": Q1, "final_response": R1, "turns": turns(1)}),
            ],
        ),
        case(
            "seed: recent conversations, newest first",
            &[
                "SELECT span_id, output.conversation_id, output.patient_query, \
                 output.final_response FROM project_logs('trellis-demo') WHERE \
                 span_attributes.name = 'client_conversation' ORDER BY created DESC LIMIT 10",
                "\n    SELECT\n        span_id,\n        output.conversation_id,\n        \
                 output.patient_query,\n        output.final_response\n    FROM \
                 project_logs('trellis-demo')\n    WHERE span_attributes.name = \
                 'client_conversation'\n    ORDER BY created DESC\n    LIMIT 10\n    ",
                "select: span_id, output.conversation_id, output.patient_query, \
                 output.final_response | from: project_logs('trellis-demo') | filter: \
                 span_attributes.name = 'client_conversation' | sort: created desc | limit: 10",
            ],
            vec![
                json!({"span_id": span_id(3, 1), "conversation_id": "conv-3",
                       "patient_query": Q3, "final_response": R3}),
                json!({"span_id": span_id(2, 1), "conversation_id": "conv-2",
                       "patient_query": Q2A, "final_response": R2B}),
                json!({"span_id": span_id(1, 1), "conversation_id": "conv-1",
                       "patient_query": Q1, "final_response": R1}),
            ],
        ),
        case(
            "seed: low clinical completeness",
            &[
                "SELECT span_id, output.conversation_id, output.patient_query FROM \
                 project_logs('trellis-demo') WHERE span_attributes.name = \
                 'client_conversation' AND scores.clinical_completeness < 0.5",
                "select: span_id, output.conversation_id, output.patient_query \
                 | from: project_logs('trellis-demo') | filter: span_attributes.name = \
                 'client_conversation' and scores.clinical_completeness < 0.5",
            ],
            vec![
                json!({"span_id": span_id(3, 1), "conversation_id": "conv-3", "patient_query": Q3}),
                json!({"span_id": span_id(2, 1), "conversation_id": "conv-2", "patient_query": Q2A}),
            ],
        ),
        case(
            "tool statistics: calls, mean and p95 duration, error rate",
            &[
                "SELECT span_attributes.name AS tool, count(*) AS calls, \
                 avg(metrics.end - metrics.start) AS mean_duration, \
                 percentile(metrics.end - metrics.start, 0.95) AS p95_duration, \
                 avg(error IS NOT NULL) AS error_rate FROM project_logs('trellis-demo') \
                 WHERE span_attributes.type = 'tool' GROUP BY span_attributes.name \
                 ORDER BY calls DESC, tool",
                "dimensions: span_attributes.name AS tool | measures: count(1) AS calls, \
                 avg(metrics.end - metrics.start) AS mean_duration, \
                 percentile(metrics.end - metrics.start, 0.95) AS p95_duration, \
                 avg(error IS NOT NULL) AS error_rate | from: project_logs('trellis-demo') \
                 | filter: span_attributes.type = 'tool' | sort: calls desc, tool asc",
            ],
            vec![
                json!({"tool": "calculate_clinical_metrics", "calls": 2, "mean_duration": 0.375,
                       "p95_duration": 0.25 + 0.25 * 0.95, "error_rate": 0.0}),
                json!({"tool": "search_medical_knowledge", "calls": 2, "mean_duration": 0.75,
                       "p95_duration": 0.5 + 0.5 * 0.95, "error_rate": 0.5}),
                json!({"tool": "check_medication", "calls": 1, "mean_duration": 0.25,
                       "p95_duration": 0.25, "error_rate": 0.0}),
            ],
        ),
        case(
            "conversations in the last 24 hours",
            &[
                "SELECT output.conversation_id FROM project_logs('trellis-demo') WHERE \
                 span_attributes.name = 'client_conversation' AND created > now() - interval 24 hour",
                "SELECT output.conversation_id FROM project_logs('trellis-demo') WHERE \
                 span_attributes.name = 'client_conversation' AND \
                 created > now() - INTERVAL '24 hours'",
                "select: output.conversation_id | from: project_logs('trellis-demo') | filter: \
                 is_root and created > now() - interval 1 day",
                "SELECT output.conversation_id FROM project_logs('trellis-demo') WHERE is_root \
                 AND created >= '2023-11-14'",
                "SELECT output.conversation_id FROM project_logs('trellis-demo') WHERE is_root \
                 AND metrics.start > now() - interval 86400 second",
            ],
            conversations(&[3, 2]),
        ),
        case(
            "low tool scores",
            &[
                "SELECT span_attributes.name, scores.health_risk FROM \
                 project_logs('trellis-demo') WHERE scores.health_risk < 0.5",
                "select: span_attributes.name, scores.health_risk | from: \
                 project_logs('trellis-demo') | filter: scores.health_risk < 0.5",
            ],
            vec![json!({"name": "calculate_clinical_metrics", "health_risk": 0.3})],
        ),
        case(
            "summary shape: one row per trace with its totals",
            &[
                "SELECT output.conversation_id, metrics.tokens, metrics.prompt_tokens, \
                 metrics.completion_tokens, metrics.llm_calls, metrics.tool_calls, \
                 metrics.errors, metrics.duration, metrics.span_count \
                 FROM project_logs('trellis-demo', shape => 'summary')",
                "select: output.conversation_id, metrics.tokens, metrics.prompt_tokens, \
                 metrics.completion_tokens, metrics.llm_calls, metrics.tool_calls, \
                 metrics.errors, metrics.duration, metrics.span_count \
                 | from: project_logs('trellis-demo') summary",
            ],
            vec![
                json!({"conversation_id": "conv-3", "tokens": 1550, "prompt_tokens": 1300,
                       "completion_tokens": 250, "llm_calls": 2, "tool_calls": 2, "errors": 0,
                       "duration": 9.0, "span_count": 9}),
                json!({"conversation_id": "conv-2", "tokens": 2730, "prompt_tokens": 2300,
                       "completion_tokens": 430, "llm_calls": 3, "tool_calls": 2, "errors": 2,
                       "duration": 12.0, "span_count": 12}),
                json!({"conversation_id": "conv-1", "tokens": 2770, "prompt_tokens": 2300,
                       "completion_tokens": 470, "llm_calls": 2, "tool_calls": 1, "errors": 0,
                       "duration": 8.0, "span_count": 7}),
            ],
        ),
        case(
            "summary shape filtered on a total",
            &[
                "SELECT output.conversation_id, metrics.errors FROM \
                 project_logs('trellis-demo', shape => 'summary') WHERE metrics.errors > 0",
                "select: output.conversation_id, metrics.errors | from: \
                 project_logs('trellis-demo') summary | filter: metrics.errors > 0",
            ],
            vec![json!({"conversation_id": "conv-2", "errors": 2})],
        ),
        case(
            "traces shape: every span of the traces with a match",
            &[
                "SELECT span_id FROM project_logs('trellis-demo', shape => 'traces') \
                 WHERE span_attributes.name = 'check_medication'",
                "select: span_id | from: project_logs('trellis-demo') traces \
                 | filter: span_attributes.name = 'check_medication'",
            ],
            ids(&(1..=12).rev().map(|n| (2, n)).collect::<Vec<_>>()),
        ),
        case(
            "MATCH finds whole words only",
            &[
                "SELECT output.conversation_id FROM project_logs('trellis-demo') \
                 WHERE is_root AND input MATCH 'thirst'",
                "SELECT output.conversation_id FROM project_logs('trellis-demo') \
                 WHERE is_root AND output.patient_query MATCH 'FATIGUE thirst'",
                "select: output.conversation_id | from: project_logs('trellis-demo') \
                 | filter: is_root and input match 'Thirst'",
            ],
            conversations(&[1]),
        ),
        case(
            "MATCH over a whole JSON value",
            &["SELECT output.conversation_id FROM project_logs('trellis-demo') \
               WHERE is_root AND output MATCH 'diabetes'"],
            conversations(&[3, 1]),
        ),
        case(
            "INCLUDES / CONTAINS on arrays",
            &[
                "SELECT output.conversation_id FROM project_logs('trellis-demo') \
                 WHERE tags INCLUDES 'production'",
                "select: output.conversation_id | from: project_logs('trellis-demo') \
                 | filter: tags contains 'production'",
            ],
            conversations(&[2, 1]),
        ),
        case(
            "INCLUDES on a nested array",
            &["SELECT span_id FROM project_logs('trellis-demo') \
               WHERE output.results INCLUDES 'type 1 diabetes'"],
            ids(&[(3, 8)]),
        ),
        case(
            "regular expressions",
            &[
                "SELECT output.conversation_id FROM project_logs('trellis-demo') \
                 WHERE output.patient_query ~ '^(Patient|Thirsty)'",
                "SELECT output.conversation_id FROM project_logs('trellis-demo') \
                 WHERE output.patient_query REGEXP 'urination|metformin'",
                "SELECT output.conversation_id FROM project_logs('trellis-demo') \
                 WHERE is_root AND output.patient_query !~ '^I have'",
                "select: output.conversation_id | from: project_logs('trellis-demo') \
                 | filter: is_root and output.patient_query not regexp '(?i)^i HAVE'",
            ],
            conversations(&[3, 2]),
        ),
        case(
            "LIKE is case-sensitive, ILIKE is not",
            &[
                "SELECT output.conversation_id FROM project_logs('trellis-demo') \
                 WHERE output.patient_query LIKE '%metformin%'",
                "SELECT output.conversation_id FROM project_logs('trellis-demo') \
                 WHERE output.patient_query ILIKE '%METFORMIN%'",
                "select: output.conversation_id | from: project_logs('trellis-demo') \
                 | filter: output.patient_query like 'Patient on _etformin%'",
            ],
            conversations(&[2]),
        ),
        case(
            "LIKE with different case finds nothing; NOT ILIKE the rest",
            &["SELECT output.conversation_id FROM project_logs('trellis-demo') \
               WHERE output.patient_query LIKE '%METFORMIN%'"],
            vec![],
        ),
        case(
            "NOT ILIKE",
            &["SELECT output.conversation_id FROM project_logs('trellis-demo') \
               WHERE is_root AND output.patient_query NOT ILIKE '%METFORMIN%'"],
            conversations(&[3, 1]),
        ),
        case(
            "IN and NOT IN",
            &[
                "SELECT span_id FROM project_logs('trellis-demo') WHERE \
                 span_attributes.name IN ('check_medication', 'search_medical_knowledge')",
                "SELECT span_id FROM project_logs('trellis-demo') WHERE \
                 span_attributes.type = 'tool' AND span_attributes.name NOT IN \
                 ('calculate_clinical_metrics')",
            ],
            ids(&[(3, 8), (2, 8), (2, 6)]),
        ),
        case(
            "IS NOT NULL on error",
            &[
                "SELECT span_id FROM project_logs('trellis-demo') WHERE error IS NOT NULL",
                "select: span_id | from: project_logs('trellis-demo') | filter: not error is null",
            ],
            ids(&[(2, 8), (2, 7)]),
        ),
        case(
            "IS NULL on a JSON path",
            &["SELECT span_id FROM project_logs('trellis-demo') \
               WHERE span_attributes.type = 'tool' AND output IS NULL"],
            ids(&[(2, 8)]),
        ),
        case(
            "arithmetic and fractional division",
            &[
                "SELECT span_id, (metrics.end - metrics.start) * 1000 AS ms, \
                 metrics.prompt_tokens / 4 AS quarter FROM project_logs('trellis-demo') \
                 WHERE span_attributes.type = 'llm' AND \
                 metrics.prompt_tokens + metrics.completion_tokens > 1500",
                "select: span_id, (metrics.end - metrics.start) * 1000 as ms, \
                 metrics.prompt_tokens / 4 as quarter | from: project_logs('trellis-demo') \
                 | filter: span_attributes.type = 'llm' and -metrics.tokens < -1500",
            ],
            vec![json!({"span_id": span_id(1, 7), "ms": 4500.0, "quarter": 350.0})],
        ),
        case(
            "aliases, array indexes and quoted keys",
            &[
                "SELECT output.turns[0].query AS first, output.turns[-1].response AS last, \
                 tags[-1] AS tag, len(output.turns) AS turns FROM project_logs('trellis-demo') \
                 WHERE is_root",
                "select: output.turns[0].query as first, output.turns[-1]['response'] as last, \
                 tags[-1] as tag, len(output.turns) as turns | from: project_logs('trellis-demo') \
                 | filter: is_root",
            ],
            vec![
                json!({"first": Q3, "last": R3, "tag": "staging", "turns": 1}),
                json!({"first": Q2A, "last": R2B, "tag": "followup", "turns": 2}),
                json!({"first": Q1, "last": R1, "tag": "production", "turns": 1}),
            ],
        ),
        case(
            "keys with a dot, quotes and a backslash",
            &[
                "SELECT metadata.\"provider.name\" AS provider, metadata.model, \
                 metadata.\"odd \"\"key\"\"\\\" AS odd FROM project_logs('trellis-demo') \
                 WHERE span_id = '0000000100000004'",
                "select: metadata['provider.name'] as provider, metadata.model, \
                 metadata['odd \"key\"\\'] as odd | from: project_logs('trellis-demo') \
                 | filter: span_id = '0000000100000004'",
            ],
            vec![json!({"provider": "offline", "model": "offline", "odd": "quoted"})],
        ),
        case(
            "scalar functions",
            &["SELECT upper(output.category) AS category, \
               concat(span_attributes.name, ':', lower(output.category)) AS label, \
               coalesce(output.missing, output.bmi) AS bmi, len(output.category) AS n \
               FROM project_logs('trellis-demo') WHERE span_attributes.name = \
               'calculate_clinical_metrics'"],
            vec![
                json!({"category": "UNDERWEIGHT", "label": "calculate_clinical_metrics:underweight",
                       "bmi": 15.2, "n": 11}),
                json!({"category": "OBESE", "label": "calculate_clinical_metrics:obese",
                       "bmi": 30.9, "n": 5}),
            ],
        ),
        case(
            "aggregates over the whole project",
            &[
                "SELECT count_distinct(span_attributes.name) AS names, count(*) AS spans, \
                 min(created) AS first, max(metrics.end) AS last_end, \
                 sum(metrics.tokens) AS tokens FROM project_logs('trellis-demo')",
                "measures: count_distinct(span_attributes.name) as names, count(1) as spans, \
                 min(created) as first, max(metrics.end) as last_end, \
                 sum(metrics.tokens) as tokens | from: project_logs('trellis-demo')",
            ],
            vec![json!({"names": 8, "spans": 28, "first": "2023-11-12T22:13:20.000000Z",
                        "last_end": NOW - 3600.0 + 9.0, "tokens": 7050})],
        ),
        case(
            "spans per day",
            &[
                "SELECT date_trunc('day', created) AS day, count(*) AS spans \
                 FROM project_logs('trellis-demo') GROUP BY 1 ORDER BY day",
                "dimensions: date_trunc('day', created) as day | measures: count(1) as spans \
                 | from: project_logs('trellis-demo')",
            ],
            vec![
                json!({"day": "2023-11-12T00:00:00.000000Z", "spans": 7}),
                json!({"day": "2023-11-14T00:00:00.000000Z", "spans": 21}),
            ],
        ),
        case(
            "HAVING on an aggregate alias",
            &["SELECT span_attributes.name AS name, count(*) AS n FROM \
               project_logs('trellis-demo') GROUP BY name HAVING n > 3 ORDER BY n DESC, name"],
            vec![
                json!({"name": "claude_messages_create", "n": 7}),
                json!({"name": "worker_execute_tool", "n": 5}),
                json!({"name": "client_turn", "n": 4}),
                json!({"name": "server_process_turn", "n": 4}),
            ],
        ),
        case(
            "sorting by another field",
            &[
                "SELECT span_id, metrics.prompt_tokens AS prompt FROM \
                 project_logs('trellis-demo') WHERE span_attributes.type = 'llm' \
                 ORDER BY metrics.prompt_tokens DESC LIMIT 3",
                "select: span_id, metrics.prompt_tokens as prompt | from: \
                 project_logs('trellis-demo') | filter: span_attributes.type = 'llm' \
                 | sort: prompt desc | limit: 3",
            ],
            vec![
                json!({"span_id": span_id(1, 7), "prompt": 1400}),
                json!({"span_id": span_id(2, 12), "prompt": 1000}),
                json!({"span_id": span_id(1, 4), "prompt": 900}),
            ],
        ),
        case(
            "projects are kept apart",
            &["SELECT output.patient_query FROM project_logs('other-project')"],
            vec![json!({"patient_query": "secret"})],
        ),
        case(
            "another project's rows never match",
            &["SELECT span_id FROM project_logs('trellis-demo') \
               WHERE output.patient_query = 'secret'"],
            vec![],
        ),
        case(
            "* returns the whole Braintrust record",
            &[
                "SELECT * FROM project_logs('trellis-demo') WHERE span_id = '0000000200000008'",
                "select: * | from: project_logs('trellis-demo') | filter: span_id = \
                 '0000000200000008'",
            ],
            vec![f.record(2, 8)],
        ),
    ]
}

#[test]
fn golden_queries_return_their_rows_in_both_dialects() {
    let f = fixture();
    let mut failures = Vec::new();
    let mut ran = 0;
    for case in cases(&f) {
        for query in &case.queries {
            ran += 1;
            match f.run(query) {
                Ok(out) => {
                    let rows: Vec<Value> = out.data.into_iter().map(Value::Object).collect();
                    if rows != case.rows {
                        failures.push(format!(
                            "{}\n  query: {query}\n  expected: {}\n  got:      {}",
                            case.name,
                            Value::Array(case.rows.clone()),
                            Value::Array(rows)
                        ));
                    }
                }
                Err(e) => failures.push(format!("{}\n  query: {query}\n  error: {e}", case.name)),
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {ran} golden queries failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn summary_star_merges_the_trace_totals_into_the_root_metrics() {
    let f = fixture();
    let rows = f.rows(
        "SELECT * FROM project_logs('trellis-demo', shape => 'summary') \
         WHERE output.conversation_id = 'conv-1'",
    );
    let mut expected = f.record(1, 1);
    let metrics = expected["metrics"].as_object_mut().unwrap();
    for (key, value) in [
        ("tokens", json!(2770)),
        ("prompt_tokens", json!(2300)),
        ("completion_tokens", json!(470)),
        ("llm_calls", json!(2)),
        ("tool_calls", json!(1)),
        ("errors", json!(0)),
        ("duration", json!(8.0)),
        ("span_count", json!(7)),
    ] {
        metrics.insert(key.to_owned(), value);
    }
    assert_eq!(rows, vec![expected]);
}

/// Follows cursors from the first page to the last.
fn all_pages(f: &Fixture, first: &str, next: impl Fn(&str) -> String) -> Vec<Value> {
    let mut rows = Vec::new();
    let mut out = f.run(first).unwrap();
    let mut pages = 1;
    loop {
        rows.extend(out.data.into_iter().map(Value::Object));
        let Some(cursor) = out.cursor else { break };
        pages += 1;
        assert!(pages < 100, "pagination does not end");
        out = f.run(&next(&cursor)).unwrap();
    }
    rows
}

#[test]
fn cursor_pagination_walks_every_row_once_in_both_orders() {
    let f = fixture();
    let base = "SELECT span_id FROM project_logs('trellis-demo')";
    let everything = f.rows(&format!("{base} LIMIT 100"));
    assert_eq!(everything.len(), 28);
    let paged = all_pages(&f, &format!("{base} LIMIT 5"), |c| {
        format!("{base} LIMIT 5 OFFSET '{c}'")
    });
    assert_eq!(paged, everything);
    let piped = all_pages(
        &f,
        "select: span_id | from: project_logs('trellis-demo') | limit: 4",
        |c| {
            format!(
                "select: span_id | from: project_logs('trellis-demo') | limit: 4 | cursor: '{c}'"
            )
        },
    );
    assert_eq!(piped, everything);

    // Oldest first is also a keyset walk.
    let ascending = format!("{base} ORDER BY created ASC");
    let paged = all_pages(&f, &format!("{ascending} LIMIT 6"), |c| {
        format!("{ascending} LIMIT 6 OFFSET '{c}'")
    });
    let mut reversed = everything.clone();
    reversed.reverse();
    assert_eq!(paged, reversed);

    // Any other order pages by position.
    let by_id = format!("{base} ORDER BY span_id");
    let all_by_id = f.rows(&by_id);
    let paged = all_pages(&f, &format!("{by_id} LIMIT 7"), |c| {
        format!("{by_id} LIMIT 7 OFFSET '{c}'")
    });
    assert_eq!(paged, all_by_id);
    assert_eq!(paged.len(), 28);

    // The last page says there is no next one.
    let out = f.run(&format!("{base} LIMIT 28")).unwrap();
    assert_eq!(out.cursor, None);
    let out = f.run(&format!("{base} LIMIT 27")).unwrap();
    assert!(out.cursor.is_some());
}

#[test]
fn a_cursor_from_another_order_or_a_forged_one_is_refused() {
    let f = fixture();
    let keyset = f
        .run("SELECT span_id FROM project_logs('trellis-demo') LIMIT 1")
        .unwrap()
        .cursor
        .unwrap();
    let err = f
        .run(&format!(
            "SELECT span_id FROM project_logs('trellis-demo') ORDER BY span_id OFFSET '{keyset}'"
        ))
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid cursor: it belongs to a query with a different order"
    );
    let err = f
        .run("SELECT span_id FROM project_logs('trellis-demo') OFFSET 'bm90IGEgY3Vyc29y'")
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid cursor: it is not a cursor this server returned"
    );
}

#[test]
fn limits_above_the_cap_are_clamped_and_reported() {
    let f = fixture();
    let config = btql::BtqlConfig {
        default_limit: 2,
        max_limit: 3,
        ..btql::BtqlConfig::default()
    };
    let out = f
        .run_with("SELECT span_id FROM project_logs('trellis-demo')", &config)
        .unwrap();
    assert_eq!(out.data.len(), 2);
    assert!(out.warnings.is_empty());
    let out = f
        .run_with(
            "SELECT span_id FROM project_logs('trellis-demo') LIMIT 50",
            &config,
        )
        .unwrap();
    assert_eq!(out.data.len(), 3);
    assert!(out.cursor.is_some());
    assert_eq!(
        out.warnings,
        vec![
            "LIMIT 50 is above the maximum of 3 rows per query; returned at most 3 \
             (use the cursor for more)"
        ]
    );
    let out = f
        .run("SELECT span_id FROM project_logs('trellis-demo') LIMIT 0")
        .unwrap();
    assert!(out.data.is_empty());
    assert_eq!(out.cursor, None);
}

#[test]
fn queries_past_their_time_limit_are_interrupted() {
    let f = fixture();
    let config = btql::BtqlConfig {
        time_limit: std::time::Duration::ZERO,
        ..btql::BtqlConfig::default()
    };
    // Enough work (a correlated subquery per total per trace) to reach
    // the progress handler.
    let err = f
        .run_with(
            "SELECT * FROM project_logs('trellis-demo', shape => 'summary')",
            &config,
        )
        .unwrap_err();
    assert!(matches!(err, btql::BtqlError::TimeLimit { .. }), "{err:?}");
    assert!(err.to_string().contains("time limit"), "{err}");
    // The connection went back to the pool without the expired handler:
    // a long query on it runs to the end.
    let reader = f.store.reader().unwrap();
    let n: i64 = reader
        .query_row("SELECT count(*) FROM spans a, spans b, spans c", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(n, 29 * 29 * 29);
}

#[test]
fn dataset_and_experiment_sources_are_not_found_by_name() {
    let f = fixture();
    let err = f
        .run("SELECT * FROM dataset('Diabetes Cases')")
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "dataset `Diabetes Cases` not found (no dataset has this name; list them with GET \
         /api/datasets)"
    );
    let err = f
        .run("select: * | from: experiment('baseline')")
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "experiment `baseline` not found (no experiment has this name; list them with GET \
         /api/experiments)"
    );
    let err = f.run("SELECT * FROM project_logs('nope')").unwrap_err();
    assert_eq!(
        err.to_string(),
        "project `nope` not found (no spans were logged to it)"
    );
}

/// The plan SQLite picks for a query, one detail per line.
pub(super) fn query_plan(f: &Fixture, text: &str) -> String {
    let query: Query = text.parse().unwrap();
    let plan = btql::plan(
        &query,
        &PlanOptions {
            now: NOW,
            default_limit: 1000,
            max_limit: 10_000,
        },
    )
    .unwrap();
    let reader = f.store.reader().unwrap();
    let mut stmt = reader
        .prepare(&format!("EXPLAIN QUERY PLAN {}", plan.sql()))
        .unwrap();
    stmt.query_map(rusqlite::params_from_iter(plan.params()), |r| {
        r.get::<_, String>(3)
    })
    .unwrap()
    .map(Result::unwrap)
    .collect::<Vec<_>>()
    .join("\n")
}

#[test]
fn hot_queries_use_the_store_indexes() {
    let f = fixture();
    let recent = query_plan(
        &f,
        "SELECT span_id, output.conversation_id, output.patient_query, output.final_response \
         FROM project_logs('trellis-demo') WHERE span_attributes.name = 'client_conversation' \
         ORDER BY created DESC LIMIT 10",
    );
    assert!(recent.contains("spans_project_name_created"), "{recent}");
    assert!(!recent.contains("TEMP B-TREE"), "{recent}");

    let cursor = f
        .run("SELECT span_id FROM project_logs('trellis-demo') WHERE span_attributes.name = 'client_turn' LIMIT 1")
        .unwrap()
        .cursor
        .unwrap();
    let next_page = query_plan(
        &f,
        &format!(
            "SELECT span_id FROM project_logs('trellis-demo') WHERE span_attributes.name = \
             'client_turn' LIMIT 1 OFFSET '{cursor}'"
        ),
    );
    assert!(
        next_page.contains(
            "spans_project_name_created (object_type=? AND project=? AND name=? AND created<?)"
        ),
        "{next_page}"
    );

    let tools = query_plan(
        &f,
        "SELECT span_attributes.name AS tool, count(*) AS calls, \
         avg(metrics.end - metrics.start) AS mean FROM project_logs('trellis-demo') \
         WHERE span_attributes.type = 'tool' GROUP BY span_attributes.name",
    );
    assert!(tools.contains("spans_project_type_name"), "{tools}");

    let traces = query_plan(
        &f,
        "SELECT span_id FROM project_logs('trellis-demo', shape => 'traces') \
         WHERE span_attributes.name = 'check_medication'",
    );
    assert!(traces.contains("sqlite_autoindex_spans_1"), "{traces}");

    // Without a name to look up, rows come off the `created` index newest
    // first (so LIMIT ends the scan), and a summary's totals are looked up
    // per trace.
    let newest = query_plan(
        &f,
        "SELECT span_id FROM project_logs('trellis-demo') LIMIT 10",
    );
    assert!(
        newest.contains("SCAN s USING INDEX spans_created"),
        "{newest}"
    );
    assert!(!newest.contains("TEMP B-TREE"), "{newest}");
    let summary = query_plan(
        &f,
        "SELECT output.conversation_id, metrics.tokens, metrics.errors \
         FROM project_logs('trellis-demo', shape => 'summary') LIMIT 10",
    );
    assert!(
        summary.contains("SCAN s USING INDEX spans_created"),
        "{summary}"
    );
    assert!(
        summary.contains(
            "SEARCH a USING INDEX sqlite_autoindex_spans_1 (object_type=? AND root_span_id=?)"
        ),
        "{summary}"
    );
    assert!(!summary.contains("spans_project_type_name"), "{summary}");
}

#[test]
fn an_unbounded_configuration_does_not_overflow() {
    let f = fixture();
    let config = btql::BtqlConfig {
        default_limit: u64::MAX,
        max_limit: u64::MAX,
        ..btql::BtqlConfig::default()
    };
    let out = f
        .run_with(
            &format!(
                "SELECT span_id FROM project_logs('trellis-demo') LIMIT {}",
                u64::MAX
            ),
            &config,
        )
        .unwrap();
    assert_eq!(out.data.len(), 28);
    assert_eq!(out.cursor, None);
}
