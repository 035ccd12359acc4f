//! The knowledge base and its inverted index, both built at compile time:
//! `build.rs` reads `data/conditions.json`, tokenizes every field with
//! [`crate::tokenize`] and writes the records, per-field term frequencies,
//! field lengths and idf values as the statics included below. A call only
//! looks terms up and scores.

/// The number of indexed fields, [`Field::ALL`].
pub(crate) const FIELD_COUNT: usize = 6;

/// One condition of the knowledge base, as written in `data/conditions.json`.
#[derive(Debug)]
pub(crate) struct Condition {
    /// Stable kebab-case identifier.
    pub(crate) id: &'static str,
    /// Display name.
    pub(crate) name: &'static str,
    /// Presenting symptoms and signs.
    pub(crate) symptoms: &'static [&'static str],
    /// Risk factors.
    pub(crate) risk_factors: &'static [&'static str],
    /// Diagnostic criteria, with the guideline they come from.
    pub(crate) diagnostic_criteria: &'static [&'static str],
    /// Tests used to diagnose or stage it.
    pub(crate) tests: &'static [&'static str],
    /// First-line management, drug and non-drug.
    pub(crate) first_line_treatments: &'static [&'static str],
    /// Generic names of first-line drugs that the `lookup_medication`
    /// formulary knows; empty when first-line care is non-drug or its drugs
    /// are outside the formulary.
    pub(crate) first_line_medications: &'static [&'static str],
}

/// A field of a condition that the index scores separately. The order is
/// the order of the per-field arrays that `build.rs` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Field {
    /// The condition's name.
    Name,
    /// Its symptoms.
    Symptoms,
    /// Its diagnostic criteria.
    DiagnosticCriteria,
    /// Its risk factors.
    RiskFactors,
    /// Its tests.
    Tests,
    /// Its first-line treatments and medications.
    Treatments,
}

/// The postings of one condition for one term: how often the term occurs in
/// each field.
#[derive(Debug)]
pub(crate) struct Posting {
    /// Index into [`CONDITIONS`].
    pub(crate) condition: u16,
    /// Occurrences per field, in [`Field::ALL`] order.
    pub(crate) frequencies: [u16; FIELD_COUNT],
}

/// One term of the vocabulary with its inverse document frequency and the
/// conditions it occurs in.
#[derive(Debug)]
pub(crate) struct IndexedTerm {
    /// The term, as [`crate::tokenize::tokens`] produces it.
    pub(crate) term: &'static str,
    /// BM25 idf: ln(1 + (N - df + 0.5) / (df + 0.5)).
    pub(crate) idf: f64,
    /// One posting per condition containing the term, by condition index.
    pub(crate) postings: &'static [Posting],
}

// Defines CONDITIONS, FIELD_LENGTHS (terms per field per condition),
// AVERAGE_FIELD_LENGTHS and TERMS (sorted by term).
include!(concat!(env!("OUT_DIR"), "/index.rs"));

impl Field {
    /// Every field, in index order.
    pub(crate) const ALL: [Field; FIELD_COUNT] = [
        Field::Name,
        Field::Symptoms,
        Field::DiagnosticCriteria,
        Field::RiskFactors,
        Field::Tests,
        Field::Treatments,
    ];

    /// Position in the per-field arrays.
    pub(crate) fn index(self) -> usize {
        self as usize
    }

    /// The entries of this field of `condition`, as `build.rs` indexes them.
    #[cfg(test)]
    pub(crate) fn entries(self, condition: &Condition) -> Vec<&'static str> {
        match self {
            Field::Name => vec![condition.name],
            Field::Symptoms => condition.symptoms.to_vec(),
            Field::DiagnosticCriteria => condition.diagnostic_criteria.to_vec(),
            Field::RiskFactors => condition.risk_factors.to_vec(),
            Field::Tests => condition.tests.to_vec(),
            Field::Treatments => condition
                .first_line_treatments
                .iter()
                .chain(condition.first_line_medications)
                .copied()
                .collect(),
        }
    }
}

/// Every condition, in file order.
pub(crate) fn conditions() -> &'static [Condition] {
    CONDITIONS
}

/// The index entry of `term`, if any condition contains it.
pub(crate) fn lookup(term: &str) -> Option<&'static IndexedTerm> {
    TERMS
        .binary_search_by(|entry| entry.term.cmp(term))
        .ok()
        .map(|i| &TERMS[i])
}

/// Terms in `field` of the condition at `condition`.
pub(crate) fn field_length(condition: usize, field: Field) -> f64 {
    f64::from(FIELD_LENGTHS[condition][field.index()])
}

