//! The `offline` model: a deterministic planner (no network, no randomness,
//! no LLM) that speaks the Messages API shapes, so the demo and the tests run
//! the real tool-use loop without Claude.
//!
//! On a new question it reads the patient facts (`intake`) and asks for
//! every useful tool at once (parallel `tool_use` blocks); after the results
//! it may look up the first-line medications of the top condition; then it
//! writes the answer from the tool results alone (`report`).

mod intake;
mod report;

use std::collections::HashMap;

use futures::future::BoxFuture;
use serde_json::{json, Map, Value};

use crate::messages::{
    ContentBlock, Message, MessagesResponse, Role, StopReason, ToolDefinition, Usage,
};
use crate::provider::{ModelProvider, ModelRequest, ProviderError};
use intake::{Height, Intake, Weight};
use report::ToolResultView;

/// The name the offline model goes by in responses and traces.
pub const OFFLINE_MODEL_NAME: &str = "offline";

/// The first line of every offline answer, so nobody mistakes it for Claude.
pub const OFFLINE_BANNER: &str = "model: offline (deterministic planner, no LLM)";

const METRICS_TOOL: &str = "calculate_clinical_metrics";
const SEARCH_TOOL: &str = "search_medical_knowledge";
const MEDICATION_TOOL: &str = "lookup_medication";
const TOOL_USE_ID_PREFIX: &str = "toolu_offline_";
/// How many conditions to ask the knowledge base for.
const SEARCH_TOP_K: u64 = 3;
/// How many first-line medications of the top condition to look up.
const FOLLOW_UP_MEDICATIONS: usize = 3;

/// The offline planner. Same input, same output, every time.
#[derive(Debug, Clone, Copy, Default)]
pub struct OfflineModel;

impl OfflineModel {
    /// The planner (it has no settings).
    pub fn new() -> Self {
        OfflineModel
    }

    /// Answer one Messages request.
    ///
    /// `usage` is an approximation (a quarter of the characters of the
    /// serialized input and output), since there is no tokenizer here.
    pub fn respond(&self, request: &ModelRequest) -> MessagesResponse {
        let content = plan(&request.messages, &request.tools);
        let stop_reason = if content
            .iter()
            .any(|block| matches!(block, ContentBlock::ToolUse { .. }))
        {
            StopReason::ToolUse
        } else {
            StopReason::EndTurn
        };
        let assistant_turns = request
            .messages
            .iter()
            .filter(|m| m.role == Role::Assistant)
            .count();
        MessagesResponse {
            id: format!("msg_offline_{}", assistant_turns + 1),
            model: OFFLINE_MODEL_NAME.to_string(),
            role: Role::Assistant,
            usage: Usage {
                input_tokens: approximate_tokens(&json!([request.messages, request.tools])),
                output_tokens: approximate_tokens(&json!(content)),
            },
            content,
            stop_reason,
        }
    }
}

impl ModelProvider for OfflineModel {
    fn name(&self) -> &str {
        OFFLINE_MODEL_NAME
    }

    fn create(
        &self,
        request: ModelRequest,
    ) -> BoxFuture<'_, Result<MessagesResponse, ProviderError>> {
        let response = self.respond(&request);
        Box::pin(async move { Ok(response) })
    }
}

/// About four characters per token, the usual rule of thumb for English.
fn approximate_tokens(value: &Value) -> u64 {
    (value.to_string().chars().count() as u64).div_ceil(4)
}

/// The content of the next assistant message.
fn plan(messages: &[Message], tools: &[ToolDefinition]) -> Vec<ContentBlock> {
    let Some(question_at) = messages.iter().rposition(Message::is_user_prompt) else {
        return vec![ContentBlock::text(cannot_help(CannotHelp::NoQuestion))];
    };
    let mut ids = ToolUseIds::after(messages);
    let turn = &messages[question_at + 1..];
    let rounds = turn.iter().filter(|m| m.role == Role::Assistant).count();

    if rounds == 0 {
        let earlier: Vec<String> = messages[..question_at]
            .iter()
            .filter(|m| m.is_user_prompt())
            .map(Message::text)
            .collect();
        let earlier: Vec<&str> = earlier.iter().map(String::as_str).collect();
        let intake = Intake::from_questions(&earlier, &messages[question_at].text());
        let calls = first_calls(&intake, tools, &mut ids);
        if calls.is_empty() {
            let why = if tools.is_empty() {
                CannotHelp::NoTools
            } else {
                CannotHelp::NothingUsable
            };
            return vec![ContentBlock::text(cannot_help(why))];
        }
        return calls;
    }

    let results = tool_results(turn);
    // One follow-up round at most, so the planner always converges.
    if rounds == 1 {
        if let Some(call) = follow_up_call(&results, tools, &mut ids) {
            return vec![call];
        }
    }
    vec![ContentBlock::text(report::write(&results))]
}

