//! Case-insensitive matching over response text for the built-in scorers:
//! words, lexicon terms at word boundaries, and numbers with what follows
//! them. It works on a lowercased copy and only ever slices at positions
//! returned by `str` searches, so no input can split a UTF-8 sequence.

/// A response prepared for matching.
pub(crate) struct Text {
    lower: String,
}

/// A run of digits with an optional decimal part, as found in the text.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Number<'a> {
    /// Byte offset of the first digit in the lowercased text.
    pub(crate) start: usize,
    /// Byte offset just past the last digit.
    pub(crate) end: usize,
    /// The digits as written, e.g. `30.9`.
    pub(crate) text: &'a str,
}

impl<'a> Number<'a> {
    /// The value, reading a comma as a decimal point (`30,9`).
    pub(crate) fn value(&self) -> Option<f64> {
        self.text.replace(',', ".").parse().ok()
    }
}

impl Text {
    pub(crate) fn new(text: &str) -> Text {
        Text {
            lower: text.to_lowercase(),
        }
    }

    /// The terms of `lexicon` that occur, in lexicon order. A term matches
    /// at the start of a word; it must also end a word unless it ends in
    /// `*`, which makes it a stem (`titrat*` matches "titrate", "titration").
    pub(crate) fn terms_found(&self, lexicon: &[&'static str]) -> Vec<&'static str> {
        lexicon
            .iter()
            .copied()
            .filter(|term| self.find_term(term).is_some())
            .collect()
    }

    /// Byte offsets (start, end) of every match of one lexicon term.
    pub(crate) fn term_matches(&self, term: &str) -> Vec<(usize, usize)> {
        let (needle, stem) = match term.strip_suffix('*') {
            Some(needle) => (needle, true),
            None => (term, false),
        };
        if needle.is_empty() {
            return Vec::new();
        }
        self.lower
            .match_indices(needle)
            .map(|(start, found)| (start, start + found.len()))
            .filter(|&(start, end)| {
                let starts_word = !self.lower[..start]
                    .chars()
                    .next_back()
                    .is_some_and(char::is_alphanumeric);
                let ends_word = stem
                    || !self.lower[end..]
                        .chars()
                        .next()
                        .is_some_and(char::is_alphanumeric);
                starts_word && ends_word
            })
            .collect()
    }

    fn find_term(&self, term: &str) -> Option<(usize, usize)> {
        self.term_matches(term).into_iter().next()
    }

    /// Every number in the text, left to right: maximal digit runs with at
    /// most one `.`/`,` followed by more digits.
    pub(crate) fn numbers(&self) -> Vec<Number<'_>> {
        let bytes = self.lower.as_bytes();
        let mut found = Vec::new();
        let mut i = 0;
        while i < bytes.len() {
            if !bytes[i].is_ascii_digit() {
                i += 1;
                continue;
            }
            let start = i;
            while i < bytes.len() && bytes[i].is_ascii_digit() {
                i += 1;
            }
            if i + 1 < bytes.len()
                && (bytes[i] == b'.' || bytes[i] == b',')
                && bytes[i + 1].is_ascii_digit()
            {
                i += 1;
                while i < bytes.len() && bytes[i].is_ascii_digit() {
                    i += 1;
                }
            }
            // ASCII digits and separators never sit inside a multi-byte
            // sequence, so these offsets are char boundaries.
            found.push(Number {
                start,
                end: i,
                text: &self.lower[start..i],
            });
        }
        found
    }

    /// Whether the number stands on its own rather than ending a word
    /// (the `1` of "hba1c").
    pub(crate) fn starts_token(&self, number: &Number<'_>) -> bool {
        !self.lower[..number.start]
            .chars()
            .next_back()
            .is_some_and(char::is_alphanumeric)
    }

    /// The text right after a number.
    pub(crate) fn after<'t>(&'t self, number: &Number<'_>) -> &'t str {
        &self.lower[number.end..]
    }

    /// The text between two byte offsets that came from this text's matches
    /// and numbers; empty if they are out of order or not char boundaries.
    pub(crate) fn between(&self, start: usize, end: usize) -> &str {
        self.lower.get(start..end).unwrap_or_default()
    }

    /// The alphanumeric words of the text, lowercased.
    pub(crate) fn words(&self) -> impl Iterator<Item = &str> {
        self.lower
            .split(|c: char| !c.is_alphanumeric())
            .filter(|word| !word.is_empty())
    }
}

/// Words as a reader counts them: whitespace-separated tokens with at least
/// one letter or digit, so markdown bullets and `**` do not count.
pub(crate) fn word_count(text: &str) -> usize {
    text.split_whitespace()
        .filter(|token| token.chars().any(char::is_alphanumeric))
        .count()
}

/// Whether `rest` starts with `unit` as a whole word, after at most one
/// space.
pub(crate) fn starts_with_unit(rest: &str, unit: &str) -> bool {
    let rest = rest
        .strip_prefix(' ')
        .or_else(|| rest.strip_prefix('\u{a0}'))
        .unwrap_or(rest);
    rest.strip_prefix(unit)
        .is_some_and(|tail| !tail.chars().next().is_some_and(char::is_alphanumeric))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terms_match_at_word_boundaries_and_stems_extend() {
        let text = Text::new("Titration of Lisinopril; April; HbA1c");
        assert_eq!(
            text.terms_found(&["titrat*", "lisinopril", "pril", "hba1c", "a1c"]),
            vec!["titrat*", "lisinopril", "hba1c"]
        );
    }

    #[test]
    fn numbers_keep_one_decimal_part() {
        let text = Text::new("BMI 30.9, BP 150/95, 2,5 mg");
        let numbers: Vec<_> = text.numbers().iter().map(|n| n.text).collect();
        assert_eq!(numbers, vec!["30.9", "150", "95", "2,5"]);
    }

    #[test]
    fn words_ignore_markdown_markers() {
        assert_eq!(word_count("**Assessment**\n- BMI 30.9 —  obese ."), 4);
        assert_eq!(word_count("   \n\t"), 0);
    }
}
