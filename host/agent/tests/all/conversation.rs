//! The tool-use loop against a scripted model and the fake worker: calls of
//! one response run concurrently, every tool failure becomes an error result
//! the model sees, and the loop stops at its model-call cap.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};

use serde_json::{json, Value};
use trellis_agent::messages::{ContentBlock, Role};
use trellis_agent::provider::ProviderError;
use trellis_agent::worker_client::WorkerClient;
use trellis_agent::{Agent, TurnError};

use crate::fakes::{
    closed_port_url, response, spawn, tool_list, tool_use, FakeWorker, ScriptedModel,
};

/// The tool results the model was sent in its last request.
fn last_tool_results(model: &ScriptedModel) -> Vec<(String, String, bool)> {
    let requests = model.requests();
    let last = requests.last().unwrap().messages.last().unwrap().clone();
    assert_eq!(last.role, Role::User);
    last.content
        .into_iter()
        .filter_map(|block| match block {
            ContentBlock::ToolResult {
                tool_use_id,
                content,
                is_error,
            } => Some((tool_use_id, content, is_error)),
            _ => None,
        })
        .collect()
}

/// A model that asks for `calls` once, then answers "done".
fn asks_once(calls: Vec<ContentBlock>) -> Arc<ScriptedModel> {
    ScriptedModel::new(move |_, n| {
        Ok(if n == 0 {
            response(calls.clone())
        } else {
            response(vec![ContentBlock::text("done")])
        })
    })
}

fn agent(model: Arc<ScriptedModel>, worker_url: &str, max_model_calls: u32) -> Agent {
    Agent::new(
        model,
        WorkerClient::new(worker_url).unwrap(),
        max_model_calls,
    )
}

#[tokio::test]
async fn the_calls_of_one_response_run_concurrently_and_results_keep_their_order() {
    // Each call blocks until both are in flight: sequential calls would fail.
    let worker = FakeWorker::start_requiring_concurrency(2).await;
    let model = asks_once(vec![
        tool_use(
            "toolu_a",
            "calculate_clinical_metrics",
            json!({"height_cm": 163, "weight_kg": 82}),
        ),
        tool_use(
            "toolu_b",
            "search_medical_knowledge",
            json!({"query": "thirst"}),
        ),
    ]);

    let outcome = agent(model.clone(), &worker.url, 8)
        .run_turn(&[], "question")
        .await
        .unwrap();

    let names: Vec<&str> = outcome.tool_calls.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(
        names,
        ["calculate_clinical_metrics", "search_medical_knowledge"]
    );
    for call in &outcome.tool_calls {
        assert!(!call.is_error, "{}: {}", call.name, call.output);
    }
    assert_eq!(outcome.tool_calls[0].output["category"], "obese");
    assert_eq!(outcome.tool_calls[1].input, json!({"query": "thirst"}));
    assert_eq!(outcome.response, "done");
    assert_eq!(outcome.stop_reason, "end_turn");
    assert_eq!(outcome.model_calls, 2);

    let results = last_tool_results(&model);
    let ids: Vec<&str> = results.iter().map(|r| r.0.as_str()).collect();
    assert_eq!(ids, ["toolu_a", "toolu_b"]);
    let search: Value = serde_json::from_str(&results[1].1).unwrap();
    assert_eq!(
        search["results"][0]["condition"],
        "Type 2 diabetes mellitus"
    );
    // The model saw the worker's tools.
    let offered: Vec<String> = model.requests()[0]
        .tools
        .iter()
        .map(|t| t.name.clone())
        .collect();
    assert_eq!(offered.len(), 3);
}

#[tokio::test]
async fn an_unknown_tool_is_an_error_result_and_the_turn_completes() {
    let worker = FakeWorker::start().await;
    let model = asks_once(vec![tool_use("toolu_x", "no_such_tool", json!({}))]);

    let outcome = agent(model.clone(), &worker.url, 8)
        .run_turn(&[], "question")
        .await
        .unwrap();

    assert_eq!(outcome.stop_reason, "end_turn");
    assert_eq!(outcome.response, "done");
    let call = &outcome.tool_calls[0];
    assert!(call.is_error);
    assert_eq!(call.output["kind"], "not_found");
    assert_eq!(call.output["message"], "tool `no_such_tool` not found");
    let (id, content, is_error) = &last_tool_results(&model)[0];
    assert_eq!((id.as_str(), *is_error), ("toolu_x", true));
    assert!(content.contains("not found"), "{content}");
}

