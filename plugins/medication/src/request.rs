//! Turns the tool's raw JSON input into a validated [`Request`]: the shape is
//! checked and every name is resolved against the formulary here, once, so
//! [`crate::report`] only ever sees formulary entries. The host has already
//! validated the input against the schema, but the checks are repeated because
//! the messages here are the ones the model reads to correct itself.

use serde_json::Value;

use crate::formulary::{self, Drug};
use crate::CallError::{self, InvalidInput};

/// Most names one call may look up (the schema's `maxItems`).
pub const MAX_MEDICATIONS: usize = 10;
/// Longest accepted name, in characters (the schema's `maxLength`).
pub const MAX_NAME_CHARS: usize = 100;
/// How many closest formulary names an unknown name's message suggests.
const SUGGESTIONS: usize = 3;

/// A validated call: the distinct drugs asked for, in the order first asked.
#[derive(Debug, Clone, PartialEq)]
pub struct Request {
    /// The formulary entries; names that resolve to the same drug (a generic
    /// and its brand, say) appear once.
    pub drugs: Vec<&'static Drug>,
}

impl Request {
    /// Parses the input and resolves every name. Fails if the input is
    /// malformed or if any name is unknown; the message then names every
    /// unknown one with its closest formulary names.
    pub fn parse(input: &str) -> Result<Request, CallError> {
        let names = names(input)?;
        let mut drugs: Vec<&'static Drug> = Vec::with_capacity(names.len());
        let mut unknown: Vec<&str> = Vec::new();
        for name in &names {
            match formulary::find(name) {
                Some(drug) => {
                    if !drugs.iter().any(|d| std::ptr::eq(*d, drug)) {
                        drugs.push(drug);
                    }
                }
                None => {
                    if !unknown.iter().any(|u| u.eq_ignore_ascii_case(name)) {
                        unknown.push(name);
                    }
                }
            }
        }
        if unknown.is_empty() {
            Ok(Request { drugs })
        } else {
            Err(InvalidInput(unknown_message(&unknown)))
        }
    }
}

/// The trimmed names of the `medications` array, checked for shape.
fn names(input: &str) -> Result<Vec<String>, CallError> {
    let value: Value = serde_json::from_str(input)
        .map_err(|e| InvalidInput(format!("input is not valid JSON: {e}")))?;
    let Value::Object(mut fields) = value else {
        return Err(InvalidInput(
            "input must be a JSON object like {\"medications\": [\"metformin\"]}".into(),
        ));
    };
    if let Some(unknown) = fields.keys().find(|k| *k != "medications") {
        return Err(InvalidInput(format!(
            "unknown field `{unknown}`; the only field is `medications`, a list of drug names"
        )));
    }
    let items = match fields.remove("medications") {
        Some(Value::Array(items)) => items,
        None => {
            return Err(InvalidInput(format!(
                "`medications` is required: a list of 1 to {MAX_MEDICATIONS} generic or brand \
                 names"
            )))
        }
        Some(other) => {
            return Err(InvalidInput(format!(
                "`medications` must be a list of names, e.g. [\"metformin\"]; got {other}"
            )))
        }
    };
    if items.is_empty() || items.len() > MAX_MEDICATIONS {
        return Err(InvalidInput(format!(
            "`medications` must list 1 to {MAX_MEDICATIONS} names; got {}",
            items.len()
        )));
    }
    items
        .into_iter()
        .enumerate()
        .map(|(i, item)| {
            let Value::String(name) = item else {
                return Err(InvalidInput(format!(
                    "`medications[{i}]` must be a string (a drug name); got {item}"
                )));
            };
            let chars = name.chars().count();
            if chars > MAX_NAME_CHARS {
                return Err(InvalidInput(format!(
                    "`medications[{i}]` must be at most {MAX_NAME_CHARS} characters; got {chars}"
                )));
            }
            let trimmed = name.trim();
            if trimmed.is_empty() {
                return Err(InvalidInput(format!(
                    "`medications[{i}]` is blank; give a generic or brand name"
                )));
            }
            Ok(trimmed.to_owned())
        })
        .collect()
}

