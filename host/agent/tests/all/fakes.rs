//! Test doubles: a fake tool worker and a fake Anthropic Messages API, both
//! real axum servers on 127.0.0.1:0 that check what they are sent the way
//! the real services do, and a scripted in-process model provider.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use futures::future::BoxFuture;
use serde_json::{json, Value};
use tokio::net::TcpListener;
use tokio::sync::Barrier;
use tokio::task::JoinHandle;
use trellis_agent::messages::{ContentBlock, MessagesResponse, Role, StopReason, Usage};
use trellis_agent::provider::{ModelProvider, ModelRequest, ProviderError};

/// Serve `router` on a fresh local port; the task is aborted on drop.
pub(crate) struct Running {
    pub(crate) url: String,
    task: JoinHandle<()>,
}

impl Drop for Running {
    fn drop(&mut self) {
        self.task.abort();
    }
}

pub(crate) async fn spawn(router: Router) -> Running {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let task = tokio::spawn(async move {
        axum::serve(listener, router).await.unwrap();
    });
    Running { url, task }
}

/// A URL where nothing listens: a port bound and released at once.
pub(crate) async fn closed_port_url() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    url
}

// ---------------------------------------------------------------------------
// The fake worker.

/// The BMI the fake metrics tool reports. The seed patient's true BMI is
/// 30.9; the fake says 31.7 so a test can tell a number copied from the tool
/// from one the planner computed itself.
pub(crate) const FAKE_BMI: &str = "31.7";

/// A call the fake worker received.
#[derive(Debug, Clone)]
pub(crate) struct WorkerCall {
    pub(crate) name: String,
    pub(crate) input: Value,
    /// The request's `traceparent` header, if it had one.
    pub(crate) traceparent: Option<String>,
}

#[derive(Clone)]
struct WorkerState {
    calls: Arc<Mutex<Vec<WorkerCall>>>,
    barrier: Option<Arc<Barrier>>,
}

/// A tool worker implementing the contract of `GET /v1/tools` and
/// `POST /v1/tools/{name}/call` with three clinical tools.
pub(crate) struct FakeWorker {
    pub(crate) url: String,
    pub(crate) calls: Arc<Mutex<Vec<WorkerCall>>>,
    _server: Running,
}

impl FakeWorker {
    pub(crate) async fn start() -> Self {
        Self::start_with(None).await
    }

    /// A worker whose every tool call waits until `parties` calls are in
    /// flight at once: calls made one after another never get through.
    pub(crate) async fn start_requiring_concurrency(parties: usize) -> Self {
        Self::start_with(Some(Arc::new(Barrier::new(parties)))).await
    }

    async fn start_with(barrier: Option<Arc<Barrier>>) -> Self {
        let calls = Arc::new(Mutex::new(Vec::new()));
        let state = WorkerState {
            calls: calls.clone(),
            barrier,
        };
        let router = Router::new()
            .route("/v1/tools", get(list_tools))
            .route("/v1/tools/{name}/call", post(call_tool))
            .with_state(state);
        let server = spawn(router).await;
        FakeWorker {
            url: server.url.clone(),
            calls,
            _server: server,
        }
    }

    pub(crate) fn calls(&self) -> Vec<WorkerCall> {
        self.calls.lock().unwrap().clone()
    }
}

pub(crate) fn tool_list() -> Value {
    json!({
        "revision": 3,
        "tools": [
            {
                "name": "calculate_clinical_metrics",
                "description": "BMI, BMR, BSA, ideal body weight and blood pressure category.",
                "input_schema": {
                    "type": "object",
                    "additionalProperties": false,
                    "properties": {
                        "height_cm": {"type": "number"},
                        "height_feet": {"type": "integer"},
                        "height_inches": {"type": "number"},
                        "weight_lb": {"type": "number"},
                        "weight_kg": {"type": "number"},
                        "age_years": {"type": "integer"},
                        "sex": {"type": "string", "enum": ["male", "female"]},
                        "systolic_bp": {"type": "integer"},
                        "diastolic_bp": {"type": "integer"}
                    }
                },
                "plugin": "clinical_metrics",
                "digest": "sha256:aa"
            },
            {
                "name": "search_medical_knowledge",
                "description": "Search the medical knowledge base for conditions.",
                "input_schema": {
                    "type": "object",
                    "required": ["query"],
                    "properties": {
                        "query": {"type": "string"},
                        "top_k": {"type": "integer", "minimum": 1, "maximum": 10}
                    }
                },
                "plugin": "medical_knowledge",
                "digest": "sha256:bb"
            },
            {
                "name": "lookup_medication",
                "description": "Dosing, contraindications and interactions of medications.",
                "input_schema": {
                    "type": "object",
                    "required": ["medications"],
                    "properties": {
                        "medications": {
                            "type": "array", "items": {"type": "string"},
                            "minItems": 1, "maxItems": 10
                        }
                    }
                },
                "plugin": "medications",
                "digest": "sha256:cc"
            }
        ]
    })
}

