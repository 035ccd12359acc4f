//! Datasets and experiments through the real `trellis server`: rows
//! inserted twice (dedup), listed and shown; an experiment created (and
//! refused a second time), given spans, and queried with BTQL through
//! `POST /btql` beside a dataset — while the project logs, fed through the
//! collector, keep only their own spans.

use serde_json::{json, Value};
use trellis_api::objects::{
    DatasetDetail, DatasetList, ExperimentList, ExperimentSummary, InsertRowsResponse,
    InsertSpansResponse,
};
use trellis_trace::otlp::{self, OtlpEncoding};
use trellis_trace::{Span, SpanRecord, SpanType};

use crate::support::{free_port, http, Process};

const PROJECT: &str = "trellis-demo";
const DATASET: &str = "Diabetes Cases";
/// `DATASET` as a path segment.
const DATASET_PATH: &str = "Diabetes%20Cases";

/// A server with a store of its own; its worker is never called.
fn start_server() -> (Process, tempfile::TempDir) {
    start_server_with(&[])
}

/// [`start_server`] with `env` set.
fn start_server_with(env: &[(&str, &str)]) -> (Process, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("traces.db");
    let worker = format!("http://127.0.0.1:{}", free_port());
    let server = Process::start(
        &[
            "server",
            "--listen",
            "127.0.0.1:0",
            "--worker",
            &worker,
            "--model",
            "offline",
            "--store",
            store.to_str().unwrap(),
        ],
        env,
    );
    (server, dir)
}

/// Sends `method path` with an optional JSON body: (status, body).
fn call(server: &Process, method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
    let url = format!("{}{path}", server.url);
    let request = match method {
        "GET" => http().get(url),
        "POST" => http().post(url),
        "DELETE" => http().delete(url),
        other => panic!("no method {other}"),
    };
    let request = match body {
        Some(body) => request.json(&body),
        None => request,
    };
    let response = request.send().unwrap();
    let status = response.status().as_u16();
    (status, response.json().unwrap_or(Value::Null))
}

fn btql(server: &Process, query: &str) -> Vec<Value> {
    let (status, body) = call(server, "POST", "/btql", Some(json!({ "query": query })));
    assert_eq!(status, 200, "{query}\n→ {body}");
    body["data"].as_array().unwrap().clone()
}

fn cases() -> Value {
    json!({
        "description": "seed cases",
        "rows": [
            {"id": "c1", "input": {"patient_query": "thirst and fatigue"},
             "expected": "type 2 diabetes", "metadata": {"difficulty": "easy"}},
            {"id": "c2", "input": {"patient_query": "child losing weight"},
             "expected": "type 1 diabetes", "metadata": {"difficulty": "hard"}},
            {"id": "c3", "input": {"patient_query": "nausea on metformin"},
             "metadata": {"difficulty": "hard"}, "tags": ["meds"]},
        ]
    })
}

/// A conversation-shaped trace in `project`, with `output` on its tool.
fn trace(project: &str, output: &str) -> Vec<SpanRecord> {
    let root = Span::root("client_conversation", SpanType::Task).with_project(project);
    let mut tool = root.child("calculate_clinical_metrics", SpanType::Tool);
    tool.log_output(json!({ "from": output }));
    let tool = tool.end();
    vec![root.end(), tool]
}

