//! The embedded trace store: one SQLite file (WAL, `synchronous=NORMAL`)
//! with a `spans` table that keeps the hot fields of a [`SpanRecord`] in
//! columns and the rest as JSON text, so SQLite's JSON1 functions
//! (`json_extract(output, '$.bmi')`) reach inside them. The BTQL planner
//! builds its queries on this layout.
//!
//! Writes go through one writer connection behind a mutex, each batch in
//! one transaction. Reads use a small pool of read-only connections
//! (`query_only`), which WAL lets run alongside the writer. A background
//! thread with a connection of its own copies the WAL back into the file
//! (checkpoints), so commits do not wait for that. Every method blocks:
//! call them from `spawn_blocking` in async code.
//!
//! A span written twice (an exporter retrying after a lost response) is
//! stored once: rows are keyed by `(root_span_id, span_id)` and a later
//! write of the same span replaces the earlier one. Spans may arrive in any
//! order; a child stored before its parent is linked when the tree is read.
//!
//! Schema (version 2, tracked in `PRAGMA user_version`):
//!
//! | column | holds |
//! |---|---|
//! | `seq` | rowid, arrival order |
//! | `object_type` | `project_logs`, or `experiment` for an experiment's spans |
//! | `project`, `root_span_id`, `span_id`, `id` | text; an experiment's spans have its name as `project` |
//! | `parent_span_id` | first of `span_parents`, NULL for a root |
//! | `name`, `type` | `span_attributes.name` / `.type` |
//! | `created` | RFC 3339 text (fixed width, sorts in time order) |
//! | `start_time`, `end_time` | `metrics.start` / `.end`, unix seconds (`end` is an SQL keyword) |
//! | `is_error` | 1 when `error` is set |
//! | `input`, `output`, `expected`, `error`, `metadata`, `scores`, `metrics`, `span_attributes`, `tags`, `span_parents`, `events` | JSON text |
//!
//! Indexes: unique `(object_type, root_span_id, span_id)` (also serves
//! lookups by trace), `(object_type, project, name, created)` for "spans
//! named X, newest first", `(object_type, project, type, name)` for
//! per-tool aggregates, and `(created)`. Every query of project logs names
//! `object_type`, so an experiment's spans never show up in them and the
//! indexes keep serving them.
//!
//! Datasets (`datasets`, `dataset_rows`) and experiments (`experiments`)
//! live in the same file: see [`TraceStore::insert_dataset_rows`] and
//! [`TraceStore::create_experiment`]. Version 1 stores (no `object_type`,
//! no datasets) are upgraded in place when opened.

use std::cell::Cell;
use std::ffi::c_int;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Condvar, LazyLock, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::Duration;

use rusqlite::hooks::Wal;
use rusqlite::types::{Null, ToSqlOutput, ValueRef};
use rusqlite::{
    params, CachedStatement, Connection, OpenFlags, OptionalExtension, Row, Statement, Transaction,
    TransactionBehavior,
};
use serde_json::Value;
use trellis_api::objects::{
    name_problem, DatasetDetail, DatasetRow, DatasetSummary, ExperimentSummary, InsertRowsResponse,
    NewDatasetRow, NewExperiment, MAX_ROW_ID_CHARS,
};

use crate::propagation::DEFAULT_PROJECT;
use crate::span::{new_trace_id, now_unix_secs, rfc3339, SpanRecord};
use crate::tree::SpanTree;

/// Schema migrations, applied in order; `user_version` counts how many ran.
const MIGRATIONS: &[&str] = &[
    r#"
CREATE TABLE spans (
    seq             INTEGER PRIMARY KEY,
    project         TEXT NOT NULL,
    root_span_id    TEXT NOT NULL,
    span_id         TEXT NOT NULL,
    id              TEXT NOT NULL,
    parent_span_id  TEXT,
    span_parents    TEXT NOT NULL DEFAULT '[]',
    name            TEXT NOT NULL,
    type            TEXT,
    created         TEXT NOT NULL,
    start_time      REAL,
    end_time        REAL,
    is_error        INTEGER NOT NULL DEFAULT 0,
    input           TEXT,
    output          TEXT,
    expected        TEXT,
    error           TEXT,
    metadata        TEXT NOT NULL DEFAULT '{}',
    scores          TEXT NOT NULL DEFAULT '{}',
    metrics         TEXT NOT NULL DEFAULT '{}',
    span_attributes TEXT NOT NULL,
    tags            TEXT NOT NULL DEFAULT '[]',
    events          TEXT,
    UNIQUE (root_span_id, span_id)
);
CREATE INDEX spans_project_name_created ON spans (project, name, created);
CREATE INDEX spans_project_type_name ON spans (project, type, name);
CREATE INDEX spans_created ON spans (created);
"#,
    // Version 2: experiments' spans share `spans`, told apart by
    // `object_type`; a span's key includes it. SQLite cannot change a
    // table's UNIQUE constraint, so the table is rebuilt (rowids kept).
    r#"
CREATE TABLE spans_v2 (
    seq             INTEGER PRIMARY KEY,
    object_type     TEXT NOT NULL DEFAULT 'project_logs',
    project         TEXT NOT NULL,
    root_span_id    TEXT NOT NULL,
    span_id         TEXT NOT NULL,
    id              TEXT NOT NULL,
    parent_span_id  TEXT,
    span_parents    TEXT NOT NULL DEFAULT '[]',
    name            TEXT NOT NULL,
    type            TEXT,
    created         TEXT NOT NULL,
    start_time      REAL,
    end_time        REAL,
    is_error        INTEGER NOT NULL DEFAULT 0,
    input           TEXT,
    output          TEXT,
    expected        TEXT,
    error           TEXT,
    metadata        TEXT NOT NULL DEFAULT '{}',
    scores          TEXT NOT NULL DEFAULT '{}',
    metrics         TEXT NOT NULL DEFAULT '{}',
    span_attributes TEXT NOT NULL,
    tags            TEXT NOT NULL DEFAULT '[]',
    events          TEXT,
    UNIQUE (object_type, root_span_id, span_id)
);
INSERT INTO spans_v2 (seq, object_type, project, root_span_id, span_id, id, parent_span_id,
    span_parents, name, type, created, start_time, end_time, is_error, input, output, expected,
    error, metadata, scores, metrics, span_attributes, tags, events)
SELECT seq, 'project_logs', project, root_span_id, span_id, id, parent_span_id,
    span_parents, name, type, created, start_time, end_time, is_error, input, output, expected,
    error, metadata, scores, metrics, span_attributes, tags, events
FROM spans;
DROP TABLE spans;
ALTER TABLE spans_v2 RENAME TO spans;
CREATE INDEX spans_project_name_created ON spans (object_type, project, name, created);
CREATE INDEX spans_project_type_name ON spans (object_type, project, type, name);
CREATE INDEX spans_created ON spans (created);

CREATE TABLE datasets (
    name        TEXT PRIMARY KEY,
    description TEXT,
    created     TEXT NOT NULL,
    updated     TEXT NOT NULL
);
CREATE TABLE dataset_rows (
    seq      INTEGER PRIMARY KEY,
    dataset  TEXT NOT NULL,
    id       TEXT NOT NULL,
    input    TEXT NOT NULL,
    expected TEXT NOT NULL DEFAULT 'null',
    metadata TEXT NOT NULL DEFAULT '{}',
    tags     TEXT NOT NULL DEFAULT '[]',
    created  TEXT NOT NULL,
    UNIQUE (dataset, id)
);
CREATE INDEX dataset_rows_created ON dataset_rows (dataset, created);
CREATE TABLE experiments (
    name     TEXT PRIMARY KEY,
    dataset  TEXT,
    metadata TEXT NOT NULL DEFAULT '{}',
    created  TEXT NOT NULL
);
"#,
];

/// The columns [`TraceStore`] reads back into a [`SpanRecord`], in order.
pub const SPAN_COLUMNS: &str = "project, root_span_id, span_id, id, span_parents, created, \
     input, output, expected, error, metadata, scores, metrics, span_attributes, tags, events";

/// The columns [`UPSERT`] and [`INSERT_SPANS`] write, in the order
/// [`bind_span`] binds them.
macro_rules! written_columns {
    () => {
        "project, root_span_id, span_id, id, parent_span_id, span_parents, name, type, created, \
         start_time, end_time, is_error, input, output, expected, error, metadata, scores, \
         metrics, span_attributes, tags, events, object_type"
    };
}

/// How many values [`bind_span`] binds for one span.
const SPAN_PARAMS: usize = 23;

/// Writes a span, or replaces the stored span with the same key. A span
/// is never moved from one experiment to another: that update is skipped
/// (no row changes) and [`TraceStore::insert_experiment_spans`] reports it.
const UPSERT: &str = concat!(
    "INSERT INTO spans (",
    written_columns!(),
    ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, \
     ?19, ?20, ?21, ?22, ?23) \
     ON CONFLICT (object_type, root_span_id, span_id) DO UPDATE SET project = excluded.project, \
     id = excluded.id, parent_span_id = excluded.parent_span_id, \
     span_parents = excluded.span_parents, name = excluded.name, type = excluded.type, \
     created = excluded.created, start_time = excluded.start_time, end_time = excluded.end_time, \
     is_error = excluded.is_error, input = excluded.input, output = excluded.output, \
     expected = excluded.expected, error = excluded.error, metadata = excluded.metadata, \
     scores = excluded.scores, metrics = excluded.metrics, \
     span_attributes = excluded.span_attributes, tags = excluded.tags, events = excluded.events \
     WHERE excluded.object_type = 'project_logs' OR spans.project = excluded.project"
);

