//! The span model. A finished span is a [`SpanRecord`] in the shape of a
//! Braintrust log record (`id`, `span_id`, `root_span_id`, `span_parents`,
//! `input`, `output`, `metadata`, `scores`, `metrics`, `span_attributes`, ...)
//! whose ids are OpenTelemetry hex ids, so the same row can be exported over
//! OTLP, stored, and queried with BTQL. A live span is a [`Span`]: the
//! builder the client, server and worker use to open, annotate and end spans.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;
use std::time::{SystemTime, UNIX_EPOCH};

use rand::RngCore;
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Map, Value};

/// What kind of work a span stands for (`span_attributes.type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SpanType {
    /// A call to a language model.
    Llm,
    /// A tool call (the span the host opens around a plugin call).
    Tool,
    /// A unit of application work (a conversation, a turn, an HTTP hop).
    Task,
    /// A function invocation.
    Function,
    /// An evaluation run.
    Eval,
    /// A scorer.
    Score,
}

impl SpanType {
    /// The lowercase name used in records and queries.
    pub fn as_str(self) -> &'static str {
        match self {
            SpanType::Llm => "llm",
            SpanType::Tool => "tool",
            SpanType::Task => "task",
            SpanType::Function => "function",
            SpanType::Eval => "eval",
            SpanType::Score => "score",
        }
    }
}

impl fmt::Display for SpanType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A span type name that is not one of `llm|tool|task|function|eval|score`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown span type `{0}` (expected llm, tool, task, function, eval or score)")]
pub struct UnknownSpanType(pub String);

impl FromStr for SpanType {
    type Err = UnknownSpanType;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(match s {
            "llm" => SpanType::Llm,
            "tool" => SpanType::Tool,
            "task" => SpanType::Task,
            "function" => SpanType::Function,
            "eval" => SpanType::Eval,
            "score" => SpanType::Score,
            other => return Err(UnknownSpanType(other.to_owned())),
        })
    }
}

/// `span_attributes`: the span's name and type, plus any other attributes a
/// producer attached (kept as they came).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SpanAttributes {
    /// The span's name (`client_turn`, a tool name, ...).
    pub name: String,
    /// Absent for spans ingested from an OTel SDK that gave no type, and for
    /// types this build does not know (other SDKs have more of them): a row
    /// must never be refused for its type.
    #[serde(
        rename = "type",
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient_span_type"
    )]
    pub span_type: Option<SpanType>,
    /// Any other span attributes, kept as received.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

fn lenient_span_type<'de, D: Deserializer<'de>>(d: D) -> Result<Option<SpanType>, D::Error> {
    let raw = Option::<Value>::deserialize(d)?;
    Ok(raw.and_then(|v| v.as_str().and_then(|s| s.parse().ok())))
}

/// `metrics`: timings (unix seconds) and token counts, plus any other number
/// a producer measured.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Metrics {
    /// Start of the span, unix seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start: Option<f64>,
    /// End of the span, unix seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end: Option<f64>,
    /// Tokens sent to the model.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient_count"
    )]
    pub prompt_tokens: Option<u64>,
    /// Tokens the model generated.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient_count"
    )]
    pub completion_tokens: Option<u64>,
    /// Total tokens (prompt + completion unless the producer said otherwise).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient_count"
    )]
    pub tokens: Option<u64>,
    /// Every other numeric metric, by name.
    #[serde(flatten)]
    pub other: BTreeMap<String, f64>,
}

/// Token counts arrive as `12` from most producers and `12.0` from some
/// (JavaScript has one number type); both mean the same count.
fn lenient_count<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    let raw = Option::<Value>::deserialize(d)?;
    Ok(raw.and_then(|v| json_count(&v)))
}

/// A non-negative integer count from a JSON number, if it is one.
pub(crate) fn json_count(v: &Value) -> Option<u64> {
    if let Some(n) = v.as_u64() {
        return Some(n);
    }
    let f = v.as_f64()?;
    (f.is_finite() && f >= 0.0 && f <= u64::MAX as f64).then(|| f.round() as u64)
}

