//! The offline planner: which tools it asks for, with what input, and the
//! answer it writes from the results, alone and through the real loop with
//! the fake worker.

use std::sync::Arc;

use serde_json::{json, Value};
use trellis_agent::messages::{
    ContentBlock, Message, MessagesResponse, StopReason, ToolDefinition,
};
use trellis_agent::offline::{OfflineModel, OFFLINE_BANNER};
use trellis_agent::provider::ModelRequest;
use trellis_agent::worker_client::{tool_definition, WorkerClient};
use trellis_agent::Agent;

use crate::fakes::{tool_list, FakeWorker, FAKE_BMI};

const SEED: &str = "I have a 45-year-old female patient, 5'4\" tall, 180 lbs, presenting with fatigue and increased thirst. What conditions should I evaluate for, and what are the treatment options?";

fn tools() -> Vec<ToolDefinition> {
    serde_json::from_value::<trellis_api::worker::ToolList>(tool_list())
        .unwrap()
        .tools
        .iter()
        .map(tool_definition)
        .collect()
}

fn ask(messages: Vec<Message>, tools: Vec<ToolDefinition>) -> MessagesResponse {
    OfflineModel::new().respond(&ModelRequest { messages, tools })
}

fn tool_uses(response: &MessagesResponse) -> Vec<(String, String, Value)> {
    response
        .content
        .iter()
        .filter_map(|b| match b {
            ContentBlock::ToolUse { id, name, input } => {
                Some((id.clone(), name.clone(), input.clone()))
            }
            _ => None,
        })
        .collect()
}

fn text(response: &MessagesResponse) -> String {
    trellis_agent::messages::join_text(&response.content)
}

/// Index of each needle in `haystack`, asserting all are present.
fn positions(haystack: &str, needles: &[&str]) -> Vec<usize> {
    needles
        .iter()
        .map(|n| {
            haystack
                .find(n)
                .unwrap_or_else(|| panic!("`{n}` missing from:\n{haystack}"))
        })
        .collect()
}

#[test]
fn the_seed_question_asks_for_metrics_and_a_search_in_parallel() {
    let response = ask(vec![Message::user_text(SEED)], tools());

    assert_eq!(response.stop_reason, StopReason::ToolUse);
    assert_eq!(response.model, "offline");
    let calls = tool_uses(&response);
    assert_eq!(calls.len(), 2, "{calls:?}");
    assert_eq!(calls[0].0, "toolu_offline_1");
    assert_eq!(calls[0].1, "calculate_clinical_metrics");
    assert_eq!(
        calls[0].2,
        json!({"height_feet": 5, "height_inches": 4, "weight_lb": 180, "age_years": 45, "sex": "female"})
    );
    assert_eq!(calls[1].0, "toolu_offline_2");
    assert_eq!(calls[1].1, "search_medical_knowledge");
    let query = calls[1].2["query"].as_str().unwrap();
    assert!(
        query.contains("fatigue") && query.contains("thirst"),
        "{query}"
    );
    assert_eq!(calls[1].2["top_k"], 3);
    assert!(response.usage.input_tokens > 0 && response.usage.output_tokens > 0);
}

#[test]
fn the_planner_is_deterministic() {
    let request = || vec![Message::user_text(SEED)];
    assert_eq!(ask(request(), tools()), ask(request(), tools()));
}

#[test]
fn only_tools_on_offer_are_used_in_the_units_their_schema_takes() {
    let metric_only = ToolDefinition {
        name: "calculate_clinical_metrics".into(),
        description: "metrics".into(),
        input_schema: json!({"type": "object", "properties": {
            "height_cm": {"type": "number"}, "weight_kg": {"type": "number"}
        }}),
    };

    let response = ask(vec![Message::user_text(SEED)], vec![metric_only]);

    let calls = tool_uses(&response);
    assert_eq!(calls.len(), 1, "no search tool on offer: {calls:?}");
    assert_eq!(calls[0].2["height_cm"], 162.56);
    assert_eq!(calls[0].2["weight_kg"], 81.65);
    assert!(calls[0].2.get("age_years").is_none(), "not in this schema");
}

#[test]
fn a_question_with_nothing_usable_gets_a_plain_cannot_help() {
    let response = ask(
        vec![Message::user_text("What is the meaning of life?")],
        tools(),
    );

    assert_eq!(response.stop_reason, StopReason::EndTurn);
    assert!(tool_uses(&response).is_empty());
    let answer = text(&response);
    assert!(answer.starts_with(OFFLINE_BANNER));
    assert!(answer.contains("I cannot help with this question offline"));
    assert!(answer.contains("BMI") && answer.contains("look up medications"));
}

#[test]
fn with_no_tools_on_offer_it_says_so() {
    let response = ask(vec![Message::user_text(SEED)], vec![]);

    assert_eq!(response.stop_reason, StopReason::EndTurn);
    assert!(text(&response).contains("the tool worker offers none of the tools I use"));
}

