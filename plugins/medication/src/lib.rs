//! The `lookup_medication` tool plugin: an embedded formulary of common adult
//! medications (class, indications, dosing, renal adjustment,
//! contraindications, adverse effects, monitoring) and a check of every pair
//! of requested drugs against a table of clinically important interactions.
//!
//! - [`formulary`] holds the drug entries and resolves generic or brand names,
//!   suggesting the closest names for a misspelling.
//! - [`interactions`] holds the interaction table and finds the one, if any,
//!   that applies to a pair of drugs.
//! - [`request`] validates the raw JSON input into a [`request::Request`] of
//!   resolved formulary entries.
//! - [`report`] checks the pairs and shapes the output and the span notes.
//! - `plugin_kit::export_tool!` (wasm32 only) exports the tool and forwards
//!   the span notes to the host.
//!
//! Everything but the glue is plain Rust, unit-tested on the host target. The
//! data are `static` tables compiled into the component, so a call only scans
//! a few hundred names and never reads a file.

pub mod formulary;
pub mod interactions;
pub mod report;
pub mod request;

plugin_kit::export_tool!(
    crate::TOOL_NAME,
    crate::DESCRIPTION,
    crate::INPUT_SCHEMA,
    crate::call
);

/// The tool's name as the model sees it.
pub const TOOL_NAME: &str = "lookup_medication";

/// What the tool does and when to use it, written for the model.
pub const DESCRIPTION: &str = "Look up common adult medications in an embedded formulary \
     and check them against each other for interactions. For each drug: generic and US brand \
     names, drug class, indications, typical adult dosing (start, titration, maximum), renal \
     dose adjustment, contraindications, common adverse effects and monitoring. Give 1-10 \
     generic or brand names (case-insensitive, e.g. \"metformin\", \"Jardiance\"); with 2 or \
     more, every pair is checked and each clinically important interaction is returned with \
     its severity (contraindicated, major, moderate, minor), mechanism and management, most \
     severe first. An unknown name fails the call with the closest formulary names. The \
     interaction table covers selected important pairs, so finding none is not proof that a \
     combination is safe. Reference content, not a substitute for clinical judgement.";

/// JSON Schema (draft 2020-12) of the tool's input.
pub const INPUT_SCHEMA: &str = include_str!("input_schema.json");

pub use plugin_kit::{CallError, Reply};

/// Runs the tool on its JSON input.
pub fn call(input: &str) -> Result<Reply, CallError> {
    let request = request::Request::parse(input)?;
    let report = report::evaluate(&request);
    let output = serde_json::to_string(&report)
        .map_err(|e| CallError::Failed(format!("cannot encode the output: {e}")))?;
    Ok(Reply {
        output,
        metadata: report.metadata(),
        // The formulary has nothing to score; interactions are events.
        scores: Vec::new(),
        events: report.events(),
    })
}

/// The generic name of the formulary drug called `name` (a generic or brand
/// name, or a common alternative such as "paracetamol"), ignoring case,
/// surrounding whitespace and the difference between spaces and hyphens.
pub fn resolve(name: &str) -> Option<&'static str> {
    formulary::find(name).map(|drug| drug.generic_name)
}

