//! The formulary: one [`Drug`] entry per generic drug (the table itself is in
//! `formulary/drugs.rs`), lookup by generic, brand or alternative name, and
//! spelling suggestions for names it does not know.
//!
//! Names are compared as words: case, surrounding whitespace, runs of spaces
//! and the choice between a space, a hyphen or a slash do not matter, so
//! "Toprol XL", "toprol-xl" and " TOPROL  XL " are the same name. Every name
//! in the table is ASCII (a test checks), which makes an ASCII case fold exact.

use serde::Serialize;

mod drugs;

pub use drugs::DRUGS;

/// One drug as the formulary describes it, serialized as it appears in the
/// tool's output. Dosing is for adults; the text follows FDA labeling and
/// standard drug references.
#[derive(Debug, PartialEq, Eq, Serialize)]
pub struct Drug {
    /// The generic name, lowercase: the name the output and the interaction
    /// table use.
    pub generic_name: &'static str,
    /// US brand names, each accepted as input.
    pub brand_names: &'static [&'static str],
    /// Other accepted input names: international nonproprietary names and
    /// common abbreviations ("paracetamol", "HCTZ"). Not part of the output.
    #[serde(skip)]
    pub other_names: &'static [&'static str],
    /// The pharmacological class.
    pub drug_class: &'static str,
    /// What it is used for.
    pub indications: &'static [&'static str],
    /// Typical adult start, titration and maximum, by indication.
    pub adult_dosing: &'static str,
    /// Dose changes by kidney function, with eGFR or CrCl thresholds.
    pub renal_adjustment: &'static str,
    /// When not to use it.
    pub contraindications: &'static [&'static str],
    /// The adverse effects patients most often have, then the rare serious ones.
    pub common_adverse_effects: &'static [&'static str],
    /// What to check before and during treatment.
    pub monitoring: &'static [&'static str],
}

impl Drug {
    /// Every name the drug answers to: generic, brands, then other names.
    pub fn names(&self) -> impl Iterator<Item = &'static str> {
        std::iter::once(self.generic_name)
            .chain(self.brand_names.iter().copied())
            .chain(self.other_names.iter().copied())
    }
}

/// The drug called `name`, if the formulary has it. A scan of a few hundred
/// short names, most rejected at the first letter.
pub fn find(name: &str) -> Option<&'static Drug> {
    DRUGS
        .iter()
        .find(|drug| drug.names().any(|known| same_name(name, known)))
}

/// Up to `limit` drugs whose names are closest to `name`, as generic names,
/// closest first (ties in alphabetical order). The distance is the optimal
/// string alignment (Damerau-Levenshtein) distance over every name a drug
/// answers to; a name that contains a formulary name as a word ("metformin
/// 500 mg") or starts one ("atorva") counts as one edit away. Drugs further
/// than a third of the name's length (at least 2 edits) are not suggested.
pub fn closest(name: &str, limit: usize) -> Vec<&'static str> {
    let query = Query::new(name);
    if query.chars.is_empty() {
        return Vec::new();
    }
    let cutoff = (query.chars.len() / 3).max(2);
    let mut ranked: Vec<(usize, &'static str)> = DRUGS
        .iter()
        .filter_map(|drug| {
            let best = drug.names().map(|known| query.distance(known)).min()?;
            (best <= cutoff).then_some((best, drug.generic_name))
        })
        .collect();
    ranked.sort_unstable();
    ranked
        .into_iter()
        .take(limit)
        .map(|(_, name)| name)
        .collect()
}

/// The comparison key of a name: its words, lowercase, joined by one space.
pub fn key(name: &str) -> String {
    words(name)
        .map(str::to_lowercase)
        .collect::<Vec<_>>()
        .join(" ")
}

/// The words of a name; spaces, hyphens and slashes all separate words.
fn words(name: &str) -> impl Iterator<Item = &str> {
    name.split(|c: char| c.is_whitespace() || c == '-' || c == '/')
        .filter(|word| !word.is_empty())
}

/// Whether two names have the same words, ignoring ASCII case.
fn same_name(a: &str, b: &str) -> bool {
    let (mut a, mut b) = (words(a), words(b));
    loop {
        match (a.next(), b.next()) {
            (None, None) => return true,
            (Some(x), Some(y)) if x.eq_ignore_ascii_case(y) => {}
            _ => return false,
        }
    }
}

