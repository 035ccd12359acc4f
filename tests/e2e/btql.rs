//! BTQL over real traces: demo conversations run through `trellis ask`,
//! `trellis server` and `trellis worker` (offline model), then the seed's
//! queries through `POST /btql` and the canned queries of `trellis traces`.

use std::time::Duration;

use serde_json::{json, Value};

use crate::support::{http, wait_for, Background, TracedStack};

const PROJECT: &str = "trellis-demo";
const PATIENCE: Duration = Duration::from_secs(60);
/// Asked in this order, each its own conversation. Only the first gives a
/// height and weight, so only it calls the BMI tool (health_risk 0.3).
const QUESTIONS: [&str; 3] = [
    "I have a 45-year-old female patient, 5'4\" tall, 180 lbs, presenting with fatigue and \
     increased thirst. What conditions should I evaluate for, and what are the treatment options?",
    "What dose of metformin should she start on?",
    "What are the side effects of lisinopril?",
];
const TOOLS: [&str; 3] = [
    "calculate_clinical_metrics",
    "search_medical_knowledge",
    "lookup_medication",
];

/// What one `trellis ask --json` conversation answered.
struct Asked {
    trace_id: String,
    tools: Vec<String>,
}

/// `POST {server}/btql` with `query`: (status, body).
fn btql(server: &str, query: &str) -> (u16, Value) {
    let response = http()
        .post(format!("{server}/btql"))
        .json(&json!({ "query": query }))
        .send()
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().unwrap())
}

/// The rows of a query that must succeed.
fn rows(server: &str, query: &str) -> Vec<Value> {
    let (status, body) = btql(server, query);
    assert_eq!(status, 200, "{query}\n→ {body}");
    body["data"].as_array().unwrap().clone()
}

/// Runs each of [`QUESTIONS`] as a conversation and waits until every span
/// they produced that the queries look at is stored: the conversation roots
/// (flushed before `ask` exits) and the worker's tool spans (which arrive
/// on their own).
fn run_conversations(stack: &TracedStack) -> Vec<Asked> {
    let server = &stack.server.url;
    let asked: Vec<Asked> = QUESTIONS
        .iter()
        .map(|question| {
            let (code, stdout, stderr) =
                Background::spawn(&["ask", "--server", server, "--json", question], &[])
                    .finish(PATIENCE);
            assert_eq!(code, 0, "stderr: {stderr}");
            let response: Value = serde_json::from_str(stdout.trim()).unwrap();
            Asked {
                trace_id: response["trace_id"].as_str().unwrap().to_string(),
                tools: response["tool_calls"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|c| c["name"].as_str().unwrap().to_string())
                    .collect(),
            }
        })
        .collect();
    let tool_calls: usize = asked.iter().map(|a| a.tools.len()).sum();
    let count = |filter: &str| {
        let query = format!("SELECT count(*) AS n FROM project_logs('{PROJECT}') WHERE {filter}");
        match btql(server, &query) {
            (200, body) => body["data"][0]["n"].as_u64().unwrap_or(0) as usize,
            _ => 0, // 404 until the first span of the project is stored
        }
    };
    let stored = wait_for(Duration::from_secs(30), &mut || {
        (count("span_attributes.name = 'client_conversation'") == QUESTIONS.len()
            && count("span_attributes.type = 'tool'") == tool_calls)
            .then_some(())
    });
    assert!(
        stored.is_some(),
        "the conversations' spans were not all stored within 30 s"
    );
    asked
}

