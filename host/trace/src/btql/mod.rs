//! BTQL, Braintrust's query language, over the trace store: the seed's
//! queries (and a Python helper that posts `{"query": …}` to `/btql`) run
//! against Trellis unchanged.
//!
//! - [`ast`]: the typed syntax tree both dialects parse into.
//! - `lexer`, `parser`: the text → [`Query`] (`"…".parse::<Query>()`),
//!   SQL (`SELECT … FROM project_logs('p') WHERE …`) or pipe
//!   (`select: … | from: project_logs('p') | filter: …`), detected by the
//!   first token. Errors are [`ParseError`]s with line and column.
//! - [`plan()`]: a [`Query`] → one parameterised SQLite `SELECT` over the
//!   spans of a project or an experiment, or the rows of a dataset.
//! - [`execute()`]: plan and run a query on the store's read-only
//!   connections, with a row cap and a time limit.
//! - [`routes`]: the axum route `POST /btql`.
//!
//! See `docs/btql.md` for the language.

mod api;
pub mod ast;
mod cursor;
mod error;
mod execute;
mod functions;
mod lexer;
mod parser;
mod plan;
mod time;

use std::str::FromStr;
use std::time::Duration;

pub use api::{
    routes, BtqlRequest, BtqlResponse, ResponseFormat, CURSOR_HEADER, MAX_REQUEST_BYTES,
};
pub use ast::{Query, SourceKind};
pub use error::{BtqlError, ParseError};
pub use execute::{run_plan, QueryOutput};
pub use functions::MAX_REGEX_BYTES;
pub use parser::{MAX_DEPTH, MAX_QUERY_CHARS};
pub use plan::{plan, Plan, PlanOptions, SUMMARY_METRICS};

use crate::span::now_unix_secs;
use crate::store::TraceStore;

/// Rows a query returns when it has no `LIMIT`.
pub const DEFAULT_LIMIT: u64 = 1000;
/// The most rows one query may return; a larger `LIMIT` is lowered to it.
pub const MAX_LIMIT: u64 = 10_000;
/// How long one query may run before it is interrupted.
pub const DEFAULT_TIME_LIMIT: Duration = Duration::from_secs(5);

/// Limits for BTQL queries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BtqlConfig {
    /// Rows returned when a query has no `LIMIT`.
    pub default_limit: u64,
    /// The most rows one query may return.
    pub max_limit: u64,
    /// How long one query may run.
    pub time_limit: Duration,
}

impl Default for BtqlConfig {
    fn default() -> Self {
        BtqlConfig {
            default_limit: DEFAULT_LIMIT,
            max_limit: MAX_LIMIT,
            time_limit: DEFAULT_TIME_LIMIT,
        }
    }
}

impl FromStr for Query {
    type Err = ParseError;

    /// Parses either dialect.
    fn from_str(text: &str) -> Result<Query, ParseError> {
        parser::parse(text)
    }
}

/// Plans and runs `query` on `store` now. Blocks: call it from
/// `spawn_blocking` in async code.
pub fn execute(
    store: &TraceStore,
    query: &Query,
    config: &BtqlConfig,
) -> Result<QueryOutput, BtqlError> {
    execute_at(store, query, config, now_unix_secs())
}

/// [`execute`] with `now()` fixed at `now` (unix seconds): for tests and
/// for repeatable reports.
pub fn execute_at(
    store: &TraceStore,
    query: &Query,
    config: &BtqlConfig,
    now: f64,
) -> Result<QueryOutput, BtqlError> {
    let plan = plan(
        query,
        &PlanOptions {
            now,
            default_limit: config.default_limit,
            max_limit: config.max_limit,
        },
    )?;
    let reader = store.reader()?;
    let name = plan.project();
    let (exists_sql, missing) = match plan.source() {
        SourceKind::ProjectLogs => (
            "SELECT EXISTS (SELECT 1 FROM spans WHERE object_type = 'project_logs' \
             AND project = ?1)",
            BtqlError::UnknownProject(name.to_owned()),
        ),
        kind @ SourceKind::Dataset => (
            "SELECT EXISTS (SELECT 1 FROM datasets WHERE name = ?1)",
            BtqlError::SourceNotFound {
                kind: kind.as_str(),
                name: name.to_owned(),
            },
        ),
        kind @ SourceKind::Experiment => (
            "SELECT EXISTS (SELECT 1 FROM experiments WHERE name = ?1)",
            BtqlError::SourceNotFound {
                kind: kind.as_str(),
                name: name.to_owned(),
            },
        ),
    };
    let known: bool = reader.query_row(exists_sql, [name], |row| row.get(0))?;
    if !known {
        return Err(missing);
    }
    run_plan(&reader, &plan, config.time_limit)
}
