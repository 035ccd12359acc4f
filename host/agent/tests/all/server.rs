//! The conversation server: error bodies for every bad request (through
//! `oneshot`, no socket), whole turns with the offline model, and `serve`
//! with the chat client over a real socket.

use std::sync::Arc;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use serde_json::{json, Value};
use tower::ServiceExt;
use trellis_agent::offline::OfflineModel;
use trellis_agent::provider::{ModelProvider, ProviderError};
use trellis_agent::{app, render_response, serve, AppState, ChatClient, ClientError, ServerConfig};
use trellis_api::chat::ChatResponse;
use trellis_api::ErrorKind;

use crate::fakes::{closed_port_url, FakeWorker, ScriptedModel};

fn state_with(provider: Arc<dyn ModelProvider>, worker_url: &str) -> AppState {
    AppState::new(ServerConfig::new(worker_url, provider)).unwrap()
}

fn offline_state(worker_url: &str) -> AppState {
    state_with(Arc::new(OfflineModel::new()), worker_url)
}

async fn send(state: &AppState, request: Request<Body>) -> (StatusCode, Value) {
    let response = app(state.clone()).oneshot(request).await.unwrap();
    let status = response.status();
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .unwrap();
    let body = serde_json::from_slice(&bytes)
        .unwrap_or_else(|_| panic!("not JSON: {}", String::from_utf8_lossy(&bytes)));
    (status, body)
}

fn post_json(body: impl Into<Body>) -> Request<Body> {
    Request::post("/api/chat")
        .header("content-type", "application/json")
        .body(body.into())
        .unwrap()
}

fn chat(message: &str, conversation_id: Option<&str>) -> Request<Body> {
    let mut body = json!({"message": message});
    if let Some(id) = conversation_id {
        body["conversation_id"] = json!(id);
    }
    post_json(body.to_string())
}

fn assert_error(body: &Value, kind: &str, message_part: &str) {
    assert_eq!(body["error"]["kind"], kind, "{body}");
    let message = body["error"]["message"].as_str().unwrap();
    assert!(message.contains(message_part), "{message}");
}

