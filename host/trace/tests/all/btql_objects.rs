//! BTQL over datasets and experiments: `dataset('…')` reads a dataset's
//! rows with the same clauses as spans, `experiment('…')` reads an
//! experiment's spans exactly as `project_logs('…')` reads a project's,
//! and neither leaks into the other or into the project logs.

use std::collections::BTreeSet;

use serde_json::{json, Value};
use trellis_api::objects::{NewDatasetRow, NewExperiment};
use trellis_trace::btql::{self, BtqlError, PlanOptions, Query};

use super::fixture::{fixture, Fixture, NOW, PROJECT};
use super::golden::query_plan;

const DATASET: &str = "Diabetes Cases";

fn row(id: &str, query: &str, expected: Value, difficulty: &str, tags: &[&str]) -> NewDatasetRow {
    NewDatasetRow {
        id: Some(id.to_owned()),
        input: json!({ "patient_query": query }),
        expected,
        metadata: json!({ "difficulty": difficulty, "conversation_id": format!("conv-{id}") }),
        tags: tags.iter().map(|t| (*t).to_owned()).collect(),
    }
}

/// The BTQL fixture plus a dataset of four rows (inserted in two batches,
/// so two `created` times) and experiment `e1` holding a copy of every
/// `trellis-demo` span, ids and all, with its output replaced.
fn objects_fixture() -> Fixture {
    let f = fixture();
    f.store
        .insert_dataset_rows(
            DATASET,
            &[
                row(
                    "c1",
                    "thirst and fatigue",
                    json!("type 2 diabetes"),
                    "easy",
                    &["t2"],
                ),
                row(
                    "c2",
                    "child with weight loss",
                    json!("type 1 diabetes"),
                    "hard",
                    &[],
                ),
            ],
            Some("seed cases"),
        )
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(5));
    f.store
        .insert_dataset_rows(
            DATASET,
            &[
                row("c3", "nausea on metformin", Value::Null, "hard", &["meds"]),
                row(
                    "c4",
                    "lisinopril interactions",
                    json!("none major"),
                    "medium",
                    &["meds"],
                ),
            ],
            None,
        )
        .unwrap();
    f.store
        .insert_dataset_rows(
            "other",
            &[row("o1", "elsewhere", Value::Null, "easy", &[])],
            None,
        )
        .unwrap();
    f.store
        .create_experiment(&NewExperiment {
            name: "e1".to_owned(),
            dataset: Some(DATASET.to_owned()),
            metadata: json!({}),
        })
        .unwrap();
    let copies: Vec<_> = f
        .spans
        .iter()
        .filter(|s| s.project.as_deref() == Some(PROJECT))
        .cloned()
        .map(|mut s| {
            s.output = Some(json!({ "from": "experiment" }));
            s
        })
        .collect();
    f.store.insert_experiment_spans("e1", &copies).unwrap();
    f
}

fn ids(rows: &[Value]) -> Vec<&str> {
    rows.iter().map(|r| r["id"].as_str().unwrap()).collect()
}

#[test]
fn star_returns_dataset_rows_newest_first() {
    let f = objects_fixture();
    let rows = f.rows(&format!("SELECT * FROM dataset('{DATASET}')"));
    assert_eq!(ids(&rows), ["c4", "c3", "c2", "c1"]);
    let keys: BTreeSet<&str> = rows[0]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        BTreeSet::from(["id", "input", "expected", "metadata", "tags", "created"])
    );
    assert_eq!(
        rows[3]["input"],
        json!({"patient_query": "thirst and fatigue"})
    );
    assert_eq!(rows[3]["expected"], "type 2 diabetes");
    assert_eq!(rows[3]["tags"], json!(["t2"]));
    assert_eq!(rows[1]["expected"], Value::Null);
    assert!(rows[0]["created"].as_str().unwrap() > rows[3]["created"].as_str().unwrap());
}

#[test]
fn dataset_paths_filters_order_and_limits() {
    let f = objects_fixture();
    let rows = f.rows(&format!(
        "SELECT id, input.patient_query AS q, metadata.conversation_id FROM dataset('{DATASET}') \
         WHERE metadata.difficulty = 'hard' ORDER BY id"
    ));
    assert_eq!(
        rows,
        [
            json!({"id": "c2", "q": "child with weight loss", "conversation_id": "conv-c2"}),
            json!({"id": "c3", "q": "nausea on metformin", "conversation_id": "conv-c3"}),
        ]
    );
    let rows = f.rows(&format!(
        "SELECT id FROM dataset('{DATASET}') WHERE tags INCLUDES 'meds' AND expected IS NOT NULL"
    ));
    assert_eq!(ids(&rows), ["c4"]);
    let rows = f.rows(&format!(
        "select: id | from: dataset('{DATASET}') | filter: input.patient_query MATCH 'diabetes' \
         OR input.patient_query ILIKE '%THIRST%' | sort: id desc | limit: 1"
    ));
    assert_eq!(ids(&rows), ["c1"]);
    // The rows were created after the fixture's `now()`.
    let rows = f.rows(&format!(
        "SELECT id FROM dataset('{DATASET}') WHERE created < now() - interval 1 day"
    ));
    assert!(rows.is_empty());
    let rows = f.rows(&format!(
        "SELECT id FROM dataset('{DATASET}') WHERE created > now() ORDER BY created ASC"
    ));
    assert_eq!(ids(&rows), ["c1", "c2", "c3", "c4"]);
}

