//! Logs → datasets → experiments → gates, through the real binaries: demo
//! conversations with the offline model, the three kinds of dataset built
//! from their traces, experiments scored by the built-in scorers, the
//! example WASM scorer and `llm_judge` (through a fake Messages API), a
//! baseline comparison, and a gate that fails the command.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::State;
use axum::http::HeaderMap;
use axum::Json;
use serde_json::{json, Value};

use crate::support::{http, repo, run, serve_in_background, wait_for, TracedStack};

const QUESTIONS: [&str; 3] = [
    "I have a 45-year-old female patient, 5'4\" tall, 180 lbs, presenting with fatigue and \
     increased thirst. What conditions should I evaluate for, and what are the treatment options?",
    "A 62-year-old man on lisinopril and ibuprofen: any interactions I should worry about?",
    "What is the BMI of a 30-year-old woman who is 170 cm tall and weighs 65 kg?",
];

const BUILTINS: &str =
    "length_score,contains_clinical_metrics,mentions_medications,follows_medical_structure";

fn btql(server: &str, query: &str) -> Vec<Value> {
    let response = http()
        .post(format!("{server}/btql"))
        .json(&json!({ "query": query }))
        .send()
        .unwrap();
    let status = response.status();
    let body: Value = response.json().unwrap();
    assert!(status.is_success(), "{query}: {body}");
    body["data"].as_array().unwrap().clone()
}

/// `trellis ARGS`, asserting success; returns stdout.
fn trellis_ok(args: &[&str], env: &[(&str, &str)]) -> String {
    let (code, out, err) = run(args, env);
    assert_eq!(
        code, 0,
        "trellis {args:?} failed\nstdout:\n{out}\nstderr:\n{err}"
    );
    out
}

/// The fake Messages API the judge talks to: rates every answer 0.8 except
/// the one about lisinopril, which it refuses to rate.
type Requests = Arc<Mutex<Vec<(HeaderMap, Value)>>>;

