//! Mapping between [`SpanRecord`]s and OTLP trace messages
//! (`opentelemetry-proto`), in both directions and both encodings.
//!
//! Outbound, a record becomes an OTLP span whose attributes carry the
//! Braintrust fields the way Braintrust's OTel ingest reads them
//! (`braintrust.input_json`, `braintrust.output_json`, `braintrust.metadata`,
//! `braintrust.scores`, `braintrust.metrics`, `braintrust.span_attributes`,
//! `braintrust.tags`, `braintrust.parent`) plus the GenAI semantic conventions
//! (`gen_ai.usage.*`, `gen_ai.request.model`, `gen_ai.operation.name`), so
//! Braintrust and any OTLP backend understand it. Inbound, a span from any
//! OTel SDK becomes a record: the same attributes are read back, `gen_ai.*`
//! fills usage, model, input and output when the Braintrust ones are absent,
//! and every other attribute (and the resource's `service.name`) lands in
//! `metadata`.
//!
//! OTLP/JSON differs from protobuf's canonical JSON in ways SDKs rely on:
//! ids are hex strings, 64-bit integers may be strings or numbers, enums are
//! integers (some senders use names). [`decode_request`] accepts all of those
//! and snake_case field names too.

use std::collections::BTreeMap;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use opentelemetry_proto::tonic::collector::trace::v1::{
    ExportTracePartialSuccess, ExportTraceServiceRequest, ExportTraceServiceResponse,
};
use opentelemetry_proto::tonic::common::v1::{
    any_value, AnyValue, ArrayValue, InstrumentationScope, KeyValue, KeyValueList,
};
use opentelemetry_proto::tonic::resource::v1::Resource;
use opentelemetry_proto::tonic::trace::v1::span::{Event, SpanKind};
use opentelemetry_proto::tonic::trace::v1::status::StatusCode;
use opentelemetry_proto::tonic::trace::v1::{ResourceSpans, ScopeSpans, Span as OtlpSpan, Status};
use prost::Message;
use serde_json::{Map, Value};

use crate::span::{
    is_lower_hex, json_count, merge_objects, rfc3339, Metrics, SpanAttributes, SpanEvent,
    SpanRecord, SpanType,
};

/// The instrumentation scope name on spans Trellis exports.
pub const SCOPE_NAME: &str = "trellis";

/// The two OTLP/HTTP body encodings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OtlpEncoding {
    /// `application/x-protobuf`
    Protobuf,
    /// `application/json`
    Json,
}

impl OtlpEncoding {
    /// The encoding a `Content-Type` names, ignoring parameters such as
    /// `charset`; `None` for anything else.
    pub fn from_content_type(content_type: &str) -> Option<Self> {
        let essence = content_type
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase();
        match essence.as_str() {
            "application/x-protobuf" | "application/protobuf" => Some(OtlpEncoding::Protobuf),
            "application/json" => Some(OtlpEncoding::Json),
            _ => None,
        }
    }

    /// The `Content-Type` to send or answer with.
    pub fn content_type(self) -> &'static str {
        match self {
            OtlpEncoding::Protobuf => "application/x-protobuf",
            OtlpEncoding::Json => "application/json",
        }
    }
}

