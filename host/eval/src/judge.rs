//! `llm_judge`: asks a Claude model to rate a response's clinical accuracy,
//! completeness and appropriateness from 0 to 1, as the healthcare example's
//! LLM-as-judge scorer does.
//!
//! The reply is read robustly ([`parse_rating`]): `0.85`, `Score: 0.8`,
//! `85%` and `8/10` are all 0.8-ish ratings; a reply with no rating in
//! [0, 1] is a skip whose reason quotes it, never a made-up number. Without
//! a Claude model (the offline planner, or no API key) every case is skipped
//! and the reason says so.

use std::sync::Arc;

use serde_json::json;
use trellis_agent::anthropic::{AnthropicClient, AnthropicConfig};
use trellis_agent::messages::{join_text, Message};
use trellis_agent::provider::{ModelRequest, DEFAULT_ANTHROPIC_MODEL};
use trellis_agent::{ApiKey, ModelChoice, ModelProvider};

use crate::score::{Score, ScoreInput};

/// The judge's name in summaries and gates.
pub const NAME: &str = "llm_judge";

/// The judge's instructions. The rubric is the healthcare example's.
const SYSTEM_PROMPT: &str = "You are a careful clinical reviewer grading answers that a \
    clinical-assistant AI gave to clinicians. Rate the answer from 0 to 1 on clinical \
    accuracy, completeness of the assessment, and appropriateness of the recommendations. \
    Reply with the number only, e.g. 0.72.";

/// Longest reply the judge needs: a number, perhaps with a word or two.
const MAX_TOKENS: u32 = 16;
/// How much of a reply without a rating is quoted in the skip reason.
const QUOTE_CHARS: usize = 80;

/// The `llm_judge` scorer.
#[derive(Clone)]
pub struct LlmJudge {
    judge: Judge,
}

#[derive(Clone)]
enum Judge {
    /// A Claude model to ask.
    Claude(Arc<AnthropicClient>),
    /// No model can judge: every case is skipped with this reason.
    Unavailable(String),
}

impl std::fmt::Debug for LlmJudge {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.judge {
            Judge::Claude(client) => write!(f, "LlmJudge({})", client.name()),
            Judge::Unavailable(reason) => write!(f, "LlmJudge(skipping: {reason})"),
        }
    }
}

impl LlmJudge {
    /// A judge using `choice`: the offline planner cannot judge, so it
    /// yields a judge that skips every case and says why; a Claude model
    /// needs `api_key` (without one the judge skips, naming the variable to
    /// set). `base_url` overrides the API root (`ANTHROPIC_BASE_URL`).
    pub fn new(choice: &ModelChoice, api_key: Option<ApiKey>, base_url: Option<String>) -> Self {
        let judge = match choice {
            ModelChoice::Offline => Judge::Unavailable(
                "llm_judge needs a Claude model and the model provider is `offline` (the \
                 deterministic planner cannot judge answers); set ANTHROPIC_API_KEY or pass \
                 --judge-model"
                    .to_string(),
            ),
            ModelChoice::Anthropic { model } => match api_key {
                None => Judge::Unavailable(format!(
                    "llm_judge would ask `{model}` but no Anthropic API key is set \
                     (ANTHROPIC_API_KEY)"
                )),
                Some(key) => {
                    let mut config = AnthropicConfig::new(key, model.clone());
                    config.system_prompt = SYSTEM_PROMPT.to_string();
                    config.max_tokens = MAX_TOKENS;
                    if let Some(url) = base_url {
                        config.base_url = url;
                    }
                    match AnthropicClient::new(config) {
                        Ok(client) => Judge::Claude(Arc::new(client)),
                        Err(error) => {
                            Judge::Unavailable(format!("llm_judge cannot reach `{model}`: {error}"))
                        }
                    }
                }
            },
        };
        LlmJudge { judge }
    }

    /// The judge model's name, or `None` when every case is skipped.
    pub fn model(&self) -> Option<&str> {
        match &self.judge {
            Judge::Claude(client) => Some(client.name()),
            Judge::Unavailable(_) => None,
        }
    }

    /// The default judge model when none is named.
    pub fn default_model() -> ModelChoice {
        ModelChoice::Anthropic {
            model: DEFAULT_ANTHROPIC_MODEL.to_string(),
        }
    }