async fn list_tools() -> Json<Value> {
    Json(tool_list())
}

fn tool_error(kind: &str, message: String) -> Response {
    Json(json!({
        "is_error": true,
        "error": {"kind": kind, "message": message},
        "duration_ms": 0.4
    }))
    .into_response()
}

async fn call_tool(
    State(state): State<WorkerState>,
    Path(name): Path<String>,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> Response {
    let input = body.get("input").cloned().unwrap_or(Value::Null);
    state.calls.lock().unwrap().push(WorkerCall {
        name: name.clone(),
        input: input.clone(),
        traceparent: headers
            .get("traceparent")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned),
    });
    if let Some(barrier) = &state.barrier {
        if tokio::time::timeout(Duration::from_secs(10), barrier.wait())
            .await
            .is_err()
        {
            return tool_error("failed", "calls were not made concurrently".into());
        }
    }
    let output = match name.as_str() {
        "calculate_clinical_metrics" => metrics(&input),
        "search_medical_knowledge" => search(&input),
        "lookup_medication" => lookup(&input),
        _ => {
            return (
                StatusCode::NOT_FOUND,
                Json(json!({"error": {"kind": "not_found", "message": format!("tool `{name}` not found")}})),
            )
                .into_response()
        }
    };
    match output {
        Ok(output) => Json(json!({
            "is_error": false,
            "output": output,
            "duration_ms": 1.5,
            "receipt": {"plugin": "p", "digest": "sha256:aa", "duration_ms": 1.5, "peak_memory_bytes": 65536}
        }))
        .into_response(),
        Err(message) => tool_error("invalid_input", message),
    }
}

fn metrics(input: &Value) -> Result<Value, String> {
    let known = [
        "height_cm",
        "height_feet",
        "height_inches",
        "weight_lb",
        "weight_kg",
        "age_years",
        "sex",
        "systolic_bp",
        "diastolic_bp",
    ];
    let object = input
        .as_object()
        .ok_or("input does not match the schema: expected an object")?;
    if let Some(extra) = object.keys().find(|k| !known.contains(&k.as_str())) {
        return Err(format!(
            "input does not match the schema: unexpected property `{extra}`"
        ));
    }
    let blood_pressure = match (input.get("systolic_bp"), input.get("diastolic_bp")) {
        (Some(s), Some(d)) => {
            json!({"systolic": s, "diastolic": d, "category": "stage 2 hypertension"})
        }
        _ => Value::Null,
    };
    Ok(json!({
        "bmi": 31.7,
        "category": "obese",
        "obesity_class": "I",
        "health_risk": 0.3,
        "height_cm": 162.6,
        "weight_kg": 81.6,
        "bmr_kcal_per_day": 1467,
        "bsa_m2": 1.88,
        "ideal_body_weight_kg": 54.7,
        "blood_pressure": blood_pressure,
        "notes": ["BMR uses the Mifflin-St Jeor equation"]
    }))
}

fn search(input: &Value) -> Result<Value, String> {
    let query = input
        .get("query")
        .and_then(Value::as_str)
        .ok_or("input does not match the schema: `query` must be a string")?;
    Ok(json!({
        "query": query,
        "results": [
            {
                "id": "t2dm",
                "condition": "Type 2 diabetes mellitus",
                "score": 0.87,
                "snippet": "Insulin resistance with relative insulin deficiency.",
                "symptoms": ["polydipsia", "polyuria", "fatigue"],
                "risk_factors": ["obesity", "age over 45"],
                "diagnostic_criteria": ["HbA1c >= 6.5%", "fasting plasma glucose >= 126 mg/dL"],
                "tests": ["HbA1c", "fasting plasma glucose"],
                "first_line_treatments": ["lifestyle modification", "metformin"],
                "first_line_medications": ["metformin"]
            },
            {
                "id": "hypothyroidism",
                "condition": "Hypothyroidism",
                "score": 0.41,
                "snippet": "Underactive thyroid.",
                "tests": ["TSH", "free T4"],
                "first_line_medications": ["levothyroxine"],
                "unexpected_extra_field": {"ignored": true}
            }
        ],
        "total_matches": 5
    }))
}

