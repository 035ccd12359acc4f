//! Checks every pair of a validated [`Request`] against the interaction table
//! and shapes the tool's output and span notes. The output always has the
//! same three keys, so the model sees one stable shape:
//!
//! ```json
//! {"medications": [{"generic_name": ..., ...}],
//!  "interactions": [{"drugs": ["warfarin", "aspirin"], "severity": "major",
//!                    "mechanism": ..., "management": ...}],
//!  "interaction_pairs_checked": 1}
//! ```

use serde::Serialize;
use serde_json::{json, Value};

use crate::formulary::Drug;
use crate::interactions::{self, Severity};
use crate::request::Request;

/// The tool's output.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    /// The drugs asked for, in request order, each once.
    pub medications: Vec<&'static Drug>,
    /// Interactions found among them, most severe first, then in request
    /// order of the pair.
    pub interactions: Vec<FoundInteraction>,
    /// How many distinct pairs were checked: n(n-1)/2 for n drugs.
    pub interaction_pairs_checked: usize,
}

/// One interaction between two of the requested drugs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FoundInteraction {
    /// The two generic names, in the order they were asked for.
    pub drugs: [&'static str; 2],
    /// How serious it is.
    pub severity: Severity,
    /// Why it happens.
    pub mechanism: &'static str,
    /// What to do about it.
    pub management: &'static str,
}

/// Checks every pair of the requested drugs.
pub fn evaluate(request: &Request) -> Report {
    let drugs = &request.drugs;
    let mut found = Vec::new();
    let mut checked = 0;
    for (i, first) in drugs.iter().enumerate() {
        for second in &drugs[i + 1..] {
            checked += 1;
            let pair = [first.generic_name, second.generic_name];
            if let Some(entry) = interactions::between(pair[0], pair[1]) {
                found.push(FoundInteraction {
                    drugs: pair,
                    severity: entry.severity,
                    mechanism: entry.mechanism,
                    management: entry.management,
                });
            }
        }
    }
    // A stable sort keeps request order among interactions of equal severity.
    found.sort_by_key(|found| std::cmp::Reverse(found.severity));
    Report {
        medications: drugs.clone(),
        interactions: found,
        interaction_pairs_checked: checked,
    }
}

impl Report {
    /// The most serious interaction found, if any.
    pub fn highest_severity(&self) -> Option<Severity> {
        self.interactions.iter().map(|i| i.severity).max()
    }

    /// The span metadata: drugs found, interactions found and the highest
    /// severity (`null` when there are none).
    pub fn metadata(&self) -> Value {
        json!({
            "found": self.medications.len(),
            "interactions": self.interactions.len(),
            "highest_severity": self.highest_severity(),
        })
    }