/// Why an OTLP body or span could not be mapped.
#[derive(Debug, thiserror::Error)]
pub enum OtlpError {
    /// The body is not an `ExportTraceServiceRequest` in protobuf.
    #[error("invalid OTLP protobuf body: {0}")]
    Protobuf(#[from] prost::DecodeError),
    /// The body is not an `ExportTraceServiceRequest` in OTLP/JSON.
    #[error("invalid OTLP/JSON body: {0}")]
    Json(#[from] serde_json::Error),
    /// An OTLP span's trace id is missing, the wrong size or zero.
    #[error("span `{span}` has a {len}-byte trace id; OTLP needs 16 bytes, not all zero")]
    BadTraceId { span: String, len: usize },
    /// An OTLP span's span id is missing, the wrong size or zero.
    #[error("span `{span}` has a {len}-byte span id; OTLP needs 8 bytes, not all zero")]
    BadSpanId { span: String, len: usize },
    /// An OTLP span's parent id is neither empty nor 8 bytes.
    #[error("span `{span}` has a {len}-byte parent span id; OTLP needs 8 bytes")]
    BadParentId { span: String, len: usize },
    /// A record's id cannot become an OTLP id.
    #[error("span record `{span}` has {field} `{value}`, which is not an OTel hex id")]
    BadRecordId {
        span: String,
        field: &'static str,
        value: String,
    },
}

/// Decodes an `ExportTraceServiceRequest` body.
pub fn decode_request(
    body: &[u8],
    encoding: OtlpEncoding,
) -> Result<ExportTraceServiceRequest, OtlpError> {
    match encoding {
        OtlpEncoding::Protobuf => Ok(ExportTraceServiceRequest::decode(body)?),
        OtlpEncoding::Json => {
            let mut value: Value = serde_json::from_slice(body)?;
            normalize_json(&mut value, None);
            if let Value::Object(top) = &mut value {
                top.entry("resourceSpans")
                    .or_insert_with(|| Value::Array(Vec::new()));
            }
            Ok(serde_json::from_value(value)?)
        }
    }
}

/// Encodes an `ExportTraceServiceRequest` body.
pub fn encode_request(request: &ExportTraceServiceRequest, encoding: OtlpEncoding) -> Vec<u8> {
    match encoding {
        OtlpEncoding::Protobuf => request.encode_to_vec(),
        OtlpEncoding::Json => serde_json::to_vec(request).expect("OTLP messages serialize"),
    }
}

/// Encodes the collector's answer: empty on full success, with
/// `partial_success` when some spans were rejected.
pub fn encode_response(
    rejected_spans: usize,
    error_message: Option<String>,
    encoding: OtlpEncoding,
) -> Vec<u8> {
    let response = ExportTraceServiceResponse {
        partial_success: (rejected_spans > 0 || error_message.is_some()).then(|| {
            ExportTracePartialSuccess {
                rejected_spans: rejected_spans as i64,
                error_message: error_message.unwrap_or_default(),
            }
        }),
    };
    match encoding {
        OtlpEncoding::Protobuf => response.encode_to_vec(),
        // Written by hand: the generated serde code would emit
        // `"partialSuccess": null` where OTLP/JSON omits the field.
        OtlpEncoding::Json => {
            let body = match response.partial_success {
                None => serde_json::json!({}),
                Some(p) => serde_json::json!({"partialSuccess": {
                    "rejectedSpans": p.rejected_spans.to_string(),
                    "errorMessage": p.error_message,
                }}),
            };
            body.to_string().into_bytes()
        }
    }
}

/// Brings OTLP/JSON as real senders write it to the shape the generated
/// serde code reads: lowerCamelCase keys, `*UnixNano` as strings, enum names
/// as numbers, empty attribute values dropped.
fn normalize_json(value: &mut Value, key: Option<&str>) {
    match value {
        Value::Object(map) => {
            let entries = std::mem::take(map);
            for (k, mut v) in entries {
                let k = if k.contains('_') { camel_case(&k) } else { k };
                if k == "value" && v.as_object().is_some_and(Map::is_empty) {
                    continue;
                }
                normalize_json(&mut v, Some(&k));
                map.insert(k, v);
            }
        }
        Value::Array(items) => {
            for item in items {
                normalize_json(item, None);
            }
        }
        Value::Number(n) if key.is_some_and(|k| k.ends_with("UnixNano")) => {
            let text = n.as_u64().map(|u| u.to_string()).or_else(|| {
                n.as_f64()
                    .filter(|f| f.is_finite() && *f >= 0.0)
                    .map(|f| format!("{f:.0}"))
            });
            if let Some(text) = text {
                *value = Value::String(text);
            }
        }
        Value::String(s) if key == Some("kind") => {
            if let Some(kind) = SpanKind::from_str_name(s) {
                *value = Value::from(kind as i32);
            }
        }
        Value::String(s) if key == Some("code") => {
            if let Some(code) = StatusCode::from_str_name(s) {
                *value = Value::from(code as i32);
            }
        }
        _ => {}
    }
}

fn camel_case(snake: &str) -> String {
    let mut out = String::with_capacity(snake.len());
    let mut upper = false;
    for c in snake.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

/// Builds an export request holding `records` under one resource (with
/// `service.name` when given). Records whose ids are not OTel hex ids are
/// left out and returned as errors.
pub fn export_request<'a>(
    records: impl IntoIterator<Item = &'a SpanRecord>,
    service_name: Option<&str>,
) -> (ExportTraceServiceRequest, Vec<OtlpError>) {
    let mut spans = Vec::new();
    let mut errors = Vec::new();
    for record in records {
        match span_to_otlp(record) {
            Ok(span) => spans.push(span),
            Err(e) => errors.push(e),
        }
    }
    (request_from_spans(spans, service_name), errors)
}

/// Wraps already-mapped OTLP spans in an export request.
pub fn request_from_spans(
    spans: Vec<OtlpSpan>,
    service_name: Option<&str>,
) -> ExportTraceServiceRequest {
    let resource = service_name.map(|name| Resource {
        attributes: vec![kv("service.name", string_value(name))],
        ..Resource::default()
    });
    ExportTraceServiceRequest {
        resource_spans: vec![ResourceSpans {
            resource,
            scope_spans: vec![ScopeSpans {
                scope: Some(InstrumentationScope {
                    name: SCOPE_NAME.to_owned(),
                    version: env!("CARGO_PKG_VERSION").to_owned(),
                    ..InstrumentationScope::default()
                }),
                spans,
                schema_url: String::new(),
            }],
            schema_url: String::new(),
        }],
    }
}

/// Maps a record to an OTLP span (see the module doc for the attributes).
pub fn span_to_otlp(record: &SpanRecord) -> Result<OtlpSpan, OtlpError> {
    let bad = |field: &'static str, value: &str| OtlpError::BadRecordId {
        span: record.name().to_owned(),
        field,
        value: value.to_owned(),
    };
    let hex_id = |field: &'static str, value: &str, len: usize| {
        let lower = value.to_ascii_lowercase();
        if is_lower_hex(&lower, len) && lower.bytes().any(|b| b != b'0') {
            Ok(hex::decode(lower).expect("checked hex"))
        } else {
            Err(bad(field, value))
        }
    };
    let trace_id = hex_id("root_span_id", &record.root_span_id, 32)?;
    let span_id = hex_id("span_id", &record.span_id, 16)?;
    let parent_span_id = match record.parent_span_id() {
        Some(parent) => hex_id("span_parents[0]", parent, 16)?,
        None => Vec::new(),
    };