impl Metrics {
    /// Records a metric by name: the well-known names (`prompt_tokens`,
    /// `completion_tokens`, `tokens`, `start`, `end`) land in their fields,
    /// any other in [`Metrics::other`]. Non-finite values are ignored because
    /// JSON cannot carry them.
    pub fn set(&mut self, name: &str, value: f64) {
        if !value.is_finite() {
            tracing::warn!(metric = name, value, "ignoring non-finite metric");
            return;
        }
        let count = || json_count(&Value::from(value));
        match name {
            "start" => self.start = Some(value),
            "end" => self.end = Some(value),
            "prompt_tokens" => self.prompt_tokens = count(),
            "completion_tokens" => self.completion_tokens = count(),
            "tokens" => self.tokens = count(),
            other => {
                self.other.insert(other.to_owned(), value);
            }
        }
    }
}

/// Something that happened at a point in time during a span (a plugin's
/// `span.event`, an exception); carried as an OTLP span event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SpanEvent {
    /// When it happened, unix seconds.
    pub time: f64,
    /// What happened.
    pub name: String,
    /// Details of the event.
    #[serde(default, skip_serializing_if = "Map::is_empty")]
    pub attributes: Map<String, Value>,
}

/// A finished span, in the Braintrust log-record shape with OTel hex ids.
///
/// `id` and `span_id` are the same 16-hex span id; `root_span_id` is the
/// 32-hex trace id; `span_parents` holds the parent's span id (empty for a
/// root).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SpanRecord {
    /// The row id; always equal to `span_id` in Trellis.
    pub id: String,
    /// 16 lowercase hex digits.
    pub span_id: String,
    /// The trace id: 32 lowercase hex digits.
    pub root_span_id: String,
    /// The parent span ids, nearest first; empty for a root span.
    #[serde(default)]
    pub span_parents: Vec<String>,
    /// RFC 3339 (UTC, microseconds) time the span started.
    pub created: String,
    /// What the span was given.
    #[serde(default)]
    pub input: Option<Value>,
    /// What the span produced.
    #[serde(default)]
    pub output: Option<Value>,
    /// The expected output (evals).
    #[serde(default)]
    pub expected: Option<Value>,
    /// Set when the span failed: a message string, or a JSON description.
    #[serde(default)]
    pub error: Option<Value>,
    /// Free-form JSON object (`model`, `tool`, `service.name`, ...).
    #[serde(default)]
    pub metadata: Map<String, Value>,
    /// Named scores, each in 0..=1 by convention.
    #[serde(default)]
    pub scores: BTreeMap<String, f64>,
    /// Timings and token counts.
    #[serde(default)]
    pub metrics: Metrics,
    /// Name and type.
    pub span_attributes: SpanAttributes,
    /// Free-form labels.
    #[serde(default)]
    pub tags: Vec<String>,
    /// Point-in-time events, oldest first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub events: Vec<SpanEvent>,
    /// The Braintrust project the span is logged to; `None` means "the
    /// receiver's default project". Travels as `braintrust.parent` over OTLP
    /// and in the `x-bt-parent-span` slug.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub project: Option<String>,
}

impl SpanRecord {
    /// The span's name (`span_attributes.name`).
    pub fn name(&self) -> &str {
        &self.span_attributes.name
    }

    /// The span's type, when it has a known one.
    pub fn span_type(&self) -> Option<SpanType> {
        self.span_attributes.span_type
    }

    /// The direct parent's span id, `None` for a root.
    pub fn parent_span_id(&self) -> Option<&str> {
        self.span_parents.first().map(String::as_str)
    }

    /// Whether the span recorded an error.
    pub fn is_error(&self) -> bool {
        self.error.as_ref().is_some_and(|e| !e.is_null())
    }

    /// Wall time from start to end in milliseconds, when both are known.
    pub fn duration_ms(&self) -> Option<f64> {
        match (self.metrics.start, self.metrics.end) {
            (Some(start), Some(end)) => Some(((end - start) * 1000.0).max(0.0)),
            _ => None,
        }
    }
}