/// Spans written by one [`INSERT_SPANS`].
const SPANS_PER_INSERT: usize = 8;

/// Writes [`SPANS_PER_INSERT`] new spans to the project logs in one
/// statement: executing a statement has a cost of its own (opening a cursor
/// on the table and each index, finding their root pages, resetting), which
/// a batch of 512 spans then pays 64 times instead of 512; ingest executes
/// 8 % fewer instructions (16 or 32 spans per statement saved less).
///
/// It is a plain INSERT, not [`UPSERT`]: a multi-row statement that may
/// abort halfway needs a statement journal (to undo its earlier rows), and
/// keeping one cost more than the statement saved. OR FAIL stops at a
/// span already stored and keeps the rows before it, with nothing to undo;
/// [`SpanWriter::insert_project_spans`] then writes that span and the rest
/// with [`UPSERT`], so every span is written in order as [`UPSERT`] would.
static INSERT_SPANS: LazyLock<String> = LazyLock::new(|| {
    let row = format!("({})", vec!["?"; SPAN_PARAMS].join(", "));
    format!(
        "INSERT OR FAIL INTO spans ({}) VALUES {}",
        written_columns!(),
        vec![row; SPANS_PER_INSERT].join(", ")
    )
});

/// Which kind of object a stored span belongs to (the `object_type`
/// column).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ObjectType {
    /// Spans logged to a project (the collector's): `project_logs('p')`.
    ProjectLogs,
    /// An experiment's spans: `experiment('e')`; `project` holds its name.
    Experiment,
}

impl ObjectType {
    /// The value stored in the `object_type` column.
    pub fn as_str(self) -> &'static str {
        match self {
            ObjectType::ProjectLogs => "project_logs",
            ObjectType::Experiment => "experiment",
        }
    }
}

/// How many names a "not found" error lists.
pub const KNOWN_NAMES_LISTED: usize = 10;

/// Read connections map this much of the file: queries that visit rows all
/// over a large store (per-tool aggregates) then read pages without a
/// syscall each. Address space only; the OS shares the pages.
const MMAP_BYTES: i64 = 1 << 30;
/// Page cache per connection, in KiB (SQLite's negative `cache_size`).
const CACHE_KIB: i64 = 32 * 1024;

/// How many WAL pages (1 MiB) the writer commits between two requests to
/// the background checkpointer.
///
/// Only a checkpoint that reaches the end of the WAL, with no commit
/// arriving while it copies, syncs the database file and lets the WAL
/// restart from its beginning; one that a commit overtakes copies pages
/// but leaves their sync to the next complete checkpoint. Asked every
/// 1,000 pages, the checkpointer was overtaken nearly every time under
/// ingest, and the writer's own checkpoints at [`WAL_AUTOCHECKPOINT_PAGES`]
/// waited ~75 ms each on syncing what it had copied (a fifth of B5's insert
/// time). In steps this small it finishes between two commits (after each
/// commit of a 512-span batch, ~300 pages), and the writer does not wait.
const BACKGROUND_CHECKPOINT_PAGES: c_int = 256;
/// WAL size in pages from which the writer checkpoints itself after a
/// commit, as SQLite's `wal_autocheckpoint` would (its default is 1,000):
/// a backstop for when the background checkpointer falls behind, keeping
/// the WAL under ~40 MiB.
const WAL_AUTOCHECKPOINT_PAGES: c_int = 10_000;

/// How many idle read-only connections to keep.
const MAX_IDLE_READERS: usize = 4;
/// How long a connection waits for a lock held by another before failing.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// Why a store operation failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The store's directory could not be created.
    #[error("cannot create the trace store directory `{}`: {source}", path.display())]
    CreateDir {
        path: PathBuf,
        source: std::io::Error,
    },
    /// The file could not be opened or set up as a store.
    #[error("cannot open the trace store `{}`: {source}", path.display())]
    Open {
        path: PathBuf,
        source: rusqlite::Error,
    },
    /// The file was written by a newer Trellis.
    #[error("the trace store `{}` has schema version {found}; this build knows versions up to {supported}", path.display())]
    NewerSchema {
        path: PathBuf,
        found: i64,
        supported: usize,
    },
    /// `PRAGMA integrity_check` found problems.
    #[error("the trace store `{}` failed its integrity check: {report}", path.display())]
    Corrupt { path: PathBuf, report: String },
    /// A stored JSON column no longer parses.
    #[error("stored span {span_id} of trace {trace_id} has an unreadable `{column}`: {source}")]
    BadRow {
        trace_id: String,
        span_id: String,
        column: &'static str,
        source: serde_json::Error,
    },
    /// A dataset or experiment name, a row or a span is not acceptable.
    #[error("{0}")]
    Invalid(String),
    /// No dataset has this name.
    #[error("dataset `{name}` not found{}", listed("datasets", known))]
    DatasetNotFound {
        /// The name asked for.
        name: String,
        /// Some existing datasets (up to [`KNOWN_NAMES_LISTED`]), by name.
        known: Vec<String>,
    },
    /// No experiment has this name.
    #[error("experiment `{name}` not found{}", listed("experiments", known))]
    ExperimentNotFound {
        /// The name asked for.
        name: String,
        /// Some existing experiments (up to [`KNOWN_NAMES_LISTED`]), newest first.
        known: Vec<String>,
    },
    /// An experiment with this name already exists.
    #[error("experiment `{0}` already exists; choose another name")]
    ExperimentExists(String),
    /// A span sent to an experiment is already stored in another one.
    #[error("span {span_id} of trace {trace_id} already belongs to experiment `{owner}`; spans of an experiment need their own ids")]
    SpanOfAnotherExperiment {
        /// The trace id.
        trace_id: String,
        /// The span id.
        span_id: String,
        /// The experiment that holds it.
        owner: String,
    },
    /// A stored dataset row's JSON column no longer parses.
    #[error("stored row `{id}` of dataset `{dataset}` has an unreadable `{column}`: {source}")]
    BadDatasetRow {
        /// The dataset.
        dataset: String,
        /// The row's id.
        id: String,
        /// The column.
        column: &'static str,
        /// Why it does not parse.
        source: serde_json::Error,
    },
    /// A stored experiment's metadata no longer parses.
    #[error("stored experiment `{name}` has unreadable metadata: {source}")]
    BadExperiment {
        /// The experiment.
        name: String,
        /// Why it does not parse.
        source: serde_json::Error,
    },
    /// Any other SQLite failure.
    #[error("trace store query failed: {0}")]
    Sqlite(#[from] rusqlite::Error),
}

/// The SQLite trace store. `Send + Sync`: share it in an `Arc`.
#[derive(Debug)]
pub struct TraceStore {
    /// Declared first so that its thread stops before the other
    /// connections close.
    checkpointer: Option<Checkpointer>,
    path: PathBuf,
    writer: Mutex<Connection>,
    readers: Mutex<Vec<Connection>>,
}

impl TraceStore {
    /// Opens (creating if needed) the store at `path`: creates the parent
    /// directories, switches to WAL and applies any pending migrations.
    pub fn open(path: impl AsRef<Path>) -> Result<TraceStore, StoreError> {
        Self::open_with(path.as_ref(), true)
    }

