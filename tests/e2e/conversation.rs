//! The three processes together: `trellis ask` → `trellis server` →
//! `trellis worker`, with the offline model and with the Anthropic provider
//! pointed at a fake Messages API that checks every request it receives.

use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};

use crate::support::{dist, http, run, serve_in_background, Process};

const SEED_QUESTION: &str = "I have a 45-year-old female patient, 5'4\" tall, 180 lbs, presenting \
    with fatigue and increased thirst. What conditions should I evaluate for, and what are the \
    treatment options?";

fn start_worker() -> Process {
    Process::start(
        &[
            "worker",
            "--listen",
            "127.0.0.1:0",
            "--plugins",
            dist().to_str().unwrap(),
            "--collector",
            "none",
        ],
        &[],
    )
}

/// A server with a trace store of its own, which lives as long as the
/// returned directory.
fn start_server(
    worker: &str,
    extra: &[&str],
    env: &[(&str, &str)],
) -> (Process, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("traces.db");
    let mut args = vec![
        "server",
        "--listen",
        "127.0.0.1:0",
        "--worker",
        worker,
        "--store",
        store.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    (Process::start(&args, env), dir)
}

fn chat(server: &Process, message: &str, conversation: Option<&str>) -> (u16, Value) {
    let mut body = json!({ "message": message });
    if let Some(id) = conversation {
        body["conversation_id"] = json!(id);
    }
    let response = http()
        .post(format!("{}/api/chat", server.url))
        .json(&body)
        .send()
        .unwrap();
    (response.status().as_u16(), response.json().unwrap())
}

#[test]
fn the_demo_question_uses_all_three_tools_offline() {
    let worker = start_worker();
    let (server, _store) = start_server(&worker.url, &["--model", "offline"], &[]);
    let (code, stdout, stderr) = run(
        &[
            "ask",
            "--server",
            &server.url,
            SEED_QUESTION,
            "What dose of metformin should she start on, and what should be monitored?",
        ],
        &[],
    );
    assert_eq!(code, 0, "stderr: {stderr}");
    assert!(stdout.contains("model: offline"), "{stdout}");
    assert!(
        stdout.contains("BMI 30.9") && stdout.contains("obese"),
        "{stdout}"
    );
    assert!(stdout.contains("Type 2 diabetes"), "{stdout}");
    assert!(
        stdout.contains("Metformin") && stdout.contains("500 mg"),
        "{stdout}"
    );
    for tool in [
        "calculate_clinical_metrics",
        "search_medical_knowledge",
        "lookup_medication",
    ] {
        assert!(
            stdout.contains(&format!("✓ {tool}")),
            "{tool} not listed:\n{stdout}"
        );
    }
    let assessment = stdout.find("Assessment").unwrap();
    let recommendations = stdout.find("Recommendations").unwrap();
    let follow_up = stdout.find("Follow-up").unwrap();
    assert!(assessment < recommendations && recommendations < follow_up);
    assert_eq!(
        stdout.matches("trace: ").count(),
        2,
        "one trace line per turn"
    );
}

#[test]
fn a_conversation_keeps_its_history_across_turns() {
    let worker = start_worker();
    let (server, _store) = start_server(&worker.url, &["--model", "offline"], &[]);
    let (code, stdout, stderr) = run(
        &[
            "ask",
            "--json",
            "--server",
            &server.url,
            SEED_QUESTION,
            "Her blood pressure today is 150/95. How should that change the plan?",
        ],
        &[],
    );
    assert_eq!(code, 0, "stderr: {stderr}");
    let turns: Vec<Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(turns.len(), 2);
    assert_eq!(turns[0]["conversation_id"], turns[1]["conversation_id"]);
    assert_eq!(turns[0]["model"], "offline");
    let first: Vec<&str> = turns[0]["tool_calls"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        first,
        [
            "calculate_clinical_metrics",
            "search_medical_knowledge",
            "lookup_medication"
        ]
    );
    // The follow-up gives only a blood pressure; height and weight come from
    // the first turn, so the metrics call can report BMI and BP together.
    let metrics = turns[1]["tool_calls"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "calculate_clinical_metrics")
        .expect("the follow-up recalculates metrics");
    assert_eq!(metrics["input"]["systolic_bp"], 150);
    assert_eq!(metrics["output"]["bmi"], 30.9);
    assert_eq!(
        metrics["output"]["blood_pressure"]["category"],
        "stage 2 hypertension"
    );
}

#[test]
fn the_server_answers_bad_requests_precisely() {
    let worker = start_worker();
    let (server, _store) = start_server(&worker.url, &["--model", "offline"], &[]);
    let (status, body) = chat(&server, "   ", None);
    assert_eq!(status, 400);
    assert!(
        body["error"]["message"].as_str().unwrap().contains("empty"),
        "{body}"
    );
    let (status, _) = chat(&server, &"x".repeat(101 * 1024), None);
    assert_eq!(status, 413);
    let (status, body) = chat(&server, "hello", Some("no-such-conversation"));
    assert_eq!(status, 404);
    assert!(body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("no-such-conversation"));
    let response = http()
        .post(format!("{}/api/chat", server.url))
        .header("content-type", "application/json")
        .body("{\"message\": 42}")
        .send()
        .unwrap();
    assert_eq!(response.status(), 400);
    let health: Value = http()
        .get(format!("{}/healthz", server.url))
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(health["status"], "ok");
    assert_eq!(health["model"], "offline");
}

#[test]
fn ask_says_how_to_start_a_server_that_is_down() {
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("http://127.0.0.1:{port}");
    let (code, stdout, stderr) = run(&["ask", "--server", &url, "hello"], &[]);
    assert_eq!(code, 1);
    assert!(stdout.is_empty());
    assert_eq!(stderr.trim().lines().count(), 1, "one line: {stderr}");
    assert!(
        stderr.contains(&url) && stderr.contains("trellis server"),
        "{stderr}"
    );
}

#[test]
fn a_killed_worker_gives_error_results_and_a_restarted_one_is_used_again() {
    let mut worker = start_worker();
    let port = worker.url.rsplit(':').next().unwrap().to_string();
    let (server, _store) = start_server(&worker.url, &["--model", "offline"], &[]);

    let (status, first) = chat(&server, SEED_QUESTION, None);
    assert_eq!(status, 200);
    let conversation = first["conversation_id"].as_str().unwrap().to_string();

    worker.kill();
    let (status, second) = chat(
        &server,
        "What dose of metformin should she take?",
        Some(&conversation),
    );
    assert_eq!(status, 200, "{second}");
    let calls = second["tool_calls"].as_array().unwrap();
    assert!(!calls.is_empty());
    for call in calls {
        assert_eq!(call["is_error"], true, "{call}");
        assert!(
            call["output"]
                .to_string()
                .contains("tool worker unavailable"),
            "{call}"
        );
    }
    assert!(
        second["response"]
            .as_str()
            .unwrap()
            .contains("lookup_medication"),
        "{second}"
    );

    let listen = format!("127.0.0.1:{port}");
    let _restarted = Process::start(
        &[
            "worker",
            "--listen",
            &listen,
            "--plugins",
            dist().to_str().unwrap(),
            "--collector",
            "none",
        ],
        &[],
    );
    let (status, third) = chat(
        &server,
        "What dose of metformin should she take?",
        Some(&conversation),
    );
    assert_eq!(status, 200);
    let call = &third["tool_calls"][0];
    assert_eq!(call["name"], "lookup_medication");
    assert_eq!(call["is_error"], false, "{third}");
}

// ---- The Anthropic provider against a fake Messages API ----

const FAKE_KEY: &str = "sk-ant-test-DO-NOT-LOG-4242";

#[derive(Default)]
struct FakeApi {
    requests: Vec<Value>,
    /// Every way a request broke the protocol, for the test to report.
    violations: Vec<String>,
    responses_sent: usize,
    retry_requested_at: Option<Instant>,
    retried_after: Option<Duration>,
}

type Shared = Arc<Mutex<FakeApi>>;

fn check_request(headers: &HeaderMap, body: &Value, api: &mut FakeApi) {
    let mut violation = |m: String| api.violations.push(m);
    if headers.get("x-api-key").and_then(|v| v.to_str().ok()) != Some(FAKE_KEY) {
        violation("x-api-key missing or wrong".into());
    }
    if headers
        .get("anthropic-version")
        .and_then(|v| v.to_str().ok())
        != Some("2023-06-01")
    {
        violation("anthropic-version is not 2023-06-01".into());
    }
    if !headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"))
    {
        violation("content-type is not JSON".into());
    }
    if body["model"] != "claude-test-model" {
        violation(format!("model is {}", body["model"]));
    }
    if body["max_tokens"].as_u64().is_none_or(|n| n == 0) {
        violation("max_tokens missing".into());
    }
    let tools = body["tools"].as_array().cloned().unwrap_or_default();
    let names: Vec<&str> = tools.iter().filter_map(|t| t["name"].as_str()).collect();
    for expected in [
        "calculate_clinical_metrics",
        "lookup_medication",
        "search_medical_knowledge",
    ] {
        if !names.contains(&expected) {
            violation(format!("tool {expected} not offered"));
        }
    }
    if tools.iter().any(|t| t["input_schema"]["type"] != "object") {
        violation("a tool lacks an object input_schema".into());
    }
    let messages = body["messages"].as_array().cloned().unwrap_or_default();
    for (i, message) in messages.iter().enumerate() {
        let expected = if i % 2 == 0 { "user" } else { "assistant" };
        if message["role"] != expected {
            violation(format!(
                "message {i} has role {} (roles must alternate)",
                message["role"]
            ));
        }
        let blocks = message["content"].as_array().cloned().unwrap_or_default();
        let results: Vec<&str> = blocks
            .iter()
            .filter(|b| b["type"] == "tool_result")
            .filter_map(|b| b["tool_use_id"].as_str())
            .collect();
        if results.is_empty() {
            continue;
        }
        let previous_uses: Vec<String> = messages
            .get(i.wrapping_sub(1))
            .and_then(|m| m["content"].as_array())
            .map(|blocks| {
                blocks
                    .iter()
                    .filter(|b| b["type"] == "tool_use")
                    .filter_map(|b| b["id"].as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default();
        for id in &results {
            if !previous_uses.iter().any(|u| u == id) {
                violation(format!(
                    "tool_result {id} answers no tool_use of the previous turn"
                ));
            }
        }
        if results.len() != previous_uses.len() {
            violation(format!(
                "message {i} answers {} of {} tool_use blocks",
                results.len(),
                previous_uses.len()
            ));
        }
    }
}

fn reply(content: Value, stop_reason: &str) -> Response {
    Json(json!({
        "id": "msg_fake",
        "type": "message",
        "role": "assistant",
        "model": "claude-test-model-20990101",
        "content": content,
        "stop_reason": stop_reason,
        "stop_sequence": null,
        "usage": {"input_tokens": 120, "output_tokens": 30}
    }))
    .into_response()
}

fn last_tool_results(body: &Value) -> Vec<Value> {
    body["messages"]
        .as_array()
        .and_then(|m| m.last())
        .and_then(|m| m["content"].as_array())
        .map(|blocks| {
            blocks
                .iter()
                .filter(|b| b["type"] == "tool_result")
                .cloned()
                .collect()
        })
        .unwrap_or_default()
}

async fn messages(
    State(api): State<Shared>,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> Response {
    let mut api = api.lock().unwrap();
    check_request(&headers, &body, &mut api);
    api.requests.push(body.clone());
    let step = api.responses_sent;
    api.responses_sent += 1;
    match step {
        // Two tools in parallel.
        0 => reply(
            json!([
                {"type": "text", "text": "Let me compute the metrics and search."},
                {"type": "tool_use", "id": "toolu_01", "name": "calculate_clinical_metrics",
                 "input": {"height_inches": 64, "weight_lb": 180}},
                {"type": "tool_use", "id": "toolu_02", "name": "search_medical_knowledge",
                 "input": {"query": "fatigue increased thirst"}}
            ]),
            "tool_use",
        ),
        // A tool that does not exist, and an input that breaks the schema.
        1 => {
            let results = last_tool_results(&body);
            if results.iter().any(|r| r["is_error"] == true) {
                api.violations
                    .push(format!("good calls came back as errors: {results:?}"));
            }
            reply(
                json!([
                    {"type": "tool_use", "id": "toolu_03", "name": "prescribe_everything", "input": {}},
                    {"type": "tool_use", "id": "toolu_04", "name": "lookup_medication",
                     "input": {"medications": "metformin"}}
                ]),
                "tool_use",
            )
        }
        // Overloaded: the client must wait for retry-after, then resend.
        2 => {
            let results = last_tool_results(&body);
            if results.len() != 2 || results.iter().any(|r| r["is_error"] != true) {
                api.violations
                    .push(format!("bad calls were not is_error: {results:?}"));
            }
            api.retry_requested_at = Some(Instant::now());
            (
                StatusCode::from_u16(529).unwrap(),
                [("retry-after", "1")],
                Json(json!({"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}})),
            )
                .into_response()
        }
        _ => {
            api.retried_after = api.retry_requested_at.map(|t| t.elapsed());
            reply(
                json!([{"type": "text", "text": "Assessment: BMI 30.9, obese.\nRecommendations: evaluate for type 2 diabetes.\nFollow-up: HbA1c."}]),
                "end_turn",
            )
        }
    }
}

fn start_fake_api() -> (String, Shared) {
    let api: Shared = Arc::default();
    let app = axum::Router::new()
        .route("/v1/messages", axum::routing::post(messages))
        .with_state(api.clone());
    (serve_in_background(app), api)
}

#[test]
fn the_anthropic_provider_speaks_the_messages_api_faithfully() {
    let (api_url, api) = start_fake_api();
    let worker = start_worker();
    let (server, _store) = start_server(
        &worker.url,
        &["--model", "anthropic:claude-test-model"],
        &[
            ("ANTHROPIC_API_KEY", FAKE_KEY),
            ("ANTHROPIC_BASE_URL", &api_url),
        ],
    );
    let (status, body) = chat(&server, SEED_QUESTION, None);
    assert_eq!(status, 200, "{body}");

    let api = api.lock().unwrap();
    assert!(
        api.violations.is_empty(),
        "protocol violations: {:#?}",
        api.violations
    );
    assert_eq!(api.requests.len(), 4, "3 scripted answers + 1 retry");
    assert_eq!(
        api.requests[2], api.requests[3],
        "the retry resends the same request"
    );
    let waited = api.retried_after.expect("the request was retried");
    assert!(
        waited >= Duration::from_millis(950),
        "retry-after ignored: retried after {waited:?}"
    );

    let calls: Vec<(String, bool)> = body["tool_calls"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["name"].as_str().unwrap().to_string(),
                c["is_error"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        calls,
        [
            ("calculate_clinical_metrics".to_string(), false),
            ("search_medical_knowledge".to_string(), false),
            ("prescribe_everything".to_string(), true),
            ("lookup_medication".to_string(), true),
        ]
    );
    assert_eq!(
        body["tool_calls"][3]["output"]["kind"], "invalid_input",
        "{body}"
    );
    assert!(body["response"].as_str().unwrap().starts_with("Assessment"));
    assert_eq!(body["stop_reason"], "end_turn");
    assert_eq!(body["usage"]["input_tokens"], 360);
    assert!(
        !server.output().contains(FAKE_KEY),
        "the API key was logged"
    );
}
