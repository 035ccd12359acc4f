//! Runs one experiment: every row of a dataset through a task, every
//! scorer over the task's output, and the results stored on the server as
//! the experiment's spans, Braintrust-style:
//!
//! ```text
//! eval                      one per row: input, output, expected, scores
//! ├─ task                   replay: the recorded answer; live: a new turn
//! └─ <scorer>               one per score: its value or why it skipped
//! ```
//!
//! `replay` validates production answers without calling a model (the
//! answer is the row's `expected.final_response`); `live` asks the server
//! the row's question again (with the requested model), which produces a
//! new trace whose id the task span records.

use std::time::Instant;

use futures::stream::{self, StreamExt};
use serde::Serialize;
use serde_json::{json, Map, Value};
use trellis_agent::ChatClient;
use trellis_api::chat::ChatRequest;
use trellis_api::objects::{DatasetRow, NewExperiment};
use trellis_trace::{Span, SpanRecord, SpanType};

use crate::score::{NamedScore, Score, ScoreInput};
use crate::suite::Suite;
use crate::EvalError;

/// Spans sent to the server per request.
const SPANS_PER_REQUEST: usize = 500;

/// What produces the output a row is scored on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Task {
    /// The row's recorded answer (`expected.final_response`).
    Replay,
    /// A new turn on the server; `model` overrides the server's model.
    Live { model: Option<String> },
}

impl Task {
    /// `replay` or `live`.
    pub fn label(&self) -> &'static str {
        match self {
            Task::Replay => "replay",
            Task::Live { .. } => "live",
        }
    }

    /// The model a live task asks for.
    pub fn model(&self) -> Option<&str> {
        match self {
            Task::Replay => None,
            Task::Live { model } => model.as_deref(),
        }
    }
}

/// One experiment to run.
#[derive(Debug, Clone)]
pub struct Plan {
    /// The experiment's name (must be new on the server).
    pub experiment: String,
    /// The dataset its rows come from.
    pub dataset: String,
    pub task: Task,
    /// Rows in flight at once (at least 1).
    pub concurrency: usize,
    /// The experiment this one is compared with, recorded in its metadata.
    pub baseline: Option<String>,
}

/// The outcome of one row.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RowResult {
    /// The dataset row's id.
    pub row_id: String,
    pub input: Value,
    /// The output scored; `None` when the task failed.
    pub output: Option<String>,
    pub expected: Value,
    pub scores: Vec<NamedScore>,
    /// Why the task failed, if it did.
    pub error: Option<String>,
    /// The trace a live task produced.
    pub trace_id: Option<String>,
    /// The eval span's id (its trace id) in the experiment.
    pub eval_trace_id: String,
}

/// A finished experiment.
#[derive(Debug, Clone, Serialize)]
pub struct Experiment {
    pub name: String,
    pub dataset: String,
    /// `replay` or `live`.
    pub task: String,
    /// The model a live task asked for (`None`: the server's own).
    pub model: Option<String>,
    /// The scorers run.
    pub scorers: Vec<String>,
    /// One result per dataset row, in the dataset's order.
    pub rows: Vec<RowResult>,
}

/// Runs `plan` over `rows`: registers the experiment, runs the rows with
/// `plan.concurrency` in flight, stores their spans, and returns the
/// results. `on_row` is called as each row finishes (for a progress bar).
pub async fn run(
    client: &ChatClient,
    suite: &Suite,
    plan: &Plan,
    rows: Vec<DatasetRow>,
    on_row: impl Fn(&RowResult),
) -> Result<Experiment, EvalError> {
    let scorers = suite.names();
    client
        .create_experiment(&NewExperiment {
            name: plan.experiment.clone(),
            dataset: Some(plan.dataset.clone()),
            metadata: json!({
                "task": plan.task.label(),
                "model": plan.task.model(),
                "scorers": scorers,
                "base_experiment": plan.baseline,
                "rows": rows.len(),
            }),
        })
        .await
        .map_err(|error| EvalError::experiment_exists_or(&plan.experiment, error))?;

    let mut finished: Vec<(usize, RowResult, Vec<SpanRecord>)> =
        stream::iter(rows.into_iter().enumerate())
            .map(|(index, row)| async move {
                let (result, spans) = run_row(client, suite, plan, row).await;
                (index, result, spans)
            })
            .buffer_unordered(plan.concurrency.max(1))
            .inspect(|(_, result, _)| on_row(result))
            .collect()
            .await;
    finished.sort_by_key(|(index, _, _)| *index);

    let spans: Vec<SpanRecord> = finished
        .iter_mut()
        .flat_map(|(_, _, spans)| std::mem::take(spans))
        .collect();
    for chunk in spans.chunks(SPANS_PER_REQUEST) {
        client
            .insert_experiment_spans(&plan.experiment, chunk)
            .await?;
    }
    Ok(Experiment {
        name: plan.experiment.clone(),
        dataset: plan.dataset.clone(),
        task: plan.task.label().to_string(),
        model: plan.task.model().map(str::to_string),
        scorers,
        rows: finished.into_iter().map(|(_, result, _)| result).collect(),
    })
}

