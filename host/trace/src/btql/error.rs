//! What can go wrong with a BTQL query: [`ParseError`] for text that is not
//! a query (it points at the line and column), [`BtqlError`] for everything
//! from planning to running it.

use std::fmt;
use std::time::Duration;

use crate::store::StoreError;

use super::lexer::Pos;

/// Why a query's text did not parse: where, and what was expected there.
/// Displays as `line 1, column 34: expected FROM, found WHERE`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    line: usize,
    column: usize,
    message: String,
}

impl ParseError {
    pub(crate) fn at(pos: Pos, message: impl Into<String>) -> ParseError {
        ParseError {
            line: pos.line,
            column: pos.column,
            message: message.into(),
        }
    }

    /// The 1-based line the problem is on.
    pub fn line(&self) -> usize {
        self.line
    }

    /// The 1-based column (in characters) the problem starts at.
    pub fn column(&self) -> usize {
        self.column
    }

    /// What is wrong there, without the position.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "line {}, column {}: {}",
            self.line, self.column, self.message
        )
    }
}

impl std::error::Error for ParseError {}

/// Why a BTQL query could not be answered.
#[derive(Debug, thiserror::Error)]
pub enum BtqlError {
    /// The text is not a query.
    #[error("{0}")]
    Parse(#[from] ParseError),
    /// The query parses but cannot be planned: an unknown field, an
    /// ungrouped field in an aggregate query, a type mismatch.
    #[error("{0}")]
    Invalid(String),
    /// The `cursor` / `OFFSET` token is not one this server handed out for
    /// this kind of query.
    #[error("invalid cursor: {0}")]
    BadCursor(String),
    /// No span was ever logged to the project.
    #[error("project `{0}` not found (no spans were logged to it)")]
    UnknownProject(String),
    /// `dataset(…)` or `experiment(…)` names one that does not exist.
    #[error(
        "{kind} `{name}` not found (no {kind} has this name; list them with GET /api/{kind}s)"
    )]
    SourceNotFound {
        /// `dataset` or `experiment`.
        kind: &'static str,
        /// The name the query gave.
        name: String,
    },
    /// The query ran past its time limit and was interrupted.
    #[error("the query ran longer than its time limit of {limit:?} and was stopped; add a filter (span_attributes.name, created) or a smaller LIMIT")]
    TimeLimit {
        /// The limit in force.
        limit: Duration,
    },
    /// A value could not be evaluated while the query ran (an invalid
    /// regular expression taken from a field, for example).
    #[error("{0}")]
    Evaluation(String),
    /// The trace store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A bug: the planner produced SQL that is not a single read-only query.
    #[error("internal error: {0}")]
    Internal(String),
}

impl BtqlError {
    pub(crate) fn invalid(message: impl Into<String>) -> BtqlError {
        BtqlError::Invalid(message.into())
    }
}

impl From<rusqlite::Error> for BtqlError {
    fn from(e: rusqlite::Error) -> Self {
        BtqlError::Store(StoreError::Sqlite(e))
    }
}