/// The generic name of every drug in the formulary, in table order.
pub fn generic_names() -> impl Iterator<Item = &'static str> {
    formulary::DRUGS.iter().map(|drug| drug.generic_name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    fn output(input: &str) -> Value {
        serde_json::from_str(&call(input).expect("call succeeds").output).unwrap()
    }

    fn rejected(input: &str) -> String {
        match call(input) {
            Err(CallError::InvalidInput(message)) => message,
            other => panic!("{input} should be rejected as invalid input, got {other:?}"),
        }
    }

    #[test]
    fn one_drug_has_every_output_field() {
        let out = output(r#"{"medications": ["metformin"]}"#);
        let drug = &out["medications"][0];
        assert_eq!(drug["generic_name"], "metformin");
        for key in [
            "brand_names",
            "drug_class",
            "indications",
            "adult_dosing",
            "renal_adjustment",
            "contraindications",
            "common_adverse_effects",
            "monitoring",
        ] {
            assert!(drug.get(key).is_some(), "missing {key}");
        }
        assert!(drug.get("other_names").is_none());
        assert_eq!(out["interactions"], serde_json::json!([]));
        assert_eq!(out["interaction_pairs_checked"], 0);
    }

    #[test]
    fn brand_names_resolve_to_generics_in_request_order() {
        let out = output(r#"{"medications": ["JARDIANCE", " glucophage ", "Eliquis"]}"#);
        let names: Vec<&str> = out["medications"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["generic_name"].as_str().unwrap())
            .collect();
        assert_eq!(names, ["empagliflozin", "metformin", "apixaban"]);
    }

    #[test]
    fn interaction_is_reported_with_span_notes() {
        let reply = call(r#"{"medications": ["Coumadin", "aspirin", "metformin"]}"#).unwrap();
        let out: Value = serde_json::from_str(&reply.output).unwrap();
        assert_eq!(out["interaction_pairs_checked"], 3);
        let interactions = out["interactions"].as_array().unwrap();
        assert_eq!(interactions.len(), 1);
        assert_eq!(
            interactions[0]["drugs"],
            serde_json::json!(["warfarin", "aspirin"])
        );
        assert_eq!(interactions[0]["severity"], "major");
        assert_eq!(
            reply.metadata,
            serde_json::json!({"found": 3, "interactions": 1, "highest_severity": "major"})
        );
        assert_eq!(reply.events, ["major interaction: warfarin + aspirin"]);
    }

    #[test]
    fn no_interaction_means_null_highest_severity_and_no_events() {
        let reply = call(r#"{"medications": ["metformin", "atorvastatin"]}"#).unwrap();
        assert_eq!(reply.metadata["highest_severity"], Value::Null);
        assert_eq!(reply.metadata["interactions"], 0);
        assert!(reply.events.is_empty());
    }

    #[test]
    fn moderate_interactions_log_no_event() {
        let reply = call(r#"{"medications": ["lisinopril", "ibuprofen"]}"#).unwrap();
        assert_eq!(reply.metadata["highest_severity"], "moderate");
        assert!(reply.events.is_empty());
    }

    #[test]
    fn unknown_medication_names_the_closest_matches() {
        let message = rejected(r#"{"medications": ["metfromin"]}"#);
        assert!(
            message.starts_with("unknown medication `metfromin`; closest matches: metformin"),
            "{message}"
        );
    }

    #[test]
    fn invalid_input_is_an_error_not_a_panic() {
        for input in ["", "garbage", "{}", "[]", "null", r#"{"medications": "x"}"#] {
            assert!(
                matches!(call(input), Err(CallError::InvalidInput(_))),
                "{input:?}"
            );
        }
    }

    #[test]
    fn public_lookup_for_sibling_crates() {
        assert_eq!(resolve("Lipitor"), Some("atorvastatin"));
        assert_eq!(resolve("  insulin   GLARGINE "), Some("insulin glargine"));
        assert_eq!(resolve("paracetamol"), Some("acetaminophen"));
        assert_eq!(resolve("Toprol XL"), Some("metoprolol"));
        assert_eq!(resolve("metfromin"), None);
        assert_eq!(resolve(""), None);
        let names: Vec<&str> = generic_names().collect();
        assert!(names.len() >= 45, "{}", names.len());
        assert!(names.iter().all(|name| resolve(name) == Some(*name)));
    }

    #[test]
    fn schema_describes_every_property_and_forbids_others() {
        let schema: Value = serde_json::from_str(INPUT_SCHEMA).unwrap();
        assert_eq!(schema["type"], "object");
        assert_eq!(schema["additionalProperties"], false);
        assert_eq!(schema["required"], serde_json::json!(["medications"]));
        let properties = schema["properties"].as_object().unwrap();
        assert_eq!(properties.len(), 1);
        let medications = &properties["medications"];
        assert!(medications["description"].is_string());
        assert!(medications["items"]["description"].is_string());
        assert_eq!(medications["minItems"], 1);
        assert_eq!(medications["maxItems"], request::MAX_MEDICATIONS);
        assert_eq!(medications["items"]["minLength"], 1);
        assert_eq!(medications["items"]["maxLength"], request::MAX_NAME_CHARS);
    }
}
