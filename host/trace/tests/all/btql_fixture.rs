//! The store the BTQL tests query: three conversations shaped like the
//! seed's (client_conversation → client_turn → server_process_turn →
//! model calls and worker_execute_tool → tool), with fixed ids and times so
//! expected rows can be written out exactly, plus one span in another
//! project. Durations are multiples of 1/8 s so float results are exact.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde_json::{json, Map, Value};
use trellis_trace::btql::{self, BtqlConfig, BtqlError, Query, QueryOutput};
use trellis_trace::span::{rfc3339, Metrics, SpanAttributes};
use trellis_trace::{SpanRecord, SpanType, TraceStore};

/// What `now()` is in the tests: 2023-11-14T22:13:20Z.
pub(crate) const NOW: f64 = 1_700_000_000.0;
pub(crate) const PROJECT: &str = "trellis-demo";

pub(crate) const Q1: &str = "I have a 45-year-old female patient, 5'4\" tall, 180 lbs, presenting \
     with fatigue and increased thirst. What conditions should I evaluate for?";
pub(crate) const R1: &str = "Evaluate for type 2 diabetes (BMI 30.9, obese); order HbA1c.";
pub(crate) const Q2A: &str = "Patient on metformin reports nausea. What are the alternatives?";
pub(crate) const R2A: &str = "Consider extended-release metformin or an SGLT2 inhibitor.";
pub(crate) const Q2B: &str = "Any interactions with lisinopril?";
pub(crate) const R2B: &str = "No major interactions; monitor kidney function.";
pub(crate) const Q3: &str = "Thirsty 10-year-old with frequent urination and weight loss.";
pub(crate) const R3: &str = "Check blood glucose urgently; consider type 1 diabetes.";

/// The store and every span in it.
pub(crate) struct Fixture {
    pub(crate) store: Arc<TraceStore>,
    pub(crate) spans: Vec<SpanRecord>,
    pub(crate) dir: tempfile::TempDir,
}

pub(crate) fn trace_id(t: u32) -> String {
    format!("{t:032x}")
}

pub(crate) fn span_id(t: u32, n: u32) -> String {
    format!("{t:08x}{n:08x}")
}

/// A span of trace `t`, number `n`, starting `offset` seconds after
/// `base` and lasting `duration`.
#[allow(clippy::too_many_arguments)]
fn span(
    t: u32,
    n: u32,
    parent: Option<u32>,
    name: &str,
    span_type: SpanType,
    base: f64,
    offset: f64,
    duration: f64,
) -> SpanRecord {
    let start = base + offset;
    SpanRecord {
        id: span_id(t, n),
        span_id: span_id(t, n),
        root_span_id: trace_id(t),
        span_parents: parent.map(|p| span_id(t, p)).into_iter().collect(),
        created: rfc3339(start),
        input: None,
        output: None,
        expected: None,
        error: None,
        metadata: Map::new(),
        scores: BTreeMap::new(),
        metrics: Metrics {
            start: Some(start),
            end: Some(start + duration),
            ..Metrics::default()
        },
        span_attributes: SpanAttributes {
            name: name.to_owned(),
            span_type: Some(span_type),
            extra: Map::new(),
        },
        tags: Vec::new(),
        events: Vec::new(),
        project: Some(PROJECT.to_owned()),
    }
}

fn object(value: Value) -> Map<String, Value> {
    value.as_object().expect("an object").clone()
}

fn llm(mut s: SpanRecord, prompt: u64, completion: u64) -> SpanRecord {
    s.metrics.prompt_tokens = Some(prompt);
    s.metrics.completion_tokens = Some(completion);
    s.metrics.tokens = Some(prompt + completion);
    s.metadata = object(json!({"model": "offline", "provider.name": "offline",
        "odd \"key\"\\": "quoted"}));
    s
}

