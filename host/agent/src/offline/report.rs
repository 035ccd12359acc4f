//! The offline planner's final answer, written only from tool results:
//! **Assessment**, **Recommendations**, **Follow-up**, then a disclaimer.
//! Every number in it is copied from a tool's output, never computed here,
//! and outputs are read leniently (missing or extra fields are fine).

use std::fmt::Write;

use serde_json::Value;

use super::{MEDICATION_TOOL, METRICS_TOOL, OFFLINE_BANNER, SEARCH_TOOL};

/// One tool result of the turn together with the call it answers.
#[derive(Debug, Clone)]
pub(super) struct ToolResultView {
    pub(super) name: String,
    pub(super) input: Value,
    /// The tool's output as JSON text, or the error message.
    pub(super) content: String,
    pub(super) is_error: bool,
}

const DISCLAIMER: &str = "Decision support generated offline from tool results only; \
     not a substitute for clinical judgement.";

/// The tool outputs of a turn, sorted by kind.
#[derive(Default)]
struct Findings {
    metrics: Vec<Value>,
    searches: Vec<Value>,
    medications: Vec<Value>,
    interactions: Vec<Value>,
    pairs_checked: u64,
    lookups: usize,
    problems: Vec<String>,
}

impl Findings {
    fn gather(results: &[ToolResultView]) -> Findings {
        let mut findings = Findings::default();
        for result in results {
            if result.is_error {
                findings.problems.push(format!(
                    "{} failed: {}",
                    result.name,
                    result.content.trim()
                ));
                continue;
            }
            let Ok(output) = serde_json::from_str::<Value>(&result.content) else {
                findings.problems.push(format!(
                    "{} returned output that is not JSON, so it was not used",
                    result.name
                ));
                continue;
            };
            match result.name.as_str() {
                METRICS_TOOL => findings.metrics.push(output),
                SEARCH_TOOL => findings.searches.push(output),
                MEDICATION_TOOL => {
                    findings.lookups += 1;
                    findings.pairs_checked += output
                        .get("interaction_pairs_checked")
                        .and_then(Value::as_u64)
                        .unwrap_or(0);
                    for medication in array(&output, "medications") {
                        let name = text(medication, "generic_name").map(str::to_lowercase);
                        let seen = findings.medications.iter().any(|known| {
                            text(known, "generic_name").map(str::to_lowercase) == name
                        });
                        if !seen {
                            findings.medications.push(medication.clone());
                        }
                    }
                    for interaction in array(&output, "interactions") {
                        if !findings.interactions.contains(interaction) {
                            findings.interactions.push(interaction.clone());
                        }
                    }
                }
                _ => {}
            }
        }
        findings
    }

    /// The conditions found, best first, across searches.
    fn conditions(&self) -> Vec<&Value> {
        self.searches
            .iter()
            .flat_map(|search| array(search, "results"))
            .collect()
    }
}

/// The answer text.
pub(super) fn write(results: &[ToolResultView]) -> String {
    let findings = Findings::gather(results);
    let mut out = String::new();
    let _ = writeln!(out, "{OFFLINE_BANNER}\n");
    assessment(&mut out, &findings);
    recommendations(&mut out, &findings);
    follow_up(&mut out, &findings);
    out.push_str(DISCLAIMER);
    out
}

fn assessment(out: &mut String, findings: &Findings) {
    out.push_str("**Assessment**\n");
    let mut wrote = false;
    for metrics in &findings.metrics {
        wrote |= metrics_lines(out, metrics);
    }
    for search in &findings.searches {
        wrote = true;
        let query = text(search, "query").unwrap_or("the symptoms");
        let results = array(search, "results");
        if results.is_empty() {
            let _ = writeln!(
                out,
                "- No condition in the knowledge base matched \"{query}\"."
            );
            continue;
        }
        let total = number(search, "total_matches")
            .map(|n| format!(" of {n} matches"))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "- Conditions to evaluate for \"{query}\" (top {}{total}):",
            results.len()
        );
        for (rank, condition) in results.iter().enumerate() {
            let name = text(condition, "condition").unwrap_or("unnamed condition");
            let score = number(condition, "score")
                .map(|s| format!(" (match score {s})"))
                .unwrap_or_default();
            let snippet = text(condition, "snippet")
                .map(|s| format!(": {s}"))
                .unwrap_or_default();
            let _ = writeln!(out, "  {}. {name}{score}{snippet}", rank + 1);
            list_line(
                out,
                "     - Diagnostic criteria",
                &strings(condition, "diagnostic_criteria"),
            );
            list_line(out, "     - Tests to order", &strings(condition, "tests"));
            list_line(
                out,
                "     - Risk factors",
                &strings(condition, "risk_factors"),
            );
        }
    }
    for problem in &findings.problems {
        wrote = true;
        let _ = writeln!(out, "- {problem}");
    }
    if !wrote {
        // A follow-up about a drug looks nothing up for the assessment; say
        // what the answer covers instead of implying something failed.
        out.push_str(
            "- No new measurements or symptoms in this question; the answer below covers the \
             medication information asked for.\n",
        );
    }
    out.push('\n');
}

