//! Runs a [`Plan`] on one of the store's read-only connections and turns
//! the rows into Braintrust-shaped JSON objects.
//!
//! Three guards stand between a query and the database: the connection is
//! opened read-only with `query_only` set; the SQL must be one statement
//! that starts with `SELECT` or `WITH` and that SQLite itself reports as
//! read-only before it is stepped; and a progress handler interrupts it
//! once its time limit has passed.

use std::time::{Duration, Instant};

use rusqlite::types::ValueRef;
use rusqlite::{params_from_iter, Connection, ErrorCode};
use serde_json::{Map, Value};

use super::cursor::Cursor;
use super::error::BtqlError;
use super::functions::{self, ERROR_PREFIX};
use super::plan::{Column, Paging, Plan, ValueKind};

/// How many SQLite VM steps run between two looks at the clock.
const PROGRESS_STEPS: i32 = 1000;

/// One page of results.
#[derive(Debug, Clone, PartialEq)]
pub struct QueryOutput {
    /// The rows, each a JSON object.
    pub data: Vec<Map<String, Value>>,
    /// Pass back as `cursor:` / `OFFSET '…'` for the next page; `None`
    /// when this page is the last.
    pub cursor: Option<String>,
    /// Things the caller should know, such as a `LIMIT` that was lowered
    /// to the maximum.
    pub warnings: Vec<String>,
}

/// Refuses any SQL that is not a single `SELECT` / `WITH` statement. The
/// planner never produces one; this is the belt to its braces.
pub(crate) fn check_read_only_sql(sql: &str) -> Result<(), BtqlError> {
    let ok = (sql.starts_with("SELECT ") || sql.starts_with("WITH "))
        && !sql.contains(';')
        && !sql.contains("--")
        && !sql.contains("/*");
    debug_assert!(ok, "the planner produced non-query SQL: {sql}");
    if ok {
        Ok(())
    } else {
        Err(BtqlError::Internal(
            "refusing to run SQL that is not a single SELECT".to_owned(),
        ))
    }
}

/// Clears the progress handler when the query is done, so the pooled
/// connection goes back clean even if row conversion panics.
struct Deadline<'c> {
    conn: &'c Connection,
}

impl<'c> Deadline<'c> {
    fn arm(conn: &'c Connection, limit: Duration) -> Deadline<'c> {
        let deadline = Instant::now() + limit;
        conn.progress_handler(PROGRESS_STEPS, Some(move || Instant::now() >= deadline));
        Deadline { conn }
    }
}

impl Drop for Deadline<'_> {
    fn drop(&mut self) {
        self.conn.progress_handler(0, None::<fn() -> bool>);
    }
}

/// Maps an error from stepping the statement.
fn run_error(e: rusqlite::Error, limit: Duration) -> BtqlError {
    match &e {
        rusqlite::Error::SqliteFailure(err, _) if err.code == ErrorCode::OperationInterrupted => {
            BtqlError::TimeLimit { limit }
        }
        // SQLITE_ERROR while stepping comes from evaluating the query (a
        // BTQL function's complaint, an out-of-range JSON index, an integer
        // overflow in sum), not from the store.
        rusqlite::Error::SqliteFailure(err, Some(message))
            if matches!(err.code, ErrorCode::Unknown | ErrorCode::TooBig) =>
        {
            BtqlError::Evaluation(
                message
                    .strip_prefix(ERROR_PREFIX)
                    .unwrap_or(message)
                    .to_owned(),
            )
        }
        rusqlite::Error::UserFunctionError(inner) => {
            let message = inner.to_string();
            BtqlError::Evaluation(
                message
                    .strip_prefix(ERROR_PREFIX)
                    .unwrap_or(&message)
                    .to_owned(),
            )
        }
        _ => BtqlError::from(e),
    }
}

