//! The summary of an experiment, Braintrust-style: each score's mean as a
//! percentage, its difference from a baseline experiment, and how many rows
//! improved or regressed against the same row in the baseline.
//!
//! ```text
//! =========================SUMMARY=========================
//! replay-2 compared to replay-1:
//! 91.20% (+03.10%) 'length_score'               (2 improvements, 0 regressions)
//! ```

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write;

use serde::Serialize;
use serde_json::Value;

use crate::run::Experiment;
use crate::score::Score;

/// Two scores closer than this are the same (no improvement, no regression).
const EPSILON: f64 = 1e-9;

/// A baseline experiment's scores: row id → score name → value.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Baseline {
    pub name: String,
    pub rows: HashMap<String, BTreeMap<String, f64>>,
}

impl Baseline {
    /// Reads the baseline from the rows of `SELECT metadata.dataset_row_id
    /// AS row_id, scores FROM experiment(...)` over its `eval` spans.
    pub fn from_rows(name: &str, rows: &[serde_json::Map<String, Value>]) -> Baseline {
        let mut baseline = Baseline {
            name: name.to_string(),
            rows: HashMap::new(),
        };
        for row in rows {
            let Some(id) = row.get("row_id").and_then(Value::as_str) else {
                continue;
            };
            let scores = row
                .get("scores")
                .and_then(Value::as_object)
                .map(|scores| {
                    scores
                        .iter()
                        .filter_map(|(k, v)| v.as_f64().map(|v| (k.clone(), v)))
                        .collect()
                })
                .unwrap_or_default();
            baseline.rows.insert(id.to_string(), scores);
        }
        baseline
    }

    /// The mean of `score` over the baseline's rows that have it.
    fn mean(&self, score: &str) -> Option<f64> {
        mean(self.rows.values().filter_map(|s| s.get(score).copied()))
    }
}

/// One score's line of the summary.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScoreLine {
    pub name: String,
    /// Mean over the rows that were scored; `None` when every row skipped.
    pub mean: Option<f64>,
    pub scored: usize,
    pub skipped: usize,
    /// One skip reason, when any row skipped.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub skip_reason: Option<String>,
    /// The baseline's mean, when it has this score.
    pub baseline_mean: Option<f64>,
    /// `mean - baseline_mean`.
    pub diff: Option<f64>,
    /// Rows scoring higher than the same row in the baseline.
    pub improvements: usize,
    /// Rows scoring lower than the same row in the baseline.
    pub regressions: usize,
}

impl ScoreLine {
    /// A line for `name` with nothing counted yet.
    pub fn new(name: &str) -> ScoreLine {
        ScoreLine {
            name: name.to_string(),
            mean: None,
            scored: 0,
            skipped: 0,
            skip_reason: None,
            baseline_mean: None,
            diff: None,
            improvements: 0,
            regressions: 0,
        }
    }
}

/// The summary of one experiment.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Summary {
    pub experiment: String,
    pub dataset: String,
    pub task: String,
    pub model: Option<String>,
    pub baseline: Option<String>,
    pub rows: usize,
    /// Rows whose task failed (not scored).
    pub errors: usize,
    /// Up to three of those failures.
    pub error_examples: Vec<String>,
    pub scores: Vec<ScoreLine>,
}

impl Summary {
    /// Summarises `experiment`, compared with `baseline` when given.
    pub fn new(experiment: &Experiment, baseline: Option<&Baseline>) -> Summary {
        // Score names in the order first seen, so the summary follows the
        // scorers' order.
        let mut order: Vec<String> = Vec::new();
        let mut lines: HashMap<String, ScoreLine> = HashMap::new();
        let mut values: HashMap<String, Vec<f64>> = HashMap::new();
        for row in &experiment.rows {
            for named in &row.scores {
                let line = lines.entry(named.name.clone()).or_insert_with(|| {
                    order.push(named.name.clone());
                    ScoreLine::new(&named.name)
                });
                match &named.score {
                    Score::Scored { value, .. } => {
                        line.scored += 1;
                        values.entry(named.name.clone()).or_default().push(*value);
                        let before = baseline
                            .and_then(|b| b.rows.get(&row.row_id))
                            .and_then(|s| s.get(&named.name));
                        match before {
                            Some(before) if value - before > EPSILON => line.improvements += 1,
                            Some(before) if before - value > EPSILON => line.regressions += 1,
                            _ => {}
                        }
                    }
                    Score::Skipped { reason } => {
                        line.skipped += 1;
                        line.skip_reason.get_or_insert_with(|| reason.clone());
                    }
                }
            }
        }
        let scores = order
            .into_iter()
            .filter_map(|name| lines.remove(&name))
            .map(|mut line| {
                line.mean = values.get(&line.name).and_then(|v| mean(v.iter().copied()));
                line.baseline_mean = baseline.and_then(|b| b.mean(&line.name));
                line.diff = line.mean.zip(line.baseline_mean).map(|(a, b)| a - b);
                line
            })
            .collect();
        let failures: Vec<(&str, &str)> = experiment
            .rows
            .iter()
            .filter_map(|r| r.error.as_ref().map(|e| (r.row_id.as_str(), e.as_str())))
            .collect();
        Summary {
            experiment: experiment.name.clone(),
            dataset: experiment.dataset.clone(),
            task: experiment.task.clone(),
            model: experiment.model.clone(),
            baseline: baseline.map(|b| b.name.clone()),
            rows: experiment.rows.len(),
            errors: failures.len(),
            error_examples: failures
                .iter()
                .take(3)
                .map(|(id, e)| format!("row {id}: {e}"))
                .collect(),
            scores,
        }
    }