#[tokio::test]
async fn bad_requests_get_error_bodies_that_say_what_is_wrong() {
    // No worker needed: every request fails before a turn runs.
    let state = offline_state("http://127.0.0.1:9");

    let (status, body) = send(&state, chat("   \n", None)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_error(&body, "bad_request", "`message` is empty");

    let (status, body) = send(&state, post_json("{\"message\": ")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"]["kind"], "bad_request");

    let (status, body) = send(&state, post_json(r#"{"message": "hi", "extra": 1}"#)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_error(&body, "bad_request", "extra");

    let no_type = Request::post("/api/chat")
        .body(Body::from(r#"{"message": "hi"}"#))
        .unwrap();
    let (status, body) = send(&state, no_type).await;
    assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_error(&body, "unsupported_media_type", "application/json");

    let (status, body) = send(&state, chat("hello", Some("nope"))).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(
        body["error"]["message"],
        "conversation `nope` not found (it may have expired)"
    );

    let get = Request::builder()
        .method(Method::GET)
        .uri("/api/chat")
        .body(Body::empty())
        .unwrap();
    let (status, body) = send(&state, get).await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
    assert_error(&body, "method_not_allowed", "GET");

    let unknown = Request::get("/api/nothing").body(Body::empty()).unwrap();
    let (status, body) = send(&state, unknown).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_error(&body, "not_found", "/api/nothing");
}

#[tokio::test]
async fn oversized_messages_get_413_whether_or_not_the_body_fits() {
    let state = offline_state("http://127.0.0.1:9");

    let just_over = "a".repeat(100 * 1024 + 1);
    let (status, body) = send(&state, chat(&just_over, None)).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_error(&body, "payload_too_large", "the limit is 102400 bytes");

    let huge = "a".repeat(2 * 1024 * 1024);
    let (status, body) = send(&state, chat(&huge, None)).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(body["error"]["kind"], "payload_too_large");
}

#[tokio::test]
async fn healthz_names_the_model_and_the_worker() {
    let state = offline_state("http://127.0.0.1:8002");
    let (status, body) = send(
        &state,
        Request::get("/healthz").body(Body::empty()).unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        body,
        json!({"status": "ok", "model": "offline", "worker": "http://127.0.0.1:8002"})
    );
}

#[tokio::test]
async fn a_conversation_runs_turns_and_continues_by_id() {
    let worker = FakeWorker::start().await;
    let state = offline_state(&worker.url);

    let (status, body) = send(
        &state,
        chat(
            "45 yo F, 5'4\", 180 lbs, presenting with fatigue and increased thirst",
            None,
        ),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let first: ChatResponse = serde_json::from_value(body).unwrap();
    assert_eq!(first.model, "offline");
    assert_eq!(first.stop_reason, "end_turn");
    assert_eq!(first.model_calls, 3);
    assert_eq!(first.tool_calls.len(), 3);
    assert!(first.response.contains("**Assessment**"));
    assert_eq!(first.trace_id.len(), 32);
    assert!(first.trace_id.chars().all(|c| c.is_ascii_hexdigit()));
    assert!(first.usage.input_tokens > 0);

    let (status, body) = send(
        &state,
        chat(
            "Any interactions with lisinopril for her?",
            Some(&first.conversation_id),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let second: ChatResponse = serde_json::from_value(body).unwrap();
    assert_eq!(second.conversation_id, first.conversation_id);
    assert_ne!(second.trace_id, first.trace_id);
    assert_eq!(
        second.tool_calls[0].input,
        json!({"medications": ["lisinopril"]})
    );
    assert_eq!(state.store().len(), 1);
}

#[tokio::test]
async fn a_failing_model_is_a_502_upstream_error_with_its_reason() {
    let worker = FakeWorker::start().await;
    let model = ScriptedModel::new(|_, _| Err(ProviderError::InvalidApiKey));
    let state = state_with(model, &worker.url);

    let (status, body) = send(&state, chat("hello", None)).await;

    assert_eq!(status, StatusCode::BAD_GATEWAY);
    assert_error(
        &body,
        "upstream",
        "the Anthropic API key was rejected (401)",
    );
    assert!(
        state.store().is_empty(),
        "a failed first turn starts no conversation"
    );
}

#[tokio::test]
async fn a_turn_may_ask_for_another_model_and_bad_choices_are_named() {
    let worker = FakeWorker::start().await;
    // The server's own model always fails, so an answer proves the
    // requested model ran instead.
    let own = ScriptedModel::new(|_, _| Err(ProviderError::InvalidApiKey));
    let state = state_with(own, &worker.url);
    let with_model = |model: &str| {
        post_json(json!({"message": "BMI for 5'4\" 180 lbs?", "model": model}).to_string())
    };

    let (status, body) = send(&state, with_model("offline")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["model"], "offline");
    assert!(body["response"].as_str().unwrap().contains("BMI"), "{body}");

    let (status, body) = send(&state, with_model("claude-sonnet-4-5")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_error(&body, "bad_request", "needs an Anthropic API key");

    let (status, body) = send(&state, with_model("gpt-4o")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_error(&body, "bad_request", "`model`");
    assert!(body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("gpt-4o"));
}

#[tokio::test]
async fn serve_answers_the_chat_client_over_a_socket() {
    let worker = FakeWorker::start().await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let config = ServerConfig::new(&worker.url, Arc::new(OfflineModel::new()));
    let server = tokio::spawn(serve(listener, config, async {
        let _ = stopped.await;
    }));
    let client = ChatClient::new(&url).unwrap();

    let answer = client
        .chat("She takes metformin. Dosing?", None)
        .await
        .unwrap();
    let rendered = render_response(&answer);
    let rejected = client
        .chat(" ", Some(&answer.conversation_id))
        .await
        .unwrap_err();

    assert!(rendered.starts_with("model: offline"));
    assert!(
        rendered.contains("tools used:\n  ✓ lookup_medication"),
        "{rendered}"
    );
    assert!(rendered.ends_with(&format!("trace: {}\n", answer.trace_id)));
    match rejected {
        ClientError::Api { status, error } => {
            assert_eq!(status, 400);
            assert_eq!(error.kind, ErrorKind::BadRequest);
        }
        other => panic!("expected an API error, got {other:?}"),
    }
    stop.send(()).unwrap();
    server.await.unwrap().unwrap();
}

#[tokio::test]
async fn the_client_says_how_to_start_a_server_that_is_not_running() {
    let url = closed_port_url().await;
    let client = ChatClient::new(&url).unwrap();

    let error = client.chat("hello", None).await.unwrap_err();

    assert!(matches!(error, ClientError::ServerUnreachable { .. }));
    assert_eq!(
        error.to_string(),
        format!(
            "cannot reach the Trellis server at {url} — start it with `trellis server` (or pass --server URL)"
        )
    );
}
