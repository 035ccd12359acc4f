//! The clinical formulas and classifications, as plain functions of validated
//! numbers. Each one cites the reference it follows; rounding happens in
//! [`crate::report`], so these return unrounded values.

/// BMI from pounds and inches: `703 × lb / in²`, the CDC's imperial formula.
pub fn bmi_imperial(lb: f64, inches: f64) -> f64 {
    703.0 * lb / (inches * inches)
}

/// BMI from kilograms and centimetres: `kg / m²`.
pub fn bmi_metric(kg: f64, cm: f64) -> f64 {
    let m = cm / 100.0;
    kg / (m * m)
}

/// Adult BMI category (WHO / CDC).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BmiCategory {
    /// BMI below 18.5.
    Underweight,
    /// BMI 18.5 to under 25.
    Normal,
    /// BMI 25 to under 30.
    Overweight,
    /// BMI 30 or more, with its class.
    Obese(ObesityClass),
}

/// WHO obesity class.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ObesityClass {
    /// BMI 30 to under 35.
    I,
    /// BMI 35 to under 40.
    II,
    /// BMI 40 or more.
    III,
}

impl BmiCategory {
    /// Classifies an adult BMI. Callers pass the BMI as reported (one
    /// decimal), so that the category never contradicts the number shown:
    /// 24.96 is reported as 25.0 and is therefore "overweight".
    pub fn of(bmi: f64) -> BmiCategory {
        if bmi < 18.5 {
            BmiCategory::Underweight
        } else if bmi < 25.0 {
            BmiCategory::Normal
        } else if bmi < 30.0 {
            BmiCategory::Overweight
        } else if bmi < 35.0 {
            BmiCategory::Obese(ObesityClass::I)
        } else if bmi < 40.0 {
            BmiCategory::Obese(ObesityClass::II)
        } else {
            BmiCategory::Obese(ObesityClass::III)
        }
    }

    /// The category's name in the output.
    pub fn name(self) -> &'static str {
        match self {
            BmiCategory::Underweight => "underweight",
            BmiCategory::Normal => "normal",
            BmiCategory::Overweight => "overweight",
            BmiCategory::Obese(_) => "obese",
        }
    }

    /// The obesity class ("I", "II", "III"), for obese BMIs only.
    pub fn obesity_class(self) -> Option<&'static str> {
        match self {
            BmiCategory::Obese(ObesityClass::I) => Some("I"),
            BmiCategory::Obese(ObesityClass::II) => Some("II"),
            BmiCategory::Obese(ObesityClass::III) => Some("III"),
            _ => None,
        }
    }

    /// The `health_risk` score logged for the category: 1.0 for a normal
    /// BMI, lower the further the category is from it.
    pub fn health_risk(self) -> f64 {
        match self {
            BmiCategory::Underweight => 0.5,
            BmiCategory::Normal => 1.0,
            BmiCategory::Overweight => 0.7,
            BmiCategory::Obese(_) => 0.3,
        }
    }
}

/// Basal metabolic rate in kcal/day by Mifflin-St Jeor (1990):
/// `10·kg + 6.25·cm − 5·age + 5` for men, `… − 161` for women.
pub fn bmr_mifflin_st_jeor(kg: f64, cm: f64, age_years: u32, male: bool) -> f64 {
    let sex_term = if male { 5.0 } else { -161.0 };
    10.0 * kg + 6.25 * cm - 5.0 * f64::from(age_years) + sex_term
}

/// Body surface area in m² by Mosteller (1987): `√(cm · kg / 3600)`.
pub fn bsa_mosteller(cm: f64, kg: f64) -> f64 {
    (cm * kg / 3600.0).sqrt()
}

/// Shortest height, in inches, for which the Devine formula is defined.
pub const DEVINE_MIN_INCHES: f64 = 60.0;

/// Ideal body weight in kg by Devine (1974): 50 kg (men) or 45.5 kg (women)
/// plus 2.3 kg per inch over 5 ft. `None` below 5 ft, where the formula was
/// never validated; clamping to the 5 ft value would report a number that
/// looks authoritative for exactly the patients it was not derived from.
pub fn ibw_devine(inches: f64, male: bool) -> Option<f64> {
    if inches < DEVINE_MIN_INCHES {
        return None;
    }
    let base = if male { 50.0 } else { 45.5 };
    Some(base + 2.3 * (inches - DEVINE_MIN_INCHES))
}

/// Blood pressure category of the 2017 ACC/AHA guideline, lowest first so
/// that the higher of two categories is their maximum.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum BpCategory {
    /// Below 120 and below 80.
    Normal,
    /// 120–129 and below 80.
    Elevated,
    /// 130–139 or 80–89.
    Stage1,
    /// 140 or more, or 90 or more.
    Stage2,
}

impl BpCategory {
    /// Classifies a reading: each number is classified on its own and the
    /// reading takes the higher category, as the guideline directs.
    pub fn of(systolic: u32, diastolic: u32) -> BpCategory {
        let by_systolic = match systolic {
            0..=119 => BpCategory::Normal,
            120..=129 => BpCategory::Elevated,
            130..=139 => BpCategory::Stage1,
            _ => BpCategory::Stage2,
        };
        // Diastolic pressure alone never makes a reading "elevated".
        let by_diastolic = match diastolic {
            0..=79 => BpCategory::Normal,
            80..=89 => BpCategory::Stage1,
            _ => BpCategory::Stage2,
        };
        by_systolic.max(by_diastolic)
    }

