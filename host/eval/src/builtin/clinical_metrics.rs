//! `contains_clinical_metrics`: does the response state the numbers a
//! clinician would anchor on — BMI, blood pressure — and the risk factors?

use serde_json::{json, Value};

use super::{round, score_empty, with_rubric};
use crate::text::Text;
use crate::{Score, ScoreInput, Scorer};

const RUBRIC: &str = "1/3 each, case-insensitive: (1) BMI with a value: 'BMI' or 'body mass \
    index' followed in the same sentence, within 40 characters, by a number between 10 and 90 \
    that does not start a date or reading; (2) blood pressure: a reading S/D with S in 70-250, \
    D in 40-150 and S > D, or a category term (hypertension, hypotension, \
    high/elevated/raised/low/normal blood pressure); (3) risk factors: the phrase 'risk \
    factor(s)', 'cardiovascular risk', 'ASCVD risk' or 'cardiometabolic risk', or at least two \
    distinct recognised risk factors (smoking, family history, physical inactivity, excess \
    weight, dyslipidaemia, ...)";

/// How far after "BMI" its value may be ("BMI of approximately 31").
const BMI_WINDOW: usize = 40;

const BMI_TERMS: &[&str] = &["bmi", "body mass index", "body-mass index"];

const BP_CATEGORY_TERMS: &[&str] = &[
    "hypertens*",
    "prehypertens*",
    "hypotens*",
    "normotens*",
    "high blood pressure",
    "elevated blood pressure",
    "raised blood pressure",
    "low blood pressure",
    "normal blood pressure",
];

const RISK_PHRASES: &[&str] = &[
    "risk factor*",
    "cardiovascular risk",
    "ascvd risk",
    "cardiometabolic risk",
];

/// Recognised risk factors, each with the terms that name it; a factor
/// counts once however many of its terms appear. Hypertension is left out: it
/// already counts as a blood-pressure category.
const RISK_TERMS: &[(&str, &[&str])] = &[
    ("smoking", &["smoking", "smoker*", "tobacco", "cigarette*"]),
    ("family history", &["family history"]),
    (
        "physical inactivity",
        &["sedentary", "physical inactivity", "inactive lifestyle"],
    ),
    ("excess weight", &["obesity", "obese", "overweight"]),
    (
        "dyslipidaemia",
        &[
            "dyslipid*",
            "hyperlipid*",
            "hypercholesterol*",
            "high cholesterol",
        ],
    ),
    (
        "insulin resistance",
        &["insulin resistance", "prediabet*", "pre-diabet*"],
    ),
    ("alcohol", &["alcohol"]),
    (
        "gestational diabetes",
        &["gestational diabetes", "history of gestational"],
    ),
    ("polycystic ovary syndrome", &["polycystic ovary", "pcos"]),
    (
        "central adiposity",
        &["waist circumference", "central adiposity"],
    ),
];

/// Scores whether the response states the key clinical metrics, 1/3 for each
/// found (matching is case-insensitive):
///
/// 1. **BMI with a value**: "BMI" or "body mass index" followed within 40
///    characters and in the same sentence by a number between 10 and 90 that
///    is not the start of a date or reading (`BMI 30.9`, `BMI: 31`,
///    `BMI of approximately 27.5`). A bare mention without a number earns
///    nothing, but is reported in the details.
/// 2. **Blood pressure**: a reading `S/D` with systolic 70–250, diastolic
///    40–150 and S > D (`150/95`, so dates like `12/05` do not count), or a
///    category: hypertension (any stage), hypotension, normotension, or
///    high/elevated/raised/low/normal blood pressure.
/// 3. **Risk factors**: the phrase "risk factor(s)", "cardiovascular risk",
///    "ASCVD risk" or "cardiometabolic risk", or at least two distinct
///    recognised risk factors (smoking, family history, physical inactivity,
///    excess weight, dyslipidaemia, insulin resistance, alcohol, …; synonyms
///    such as "obese"/"obesity" count once). One factor alone is not enough
///    because it is often incidental — "obese" is usually just the BMI
///    category.
///
/// `details` lists what was found for each (`bmi`, `blood_pressure`,
/// `risk_factors`), or `null`.
#[derive(Debug, Clone, Copy, Default)]
pub struct ContainsClinicalMetrics;

impl ContainsClinicalMetrics {
    /// The scorer's name.
    pub const NAME: &'static str = "contains_clinical_metrics";
}

