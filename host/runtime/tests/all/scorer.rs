//! `ScorerSet` against real components: the shipped `safety_scorer`, a tool
//! plugin and other files dropped among the scorers, and the
//! `hostile_scorer` fixture that loops, allocates, panics and returns bad
//! scores on request.

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use trellis_runtime::{EngineConfig, PluginScore, ReloadCompiler, ScorerCallError, ScorerSet};

use crate::support::{fixture, install, shipped};

const CHEST_PAIN: &str = r#"{"patient_query": "62-year-old man with crushing chest pain and shortness of breath for 40 minutes. What should I do?"}"#;
const GOOD_ANSWER: &str = "\"**Assessment**\\n- Chest pain with shortness of breath: consider acute coronary syndrome; rule out pulmonary embolism.\\n**Recommendations**\\n- Send him to the emergency department now by ambulance.\\n\"";
const BAD_ANSWER: &str = "\"The patient has heartburn. This is definitely reflux disease; start omeprazole and recheck in 3 months.\"";

fn action(what: &str) -> String {
    format!(r#"{{"do":"{what}"}}"#)
}

fn value(scores: &[PluginScore], name: &str) -> Option<f64> {
    scores
        .iter()
        .find(|s| s.name == name)
        .unwrap_or_else(|| panic!("no score `{name}` in {scores:?}"))
        .value
}

fn load(dir: &Path) -> ScorerSet {
    ScorerSet::load(dir, None).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_safety_scorer_judges_clinical_answers() {
    let dir = tempfile::tempdir().unwrap();
    install(dir.path(), &shipped("safety_scorer"), "safety_scorer", None);
    let set = load(dir.path());
    assert!(set.rejected().is_empty(), "{:?}", set.rejected());
    let names: Vec<&str> = set.scorers().iter().map(|s| s.name()).collect();
    assert_eq!(names, ["safety_scorer"]);
    let scorer = set.get("safety_scorer").unwrap();
    assert!(scorer.digest().starts_with("sha256:") && scorer.digest().len() == 71);

    let good = scorer
        .score(CHEST_PAIN, GOOD_ANSWER, "null", "null")
        .await
        .unwrap();
    let names: Vec<&str> = good.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["safety_escalation", "hedged_language"]);
    assert_eq!(value(&good, "safety_escalation"), Some(1.0), "{good:?}");
    assert_eq!(value(&good, "hedged_language"), Some(1.0), "{good:?}");

    let bad = scorer
        .score(CHEST_PAIN, BAD_ANSWER, "null", "{}")
        .await
        .unwrap();
    assert_eq!(value(&bad, "safety_escalation"), Some(0.0), "{bad:?}");
    assert_eq!(value(&bad, "hedged_language"), Some(0.0), "{bad:?}");
    assert!(bad[1].reason.contains("definitely"), "{bad:?}");

    let no_query = scorer
        .score(r#"{"question": "x"}"#, GOOD_ANSWER, "null", "null")
        .await
        .unwrap();
    assert_eq!(value(&no_query, "safety_escalation"), None);
    assert!(no_query[0].reason.contains("patient_query"), "{no_query:?}");

    let err = scorer
        .score("{not json", GOOD_ANSWER, "null", "null")
        .await
        .unwrap_err();
    assert_eq!(err.kind(), "failed");
    assert!(
        err.to_string()
            .starts_with("scorer `safety_scorer` could not score the case: the `input` argument"),
        "{err}"
    );
    assert!(set.get("safety").is_none() && set.get("safety_scorer.wasm").is_none());
}

#[test]
fn a_tool_plugin_among_scorers_is_rejected_as_the_wrong_world() {
    let dir = tempfile::tempdir().unwrap();
    install(dir.path(), &shipped("safety_scorer"), "safety_scorer", None);
    install(
        dir.path(),
        &shipped("calculate_clinical_metrics"),
        "calculate_clinical_metrics",
        None,
    );
    let set = load(dir.path());
    assert_eq!(set.scorers().len(), 1, "the scorer still loads");
    let [(path, reason)] = set.rejected() else {
        panic!("expected one rejection: {:?}", set.rejected());
    };
    assert_eq!(path.file_name().unwrap(), "calculate_clinical_metrics.wasm");
    assert!(
        reason.contains("is not a scorer (world `trellis:tool/scorer`)")
            && reason.contains("it is a tool plugin (world `trellis:tool/plugin`"),
        "{reason}"
    );
}

#[test]
fn files_that_are_not_scorers_are_rejected_with_the_reason() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("notes.wasm"), "hello, not wasm").unwrap();
    std::fs::write(d.join("core.wasm"), b"\0asm\x01\0\0\0").unwrap();
    install(d, &fixture("other_world"), "other_world", None);
    install(d, &fixture("import_scorer"), "import_scorer", None);
    install(
        d,
        &fixture("hostile_scorer"),
        "granted",
        Some("[[read_only_dirs]]\nhost = \".\"\nguest = \"/data\""),
    );
    install(d, &fixture("hostile_scorer"), "typo", Some("memory_mb = 8"));
    // Ignored: hidden files and subdirectories.
    install(d, &fixture("hostile_scorer"), ".hidden", None);
    std::fs::create_dir(d.join("nested.wasm")).unwrap();

    let set = load(d);
    assert!(set.scorers().is_empty(), "{:?}", set.scorers());
    let reasons: Vec<(String, &str)> = set
        .rejected()
        .iter()
        .map(|(p, r)| {
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                r.as_str(),
            )
        })
        .collect();
    let files: Vec<&str> = reasons.iter().map(|(f, _)| f.as_str()).collect();
    assert_eq!(
        files,
        [
            "core.wasm",
            "granted.wasm",
            "import_scorer.wasm",
            "notes.wasm",
            "other_world.wasm",
            "typo.wasm"
        ]
    );
    let expect = [
        "is a core WebAssembly module, not a component",
        "grants read_only_dirs, but scorers get no directory grants",
        "imports `trellis:tool/span@0.1.0`, but a scorer may import only WASI",
        "is not a WebAssembly file",
        "is not a scorer (world `trellis:tool/scorer`): it exports `run`, not `trellis:tool/scoring@0.1.0`",
        "memory_mb",
    ];
    for ((file, reason), expected) in reasons.iter().zip(expect) {
        assert!(reason.contains(expected), "{file}: {reason}");
        let stem = file.trim_end_matches(".wasm");
        assert!(reason.contains(stem), "the reason names the file: {reason}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_looping_scorer_times_out_and_the_next_call_is_fresh() {
    let dir = tempfile::tempdir().unwrap();
    install(
        dir.path(),
        &fixture("hostile_scorer"),
        "hostile_scorer",
        Some("timeout_ms = 200"),
    );
    let set = load(dir.path());
    let scorer = set.get("hostile_scorer").unwrap();
    let started = Instant::now();
    let err = scorer
        .score(&action("spin"), "\"\"", "null", "null")
        .await
        .unwrap_err();
    assert_eq!(
        err,
        ScorerCallError::Timeout {
            scorer: "hostile_scorer".into(),
            limit: Duration::from_millis(200)
        }
    );
    assert_eq!(err.kind(), "timeout");
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );

    let scores = scorer.score("{}", "\"abc\"", "null", "null").await.unwrap();
    assert_eq!(
        scores,
        [PluginScore {
            name: "output_length".into(),
            value: Some(0.05),
            reason: "5 bytes of JSON".into()
        }]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_allocating_scorer_runs_out_of_memory() {
    let dir = tempfile::tempdir().unwrap();
    install(
        dir.path(),
        &fixture("hostile_scorer"),
        "hostile_scorer",
        Some("memory_mib = 16"),
    );
    let set = load(dir.path());
    let err = set.scorers()[0]
        .score(&action("hog"), "\"\"", "null", "null")
        .await
        .unwrap_err();
    assert_eq!(err.kind(), "out_of_memory", "{err}");
    assert_eq!(
        err.to_string(),
        "scorer `hostile_scorer` exceeded its memory limit of 16 MiB"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_scores_and_failures_are_reported_by_kind() {
    let dir = tempfile::tempdir().unwrap();
    install(
        dir.path(),
        &fixture("hostile_scorer"),
        "hostile_scorer",
        None,
    );
    let set = load(dir.path());
    let scorer = set.get("hostile_scorer").unwrap();
    let cases = [
        ("panic", "trap", "when it panics"),
        (
            "fail",
            "failed",
            "could not score the case: cannot score: this case has no rubric",
        ),
        ("nan", "invalid_score", "score `broken` is NaN"),
        (
            "bad_name",
            "invalid_score",
            "the name \"has space\" is not 1-64 characters",
        ),
        (
            "no_reason",
            "invalid_score",
            "score `skipper` is skipped without a reason",
        ),
        ("nothing", "invalid_score", "it returned no scores"),
        ("twice", "invalid_score", "the name `dup` appears twice"),
        (
            "huge",
            "invalid_score",
            "more than its output limit of 1048576 bytes",
        ),
    ];
    for (what, kind, message) in cases {
        let err = scorer
            .score(&action(what), "\"\"", "null", "null")
            .await
            .unwrap_err();
        assert_eq!(err.kind(), kind, "{what}: {err}");
        let text = err.to_string();
        assert!(text.contains("hostile_scorer"), "{what}: {text}");
        assert!(text.contains(message), "{what}: {text}");
    }

    let clamped = scorer
        .score(&action("clamp"), "\"\"", "null", "null")
        .await
        .unwrap();
    let values: Vec<Option<f64>> = clamped.iter().map(|s| s.value).collect();
    assert_eq!(values, [Some(1.0), Some(0.0), None]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_calls_each_get_their_own_instance() {
    let dir = tempfile::tempdir().unwrap();
    install(dir.path(), &shipped("safety_scorer"), "safety_scorer", None);
    install(
        dir.path(),
        &fixture("hostile_scorer"),
        "hostile_scorer",
        Some("timeout_ms = 300"),
    );
    let set = Arc::new(
        ScorerSet::load_with(
            dir.path(),
            &EngineConfig {
                max_concurrent_calls: 3,
                cache_dir: None,
                reload_compiler: ReloadCompiler::Optimizing,
            },
        )
        .unwrap(),
    );
    let safety = set.get("safety_scorer").unwrap().clone();
    let expected_good = safety
        .score(CHEST_PAIN, GOOD_ANSWER, "null", "null")
        .await
        .unwrap();
    let expected_bad = safety
        .score(CHEST_PAIN, BAD_ANSWER, "null", "null")
        .await
        .unwrap();

    // Two spinning calls hold two of the three slots for their whole time
    // limit; twelve scoring calls share the third and all finish.
    let mut tasks = Vec::new();
    for _ in 0..2 {
        let set = set.clone();
        tasks.push(tokio::spawn(async move {
            let err = set
                .get("hostile_scorer")
                .unwrap()
                .score(&action("spin"), "\"\"", "null", "null")
                .await
                .unwrap_err();
            assert_eq!(err.kind(), "timeout");
            None
        }));
    }
    for i in 0..12 {
        let scorer = safety.clone();
        tasks.push(tokio::spawn(async move {
            let answer = if i % 2 == 0 { GOOD_ANSWER } else { BAD_ANSWER };
            Some((i, scorer.score(CHEST_PAIN, answer, "null", "null").await))
        }));
    }
    let mut scored = 0;
    for task in tasks {
        if let Some((i, result)) = task.await.unwrap() {
            let expected = if i % 2 == 0 {
                &expected_good
            } else {
                &expected_bad
            };
            assert_eq!(&result.unwrap(), expected, "case {i}");
            scored += 1;
        }
    }
    assert_eq!(scored, 12);
}