    /// The mean of the score called `name`, if any row was scored.
    pub fn mean(&self, name: &str) -> Option<f64> {
        self.scores
            .iter()
            .find(|s| s.name == name)
            .and_then(|s| s.mean)
    }

    /// The summary as text, in Braintrust's layout.
    pub fn render(&self) -> String {
        let mut out = String::new();
        out.push_str("\n=========================SUMMARY=========================\n");
        let what = match &self.model {
            Some(model) => format!("{} ({} task, model {model})", self.experiment, self.task),
            None => format!("{} ({} task)", self.experiment, self.task),
        };
        match &self.baseline {
            Some(baseline) => {
                let _ = writeln!(out, "{what} compared to {baseline}:");
            }
            None => {
                let _ = writeln!(out, "{what} (no baseline):");
            }
        }
        let width = self
            .scores
            .iter()
            .map(|s| s.name.len() + 2)
            .max()
            .unwrap_or(0);
        for line in &self.scores {
            let name = format!("'{}'", line.name);
            let mean = line.mean.map(percent).unwrap_or_else(|| "-".to_string());
            let mean = format!("{mean:>7}");
            let diff = match line.diff {
                Some(diff) => format!(" ({})", signed_percent(diff)),
                None if self.baseline.is_some() => " (    n/a)".to_string(),
                None => String::new(),
            };
            let _ = write!(out, "{mean}{diff} {name:<width$}");
            if self.baseline.is_none() && line.skipped == 0 {
                // No columns follow the name.
                let trimmed = out.trim_end().len();
                out.truncate(trimmed);
            }
            if self.baseline.is_some() {
                let _ = write!(
                    out,
                    "  ({} improvements, {} regressions)",
                    line.improvements, line.regressions
                );
            }
            if line.skipped > 0 {
                let _ = write!(
                    out,
                    "  [{} of {} skipped",
                    line.skipped,
                    line.skipped + line.scored
                );
                if let Some(reason) = &line.skip_reason {
                    let _ = write!(out, ": {reason}");
                }
                out.push(']');
            }
            out.push('\n');
        }
        let _ = writeln!(out, "\n{} rows, {} errors", self.rows, self.errors);
        for example in &self.error_examples {
            let _ = writeln!(out, "  {example}");
        }
        let _ = writeln!(
            out,
            "See the results with: trellis traces query \"SELECT input, output, scores FROM experiment('{}') WHERE span_attributes.type = 'eval'\"",
            self.experiment.replace('\'', "''")
        );
        out
    }
}

/// Experiments side by side: one column per experiment, one row per score.
pub fn render_side_by_side(summaries: &[Summary]) -> String {
    let mut names: Vec<&str> = Vec::new();
    for summary in summaries {
        for line in &summary.scores {
            if !names.contains(&line.name.as_str()) {
                names.push(&line.name);
            }
        }
    }
    let headers: Vec<String> = summaries
        .iter()
        .map(|s| s.model.clone().unwrap_or_else(|| s.experiment.clone()))
        .collect();
    let first = names.iter().map(|n| n.len()).max().unwrap_or(5).max(5);
    let columns: Vec<usize> = headers.iter().map(|h| h.len().max(8)).collect();
    let mut out = String::new();
    let _ = write!(out, "{:<first$}", "score");
    for (header, width) in headers.iter().zip(&columns) {
        let _ = write!(out, "  {header:>width$}");
    }
    out.push('\n');
    for name in names {
        let _ = write!(out, "{name:<first$}");
        for (summary, width) in summaries.iter().zip(&columns) {
            let cell = summary
                .mean(name)
                .map(percent)
                .unwrap_or_else(|| "-".into());
            let _ = write!(out, "  {cell:>width$}");
        }
        out.push('\n');
    }
    out
}

fn mean(values: impl Iterator<Item = f64>) -> Option<f64> {
    let (sum, count) = values.fold((0.0, 0usize), |(s, c), v| (s + v, c + 1));
    (count > 0).then(|| sum / count as f64)
}

