//! What every Trellis tool plugin shares, so each plugin crate holds only its
//! own logic:
//!
//! - [`CallError`] and [`Reply`]: what a tool's plain-Rust `call` returns,
//!   unit-testable on the host.
//! - [`export_tool!`]: the WebAssembly component glue (wasm32 only) that
//!   generates the `trellis:tool/plugin` bindings, exports the tool, and
//!   records a call's notes on the host's span.
//! - [`ScoreCase`] and [`Score`]: what a scorer's plain-Rust `score` takes
//!   and returns, unit-testable on the host.
//! - [`export_scorer!`]: the component glue for the `trellis:tool/scorer`
//!   world: parses the four JSON arguments into a [`ScoreCase`] and returns
//!   the scores.

use serde_json::Value;

/// Why a call did not succeed; the glue maps it onto the WIT `tool-error`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CallError {
    /// The input cannot be acted on; the message names the field and what
    /// it accepts.
    InvalidInput(String),
    /// The input was acceptable but no output could be produced.
    Failed(String),
}

/// Everything a successful call produces: the output and the notes the glue
/// records on the host's span.
#[derive(Debug, Clone, PartialEq)]
pub struct Reply {
    /// The output, as JSON text.
    pub output: String,
    /// A JSON object merged into the span's metadata.
    pub metadata: Value,
    /// Named scores between 0 and 1.
    pub scores: Vec<(&'static str, f64)>,
    /// Log lines for the span.
    pub events: Vec<String>,
}

/// Exports one tool as a `trellis:tool/plugin` component. The invoking crate
/// depends on `wit-bindgen` for wasm32 and sits two directories below the
/// repository root (the WIT package is at `../../wit`). Name items by full
/// path: the glue lives in a module of its own.
///
/// ```ignore
/// plugin_kit::export_tool!(crate::TOOL_NAME, crate::DESCRIPTION, crate::INPUT_SCHEMA, crate::call);
/// ```
#[macro_export]
macro_rules! export_tool {
    ($name:expr, $description:expr, $input_schema:expr, $call:path $(,)?) => {
        #[cfg(target_arch = "wasm32")]
        mod component {
            // The generated bindings export C-ABI functions, which the
            // `unsafe_code` lint counts as unsafe; this module is the only
            // place that needs it.
            #![allow(unsafe_code)]

            ::wit_bindgen::generate!({ path: "../../wit", world: "plugin" });

            use exports::trellis::tool::tool::Guest;
            use trellis::tool::span;
            use trellis::tool::types::{ToolError, ToolSpec};

            struct Plugin;

            impl Guest for Plugin {
                fn list_tools() -> Vec<ToolSpec> {
                    vec![ToolSpec {
                        name: $name.into(),
                        description: $description.into(),
                        input_schema: $input_schema.into(),
                    }]
                }

                fn call_tool(name: String, input: String) -> Result<String, ToolError> {
                    if name != $name {
                        return Err(ToolError::InvalidInput(format!(
                            "unknown tool `{name}`; this plugin offers `{}`",
                            $name
                        )));
                    }
                    let reply = $call(&input).map_err(|e| match e {
                        $crate::CallError::InvalidInput(message) => ToolError::InvalidInput(message),
                        $crate::CallError::Failed(message) => ToolError::Failed(message),
                    })?;
                    span::log_metadata(&reply.metadata.to_string());
                    for (name, value) in reply.scores {
                        span::log_score(name, value);
                    }
                    for event in &reply.events {
                        span::event(event);
                    }
                    // The host records the returned output on the span;
                    // logging it as well would copy and parse it twice.
                    Ok(reply.output)
                }
            }

            export!(Plugin);
        }
    };
}

/// One case a scorer judges: the four JSON arguments of `scoring.score-case`,
/// parsed.
#[derive(Debug, Clone, PartialEq)]
pub struct ScoreCase {
    /// The dataset row's input, e.g. `{"patient_query": "..."}`.
    pub input: Value,
    /// The response being judged; usually a JSON string.
    pub output: Value,
    /// The expected value, or `null`.
    pub expected: Value,
    /// The row's metadata: an object or `null`.
    pub metadata: Value,
}

impl ScoreCase {
    /// Parses the four JSON texts the host passes. The error names the
    /// argument that is not JSON.
    pub fn parse(
        input: &str,
        output: &str,
        expected: &str,
        metadata: &str,
    ) -> Result<Self, String> {
        let parse = |name: &str, text: &str| {
            serde_json::from_str::<Value>(text)
                .map_err(|e| format!("the `{name}` argument is not JSON text: {e}"))
        };
        Ok(ScoreCase {
            input: parse("input", input)?,
            output: parse("output", output)?,
            expected: parse("expected", expected)?,
            metadata: parse("metadata", metadata)?,
        })
    }

