//! The scorers one eval runs, whatever their kind: the built-in rules,
//! `llm_judge`, and custom scorers loaded as WebAssembly components (world
//! `trellis:tool/scorer`). [`Suite::score`] runs every one on a case and
//! returns their scores in a stable order.

use std::sync::Arc;

use serde_json::json;
use trellis_runtime::scorer::{ScorerPlugin, ScorerSet};

use crate::builtin::{builtin_scorers, BUILTIN_NAMES};
use crate::judge::{self, LlmJudge};
use crate::score::{NamedScore, Score, ScoreInput, Scorer};
use crate::EvalError;

/// One scorer of a suite.
enum Member {
    Builtin(Box<dyn Scorer>),
    Judge(LlmJudge),
    /// A WASM scorer: may return several named scores.
    Wasm(ScorerPlugin),
}

/// The scorers an eval runs.
pub struct Suite {
    members: Vec<Member>,
}

impl std::fmt::Debug for Suite {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.names()).finish()
    }
}

impl Suite {
    /// The scorers named in `names` (built-in names, `llm_judge`, or the
    /// name of a WASM scorer in `plugins`), in that order. With no names:
    /// the four built-ins and every WASM scorer. `judge` is called only when
    /// `llm_judge` is named.
    pub fn resolve(
        names: Option<&[String]>,
        plugins: Option<Arc<ScorerSet>>,
        judge: impl FnOnce() -> LlmJudge,
    ) -> Result<Suite, EvalError> {
        let wasm: &[ScorerPlugin] = plugins.as_deref().map(ScorerSet::scorers).unwrap_or(&[]);
        let Some(names) = names else {
            let mut members: Vec<Member> =
                builtin_scorers().into_iter().map(Member::Builtin).collect();
            members.extend(wasm.iter().cloned().map(Member::Wasm));
            return Ok(Suite { members });
        };
        let mut judge = Some(judge);
        let mut members = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for name in names.iter().map(|n| n.trim()).filter(|n| !n.is_empty()) {
            if !seen.insert(name.to_string()) {
                continue;
            }
            if let Some(scorer) = builtin_scorers().into_iter().find(|s| s.name() == name) {
                members.push(Member::Builtin(scorer));
            } else if name == judge::NAME {
                let make = judge.take().expect("llm_judge is added once");
                members.push(Member::Judge(make()));
            } else if let Some(plugin) = wasm.iter().find(|p| p.name() == name) {
                members.push(Member::Wasm(plugin.clone()));
            } else {
                let mut known: Vec<&str> = BUILTIN_NAMES.to_vec();
                known.push(judge::NAME);
                known.extend(wasm.iter().map(ScorerPlugin::name));
                return Err(EvalError::UnknownScorer {
                    name: name.to_string(),
                    known: known.join(", "),
                });
            }
        }
        if members.is_empty() {
            return Err(EvalError::Usage("--scorers names no scorer".to_string()));
        }
        Ok(Suite { members })
    }

    /// The scorers' names (a WASM scorer by its plugin name).
    pub fn names(&self) -> Vec<String> {
        self.members
            .iter()
            .map(|m| match m {
                Member::Builtin(s) => s.name().to_string(),
                Member::Judge(_) => judge::NAME.to_string(),
                Member::Wasm(plugin) => plugin.name().to_string(),
            })
            .collect()
    }

    /// Every scorer's scores for `case`. A scorer that fails is recorded
    /// as skipped with the reason, so one bad scorer costs no other score.
    pub async fn score(&self, case: &ScoreInput) -> Vec<NamedScore> {
        let mut scores = Vec::new();
        for member in &self.members {
            match member {
                Member::Builtin(scorer) => scores.push(scorer.named_score(case)),
                Member::Judge(judge) => scores.push(NamedScore {
                    name: judge::NAME.to_string(),
                    score: judge.score(case).await,
                }),
                Member::Wasm(plugin) => scores.extend(score_with_plugin(plugin, case).await),
            }
        }
        scores
    }
}

/// A WASM scorer's scores for `case`; a failed call is one skipped score
/// under the plugin's name, with the error.
async fn score_with_plugin(plugin: &ScorerPlugin, case: &ScoreInput) -> Vec<NamedScore> {
    let input = case.input.to_string();
    let output = serde_json::Value::String(case.output.clone()).to_string();
    let expected = case
        .expected
        .clone()
        .unwrap_or(serde_json::Value::Null)
        .to_string();
    let metadata = case.metadata.to_string();
    match plugin.score(&input, &output, &expected, &metadata).await {
        Ok(scores) => scores
            .into_iter()
            .map(|s| NamedScore {
                score: match s.value {
                    Some(value) => Score::scored(
                        value,
                        json!({"reason": s.reason, "scorer": plugin.name(), "digest": plugin.digest()}),
                    ),
                    None => Score::skipped(s.reason),
                },
                name: s.name,
            })
            .collect(),
        Err(error) => vec![NamedScore {
            name: plugin.name().to_string(),
            score: Score::skipped(format!(
                "scorer `{}` failed ({}): {error}",
                plugin.name(),
                error.kind()
            )),
        }],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn offline_judge() -> LlmJudge {
        LlmJudge::new(&trellis_agent::ModelChoice::Offline, None, None)
    }

    #[test]
    fn no_names_means_the_four_built_ins() {
        let suite = Suite::resolve(None, None, offline_judge).unwrap();
        assert_eq!(suite.names(), BUILTIN_NAMES.to_vec());
    }

    #[test]
    fn an_unknown_scorer_is_named_with_the_known_ones() {
        let names = vec!["length_score".to_string(), "bleu".to_string()];
        let error = Suite::resolve(Some(&names), None, offline_judge).unwrap_err();
        let message = error.to_string();
        assert!(message.contains("`bleu`"), "{message}");
        assert!(message.contains("llm_judge"), "{message}");
        assert!(message.contains("follows_medical_structure"), "{message}");
    }

    #[tokio::test]
    async fn named_scorers_run_in_order_and_the_offline_judge_skips() {
        let names = vec!["llm_judge".to_string(), "length_score".to_string()];
        let suite = Suite::resolve(Some(&names), None, offline_judge).unwrap();
        let scores = suite
            .score(&ScoreInput::from_output("word ".repeat(200)))
            .await;
        assert_eq!(scores.len(), 2);
        assert_eq!(scores[0].name, "llm_judge");
        assert!(matches!(scores[0].score, Score::Skipped { .. }));
        assert_eq!(scores[1].name, "length_score");
        assert_eq!(scores[1].score.value(), Some(1.0));
    }
}
