//! The error type of this crate.

/// What can go wrong when looking up scorers or reading scores.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// No scorer has this name; `known` lists the names there are.
    #[error("unknown scorer `{name}` (known scorers: {known})")]
    UnknownScorer {
        /// The name asked for.
        name: String,
        /// The known names, comma-separated.
        known: String,
    },
    /// A serialised score that is neither a valid `score` in [0, 1] nor a
    /// `skipped` reason.
    #[error("invalid score from scorer `{name}`: {problem}")]
    InvalidScore {
        /// The scorer the record names.
        name: String,
        /// What is wrong with it.
        problem: String,
    },
}
