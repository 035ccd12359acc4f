//! The server's traces: a turn continues the caller's trace from its headers
//! and records every model call; the worker is called with the turn's span
//! context; failures are errors on the spans; malformed headers start a new
//! trace; the collector's routes keep their own body limit; `/metrics`
//! shows the exporter.

use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use serde_json::{json, Value};
use tower::ServiceExt;
use trellis_agent::offline::OfflineModel;
use trellis_agent::provider::{ModelProvider, ProviderError};
use trellis_agent::{app, AppState, ServerConfig};
use trellis_trace::otlp::{encode_request, export_request, OtlpEncoding};
use trellis_trace::propagation::{parse_traceparent, TRACEPARENT, X_BT_PARENT_SPAN};
use trellis_trace::{
    inject_trace_context, Collector, CollectorConfig, Exporter, ExporterConfig, Span, SpanContext,
    SpanRecord, SpanType, TraceStore,
};

use crate::fakes::{FakeWorker, ScriptedModel};

const SEED: &str = "I have a 45-year-old female patient, 5'4\" tall, 180 lbs, presenting with \
    fatigue and increased thirst. What conditions should I evaluate for, and what are the \
    treatment options?";

/// A server state whose spans go into its own store, as `trellis server`'s do.
struct Traced {
    state: AppState,
    store: Arc<TraceStore>,
    exporter: Exporter,
    _dir: tempfile::TempDir,
}

impl Traced {
    fn new(provider: Arc<dyn ModelProvider>, worker_url: &str) -> Traced {
        let dir = tempfile::tempdir().unwrap();
        let store = Arc::new(TraceStore::open(dir.path().join("traces.db")).unwrap());
        let collector = Collector::new(
            store.clone(),
            CollectorConfig {
                default_project: "clinic".into(),
                ..CollectorConfig::default()
            },
        );
        let (exporter, _task) = Exporter::start(ExporterConfig {
            flush_interval: Duration::from_millis(10),
            ..ExporterConfig::in_process(collector.clone())
        })
        .unwrap();
        let config = ServerConfig {
            exporter: exporter.clone(),
            collector: Some(collector),
            project: "clinic".into(),
            ..ServerConfig::new(worker_url, provider)
        };
        Traced {
            state: AppState::new(config).unwrap(),
            store,
            exporter,
            _dir: dir,
        }
    }

    async fn send(&self, request: Request<Body>) -> (StatusCode, Vec<u8>) {
        let response = app(self.state.clone()).oneshot(request).await.unwrap();
        let status = response.status();
        let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .unwrap();
        (status, bytes.to_vec())
    }

    /// Every span of `trace_id`, once the exporter has delivered them all.
    async fn spans(&self, trace_id: &str) -> Vec<SpanRecord> {
        let stats = self.exporter.shutdown(Duration::from_secs(10)).await;
        assert_eq!((stats.dropped, stats.queued), (0, 0), "{stats:?}");
        self.store.trace(trace_id).unwrap()
    }
}

fn chat(message: &str, headers: &[(&str, &str)]) -> Request<Body> {
    let mut request = Request::post("/api/chat").header("content-type", "application/json");
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    request
        .body(Body::from(json!({ "message": message }).to_string()))
        .unwrap()
}

fn json_of(bytes: &[u8]) -> Value {
    serde_json::from_slice(bytes)
        .unwrap_or_else(|_| panic!("not JSON: {}", String::from_utf8_lossy(bytes)))
}

fn named<'a>(spans: &'a [SpanRecord], name: &str) -> Vec<&'a SpanRecord> {
    spans.iter().filter(|s| s.name() == name).collect()
}

