//! Access control across the real processes: with `TRELLIS_TOKEN` set for
//! all of them, a conversation and its trace go through (every span
//! authenticated from client, server and worker to the collector), every
//! endpoint but `/healthz` refuses a missing or wrong token with 401, a
//! token lets a server bind beyond loopback, and the token shows up in no
//! output and nowhere in the trace store.

use std::time::Duration;

use serde_json::{json, Value};

use crate::support::{dist, http, run, wait_for, Background, Process, TracedStack};

const TOKEN: &str = "trellis-e2e-token-7f3a9c51d2";
const WRONG: &str = "trellis-e2e-token-7f3a9c51d3";
const QUESTION: &str = "What dose of metformin should a 45-year-old start on?";
const PATIENCE: Duration = Duration::from_secs(60);

fn bearer(token: &str) -> String {
    format!("Bearer {token}")
}

/// The status of `method url` with `authorization` (if any) and a JSON body,
/// and the error kind of its body if it is an error.
fn status_of(
    method: &str,
    url: &str,
    authorization: Option<&str>,
    body: Value,
) -> (u16, Option<String>) {
    let client = http();
    let mut request = match method {
        "GET" => client.get(url),
        _ => client.post(url).json(&body),
    };
    if let Some(value) = authorization {
        request = request.header("authorization", value);
    }
    let response = request.send().unwrap();
    let status = response.status().as_u16();
    let kind = response
        .json::<Value>()
        .ok()
        .and_then(|v| v["error"]["kind"].as_str().map(str::to_string));
    (status, kind)
}

/// Every span name of a `GET /api/traces/{id}` tree.
fn span_names(tree: &Value) -> Vec<String> {
    let mut names = Vec::new();
    let mut stack: Vec<&Value> = tree["roots"].as_array().unwrap().iter().collect();
    while let Some(node) = stack.pop() {
        if let Some(name) = node["span"]["span_attributes"]["name"].as_str() {
            names.push(name.to_string());
        }
        stack.extend(node["children"].as_array().unwrap());
    }
    names
}