impl Scorer for ContainsClinicalMetrics {
    fn name(&self) -> &str {
        Self::NAME
    }

    fn score(&self, case: &ScoreInput) -> Score {
        if let Some(empty) = score_empty(&case.output, RUBRIC) {
            return empty;
        }
        let text = Text::new(&case.output);
        let bmi = bmi_value(&text);
        let bmi_without_value = bmi.is_none() && !text.terms_found(BMI_TERMS).is_empty();
        let blood_pressure = blood_pressure(&text);
        let risk_factors = risk_factors(&text);
        let found = [
            bmi.is_some(),
            !blood_pressure.is_null(),
            !risk_factors.is_null(),
        ];
        let value = found.iter().filter(|&&f| f).count() as f64 / 3.0;
        let details = json!({
            "bmi": bmi.map(|v| json!({"value": v})).unwrap_or(Value::Null),
            "bmi_mentioned_without_value": bmi_without_value,
            "blood_pressure": blood_pressure,
            "risk_factors": risk_factors,
        });
        Score::scored(round(value), with_rubric(details, RUBRIC))
    }
}

/// The first BMI value stated after a mention of BMI.
fn bmi_value(text: &Text) -> Option<String> {
    let numbers = text.numbers();
    BMI_TERMS
        .iter()
        .flat_map(|term| text.term_matches(term))
        .filter_map(|(_, end)| {
            numbers
                .iter()
                .find(|n| n.start >= end && n.start - end <= BMI_WINDOW && text.starts_token(n))
                .filter(|n| same_sentence(text.between(end, n.start)))
                // "12/05" after the mention is a date or a reading, not a BMI.
                .filter(|n| !text.after(n).starts_with('/'))
                .filter(|n| n.value().is_some_and(|v| (10.0..=90.0).contains(&v)))
                .map(|n| n.text.to_string())
        })
        .next()
}

/// Whether the text between a mention and a number stays within one
/// sentence ("BMI sometime. Appointment on 12" does not).
fn same_sentence(gap: &str) -> bool {
    !gap.contains(['!', '?', ';', '\n']) && !gap.contains(". ") && !gap.ends_with('.')
}

/// `{"reading": "150/95"}` and/or `{"categories": [...]}`, or `Null`.
fn blood_pressure(text: &Text) -> Value {
    let reading = bp_reading(text);
    let categories = text.terms_found(BP_CATEGORY_TERMS);
    if reading.is_none() && categories.is_empty() {
        return Value::Null;
    }
    let categories: Vec<&str> = categories
        .iter()
        .map(|term| term.trim_end_matches('*'))
        .collect();
    json!({"reading": reading, "categories": categories})
}

fn bp_reading(text: &Text) -> Option<String> {
    let numbers = text.numbers();
    numbers.windows(2).find_map(|pair| {
        let (systolic, diastolic) = (&pair[0], &pair[1]);
        let adjacent = text.after(systolic).starts_with('/') && diastolic.start == systolic.end + 1;
        let whole = |n: &crate::text::Number<'_>| {
            n.text
                .bytes()
                .all(|b| b.is_ascii_digit())
                .then(|| n.text.parse::<u32>().ok())
                .flatten()
        };
        let (s, d) = (whole(systolic)?, whole(diastolic)?);
        let plausible = (70..=250).contains(&s) && (40..=150).contains(&d) && s > d;
        // "150/95/2024" is a date-like run, not a reading.
        let trailing_slash = text.after(diastolic).starts_with('/');
        (adjacent && plausible && text.starts_token(systolic) && !trailing_slash)
            .then(|| format!("{s}/{d}"))
    })
}

/// `{"phrases": [...], "factors": [...]}` when the rubric's risk criterion is
/// met, else `Null`.
fn risk_factors(text: &Text) -> Value {
    let strip = |terms: Vec<&'static str>| -> Vec<&'static str> {
        terms.iter().map(|t| t.trim_end_matches('*')).collect()
    };
    let phrases = strip(text.terms_found(RISK_PHRASES));
    let factors: Vec<&str> = RISK_TERMS
        .iter()
        .filter(|(_, terms)| !text.terms_found(terms).is_empty())
        .map(|(factor, _)| *factor)
        .collect();
    if phrases.is_empty() && factors.len() < 2 {
        return Value::Null;
    }
    json!({"phrases": phrases, "factors": factors})
}
