//! Reading a clinician's question: age, sex, height, weight, blood pressure,
//! symptoms and named medications, pulled out of free text with patterns and
//! small lexicons. Nothing here guesses: a fact is either stated or absent.

use std::sync::LazyLock;

use regex::{Regex, RegexBuilder};

/// Patient sex as the metrics tool takes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Sex {
    Female,
    Male,
}

impl Sex {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Sex::Female => "female",
            Sex::Male => "male",
        }
    }
}

/// Height in the unit it was stated in.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Height {
    FeetInches { feet: f64, inches: f64 },
    Inches(f64),
    Cm(f64),
}

/// Weight in the unit it was stated in.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Weight {
    Lb(f64),
    Kg(f64),
}

/// Everything usable found in a question (and, for the body measurements,
/// in earlier questions it refers back to).
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Intake {
    pub(crate) age_years: Option<u32>,
    pub(crate) sex: Option<Sex>,
    pub(crate) height: Option<Height>,
    pub(crate) weight: Option<Weight>,
    /// Systolic, diastolic (mmHg).
    pub(crate) blood_pressure: Option<(u32, u32)>,
    /// Search terms for the knowledge base, in order, without duplicates.
    pub(crate) symptoms: Vec<String>,
    /// Generic names (brands mapped to generics), in order, without duplicates.
    pub(crate) medications: Vec<String>,
    /// The latest message itself stated a measurement or asked about one, so
    /// computing metrics answers it.
    pub(crate) wants_metrics: bool,
}

impl Intake {
    /// Read the latest question, carrying body measurements over from the
    /// earlier ones (oldest first in `earlier`) when it refers back to the
    /// same patient. What the latest question states always wins.
    pub(crate) fn from_questions(earlier: &[&str], latest: &str) -> Intake {
        let mut intake = Intake::parse(latest);
        let lower = latest.to_lowercase();
        let refers_back = REFERS_BACK.is_match(&lower) && !NEW_PATIENT.is_match(&lower);
        if refers_back {
            for text in earlier.iter().rev() {
                let before = Intake::parse(text);
                intake.age_years = intake.age_years.or(before.age_years);
                intake.sex = intake.sex.or(before.sex);
                intake.height = intake.height.or(before.height);
                intake.weight = intake.weight.or(before.weight);
                intake.blood_pressure = intake.blood_pressure.or(before.blood_pressure);
            }
        }
        intake
    }

    /// Read one message on its own.
    pub(crate) fn parse(text: &str) -> Intake {
        let lower = text.to_lowercase();
        let height = parse_height(&lower);
        let weight = parse_weight(&lower);
        let blood_pressure = parse_blood_pressure(&lower);
        let wants_metrics = height.is_some()
            || weight.is_some()
            || blood_pressure.is_some()
            || ASKS_METRICS.is_match(&lower);
        Intake {
            age_years: parse_age(text, &lower),
            sex: parse_sex(text, &lower),
            height,
            weight,
            blood_pressure,
            symptoms: parse_symptoms(&lower),
            medications: parse_medications(&lower),
            wants_metrics,
        }
    }
}

fn regex(pattern: &str) -> Regex {
    RegexBuilder::new(pattern)
        .case_insensitive(true)
        .build()
        .expect("built-in pattern is valid")
}

static REFERS_BACK: LazyLock<Regex> = LazyLock::new(|| {
    regex(r"\b(she|her|hers|he|him|his|they|them|their|this patient|the patient|same patient)\b")
});
static NEW_PATIENT: LazyLock<Regex> =
    LazyLock::new(|| regex(r"\b(new|another|different|next)\s+patient\b"));
static ASKS_METRICS: LazyLock<Regex> = LazyLock::new(|| {
    regex(r"\b(bmi|body mass|blood pressure|bp|metrics|bmr|body surface|ideal body weight)\b")
});

fn number(text: &str) -> Option<f64> {
    text.parse().ok()
}