#[test]
fn seed_queries_return_the_demo_conversations_through_post_btql() {
    let stack = TracedStack::start();
    let asked = run_conversations(&stack);
    let server = &stack.server.url;
    assert!(
        asked[0].tools.iter().any(|t| t == TOOLS[0]),
        "the first question computes the BMI: {:?}",
        asked[0].tools
    );

    // (a) Every conversation with its question, answer and turns.
    let all = rows(
        server,
        "SELECT output.patient_query, output.final_response, output.turns \
         FROM project_logs('trellis-demo') WHERE span_attributes.name = 'client_conversation'",
    );
    assert_eq!(all.len(), QUESTIONS.len(), "{all:#?}");
    for question in QUESTIONS {
        let row = all
            .iter()
            .find(|r| r["patient_query"] == question)
            .unwrap_or_else(|| panic!("no row for {question:?}: {all:#?}"));
        let answer = row["final_response"].as_str().unwrap();
        assert!(!answer.trim().is_empty(), "{row:#}");
        let turns = row["turns"].as_array().unwrap();
        assert_eq!(turns.len(), 1, "{row:#}");
        assert_eq!(turns[0]["query"], question);
        assert_eq!(turns[0]["response"], answer);
    }

    // (b) The ten most recent, newest first.
    let recent = rows(
        server,
        "SELECT span_id, output.conversation_id, output.patient_query, output.final_response \
         FROM project_logs('trellis-demo') WHERE span_attributes.name = 'client_conversation' \
         ORDER BY created DESC LIMIT 10",
    );
    let questions: Vec<&str> = recent
        .iter()
        .map(|r| r["patient_query"].as_str().unwrap())
        .collect();
    let newest_first: Vec<&str> = QUESTIONS.iter().rev().copied().collect();
    assert_eq!(questions, newest_first);
    for row in &recent {
        assert!(!row["final_response"].as_str().unwrap().trim().is_empty());
        assert!(!row["conversation_id"].as_str().unwrap().is_empty());
        assert_eq!(row["span_id"].as_str().unwrap().len(), 16, "{row:#}");
    }

    // (c) No conversation was scored for completeness, so none is low.
    let low = rows(
        server,
        "SELECT span_id, output.conversation_id, output.patient_query \
         FROM project_logs('trellis-demo') WHERE span_attributes.name = 'client_conversation' \
         AND scores.clinical_completeness < 0.5",
    );
    assert_eq!(low, Vec::<Value>::new());

    // The same filter on a score that is logged: the BMI tool's health risk.
    let risky = rows(
        server,
        "SELECT span_attributes.name, scores.health_risk, root_span_id \
         FROM project_logs('trellis-demo') \
         WHERE span_attributes.type = 'tool' AND scores.health_risk < 0.5",
    );
    let bmi_calls: Vec<&Asked> = asked
        .iter()
        .flat_map(|a| a.tools.iter().filter(|t| *t == TOOLS[0]).map(move |_| a))
        .collect();
    assert_eq!(risky.len(), bmi_calls.len(), "{risky:#?}");
    for (row, asked) in risky.iter().zip(&bmi_calls) {
        assert_eq!(row["name"], TOOLS[0]);
        assert_eq!(row["health_risk"], 0.3);
        assert_eq!(row["root_span_id"], asked.trace_id);
    }

    // The pipe dialect, oldest first.
    let piped = rows(
        server,
        "select: output.patient_query | from: project_logs('trellis-demo') \
         | filter: span_attributes.name = 'client_conversation' | sort: created asc",
    );
    let questions: Vec<&str> = piped
        .iter()
        .map(|r| r["patient_query"].as_str().unwrap())
        .collect();
    assert_eq!(questions, QUESTIONS);

    // A query that does not parse: 400 pointing at the mistake.
    let (status, body) = btql(
        server,
        "SELECT span_id FROM project_logs('trellis-demo') WHER span_id = 'x'",
    );
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["error"]["kind"], "bad_request");
    let message = body["error"]["message"].as_str().unwrap();
    assert!(message.starts_with("line 1, column 50: "), "{message}");
    assert!(message.contains("WHER"), "{message}");

    // A project nothing was logged to: 404 naming it.
    let (status, body) = btql(
        server,
        "SELECT span_id FROM project_logs('no-such-project')",
    );
    assert_eq!(status, 404, "{body}");
    assert_eq!(body["error"]["kind"], "not_found");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("no-such-project"),
        "{body}"
    );
}

