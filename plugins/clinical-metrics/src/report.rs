//! Applies the formulas to a validated [`Request`] and shapes the tool's
//! output. Every output key is always present: a metric that cannot be
//! computed from the input is `null`, and `notes` says why, so the model sees
//! one stable shape whatever it sent.

use serde::Serialize;
use serde_json::{json, Value};

use crate::metrics::{self, BmiCategory, BpCategory};
use crate::request::{Height, Request, Sex, Weight};

/// Age from which the adult formulas and categories apply.
const ADULT_AGE: u32 = 18;
/// Below this age the ACC/AHA thresholds do not apply; from 13 the AAP 2017
/// pediatric guideline uses the same thresholds as adults.
const ADULT_BP_THRESHOLDS_AGE: u32 = 13;

/// The tool's output.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    /// Body-mass index, one decimal.
    pub bmi: Option<f64>,
    /// Adult BMI category: "underweight", "normal", "overweight" or "obese".
    pub category: Option<&'static str>,
    /// WHO obesity class "I", "II" or "III", for obese adults only.
    pub obesity_class: Option<&'static str>,
    /// The score logged as `health_risk` for the BMI category.
    pub health_risk: Option<f64>,
    /// Height in centimetres, one decimal.
    pub height_cm: Option<f64>,
    /// Weight in kilograms, one decimal.
    pub weight_kg: Option<f64>,
    /// Basal metabolic rate (Mifflin-St Jeor), kcal/day.
    pub bmr_kcal_per_day: Option<i64>,
    /// Body surface area (Mosteller), m², two decimals.
    pub bsa_m2: Option<f64>,
    /// Ideal body weight (Devine), kg, one decimal.
    pub ideal_body_weight_kg: Option<f64>,
    /// The blood pressure reading and its category.
    pub blood_pressure: Option<BloodPressureReport>,
    /// Caveats and reasons for `null` values, for the model to pass on.
    pub notes: Vec<String>,
    /// Span metadata: units and formulas used. Not part of the output.
    #[serde(skip)]
    pub metadata: Value,
}

/// The blood pressure part of the output.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BloodPressureReport {
    /// Systolic pressure, mmHg.
    pub systolic: u32,
    /// Diastolic pressure, mmHg.
    pub diastolic: u32,
    /// ACC/AHA 2017 category; `null` under age 13.
    pub category: Option<&'static str>,
    /// Whether the reading is in the hypertensive-crisis range (>180 and/or >120).
    pub hypertensive_crisis: bool,
}