async fn judge_api(
    State(seen): State<Requests>,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> Json<Value> {
    let prompt = body["messages"][0]["content"].to_string();
    let text = if prompt.contains("lisinopril") {
        "I would rather not give a number."
    } else {
        "Score: 0.8"
    };
    seen.lock().unwrap().push((headers, body));
    Json(json!({
        "id": "msg_judge", "type": "message", "role": "assistant",
        "model": "claude-judge-test",
        "content": [{"type": "text", "text": text}],
        "stop_reason": "end_turn", "stop_sequence": null,
        "usage": {"input_tokens": 200, "output_tokens": 4}
    }))
}

#[test]
fn logs_become_datasets_experiments_compare_and_gates_fail_the_command() {
    let stack = TracedStack::start();
    let server = stack.server.url.clone();
    let scorers_dir = repo().join("plugins/dist/scorers");
    assert!(
        scorers_dir.join("safety_scorer.wasm").is_file(),
        "plugins/dist/scorers/safety_scorer.wasm is missing: run `make plugins` (make test does)"
    );
    let cache = tempfile::tempdir().unwrap();
    let scorer_flags = [
        "--scorer-plugins",
        scorers_dir.to_str().unwrap(),
        "--cache",
        cache.path().to_str().unwrap(),
    ];
    let env = [("TRELLIS_SERVER", server.as_str())];

    // Production traffic: three conversations, the first using all three tools.
    for question in QUESTIONS {
        trellis_ok(&["ask", question], &env);
    }
    // Every conversation's root and the worker's tool spans have arrived.
    let arrived = wait_for(Duration::from_secs(20), &mut || {
        let roots = btql(&server, "SELECT id FROM project_logs('trellis-demo') WHERE span_attributes.name = 'client_conversation'");
        let tools = btql(
            &server,
            "SELECT id FROM project_logs('trellis-demo') WHERE span_attributes.type = 'tool'",
        );
        (roots.len() == 3 && tools.len() >= 5).then_some(())
    });
    assert!(
        arrived.is_some(),
        "the conversations' spans never all arrived"
    );

    // Logs → datasets, three ways; rebuilding adds no duplicates.
    let out = trellis_ok(
        &[
            "dataset",
            "from-logs",
            "--recent",
            "10",
            "--name",
            "Production Healthcare Cases",
        ],
        &env,
    );
    assert!(
        out.contains("3 rows added, 0 already there, 3 rows in all"),
        "{out}"
    );
    let out = trellis_ok(
        &[
            "dataset",
            "from-logs",
            "--recent",
            "10",
            "--name",
            "Production Healthcare Cases",
        ],
        &env,
    );
    assert!(out.contains("0 rows added, 3 already there"), "{out}");
    let out = trellis_ok(
        &[
            "dataset",
            "from-logs",
            "--search",
            "THIRST",
            "--name",
            "Diabetes Cases",
        ],
        &env,
    );
    assert!(out.contains("1 rows added"), "{out}");
    let out = trellis_ok(
        &[
            "dataset",
            "from-logs",
            "--complex",
            "--name",
            "Complex Multi-Tool Cases",
        ],
        &env,
    );
    let complex: usize = out
        .split(" rows in all")
        .next()
        .and_then(|s| s.rsplit(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no row count in {out}"));
    assert!((1..3).contains(&complex), "multi-tool conversations: {out}");

    let list = trellis_ok(&["dataset", "list"], &env);
    for name in [
        "Production Healthcare Cases",
        "Diabetes Cases",
        "Complex Multi-Tool Cases",
    ] {
        assert!(list.contains(name), "{list}");
    }
    // The row shape of the healthcare example, queryable as dataset('…').
    let rows = btql(
        &server,
        "SELECT id, input, expected, metadata, tags FROM dataset('Diabetes Cases')",
    );
    assert_eq!(rows.len(), 1);
    let row = &rows[0];
    assert!(row["input"]["patient_query"]
        .as_str()
        .unwrap()
        .contains("increased thirst"));
    assert!(row["expected"]["final_response"]
        .as_str()
        .unwrap()
        .contains("BMI"));
    assert_eq!(row["metadata"]["source"], "production_logs");
    assert_eq!(row["metadata"]["total_turns"], 1);
    assert_eq!(row["id"], row["metadata"]["conversation_id"]);
    assert_eq!(row["tags"], json!(["production", "healthcare"]));

    // Export → import round trip through JSONL.
    let exported = tempfile::NamedTempFile::new().unwrap();
    let path = exported.path().to_str().unwrap();
    trellis_ok(
        &[
            "dataset",
            "export",
            "Production Healthcare Cases",
            "--output",
            path,
        ],
        &env,
    );
    assert_eq!(std::fs::read_to_string(path).unwrap().lines().count(), 3);
    let out = trellis_ok(&["dataset", "import", "Copy", path], &env);
    assert!(out.contains("3 rows read, 3 added"), "{out}");

    // Experiment 1: replay the recorded answers with the built-in scorers
    // and the example WASM scorer.
    let scorers = format!("{BUILTINS},safety_scorer");
    let mut args = vec![
        "eval",
        "--dataset",
        "Production Healthcare Cases",
        "--name",
        "first",
        "--scorers",
        &scorers,
        "--json",
    ];
    args.extend(scorer_flags);
    let out = trellis_ok(&args, &env);
    let report: Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}"));
    let first = &report["experiments"][0];
    assert_eq!(first["rows"], 3);
    assert_eq!(first["errors"], 0);
    let names: Vec<&str> = first["scores"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    for name in BUILTINS
        .split(',')
        .chain(["safety_escalation", "hedged_language"])
    {
        assert!(names.contains(&name), "{name} missing from {names:?}");
    }
    for score in first["scores"].as_array().unwrap() {
        let mean = score["mean"].as_f64().unwrap();
        assert!((0.0..=1.0).contains(&mean), "{score}");
        assert_eq!(score["scored"], 3, "{score}");
    }
    let length_mean = first["scores"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == "length_score")
        .unwrap()["mean"]
        .as_f64()
        .unwrap();

    // Stored as an experiment: eval → task → score spans, not in the logs.
    let evals = btql(&server, "SELECT input, output, scores, metadata FROM experiment('first') WHERE span_attributes.type = 'eval'");
    assert_eq!(evals.len(), 3);
    assert!(evals
        .iter()
        .all(|e| e["scores"]["length_score"].is_number()
            && e["scores"]["hedged_language"].is_number()));
    let tasks = btql(
        &server,
        "SELECT id FROM experiment('first') WHERE span_attributes.type = 'task'",
    );
    assert_eq!(tasks.len(), 3);
    let in_logs = btql(
        &server,
        "SELECT id FROM project_logs('trellis-demo') WHERE span_attributes.type = 'eval'",
    );
    assert!(
        in_logs.is_empty(),
        "experiment spans leaked into the project logs"
    );

    // Experiment 2: live answers from the server, against the first.
    let mut args = vec![
        "eval",
        "--dataset",
        "Production Healthcare Cases",
        "--name",
        "second",
        "--task",
        "live",
        "--model",
        "offline",
        "--scorers",
        &scorers,
        "--baseline",
        "first",
        "--gate",
        "contains_clinical_metrics=0.05",
    ];
    args.extend(scorer_flags);
    let out = trellis_ok(&args, &env);
    assert!(
        out.contains("=========================SUMMARY========================="),
        "{out}"
    );
    assert!(
        out.contains("second (live task, model offline) compared to first:"),
        "{out}"
    );
    assert!(out.contains("'length_score'"), "{out}");
    assert!(out.contains("'safety_escalation'"), "{out}");
    assert!(
        out.contains("% (+") || out.contains("% (-"),
        "no diff column: {out}"
    );
    assert!(
        out.contains("improvements,") && out.contains("regressions)"),
        "{out}"
    );
    assert!(
        out.contains("gate passed: contains_clinical_metrics"),
        "{out}"
    );
    // The live task produced new, traced turns on the server.
    let traced = wait_for(Duration::from_secs(20), &mut || {
        let turns = btql(
            &server,
            "SELECT id FROM project_logs('trellis-demo') WHERE span_attributes.name = 'server_process_turn'",
        );
        (turns.len() >= 6).then_some(())
    });
    assert!(traced.is_some(), "the live turns were not traced");

    // A gate above what was achieved fails the command, naming the scorer.
    let min = format!("length_score={:.4}", (length_mean + 0.05).min(1.0));
    let (code, out, err) = run(
        &[
            "eval",
            "--dataset",
            "Production Healthcare Cases",
            "--name",
            "gated",
            "--scorers",
            BUILTINS,
            "--gate",
            &min,
        ],
        &env,
    );
    assert_ne!(code, 0, "the gate should fail\n{out}\n{err}");
    assert!(err.contains("gate failed: length_score scored"), "{err}");
    assert!(err.contains("below the minimum"), "{err}");

    // llm_judge under the offline provider: skipped, and says why.
    let (code, out, err) = run(
        &[
            "eval",
            "--dataset",
            "Diabetes Cases",
            "--name",
            "judge-offline",
            "--scorers",
            "llm_judge",
        ],
        &env,
    );
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains("[1 of 1 skipped: llm_judge needs a Claude model"),
        "{out}\n{err}"
    );
    assert!(out.contains("offline"), "{out}");

    // llm_judge through a fake Messages API: a rating is read, a reply
    // without one is a skip quoting it.
    let seen: Requests = Arc::default();
    let api = serve_in_background(
        axum::Router::new()
            .route("/v1/messages", axum::routing::post(judge_api))
            .with_state(seen.clone()),
    );
    let judge_env = [
        ("TRELLIS_SERVER", server.as_str()),
        ("ANTHROPIC_API_KEY", "sk-ant-fake-judge-key"),
        ("ANTHROPIC_BASE_URL", api.as_str()),
    ];
    let out = trellis_ok(
        &[
            "eval",
            "--dataset",
            "Production Healthcare Cases",
            "--name",
            "judged",
            "--scorers",
            "llm_judge",
            "--judge-model",
            "claude-judge-test",
            "--json",
        ],
        &judge_env,
    );
    let report: Value = serde_json::from_str(&out).unwrap();
    let judge = &report["experiments"][0]["scores"][0];
    assert_eq!(judge["name"], "llm_judge");
    assert_eq!(judge["scored"], 2, "{judge}");
    assert_eq!(judge["skipped"], 1, "{judge}");
    assert!(
        (judge["mean"].as_f64().unwrap() - 0.8).abs() < 1e-9,
        "{judge}"
    );
    assert!(
        judge["skip_reason"]
            .as_str()
            .unwrap()
            .contains("would rather not"),
        "{judge}"
    );
    let seen = seen.lock().unwrap();
    assert_eq!(seen.len(), 3);
    for (headers, body) in seen.iter() {
        assert_eq!(headers["x-api-key"], "sk-ant-fake-judge-key");
        assert!(headers.contains_key("anthropic-version"));
        assert_eq!(body["model"], "claude-judge-test");
        assert!(body["system"]
            .as_str()
            .unwrap()
            .contains("Rate the answer from 0 to 1"));
        assert!(body["messages"][0]["content"]
            .to_string()
            .contains("Response:"));
    }
}

#[test]
fn eval_errors_name_what_is_wrong() {
    let stack = TracedStack::start();
    let env = [("TRELLIS_SERVER", stack.server.url.as_str())];

    let (code, _, err) = run(&["eval", "--dataset", "missing"], &env);
    assert_eq!(code, 1);
    assert!(err.contains("dataset `missing` not found"), "{err}");

    let (code, _, err) = run(&["eval", "--dataset", "x", "--gate", "length_score"], &env);
    assert_eq!(code, 2, "a malformed gate is a usage error");
    assert!(err.contains("SCORER=MIN"), "{err}");

    let (code, _, err) = run(&["eval", "--dataset", "x", "--model", "offline"], &env);
    assert_eq!(code, 1);
    assert!(err.contains("--model applies to --task live"), "{err}");

    let file = tempfile::NamedTempFile::new().unwrap();
    let path = file.path().to_str().unwrap();
    let good = r#"{"input": {"patient_query": "BMI for 170 cm, 65 kg?"}, "expected": {"final_response": "BMI 22.5, normal."}}"#;
    std::fs::write(path, format!("{good}\n{{\"inptu\": 1}}\n")).unwrap();
    let (code, _, err) = run(&["dataset", "import", "tiny", path], &env);
    assert_eq!(code, 1);
    assert!(err.contains("line 2") && err.contains("input"), "{err}");
    std::fs::write(path, format!("{good}\n")).unwrap();
    trellis_ok(&["dataset", "import", "tiny", path], &env);

    let (code, _, err) = run(&["eval", "--dataset", "tiny", "--scorers", "bleu"], &env);
    assert_eq!(code, 1);
    assert!(err.contains("unknown scorer `bleu`"), "{err}");
    assert!(
        err.contains("llm_judge"),
        "the known scorers are listed: {err}"
    );

    trellis_ok(
        &[
            "eval",
            "--dataset",
            "tiny",
            "--name",
            "dup",
            "--scorers",
            "length_score",
        ],
        &env,
    );
    let (code, _, err) = run(&["eval", "--dataset", "tiny", "--name", "dup"], &env);
    assert_eq!(code, 1);
    assert!(
        err.contains("an experiment named `dup` already exists"),
        "{err}"
    );

    let (code, _, err) = run(&["eval", "--dataset", "tiny", "--baseline", "nope"], &env);
    assert_eq!(code, 1);
    assert!(
        err.contains("baseline experiment \"nope\" not found"),
        "{err}"
    );
}