    /// [`Self::open`], with or without the background checkpointer (tests
    /// check the writer's own checkpoints without it).
    fn open_with(path: &Path, background_checkpoints: bool) -> Result<TraceStore, StoreError> {
        let path = path.to_path_buf();
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|source| StoreError::CreateDir {
                path: dir.to_path_buf(),
                source,
            })?;
        }
        let open_err = |source| StoreError::Open {
            path: path.clone(),
            source,
        };
        let mut conn = Connection::open(&path).map_err(open_err)?;
        conn.busy_timeout(BUSY_TIMEOUT).map_err(open_err)?;
        let mode = enable_wal(&conn).map_err(open_err)?;
        if !mode.eq_ignore_ascii_case("wal") {
            tracing::warn!(path = %path.display(), mode, "trace store is not in WAL mode");
        }
        // With WAL, NORMAL loses at most the last transactions on power loss,
        // never consistency, and saves an fsync per commit.
        conn.pragma_update(None, "synchronous", "NORMAL")
            .map_err(open_err)?;
        // A checkpoint copies the WAL back into the database file and syncs
        // both files. SQLite runs it on the committing thread, where under
        // ingest the syncs (tens of MiB each time) took a third of B5's
        // insert time and the copying another sixth; the background
        // checkpointer takes that over. This hook replaces SQLite's own
        // automatic checkpoints (`wal_autocheckpoint`).
        conn.wal_hook(Some(wal_committed));
        migrate(&mut conn, &path)?;
        Ok(TraceStore {
            checkpointer: background_checkpoints
                .then(|| Checkpointer::start(&path))
                .flatten(),
            path,
            writer: Mutex::new(conn),
            readers: Mutex::new(Vec::new()),
        })
    }

    /// Commits a write transaction, then asks the background checkpointer
    /// to run when enough of the WAL has not been checkpointed.
    fn commit(&self, tx: Transaction<'_>) -> Result<(), StoreError> {
        WAL_PAGES.set(None);
        tx.commit()?;
        if let (Some(pages), Some(checkpointer)) = (WAL_PAGES.take(), &self.checkpointer) {
            checkpointer.committed(pages);
        }
        Ok(())
    }

    /// The file the store lives in.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Opens a new read-only connection to the store file (`query_only`,
    /// busy timeout set). For query engines that want their own connection.
    pub fn open_read_only(path: impl AsRef<Path>) -> Result<Connection, StoreError> {
        let path = path.as_ref();
        let open_err = |source| StoreError::Open {
            path: path.to_path_buf(),
            source,
        };
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_ONLY
                | OpenFlags::SQLITE_OPEN_NO_MUTEX
                | OpenFlags::SQLITE_OPEN_URI,
        )
        .map_err(open_err)?;
        conn.busy_timeout(BUSY_TIMEOUT).map_err(open_err)?;
        conn.pragma_update(None, "query_only", true)
            .map_err(open_err)?;
        conn.pragma_update(None, "mmap_size", MMAP_BYTES)
            .map_err(open_err)?;
        conn.pragma_update(None, "cache_size", -CACHE_KIB)
            .map_err(open_err)?;
        Ok(conn)
    }

    /// A pooled read-only connection; it returns to the pool when dropped.
    pub fn reader(&self) -> Result<PooledReader<'_>, StoreError> {
        let pooled = lock(&self.readers).pop();
        let conn = match pooled {
            Some(conn) => conn,
            None => Self::open_read_only(&self.path)?,
        };
        Ok(PooledReader {
            conn: Some(conn),
            store: self,
        })
    }

    /// Stores `spans` in the project logs, in one transaction, and returns
    /// how many were written. Records without a project go to
    /// [`DEFAULT_PROJECT`]; a span already stored is replaced (see the
    /// module doc).
    pub fn insert_spans(&self, spans: &[SpanRecord]) -> Result<usize, StoreError> {
        if spans.is_empty() {
            return Ok(0);
        }
        let mut conn = lock(&self.writer);
        let tx = conn.transaction()?;
        SpanWriter::new(&tx)?.insert_project_spans(spans)?;
        self.commit(tx)?;
        Ok(spans.len())
    }

    /// Every span of a trace in the project logs, ordered by start time.
    pub fn trace(&self, trace_id: &str) -> Result<Vec<SpanRecord>, StoreError> {
        let reader = self.reader()?;
        let mut stmt = reader.prepare_cached(&format!(
            "SELECT {SPAN_COLUMNS} FROM spans \
             WHERE object_type = 'project_logs' AND root_span_id = ?1 ORDER BY start_time, seq"
        ))?;
        let rows = stmt.query_map([trace_id], RawRow::read)?;
        let mut spans = Vec::new();
        for row in rows {
            spans.push(row?.into_record()?);
        }
        Ok(spans)
    }

    /// The trace as a tree (children nested under parents, sorted by
    /// start), or `None` when no span of it is stored.
    pub fn trace_tree(&self, trace_id: &str) -> Result<Option<SpanTree>, StoreError> {
        let spans = self.trace(trace_id)?;
        Ok((!spans.is_empty()).then(|| SpanTree::build(trace_id, spans)))
    }

    /// How many spans are stored (project logs and experiments).
    pub fn count(&self) -> Result<u64, StoreError> {
        let reader = self.reader()?;
        let n: i64 = reader.query_row("SELECT count(*) FROM spans", [], |r| r.get(0))?;
        Ok(n as u64)
    }

    /// Runs SQLite's `PRAGMA integrity_check`.
    pub fn integrity_check(&self) -> Result<(), StoreError> {
        let conn = lock(&self.writer);
        let mut stmt = conn.prepare("PRAGMA integrity_check")?;
        let lines = stmt
            .query_map([], |r| r.get::<_, String>(0))?
            .collect::<Result<Vec<_>, _>>()?;
        if lines == ["ok"] {
            Ok(())
        } else {
            Err(StoreError::Corrupt {
                path: self.path.clone(),
                report: lines.join("; "),
            })
        }
    }
}

/// Datasets and experiments. Names are checked with
/// [`trellis_api::objects::name_problem`]; a bad name, row or span is
/// [`StoreError::Invalid`] with a message naming it.
impl TraceStore {
    /// Adds `rows` to dataset `name` in one transaction, creating the
    /// dataset when it does not exist and setting its description when one
    /// is given. A row whose id is already in the dataset (or earlier in
    /// `rows`) is a duplicate and leaves the stored row unchanged; a row
    /// without an id gets a random 32-hex one.
    pub fn insert_dataset_rows(
        &self,
        name: &str,
        rows: &[NewDatasetRow],
        description: Option<&str>,
    ) -> Result<InsertRowsResponse, StoreError> {
        check_name("dataset", name)?;
        check_rows(rows)?;
        let now = rfc3339(now_unix_secs());
        let mut conn = lock(&self.writer);
        let tx = conn.transaction()?;
        tx.execute(
            "INSERT INTO datasets (name, description, created, updated) VALUES (?1, ?2, ?3, ?3) \
             ON CONFLICT (name) DO NOTHING",
            params![name, description, now],
        )?;
        let mut inserted = 0u64;
        {
            let mut stmt = tx.prepare_cached(
                "INSERT INTO dataset_rows (dataset, id, input, expected, metadata, tags, created) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT (dataset, id) DO NOTHING",
            )?;
            for row in rows {
                let id = row
                    .id
                    .clone()
                    .unwrap_or_else(|| hex::encode(new_trace_id()));
                inserted += stmt.execute(params![
                    name,
                    id,
                    json_text(&row.input),
                    json_text(&row.expected),
                    json_text(&row.metadata),
                    json_text(&row.tags),
                    now,
                ])? as u64;
            }
        }
        if inserted > 0 || description.is_some() {
            tx.execute(
                "UPDATE datasets SET updated = ?2, description = coalesce(?3, description) \
                 WHERE name = ?1",
                params![name, now, description],
            )?;
        }
        let total: i64 = tx.query_row(
            "SELECT count(*) FROM dataset_rows WHERE dataset = ?1",
            [name],
            |r| r.get(0),
        )?;
        self.commit(tx)?;
        Ok(InsertRowsResponse {
            dataset: name.to_owned(),
            inserted,
            duplicates: rows.len() as u64 - inserted,
            rows: total as u64,
        })
    }

    /// Every dataset, in name order.
    pub fn datasets(&self) -> Result<Vec<DatasetSummary>, StoreError> {
        let reader = self.reader()?;
        let mut stmt = reader.prepare_cached(&format!("{DATASET_SUMMARY} ORDER BY d.name"))?;
        let rows = stmt.query_map([], read_dataset_summary)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Dataset `name` with its rows, oldest first;
    /// [`StoreError::DatasetNotFound`] when there is none.
    pub fn dataset(&self, name: &str) -> Result<DatasetDetail, StoreError> {
        let reader = self.reader()?;
        let summary = reader
            .prepare_cached(&format!("{DATASET_SUMMARY} WHERE d.name = ?1"))?
            .query_row([name], read_dataset_summary)
            .optional()?;
        let Some(summary) = summary else {
            return Err(self.dataset_not_found(&reader, name)?);
        };
        let mut stmt = reader.prepare_cached(
            "SELECT id, input, expected, metadata, tags, created FROM dataset_rows \
             WHERE dataset = ?1 ORDER BY seq",
        )?;
        let raw = stmt.query_map([name], |r| {
            Ok((
                r.get::<_, String>(0)?,
                [
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, String>(4)?,
                ],
                r.get::<_, String>(5)?,
            ))
        })?;
        let mut rows = Vec::new();
        for row in raw {
            let (id, [input, expected, metadata, tags], created) = row?;
            let bad = |column: &'static str| {
                let (dataset, id) = (name.to_owned(), id.clone());
                move |source| StoreError::BadDatasetRow {
                    dataset,
                    id,
                    column,
                    source,
                }
            };
            rows.push(DatasetRow {
                input: serde_json::from_str(&input).map_err(bad("input"))?,
                expected: serde_json::from_str(&expected).map_err(bad("expected"))?,
                metadata: serde_json::from_str(&metadata).map_err(bad("metadata"))?,
                tags: serde_json::from_str(&tags).map_err(bad("tags"))?,
                id,
                created,
            });
        }
        Ok(DatasetDetail { summary, rows })
    }

    /// Deletes dataset `name` and its rows in one transaction; returns how
    /// many rows it held. [`StoreError::DatasetNotFound`] when there is none.
    pub fn delete_dataset(&self, name: &str) -> Result<u64, StoreError> {
        let mut conn = lock(&self.writer);
        let tx = conn.transaction()?;
        if tx.execute("DELETE FROM datasets WHERE name = ?1", [name])? == 0 {
            drop(tx);
            drop(conn);
            let reader = self.reader()?;
            return Err(self.dataset_not_found(&reader, name)?);
        }
        let deleted = tx.execute("DELETE FROM dataset_rows WHERE dataset = ?1", [name])?;
        self.commit(tx)?;
        Ok(deleted as u64)
    }

    /// Creates an experiment. [`StoreError::ExperimentExists`] when the name
    /// is taken; [`StoreError::Invalid`] for a bad name, metadata that is
    /// not an object, or a dataset that does not exist.
    pub fn create_experiment(
        &self,
        experiment: &NewExperiment,
    ) -> Result<ExperimentSummary, StoreError> {
        check_name("experiment", &experiment.name)?;
        if !experiment.metadata.is_object() {
            return Err(StoreError::Invalid(format!(
                "the experiment's `metadata` must be a JSON object, not {}",
                json_type(&experiment.metadata)
            )));
        }
        let created = rfc3339(now_unix_secs());
        let mut conn = lock(&self.writer);
        let tx = conn.transaction()?;
        if let Some(dataset) = &experiment.dataset {
            let exists: bool = tx.query_row(
                "SELECT EXISTS (SELECT 1 FROM datasets WHERE name = ?1)",
                [dataset],
                |r| r.get(0),
            )?;
            if !exists {
                let known = known_names(&tx, "SELECT name FROM datasets ORDER BY name")?;
                let missing = StoreError::DatasetNotFound {
                    name: dataset.clone(),
                    known,
                };
                return Err(StoreError::Invalid(format!(
                    "the experiment's dataset does not exist: {missing}"
                )));
            }
        }
        let added = tx.execute(
            "INSERT INTO experiments (name, dataset, metadata, created) VALUES (?1, ?2, ?3, ?4) \
             ON CONFLICT (name) DO NOTHING",
            params![
                experiment.name,
                experiment.dataset,
                json_text(&experiment.metadata),
                created
            ],
        )?;
        if added == 0 {
            return Err(StoreError::ExperimentExists(experiment.name.clone()));
        }
        self.commit(tx)?;
        Ok(ExperimentSummary {
            name: experiment.name.clone(),
            dataset: experiment.dataset.clone(),
            metadata: experiment.metadata.clone(),
            created,
            spans: 0,
        })
    }

