//! Turns the tool's raw JSON input into a validated [`Request`]. Every check
//! lives here, once: the formulas in [`crate::metrics`] only ever see heights,
//! weights, ages and pressures that are in range and consistent. The host has
//! already validated the input against the schema, but the checks are repeated
//! because the messages here are the ones the model reads to correct itself.

use serde_json::{Map, Value};

use crate::CallError::{self, InvalidInput};

/// Accepted heights in centimetres (inclusive).
pub const HEIGHT_CM_RANGE: (f64, f64) = (50.0, 272.0);
/// Accepted heights in inches (inclusive): the centimetre range, rounded.
pub const HEIGHT_IN_RANGE: (f64, f64) = (20.0, 107.0);
/// Accepted weights in kilograms (inclusive).
pub const WEIGHT_KG_RANGE: (f64, f64) = (2.0, 650.0);
/// Accepted weights in pounds (inclusive): the kilogram range, rounded.
pub const WEIGHT_LB_RANGE: (f64, f64) = (4.4, 1433.0);
/// Accepted ages in whole years (inclusive).
pub const AGE_RANGE: (u32, u32) = (0, 120);
/// Accepted systolic pressures in mmHg (inclusive).
pub const SYSTOLIC_RANGE: (u32, u32) = (50, 300);
/// Accepted diastolic pressures in mmHg (inclusive).
pub const DIASTOLIC_RANGE: (u32, u32) = (30, 200);

/// Every field the input may carry, in the order the schema lists them.
const FIELDS: [&str; 9] = [
    "height_cm",
    "height_feet",
    "height_inches",
    "weight_kg",
    "weight_lb",
    "age_years",
    "sex",
    "systolic_bp",
    "diastolic_bp",
];

const CM_PER_INCH: f64 = 2.54;
const LB_PER_KG: f64 = 2.204_622_621_8;

/// A validated call: what to compute and from which measurements.
#[derive(Debug, Clone, PartialEq)]
pub struct Request {
    /// Height and weight, when both were given.
    pub body: Option<Body>,
    /// Age in whole years, when given.
    pub age_years: Option<u32>,
    /// Sex, when given.
    pub sex: Option<Sex>,
    /// A blood pressure reading, when both numbers were given.
    pub blood_pressure: Option<BloodPressure>,
}

/// Height and weight, kept in the units they were given in so that an
/// all-imperial input can use the imperial BMI formula the user expects.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Body {
    /// The height.
    pub height: Height,
    /// The weight.
    pub weight: Weight,
}

/// A height in the unit it was given in.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Height {
    /// Centimetres.
    Cm(f64),
    /// Total inches (feet already folded in).
    Inches(f64),
}

/// A weight in the unit it was given in.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Weight {
    /// Kilograms.
    Kg(f64),
    /// Pounds.
    Lb(f64),
}

/// The sex the BMR and ideal-body-weight formulas distinguish.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sex {
    /// Male.
    Male,
    /// Female.
    Female,
}

/// One blood pressure reading in mmHg, systolic above diastolic.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BloodPressure {
    /// Systolic pressure.
    pub systolic: u32,
    /// Diastolic pressure.
    pub diastolic: u32,
}

impl Height {
    /// The height in centimetres.
    pub fn cm(self) -> f64 {
        match self {
            Height::Cm(cm) => cm,
            Height::Inches(inches) => inches * CM_PER_INCH,
        }
    }

    /// The height in inches.
    pub fn inches(self) -> f64 {
        match self {
            Height::Cm(cm) => cm / CM_PER_INCH,
            Height::Inches(inches) => inches,
        }
    }
}

impl Weight {
    /// The weight in kilograms.
    pub fn kg(self) -> f64 {
        match self {
            Weight::Kg(kg) => kg,
            Weight::Lb(lb) => lb / LB_PER_KG,
        }
    }
}