    let mut attributes = Vec::new();
    let json_attr = |key: &str, v: &Value| kv(key, string_value(&v.to_string()));
    let span_attributes =
        serde_json::to_value(&record.span_attributes).expect("span attributes serialize");
    attributes.push(json_attr("braintrust.span_attributes", &span_attributes));
    for (key, value) in [
        ("braintrust.input_json", &record.input),
        ("braintrust.output_json", &record.output),
        ("braintrust.expected_json", &record.expected),
    ] {
        if let Some(v) = value {
            attributes.push(json_attr(key, v));
        }
    }
    if !record.metadata.is_empty() {
        attributes.push(json_attr(
            "braintrust.metadata",
            &Value::Object(record.metadata.clone()),
        ));
    }
    if !record.scores.is_empty() {
        let scores = serde_json::to_value(&record.scores).expect("scores serialize");
        attributes.push(json_attr("braintrust.scores", &scores));
    }
    let metrics = serde_json::to_value(&record.metrics).expect("metrics serialize");
    attributes.push(json_attr("braintrust.metrics", &metrics));
    if !record.tags.is_empty() {
        let tags = record
            .tags
            .iter()
            .map(|t| AnyValue {
                value: Some(string_value(t)),
            })
            .collect();
        attributes.push(kv(
            "braintrust.tags",
            any_value::Value::ArrayValue(ArrayValue { values: tags }),
        ));
    }
    if let Some(project) = &record.project {
        attributes.push(kv(
            "braintrust.parent",
            string_value(&format!("project_name:{project}")),
        ));
    }
    if let Some(tokens) = record.metrics.prompt_tokens {
        attributes.push(kv("gen_ai.usage.input_tokens", int_value(tokens)));
    }
    if let Some(tokens) = record.metrics.completion_tokens {
        attributes.push(kv("gen_ai.usage.output_tokens", int_value(tokens)));
    }
    if let Some(model) = record.metadata.get("model").and_then(Value::as_str) {
        attributes.push(kv("gen_ai.request.model", string_value(model)));
    }
    if record.span_type() == Some(SpanType::Llm) {
        attributes.push(kv("gen_ai.operation.name", string_value("chat")));
    }

    let status = match record.error.as_ref().filter(|e| !e.is_null()) {
        Some(error) => {
            let message = match error {
                Value::String(s) => s.clone(),
                other => {
                    // A structured error survives the trip whole; the status
                    // message alone would flatten it to text.
                    attributes.push(json_attr("braintrust.error_json", other));
                    other.to_string()
                }
            };
            Some(Status {
                message,
                code: StatusCode::Error as i32,
            })
        }
        None => None,
    };

    let start = record.metrics.start.map(secs_to_nanos).unwrap_or(0);
    let end = record.metrics.end.map(secs_to_nanos).unwrap_or(start);
    let events = record
        .events
        .iter()
        .map(|e| Event {
            time_unix_nano: secs_to_nanos(e.time),
            name: e.name.clone(),
            attributes: e
                .attributes
                .iter()
                .map(|(k, v)| KeyValue {
                    key: k.clone(),
                    value: Some(json_to_any(v)),
                })
                .collect(),
            dropped_attributes_count: 0,
        })
        .collect();

    Ok(OtlpSpan {
        trace_id,
        span_id,
        trace_state: String::new(),
        parent_span_id,
        flags: 1,
        name: record.name().to_owned(),
        kind: SpanKind::Internal as i32,
        start_time_unix_nano: start,
        end_time_unix_nano: end,
        attributes,
        dropped_attributes_count: 0,
        events,
        dropped_events_count: 0,
        links: Vec::new(),
        dropped_links_count: 0,
        status,
    })
}

/// The spans of an export request as records, and those that could not be
/// mapped.
#[derive(Debug, Default)]
pub struct Ingested {
    /// The spans that mapped, in request order.
    pub records: Vec<SpanRecord>,
    /// Why each of the others did not.
    pub rejected: Vec<OtlpError>,
}