fn medication(name: &str) -> Option<Value> {
    Some(match name {
        "metformin" => json!({
            "generic_name": "metformin",
            "brand_names": ["Glucophage"],
            "drug_class": "biguanide",
            "indications": ["type 2 diabetes mellitus"],
            "adult_dosing": "500 mg once daily with a meal, titrate to 2000 mg/day",
            "renal_adjustment": "avoid if eGFR < 30",
            "contraindications": ["eGFR < 30", "metabolic acidosis"],
            "common_adverse_effects": ["diarrhoea", "nausea"],
            "monitoring": ["renal function yearly", "vitamin B12 periodically"]
        }),
        "lisinopril" => json!({
            "generic_name": "lisinopril",
            "brand_names": ["Zestril"],
            "drug_class": "ACE inhibitor",
            "adult_dosing": "10 mg once daily",
            "contraindications": ["angioedema history", "pregnancy"],
            "monitoring": ["potassium and creatinine 1-2 weeks after starting"]
        }),
        "levothyroxine" => {
            json!({"generic_name": "levothyroxine", "drug_class": "thyroid hormone"})
        }
        _ => return None,
    })
}

fn lookup(input: &Value) -> Result<Value, String> {
    let names: Vec<&str> = input
        .get("medications")
        .and_then(Value::as_array)
        .filter(|list| !list.is_empty())
        .and_then(|list| list.iter().map(Value::as_str).collect())
        .ok_or(
            "input does not match the schema: `medications` must be a non-empty array of strings",
        )?;
    let mut found = Vec::new();
    for name in &names {
        let lower = name.to_lowercase();
        found.push(medication(&lower).ok_or_else(|| {
            format!("unknown medication `{name}`; closest matches: metformin, lisinopril")
        })?);
    }
    let has = |n: &str| names.iter().any(|m| m.eq_ignore_ascii_case(n));
    let interactions = if has("metformin") && has("lisinopril") {
        json!([{
            "drugs": ["lisinopril", "metformin"],
            "severity": "moderate",
            "mechanism": "ACE inhibitors can increase the glucose-lowering effect",
            "management": "monitor blood glucose when starting"
        }])
    } else {
        json!([])
    };
    let n = names.len();
    Ok(json!({
        "medications": found,
        "interactions": interactions,
        "interaction_pairs_checked": n * (n - 1) / 2
    }))
}

// ---------------------------------------------------------------------------
// The fake Anthropic Messages API.

/// The key the fake expects; tests check it never leaks into errors.
pub(crate) const FAKE_API_KEY: &str = "sk-ant-test-SECRET-0123456789";

/// One scripted answer of the fake API.
#[derive(Debug, Clone)]
pub(crate) enum Scripted {
    /// 200 with this Messages response body.
    Reply(Value),
    /// Any status, extra headers and body.
    Status {
        status: u16,
        headers: Vec<(&'static str, &'static str)>,
        body: Value,
    },
}

/// A request the fake API received.
#[derive(Debug, Clone)]
pub(crate) struct Recorded {
    pub(crate) headers: HeaderMap,
    pub(crate) body: Value,
    pub(crate) at: Instant,
    /// Protocol violations found in the request (empty when it is valid).
    pub(crate) problems: Vec<String>,
}

#[derive(Clone)]
struct AnthropicState {
    script: Arc<Mutex<std::collections::VecDeque<Scripted>>>,
    requests: Arc<Mutex<Vec<Recorded>>>,
}

/// A Messages API that validates each request like the real one (headers,
/// roles, tool_use/tool_result pairing) and answers from a script. A request
/// that breaks the protocol gets the API's 400 `invalid_request_error`.
pub(crate) struct FakeAnthropic {
    pub(crate) url: String,
    requests: Arc<Mutex<Vec<Recorded>>>,
    _server: Running,
}

impl FakeAnthropic {
    pub(crate) async fn start(script: Vec<Scripted>) -> Self {
        let requests = Arc::new(Mutex::new(Vec::new()));
        let state = AnthropicState {
            script: Arc::new(Mutex::new(script.into())),
            requests: requests.clone(),
        };
        let router = Router::new()
            .route("/v1/messages", post(messages))
            .with_state(state);
        let server = spawn(router).await;
        FakeAnthropic {
            url: server.url.clone(),
            requests,
            _server: server,
        }
    }