    /// Rates one case. A failed model call or an unreadable reply is a skip
    /// with the reason; the judge never invents a score.
    pub async fn score(&self, case: &ScoreInput) -> Score {
        let client = match &self.judge {
            Judge::Claude(client) => client,
            Judge::Unavailable(reason) => return Score::skipped(reason.clone()),
        };
        if case.output.trim().is_empty() {
            return Score::scored(0.0, json!({"reason": "empty response"}));
        }
        let request = ModelRequest {
            messages: vec![Message::user_text(prompt(case))],
            tools: Vec::new(),
        };
        let body = client.messages_request(request);
        let reply = match client.send(&body).await {
            Ok(response) => join_text(&response.content),
            Err(error) => {
                return Score::skipped(format!("llm_judge: the model call failed: {error}"))
            }
        };
        match parse_rating(&reply) {
            Some(value) => Score::scored(
                value,
                json!({"model": client.name(), "reply": reply.trim()}),
            ),
            None => Score::skipped(format!(
                "llm_judge: the model's reply has no rating between 0 and 1: {:?}",
                reply.trim().chars().take(QUOTE_CHARS).collect::<String>()
            )),
        }
    }
}

/// The question put to the judge.
fn prompt(case: &ScoreInput) -> String {
    let question = case
        .input
        .get("patient_query")
        .and_then(|q| q.as_str())
        .map(str::to_string)
        .unwrap_or_else(|| case.input.to_string());
    format!(
        "Rate this medical response from 0 to 1 based on:\n\
         - Clinical accuracy\n\
         - Completeness of assessment\n\
         - Appropriate recommendations\n\n\
         Clinician's question: {question}\n\n\
         Response: {}\n\n\
         Return only a number between 0 and 1.",
        case.output
    )
}

/// The first rating in `reply`, in [0, 1]: a plain number (`0.8`, `1`), a
/// percentage (`80%`) or a fraction (`8/10`, `4 / 5`). `None` when the first
/// number found is none of these within range — e.g. `7` with no scale, or
/// no number at all.
pub fn parse_rating(reply: &str) -> Option<f64> {
    let text = reply.trim();
    let start = text.find(|c: char| c.is_ascii_digit() || c == '.')?;
    let (number, rest) = split_number(&text[start..])?;
    let rest = rest.trim_start();
    let value = if rest.starts_with('%') {
        number / 100.0
    } else if let Some(after) = rest.strip_prefix('/') {
        let (scale, _) = split_number(after.trim_start())?;
        if scale <= 0.0 {
            return None;
        }
        number / scale
    } else {
        number
    };
    (0.0..=1.0).contains(&value).then_some(value)
}

/// A leading decimal number of `text` and what follows it.
fn split_number(text: &str) -> Option<(f64, &str)> {
    let end = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(text.len());
    let digits = text[..end].trim_end_matches('.');
    let value = digits.parse::<f64>().ok()?;
    value.is_finite().then_some((value, &text[digits.len()..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ratings_are_read_in_every_form_a_model_writes_them() {
        assert_eq!(parse_rating("0.85"), Some(0.85));
        assert_eq!(parse_rating("  1\n"), Some(1.0));
        assert_eq!(parse_rating("0"), Some(0.0));
        assert_eq!(parse_rating(".9"), Some(0.9));
        assert_eq!(parse_rating("Score: 0.7."), Some(0.7));
        assert_eq!(parse_rating("85%"), Some(0.85));
        assert_eq!(parse_rating("8/10"), Some(0.8));
        assert_eq!(parse_rating("4 / 5 overall"), Some(0.8));
    }

    #[test]
    fn replies_without_a_rating_in_range_are_not_ratings() {
        assert_eq!(parse_rating("I cannot rate this."), None);
        assert_eq!(parse_rating(""), None);
        assert_eq!(parse_rating("7"), None, "no scale: not a 0-1 rating");
        assert_eq!(parse_rating("150%"), None);
        assert_eq!(parse_rating("3/0"), None);
        assert_eq!(parse_rating("..."), None);
    }

    #[tokio::test]
    async fn the_offline_provider_cannot_judge_and_says_so() {
        let judge = LlmJudge::new(&ModelChoice::Offline, None, None);
        assert_eq!(judge.model(), None);
        let score = judge.score(&ScoreInput::from_output("An answer.")).await;
        match score {
            Score::Skipped { reason } => {
                assert!(reason.contains("offline"), "{reason}");
                assert!(reason.contains("ANTHROPIC_API_KEY"), "{reason}");
            }
            other => panic!("expected a skip, got {other:?}"),
        }
    }

    #[tokio::test]
    async fn a_claude_model_without_a_key_skips_naming_the_variable() {
        let judge = LlmJudge::new(&LlmJudge::default_model(), None, None);
        let score = judge.score(&ScoreInput::from_output("An answer.")).await;
        assert!(
            matches!(&score, Score::Skipped { reason } if reason.contains("ANTHROPIC_API_KEY")),
            "{score:?}"
        );
    }
}
