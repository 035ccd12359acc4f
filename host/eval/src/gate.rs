//! CI gates: `--gate SCORER=MIN` fails the eval (non-zero exit) when an
//! experiment's mean for SCORER is below MIN. MIN is a fraction (`0.8`) or
//! a percentage (`80%`).

use std::fmt;
use std::str::FromStr;

use serde::Serialize;

use crate::summary::{percent, Summary};

/// One gate.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Gate {
    /// The score it checks.
    pub scorer: String,
    /// The lowest acceptable mean, in [0, 1].
    pub min: f64,
}

/// Why a `--gate` value is not a gate.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid gate `{value}`: {problem} (expected SCORER=MIN, e.g. length_score=0.8 or length_score=80%)")]
pub struct GateParseError {
    value: String,
    problem: &'static str,
}

impl FromStr for Gate {
    type Err = GateParseError;

    fn from_str(value: &str) -> Result<Self, Self::Err> {
        let fail = |problem| GateParseError {
            value: value.to_string(),
            problem,
        };
        let (scorer, min) = value.split_once('=').ok_or_else(|| fail("no `=`"))?;
        let scorer = scorer.trim();
        if scorer.is_empty() {
            return Err(fail("no scorer name before `=`"));
        }
        let min = min.trim();
        let min = match min.strip_suffix('%') {
            Some(pct) => pct.trim().parse::<f64>().map(|p| p / 100.0),
            None => min.parse::<f64>(),
        }
        .map_err(|_| fail("the minimum is not a number"))?;
        if !(0.0..=1.0).contains(&min) {
            return Err(fail("the minimum must be between 0 and 1 (or 0% and 100%)"));
        }
        Ok(Gate {
            scorer: scorer.to_string(),
            min,
        })
    }
}

impl fmt::Display for Gate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ≥ {}", self.scorer, percent(self.min))
    }
}

/// A gate's verdict on one experiment.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GateResult {
    pub gate: Gate,
    pub experiment: String,
    /// The experiment's mean, if it has this score.
    pub mean: Option<f64>,
    pub passed: bool,
    /// What to tell the user.
    pub message: String,
}

/// Checks every gate against every experiment. A gate naming a score no
/// experiment produced fails: a typo must not pass a CI step.
pub fn check(gates: &[Gate], summaries: &[Summary]) -> Vec<GateResult> {
    let mut results = Vec::new();
    for gate in gates {
        for summary in summaries {
            let mean = summary.mean(&gate.scorer);
            let (passed, message) = match mean {
                Some(mean) if mean + 1e-12 >= gate.min => (
                    true,
                    format!(
                        "gate passed: {} scored {} in {} (minimum {})",
                        gate.scorer,
                        percent(mean),
                        summary.experiment,
                        percent(gate.min)
                    ),
                ),
                Some(mean) => (
                    false,
                    format!(
                        "gate failed: {} scored {} in {}, below the minimum {}",
                        gate.scorer,
                        percent(mean),
                        summary.experiment,
                        percent(gate.min)
                    ),
                ),
                None => {
                    let names: Vec<&str> = summary.scores.iter().map(|s| s.name.as_str()).collect();
                    let why = if names.contains(&gate.scorer.as_str()) {
                        "every row skipped it".to_string()
                    } else {
                        format!(
                            "the eval produced no such score (scores: {})",
                            names.join(", ")
                        )
                    };
                    (
                        false,
                        format!(
                            "gate failed: {} has no score in {}: {why}",
                            gate.scorer, summary.experiment
                        ),
                    )
                }
            };
            results.push(GateResult {
                gate: gate.clone(),
                experiment: summary.experiment.clone(),
                mean,
                passed,
                message,
            });
        }
    }
    results
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::summary::ScoreLine;

    #[test]
    fn gates_parse_fractions_and_percentages_and_reject_the_rest() {
        assert_eq!(
            "length_score=0.8".parse::<Gate>().unwrap(),
            Gate {
                scorer: "length_score".into(),
                min: 0.8
            }
        );
        assert_eq!("x = 75%".parse::<Gate>().unwrap().min, 0.75);
        for bad in ["length_score", "=0.5", "x=high", "x=1.5", "x=-1%"] {
            let error = bad.parse::<Gate>().unwrap_err().to_string();
            assert!(error.contains(bad.trim()), "{error}");
            assert!(error.contains("SCORER=MIN"), "{error}");
        }
    }

    fn summary(scores: &[(&str, Option<f64>)]) -> Summary {
        Summary {
            experiment: "exp".into(),
            dataset: "d".into(),
            task: "replay".into(),
            model: None,
            baseline: None,
            rows: 1,
            errors: 0,
            error_examples: vec![],
            scores: scores
                .iter()
                .map(|(name, mean)| ScoreLine {
                    mean: *mean,
                    scored: 1,
                    ..ScoreLine::new(name)
                })
                .collect(),
        }
    }

    #[test]
    fn a_gate_fails_below_its_minimum_and_on_a_missing_score() {
        let summaries = [summary(&[("len", Some(0.7)), ("judge", None)])];
        let gates: Vec<Gate> = ["len=0.7", "len=71%", "judge=0.1", "lenght=0.1"]
            .iter()
            .map(|g| g.parse().unwrap())
            .collect();
        let results = check(&gates, &summaries);
        let passed: Vec<bool> = results.iter().map(|r| r.passed).collect();
        assert_eq!(passed, vec![true, false, false, false]);
        assert!(results[1]
            .message
            .contains("len scored 70.00% in exp, below the minimum 71.00%"));
        assert!(results[2].message.contains("every row skipped it"));
        assert!(results[3]
            .message
            .contains("no such score (scores: len, judge)"));
    }
}