#[test]
fn traces_subcommands_print_the_seed_queries_as_tables() {
    let stack = TracedStack::start();
    let asked = run_conversations(&stack);
    let server = stack.server.url.clone();
    let traces = |args: &[&str]| {
        let mut all = vec!["traces"];
        all.extend_from_slice(args);
        all.extend_from_slice(&["--server", &server]);
        Background::spawn(&all, &[]).finish(PATIENCE)
    };

    let (code, stdout, stderr) = traces(&["recent"]);
    assert_eq!(code, 0, "stderr: {stderr}");
    let lines: Vec<&str> = stdout.lines().collect();
    assert!(lines[0].starts_with("created"), "{stdout}");
    assert!(lines[0].contains("patient_query"), "{stdout}");
    assert_eq!(lines.len(), 1 + QUESTIONS.len(), "{stdout}");
    // Newest first; the long question is cut to fit its column.
    assert!(lines[1].contains(QUESTIONS[2]), "{stdout}");
    assert!(lines[1].contains(&asked[2].trace_id), "{stdout}");
    assert!(lines[2].contains(QUESTIONS[1]), "{stdout}");
    assert!(
        lines[3].contains("I have a 45-year-old female patient"),
        "{stdout}"
    );
    assert!(lines[3].contains('…'), "{stdout}");

    let (code, stdout, stderr) = traces(&["search", "METFORMIN", "--json"]);
    assert_eq!(code, 0, "stderr: {stderr}");
    let found: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(found.as_array().unwrap().len(), 1, "{stdout}");
    assert_eq!(found[0]["patient_query"], QUESTIONS[1]);
    assert_eq!(found[0]["trace_id"], asked[1].trace_id);

    let (code, stdout, stderr) = traces(&["tools"]);
    assert_eq!(code, 0, "stderr: {stderr}");
    let header = stdout.lines().next().unwrap();
    for column in ["tool", "calls", "mean_ms", "p95_ms", "errors"] {
        assert!(header.contains(column), "{stdout}");
    }
    for tool in TOOLS {
        let calls = asked
            .iter()
            .flat_map(|a| &a.tools)
            .filter(|t| *t == tool)
            .count();
        let line = stdout
            .lines()
            .find(|l| l.starts_with(tool))
            .unwrap_or_else(|| panic!("{tool} missing:\n{stdout}"));
        let cells: Vec<&str> = line.split_whitespace().collect();
        assert_eq!(cells[1], calls.to_string(), "{stdout}");
        assert_eq!(cells[4], "0%", "{stdout}");
    }

    let (code, stdout, stderr) = traces(&["low-scores", "health_risk"]);
    assert_eq!(code, 0, "stderr: {stderr}");
    let line = stdout.lines().nth(1).unwrap_or_else(|| panic!("{stdout}"));
    assert!(line.contains(TOOLS[0]) && line.contains("0.3"), "{stdout}");
    assert!(line.contains(&asked[0].trace_id), "{stdout}");

    let (code, stdout, stderr) = traces(&["conversation", &asked[0].trace_id]);
    assert_eq!(code, 0, "stderr: {stderr}");
    assert!(stdout.contains("1 turn · "), "{stdout}");
    for tool in &asked[0].tools {
        assert!(
            stdout
                .lines()
                .any(|l| l.starts_with("tool") && l.contains(tool.as_str())),
            "{tool} missing:\n{stdout}"
        );
    }
    assert!(stdout.contains("claude_messages_create"), "{stdout}");

    let (code, stdout, stderr) = traces(&[
        "query",
        "select: span_attributes.name | from: project_logs('trellis-demo') \
         | filter: span_attributes.name = 'client_conversation' | limit: 1",
    ]);
    assert_eq!(code, 0, "stderr: {stderr}");
    assert_eq!(stdout, "name\nclient_conversation\n");

    let (code, stdout, stderr) = traces(&[
        "query",
        "SELECT span_id FROM project_logs('trellis-demo') WHER span_id = 'x'",
    ]);
    assert_eq!(code, 1, "stdout: {stdout}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.starts_with("error: line 1, column 50: ") && stderr.contains("WHER"),
        "{stderr}"
    );

    drop(stack);
    let (code, _, stderr) = traces(&["recent"]);
    assert_eq!(code, 1);
    assert!(
        stderr.starts_with("error: cannot reach the Trellis server at "),
        "{stderr}"
    );
}