impl Request {
    /// Parses and validates the tool's JSON input. The error names the field
    /// at fault and what it accepts.
    pub fn parse(input: &str) -> Result<Request, CallError> {
        let value: Value = serde_json::from_str(input)
            .map_err(|e| InvalidInput(format!("input is not valid JSON: {e}")))?;
        let Value::Object(fields) = value else {
            return Err(InvalidInput("input must be a JSON object".into()));
        };
        if let Some(unknown) = fields.keys().find(|k| !FIELDS.contains(&k.as_str())) {
            return Err(InvalidInput(format!(
                "unknown field `{unknown}`; accepted fields: {}",
                FIELDS.join(", ")
            )));
        }

        let height = height(&fields)?;
        let weight = weight(&fields)?;
        let body = match (height, weight) {
            (Some(height), Some(weight)) => Some(Body { height, weight }),
            (Some(_), None) => {
                return Err(InvalidInput(
                    "height was given without weight: add `weight_kg` or `weight_lb` \
                     (BMI, BSA, BMR and ideal body weight need both)"
                        .into(),
                ))
            }
            (None, Some(_)) => {
                return Err(InvalidInput(
                    "weight was given without height: add `height_cm`, or `height_feet` \
                     with `height_inches`, or total `height_inches` (BMI, BSA, BMR and \
                     ideal body weight need both)"
                        .into(),
                ))
            }
            (None, None) => None,
        };

        let blood_pressure = blood_pressure(&fields)?;
        if body.is_none() && blood_pressure.is_none() {
            return Err(InvalidInput(
                "nothing to calculate: give height and weight (for BMI, BSA, BMR and ideal \
                 body weight) and/or `systolic_bp` with `diastolic_bp` (for the blood \
                 pressure category)"
                    .into(),
            ));
        }

        let age_years = whole(&fields, "age_years", AGE_RANGE, "years")?;
        let sex = match fields.get("sex") {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) if s.trim().eq_ignore_ascii_case("male") => Some(Sex::Male),
            Some(Value::String(s)) if s.trim().eq_ignore_ascii_case("female") => Some(Sex::Female),
            Some(other) => {
                return Err(InvalidInput(format!(
                    "`sex` must be \"male\" or \"female\"; got {other}"
                )))
            }
        };

        Ok(Request {
            body,
            age_years,
            sex,
            blood_pressure,
        })
    }
}

/// Reads the height from `height_cm`, or `height_feet` (+ `height_inches`),
/// or `height_inches` alone as total inches.
fn height(fields: &Map<String, Value>) -> Result<Option<Height>, CallError> {
    let cm = number(fields, "height_cm")?;
    let feet = number(fields, "height_feet")?;
    let inches = number(fields, "height_inches")?;
    match (cm, feet, inches) {
        (None, None, None) => Ok(None),
        (Some(_), Some(_), _) | (Some(_), _, Some(_)) => Err(InvalidInput(
            "give height either as `height_cm` or as `height_feet`/`height_inches`, not both"
                .into(),
        )),
        (Some(cm), None, None) => {
            in_range("height_cm", cm, HEIGHT_CM_RANGE, "cm")?;
            Ok(Some(Height::Cm(cm)))
        }
        (None, Some(feet), inches) => {
            let inches = inches.unwrap_or(0.0);
            if feet < 0.0 {
                return Err(InvalidInput(format!(
                    "`height_feet` must not be negative; got {feet}"
                )));
            }
            // With feet given, inches are the remainder; a value of 12 or more
            // usually means the total height was put there by mistake.
            if !(0.0..12.0).contains(&inches) {
                return Err(InvalidInput(format!(
                    "`height_inches` must be from 0 to under 12 when `height_feet` is given \
                     (for a total in inches, omit `height_feet`); got {inches}"
                )));
            }
            let total = feet * 12.0 + inches;
            let (low, high) = HEIGHT_IN_RANGE;
            if !(low..=high).contains(&total) {
                return Err(InvalidInput(format!(
                    "`height_feet`/`height_inches` must give a height from {low} to {high} \
                     inches ({} to {} cm); got {feet} ft {inches} in = {total} in",
                    HEIGHT_CM_RANGE.0, HEIGHT_CM_RANGE.1
                )));
            }
            Ok(Some(Height::Inches(total)))
        }
        (None, None, Some(total)) => {
            in_range("height_inches", total, HEIGHT_IN_RANGE, "inches in total")?;
            Ok(Some(Height::Inches(total)))
        }
    }
}

/// Reads the weight from exactly one of `weight_kg` and `weight_lb`.
fn weight(fields: &Map<String, Value>) -> Result<Option<Weight>, CallError> {
    match (number(fields, "weight_kg")?, number(fields, "weight_lb")?) {
        (None, None) => Ok(None),
        (Some(_), Some(_)) => Err(InvalidInput(
            "give weight as `weight_kg` or `weight_lb`, not both".into(),
        )),
        (Some(kg), None) => {
            in_range("weight_kg", kg, WEIGHT_KG_RANGE, "kg")?;
            Ok(Some(Weight::Kg(kg)))
        }
        (None, Some(lb)) => {
            in_range("weight_lb", lb, WEIGHT_LB_RANGE, "lb")?;
            Ok(Some(Weight::Lb(lb)))
        }
    }
}