    pub(crate) fn requests(&self) -> Vec<Recorded> {
        self.requests.lock().unwrap().clone()
    }
}

fn api_error(status: StatusCode, kind: &str, message: &str) -> Response {
    (
        status,
        Json(json!({"type": "error", "error": {"type": kind, "message": message}})),
    )
        .into_response()
}

async fn messages(
    State(state): State<AnthropicState>,
    headers: HeaderMap,
    body: String,
) -> Response {
    let at = Instant::now();
    let mut problems = header_problems(&headers);
    let body: Value = match serde_json::from_str(&body) {
        Ok(body) => body,
        Err(error) => {
            problems.push(format!("body is not JSON: {error}"));
            Value::Null
        }
    };
    problems.extend(body_problems(&body));
    state.requests.lock().unwrap().push(Recorded {
        headers,
        body,
        at,
        problems: problems.clone(),
    });
    if !problems.is_empty() {
        return api_error(
            StatusCode::BAD_REQUEST,
            "invalid_request_error",
            &problems.join("; "),
        );
    }
    let next = state.script.lock().unwrap().pop_front();
    match next {
        Some(Scripted::Reply(body)) => Json(body).into_response(),
        Some(Scripted::Status {
            status,
            headers,
            body,
        }) => {
            let mut response = (StatusCode::from_u16(status).unwrap(), Json(body)).into_response();
            for (name, value) in headers {
                response.headers_mut().insert(name, value.parse().unwrap());
            }
            response
        }
        None => api_error(
            StatusCode::BAD_REQUEST,
            "invalid_request_error",
            "fake: the script has no more answers",
        ),
    }
}

fn header_problems(headers: &HeaderMap) -> Vec<String> {
    let mut problems = Vec::new();
    let get = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    if get("x-api-key") != Some(FAKE_API_KEY) {
        problems.push("x-api-key is missing or wrong".to_string());
    }
    if get("anthropic-version") != Some("2023-06-01") {
        problems.push(format!(
            "anthropic-version must be 2023-06-01, got {:?}",
            get("anthropic-version")
        ));
    }
    if !get("content-type").is_some_and(|c| c.starts_with("application/json")) {
        problems.push("content-type must be application/json".to_string());
    }
    problems
}

/// The Messages API's rules for a request body.
fn body_problems(body: &Value) -> Vec<String> {
    let mut problems = Vec::new();
    if body["model"].as_str().is_none_or(str::is_empty) {
        problems.push("model: field required".to_string());
    }
    if body["max_tokens"].as_u64().is_none_or(|n| n == 0) {
        problems.push("max_tokens: must be a positive integer".to_string());
    }
    if !body.get("system").is_none_or(Value::is_string) {
        problems.push("system: must be a string".to_string());
    }
    if let Some(tools) = body.get("tools") {
        for (i, tool) in tools.as_array().into_iter().flatten().enumerate() {
            if !tool["name"].is_string() || tool["input_schema"]["type"] != "object" {
                problems.push(format!(
                    "tools.{i}: needs a name and an object input_schema"
                ));
            }
        }
    }
    let Some(messages) = body["messages"].as_array().filter(|m| !m.is_empty()) else {
        problems.push("messages: at least one message is required".to_string());
        return problems;
    };
    let mut expected_role = "user";
    let mut open_tool_uses: HashSet<String> = HashSet::new();
    for (i, message) in messages.iter().enumerate() {
        let role = message["role"].as_str().unwrap_or("");
        if role != expected_role {
            problems.push(format!(
                "messages.{i}: roles must alternate starting with user; got {role}"
            ));
        }
        expected_role = if role == "user" { "assistant" } else { "user" };
        let blocks: Vec<Value> = match &message["content"] {
            Value::String(s) => vec![json!({"type": "text", "text": s})],
            Value::Array(blocks) if !blocks.is_empty() => blocks.clone(),
            _ => {
                problems.push(format!("messages.{i}: content must be non-empty"));
                continue;
            }
        };
        let mut answered = HashSet::new();
        let mut new_tool_uses = HashSet::new();
        for block in &blocks {
            match block["type"].as_str() {
                Some("text") => {}
                Some("tool_use") if role == "assistant" => {
                    new_tool_uses.insert(block["id"].as_str().unwrap_or("").to_string());
                }
                Some("tool_result") if role == "user" => {
                    let id = block["tool_use_id"].as_str().unwrap_or("");
                    if !open_tool_uses.contains(id) {
                        problems.push(format!(
                            "messages.{i}: unexpected tool_use_id `{id}` in tool_result: it must answer a tool_use of the previous message"
                        ));
                    }
                    if !block["content"].is_string() && !block["content"].is_array() {
                        problems.push(format!("messages.{i}: tool_result content must be text"));
                    }
                    answered.insert(id.to_string());
                }
                other => problems.push(format!(
                    "messages.{i}: block type {other:?} not allowed in a {role} message"
                )),
            }
        }
        if role == "user" {
            if let Some(missing) = open_tool_uses.iter().find(|id| !answered.contains(*id)) {
                problems.push(format!(
                    "messages.{i}: tool_use `{missing}` has no tool_result right after it"
                ));
            }
        }
        open_tool_uses = new_tool_uses;
    }
    if expected_role != "assistant" {
        problems.push("the last message must be a user message".to_string());
    }
    problems
}