/// The part of a span that crosses process boundaries: what
/// [`crate::propagation`] writes into and reads from headers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpanContext {
    /// The trace id (= Braintrust `root_span_id`); never all zero.
    pub trace_id: [u8; 16],
    /// The span id of the span this context belongs to; never all zero.
    pub span_id: [u8; 8],
    /// The W3C `sampled` flag. Trellis records every span; the flag is kept so
    /// a caller's decision is passed on unchanged.
    pub sampled: bool,
    /// W3C `tracestate`, passed on as received.
    pub tracestate: Option<String>,
    /// W3C `baggage`, passed on as received.
    pub baggage: Option<String>,
    /// The Braintrust project the trace is logged to (from the
    /// `x-bt-parent-span` slug or `braintrust.parent` baggage); children
    /// inherit it.
    pub project: Option<String>,
}

impl SpanContext {
    /// A context for a brand-new trace: fresh trace and span ids, sampled.
    pub fn new_root() -> Self {
        SpanContext {
            trace_id: new_trace_id(),
            span_id: new_span_id(),
            sampled: true,
            tracestate: None,
            baggage: None,
            project: None,
        }
    }

    /// The trace id as 32 lowercase hex digits.
    pub fn trace_id_hex(&self) -> String {
        hex::encode(self.trace_id)
    }

    /// The span id as 16 lowercase hex digits.
    pub fn span_id_hex(&self) -> String {
        hex::encode(self.span_id)
    }

    /// Opens a child span of the span this context belongs to (possibly in
    /// another process).
    pub fn child(&self, name: impl Into<String>, span_type: SpanType) -> Span {
        Span::child_of(self, name, span_type)
    }
}

/// A live span: opened with [`Span::root`] or [`Span::child_of`], annotated
/// with the `log_*` methods, finished with [`Span::end`], which returns the
/// [`SpanRecord`] to hand to an exporter. A span dropped without `end` is not
/// recorded.
///
/// Not `Clone`: two copies of one live span would both end and write the
/// same span id twice.
#[derive(Debug)]
#[must_use = "a span is recorded only when `end` is called"]
pub struct Span {
    context: SpanContext,
    record: SpanRecord,
}

impl Span {
    /// Opens the root span of a new trace.
    pub fn root(name: impl Into<String>, span_type: SpanType) -> Span {
        Span::open(SpanContext::new_root(), Vec::new(), name.into(), span_type)
    }

    /// Opens a span whose parent is `parent` (typically a context extracted
    /// from request headers). The child keeps the parent's trace id, sampled
    /// flag, tracestate, baggage and project.
    pub fn child_of(parent: &SpanContext, name: impl Into<String>, span_type: SpanType) -> Span {
        let context = SpanContext {
            span_id: new_span_id(),
            ..parent.clone()
        };
        Span::open(context, vec![parent.span_id_hex()], name.into(), span_type)
    }

    /// Opens a child of this span in the same process.
    pub fn child(&self, name: impl Into<String>, span_type: SpanType) -> Span {
        Span::child_of(&self.context, name, span_type)
    }

    fn open(context: SpanContext, parents: Vec<String>, name: String, span_type: SpanType) -> Span {
        let start = now_unix_secs();
        let span_id = context.span_id_hex();
        let record = SpanRecord {
            id: span_id.clone(),
            span_id,
            root_span_id: context.trace_id_hex(),
            span_parents: parents,
            created: rfc3339(start),
            input: None,
            output: None,
            expected: None,
            error: None,
            metadata: Map::new(),
            scores: BTreeMap::new(),
            metrics: Metrics {
                start: Some(start),
                ..Metrics::default()
            },
            span_attributes: SpanAttributes {
                name,
                span_type: Some(span_type),
                extra: Map::new(),
            },
            tags: Vec::new(),
            events: Vec::new(),
            project: context.project.clone(),
        };
        Span { context, record }
    }

    /// Sets the project the span (and its children, through
    /// [`Span::context`]) is logged to.
    pub fn with_project(mut self, project: impl Into<String>) -> Span {
        let project = project.into();
        self.context.project = Some(project.clone());
        self.record.project = Some(project);
        self
    }