/// Maps every span of an export request to a record. A span with invalid
/// ids is rejected on its own; the rest of the request still counts.
pub fn records_from_request(request: &ExportTraceServiceRequest) -> Ingested {
    let mut out = Ingested::default();
    for resource_spans in &request.resource_spans {
        let service = resource_spans.resource.as_ref().and_then(|r| {
            r.attributes
                .iter()
                .find(|a| a.key == "service.name")
                .and_then(|a| a.value.as_ref())
                .map(any_to_json)
        });
        for scope in &resource_spans.scope_spans {
            for span in &scope.spans {
                match record_from_otlp(span) {
                    Ok(mut record) => {
                        if let Some(service) = &service {
                            record
                                .metadata
                                .entry("service.name")
                                .or_insert_with(|| service.clone());
                        }
                        out.records.push(record);
                    }
                    Err(e) => out.rejected.push(e),
                }
            }
        }
    }
    out
}

/// Maps one OTLP span to a record (see the module doc). Resource attributes
/// are applied by [`records_from_request`].
pub fn record_from_otlp(span: &OtlpSpan) -> Result<SpanRecord, OtlpError> {
    let name_for_errors = || span.name.clone();
    let trace_id: [u8; 16] = span
        .trace_id
        .as_slice()
        .try_into()
        .ok()
        .filter(|id| *id != [0; 16])
        .ok_or_else(|| OtlpError::BadTraceId {
            span: name_for_errors(),
            len: span.trace_id.len(),
        })?;
    let span_id: [u8; 8] = span
        .span_id
        .as_slice()
        .try_into()
        .ok()
        .filter(|id| *id != [0; 8])
        .ok_or_else(|| OtlpError::BadSpanId {
            span: name_for_errors(),
            len: span.span_id.len(),
        })?;
    let parent = match span.parent_span_id.len() {
        0 => None,
        // Some SDKs write an all-zero parent for a root.
        8 if span.parent_span_id.iter().all(|b| *b == 0) => None,
        8 => Some(hex::encode(&span.parent_span_id)),
        len => {
            return Err(OtlpError::BadParentId {
                span: name_for_errors(),
                len,
            })
        }
    };

    let mut fields = AttributeFields::default();
    for attribute in &span.attributes {
        let value = attribute
            .value
            .as_ref()
            .map(any_to_json)
            .unwrap_or(Value::Null);
        fields.take(&attribute.key, value);
    }

    let mut metadata = fields.other;
    if let Some(bt_metadata) = fields.bt_metadata {
        merge_objects(&mut metadata, bt_metadata);
    }
    if !metadata.contains_key("model") {
        if let Some(model) = fields.request_model.or(fields.response_model) {
            metadata.insert("model".into(), model);
        }
    }

    let mut metrics = fields.metrics.unwrap_or_default();
    let start = nanos_to_secs(span.start_time_unix_nano);
    if span.start_time_unix_nano > 0 {
        metrics.start = Some(start);
    }
    if span.end_time_unix_nano > 0 {
        metrics.end = Some(nanos_to_secs(span.end_time_unix_nano));
    }
    metrics.prompt_tokens = metrics.prompt_tokens.or(fields.input_tokens);
    metrics.completion_tokens = metrics.completion_tokens.or(fields.output_tokens);
    metrics.tokens = metrics.tokens.or(fields.total_tokens).or_else(|| {
        match (metrics.prompt_tokens, metrics.completion_tokens) {
            (None, None) => None,
            (p, c) => Some(p.unwrap_or(0) + c.unwrap_or(0)),
        }
    });

    let mut span_attributes = fields.span_attributes.unwrap_or(SpanAttributes {
        name: String::new(),
        span_type: None,
        extra: Map::new(),
    });
    if !span.name.is_empty() {
        span_attributes.name = span.name.clone();
    }
    if span_attributes.name.is_empty() {
        span_attributes.name = "(unnamed)".to_owned();
    }
    if span_attributes.span_type.is_none() && fields.looks_like_llm {
        span_attributes.span_type = Some(SpanType::Llm);
    }

    let error = match span.status.as_ref() {
        Some(status) if status.code == StatusCode::Error as i32 => Some(
            fields
                .error_json
                .unwrap_or_else(|| Value::String(error_message(status, &span.events))),
        ),
        _ => None,
    };

    let events = span
        .events
        .iter()
        .map(|e| SpanEvent {
            time: nanos_to_secs(e.time_unix_nano),
            name: e.name.clone(),
            attributes: e
                .attributes
                .iter()
                .map(|a| {
                    let v = a.value.as_ref().map(any_to_json).unwrap_or(Value::Null);
                    (a.key.clone(), v)
                })
                .collect(),
        })
        .collect();

    let span_id = hex::encode(span_id);
    Ok(SpanRecord {
        id: span_id.clone(),
        span_id,
        root_span_id: hex::encode(trace_id),
        span_parents: parent.into_iter().collect(),
        created: rfc3339(if span.start_time_unix_nano > 0 {
            start
        } else {
            crate::span::now_unix_secs()
        }),
        input: fields.input.or(fields.gen_ai_input),
        output: fields.output.or(fields.gen_ai_output),
        expected: fields.expected,
        error,
        metadata,
        scores: fields.scores,
        metrics,
        span_attributes,
        tags: fields.tags,
        events,
        project: fields.project,
    })
}

