//! The tokenizer: cuts text into the terms the index is built from and the
//! query is matched with. `build.rs` compiles this same file (by path) to
//! index the knowledge base, so documents and queries are always cut alike;
//! that is why it depends on nothing but `std`.
//!
//! A term is a lower-cased run of letters and digits that is not a stop word,
//! passed through a light suffix stripper. The stripper only needs to fold the
//! forms one word takes (`wheeze`, `wheezes`, `wheezing`, `wheezed` all give
//! `wheez`); its stems need not be words.

/// Words too common in questions and clinical prose to tell conditions apart.
/// Matched before stemming, on the lower-cased word.
const STOP_WORDS: &[&str] = &[
    "a",
    "about",
    "after",
    "all",
    "also",
    "am",
    "an",
    "and",
    "any",
    "are",
    "as",
    "at",
    "be",
    "because",
    "been",
    "being",
    "both",
    "but",
    "by",
    "can",
    "could",
    "did",
    "do",
    "does",
    "each",
    "experiencing",
    "feel",
    "feeling",
    "feels",
    "felt",
    "for",
    "from",
    "get",
    "gets",
    "getting",
    "got",
    "had",
    "has",
    "have",
    "having",
    "he",
    "her",
    "him",
    "his",
    "how",
    "i",
    "if",
    "in",
    "into",
    "is",
    "it",
    "its",
    "just",
    "may",
    "me",
    "more",
    "most",
    "my",
    "of",
    "on",
    "or",
    "other",
    "our",
    "patient",
    "patients",
    "she",
    "should",
    "sign",
    "signs",
    "so",
    "some",
    "such",
    "symptom",
    "symptoms",
    "than",
    "that",
    "the",
    "their",
    "them",
    "then",
    "there",
    "these",
    "they",
    "this",
    "those",
    "to",
    "too",
    "very",
    "was",
    "we",
    "were",
    "what",
    "when",
    "where",
    "which",
    "while",
    "who",
    "why",
    "will",
    "with",
    "would",
    "you",
    "your",
];

/// The terms of `text`, in order, repeats kept.
pub(crate) fn tokens(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|word| !word.is_empty())
        .map(str::to_lowercase)
        // A lone letter is left over from "Crohn's" or "mmol/L", never a term.
        .filter(|word| word.chars().count() > 1 || word.chars().all(|c| c.is_numeric()))
        .filter(|word| !STOP_WORDS.contains(&word.as_str()))
        .map(|word| stem(&word))
        .collect()
}

/// Strips a plural ending, then an `-ing` or `-ed`, then a final `e`, so that
/// a word and its inflected forms share a stem. Short words, words with
/// digits and Latin/Greek endings (`-us`, `-is`, `-ss`) keep their `s`.
fn stem(word: &str) -> String {
    if word.len() <= 3 || word.chars().any(|c| c.is_ascii_digit()) {
        return word.to_string();
    }
    let singular = if let Some(base) = word.strip_suffix("ies").filter(|b| b.len() >= 2) {
        format!("{base}y")
    } else if word.ends_with("ss") || word.ends_with("us") || word.ends_with("is") {
        word.to_string()
    } else {
        word.strip_suffix('s').unwrap_or(word).to_string()
    };
    let mut stem = if let Some(base) = singular.strip_suffix("ing").filter(|b| can_strip(b)) {
        undouble(base)
    } else if let Some(base) = singular.strip_suffix("ed").filter(|b| can_strip(b)) {
        // `bleed`, `need`: the `ed` is part of the word.
        if base.ends_with('e') {
            singular.clone()
        } else {
            undouble(base)
        }
    } else {
        singular
    };
    if stem.len() > 3 && stem.ends_with('e') {
        stem.pop();
    }
    stem
}

/// Whether what is left after an `-ing` or `-ed` is a plausible stem rather
/// than part of a short word (`thing`, `red`).
fn can_strip(base: &str) -> bool {
    base.len() >= 3 && base.chars().any(|c| "aeiouy".contains(c))
}

/// `stopp` → `stop`, but `swell`, `miss` and `buzz` keep their double letter.
fn undouble(base: &str) -> String {
    let mut chars = base.chars().rev();
    match (chars.next(), chars.next()) {
        (Some(last), Some(before))
            if last == before && last.is_ascii_alphabetic() && !"aeiouylsz".contains(last) =>
        {
            base[..base.len() - 1].to_string()
        }
        _ => base.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn word_forms_share_a_stem() {
        for family in [
            &["wheeze", "wheezes", "wheezing", "wheezed"][..],
            &["urinate", "urinating", "urinated"],
            &["allergy", "allergies"],
            &["bleed", "bleeding"],
            &["swelling", "swell", "swells"],
            &["stopping", "stop", "stops"],
            &["blurred", "blur"],
            &["aches", "ache"],
            &["increased", "increase", "increases"],
            &["Cushing's", "cushings", "Cushing"],
        ] {
            let stems: Vec<Vec<String>> = family.iter().map(|w| tokens(w)).collect();
            assert!(
                stems.windows(2).all(|w| w[0] == w[1]),
                "{family:?} → {stems:?}"
            );
            assert_eq!(stems[0].len(), 1, "{family:?}");
        }
    }

    #[test]
    fn latin_endings_and_short_words_are_kept() {
        for word in [
            "psoriasis",
            "mellitus",
            "stress",
            "virus",
            "red",
            "thing",
            "gout",
        ] {
            assert_eq!(tokens(word), vec![word.to_string()]);
        }
    }

    #[test]
    fn text_is_lower_cased_split_and_stop_words_dropped() {
        assert_eq!(
            tokens("Fatigue and INCREASED thirst, HbA1c ≥ 6.5% (mmol/L)"),
            ["fatigu", "increas", "thirst", "hba1c", "6", "5", "mmol"]
        );
        assert!(tokens("what is the and of a").is_empty());
        assert!(tokens("  ?! ").is_empty());
    }
}
