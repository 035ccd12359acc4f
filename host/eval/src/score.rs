//! The scorer contract: a [`Scorer`] reads one [`ScoreInput`] (a dataset
//! row's input, expected value and metadata plus the response being judged)
//! and returns a [`Score`] in [0, 1] or the reason it did not score.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::Error;

/// One case to score.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ScoreInput {
    /// The dataset row's input, e.g. `{"patient_query": "..."}`.
    #[serde(default)]
    pub input: Value,
    /// The response text being judged.
    pub output: String,
    /// The dataset row's expected value, if it has one.
    #[serde(default)]
    pub expected: Option<Value>,
    /// The dataset row's metadata (`Null` when there is none).
    #[serde(default)]
    pub metadata: Value,
}

impl ScoreInput {
    /// A case with only a response: no input, expected value or metadata.
    pub fn from_output(output: impl Into<String>) -> ScoreInput {
        ScoreInput {
            output: output.into(),
            ..ScoreInput::default()
        }
    }
}

/// The outcome of scoring one case.
#[derive(Debug, Clone, PartialEq)]
pub enum Score {
    /// A score; build it with [`Score::scored`], which keeps `value` in [0, 1].
    Scored {
        /// Between 0 (worst) and 1 (best).
        value: f64,
        /// How the value was reached: the rubric and what was found.
        details: Value,
    },
    /// The scorer does not apply to this case (e.g. no model to judge with).
    Skipped {
        /// Why, in words a user can act on.
        reason: String,
    },
}

impl Score {
    /// A score with `value` clamped into [0, 1]; NaN becomes 0, so a
    /// scorer's arithmetic slip can never produce an out-of-range score.
    pub fn scored(value: f64, details: Value) -> Score {
        let value = if value.is_nan() {
            0.0
        } else {
            value.clamp(0.0, 1.0)
        };
        Score::Scored { value, details }
    }

    /// A skipped case with its reason.
    pub fn skipped(reason: impl Into<String>) -> Score {
        Score::Skipped {
            reason: reason.into(),
        }
    }

    /// The value, or `None` when skipped.
    pub fn value(&self) -> Option<f64> {
        match self {
            Score::Scored { value, .. } => Some(*value),
            Score::Skipped { .. } => None,
        }
    }
}

/// Judges responses. Implementations must not panic on any input and must
/// return values in [0, 1] (use [`Score::scored`]).
pub trait Scorer: Send + Sync {
    /// The name scores are recorded under, e.g. `length_score`.
    fn name(&self) -> &str;

    /// Scores one case.
    fn score(&self, case: &ScoreInput) -> Score;

    /// Scores one case and labels the result with [`Scorer::name`].
    fn named_score(&self, case: &ScoreInput) -> NamedScore {
        NamedScore {
            name: self.name().to_string(),
            score: self.score(case),
        }
    }
}

/// A [`Score`] labelled with its scorer, as stored and sent:
/// `{"name": "length_score", "score": 0.83, "details": {...}}` or
/// `{"name": "llm_judge", "skipped": "reason"}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "ScoreRecord", into = "ScoreRecord")]
pub struct NamedScore {
    /// The scorer's name.
    pub name: String,
    /// Its outcome.
    pub score: Score,
}

/// The flat wire form of [`NamedScore`].
#[derive(Serialize, Deserialize)]
struct ScoreRecord {
    name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    score: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    details: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    skipped: Option<String>,
}

impl From<NamedScore> for ScoreRecord {
    fn from(named: NamedScore) -> ScoreRecord {
        let (score, details, skipped) = match named.score {
            Score::Scored { value, details } => (Some(value), Some(details), None),
            Score::Skipped { reason } => (None, None, Some(reason)),
        };
        ScoreRecord {
            name: named.name,
            score,
            details,
            skipped,
        }
    }
}

impl TryFrom<ScoreRecord> for NamedScore {
    type Error = Error;

    fn try_from(record: ScoreRecord) -> Result<NamedScore, Error> {
        let invalid = |problem: &str| Error::InvalidScore {
            name: record.name.clone(),
            problem: problem.to_string(),
        };
        let score = match (record.score, &record.skipped) {
            (Some(value), None) if (0.0..=1.0).contains(&value) => Score::Scored {
                value,
                details: record.details.clone().unwrap_or(Value::Null),
            },
            (Some(_), None) => return Err(invalid("`score` must be between 0 and 1")),
            (None, Some(reason)) => Score::Skipped {
                reason: reason.clone(),
            },
            (Some(_), Some(_)) => return Err(invalid("has both `score` and `skipped`")),
            (None, None) => return Err(invalid("has neither `score` nor `skipped`")),
        };
        Ok(NamedScore {
            name: record.name,
            score,
        })
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn scores_serialise_flat_with_the_scorer_name() {
        let scored = NamedScore {
            name: "length_score".into(),
            score: Score::scored(0.83, json!({"words": 83})),
        };
        let wire = serde_json::to_value(&scored).unwrap();
        assert_eq!(
            wire,
            json!({"name": "length_score", "score": 0.83, "details": {"words": 83}})
        );
        assert_eq!(serde_json::from_value::<NamedScore>(wire).unwrap(), scored);

        let skipped = NamedScore {
            name: "llm_judge".into(),
            score: Score::skipped("offline provider"),
        };
        let wire = serde_json::to_value(&skipped).unwrap();
        assert_eq!(
            wire,
            json!({"name": "llm_judge", "skipped": "offline provider"})
        );
        assert_eq!(serde_json::from_value::<NamedScore>(wire).unwrap(), skipped);
    }

    #[test]
    fn malformed_score_records_are_rejected_with_the_scorer_name() {
        for bad in [
            json!({"name": "x", "score": 1.5}),
            json!({"name": "x", "score": -0.1}),
            json!({"name": "x"}),
            json!({"name": "x", "score": 0.5, "skipped": "both"}),
        ] {
            let err = serde_json::from_value::<NamedScore>(bad).unwrap_err();
            assert!(err.to_string().contains("scorer `x`"), "{err}");
        }
    }

    #[test]
    fn scored_clamps_into_the_unit_interval() {
        assert_eq!(Score::scored(f64::NAN, Value::Null).value(), Some(0.0));
        assert_eq!(Score::scored(7.0, Value::Null).value(), Some(1.0));
        assert_eq!(Score::scored(-3.0, Value::Null).value(), Some(0.0));
        assert_eq!(Score::skipped("n/a").value(), None);
    }
}