/// The status message, or for an SDK that records exceptions as events
/// instead, the exception's message.
fn error_message(status: &Status, events: &[Event]) -> String {
    if !status.message.is_empty() {
        return status.message.clone();
    }
    events
        .iter()
        .filter(|e| e.name == "exception")
        .flat_map(|e| &e.attributes)
        .find(|a| a.key == "exception.message")
        .and_then(|a| a.value.as_ref())
        .map(|v| match any_to_json(v) {
            Value::String(s) => s,
            other => other.to_string(),
        })
        .unwrap_or_else(|| "error".to_owned())
}

/// The record fields gathered from one span's attributes.
#[derive(Default)]
struct AttributeFields {
    input: Option<Value>,
    output: Option<Value>,
    expected: Option<Value>,
    gen_ai_input: Option<Value>,
    gen_ai_output: Option<Value>,
    bt_metadata: Option<Map<String, Value>>,
    scores: BTreeMap<String, f64>,
    metrics: Option<Metrics>,
    span_attributes: Option<SpanAttributes>,
    tags: Vec<String>,
    project: Option<String>,
    error_json: Option<Value>,
    input_tokens: Option<u64>,
    output_tokens: Option<u64>,
    total_tokens: Option<u64>,
    request_model: Option<Value>,
    response_model: Option<Value>,
    looks_like_llm: bool,
    other: Map<String, Value>,
}

impl AttributeFields {
    fn take(&mut self, key: &str, value: Value) {
        match key {
            "braintrust.input_json" | "braintrust.input" => self.input = Some(parsed(value)),
            "braintrust.output_json" | "braintrust.output" => self.output = Some(parsed(value)),
            "braintrust.expected_json" | "braintrust.expected" => {
                self.expected = Some(parsed(value));
            }
            "braintrust.metadata" => match parsed(value) {
                Value::Object(m) => self.bt_metadata = Some(m),
                other => {
                    self.other.insert(key.to_owned(), other);
                }
            },
            "braintrust.scores" => {
                if let Value::Object(m) = parsed(value) {
                    self.scores = m
                        .into_iter()
                        .filter_map(|(k, v)| v.as_f64().map(|f| (k, f)))
                        .collect();
                }
            }
            "braintrust.metrics" => {
                self.metrics = serde_json::from_value(parsed(value)).ok();
            }
            "braintrust.span_attributes" => {
                self.span_attributes = match parsed(value) {
                    Value::Object(mut m) => {
                        m.entry("name")
                            .or_insert_with(|| Value::String(String::new()));
                        serde_json::from_value(Value::Object(m)).ok()
                    }
                    _ => None,
                };
            }
            "braintrust.tags" => {
                if let Value::Array(items) = parsed(value) {
                    self.tags = items
                        .into_iter()
                        .filter_map(|t| t.as_str().map(str::to_owned))
                        .collect();
                }
            }
            "braintrust.parent" => {
                let text = value.as_str().unwrap_or_default();
                match text
                    .strip_prefix("project_name:")
                    .or_else(|| text.strip_prefix("project_id:"))
                {
                    Some(project) if !project.is_empty() => self.project = Some(project.to_owned()),
                    _ => {
                        self.other.insert(key.to_owned(), value);
                    }
                }
            }
            "braintrust.error_json" => self.error_json = Some(parsed(value)),
            "gen_ai.usage.input_tokens" | "gen_ai.usage.prompt_tokens" => {
                self.input_tokens = json_count(&value);
                self.looks_like_llm = true;
            }
            "gen_ai.usage.output_tokens" | "gen_ai.usage.completion_tokens" => {
                self.output_tokens = json_count(&value);
                self.looks_like_llm = true;
            }
            "gen_ai.usage.total_tokens" => {
                self.total_tokens = json_count(&value);
                self.looks_like_llm = true;
            }
            "gen_ai.request.model" => {
                self.request_model = Some(value);
                self.looks_like_llm = true;
            }
            "gen_ai.response.model" => {
                self.response_model = Some(value);
                self.looks_like_llm = true;
            }
            "gen_ai.operation.name" => self.looks_like_llm = true,
            "gen_ai.prompt" | "gen_ai.input.messages" => self.gen_ai_input = Some(parsed(value)),
            "gen_ai.completion" | "gen_ai.output.messages" => {
                self.gen_ai_output = Some(parsed(value));
            }
            other => {
                self.other.insert(other.to_owned(), value);
            }
        }
    }
}

