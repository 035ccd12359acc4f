//! Trellis's evals: from logged conversations to datasets, scores and CI
//! gates, the healthcare example's "logs to evals" workflow.
//!
//! - [`score`]: the [`Scorer`] trait, its input ([`ScoreInput`]) and its
//!   result ([`Score`], serialised with the scorer's name as [`NamedScore`]).
//! - [`builtin`]: the four rule-based scorers of the healthcare example
//!   (`length_score`, `contains_clinical_metrics`, `mentions_medications`,
//!   `follows_medical_structure`), found by [`builtin_scorers`] and
//!   [`scorer_by_name`].
//! - [`judge`]: `llm_judge`, a Claude model rating each answer.
//! - [`suite`]: the scorers of one eval, built-in, judge and WASM scorers
//!   (the `trellis:tool/scorer` world) alike.
//! - [`from_logs`]: logged conversations → dataset rows.
//! - [`run`]: one experiment (replay or live) with its spans stored on the
//!   server; [`summary`]: its Braintrust-style summary against a baseline;
//!   [`gate`]: the CI gates over it.

pub mod builtin;
mod error;
pub mod from_logs;
pub mod gate;
pub mod judge;
pub mod run;
pub mod score;
pub mod suite;
pub mod summary;
mod text;

pub use builtin::{builtin_scorers, scorer_by_name, BUILTIN_NAMES};
pub use error::{Error, EvalError};
pub use score::{NamedScore, Score, ScoreInput, Scorer};
