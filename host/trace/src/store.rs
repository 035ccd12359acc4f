//! The embedded trace store: one SQLite file (WAL, `synchronous=NORMAL`)
//! with a `spans` table that keeps the hot fields of a [`SpanRecord`] in
//! columns and the rest as JSON text, so SQLite's JSON1 functions
//! (`json_extract(output, '$.bmi')`) reach inside them. The BTQL planner
//! builds its queries on this layout.
//!
//! Writes go through one writer connection behind a mutex, each batch in
//! one transaction. Reads use a small pool of read-only connections
//! (`query_only`), which WAL lets run alongside the writer. Every method
//! blocks: call them from `spawn_blocking` in async code.
//!
//! A span written twice (an exporter retrying after a lost response) is
//! stored once: rows are keyed by `(root_span_id, span_id)` and a later
//! write of the same span replaces the earlier one. Spans may arrive in any
//! order; a child stored before its parent is linked when the tree is read.
//!
//! Schema (version 1, tracked in `PRAGMA user_version`):
//!
//! | column | holds |
//! |---|---|
//! | `seq` | rowid, arrival order |
//! | `project`, `root_span_id`, `span_id`, `id` | text |
//! | `parent_span_id` | first of `span_parents`, NULL for a root |
//! | `name`, `type` | `span_attributes.name` / `.type` |
//! | `created` | RFC 3339 text (fixed width, sorts in time order) |
//! | `start_time`, `end_time` | `metrics.start` / `.end`, unix seconds (`end` is an SQL keyword) |
//! | `is_error` | 1 when `error` is set |
//! | `input`, `output`, `expected`, `error`, `metadata`, `scores`, `metrics`, `span_attributes`, `tags`, `span_parents`, `events` | JSON text |
//!
//! Indexes: unique `(root_span_id, span_id)` (also serves lookups by trace),
//! `(project, name, created)` for "spans named X, newest first",
//! `(project, type, name)` for per-tool aggregates, and `(created)`.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use rusqlite::{params, Connection, OpenFlags, OptionalExtension, Row, TransactionBehavior};
use serde_json::Value;

use crate::propagation::DEFAULT_PROJECT;
use crate::span::SpanRecord;
use crate::tree::SpanTree;