    /// The category's name in the output.
    pub fn name(self) -> &'static str {
        match self {
            BpCategory::Normal => "normal",
            BpCategory::Elevated => "elevated",
            BpCategory::Stage1 => "stage 1 hypertension",
            BpCategory::Stage2 => "stage 2 hypertension",
        }
    }
}

/// Whether a reading is in the hypertensive-crisis range of the 2017
/// ACC/AHA guideline: systolic above 180 and/or diastolic above 120.
pub fn hypertensive_crisis(systolic: u32, diastolic: u32) -> bool {
    systolic > 180 || diastolic > 120
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9
    }

    #[test]
    fn bmi_formulas_agree_on_the_same_person() {
        // 5'4", 180 lb: 703 × 180 / 64² = 30.89.
        assert!(close(bmi_imperial(180.0, 64.0), 703.0 * 180.0 / 4096.0));
        assert!((bmi_imperial(180.0, 64.0) - 30.89).abs() < 0.01);
        // The same person in metric differs only by 703's rounding.
        let metric = bmi_metric(180.0 / 2.204_622_621_8, 64.0 * 2.54);
        assert!((metric - 30.90).abs() < 0.01, "{metric}");
    }

    #[test]
    fn bmi_category_boundaries() {
        let cases = [
            (18.4, "underweight", None),
            (18.5, "normal", None),
            (24.9, "normal", None),
            (25.0, "overweight", None),
            (29.9, "overweight", None),
            (30.0, "obese", Some("I")),
            (34.9, "obese", Some("I")),
            (35.0, "obese", Some("II")),
            (39.9, "obese", Some("II")),
            (40.0, "obese", Some("III")),
            (62.3, "obese", Some("III")),
        ];
        for (bmi, name, class) in cases {
            let category = BmiCategory::of(bmi);
            assert_eq!(category.name(), name, "BMI {bmi}");
            assert_eq!(category.obesity_class(), class, "BMI {bmi}");
        }
    }

    #[test]
    fn health_risk_scores() {
        assert_eq!(BmiCategory::of(17.0).health_risk(), 0.5);
        assert_eq!(BmiCategory::of(22.0).health_risk(), 1.0);
        assert_eq!(BmiCategory::of(27.0).health_risk(), 0.7);
        assert_eq!(BmiCategory::of(45.0).health_risk(), 0.3);
    }

    #[test]
    fn bmr_worked_examples() {
        // Man, 80 kg, 180 cm, 30 y: 800 + 1125 − 150 + 5 = 1780.
        assert!(close(bmr_mifflin_st_jeor(80.0, 180.0, 30, true), 1780.0));
        // Woman, 60 kg, 165 cm, 40 y: 600 + 1031.25 − 200 − 161 = 1270.25.
        assert!(close(bmr_mifflin_st_jeor(60.0, 165.0, 40, false), 1270.25));
    }

    #[test]
    fn bsa_worked_examples() {
        // 180 cm × 80 kg / 3600 = 4 → 2 m².
        assert!(close(bsa_mosteller(180.0, 80.0), 2.0));
        // 162.56 cm, 81.65 kg → 1.92 m².
        assert!((bsa_mosteller(162.56, 81.646_6) - 1.920).abs() < 0.001);
    }

    #[test]
    fn ibw_worked_examples() {
        // Man, 5'10": 50 + 2.3 × 10 = 73 kg.
        assert!(close(ibw_devine(70.0, true).unwrap(), 73.0));
        // Woman, 5'4": 45.5 + 2.3 × 4 = 54.7 kg.
        assert!(close(ibw_devine(64.0, false).unwrap(), 54.7));
        // Exactly 5 ft gives the base weight; below it the formula is undefined.
        assert!(close(ibw_devine(60.0, false).unwrap(), 45.5));
        assert_eq!(ibw_devine(59.9, true), None);
    }

    #[test]
    fn blood_pressure_category_boundaries() {
        let cases = [
            (119, 79, BpCategory::Normal),
            (120, 79, BpCategory::Elevated),
            (129, 79, BpCategory::Elevated),
            (130, 79, BpCategory::Stage1),
            (139, 79, BpCategory::Stage1),
            (119, 80, BpCategory::Stage1),
            (125, 85, BpCategory::Stage1),
            (139, 89, BpCategory::Stage1),
            (140, 70, BpCategory::Stage2),
            (110, 90, BpCategory::Stage2),
            (135, 95, BpCategory::Stage2),
            (200, 130, BpCategory::Stage2),
        ];
        for (systolic, diastolic, category) in cases {
            assert_eq!(
                BpCategory::of(systolic, diastolic),
                category,
                "{systolic}/{diastolic}"
            );
        }
    }

    #[test]
    fn hypertensive_crisis_boundaries() {
        assert!(!hypertensive_crisis(180, 120));
        assert!(hypertensive_crisis(181, 100));
        assert!(hypertensive_crisis(170, 121));
    }
}
