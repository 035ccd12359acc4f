//! `POST /btql` as a client sees it: the seed's queries answer
//! `{"data", "cursor"}`, `jsonl` streams rows, and failures are
//! `{"error": {"kind", "message"}}` with the status that fits.

use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use serde_json::{json, Value};
use tower::ServiceExt;
use trellis_trace::btql::{self, BtqlConfig, BtqlResponse, CURSOR_HEADER};

use super::fixture::{fixture, span_id, Fixture, Q2A, Q3};

const SEED_RECENT: &str = "SELECT span_id, output.conversation_id, output.patient_query, \
     output.final_response FROM project_logs('trellis-demo') WHERE span_attributes.name = \
     'client_conversation' ORDER BY created DESC LIMIT 10";

struct Reply {
    status: StatusCode,
    content_type: String,
    cursor: Option<String>,
    body: Vec<u8>,
}

impl Reply {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap()
    }

    fn error(&self) -> (String, String) {
        let v = self.json();
        (
            v["error"]["kind"].as_str().unwrap().to_owned(),
            v["error"]["message"].as_str().unwrap().to_owned(),
        )
    }
}

async fn post(f: &Fixture, config: BtqlConfig, body: Value) -> Reply {
    post_raw(f, config, "POST", body.to_string()).await
}

async fn post_raw(f: &Fixture, config: BtqlConfig, method: &str, body: String) -> Reply {
    let request = Request::builder()
        .method(method)
        .uri("/btql")
        .header("content-type", "application/json")
        .body(Body::from(body))
        .unwrap();
    let response = btql::routes(f.store.clone(), config)
        .oneshot(request)
        .await
        .unwrap();
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .map(|v| v.to_str().unwrap().to_owned())
    };
    let status = response.status();
    let content_type = header("content-type").unwrap_or_default();
    let cursor = header(CURSOR_HEADER);
    let body = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .unwrap()
        .to_vec();
    Reply {
        status,
        content_type,
        cursor,
        body,
    }
}

#[tokio::test]
async fn the_seed_query_answers_data_and_a_null_cursor() {
    let f = fixture();
    // Braintrust clients send more fields; they are ignored.
    let reply = post(
        &f,
        BtqlConfig::default(),
        json!({"query": SEED_RECENT, "use_columnstore": false, "brainstore_realtime": true}),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.content_type, "application/json");
    let body = reply.json();
    assert_eq!(body["cursor"], Value::Null);
    assert!(body.get("warnings").is_none());
    let data = body["data"].as_array().unwrap();
    assert_eq!(data.len(), 3);
    assert_eq!(
        data[0],
        json!({"span_id": span_id(3, 1), "conversation_id": "conv-3", "patient_query": Q3,
               "final_response": data[0]["final_response"]})
    );
    // What the seed's Python helper prints.
    let printed: Vec<(String, String)> = data
        .iter()
        .map(|row| {
            (
                row["conversation_id"].as_str().unwrap().to_owned(),
                row["patient_query"]
                    .as_str()
                    .unwrap()
                    .chars()
                    .take(60)
                    .collect(),
            )
        })
        .collect();
    assert_eq!(
        printed[1],
        ("conv-2".to_owned(), Q2A.chars().take(60).collect())
    );
}

#[tokio::test]
async fn pages_follow_the_cursor() {
    let f = fixture();
    let query = "select: span_id | from: project_logs('trellis-demo') | limit: 20";
    let reply = post(&f, BtqlConfig::default(), json!({ "query": query })).await;
    let first: BtqlResponse = serde_json::from_slice(&reply.body).unwrap();
    assert_eq!(first.data.len(), 20);
    let cursor = first.cursor.unwrap();
    let reply = post(
        &f,
        BtqlConfig::default(),
        json!({ "query": format!("{query} | cursor: '{cursor}'") }),
    )
    .await;
    let second: BtqlResponse = serde_json::from_slice(&reply.body).unwrap();
    assert_eq!(second.data.len(), 8);
    assert_eq!(second.cursor, None);
}

