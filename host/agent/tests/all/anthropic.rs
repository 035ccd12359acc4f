//! The Anthropic client against the fake Messages API: what it sends, how
//! it reads parallel tool calls, how it retries, and what its errors say.

use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use trellis_agent::anthropic::{AnthropicClient, AnthropicConfig};
use trellis_agent::messages::{ContentBlock, Message, StopReason};
use trellis_agent::provider::{ApiKey, ModelProvider, ModelRequest, ProviderError};
use trellis_agent::worker_client::WorkerClient;
use trellis_agent::Agent;

use crate::fakes::{
    closed_port_url, text_reply, tool_list, tool_use_reply, FakeAnthropic, FakeWorker, Scripted,
    FAKE_API_KEY,
};

fn client(url: &str) -> AnthropicClient {
    let mut config = AnthropicConfig::new(ApiKey::new(FAKE_API_KEY), "claude-sonnet-4-5");
    config.base_url = url.to_string();
    // Keep computed backoff short; `retry-after` still rules when sent.
    config.retry_base = Duration::from_millis(10);
    config.retry_cap = Duration::from_millis(40);
    AnthropicClient::new(config).unwrap()
}

fn tools() -> Vec<trellis_agent::messages::ToolDefinition> {
    serde_json::from_value::<trellis_api::worker::ToolList>(tool_list())
        .unwrap()
        .tools
        .iter()
        .map(trellis_agent::worker_client::tool_definition)
        .collect()
}

fn question() -> ModelRequest {
    ModelRequest {
        messages: vec![Message::user_text(
            "BMI for 5'4\", 180 lbs, and what causes thirst?",
        )],
        tools: tools(),
    }
}

#[tokio::test]
async fn parallel_tool_calls_come_back_and_the_request_is_what_the_api_expects() {
    let fake = FakeAnthropic::start(vec![Scripted::Reply(tool_use_reply(&[
        (
            "toolu_01A",
            "calculate_clinical_metrics",
            json!({"height_feet": 5, "height_inches": 4, "weight_lb": 180}),
        ),
        (
            "toolu_01B",
            "search_medical_knowledge",
            json!({"query": "thirst"}),
        ),
    ]))])
    .await;

    let response = client(&fake.url).create(question()).await.unwrap();

    assert_eq!(response.stop_reason, StopReason::ToolUse);
    let calls: Vec<(&str, &str)> = response
        .content
        .iter()
        .filter_map(|b| match b {
            ContentBlock::ToolUse { id, name, .. } => Some((id.as_str(), name.as_str())),
            _ => None,
        })
        .collect();
    assert_eq!(
        calls,
        [
            ("toolu_01A", "calculate_clinical_metrics"),
            ("toolu_01B", "search_medical_knowledge")
        ]
    );

    let requests = fake.requests();
    assert_eq!(requests.len(), 1);
    let request = &requests[0];
    assert!(request.problems.is_empty(), "{:?}", request.problems);
    assert_eq!(request.headers["x-api-key"], FAKE_API_KEY);
    assert_eq!(request.headers["anthropic-version"], "2023-06-01");
    assert_eq!(request.headers["content-type"], "application/json");
    let body = &request.body;
    assert_eq!(body["model"], "claude-sonnet-4-5");
    assert_eq!(body["max_tokens"], 4096);
    let system = body["system"].as_str().unwrap();
    assert!(system.contains("**Assessment**") && system.contains("clinical judgement"));
    assert_eq!(body["tools"].as_array().unwrap().len(), 3);
    assert_eq!(body["tools"][2]["name"], "lookup_medication");
    assert_eq!(
        body["tools"][2]["input_schema"]["required"],
        json!(["medications"])
    );
    assert_eq!(body["messages"][0]["role"], "user");
    assert_eq!(body["messages"][0]["content"][0]["type"], "text");
}

#[tokio::test]
async fn the_loop_answers_every_tool_use_with_a_tool_result_across_turns() {
    let worker = FakeWorker::start().await;
    let fake = FakeAnthropic::start(vec![
        Scripted::Reply(tool_use_reply(&[
            (
                "toolu_1",
                "calculate_clinical_metrics",
                json!({"height_feet": 5, "height_inches": 4, "weight_lb": 180}),
            ),
            (
                "toolu_2",
                "search_medical_knowledge",
                json!({"query": "fatigue thirst", "top_k": 3}),
            ),
        ])),
        Scripted::Reply(text_reply("**Assessment** ...")),
        Scripted::Reply(tool_use_reply(&[(
            "toolu_3",
            "lookup_medication",
            json!({"medications": ["metformin"]}),
        )])),
        Scripted::Reply(text_reply("Metformin: ...")),
    ])
    .await;
    let agent = Agent::new(
        Arc::new(client(&fake.url)),
        WorkerClient::new(&worker.url).unwrap(),
        8,
    );

    let first = agent.run_turn(&[], "first question").await.unwrap();
    let mut history = first.messages.clone();
    let second = agent.run_turn(&history, "and metformin?").await.unwrap();
    history.extend(second.messages.clone());

    assert_eq!((first.model_calls, second.model_calls), (2, 2));
    assert_eq!(first.stop_reason, "end_turn");
    assert_eq!(second.response, "Metformin: ...");
    assert_eq!(first.usage.input_tokens, 150);
    let requests = fake.requests();
    assert_eq!(requests.len(), 4);
    for (i, request) in requests.iter().enumerate() {
        assert!(
            request.problems.is_empty(),
            "request {i}: {:?}",
            request.problems
        );
    }
    // The last request carries the whole conversation: both turns, each
    // tool_use answered in order right after it.
    let messages = requests[3].body["messages"].as_array().unwrap().clone();
    let roles: Vec<&str> = messages
        .iter()
        .map(|m| m["role"].as_str().unwrap())
        .collect();
    assert_eq!(
        roles,
        [
            "user",
            "assistant",
            "user",
            "assistant",
            "user",
            "assistant",
            "user"
        ]
    );
    let answered: Vec<&str> = messages[2]["content"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["tool_use_id"].as_str().unwrap())
        .collect();
    assert_eq!(answered, ["toolu_1", "toolu_2"]);
    assert_eq!(messages[6]["content"][0]["tool_use_id"], "toolu_3");
    let metformin: Value =
        serde_json::from_str(messages[6]["content"][0]["content"].as_str().unwrap()).unwrap();
    assert_eq!(metformin["medications"][0]["drug_class"], "biguanide");
}