/// Runs one row: the task, then every scorer, all recorded as spans.
async fn run_row(
    client: &ChatClient,
    suite: &Suite,
    plan: &Plan,
    row: DatasetRow,
) -> (RowResult, Vec<SpanRecord>) {
    let mut eval = Span::root("eval", SpanType::Eval).with_project(plan.experiment.clone());
    eval.log_input(row.input.clone());
    eval.log_expected(row.expected.clone());
    eval.log_metadata_value(json!({
        "dataset": plan.dataset,
        "dataset_row_id": row.id,
        "task": plan.task.label(),
        "model": plan.task.model(),
        "row_metadata": row.metadata,
    }));
    for tag in &row.tags {
        eval.add_tag(tag.clone());
    }

    let mut task = eval.child("task", SpanType::Task);
    task.log_input(row.input.clone());
    let started = Instant::now();
    let outcome = run_task(client, &plan.task, &row).await;
    task.log_metrics([("duration_ms", started.elapsed().as_secs_f64() * 1000.0)]);
    let mut spans = Vec::new();
    let mut result = RowResult {
        row_id: row.id.clone(),
        input: row.input.clone(),
        output: None,
        expected: row.expected.clone(),
        scores: Vec::new(),
        error: None,
        trace_id: None,
        eval_trace_id: eval.trace_id().to_string(),
    };
    match outcome {
        Ok(answer) => {
            task.log_output(json!(answer.output));
            if let Some(trace_id) = &answer.trace_id {
                task.log_metadata_value(json!({
                    "trace_id": trace_id,
                    "conversation_id": answer.conversation_id,
                    "model": answer.model,
                }));
            }
            spans.push(task.end());
            let case = ScoreInput {
                input: row.input.clone(),
                output: answer.output.clone(),
                expected: (!row.expected.is_null()).then(|| row.expected.clone()),
                metadata: row.metadata.clone(),
            };
            let scores = suite.score(&case).await;
            let mut skipped = Map::new();
            for named in &scores {
                let mut span = eval.child(named.name.clone(), SpanType::Score);
                span.log_input(json!({"output": answer.output}));
                span.log_output(serde_json::to_value(named).unwrap_or(Value::Null));
                match &named.score {
                    Score::Scored { value, .. } => {
                        span.log_score(named.name.clone(), *value);
                        eval.log_score(named.name.clone(), *value);
                    }
                    Score::Skipped { reason } => {
                        skipped.insert(named.name.clone(), json!(reason));
                    }
                }
                spans.push(span.end());
            }
            if !skipped.is_empty() {
                eval.log_metadata_value(json!({ "skipped": skipped }));
            }
            eval.log_output(json!(answer.output));
            result.output = Some(answer.output);
            result.trace_id = answer.trace_id;
            result.scores = scores;
        }
        Err(error) => {
            task.set_error(error.clone());
            spans.push(task.end());
            eval.set_error(error.clone());
            result.error = Some(error);
        }
    }
    spans.push(eval.end());
    (result, spans)
}

/// What a task produced.
struct Answer {
    output: String,
    trace_id: Option<String>,
    conversation_id: Option<String>,
    model: Option<String>,
}

/// Runs the task for `row`; the error is a message for the row's result.
async fn run_task(client: &ChatClient, task: &Task, row: &DatasetRow) -> Result<Answer, String> {
    match task {
        Task::Replay => recorded_answer(&row.expected)
            .map(|output| Answer {
                output,
                trace_id: None,
                conversation_id: None,
                model: None,
            })
            .ok_or_else(|| {
                format!(
                    "row `{}` has no recorded answer to replay (expected.final_response); use --task live",
                    row.id
                )
            }),
        Task::Live { model } => {
            let question = question(&row.input).ok_or_else(|| {
                format!(
                    "row `{}` has no question to ask (input.patient_query or a string input)",
                    row.id
                )
            })?;
            let request = ChatRequest {
                message: question,
                conversation_id: None,
                model: model.clone(),
            };
            let response = client
                .chat_request(&request, &Default::default())
                .await
                .map_err(|error| error.to_string())?;
            Ok(Answer {
                output: response.response,
                trace_id: Some(response.trace_id),
                conversation_id: Some(response.conversation_id),
                model: Some(response.model),
            })
        }
    }
}

/// The recorded answer of a row: `expected.final_response`, or `expected`
/// itself when it is a string.
fn recorded_answer(expected: &Value) -> Option<String> {
    expected
        .get("final_response")
        .unwrap_or(expected)
        .as_str()
        .map(str::to_string)
}

/// The question of a row: `input.patient_query`, or `input` itself when it
/// is a string.
fn question(input: &Value) -> Option<String> {
    input
        .get("patient_query")
        .unwrap_or(input)
        .as_str()
        .map(str::trim)
        .filter(|q| !q.is_empty())
        .map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_recorded_answer_and_the_question_are_read_from_either_shape() {
        assert_eq!(
            recorded_answer(&json!({"final_response": "BMI 30.9"})).as_deref(),
            Some("BMI 30.9")
        );
        assert_eq!(recorded_answer(&json!("plain")).as_deref(), Some("plain"));
        assert_eq!(recorded_answer(&json!({"answer": "x"})), None);
        assert_eq!(recorded_answer(&Value::Null), None);
        assert_eq!(
            question(&json!({"patient_query": " thirst? "})).as_deref(),
            Some("thirst?")
        );
        assert_eq!(question(&json!("direct")).as_deref(), Some("direct"));
        assert_eq!(question(&json!({"patient_query": "  "})), None);
    }
}