fn parse_age(text: &str, lower: &str) -> Option<u32> {
    static YEARS_OLD: LazyLock<Regex> = LazyLock::new(|| {
        regex(
            r"\b(\d{1,3})\s*-?\s*(?:years?|yrs?|y)\s*-?\s*old\b|\b(\d{1,3})\s*(?:yo|y/o|y\.o)\b|\bage(?:d)?\s*(?:of\s*)?[:=]?\s*(\d{1,3})\b",
        )
    });
    // "45F" / "45 M" is the chart shorthand; only upper case, so "5 m" (a
    // height) is not read as an age.
    static CHART: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"\b(\d{1,3})\s?[MF]\b").expect("valid"));
    let from_words = YEARS_OLD.captures(lower).and_then(|caps| {
        caps.iter()
            .skip(1)
            .flatten()
            .next()
            .and_then(|m| m.as_str().parse().ok())
    });
    from_words
        .or_else(|| CHART.captures(text).and_then(|caps| caps[1].parse().ok()))
        .filter(|age| *age <= 120)
}

fn parse_sex(text: &str, lower: &str) -> Option<Sex> {
    static WORDS: LazyLock<Regex> = LazyLock::new(|| {
        regex(
            r"\b(?:(female|woman|women|lady|girl|mrs)|(male|man|men|gentleman|boy|mr))\b|\b(?:sex|gender)\s*[:=]?\s*(?:(f)|(m))\b",
        )
    });
    static CHART: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"\b\d{1,3}\s?(?:yo\s|y/o\s)?([MF])\b").expect("valid"));
    let from_words = WORDS.captures(lower).map(|caps| {
        if caps.get(1).is_some() || caps.get(3).is_some() {
            Sex::Female
        } else {
            Sex::Male
        }
    });
    from_words.or_else(|| {
        CHART.captures(text).map(|caps| match &caps[1] {
            "F" => Sex::Female,
            _ => Sex::Male,
        })
    })
}