    /// Every experiment, newest first.
    pub fn experiments(&self) -> Result<Vec<ExperimentSummary>, StoreError> {
        let reader = self.reader()?;
        let mut stmt = reader.prepare_cached(&format!(
            "{EXPERIMENT_SUMMARY} ORDER BY e.created DESC, e.rowid DESC"
        ))?;
        let rows = stmt.query_map([], RawExperiment::read)?;
        rows.map(|row| row?.into_summary()).collect()
    }

    /// Experiment `name`; [`StoreError::ExperimentNotFound`] when there is
    /// none.
    pub fn experiment(&self, name: &str) -> Result<ExperimentSummary, StoreError> {
        let reader = self.reader()?;
        let raw = reader
            .prepare_cached(&format!("{EXPERIMENT_SUMMARY} WHERE e.name = ?1"))?
            .query_row([name], RawExperiment::read)
            .optional()?;
        match raw {
            Some(raw) => raw.into_summary(),
            None => Err(StoreError::ExperimentNotFound {
                name: name.to_owned(),
                known: known_names(
                    &reader,
                    "SELECT name FROM experiments ORDER BY created DESC",
                )?,
            }),
        }
    }

    /// Stores `spans` as experiment `name`'s, in one transaction, and
    /// returns how many were written. Their `project` becomes the
    /// experiment's name; a span sent again replaces itself.
    /// [`StoreError::ExperimentNotFound`] when the experiment does not
    /// exist; [`StoreError::SpanOfAnotherExperiment`] (and nothing written)
    /// when a span's ids are already another experiment's.
    pub fn insert_experiment_spans(
        &self,
        name: &str,
        spans: &[SpanRecord],
    ) -> Result<usize, StoreError> {
        let mut conn = lock(&self.writer);
        let tx = conn.transaction()?;
        let exists: bool = tx.query_row(
            "SELECT EXISTS (SELECT 1 FROM experiments WHERE name = ?1)",
            [name],
            |r| r.get(0),
        )?;
        if !exists {
            let known = known_names(&tx, "SELECT name FROM experiments ORDER BY created DESC")?;
            return Err(StoreError::ExperimentNotFound {
                name: name.to_owned(),
                known,
            });
        }
        let mut writer = SpanWriter::new(&tx)?;
        for span in spans {
            if !writer.upsert(span, ObjectType::Experiment, name)? {
                let owner: String = tx.query_row(
                    "SELECT project FROM spans WHERE object_type = 'experiment' \
                     AND root_span_id = ?1 AND span_id = ?2",
                    [&span.root_span_id, &span.span_id],
                    |r| r.get(0),
                )?;
                return Err(StoreError::SpanOfAnotherExperiment {
                    trace_id: span.root_span_id.clone(),
                    span_id: span.span_id.clone(),
                    owner,
                });
            }
        }
        drop(writer);
        self.commit(tx)?;
        Ok(spans.len())
    }

    /// Whether dataset `name` exists.
    pub fn dataset_exists(&self, name: &str) -> Result<bool, StoreError> {
        let reader = self.reader()?;
        Ok(reader.query_row(
            "SELECT EXISTS (SELECT 1 FROM datasets WHERE name = ?1)",
            [name],
            |r| r.get(0),
        )?)
    }

    /// Whether experiment `name` exists.
    pub fn experiment_exists(&self, name: &str) -> Result<bool, StoreError> {
        let reader = self.reader()?;
        Ok(reader.query_row(
            "SELECT EXISTS (SELECT 1 FROM experiments WHERE name = ?1)",
            [name],
            |r| r.get(0),
        )?)
    }

    fn dataset_not_found(&self, conn: &Connection, name: &str) -> Result<StoreError, StoreError> {
        Ok(StoreError::DatasetNotFound {
            name: name.to_owned(),
            known: known_names(conn, "SELECT name FROM datasets ORDER BY name")?,
        })
    }
}

/// A dataset's summary columns; `d` is `datasets`.
const DATASET_SUMMARY: &str = "SELECT d.name, d.description, \
     (SELECT count(*) FROM dataset_rows r WHERE r.dataset = d.name), d.created, d.updated \
     FROM datasets d";

/// An experiment's summary columns; `e` is `experiments`.
const EXPERIMENT_SUMMARY: &str = "SELECT e.name, e.dataset, e.metadata, e.created, \
     (SELECT count(*) FROM spans s WHERE s.object_type = 'experiment' AND s.project = e.name) \
     FROM experiments e";

fn read_dataset_summary(row: &Row<'_>) -> rusqlite::Result<DatasetSummary> {
    Ok(DatasetSummary {
        name: row.get(0)?,
        description: row.get(1)?,
        rows: row.get::<_, i64>(2)? as u64,
        created: row.get(3)?,
        updated: row.get(4)?,
    })
}

/// An [`EXPERIMENT_SUMMARY`] row before its metadata is parsed.
struct RawExperiment {
    name: String,
    dataset: Option<String>,
    metadata: String,
    created: String,
    spans: i64,
}

impl RawExperiment {
    fn read(row: &Row<'_>) -> rusqlite::Result<RawExperiment> {
        Ok(RawExperiment {
            name: row.get(0)?,
            dataset: row.get(1)?,
            metadata: row.get(2)?,
            created: row.get(3)?,
            spans: row.get(4)?,
        })
    }

    fn into_summary(self) -> Result<ExperimentSummary, StoreError> {
        let metadata =
            serde_json::from_str(&self.metadata).map_err(|source| StoreError::BadExperiment {
                name: self.name.clone(),
                source,
            })?;
        Ok(ExperimentSummary {
            name: self.name,
            dataset: self.dataset,
            metadata,
            created: self.created,
            spans: self.spans as u64,
        })
    }
}

/// Up to one more than [`KNOWN_NAMES_LISTED`] names from `sql`, so a
/// message can say when there are more.
fn known_names(conn: &Connection, sql: &str) -> Result<Vec<String>, StoreError> {
    let mut stmt = conn.prepare_cached(&format!("{sql} LIMIT {}", KNOWN_NAMES_LISTED + 1))?;
    let names = stmt.query_map([], |r| r.get(0))?;
    Ok(names.collect::<Result<_, _>>()?)
}

fn check_name(what: &str, name: &str) -> Result<(), StoreError> {
    match name_problem(what, name) {
        Some(problem) => Err(StoreError::Invalid(problem)),
        None => Ok(()),
    }
}

/// Every row's id and metadata, checked before anything is written.
fn check_rows(rows: &[NewDatasetRow]) -> Result<(), StoreError> {
    for (index, row) in rows.iter().enumerate() {
        let problem = if !row.metadata.is_object() {
            Some(format!(
                "`metadata` must be a JSON object, not {}",
                json_type(&row.metadata)
            ))
        } else {
            match &row.id {
                Some(id) if id.is_empty() => Some("`id` is empty".to_owned()),
                Some(id) if id.chars().count() > MAX_ROW_ID_CHARS => Some(format!(
                    "`id` is {} characters long; the limit is {MAX_ROW_ID_CHARS}",
                    id.chars().count()
                )),
                _ => None,
            }
        };
        if let Some(problem) = problem {
            return Err(StoreError::Invalid(format!("row {index}: {problem}")));
        }
    }
    Ok(())
}

/// The JSON type of `value`, for messages.
fn json_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// A read-only connection borrowed from a [`TraceStore`]'s pool; derefs to
/// [`rusqlite::Connection`].
#[derive(Debug)]
pub struct PooledReader<'a> {
    conn: Option<Connection>,
    store: &'a TraceStore,
}

impl std::ops::Deref for PooledReader<'_> {
    type Target = Connection;

    fn deref(&self) -> &Connection {
        self.conn.as_ref().expect("present until drop")
    }
}

impl Drop for PooledReader<'_> {
    fn drop(&mut self) {
        if let Some(conn) = self.conn.take() {
            let mut idle = lock(&self.store.readers);
            if idle.len() < MAX_IDLE_READERS {
                idle.push(conn);
            }
        }
    }
}

/// A panic while holding a connection leaves nothing half-done that SQLite
/// has not already rolled back, so a poisoned lock is still usable.
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn migrate(conn: &mut Connection, path: &Path) -> Result<(), StoreError> {
    let version: i64 = conn
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .map_err(|source| StoreError::Open {
            path: path.to_path_buf(),
            source,
        })?;
    if version > MIGRATIONS.len() as i64 {
        return Err(StoreError::NewerSchema {
            path: path.to_path_buf(),
            found: version,
            supported: MIGRATIONS.len(),
        });
    }
    for (index, sql) in MIGRATIONS.iter().enumerate().skip(version as usize) {
        // Several processes may open a new store at once (servers started
        // together): take the write lock first, waiting out the others, and
        // skip a step another process has applied meanwhile.
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let applied: i64 = tx.pragma_query_value(None, "user_version", |r| r.get(0))?;
        if applied > index as i64 {
            continue;
        }
        if version > 0 {
            // Upgrades rewrite tables (version 2 copies every span once):
            // say why a large store takes a while to open.
            tracing::info!(
                path = %path.display(),
                version = index + 1,
                "upgrading the trace store schema"
            );
        }
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", (index + 1) as i64)?;
        tx.commit()?;
        tracing::debug!(path = %path.display(), version = index + 1, "migrated trace store");
    }
    Ok(())
}