#[tokio::test]
async fn input_the_tool_rejects_is_an_invalid_input_error_result() {
    let worker = FakeWorker::start().await;
    let model = asks_once(vec![tool_use(
        "toolu_m",
        "lookup_medication",
        json!({"medications": "metformin"}),
    )]);

    let outcome = agent(model.clone(), &worker.url, 8)
        .run_turn(&[], "question")
        .await
        .unwrap();

    let call = &outcome.tool_calls[0];
    assert!(call.is_error);
    assert_eq!(call.output["kind"], "invalid_input");
    assert!(call.output["message"]
        .as_str()
        .unwrap()
        .contains("`medications`"));
    assert_eq!(outcome.stop_reason, "end_turn");
    let (_, content, is_error) = &last_tool_results(&model)[0];
    assert!(*is_error);
    assert!(content.contains("must be a non-empty array"), "{content}");
}

#[tokio::test]
async fn a_worker_that_is_down_gives_error_results_and_the_turn_still_completes() {
    let url = closed_port_url().await;
    let model = asks_once(vec![
        tool_use(
            "toolu_1",
            "calculate_clinical_metrics",
            json!({"weight_kg": 80}),
        ),
        tool_use(
            "toolu_2",
            "lookup_medication",
            json!({"medications": ["metformin"]}),
        ),
    ]);

    let outcome = agent(model.clone(), &url, 8)
        .run_turn(&[], "question")
        .await
        .unwrap();

    assert_eq!(outcome.stop_reason, "end_turn");
    assert_eq!(outcome.response, "done");
    assert_eq!(outcome.tool_calls.len(), 2);
    for call in &outcome.tool_calls {
        assert!(call.is_error);
        assert_eq!(call.output["kind"], "unavailable");
    }
    for (_, content, is_error) in last_tool_results(&model) {
        assert!(is_error);
        assert!(
            content.starts_with("tool worker unavailable: "),
            "{content}"
        );
        assert!(content.contains("cannot connect"), "{content}");
    }
    assert!(
        model.requests()[0].tools.is_empty(),
        "no tools could be listed"
    );
}

#[tokio::test]
async fn the_cached_tool_list_is_used_when_the_worker_cannot_list_tools() {
    // A worker that lists its tools once, then answers 503.
    let listed = Arc::new(AtomicBool::new(false));
    let router = Router::new().route(
        "/v1/tools",
        get(move || {
            let listed = listed.clone();
            async move {
                if listed.swap(true, Ordering::SeqCst) {
                    let body = json!({"error": {"kind": "unavailable", "message": "reloading"}});
                    (StatusCode::SERVICE_UNAVAILABLE, Json(body))
                } else {
                    (StatusCode::OK, Json(tool_list()))
                }
            }
        }),
    );
    let worker = spawn(router).await;
    let client = WorkerClient::new(&worker.url)
        .unwrap()
        .with_retries(2, Duration::from_millis(1));
    let headers = http::HeaderMap::new();

    let fresh = client.tools(&headers).await;
    let cached = client.tools(&headers).await;

    assert_eq!(fresh.revision, 3);
    assert_eq!(fresh.definitions().len(), 3);
    assert_eq!(cached, fresh);
    let error = client.fetch_tools(&headers).await.unwrap_err().to_string();
    assert!(error.starts_with("tool worker unavailable: "), "{error}");
    assert!(
        error.contains("503") && error.contains("reloading"),
        "{error}"
    );
}

#[tokio::test]
async fn the_loop_stops_at_the_model_call_cap() {
    let worker = FakeWorker::start().await;
    // A model that never stops asking for tools.
    let model = ScriptedModel::new(|_, n| {
        Ok(response(vec![tool_use(
            &format!("toolu_{n}"),
            "search_medical_knowledge",
            json!({"query": "thirst"}),
        )]))
    });

    let outcome = agent(model.clone(), &worker.url, 3)
        .run_turn(&[], "question")
        .await
        .unwrap();

    assert_eq!(outcome.stop_reason, "max_model_calls");
    assert_eq!(outcome.model_calls, 3);
    assert_eq!(outcome.tool_calls.len(), 3);
    assert!(
        outcome
            .response
            .starts_with("Stopped after 3 model calls without a final answer"),
        "{}",
        outcome.response
    );
    // The history stays valid for the next turn: alternating, ending with
    // the assistant, every tool_use answered.
    let roles: Vec<Role> = outcome.messages.iter().map(|m| m.role).collect();
    assert_eq!(roles.len(), 8);
    assert!(roles.chunks(2).all(|p| p == [Role::User, Role::Assistant]));
}

#[tokio::test]
async fn a_failed_model_call_fails_the_turn_with_the_providers_reason() {
    let worker = FakeWorker::start().await;
    let model = ScriptedModel::new(|_, _| Err(ProviderError::InvalidApiKey));

    let error = agent(model, &worker.url, 8)
        .run_turn(&[], "question")
        .await
        .unwrap_err();

    assert!(matches!(error, TurnError::Model { .. }));
    assert_eq!(
        error.to_string(),
        "model `scripted` failed: the Anthropic API key was rejected (401): check ANTHROPIC_API_KEY"
    );
}
