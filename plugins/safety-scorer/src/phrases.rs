//! Finding clinical phrases in free text: whole-word matches, NegEx-style
//! negation ("denies chest pain") and conditional sentences ("if chest pain
//! recurs, ..."). Both rubrics read text only through these functions, so
//! they agree on what counts as "mentioned".
//!
//! Text is lowercased once by [`Text::new`] and every offset refers to that
//! lowercased copy.

/// Words that negate a finding when they occur shortly before it in the same
/// clause.
const NEGATIONS: [&str; 17] = [
    "no", "not", "denies", "denied", "denying", "without", "never", "negative", "absent",
    "absence", "cannot", "can't", "don't", "doesn't", "isn't", "nor", "free",
];
/// How many words before a phrase a negation still reaches.
const NEGATION_WINDOW: usize = 5;
/// Words that end a negation's scope.
const SCOPE_BREAKS: [&str; 4] = ["but", "however", "although", "except"];
/// Words that make a sentence conditional.
const CONDITIONALS: [&str; 5] = ["if", "unless", "should", "whenever", "when"];

/// Lowercased text to search.
#[derive(Debug, Clone)]
pub(crate) struct Text {
    lower: String,
}

impl Text {
    /// Lowercases `text` and normalises typographic apostrophes, so `can’t`
    /// matches `can't`.
    pub(crate) fn new(text: &str) -> Self {
        Text {
            lower: text.to_lowercase().replace('\u{2019}', "'"),
        }
    }

    /// The lowercased text.
    pub(crate) fn as_str(&self) -> &str {
        &self.lower
    }

    /// Whether the text is only whitespace.
    pub(crate) fn is_blank(&self) -> bool {
        self.lower.trim().is_empty()
    }

    /// Byte offsets of every whole-word occurrence of `phrase` (lowercase). A
    /// trailing `*` matches any word ending: `refer*` finds "refer",
    /// "referral" and "referred".
    pub(crate) fn find(&self, phrase: &str) -> Vec<usize> {
        let (needle, stem) = match phrase.strip_suffix('*') {
            Some(needle) => (needle, true),
            None => (phrase, false),
        };
        let text = self.lower.as_str();
        let mut hits = Vec::new();
        let mut from = 0;
        while let Some(at) = text[from..].find(needle) {
            let start = from + at;
            let end = start + needle.len();
            let before_ok = text[..start]
                .chars()
                .next_back()
                .is_none_or(|c| !is_word(c));
            let after_ok = stem || text[end..].chars().next().is_none_or(|c| !is_word(c));
            if before_ok && after_ok {
                hits.push(start);
            }
            from = start + text[start..].chars().next().map_or(1, char::len_utf8);
        }
        hits
    }

    /// Whether `phrase` occurs anywhere as a whole word.
    pub(crate) fn mentions(&self, phrase: &str) -> bool {
        !self.find(phrase).is_empty()
    }

    /// Whether `phrase` occurs at least once without a negation before it.
    pub(crate) fn affirms(&self, phrase: &str, commas_break_scope: bool) -> Option<usize> {
        self.find(phrase)
            .into_iter()
            .find(|&at| !self.negated(at, commas_break_scope))
    }

    /// Whether a negation word occurs within [`NEGATION_WINDOW`] words before
    /// `at`, in the same clause. Sentences always end a clause; commas do
    /// when `commas_break_scope` (in advice, "if it does not improve, refer"
    /// must not negate "refer"; in a history, "denies chest pain, dyspnea"
    /// negates both).
    pub(crate) fn negated(&self, at: usize, commas_break_scope: bool) -> bool {
        let words: Vec<&str> = words(self.clause_before(at, commas_break_scope)).collect();
        let scope = match words.iter().rposition(|w| SCOPE_BREAKS.contains(w)) {
            Some(i) => &words[i + 1..],
            None => &words[..],
        };
        scope
            .iter()
            .rev()
            .take(NEGATION_WINDOW)
            .any(|w| NEGATIONS.contains(w))
    }

    /// The text from the start of the clause containing `at` up to `at`.
    /// Sentences always end a clause; commas and colons do when
    /// `commas_break_scope`.
    pub(crate) fn clause_before(&self, at: usize, commas_break_scope: bool) -> &str {
        let before = &self.lower[self.sentence_start(at)..at];
        if commas_break_scope {
            before.rsplit([',', ':']).next().unwrap_or(before)
        } else {
            before
        }
    }

