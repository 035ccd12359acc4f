//! Distributed tracing across the real processes: one trace from
//! `trellis ask` through `trellis server` and `trellis worker` down to each
//! tool, continued from an independent OpenTelemetry SDK and from a
//! Braintrust slug, surviving a collector that is down, starting afresh on
//! malformed headers, and shown by `trellis traces show`.

use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::HeaderMap;
use trellis_trace::otlp::{decode_request, records_from_request, OtlpEncoding};

use serde_json::{json, Value};

use crate::support::{
    dist, fetch_trace, fixture, free_port, http, repo, serve_in_background, wait_for,
    wait_for_trace, Background, Process, TracedStack, TRACE_ENV,
};

const SEED_QUESTION: &str = "I have a 45-year-old female patient, 5'4\" tall, 180 lbs, presenting \
    with fatigue and increased thirst. What conditions should I evaluate for, and what are the \
    treatment options?";
const FOLLOW_UP: &str = "What dose of metformin should she start on, and what should be monitored?";
const PATIENCE: Duration = Duration::from_secs(60);

// ---------------------------------------------------------------------------
// Reading a `GET /api/traces/{id}` tree.

fn span(node: &Value) -> &Value {
    &node["span"]
}

fn name(node: &Value) -> &str {
    span(node)["span_attributes"]["name"].as_str().unwrap_or("")
}

fn children<'a>(node: &'a Value, wanted: &str) -> Vec<&'a Value> {
    node["children"]
        .as_array()
        .map(|c| c.iter().filter(|n| name(n) == wanted).collect())
        .unwrap_or_default()
}

/// Every node of the tree, depth first.
fn nodes(tree: &Value) -> Vec<&Value> {
    let mut out = Vec::new();
    let mut stack: Vec<&Value> = tree["roots"].as_array().unwrap().iter().rev().collect();
    while let Some(node) = stack.pop() {
        out.push(node);
        stack.extend(node["children"].as_array().unwrap().iter().rev());
    }
    out
}

