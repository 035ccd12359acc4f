//! Scoring of agent responses, the half of Trellis's evals that judges an
//! answer once a dataset row and a response are at hand.
//!
//! - [`score`]: the [`Scorer`] trait, its input ([`ScoreInput`]) and its
//!   result ([`Score`], serialised with the scorer's name as [`NamedScore`]).
//! - [`builtin`]: the four rule-based scorers of the healthcare example
//!   (`length_score`, `contains_clinical_metrics`, `mentions_medications`,
//!   `follows_medical_structure`), found by [`builtin_scorers`] and
//!   [`scorer_by_name`].
//! - [`Error`]: what can go wrong, such as an unknown scorer name.

pub mod builtin;
mod error;
pub mod score;
mod text;

pub use builtin::{builtin_scorers, scorer_by_name, BUILTIN_NAMES};
pub use error::Error;
pub use score::{NamedScore, Score, ScoreInput, Scorer};
