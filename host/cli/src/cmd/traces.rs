//! `trellis traces`: read traces from the server's store.
//!
//! `show TRACE_ID` prints one trace as an indented tree. The other
//! subcommands are the seed's canned BTQL queries, sent to the server's
//! `POST /btql` and printed as tables (`--json` prints the raw rows):
//! `recent`, `search`, `tools`, `since`, `low-scores`, `conversation`, and
//! `query` for any query.

use std::process::ExitCode;

use clap::{Args, Subcommand};
use serde_json::{json, Map, Value};
use trellis_agent::client::DEFAULT_SERVER_URL;
use trellis_agent::{ChatClient, ClientError};
use trellis_api::btql::{contains_pattern, string_literal as literal};
use trellis_trace::propagation::DEFAULT_PROJECT;

use crate::table;

/// The root span `trellis ask` logs each conversation under.
const CONVERSATION_SPAN: &str = "client_conversation";
/// Rows listed unless `--limit` says otherwise.
const DEFAULT_ROWS: u64 = 10;

#[derive(Debug, Args)]
pub(crate) struct TracesArgs {
    #[command(subcommand)]
    command: TracesCommand,
}

#[derive(Debug, Subcommand)]
enum TracesCommand {
    /// Print one trace as a tree (`trellis ask` prints the id).
    Show(ShowArgs),
    /// The most recent conversations: question, answer, trace id.
    Recent(RecentArgs),
    /// Conversations whose question contains TEXT (case-insensitive).
    Search(SearchArgs),
    /// Per tool: calls, mean and 95th-percentile duration, error rate.
    Tools(ToolsArgs),
    /// Conversations of the last HOURS hours.
    Since(SinceArgs),
    /// Spans whose score SCORE is below a threshold, lowest first.
    LowScores(LowScoresArgs),
    /// One conversation: its turns, model and tool calls, durations, tokens.
    Conversation(ConversationArgs),
    /// Run any BTQL query (SQL or pipe dialect) and print its rows.
    Query(QueryArgs),
}

#[derive(Debug, Args)]
struct ShowArgs {
    /// The trace id: 32 hex digits.
    trace_id: String,
    /// Base URL of the conversation server that stores the trace.
    #[arg(long, env = "TRELLIS_SERVER", default_value = DEFAULT_SERVER_URL)]
    server: String,
    /// Print the tree as JSON (`GET /api/traces/{trace_id}`) instead.
    #[arg(long)]
    json: bool,
}