fn root(
    t: u32,
    base: f64,
    duration: f64,
    turns: &[(&str, &str)],
    completeness: f64,
    tags: &[&str],
) -> SpanRecord {
    let mut s = span(
        t,
        1,
        None,
        "client_conversation",
        SpanType::Task,
        base,
        0.0,
        duration,
    );
    let queries: Vec<&str> = turns.iter().map(|(q, _)| *q).collect();
    s.input = Some(json!({ "queries": queries }));
    s.output = Some(json!({
        "conversation_id": format!("conv-{t}"),
        "total_turns": turns.len(),
        "turns": turns.iter().map(|(q, r)| json!({"query": q, "response": r})).collect::<Vec<_>>(),
        "patient_query": turns[0].0,
        "final_response": turns[turns.len() - 1].1,
    }));
    s.scores
        .insert("clinical_completeness".into(), completeness);
    s.tags = tags.iter().map(|t| (*t).to_owned()).collect();
    s
}

fn tool(mut s: SpanRecord, input: Value, output: Option<Value>) -> SpanRecord {
    s.input = Some(input);
    s.output = output;
    s
}

/// Every span of the fixture, in insertion order.
pub(crate) fn spans() -> Vec<SpanRecord> {
    use SpanType::{Llm, Task, Tool};
    let mut all = Vec::new();

    // Conversation 1: two days ago, one turn, BMI tool.
    let b = NOW - 2.0 * 86_400.0;
    let mut bmi = tool(
        span(
            1,
            6,
            Some(5),
            "calculate_clinical_metrics",
            Tool,
            b,
            2.625,
            0.25,
        ),
        json!({"height_in": 64, "weight_lb": 180, "age": 45, "gender": "female"}),
        Some(json!({"bmi": 30.9, "category": "obese"})),
    );
    bmi.scores.insert("health_risk".into(), 0.3);
    let mut turn = span(1, 2, Some(1), "client_turn", Task, b, 0.125, 7.75);
    turn.input = Some(json!({ "query": Q1 }));
    turn.output = Some(json!({ "response": R1 }));
    let mut server = span(1, 3, Some(2), "server_process_turn", Task, b, 0.25, 7.5);
    server.metadata = object(json!({"service.name": "trellis-server"}));
    all.extend([
        root(1, b, 8.0, &[(Q1, R1)], 0.875, &["production"]),
        turn,
        server,
        llm(
            span(1, 4, Some(3), "claude_messages_create", Llm, b, 0.375, 2.0),
            900,
            120,
        ),
        tool(
            span(1, 5, Some(3), "worker_execute_tool", Task, b, 2.5, 0.5),
            json!({"tool": "calculate_clinical_metrics"}),
            None,
        ),
        bmi,
        llm(
            span(1, 7, Some(3), "claude_messages_create", Llm, b, 3.125, 4.5),
            1400,
            350,
        ),
    ]);

    // Conversation 2: five hours ago, two turns, a failing search.
    let b = NOW - 5.0 * 3600.0;
    let mut search = tool(
        span(
            2,
            8,
            Some(7),
            "search_medical_knowledge",
            Tool,
            b,
            2.75,
            1.0,
        ),
        json!({"query": "metformin nausea alternatives"}),
        None,
    );
    search.error = Some(json!("knowledge base timeout"));
    let mut worker = span(2, 7, Some(3), "worker_execute_tool", Task, b, 2.625, 1.375);
    worker.error = Some(json!({"kind": "failed", "message": "tool failed"}));
    all.extend([
        root(
            2,
            b,
            12.0,
            &[(Q2A, R2A), (Q2B, R2B)],
            0.375,
            &["production", "followup"],
        ),
        span(2, 2, Some(1), "client_turn", Task, b, 0.125, 5.875),
        span(2, 3, Some(2), "server_process_turn", Task, b, 0.25, 5.625),
        llm(
            span(2, 4, Some(3), "claude_messages_create", Llm, b, 0.375, 1.0),
            500,
            80,
        ),
        span(2, 5, Some(3), "worker_execute_tool", Task, b, 1.5, 1.0),
        tool(
            span(2, 6, Some(5), "check_medication", Tool, b, 1.625, 0.25),
            json!({"medication": "metformin"}),
            Some(json!({"interactions": []})),
        ),
        worker,
        search,
        llm(
            span(2, 9, Some(3), "claude_messages_create", Llm, b, 4.0, 1.75),
            800,
            150,
        ),
        span(2, 10, Some(1), "client_turn", Task, b, 6.125, 5.875),
        span(2, 11, Some(10), "server_process_turn", Task, b, 6.25, 5.625),
        llm(
            span(
                2,
                12,
                Some(11),
                "claude_messages_create",
                Llm,
                b,
                6.375,
                5.125,
            ),
            1000,
            200,
        ),
    ]);

    // Conversation 3: an hour ago, BMI and search tools, staging.
    let b = NOW - 3600.0;
    let mut bmi = tool(
        span(
            3,
            6,
            Some(5),
            "calculate_clinical_metrics",
            Tool,
            b,
            1.625,
            0.5,
        ),
        json!({"height_in": 56, "weight_lb": 68, "age": 10, "gender": "male"}),
        Some(json!({"bmi": 15.2, "category": "underweight"})),
    );
    bmi.scores.insert("health_risk".into(), 0.5);
    all.extend([
        root(3, b, 9.0, &[(Q3, R3)], 0.25, &["staging"]),
        span(3, 2, Some(1), "client_turn", Task, b, 0.125, 8.75),
        span(3, 3, Some(2), "server_process_turn", Task, b, 0.25, 8.5),
        llm(
            span(3, 4, Some(3), "claude_messages_create", Llm, b, 0.375, 1.0),
            600,
            90,
        ),
        span(3, 5, Some(3), "worker_execute_tool", Task, b, 1.5, 0.75),
        bmi,
        span(3, 7, Some(3), "worker_execute_tool", Task, b, 2.375, 0.75),
        tool(
            span(3, 8, Some(7), "search_medical_knowledge", Tool, b, 2.5, 0.5),
            json!({"query": "polyuria weight loss child"}),
            Some(json!({"results": ["type 1 diabetes", "diabetes insipidus"]})),
        ),
        llm(
            span(3, 9, Some(3), "claude_messages_create", Llm, b, 3.25, 5.5),
            700,
            160,
        ),
    ]);

    // Another project's conversation: never visible from trellis-demo.
    let mut other = root(4, NOW - 600.0, 1.0, &[("secret", "hidden")], 0.0, &[]);
    other.project = Some("other-project".to_owned());
    all.push(other);
    all
}

