//! Each built-in scorer on hand-written responses that should score high and
//! low, the length boundaries, and the [0, 1] guarantee on odd inputs.

use serde_json::Value;

use super::*;
use crate::{Score, ScoreInput};

/// A realistic structured answer in the shape the system prompt asks for.
const GOOD_ANSWER: &str = "\
**Assessment**
- BMI 30.9 kg/m² — obese, obesity class I (height 170 cm, weight 89.3 kg).
- Blood pressure 150/95 mmHg — stage 2 hypertension.
- Risk factors: family history of type 2 diabetes, sedentary lifestyle and central obesity.
- Fatigue and thirst with these metrics make type 2 diabetes the condition to evaluate first; \
confirm with a fasting glucose or HbA1c of 6.5% or higher.

**Recommendations**
- Metformin 500 mg twice daily with meals; titrate by 500 mg weekly to 1000 mg twice daily as tolerated.
  - Contraindications: eGFR below 30 mL/min; hold before iodinated contrast.
  - Common adverse effects: nausea, diarrhoea; rarely lactic acidosis.
- Lisinopril 10 mg once daily for blood pressure; watch for cough and angioedema.
- If cardiovascular disease is present, semaglutide or empagliflozin are options.
- Lifestyle: 150 minutes of moderate physical activity a week, a calorie-reduced diet, \
and weight loss of 5-10%.

**Follow-up**
- Monitor HbA1c every 3 months until at target, then every 6 months.
- Check eGFR and potassium 1-2 weeks after starting lisinopril, then yearly; vitamin B12 yearly on metformin.
- Recheck blood pressure in 4 weeks.

Decision support only; not a substitute for clinical judgement.";

/// The offline model's answer for the same case, abridged.
const OFFLINE_ANSWER: &str = "\
model: offline (deterministic planner, no LLM)

**Assessment**
- BMI 30.9 kg/m² — Obese, obesity class I (height 170 cm, weight 89.3 kg).
- Blood pressure 150/95 mmHg — Stage 2 hypertension.
- Conditions to evaluate for \"fatigue thirst\" (top 1 of 3 matches):
  1. Type 2 diabetes mellitus (match score 0.82): Chronic hyperglycaemia.
     - Tests to order: HbA1c; fasting plasma glucose
     - Risk factors: obesity; family history; physical inactivity

**Recommendations**
- First-line treatment if Type 2 diabetes mellitus is confirmed: lifestyle modification; metformin.
- Metformin (biguanide; brands: Glucophage)
  - Adult dosing: 500 mg once or twice daily with meals, titrate to 2000 mg/day
  - Contraindications: eGFR < 30
  - Common adverse effects: diarrhoea; nausea

**Follow-up**
- Order to confirm or exclude Type 2 diabetes mellitus: HbA1c; fasting plasma glucose.
- Monitor on metformin: eGFR; vitamin B12.

Decision support generated offline from tool results only; not a substitute for clinical judgement.";

const ONE_LINER: &str = "See a doctor.";

const RANT: &str = "honestly who knows, everyone tells you something different and the \
internet is full of nonsense, just listen to your body and stop worrying so much about \
numbers because stressing about it is worse than anything else you could do";

fn score(scorer: &dyn Scorer, output: &str) -> (f64, Value) {
    match scorer.score(&ScoreInput::from_output(output)) {
        Score::Scored { value, details } => (value, details),
        Score::Skipped { reason } => panic!("{} skipped: {reason}", scorer.name()),
    }
}

fn words(n: usize) -> String {
    vec!["word"; n].join(" ")
}

#[test]
fn builtin_scorers_are_found_by_name() {
    let names: Vec<String> = builtin_scorers()
        .iter()
        .map(|s| s.name().to_string())
        .collect();
    assert_eq!(names, BUILTIN_NAMES);
    for name in BUILTIN_NAMES {
        assert_eq!(scorer_by_name(name).unwrap().name(), name);
    }
    let named = scorer_by_name("length_score")
        .unwrap()
        .named_score(&ScoreInput::from_output(words(120)));
    assert_eq!(named.name, "length_score");
    assert_eq!(named.score.value(), Some(1.0));
    let err = scorer_by_name("llm_judgee").err().unwrap().to_string();
    assert!(err.contains("`llm_judgee`"), "{err}");
    assert!(err.contains("length_score"), "{err}");
}

