//! `trellis eval`: runs an experiment over a dataset — the recorded answers
//! (`--task replay`) or new ones from the server (`--task live`, one
//! experiment per `--model`) — scores every row, stores the results as an
//! experiment, prints a Braintrust-style summary against `--baseline`, and
//! exits non-zero when a `--gate` fails, so it can be a CI step.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use clap::{Args, ValueEnum};
use indicatif::{ProgressBar, ProgressStyle};
use serde_json::json;
use trellis_agent::client::DEFAULT_SERVER_URL;
use trellis_agent::{ApiKey, ChatClient, ClientError, ModelChoice};
use trellis_api::btql::string_literal;
use trellis_eval::gate::{self, Gate};
use trellis_eval::judge::LlmJudge;
use trellis_eval::run::{self, Plan, Task};
use trellis_eval::suite::Suite;
use trellis_eval::summary::{render_side_by_side, Baseline, Summary};
use trellis_eval::EvalError;
use trellis_runtime::ScorerSet;
use trellis_trace::span::{now_unix_secs, rfc3339};

/// Where the custom (WASM) scorers are loaded from unless told otherwise.
const DEFAULT_SCORERS_DIR: &str = "plugins/dist/scorers";
/// Most baseline rows read (the server's BTQL row cap).
const MAX_BASELINE_ROWS: usize = 10_000;