/// Why the planner has nothing to do.
enum CannotHelp {
    NoQuestion,
    NoTools,
    NothingUsable,
}

fn cannot_help(why: CannotHelp) -> String {
    let reason = match why {
        CannotHelp::NoQuestion => "there is no question in the conversation",
        CannotHelp::NoTools => "the tool worker offers none of the tools I use",
        CannotHelp::NothingUsable => {
            "I found no height and weight, blood pressure, symptoms, conditions or \
             medication names in it that I can act on"
        }
    };
    format!(
        "{OFFLINE_BANNER}\n\nI cannot help with this question offline: {reason}.\n\n\
         Offline I can:\n\
         - compute clinical metrics (BMI and category, blood pressure category, BMR, \
         body surface area) from height, weight, age, sex and blood pressure;\n\
         - search the medical knowledge base for conditions matching symptoms;\n\
         - look up medications (dosing, renal adjustment, contraindications, \
         monitoring, interactions).\n\n\
         For open questions, use an Anthropic model (set ANTHROPIC_API_KEY)."
    )
}

/// Hands out `toolu_offline_<n>` ids, continuing after the highest one in
/// the conversation so ids stay unique even after old turns are dropped.
struct ToolUseIds {
    next: u64,
}

impl ToolUseIds {
    fn after(messages: &[Message]) -> Self {
        let highest = messages
            .iter()
            .flat_map(Message::tool_uses)
            .filter_map(|tool_use| tool_use.id.strip_prefix(TOOL_USE_ID_PREFIX)?.parse().ok())
            .max()
            .unwrap_or(0u64);
        ToolUseIds { next: highest + 1 }
    }

    fn tool_use(&mut self, name: &str, input: Value) -> ContentBlock {
        let id = format!("{TOOL_USE_ID_PREFIX}{}", self.next);
        self.next += 1;
        ContentBlock::ToolUse {
            id,
            name: name.to_string(),
            input,
        }
    }
}

/// What a tool's input schema allows: the declared properties (all, if it
/// declares none) and the required ones.
struct SchemaFit<'a> {
    properties: Option<&'a Map<String, Value>>,
    required: Vec<&'a str>,
}

impl<'a> SchemaFit<'a> {
    fn of(tool: &'a ToolDefinition) -> Self {
        let schema = &tool.input_schema;
        SchemaFit {
            properties: schema.get("properties").and_then(Value::as_object),
            required: schema
                .get("required")
                .and_then(Value::as_array)
                .map(|names| names.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default(),
        }
    }

    fn allows(&self, property: &str) -> bool {
        self.properties.is_none_or(|p| p.contains_key(property))
    }

    /// The input, if it gives every required property.
    fn complete(&self, input: Map<String, Value>) -> Option<Value> {
        self.required
            .iter()
            .all(|name| input.contains_key(*name))
            .then_some(Value::Object(input))
    }
}

fn find_tool<'a>(tools: &'a [ToolDefinition], name: &str) -> Option<&'a ToolDefinition> {
    tools.iter().find(|tool| tool.name == name)
}

/// Whole numbers as JSON integers (`180`, not `180.0`).
fn json_number(value: f64) -> Value {
    if value.fract() == 0.0 && value.abs() < 1e15 {
        json!(value as i64)
    } else {
        json!((value * 100.0).round() / 100.0)
    }
}

/// The parallel calls that answer a new question.
fn first_calls(
    intake: &Intake,
    tools: &[ToolDefinition],
    ids: &mut ToolUseIds,
) -> Vec<ContentBlock> {
    let mut calls = Vec::new();
    if intake.wants_metrics {
        if let Some(input) = find_tool(tools, METRICS_TOOL).and_then(|t| metrics_input(intake, t)) {
            calls.push(ids.tool_use(METRICS_TOOL, input));
        }
    }
    if !intake.symptoms.is_empty() {
        if let Some(input) =
            find_tool(tools, SEARCH_TOOL).and_then(|t| search_input(&intake.symptoms.join(" "), t))
        {
            calls.push(ids.tool_use(SEARCH_TOOL, input));
        }
    }
    if !intake.medications.is_empty() {
        if let Some(input) =
            find_tool(tools, MEDICATION_TOOL).and_then(|t| medication_input(&intake.medications, t))
        {
            calls.push(ids.tool_use(MEDICATION_TOOL, input));
        }
    }
    calls
}

