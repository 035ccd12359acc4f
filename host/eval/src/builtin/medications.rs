//! `mentions_medications`: how deeply does the response discuss medication
//! and treatment — not just naming a drug, but how to take it, what to watch
//! and what else to do?

use serde_json::json;

use super::{round, score_empty, with_rubric};
use crate::text::{starts_with_unit, Text};
use crate::{Score, ScoreInput, Scorer};

const RUBRIC: &str = "weighted sum capped at 1, case-insensitive: drug named 0.30 (a generic \
    from the lexicon or a word with a drug-name suffix such as -pril, -sartan, -olol, -statin, \
    -gliflozin, -glutide; a drug class alone earns 0.15); dose 0.20 (a number followed by mg, \
    mcg, µg, g/day, units or IU); frequency or titration 0.15; monitoring 0.15; \
    contraindications or adverse effects 0.15; lifestyle or other non-drug treatment 0.15";

const DRUG_WEIGHT: f64 = 0.30;
const CLASS_ONLY_WEIGHT: f64 = 0.15;
const DOSE_WEIGHT: f64 = 0.20;
const ASPECT_WEIGHT: f64 = 0.15;

/// Common generics, matched as whole words.
const GENERICS: &[&str] = &[
    "metformin",
    "insulin",
    "glipizide",
    "glimepiride",
    "gliclazide",
    "glyburide",
    "pioglitazone",
    "sitagliptin",
    "linagliptin",
    "empagliflozin",
    "dapagliflozin",
    "canagliflozin",
    "semaglutide",
    "liraglutide",
    "dulaglutide",
    "tirzepatide",
    "lisinopril",
    "enalapril",
    "ramipril",
    "losartan",
    "valsartan",
    "irbesartan",
    "amlodipine",
    "nifedipine",
    "diltiazem",
    "verapamil",
    "hydrochlorothiazide",
    "chlorthalidone",
    "indapamide",
    "furosemide",
    "spironolactone",
    "metoprolol",
    "atenolol",
    "bisoprolol",
    "carvedilol",
    "atorvastatin",
    "rosuvastatin",
    "simvastatin",
    "pravastatin",
    "ezetimibe",
    "aspirin",
    "clopidogrel",
    "warfarin",
    "apixaban",
    "rivaroxaban",
    "dabigatran",
    "heparin",
    "levothyroxine",
    "orlistat",
    "phentermine",
    "ibuprofen",
    "naproxen",
    "acetaminophen",
    "paracetamol",
    "omeprazole",
    "pantoprazole",
    "amoxicillin",
    "azithromycin",
    "doxycycline",
    "prednisone",
    "sertraline",
    "fluoxetine",
    "gabapentin",
    "albuterol",
    "salbutamol",
];

/// Endings of generic names by class (`-pril` ACE inhibitors, `-sartan`
/// ARBs, …). A word needs at least three letters before the ending, which
/// keeps "April" out.
const DRUG_SUFFIXES: &[&str] = &[
    "pril",
    "sartan",
    "olol",
    "statin",
    "dipine",
    "gliflozin",
    "gliptin",
    "glutide",
    "formin",
    "thiazide",
    "prazole",
    "cillin",
    "mycin",
    "floxacin",
    "cycline",
    "xaban",
    "parin",
    "triptan",
    "oxetine",
];

const DRUG_CLASSES: &[&str] = &[
    "statin",
    "statins",
    "ace inhibitor*",
    "ace-inhibitor*",
    "arb",
    "arbs",
    "angiotensin receptor blocker*",
    "beta blocker*",
    "beta-blocker*",
    "calcium channel blocker*",
    "diuretic*",
    "sglt2*",
    "sglt-2*",
    "glp-1*",
    "glp1*",
    "dpp-4*",
    "sulfonylurea*",
    "anticoagulant*",
    "antihypertensive*",
    "antibiotic*",
    "nsaid*",
];

const DOSE_UNITS: &[&str] = &[
    "mg", "mcg", "µg", "μg", "g/day", "units", "unit", "iu", "mg/day", "mg/d",
];

const FREQUENCY_TERMS: &[&str] = &[
    "once daily",
    "twice daily",
    "three times daily",
    "daily",
    "once a day",
    "twice a day",
    "times a day",
    "per day",
    "bid",
    "tid",
    "qd",
    "qhs",
    "at bedtime",
    "weekly",
    "once weekly",
    "every morning",
    "every evening",
    "with meals",
    "with food",
    "titrat*",
    "up-titrat*",
    "uptitrat*",
    "increase to",
    "increase the dose",
    "dose escalation",
    "escalat*",
    "taper*",
];

const MONITORING_TERMS: &[&str] = &[
    "monitor*",
    "hba1c",
    "a1c",
    "egfr",
    "kidney function",
    "renal function",
    "liver function",
    "lfts",
    "lipid panel",
    "lipid profile",
    "potassium",
    "creatinine",
    "electrolytes",
    "blood glucose",
    "b12",
    "inr",
    "recheck*",
    "re-check*",
];

const SAFETY_TERMS: &[&str] = &[
    "contraindicat*",
    "adverse",
    "side effect*",
    "side-effect*",
    "interaction*",
    "caution*",
    "avoid*",
    "hypoglyc*",
    "lactic acidosis",
    "angioedema",
    "hyperkal*",
    "myopathy",
    "myalgia*",
    "nausea",
    "diarrh*",
    "gastrointestinal",
    "pancreatitis",
    "bleeding",
    "warning*",
];