/// Switches to WAL. Another process switching the same new file at the same
/// moment makes SQLite answer "locked" at once rather than wait, so retry
/// within the busy timeout.
fn enable_wal(conn: &Connection) -> rusqlite::Result<String> {
    let deadline = std::time::Instant::now() + BUSY_TIMEOUT;
    loop {
        match conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0)) {
            Err(rusqlite::Error::SqliteFailure(e, _))
                if matches!(
                    e.code,
                    rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked
                ) && std::time::Instant::now() < deadline =>
            {
                std::thread::sleep(Duration::from_millis(5));
            }
            other => return other,
        }
    }
}

/// Writes spans with the statements of one transaction.
///
/// Ingest spent a fifth of its time outside SQLite, on the way to a row:
/// looking the statement up in the cache by its text for every span, and
/// serialising each JSON column into a `String` of its own. The statements
/// are looked up once here, and the columns are serialised into one reused
/// buffer (SQLite copies a bound text).
struct SpanWriter<'conn> {
    tx: &'conn Connection,
    upsert: CachedStatement<'conn>,
    json: Vec<u8>,
}

impl<'conn> SpanWriter<'conn> {
    fn new(tx: &'conn Transaction<'_>) -> rusqlite::Result<SpanWriter<'conn>> {
        Ok(SpanWriter {
            tx,
            upsert: tx.prepare_cached(UPSERT)?,
            json: Vec::with_capacity(1024),
        })
    }

    /// Writes one span as `object_type` in `project`; returns whether a row
    /// changed (false: the span belongs to another experiment).
    fn upsert(
        &mut self,
        span: &SpanRecord,
        object_type: ObjectType,
        project: &str,
    ) -> rusqlite::Result<bool> {
        bind_span(
            &mut self.upsert,
            0,
            span,
            object_type,
            project,
            &mut self.json,
        )?;
        Ok(self.upsert.raw_execute()? > 0)
    }

    /// Writes `spans` to the project logs, in order, as [`Self::upsert`]
    /// would one by one: [`INSERT_SPANS`] for each run of new spans.
    fn insert_project_spans(&mut self, spans: &[SpanRecord]) -> rusqlite::Result<()> {
        fn project(span: &SpanRecord) -> &str {
            span.project.as_deref().unwrap_or(DEFAULT_PROJECT)
        }
        let mut runs = spans.chunks_exact(SPANS_PER_INSERT);
        if runs.len() > 0 {
            let mut insert = self.tx.prepare_cached(&INSERT_SPANS)?;
            for run in &mut runs {
                for (i, span) in run.iter().enumerate() {
                    let first = i * SPAN_PARAMS;
                    let kind = ObjectType::ProjectLogs;
                    bind_span(
                        &mut insert,
                        first,
                        span,
                        kind,
                        project(span),
                        &mut self.json,
                    )?;
                }
                match insert.raw_execute() {
                    Ok(_) => {}
                    Err(error) if is_unique_violation(&error) => {
                        // The spans before the stored one are written (OR
                        // FAIL keeps them; `changes` counts them).
                        let written =
                            usize::try_from(self.tx.changes()).map_or(0, |n| n.min(run.len()));
                        for span in &run[written..] {
                            self.upsert(span, ObjectType::ProjectLogs, project(span))?;
                        }
                    }
                    Err(error) => return Err(error),
                }
            }
        }
        for span in runs.remainder() {
            self.upsert(span, ObjectType::ProjectLogs, project(span))?;
        }
        Ok(())
    }
}

/// Whether `error` is a UNIQUE constraint failing: [`INSERT_SPANS`] met a
/// span already stored.
fn is_unique_violation(error: &rusqlite::Error) -> bool {
    matches!(error, rusqlite::Error::SqliteFailure(e, _)
        if e.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE)
}

/// Binds the [`written_columns`] of `span` (as `object_type` in `project`)
/// to the parameters after the `first`, serialising JSON into `json`.
fn bind_span(
    stmt: &mut Statement<'_>,
    first: usize,
    span: &SpanRecord,
    object_type: ObjectType,
    project: &str,
    json: &mut Vec<u8>,
) -> rusqlite::Result<()> {
    stmt.raw_bind_parameter(first + 1, project)?;
    stmt.raw_bind_parameter(first + 2, &span.root_span_id)?;
    stmt.raw_bind_parameter(first + 3, &span.span_id)?;
    stmt.raw_bind_parameter(first + 4, &span.id)?;
    stmt.raw_bind_parameter(first + 5, span.parent_span_id())?;
    bind_json(stmt, first + 6, &span.span_parents, json)?;
    stmt.raw_bind_parameter(first + 7, span.name())?;
    stmt.raw_bind_parameter(first + 8, span.span_type().map(|t| t.as_str()))?;
    stmt.raw_bind_parameter(first + 9, &span.created)?;
    stmt.raw_bind_parameter(first + 10, span.metrics.start)?;
    stmt.raw_bind_parameter(first + 11, span.metrics.end)?;
    stmt.raw_bind_parameter(first + 12, span.is_error())?;
    bind_optional_json(stmt, first + 13, span.input.as_ref(), json)?;
    bind_optional_json(stmt, first + 14, span.output.as_ref(), json)?;
    bind_optional_json(stmt, first + 15, span.expected.as_ref(), json)?;
    bind_optional_json(stmt, first + 16, span.error.as_ref(), json)?;
    bind_json(stmt, first + 17, &span.metadata, json)?;
    bind_json(stmt, first + 18, &span.scores, json)?;
    bind_json(stmt, first + 19, &span.metrics, json)?;
    bind_json(stmt, first + 20, &span.span_attributes, json)?;
    bind_json(stmt, first + 21, &span.tags, json)?;
    let events = (!span.events.is_empty()).then_some(&span.events);
    bind_optional_json(stmt, first + 22, events, json)?;
    stmt.raw_bind_parameter(first + SPAN_PARAMS, object_type.as_str())
}

/// Binds `value` as JSON text (what [`json_text`] would return), serialised
/// into `buffer`.
fn bind_json<T: serde::Serialize>(
    stmt: &mut Statement<'_>,
    index: usize,
    value: &T,
    buffer: &mut Vec<u8>,
) -> rusqlite::Result<()> {
    buffer.clear();
    serde_json::to_writer(&mut *buffer, value).expect("span fields serialize to JSON");
    stmt.raw_bind_parameter(index, ToSqlOutput::Borrowed(ValueRef::Text(buffer)))
}

/// Binds `value` as JSON text, or NULL when there is none.
fn bind_optional_json<T: serde::Serialize>(
    stmt: &mut Statement<'_>,
    index: usize,
    value: Option<&T>,
    buffer: &mut Vec<u8>,
) -> rusqlite::Result<()> {
    match value {
        Some(value) => bind_json(stmt, index, value, buffer),
        None => stmt.raw_bind_parameter(index, Null),
    }
}

thread_local! {
    /// The WAL's size in pages after the latest commit on this thread, set
    /// by [`wal_committed`] (a plain `fn`, as rusqlite takes a WAL hook, so
    /// it cannot reach the store). SQLite calls the hook inside the commit,
    /// on the committing thread; [`TraceStore::commit`] clears it before
    /// and reads it after, under the writer's lock.
    static WAL_PAGES: Cell<Option<c_int>> = const { Cell::new(None) };
}

/// The writer's WAL hook: SQLite calls it after each commit with the WAL's
/// size in pages.
fn wal_committed(wal: &Wal, pages: c_int) -> rusqlite::Result<()> {
    WAL_PAGES.set(Some(pages));
    if pages >= WAL_AUTOCHECKPOINT_PAGES {
        // What SQLite's own hook does: a passive checkpoint, whose failure
        // (another checkpoint is running) the next commit retries. An error
        // returned here would fail the commit, which has happened.
        let _ = wal.checkpoint();
    }
    Ok(())
}

/// Runs passive checkpoints on a thread and connection of its own when the
/// writer asks for one; stops (and closes its connection) when dropped.
///
/// A passive checkpoint copies what it can without blocking the writer or
/// the readers, so commits go on while it runs. The WAL keeps its crash
/// safety: SQLite syncs it before copying and the database file after.
#[derive(Debug)]
struct Checkpointer {
    signal: Arc<CheckpointSignal>,
    /// Only the writer uses it, under its lock.
    wal: Mutex<WalProgress>,
    thread: Option<JoinHandle<()>>,
}

/// The WAL's size in pages, as the writer last saw it.
#[derive(Debug, Default)]
struct WalProgress {
    /// After the latest commit.
    committed: c_int,
    /// When the checkpointer was last asked to run.
    requested: c_int,
}

/// What the writer and the store tell the checkpointer's thread.
#[derive(Debug, Default)]
struct CheckpointSignal {
    state: Mutex<CheckpointState>,
    changed: Condvar,
}

#[derive(Debug, Default)]
struct CheckpointState {
    /// A checkpoint has been asked for since the last one started.
    due: bool,
    /// The store is closing: the thread ends.
    closing: bool,
}