fn parse_height(lower: &str) -> Option<Height> {
    // 5'4", 5' 4", 5 ft 4 in, 5 feet 4 inches, 5ft. The inch digits must be
    // followed by an inch unit or a word boundary, so "5' 180 lbs" does not
    // read 18 inches.
    static FEET: LazyLock<Regex> = LazyLock::new(|| {
        regex(
            r#"\b(\d)\s*(?:'|’|′|ft\b\.?|feet\b|foot\b)\s*(?:(\d{1,2}(?:\.\d+)?)(?:\s*(?:"|”|″|''|in\b\.?|inches\b|inch\b)|\b))?"#,
        )
    });
    static INCHES: LazyLock<Regex> =
        LazyLock::new(|| regex(r#"\b(\d{2,3}(?:\.\d+)?)\s*(?:"|”|″|in\b|inches\b|inch\b)"#));
    static CM: LazyLock<Regex> =
        LazyLock::new(|| regex(r"\b(\d{2,3}(?:\.\d+)?)\s*(?:cm|centimet(?:er|re)s?)\b"));
    static METRES: LazyLock<Regex> =
        LazyLock::new(|| regex(r"\b(\d\.\d{1,2})\s*(?:m|meters?|metres?)\b"));

    if let Some(caps) = FEET.captures(lower) {
        let feet = number(&caps[1])?;
        let inches = caps.get(2).and_then(|m| number(m.as_str())).unwrap_or(0.0);
        if (3.0..=8.0).contains(&feet) && inches < 12.0 {
            return Some(Height::FeetInches { feet, inches });
        }
    }
    if let Some(inches) = INCHES
        .captures_iter(lower)
        .filter_map(|caps| number(&caps[1]))
        .find(|inches| (36.0..=96.0).contains(inches))
    {
        return Some(Height::Inches(inches));
    }
    if let Some(cm) = CM
        .captures_iter(lower)
        .filter_map(|caps| number(&caps[1]))
        .find(|cm| (50.0..=250.0).contains(cm))
    {
        return Some(Height::Cm(cm));
    }
    METRES
        .captures_iter(lower)
        .filter_map(|caps| number(&caps[1]))
        .find(|m| (0.5..=2.5).contains(m))
        .map(|m| Height::Cm(m * 100.0))
}

fn parse_weight(lower: &str) -> Option<Weight> {
    static POUNDS: LazyLock<Regex> =
        LazyLock::new(|| regex(r"\b(\d{1,3}(?:\.\d+)?)\s*(?:lbs?|pounds?)\b"));
    static KILOGRAMS: LazyLock<Regex> =
        LazyLock::new(|| regex(r"\b(\d{1,3}(?:\.\d+)?)\s*(?:kgs?|kilos?|kilograms?)\b"));
    if let Some(lb) = POUNDS
        .captures_iter(lower)
        .filter_map(|caps| number(&caps[1]))
        .find(|lb| (2.0..=1000.0).contains(lb))
    {
        return Some(Weight::Lb(lb));
    }
    KILOGRAMS
        .captures_iter(lower)
        .filter_map(|caps| number(&caps[1]))
        .find(|kg| (1.0..=500.0).contains(kg))
        .map(Weight::Kg)
}

fn parse_blood_pressure(lower: &str) -> Option<(u32, u32)> {
    static BP: LazyLock<Regex> = LazyLock::new(|| regex(r"\b(\d{2,3})\s*/\s*(\d{2,3})\b"));
    BP.captures_iter(lower)
        .filter_map(|caps| Some((caps[1].parse().ok()?, caps[2].parse().ok()?)))
        .find(|&(systolic, diastolic): &(u32, u32)| {
            (60..=300).contains(&systolic)
                && (30..=200).contains(&diastolic)
                && systolic > diastolic
        })
}

/// Symptoms and conditions the knowledge base is likely to know, longest
/// first so "increased thirst" wins over "thirst".
const CLINICAL_TERMS: &[&str] = &[
    "shortness of breath",
    "polycystic ovary syndrome",
    "coronary artery disease",
    "chronic kidney disease",
    "urinary tract infection",
    "frequent urination",
    "urinary frequency",
    "daytime sleepiness",
    "frequent infections",
    "atrial fibrillation",
    "high blood pressure",
    "metabolic syndrome",
    "cold intolerance",
    "heat intolerance",
    "increased thirst",
    "excessive thirst",
    "increased hunger",
    "chest tightness",
    "lightheadedness",
    "abdominal pain",
    "type 2 diabetes",
    "type 1 diabetes",
    "high cholesterol",
    "hyperthyroidism",
    "hypothyroidism",
    "blurred vision",
    "blurry vision",
    "hyperlipidemia",
    "breathlessness",
    "depressed mood",
    "osteoarthritis",
    "heart failure",
    "palpitations",
    "constipation",
    "hypertension",
    "slow healing",
    "night sweats",
    "weight loss",
    "weight gain",
    "memory loss",
    "prediabetes",
    "sore throat",
    "muscle pain",
    "sleep apnea",
    "joint pain",
    "chest pain",
    "back pain",
    "polydipsia",
    "polyphagia",
    "tiredness",
    "hoarseness",
    "dizziness",
    "confusion",
    "heartburn",
    "hair loss",
    "diarrhea",
    "diarrhoea",
    "polyuria",
    "low mood",
    "headache",
    "insomnia",
    "lethargy",
    "weakness",
    "numbness",
    "tingling",
    "diabetes",
    "migraine",
    "wheezing",
    "vomiting",
    "dry skin",
    "swelling",
    "fatigue",
    "nocturia",
    "bloating",
    "syncope",
    "fainting",
    "itching",
    "snoring",
    "obesity",
    "anxiety",
    "dyspnea",
    "dyspnoea",
    "anaemia",
    "anemia",
    "nausea",
    "tremor",
    "asthma",
    "thirst",
    "oedema",
    "edema",
    "fever",
    "cough",
    "chills",
    "rash",
    "gout",
    "copd",
    "gerd",
    "pcos",
];

/// Words that carry no search meaning inside a symptom phrase.
const FILLER: &[&str] = &[
    "and",
    "or",
    "a",
    "an",
    "the",
    "of",
    "with",
    "some",
    "her",
    "his",
    "their",
    "also",
    "both",
    "as",
    "well",
    "plus",
    "any",
    "recent",
    "recently",
    "new",
    "other",
    "associated",
];

fn parse_symptoms(lower: &str) -> Vec<String> {
    // After these the clinician lists the presentation: take the words.
    static PRESENTATION: LazyLock<Regex> = LazyLock::new(|| {
        regex(
            r"\b(?:presenting with|presents with|presented with|complains of|complaining of|complaints of|symptoms of|symptoms include|symptoms are|c/o)\s+([^.?!;\n]+)",
        )
    });
    // A phrase ends where the time course or the question starts.
    static PHRASE_END: LazyLock<Regex> = LazyLock::new(|| {
        regex(
            r"\b(?:for|since|over|lasting|which|that|who|but|what|how|should|could|can|is|are|was|were|in the|x)\b|,\s*(?:what|and what|how)",
        )
    });
    let mut terms: Vec<String> = Vec::new();
    let push = |term: &str, terms: &mut Vec<String>| {
        let term = term.trim();
        if !term.is_empty() && !terms.iter().any(|t| t == term) {
            terms.push(term.to_string());
        }
    };
    for caps in PRESENTATION.captures_iter(lower) {
        let phrase = &caps[1];
        let phrase = match PHRASE_END.find(phrase) {
            Some(end) => &phrase[..end.start()],
            None => phrase,
        };
        let words = phrase
            .split(|c: char| !(c.is_alphanumeric() || c == '-'))
            .filter(|w| !w.is_empty() && !FILLER.contains(w))
            .filter(|w| !w.chars().all(|c| c.is_ascii_digit()))
            .take(12);
        for word in words {
            push(word, &mut terms);
        }
    }
    // Known terms anywhere in the message, unless the phrase already has
    // every word of them.
    let mut rest = lower.to_string();
    for term in CLINICAL_TERMS {
        if let Some(at) = find_word(&rest, term) {
            rest.replace_range(at..at + term.len(), &" ".repeat(term.len()));
            let covered = term.split(' ').all(|w| terms.iter().any(|t| t == w));
            if !covered {
                push(term, &mut terms);
            }
        }
    }
    terms
}

/// Byte offset of `needle` in `haystack` as whole words.
fn find_word(haystack: &str, needle: &str) -> Option<usize> {
    let bytes = haystack.as_bytes();
    let mut from = 0;
    while let Some(found) = haystack[from..].find(needle) {
        let at = from + found;
        let end = at + needle.len();
        let before_ok = at == 0 || !bytes[at - 1].is_ascii_alphanumeric();
        let after_ok = end == bytes.len() || !bytes[end].is_ascii_alphanumeric();
        if before_ok && after_ok {
            return Some(at);
        }
        from = at + 1;
    }
    None
}

/// Common medications: every name (generic or brand, lower case) and the
/// generic it means.
const MEDICATION_NAMES: &[(&str, &str)] = &[
    ("metformin", "metformin"),
    ("glucophage", "metformin"),
    ("lisinopril", "lisinopril"),
    ("zestril", "lisinopril"),
    ("prinivil", "lisinopril"),
    ("enalapril", "enalapril"),
    ("ramipril", "ramipril"),
    ("losartan", "losartan"),
    ("cozaar", "losartan"),
    ("valsartan", "valsartan"),
    ("diovan", "valsartan"),
    ("amlodipine", "amlodipine"),
    ("norvasc", "amlodipine"),
    ("hydrochlorothiazide", "hydrochlorothiazide"),
    ("hctz", "hydrochlorothiazide"),
    ("chlorthalidone", "chlorthalidone"),
    ("furosemide", "furosemide"),
    ("lasix", "furosemide"),
    ("spironolactone", "spironolactone"),
    ("metoprolol", "metoprolol"),
    ("lopressor", "metoprolol"),
    ("toprol", "metoprolol"),
    ("atenolol", "atenolol"),
    ("carvedilol", "carvedilol"),
    ("atorvastatin", "atorvastatin"),
    ("lipitor", "atorvastatin"),
    ("simvastatin", "simvastatin"),
    ("zocor", "simvastatin"),
    ("rosuvastatin", "rosuvastatin"),
    ("crestor", "rosuvastatin"),
    ("levothyroxine", "levothyroxine"),
    ("synthroid", "levothyroxine"),
    ("levoxyl", "levothyroxine"),
    ("warfarin", "warfarin"),
    ("coumadin", "warfarin"),
    ("apixaban", "apixaban"),
    ("eliquis", "apixaban"),
    ("rivaroxaban", "rivaroxaban"),
    ("xarelto", "rivaroxaban"),
    ("clopidogrel", "clopidogrel"),
    ("plavix", "clopidogrel"),
    ("aspirin", "aspirin"),
    ("ibuprofen", "ibuprofen"),
    ("advil", "ibuprofen"),
    ("motrin", "ibuprofen"),
    ("naproxen", "naproxen"),
    ("aleve", "naproxen"),
    ("acetaminophen", "acetaminophen"),
    ("paracetamol", "acetaminophen"),
    ("tylenol", "acetaminophen"),
    ("insulin", "insulin"),
    ("glipizide", "glipizide"),
    ("glimepiride", "glimepiride"),
    ("glyburide", "glyburide"),
    ("pioglitazone", "pioglitazone"),
    ("sitagliptin", "sitagliptin"),
    ("januvia", "sitagliptin"),
    ("empagliflozin", "empagliflozin"),
    ("jardiance", "empagliflozin"),
    ("dapagliflozin", "dapagliflozin"),
    ("farxiga", "dapagliflozin"),
    ("semaglutide", "semaglutide"),
    ("ozempic", "semaglutide"),
    ("wegovy", "semaglutide"),
    ("rybelsus", "semaglutide"),
    ("liraglutide", "liraglutide"),
    ("victoza", "liraglutide"),
    ("saxenda", "liraglutide"),
    ("tirzepatide", "tirzepatide"),
    ("mounjaro", "tirzepatide"),
    ("zepbound", "tirzepatide"),
    ("sertraline", "sertraline"),
    ("zoloft", "sertraline"),
    ("fluoxetine", "fluoxetine"),
    ("prozac", "fluoxetine"),
    ("escitalopram", "escitalopram"),
    ("lexapro", "escitalopram"),
    ("citalopram", "citalopram"),
    ("celexa", "citalopram"),
    ("bupropion", "bupropion"),
    ("wellbutrin", "bupropion"),
    ("trazodone", "trazodone"),
    ("gabapentin", "gabapentin"),
    ("neurontin", "gabapentin"),
    ("prednisone", "prednisone"),
    ("amoxicillin", "amoxicillin"),
    ("azithromycin", "azithromycin"),
    ("zithromax", "azithromycin"),
    ("doxycycline", "doxycycline"),
    ("ciprofloxacin", "ciprofloxacin"),
    ("cipro", "ciprofloxacin"),
    ("omeprazole", "omeprazole"),
    ("prilosec", "omeprazole"),
    ("pantoprazole", "pantoprazole"),
    ("protonix", "pantoprazole"),
    ("albuterol", "albuterol"),
    ("ventolin", "albuterol"),
    ("montelukast", "montelukast"),
    ("singulair", "montelukast"),
    ("allopurinol", "allopurinol"),
    ("colchicine", "colchicine"),
    ("digoxin", "digoxin"),
    ("diltiazem", "diltiazem"),
    ("verapamil", "verapamil"),
    ("clonidine", "clonidine"),
    ("hydralazine", "hydralazine"),
    ("tramadol", "tramadol"),
    ("methotrexate", "methotrexate"),
    ("alendronate", "alendronate"),
    ("tamsulosin", "tamsulosin"),
    ("sildenafil", "sildenafil"),
    ("orlistat", "orlistat"),
    ("phentermine", "phentermine"),
];

/// Name endings of whole drug classes, for generics not in the lexicon.
const DRUG_SUFFIXES: &[&str] = &[
    "formin",
    "gliflozin",
    "glutide",
    "gliptin",
    "pril",
    "sartan",
    "olol",
    "dipine",
    "statin",
    "prazole",
    "oxetine",
    "pram",
    "cycline",
    "floxacin",
    "cillin",
    "mycin",
];

fn parse_medications(lower: &str) -> Vec<String> {
    let mut found: Vec<String> = Vec::new();
    for word in lower.split(|c: char| !c.is_ascii_alphanumeric()) {
        let generic = MEDICATION_NAMES
            .iter()
            .find(|(name, _)| *name == word)
            .map(|(_, generic)| generic.to_string())
            .or_else(|| {
                // "statin" or "april" alone is not a drug: a real name has
                // a stem before the class ending.
                DRUG_SUFFIXES
                    .iter()
                    .any(|suffix| word.ends_with(suffix) && word.len() >= suffix.len() + 3)
                    .then(|| word.to_string())
            });
        if let Some(generic) = generic {
            if !found.contains(&generic) {
                found.push(generic);
            }
        }
    }
    found.truncate(10);
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    const SEED: &str = "I have a 45-year-old female patient, 5'4\" tall, 180 lbs, presenting with fatigue and increased thirst. What conditions should I evaluate for, and what are the treatment options?";

    #[test]
    fn seed_question() {
        let intake = Intake::parse(SEED);
        assert_eq!(intake.age_years, Some(45));
        assert_eq!(intake.sex, Some(Sex::Female));
        assert_eq!(
            intake.height,
            Some(Height::FeetInches {
                feet: 5.0,
                inches: 4.0
            })
        );
        assert_eq!(intake.weight, Some(Weight::Lb(180.0)));
        assert_eq!(intake.blood_pressure, None);
        assert_eq!(intake.symptoms, ["fatigue", "increased", "thirst"]);
        assert!(intake.medications.is_empty());
    }

    #[test]
    fn age_forms() {
        for (text, age) in [
            ("a 45-year-old woman", 45),
            ("45 year old man", 45),
            ("she is 45 years old", 45),
            ("45 yo F", 45),
            ("45yo", 45),
            ("62 y/o male", 62),
            ("age 45", 45),
            ("Age: 45", 45),
            ("aged 45", 45),
            ("45F with cough", 45),
            ("70 M", 70),
        ] {
            assert_eq!(Intake::parse(text).age_years, Some(age), "{text}");
        }
        assert_eq!(Intake::parse("a 300-year-old tree").age_years, None);
    }

    #[test]
    fn sex_forms() {
        for text in [
            "female",
            "a woman",
            "elderly lady",
            "45F",
            "45 yo F",
            "sex: f",
            "Mrs Smith",
        ] {
            assert_eq!(Intake::parse(text).sex, Some(Sex::Female), "{text}");
        }
        for text in ["male", "a man", "gentleman", "52 M", "gender M", "Mr Jones"] {
            assert_eq!(Intake::parse(text).sex, Some(Sex::Male), "{text}");
        }
        assert_eq!(Intake::parse("manage the humane patient").sex, None);
    }

    #[test]
    fn height_forms() {
        let fi = |feet, inches| Some(Height::FeetInches { feet, inches });
        for (text, height) in [
            ("5'4\"", fi(5.0, 4.0)),
            ("5' 4\"", fi(5.0, 4.0)),
            ("5'4", fi(5.0, 4.0)),
            ("5 ft 4 in", fi(5.0, 4.0)),
            ("5ft 4in", fi(5.0, 4.0)),
            ("5 feet 4 inches", fi(5.0, 4.0)),
            ("6 feet tall", fi(6.0, 0.0)),
            ("5' 180 lbs", fi(5.0, 0.0)),
            ("64 in", Some(Height::Inches(64.0))),
            ("64 inches tall", Some(Height::Inches(64.0))),
            ("163 cm", Some(Height::Cm(163.0))),
            ("163cm", Some(Height::Cm(163.0))),
        ] {
            assert_eq!(Intake::parse(text).height, height, "{text}");
        }
        let Some(Height::Cm(cm)) = Intake::parse("1.63 m tall").height else {
            panic!("metres not read");
        };
        assert!((cm - 163.0).abs() < 1e-9);
        assert_eq!(Intake::parse("pain in 2 places").height, None);
    }

    #[test]
    fn weight_forms() {
        for (text, weight) in [
            ("180 lbs", Weight::Lb(180.0)),
            ("180lb", Weight::Lb(180.0)),
            ("180 pounds", Weight::Lb(180.0)),
            ("82 kg", Weight::Kg(82.0)),
            ("82.5kg", Weight::Kg(82.5)),
            ("82 kilograms", Weight::Kg(82.0)),
        ] {
            assert_eq!(Intake::parse(text).weight, Some(weight), "{text}");
        }
    }

    #[test]
    fn blood_pressure_forms() {
        assert_eq!(
            Intake::parse("BP 150/95 mmHg").blood_pressure,
            Some((150, 95))
        );
        assert_eq!(
            Intake::parse("pressure 150 / 95").blood_pressure,
            Some((150, 95))
        );
        assert_eq!(Intake::parse("seen on 3/4").blood_pressure, None);
        assert!(Intake::parse("what is her blood pressure category").wants_metrics);
    }

    #[test]
    fn symptom_phrases_and_terms() {
        assert_eq!(
            Intake::parse("complains of headaches for 3 weeks").symptoms,
            ["headaches"]
        );
        assert_eq!(
            Intake::parse("He has chest pain and shortness of breath on exertion").symptoms,
            ["shortness of breath", "chest pain"]
        );
        assert_eq!(
            Intake::parse("treatment options for type 2 diabetes?").symptoms,
            ["type 2 diabetes"]
        );
        assert!(Intake::parse("hello there").symptoms.is_empty());
    }

    #[test]
    fn medications_by_name_brand_and_class_ending() {
        assert_eq!(
            Intake::parse("She takes Glucophage and LISINOPRIL; would dapagliflozin help?")
                .medications,
            ["metformin", "lisinopril", "dapagliflozin"]
        );
        assert_eq!(
            Intake::parse("Start a statin in April?").medications,
            Vec::<String>::new()
        );
    }

    #[test]
    fn follow_up_carries_body_measurements_when_it_refers_back() {
        let intake = Intake::from_questions(&[SEED], "Her BP is 150/95. What does that change?");
        assert_eq!(intake.blood_pressure, Some((150, 95)));
        assert_eq!(intake.weight, Some(Weight::Lb(180.0)));
        assert_eq!(intake.age_years, Some(45));
        assert!(intake.symptoms.is_empty(), "symptoms are not carried");

        let latest_wins = Intake::from_questions(&[SEED], "She now weighs 170 lbs");
        assert_eq!(latest_wins.weight, Some(Weight::Lb(170.0)));

        let new_patient = Intake::from_questions(&[SEED], "Another patient: BP 150/95, his risk?");
        assert_eq!(new_patient.weight, None);
    }
}