    /// Whether the sentence around `at` is conditional ("seek emergency care
    /// if the pain returns").
    pub(crate) fn conditional(&self, at: usize) -> bool {
        words(self.sentence(at)).any(|w| CONDITIONALS.contains(&w))
    }

    /// The sentence containing `at`.
    pub(crate) fn sentence(&self, at: usize) -> &str {
        let start = self.sentence_start(at);
        let rest = &self.lower[at..];
        let end = sentence_breaks(rest)
            .next()
            .map_or(self.lower.len(), |i| at + i);
        &self.lower[start..end]
    }

    /// The next few words after `at` (skipping the word at `at` itself), up
    /// to the end of the sentence.
    pub(crate) fn words_after(&self, at: usize, count: usize) -> Vec<&str> {
        let end = sentence_breaks(&self.lower[at..])
            .next()
            .map_or(self.lower.len(), |i| at + i);
        words(&self.lower[at..end]).skip(1).take(count).collect()
    }

    fn sentence_start(&self, at: usize) -> usize {
        let before = &self.lower[..at];
        sentence_breaks(before).last().map_or(0, |i| i + 1)
    }
}

/// Byte offsets of sentence breaks: `;`, `!`, `?`, newlines, and a `.` that
/// is followed by whitespace or the end (so "30.9" is not a break).
fn sentence_breaks(text: &str) -> impl Iterator<Item = usize> + '_ {
    let bytes = text.as_bytes();
    bytes.iter().enumerate().filter_map(move |(i, &b)| {
        let is_break = match b {
            b';' | b'!' | b'?' | b'\n' => true,
            b'.' => bytes.get(i + 1).is_none_or(|n| n.is_ascii_whitespace()),
            _ => false,
        };
        is_break.then_some(i)
    })
}

/// The words of `text`: runs of letters, digits, `'` and `-`.
pub(crate) fn words(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| !(is_word(c) || c == '\'' || c == '-'))
        .filter(|w| !w.is_empty())
}

fn is_word(c: char) -> bool {
    c.is_alphanumeric()
}

/// `items` quoted and joined, at most `max` of them, for a reason line.
pub(crate) fn quote_list(items: &[String], max: usize) -> String {
    let mut shown: Vec<String> = items.iter().take(max).map(|s| format!("\"{s}\"")).collect();
    if items.len() > max {
        shown.push(format!("and {} more", items.len() - max));
    }
    shown.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_whole_words_and_stems() {
        let text = Text::new("Refer to Cardiology; the referral is urgent. Preferred: no.");
        assert_eq!(text.find("refer").len(), 1);
        assert_eq!(text.find("refer*").len(), 2);
        assert!(text.mentions("urgent"));
        assert!(!text.mentions("urge"));
    }

    #[test]
    fn negation_reaches_a_few_words_within_the_clause() {
        let text = Text::new("She denies chest pain, shortness of breath but has confusion.");
        let chest = text.find("chest pain")[0];
        let breath = text.find("shortness of breath")[0];
        let confusion = text.find("confusion")[0];
        assert!(text.negated(chest, false));
        assert!(text.negated(breath, false));
        assert!(!text.negated(confusion, false), "`but` ends the negation");
        assert!(
            !text.negated(breath, true),
            "the comma ends it in advice mode"
        );

        let text = Text::new("If she does not improve, refer to endocrinology.");
        assert!(!text.negated(text.find("refer")[0], true));
        let text = Text::new("No need for emergency care. Chest pain at rest.");
        assert!(text.negated(text.find("emergency")[0], true));
        assert!(!text.negated(text.find("chest pain")[0], false));
    }

    #[test]
    fn sentences_and_conditionals() {
        let text = Text::new("BMI 30.9 kg/m². Seek emergency care if chest pain returns. Go now.");
        let at = text.find("emergency")[0];
        assert_eq!(
            text.sentence(at).trim(),
            "seek emergency care if chest pain returns"
        );
        assert!(text.conditional(at));
        assert!(!text.conditional(text.find("go now")[0]));
        assert_eq!(
            text.words_after(text.find("seek")[0], 2),
            ["emergency", "care"]
        );
    }
}
