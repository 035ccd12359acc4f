//! Turns the tool's raw JSON input into a validated [`Request`]. The host
//! has already checked the input against the schema, but the checks are
//! repeated here because these messages are the ones the model reads to
//! correct itself, and because an empty query is only visible after
//! tokenizing.

use serde_json::{Map, Value};

use crate::query::Query;
use crate::CallError::{self, InvalidInput};

/// Accepted `top_k` values (inclusive).
pub(crate) const TOP_K_RANGE: (u32, u32) = (1, 10);
/// `top_k` when the input leaves it out.
pub(crate) const DEFAULT_TOP_K: u32 = 3;
/// Longest accepted query, in characters.
pub(crate) const MAX_QUERY_CHARS: usize = 1000;

const FIELDS: [&str; 2] = ["query", "top_k"];

/// A validated call.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Request {
    /// The query as given, trimmed.
    pub(crate) text: String,
    /// The query tokenized and expanded; never empty.
    pub(crate) query: Query,
    /// How many conditions to return.
    pub(crate) top_k: usize,
}

impl Request {
    /// Parses and validates the tool's JSON input. The error names the field
    /// at fault and what it accepts.
    pub(crate) fn parse(input: &str) -> Result<Request, CallError> {
        let value: Value = serde_json::from_str(input)
            .map_err(|e| InvalidInput(format!("input is not valid JSON: {e}")))?;
        let Value::Object(fields) = value else {
            return Err(InvalidInput("input must be a JSON object".into()));
        };
        if let Some(unknown) = fields.keys().find(|k| !FIELDS.contains(&k.as_str())) {
            return Err(InvalidInput(format!(
                "unknown field `{unknown}`; accepted fields: {}",
                FIELDS.join(", ")
            )));
        }
        let text = query_text(&fields)?;
        let query = Query::parse(&text);
        if query.is_empty() {
            return Err(InvalidInput(
                "`query` has no searchable words (only whitespace, punctuation or common \
                 words such as \"the\" or \"and\"); describe symptoms, findings or a condition, \
                 e.g. \"fatigue and increased thirst\""
                    .into(),
            ));
        }
        Ok(Request {
            text,
            query,
            top_k: top_k(&fields)?,
        })
    }
}

/// The required `query`, trimmed, 1 to [`MAX_QUERY_CHARS`] characters.
fn query_text(fields: &Map<String, Value>) -> Result<String, CallError> {
    match fields.get("query") {
        None | Some(Value::Null) => Err(InvalidInput(
            "`query` is required: a free-text description of symptoms, findings or a condition"
                .into(),
        )),
        Some(Value::String(s)) => {
            let chars = s.chars().count();
            if chars > MAX_QUERY_CHARS {
                return Err(InvalidInput(format!(
                    "`query` must be at most {MAX_QUERY_CHARS} characters; got {chars}"
                )));
            }
            Ok(s.trim().to_string())
        }
        Some(other) => Err(InvalidInput(format!(
            "`query` must be a string; got {other}"
        ))),
    }
}

/// The optional `top_k`, a whole number in [`TOP_K_RANGE`]. Accepts `5.0` as
/// well as `5`, since JSON Schema counts both as integers.
fn top_k(fields: &Map<String, Value>) -> Result<usize, CallError> {
    let (low, high) = TOP_K_RANGE;
    let out_of_range = |got: &dyn std::fmt::Display| {
        InvalidInput(format!(
            "`top_k` must be a whole number from {low} to {high}; got {got}"
        ))
    };
    match fields.get("top_k") {
        None | Some(Value::Null) => Ok(DEFAULT_TOP_K as usize),
        Some(Value::Number(n)) => match n.as_f64() {
            Some(x) if x.fract() == 0.0 && x >= f64::from(low) && x <= f64::from(high) => {
                // Whole and in range, so the conversion is exact.
                Ok(x as usize)
            }
            _ => Err(out_of_range(n)),
        },
        Some(other) => Err(out_of_range(other)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rejected(input: &str) -> String {
        match Request::parse(input) {
            Err(InvalidInput(message)) => message,
            other => panic!("{input} should be rejected as invalid input, got {other:?}"),
        }
    }

    #[test]
    fn top_k_defaults_to_three_and_accepts_whole_floats() {
        let request = Request::parse(r#"{"query": "  gout  "}"#).unwrap();
        assert_eq!(request.top_k, 3);
        assert_eq!(request.text, "gout");
        assert_eq!(
            Request::parse(r#"{"query": "gout", "top_k": 10}"#)
                .unwrap()
                .top_k,
            10
        );
        assert_eq!(
            Request::parse(r#"{"query": "gout", "top_k": 1.0}"#)
                .unwrap()
                .top_k,
            1
        );
    }

    #[test]
    fn top_k_out_of_range_names_the_field_and_the_range() {
        for bad in ["0", "11", "-3", "2.5", "\"3\"", "true"] {
            let message = rejected(&format!(r#"{{"query": "gout", "top_k": {bad}}}"#));
            assert!(
                message.contains("`top_k` must be a whole number from 1 to 10"),
                "{message}"
            );
        }
    }

    #[test]
    fn a_query_of_stop_words_or_whitespace_is_rejected_naming_query() {
        for bad in [r#""""#, r#""   ""#, r#""the and of""#, r#""?!""#] {
            let message = rejected(&format!(r#"{{"query": {bad}}}"#));
            assert!(message.starts_with("`query`"), "{message}");
        }
    }

    #[test]
    fn missing_long_or_mistyped_query_is_rejected() {
        assert!(rejected("{}").contains("`query` is required"));
        assert!(rejected(r#"{"query": 5}"#).contains("`query` must be a string"));
        let long = format!(r#"{{"query": "{}"}}"#, "a".repeat(1001));
        assert!(rejected(&long).contains("at most 1000 characters; got 1001"));
        assert!(Request::parse(&format!(r#"{{"query": "{}"}}"#, "gout ".repeat(200))).is_ok());
    }

    #[test]
    fn unknown_fields_and_non_objects_are_rejected() {
        assert!(rejected(r#"{"query": "gout", "limit": 3}"#).contains("unknown field `limit`"));
        assert!(rejected("[]").contains("JSON object"));
        assert!(rejected("").contains("not valid JSON"));
    }
}