/// Reads `systolic_bp` and `diastolic_bp`, which only make sense together.
fn blood_pressure(fields: &Map<String, Value>) -> Result<Option<BloodPressure>, CallError> {
    let systolic = whole(fields, "systolic_bp", SYSTOLIC_RANGE, "mmHg")?;
    let diastolic = whole(fields, "diastolic_bp", DIASTOLIC_RANGE, "mmHg")?;
    match (systolic, diastolic) {
        (None, None) => Ok(None),
        (Some(_), None) => Err(InvalidInput(
            "`systolic_bp` and `diastolic_bp` must be given together; `diastolic_bp` is missing"
                .into(),
        )),
        (None, Some(_)) => Err(InvalidInput(
            "`systolic_bp` and `diastolic_bp` must be given together; `systolic_bp` is missing"
                .into(),
        )),
        (Some(systolic), Some(diastolic)) if systolic <= diastolic => Err(InvalidInput(format!(
            "`systolic_bp` ({systolic}) must be greater than `diastolic_bp` ({diastolic}); \
             check whether the two were swapped"
        ))),
        (Some(systolic), Some(diastolic)) => Ok(Some(BloodPressure {
            systolic,
            diastolic,
        })),
    }
}

/// An optional number; JSON `null` counts as absent.
fn number(fields: &Map<String, Value>, field: &str) -> Result<Option<f64>, CallError> {
    match fields.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => n
            .as_f64()
            .filter(|x| x.is_finite())
            .map(Some)
            .ok_or_else(|| InvalidInput(format!("`{field}` must be a finite number; got {n}"))),
        Some(other) => Err(InvalidInput(format!(
            "`{field}` must be a number; got {other}"
        ))),
    }
}

/// An optional whole number within `range`. Accepts `45.0` as well as `45`,
/// since JSON Schema counts both as integers.
fn whole(
    fields: &Map<String, Value>,
    field: &str,
    (low, high): (u32, u32),
    unit: &str,
) -> Result<Option<u32>, CallError> {
    let Some(x) = number(fields, field)? else {
        return Ok(None);
    };
    if x.fract() != 0.0 || x < f64::from(low) || x > f64::from(high) {
        return Err(InvalidInput(format!(
            "`{field}` must be a whole number from {low} to {high} {unit}; got {x}"
        )));
    }
    // In range and whole, so the conversion is exact.
    Ok(Some(x as u32))
}

