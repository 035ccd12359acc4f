//! The Braintrust span-export slug carried in `x-bt-parent-span`: what
//! `span.export()` returns in the Braintrust SDKs (`SpanComponentsV3` and
//! `SpanComponentsV4`), so a Braintrust SDK on either side of a hop can link
//! its spans with ours.
//!
//! Byte layout (the whole thing is standard base64, with padding):
//!
//! ```text
//! byte 0      encoding version: 4 (written and read) or 3 (read)
//! byte 1      object type: 1 experiment, 2 project_logs, 3 playground_logs
//! byte 2      N, the number of binary id entries that follow
//! N entries   1 field byte, then the id's raw bytes:
//!               v4: 3 span_id → 8 bytes, 4 root_span_id → 16 bytes,
//!                   1 object_id / 2 row_id → 16 bytes (never written)
//!               v3: every field (1 object_id, 2 row_id, 3 span_id,
//!                   4 root_span_id) → 16 bytes, a UUID
//! rest        optional compact JSON object holding every field that was
//!             not written in binary: `compute_object_metadata_args`,
//!             `propagated_event`, `object_id`, `row_id`, and ids that were
//!             not hex (v4) or not UUIDs (v3)
//! ```
//!
//! A v4 writer stores `span_id` in binary only when it is 16 hex digits and
//! `root_span_id` only when it is 32 hex digits, which is always the case for
//! Trellis's OTel ids. Trellis writes `project_logs` with
//! `compute_object_metadata_args: {"project_name": <project>}` and
//! `row_id` = the span id, so the slug for span `0123456789abcdef` in trace
//! `4bf9…4736` of project `trellis-demo` is 3 header bytes, two binary ids and
//! `{"compute_object_metadata_args":{"project_name":"trellis-demo"},"row_id":"0123456789abcdef"}`.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde_json::{Map, Value};

/// The encoding version this module writes.
pub const SLUG_VERSION: u8 = 4;

const FIELD_OBJECT_ID: u8 = 1;
const FIELD_ROW_ID: u8 = 2;
const FIELD_SPAN_ID: u8 = 3;
const FIELD_ROOT_SPAN_ID: u8 = 4;

/// The kind of Braintrust object a slug's spans are logged to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ObjectType {
    /// An experiment's rows.
    Experiment = 1,
    /// A project's logs (what Trellis writes).
    ProjectLogs = 2,
    /// A playground session's logs.
    PlaygroundLogs = 3,
}

impl ObjectType {
    fn from_byte(b: u8) -> Result<Self, SlugError> {
        match b {
            1 => Ok(ObjectType::Experiment),
            2 => Ok(ObjectType::ProjectLogs),
            3 => Ok(ObjectType::PlaygroundLogs),
            other => Err(SlugError::UnknownObjectType(other)),
        }
    }

    /// The Braintrust name: `experiment`, `project_logs`, `playground_logs`.
    pub fn as_str(self) -> &'static str {
        match self {
            ObjectType::Experiment => "experiment",
            ObjectType::ProjectLogs => "project_logs",
            ObjectType::PlaygroundLogs => "playground_logs",
        }
    }
}