#[tokio::test]
async fn jsonl_writes_one_row_per_line_and_the_cursor_in_a_header() {
    let f = fixture();
    let reply = post(
        &f,
        BtqlConfig::default(),
        json!({"query": "SELECT span_id FROM project_logs('trellis-demo') LIMIT 4", "fmt": "jsonl"}),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.content_type, "application/x-ndjson");
    let text = String::from_utf8(reply.body.clone()).unwrap();
    let rows: Vec<Value> = text
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    assert_eq!(rows.len(), 4);
    assert_eq!(rows[0], json!({"span_id": span_id(3, 9)}));
    assert!(text.ends_with('\n'));
    assert!(reply.cursor.is_some());
}

#[tokio::test]
async fn a_query_that_does_not_parse_is_400_with_the_parse_error() {
    let f = fixture();
    let reply = post(
        &f,
        BtqlConfig::default(),
        json!({"query": "SELECT output.patient_query WHERE span_attributes.name = 'x'"}),
    )
    .await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        reply.error(),
        (
            "bad_request".to_owned(),
            "line 1, column 29: expected FROM, found WHERE".to_owned()
        )
    );
    let reply = post(
        &f,
        BtqlConfig::default(),
        json!({"query": "SELECT span_id, count(*) FROM project_logs('trellis-demo') \
                         GROUP BY span_attributes.name"}),
    )
    .await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert!(reply.error().1.starts_with("`span_id` must be in GROUP BY"));
    let reply = post(&f, BtqlConfig::default(), json!({"sql": "SELECT 1"})).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert!(reply.error().1.contains("query"), "{}", reply.error().1);
}

#[tokio::test]
async fn unknown_projects_and_sources_are_404_naming_them() {
    let f = fixture();
    for (query, name) in [
        (
            "SELECT * FROM project_logs('no-such-project')",
            "project `no-such-project`",
        ),
        (
            "SELECT * FROM dataset('Diabetes Cases')",
            "dataset `Diabetes Cases`",
        ),
        (
            "select: * | from: experiment('baseline')",
            "experiment `baseline`",
        ),
    ] {
        let reply = post(&f, BtqlConfig::default(), json!({ "query": query })).await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND, "{query}");
        let (kind, message) = reply.error();
        assert_eq!(kind, "not_found");
        assert!(message.starts_with(name), "{message}");
    }
}

#[tokio::test]
async fn a_query_past_its_time_limit_is_408() {
    let f = fixture();
    let config = BtqlConfig {
        time_limit: Duration::ZERO,
        ..BtqlConfig::default()
    };
    let reply = post(
        &f,
        config,
        json!({"query": "SELECT * FROM project_logs('trellis-demo', shape => 'summary')"}),
    )
    .await;
    assert_eq!(reply.status, StatusCode::REQUEST_TIMEOUT);
    let (kind, message) = reply.error();
    assert_eq!(kind, "timeout");
    assert!(message.contains("time limit of 0ns"), "{message}");
}

#[tokio::test]
async fn a_clamped_limit_is_reported() {
    let f = fixture();
    let config = BtqlConfig {
        max_limit: 5,
        ..BtqlConfig::default()
    };
    let reply = post(
        &f,
        config,
        json!({"query": "SELECT span_id FROM project_logs('trellis-demo') LIMIT 500"}),
    )
    .await;
    let body: BtqlResponse = serde_json::from_slice(&reply.body).unwrap();
    assert_eq!(body.data.len(), 5);
    assert!(body.cursor.is_some());
    assert_eq!(body.warnings.len(), 1);
    assert!(body.warnings[0].starts_with("LIMIT 500 is above the maximum of 5"));
}

#[tokio::test]
async fn other_methods_are_405() {
    let f = fixture();
    let reply = post_raw(&f, BtqlConfig::default(), "GET", String::new()).await;
    assert_eq!(reply.status, StatusCode::METHOD_NOT_ALLOWED);
}

#[tokio::test]
async fn a_client_over_a_real_socket_reads_result_data() {
    let f = fixture();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let app = btql::routes(Arc::clone(&f.store), BtqlConfig::default());
    let server = tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let result: Value = reqwest::Client::new()
        .post(format!("http://{addr}/btql"))
        .json(&json!({ "query": SEED_RECENT }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    server.abort();
    let ids: Vec<&str> = result["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|row| row["conversation_id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["conv-3", "conv-2", "conv-1"]);
}
