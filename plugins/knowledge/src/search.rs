//! BM25F ranking over the compile-time index.
//!
//! For each query term `t` and condition `d`, the field frequencies are
//! length-normalized per field and combined with the field weights before a
//! single saturation:
//!
//! ```text
//! tf~(t, d) = Σ_f  w_f · tf(t, d, f) / (1 − b + b · len(d, f) / avglen(f))
//! score(d)  = Σ_t  q(t) · idf(t) · tf~(t, d) / (k1 + tf~(t, d))
//! ```
//!
//! where `q(t)` is 1 for a word the user typed and less for a term the
//! synonym map added ([`crate::query::EXPANSION_WEIGHT`]).
//!
//! so a term repeated across several fields of one condition saturates once,
//! instead of counting in full per field as a sum of per-field BM25 would.

use crate::index::{self, Condition, Field, FIELD_COUNT};
use crate::query::Query;

/// Term-frequency saturation.
const K1: f64 = 1.2;
/// Strength of field-length normalization.
const B: f64 = 0.75;

/// Field weights: a match in the name counts most, then symptoms, diagnostic
/// criteria, risk factors, tests and treatments.
fn weight(field: Field) -> f64 {
    match field {
        Field::Name => 3.0,
        Field::Symptoms => 2.0,
        Field::DiagnosticCriteria => 1.2,
        Field::RiskFactors => 1.0,
        Field::Tests => 0.8,
        Field::Treatments => 0.6,
    }
}

/// One matching condition.
#[derive(Debug)]
pub(crate) struct Hit {
    /// The condition.
    pub(crate) condition: &'static Condition,
    /// Its BM25F score, rounded to 3 decimals as reported.
    pub(crate) score: f64,
    /// The field with the most weighted evidence for the query.
    pub(crate) best_field: Field,
    /// The user's words this condition matched, directly or through a
    /// synonym: indices below [`Query::words`].
    pub(crate) words_matched: Vec<usize>,
}

/// Every condition matching at least one query term, best first: score
/// descending, then id ascending so that ties are stable.
pub(crate) fn rank(query: &Query) -> Vec<Hit> {
    let conditions = index::conditions();
    let mut scores = vec![0.0; conditions.len()];
    let mut evidence = vec![[0.0; FIELD_COUNT]; conditions.len()];
    let mut words: Vec<Vec<usize>> = vec![Vec::new(); conditions.len()];

    for term in &query.terms {
        let Some(entry) = index::lookup(&term.text) else {
            continue;
        };
        for posting in entry.postings {
            let d = usize::from(posting.condition);
            let mut pseudo_frequency = 0.0;
            for field in Field::ALL {
                let frequency = f64::from(posting.frequencies[field.index()]);
                if frequency == 0.0 {
                    continue;
                }
                let norm = 1.0 - B
                    + B * index::field_length(d, field) / index::average_field_length(field);
                let weighted = weight(field) * frequency / norm;
                pseudo_frequency += weighted;
                evidence[d][field.index()] += term.weight * entry.idf * weighted;
            }
            scores[d] += term.weight * entry.idf * pseudo_frequency / (K1 + pseudo_frequency);
            words[d].extend_from_slice(&term.sources);
        }
    }

    let mut hits: Vec<Hit> = conditions
        .iter()
        .zip(scores)
        .zip(evidence)
        .zip(words)
        .filter(|(((_, score), _), _)| *score > 0.0)
        .map(|(((condition, score), evidence), mut words)| {
            words.sort_unstable();
            words.dedup();
            Hit {
                condition,
                score: round3(score),
                best_field: best_field(&evidence),
                words_matched: words,
            }
        })
        .collect();
    hits.sort_by(|a, b| {
        b.score
            .total_cmp(&a.score)
            .then_with(|| a.condition.id.cmp(b.condition.id))
    });
    hits
}

/// How sure the ranking is of its top condition, in [0, 1]:
/// `coverage × separation`, where `coverage` is the share of the user's
/// distinct words that the top condition matched (directly or through a
/// synonym they expanded to), and `separation` is `top / (top + second)`
/// of the two best scores (1 when only one condition matched, 0.5 when the
/// top two tie). 0 when nothing matched. A query fully explained by one
/// condition that clearly beats the runner-up approaches 1; a query half of
/// whose words match nothing, or whose top two tie, stays at or below 0.5.
pub(crate) fn confidence(query: &Query, hits: &[Hit]) -> f64 {
    let Some(top) = hits.first() else {
        return 0.0;
    };
    if query.words == 0 || top.score <= 0.0 {
        return 0.0;
    }
    let coverage = top.words_matched.len() as f64 / query.words as f64;
    let separation = match hits.get(1) {
        Some(second) => top.score / (top.score + second.score),
        None => 1.0,
    };
    (coverage * separation).clamp(0.0, 1.0)
}