#[tokio::test]
async fn a_turn_continues_the_callers_trace_and_records_each_model_call() {
    let worker = FakeWorker::start().await;
    let server = Traced::new(Arc::new(OfflineModel::new()), &worker.url);
    let caller = Span::root("client_turn", SpanType::Task);
    let mut headers = http::HeaderMap::new();
    inject_trace_context(caller.context(), &mut headers);
    let traceparent = headers[TRACEPARENT].to_str().unwrap().to_owned();

    let (status, body) = server
        .send(chat(SEED, &[(TRACEPARENT, &traceparent)]))
        .await;

    assert_eq!(status, StatusCode::OK, "{}", String::from_utf8_lossy(&body));
    let answer = json_of(&body);
    assert_eq!(answer["trace_id"], caller.trace_id(), "the caller's trace");
    let spans = server.spans(caller.trace_id()).await;
    let turn = named(&spans, "server_process_turn");
    assert_eq!(turn.len(), 1);
    let turn = turn[0];
    assert_eq!(turn.span_parents, vec![caller.span_id().to_owned()]);
    assert_eq!(turn.span_type(), Some(SpanType::Task));
    assert_eq!(turn.input, Some(json!(SEED)));
    assert_eq!(turn.output, Some(answer["response"].clone()));
    assert_eq!(turn.metadata["conversation_id"], answer["conversation_id"]);
    assert_eq!(turn.metadata["model"], "offline");
    assert_eq!(turn.metadata["model_calls"], answer["model_calls"]);
    assert_eq!(turn.metadata["tool_calls"], 3);
    assert_eq!(turn.project.as_deref(), Some("clinic"));
    assert!(!turn.is_error());

    let calls = named(&spans, "claude_messages_create");
    assert_eq!(calls.len() as u64, answer["model_calls"].as_u64().unwrap());
    let mut tokens = 0;
    for call in &calls {
        assert_eq!(call.span_parents, vec![turn.span_id.clone()]);
        assert_eq!(call.span_type(), Some(SpanType::Llm));
        assert_eq!(call.metadata["model"], "offline");
        assert!(call.metadata["stop_reason"].is_string());
        let sent = call.input.as_ref().unwrap().as_array().unwrap();
        assert_eq!(sent[0]["role"], "user", "the messages sent");
        assert!(
            call.output.as_ref().unwrap().is_array(),
            "the content returned"
        );
        let m = &call.metrics;
        assert!(m.prompt_tokens.unwrap() > 0 && m.completion_tokens.unwrap() > 0);
        assert_eq!(
            m.tokens,
            Some(m.prompt_tokens.unwrap() + m.completion_tokens.unwrap())
        );
        tokens += m.prompt_tokens.unwrap();
    }
    assert_eq!(tokens, answer["usage"]["input_tokens"].as_u64().unwrap());
    // The first call asked for tools; its output holds the tool_use blocks.
    assert!(calls[0]
        .output
        .as_ref()
        .unwrap()
        .to_string()
        .contains("tool_use"));

    // Every tool call told the worker that the turn is its parent.
    let worker_calls = worker.calls();
    assert_eq!(worker_calls.len(), 3);
    for call in worker_calls {
        let parent = parse_traceparent(call.traceparent.as_deref().expect("traceparent"))
            .unwrap_or_else(|e| panic!("bad traceparent for {}: {e}", call.name));
        assert_eq!(hex(&parent.trace_id), caller.trace_id());
        assert_eq!(hex(&parent.span_id), turn.span_id);
    }
}

#[tokio::test]
async fn a_braintrust_slug_is_continued_too() {
    let worker = FakeWorker::start().await;
    let server = Traced::new(Arc::new(OfflineModel::new()), &worker.url);
    let caller = SpanContext::new_root();
    let mut headers = http::HeaderMap::new();
    inject_trace_context(&caller, &mut headers);
    let slug = headers[X_BT_PARENT_SPAN].to_str().unwrap().to_owned();

    let (status, body) = server
        .send(chat(
            "She takes metformin. Dosing?",
            &[(X_BT_PARENT_SPAN, &slug)],
        ))
        .await;

    assert_eq!(status, StatusCode::OK);
    assert_eq!(json_of(&body)["trace_id"], caller.trace_id_hex());
    let spans = server.spans(&caller.trace_id_hex()).await;
    let turn = named(&spans, "server_process_turn")[0];
    assert_eq!(turn.span_parents, vec![caller.span_id_hex()]);
}