#[tokio::test]
async fn an_overloaded_api_is_retried_after_the_retry_after_it_asks_for() {
    let fake = FakeAnthropic::start(vec![
        Scripted::Status {
            status: 529,
            headers: vec![("retry-after", "1")],
            body: json!({"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}),
        },
        Scripted::Reply(text_reply("fine now")),
    ])
    .await;

    let started = Instant::now();
    let response = client(&fake.url).create(question()).await.unwrap();

    assert_eq!(response.content, vec![ContentBlock::text("fine now")]);
    let requests = fake.requests();
    assert_eq!(requests.len(), 2, "one retry");
    let gap = requests[1].at - requests[0].at;
    assert!(gap >= Duration::from_millis(950), "waited only {gap:?}");
    assert!(started.elapsed() >= Duration::from_millis(950));
}

#[tokio::test]
async fn a_rejected_key_says_which_setting_to_check_and_is_not_retried() {
    let fake = FakeAnthropic::start(vec![Scripted::Status {
        status: 401,
        headers: vec![],
        body: json!({"type": "error", "error": {"type": "authentication_error", "message": "invalid x-api-key"}}),
    }])
    .await;

    let error = client(&fake.url).create(question()).await.unwrap_err();

    assert!(matches!(error, ProviderError::InvalidApiKey));
    assert_eq!(
        error.to_string(),
        "the Anthropic API key was rejected (401): check ANTHROPIC_API_KEY"
    );
    assert_eq!(fake.requests().len(), 1);
}

#[tokio::test]
async fn an_api_error_carries_the_apis_own_message() {
    let fake = FakeAnthropic::start(vec![Scripted::Status {
        status: 400,
        headers: vec![],
        body: json!({"type": "error", "error": {"type": "invalid_request_error",
            "message": "max_tokens: 100000 > 64000, which is the maximum allowed"}}),
    }])
    .await;

    let error = client(&fake.url).create(question()).await.unwrap_err();

    assert_eq!(
        error.to_string(),
        "Anthropic API error 400 invalid_request_error: max_tokens: 100000 > 64000, which is the maximum allowed"
    );
    assert_eq!(fake.requests().len(), 1);
}

#[tokio::test]
async fn the_api_key_never_appears_in_errors_or_debug_output() {
    let overloaded = || Scripted::Status {
        status: 429,
        headers: vec![("retry-after", "0")],
        body: json!({"type": "error", "error": {"type": "rate_limit_error", "message": "slow down"}}),
    };
    let fake = FakeAnthropic::start(vec![
        Scripted::Status {
            status: 401,
            headers: vec![],
            body: json!({"type": "error", "error": {"type": "authentication_error", "message": "invalid x-api-key"}}),
        },
        Scripted::Status {
            status: 400,
            headers: vec![],
            body: json!({"type": "error", "error": {"type": "invalid_request_error", "message": "bad"}}),
        },
        overloaded(),
        overloaded(),
        overloaded(),
        overloaded(),
        Scripted::Reply(json!({"not": "a messages response"})),
    ])
    .await;
    let client = client(&fake.url);
    let down = {
        let mut config = AnthropicConfig::new(ApiKey::new(FAKE_API_KEY), "claude-sonnet-4-5");
        config.base_url = closed_port_url().await;
        config.max_attempts = 2;
        config.retry_base = Duration::from_millis(1);
        AnthropicClient::new(config).unwrap()
    };

    let mut errors = Vec::new();
    for _ in 0..4 {
        errors.push(client.create(question()).await.unwrap_err());
    }
    errors.push(down.create(question()).await.unwrap_err());

    assert!(matches!(errors[0], ProviderError::InvalidApiKey));
    assert!(matches!(errors[1], ProviderError::Api { status: 400, .. }));
    assert!(matches!(
        errors[2],
        ProviderError::RateLimited { attempts: 4 }
    ));
    assert!(
        matches!(errors[3], ProviderError::Decode { .. }),
        "{:?}",
        errors[3]
    );
    assert!(matches!(
        errors[4],
        ProviderError::Transport { attempts: 2, .. }
    ));
    let mut shown: Vec<String> = errors
        .iter()
        .flat_map(|e| [e.to_string(), format!("{e:?}")])
        .collect();
    shown.push(format!("{client:?}"));
    for text in shown {
        assert!(!text.contains(FAKE_API_KEY), "key leaked: {text}");
        assert!(!text.contains("SECRET"), "key leaked: {text}");
    }
}