/// Mean terms in `field` across all conditions.
pub(crate) fn average_field_length(field: Field) -> f64 {
    AVERAGE_FIELD_LENGTHS[field.index()]
}

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, HashSet};

    use super::*;
    use crate::tokenize::tokens;

    #[test]
    fn knowledge_base_has_at_least_55_conditions_with_unique_kebab_case_ids() {
        assert!(
            CONDITIONS.len() >= 55,
            "only {} conditions",
            CONDITIONS.len()
        );
        let mut seen = HashSet::new();
        for c in CONDITIONS {
            assert!(seen.insert(c.id), "duplicate id {}", c.id);
            let kebab = !c.id.is_empty()
                && !c.id.starts_with('-')
                && !c.id.ends_with('-')
                && !c.id.contains("--")
                && c.id
                    .chars()
                    .all(|ch| ch.is_ascii_lowercase() || ch.is_ascii_digit() || ch == '-');
            assert!(kebab, "id `{}` is not kebab-case", c.id);
        }
    }

    #[test]
    fn every_list_is_filled_except_possibly_medications() {
        for c in CONDITIONS {
            assert!(!c.name.trim().is_empty(), "{} has no name", c.id);
            for (list, entries) in [
                ("symptoms", c.symptoms),
                ("risk_factors", c.risk_factors),
                ("diagnostic_criteria", c.diagnostic_criteria),
                ("tests", c.tests),
                ("first_line_treatments", c.first_line_treatments),
            ] {
                assert!(!entries.is_empty(), "{}: `{list}` is empty", c.id);
                for entry in entries {
                    assert!(
                        !entry.trim().is_empty(),
                        "{}: blank entry in `{list}`",
                        c.id
                    );
                    // The snippet joins entries with "; ".
                    assert!(!entry.contains(';'), "{}: `;` in `{list}`: {entry}", c.id);
                }
            }
        }
    }

    #[test]
    fn every_first_line_medication_resolves_in_the_formulary() {
        for c in CONDITIONS {
            for &name in c.first_line_medications {
                assert_eq!(
                    name,
                    name.trim().to_lowercase(),
                    "{}: `{name}` is not lower-case",
                    c.id
                );
                assert!(
                    lookup_medication::resolve(name).is_some(),
                    "{}: `{name}` is not in the lookup_medication formulary",
                    c.id
                );
            }
        }
    }

    #[test]
    fn required_conditions_are_present() {
        let ids: HashSet<&str> = CONDITIONS.iter().map(|c| c.id).collect();
        for id in [
            "type-2-diabetes",
            "prediabetes",
            "type-1-diabetes",
            "gestational-diabetes",
            "hypothyroidism",
            "hyperthyroidism",
            "hypertension",
            "hyperlipidemia",
            "obesity",
            "asthma",
            "copd",
            "gerd",
            "gout",
            "uncomplicated-uti",
        ] {
            assert!(ids.contains(id), "missing {id}");
        }
        let t2d = CONDITIONS
            .iter()
            .find(|c| c.id == "type-2-diabetes")
            .unwrap();
        assert_eq!(t2d.first_line_medications, ["metformin"]);
        let criteria = t2d.diagnostic_criteria.join(" ");
        for threshold in ["6.5%", "126 mg/dL", "200 mg/dL"] {
            assert!(
                criteria.contains(threshold),
                "type 2 diabetes criteria lack {threshold}"
            );
        }
    }

    /// Rebuilds the index from the records with the crate's own tokenizer
    /// and compares it with what `build.rs` generated, so the two sides can
    /// never disagree on fields, their order or their terms.
    #[test]
    fn generated_index_matches_a_fresh_tokenization() {
        let mut postings: BTreeMap<String, BTreeMap<usize, [u16; FIELD_COUNT]>> = BTreeMap::new();
        for (i, c) in CONDITIONS.iter().enumerate() {
            for field in Field::ALL {
                let terms: Vec<String> = field
                    .entries(c)
                    .iter()
                    .flat_map(|entry| tokens(entry))
                    .collect();
                assert_eq!(
                    field_length(i, field),
                    terms.len() as f64,
                    "{} {field:?}",
                    c.id
                );
                for term in terms {
                    postings.entry(term).or_default().entry(i).or_default()[field.index()] += 1;
                }
            }
        }
        assert_eq!(TERMS.len(), postings.len());
        for (entry, (term, by_condition)) in TERMS.iter().zip(&postings) {
            assert_eq!(entry.term, term);
            let generated: Vec<(usize, [u16; FIELD_COUNT])> = entry
                .postings
                .iter()
                .map(|p| (usize::from(p.condition), p.frequencies))
                .collect();
            let fresh: Vec<(usize, [u16; FIELD_COUNT])> =
                by_condition.iter().map(|(&i, &f)| (i, f)).collect();
            assert_eq!(generated, fresh, "postings of `{term}`");
            assert!(entry.idf > 0.0);
        }
        assert!(lookup("polydipsia").is_some());
        assert!(lookup("no-such-term").is_none());
    }
}
