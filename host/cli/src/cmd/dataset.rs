//! `trellis dataset`: eval datasets on the conversation server — built from
//! logged conversations, listed, shown, exported and imported as JSONL, and
//! deleted.

use std::io::{BufRead, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Subcommand};
use trellis_agent::client::DEFAULT_SERVER_URL;
use trellis_agent::{ChatClient, ClientError};
use trellis_api::objects::{InsertRowsRequest, NewDatasetRow};
use trellis_eval::from_logs::{self, Selection, DEFAULT_COMPLEX_SCAN, DEFAULT_TAGS};
use trellis_trace::propagation::DEFAULT_PROJECT;

use crate::table;

/// Rows sent per request when importing.
const IMPORT_BATCH: usize = 500;

#[derive(Debug, Args)]
pub(crate) struct DatasetArgs {
    #[command(subcommand)]
    command: DatasetCommand,
    /// Base URL of the conversation server that stores the datasets.
    #[arg(long, global = true, env = "TRELLIS_SERVER", default_value = DEFAULT_SERVER_URL)]
    server: String,
}

#[derive(Debug, Subcommand)]
enum DatasetCommand {
    /// Build a dataset from logged conversations (recent, matching a term,
    /// or multi-tool). Rows are keyed by conversation id: running it again
    /// adds only new conversations.
    FromLogs(FromLogsArgs),
    /// List the datasets.
    List(ListArgs),
    /// Print a dataset's rows.
    Show(ShowArgs),
    /// Write a dataset's rows as JSONL (one row per line) to stdout or a file.
    Export(ExportArgs),
    /// Add the rows of a JSONL file to a dataset (created if missing).
    Import(ImportArgs),
    /// Delete a dataset and its rows.
    Delete(DeleteArgs),
}

#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("mode").required(true).args(["recent", "search", "complex"])))]
struct FromLogsArgs {
    /// The dataset to add rows to (created if missing).
    #[arg(long)]
    name: String,
    /// Take the N most recent conversations.
    #[arg(long, value_name = "N")]
    recent: Option<usize>,
    /// Take conversations whose question contains TERM (case-insensitive).
    #[arg(long, value_name = "TERM")]
    search: Option<String>,
    /// Take conversations that used at least two distinct tools.
    #[arg(long)]
    complex: bool,
    /// Most rows taken by --search and --complex.
    #[arg(long, default_value_t = 10)]
    limit: usize,
    /// How many recent conversations --complex looks through.
    #[arg(long, default_value_t = DEFAULT_COMPLEX_SCAN)]
    scan: usize,
    /// Tags for the rows, comma-separated.
    #[arg(long, value_delimiter = ',', default_values_t = DEFAULT_TAGS.map(String::from))]
    tags: Vec<String>,
    /// A description of the dataset.
    #[arg(long)]
    description: Option<String>,
    /// The project whose logs are read.
    #[arg(long, env = "TRELLIS_PROJECT", default_value = DEFAULT_PROJECT)]
    project: String,
}

#[derive(Debug, Args)]
struct ListArgs {
    /// Print JSON instead of a table.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Args)]
struct ShowArgs {
    /// The dataset's name.
    name: String,
    /// Print JSON (`GET /api/datasets/{name}`) instead of a table.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Args)]
struct ExportArgs {
    /// The dataset's name.
    name: String,
    /// Write to this file instead of stdout.
    #[arg(long, short)]
    output: Option<PathBuf>,
}

#[derive(Debug, Args)]
struct ImportArgs {
    /// The dataset to add rows to.
    name: String,
    /// A JSONL file: one `{"input", "expected", "metadata", "tags", "id"}`
    /// object per line (only `input` is required); `-` reads stdin.
    file: PathBuf,
}

#[derive(Debug, Args)]
struct DeleteArgs {
    /// The dataset's name.
    name: String,
}

pub(crate) async fn run(args: DatasetArgs) -> anyhow::Result<ExitCode> {
    let client = ChatClient::new(&args.server)?.with_token(super::token()?);
    let result = match args.command {
        DatasetCommand::FromLogs(args) => from_logs(&client, args).await,
        DatasetCommand::List(args) => list(&client, args).await,
        DatasetCommand::Show(args) => show(&client, args).await,
        DatasetCommand::Export(args) => export(&client, args).await,
        DatasetCommand::Import(args) => import(&client, args).await,
        DatasetCommand::Delete(args) => {
            let deleted = client.delete_dataset(&args.name).await?;
            println!(
                "deleted dataset {:?} ({} rows)",
                deleted.dataset, deleted.deleted
            );
            Ok(ExitCode::SUCCESS)
        }
    };
    match result {
        Err(error) => match error.downcast::<ClientError>() {
            // The server's own message says what is wrong (unknown dataset,
            // bad name); print it without a backtrace-like chain.
            Ok(error) => {
                eprintln!("error: {error}");
                Ok(ExitCode::FAILURE)
            }
            Err(other) => Err(other),
        },
        ok => ok,
    }
}

async fn from_logs(client: &ChatClient, args: FromLogsArgs) -> anyhow::Result<ExitCode> {
    let selection = if let Some(limit) = args.recent {
        Selection::Recent { limit }
    } else if let Some(term) = args.search {
        if term.trim().is_empty() {
            anyhow::bail!("--search needs a term");
        }
        Selection::Search {
            term,
            limit: args.limit,
        }
    } else {
        Selection::Complex {
            limit: args.limit,
            scan: args.scan,
        }
    };
    let tags: Vec<String> = args
        .tags
        .into_iter()
        .map(|t| t.trim().to_string())
        .filter(|t| !t.is_empty())
        .collect();
    let conversations = from_logs::select(client, &args.project, &selection)
        .await
        .map_err(anyhow::Error::from)?;
    if conversations.is_empty() {
        eprintln!(
            "no conversations in project {:?} match ({}); dataset {:?} unchanged",
            args.project,
            selection.describe(),
            args.name
        );
        return Ok(ExitCode::SUCCESS);
    }
    let rows: Vec<NewDatasetRow> = conversations.iter().map(|c| c.to_row(&tags)).collect();
    let response = client
        .insert_dataset_rows(
            &args.name,
            &InsertRowsRequest {
                rows,
                description: args.description,
            },
        )
        .await?;
    println!(
        "dataset {:?}: {} conversations found ({}), {} rows added, {} already there, {} rows in all",
        response.dataset,
        conversations.len(),
        selection.describe(),
        response.inserted,
        response.duplicates,
        response.rows
    );
    Ok(ExitCode::SUCCESS)
}

async fn list(client: &ChatClient, args: ListArgs) -> anyhow::Result<ExitCode> {
    let list = client.datasets().await?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&list)?);
        return Ok(ExitCode::SUCCESS);
    }
    if list.datasets.is_empty() {
        println!(
            "no datasets yet: build one with `trellis dataset from-logs --recent 10 --name NAME`"
        );
        return Ok(ExitCode::SUCCESS);
    }
    let rows: Vec<Vec<String>> = list
        .datasets
        .iter()
        .map(|d| {
            vec![
                d.name.clone(),
                d.rows.to_string(),
                table::timestamp(Some(&serde_json::Value::String(d.updated.clone()))),
                d.description.clone().unwrap_or_default(),
            ]
        })
        .collect();
    print!(
        "{}",
        table::render(&["name", "rows", "updated", "description"], &rows)
    );
    Ok(ExitCode::SUCCESS)
}

