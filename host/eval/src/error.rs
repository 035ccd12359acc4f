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

/// Why a dataset or eval command could not run.
#[derive(Debug, thiserror::Error)]
pub enum EvalError {
    /// The server could not be reached or refused a request.
    #[error(transparent)]
    Server(#[from] trellis_agent::ClientError),
    /// The experiment name is taken.
    #[error("an experiment named `{name}` already exists; choose another --name")]
    ExperimentExists {
        /// The name asked for.
        name: String,
    },
    /// No scorer has this name.
    #[error("unknown scorer `{name}` (known scorers: {known})")]
    UnknownScorer {
        /// The name asked for.
        name: String,
        /// The known names, comma-separated.
        known: String,
    },
    /// The custom scorers could not be loaded.
    #[error("cannot load the WASM scorers: {0}")]
    Scorers(String),
    /// A flag or file is unusable; the message says which and why.
    #[error("{0}")]
    Usage(String),
}

impl EvalError {
    /// `error` from creating experiment `name`: a 409 means the name is
    /// taken.
    pub fn experiment_exists_or(name: &str, error: trellis_agent::ClientError) -> EvalError {
        match error {
            trellis_agent::ClientError::Api { status: 409, .. } => EvalError::ExperimentExists {
                name: name.to_string(),
            },
            other => EvalError::Server(other),
        }
    }
}
