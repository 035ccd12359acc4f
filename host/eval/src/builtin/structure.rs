//! `follows_medical_structure`: is the response laid out as Assessment →
//! Recommendations → Follow-up, the structure the agent's system prompt asks
//! for and the offline model writes?

use serde_json::{json, Value};

use super::{round, score_empty, with_rubric};
use crate::{Score, ScoreInput, Scorer};

const RUBRIC: &str = "sections Assessment, Recommendations (or Plan / Treatment plan), \
    Follow-up, each found as a heading line (markdown #, **bold**, or a line starting with the \
    name followed by ':' or nothing), case-insensitive; score = 0.5 x sections present / 3 + \
    0.5 x section pairs in the right order / 3, using each section's first heading";

/// The sections in their expected order, each with the heading names that
/// count for it.
const SECTIONS: [(&str, &[&str]); 3] = [
    ("assessment", &["assessment", "clinical assessment"]),
    (
        "recommendations",
        &[
            "recommendations",
            "recommendation",
            "plan",
            "treatment plan",
            "management plan",
        ],
    ),
    ("follow_up", &["follow-up", "follow up", "followup"]),
];

/// Scores whether the response has the sections **Assessment**,
/// **Recommendations** and **Follow-up**, in that order.
///
/// A section is found at its first *heading line* (case-insensitive): a
/// markdown heading that starts with the name (`## Assessment`, `### Follow-up
/// plan`); bold text that starts with it (`**Assessment**`, `**Follow-up:**`,
/// `- **Recommendations**`); or a plain line that is the name alone or the name
/// followed by a colon (`Assessment:`, `FOLLOW UP: recheck in 3 months`).
/// Leading list markers and numbering (`-`, `1.`, `2)`) are ignored. A line
/// that merely starts with the word ("Assessment of your risk is…") is
/// prose, not a heading.
///
/// "Plan", "Treatment plan" and "Management plan" count as Recommendations:
/// in clinical notes the plan is the section that carries the
/// recommendations (the "P" of SOAP), so an answer structured that way has
/// the same shape. A combined "Assessment and Plan" heading counts only as
/// Assessment.
///
/// Score = 0.5 × (sections present / 3) + 0.5 × (pairs in the right order /
/// 3), where a pair (Assessment before Recommendations, Assessment before
/// Follow-up, Recommendations before Follow-up) counts only when both are
/// present. So: all three in order 1.0; all three with two swapped ≈ 0.83;
/// all three reversed 0.5; two in order 0.5; one section 0.17; none 0.
#[derive(Debug, Clone, Copy, Default)]
pub struct FollowsMedicalStructure;

impl FollowsMedicalStructure {
    /// The scorer's name.
    pub const NAME: &'static str = "follows_medical_structure";
}

impl Scorer for FollowsMedicalStructure {
    fn name(&self) -> &str {
        Self::NAME
    }

    fn score(&self, case: &ScoreInput) -> Score {
        if let Some(empty) = score_empty(&case.output, RUBRIC) {
            return empty;
        }
        // Line number (1-based) of each section's first heading.
        let mut first_line: [Option<usize>; 3] = [None; 3];
        for (number, line) in case.output.lines().enumerate() {
            let Some(heading) = heading_text(line) else {
                continue;
            };
            for (slot, (_, names)) in first_line.iter_mut().zip(SECTIONS) {
                if slot.is_none() && names.iter().any(|name| starts_with_word(&heading, name)) {
                    *slot = Some(number + 1);
                    // One heading names one section.
                    break;
                }
            }
        }
        let present = first_line.iter().flatten().count();
        let pairs = [(0, 1), (0, 2), (1, 2)];
        let ordered = pairs
            .iter()
            .filter(
                |&&(a, b)| matches!((first_line[a], first_line[b]), (Some(x), Some(y)) if x < y),
            )
            .count();
        let value = 0.5 * present as f64 / 3.0 + 0.5 * ordered as f64 / 3.0;

        let mut appearing: Vec<(usize, &str)> = first_line
            .iter()
            .zip(SECTIONS)
            .filter_map(|(line, (name, _))| line.map(|line| (line, name)))
            .collect();
        appearing.sort();
        let found: serde_json::Map<String, Value> = first_line
            .iter()
            .zip(SECTIONS)
            .map(|(line, (name, _))| (name.to_string(), json!(line)))
            .collect();
        let details = json!({
            "heading_lines": found,
            "order_found": appearing.iter().map(|(_, name)| *name).collect::<Vec<_>>(),
            "sections_present": present,
            "pairs_in_order": ordered,
            "in_order": present == 3 && ordered == 3,
        });
        Score::scored(round(value), with_rubric(details, RUBRIC))
    }
}

/// The lowercased heading text of a line, or `None` if the line is not a
/// heading.
fn heading_text(line: &str) -> Option<String> {
    let line = strip_list_marker(line.trim());
    if let Some(rest) = line.strip_prefix('#') {
        let text = rest.trim_start_matches('#').trim();
        return Some(text.trim_matches(['*', '_']).trim().to_lowercase());
    }
    for marker in ["**", "__"] {
        if let Some(rest) = line.strip_prefix(marker) {
            let bold = rest.split(marker).next().unwrap_or_default();
            return Some(bold.trim().trim_end_matches(':').trim().to_lowercase());
        }
    }
    // A plain line counts when it is just the name, perhaps with a colon and
    // text after it; the caller checks the name, this keeps what precedes
    // the colon.
    let lower = line.to_lowercase();
    match lower.split_once(':') {
        Some((before, _)) => Some(before.trim().to_string()),
        None if lower.split_whitespace().count() <= 3 => Some(lower.trim().to_string()),
        None => None,
    }
    .filter(|text| is_only_name(text))
}

/// Whether a plain line's text before any colon is nothing but a section
/// name (so "assessment of risk: high" is prose).
fn is_only_name(text: &str) -> bool {
    SECTIONS
        .iter()
        .flat_map(|(_, names)| names.iter())
        .any(|name| text == *name)
}

/// Drops a leading bullet (`-`, `*` followed by a space, `•`) or number
/// (`1.`, `2)`).
fn strip_list_marker(line: &str) -> &str {
    for bullet in ["- ", "* ", "• ", "+ "] {
        if let Some(rest) = line.strip_prefix(bullet) {
            return rest.trim_start();
        }
    }
    let digits = line.len() - line.trim_start_matches(|c: char| c.is_ascii_digit()).len();
    if digits > 0 {
        let rest = &line[digits..];
        if let Some(rest) = rest.strip_prefix('.').or_else(|| rest.strip_prefix(')')) {
            return rest.trim_start();
        }
    }
    line
}

/// Whether `text` starts with `word` and the word ends there.
fn starts_with_word(text: &str, word: &str) -> bool {
    text.strip_prefix(word)
        .is_some_and(|rest| !rest.chars().next().is_some_and(char::is_alphanumeric))
}