#[test]
fn an_empty_response_scores_zero_with_a_reason() {
    for scorer in builtin_scorers() {
        for empty in ["", "  \n\t "] {
            let (value, details) = score(scorer.as_ref(), empty);
            assert_eq!(value, 0.0, "{}", scorer.name());
            assert_eq!(details["reason"], "empty response", "{}", scorer.name());
            assert!(details["rubric"].is_string());
        }
    }
}

#[test]
fn realistic_structured_answers_score_high_on_every_scorer() {
    for answer in [GOOD_ANSWER, OFFLINE_ANSWER] {
        for scorer in builtin_scorers() {
            let (value, details) = score(scorer.as_ref(), answer);
            assert!(value >= 0.95, "{} = {value}: {details:#}", scorer.name());
        }
    }
}

#[test]
fn length_is_best_between_100_and_500_words() {
    let cases = [
        (0_usize, 0.0),
        (1, 0.01),
        (50, 0.5),
        (99, 0.99),
        (100, 1.0),
        (300, 1.0),
        (500, 1.0),
        (501, 0.999),
        (1000, 0.5),
        (1500, 0.0),
        (4000, 0.0),
    ];
    for (n, expected) in cases {
        let text = if n == 0 {
            "— - **".to_string()
        } else {
            words(n)
        };
        let (value, details) = score(&LengthScore, &text);
        assert_eq!(value, expected, "{n} words");
        assert_eq!(details["words"], n);
    }
    assert_eq!(score(&LengthScore, ONE_LINER).0, 0.03);
}

#[test]
fn length_counts_words_not_markdown() {
    let (_, details) = score(&LengthScore, "**Assessment**\n- BMI 30.9\n\n* * *\n");
    assert_eq!(details["words"], 3);
}

#[test]
fn clinical_metrics_finds_bmi_blood_pressure_and_risk_factors() {
    let (value, details) = score(&ContainsClinicalMetrics, GOOD_ANSWER);
    assert_eq!(value, 1.0);
    assert_eq!(details["bmi"]["value"], "30.9");
    assert_eq!(details["blood_pressure"]["reading"], "150/95");
    assert!(details["risk_factors"]["phrases"]
        .as_array()
        .unwrap()
        .contains(&"risk factor".into()));
}

#[test]
fn clinical_metrics_gives_a_third_per_metric() {
    let only_bp = "Your reading of 142/91 suggests hypertension; see your GP.";
    let (value, details) = score(&ContainsClinicalMetrics, only_bp);
    assert_eq!(value, 0.3333, "{details:#}");
    assert!(details["bmi"].is_null() && details["risk_factors"].is_null());

    let category_only = "Body mass index of about 27 and high blood pressure.";
    assert_eq!(score(&ContainsClinicalMetrics, category_only).0, 0.6667);

    let two_factors = "He smokes? Being a smoker and obese raises the odds.";
    let (_, details) = score(&ContainsClinicalMetrics, two_factors);
    assert_eq!(
        details["risk_factors"]["factors"],
        serde_json::json!(["smoking", "excess weight"])
    );
}

#[test]
fn clinical_metrics_scores_low_without_numbers_or_risks() {
    assert_eq!(score(&ContainsClinicalMetrics, ONE_LINER).0, 0.0);
    assert_eq!(score(&ContainsClinicalMetrics, RANT).0, 0.0);
    // A bare mention of BMI, a date, and a single incidental risk term.
    let vague = "Check your BMI sometime. Appointment on 12/05. You seem overweight.";
    let (value, details) = score(&ContainsClinicalMetrics, vague);
    assert_eq!(value, 0.0, "{details:#}");
    assert_eq!(details["bmi_mentioned_without_value"], true);
}

#[test]
fn medications_rewards_depth_not_just_a_name() {
    let (value, details) = score(&MentionsMedications, GOOD_ANSWER);
    assert_eq!(value, 1.0, "{details:#}");
    let drugs = details["drugs"].as_array().unwrap();
    for drug in ["metformin", "lisinopril", "semaglutide", "empagliflozin"] {
        assert!(drugs.contains(&drug.into()), "{drug} in {details:#}");
    }
    assert!(details["doses"]
        .as_array()
        .unwrap()
        .contains(&"500 mg".into()));

    let name_only = "Metformin is an option.";
    assert_eq!(score(&MentionsMedications, name_only).0, 0.3);
    let name_and_dose = "Start metformin 500mg.";
    assert_eq!(score(&MentionsMedications, name_and_dose).0, 0.5);
    let class_only = "A statin might help.";
    assert_eq!(score(&MentionsMedications, class_only).0, 0.15);
}