/// Where a canned query runs and how its rows are printed.
#[derive(Debug, Args)]
struct Target {
    /// Base URL of the conversation server that stores the traces.
    #[arg(long, env = "TRELLIS_SERVER", default_value = DEFAULT_SERVER_URL)]
    server: String,
    /// The project whose traces are queried.
    #[arg(long, env = "TRELLIS_PROJECT", default_value = DEFAULT_PROJECT)]
    project: String,
    /// Print the raw rows as JSON instead of a table.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Args)]
struct RecentArgs {
    /// How many conversations to list.
    #[arg(long, default_value_t = DEFAULT_ROWS)]
    limit: u64,
    #[command(flatten)]
    target: Target,
}

#[derive(Debug, Args)]
struct SearchArgs {
    /// Text the question contains.
    text: String,
    /// How many conversations to list.
    #[arg(long, default_value_t = DEFAULT_ROWS)]
    limit: u64,
    #[command(flatten)]
    target: Target,
}

#[derive(Debug, Args)]
struct ToolsArgs {
    #[command(flatten)]
    target: Target,
}

#[derive(Debug, Args)]
struct SinceArgs {
    /// How many hours back to look.
    hours: u32,
    /// How many conversations to list.
    #[arg(long, default_value_t = 100)]
    limit: u64,
    #[command(flatten)]
    target: Target,
}

#[derive(Debug, Args)]
struct LowScoresArgs {
    /// The score's name, e.g. `health_risk` (a key of the spans' `scores`).
    score: String,
    /// List spans whose score is below this.
    #[arg(long, default_value_t = 0.5)]
    below: f64,
    /// How many spans to list.
    #[arg(long, default_value_t = DEFAULT_ROWS)]
    limit: u64,
    #[command(flatten)]
    target: Target,
}

#[derive(Debug, Args)]
struct ConversationArgs {
    /// A trace id (32 hex digits) or a conversation id, as `trellis ask`
    /// prints them.
    id: String,
    #[command(flatten)]
    target: Target,
}

#[derive(Debug, Args)]
struct QueryArgs {
    /// The query, e.g. "SELECT span_attributes.name FROM
    /// project_logs('trellis-demo') LIMIT 5".
    query: String,
    /// Base URL of the conversation server that stores the traces.
    #[arg(long, env = "TRELLIS_SERVER", default_value = DEFAULT_SERVER_URL)]
    server: String,
    /// Print the raw rows as JSON instead of a table.
    #[arg(long)]
    json: bool,
}

type Row = Map<String, Value>;

pub(crate) async fn run(args: TracesArgs) -> anyhow::Result<ExitCode> {
    match args.command {
        TracesCommand::Show(args) => show(args).await,
        TracesCommand::Recent(args) => {
            let query = conversations(&args.target.project, None, args.limit);
            list_conversations(&args.target, &query).await
        }
        TracesCommand::Search(args) => {
            let filter = format!(
                "output.patient_query ILIKE {}",
                contains_pattern(&args.text)
            );
            let query = conversations(&args.target.project, Some(&filter), args.limit);
            list_conversations(&args.target, &query).await
        }
        TracesCommand::Since(args) => {
            let filter = format!("created > now() - interval {} hour", args.hours);
            let query = conversations(&args.target.project, Some(&filter), args.limit);
            list_conversations(&args.target, &query).await
        }
        TracesCommand::Tools(args) => tools(args).await,
        TracesCommand::LowScores(args) => low_scores(args).await,
        TracesCommand::Conversation(args) => conversation(args).await,
        TracesCommand::Query(args) => query(args).await,
    }
}

async fn show(args: ShowArgs) -> anyhow::Result<ExitCode> {
    let id = args.trace_id.trim().to_ascii_lowercase();
    if !is_trace_id(&id) {
        eprintln!(
            "error: `{}` is not a trace id (32 hex digits, as `trellis ask` prints)",
            args.trace_id
        );
        return Ok(ExitCode::FAILURE);
    }
    let client = ChatClient::new(&args.server)?.with_token(super::token()?);
    let tree = match client.trace(&id).await {
        Ok(tree) => tree,
        Err(ClientError::Api { status: 404, .. }) => {
            eprintln!(
                "error: trace {id} not found on the Trellis server at {} (spans can take a moment to arrive; check the id and --server)",
                client.base_url()
            );
            return Ok(ExitCode::FAILURE);
        }
        Err(err @ ClientError::ServerUnreachable { .. }) => {
            eprintln!("error: {err}");
            return Ok(ExitCode::FAILURE);
        }
        Err(err) => return Err(err.into()),
    };
    if args.json {
        println!("{}", serde_json::to_string_pretty(&tree)?);
    } else {
        print!("{}", tree.render());
    }
    Ok(ExitCode::SUCCESS)
}

/// The columns of a conversation list.
const CONVERSATION_COLUMNS: [&str; 5] = [
    "created",
    "conversation_id",
    "patient_query",
    "final_response",
    "trace_id",
];

/// Conversations of `project` (newest first) matching `filter`.
fn conversations(project: &str, filter: Option<&str>, limit: u64) -> String {
    let filter = filter.map(|f| format!(" AND {f}")).unwrap_or_default();
    format!(
        "SELECT created, output.conversation_id, output.patient_query, output.final_response, \
         root_span_id AS trace_id FROM {} WHERE span_attributes.name = {}{filter} \
         ORDER BY created DESC LIMIT {limit}",
        project_logs(project, None),
        literal(CONVERSATION_SPAN),
    )
}

async fn list_conversations(target: &Target, query: &str) -> anyhow::Result<ExitCode> {
    let Some(rows) = fetch(&target.server, query).await? else {
        return Ok(ExitCode::FAILURE);
    };
    if target.json {
        return print_json(&rows);
    }
    let cells = rows
        .iter()
        .map(|row| {
            CONVERSATION_COLUMNS
                .iter()
                .map(|c| match *c {
                    "created" => table::timestamp(row.get(*c)),
                    _ => table::cell(row.get(*c)),
                })
                .collect()
        })
        .collect::<Vec<_>>();
    print!("{}", table::render(&CONVERSATION_COLUMNS, &cells));
    Ok(ExitCode::SUCCESS)
}

async fn tools(args: ToolsArgs) -> anyhow::Result<ExitCode> {
    let query = format!(
        "SELECT span_attributes.name AS tool, count(*) AS calls, \
         avg(metrics.end - metrics.start) * 1000 AS mean_ms, \
         percentile(metrics.end - metrics.start, 0.95) * 1000 AS p95_ms, \
         avg(error IS NOT NULL) AS error_rate \
         FROM {} WHERE span_attributes.type = 'tool' \
         GROUP BY span_attributes.name ORDER BY calls DESC, tool",
        project_logs(&args.target.project, None)
    );
    let Some(rows) = fetch(&args.target.server, &query).await? else {
        return Ok(ExitCode::FAILURE);
    };
    if args.target.json {
        return print_json(&rows);
    }
    let headers = ["tool", "calls", "mean_ms", "p95_ms", "errors"];
    let cells = rows
        .iter()
        .map(|row| {
            vec![
                table::cell(row.get("tool")),
                table::cell(row.get("calls")),
                decimal(row.get("mean_ms"), 1),
                decimal(row.get("p95_ms"), 1),
                row.get("error_rate")
                    .and_then(Value::as_f64)
                    .map(|r| format!("{}%", table::number(r * 100.0, 1)))
                    .unwrap_or_default(),
            ]
        })
        .collect::<Vec<_>>();
    print!("{}", table::render(&headers, &cells));
    Ok(ExitCode::SUCCESS)
}

async fn low_scores(args: LowScoresArgs) -> anyhow::Result<ExitCode> {
    let score = args.score.trim();
    if score.is_empty() || score.contains(['"', '`']) || score.chars().any(char::is_control) {
        eprintln!(
            "error: `{}` is not a score name (a key of the spans' `scores`, e.g. health_risk)",
            args.score
        );
        return Ok(ExitCode::FAILURE);
    }
    if !args.below.is_finite() {
        eprintln!("error: --below must be a number");
        return Ok(ExitCode::FAILURE);
    }
    let query = format!(
        "SELECT created, span_attributes.name AS span, span_attributes.type AS type, \
         scores.\"{score}\" AS score, root_span_id AS trace_id FROM {} \
         WHERE scores.\"{score}\" < {} ORDER BY score ASC, created DESC LIMIT {}",
        project_logs(&args.target.project, None),
        args.below,
        args.limit
    );
    let Some(rows) = fetch(&args.target.server, &query).await? else {
        return Ok(ExitCode::FAILURE);
    };
    if args.target.json {
        return print_json(&rows);
    }
    let headers = ["created", "span", "type", "score", "trace_id"];
    let cells = rows
        .iter()
        .map(|row| {
            vec![
                table::timestamp(row.get("created")),
                table::cell(row.get("span")),
                table::cell(row.get("type")),
                table::cell(row.get("score")),
                table::cell(row.get("trace_id")),
            ]
        })
        .collect::<Vec<_>>();
    print!("{}", table::render(&headers, &cells));
    Ok(ExitCode::SUCCESS)
}

async fn conversation(args: ConversationArgs) -> anyhow::Result<ExitCode> {
    let id = args.id.trim();
    let filter = if is_trace_id(&id.to_ascii_lowercase()) {
        format!("root_span_id = {}", literal(&id.to_ascii_lowercase()))
    } else {
        format!("output.conversation_id = {}", literal(id))
    };
    let project = &args.target.project;
    let summary = format!(
        "SELECT root_span_id AS trace_id, created, span_attributes.name AS name, \
         output.conversation_id, output.turns, metrics.tokens, metrics.prompt_tokens, \
         metrics.completion_tokens, metrics.llm_calls, metrics.tool_calls, metrics.errors, \
         metrics.duration FROM {} WHERE {filter} ORDER BY created DESC LIMIT 1",
        project_logs(project, Some("summary"))
    );
    let Some(rows) = fetch(&args.target.server, &summary).await? else {
        return Ok(ExitCode::FAILURE);
    };
    let Some(summary) = rows.into_iter().next() else {
        eprintln!("error: no conversation `{id}` in project `{project}` (check the id, --project and --server)");
        return Ok(ExitCode::FAILURE);
    };
    let trace_id = table::cell(summary.get("trace_id"));
    let calls = format!(
        "SELECT span_attributes.type AS type, span_attributes.name AS name, \
         (metrics.end - metrics.start) * 1000 AS duration_ms, metadata.model, \
         metrics.prompt_tokens, metrics.completion_tokens, error FROM {} \
         WHERE root_span_id = {} AND span_attributes.type IN ('llm', 'tool') \
         ORDER BY metrics.start ASC LIMIT 1000",
        project_logs(project, None),
        literal(&trace_id)
    );
    let Some(calls) = fetch(&args.target.server, &calls).await? else {
        return Ok(ExitCode::FAILURE);
    };
    if args.target.json {
        println!(
            "{}",
            serde_json::to_string_pretty(&json!({ "summary": summary, "calls": calls }))?
        );
        return Ok(ExitCode::SUCCESS);
    }
    print!("{}", render_conversation(&summary, &calls));
    Ok(ExitCode::SUCCESS)
}

/// One conversation for a terminal: a summary line, its turns, then its
/// model and tool calls in the order they started.
fn render_conversation(summary: &Row, calls: &[Row]) -> String {
    let count = |key: &str| summary.get(key).and_then(Value::as_u64).unwrap_or(0);
    let plural = |n: u64, one: &str| format!("{n} {one}{}", if n == 1 { "" } else { "s" });
    let turns = summary
        .get("turns")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let mut out = String::new();
    let conversation_id = table::cell(summary.get("conversation_id"));
    out.push_str(&format!(
        "conversation {} · trace {} · {}\n",
        if conversation_id.is_empty() {
            "(none)"
        } else {
            &conversation_id
        },
        table::cell(summary.get("trace_id")),
        table::timestamp(summary.get("created")),
    ));
    out.push_str(&format!(
        "{} · {} · {} · {} ({} prompt + {} completion) · {} · {} s\n",
        plural(turns.len() as u64, "turn"),
        plural(count("llm_calls"), "model call"),
        plural(count("tool_calls"), "tool call"),
        plural(count("tokens"), "token"),
        count("prompt_tokens"),
        count("completion_tokens"),
        plural(count("errors"), "error"),
        decimal(summary.get("duration"), 2),
    ));
    if !turns.is_empty() {
        out.push_str("\nturns\n");
        let cells = turns
            .iter()
            .enumerate()
            .map(|(i, turn)| {
                vec![
                    (i + 1).to_string(),
                    table::cell(turn.get("query")),
                    table::cell(turn.get("response")),
                ]
            })
            .collect::<Vec<_>>();
        out.push_str(&table::render(&["#", "question", "response"], &cells));
    }
    out.push_str("\ncalls\n");
    let cells = calls
        .iter()
        .map(|row| {
            let tokens = match (
                row.get("prompt_tokens").and_then(Value::as_u64),
                row.get("completion_tokens").and_then(Value::as_u64),
            ) {
                (None, None) => String::new(),
                (p, c) => (p.unwrap_or(0) + c.unwrap_or(0)).to_string(),
            };
            vec![
                table::cell(row.get("type")),
                table::cell(row.get("name")),
                decimal(row.get("duration_ms"), 1),
                table::cell(row.get("model")),
                tokens,
                table::cell(row.get("error")),
            ]
        })
        .collect::<Vec<_>>();
    out.push_str(&table::render(
        &["type", "name", "duration_ms", "model", "tokens", "error"],
        &cells,
    ));
    out
}

async fn query(args: QueryArgs) -> anyhow::Result<ExitCode> {
    let Some(rows) = fetch(&args.server, &args.query).await? else {
        return Ok(ExitCode::FAILURE);
    };
    if args.json {
        return print_json(&rows);
    }
    let columns = table::columns(&rows);
    let headers: Vec<&str> = columns.iter().map(String::as_str).collect();
    print!(
        "{}",
        table::render(&headers, &table::cells(&rows, &headers))
    );
    Ok(ExitCode::SUCCESS)
}

/// Runs `query` on the server at `server`. `None` when it failed in a way
/// the user can fix (a bad query, an unknown project, no server), after
/// printing why on one line.
async fn fetch(server: &str, query: &str) -> anyhow::Result<Option<Vec<Row>>> {
    let client = match ChatClient::new(server) {
        Ok(client) => client.with_token(super::token()?),
        Err(err @ ClientError::InvalidUrl { .. }) => {
            eprintln!("error: {err}");
            return Ok(None);
        }
        Err(err) => return Err(err.into()),
    };
    match client.btql(query).await {
        Ok(response) => {
            for warning in &response.warnings {
                eprintln!("warning: {warning}");
            }
            Ok(Some(response.data))
        }
        Err(ClientError::Api { error, .. }) => {
            eprintln!("error: {}", error.message);
            Ok(None)
        }
        Err(err @ ClientError::ServerUnreachable { .. }) => {
            eprintln!("error: {err}");
            Ok(None)
        }
        Err(err) => Err(err.into()),
    }
}

fn print_json(rows: &[Row]) -> anyhow::Result<ExitCode> {
    println!("{}", serde_json::to_string_pretty(rows)?);
    Ok(ExitCode::SUCCESS)
}

/// `project_logs('project')`, with a shape when given.
fn project_logs(project: &str, shape: Option<&str>) -> String {
    match shape {
        Some(shape) => format!(
            "project_logs({}, shape => {})",
            literal(project),
            literal(shape)
        ),
        None => format!("project_logs({})", literal(project)),
    }
}

/// `text` as a BTQL string literal: the server binds it as a parameter, so
/// quoting is all it needs.
fn is_trace_id(id: &str) -> bool {
    id.len() == 32 && id.bytes().all(|b| b.is_ascii_hexdigit())
}

/// A number with exactly `decimals` decimals, so a column lines up on the
/// point; empty when missing.
fn decimal(value: Option<&Value>, decimals: usize) -> String {
    value
        .and_then(Value::as_f64)
        .map(|v| format!("{v:.decimals$}"))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn user_text_is_quoted_for_btql() {
        assert_eq!(literal("it's"), "'it''s'");
        assert_eq!(
            project_logs("o'brien", Some("summary")),
            "project_logs('o''brien', shape => 'summary')"
        );
    }

    #[test]
    fn canned_queries_parse() {
        for query in [
            conversations("trellis-demo", None, 10),
            conversations(
                "trellis-demo",
                Some("output.patient_query ILIKE '%thirst%'"),
                5,
            ),
            conversations("p", Some("created > now() - interval 24 hour"), 100),
        ] {
            query
                .parse::<trellis_trace::btql::Query>()
                .unwrap_or_else(|e| panic!("{query}: {e}"));
        }
    }

    #[test]
    fn timestamps_print_to_the_second() {
        assert_eq!(
            table::timestamp(Some(&json!("2025-05-01T12:34:56.789Z"))),
            "2025-05-01 12:34:56"
        );
        assert_eq!(table::timestamp(Some(&json!("soon"))), "soon");
    }
}