const LIFESTYLE_TERMS: &[&str] = &[
    "lifestyle",
    "diet*",
    "exercise*",
    "physical activity",
    "aerobic",
    "weight loss",
    "lose weight",
    "weight reduction",
    "nutrition*",
    "calorie*",
    "smoking cessation",
    "stop smoking",
    "quit smoking",
    "sodium",
    "salt intake",
    "limit alcohol",
    "sleep",
    "mediterranean",
    "dash",
    "physiotherapy",
    "counselling",
    "counseling",
];

/// Scores the depth of medication and treatment discussion as a weighted
/// sum of what the response covers, capped at 1 (matching is
/// case-insensitive):
///
/// | component | weight | counts when the response has |
/// |---|---|---|
/// | drug | 0.30 | a generic from the lexicon (metformin, lisinopril, atorvastatin, semaglutide, empagliflozin, …) or a word with a drug-name ending (-pril, -sartan, -olol, -statin, -dipine, -gliflozin, -gliptin, -glutide, …); a drug class alone ("a statin", "an SGLT2 inhibitor") earns 0.15 |
/// | dose | 0.20 | a number followed by mg, mcg, µg, g/day, units or IU (`500 mg`, `10mg`) |
/// | frequency / titration | 0.15 | once/twice daily, BID, at bedtime, weekly, titrate, increase to, … |
/// | monitoring | 0.15 | monitor, HbA1c, eGFR, renal/liver function, lipid panel, potassium, recheck, … |
/// | safety | 0.15 | contraindications, adverse/side effects, interactions, caution, hypoglycaemia, lactic acidosis, … |
/// | non-drug treatment | 0.15 | lifestyle, diet, exercise, physical activity, weight loss, smoking cessation, sodium, sleep, … |
///
/// The weights add up to 1.10, so a thorough answer can leave out one of the
/// 0.15 components (say, no lifestyle advice for an antibiotic) and still
/// score 0.95. `details` lists what was found for each component.
#[derive(Debug, Clone, Copy, Default)]
pub struct MentionsMedications;

impl MentionsMedications {
    /// The scorer's name.
    pub const NAME: &'static str = "mentions_medications";
}

impl Scorer for MentionsMedications {
    fn name(&self) -> &str {
        Self::NAME
    }

    fn score(&self, case: &ScoreInput) -> Score {
        if let Some(empty) = score_empty(&case.output, RUBRIC) {
            return empty;
        }
        let text = Text::new(&case.output);
        let drugs = drugs_named(&text);
        let classes = stripped(text.terms_found(DRUG_CLASSES));
        let doses = doses(&text);
        let frequency = stripped(text.terms_found(FREQUENCY_TERMS));
        let monitoring = stripped(text.terms_found(MONITORING_TERMS));
        let safety = stripped(text.terms_found(SAFETY_TERMS));
        let lifestyle = stripped(text.terms_found(LIFESTYLE_TERMS));

        let drug_part = if !drugs.is_empty() {
            DRUG_WEIGHT
        } else if !classes.is_empty() {
            CLASS_ONLY_WEIGHT
        } else {
            0.0
        };
        let weighted = |found: bool, weight: f64| if found { weight } else { 0.0 };
        let value = drug_part
            + weighted(!doses.is_empty(), DOSE_WEIGHT)
            + [&frequency, &monitoring, &safety, &lifestyle]
                .iter()
                .map(|found| weighted(!found.is_empty(), ASPECT_WEIGHT))
                .sum::<f64>();
        let details = json!({
            "drugs": drugs,
            "drug_classes": classes,
            "doses": doses,
            "frequency": frequency,
            "monitoring": monitoring,
            "safety": safety,
            "lifestyle": lifestyle,
        });
        Score::scored(round(value.min(1.0)), with_rubric(details, RUBRIC))
    }
}

/// Distinct drug names, lexicon hits first, then suffix matches.
fn drugs_named(text: &Text) -> Vec<String> {
    let mut drugs: Vec<String> = text
        .terms_found(GENERICS)
        .into_iter()
        .map(String::from)
        .collect();
    for word in text.words() {
        let by_suffix = DRUG_SUFFIXES.iter().any(|suffix| {
            word.ends_with(suffix) && word.chars().count() >= suffix.chars().count() + 3
        });
        let lettered = word.chars().all(char::is_alphabetic);
        if by_suffix && lettered && !drugs.iter().any(|known| known == word) {
            drugs.push(word.to_string());
        }
    }
    drugs
}

/// Distinct doses as written, e.g. `500 mg`.
fn doses(text: &Text) -> Vec<String> {
    // Longest unit first, so "mg/day" wins over "mg".
    let mut units: Vec<&str> = DOSE_UNITS.to_vec();
    units.sort_by_key(|unit| std::cmp::Reverse(unit.len()));
    let mut doses: Vec<String> = Vec::new();
    for number in text.numbers() {
        if !text.starts_token(&number) {
            continue;
        }
        let rest = text.after(&number);
        if let Some(unit) = units.iter().find(|unit| starts_with_unit(rest, unit)) {
            let dose = format!("{} {unit}", number.text);
            if !doses.contains(&dose) {
                doses.push(dose);
            }
        }
    }
    doses
}

fn stripped(terms: Vec<&'static str>) -> Vec<&'static str> {
    terms
        .into_iter()
        .map(|term| term.trim_end_matches('*'))
        .collect()
}