/// Why a slug could not be read.
#[derive(Debug, thiserror::Error)]
pub enum SlugError {
    /// The header is present but empty.
    #[error("x-bt-parent-span slug is empty")]
    Empty,
    /// Not standard base64.
    #[error("x-bt-parent-span slug is not valid base64: {0}")]
    Base64(#[from] base64::DecodeError),
    /// An encoding version other than 3 or 4.
    #[error("x-bt-parent-span slug has encoding version {0}; this build reads versions 3 and 4")]
    UnsupportedVersion(u8),
    /// An object type byte other than 1, 2 or 3.
    #[error("x-bt-parent-span slug names unknown object type {0} (1 experiment, 2 project_logs, 3 playground_logs)")]
    UnknownObjectType(u8),
    /// A binary id entry with an unknown field byte.
    #[error("x-bt-parent-span slug has unknown id field {0}")]
    UnknownField(u8),
    /// The bytes end before a field does.
    #[error("x-bt-parent-span slug is truncated: {what} needs {needed} bytes at offset {offset}, only {available} left")]
    Truncated {
        what: &'static str,
        needed: usize,
        offset: usize,
        available: usize,
    },
    /// The JSON tail does not parse as an object.
    #[error("x-bt-parent-span slug's JSON part is invalid: {0}")]
    Json(#[from] serde_json::Error),
    /// Fields the SDKs require together are missing or contradictory.
    #[error("x-bt-parent-span slug is inconsistent: {0}")]
    Inconsistent(&'static str),
}

/// The decoded contents of a slug (`SpanComponentsV3/V4` in the SDKs).
#[derive(Debug, Clone, PartialEq)]
pub struct SpanComponents {
    /// What kind of object the spans are logged to.
    pub object_type: ObjectType,
    /// The object's id (a project, experiment or playground UUID); exactly
    /// one of this and `compute_object_metadata_args` is set.
    pub object_id: Option<String>,
    /// Arguments from which the receiver resolves the object, such as
    /// `{"project_name": "trellis-demo"}`.
    pub compute_object_metadata_args: Option<Map<String, Value>>,
    /// The parent row's id; `row_id`, `span_id` and `root_span_id` are all
    /// set (a parent span) or all absent (just the object).
    pub row_id: Option<String>,
    /// The parent span's id (16 hex digits from OTel-mode SDKs and Trellis,
    /// a UUID from v3 SDKs).
    pub span_id: Option<String>,
    /// The trace id (32 hex digits, or a UUID from v3 SDKs).
    pub root_span_id: Option<String>,
    /// Fields the parent wants copied into every child row.
    pub propagated_event: Option<Map<String, Value>>,
}

impl SpanComponents {
    /// The components Trellis writes for a span of `project`'s logs.
    pub fn for_project_span(project: &str, span_id_hex: &str, trace_id_hex: &str) -> Self {
        let mut args = Map::new();
        args.insert("project_name".into(), Value::String(project.to_owned()));
        SpanComponents {
            object_type: ObjectType::ProjectLogs,
            object_id: None,
            compute_object_metadata_args: Some(args),
            row_id: Some(span_id_hex.to_owned()),
            span_id: Some(span_id_hex.to_owned()),
            root_span_id: Some(trace_id_hex.to_owned()),
            propagated_event: None,
        }
    }

    /// The project name, when the slug names its project by name.
    pub fn project_name(&self) -> Option<&str> {
        self.compute_object_metadata_args
            .as_ref()?
            .get("project_name")?
            .as_str()
    }

    /// Encodes as a version-4 slug (see the module doc for the layout).
    pub fn encode(&self) -> String {
        let mut json = Map::new();
        if let Some(args) = self.compute_object_metadata_args.as_ref() {
            json.insert(
                "compute_object_metadata_args".into(),
                Value::Object(args.clone()),
            );
        }
        if let Some(event) = self.propagated_event.as_ref().filter(|e| !e.is_empty()) {
            json.insert("propagated_event".into(), Value::Object(event.clone()));
        }
        let mut entries: Vec<u8> = Vec::new();
        let mut count: u8 = 0;
        // Like the SDKs, object and row ids always travel in the JSON part;
        // only OTel-shaped span and trace ids are packed.
        if let Some(object_id) = &self.object_id {
            json.insert("object_id".into(), Value::String(object_id.clone()));
        }
        if let Some(row_id) = &self.row_id {
            json.insert("row_id".into(), Value::String(row_id.clone()));
        }
        for (field, name, value, len) in [
            (FIELD_SPAN_ID, "span_id", &self.span_id, 8),
            (FIELD_ROOT_SPAN_ID, "root_span_id", &self.root_span_id, 16),
        ] {
            let Some(value) = value else { continue };
            match hex_bytes(value, len) {
                Some(bytes) => {
                    entries.push(field);
                    entries.extend_from_slice(&bytes);
                    count += 1;
                }
                None => {
                    json.insert(name.into(), Value::String(value.clone()));
                }
            }
        }
        let mut raw = vec![SLUG_VERSION, self.object_type as u8, count];
        raw.extend_from_slice(&entries);
        if !json.is_empty() {
            raw.extend_from_slice(Value::Object(json).to_string().as_bytes());
        }
        STANDARD.encode(raw)
    }

    /// Decodes a version-3 or version-4 slug.
    pub fn decode(slug: &str) -> Result<Self, SlugError> {
        let slug = slug.trim();
        if slug.is_empty() {
            return Err(SlugError::Empty);
        }
        let raw = STANDARD.decode(slug)?;
        let mut reader = Reader { raw: &raw, at: 0 };
        let version = reader.byte("version byte")?;
        if version != 3 && version != 4 {
            return Err(SlugError::UnsupportedVersion(version));
        }
        let object_type = ObjectType::from_byte(reader.byte("object type byte")?)?;
        let entries = reader.byte("id entry count")?;
        let mut fields: Map<String, Value> = Map::new();
        for _ in 0..entries {
            let field = reader.byte("id field byte")?;
            let (name, len) = match (version, field) {
                (4, FIELD_SPAN_ID) => ("span_id", 8),
                (4, FIELD_ROOT_SPAN_ID) => ("root_span_id", 16),
                (_, FIELD_OBJECT_ID) => ("object_id", 16),
                (_, FIELD_ROW_ID) => ("row_id", 16),
                (_, FIELD_SPAN_ID) => ("span_id", 16),
                (_, FIELD_ROOT_SPAN_ID) => ("root_span_id", 16),
                (_, other) => return Err(SlugError::UnknownField(other)),
            };
            let bytes = reader.take(name, len)?;
            let text = if version == 3 {
                uuid_string(bytes)
            } else {
                hex::encode(bytes)
            };
            fields.insert(name.into(), Value::String(text));
        }
        let rest = reader.rest();
        if !rest.is_empty() {
            let tail: Map<String, Value> = serde_json::from_slice(rest)?;
            fields.extend(tail);
        }
        let components = SpanComponents {
            object_type,
            object_id: string_field(&fields, "object_id")?,
            compute_object_metadata_args: object_field(&fields, "compute_object_metadata_args")?,
            row_id: string_field(&fields, "row_id")?,
            span_id: string_field(&fields, "span_id")?,
            root_span_id: string_field(&fields, "root_span_id")?,
            propagated_event: object_field(&fields, "propagated_event")?,
        };
        components.validate()?;
        Ok(components)
    }

    fn validate(&self) -> Result<(), SlugError> {
        match (&self.object_id, &self.compute_object_metadata_args) {
            (Some(_), Some(_)) => {
                return Err(SlugError::Inconsistent(
                    "both object_id and compute_object_metadata_args are set",
                ))
            }
            (None, None) => {
                return Err(SlugError::Inconsistent(
                    "neither object_id nor compute_object_metadata_args is set",
                ))
            }
            _ => {}
        }
        let ids = [&self.row_id, &self.span_id, &self.root_span_id];
        let present = ids.iter().filter(|id| id.is_some()).count();
        if present != 0 && present != 3 {
            return Err(SlugError::Inconsistent(
                "row_id, span_id and root_span_id must be all set or all absent",
            ));
        }
        Ok(())
    }
}

struct Reader<'a> {
    raw: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn byte(&mut self, what: &'static str) -> Result<u8, SlugError> {
        Ok(self.take(what, 1)?[0])
    }

    fn take(&mut self, what: &'static str, needed: usize) -> Result<&'a [u8], SlugError> {
        let available = self.raw.len() - self.at;
        if available < needed {
            return Err(SlugError::Truncated {
                what,
                needed,
                offset: self.at,
                available,
            });
        }
        let bytes = &self.raw[self.at..self.at + needed];
        self.at += needed;
        Ok(bytes)
    }

    fn rest(&self) -> &'a [u8] {
        &self.raw[self.at..]
    }
}

fn string_field(
    fields: &Map<String, Value>,
    name: &'static str,
) -> Result<Option<String>, SlugError> {
    match fields.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if s.is_empty() => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(SlugError::Inconsistent("an id field is not a string")),
    }
}

fn object_field(
    fields: &Map<String, Value>,
    name: &'static str,
) -> Result<Option<Map<String, Value>>, SlugError> {
    match fields.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Object(m)) => Ok(Some(m.clone())),
        Some(_) => Err(SlugError::Inconsistent(
            "compute_object_metadata_args or propagated_event is not an object",
        )),
    }
}