/// A 200 Messages response of text that ends the turn.
pub(crate) fn text_reply(text: &str) -> Value {
    json!({
        "id": "msg_fake_text",
        "type": "message",
        "role": "assistant",
        "model": "claude-sonnet-4-5-20250929",
        "content": [{"type": "text", "text": text}],
        "stop_reason": "end_turn",
        "stop_sequence": null,
        "usage": {"input_tokens": 100, "output_tokens": 20}
    })
}

/// A 200 Messages response asking for tools, `(id, name, input)` each.
pub(crate) fn tool_use_reply(calls: &[(&str, &str, Value)]) -> Value {
    let mut content = vec![json!({"type": "text", "text": "Let me use the tools."})];
    for (id, name, input) in calls {
        content.push(json!({"type": "tool_use", "id": id, "name": name, "input": input}));
    }
    json!({
        "id": "msg_fake_tools",
        "type": "message",
        "role": "assistant",
        "model": "claude-sonnet-4-5-20250929",
        "content": content,
        "stop_reason": "tool_use",
        "stop_sequence": null,
        "usage": {"input_tokens": 50, "output_tokens": 30}
    })
}

// ---------------------------------------------------------------------------
// A scripted in-process model.

type Answer = dyn Fn(&ModelRequest, usize) -> Result<MessagesResponse, ProviderError> + Send + Sync;

/// A provider that answers call `n` with `answer(request, n)` and keeps
/// every request.
pub(crate) struct ScriptedModel {
    answer: Box<Answer>,
    pub(crate) requests: Mutex<Vec<ModelRequest>>,
}

impl ScriptedModel {
    pub(crate) fn new(
        answer: impl Fn(&ModelRequest, usize) -> Result<MessagesResponse, ProviderError>
            + Send
            + Sync
            + 'static,
    ) -> Arc<Self> {
        Arc::new(ScriptedModel {
            answer: Box::new(answer),
            requests: Mutex::new(Vec::new()),
        })
    }

    pub(crate) fn requests(&self) -> Vec<ModelRequest> {
        self.requests.lock().unwrap().clone()
    }
}

impl ModelProvider for ScriptedModel {
    fn name(&self) -> &str {
        "scripted"
    }

    fn create(
        &self,
        request: ModelRequest,
    ) -> BoxFuture<'_, Result<MessagesResponse, ProviderError>> {
        let mut requests = self.requests.lock().unwrap();
        let n = requests.len();
        let result = (self.answer)(&request, n);
        requests.push(request);
        Box::pin(async move { result })
    }
}

/// An assistant response with these blocks.
pub(crate) fn response(content: Vec<ContentBlock>) -> MessagesResponse {
    let stop_reason = if content
        .iter()
        .any(|b| matches!(b, ContentBlock::ToolUse { .. }))
    {
        StopReason::ToolUse
    } else {
        StopReason::EndTurn
    };
    MessagesResponse {
        id: "msg_scripted".into(),
        model: "scripted".into(),
        role: Role::Assistant,
        content,
        stop_reason,
        usage: Usage {
            input_tokens: 10,
            output_tokens: 5,
        },
    }
}

pub(crate) fn tool_use(id: &str, name: &str, input: Value) -> ContentBlock {
    ContentBlock::ToolUse {
        id: id.into(),
        name: name.into(),
        input,
    }
}
