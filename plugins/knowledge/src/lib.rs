//! The `search_medical_knowledge` tool plugin: BM25F retrieval over an
//! embedded knowledge base of common conditions, with field weights and a
//! clinical synonym map that expands the query. The index is built at
//! compile time by `build.rs`; a call only scores.
//!
//! - `tokenize` cuts text into terms; `build.rs` compiles the same file.
//! - `index` holds the conditions and the generated inverted index.
//! - `synonyms` is the lay-to-clinical synonym table.
//! - `query` tokenizes and expands a query.
//! - `request` validates the raw JSON input into a `Request`.
//! - `search` ranks conditions (BM25F) and rates the retrieval confidence.
//! - `report` shapes the output and its snippets.
//! - `plugin_kit::export_tool!` (wasm32 only) exports the tool and forwards
//!   the span notes to the host.
//!
//! Everything but the glue is plain Rust, unit-tested on the host target.

mod index;
mod query;
mod report;
mod request;
mod search;
mod synonyms;
mod tokenize;

plugin_kit::export_tool!(
    crate::TOOL_NAME,
    crate::DESCRIPTION,
    crate::INPUT_SCHEMA,
    crate::call
);

use serde_json::json;

/// The tool's name as the model sees it.
pub const TOOL_NAME: &str = "search_medical_knowledge";

/// What the tool does and when to use it, written for the model.
pub const DESCRIPTION: &str = "Search an embedded clinical knowledge base of about 60 \
     common conditions (diabetes and other endocrine disorders, cardiovascular, respiratory, \
     gastrointestinal, renal, infectious, musculoskeletal, neurological and mental health) by \
     free-text symptoms, findings or condition names; lay words are mapped to clinical terms \
     (\"thirsty\" → polydipsia, \"short of breath\" → dyspnea). Returns the best-matching \
     conditions ranked by relevance, each with symptoms, risk factors, diagnostic criteria, \
     tests, first-line treatments and first-line medications (generic names that \
     lookup_medication knows), plus a snippet of what matched. Use it to build a \
     differential and a work-up; it is reference content, not a diagnosis.";

/// JSON Schema (draft 2020-12) of the tool's input.
pub const INPUT_SCHEMA: &str = include_str!("input_schema.json");

pub use plugin_kit::{CallError, Reply};

