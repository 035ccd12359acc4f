//! The clinical synonym map: lay words and phrases a user may type, and the
//! clinical terms the knowledge base uses for them. It expands the QUERY
//! only; the index holds the data's own words. A phrase matches when its
//! terms (tokenized like everything else, so stop words drop out and
//! `urinating` matches `urinate`) appear consecutively in the query; the
//! original words stay in the query and the clinical terms are added.
//!
//! Keep one concept per row. A phrase must keep at least one term after
//! stop-word removal (a test checks), and should not reduce to a single
//! common word: "out of breath" would become just `breath`.

/// `(phrases the user may type, terms added to the query)`.
#[rustfmt::skip]
pub(crate) const SYNONYMS: &[(&[&str], &[&str])] = &[
    // Diabetes: the classic triad and the lay words for high glucose.
    (&["thirst", "thirsty", "always drinking water"],                &["polydipsia", "thirst"]),
    (&["urination", "urinating", "urinate", "peeing", "pee"],        &["polyuria", "urination"]),
    (&["hunger", "hungry", "always eating"],                         &["polyphagia"]),
    (&["high blood sugar", "high sugar", "high glucose",
       "elevated blood sugar", "sugar high"],                        &["hyperglycemia"]),
    (&["diabetic", "sugar diabetes"],                                &["diabetes"]),
    (&["a1c", "hemoglobin a1c", "glycated hemoglobin"],              &["hba1c"]),
    // Energy and sleep.
    (&["tired", "tiredness", "exhaustion", "exhausted", "weariness",
       "worn out", "lack of energy", "low energy"],                  &["fatigue"]),
    (&["sleepy", "drowsy", "drowsiness"],                            &["sleepiness"]),
    (&["trouble sleeping", "sleeplessness", "sleepless"],            &["insomnia"]),
    // Breathing.
    (&["short of breath", "shortness of breath", "breathless",
       "breathlessness", "hard to breathe", "difficulty breathing"], &["dyspnea"]),
    (&["wheeze", "wheezy"],                                          &["wheezing"]),
    (&["coughing", "coughs"],                                        &["cough"]),
    (&["phlegm", "mucus"],                                           &["sputum"]),
    // Heart and circulation.
    (&["high blood pressure", "raised blood pressure",
       "elevated blood pressure"],                                   &["hypertension"]),
    (&["chest pain", "chest pressure"],                              &["angina"]),
    (&["palpitations", "heart racing", "racing heart",
       "pounding heart", "fluttering heart", "skipped beats"],       &["arrhythmia"]),
    (&["swollen ankles", "swollen legs", "swollen feet",
       "ankle swelling", "leg swelling", "fluid retention"],         &["edema"]),
    (&["heart attack"],                                              &["myocardial infarction"]),
    (&["blood clot", "clot"],                                        &["thrombosis"]),
    (&["long flight", "long drive", "long journey", "long trip"],    &["long-distance travel"]),
    (&["high cholesterol", "cholesterol"],                           &["hyperlipidemia"]),
    (&["fainting", "fainted", "passing out", "passed out"],          &["syncope"]),
    (&["dizzy", "lightheaded", "light headed"],                      &["dizziness"]),
    // Digestion.
    (&["heartburn", "acid indigestion", "acid reflux"],              &["reflux"]),
    (&["stomach pain", "belly pain", "tummy ache", "stomach ache"],  &["abdominal pain"]),
    (&["throwing up", "vomit", "puking"],                            &["vomiting"]),
    (&["yellow skin", "yellow eyes", "yellowing"],                   &["jaundice"]),
    // Urinary.
    (&["burning urination", "painful urination", "burning when urinating",
       "burns when i pee", "pain when peeing"],                      &["dysuria"]),
    (&["peeing at night", "urinating at night", "night urination"],  &["nocturia"]),
    (&["bladder infection", "uti"],                                  &["urinary tract infection", "cystitis"]),
    // Weight and metabolism.
    (&["gaining weight", "put on weight", "putting on weight",
       "weight increase"],                                           &["weight gain"]),
    (&["losing weight", "weight decrease"],                          &["weight loss"]),
    (&["underactive thyroid", "low thyroid", "slow thyroid"],        &["hypothyroidism"]),
    (&["overactive thyroid"],                                        &["hyperthyroidism"]),
    (&["always cold", "feeling cold", "sensitive to cold"],          &["cold intolerance"]),
    (&["always hot", "sensitive to heat"],                           &["heat intolerance"]),
    // Pain, joints and skin.
    (&["big toe"],                                                   &["podagra", "metatarsophalangeal"]),
    (&["joint pain", "sore joints", "aching joints"],                &["arthralgia"]),
    (&["muscle aches", "body aches", "aching muscles", "muscle pain"], &["myalgias"]),
    (&["itchy", "itch", "itchiness"],                                &["itching", "pruritus"]),
    (&["hair loss", "losing hair", "bald"],                          &["alopecia"]),
    (&["pins and needles", "tingling"],                              &["paresthesias"]),
    // Infection.
    (&["fever", "feverish", "high temperature", "temperature"],      &["fever", "pyrexia"]),
    (&["sore throat", "throat pain"],                                &["pharyngitis"]),
    (&["runny nose"],                                                &["rhinorrhea"]),
    (&["stuffy nose", "blocked nose", "stuffed up"],                 &["nasal congestion"]),
    (&["flu"],                                                       &["influenza"]),
    (&["covid", "coronavirus", "sars cov 2"],                        &["covid-19"]),
    // Mood.
    (&["sad", "low mood", "feeling down", "hopeless"],               &["depressed mood"]),
    (&["worry", "worried", "worrying", "nervous", "anxious"],        &["anxiety"]),
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tokenize::tokens;

    #[test]
    fn every_phrase_and_term_survives_tokenization() {
        for (phrases, terms) in SYNONYMS {
            for text in phrases.iter().chain(terms.iter()) {
                assert!(!tokens(text).is_empty(), "`{text}` tokenizes to nothing");
            }
        }
    }

    #[test]
    fn added_terms_mostly_exist_in_the_knowledge_base() {
        // A row whose clinical terms match nothing only adds noise. A few are
        // deliberately absent from the data (e.g. `pyrexia`): they are kept so
        // that data written with the clinical word is found from the lay one.
        let missing: Vec<&str> = SYNONYMS
            .iter()
            .flat_map(|(_, terms)| terms.iter().copied())
            .filter(|term| {
                tokens(term)
                    .iter()
                    .all(|t| crate::index::lookup(t).is_none())
            })
            .collect();
        assert!(
            missing.len() <= 4,
            "clinical terms found in no condition: {missing:?}"
        );
    }
}