/// Checks that `x` lies within `range`, naming the field and unit if not.
fn in_range(field: &str, x: f64, (low, high): (f64, f64), unit: &str) -> Result<(), CallError> {
    if (low..=high).contains(&x) {
        Ok(())
    } else {
        Err(InvalidInput(format!(
            "`{field}` must be from {low} to {high} {unit}; got {x}"
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rejected(input: &str) -> String {
        match Request::parse(input) {
            Err(InvalidInput(message)) => message,
            other => panic!("{input} should be rejected as invalid input, got {other:?}"),
        }
    }

    #[test]
    fn feet_and_inches_fold_into_total_inches() {
        let request =
            Request::parse(r#"{"height_feet": 5, "height_inches": 4, "weight_lb": 180}"#).unwrap();
        let body = request.body.unwrap();
        assert_eq!(body.height, Height::Inches(64.0));
        assert_eq!(body.weight, Weight::Lb(180.0));
    }

    #[test]
    fn inches_alone_are_total_inches() {
        let request = Request::parse(r#"{"height_inches": 70, "weight_kg": 80}"#).unwrap();
        assert_eq!(request.body.unwrap().height, Height::Inches(70.0));
    }

    #[test]
    fn feet_alone_are_whole_feet() {
        let request = Request::parse(r#"{"height_feet": 6, "weight_kg": 80}"#).unwrap();
        assert_eq!(request.body.unwrap().height, Height::Inches(72.0));
    }

    #[test]
    fn cm_with_feet_or_inches_is_rejected() {
        for input in [
            r#"{"height_cm": 170, "height_feet": 5, "weight_kg": 70}"#,
            r#"{"height_cm": 170, "height_inches": 4, "weight_kg": 70}"#,
        ] {
            assert!(rejected(input).contains("`height_cm` or as `height_feet`"));
        }
    }

    #[test]
    fn both_weights_are_rejected() {
        let message = rejected(r#"{"height_cm": 170, "weight_kg": 70, "weight_lb": 154}"#);
        assert!(
            message.contains("`weight_kg` or `weight_lb`, not both"),
            "{message}"
        );
    }

    #[test]
    fn out_of_range_values_name_field_and_range() {
        let message = rejected(r#"{"height_cm": 300, "weight_kg": 70}"#);
        assert!(
            message.contains("`height_cm` must be from 50 to 272 cm"),
            "{message}"
        );
        let message = rejected(r#"{"height_cm": 170, "weight_lb": 2000}"#);
        assert!(
            message.contains("`weight_lb` must be from 4.4 to 1433 lb"),
            "{message}"
        );
        let message = rejected(r#"{"height_cm": 170, "weight_kg": 1}"#);
        assert!(
            message.contains("`weight_kg` must be from 2 to 650 kg"),
            "{message}"
        );
        let message = rejected(r#"{"height_inches": 10, "weight_kg": 70}"#);
        assert!(
            message.contains("`height_inches` must be from 20 to 107"),
            "{message}"
        );
        let message = rejected(r#"{"systolic_bp": 120, "diastolic_bp": 80, "age_years": 130}"#);
        assert!(
            message.contains("`age_years` must be a whole number from 0 to 120"),
            "{message}"
        );
        let message = rejected(r#"{"systolic_bp": 400, "diastolic_bp": 80}"#);
        assert!(
            message.contains("`systolic_bp` must be a whole number from 50 to 300"),
            "{message}"
        );
        let message = rejected(r#"{"systolic_bp": 120, "diastolic_bp": 20}"#);
        assert!(
            message.contains("`diastolic_bp` must be a whole number from 30 to 200"),
            "{message}"
        );
    }

    #[test]
    fn inches_beyond_a_foot_next_to_feet_are_rejected() {
        let message = rejected(r#"{"height_feet": 5, "height_inches": 64, "weight_lb": 180}"#);
        assert!(
            message.contains("`height_inches` must be from 0 to under 12"),
            "{message}"
        );
    }

    #[test]
    fn blood_pressure_needs_both_numbers_in_order() {
        assert!(rejected(r#"{"systolic_bp": 120}"#).contains("`diastolic_bp` is missing"));
        assert!(rejected(r#"{"diastolic_bp": 80}"#).contains("`systolic_bp` is missing"));
        let message = rejected(r#"{"systolic_bp": 80, "diastolic_bp": 120}"#);
        assert!(
            message.contains("must be greater than `diastolic_bp`"),
            "{message}"
        );
    }

    #[test]
    fn something_to_calculate_is_required() {
        let message = rejected(r#"{"age_years": 40, "sex": "male"}"#);
        assert!(message.contains("nothing to calculate"), "{message}");
        assert!(rejected(r#"{"height_cm": 170}"#).contains("without weight"));
        assert!(rejected(r#"{"weight_kg": 70}"#).contains("without height"));
    }

    #[test]
    fn malformed_input_is_rejected_not_panicked_on() {
        assert!(rejected("not json").contains("not valid JSON"));
        assert!(rejected("[1, 2]").contains("JSON object"));
        assert!(rejected(r#"{"height": 170}"#).contains("unknown field `height`"));
        assert!(rejected(r#"{"height_cm": "170", "weight_kg": 70}"#)
            .contains("`height_cm` must be a number"));
        assert!(rejected(r#"{"systolic_bp": 120.5, "diastolic_bp": 80}"#).contains("whole number"));
        assert!(
            rejected(r#"{"height_cm": 170, "weight_kg": 70, "sex": "x"}"#)
                .contains("`sex` must be")
        );
        assert!(
            rejected(r#"{"height_feet": -5, "weight_kg": 70}"#).contains("must not be negative")
        );
    }

    #[test]
    fn integers_written_as_floats_are_accepted() {
        let request =
            Request::parse(r#"{"systolic_bp": 120.0, "diastolic_bp": 80, "age_years": 45.0}"#)
                .unwrap();
        assert_eq!(request.age_years, Some(45));
        assert_eq!(
            request.blood_pressure,
            Some(BloodPressure {
                systolic: 120,
                diastolic: 80
            })
        );
    }
}