impl Checkpointer {
    /// Starts the checkpointer of the store at `path`. Without one (the
    /// connection or the thread could not be had) the writer's own
    /// checkpoints from [`WAL_AUTOCHECKPOINT_PAGES`] still keep the WAL in
    /// bounds, as SQLite's automatic checkpoints would.
    fn start(path: &Path) -> Option<Checkpointer> {
        let signal = Arc::new(CheckpointSignal::default());
        let started = Connection::open(path)
            .and_then(|conn| {
                conn.busy_timeout(BUSY_TIMEOUT)?;
                // As the writer's; checkpoints sync the files either way.
                conn.pragma_update(None, "synchronous", "NORMAL")?;
                Ok(conn)
            })
            .map_err(|e| e.to_string())
            .and_then(|conn| {
                let signal = signal.clone();
                std::thread::Builder::new()
                    .name("trace-checkpoint".to_owned())
                    .spawn(move || signal.serve(&conn))
                    .map_err(|e| e.to_string())
            });
        match started {
            Ok(thread) => Some(Checkpointer {
                signal,
                wal: Mutex::default(),
                thread: Some(thread),
            }),
            Err(error) => {
                let path = path.display();
                tracing::warn!(%path, error, "no background checkpoints for the trace store");
                None
            }
        }
    }

    /// Called after a commit that left `pages` in the WAL.
    fn committed(&self, pages: c_int) {
        let mut wal = lock(&self.wal);
        if pages <= wal.committed {
            // Every commit adds pages: the WAL restarted from its beginning
            // (a checkpoint had copied all of it).
            wal.requested = 0;
        }
        wal.committed = pages;
        if pages - wal.requested >= BACKGROUND_CHECKPOINT_PAGES {
            wal.requested = pages;
            lock(&self.signal.state).due = true;
            self.signal.changed.notify_one();
        }
    }
}

impl CheckpointSignal {
    /// The checkpointer's thread: a passive checkpoint each time one is
    /// due (requests made while one runs make one more), until the store
    /// closes.
    fn serve(&self, conn: &Connection) {
        loop {
            {
                let mut state = lock(&self.state);
                while !state.due && !state.closing {
                    state = self
                        .changed
                        .wait(state)
                        .unwrap_or_else(|poisoned| poisoned.into_inner());
                }
                if state.closing {
                    return;
                }
                state.due = false;
            }
            let result = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |r| {
                Ok((r.get::<_, i64>(1)?, r.get::<_, i64>(2)?))
            });
            match result {
                Ok((wal_pages, copied)) => {
                    tracing::trace!(wal_pages, copied, "background checkpoint");
                }
                Err(error) => tracing::debug!(%error, "background checkpoint failed"),
            }
        }
    }
}

impl Drop for Checkpointer {
    fn drop(&mut self) {
        lock(&self.signal.state).closing = true;
        self.signal.changed.notify_one();
        if let Some(thread) = self.thread.take() {
            // The thread only waits or checkpoints; it does not panic.
            let _ = thread.join();
        }
    }
}

/// `: known are a, b` for a "not found" message, or nothing.
fn listed(what: &str, known: &[String]) -> String {
    if known.is_empty() {
        format!(" (there are no {what} yet)")
    } else {
        let mut names: Vec<String> = known
            .iter()
            .take(KNOWN_NAMES_LISTED)
            .map(|n| format!("`{n}`"))
            .collect();
        if known.len() > KNOWN_NAMES_LISTED {
            names.push("…".to_owned());
        }
        format!("; existing {what}: {}", names.join(", "))
    }
}

/// Span fields always serialise: map keys are strings and serde_json
/// writes a non-finite float as `null` rather than failing.
fn json_text<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).expect("span fields serialize to JSON")
}

/// One row's text columns, before JSON parsing.
struct RawRow {
    project: String,
    root_span_id: String,
    span_id: String,
    id: String,
    span_parents: String,
    created: String,
    input: Option<String>,
    output: Option<String>,
    expected: Option<String>,
    error: Option<String>,
    metadata: String,
    scores: String,
    metrics: String,
    span_attributes: String,
    tags: String,
    events: Option<String>,
}

impl RawRow {
    /// Reads the [`SPAN_COLUMNS`] of a row.
    fn read(row: &Row<'_>) -> rusqlite::Result<RawRow> {
        Ok(RawRow {
            project: row.get(0)?,
            root_span_id: row.get(1)?,
            span_id: row.get(2)?,
            id: row.get(3)?,
            span_parents: row.get(4)?,
            created: row.get(5)?,
            input: row.get(6)?,
            output: row.get(7)?,
            expected: row.get(8)?,
            error: row.get(9)?,
            metadata: row.get(10)?,
            scores: row.get(11)?,
            metrics: row.get(12)?,
            span_attributes: row.get(13)?,
            tags: row.get(14)?,
            events: row.get(15)?,
        })
    }

    fn into_record(self) -> Result<SpanRecord, StoreError> {
        let trace_id = self.root_span_id.clone();
        let span_id = self.span_id.clone();
        let bad = |column: &'static str| {
            let (trace_id, span_id) = (trace_id.clone(), span_id.clone());
            move |source| StoreError::BadRow {
                trace_id,
                span_id,
                column,
                source,
            }
        };
        fn parse<T: serde::de::DeserializeOwned>(text: &str) -> serde_json::Result<T> {
            serde_json::from_str(text)
        }
        fn parse_opt(text: Option<String>) -> serde_json::Result<Option<Value>> {
            text.map(|t| serde_json::from_str(&t)).transpose()
        }
        Ok(SpanRecord {
            span_parents: parse(&self.span_parents).map_err(bad("span_parents"))?,
            input: parse_opt(self.input).map_err(bad("input"))?,
            output: parse_opt(self.output).map_err(bad("output"))?,
            expected: parse_opt(self.expected).map_err(bad("expected"))?,
            error: parse_opt(self.error).map_err(bad("error"))?,
            metadata: parse(&self.metadata).map_err(bad("metadata"))?,
            scores: parse(&self.scores).map_err(bad("scores"))?,
            metrics: parse(&self.metrics).map_err(bad("metrics"))?,
            span_attributes: parse(&self.span_attributes).map_err(bad("span_attributes"))?,
            tags: parse(&self.tags).map_err(bad("tags"))?,
            events: self
                .events
                .as_deref()
                .map(parse)
                .transpose()
                .map_err(bad("events"))?
                .unwrap_or_default(),
            project: Some(self.project),
            id: self.id,
            span_id: self.span_id,
            root_span_id: self.root_span_id,
            created: self.created,
        })
    }
}