/// Schema migrations, applied in order; `user_version` counts how many ran.
const MIGRATIONS: &[&str] = &[r#"
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
"#];

/// The columns [`TraceStore`] reads back into a [`SpanRecord`], in order.
pub const SPAN_COLUMNS: &str = "project, root_span_id, span_id, id, span_parents, created, \
     input, output, expected, error, metadata, scores, metrics, span_attributes, tags, events";

const UPSERT: &str = "INSERT INTO spans (project, root_span_id, span_id, id, parent_span_id, \
     span_parents, name, type, created, start_time, end_time, is_error, input, output, expected, \
     error, metadata, scores, metrics, span_attributes, tags, events) \
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, \
     ?19, ?20, ?21, ?22) \
     ON CONFLICT (root_span_id, span_id) DO UPDATE SET project = excluded.project, \
     id = excluded.id, parent_span_id = excluded.parent_span_id, \
     span_parents = excluded.span_parents, name = excluded.name, type = excluded.type, \
     created = excluded.created, start_time = excluded.start_time, end_time = excluded.end_time, \
     is_error = excluded.is_error, input = excluded.input, output = excluded.output, \
     expected = excluded.expected, error = excluded.error, metadata = excluded.metadata, \
     scores = excluded.scores, metrics = excluded.metrics, \
     span_attributes = excluded.span_attributes, tags = excluded.tags, events = excluded.events";

/// Read connections map this much of the file: queries that visit rows all
/// over a large store (per-tool aggregates) then read pages without a
/// syscall each. Address space only; the OS shares the pages.
const MMAP_BYTES: i64 = 1 << 30;
/// Page cache per connection, in KiB (SQLite's negative `cache_size`).
const CACHE_KIB: i64 = 32 * 1024;

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
    /// Any other SQLite failure.
    #[error("trace store query failed: {0}")]
    Sqlite(#[from] rusqlite::Error),
}

/// The SQLite trace store. `Send + Sync`: share it in an `Arc`.
#[derive(Debug)]
pub struct TraceStore {
    path: PathBuf,
    writer: Mutex<Connection>,
    readers: Mutex<Vec<Connection>>,
}

impl TraceStore {
    /// Opens (creating if needed) the store at `path`: creates the parent
    /// directories, switches to WAL and applies any pending migrations.
    pub fn open(path: impl AsRef<Path>) -> Result<TraceStore, StoreError> {
        let path = path.as_ref().to_path_buf();
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
        migrate(&mut conn, &path)?;
        Ok(TraceStore {
            path,
            writer: Mutex::new(conn),
            readers: Mutex::new(Vec::new()),
        })
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

    /// Stores `spans` in one transaction and returns how many were written.
    /// Records without a project go to [`DEFAULT_PROJECT`]; a span already
    /// stored is replaced (see the module doc).
    pub fn insert_spans(&self, spans: &[SpanRecord]) -> Result<usize, StoreError> {
        if spans.is_empty() {
            return Ok(0);
        }
        let mut conn = lock(&self.writer);
        let tx = conn.transaction()?;
        {
            let mut stmt = tx.prepare_cached(UPSERT)?;
            for span in spans {
                let optional = |v: &Option<Value>| v.as_ref().map(Value::to_string);
                stmt.execute(params![
                    span.project.as_deref().unwrap_or(DEFAULT_PROJECT),
                    span.root_span_id,
                    span.span_id,
                    span.id,
                    span.parent_span_id(),
                    json_text(&span.span_parents),
                    span.name(),
                    span.span_type().map(|t| t.as_str()),
                    span.created,
                    span.metrics.start,
                    span.metrics.end,
                    span.is_error(),
                    optional(&span.input),
                    optional(&span.output),
                    optional(&span.expected),
                    optional(&span.error),
                    json_text(&span.metadata),
                    json_text(&span.scores),
                    json_text(&span.metrics),
                    json_text(&span.span_attributes),
                    json_text(&span.tags),
                    (!span.events.is_empty()).then(|| json_text(&span.events)),
                ])?;
            }
        }
        tx.commit()?;
        Ok(spans.len())
    }

    /// Every span of a trace, ordered by start time.
    pub fn trace(&self, trace_id: &str) -> Result<Vec<SpanRecord>, StoreError> {
        let reader = self.reader()?;
        let mut stmt = reader.prepare_cached(&format!(
            "SELECT {SPAN_COLUMNS} FROM spans WHERE root_span_id = ?1 ORDER BY start_time, seq"
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

    /// How many spans are stored.
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

/// Looks up one span by trace and span id (used by tests and tools).
pub fn find_span(
    conn: &Connection,
    trace_id: &str,
    span_id: &str,
) -> Result<Option<SpanRecord>, StoreError> {
    let raw = conn
        .query_row(
            &format!("SELECT {SPAN_COLUMNS} FROM spans WHERE root_span_id = ?1 AND span_id = ?2"),
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
            "SELECT * FROM spans WHERE project = 'clinic' AND name = 'client_conversation' \
             ORDER BY created DESC LIMIT 10",
        );
        assert!(recent.contains("spans_project_name_created"), "{recent}");
        assert!(!recent.contains("TEMP B-TREE"), "{recent}");
        let by_trace = plan("SELECT * FROM spans WHERE root_span_id = 'x'");
        assert!(by_trace.contains("INDEX"), "{by_trace}");
        let tools = plan(
            "SELECT name, count(*), avg(end_time - start_time) FROM spans \
             WHERE project = 'clinic' AND type = 'tool' GROUP BY name",
        );
        assert!(tools.contains("spans_project_type_name"), "{tools}");
    }
}
