//! The bad-input matrix: every HTTP endpoint of the worker and the server,
//! fed malformed JSON, wrong types, missing and unknown fields, bodies over
//! the route's limit, deep nesting, invalid UTF-8, the wrong content type,
//! empty bodies, unknown routes and methods, and malformed trace headers.
//! Each case must be answered promptly with a 4xx and an error body that
//! names the problem — never a 5xx, never a hang — except malformed trace
//! headers on a valid request, which are ignored (200).

use std::time::Duration;

use serde_json::Value;

use crate::support::TracedStack;

/// Which process a case is sent to.
#[derive(Debug, Clone, Copy)]
enum Target {
    Worker,
    Server,
}

/// What a case must be answered with.
#[derive(Debug)]
enum Expect {
    /// A 4xx with `{"error": {"kind", "message"}}`, the message containing
    /// the substring.
    Error(u16, &'static str, String),
    /// 200: the request is served despite a malformed trace header.
    Ok,
    /// 200 with `is_error: true`: the request was well formed, and the tool
    /// rejected its input (the worker's contract for input that does not
    /// match the tool's schema), with this kind and a message containing
    /// the substring.
    ToolError(&'static str, &'static str),
}

/// One request and the answer it must get.
struct Case {
    name: &'static str,
    target: Target,
    method: &'static str,
    path: String,
    content_type: Option<&'static str>,
    body: Vec<u8>,
    headers: Vec<(&'static str, &'static str)>,
    expect: Expect,
}

const JSON: Option<&str> = Some("application/json");
const TOOL: &str = "/v1/tools/calculate_clinical_metrics/call";
const VALID_TOOL_CALL: &str = r#"{"input": {"height_inches": 64, "weight_lb": 130}}"#;
const VALID_CHAT: &str = r#"{"message": "hello"}"#;
const TRACE_ID: &str = "0af7651916cd43dd8448eb211c80319c";

/// `[[[…]]]` nested `depth` deep.
fn nested(depth: usize) -> String {
    format!("{}{}", "[".repeat(depth), "]".repeat(depth))
}

/// A JSON body whose string `pad` is `bytes` long.
fn padded(field: &str, bytes: usize) -> Vec<u8> {
    format!("{{\"{field}\": \"{}\"}}", "x".repeat(bytes)).into_bytes()
}

/// `prefix`, then the bytes of a JSON string holding invalid UTF-8, then
/// `suffix`.
fn invalid_utf8(prefix: &str, suffix: &str) -> Vec<u8> {
    let mut body = prefix.as_bytes().to_vec();
    body.extend_from_slice(b"\"ab\xff\xfe\xc3\x28cd\"");
    body.extend_from_slice(suffix.as_bytes());
    body
}

fn error(status: u16, kind: &'static str, needle: impl Into<String>) -> Expect {
    Expect::Error(status, kind, needle.into())
}

fn cases() -> Vec<Case> {
    use Target::{Server, Worker};
    let case = |name, target, method, path: &str, content_type, body: &[u8], expect| Case {
        name,
        target,
        method,
        path: path.to_string(),
        content_type,
        body: body.to_vec(),
        headers: Vec::new(),
        expect,
    };
    let with_headers = |mut c: Case, headers: &[(&'static str, &'static str)]| {
        c.headers = headers.to_vec();
        c
    };
    let bad_traceparent: &[(&str, &str)] = &[("traceparent", "00-not-a-trace-id-zz")];
    let bad_parent_span: &[(&str, &str)] = &[("x-bt-parent-span", "not-a-span-at-all")];
    let deep = nested(10_000);
    let bad = "bad_request";
    let too_large = "payload_too_large";
    let media = "unsupported_media_type";
    let not_found = "not_found";
    let method = "method_not_allowed";

    vec![
        // ---- worker: POST /v1/tools/{name}/call ----
        case(
            "tool call: malformed JSON",
            Worker,
            "POST",
            TOOL,
            JSON,
            b"{\"input\": ",
            error(400, bad, "JSON"),
        ),
        case(
            "tool call: input not an object",
            Worker,
            "POST",
            TOOL,
            JSON,
            br#"{"input": "x"}"#,
            Expect::ToolError("invalid_input", "is not of type \"object\""),
        ),
        case(
            "tool call: body not an object",
            Worker,
            "POST",
            TOOL,
            JSON,
            br#""input""#,
            error(400, bad, "expected struct CallRequest"),
        ),
        case(
            "tool call: missing input",
            Worker,
            "POST",
            TOOL,
            JSON,
            b"{}",
            error(400, bad, "missing field `input`"),
        ),
        case(
            "tool call: unknown field",
            Worker,
            "POST",
            TOOL,
            JSON,
            br#"{"input": {}, "extra": 1}"#,
            error(400, bad, "unknown field `extra`"),
        ),
        case(
            "tool call: huge body",
            Worker,
            "POST",
            TOOL,
            JSON,
            &padded("input", 1_100_000),
            error(413, too_large, "too large"),
        ),
        case(
            "tool call: deep nesting",
            Worker,
            "POST",
            TOOL,
            JSON,
            format!("{{\"input\": {deep}}}").as_bytes(),
            error(400, bad, "recursion limit"),
        ),
        case(
            "tool call: invalid UTF-8",
            Worker,
            "POST",
            TOOL,
            JSON,
            &invalid_utf8("{\"input\": {\"q\": ", "}}"),
            error(400, bad, "unicode"),
        ),
        case(
            "tool call: text/plain",
            Worker,
            "POST",
            TOOL,
            Some("text/plain"),
            VALID_TOOL_CALL.as_bytes(),
            error(415, media, "Content-Type: application/json"),
        ),
        case(
            "tool call: no content type",
            Worker,
            "POST",
            TOOL,
            None,
            VALID_TOOL_CALL.as_bytes(),
            error(415, media, "Content-Type: application/json"),
        ),
        case(
            "tool call: empty body",
            Worker,
            "POST",
            TOOL,
            JSON,
            b"",
            error(400, bad, "EOF"),
        ),
        case(
            "tool call: unknown tool",
            Worker,
            "POST",
            "/v1/tools/no_such_tool/call",
            JSON,
            VALID_TOOL_CALL.as_bytes(),
            error(404, not_found, "no_such_tool"),
        ),
        case(
            "tool call: name not UTF-8",
            Worker,
            "POST",
            "/v1/tools/%ff%fe/call",
            JSON,
            VALID_TOOL_CALL.as_bytes(),
            error(400, bad, "UTF-8"),
        ),
        case(
            "tool call: GET",
            Worker,
            "GET",
            TOOL,
            None,
            b"",
            error(405, method, TOOL),
        ),
        with_headers(
            case(
                "tool call: bad traceparent",
                Worker,
                "POST",
                TOOL,
                JSON,
                VALID_TOOL_CALL.as_bytes(),
                Expect::Ok,
            ),
            bad_traceparent,
        ),
        with_headers(
            case(
                "tool call: bad x-bt-parent-span",
                Worker,
                "POST",
                TOOL,
                JSON,
                VALID_TOOL_CALL.as_bytes(),
                Expect::Ok,
            ),
            bad_parent_span,
        ),
        // ---- worker: other routes ----
        case(
            "tools: POST",
            Worker,
            "POST",
            "/v1/tools",
            JSON,
            b"{}",
            error(405, method, "/v1/tools"),
        ),
        case(
            "tools: DELETE",
            Worker,
            "DELETE",
            "/v1/tools",
            None,
            b"",
            error(405, method, "DELETE"),
        ),
        with_headers(
            case(
                "tools: bad traceparent",
                Worker,
                "GET",
                "/v1/tools",
                None,
                b"",
                Expect::Ok,
            ),
            bad_traceparent,
        ),
        case(
            "worker healthz: POST",
            Worker,
            "POST",
            "/healthz",
            JSON,
            b"{}",
            error(405, method, "/healthz"),
        ),
        case(
            "worker metrics: PUT",
            Worker,
            "PUT",
            "/metrics",
            Some("text/plain"),
            b"x",
            error(405, method, "/metrics"),
        ),
        case(
            "worker: unknown route",
            Worker,
            "GET",
            "/v1/nowhere",
            None,
            b"",
            error(404, not_found, "/v1/nowhere"),
        ),
        case(
            "worker: unknown route, POST",
            Worker,
            "POST",
            "/v2/tools/x/call",
            JSON,
            VALID_TOOL_CALL.as_bytes(),
            error(404, not_found, "/v2/tools/x/call"),
        ),
        // ---- server: POST /api/chat ----
        case(
            "chat: malformed JSON",
            Server,
            "POST",
            "/api/chat",
            JSON,
            b"{\"message\": \"hi",
            error(400, bad, "JSON"),
        ),
        case(
            "chat: message not a string",
            Server,
            "POST",
            "/api/chat",
            JSON,
            br#"{"message": 42}"#,
            error(400, bad, "message"),
        ),
        case(
            "chat: conversation_id not a string",
            Server,
            "POST",
            "/api/chat",
            JSON,
            br#"{"message": "hi", "conversation_id": []}"#,
            error(400, bad, "conversation_id"),
        ),
        case(
            "chat: missing message",
            Server,
            "POST",
            "/api/chat",
            JSON,
            b"{}",
            error(400, bad, "missing field `message`"),
        ),
        case(
            "chat: unknown field",
            Server,
            "POST",
            "/api/chat",
            JSON,
            br#"{"message": "hi", "temperature": 0.2}"#,
            error(400, bad, "unknown field `temperature`"),
        ),
        case(
            "chat: unknown model",
            Server,
            "POST",
            "/api/chat",
            JSON,
            br#"{"message": "hi", "model": "gpt-4o"}"#,
            error(400, bad, "`model`: unknown model `gpt-4o`"),
        ),
        case(
            "chat: blank message",
            Server,
            "POST",
            "/api/chat",
            JSON,
            br#"{"message": "   "}"#,
            error(400, bad, "`message` is empty"),
        ),
        case(
            "chat: message over its limit",
            Server,
            "POST",
            "/api/chat",
            JSON,
            &padded("message", 101 * 1024),
            error(413, too_large, "`message`"),
        ),
        case(
            "chat: huge body",
            Server,
            "POST",
            "/api/chat",
            JSON,
            &padded("message", 1_100_000),
            error(413, too_large, "too large"),
        ),
        case(
            "chat: deep nesting",
            Server,
            "POST",
            "/api/chat",
            JSON,
            format!("{{\"message\": {deep}}}").as_bytes(),
            error(400, bad, "invalid type: sequence"),
        ),
        case(
            "chat: invalid UTF-8",
            Server,
            "POST",
            "/api/chat",
            JSON,
            &invalid_utf8("{\"message\": ", "}"),
            error(400, bad, "unicode"),
        ),
        case(
            "chat: text/plain",
            Server,
            "POST",
            "/api/chat",
            Some("text/plain"),
            VALID_CHAT.as_bytes(),
            error(415, media, "Content-Type: application/json"),
        ),
        case(
            "chat: empty body",
            Server,
            "POST",
            "/api/chat",
            JSON,
            b"",
            error(400, bad, "EOF"),
        ),
        case(
            "chat: unknown conversation",
            Server,
            "POST",
            "/api/chat",
            JSON,
            br#"{"message": "hi", "conversation_id": "no-such-conversation"}"#,
            error(404, not_found, "no-such-conversation"),
        ),
        case(
            "chat: GET",
            Server,
            "GET",
            "/api/chat",
            None,
            b"",
            error(405, method, "/api/chat"),
        ),
        with_headers(
            case(
                "chat: bad traceparent",
                Server,
                "POST",
                "/api/chat",
                JSON,
                VALID_CHAT.as_bytes(),
                Expect::Ok,
            ),
            bad_traceparent,
        ),
        with_headers(
            case(
                "chat: bad x-bt-parent-span",
                Server,
                "POST",
                "/api/chat",
                JSON,
                VALID_CHAT.as_bytes(),
                Expect::Ok,
            ),
            bad_parent_span,
        ),
        // ---- server: POST /btql ----
        case(
            "btql: malformed JSON",
            Server,
            "POST",
            "/btql",
            JSON,
            b"{\"query\": ",
            error(400, bad, "JSON"),
        ),
        case(
            "btql: query not a string",
            Server,
            "POST",
            "/btql",
            JSON,
            br#"{"query": 1}"#,
            error(400, bad, "query"),
        ),
        case(
            "btql: bad fmt",
            Server,
            "POST",
            "/btql",
            JSON,
            br#"{"query": "select: *", "fmt": "xml"}"#,
            error(400, bad, "fmt"),
        ),
        case(
            "btql: missing query",
            Server,
            "POST",
            "/btql",
            JSON,
            b"{}",
            error(400, bad, "missing field `query`"),
        ),
        case(
            "btql: query does not parse",
            Server,
            "POST",
            "/btql",
            JSON,
            br#"{"query": "select: * from: project_logs('p') filter: ((("}"#,
            error(400, bad, ""),
        ),
        case(
            "btql: huge body",
            Server,
            "POST",
            "/btql",
            JSON,
            &padded("query", 1_100_000),
            error(413, too_large, "too large"),
        ),
        case(
            "btql: deep nesting",
            Server,
            "POST",
            "/btql",
            JSON,
            format!("{{\"query\": {deep}}}").as_bytes(),
            error(400, bad, "invalid type: sequence"),
        ),
        case(
            "btql: invalid UTF-8",
            Server,
            "POST",
            "/btql",
            JSON,
            &invalid_utf8("{\"query\": ", "}"),
            error(400, bad, "unicode"),
        ),
        case(
            "btql: text/plain",
            Server,
            "POST",
            "/btql",
            Some("text/plain"),
            br#"{"query": "select: *"}"#,
            error(415, media, "Content-Type: application/json"),
        ),
        case(
            "btql: empty body",
            Server,
            "POST",
            "/btql",
            JSON,
            b"",
            error(400, bad, "EOF"),
        ),
        case(
            "btql: GET",
            Server,
            "GET",
            "/btql",
            None,
            b"",
            error(405, method, "/btql"),
        ),
        // ---- server: datasets and experiments ----
        case(
            "dataset rows: malformed JSON",
            Server,
            "POST",
            "/api/datasets/d/rows",
            JSON,
            b"{\"rows\": [",
            error(400, bad, "JSON"),
        ),
        case(
            "dataset rows: missing rows",
            Server,
            "POST",
            "/api/datasets/d/rows",
            JSON,
            b"{}",
            error(400, bad, "missing field `rows`"),
        ),
        case(
            "dataset rows: metadata not an object",
            Server,
            "POST",
            "/api/datasets/d/rows",
            JSON,
            br#"{"rows": [{"input": 1}, {"input": 2, "metadata": "x"}]}"#,
            error(400, bad, "row 1: `metadata` must be a JSON object"),
        ),
        case(
            "dataset rows: invalid UTF-8",
            Server,
            "POST",
            "/api/datasets/d/rows",
            JSON,
            &invalid_utf8("{\"rows\": [{\"input\": ", "}]}"),
            error(400, bad, "unicode"),
        ),
        case(
            "dataset rows: text/plain",
            Server,
            "POST",
            "/api/datasets/d/rows",
            Some("text/plain"),
            br#"{"rows": []}"#,
            error(415, media, "Content-Type: application/json"),
        ),
        case(
            "dataset rows: blank name",
            Server,
            "POST",
            "/api/datasets/%20%20/rows",
            JSON,
            br#"{"rows": []}"#,
            error(400, bad, "the dataset name is only whitespace"),
        ),
        case(
            "dataset: name not UTF-8",
            Server,
            "GET",
            "/api/datasets/%FF%FE",
            None,
            b"",
            error(400, bad, ""),
        ),
        case(
            "dataset: unknown",
            Server,
            "GET",
            "/api/datasets/nope",
            None,
            b"",
            error(404, not_found, "dataset `nope` not found"),
        ),
        case(
            "datasets: PUT",
            Server,
            "PUT",
            "/api/datasets",
            None,
            b"",
            error(405, method, "/api/datasets"),
        ),
        case(
            "experiment: missing name",
            Server,
            "POST",
            "/api/experiments",
            JSON,
            b"{}",
            error(400, bad, "missing field `name`"),
        ),
        case(
            "experiment: unknown dataset",
            Server,
            "POST",
            "/api/experiments",
            JSON,
            br#"{"name": "e", "dataset": "nope"}"#,
            error(400, bad, "dataset `nope` not found"),
        ),
        case(
            "experiment spans: unknown experiment",
            Server,
            "POST",
            "/api/experiments/nope/spans",
            JSON,
            br#"{"spans": []}"#,
            error(404, not_found, "experiment `nope` not found"),
        ),
        case(
            "experiment spans: not span records",
            Server,
            "POST",
            "/api/experiments/nope/spans",
            JSON,
            br#"{"spans": [{"id": 1}]}"#,
            error(400, bad, "span 0: "),
        ),
        // ---- server: POST /v1/traces ----
        case(
            "otlp: garbage protobuf",
            Server,
            "POST",
            "/v1/traces",
            Some("application/x-protobuf"),
            b"\xff\xff\xff\xff\x0f\x12\x99not protobuf",
            error(400, bad, ""),
        ),
        case(
            "otlp: truncated protobuf",
            Server,
            "POST",
            "/v1/traces",
            Some("application/x-protobuf"),
            b"\x0a\xff\x01\x0a",
            error(400, bad, ""),
        ),
        case(
            "otlp: malformed JSON",
            Server,
            "POST",
            "/v1/traces",
            JSON,
            b"{\"resourceSpans\": [",
            error(400, bad, ""),
        ),
        case(
            "otlp: wrong JSON types",
            Server,
            "POST",
            "/v1/traces",
            JSON,
            br#"{"resourceSpans": 7}"#,
            error(400, bad, ""),
        ),
        case(
            "otlp: deep nesting",
            Server,
            "POST",
            "/v1/traces",
            JSON,
            format!("{{\"resourceSpans\": {deep}}}").as_bytes(),
            error(400, bad, ""),
        ),
        case(
            "otlp: invalid UTF-8",
            Server,
            "POST",
            "/v1/traces",
            JSON,
            &invalid_utf8("{\"resourceSpans\": [{\"schemaUrl\": ", "}]}"),
            error(400, bad, ""),
        ),
        case(
            "otlp: empty JSON body",
            Server,
            "POST",
            "/v1/traces",
            JSON,
            b"",
            error(400, bad, ""),
        ),
        case(
            "otlp: text/plain",
            Server,
            "POST",
            "/v1/traces",
            Some("text/plain"),
            b"{}",
            error(415, media, "text/plain"),
        ),
        case(
            "otlp: no content type",
            Server,
            "POST",
            "/v1/traces",
            None,
            b"{}",
            error(415, media, "(none)"),
        ),
        with_headers(
            case(
                "otlp: gzip",
                Server,
                "POST",
                "/v1/traces",
                JSON,
                b"{}",
                error(415, media, "gzip"),
            ),
            &[("content-encoding", "gzip")],
        ),
        case(
            "otlp: huge body",
            Server,
            "POST",
            "/v1/traces",
            Some("application/x-protobuf"),
            &vec![0u8; 33 * 1024 * 1024],
            error(413, too_large, "larger than"),
        ),
        case(
            "otlp: GET",
            Server,
            "GET",
            "/v1/traces",
            None,
            b"",
            error(405, method, "/v1/traces"),
        ),
        with_headers(
            case(
                "otlp: bad x-bt-parent",
                Server,
                "POST",
                "/v1/traces",
                JSON,
                b"{}",
                Expect::Ok,
            ),
            &[("x-bt-parent", "::nonsense::")],
        ),
        // ---- server: GET /api/traces/{id} ----
        case(
            "trace: id not hex",
            Server,
            "GET",
            "/api/traces/not-a-trace-id",
            None,
            b"",
            error(400, bad, "not-a-trace-id"),
        ),
        case(
            "trace: id too short",
            Server,
            "GET",
            "/api/traces/0af7651916cd43dd",
            None,
            b"",
            error(400, bad, "32 hex digits"),
        ),
        case(
            "trace: id percent-encoded junk",
            Server,
            "GET",
            "/api/traces/%00%ff%27%3B",
            None,
            b"",
            error(400, bad, "trace_id"),
        ),
        case(
            "trace: unknown id",
            Server,
            "GET",
            &format!("/api/traces/{TRACE_ID}"),
            None,
            b"",
            error(404, not_found, TRACE_ID),
        ),
        case(
            "trace: POST",
            Server,
            "POST",
            &format!("/api/traces/{TRACE_ID}"),
            JSON,
            b"{}",
            error(405, method, "/api/traces/"),
        ),
        // ---- server: other routes ----
        case(
            "server healthz: POST",
            Server,
            "POST",
            "/healthz",
            JSON,
            b"{}",
            error(405, method, "/healthz"),
        ),
        case(
            "server metrics: DELETE",
            Server,
            "DELETE",
            "/metrics",
            None,
            b"",
            error(405, method, "/metrics"),
        ),
        with_headers(
            case(
                "server healthz: bad traceparent",
                Server,
                "GET",
                "/healthz",
                None,
                b"",
                Expect::Ok,
            ),
            bad_traceparent,
        ),
        case(
            "server: unknown route",
            Server,
            "GET",
            "/api/nowhere",
            None,
            b"",
            error(404, not_found, "/api/nowhere"),
        ),
        case(
            "server: unknown route, POST",
            Server,
            "POST",
            "/api/chat/extra",
            JSON,
            VALID_CHAT.as_bytes(),
            error(404, not_found, "/api/chat/extra"),
        ),
    ]
}

#[test]
fn every_endpoint_answers_bad_input_with_a_4xx_naming_the_problem() {
    let stack = TracedStack::start();
    // Short enough that a hang fails the case rather than the whole run.
    // No pooling: a server may close a connection after rejecting a body it
    // did not read, and a reused connection would fail the next case.
    let client = reqwest::blocking::Client::builder()
        .timeout(Duration::from_secs(10))
        .pool_max_idle_per_host(0)
        .build()
        .unwrap();
    let cases = cases();
    let mut failures = Vec::new();
    for case in &cases {
        let base = match case.target {
            Target::Worker => &stack.worker.url,
            Target::Server => &stack.server.url,
        };
        let method = reqwest::Method::from_bytes(case.method.as_bytes()).unwrap();
        let mut request = client
            .request(method, format!("{base}{}", case.path))
            .body(case.body.clone());
        if let Some(content_type) = case.content_type {
            request = request.header("content-type", content_type);
        }
        for (name, value) in &case.headers {
            request = request.header(*name, *value);
        }
        let response = match request.send() {
            Ok(response) => response,
            Err(e) => {
                failures.push(format!("{}: no answer: {e}", case.name));
                continue;
            }
        };
        let status = response.status().as_u16();
        let text = response.text().unwrap_or_default();
        match &case.expect {
            Expect::Ok => {
                if status != 200 {
                    failures.push(format!("{}: expected 200, got {status}: {text}", case.name));
                }
            }
            Expect::ToolError(kind, needle) => {
                let body: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
                let message = body["error"]["message"].as_str().unwrap_or("");
                if status != 200
                    || body["is_error"] != true
                    || body["error"]["kind"] != *kind
                    || !message.contains(needle)
                {
                    failures.push(format!(
                        "{}: expected a 200 `{kind}` tool error mentioning {needle:?}, got {status}: {text}",
                        case.name
                    ));
                }
            }
            Expect::Error(want, kind, needle) => {
                let body: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
                let error = &body["error"];
                let message = error["message"].as_str().unwrap_or("");
                if status != *want
                    || error["kind"] != *kind
                    || message.is_empty()
                    || !message.contains(needle.as_str())
                {
                    failures.push(format!(
                        "{}: expected {want} `{kind}` mentioning {needle:?}, got {status}: {text}",
                        case.name
                    ));
                }
            }
        }
    }
    eprintln!("bad input matrix: {} cases tried", cases.len());
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // Still serving after all of it.
    for base in [&stack.worker.url, &stack.server.url] {
        let health = client.get(format!("{base}/healthz")).send().unwrap();
        assert_eq!(health.status(), 200, "{base}");
    }
}