fn parents(node: &Value) -> Vec<&str> {
    span(node)["span_parents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap())
        .collect()
}

fn span_id(node: &Value) -> &str {
    span(node)["span_id"].as_str().unwrap()
}

/// A `server_process_turn` whose model calls and tool executions have all
/// arrived: as many `claude_messages_create` children as its
/// `metadata.model_calls`, as many `worker_execute_tool` children as its
/// `metadata.tool_calls`, and each of those with its tool span.
fn server_turn_complete(turn: &Value) -> bool {
    let metadata = &span(turn)["metadata"];
    let (Some(model_calls), Some(tool_calls)) = (
        metadata["model_calls"].as_u64(),
        metadata["tool_calls"].as_u64(),
    ) else {
        return false;
    };
    let executions = children(turn, "worker_execute_tool");
    children(turn, "claude_messages_create").len() as u64 == model_calls
        && executions.len() as u64 == tool_calls
        && executions
            .iter()
            .all(|e| e["children"].as_array().unwrap().len() == 1)
}

/// The whole conversation has arrived: one root `client_conversation`, no
/// span missing its parent, `turns` client turns each with a complete
/// server turn.
fn conversation_complete(tree: &Value, turns: usize) -> bool {
    let roots = tree["roots"].as_array().unwrap();
    if roots.len() != 1 || name(&roots[0]) != "client_conversation" {
        return false;
    }
    let client_turns = children(&roots[0], "client_turn");
    client_turns.len() == turns
        && client_turns.iter().all(|t| {
            let server = children(t, "server_process_turn");
            server.len() == 1 && server_turn_complete(server[0])
        })
}

/// The root is the caller's own span and under it one complete server turn.
fn caller_trace_complete(tree: &Value, caller: &str) -> bool {
    let roots = tree["roots"].as_array().unwrap();
    roots.len() == 1 && name(&roots[0]) == caller && {
        let server = children(&roots[0], "server_process_turn");
        server.len() == 1 && server_turn_complete(server[0])
    }
}

fn trace_id_from(stdout: &str) -> String {
    let line = stdout
        .lines()
        .find(|l| l.starts_with("conversation trace "))
        .unwrap_or_else(|| panic!("no trace line in:\n{stdout}"));
    line.split_whitespace().nth(2).unwrap().to_string()
}

fn ask(server: &str, questions: &[&str], env: &[(&str, &str)]) -> (i32, String, String) {
    let mut args = vec!["ask", "--server", server];
    args.extend_from_slice(questions);
    Background::spawn(&args, env).finish(PATIENCE)
}

/// A counter from a `/metrics` page, summed over its labels.
fn metric(url: &str, name: &str) -> u64 {
    let text = http()
        .get(format!("{url}/metrics"))
        .send()
        .unwrap()
        .text()
        .unwrap();
    text.lines()
        .filter(|l| l.starts_with(&format!("{name}{{")) || l.starts_with(&format!("{name} ")))
        .map(|l| l.rsplit(' ').next().unwrap().parse::<u64>().unwrap())
        .sum()
}

fn is_trace_id(id: &str) -> bool {
    id.len() == 32 && id.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

fn chat(server: &str, message: &str, headers: &[(&str, &str)]) -> Value {
    let mut request = http()
        .post(format!("{server}/api/chat"))
        .json(&json!({ "message": message }));
    for (k, v) in headers {
        request = request.header(*k, *v);
    }
    let response = request.send().unwrap();
    assert_eq!(response.status().as_u16(), 200);
    response.json().unwrap()
}

/// Runs the OpenTelemetry-SDK caller (tests/fixtures/otel_caller.py).
fn python_caller(server: &str, question: &str, mode: &str) -> Value {
    let mut command = Command::new("python3");
    command
        .arg(repo().join("tests/fixtures/otel_caller.py"))
        .args([server, question, mode])
        .stdin(Stdio::null());
    for k in TRACE_ENV {
        command.env_remove(k);
    }
    let out = command
        .output()
        .expect("running python3 (needed for the OpenTelemetry SDK caller)");
    assert!(
        out.status.success(),
        "otel_caller.py failed (run `make setup` for the OpenTelemetry SDK):\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

// ---------------------------------------------------------------------------

#[test]
fn one_trace_links_the_client_the_server_the_worker_and_every_tool() {
    let stack = TracedStack::start();
    let (code, stdout, stderr) = ask(&stack.server.url, &[SEED_QUESTION, FOLLOW_UP], &[]);
    assert_eq!(code, 0, "stderr: {stderr}");
    let trace_id = trace_id_from(&stdout);
    assert!(is_trace_id(&trace_id), "{trace_id}");
    assert!(
        stdout.contains(&format!(
            "trellis traces show {trace_id} --server {}",
            stack.server.url
        )),
        "{stdout}"
    );
    // Each turn's answer names the same trace: the server continued it.
    assert_eq!(
        stdout.matches(&format!("trace: {trace_id}")).count(),
        2,
        "{stdout}"
    );
    let conversation_id = stdout
        .lines()
        .find_map(|l| l.strip_prefix("conversation: "))
        .unwrap()
        .to_string();

    let tree = stack.wait_for_trace(&trace_id, &|t| conversation_complete(t, 2));
    let all = nodes(&tree);
    assert_eq!(tree["span_count"].as_u64().unwrap() as usize, all.len());
    assert!(
        all.iter().all(|n| n.get("missing_parent").is_none()),
        "every parent was recorded"
    );
    for node in &all {
        assert_eq!(span(node)["root_span_id"], trace_id.as_str());
    }

    // The root aggregates the conversation (the seed's root-span pattern).
    let root = tree["roots"][0].clone();
    assert!(parents(&root).is_empty());
    assert_eq!(span(&root)["span_attributes"]["type"], "task");
    assert_eq!(span(&root)["input"], json!([SEED_QUESTION, FOLLOW_UP]));
    let output = &span(&root)["output"];
    assert_eq!(output["conversation_id"], conversation_id.as_str());
    assert_eq!(output["total_turns"], 2);
    assert_eq!(output["patient_query"], SEED_QUESTION);
    assert_eq!(output["turns"][0]["query"], SEED_QUESTION);
    assert_eq!(output["turns"][1]["query"], FOLLOW_UP);
    assert_eq!(output["final_response"], output["turns"][1]["response"]);
    assert!(output["turns"][0]["response"]
        .as_str()
        .unwrap()
        .contains("BMI 30.9"));

    let client_turns = children(&root, "client_turn");
    let mut seen_tools = Vec::new();
    for (i, turn) in client_turns.iter().enumerate() {
        assert_eq!(parents(turn), [span_id(&root)]);
        assert_eq!(span(turn)["input"], output["turns"][i]["query"]);
        assert_eq!(span(turn)["output"], output["turns"][i]["response"]);
        assert_eq!(
            span(turn)["metadata"]["conversation_id"],
            conversation_id.as_str()
        );
        assert_eq!(span(turn)["metadata"]["service.name"], "trellis-client");

        let server = children(turn, "server_process_turn")[0];
        assert_eq!(
            parents(server),
            [span_id(turn)],
            "server under the client turn"
        );
        assert_eq!(span(server)["metadata"]["service.name"], "trellis-server");
        assert_eq!(span(server)["output"], span(turn)["output"]);
        let steps: Vec<&str> = server["children"]
            .as_array()
            .unwrap()
            .iter()
            .map(name)
            .collect();
        assert_eq!(steps.first(), Some(&"claude_messages_create"), "{steps:?}");
        assert_eq!(steps.last(), Some(&"claude_messages_create"), "{steps:?}");
        for llm in children(server, "claude_messages_create") {
            assert_eq!(span(llm)["span_attributes"]["type"], "llm");
            assert_eq!(span(llm)["metadata"]["model"], "offline");
            assert!(span(llm)["metrics"]["tokens"].as_u64().unwrap() > 0);
        }
        for execution in children(server, "worker_execute_tool") {
            assert_eq!(
                parents(execution),
                [span_id(server)],
                "worker under server turn"
            );
            assert_eq!(
                span(execution)["metadata"]["service.name"],
                "trellis-worker"
            );
            let tool = &execution["children"][0];
            assert_eq!(parents(tool), [span_id(execution)]);
            assert_eq!(span(tool)["span_attributes"]["type"], "tool");
            assert_eq!(span(tool)["input"], span(execution)["input"]);
            // Both carry what the tool returned.
            assert!(span(tool)["output"].is_object(), "{tool}");
            assert_eq!(span(tool)["output"], span(execution)["output"]);
            assert_eq!(
                span(tool)["metadata"]["plugin"],
                span(execution)["metadata"]["plugin"]
            );
            assert!(span(tool)["metadata"]["digest"]
                .as_str()
                .unwrap()
                .starts_with("sha256:"));
            assert!(span(tool)["metrics"]["peak_memory_bytes"].as_f64().unwrap() > 0.0);
            assert!(span(tool)["metrics"]["duration_ms"].as_f64().is_some());
            seen_tools.push((i, name(tool).to_string(), tool.clone()));
        }
    }
    let first: Vec<&str> = seen_tools
        .iter()
        .filter(|(i, _, _)| *i == 0)
        .map(|(_, n, _)| n.as_str())
        .collect();
    for tool in [
        "calculate_clinical_metrics",
        "search_medical_knowledge",
        "lookup_medication",
    ] {
        assert!(
            first.contains(&tool),
            "{tool} missing from turn 1: {first:?}"
        );
    }
    let metformin = seen_tools
        .iter()
        .find(|(i, n, _)| *i == 1 && n == "lookup_medication")
        .expect("the follow-up looked up its medication");
    assert!(span(&metformin.2)["input"]
        .to_string()
        .contains("metformin"));
    let metrics = &seen_tools
        .iter()
        .find(|(_, n, _)| n == "calculate_clinical_metrics")
        .unwrap()
        .2;
    assert_eq!(span(metrics)["output"]["bmi"], 30.9);
    assert_eq!(span(metrics)["scores"]["health_risk"], 0.3);

    // After the processes are gone, the store holds this one trace and
    // nothing else.
    let span_count = all.len() as i64;
    drop(stack.worker);
    drop(stack.server);
    let store = trellis_trace::TraceStore::open(&stack.store).unwrap();
    let reader = store.reader().unwrap();
    let (traces, spans): (i64, i64) = reader
        .query_row(
            "SELECT count(DISTINCT root_span_id), count(*) FROM spans",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!((traces, spans), (1, span_count));
}

#[test]
fn traces_show_prints_the_tree_with_tool_outputs_and_scores() {
    let stack = TracedStack::start();
    let (code, stdout, stderr) = ask(&stack.server.url, &[SEED_QUESTION], &[]);
    assert_eq!(code, 0, "stderr: {stderr}");
    let trace_id = trace_id_from(&stdout);
    stack.wait_for_trace(&trace_id, &|t| conversation_complete(t, 1));

    let show = |id: &str, server: &str| {
        Background::spawn(&["traces", "show", id, "--server", server], &[]).finish(PATIENCE)
    };
    let (code, text, stderr) = show(&trace_id, &stack.server.url);
    assert_eq!(code, 0, "stderr: {stderr}");
    let lines: Vec<&str> = text.lines().collect();
    assert!(
        lines[0].starts_with(&format!("trace {trace_id} · ")),
        "{text}"
    );
    assert!(lines[1].starts_with("client_conversation [task]"), "{text}");
    assert!(lines[2].starts_with("└─ client_turn [task]"), "{text}");
    assert!(lines[3].contains("└─ server_process_turn [task]"), "{text}");
    assert!(
        lines[4].contains("├─ claude_messages_create [llm]") && lines[4].contains("model=offline"),
        "{text}"
    );
    let metrics = lines
        .iter()
        .find(|l| l.contains("calculate_clinical_metrics [tool]"))
        .unwrap_or_else(|| panic!("{text}"));
    assert!(metrics.contains("\"bmi\":30.9"), "{metrics}");
    assert!(metrics.contains("scores: health_risk=0.30"), "{metrics}");
    assert!(metrics.contains(" ms"), "a duration: {metrics}");
    for tool in [
        "search_medical_knowledge [tool]",
        "lookup_medication [tool]",
    ] {
        assert!(text.contains(tool), "{tool}:\n{text}");
    }
    assert_eq!(
        text.matches("worker_execute_tool [task]").count(),
        3,
        "{text}"
    );

    let (code, json_text, _) = Background::spawn(
        &[
            "traces",
            "show",
            &trace_id,
            "--server",
            &stack.server.url,
            "--json",
        ],
        &[],
    )
    .finish(PATIENCE);
    assert_eq!(code, 0);
    let tree: Value = serde_json::from_str(&json_text).unwrap();
    assert_eq!(tree["trace_id"], trace_id.as_str());

    let unknown = "0123456789abcdef0123456789abcdef";
    let (code, stdout, stderr) = show(unknown, &stack.server.url);
    assert_eq!(code, 1);
    assert!(stdout.trim().is_empty());
    assert_eq!(stderr.trim().lines().count(), 1, "one line: {stderr}");
    assert!(
        stderr.contains(&format!("trace {unknown} not found")),
        "{stderr}"
    );

    let (code, _, stderr) = show("not-a-trace", &stack.server.url);
    assert_eq!(code, 1);
    assert!(stderr.contains("is not a trace id"), "{stderr}");

    let down = format!("http://127.0.0.1:{}", free_port());
    let (code, _, stderr) = show(&trace_id, &down);
    assert_eq!(code, 1);
    assert_eq!(stderr.trim().lines().count(), 1, "one line: {stderr}");
    assert!(
        stderr.contains(&format!("cannot reach the Trellis server at {down}"))
            && stderr.contains("trellis server"),
        "{stderr}"
    );
}

#[test]
fn a_span_from_the_python_opentelemetry_sdk_is_the_parent_of_the_servers_turn() {
    let stack = TracedStack::start();
    let caller = python_caller(&stack.server.url, SEED_QUESTION, "traceparent");
    let trace_id = caller["trace_id"].as_str().unwrap();
    let caller_span = caller["span_id"].as_str().unwrap();
    assert!(
        caller["headers"]["traceparent"]
            .as_str()
            .unwrap()
            .contains(caller_span),
        "the SDK's propagator wrote the header: {caller}"
    );
    assert_eq!(
        caller["response"]["trace_id"], trace_id,
        "the server continued the trace"
    );

    let tree = stack.wait_for_trace(trace_id, &|t| caller_trace_complete(t, "python_caller"));
    let root = &tree["roots"][0];
    assert_eq!(span_id(root), caller_span);
    assert_eq!(span(root)["metadata"]["service.name"], "otel-python-caller");
    assert_eq!(
        span(root)["input"],
        SEED_QUESTION,
        "braintrust.input_json mapped"
    );
    let server = children(root, "server_process_turn")[0];
    assert_eq!(parents(server), [caller_span]);
    let tools: Vec<&str> = children(server, "worker_execute_tool")
        .iter()
        .map(|e| name(&e["children"][0]))
        .collect();
    assert!(tools.contains(&"calculate_clinical_metrics"), "{tools:?}");
}

#[test]
fn a_hand_made_braintrust_slug_is_the_parent_of_the_servers_turn() {
    let stack = TracedStack::start();
    let caller = python_caller(&stack.server.url, FOLLOW_UP, "slug");
    let trace_id = caller["trace_id"].as_str().unwrap();
    let caller_span = caller["span_id"].as_str().unwrap();
    assert!(caller["headers"].get("traceparent").is_none(), "{caller}");
    assert_eq!(caller["response"]["trace_id"], trace_id);

    let tree = stack.wait_for_trace(trace_id, &|t| caller_trace_complete(t, "python_caller"));
    let server = children(&tree["roots"][0], "server_process_turn")[0];
    assert_eq!(parents(server), [caller_span]);
    // The slug named the project; the server's and the worker's spans are
    // logged to it.
    assert_eq!(span(server)["project"], "python-project");
    let execution = children(server, "worker_execute_tool")[0];
    assert_eq!(span(&execution["children"][0])["project"], "python-project");
}

#[test]
fn malformed_trace_headers_start_a_new_trace_and_the_request_succeeds() {
    let stack = TracedStack::start();
    let answer = chat(
        &stack.server.url,
        SEED_QUESTION,
        &[
            ("traceparent", "00-0af7651916cd43dd8448eb211c80319c-zzzz-01"),
            ("x-bt-parent-span", "definitely not a slug"),
        ],
    );
    let trace_id = answer["trace_id"].as_str().unwrap();
    assert!(is_trace_id(trace_id), "{trace_id}");
    assert_ne!(trace_id, "0af7651916cd43dd8448eb211c80319c");
    assert!(answer["response"].as_str().unwrap().contains("BMI 30.9"));

    let tree = stack.wait_for_trace(trace_id, &|t| {
        let roots = t["roots"].as_array().unwrap();
        roots.len() == 1 && server_turn_complete(&roots[0])
    });
    let root = &tree["roots"][0];
    assert_eq!(name(root), "server_process_turn");
    assert!(parents(root).is_empty(), "a new root");
    let logged = wait_for(Duration::from_secs(10), &mut || {
        stack
            .server
            .output()
            .contains("ignoring malformed trace context")
            .then_some(())
    });
    assert!(logged.is_some(), "{}", stack.server.output());
}

#[test]
fn spans_wait_for_a_collector_that_is_down_and_none_are_lost() {
    // Every process exports to a port where nothing listens yet: the server
    // through OTEL_EXPORTER_OTLP_ENDPOINT (a base URL), the worker through
    // --collector, the client through OTEL_EXPORTER_OTLP_TRACES_ENDPOINT.
    let collector_port = free_port();
    let collector_base = format!("http://127.0.0.1:{collector_port}");
    let collector = format!("{collector_base}/v1/traces");
    let dir = tempfile::tempdir().unwrap();
    let worker_url = format!("http://127.0.0.1:{}", free_port());
    let own_store = dir.path().join("own.db");
    let server = Process::start_with(
        &[
            "server",
            "--listen",
            "127.0.0.1:0",
            "--model",
            "offline",
            "--worker",
            &worker_url,
            "--store",
            own_store.to_str().unwrap(),
        ],
        &[("OTEL_EXPORTER_OTLP_ENDPOINT", &collector_base)],
        TRACE_ENV,
    );
    let dist = dist();
    let worker = Process::start_with(
        &[
            "worker",
            "--listen",
            worker_url.trim_start_matches("http://"),
            "--plugins",
            dist.to_str().unwrap(),
            "--collector",
            &collector,
        ],
        &[],
        TRACE_ENV,
    );
    let client = Background::spawn(
        &["ask", "--server", &server.url, SEED_QUESTION, FOLLOW_UP],
        &[("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", &collector)],
    );

    // The conversation completes although no span can be delivered.
    client
        .wait_for_line("conversation: ", PATIENCE)
        .expect("the conversation finished");
    for process in [&server.url, &worker.url] {
        let retried = wait_for(Duration::from_secs(10), &mut || {
            (metric(process, "trellis_span_export_failed_attempts_total") > 0).then_some(())
        });
        assert!(retried.is_some(), "{process} kept retrying");
        assert!(
            metric(process, "trellis_spans_queued") > 0,
            "{process} holds its spans"
        );
        assert_eq!(metric(process, "trellis_spans_exported_total"), 0);
    }

    // The collector comes up (a second server with its own store).
    let late_store = dir.path().join("late.db");
    let late = Process::start_with(
        &[
            "server",
            "--listen",
            &format!("127.0.0.1:{collector_port}"),
            "--store",
            late_store.to_str().unwrap(),
        ],
        &[],
        TRACE_ENV,
    );
    let (code, stdout, stderr) = client.finish(PATIENCE);
    assert_eq!(code, 0, "stderr: {stderr}");
    assert!(!stderr.contains("could not be exported"), "{stderr}");
    let trace_id = trace_id_from(&stdout);
    let tree = wait_for_trace(&late.url, &trace_id, &|t| conversation_complete(t, 2));
    let services: std::collections::BTreeSet<&str> = nodes(&tree)
        .iter()
        .filter_map(|n| span(n)["metadata"]["service.name"].as_str())
        .collect();
    assert_eq!(
        services.into_iter().collect::<Vec<_>>(),
        ["trellis-client", "trellis-server", "trellis-worker"]
    );
    for process in [&server.url, &worker.url] {
        let drained = wait_for(Duration::from_secs(10), &mut || {
            (metric(process, "trellis_spans_queued") == 0).then_some(())
        });
        assert!(drained.is_some(), "{process} delivered everything");
        assert_eq!(
            metric(process, "trellis_spans_dropped_total"),
            0,
            "{process}"
        );
        assert!(
            metric(process, "trellis_spans_exported_total") > 0,
            "{process}"
        );
    }
    // Nothing went to the first server's own store: the OTel variable
    // replaced it as the destination.
    assert!(fetch_trace(&server.url, &trace_id).is_none());
}

#[test]
fn a_failing_tool_records_its_error_on_both_worker_spans() {
    let plugins = tempfile::tempdir().unwrap();
    std::fs::copy(fixture("hostile"), plugins.path().join("hostile.wasm")).unwrap();
    let stack = TracedStack::start_with(plugins.path(), &[]);
    // A caller span that is never exported: the worker's spans name it as
    // their parent all the same.
    let (trace_id, parent) = ("4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7");
    let traceparent = format!("00-{trace_id}-{parent}-01");
    let call = |tool: &str, input: Value| -> Value {
        http()
            .post(format!("{}/v1/tools/{tool}/call", stack.worker.url))
            .header("traceparent", &traceparent)
            .json(&json!({ "input": input }))
            .send()
            .unwrap()
            .json()
            .unwrap()
    };
    assert_eq!(call("panic", json!({}))["error"]["kind"], "trap");
    assert_eq!(
        call("read_file", json!({}))["error"]["kind"],
        "invalid_input"
    );

    let tree = stack.wait_for_trace(trace_id, &|t| t["span_count"] == 4);
    let executions = tree["roots"].as_array().unwrap();
    assert_eq!(executions.len(), 2);
    for (execution, tool, kind) in [
        (&executions[0], "panic", "trap"),
        (&executions[1], "read_file", "invalid_input"),
    ] {
        assert_eq!(name(execution), "worker_execute_tool");
        assert_eq!(execution["missing_parent"], parent);
        assert_eq!(span(execution)["metadata"]["tool"], tool);
        assert_eq!(span(execution)["metadata"]["plugin"], "hostile");
        let tool_span = &execution["children"][0];
        assert_eq!(name(tool_span), tool);
        for s in [span(execution), span(tool_span)] {
            assert_eq!(s["error"]["kind"], kind, "{s}");
            assert!(s["error"]["message"].as_str().unwrap().len() > 3, "{s}");
        }
    }
}

// ---- Export to Braintrust, against a fake of its OTLP endpoint ----

const FAKE_BRAINTRUST_KEY: &str = "sk-bt-test-DO-NOT-LOG-7331";

/// What the fake endpoint received: per request, its `authorization` and
/// `x-bt-parent` headers and the spans as (service, name).
type Received = Arc<Mutex<Vec<(String, String, Vec<(String, String)>)>>>;

async fn braintrust_otlp(State(received): State<Received>, headers: HeaderMap, body: Bytes) {
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string()
    };
    let request = decode_request(&body, OtlpEncoding::Protobuf).expect("an OTLP protobuf body");
    let spans = records_from_request(&request)
        .records
        .into_iter()
        .map(|r| {
            let service = r.metadata["service.name"]
                .as_str()
                .unwrap_or("")
                .to_string();
            (service, r.name().to_string())
        })
        .collect();
    received
        .lock()
        .unwrap()
        .push((header("authorization"), header("x-bt-parent"), spans));
}

fn start_fake_braintrust() -> (String, Received) {
    let received: Received = Arc::default();
    let app = axum::Router::new()
        .route("/otel/v1/traces", axum::routing::post(braintrust_otlp))
        .with_state(received.clone());
    (serve_in_background(app), received)
}

#[test]
fn with_a_braintrust_key_every_process_also_exports_to_braintrust() {
    let (api, received) = start_fake_braintrust();
    let env = [
        ("BRAINTRUST_API_KEY", FAKE_BRAINTRUST_KEY),
        ("BRAINTRUST_API_URL", api.as_str()),
        ("TRELLIS_PROJECT", "clinic-logs"),
    ];
    let stack = TracedStack::start_with(&dist(), &env);
    let (code, stdout, stderr) = ask(&stack.server.url, &[SEED_QUESTION], &env);
    assert_eq!(code, 0, "stderr: {stderr}");
    let trace_id = trace_id_from(&stdout);

    let wanted = [
        ("trellis-client", "client_conversation"),
        ("trellis-client", "client_turn"),
        ("trellis-server", "server_process_turn"),
        ("trellis-server", "claude_messages_create"),
        ("trellis-worker", "worker_execute_tool"),
        ("trellis-worker", "calculate_clinical_metrics"),
    ];
    let arrived = wait_for(Duration::from_secs(30), &mut || {
        let received = received.lock().unwrap();
        let spans: Vec<(String, String)> =
            received.iter().flat_map(|(_, _, s)| s.clone()).collect();
        wanted
            .iter()
            .all(|(service, name)| spans.iter().any(|(s, n)| s == service && n == name))
            .then_some(())
    });
    assert!(
        arrived.is_some(),
        "Braintrust got: {:?}",
        received.lock().unwrap()
    );
    for (authorization, parent, _) in received.lock().unwrap().iter() {
        assert_eq!(authorization, &format!("Bearer {FAKE_BRAINTRUST_KEY}"));
        assert_eq!(parent, "project_name:clinic-logs");
    }
    // The local collector still gets the whole trace.
    let tree = stack.wait_for_trace(&trace_id, &|t| conversation_complete(t, 1));
    assert_eq!(span(&tree["roots"][0])["project"], "clinic-logs");
    // The key is a secret: no process prints it.
    for output in [stack.server.output(), stack.worker.output(), stdout, stderr] {
        assert!(
            !output.contains(FAKE_BRAINTRUST_KEY),
            "key leaked:\n{output}"
        );
    }
}