/// A fresh store holding [`spans`].
pub(crate) fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(TraceStore::open(dir.path().join("traces.db")).unwrap());
    let spans = spans();
    store.insert_spans(&spans).unwrap();
    Fixture { store, spans, dir }
}

impl Fixture {
    /// Parses and runs `text` with `now()` at [`NOW`].
    pub(crate) fn run(&self, text: &str) -> Result<QueryOutput, BtqlError> {
        self.run_with(text, &BtqlConfig::default())
    }

    pub(crate) fn run_with(
        &self,
        text: &str,
        config: &BtqlConfig,
    ) -> Result<QueryOutput, BtqlError> {
        let query: Query = text.parse()?;
        btql::execute_at(&self.store, &query, config, NOW)
    }

    /// The rows of `text`, as JSON values; panics on an error.
    pub(crate) fn rows(&self, text: &str) -> Vec<Value> {
        match self.run(text) {
            Ok(out) => out.data.into_iter().map(Value::Object).collect(),
            Err(e) => panic!("{text}\n  failed: {e}"),
        }
    }

    /// The stored record of trace `t`, span `n`, as `SELECT *` returns it.
    pub(crate) fn record(&self, t: u32, n: u32) -> Value {
        let span = self
            .spans
            .iter()
            .find(|s| s.span_id == span_id(t, n))
            .expect("a fixture span");
        let mut value = serde_json::to_value(span).unwrap();
        let object = value.as_object_mut().unwrap();
        object.remove("project");
        object.remove("events");
        value
    }
}
