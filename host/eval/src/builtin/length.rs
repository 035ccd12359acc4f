//! `length_score`: is the response long enough to be thorough and short
//! enough to be read?

use serde_json::json;

use super::{round, score_empty, with_rubric};
use crate::text::word_count;
use crate::{Score, ScoreInput, Scorer};

const RUBRIC: &str = "words = whitespace-separated tokens containing a letter or digit; \
    1.0 for 100-500 words; below 100, words/100 (linear from 0 at 0 words); \
    above 500, 1 - (words - 500)/1000 (linear to 0 at 1500 words and beyond)";

/// Scores response length by word count (tokens separated by whitespace that
/// contain a letter or digit, so markdown bullets do not count):
///
/// - 100–500 words: 1.0;
/// - fewer than 100: `words / 100`, linear from 0 at 0 words (99 → 0.99);
/// - more than 500: `1 - (words - 500) / 1000`, linear down to 0 at 1500
///   words (501 → 0.999, 1000 → 0.5) and 0 beyond.
///
/// The curve is continuous, so one word more or less never jumps the score.
#[derive(Debug, Clone, Copy, Default)]
pub struct LengthScore;

impl LengthScore {
    /// The scorer's name.
    pub const NAME: &'static str = "length_score";
    /// Fewest words that score 1.
    pub const MIN_WORDS: usize = 100;
    /// Most words that score 1.
    pub const MAX_WORDS: usize = 500;
    /// Word count at and above which the score is 0.
    pub const ZERO_AT_WORDS: usize = 1500;
}

impl Scorer for LengthScore {
    fn name(&self) -> &str {
        Self::NAME
    }

    fn score(&self, case: &ScoreInput) -> Score {
        if let Some(empty) = score_empty(&case.output, RUBRIC) {
            return empty;
        }
        let words = word_count(&case.output);
        let (value, band) = if words < Self::MIN_WORDS {
            (words as f64 / Self::MIN_WORDS as f64, "too short")
        } else if words <= Self::MAX_WORDS {
            (1.0, "within 100-500")
        } else {
            let over = (words - Self::MAX_WORDS) as f64;
            let span = (Self::ZERO_AT_WORDS - Self::MAX_WORDS) as f64;
            (1.0 - over / span, "too long")
        };
        Score::scored(
            round(value),
            with_rubric(json!({"words": words, "band": band}), RUBRIC),
        )
    }
}