async fn show(client: &ChatClient, args: ShowArgs) -> anyhow::Result<ExitCode> {
    let dataset = client.dataset(&args.name).await?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&dataset)?);
        return Ok(ExitCode::SUCCESS);
    }
    let summary = &dataset.summary;
    println!(
        "dataset {:?}: {} rows{}",
        summary.name,
        summary.rows,
        summary
            .description
            .as_deref()
            .map(|d| format!(" — {d}"))
            .unwrap_or_default()
    );
    let rows: Vec<Vec<String>> = dataset
        .rows
        .iter()
        .map(|row| {
            vec![
                row.id.clone(),
                table::shorten(
                    &table::cell(row.input.get("patient_query").or(Some(&row.input))),
                    60,
                ),
                table::shorten(
                    &table::cell(row.expected.get("final_response").or(Some(&row.expected))),
                    60,
                ),
                row.tags.join(","),
            ]
        })
        .collect();
    print!(
        "{}",
        table::render(&["id", "input", "expected", "tags"], &rows)
    );
    Ok(ExitCode::SUCCESS)
}

async fn export(client: &ChatClient, args: ExportArgs) -> anyhow::Result<ExitCode> {
    let dataset = client.dataset(&args.name).await?;
    let mut out: Box<dyn Write> = match &args.output {
        Some(path) => Box::new(std::io::BufWriter::new(
            std::fs::File::create(path)
                .map_err(|e| anyhow::anyhow!("cannot create {}: {e}", path.display()))?,
        )),
        None => Box::new(std::io::stdout().lock()),
    };
    for row in &dataset.rows {
        serde_json::to_writer(&mut out, row)?;
        out.write_all(b"\n")?;
    }
    out.flush()?;
    if let Some(path) = &args.output {
        eprintln!(
            "wrote {} rows of {:?} to {}",
            dataset.rows.len(),
            args.name,
            path.display()
        );
    }
    Ok(ExitCode::SUCCESS)
}

async fn import(client: &ChatClient, args: ImportArgs) -> anyhow::Result<ExitCode> {
    let rows = read_jsonl(&args.file)?;
    if rows.is_empty() {
        anyhow::bail!("{} has no rows", args.file.display());
    }
    let (mut inserted, mut duplicates, mut total) = (0, 0, 0);
    for batch in rows.chunks(IMPORT_BATCH) {
        let response = client
            .insert_dataset_rows(
                &args.name,
                &InsertRowsRequest {
                    rows: batch.to_vec(),
                    description: None,
                },
            )
            .await?;
        inserted += response.inserted;
        duplicates += response.duplicates;
        total = response.rows;
    }
    println!(
        "dataset {:?}: {} rows read, {inserted} added, {duplicates} already there, {total} rows in all",
        args.name,
        rows.len()
    );
    Ok(ExitCode::SUCCESS)
}

/// The rows of a JSONL file (`-` is stdin); blank lines are skipped and a
/// bad line is an error naming the file and line.
fn read_jsonl(path: &PathBuf) -> anyhow::Result<Vec<NewDatasetRow>> {
    let reader: Box<dyn BufRead> = if path.as_os_str() == "-" {
        Box::new(std::io::stdin().lock())
    } else {
        Box::new(std::io::BufReader::new(std::fs::File::open(path).map_err(
            |e| anyhow::anyhow!("cannot read {}: {e}", path.display()),
        )?))
    };
    let mut rows = Vec::new();
    for (index, line) in reader.lines().enumerate() {
        let line = line.map_err(|e| anyhow::anyhow!("cannot read {}: {e}", path.display()))?;
        if line.trim().is_empty() {
            continue;
        }
        let row: NewDatasetRow = serde_json::from_str(&line).map_err(|e| {
            anyhow::anyhow!(
                "{} line {}: not a dataset row ({e}); expected {{\"input\": ..., \"expected\": ..., \"metadata\": {{...}}, \"tags\": [...]}}",
                path.display(),
                index + 1
            )
        })?;
        rows.push(row);
    }
    Ok(rows)
}