/// A `*_json` attribute is JSON text; a producer that sent plain text (or a
/// structured OTLP value) keeps what it sent.
fn parsed(value: Value) -> Value {
    match value {
        Value::String(s) => serde_json::from_str(&s).unwrap_or(Value::String(s)),
        other => other,
    }
}

/// An OTLP attribute value as JSON.
pub fn any_to_json(value: &AnyValue) -> Value {
    match &value.value {
        None => Value::Null,
        Some(any_value::Value::StringValue(s)) => Value::String(s.clone()),
        Some(any_value::Value::BoolValue(b)) => Value::Bool(*b),
        Some(any_value::Value::IntValue(i)) => Value::from(*i),
        Some(any_value::Value::DoubleValue(d)) => {
            serde_json::Number::from_f64(*d).map_or(Value::Null, Value::Number)
        }
        Some(any_value::Value::ArrayValue(a)) => {
            Value::Array(a.values.iter().map(any_to_json).collect())
        }
        Some(any_value::Value::KvlistValue(kvs)) => Value::Object(
            kvs.values
                .iter()
                .map(|kv| {
                    let v = kv.value.as_ref().map(any_to_json).unwrap_or(Value::Null);
                    (kv.key.clone(), v)
                })
                .collect(),
        ),
        Some(any_value::Value::BytesValue(b)) => Value::String(STANDARD.encode(b)),
    }
}

/// JSON as an OTLP attribute value.
pub fn json_to_any(value: &Value) -> AnyValue {
    let v = match value {
        Value::Null => None,
        Value::Bool(b) => Some(any_value::Value::BoolValue(*b)),
        Value::Number(n) => Some(match n.as_i64() {
            Some(i) => any_value::Value::IntValue(i),
            None => any_value::Value::DoubleValue(n.as_f64().unwrap_or(0.0)),
        }),
        Value::String(s) => Some(any_value::Value::StringValue(s.clone())),
        Value::Array(items) => Some(any_value::Value::ArrayValue(ArrayValue {
            values: items.iter().map(json_to_any).collect(),
        })),
        Value::Object(m) => Some(any_value::Value::KvlistValue(KeyValueList {
            values: m
                .iter()
                .map(|(k, v)| KeyValue {
                    key: k.clone(),
                    value: Some(json_to_any(v)),
                })
                .collect(),
        })),
    };
    AnyValue { value: v }
}

fn kv(key: &str, value: any_value::Value) -> KeyValue {
    KeyValue {
        key: key.to_owned(),
        value: Some(AnyValue { value: Some(value) }),
    }
}

fn string_value(s: &str) -> any_value::Value {
    any_value::Value::StringValue(s.to_owned())
}

fn int_value(n: u64) -> any_value::Value {
    any_value::Value::IntValue(i64::try_from(n).unwrap_or(i64::MAX))
}

/// Unix seconds to nanoseconds, splitting whole and fractional seconds so the
/// fraction keeps its precision.
fn secs_to_nanos(secs: f64) -> u64 {
    if !secs.is_finite() || secs <= 0.0 {
        return 0;
    }
    let whole = secs.trunc();
    let frac = ((secs - whole) * 1e9).round() as u64;
    (whole as u64)
        .saturating_mul(1_000_000_000)
        .saturating_add(frac)
}

