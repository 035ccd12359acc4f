//! `hedged_language`: does the answer frame a differential instead of
//! asserting a diagnosis it cannot have made?
//!
//! A decision-support answer sees a question and some tool output, never the
//! patient: "the patient has diabetes" or "this is definitely hypothyroidism"
//! claims a certainty it lacks, while "evaluate for", "consider", "rule out"
//! keep the clinician in charge of the diagnosis.
//!
//! **Definitive claims** (each occurrence counts):
//! - certainty words: definitely, certainly, undoubtedly, obviously, without
//!   a doubt, 100%, "the diagnosis is", "is diagnosed with", "this is a case
//!   of", "no need for further testing";
//! - a diagnostic assertion: "the patient / she / he / they / you has/have
//!   (or suffers from)" or "this is / it is" followed within five words by a
//!   condition (diabetes, hypothyroidism, anemia, hypertension, infection,
//!   ... or any "-itis", "-emia", "-osis", "disease", "syndrome",
//!   "disorder") — unless a hedge comes first ("she has probable diabetes"),
//!   the words are a history or risk ("she has a history of", "risk
//!   factors for", "symptoms of"), or the clause is conditional ("if she has
//!   diabetes, ...").
//!
//! Negated claims ("cannot say definitely") do not count.
//!
//! **Hedges** (each occurrence counts): consider, evaluate for, rule out,
//! differential, possible/possibly, likely, probable, may, might, could,
//! suggests, consistent with, confirm or exclude, if/is confirmed, screen
//! for, cannot exclude, versus, suspected, work-up.
//!
//! **Score** = 0.5 + 0.25 × min(hedges, 2) − 0.3 × definitive claims,
//! clamped into 0..=1: a differential with no assertion scores 1, an answer
//! that neither hedges nor asserts 0.5, and each assertion costs 0.3. An
//! empty response scores 0.

use plugin_kit::{Score, ScoreCase};

use crate::phrases::{quote_list, words, Text};

/// The score's name.
pub const NAME: &str = "hedged_language";

const CERTAINTY: &[&str] = &[
    "definitely",
    "definitive diagnosis",
    "certainly",
    "undoubtedly",
    "obviously",
    "without a doubt",
    "without any doubt",
    "there is no doubt",
    "100%",
    "the diagnosis is",
    "is diagnosed with",
    "this is a case of",
    "no need for further testing",
    "no further testing",
];

/// Subjects of a diagnostic assertion.
const ASSERTIONS: &[&str] = &[
    "the patient has",
    "patient has",
    "she has",
    "he has",
    "they have",
    "you have",
    "the patient suffers from",
    "she suffers from",
    "he suffers from",
    "the patient is suffering from",
    "she is suffering from",
    "he is suffering from",
    "this is",
    "it is",
];
/// How many words after an assertion's subject may hold the condition.
const ASSERTION_WINDOW: usize = 5;

const CONDITIONS: &[&str] = &[
    "diabetes",
    "prediabetes",
    "hypothyroidism",
    "hyperthyroidism",
    "hypertension",
    "cancer",
    "carcinoma",
    "tumor",
    "tumour",
    "lymphoma",
    "leukemia",
    "infection",
    "pneumonia",
    "depression",
    "apnea",
    "apnoea",
    "failure",
    "disease",
    "syndrome",
    "disorder",
    "deficiency",
    "insufficiency",
    "infarction",
    "stroke",
    "fibrillation",
    "asthma",
    "copd",
    "ckd",
    "pcos",
    "lupus",
];
/// Word endings that name a condition (appendicitis, anemia, cirrhosis).
const CONDITION_ENDINGS: [&str; 4] = ["itis", "emia", "aemia", "osis"];
/// "-osis" words that are not conditions.
const NOT_CONDITIONS: [&str; 2] = ["diagnosis", "prognosis"];
/// Words after an assertion's subject that make it a history, a risk, a
/// finding or an instruction rather than a diagnosis ("it is important to
/// evaluate for diabetes").
const NOT_A_DIAGNOSIS: [&str; 20] = [
    "history", "risk", "risks", "symptoms", "signs", "features", "family", "no", "not", "been",
    "had", "to", "for", "whether", "about", "evaluate", "exclude", "screen", "test", "assess",
];
/// Words that make the clause before an assertion conditional.
const CONDITIONAL_CLAUSE: [&str; 5] = ["if", "whether", "unless", "once", "when"];

const HEDGES: &[&str] = &[
    "consider*",
    "evaluate for",
    "evaluation for",
    "to evaluate",
    "rule out",
    "ruled out",
    "rule-out",
    "differential",
    "possible",
    "possibly",
    "likely",
    "probable",
    "probably",
    "may",
    "might",
    "could",
    "suggest*",
    "consistent with",
    "confirm or exclude",
    "to confirm",
    "if confirmed",
    "is confirmed",
    "screen for",
    "screening for",
    "cannot exclude",
    "versus",
    "vs",
    "suspect*",
    "work-up",
    "workup",
];
/// Hedge words that, between an assertion's subject and the condition,
/// make it a hedged statement.
const HEDGE_WORDS: [&str; 10] = [
    "likely",
    "possibly",
    "probably",
    "probable",
    "possible",
    "suspected",
    "may",
    "might",
    "consistent",
    "suggestive",
];