    /// Sets the project only if the span has none yet: a span continuing a
    /// remote parent keeps the parent's project, a new root takes `project`.
    pub fn with_default_project(self, project: impl Into<String>) -> Span {
        if self.context.project.is_some() {
            self
        } else {
            self.with_project(project)
        }
    }

    /// The context to pass to children and to inject into outgoing headers.
    pub fn context(&self) -> &SpanContext {
        &self.context
    }

    /// The span id, 16 hex digits.
    pub fn span_id(&self) -> &str {
        &self.record.span_id
    }

    /// The trace id, 32 hex digits.
    pub fn trace_id(&self) -> &str {
        &self.record.root_span_id
    }

    /// The span's name.
    pub fn name(&self) -> &str {
        &self.record.span_attributes.name
    }

    /// The record as it stands now, without ending the span.
    pub fn record(&self) -> &SpanRecord {
        &self.record
    }

    /// Sets the span's input (replacing an earlier one).
    pub fn log_input(&mut self, input: Value) {
        self.record.input = Some(input);
    }

    /// Sets the span's output (replacing an earlier one).
    pub fn log_output(&mut self, output: Value) {
        self.record.output = Some(output);
    }

    /// Sets the expected output (for eval spans).
    pub fn log_expected(&mut self, expected: Value) {
        self.record.expected = Some(expected);
    }

    /// Merges `metadata` into the span's metadata: nested objects merge key
    /// by key, anything else replaces what was there.
    pub fn log_metadata(&mut self, metadata: Map<String, Value>) {
        merge_objects(&mut self.record.metadata, metadata);
    }

    /// [`Span::log_metadata`] for a JSON value such as a `json!` object
    /// literal; anything but an object is ignored (metadata is an object).
    pub fn log_metadata_value(&mut self, metadata: Value) {
        match metadata {
            Value::Object(map) => self.log_metadata(map),
            other => {
                tracing::warn!(span = %self.name(), "ignoring metadata that is not a JSON object: {other}")
            }
        }
    }

    /// Sets a named score. Scores are 0..=1 by convention; a non-finite value
    /// is ignored (JSON cannot carry it) and logged.
    pub fn log_score(&mut self, name: impl Into<String>, value: f64) {
        let name = name.into();
        if !value.is_finite() {
            tracing::warn!(score = %name, value, "ignoring non-finite score");
            return;
        }
        self.record.scores.insert(name, value);
    }

    /// Records numeric metrics by name (see [`Metrics::set`]).
    pub fn log_metrics<I, K>(&mut self, metrics: I)
    where
        I: IntoIterator<Item = (K, f64)>,
        K: AsRef<str>,
    {
        for (name, value) in metrics {
            self.record.metrics.set(name.as_ref(), value);
        }
    }

    /// Adds model token usage to the span's counts (a turn span that makes
    /// several model calls adds each one); `tokens` stays their sum.
    pub fn add_usage(&mut self, prompt_tokens: u64, completion_tokens: u64) {
        let m = &mut self.record.metrics;
        let prompt = m.prompt_tokens.unwrap_or(0).saturating_add(prompt_tokens);
        let completion = m
            .completion_tokens
            .unwrap_or(0)
            .saturating_add(completion_tokens);
        m.prompt_tokens = Some(prompt);
        m.completion_tokens = Some(completion);
        m.tokens = Some(prompt.saturating_add(completion));
    }

    /// Marks the span as failed: a message string, or a JSON value that
    /// describes the failure.
    pub fn set_error(&mut self, error: impl Into<Value>) {
        self.record.error = Some(error.into());
    }

    /// Records that something happened now.
    pub fn add_event(&mut self, name: impl Into<String>) {
        self.add_event_with(name, Map::new());
    }

    /// Records that something happened now, with attributes.
    pub fn add_event_with(&mut self, name: impl Into<String>, attributes: Map<String, Value>) {
        self.record.events.push(SpanEvent {
            time: now_unix_secs(),
            name: name.into(),
            attributes,
        });
    }