fn nanos_to_secs(nanos: u64) -> f64 {
    (nanos / 1_000_000_000) as f64 + (nanos % 1_000_000_000) as f64 / 1e9
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::span::Span;
    use serde_json::json;

    fn sample_record() -> SpanRecord {
        let root = Span::root("server_process_turn", SpanType::Task).with_project("clinic");
        let mut llm = root.child("claude_messages_create", SpanType::Llm);
        llm.log_input(json!([{"role": "user", "content": "hi"}]));
        llm.log_output(json!({"content": [{"type": "text", "text": "hello"}]}));
        llm.log_expected(json!("hello"));
        llm.log_metadata(
            json!({"model": "offline", "nested": {"a": [1, 2]}})
                .as_object()
                .unwrap()
                .clone(),
        );
        llm.log_score("helpful", 0.75);
        llm.add_usage(120, 30);
        llm.log_metrics([("time_to_first_token", 0.25)]);
        llm.add_tag("prod");
        llm.add_event_with("retry", json!({"attempt": 2}).as_object().unwrap().clone());
        llm.set_error(json!({"kind": "upstream", "status": 529}));
        let mut rec = llm.end();
        // Whole microseconds, so the RFC 3339 text survives the nanosecond trip.
        rec.metrics.start = Some(1_700_000_000.25);
        rec.metrics.end = Some(1_700_000_001.5);
        rec.created = rfc3339(1_700_000_000.25);
        rec.events[0].time = 1_700_000_000.75;
        rec
    }

    #[test]
    fn record_round_trips_through_otlp() {
        let rec = sample_record();
        let otlp = span_to_otlp(&rec).unwrap();
        assert_eq!(otlp.name, "claude_messages_create");
        assert_eq!(otlp.trace_id, hex::decode(&rec.root_span_id).unwrap());
        assert_eq!(
            otlp.parent_span_id,
            hex::decode(&rec.span_parents[0]).unwrap()
        );
        assert_eq!(otlp.status.as_ref().unwrap().code, StatusCode::Error as i32);
        let attr = |k: &str| {
            otlp.attributes
                .iter()
                .find(|a| a.key == k)
                .and_then(|a| a.value.as_ref())
                .map(any_to_json)
        };
        assert_eq!(attr("gen_ai.usage.input_tokens"), Some(json!(120)));
        assert_eq!(attr("gen_ai.usage.output_tokens"), Some(json!(30)));
        assert_eq!(attr("gen_ai.request.model"), Some(json!("offline")));
        assert_eq!(attr("gen_ai.operation.name"), Some(json!("chat")));
        assert_eq!(
            attr("braintrust.parent"),
            Some(json!("project_name:clinic"))
        );
        assert_eq!(
            attr("braintrust.scores"),
            Some(json!(r#"{"helpful":0.75}"#))
        );

        // Through the protobuf encoding as well, as the exporter sends it.
        let (request, errors) = export_request([&rec], None);
        assert!(errors.is_empty());
        let bytes = encode_request(&request, OtlpEncoding::Protobuf);
        let decoded = decode_request(&bytes, OtlpEncoding::Protobuf).unwrap();
        let ingested = records_from_request(&decoded);
        assert!(ingested.rejected.is_empty());
        assert_eq!(ingested.records, vec![rec]);
    }

    #[test]
    fn json_encoding_round_trips_too() {
        let rec = sample_record();
        let (request, _) = export_request([&rec], Some("trellis-server"));
        let body = encode_request(&request, OtlpEncoding::Json);
        let text = String::from_utf8(body.clone()).unwrap();
        assert!(
            text.contains(&rec.span_id),
            "ids are hex in OTLP/JSON: {text}"
        );
        let ingested = records_from_request(&decode_request(&body, OtlpEncoding::Json).unwrap());
        let back = &ingested.records[0];
        assert_eq!(back.metadata["service.name"], "trellis-server");
        let mut back = back.clone();
        back.metadata.remove("service.name");
        assert_eq!(back, rec);
    }

    /// A body as the OTLP/JSON exporters write it: hex ids, 64-bit integers
    /// as strings (and, from some senders, numbers), enum values as numbers.
    const SDK_JSON_BODY: &str = r#"{
      "resourceSpans": [{
        "resource": {"attributes": [
          {"key": "service.name", "value": {"stringValue": "py-agent"}},
          {"key": "telemetry.sdk.language", "value": {"stringValue": "python"}}
        ]},
        "scopeSpans": [{
          "scope": {"name": "opentelemetry.instrumentation.anthropic", "version": "0.1"},
          "spans": [
            {
              "traceId": "5b8efff798038103d269b633813fc60c",
              "spanId": "eee19b7ec3c1b174",
              "parentSpanId": "eee19b7ec3c1b173",
              "name": "anthropic.chat",
              "kind": 3,
              "startTimeUnixNano": "1544712660000000000",
              "endTimeUnixNano": 1544712661000000000,
              "attributes": [
                {"key": "gen_ai.system", "value": {"stringValue": "anthropic"}},
                {"key": "gen_ai.request.model", "value": {"stringValue": "claude-sonnet-4-5"}},
                {"key": "gen_ai.response.model", "value": {"stringValue": "claude-sonnet-4-5-20250929"}},
                {"key": "gen_ai.usage.input_tokens", "value": {"intValue": "42"}},
                {"key": "gen_ai.usage.output_tokens", "value": {"intValue": 7}},
                {"key": "gen_ai.prompt", "value": {"stringValue": "[{\"role\":\"user\",\"content\":\"hi\"}]"}},
                {"key": "gen_ai.completion", "value": {"stringValue": "[{\"role\":\"assistant\",\"content\":\"hello\"}]"}},
                {"key": "http.status_code", "value": {"intValue": "200"}},
                {"key": "retry", "value": {"boolValue": false}},
                {"key": "weights", "value": {"arrayValue": {"values": [{"doubleValue": 0.5}, {"intValue": "2"}]}}},
                {"key": "empty", "value": {}},
                {"key": "config", "value": {"kvlistValue": {"values": [{"key": "temperature", "value": {"doubleValue": 0.2}}]}}}
              ],
              "events": [{"timeUnixNano": "1544712660500000000", "name": "exception",
                          "attributes": [{"key": "exception.message", "value": {"stringValue": "overloaded"}}]}],
              "status": {"code": 2}
            },
            {
              "trace_id": "5b8efff798038103d269b633813fc60c",
              "span_id": "eee19b7ec3c1b173",
              "parent_span_id": "",
              "name": "agent.run",
              "kind": "SPAN_KIND_SERVER",
              "start_time_unix_nano": "1544712659000000000",
              "end_time_unix_nano": "1544712662000000000",
              "status": {},
              "attributes": [
                {"key": "braintrust.span_attributes", "value": {"stringValue": "{\"type\":\"tool\"}"}},
                {"key": "braintrust.output_json", "value": {"stringValue": "not json"}}
              ]
            }
          ]
        }]
      }]
    }"#;

    #[test]
    fn sdk_json_body_ingests() {
        let request = decode_request(SDK_JSON_BODY.as_bytes(), OtlpEncoding::Json).unwrap();
        let ingested = records_from_request(&request);
        assert!(ingested.rejected.is_empty(), "{:?}", ingested.rejected);
        let [llm, root] = &ingested.records[..] else {
            panic!("expected two spans");
        };
        assert_eq!(llm.root_span_id, "5b8efff798038103d269b633813fc60c");
        assert_eq!(llm.span_id, "eee19b7ec3c1b174");
        assert_eq!(llm.span_parents, vec!["eee19b7ec3c1b173"]);
        assert_eq!(llm.span_type(), Some(SpanType::Llm));
        assert_eq!(llm.metrics.prompt_tokens, Some(42));
        assert_eq!(llm.metrics.completion_tokens, Some(7));
        assert_eq!(llm.metrics.tokens, Some(49));
        assert_eq!(llm.metrics.start, Some(1_544_712_660.0));
        assert_eq!(llm.metrics.end, Some(1_544_712_661.0));
        assert_eq!(llm.created, "2018-12-13T14:51:00.000000Z");
        assert_eq!(llm.metadata["model"], "claude-sonnet-4-5");
        assert_eq!(llm.metadata["gen_ai.system"], "anthropic");
        assert_eq!(llm.metadata["http.status_code"], 200);
        assert_eq!(llm.metadata["weights"], json!([0.5, 2]));
        assert_eq!(llm.metadata["service.name"], "py-agent");
        assert!(!llm.metadata.contains_key("telemetry.sdk.language"));
        assert_eq!(llm.input, Some(json!([{"role": "user", "content": "hi"}])));
        assert_eq!(
            llm.output,
            Some(json!([{"role": "assistant", "content": "hello"}]))
        );
        assert_eq!(llm.error, Some(json!("overloaded")));
        assert_eq!(llm.events[0].name, "exception");
        assert_eq!(llm.project, None);

        assert_eq!(llm.metadata["empty"], Value::Null);
        assert_eq!(llm.metadata["config"], json!({"temperature": 0.2}));

        assert!(root.span_parents.is_empty());
        assert_eq!(root.span_type(), Some(SpanType::Tool));
        assert_eq!(root.output, Some(json!("not json")));
        assert_eq!(root.name(), "agent.run");
        assert!(!root.is_error());
    }

    #[test]
    fn invalid_ids_reject_only_that_span() {
        let mut bad = span_to_otlp(&sample_record()).unwrap();
        bad.trace_id = vec![0; 16];
        let good = span_to_otlp(&sample_record()).unwrap();
        let request = request_from_spans(vec![bad, good], None);
        let ingested = records_from_request(&request);
        assert_eq!(ingested.records.len(), 1);
        assert_eq!(ingested.rejected.len(), 1);
        assert!(ingested.rejected[0].to_string().contains("trace id"));
    }

    #[test]
    fn undecodable_bodies_say_why() {
        let err = decode_request(b"{not json", OtlpEncoding::Json).unwrap_err();
        assert!(
            err.to_string().starts_with("invalid OTLP/JSON body"),
            "{err}"
        );
        let err = decode_request(
            br#"{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"xyz"}]}]}]}"#,
            OtlpEncoding::Json,
        )
        .unwrap_err();
        assert!(err.to_string().contains("OTLP/JSON"), "{err}");
        let err = decode_request(&[0xff, 0xff, 0xff], OtlpEncoding::Protobuf).unwrap_err();
        assert!(
            err.to_string().starts_with("invalid OTLP protobuf body"),
            "{err}"
        );
    }

    #[test]
    fn record_with_non_hex_ids_is_refused() {
        let mut rec = sample_record();
        rec.span_id = "not-a-span".into();
        let err = span_to_otlp(&rec).unwrap_err();
        assert!(err.to_string().contains("not-a-span"), "{err}");
    }

    #[test]
    fn content_types_are_recognised() {
        assert_eq!(
            OtlpEncoding::from_content_type("application/json; charset=utf-8"),
            Some(OtlpEncoding::Json)
        );
        assert_eq!(
            OtlpEncoding::from_content_type("Application/X-Protobuf"),
            Some(OtlpEncoding::Protobuf)
        );
        assert_eq!(OtlpEncoding::from_content_type("text/plain"), None);
    }
}