#[test]
fn with_a_token_everything_but_healthz_requires_it_and_the_token_never_leaks() {
    let env = [("TRELLIS_TOKEN", TOKEN)];
    let stack = TracedStack::start_with(&dist(), &env);
    let server = &stack.server.url;
    let worker = &stack.worker.url;

    // A conversation with the token: answered, and its trace arrives whole,
    // so the client's, the server's and the worker's exports were accepted.
    let (code, stdout, stderr) =
        Background::spawn(&["ask", "--server", server, QUESTION], &env).finish(PATIENCE);
    assert_eq!(code, 0, "stderr: {stderr}");
    let trace_id = stdout
        .lines()
        .find_map(|l| l.strip_prefix("conversation trace "))
        .and_then(|rest| rest.split_whitespace().next())
        .unwrap_or_else(|| panic!("no trace line in:\n{stdout}"))
        .to_string();
    let trace_url = format!("{server}/api/traces/{trace_id}");
    let tree = wait_for(Duration::from_secs(30), &mut || {
        let response = http()
            .get(&trace_url)
            .header("authorization", bearer(TOKEN))
            .send()
            .ok()?;
        let tree: Value = (response.status() == 200).then(|| response.json().ok())??;
        let names = span_names(&tree);
        [
            "client_conversation",
            "client_turn",
            "server_process_turn",
            "worker_execute_tool",
        ]
        .iter()
        .all(|wanted| names.iter().any(|n| n == wanted))
        .then_some(tree)
    })
    .unwrap_or_else(|| panic!("trace {trace_id} did not arrive from all three processes"));
    assert_eq!(tree["roots"].as_array().unwrap().len(), 1, "{tree:#}");

    // `trellis traces` presents the token too.
    let (code, stdout, stderr) = run(
        &[
            "traces",
            "query",
            "--server",
            server,
            "SELECT id FROM project_logs('trellis-demo') LIMIT 1",
        ],
        &env,
    );
    assert_eq!(code, 0, "stdout: {stdout}\nstderr: {stderr}");

    // Without the token, or with a wrong one, every endpoint refuses.
    let endpoints = [
        ("GET", format!("{worker}/v1/tools"), json!(null)),
        (
            "POST",
            format!("{worker}/v1/tools/calculate_clinical_metrics/call"),
            json!({"input": {}}),
        ),
        ("GET", format!("{worker}/metrics"), json!(null)),
        (
            "POST",
            format!("{server}/api/chat"),
            json!({"message": "hi"}),
        ),
        (
            "POST",
            format!("{server}/btql"),
            json!({"query": "SELECT 1"}),
        ),
        (
            "POST",
            format!("{server}/v1/traces"),
            json!({"resourceSpans": []}),
        ),
        ("GET", trace_url.clone(), json!(null)),
        ("GET", format!("{server}/metrics"), json!(null)),
        ("GET", format!("{server}/no/such/route"), json!(null)),
    ];
    for (method, url, body) in &endpoints {
        for authorization in [None, Some(bearer(WRONG)), Some(format!("Basic {TOKEN}"))] {
            let (status, kind) = status_of(method, url, authorization.as_deref(), body.clone());
            assert_eq!(status, 401, "{method} {url} with {authorization:?}");
            assert_eq!(kind.as_deref(), Some("unauthorized"), "{method} {url}");
        }
    }
    // ...and the right one gets through.
    let (status, _) = status_of(
        "GET",
        &format!("{worker}/v1/tools"),
        Some(&bearer(TOKEN)),
        json!(null),
    );
    assert_eq!(status, 200);
    let (status, _) = status_of(
        "POST",
        &format!("{server}/btql"),
        Some(&bearer(TOKEN)),
        json!({"query": "SELECT id FROM project_logs('trellis-demo') LIMIT 1"}),
    );
    assert_eq!(status, 200);
    // Health checks stay open.
    for base in [server, worker] {
        let (status, _) = status_of("GET", &format!("{base}/healthz"), None, json!(null));
        assert_eq!(status, 200, "{base}/healthz");
    }

    // A client without the token, or with a wrong one, is told why.
    for client_env in [&[][..], &[("TRELLIS_TOKEN", WRONG)][..]] {
        let (code, stdout, stderr) = Background::spawn(
            &["ask", "--server", server, "--collector", "none", QUESTION],
            client_env,
        )
        .finish(PATIENCE);
        assert_ne!(code, 0, "stdout: {stdout}");
        assert!(
            stderr.contains("bearer") || stderr.contains("Bearer"),
            "{stderr}"
        );
        assert!(!stderr.contains(TOKEN) && !stdout.contains(TOKEN));
    }

    // The token is in no process's output and nowhere in the store.
    let outputs = [
        ("server", stack.server.output()),
        ("worker", stack.worker.output()),
        ("ask", stdout),
        ("ask stderr", stderr),
    ];
    for (who, output) in &outputs {
        assert!(
            !output.contains(TOKEN),
            "the {who} printed the token:\n{output}"
        );
        assert!(
            !output.contains(WRONG),
            "the {who} printed a wrong token:\n{output}"
        );
    }
    let dir = stack.store.parent().unwrap();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let bytes = std::fs::read(&path).unwrap();
        for secret in [TOKEN, WRONG] {
            assert!(
                !bytes.windows(secret.len()).any(|w| w == secret.as_bytes()),
                "{} holds a token",
                path.display()
            );
        }
    }
}

#[test]
fn a_server_binds_beyond_loopback_only_with_a_token_or_allow_remote() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("traces.db");
    let args = [
        "server",
        "--listen",
        "0.0.0.0:0",
        "--model",
        "offline",
        "--store",
        store.to_str().unwrap(),
    ];
    let (code, _, stderr) = run(&args, &[]);
    assert_ne!(code, 0);
    assert!(stderr.contains("non-loopback"), "{stderr}");
    assert!(stderr.contains("TRELLIS_TOKEN"), "{stderr}");
    assert!(stderr.contains("--allow-remote"), "{stderr}");

    let server = Process::start(&args, &[("TRELLIS_TOKEN", TOKEN)]);
    let port = server.url.rsplit(':').next().unwrap();
    let local = format!("http://127.0.0.1:{port}");
    let (status, _) = status_of("GET", &format!("{local}/healthz"), None, json!(null));
    assert_eq!(status, 200);
    let (status, _) = status_of(
        "POST",
        &format!("{local}/api/chat"),
        None,
        json!({"message": "hi"}),
    );
    assert_eq!(status, 401);
    assert!(!server.output().contains(TOKEN));
}