/// `0.9123` → `91.23%`.
pub fn percent(value: f64) -> String {
    format!("{:.2}%", value * 100.0)
}

/// `0.031` → `+03.10%`, as Braintrust pads it.
fn signed_percent(value: f64) -> String {
    let sign = if value < 0.0 { '-' } else { '+' };
    format!("{sign}{:05.2}%", value.abs() * 100.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::run::RowResult;
    use crate::score::NamedScore;
    use serde_json::json;

    fn row(id: &str, scores: &[(&str, Option<f64>)]) -> RowResult {
        RowResult {
            row_id: id.into(),
            input: json!({}),
            output: Some("answer".into()),
            expected: Value::Null,
            scores: scores
                .iter()
                .map(|(name, value)| NamedScore {
                    name: name.to_string(),
                    score: match value {
                        Some(v) => Score::scored(*v, Value::Null),
                        None => Score::skipped("no model"),
                    },
                })
                .collect(),
            error: None,
            trace_id: None,
            eval_trace_id: "t".into(),
        }
    }

    fn experiment(name: &str, rows: Vec<RowResult>) -> Experiment {
        Experiment {
            name: name.into(),
            dataset: "d".into(),
            task: "replay".into(),
            model: None,
            scorers: vec![],
            rows,
        }
    }

    #[test]
    fn means_diffs_and_per_row_changes_against_the_baseline() {
        let baseline = Baseline {
            name: "before".into(),
            rows: HashMap::from([
                ("a".into(), BTreeMap::from([("len".into(), 0.5)])),
                ("b".into(), BTreeMap::from([("len".into(), 1.0)])),
            ]),
        };
        let mut failed = row("c", &[]);
        failed.error = Some("server down".into());
        let exp = experiment(
            "after",
            vec![
                row("a", &[("len", Some(0.9)), ("judge", None)]),
                row("b", &[("len", Some(0.8)), ("judge", None)]),
                failed,
            ],
        );
        let summary = Summary::new(&exp, Some(&baseline));
        let len = &summary.scores[0];
        assert_eq!(len.name, "len");
        assert!((len.mean.unwrap() - 0.85).abs() < 1e-9);
        assert!((len.baseline_mean.unwrap() - 0.75).abs() < 1e-9);
        assert!((len.diff.unwrap() - 0.10).abs() < 1e-9);
        assert_eq!((len.improvements, len.regressions), (1, 1));
        let judge = &summary.scores[1];
        assert_eq!((judge.mean, judge.skipped), (None, 2));
        assert_eq!(summary.errors, 1);

        let text = summary.render();
        assert!(
            text.contains("after (replay task) compared to before:"),
            "{text}"
        );
        assert!(text.contains("85.00% (+10.00%) 'len'"), "{text}");
        assert!(text.contains("(1 improvements, 1 regressions)"), "{text}");
        assert!(text.contains("[2 of 2 skipped: no model]"), "{text}");
        assert!(text.contains("3 rows, 1 errors"), "{text}");
        assert!(text.contains("row c: server down"), "{text}");
    }

    #[test]
    fn a_baseline_is_read_from_btql_rows() {
        let rows: Vec<serde_json::Map<String, Value>> = vec![
            json!({"row_id": "a", "scores": {"len": 0.5, "judge": null}}),
            json!({"scores": {"len": 1.0}}),
        ]
        .into_iter()
        .map(|v| v.as_object().unwrap().clone())
        .collect();
        let baseline = Baseline::from_rows("b", &rows);
        assert_eq!(baseline.rows.len(), 1);
        assert_eq!(
            baseline.rows["a"],
            BTreeMap::from([("len".to_string(), 0.5)])
        );
    }

    #[test]
    fn percentages_are_padded_like_braintrust() {
        assert_eq!(percent(0.9123), "91.23%");
        assert_eq!(signed_percent(0.031), "+03.10%");
        assert_eq!(signed_percent(-0.2), "-20.00%");
    }

    #[test]
    fn experiments_side_by_side_have_a_column_each() {
        let a = Summary::new(
            &experiment("x", vec![row("a", &[("len", Some(0.5))])]),
            None,
        );
        let mut b = Summary::new(
            &experiment("y", vec![row("a", &[("len", Some(1.0))])]),
            None,
        );
        b.model = Some("offline".into());
        let table = render_side_by_side(&[a, b]);
        let lines: Vec<&str> = table.lines().collect();
        assert!(
            lines[0].contains('x') && lines[0].contains("offline"),
            "{table}"
        );
        assert!(
            lines[1].starts_with("len")
                && lines[1].contains("50.00%")
                && lines[1].contains("100.00%"),
            "{table}"
        );
    }
}