/// Looks up one span of the project logs by trace and span id (used by
/// tests and tools).
pub fn find_span(
    conn: &Connection,
    trace_id: &str,
    span_id: &str,
) -> Result<Option<SpanRecord>, StoreError> {
    let raw = conn
        .query_row(
            &format!(
                "SELECT {SPAN_COLUMNS} FROM spans \
                 WHERE object_type = 'project_logs' AND root_span_id = ?1 AND span_id = ?2"
            ),
            [trace_id, span_id],
            RawRow::read,
        )
        .optional()?;
    raw.map(RawRow::into_record).transpose()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::span::{Span, SpanType};
    use serde_json::json;

    fn store() -> (tempfile::TempDir, TraceStore) {
        let dir = tempfile::tempdir().unwrap();
        let store = TraceStore::open(dir.path().join("nested/dir/traces.db")).unwrap();
        (dir, store)
    }

    fn conversation() -> Vec<SpanRecord> {
        let root = Span::root("client_conversation", SpanType::Task).with_project("clinic");
        let turn = root.child("client_turn", SpanType::Task);
        let server = turn.child("server_process_turn", SpanType::Task);
        let mut tool = server.child("calculate_bmi", SpanType::Tool);
        tool.log_output(json!({"bmi": 30.9}));
        tool.log_score("health_risk", 0.3);
        let tool = tool.end();
        let server = server.end();
        let turn = turn.end();
        let root = root.end();
        vec![root, turn, server, tool]
    }

    #[test]
    fn open_creates_directories_schema_and_wal() {
        let (dir, store) = store();
        assert!(dir.path().join("nested/dir/traces.db").exists());
        let reader = store.reader().unwrap();
        let mode: String = reader
            .query_row("PRAGMA journal_mode", [], |r| r.get(0))
            .unwrap();
        assert_eq!(mode, "wal");
        let version: i64 = reader
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap();
        assert_eq!(version, MIGRATIONS.len() as i64);
        store.integrity_check().unwrap();
    }

    #[test]
    fn readers_cannot_write() {
        let (_dir, store) = store();
        let reader = store.reader().unwrap();
        let err = reader.execute("DELETE FROM spans", []).unwrap_err();
        assert!(err.to_string().contains("readonly") || err.to_string().contains("read"));
    }

    #[test]
    fn duplicate_span_is_stored_once_and_later_write_wins() {
        let (_dir, store) = store();
        let spans = conversation();
        assert_eq!(store.insert_spans(&spans).unwrap(), 4);
        let mut again = spans[3].clone();
        again.output = Some(json!({"bmi": 31.0}));
        store.insert_spans(&[again.clone()]).unwrap();
        store.insert_spans(&spans[..1]).unwrap();
        assert_eq!(store.count().unwrap(), 4);
        let stored = find_span(
            &store.reader().unwrap(),
            &again.root_span_id,
            &again.span_id,
        )
        .unwrap()
        .unwrap();
        assert_eq!(stored.output, Some(json!({"bmi": 31.0})));
    }

    /// Every column of every row, in `seq` order, as text.
    fn dump(store: &TraceStore) -> Vec<Vec<Option<String>>> {
        let reader = store.reader().unwrap();
        let mut stmt = reader
            .prepare(
                "SELECT seq, object_type, project, root_span_id, span_id, id, parent_span_id, \
                 span_parents, name, type, created, quote(start_time), quote(end_time), \
                 is_error, input, output, expected, error, metadata, scores, metrics, \
                 span_attributes, tags, events FROM spans ORDER BY seq",
            )
            .unwrap();
        let columns = stmt.column_count();
        stmt.query_map([], |r| {
            (0..columns)
                .map(|i| r.get::<_, Option<rusqlite::types::Value>>(i))
                .map(|v| v.map(|v| v.map(|v| format!("{v:?}"))))
                .collect()
        })
        .unwrap()
        .map(Result::unwrap)
        .collect()
    }

    #[test]
    fn batched_inserts_store_what_one_by_one_upserts_store() {
        // Runs of spans go through the multi-row INSERT; a span already
        // stored (earlier in the batch, in the same run of eight, or in an
        // earlier batch) makes it stop and fall back to UPSERT.
        let mut spans: Vec<SpanRecord> = crate::synthetic::spans(0, 60);
        let mut second_batch = spans.split_off(30);
        let first_batch = spans;
        let mut error = first_batch[4].clone();
        error.error = Some(json!("timeout"));
        second_batch.insert(3, error); // stored by an earlier batch
        let again = second_batch[10].clone();
        second_batch.insert(13, again); // earlier in the same statement
        let mut renamed = first_batch[20].clone();
        renamed.output = Some(json!({"renamed": true}));
        second_batch.insert(16, renamed); // first of its statement
        let mut events = second_batch[12].clone();
        events.events = vec![crate::span::SpanEvent {
            time: 1.5,
            name: "retry".to_owned(),
            attributes: Default::default(),
        }];
        second_batch.push(events); // after the last full statement
        let batches = [first_batch, second_batch];

        let (_a, batched) = store();
        for batch in &batches {
            assert_eq!(batched.insert_spans(batch).unwrap(), batch.len());
        }
        let (_b, one_by_one) = store();
        for span in batches.iter().flatten() {
            one_by_one.insert_spans(std::slice::from_ref(span)).unwrap();
        }
        let rows = dump(&batched);
        assert_eq!(rows.len(), 63);
        assert_eq!(rows, dump(&one_by_one));
        let stored = find_span(
            &batched.reader().unwrap(),
            &batches[0][4].root_span_id,
            &batches[0][4].span_id,
        )
        .unwrap()
        .unwrap();
        assert_eq!(stored.error, Some(json!("timeout")), "the later write wins");
    }

    #[test]
    fn json_columns_hold_serde_json_text() {
        let (_dir, store) = store();
        let mut spans = crate::synthetic::spans(0, 18);
        spans[7].events = vec![crate::span::SpanEvent {
            time: 1_700_000_000.25,
            name: "retry".to_owned(),
            attributes: json!({"attempt": 2}).as_object().unwrap().clone(),
        }];
        spans[8].error = Some(json!({"kind": "timeout", "after_ms": 1e3}));
        store.insert_spans(&spans).unwrap();
        let reader = store.reader().unwrap();
        for span in &spans {
            let texts: Vec<Option<String>> = reader
                .query_row(
                    "SELECT span_parents, input, output, expected, error, metadata, scores, \
                     metrics, span_attributes, tags, events FROM spans WHERE span_id = ?1",
                    [&span.span_id],
                    |r| (0..11).map(|i| r.get(i)).collect(),
                )
                .unwrap();
            let optional = |v: &Option<Value>| v.as_ref().map(Value::to_string);
            let expected = vec![
                Some(json_text(&span.span_parents)),
                optional(&span.input),
                optional(&span.output),
                optional(&span.expected),
                optional(&span.error),
                Some(json_text(&span.metadata)),
                Some(json_text(&span.scores)),
                Some(json_text(&span.metrics)),
                Some(json_text(&span.span_attributes)),
                Some(json_text(&span.tags)),
                (!span.events.is_empty()).then(|| json_text(&span.events)),
            ];
            assert_eq!(texts, expected);
        }
    }

    #[test]
    fn insert_spans_statement_writes_every_column() {
        assert_eq!(written_columns!().split(',').count(), SPAN_PARAMS);
        assert_eq!(
            INSERT_SPANS.matches('?').count(),
            SPAN_PARAMS * SPANS_PER_INSERT
        );
    }

    /// The WAL file's size in pages, as its length says (it never shrinks).
    fn wal_pages(store: &TraceStore) -> u64 {
        let mut wal = store.path().as_os_str().to_owned();
        wal.push("-wal");
        let len = std::fs::metadata(wal).map_or(0, |m| m.len());
        // A 32-byte header, then frames of a 24-byte header and a page.
        len.saturating_sub(32) / (24 + 4096)
    }

    #[test]
    fn the_background_checkpointer_copies_the_wal_into_the_file() {
        let (_dir, store) = store();
        let before = std::fs::metadata(store.path()).unwrap().len();
        crate::synthetic::fill(&store, 2_000, 512).unwrap();
        assert!(wal_pages(&store) < WAL_AUTOCHECKPOINT_PAGES as u64);
        // Only checkpoints write to the database file.
        let deadline = std::time::Instant::now() + Duration::from_secs(30);
        while std::fs::metadata(store.path()).unwrap().len() <= before {
            assert!(std::time::Instant::now() < deadline, "no checkpoint ran");
            std::thread::sleep(Duration::from_millis(10));
        }
        assert_eq!(store.count().unwrap(), 2_007);
    }

    #[test]
    fn without_the_checkpointer_the_writer_keeps_the_wal_bounded() {
        let dir = tempfile::tempdir().unwrap();
        let store = TraceStore::open_with(&dir.path().join("traces.db"), false).unwrap();
        // About 17,000 WAL pages of spans: past the writer's own
        // checkpoints, after which the WAL starts over.
        crate::synthetic::fill(&store, 30_000, 512).unwrap();
        let pages = wal_pages(&store);
        assert!(
            pages < WAL_AUTOCHECKPOINT_PAGES as u64 + 1_000,
            "the WAL grew to {pages} pages"
        );
        assert_eq!(store.count().unwrap(), 30_006);
        store.integrity_check().unwrap();
    }

    #[test]
    fn stored_records_read_back_equal() {
        let (_dir, store) = store();
        let spans = conversation();
        store.insert_spans(&spans).unwrap();
        let back = store.trace(&spans[0].root_span_id).unwrap();
        assert_eq!(back.len(), 4);
        for original in &spans {
            let found = back.iter().find(|s| s.span_id == original.span_id).unwrap();
            assert_eq!(found, original);
        }
    }

    #[test]
    fn child_before_parent_builds_the_same_tree() {
        let (_dir, store) = store();
        let spans = conversation();
        // The tool span arrives first, the root last, in separate batches.
        for span in spans.iter().rev() {
            store.insert_spans(std::slice::from_ref(span)).unwrap();
        }
        let tree = store.trace_tree(&spans[0].root_span_id).unwrap().unwrap();
        assert_eq!(tree.roots.len(), 1);
        let root = &tree.roots[0];
        assert_eq!(root.span.name(), "client_conversation");
        let turn = &root.children[0];
        let server = &turn.children[0];
        assert_eq!(server.span.name(), "server_process_turn");
        assert_eq!(server.children[0].span.name(), "calculate_bmi");
        assert_eq!(tree.span_count, 4);
    }

    #[test]
    fn missing_trace_has_no_tree() {
        let (_dir, store) = store();
        assert!(store
            .trace_tree("0123456789abcdef0123456789abcdef")
            .unwrap()
            .is_none());
    }

    #[test]
    fn processes_opening_a_new_store_at_once_all_succeed() {
        // Servers started together on the default path race to create the
        // file, switch it to WAL and migrate it.
        for _ in 0..5 {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("nested/traces.db");
            let barrier = std::sync::Arc::new(std::sync::Barrier::new(8));
            let opened: Vec<_> = (0..8)
                .map(|_| {
                    let (path, barrier) = (path.clone(), barrier.clone());
                    std::thread::spawn(move || {
                        barrier.wait();
                        TraceStore::open(&path).map(|store| store.count())
                    })
                })
                .collect();
            for handle in opened {
                let count = handle.join().unwrap().expect("the store opens");
                assert_eq!(count.unwrap(), 0);
            }
        }
    }

    #[test]
    fn reopen_after_drop_keeps_data() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("traces.db");
        let spans = conversation();
        {
            let store = TraceStore::open(&path).unwrap();
            store.insert_spans(&spans).unwrap();
        }
        let store = TraceStore::open(&path).unwrap();
        assert_eq!(store.count().unwrap(), 4);
        assert_eq!(store.trace(&spans[0].root_span_id).unwrap().len(), 4);
        store.integrity_check().unwrap();
    }

    #[test]
    fn newer_schema_is_refused_by_name() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("traces.db");
        {
            let conn = Connection::open(&path).unwrap();
            conn.pragma_update(None, "user_version", 99).unwrap();
        }
        let err = TraceStore::open(&path).unwrap_err();
        assert!(matches!(err, StoreError::NewerSchema { found: 99, .. }));
        assert!(err.to_string().contains("traces.db"), "{err}");
    }

    #[test]
    fn json_columns_answer_json_extract_and_indexes_serve_hot_queries() {
        let (_dir, store) = store();
        store.insert_spans(&conversation()).unwrap();
        let reader = store.reader().unwrap();
        let bmi: f64 = reader
            .query_row(
                "SELECT json_extract(output, '$.bmi') FROM spans WHERE type = 'tool'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(bmi, 30.9);
        let plan = |sql: &str| -> String {
            let mut stmt = reader
                .prepare(&format!("EXPLAIN QUERY PLAN {sql}"))
                .unwrap();
            stmt.query_map([], |r| r.get::<_, String>(3))
                .unwrap()
                .map(Result::unwrap)
                .collect::<Vec<_>>()
                .join("\n")
        };
        let recent = plan(
            "SELECT * FROM spans WHERE object_type = 'project_logs' AND project = 'clinic' \
             AND name = 'client_conversation' ORDER BY created DESC LIMIT 10",
        );
        assert!(recent.contains("spans_project_name_created"), "{recent}");
        assert!(!recent.contains("TEMP B-TREE"), "{recent}");
        let by_trace =
            plan("SELECT * FROM spans WHERE object_type = 'project_logs' AND root_span_id = 'x'");
        assert!(
            by_trace.contains("sqlite_autoindex_spans_1 (object_type=? AND root_span_id=?)"),
            "{by_trace}"
        );
        let tools = plan(
            "SELECT name, count(*), avg(end_time - start_time) FROM spans \
             WHERE object_type = 'project_logs' AND project = 'clinic' AND type = 'tool' \
             GROUP BY name",
        );
        assert!(tools.contains("spans_project_type_name"), "{tools}");
    }

    fn new_row(id: Option<&str>, input: Value) -> NewDatasetRow {
        NewDatasetRow {
            id: id.map(str::to_owned),
            input,
            expected: Value::Null,
            metadata: json!({}),
            tags: vec![],
        }
    }

    /// The schema of version 1, as earlier builds created it.
    const V1_SCHEMA: &str = MIGRATIONS[0];

    #[test]
    fn a_version_1_store_upgrades_in_place() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("traces.db");
        let spans = conversation();
        {
            let conn = Connection::open(&path).unwrap();
            conn.execute_batch(V1_SCHEMA).unwrap();
            conn.pragma_update(None, "user_version", 1).unwrap();
            let mut stmt = conn
                .prepare(
                    "INSERT INTO spans (project, root_span_id, span_id, id, parent_span_id, \
                     name, type, created, start_time, end_time, output, span_attributes) \
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
                )
                .unwrap();
            for span in &spans {
                stmt.execute(params![
                    span.project.as_deref().unwrap(),
                    span.root_span_id,
                    span.span_id,
                    span.id,
                    span.parent_span_id(),
                    span.name(),
                    span.span_type().map(|t| t.as_str()),
                    span.created,
                    span.metrics.start,
                    span.metrics.end,
                    span.output.as_ref().map(Value::to_string),
                    json_text(&span.span_attributes),
                ])
                .unwrap();
            }
        }
        let store = TraceStore::open(&path).unwrap();
        let reader = store.reader().unwrap();
        let version: i64 = reader
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap();
        assert_eq!(version, MIGRATIONS.len() as i64);
        drop(reader);
        let back = store.trace(&spans[0].root_span_id).unwrap();
        assert_eq!(back.len(), 4);
        let tool = back.iter().find(|s| s.name() == "calculate_bmi").unwrap();
        assert_eq!(tool.output, Some(json!({"bmi": 30.9})));
        let reader = store.reader().unwrap();
        let kinds: Vec<String> = reader
            .prepare("SELECT DISTINCT object_type FROM spans")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        assert_eq!(kinds, ["project_logs"]);
        drop(reader);
        // The upgraded store takes new spans and datasets like a new one.
        store.insert_spans(&spans).unwrap();
        assert_eq!(store.count().unwrap(), 4);
        store
            .insert_dataset_rows("d", &[new_row(Some("a"), json!(1))], None)
            .unwrap();
        store.integrity_check().unwrap();
    }

    #[test]
    fn dataset_rows_dedup_by_id_within_a_dataset() {
        let (_dir, store) = store();
        let rows = [
            new_row(Some("a"), json!({"q": 1})),
            new_row(Some("b"), json!({"q": 2})),
            new_row(Some("a"), json!({"q": "again"})),
            new_row(None, json!({"q": 3})),
        ];
        let first = store
            .insert_dataset_rows("Diabetes Cases", &rows, Some("cases"))
            .unwrap();
        assert_eq!((first.inserted, first.duplicates, first.rows), (3, 1, 3));
        let second = store
            .insert_dataset_rows("Diabetes Cases", &rows[..2], None)
            .unwrap();
        assert_eq!((second.inserted, second.duplicates, second.rows), (0, 2, 3));
        // The same id in another dataset is another row.
        let other = store
            .insert_dataset_rows("other", &rows[..1], None)
            .unwrap();
        assert_eq!(other.inserted, 1);
        let detail = store.dataset("Diabetes Cases").unwrap();
        assert_eq!(detail.summary.rows, 3);
        assert_eq!(detail.summary.description.as_deref(), Some("cases"));
        assert_eq!(
            detail.rows[0].input,
            json!({"q": 1}),
            "the first write wins"
        );
        let names: Vec<_> = store
            .datasets()
            .unwrap()
            .into_iter()
            .map(|d| d.name)
            .collect();
        assert_eq!(names, ["Diabetes Cases", "other"]);
    }

    #[test]
    fn deleting_a_dataset_deletes_its_rows_only() {
        let (_dir, store) = store();
        store
            .insert_dataset_rows("a", &[new_row(Some("1"), json!(1))], None)
            .unwrap();
        store
            .insert_dataset_rows("b", &[new_row(Some("1"), json!(2))], None)
            .unwrap();
        assert_eq!(store.delete_dataset("a").unwrap(), 1);
        assert!(matches!(
            store.dataset("a").unwrap_err(),
            StoreError::DatasetNotFound { .. }
        ));
        let err = store.delete_dataset("a").unwrap_err();
        assert!(err.to_string().contains("existing datasets: `b`"), "{err}");
        assert_eq!(store.dataset("b").unwrap().rows.len(), 1);
        let reader = store.reader().unwrap();
        let left: i64 = reader
            .query_row("SELECT count(*) FROM dataset_rows", [], |r| r.get(0))
            .unwrap();
        assert_eq!(left, 1);
    }

    #[test]
    fn experiment_spans_stay_out_of_project_logs() {
        let (_dir, store) = store();
        let logged = conversation();
        store.insert_spans(&logged).unwrap();
        store
            .create_experiment(&NewExperiment {
                name: "clinic".to_owned(),
                dataset: None,
                metadata: json!({}),
            })
            .unwrap();
        // The same records, ids and all, logged to an experiment named like
        // the project: a second copy, not a replacement.
        let mut copied = conversation();
        for span in &mut copied {
            span.output = Some(json!("experiment"));
        }
        assert_eq!(store.insert_experiment_spans("clinic", &copied).unwrap(), 4);
        assert_eq!(store.insert_experiment_spans("clinic", &copied).unwrap(), 4);
        assert_eq!(store.experiment("clinic").unwrap().spans, 4);
        let trace = store.trace(&copied[0].root_span_id).unwrap();
        assert_eq!(trace.len(), 0, "other trace ids");
        let trace = store.trace(&logged[0].root_span_id).unwrap();
        assert!(trace.iter().all(|s| s.output != Some(json!("experiment"))));

        let same_ids: Vec<SpanRecord> = logged
            .iter()
            .cloned()
            .map(|mut s| {
                s.output = Some(json!("experiment"));
                s
            })
            .collect();
        store.insert_experiment_spans("clinic", &same_ids).unwrap();
        let trace = store.trace(&logged[0].root_span_id).unwrap();
        assert_eq!(trace.len(), 4);
        assert!(trace.iter().all(|s| s.output != Some(json!("experiment"))));
        assert_eq!(store.count().unwrap(), 12);

        // A span of one experiment cannot be moved into another.
        store
            .create_experiment(&NewExperiment {
                name: "other".to_owned(),
                dataset: None,
                metadata: json!({}),
            })
            .unwrap();
        let err = store
            .insert_experiment_spans("other", &same_ids[..1])
            .unwrap_err();
        assert!(
            matches!(&err, StoreError::SpanOfAnotherExperiment { owner, .. } if owner == "clinic"),
            "{err}"
        );
        assert_eq!(store.experiment("other").unwrap().spans, 0);
    }

    #[test]
    fn experiments_are_unique_and_need_their_dataset() {
        let (_dir, store) = store();
        let new = |name: &str, dataset: Option<&str>| NewExperiment {
            name: name.to_owned(),
            dataset: dataset.map(str::to_owned),
            metadata: json!({}),
        };
        store.create_experiment(&new("e1", None)).unwrap();
        let err = store.create_experiment(&new("e1", None)).unwrap_err();
        assert!(matches!(err, StoreError::ExperimentExists(_)));
        assert!(err.to_string().contains("choose another name"));
        let err = store.create_experiment(&new("e2", Some("d"))).unwrap_err();
        assert!(matches!(err, StoreError::Invalid(_)), "{err}");
        store
            .insert_dataset_rows("d", &[new_row(None, json!(1))], None)
            .unwrap();
        store.create_experiment(&new("e2", Some("d"))).unwrap();
        let names: Vec<_> = store
            .experiments()
            .unwrap()
            .into_iter()
            .map(|e| e.name)
            .collect();
        assert_eq!(names, ["e2", "e1"], "newest first");
        let err = store
            .insert_experiment_spans("nope", &conversation())
            .unwrap_err();
        assert!(
            err.to_string().contains("experiment `nope` not found"),
            "{err}"
        );
    }
}