#[test]
fn dataset_aggregates_group_rows() {
    let f = objects_fixture();
    let rows = f.rows(&format!(
        "SELECT metadata.difficulty AS difficulty, count(*) AS n FROM dataset('{DATASET}') \
         GROUP BY 1 ORDER BY n DESC, difficulty"
    ));
    assert_eq!(
        rows,
        [
            json!({"difficulty": "hard", "n": 2}),
            json!({"difficulty": "easy", "n": 1}),
            json!({"difficulty": "medium", "n": 1}),
        ]
    );
}

#[test]
fn dataset_pages_follow_the_cursor() {
    let f = objects_fixture();
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let text = match &cursor {
            None => format!("SELECT id FROM dataset('{DATASET}') LIMIT 3"),
            Some(c) => format!("SELECT id FROM dataset('{DATASET}') LIMIT 3 OFFSET '{c}'"),
        };
        let out = f.run(&text).unwrap();
        seen.extend(
            out.data
                .iter()
                .map(|r| r["id"].as_str().unwrap().to_owned()),
        );
        match out.cursor {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
    assert_eq!(seen, ["c4", "c3", "c2", "c1"]);
}

#[test]
fn dataset_queries_refuse_what_rows_do_not_have() {
    let f = objects_fixture();
    for (text, expected) in [
        (
            format!("SELECT * FROM dataset('{DATASET}', shape => 'traces')"),
            "dataset `Diabetes Cases` has no traces",
        ),
        (
            format!("SELECT * FROM dataset('{DATASET}', shape => 'summary')"),
            "dataset `Diabetes Cases` has no traces",
        ),
        (
            format!("SELECT span_id FROM dataset('{DATASET}')"),
            "unknown field `span_id` for a dataset; dataset rows have id, input, expected, \
             metadata, tags, created",
        ),
        (
            format!("SELECT id FROM dataset('{DATASET}') WHERE error IS NULL"),
            "unknown field `error` for a dataset",
        ),
        (
            format!("SELECT id.x FROM dataset('{DATASET}')"),
            "`id` is a single value and has no field `x`",
        ),
    ] {
        let err = f.run(&text).unwrap_err();
        assert!(matches!(err, BtqlError::Invalid(_)), "{text}: {err:?}");
        assert!(err.to_string().contains(expected), "{text}: {err}");
    }
}

#[test]
fn unknown_datasets_and_experiments_are_named() {
    let f = objects_fixture();
    let err = f
        .run("SELECT * FROM dataset('diabetes cases')")
        .unwrap_err();
    assert!(
        matches!(&err, BtqlError::SourceNotFound { kind: "dataset", name } if name == "diabetes cases"),
        "{err:?}"
    );
    let err = f.run("SELECT * FROM experiment('e2')").unwrap_err();
    assert!(
        err.to_string().starts_with("experiment `e2` not found"),
        "{err}"
    );
    // A project named like the experiment has no spans: experiments are
    // not projects.
    let err = f.run("SELECT * FROM project_logs('e1')").unwrap_err();
    assert!(matches!(err, BtqlError::UnknownProject(_)), "{err:?}");
}

#[test]
fn experiment_spans_read_like_project_logs_and_stay_apart() {
    let f = objects_fixture();
    let logs = f.rows(&format!(
        "SELECT * FROM project_logs('{PROJECT}') LIMIT 100"
    ));
    let experiment = f.rows("SELECT * FROM experiment('e1') LIMIT 100");
    assert_eq!(logs.len(), 28);
    assert_eq!(experiment.len(), 28);
    assert!(logs
        .iter()
        .all(|r| r["output"] != json!({"from": "experiment"})));
    assert!(experiment
        .iter()
        .all(|r| r["output"] == json!({"from": "experiment"})));
    // Same fields, same order, same ids: only the outputs differ.
    for (a, b) in logs.iter().zip(&experiment) {
        let (mut a, mut b) = (a.clone(), b.clone());
        a.as_object_mut().unwrap().remove("output");
        b.as_object_mut().unwrap().remove("output");
        assert_eq!(a, b);
    }
    let tools = f.rows(
        "SELECT span_attributes.name AS tool, count(*) AS calls FROM experiment('e1') \
         WHERE span_attributes.type = 'tool' GROUP BY 1 ORDER BY 1",
    );
    let logged_tools = f.rows(&format!(
        "SELECT span_attributes.name AS tool, count(*) AS calls FROM project_logs('{PROJECT}') \
         WHERE span_attributes.type = 'tool' GROUP BY 1 ORDER BY 1"
    ));
    assert!(!tools.is_empty());
    assert_eq!(tools, logged_tools);
    let summary =
        f.rows("SELECT root_span_id, metrics.span_count FROM experiment('e1', shape => 'summary')");
    let logged_summary = f.rows(&format!(
        "SELECT root_span_id, metrics.span_count FROM project_logs('{PROJECT}', shape => 'summary')"
    ));
    assert_eq!(
        summary, logged_summary,
        "totals count only the experiment's spans"
    );
    let traces = f.rows(
        "SELECT span_id, output FROM experiment('e1', shape => 'traces') \
         WHERE span_attributes.name = 'calculate_clinical_metrics'",
    );
    assert!(!traces.is_empty());
    assert!(traces
        .iter()
        .all(|r| r["output"] == json!({"from": "experiment"})));
    // The trace endpoint's lookup sees the project logs only.
    let trace = f.store.trace(&f.spans[0].root_span_id).unwrap();
    assert!(trace
        .iter()
        .all(|s| s.output != Some(json!({"from": "experiment"}))));
}

#[test]
fn names_that_look_like_sql_are_only_names() {
    let f = objects_fixture();
    let reader = f.store.reader().unwrap();
    let tables = |r: &rusqlite::Connection| -> i64 {
        r.query_row("SELECT count(*) FROM sqlite_master", [], |x| x.get(0))
            .unwrap()
    };
    let before = tables(&reader);
    drop(reader);
    let evil = "x'); DROP TABLE spans; --";
    let err = f
        .run("SELECT * FROM dataset('x''); DROP TABLE spans; --')")
        .unwrap_err();
    assert!(
        matches!(&err, BtqlError::SourceNotFound { name, .. } if name == evil),
        "{err:?}"
    );
    // Stored under that name, it is read back like any other.
    f.store
        .insert_dataset_rows(evil, &[row("r", "q", Value::Null, "easy", &[])], None)
        .unwrap();
    f.store
        .create_experiment(&NewExperiment {
            name: evil.to_owned(),
            dataset: None,
            metadata: json!({}),
        })
        .unwrap();
    let rows = f.rows("SELECT id FROM dataset('x''); DROP TABLE spans; --') WHERE id = 'r'");
    assert_eq!(ids(&rows), ["r"]);
    let rows = f.rows("SELECT * FROM experiment('x''); DROP TABLE spans; --')");
    assert!(rows.is_empty());
    let plan = btql::plan(
        &"SELECT * FROM dataset('x''); DROP TABLE spans; --')"
            .parse::<Query>()
            .unwrap(),
        &PlanOptions {
            now: NOW,
            default_limit: 10,
            max_limit: 10,
        },
    )
    .unwrap();
    assert!(!plan.sql().contains("DROP"), "{}", plan.sql());
    assert!(!plan.sql().contains('\''), "{}", plan.sql());
    assert_eq!(f.store.count().unwrap(), 29 + 28);
    assert_eq!(tables(&f.store.reader().unwrap()), before);
}

#[test]
fn dataset_and_experiment_queries_use_indexes() {
    let f = objects_fixture();
    let explain = |text: &str| query_plan(&f, text);
    let newest = explain(&format!("SELECT id FROM dataset('{DATASET}') LIMIT 10"));
    assert!(
        newest.contains("dataset_rows_created (dataset=?)"),
        "{newest}"
    );
    assert!(!newest.contains("TEMP B-TREE"), "{newest}");
    let named = explain(
        "SELECT span_id FROM experiment('e1') WHERE span_attributes.name = 'client_turn' LIMIT 5",
    );
    assert!(
        named.contains("spans_project_name_created (object_type=? AND project=? AND name=?)"),
        "{named}"
    );
    assert!(!named.contains("TEMP B-TREE"), "{named}");
    let tools = explain(
        "SELECT span_attributes.name, count(*) FROM experiment('e1') \
         WHERE span_attributes.type = 'tool' GROUP BY 1",
    );
    assert!(
        tools.contains("spans_project_type_name (object_type=? AND project=? AND type=?)"),
        "{tools}"
    );
}