/// Computes every metric the request has the inputs for.
pub fn evaluate(request: &Request) -> Report {
    let mut report = Report {
        bmi: None,
        category: None,
        obesity_class: None,
        health_risk: None,
        height_cm: None,
        weight_kg: None,
        bmr_kcal_per_day: None,
        bsa_m2: None,
        ideal_body_weight_kg: None,
        blood_pressure: None,
        notes: Vec::new(),
        metadata: Value::Null,
    };
    let mut formulas: Vec<&str> = Vec::new();
    let mut units = None;
    let adult = request.age_years.is_none_or(|age| age >= ADULT_AGE);

    if let Some(body) = request.body {
        let (cm, kg) = (body.height.cm(), body.weight.kg());
        report.height_cm = Some(round(cm, 1));
        report.weight_kg = Some(round(kg, 1));

        // All-imperial input uses the imperial formula, so the BMI matches
        // what the user would get from a CDC chart or calculator.
        let bmi = match (body.height, body.weight) {
            (Height::Inches(inches), Weight::Lb(lb)) => {
                units = Some("imperial");
                formulas.push("BMI = 703 × lb / in²");
                metrics::bmi_imperial(lb, inches)
            }
            (Height::Cm(_), Weight::Kg(_)) => {
                units = Some("metric");
                formulas.push("BMI = kg / m²");
                metrics::bmi_metric(kg, cm)
            }
            _ => {
                units = Some("mixed (converted to metric)");
                formulas.push("BMI = kg / m²");
                metrics::bmi_metric(kg, cm)
            }
        };
        let bmi = round(bmi, 1);
        report.bmi = Some(bmi);

        report.bsa_m2 = Some(round(metrics::bsa_mosteller(cm, kg), 2));
        formulas.push("BSA: Mosteller √(cm × kg / 3600)");

        if adult {
            let category = BmiCategory::of(bmi);
            report.category = Some(category.name());
            report.obesity_class = category.obesity_class();
            report.health_risk = Some(category.health_risk());
            formulas.push("BMI categories: WHO/CDC adult");
            if request.age_years.is_none() {
                report.notes.push(
                    "`age_years` was not given: the adult BMI categories were applied; \
                     they do not apply to children."
                        .into(),
                );
            }
            match (request.sex, request.age_years) {
                (Some(sex), Some(age)) => {
                    let bmr = metrics::bmr_mifflin_st_jeor(kg, cm, age, sex == Sex::Male);
                    report.bmr_kcal_per_day = Some(bmr.round() as i64);
                    formulas.push("BMR: Mifflin-St Jeor");
                }
                (None, _) => report
                    .notes
                    .push("BMR and ideal body weight need `sex`; they were not calculated.".into()),
                (Some(_), None) => report
                    .notes
                    .push("BMR needs `age_years`; it was not calculated.".into()),
            }
            if let Some(sex) = request.sex {
                match metrics::ibw_devine(body.height.inches(), sex == Sex::Male) {
                    Some(ibw) => {
                        report.ideal_body_weight_kg = Some(round(ibw, 1));
                        formulas.push("IBW: Devine");
                    }
                    None => report.notes.push(
                        "Ideal body weight is not reported: the Devine formula is not \
                         validated for heights under 5 ft (152.4 cm)."
                            .into(),
                    ),
                }
            }
        } else {
            report.notes.push(
                "Adult BMI categories do not apply under age 18: interpret the BMI with the \
                 CDC BMI-for-age percentile charts. BMR (Mifflin-St Jeor) and ideal body \
                 weight (Devine) are adult formulas and were not calculated."
                    .into(),
            );
        }
    }

    if let Some(bp) = request.blood_pressure {
        let crisis = metrics::hypertensive_crisis(bp.systolic, bp.diastolic);
        let thresholds_apply = request
            .age_years
            .is_none_or(|age| age >= ADULT_BP_THRESHOLDS_AGE);
        let category = thresholds_apply.then(|| BpCategory::of(bp.systolic, bp.diastolic).name());
        if thresholds_apply {
            formulas.push("BP: ACC/AHA 2017");
            report.notes.push(
                "A blood pressure category should rest on the average of 2 or more readings \
                 taken on 2 or more occasions, not a single reading."
                    .into(),
            );
        } else {
            report.notes.push(
                "The ACC/AHA blood pressure categories do not apply under age 13: classify \
                 the reading with the AAP 2017 percentile tables for age, sex and height."
                    .into(),
            );
        }
        if crisis {
            report.notes.push(format!(
                "{}/{} mmHg is in the hypertensive crisis range (systolic > 180 and/or \
                 diastolic > 120): it needs prompt evaluation, and emergency care if there \
                 are symptoms such as chest pain, shortness of breath, weakness or vision or \
                 speech changes.",
                bp.systolic, bp.diastolic
            ));
        }
        report.blood_pressure = Some(BloodPressureReport {
            systolic: bp.systolic,
            diastolic: bp.diastolic,
            category,
            hypertensive_crisis: crisis,
        });
    }

    let mut metadata = json!({ "formulas": formulas });
    if let Some(units) = units {
        metadata["units"] = json!(units);
    }
    report.metadata = metadata;
    report
}