/// An unknown name prepared for comparison with every formulary name.
struct Query {
    key: String,
    chars: Vec<char>,
}

impl Query {
    fn new(name: &str) -> Query {
        let key = key(name);
        let chars = key.chars().collect();
        Query { key, chars }
    }

    /// How far the query is from the formulary name `known`.
    fn distance(&self, known: &str) -> usize {
        let known = key(known);
        let known_chars: Vec<char> = known.chars().collect();
        let edits = edit_distance(&self.chars, &known_chars);
        let extra_words = format!(" {} ", self.key).contains(&format!(" {known} "));
        let cut_short = self.chars.len() >= 4 && known.starts_with(&self.key);
        if extra_words || cut_short {
            edits.min(1)
        } else {
            edits
        }
    }
}

/// The optimal string alignment distance: insertions, deletions,
/// substitutions and transpositions of adjacent characters, each one edit.
fn edit_distance(a: &[char], b: &[char]) -> usize {
    // Rows i-2, i-1 and i of the dynamic-programming table.
    let mut before: Vec<usize> = vec![0; b.len() + 1];
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    let mut current: Vec<usize> = vec![0; b.len() + 1];
    for i in 1..=a.len() {
        current[0] = i;
        for j in 1..=b.len() {
            let substitution = previous[j - 1] + usize::from(a[i - 1] != b[j - 1]);
            let mut best = substitution.min(previous[j] + 1).min(current[j - 1] + 1);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(before[j - 2] + 1);
            }
            current[j] = best;
        }
        std::mem::swap(&mut before, &mut previous);
        std::mem::swap(&mut previous, &mut current);
    }
    previous[b.len()]
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    /// The drugs the formulary promises to cover.
    const REQUIRED: [&str; 57] = [
        "metformin",
        "empagliflozin",
        "dapagliflozin",
        "canagliflozin",
        "semaglutide",
        "liraglutide",
        "tirzepatide",
        "sitagliptin",
        "glipizide",
        "pioglitazone",
        "insulin glargine",
        "lisinopril",
        "enalapril",
        "losartan",
        "valsartan",
        "amlodipine",
        "hydrochlorothiazide",
        "chlorthalidone",
        "metoprolol",
        "carvedilol",
        "atorvastatin",
        "rosuvastatin",
        "simvastatin",
        "ezetimibe",
        "aspirin",
        "clopidogrel",
        "warfarin",
        "apixaban",
        "rivaroxaban",
        "levothyroxine",
        "methimazole",
        "omeprazole",
        "pantoprazole",
        "sertraline",
        "fluoxetine",
        "escitalopram",
        "bupropion",
        "albuterol",
        "fluticasone",
        "montelukast",
        "amoxicillin",
        "azithromycin",
        "doxycycline",
        "ciprofloxacin",
        "nitrofurantoin",
        "ibuprofen",
        "naproxen",
        "acetaminophen",
        "prednisone",
        "gabapentin",
        "furosemide",
        "spironolactone",
        "allopurinol",
        "colchicine",
        "tramadol",
        "alendronate",
        "sumatriptan",
    ];

    fn generic(name: &str) -> Option<&'static str> {
        find(name).map(|drug| drug.generic_name)
    }

    #[test]
    fn covers_every_required_drug_and_at_least_45() {
        assert!(DRUGS.len() >= 45, "{}", DRUGS.len());
        for name in REQUIRED {
            assert_eq!(generic(name), Some(name), "{name} is missing");
        }
    }

    #[test]
    fn no_name_belongs_to_two_entries() {
        let mut owner: HashMap<String, &str> = HashMap::new();
        for drug in DRUGS {
            for name in drug.names() {
                if let Some(other) = owner.insert(key(name), drug.generic_name) {
                    panic!(
                        "`{name}` is a name of both {other} and {}",
                        drug.generic_name
                    );
                }
            }
        }
    }

    #[test]
    fn every_field_is_filled_in() {
        for drug in DRUGS {
            let name = drug.generic_name;
            assert_eq!(name, name.to_lowercase(), "generic names are lowercase");
            for text in [
                drug.generic_name,
                drug.drug_class,
                drug.adult_dosing,
                drug.renal_adjustment,
            ] {
                assert!(!text.trim().is_empty(), "{name} has an empty field");
            }
            for (field, list) in [
                ("brand_names", drug.brand_names),
                ("indications", drug.indications),
                ("contraindications", drug.contraindications),
                ("common_adverse_effects", drug.common_adverse_effects),
                ("monitoring", drug.monitoring),
            ] {
                assert!(!list.is_empty(), "{name}: `{field}` is empty");
                assert!(
                    list.iter().all(|item| !item.trim().is_empty()),
                    "{name}: `{field}` has a blank item"
                );
            }
        }
    }

    #[test]
    fn names_are_ascii_and_trimmed() {
        for drug in DRUGS {
            for name in drug.names() {
                assert!(name.is_ascii(), "`{name}` is not ASCII");
                assert_eq!(name, name.trim(), "`{name}` has surrounding whitespace");
                assert!(same_name(name, &key(name)), "`{name}` is not its own key");
            }
        }
    }

    #[test]
    fn brand_names_resolve_to_the_generic() {
        assert_eq!(generic("Glucophage"), Some("metformin"));
        assert_eq!(generic("JARDIANCE"), Some("empagliflozin"));
        assert_eq!(generic("Ozempic"), Some("semaglutide"));
        assert_eq!(generic("Wegovy"), Some("semaglutide"));
        assert_eq!(generic("Lantus"), Some("insulin glargine"));
        assert_eq!(generic("Z-Pak"), Some("azithromycin"));
        assert_eq!(generic("Bactrim DS"), Some("sulfamethoxazole-trimethoprim"));
    }

    #[test]
    fn names_ignore_case_spacing_and_hyphens() {
        assert_eq!(generic("  MetFormin\t"), Some("metformin"));
        assert_eq!(generic("toprol-xl"), Some("metoprolol"));
        assert_eq!(generic("TOPROL   XL"), Some("metoprolol"));
        assert_eq!(
            generic("trimethoprim/sulfamethoxazole"),
            Some("sulfamethoxazole-trimethoprim")
        );
        assert_eq!(generic("salbutamol"), Some("albuterol"));
        assert_eq!(generic("HCTZ"), Some("hydrochlorothiazide"));
        assert_eq!(generic("metformi"), None);
        assert_eq!(generic("metformin xr 500"), None);
        assert_eq!(generic("   "), None);
    }

    #[test]
    fn misspellings_suggest_the_intended_drug_first() {
        assert_eq!(closest("metfromin", 3).first(), Some(&"metformin"));
        assert_eq!(closest("lisinipril", 3).first(), Some(&"lisinopril"));
        assert_eq!(closest("Jardience", 3).first(), Some(&"empagliflozin"));
        assert_eq!(
            closest("hydrochlorthiazide", 3).first(),
            Some(&"hydrochlorothiazide")
        );
        assert_eq!(closest("ibuprophen", 3).first(), Some(&"ibuprofen"));
        assert_eq!(closest("acetominophen", 3).first(), Some(&"acetaminophen"));
    }

    #[test]
    fn doses_and_prefixes_suggest_the_drug() {
        assert_eq!(closest("metformin 500 mg", 3).first(), Some(&"metformin"));
        assert_eq!(closest("atorva", 3).first(), Some(&"atorvastatin"));
        assert_eq!(closest("insulin", 3).first(), Some(&"insulin glargine"));
    }

    #[test]
    fn suggestions_are_generic_names_deduplicated_and_limited() {
        // "Zocor" and "simvastatin" both belong to one entry: one suggestion.
        let suggestions = closest("zocorr", 3);
        assert_eq!(suggestions.first(), Some(&"simvastatin"));
        assert!(suggestions.len() <= 3);
        let mut unique = suggestions.clone();
        unique.dedup();
        assert_eq!(unique, suggestions);
        assert_eq!(closest("metfromin", 1), ["metformin"]);
    }

    #[test]
    fn nonsense_gets_no_suggestion() {
        assert!(closest("qqqqqqqqqq", 3).is_empty());
        assert!(closest("", 3).is_empty());
    }

    #[test]
    fn edit_distance_counts_transpositions_as_one() {
        let d = |a: &str, b: &str| {
            let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
            edit_distance(&a, &b)
        };
        assert_eq!(d("metfromin", "metformin"), 1);
        assert_eq!(d("kitten", "sitting"), 3);
        assert_eq!(d("", "abc"), 3);
        assert_eq!(d("abc", ""), 3);
        assert_eq!(d("same", "same"), 0);
        assert_eq!(d("ca", "abc"), 3);
    }
}