#[tokio::test]
async fn the_seed_question_end_to_end_follows_up_on_medications_and_answers_from_the_results() {
    let worker = FakeWorker::start().await;
    let agent = Agent::new(
        Arc::new(OfflineModel::new()),
        WorkerClient::new(&worker.url).unwrap(),
        8,
    );

    let outcome = agent.run_turn(&[], SEED).await.unwrap();

    let names: Vec<&str> = outcome.tool_calls.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "calculate_clinical_metrics",
            "search_medical_knowledge",
            "lookup_medication"
        ]
    );
    assert_eq!(
        outcome.tool_calls[2].input,
        json!({"medications": ["metformin"]})
    );
    assert_eq!(outcome.model_calls, 3);
    assert_eq!(outcome.stop_reason, "end_turn");
    let received = worker.calls();
    assert_eq!(
        received.len(),
        3,
        "the worker ran every call once: {received:?}"
    );
    assert!(
        received
            .iter()
            .any(|c| c.name == "lookup_medication"
                && c.input == json!({"medications": ["metformin"]}))
    );

    let answer = &outcome.response;
    assert!(answer.starts_with("model: offline (deterministic planner, no LLM)\n"));
    let at = positions(
        answer,
        &[
            "**Assessment**",
            "**Recommendations**",
            "**Follow-up**",
            "not a substitute for clinical judgement",
        ],
    );
    assert!(
        at.windows(2).all(|w| w[0] < w[1]),
        "sections out of order:\n{answer}"
    );
    // Numbers are the tool's, not recomputed: the fake reports 31.7.
    assert!(
        answer.contains(&format!("BMI {FAKE_BMI} kg/m² — obese, obesity class I")),
        "{answer}"
    );
    assert!(!answer.contains("30.9"), "{answer}");
    assert!(answer.contains("Type 2 diabetes mellitus (match score 0.87)"));
    assert!(answer.contains("Tests to order: HbA1c; fasting plasma glucose"));
    assert!(answer.contains("Metformin (biguanide; brands: Glucophage)"));
    assert!(answer.contains("Adult dosing: 500 mg once daily with a meal"));
    assert!(answer.contains("Renal adjustment: avoid if eGFR < 30"));
    assert!(answer.contains("Monitor on metformin: renal function yearly"));
    let follow_up = &answer[at[2]..];
    assert!(follow_up.contains("Order to confirm or exclude Type 2 diabetes mellitus: HbA1c"));
    assert!(follow_up.contains("Order to confirm or exclude Hypothyroidism: TSH; free T4."));
    // One medication: there is no pair to check for interactions.
    assert!(!answer.contains("No interactions found"), "{answer}");
}

#[tokio::test]
async fn a_follow_up_naming_drugs_looks_them_up_and_reports_the_interaction() {
    let worker = FakeWorker::start().await;
    let agent = Agent::new(
        Arc::new(OfflineModel::new()),
        WorkerClient::new(&worker.url).unwrap(),
        8,
    );
    let first = agent.run_turn(&[], SEED).await.unwrap();

    let second = agent
        .run_turn(
            &first.messages,
            "She is also taking Zestril. Any interactions with metformin?",
        )
        .await
        .unwrap();

    assert_eq!(second.tool_calls.len(), 1, "{:?}", second.tool_calls);
    assert_eq!(second.tool_calls[0].name, "lookup_medication");
    assert_eq!(
        second.tool_calls[0].input,
        json!({"medications": ["lisinopril", "metformin"]})
    );
    // Ids continue after the first turn's.
    let ids: Vec<String> = second
        .messages
        .iter()
        .flat_map(|m| m.tool_uses().map(|t| t.id.to_string()).collect::<Vec<_>>())
        .collect();
    assert_eq!(ids, ["toolu_offline_4"]);
    assert!(second.response.contains(
        "Interaction lisinopril + metformin (moderate): ACE inhibitors can increase the glucose-lowering effect."
    ), "{}", second.response);
}

#[tokio::test]
async fn a_follow_up_with_blood_pressure_reuses_the_patients_measurements() {
    let worker = FakeWorker::start().await;
    let agent = Agent::new(
        Arc::new(OfflineModel::new()),
        WorkerClient::new(&worker.url).unwrap(),
        8,
    );
    let first = agent.run_turn(&[], SEED).await.unwrap();

    let second = agent
        .run_turn(
            &first.messages,
            "Her BP today is 150/95 mmHg. Does that change anything?",
        )
        .await
        .unwrap();

    assert_eq!(second.tool_calls.len(), 1);
    assert_eq!(
        second.tool_calls[0].input,
        json!({"height_feet": 5, "height_inches": 4, "weight_lb": 180, "age_years": 45,
               "sex": "female", "systolic_bp": 150, "diastolic_bp": 95})
    );
    assert!(second
        .response
        .contains("Blood pressure 150/95 mmHg — stage 2 hypertension."));
}

#[tokio::test]
async fn a_failed_tool_is_reported_plainly_in_the_answer() {
    let worker = FakeWorker::start().await;
    let agent = Agent::new(
        Arc::new(OfflineModel::new()),
        WorkerClient::new(&worker.url).unwrap(),
        8,
    );

    let outcome = agent
        .run_turn(&[], "What is the usual dose of foxapril?")
        .await
        .unwrap();

    assert_eq!(outcome.tool_calls.len(), 1);
    assert!(outcome.tool_calls[0].is_error);
    assert!(
        outcome.response.contains(
            "lookup_medication failed: unknown medication `foxapril`; closest matches: metformin, lisinopril"
        ),
        "{}",
        outcome.response
    );
    assert!(outcome.response.contains("**Recommendations**"));
}
