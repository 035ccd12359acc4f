//! The four rule-based scorers of the healthcare example. Each is
//! deterministic, needs nothing but the response text, states its rubric in
//! its doc comment and again under `details.rubric`, and scores an empty
//! response 0 (with `details.reason`) rather than skipping it: an empty answer
//! is a bad answer, not a case the scorer cannot judge.

mod clinical_metrics;
mod length;
mod medications;
mod structure;

use serde_json::{json, Value};

pub use clinical_metrics::ContainsClinicalMetrics;
pub use length::LengthScore;
pub use medications::MentionsMedications;
pub use structure::FollowsMedicalStructure;

use crate::{Error, Score, Scorer};

/// The names of the built-in scorers, in the order [`builtin_scorers`]
/// returns them.
pub const BUILTIN_NAMES: [&str; 4] = [
    LengthScore::NAME,
    ContainsClinicalMetrics::NAME,
    MentionsMedications::NAME,
    FollowsMedicalStructure::NAME,
];

/// All built-in scorers.
pub fn builtin_scorers() -> Vec<Box<dyn Scorer>> {
    vec![
        Box::new(LengthScore),
        Box::new(ContainsClinicalMetrics),
        Box::new(MentionsMedications),
        Box::new(FollowsMedicalStructure),
    ]
}

/// The built-in scorer called `name`.
pub fn scorer_by_name(name: &str) -> Result<Box<dyn Scorer>, Error> {
    builtin_scorers()
        .into_iter()
        .find(|scorer| scorer.name() == name)
        .ok_or_else(|| Error::UnknownScorer {
            name: name.to_string(),
            known: BUILTIN_NAMES.join(", "),
        })
}

/// Score 0, with the reason, when the response is empty or only whitespace.
fn score_empty(output: &str, rubric: &str) -> Option<Score> {
    output
        .trim()
        .is_empty()
        .then(|| Score::scored(0.0, json!({"reason": "empty response", "rubric": rubric})))
}

/// Rounds to 4 decimals so scores read cleanly (1/3 → 0.3333).
fn round(value: f64) -> f64 {
    (value * 10_000.0).round() / 10_000.0
}

/// Details with the rubric added.
fn with_rubric(mut details: Value, rubric: &str) -> Value {
    if let Value::Object(map) = &mut details {
        map.insert("rubric".into(), Value::String(rubric.into()));
    }
    details
}

#[cfg(test)]
mod tests;