/// The metrics lines; false if the output had nothing readable.
fn metrics_lines(out: &mut String, metrics: &Value) -> bool {
    let mut wrote = false;
    if let Some(bmi) = number(metrics, "bmi") {
        let mut described = Vec::new();
        if let Some(category) = text(metrics, "category") {
            described.push(category.to_string());
        }
        if let Some(class) = text(metrics, "obesity_class") {
            described.push(format!("obesity class {class}"));
        }
        let described = if described.is_empty() {
            String::new()
        } else {
            format!(" — {}", described.join(", "))
        };
        let basis = match (number(metrics, "height_cm"), number(metrics, "weight_kg")) {
            (Some(h), Some(w)) => format!(" (height {h} cm, weight {w} kg)"),
            _ => String::new(),
        };
        let _ = writeln!(out, "- BMI {bmi} kg/m²{described}{basis}.");
        wrote = true;
    }
    if let Some(bp) = metrics.get("blood_pressure").filter(|bp| bp.is_object()) {
        if let (Some(systolic), Some(diastolic)) = (number(bp, "systolic"), number(bp, "diastolic"))
        {
            let category = text(bp, "category")
                .map(|c| format!(" — {c}"))
                .unwrap_or_default();
            let _ = writeln!(
                out,
                "- Blood pressure {systolic}/{diastolic} mmHg{category}."
            );
            wrote = true;
        }
    }
    let mut extra = Vec::new();
    if let Some(bmr) = number(metrics, "bmr_kcal_per_day") {
        extra.push(format!("estimated BMR {bmr} kcal/day"));
    }
    if let Some(bsa) = number(metrics, "bsa_m2") {
        extra.push(format!("body surface area {bsa} m²"));
    }
    if let Some(ibw) = number(metrics, "ideal_body_weight_kg") {
        extra.push(format!("ideal body weight {ibw} kg"));
    }
    if !extra.is_empty() {
        let _ = writeln!(out, "- {}.", capitalize(&extra.join("; ")));
        wrote = true;
    }
    for note in strings(metrics, "notes") {
        let _ = writeln!(out, "- Note: {note}");
        wrote = true;
    }
    wrote
}

fn recommendations(out: &mut String, findings: &Findings) {
    out.push_str("**Recommendations**\n");
    let mut wrote = false;
    if let Some(top) = findings.conditions().first() {
        let treatments = strings(top, "first_line_treatments");
        if !treatments.is_empty() {
            let name = text(top, "condition").unwrap_or("the top condition");
            let _ = writeln!(
                out,
                "- First-line treatment if {name} is confirmed: {}.",
                treatments.join("; ")
            );
            wrote = true;
        }
    }
    for medication in &findings.medications {
        wrote = true;
        let name = text(medication, "generic_name").unwrap_or("unnamed medication");
        let mut heading = capitalize(name);
        let class = text(medication, "drug_class");
        let brands = strings(medication, "brand_names");
        match (class, brands.is_empty()) {
            (Some(class), false) => {
                let _ = write!(heading, " ({class}; brands: {})", brands.join(", "));
            }
            (Some(class), true) => {
                let _ = write!(heading, " ({class})");
            }
            (None, false) => {
                let _ = write!(heading, " (brands: {})", brands.join(", "));
            }
            (None, true) => {}
        }
        let _ = writeln!(out, "- {heading}");
        if let Some(dosing) = text(medication, "adult_dosing") {
            let _ = writeln!(out, "  - Adult dosing: {dosing}");
        }
        if let Some(renal) = text(medication, "renal_adjustment") {
            let _ = writeln!(out, "  - Renal adjustment: {renal}");
        }
        list_line(
            out,
            "  - Contraindications",
            &strings(medication, "contraindications"),
        );
        list_line(
            out,
            "  - Common adverse effects",
            &strings(medication, "common_adverse_effects"),
        );
    }
    if findings.lookups > 0 {
        wrote = true;
        // With a single medication there is no pair to check, so "no
        // interactions" would say nothing.
        let had_pairs = findings.pairs_checked > 0 || findings.medications.len() > 1;
        if findings.interactions.is_empty() && had_pairs {
            let checked = if findings.pairs_checked > 0 {
                format!(" ({} pairs checked)", findings.pairs_checked)
            } else {
                String::new()
            };
            let _ = writeln!(
                out,
                "- No interactions found among the medications looked up{checked}."
            );
        }
        for interaction in &findings.interactions {
            let drugs = strings(interaction, "drugs").join(" + ");
            let severity = text(interaction, "severity")
                .map(|s| format!(" ({s})"))
                .unwrap_or_default();
            let mechanism = text(interaction, "mechanism")
                .map(|m| format!(": {m}"))
                .unwrap_or_default();
            let management = text(interaction, "management")
                .map(|m| format!(" Management: {m}"))
                .unwrap_or_default();
            let _ = writeln!(
                out,
                "- Interaction {drugs}{severity}{mechanism}.{management}"
            );
        }
    }
    if !wrote {
        out.push_str(
            "- No condition or medication information was retrieved, so the tools give \
             no treatment recommendation; describe the symptoms or name the medications \
             to get one.\n",
        );
    }
    out.push('\n');
}