    /// Adds a tag (once).
    pub fn add_tag(&mut self, tag: impl Into<String>) {
        let tag = tag.into();
        if !self.record.tags.contains(&tag) {
            self.record.tags.push(tag);
        }
    }

    /// Ends the span now and returns its record.
    pub fn end(mut self) -> SpanRecord {
        let start = self.record.metrics.start.unwrap_or_else(now_unix_secs);
        // The wall clock can step backwards; a span never ends before it began.
        self.record.metrics.end = Some(now_unix_secs().max(start));
        self.record
    }
}

/// Merges `from` into `into`: objects merge recursively, other values
/// replace. This is how Braintrust merges logged metadata.
pub fn merge_objects(into: &mut Map<String, Value>, from: Map<String, Value>) {
    for (key, value) in from {
        match (into.get_mut(&key), value) {
            (Some(Value::Object(existing)), Value::Object(incoming)) => {
                merge_objects(existing, incoming);
            }
            (_, value) => {
                into.insert(key, value);
            }
        }
    }
}

/// A fresh random trace id, never all zero.
pub fn new_trace_id() -> [u8; 16] {
    let mut id = [0u8; 16];
    while id == [0u8; 16] {
        rand::rng().fill_bytes(&mut id);
    }
    id
}

/// A fresh random span id, never all zero.
pub fn new_span_id() -> [u8; 8] {
    let mut id = [0u8; 8];
    while id == [0u8; 8] {
        rand::rng().fill_bytes(&mut id);
    }
    id
}

/// The current time as unix seconds.
pub fn now_unix_secs() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs_f64())
        .unwrap_or(0.0)
}

/// Formats unix seconds as RFC 3339 in UTC with microseconds
/// (`2025-01-02T03:04:05.678901Z`). The width is fixed so the strings sort
/// in time order, which the store's `created` index relies on.
pub fn rfc3339(unix_secs: f64) -> String {
    let micros_total = if unix_secs.is_finite() && unix_secs > 0.0 {
        (unix_secs * 1_000_000.0).round() as i64
    } else {
        0
    };
    let secs = micros_total.div_euclid(1_000_000);
    let micros = micros_total.rem_euclid(1_000_000);
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let (year, month, day) = civil_from_days(days);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{micros:06}Z",
        rem / 3600,
        (rem % 3600) / 60,
        rem % 60
    )
}