    /// One span event per major or contraindicated interaction, such as
    /// "major interaction: warfarin + aspirin".
    pub fn events(&self) -> Vec<String> {
        self.interactions
            .iter()
            .filter(|i| i.severity >= Severity::Major)
            .map(|i| {
                format!(
                    "{} interaction: {} + {}",
                    i.severity.name(),
                    i.drugs[0],
                    i.drugs[1]
                )
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::CallError;

    fn report(names: &[&str]) -> Report {
        let input = json!({ "medications": names }).to_string();
        evaluate(&Request::parse(&input).expect("valid input"))
    }

    fn generics(report: &Report) -> Vec<&'static str> {
        report.medications.iter().map(|d| d.generic_name).collect()
    }

    #[test]
    fn interaction_is_found_in_either_order() {
        for names in [["warfarin", "aspirin"], ["aspirin", "warfarin"]] {
            let r = report(&names);
            assert_eq!(r.interactions.len(), 1, "{names:?}");
            assert_eq!(r.interactions[0].drugs, names);
            assert_eq!(r.interactions[0].severity, Severity::Major);
        }
    }

    #[test]
    fn safe_pair_has_no_interaction() {
        let r = report(&["metformin", "atorvastatin"]);
        assert!(r.interactions.is_empty());
        assert_eq!(r.interaction_pairs_checked, 1);
        assert_eq!(r.highest_severity(), None);
    }

    #[test]
    fn every_pair_is_checked() {
        let names = [
            "metformin",
            "lisinopril",
            "atorvastatin",
            "aspirin",
            "sertraline",
            "omeprazole",
            "levothyroxine",
            "albuterol",
            "gabapentin",
            "amoxicillin",
        ];
        for n in 1..=names.len() {
            let r = report(&names[..n]);
            assert_eq!(r.medications.len(), n);
            assert_eq!(r.interaction_pairs_checked, n * (n - 1) / 2, "n = {n}");
        }
    }

    #[test]
    fn names_of_one_drug_collapse_to_one_entry() {
        let r = report(&[
            "Glucophage",
            "metformin",
            "METFORMIN ",
            "lisinopril",
            "Zestril",
        ]);
        assert_eq!(generics(&r), ["metformin", "lisinopril"]);
        assert_eq!(r.interaction_pairs_checked, 1);
        assert_eq!(r.metadata()["found"], 2);
    }

    #[test]
    fn interactions_are_sorted_most_severe_first() {
        let r = report(&[
            "lisinopril",
            "ibuprofen",
            "warfarin",
            "nitroglycerin",
            "sildenafil",
        ]);
        let severities: Vec<Severity> = r.interactions.iter().map(|i| i.severity).collect();
        assert_eq!(
            severities,
            [
                Severity::Contraindicated,
                Severity::Major,
                Severity::Moderate
            ]
        );
        assert_eq!(r.interactions[0].drugs, ["nitroglycerin", "sildenafil"]);
        assert_eq!(r.interactions[1].drugs, ["ibuprofen", "warfarin"]);
        assert_eq!(r.interactions[2].drugs, ["lisinopril", "ibuprofen"]);
        assert_eq!(r.highest_severity(), Some(Severity::Contraindicated));
        assert_eq!(
            r.events(),
            [
                "contraindicated interaction: nitroglycerin + sildenafil",
                "major interaction: ibuprofen + warfarin"
            ]
        );
    }

    #[test]
    fn triple_whammy_reports_each_pair() {
        let r = report(&["lisinopril", "furosemide", "ibuprofen"]);
        let pairs: Vec<[&str; 2]> = r.interactions.iter().map(|i| i.drugs).collect();
        assert_eq!(
            pairs,
            [["lisinopril", "ibuprofen"], ["furosemide", "ibuprofen"]]
        );
        assert!(r.interactions[0].mechanism.contains("triple"));
    }

    #[test]
    fn output_has_the_documented_shape() {
        let r = report(&["warfarin", "aspirin"]);
        let json = serde_json::to_value(&r).unwrap();
        // Sorted, because key order depends on serde_json's `preserve_order`.
        let mut keys: Vec<&String> = json.as_object().unwrap().keys().collect();
        keys.sort();
        assert_eq!(
            keys,
            ["interaction_pairs_checked", "interactions", "medications"]
        );
        let interaction = &json["interactions"][0];
        assert_eq!(interaction["drugs"], json!(["warfarin", "aspirin"]));
        assert_eq!(interaction["severity"], "major");
        assert!(interaction["mechanism"].is_string());
        assert!(interaction["management"].is_string());
        let drug = json["medications"][0].as_object().unwrap();
        assert_eq!(drug.len(), 9, "{:?}", drug.keys().collect::<Vec<_>>());
    }

    #[test]
    fn unknown_names_fail_the_whole_request() {
        let Err(CallError::InvalidInput(message)) = Request::parse(
            r#"{"medications": ["metformin", "metfromin", "lisinipril", "zzzzzzzz"]}"#,
        ) else {
            panic!("unknown names must be rejected");
        };
        assert!(message.starts_with("3 unknown medications: "), "{message}");
        assert!(
            message.contains("`metfromin` (closest matches: metformin"),
            "{message}"
        );
        assert!(
            message.contains("`lisinipril` (closest matches: lisinopril"),
            "{message}"
        );
        assert!(message.contains("`zzzzzzzz` (no close match)"), "{message}");
        assert!(message.contains("nothing was looked up"), "{message}");
    }
}