/// The field with the most evidence; the first in [`Field::ALL`] order on a tie.
fn best_field(evidence: &[f64; FIELD_COUNT]) -> Field {
    Field::ALL.into_iter().fold(Field::Name, |best, field| {
        if evidence[field.index()] > evidence[best.index()] {
            field
        } else {
            best
        }
    })
}

/// Rounds to 3 decimals, the precision of the reported score.
fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ranked(text: &str) -> Vec<&'static str> {
        rank(&Query::parse(text))
            .iter()
            .map(|hit| hit.condition.id)
            .collect()
    }

    fn assert_first(text: &str, id: &str) {
        let ids = ranked(text);
        assert_eq!(
            ids.first(),
            Some(&id),
            "\"{text}\" ranked {:?}",
            &ids[..ids.len().min(5)]
        );
    }

    #[test]
    fn fatigue_and_increased_thirst_is_type_2_diabetes() {
        assert_first("fatigue and increased thirst", "type-2-diabetes");
    }

    #[test]
    fn thirst_and_frequent_urination_is_a_diabetes() {
        let ids = ranked("increased thirst and frequent urination");
        assert!(
            [
                "type-2-diabetes",
                "type-1-diabetes",
                "gestational-diabetes",
                "diabetes-insipidus"
            ]
            .contains(&ids[0]),
            "{:?}",
            &ids[..5]
        );
    }

    #[test]
    fn wheezing_and_shortness_of_breath_is_asthma_or_copd() {
        let ids = ranked("wheezing and shortness of breath");
        assert!(
            ids[..2].contains(&"asthma") || ids[..2].contains(&"copd"),
            "{:?}",
            &ids[..5]
        );
    }

    #[test]
    fn sudden_pain_in_the_big_toe_is_gout() {
        assert_first("sudden severe pain big toe joint", "gout");
    }

    #[test]
    fn heartburn_after_meals_is_gerd() {
        assert_first("heartburn after meals", "gerd");
    }

    #[test]
    fn cold_intolerance_and_weight_gain_is_hypothyroidism() {
        assert_first("cold intolerance weight gain fatigue", "hypothyroidism");
    }

    #[test]
    fn burning_urination_is_a_urinary_tract_infection() {
        assert_first("burning urination frequency", "uncomplicated-uti");
    }

    #[test]
    fn lay_phrases_reach_the_clinical_condition() {
        assert_first("high blood pressure", "hypertension");
        assert_first(
            "swollen ankles and short of breath lying flat",
            "heart-failure-reduced-ejection-fraction",
        );
        assert_first("runny nose sneezing itchy eyes", "allergic-rhinitis");
    }

    #[test]
    fn a_condition_or_drug_name_finds_the_condition() {
        for (text, id) in [
            ("celiac disease", "celiac-disease"),
            ("atrial fibrillation", "atrial-fibrillation"),
            ("COPD", "copd"),
            ("Cushing's", "cushings-syndrome"),
            ("levothyroxine", "hypothyroidism"),
        ] {
            assert_first(text, id);
        }
    }

    #[test]
    fn results_are_ordered_by_score_then_id() {
        let hits = rank(&Query::parse("pain"));
        assert!(hits.len() > 10);
        for pair in hits.windows(2) {
            let (a, b) = (&pair[0], &pair[1]);
            assert!(
                a.score > b.score || (a.score == b.score && a.condition.id < b.condition.id),
                "{} ({}) before {} ({})",
                a.condition.id,
                a.score,
                b.condition.id,
                b.score
            );
        }
    }

    #[test]
    fn unknown_words_match_nothing() {
        assert!(rank(&Query::parse("xyzzy quux")).is_empty());
    }

    #[test]
    fn confidence_rewards_coverage_and_separation() {
        let query = Query::parse("cold intolerance weight gain fatigue");
        let hits = rank(&query);
        let confident = confidence(&query, &hits);
        assert!((0.5..=1.0).contains(&confident), "{confident}");

        // Half the words are unknown: coverage halves the confidence.
        let query = Query::parse("cold intolerance weight gain fatigue xyzzy quux plugh");
        let diluted = confidence(&query, &rank(&query));
        assert!(diluted < confident * 0.75, "{diluted} vs {confident}");

        let query = Query::parse("xyzzy");
        assert_eq!(confidence(&query, &rank(&query)), 0.0);
    }
}