/// Days since 1970-01-01 to a proleptic Gregorian (year, month, day), after
/// Howard Hinnant's `civil_from_days`.
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// Whether `s` is exactly `len` lowercase hex digits.
pub(crate) fn is_lower_hex(s: &str, len: usize) -> bool {
    s.len() == len && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn root_and_child_share_the_trace_and_link_parent() {
        let root = Span::root("client_conversation", SpanType::Task).with_project("p1");
        let root_ctx = root.context().clone();
        let child = root.child("client_turn", SpanType::Task);
        assert_eq!(child.trace_id(), root.trace_id());
        assert_ne!(child.span_id(), root.span_id());
        let child = child.end();
        let root = root.end();
        assert_eq!(child.span_parents, vec![root.span_id.clone()]);
        assert!(root.span_parents.is_empty());
        assert_eq!(child.project.as_deref(), Some("p1"));
        let kept = Span::child_of(&root_ctx, "x", SpanType::Task).with_default_project("other");
        assert_eq!(kept.end().project.as_deref(), Some("p1"));
        let fresh = Span::root("y", SpanType::Task).with_default_project("other");
        assert_eq!(fresh.end().project.as_deref(), Some("other"));
        assert!(is_lower_hex(&root.root_span_id, 32));
        assert!(is_lower_hex(&root.span_id, 16));
        assert_eq!(root.id, root.span_id);
    }

    #[test]
    fn child_of_remote_context_keeps_trace_state() {
        let mut parent = SpanContext::new_root();
        parent.tracestate = Some("vendor=1".into());
        parent.sampled = false;
        let child = Span::child_of(&parent, "server_process_turn", SpanType::Task);
        assert_eq!(child.context().trace_id, parent.trace_id);
        assert_eq!(child.context().tracestate.as_deref(), Some("vendor=1"));
        assert!(!child.context().sampled);
        assert_eq!(child.record().span_parents, vec![parent.span_id_hex()]);
    }

    #[test]
    fn logging_fills_the_record() {
        let mut span = Span::root("calculate_bmi", SpanType::Tool);
        span.log_input(json!({"height": 64}));
        span.log_output(json!({"bmi": 30.9}));
        span.log_metadata(json!({"a": {"x": 1}, "b": 1}).as_object().unwrap().clone());
        span.log_metadata(json!({"a": {"y": 2}, "b": 2}).as_object().unwrap().clone());
        span.log_score("health_risk", 0.3);
        span.log_score("bad", f64::NAN);
        span.add_usage(10, 5);
        span.add_usage(1, 1);
        span.log_metrics([("latency_ms", 12.5)]);
        span.add_event("cache miss");
        span.add_tag("t");
        span.add_tag("t");
        span.set_error("boom");
        let rec = span.end();
        assert_eq!(rec.output, Some(json!({"bmi": 30.9})));
        assert_eq!(
            Value::Object(rec.metadata.clone()),
            json!({"a": {"x": 1, "y": 2}, "b": 2})
        );
        assert_eq!(rec.scores.len(), 1);
        assert_eq!(rec.metrics.prompt_tokens, Some(11));
        assert_eq!(rec.metrics.completion_tokens, Some(6));
        assert_eq!(rec.metrics.tokens, Some(17));
        assert_eq!(rec.metrics.other["latency_ms"], 12.5);
        assert_eq!(rec.events[0].name, "cache miss");
        assert_eq!(rec.tags, vec!["t"]);
        assert!(rec.is_error());
        assert!(rec.metrics.end.unwrap() >= rec.metrics.start.unwrap());
        assert!(rec.duration_ms().is_some());
    }

    #[test]
    fn record_serializes_with_braintrust_field_names() {
        let mut span = Span::root("x", SpanType::Llm);
        span.add_usage(3, 4);
        let v = serde_json::to_value(span.end()).unwrap();
        for field in [
            "id",
            "span_id",
            "root_span_id",
            "span_parents",
            "created",
            "input",
            "output",
            "expected",
            "error",
            "metadata",
            "scores",
            "metrics",
            "span_attributes",
            "tags",
        ] {
            assert!(v.get(field).is_some(), "missing {field}");
        }
        assert_eq!(v["span_attributes"], json!({"name": "x", "type": "llm"}));
        assert_eq!(v["metrics"]["tokens"], json!(7));
        let back: SpanRecord = serde_json::from_value(v).unwrap();
        assert_eq!(back.span_type(), Some(SpanType::Llm));
    }

    #[test]
    fn unknown_span_type_and_float_tokens_still_deserialize() {
        let rec: SpanRecord = serde_json::from_value(json!({
            "id": "a", "span_id": "a", "root_span_id": "b", "created": "c",
            "span_attributes": {"name": "n", "type": "automation", "purpose": "scorer"},
            "metrics": {"prompt_tokens": 12.0, "cost": 3}
        }))
        .unwrap();
        assert_eq!(rec.span_type(), None);
        assert_eq!(rec.span_attributes.extra["purpose"], "scorer");
        assert_eq!(rec.metrics.prompt_tokens, Some(12));
        assert_eq!(rec.metrics.other["cost"], 3.0);
    }

    #[test]
    fn rfc3339_formats_known_instants() {
        assert_eq!(rfc3339(0.0), "1970-01-01T00:00:00.000000Z");
        assert_eq!(rfc3339(951_782_400.5), "2000-02-29T00:00:00.500000Z");
        assert_eq!(
            rfc3339(1_700_000_000.123_456),
            "2023-11-14T22:13:20.123456Z"
        );
    }

    #[test]
    fn ids_are_never_zero() {
        for _ in 0..1000 {
            assert_ne!(new_trace_id(), [0; 16]);
            assert_ne!(new_span_id(), [0; 8]);
        }
    }
}