#[test]
fn medications_recognises_drug_name_endings_but_not_april() {
    let (_, details) = score(&MentionsMedications, "Olmesartan and nebivolol from April.");
    assert_eq!(
        details["drugs"],
        serde_json::json!(["olmesartan", "nebivolol"])
    );
}

#[test]
fn medications_scores_low_without_treatment_talk() {
    assert_eq!(score(&MentionsMedications, ONE_LINER).0, 0.0);
    assert_eq!(score(&MentionsMedications, RANT).0, 0.0);
    // HbA1c's digits and a BMI number are not doses.
    let (_, details) = score(&MentionsMedications, "HbA1c 7.2%, BMI 30.9 kg/m².");
    assert_eq!(details["doses"], serde_json::json!([]));
}

#[test]
fn structure_wants_all_three_sections_in_order() {
    let (value, details) = score(&FollowsMedicalStructure, GOOD_ANSWER);
    assert_eq!(value, 1.0);
    assert_eq!(details["in_order"], true);

    let headings = "## Assessment\nfine\n\n### Plan\nrest\n\nFOLLOW UP: in 3 months";
    assert_eq!(score(&FollowsMedicalStructure, headings).0, 1.0);

    let numbered = "1. **Assessment:** ok\n2. **Recommendations:** x\n3. **Follow-up:** y";
    assert_eq!(score(&FollowsMedicalStructure, numbered).0, 1.0);
}

#[test]
fn structure_gives_partial_credit_for_wrong_order_or_missing_sections() {
    let reversed = "**Follow-up**\nsoon\n**Recommendations**\nrest\n**Assessment**\nok";
    let (value, details) = score(&FollowsMedicalStructure, reversed);
    assert_eq!(value, 0.5);
    assert_eq!(details["in_order"], false);
    assert_eq!(
        details["order_found"],
        serde_json::json!(["follow_up", "recommendations", "assessment"])
    );

    let swapped = "**Assessment**\nok\n**Follow-up**\nsoon\n**Recommendations**\nrest";
    assert_eq!(score(&FollowsMedicalStructure, swapped).0, 0.8333);

    let two = "**Assessment**\nok\n**Recommendations**\nrest";
    assert_eq!(score(&FollowsMedicalStructure, two).0, 0.5);

    let one = "Assessment:\nlooks fine";
    assert_eq!(score(&FollowsMedicalStructure, one).0, 0.1667);
}

#[test]
fn structure_scores_low_for_prose() {
    assert_eq!(score(&FollowsMedicalStructure, ONE_LINER).0, 0.0);
    assert_eq!(score(&FollowsMedicalStructure, RANT).0, 0.0);
    let prose = "Assessment of your risk is hard.\nMy recommendations are vague.\nFollow up later.";
    assert_eq!(score(&FollowsMedicalStructure, prose).0, 0.0);
}

#[test]
fn every_score_stays_in_the_unit_interval_on_odd_inputs() {
    let long = words(20_000);
    let repeated = GOOD_ANSWER.repeat(50);
    let odd = [
        "\u{0}",
        "🙂🙂🙂",
        "İSTANBUL BMI İ 30/20 ﬁ",
        "BMI",
        "BMI 9999999999999999999999999999999.5",
        "120/80/2024 1/1 999/999 0/0",
        "**",
        "****\n##\n#\n- \n1.",
        "mg mg 5mg mg5 5 mg5",
        "ASSESSMENT\r\nRECOMMENDATIONS\r\nFOLLOW-UP\r\n",
        "\u{202e}Assessment\u{202c}",
        "Ｂ Ｍ Ｉ ３０",
        "١٢٠/٨٠ ضغط الدم",
        "血压 150/95，BMI 30.9",
        long.as_str(),
        repeated.as_str(),
    ];
    for text in odd {
        for scorer in builtin_scorers() {
            let case = ScoreInput::from_output(text);
            let value = scorer.score(&case).value().unwrap();
            assert!(
                (0.0..=1.0).contains(&value),
                "{} gave {value}",
                scorer.name()
            );
        }
    }
}