#[derive(Debug, Args)]
pub(crate) struct EvalArgs {
    /// The dataset to evaluate (see `trellis dataset list`).
    #[arg(long)]
    dataset: String,
    /// The experiment's name (default: DATASET-TASK-TIMESTAMP). With several
    /// --model values, each experiment's name gets the model appended.
    #[arg(long)]
    name: Option<String>,
    /// Scorers to run, comma-separated: built-in (length_score,
    /// contains_clinical_metrics, mentions_medications,
    /// follows_medical_structure), llm_judge, or a WASM scorer's name.
    /// Default: the four built-ins and every WASM scorer.
    #[arg(long, value_delimiter = ',')]
    scorers: Option<Vec<String>>,
    /// `replay` scores the recorded answers without calling a model; `live`
    /// asks the server each question again.
    #[arg(long, value_enum, default_value_t = TaskArg::Replay)]
    task: TaskArg,
    /// With --task live: the model to ask (`offline`, `claude-...`);
    /// repeat to run one experiment per model and compare them.
    #[arg(long = "model")]
    models: Vec<String>,
    /// Compare with this earlier experiment (per-row improvements and
    /// regressions).
    #[arg(long)]
    baseline: Option<String>,
    /// Fail (exit 1) when a score's mean is below MIN: SCORER=MIN with MIN
    /// as 0.8 or 80%. Repeatable.
    #[arg(long = "gate", value_name = "SCORER=MIN")]
    gates: Vec<Gate>,
    /// Rows evaluated at once.
    #[arg(long, default_value_t = 4)]
    concurrency: usize,
    /// Print the summaries (and gate results) as JSON.
    #[arg(long)]
    json: bool,
    /// Directory of WASM scorers (`*.wasm` for the `scorer` world).
    #[arg(long, env = "TRELLIS_SCORERS")]
    scorer_plugins: Option<PathBuf>,
    /// Where compiled scorers are cached.
    #[arg(long, env = "TRELLIS_CACHE", default_value = super::worker::DEFAULT_CACHE)]
    cache: PathBuf,
    /// The model llm_judge asks (default: claude-sonnet-4-5 when
    /// ANTHROPIC_API_KEY is set, otherwise `offline`, which skips it).
    #[arg(long, env = "TRELLIS_JUDGE_MODEL")]
    judge_model: Option<String>,
    /// Base URL of the conversation server.
    #[arg(long, env = "TRELLIS_SERVER", default_value = DEFAULT_SERVER_URL)]
    server: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum TaskArg {
    Replay,
    Live,
}

pub(crate) async fn run(args: EvalArgs) -> anyhow::Result<ExitCode> {
    match evaluate(args).await {
        Ok(code) => Ok(code),
        Err(error) => {
            eprintln!("error: {error}");
            Ok(ExitCode::FAILURE)
        }
    }
}

async fn evaluate(args: EvalArgs) -> anyhow::Result<ExitCode> {
    if args.concurrency == 0 {
        anyhow::bail!("--concurrency must be at least 1");
    }
    let tasks: Vec<Task> = match args.task {
        TaskArg::Replay if !args.models.is_empty() => {
            anyhow::bail!("--model applies to --task live; --task replay scores the recorded answers without a model")
        }
        TaskArg::Replay => vec![Task::Replay],
        TaskArg::Live if args.models.is_empty() => vec![Task::Live { model: None }],
        TaskArg::Live => {
            for model in &args.models {
                model.parse::<ModelChoice>()?;
            }
            args.models
                .iter()
                .map(|m| Task::Live {
                    model: Some(m.clone()),
                })
                .collect()
        }
    };
    let client = ChatClient::new(&args.server)?.with_token(super::token()?);

    let scorer_set = load_scorers(args.scorer_plugins.clone(), args.cache.clone()).await?;
    let judge_choice = judge_choice(args.judge_model.as_deref(), &args.models)?;
    let suite = Suite::resolve(args.scorers.as_deref(), scorer_set, || {
        let api_key = env_nonempty("ANTHROPIC_API_KEY").map(ApiKey::new);
        LlmJudge::new(&judge_choice, api_key, env_nonempty("ANTHROPIC_BASE_URL"))
    })?;

    let dataset = match client.dataset(&args.dataset).await {
        Ok(dataset) => dataset,
        Err(ClientError::Api { status: 404, error }) => anyhow::bail!("{}", error.message),
        Err(other) => return Err(other.into()),
    };
    if dataset.rows.is_empty() {
        anyhow::bail!("dataset {:?} has no rows", args.dataset);
    }
    let baseline = match &args.baseline {
        Some(name) => Some(load_baseline(&client, name).await?),
        None => None,
    };

    let stamp = rfc3339(now_unix_secs())
        .chars()
        .filter(|c| c.is_ascii_digit())
        .take(14)
        .collect::<String>();
    let several = tasks.len() > 1;
    let mut summaries = Vec::new();
    for task in tasks {
        let base = args
            .name
            .clone()
            .unwrap_or_else(|| format!("{}-{}-{stamp}", args.dataset, task.label()));
        let experiment = match (several, task.model()) {
            (true, Some(model)) => format!("{base}-{model}"),
            _ => base,
        };
        let plan = Plan {
            experiment: experiment.clone(),
            dataset: args.dataset.clone(),
            task,
            concurrency: args.concurrency,
            baseline: args.baseline.clone(),
        };
        let progress = progress_bar(dataset.rows.len() as u64, &experiment);
        let result = run::run(&client, &suite, &plan, dataset.rows.clone(), |row| {
            if let Some(error) = &row.error {
                progress.println(format!("row {}: {error}", row.row_id));
            }
            progress.inc(1);
        })
        .await;
        progress.finish_and_clear();
        let experiment = result?;
        let summary = Summary::new(&experiment, baseline.as_ref());
        if !args.json {
            print!("{}", summary.render());
        }
        summaries.push(summary);
    }
    if several && !args.json {
        println!(
            "\nModels side by side:\n{}",
            render_side_by_side(&summaries)
        );
    }

    let verdicts = gate::check(&args.gates, &summaries);
    if args.json {
        println!(
            "{}",
            serde_json::to_string_pretty(&json!({
                "experiments": summaries,
                "gates": verdicts,
            }))?
        );
    }
    for verdict in &verdicts {
        if verdict.passed {
            if !args.json {
                println!("{}", verdict.message);
            }
        } else {
            eprintln!("{}", verdict.message);
        }
    }
    let failed = verdicts.iter().filter(|v| !v.passed).count();
    if failed > 0 {
        eprintln!("error: {failed} of {} gate checks failed", verdicts.len());
        return Ok(ExitCode::FAILURE);
    }
    let all_failed: Vec<&str> = summaries
        .iter()
        .filter(|s| s.errors == s.rows)
        .map(|s| s.experiment.as_str())
        .collect();
    if !all_failed.is_empty() {
        eprintln!(
            "error: every row failed in {}; nothing was scored there",
            all_failed.join(", ")
        );
        return Ok(ExitCode::FAILURE);
    }
    Ok(ExitCode::SUCCESS)
}

/// The WASM scorers: from `dir` when given (it must exist), otherwise from
/// the default directory when it exists.
async fn load_scorers(
    dir: Option<PathBuf>,
    cache: PathBuf,
) -> anyhow::Result<Option<Arc<ScorerSet>>> {
    let explicit = dir.is_some();
    let dir = dir.unwrap_or_else(|| PathBuf::from(DEFAULT_SCORERS_DIR));
    if !explicit && !dir.is_dir() {
        tracing::debug!("no WASM scorers: {} does not exist", dir.display());
        return Ok(None);
    }
    let set = tokio::task::spawn_blocking(move || ScorerSet::load(&dir, Some(&cache)))
        .await?
        .map_err(|e| EvalError::Scorers(e.to_string()))?;
    for (path, reason) in set.rejected() {
        eprintln!("warning: scorer {} not loaded: {reason}", path.display());
    }
    Ok(Some(Arc::new(set)))
}

/// The model llm_judge uses: `--judge-model`, else (with an API key) the
/// first Claude model among `--model` or the default Claude model, else
/// `offline` (which skips the judge and says so).
fn judge_choice(flag: Option<&str>, models: &[String]) -> anyhow::Result<ModelChoice> {
    if let Some(model) = flag {
        return Ok(model.parse()?);
    }
    if env_nonempty("ANTHROPIC_API_KEY").is_none() {
        return Ok(ModelChoice::Offline);
    }
    let claude = models
        .iter()
        .filter_map(|m| m.parse::<ModelChoice>().ok())
        .find(|c| matches!(c, ModelChoice::Anthropic { .. }));
    Ok(claude.unwrap_or_else(LlmJudge::default_model))
}

/// The per-row scores of experiment `name`.
async fn load_baseline(client: &ChatClient, name: &str) -> anyhow::Result<Baseline> {
    match client.experiment(name).await {
        Ok(_) => {}
        Err(ClientError::Api { status: 404, .. }) => {
            anyhow::bail!("baseline experiment {name:?} not found (see GET /api/experiments)")
        }
        Err(other) => return Err(other.into()),
    }
    let query = format!(
        "SELECT metadata.dataset_row_id AS row_id, scores FROM experiment({}) \
         WHERE span_attributes.type = 'eval' LIMIT {MAX_BASELINE_ROWS}",
        string_literal(name)
    );
    let rows = client.btql(&query).await?.data;
    Ok(Baseline::from_rows(name, &rows))
}

fn progress_bar(rows: u64, experiment: &str) -> ProgressBar {
    let bar = ProgressBar::new(rows);
    if let Ok(style) =
        ProgressStyle::with_template("{msg} [{bar:30}] {pos}/{len} rows ({elapsed}, eta {eta})")
    {
        bar.set_style(style.progress_chars("=> "));
    }
    bar.set_message(experiment.to_string());
    bar
}

fn env_nonempty(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}