#[tokio::test]
async fn a_failed_model_call_is_an_error_on_the_turn_and_the_call() {
    let worker = FakeWorker::start().await;
    let model = ScriptedModel::new(|_, _| Err(ProviderError::InvalidApiKey));
    let server = Traced::new(model, &worker.url);
    let caller = SpanContext::new_root();
    let traceparent = format!("00-{}-{}-01", caller.trace_id_hex(), caller.span_id_hex());

    let (status, _) = server
        .send(chat("hello", &[(TRACEPARENT, &traceparent)]))
        .await;

    assert_eq!(status, StatusCode::BAD_GATEWAY);
    let spans = server.spans(&caller.trace_id_hex()).await;
    let turn = named(&spans, "server_process_turn")[0];
    let call = named(&spans, "claude_messages_create")[0];
    for span in [turn, call] {
        let error = span.error.as_ref().expect("an error").to_string();
        assert!(
            error.contains("API key was rejected"),
            "{}: {error}",
            span.name()
        );
    }
    assert_eq!(call.span_parents, vec![turn.span_id.clone()]);
}

#[tokio::test]
async fn malformed_trace_headers_start_a_new_trace_and_the_turn_proceeds() {
    let worker = FakeWorker::start().await;
    let server = Traced::new(Arc::new(OfflineModel::new()), &worker.url);
    let bad = "00-not-a-trace-01";

    let (status, body) = server
        .send(chat(
            "She takes metformin. Dosing?",
            &[(TRACEPARENT, bad), (X_BT_PARENT_SPAN, "%%% not base64")],
        ))
        .await;

    assert_eq!(status, StatusCode::OK);
    let answer = json_of(&body);
    let trace_id = answer["trace_id"].as_str().unwrap().to_owned();
    assert!(
        trace_id.len() == 32 && trace_id.bytes().all(|b| b.is_ascii_hexdigit()),
        "{trace_id}"
    );
    let spans = server.spans(&trace_id).await;
    let turn = named(&spans, "server_process_turn")[0];
    assert!(turn.span_parents.is_empty(), "a new root");
    assert_eq!(turn.output, Some(answer["response"].clone()));
}

#[tokio::test]
async fn otlp_batches_keep_the_collectors_body_limit_while_chat_keeps_its_own() {
    let worker = FakeWorker::start().await;
    let server = Traced::new(Arc::new(OfflineModel::new()), &worker.url);
    // A 1 MiB span: ten times what /api/chat accepts.
    let mut big = Span::root("python_batch_job", SpanType::Task);
    big.log_input(json!("x".repeat(1024 * 1024)));
    let big = big.end();
    let (request, _) = export_request([&big], Some("elsewhere"));
    let otlp = Request::post("/v1/traces")
        .header("content-type", "application/x-protobuf")
        .body(Body::from(encode_request(&request, OtlpEncoding::Protobuf)))
        .unwrap();

    let (status, body) = server.send(otlp).await;
    assert_eq!(status, StatusCode::OK, "{}", String::from_utf8_lossy(&body));
    let get = Request::get(format!("/api/traces/{}", big.root_span_id))
        .body(Body::empty())
        .unwrap();
    let (status, body) = server.send(get).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        json_of(&body)["roots"][0]["span"]["span_attributes"]["name"],
        "python_batch_job"
    );

    let (status, body) = server.send(chat(&"y".repeat(300 * 1024), &[])).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(json_of(&body)["error"]["kind"], "payload_too_large");
}

#[tokio::test]
async fn metrics_show_the_span_exporter() {
    let worker = FakeWorker::start().await;
    let server = Traced::new(Arc::new(OfflineModel::new()), &worker.url);
    let (status, _) = server.send(chat("She takes metformin. Dosing?", &[])).await;
    assert_eq!(status, StatusCode::OK);

    let mut text = String::new();
    for _ in 0..500 {
        let (status, body) = server
            .send(Request::get("/metrics").body(Body::empty()).unwrap())
            .await;
        assert_eq!(status, StatusCode::OK);
        text = String::from_utf8(body).unwrap();
        // The turn and its two model calls.
        if text.contains("trellis_spans_exported_total{destination=\"in-process:")
            && text
                .lines()
                .any(|l| l.starts_with("trellis_spans_exported_total") && l.ends_with(" 3"))
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert!(
        text.lines()
            .any(|l| l.starts_with("trellis_spans_exported_total") && l.ends_with(" 3")),
        "{text}"
    );
    assert!(text.contains("trellis_server_conversations 1"), "{text}");
    assert!(
        text.lines()
            .any(|l| l.starts_with("trellis_spans_dropped_total") && l.ends_with(" 0")),
        "{text}"
    );
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
