//! The `calculate_clinical_metrics` tool plugin: BMI with its adult category
//! and obesity class, BMR (Mifflin-St Jeor), body surface area (Mosteller),
//! ideal body weight (Devine) and the ACC/AHA 2017 blood pressure category.
//!
//! - [`request`] validates the raw JSON input into a [`request::Request`].
//! - [`metrics`] holds the formulas and classifications.
//! - [`report`] applies them and shapes the output.
//! - `plugin_kit::export_tool!` (wasm32 only) exports the tool and forwards
//!   the span notes to the host.
//!
//! Everything but the glue is plain Rust, unit-tested on the host target.

pub mod metrics;
pub mod report;
pub mod request;

plugin_kit::export_tool!(
    crate::TOOL_NAME,
    crate::DESCRIPTION,
    crate::INPUT_SCHEMA,
    crate::call
);

/// The tool's name as the model sees it.
pub const TOOL_NAME: &str = "calculate_clinical_metrics";

/// What the tool does and when to use it, written for the model.
pub const DESCRIPTION: &str = "Calculate clinical body and blood pressure metrics: BMI \
     with WHO/CDC adult category and obesity class, body surface area (Mosteller), basal \
     metabolic rate (Mifflin-St Jeor, needs age and sex), ideal body weight (Devine, needs \
     sex) and the ACC/AHA 2017 blood pressure category. Give height and weight (metric or \
     imperial: height_cm, or height_feet + height_inches, or total height_inches; weight_kg \
     or weight_lb) and/or systolic_bp with diastolic_bp. Metrics that cannot be computed \
     from the input are null and `notes` says why.";

/// JSON Schema (draft 2020-12) of the tool's input.
pub const INPUT_SCHEMA: &str = include_str!("input_schema.json");

pub use plugin_kit::{CallError, Reply};

/// Runs the tool on its JSON input.
pub fn call(input: &str) -> Result<Reply, CallError> {
    let request = request::Request::parse(input)?;
    let report = report::evaluate(&request);
    let output = serde_json::to_string(&report)
        .map_err(|e| CallError::Failed(format!("cannot encode the output: {e}")))?;
    let scores = report
        .health_risk
        .map(|risk| vec![("health_risk", risk)])
        .unwrap_or_default();
    let events = report
        .blood_pressure
        .iter()
        .filter(|bp| bp.hypertensive_crisis)
        .map(|bp| {
            format!(
                "blood pressure {}/{} mmHg is in the hypertensive crisis range",
                bp.systolic, bp.diastolic
            )
        })
        .collect();
    Ok(Reply {
        output,
        metadata: report.metadata,
        scores,
        events,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    #[test]
    fn call_returns_output_and_span_notes() {
        let reply = call(r#"{"height_feet": 5, "height_inches": 4, "weight_lb": 180}"#).unwrap();
        let output: Value = serde_json::from_str(&reply.output).unwrap();
        assert_eq!(output["bmi"], 30.9);
        assert_eq!(output["category"], "obese");
        assert_eq!(output["obesity_class"], "I");
        assert_eq!(reply.scores, vec![("health_risk", 0.3)]);
        assert_eq!(reply.metadata["units"], "imperial");
        assert!(reply.events.is_empty());
    }

    #[test]
    fn crisis_reading_logs_an_event_and_no_score() {
        let reply = call(r#"{"systolic_bp": 200, "diastolic_bp": 125}"#).unwrap();
        assert!(reply.scores.is_empty());
        assert_eq!(reply.events.len(), 1);
        assert!(reply.events[0].contains("200/125"));
    }

    #[test]
    fn invalid_input_is_an_error_not_a_panic() {
        assert!(matches!(call("{}"), Err(CallError::InvalidInput(_))));
        assert!(matches!(call(""), Err(CallError::InvalidInput(_))));
    }

    #[test]
    fn schema_describes_every_property_and_forbids_others() {
        let schema: Value = serde_json::from_str(INPUT_SCHEMA).unwrap();
        assert_eq!(schema["type"], "object");
        assert_eq!(schema["additionalProperties"], false);
        let properties = schema["properties"].as_object().unwrap();
        assert_eq!(properties.len(), 9);
        for (name, property) in properties {
            assert!(
                property["description"].is_string(),
                "{name} lacks a description"
            );
        }
    }
}