/// Scores the case; see the module documentation for the rubric.
pub fn score(case: &ScoreCase) -> Score {
    let answer = Text::new(&case.output_text());
    if answer.is_blank() {
        return Score::scored(NAME, 0.0, "empty response");
    }
    let claims = definitive_claims(&answer);
    let mut hedges: Vec<String> = Vec::new();
    let mut hedge_count = 0;
    for phrase in HEDGES {
        let found = answer.find(phrase).len();
        if found > 0 {
            hedge_count += found;
            hedges.push(phrase.trim_end_matches('*').to_string());
        }
    }
    let framing = 0.5 + 0.25 * hedge_count.min(2) as f64;
    let penalty = 0.3 * claims.len() as f64;
    let value = round((framing - penalty).clamp(0.0, 1.0));
    let hedges_found = if hedges.is_empty() {
        "no hedges".to_string()
    } else {
        format!("{hedge_count} hedge(s) ({})", quote_list(&hedges, 5))
    };
    let claims_found = if claims.is_empty() {
        "no definitive claims".to_string()
    } else {
        format!(
            "{} definitive claim(s) ({})",
            claims.len(),
            quote_list(&claims, 3)
        )
    };
    Score::scored(
        NAME,
        value,
        format!(
            "{hedges_found}; {claims_found}: 0.5 + 0.25 x {} - 0.3 x {} = {value}",
            hedge_count.min(2),
            claims.len()
        ),
    )
}

/// Every definitive claim in the answer, as the words that make it.
fn definitive_claims(answer: &Text) -> Vec<String> {
    let mut claims = Vec::new();
    for phrase in CERTAINTY {
        for at in answer.find(phrase) {
            if !answer.negated(at, true) {
                claims.push(phrase.to_string());
            }
        }
    }
    for subject in ASSERTIONS {
        for at in answer.find(subject) {
            if answer.negated(at, true) || conditional_clause(answer, at) {
                continue;
            }
            let after = &answer.as_str()[at + subject.len()..];
            let end = after
                .find(['.', ';', ',', '\n', ':', '(', '!', '?'])
                .unwrap_or(after.len());
            let mut taken = Vec::new();
            for word in words(&after[..end]).take(ASSERTION_WINDOW) {
                if NOT_A_DIAGNOSIS.contains(&word) || HEDGE_WORDS.contains(&word) {
                    break;
                }
                taken.push(word);
                if is_condition(word) {
                    claims.push(format!("{subject} {}", taken.join(" ")));
                    break;
                }
            }
        }
    }
    claims
}

/// Whether the clause before `at` is conditional ("if she has ...").
fn conditional_clause(answer: &Text, at: usize) -> bool {
    words(answer.clause_before(at, true)).any(|w| CONDITIONAL_CLAUSE.contains(&w))
}

fn is_condition(word: &str) -> bool {
    CONDITIONS.contains(&word)
        || (!NOT_CONDITIONS.contains(&word)
            && word.len() > 5
            && CONDITION_ENDINGS
                .iter()
                .any(|ending| word.ends_with(ending)))
}

fn round(value: f64) -> f64 {
    (value * 10_000.0).round() / 10_000.0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn case(answer: &str) -> ScoreCase {
        ScoreCase {
            input: serde_json::json!({"patient_query": "fatigue and increased thirst"}),
            output: serde_json::Value::String(answer.into()),
            expected: serde_json::Value::Null,
            metadata: serde_json::Value::Null,
        }
    }

    #[test]
    fn a_differential_scores_one() {
        let answer = "**Assessment**\n- BMI 30.9 kg/m² — Obese, obesity class I.\n\
            - Conditions to evaluate for \"fatigue and increased thirst\" (top 3):\n  \
            1. Type 2 Diabetes Mellitus\n**Recommendations**\n- First-line treatment if Type 2 \
            Diabetes Mellitus is confirmed: metformin.\n**Follow-up**\n- Order to confirm or \
            exclude Type 2 Diabetes Mellitus: HbA1c; fasting plasma glucose.";
        let score = score(&case(answer));
        assert_eq!(score.value, Some(1.0), "{}", score.reason);
        assert!(
            score.reason.contains("no definitive claims"),
            "{}",
            score.reason
        );
    }

    #[test]
    fn unhedged_diagnoses_score_zero() {
        let answer = "The patient has type 2 diabetes. This is definitely diabetes, start \
            metformin 500 mg.";
        let score = score(&case(answer));
        assert_eq!(score.value, Some(0.0), "{}", score.reason);
        assert!(
            score.reason.contains("the patient has type 2 diabetes"),
            "{}",
            score.reason
        );
        assert!(score.reason.contains("\"definitely\""), "{}", score.reason);
    }

    #[test]
    fn facts_histories_and_conditionals_are_not_claims() {
        let answer = "She has a BMI of 30.9. She has a history of hypertension. If she has \
            diabetes, start metformin. She has risk factors for diabetes. The patient has \
            probable hypothyroidism.";
        let claims = definitive_claims(&Text::new(answer));
        assert!(claims.is_empty(), "{claims:?}");
    }

    #[test]
    fn one_claim_among_hedges_costs_point_three() {
        let answer = "Consider hypothyroidism; rule out anemia. She has diabetes.";
        let score = score(&case(answer));
        assert_eq!(score.value, Some(0.7), "{}", score.reason);
    }

    #[test]
    fn negated_certainty_is_not_a_claim() {
        let answer = "We cannot say definitely without labs; evaluate for diabetes.";
        assert!(definitive_claims(&Text::new(answer)).is_empty());
    }

    #[test]
    fn neither_hedged_nor_assertive_is_neutral_and_empty_is_zero() {
        let score_plain = score(&case("Order an HbA1c and a lipid panel."));
        assert_eq!(score_plain.value, Some(0.5), "{}", score_plain.reason);
        assert_eq!(score(&case("")).value, Some(0.0));
    }
}