/// `len` bytes from `len * 2` hex digits (either case, as the SDKs accept).
fn hex_bytes(s: &str, len: usize) -> Option<Vec<u8>> {
    if s.len() != len * 2 {
        return None;
    }
    hex::decode(s).ok()
}

/// The canonical lowercase hyphenated form of a 16-byte UUID.
fn uuid_string(b: &[u8]) -> String {
    let h = hex::encode(b);
    format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const SPAN: &str = "0123456789abcdef";
    const TRACE: &str = "4bf92f3577b34da6a3ce929d0e0e4736";
    // Built byte by byte following the Python SDK's `SpanComponentsV4.to_str`.
    const SDK_V4: &str = "BAICAwEjRWeJq83vBEv5LzV3s02mo86SnQ4ORzZ7ImNvbXB1dGVfb2JqZWN0X21ldGFkYXRhX2FyZ3MiOnsicHJvamVjdF9uYW1lIjoidHJlbGxpcy1kZW1vIn0sInJvd19pZCI6IjAxMjM0NTY3ODlhYmNkZWYifQ==";
    // `SpanComponentsV3.to_str` of an experiment with UUID object, row, span
    // and root ids, all packed in binary.
    const SDK_V3_UUIDS: &str =
        "AwEEAStanhxfDkuOnz0aKzxNXm8CERERESIiQzOERFVVVVVVVQOqqqqqu7tMzI3d7u7u7u7uBAr3ZRkWzUPdhEjrIRyAMZw=";
    // `SpanComponentsV3.to_str` of project logs whose ids are not UUIDs, so
    // they all travel in the JSON part.
    const SDK_V3_JSON: &str = "AwIAeyJjb21wdXRlX29iamVjdF9tZXRhZGF0YV9hcmdzIjp7InByb2plY3RfbmFtZSI6InAifSwicm93X2lkIjoicjEiLCJzcGFuX2lkIjoiczEiLCJyb290X3NwYW5faWQiOiJ0MSJ9";

    #[test]
    fn encode_matches_the_sdk_and_round_trips() {
        let c = SpanComponents::for_project_span("trellis-demo", SPAN, TRACE);
        let slug = c.encode();
        assert_eq!(slug, SDK_V4);
        let back = SpanComponents::decode(&slug).unwrap();
        assert_eq!(back, c);
        assert_eq!(back.project_name(), Some("trellis-demo"));
        let raw = STANDARD.decode(&slug).unwrap();
        assert_eq!(&raw[..3], &[4, 2, 2]);
        assert_eq!(raw[3], FIELD_SPAN_ID);
        assert_eq!(&raw[4..12], &hex::decode(SPAN).unwrap()[..]);
        assert_eq!(raw[12], FIELD_ROOT_SPAN_ID);
        assert_eq!(&raw[13..29], &hex::decode(TRACE).unwrap()[..]);
    }

    #[test]
    fn non_hex_ids_and_propagated_event_round_trip_through_json() {
        let mut event = Map::new();
        event.insert("metadata".into(), serde_json::json!({"k": "v"}));
        let c = SpanComponents {
            object_type: ObjectType::Experiment,
            object_id: Some("2b5a9e1c-5f0e-4b8e-9f3d-1a2b3c4d5e6f".into()),
            compute_object_metadata_args: None,
            row_id: Some("row-1".into()),
            span_id: Some("not-hex".into()),
            root_span_id: Some(TRACE.into()),
            propagated_event: Some(event),
        };
        assert_eq!(SpanComponents::decode(&c.encode()).unwrap(), c);
    }

    #[test]
    fn bad_base64_is_rejected() {
        let err = SpanComponents::decode("invalid-base64!").unwrap_err();
        assert!(matches!(err, SlugError::Base64(_)), "{err}");
        assert!(err.to_string().contains("not valid base64"));
    }

    #[test]
    fn truncated_slug_names_what_is_missing() {
        let raw = STANDARD.decode(SDK_V4).unwrap();
        // Cut inside the root span id entry.
        let cut = STANDARD.encode(&raw[..20]);
        let err = SpanComponents::decode(&cut).unwrap_err();
        match err {
            SlugError::Truncated {
                what,
                needed,
                available,
                ..
            } => {
                assert_eq!(what, "root_span_id");
                assert_eq!(needed, 16);
                assert_eq!(available, 7);
            }
            other => panic!("expected truncation, got {other}"),
        }
        let err = SpanComponents::decode(&STANDARD.encode([4u8])).unwrap_err();
        assert!(err.to_string().contains("object type byte"), "{err}");
        assert!(matches!(
            SpanComponents::decode("  "),
            Err(SlugError::Empty)
        ));
    }

    #[test]
    fn unknown_version_is_named() {
        let mut raw = STANDARD.decode(SDK_V4).unwrap();
        raw[0] = 9;
        let err = SpanComponents::decode(&STANDARD.encode(raw)).unwrap_err();
        assert!(matches!(err, SlugError::UnsupportedVersion(9)));
        assert!(err.to_string().contains("version 9"), "{err}");
    }

    #[test]
    fn unknown_object_type_and_field_are_rejected() {
        let mut raw = STANDARD.decode(SDK_V4).unwrap();
        raw[1] = 7;
        let err = SpanComponents::decode(&STANDARD.encode(&raw)).unwrap_err();
        assert!(matches!(err, SlugError::UnknownObjectType(7)));
        let mut raw = STANDARD.decode(SDK_V4).unwrap();
        raw[3] = 9;
        let err = SpanComponents::decode(&STANDARD.encode(&raw)).unwrap_err();
        assert!(matches!(err, SlugError::UnknownField(9)));
    }

    #[test]
    fn v3_uuid_slug_decodes() {
        let c = SpanComponents::decode(SDK_V3_UUIDS).unwrap();
        assert_eq!(c.object_type, ObjectType::Experiment);
        assert_eq!(
            c.object_id.as_deref(),
            Some("2b5a9e1c-5f0e-4b8e-9f3d-1a2b3c4d5e6f")
        );
        assert_eq!(
            c.row_id.as_deref(),
            Some("11111111-2222-4333-8444-555555555555")
        );
        assert_eq!(
            c.span_id.as_deref(),
            Some("aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee")
        );
        assert_eq!(
            c.root_span_id.as_deref(),
            Some("0af76519-16cd-43dd-8448-eb211c80319c")
        );
    }

    #[test]
    fn v3_json_slug_decodes() {
        let c = SpanComponents::decode(SDK_V3_JSON).unwrap();
        assert_eq!(c.object_type, ObjectType::ProjectLogs);
        assert_eq!(c.project_name(), Some("p"));
        assert_eq!(c.span_id.as_deref(), Some("s1"));
        assert_eq!(c.root_span_id.as_deref(), Some("t1"));
    }

    #[test]
    fn inconsistent_components_are_rejected() {
        // Only a row id, no span or root: the SDKs refuse this too.
        let raw = [
            &[4u8, 2, 0][..],
            br#"{"compute_object_metadata_args":{"project_name":"p"},"row_id":"r"}"#,
        ]
        .concat();
        let err = SpanComponents::decode(&STANDARD.encode(raw)).unwrap_err();
        assert!(matches!(err, SlugError::Inconsistent(_)), "{err}");
        // No object at all.
        let err = SpanComponents::decode(&STANDARD.encode([4u8, 2, 0])).unwrap_err();
        assert!(matches!(err, SlugError::Inconsistent(_)), "{err}");
    }
}
