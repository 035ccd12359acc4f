//! Shapes the ranked hits into the tool's output: the top `top_k`
//! conditions with their full records, a score, and a one-sentence snippet
//! from the field that matched best.

use serde::Serialize;

use crate::index::{Condition, Field};
use crate::query::Query;
use crate::request::Request;
use crate::search::Hit;
use crate::tokenize::tokens;

/// Longest snippet, in characters.
pub(crate) const SNIPPET_MAX_CHARS: usize = 240;

/// The tool's output.
#[derive(Debug, Serialize)]
pub(crate) struct Output<'a> {
    /// The query as given, trimmed.
    pub(crate) query: &'a str,
    /// The best `top_k` conditions, best first; empty when nothing matched.
    pub(crate) results: Vec<ConditionResult>,
    /// How many conditions matched at least one query term.
    pub(crate) total_matches: usize,
}

/// One condition of the output.
#[derive(Debug, Serialize)]
pub(crate) struct ConditionResult {
    /// Stable identifier.
    pub(crate) id: &'static str,
    /// Display name.
    pub(crate) condition: &'static str,
    /// BM25F score, 3 decimals.
    pub(crate) score: f64,
    /// One sentence from the best-matching field.
    pub(crate) snippet: String,
    /// Presenting symptoms and signs.
    pub(crate) symptoms: &'static [&'static str],
    /// Risk factors.
    pub(crate) risk_factors: &'static [&'static str],
    /// Diagnostic criteria.
    pub(crate) diagnostic_criteria: &'static [&'static str],
    /// Tests.
    pub(crate) tests: &'static [&'static str],
    /// First-line management.
    pub(crate) first_line_treatments: &'static [&'static str],
    /// First-line drugs the `lookup_medication` tool knows.
    pub(crate) first_line_medications: &'static [&'static str],
}

impl<'a> Output<'a> {
    /// The output for `request` given every hit, best first.
    pub(crate) fn new(request: &'a Request, hits: &[Hit]) -> Output<'a> {
        let results = hits
            .iter()
            .take(request.top_k)
            .map(|hit| {
                let c = hit.condition;
                ConditionResult {
                    id: c.id,
                    condition: c.name,
                    score: hit.score,
                    snippet: snippet(c, hit.best_field, &request.query),
                    symptoms: c.symptoms,
                    risk_factors: c.risk_factors,
                    diagnostic_criteria: c.diagnostic_criteria,
                    tests: c.tests,
                    first_line_treatments: c.first_line_treatments,
                    first_line_medications: c.first_line_medications,
                }
            })
            .collect();
        Output {
            query: &request.text,
            results,
            total_matches: hits.len(),
        }
    }
}

/// "Label: entry; entry; entry." from `field`, entries that contain a query
/// term first, cut at an entry boundary to [`SNIPPET_MAX_CHARS`] with "…".
/// A name match says nothing the `condition` key does not, so it shows the
/// symptoms instead; the treatments field shows the treatment sentences, not
/// the bare drug names.
fn snippet(condition: &Condition, field: Field, query: &Query) -> String {
    let (label, entries) = match field {
        Field::Name | Field::Symptoms => ("Symptoms", condition.symptoms),
        Field::DiagnosticCriteria => ("Diagnostic criteria", condition.diagnostic_criteria),
        Field::RiskFactors => ("Risk factors", condition.risk_factors),
        Field::Tests => ("Tests", condition.tests),
        Field::Treatments => ("First-line treatment", condition.first_line_treatments),
    };
    let matches = |entry: &&str| {
        tokens(entry)
            .iter()
            .any(|t| query.terms.iter().any(|q| &q.text == t))
    };
    let (matching, rest): (Vec<&str>, Vec<&str>) = entries.iter().copied().partition(matches);

    let mut sentence = format!("{label}: ");
    let mut taken = 0;
    for entry in matching.iter().chain(&rest) {
        let separator = if taken == 0 { "" } else { "; " };
        // Room for the separator, the entry and the closing "." or "…".
        if sentence.chars().count() + separator.len() + entry.chars().count() + 1
            > SNIPPET_MAX_CHARS
        {
            break;
        }
        sentence.push_str(separator);
        sentence.push_str(entry);
        taken += 1;
    }
    if taken == 0 {
        // Even the first entry is too long: cut it at a word boundary.
        let room = SNIPPET_MAX_CHARS - sentence.chars().count() - 1;
        let first = matching.iter().chain(&rest).next().copied().unwrap_or("");
        let cut: String = first.chars().take(room).collect();
        let cut = match cut.rfind(' ') {
            Some(space) if cut.len() < first.len() => &cut[..space],
            _ => cut.as_str(),
        };
        sentence.push_str(cut.trim_end_matches([',', ' ']));
        sentence.push('…');
    } else if taken < entries.len() {
        sentence.push('…');
    } else {
        sentence.push('.');
    }
    sentence
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::index::conditions;

    fn condition(id: &str) -> &'static Condition {
        conditions().iter().find(|c| c.id == id).unwrap()
    }

    #[test]
    fn snippet_leads_with_matching_entries() {
        let query = Query::parse("increased thirst");
        let s = snippet(condition("type-2-diabetes"), Field::Symptoms, &query);
        assert!(
            s.starts_with("Symptoms: polydipsia (increased thirst); "),
            "{s}"
        );
        assert!(s.chars().count() <= SNIPPET_MAX_CHARS, "{s}");
        assert!(s.ends_with('…') || s.ends_with('.'), "{s}");
    }

    #[test]
    fn every_snippet_of_every_field_fits() {
        let query = Query::parse("pain");
        for c in conditions() {
            for field in Field::ALL {
                let s = snippet(c, field, &query);
                assert!(
                    s.chars().count() <= SNIPPET_MAX_CHARS,
                    "{} {field:?}: {s}",
                    c.id
                );
                assert!(s.len() > "Tests: ".len() + 2, "{} {field:?}: {s}", c.id);
            }
        }
    }

    #[test]
    fn a_name_match_shows_symptoms() {
        let query = Query::parse("gout");
        let s = snippet(condition("gout"), Field::Name, &query);
        assert!(
            s.starts_with("Symptoms: tophi in chronic gout; sudden severe joint pain"),
            "{s}"
        );
    }
}