/// Rounds half away from zero to `decimals` places.
fn round(x: f64, decimals: i32) -> f64 {
    let scale = 10f64.powi(decimals);
    (x * scale).round() / scale
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(input: &str) -> Report {
        evaluate(&Request::parse(input).expect("valid input"))
    }

    #[test]
    fn five_foot_four_180_lb_is_obese_class_one() {
        let r = report(
            r#"{"height_feet": 5, "height_inches": 4, "weight_lb": 180,
                "age_years": 40, "sex": "female"}"#,
        );
        assert_eq!(r.bmi, Some(30.9));
        assert_eq!(r.category, Some("obese"));
        assert_eq!(r.obesity_class, Some("I"));
        assert_eq!(r.health_risk, Some(0.3));
        assert_eq!(r.height_cm, Some(162.6));
        assert_eq!(r.weight_kg, Some(81.6));
        assert_eq!(r.bsa_m2, Some(1.92));
        // 10 × 81.647 + 6.25 × 162.56 − 5 × 40 − 161 = 1471.5 → 1471.
        assert_eq!(r.bmr_kcal_per_day, Some(1471));
        assert_eq!(r.ideal_body_weight_kg, Some(54.7));
        assert_eq!(r.metadata["units"], "imperial");
        assert!(r.notes.is_empty(), "{:?}", r.notes);
    }

    #[test]
    fn total_inches_alone_give_the_same_bmi() {
        let r = report(r#"{"height_inches": 64, "weight_lb": 180}"#);
        assert_eq!(r.bmi, Some(30.9));
    }

    #[test]
    fn metric_path() {
        let r = report(r#"{"height_cm": 180, "weight_kg": 80, "age_years": 30, "sex": "male"}"#);
        // 80 / 1.8² = 24.69.
        assert_eq!(r.bmi, Some(24.7));
        assert_eq!(r.category, Some("normal"));
        assert_eq!(r.obesity_class, None);
        assert_eq!(r.health_risk, Some(1.0));
        assert_eq!(r.bmr_kcal_per_day, Some(1780));
        assert_eq!(r.bsa_m2, Some(2.0));
        // 180 cm = 70.87 in → 50 + 2.3 × 10.87 = 75.0 kg.
        assert_eq!(r.ideal_body_weight_kg, Some(75.0));
        assert_eq!(r.metadata["units"], "metric");
        assert_eq!(r.metadata["formulas"][0], "BMI = kg / m²");
    }

    #[test]
    fn mixed_units_are_converted_to_metric() {
        let r = report(r#"{"height_cm": 162.56, "weight_lb": 180}"#);
        assert_eq!(r.bmi, Some(30.9));
        assert_eq!(r.metadata["units"], "mixed (converted to metric)");
    }

    #[test]
    fn children_get_bmi_without_adult_categories() {
        let r = report(r#"{"height_cm": 140, "weight_kg": 40, "age_years": 10, "sex": "male"}"#);
        assert_eq!(r.bmi, Some(20.4));
        assert_eq!(r.category, None);
        assert_eq!(r.health_risk, None);
        assert_eq!(r.bmr_kcal_per_day, None);
        assert_eq!(r.ideal_body_weight_kg, None);
        assert!(
            r.notes.iter().any(|n| n.contains("BMI-for-age percentile")),
            "{:?}",
            r.notes
        );
    }

    #[test]
    fn missing_age_or_sex_leaves_their_metrics_null_with_a_note() {
        let r = report(r#"{"height_cm": 170, "weight_kg": 70}"#);
        assert_eq!(r.category, Some("normal"));
        assert_eq!(r.bmr_kcal_per_day, None);
        assert_eq!(r.ideal_body_weight_kg, None);
        assert!(r.notes.iter().any(|n| n.contains("need `sex`")));
        assert!(r
            .notes
            .iter()
            .any(|n| n.contains("`age_years` was not given")));

        let r = report(r#"{"height_cm": 170, "weight_kg": 70, "sex": "female"}"#);
        assert_eq!(r.bmr_kcal_per_day, None);
        assert!(r.ideal_body_weight_kg.is_some());
        assert!(r.notes.iter().any(|n| n.contains("BMR needs `age_years`")));
    }

    #[test]
    fn ideal_body_weight_is_null_under_five_feet() {
        let r =
            report(r#"{"height_inches": 58, "weight_lb": 110, "age_years": 50, "sex": "female"}"#);
        assert_eq!(r.ideal_body_weight_kg, None);
        assert!(r.bmr_kcal_per_day.is_some());
        assert!(r.notes.iter().any(|n| n.contains("under 5 ft")));
    }

    #[test]
    fn blood_pressure_alone() {
        let r = report(r#"{"systolic_bp": 150, "diastolic_bp": 95}"#);
        assert_eq!(
            r.blood_pressure,
            Some(BloodPressureReport {
                systolic: 150,
                diastolic: 95,
                category: Some("stage 2 hypertension"),
                hypertensive_crisis: false,
            })
        );
        assert_eq!(r.bmi, None);
        assert_eq!(r.metadata.get("units"), None);
    }

    #[test]
    fn blood_pressure_category_names_end_to_end() {
        for (systolic, diastolic, name) in [
            (118, 76, "normal"),
            (124, 78, "elevated"),
            (128, 84, "stage 1 hypertension"),
            (142, 70, "stage 2 hypertension"),
        ] {
            let input = format!(r#"{{"systolic_bp": {systolic}, "diastolic_bp": {diastolic}}}"#);
            let bp = report(&input).blood_pressure.unwrap();
            assert_eq!(bp.category, Some(name), "{systolic}/{diastolic}");
        }
    }

    #[test]
    fn hypertensive_crisis_is_flagged_and_noted() {
        let r = report(r#"{"systolic_bp": 190, "diastolic_bp": 110}"#);
        let bp = r.blood_pressure.unwrap();
        assert!(bp.hypertensive_crisis);
        assert_eq!(bp.category, Some("stage 2 hypertension"));
        assert!(r.notes.iter().any(|n| n.contains("hypertensive crisis")));
    }

    #[test]
    fn young_children_get_no_adult_blood_pressure_category() {
        let r = report(r#"{"systolic_bp": 120, "diastolic_bp": 70, "age_years": 8}"#);
        assert_eq!(r.blood_pressure.unwrap().category, None);
        assert!(r.notes.iter().any(|n| n.contains("AAP 2017")));
        let r = report(r#"{"systolic_bp": 120, "diastolic_bp": 70, "age_years": 15}"#);
        assert_eq!(r.blood_pressure.unwrap().category, Some("elevated"));
    }

    #[test]
    fn output_has_every_key_even_when_null() {
        let r = report(r#"{"systolic_bp": 118, "diastolic_bp": 76}"#);
        let json: Value = serde_json::to_value(&r).unwrap();
        for key in [
            "bmi",
            "category",
            "obesity_class",
            "health_risk",
            "height_cm",
            "weight_kg",
            "bmr_kcal_per_day",
            "bsa_m2",
            "ideal_body_weight_kg",
            "blood_pressure",
            "notes",
        ] {
            assert!(json.get(key).is_some(), "missing {key}");
        }
        assert!(json.get("metadata").is_none());
    }
}