/// Input for the metrics tool in the units its schema takes; `None` unless
/// it can compute something (height and weight, or blood pressure).
fn metrics_input(intake: &Intake, tool: &ToolDefinition) -> Option<Value> {
    let fit = SchemaFit::of(tool);
    let mut input = Map::new();
    let mut put = |key: &str, value: Value| {
        if fit.allows(key) {
            input.insert(key.to_string(), value);
            true
        } else {
            false
        }
    };
    let height_given = match intake.height {
        Some(Height::FeetInches { feet, inches }) => {
            (fit.allows("height_feet")
                && put("height_feet", json_number(feet))
                && put("height_inches", json_number(inches)))
                || put("height_inches", json_number(feet * 12.0 + inches))
                || put("height_cm", json_number((feet * 12.0 + inches) * 2.54))
        }
        Some(Height::Inches(inches)) => {
            put("height_inches", json_number(inches))
                || put("height_cm", json_number(inches * 2.54))
        }
        Some(Height::Cm(cm)) => {
            put("height_cm", json_number(cm)) || put("height_inches", json_number(cm / 2.54))
        }
        None => false,
    };
    let weight_given = match intake.weight {
        Some(Weight::Lb(lb)) => {
            put("weight_lb", json_number(lb)) || put("weight_kg", json_number(lb * 0.453_592_37))
        }
        Some(Weight::Kg(kg)) => {
            put("weight_kg", json_number(kg)) || put("weight_lb", json_number(kg / 0.453_592_37))
        }
        None => false,
    };
    if let Some(age) = intake.age_years {
        put("age_years", json!(age));
    }
    if let Some(sex) = intake.sex {
        put("sex", json!(sex.as_str()));
    }
    let bp_given = match intake.blood_pressure {
        Some((systolic, diastolic)) => {
            put("systolic_bp", json!(systolic)) && put("diastolic_bp", json!(diastolic))
        }
        None => false,
    };
    let usable = (height_given && weight_given) || bp_given;
    if !usable {
        return None;
    }
    fit.complete(input)
}

fn search_input(query: &str, tool: &ToolDefinition) -> Option<Value> {
    let fit = SchemaFit::of(tool);
    let mut input = Map::new();
    input.insert("query".to_string(), json!(query));
    if fit.allows("top_k") {
        input.insert("top_k".to_string(), json!(SEARCH_TOP_K));
    }
    fit.complete(input)
}

fn medication_input(medications: &[String], tool: &ToolDefinition) -> Option<Value> {
    let fit = SchemaFit::of(tool);
    let mut input = Map::new();
    input.insert("medications".to_string(), json!(medications));
    fit.complete(input)
}

/// Every tool result of the current turn, with the call it answers.
fn tool_results(turn: &[Message]) -> Vec<ToolResultView> {
    let mut calls: HashMap<&str, (&str, &Value)> = HashMap::new();
    let mut results = Vec::new();
    for message in turn {
        for block in &message.content {
            match block {
                ContentBlock::ToolUse { id, name, input } => {
                    calls.insert(id, (name, input));
                }
                ContentBlock::ToolResult {
                    tool_use_id,
                    content,
                    is_error,
                } => {
                    let (name, input) = calls
                        .get(tool_use_id.as_str())
                        .copied()
                        .unwrap_or(("unknown tool", &Value::Null));
                    results.push(ToolResultView {
                        name: name.to_string(),
                        input: input.clone(),
                        content: content.clone(),
                        is_error: *is_error,
                    });
                }
                ContentBlock::Text { .. } => {}
            }
        }
    }
    results
}

/// A lookup of the top condition's first-line medications, unless they were
/// all looked up already (or nothing was found).
fn follow_up_call(
    results: &[ToolResultView],
    tools: &[ToolDefinition],
    ids: &mut ToolUseIds,
) -> Option<ContentBlock> {
    let tool = find_tool(tools, MEDICATION_TOOL)?;
    let looked_up: Vec<String> = results
        .iter()
        .filter(|r| r.name == MEDICATION_TOOL)
        .filter_map(|r| r.input.get("medications")?.as_array().cloned())
        .flatten()
        .filter_map(|m| m.as_str().map(str::to_lowercase))
        .collect();
    let top = results
        .iter()
        .filter(|r| r.name == SEARCH_TOOL && !r.is_error)
        .find_map(|r| {
            let output: Value = serde_json::from_str(&r.content).ok()?;
            output.get("results")?.as_array()?.first().cloned()
        })?;
    let mut wanted: Vec<String> = Vec::new();
    for medication in top.get("first_line_medications")?.as_array()? {
        let Some(name) = medication.as_str().map(str::trim) else {
            continue;
        };
        let lower = name.to_lowercase();
        if !name.is_empty() && !looked_up.contains(&lower) && !wanted.contains(&lower) {
            wanted.push(lower);
        }
    }
    wanted.truncate(FOLLOW_UP_MEDICATIONS);
    if wanted.is_empty() {
        return None;
    }
    let input = medication_input(&wanted, tool)?;
    Some(ids.tool_use(MEDICATION_TOOL, input))
}