/// The message for names not in the formulary, each with its closest
/// formulary drugs (generic names, deduplicated) by edit distance.
fn unknown_message(unknown: &[&str]) -> String {
    let suggestion = |name: &str| match formulary::closest(name, SUGGESTIONS).as_slice() {
        [] => "no close match".to_owned(),
        closest => format!("closest matches: {}", closest.join(", ")),
    };
    let named = match unknown {
        [name] => format!("unknown medication `{name}`; {}", suggestion(name)),
        _ => {
            let clauses: Vec<String> = unknown
                .iter()
                .map(|name| format!("`{name}` ({})", suggestion(name)))
                .collect();
            format!(
                "{} unknown medications: {}",
                unknown.len(),
                clauses.join("; ")
            )
        }
    };
    format!(
        "{named}. Use generic or US brand names without doses; nothing was looked up, so call \
         again with every name corrected or removed."
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn generics(input: &str) -> Vec<&'static str> {
        Request::parse(input)
            .expect("valid input")
            .drugs
            .iter()
            .map(|d| d.generic_name)
            .collect()
    }

    fn rejected(input: &str) -> String {
        match Request::parse(input) {
            Err(InvalidInput(message)) => message,
            other => panic!("{input} should be rejected as invalid input, got {other:?}"),
        }
    }

    #[test]
    fn names_are_trimmed_and_case_insensitive() {
        assert_eq!(
            generics(r#"{"medications": ["  LISINOPRIL ", "glucophage", "jardiance"]}"#),
            ["lisinopril", "metformin", "empagliflozin"]
        );
    }

    #[test]
    fn duplicates_keep_the_first_position() {
        assert_eq!(
            generics(r#"{"medications": ["aspirin", "Lipitor", "Bayer", "atorvastatin"]}"#),
            ["aspirin", "atorvastatin"]
        );
    }

    #[test]
    fn one_unknown_name_gets_the_documented_message() {
        let message = rejected(r#"{"medications": ["metfromin"]}"#);
        assert!(
            message.starts_with("unknown medication `metfromin`; closest matches: metformin"),
            "{message}"
        );
        let message = rejected(r#"{"medications": ["lisinipril", "aspirin"]}"#);
        assert!(
            message.starts_with("unknown medication `lisinipril`; closest matches: lisinopril"),
            "{message}"
        );
    }

    #[test]
    fn every_unknown_name_is_named_once() {
        let message =
            rejected(r#"{"medications": ["metfromin", "aspirin", "Metfromin", "lisinipril"]}"#);
        assert!(
            message.starts_with("2 unknown medications: `metfromin`"),
            "{message}"
        );
        assert!(
            message.contains("`lisinipril` (closest matches: lisinopril"),
            "{message}"
        );
        assert!(!message.contains("`Metfromin`"), "{message}");
    }

    #[test]
    fn a_dose_in_the_name_suggests_the_drug() {
        let message = rejected(r#"{"medications": ["lisinopril 10 mg"]}"#);
        assert!(message.contains("closest matches: lisinopril"), "{message}");
    }

    #[test]
    fn malformed_input_is_rejected_not_panicked_on() {
        assert!(rejected("").contains("not valid JSON"));
        assert!(rejected("garbage").contains("not valid JSON"));
        assert!(rejected(r#"["metformin"]"#).contains("JSON object"));
        assert!(rejected("{}").contains("`medications` is required"));
        assert!(rejected(r#"{"medications": "metformin"}"#).contains("must be a list"));
        assert!(rejected(r#"{"medications": []}"#).contains("1 to 10 names; got 0"));
        assert!(rejected(r#"{"medications": [1]}"#).contains("`medications[0]` must be a string"));
        assert!(
            rejected(r#"{"medications": ["aspirin", "  "]}"#).contains("`medications[1]` is blank")
        );
        assert!(
            rejected(r#"{"medications": ["aspirin"], "dose": 1}"#).contains("unknown field `dose`")
        );
        let eleven = format!(r#"{{"medications": [{}]}}"#, [r#""aspirin""#; 11].join(","));
        assert!(rejected(&eleven).contains("got 11"));
        let long = format!(r#"{{"medications": ["{}"]}}"#, "a".repeat(101));
        assert!(rejected(&long).contains("at most 100 characters"));
    }
}