fn follow_up(out: &mut String, findings: &Findings) {
    out.push_str("**Follow-up**\n");
    let mut wrote = false;
    for condition in findings.conditions() {
        let tests = strings(condition, "tests");
        if !tests.is_empty() {
            let name = text(condition, "condition").unwrap_or("this condition");
            let _ = writeln!(
                out,
                "- Order to confirm or exclude {name}: {}.",
                tests.join("; ")
            );
            wrote = true;
        }
    }
    for medication in &findings.medications {
        let monitoring = strings(medication, "monitoring");
        if !monitoring.is_empty() {
            let name = text(medication, "generic_name").unwrap_or("the medication");
            let _ = writeln!(out, "- Monitor on {name}: {}.", monitoring.join("; "));
            wrote = true;
        }
    }
    for metrics in &findings.metrics {
        if let Some(bmi) = number(metrics, "bmi") {
            let category = text(metrics, "category")
                .map(|c| format!(", {c}"))
                .unwrap_or_default();
            let _ = writeln!(
                out,
                "- Recheck weight and BMI at follow-up visits (baseline BMI {bmi}{category})."
            );
            wrote = true;
        }
        if let Some(bp) = metrics.get("blood_pressure").filter(|bp| bp.is_object()) {
            if let (Some(systolic), Some(diastolic)) =
                (number(bp, "systolic"), number(bp, "diastolic"))
            {
                let _ = writeln!(
                    out,
                    "- Repeat the blood pressure measurement to confirm the reading of \
                     {systolic}/{diastolic} mmHg."
                );
                wrote = true;
            }
        }
    }
    if !findings.problems.is_empty() {
        let _ = writeln!(
            out,
            "- Repeat the failed tool calls once the problem above is resolved."
        );
        wrote = true;
    }
    if !wrote {
        out.push_str("- The tool results give nothing to schedule.\n");
    }
    out.push('\n');
}

fn list_line(out: &mut String, label: &str, items: &[String]) {
    if !items.is_empty() {
        let _ = writeln!(out, "{label}: {}", items.join("; "));
    }
}

fn text<'a>(value: &'a Value, key: &str) -> Option<&'a str> {
    value
        .get(key)?
        .as_str()
        .map(str::trim)
        .filter(|s| !s.is_empty())
}

/// A number field exactly as the tool wrote it (`30.9`, never re-rounded);
/// numbers sent as strings are taken too.
fn number(value: &Value, key: &str) -> Option<String> {
    match value.get(key)? {
        Value::Number(n) => Some(n.to_string()),
        Value::String(s) if s.trim().parse::<f64>().is_ok() => Some(s.trim().to_string()),
        _ => None,
    }
}

fn array<'a>(value: &'a Value, key: &str) -> &'a [Value] {
    value
        .get(key)
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or(&[])
}

fn strings(value: &Value, key: &str) -> Vec<String> {
    array(value, key)
        .iter()
        .filter_map(|item| match item {
            Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
            Value::Null | Value::String(_) => None,
            other => Some(other.to_string()),
        })
        .collect()
}

fn capitalize(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}