/// Runs the tool on its JSON input. A query that matches nothing is a
/// success with no results, not an error.
pub fn call(input: &str) -> Result<Reply, CallError> {
    let request = request::Request::parse(input)?;
    let hits = search::rank(&request.query);
    let confidence = search::confidence(&request.query, &hits);
    let output = report::Output::new(&request, &hits);
    let output = serde_json::to_string(&output)
        .map_err(|e| CallError::Failed(format!("cannot encode the output: {e}")))?;
    let metadata = json!({
        "top_condition": hits.first().map(|hit| hit.condition.id),
        "matches": hits.len(),
        "expanded_terms": request.query.expanded,
    });
    let events = if hits.is_empty() {
        vec![format!("no condition matched \"{}\"", request.text)]
    } else {
        Vec::new()
    };
    Ok(Reply {
        output,
        metadata,
        scores: vec![("retrieval_confidence", confidence)],
        events,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    fn output(reply: &Reply) -> Value {
        serde_json::from_str(&reply.output).unwrap()
    }

    #[test]
    fn call_returns_ranked_results_and_span_notes() {
        let reply = call(r#"{"query": "fatigue and increased thirst"}"#).unwrap();
        let out = output(&reply);
        assert_eq!(out["query"], "fatigue and increased thirst");
        let results = out["results"].as_array().unwrap();
        assert_eq!(results.len(), 3, "top_k defaults to 3");
        assert!(out["total_matches"].as_u64().unwrap() >= 3);
        let top = &results[0];
        assert_eq!(top["id"], "type-2-diabetes");
        assert_eq!(top["condition"], "Type 2 diabetes mellitus");
        assert_eq!(top["first_line_medications"], json!(["metformin"]));
        for key in [
            "symptoms",
            "risk_factors",
            "diagnostic_criteria",
            "tests",
            "first_line_treatments",
        ] {
            assert!(!top[key].as_array().unwrap().is_empty(), "{key}");
        }
        let snippet = top["snippet"].as_str().unwrap();
        assert!(snippet.starts_with("Symptoms: "), "{snippet}");
        assert!(snippet.chars().count() <= 240);

        let scores: Vec<f64> = results
            .iter()
            .map(|r| r["score"].as_f64().unwrap())
            .collect();
        assert!(scores.windows(2).all(|w| w[0] >= w[1]), "{scores:?}");
        assert!(
            scores.iter().all(|s| (s * 1000.0).fract().abs() < 1e-6),
            "{scores:?}"
        );

        assert_eq!(reply.metadata["top_condition"], "type-2-diabetes");
        assert_eq!(reply.metadata["matches"], out["total_matches"]);
        assert_eq!(reply.metadata["expanded_terms"], json!(["polydipsia"]));
        let (name, confidence) = reply.scores[0];
        assert_eq!(name, "retrieval_confidence");
        assert!((0.0..=1.0).contains(&confidence));
        assert!(reply.events.is_empty());
    }

    #[test]
    fn top_k_limits_the_results_but_not_the_match_count() {
        let reply = call(r#"{"query": "pain", "top_k": 10}"#).unwrap();
        let out = output(&reply);
        assert_eq!(out["results"].as_array().unwrap().len(), 10);
        assert!(out["total_matches"].as_u64().unwrap() > 10);
        let reply = call(r#"{"query": "pain", "top_k": 1}"#).unwrap();
        assert_eq!(output(&reply)["results"].as_array().unwrap().len(), 1);
    }

    #[test]
    fn no_match_is_an_empty_result_not_an_error() {
        let reply = call(r#"{"query": "xyzzy plugh"}"#).unwrap();
        let out = output(&reply);
        assert_eq!(out["results"], json!([]));
        assert_eq!(out["total_matches"], 0);
        assert_eq!(reply.metadata["top_condition"], Value::Null);
        assert_eq!(reply.scores, vec![("retrieval_confidence", 0.0)]);
        assert_eq!(reply.events.len(), 1);
    }

    #[test]
    fn invalid_input_is_an_error_naming_the_field() {
        let Err(CallError::InvalidInput(message)) = call(r#"{"query": "the and of"}"#) else {
            panic!("a stop-word query must be invalid input");
        };
        assert!(message.contains("`query`"), "{message}");
        let Err(CallError::InvalidInput(message)) = call(r#"{"query": "gout", "top_k": 11}"#)
        else {
            panic!("top_k 11 must be invalid input");
        };
        assert!(
            message.contains("`top_k`") && message.contains("1 to 10"),
            "{message}"
        );
        assert!(matches!(call(""), Err(CallError::InvalidInput(_))));
    }

    #[test]
    fn schema_describes_every_property_and_forbids_others() {
        let schema: Value = serde_json::from_str(INPUT_SCHEMA).unwrap();
        assert_eq!(schema["type"], "object");
        assert_eq!(schema["additionalProperties"], false);
        assert_eq!(schema["required"], json!(["query"]));
        let properties = schema["properties"].as_object().unwrap();
        assert_eq!(properties.len(), 2);
        for (name, property) in properties {
            assert!(
                property["description"].is_string(),
                "{name} lacks a description"
            );
        }
        assert_eq!(properties["query"]["maxLength"], request::MAX_QUERY_CHARS);
        assert_eq!(properties["top_k"]["default"], request::DEFAULT_TOP_K);
        assert_eq!(properties["top_k"]["minimum"], request::TOP_K_RANGE.0);
        assert_eq!(properties["top_k"]["maximum"], request::TOP_K_RANGE.1);
    }
}