/// Runs `plan` on `conn` (which must be read-only) within `time_limit`.
pub fn run_plan(
    conn: &Connection,
    plan: &Plan,
    time_limit: Duration,
) -> Result<QueryOutput, BtqlError> {
    check_read_only_sql(&plan.sql)?;
    functions::register(conn)?;
    let _deadline = Deadline::arm(conn, time_limit);
    let mut stmt = conn.prepare(&plan.sql).map_err(|e| {
        if let rusqlite::Error::SqliteFailure(err, _) = &e {
            if err.code == ErrorCode::OperationInterrupted {
                return BtqlError::TimeLimit { limit: time_limit };
            }
        }
        tracing::warn!(sql = %plan.sql, "BTQL plan did not compile: {e}");
        BtqlError::invalid(format!("the query cannot run: {e}"))
    })?;
    if !stmt.readonly() {
        return Err(BtqlError::Internal(
            "refusing to run a statement that writes".to_owned(),
        ));
    }
    let column_count = stmt.column_count();
    let mut rows = stmt
        .query(params_from_iter(plan.params.iter()))
        .map_err(|e| run_error(e, time_limit))?;
    let limit = usize::try_from(plan.limit).unwrap_or(usize::MAX);
    let mut data = Vec::new();
    let mut last_key = None;
    let mut more = false;
    while let Some(row) = rows.next().map_err(|e| run_error(e, time_limit))? {
        if data.len() == limit {
            more = true;
            break;
        }
        data.push(assemble(row, &plan.columns)?);
        if plan.paging == Paging::Keyset {
            let created: String = row.get(column_count - 2)?;
            let seq: i64 = row.get(column_count - 1)?;
            last_key = Some((created, seq));
        }
    }
    let cursor = match (more, plan.paging) {
        (false, _) => None,
        (true, Paging::Keyset) => last_key.map(|(created, seq)| Cursor::After(created, seq)),
        (true, Paging::Offset(start)) => Some(Cursor::Offset(start + data.len() as u64)),
    };
    let mut warnings = Vec::new();
    if let Some(requested) = plan.clamped_from {
        warnings.push(format!(
            "LIMIT {requested} is above the maximum of {} rows per query; returned at most {} \
             (use the cursor for more)",
            plan.limit, plan.limit
        ));
    }
    Ok(QueryOutput {
        data,
        cursor: cursor.map(|c| c.encode()),
        warnings,
    })
}

/// One result row as a JSON object.
fn assemble(row: &rusqlite::Row<'_>, columns: &[Column]) -> Result<Map<String, Value>, BtqlError> {
    let mut object = Map::new();
    let mut at = 0;
    for column in columns {
        match column {
            Column::Record(fields) => {
                for name in *fields {
                    let value = row.get_ref(at)?;
                    let json = match *name {
                        "id" | "span_id" | "root_span_id" | "created" => scalar(value),
                        _ => json_value(value),
                    };
                    object.insert((*name).to_owned(), json);
                    at += 1;
                }
            }
            Column::Value { key, kind } => {
                let value = row.get_ref(at)?;
                let json = match kind {
                    ValueKind::Json => json_value(value),
                    ValueKind::Bool => match value {
                        ValueRef::Integer(n) => Value::Bool(n != 0),
                        other => scalar(other),
                    },
                    ValueKind::Scalar => scalar(value),
                };
                object.insert(key.clone(), json);
                at += 1;
            }
        }
    }
    Ok(object)
}

/// JSON text from the store (or `->`), parsed.
fn json_value(value: ValueRef<'_>) -> Value {
    match value {
        ValueRef::Text(text) => serde_json::from_slice(text)
            .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(text).into_owned())),
        other => scalar(other),
    }
}

/// An SQL value as JSON.
fn scalar(value: ValueRef<'_>) -> Value {
    match value {
        ValueRef::Null | ValueRef::Blob(_) => Value::Null,
        ValueRef::Integer(n) => Value::from(n),
        ValueRef::Real(x) => serde_json::Number::from_f64(x).map_or(Value::Null, Value::Number),
        ValueRef::Text(text) => Value::String(String::from_utf8_lossy(text).into_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn select_sql_passes_the_check() {
        check_read_only_sql("SELECT s.span_id AS c0 FROM spans s WHERE s.project = ?1").unwrap();
        check_read_only_sql("WITH x AS (SELECT 1) SELECT * FROM x").unwrap();
    }

    // In debug builds the check also asserts, so a planner bug fails loudly.
    #[test]
    #[cfg_attr(debug_assertions, should_panic(expected = "non-query SQL"))]
    fn anything_else_is_refused() {
        for sql in [
            "DELETE FROM spans",
            "SELECT 1; DROP TABLE spans",
            "PRAGMA query_only = 0",
            "SELECT 1 -- trailing",
            "SELECT 1 /* x */",
            "ATTACH 'x' AS y",
        ] {
            assert!(matches!(
                check_read_only_sql(sql),
                Err(BtqlError::Internal(_))
            ));
        }
    }
}