    /// The response as text: the string itself, nothing for `null`, and the
    /// compact JSON of any other value (so a structured response is still
    /// searchable).
    pub fn output_text(&self) -> String {
        match &self.output {
            Value::String(text) => text.clone(),
            Value::Null => String::new(),
            other => other.to_string(),
        }
    }

    /// A string field of the input object (`None` when the input is not an
    /// object, the field is missing or not a string, or it is blank).
    pub fn input_field(&self, key: &str) -> Option<&str> {
        self.input
            .get(key)?
            .as_str()
            .filter(|text| !text.trim().is_empty())
    }
}

/// One score a scorer gives; the glue maps it onto the WIT `score` record.
#[derive(Debug, Clone, PartialEq)]
pub struct Score {
    /// 1-64 characters of `[a-zA-Z0-9_-]`.
    pub name: String,
    /// Between 0 and 1; `None` when the case was skipped.
    pub value: Option<f64>,
    /// How the value was reached, or why the case was skipped.
    pub reason: String,
}

impl Score {
    /// A score with a value, clamped into 0..=1 here as the host would.
    pub fn scored(name: &str, value: f64, reason: impl Into<String>) -> Self {
        Score {
            name: name.to_string(),
            value: Some(value.clamp(0.0, 1.0)),
            reason: reason.into(),
        }
    }

    /// A skipped score: the scorer does not apply to this case, for `reason`.
    pub fn skipped(name: &str, reason: impl Into<String>) -> Self {
        Score {
            name: name.to_string(),
            value: None,
            reason: reason.into(),
        }
    }
}

/// Exports a scorer as a `trellis:tool/scorer` component. `$score` is a
/// `fn(&ScoreCase) -> Result<Vec<Score>, String>`; the glue parses the four
/// JSON arguments first (a malformed one becomes the call's error). The
/// invoking crate depends on `wit-bindgen` for wasm32 and sits two
/// directories below the repository root, like a tool plugin.
///
/// ```ignore
/// plugin_kit::export_scorer!(crate::score);
/// ```
#[macro_export]
macro_rules! export_scorer {
    ($score:path $(,)?) => {
        #[cfg(target_arch = "wasm32")]
        mod component {
            // The generated bindings export C-ABI functions, which the
            // `unsafe_code` lint counts as unsafe; this module is the only
            // place that needs it.
            #![allow(unsafe_code)]

            ::wit_bindgen::generate!({ path: "../../wit", world: "scorer" });

            use exports::trellis::tool::scoring::{Guest, Score};

            struct Scorer;

            impl Guest for Scorer {
                fn score_case(
                    input: String,
                    output: String,
                    expected: String,
                    metadata: String,
                ) -> Result<Vec<Score>, String> {
                    let case = $crate::ScoreCase::parse(&input, &output, &expected, &metadata)?;
                    let scores = $score(&case)?;
                    Ok(scores
                        .into_iter()
                        .map(|score| Score {
                            name: score.name,
                            value: score.value,
                            reason: score.reason,
                        })
                        .collect())
                }
            }

            export!(Scorer);
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_case_parses_and_names_the_bad_argument() {
        let case =
            ScoreCase::parse(r#"{"patient_query":"q"}"#, r#""an answer""#, "null", "{}").unwrap();
        assert_eq!(case.input_field("patient_query"), Some("q"));
        assert_eq!(case.input_field("missing"), None);
        assert_eq!(case.output_text(), "an answer");

        let err = ScoreCase::parse("{}", "not json", "null", "null").unwrap_err();
        assert!(
            err.starts_with("the `output` argument is not JSON text"),
            "{err}"
        );
    }

    #[test]
    fn output_text_of_other_values() {
        let case = ScoreCase::parse("{}", "null", "null", "null").unwrap();
        assert_eq!(case.output_text(), "");
        let case = ScoreCase::parse("{}", r#"{"a":1}"#, "null", "null").unwrap();
        assert_eq!(case.output_text(), r#"{"a":1}"#);
    }

    #[test]
    fn scored_values_are_clamped() {
        assert_eq!(Score::scored("s", 1.5, "r").value, Some(1.0));
        assert_eq!(Score::scored("s", -0.5, "r").value, Some(0.0));
        assert_eq!(Score::skipped("s", "why").value, None);
    }
}
