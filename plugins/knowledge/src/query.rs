//! A search query: the text tokenized, then expanded through the clinical
//! [`SYNONYMS`] map. Every term remembers which of the user's own words it
//! stands for, so the retrieval confidence can tell how much of what was
//! asked the top condition explains.

use crate::synonyms::SYNONYMS;
use crate::tokenize::tokens;

/// How much a term added by the synonym map counts next to a word the user
/// typed. Below 1 because a synonym is weaker evidence, and because data
/// often writes both ("polydipsia (increased thirst)"), which would
/// otherwise count the one symptom twice in full.
pub(crate) const EXPANSION_WEIGHT: f64 = 0.6;

/// A tokenized, synonym-expanded query.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Query {
    /// Distinct terms to score: the user's words first, then added ones.
    pub(crate) terms: Vec<QueryTerm>,
    /// How many distinct words the user typed (after stop words); the
    /// `sources` of every term index into them.
    pub(crate) words: usize,
    /// The clinical terms the synonym map added, as written in the map.
    pub(crate) expanded: Vec<&'static str>,
}

/// One distinct term of a query.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct QueryTerm {
    /// The term, as the tokenizer writes it.
    pub(crate) text: String,
    /// The user's words (indices below [`Query::words`]) it stands for: its
    /// own position for a typed word, the matched phrase for an added one.
    pub(crate) sources: Vec<usize>,
    /// 1 for a typed word, [`EXPANSION_WEIGHT`] for an added term.
    pub(crate) weight: f64,
}

impl Query {
    /// Tokenizes and expands `text`. The query has no terms when `text` holds
    /// only stop words, punctuation or whitespace.
    pub(crate) fn parse(text: &str) -> Query {
        let typed = tokens(text);
        let mut query = Query {
            terms: Vec::new(),
            words: 0,
            expanded: Vec::new(),
        };
        // Position in `typed` → index of the distinct word.
        let mut word_of = Vec::with_capacity(typed.len());
        for token in &typed {
            let word = match query.terms.iter().position(|t| &t.text == token) {
                Some(existing) => existing,
                None => {
                    query.terms.push(QueryTerm {
                        text: token.clone(),
                        sources: vec![query.terms.len()],
                        weight: 1.0,
                    });
                    query.terms.len() - 1
                }
            };
            word_of.push(word);
        }
        query.words = query.terms.len();

        for (phrases, added) in SYNONYMS {
            let mut sources: Vec<usize> = phrases
                .iter()
                .flat_map(|phrase| occurrences(&typed, &tokens(phrase)))
                .flat_map(|range| word_of[range].iter().copied())
                .collect();
            if sources.is_empty() {
                continue;
            }
            sources.sort_unstable();
            sources.dedup();
            for &clinical in *added {
                let mut new = false;
                for term in tokens(clinical) {
                    new |= query.add(term, &sources);
                }
                if new && !query.expanded.contains(&clinical) {
                    query.expanded.push(clinical);
                }
            }
        }
        query
    }

    /// Whether nothing searchable is left.
    pub(crate) fn is_empty(&self) -> bool {
        self.terms.is_empty()
    }

    /// Adds an expansion term standing for `sources`; true if it is new.
    fn add(&mut self, text: String, sources: &[usize]) -> bool {
        match self.terms.iter_mut().find(|t| t.text == text) {
            Some(term) => {
                term.sources.extend_from_slice(sources);
                term.sources.sort_unstable();
                term.sources.dedup();
                false
            }
            None => {
                self.terms.push(QueryTerm {
                    text,
                    sources: sources.to_vec(),
                    weight: EXPANSION_WEIGHT,
                });
                true
            }
        }
    }
}

/// Where `phrase` occurs as consecutive tokens of `tokens`.
fn occurrences(tokens: &[String], phrase: &[String]) -> Vec<std::ops::Range<usize>> {
    if phrase.is_empty() || phrase.len() > tokens.len() {
        return Vec::new();
    }
    (0..=tokens.len() - phrase.len())
        .filter(|&start| tokens[start..start + phrase.len()] == *phrase)
        .map(|start| start..start + phrase.len())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(query: &Query) -> Vec<&str> {
        query.terms.iter().map(|t| t.text.as_str()).collect()
    }

    #[test]
    fn lay_words_add_clinical_terms_and_keep_their_own() {
        let query = Query::parse("fatigue and increased thirst");
        assert_eq!(texts(&query), ["fatigu", "increas", "thirst", "polydipsia"]);
        assert_eq!(query.words, 3);
        assert_eq!(query.expanded, ["polydipsia"]);
        // `polydipsia` stands for the word `thirst`, and counts less.
        assert_eq!(query.terms[3].sources, [2]);
        assert_eq!(query.terms[3].weight, EXPANSION_WEIGHT);
        assert_eq!(query.terms[2].weight, 1.0);
    }

    #[test]
    fn phrases_match_across_stop_words_and_word_forms() {
        let query = Query::parse("Short of breath and wheezing");
        assert!(query.expanded.contains(&"dyspnea"), "{query:?}");
        let dyspnea = query.terms.iter().find(|t| t.text == "dyspnea").unwrap();
        assert_eq!(dyspnea.sources, [0, 1]);

        let query = Query::parse("my patient has high blood pressure");
        assert_eq!(query.expanded, ["hypertension"]);

        let query = Query::parse("swollen ankles, tiredness");
        assert_eq!(query.expanded, ["fatigue", "edema"]);
    }

    #[test]
    fn a_phrase_needs_its_words_next_to_each_other() {
        let query = Query::parse("high fever, low blood sugar");
        assert!(!query.expanded.contains(&"hyperglycemia"), "{query:?}");
    }

    #[test]
    fn an_expansion_already_typed_is_not_reported() {
        let query = Query::parse("wheezing");
        assert_eq!(texts(&query), ["wheez"]);
        assert!(query.expanded.is_empty());
    }

    #[test]
    fn repeated_words_are_one_term() {
        let query = Query::parse("cough cough coughing");
        assert_eq!(texts(&query), ["cough"]);
        assert_eq!(query.words, 1);
    }

    #[test]
    fn only_stop_words_leave_an_empty_query() {
        assert!(Query::parse("what is the").is_empty());
        assert!(Query::parse("   \t ").is_empty());
        assert!(!Query::parse("gout").is_empty());
    }
}