#[test]
fn datasets_and_experiments_round_trip_and_query() {
    let (server, _dir) = start_server();

    // Project logs arrive through the collector, as the exporters send them.
    let logged = trace(PROJECT, "project");
    let (request, rejected) = otlp::export_request(&logged, Some("e2e"));
    assert!(rejected.is_empty());
    let response = http()
        .post(format!("{}/v1/traces", server.url))
        .header("content-type", OtlpEncoding::Protobuf.content_type())
        .body(otlp::encode_request(&request, OtlpEncoding::Protobuf))
        .send()
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);

    // Rows, twice: the second time every id is a duplicate.
    let path = format!("/api/datasets/{DATASET_PATH}/rows");
    let (status, body) = call(&server, "POST", &path, Some(cases()));
    assert_eq!(status, 200, "{body}");
    let first: InsertRowsResponse = serde_json::from_value(body).unwrap();
    assert_eq!((first.inserted, first.duplicates, first.rows), (3, 0, 3));
    let (status, body) = call(&server, "POST", &path, Some(cases()));
    assert_eq!(status, 200, "{body}");
    let second: InsertRowsResponse = serde_json::from_value(body).unwrap();
    assert_eq!((second.inserted, second.duplicates, second.rows), (0, 3, 3));
    assert_eq!(second.dataset, DATASET);

    let (status, body) = call(&server, "GET", "/api/datasets", None);
    assert_eq!(status, 200);
    let list: DatasetList = serde_json::from_value(body).unwrap();
    assert_eq!(list.datasets.len(), 1);
    assert_eq!(list.datasets[0].name, DATASET);
    assert_eq!(list.datasets[0].rows, 3);
    assert_eq!(list.datasets[0].description.as_deref(), Some("seed cases"));
    let (status, body) = call(
        &server,
        "GET",
        &format!("/api/datasets/{DATASET_PATH}"),
        None,
    );
    assert_eq!(status, 200, "{body}");
    let detail: DatasetDetail = serde_json::from_value(body).unwrap();
    let ids: Vec<&str> = detail.rows.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(ids, ["c1", "c2", "c3"], "oldest first");
    assert_eq!(detail.rows[2].expected, Value::Null);
    let (status, body) = call(&server, "GET", "/api/datasets/Diabetes", None);
    assert_eq!(status, 404);
    let message = body["error"]["message"].as_str().unwrap();
    assert!(message.contains("`Diabetes Cases`"), "{message}");

    // An experiment, once.
    let new = json!({"name": "e1", "dataset": DATASET, "metadata": {"model": "offline"}});
    let (status, body) = call(&server, "POST", "/api/experiments", Some(new.clone()));
    assert_eq!(status, 201, "{body}");
    let created: ExperimentSummary = serde_json::from_value(body).unwrap();
    assert_eq!(created.dataset.as_deref(), Some(DATASET));
    let (status, body) = call(&server, "POST", "/api/experiments", Some(new));
    assert_eq!(status, 409, "{body}");
    assert_eq!(body["error"]["kind"], "conflict");
    assert!(body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("choose another name"));

    // Its spans: one trace per dataset row, named like the project's.
    let spans: Vec<Value> = ["c1", "c2", "c3"]
        .iter()
        .flat_map(|_| trace(PROJECT, "experiment"))
        .map(|s| serde_json::to_value(s).unwrap())
        .collect();
    let (status, body) = call(
        &server,
        "POST",
        "/api/experiments/e1/spans",
        Some(json!({ "spans": spans })),
    );
    assert_eq!(status, 200, "{body}");
    let inserted: InsertSpansResponse = serde_json::from_value(body).unwrap();
    assert_eq!(inserted.inserted, 6);
    let (_, body) = call(&server, "GET", "/api/experiments", None);
    let list: ExperimentList = serde_json::from_value(body).unwrap();
    assert_eq!(list.experiments.len(), 1);
    assert_eq!(list.experiments[0].spans, 6);

    // BTQL over the dataset, the experiment and the project logs.
    let rows = btql(
        &server,
        &format!(
            "SELECT id, input.patient_query AS query, expected FROM dataset('{DATASET}') \
             WHERE metadata.difficulty = 'hard' ORDER BY id"
        ),
    );
    assert_eq!(
        rows,
        [
            json!({"id": "c2", "query": "child losing weight", "expected": "type 1 diabetes"}),
            json!({"id": "c3", "query": "nausea on metformin", "expected": null}),
        ]
    );
    let outputs = btql(
        &server,
        "SELECT output FROM experiment('e1') WHERE span_attributes.type = 'tool'",
    );
    assert_eq!(outputs.len(), 3);
    assert!(outputs
        .iter()
        .all(|r| r["output"] == json!({"from": "experiment"})));
    let summary = btql(
        &server,
        "SELECT metrics.tool_calls AS tools FROM experiment('e1', shape => 'summary')",
    );
    assert_eq!(summary, vec![json!({"tools": 1}); 3]);
    let logs = btql(
        &server,
        &format!(
            "SELECT output FROM project_logs('{PROJECT}') WHERE span_attributes.type = 'tool'"
        ),
    );
    assert_eq!(
        logs,
        [json!({"output": {"from": "project"}})],
        "not polluted"
    );
    let (status, body) = call(
        &server,
        "POST",
        "/btql",
        Some(json!({"query": "SELECT * FROM experiment('e2')"})),
    );
    assert_eq!(status, 404, "{body}");
    assert!(body["error"]["message"]
        .as_str()
        .unwrap()
        .starts_with("experiment `e2` not found"));
    let (status, body) = call(
        &server,
        "GET",
        &format!("/api/traces/{}", logged[0].root_span_id),
        None,
    );
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["span_count"], 2);

    // Deleting the dataset leaves the experiment and its spans.
    let (status, body) = call(
        &server,
        "DELETE",
        &format!("/api/datasets/{DATASET_PATH}"),
        None,
    );
    assert_eq!(status, 200, "{body}");
    assert_eq!(body, json!({"dataset": DATASET, "deleted": 3}));
    let (status, _) = call(
        &server,
        "POST",
        "/btql",
        Some(json!({"query": format!("SELECT * FROM dataset('{DATASET}')")})),
    );
    assert_eq!(status, 404);
    assert_eq!(
        btql(&server, "SELECT span_id FROM experiment('e1')").len(),
        6
    );
}

#[test]
fn with_a_token_the_routes_require_it() {
    const TOKEN: &str = "trellis-e2e-objects-token-51d2";
    let (server, _dir) = start_server_with(&[("TRELLIS_TOKEN", TOKEN)]);
    let rows = json!({"rows": [{"input": 1}]});
    for (method, path) in [
        ("GET", "/api/datasets"),
        ("POST", "/api/datasets/d/rows"),
        ("GET", "/api/experiments"),
    ] {
        let (status, body) = call(&server, method, path, Some(rows.clone()));
        assert_eq!(status, 401, "{method} {path}: {body}");
        assert_eq!(body["error"]["kind"], "unauthorized");
    }
    let response = http()
        .post(format!("{}/api/datasets/d/rows", server.url))
        .bearer_auth(TOKEN)
        .json(&rows)
        .send()
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    let response = http()
        .get(format!("{}/api/datasets", server.url))
        .bearer_auth(TOKEN)
        .send()
        .unwrap();
    let list: DatasetList = response.json().unwrap();
    assert_eq!(list.datasets[0].rows, 1);
}
