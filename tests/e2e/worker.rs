//! `trellis worker` against the shipped plugins and the test-only fixtures:
//! the tool contract, bad requests, hot reload, and the sandbox.

use std::path::Path;
use std::thread;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::support::{dist, dist_copy, fixture, http, wait_for, Process};

pub(crate) fn start_worker(dir: &Path) -> Process {
    start_worker_with(dir, &[])
}

/// A worker on `dir` with `extra` flags.
pub(crate) fn start_worker_with(dir: &Path, extra: &[&str]) -> Process {
    let mut args = vec![
        "worker",
        "--listen",
        "127.0.0.1:0",
        "--plugins",
        dir.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    Process::start(&args, &[])
}

/// The first log line of `worker` that contains `what` and names `plugin`.
fn log_line(worker: &Process, what: &str, plugin: &str) -> Option<String> {
    let field = format!("plugin={plugin}");
    worker
        .output()
        .lines()
        .find(|l| l.contains(what) && l.contains(&field))
        .map(str::to_owned)
}

pub(crate) fn tools(worker: &Process) -> Value {
    http()
        .get(format!("{}/v1/tools", worker.url))
        .send()
        .unwrap()
        .json()
        .unwrap()
}

pub(crate) fn call(worker: &Process, tool: &str, input: Value) -> (u16, Value) {
    let response = http()
        .post(format!("{}/v1/tools/{tool}/call", worker.url))
        .json(&json!({ "input": input }))
        .send()
        .unwrap();
    (response.status().as_u16(), response.json().unwrap())
}

/// Calls `tool` from a thread of its own; joining yields the response body.
fn spawn_call(url: &str, tool: &str, input: Value) -> thread::JoinHandle<Value> {
    let url = format!("{url}/v1/tools/{tool}/call");
    thread::spawn(move || {
        http()
            .post(url)
            .json(&json!({ "input": input }))
            .send()
            .unwrap()
            .json()
            .unwrap()
    })
}

pub(crate) fn tool_names(list: &Value) -> Vec<String> {
    list["tools"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap().to_string())
        .collect()
}

/// Copies `src` into `dir` as `name` the way installers do: write a hidden
/// temporary file, then rename it into place.
pub(crate) fn install(src: &Path, dir: &Path, name: &str) {
    let tmp = dir.join(format!(".{name}.partial"));
    std::fs::copy(src, &tmp).unwrap();
    std::fs::rename(&tmp, dir.join(name)).unwrap();
}

#[test]
fn serves_the_three_clinical_tools_with_their_schemas() {
    let worker = start_worker(&dist());
    let list = tools(&worker);
    assert_eq!(
        tool_names(&list),
        [
            "calculate_clinical_metrics",
            "lookup_medication",
            "search_medical_knowledge"
        ]
    );
    assert!(list["revision"].as_u64().unwrap() >= 1);
    for tool in list["tools"].as_array().unwrap() {
        assert_eq!(tool["input_schema"]["type"], "object", "{tool}");
        assert!(tool["input_schema"]["properties"].is_object(), "{tool}");
        assert!(tool["digest"].as_str().unwrap().starts_with("sha256:"));
        assert!(!tool["description"].as_str().unwrap().is_empty());
    }
    let health: Value = http()
        .get(format!("{}/healthz", worker.url))
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(health["status"], "ok");
    assert_eq!(health["tools"], 3);
}

#[test]
fn bmi_for_the_seed_patient_is_30_9_obese() {
    let worker = start_worker(&dist());
    for input in [
        json!({"height_feet": 5, "height_inches": 4, "weight_lb": 180}),
        json!({"height_inches": 64, "weight_lb": 180}),
    ] {
        let (status, body) = call(&worker, "calculate_clinical_metrics", input);
        assert_eq!(status, 200);
        assert_eq!(body["is_error"], false, "{body}");
        assert_eq!(body["output"]["bmi"], 30.9);
        assert_eq!(body["output"]["category"], "obese");
        let receipt = &body["receipt"];
        assert_eq!(receipt["plugin"], "calculate_clinical_metrics");
        assert!(receipt["digest"].as_str().unwrap().starts_with("sha256:"));
        assert!(receipt["peak_memory_bytes"].as_u64().unwrap() > 0);
        assert!(receipt["duration_ms"].as_f64().unwrap() > 0.0);
    }
}

#[test]
fn an_unknown_drug_is_invalid_input_with_suggestions() {
    let worker = start_worker(&dist());
    let (status, body) = call(
        &worker,
        "lookup_medication",
        json!({"medications": ["metfromin"]}),
    );
    assert_eq!(status, 200);
    assert_eq!(body["is_error"], true);
    assert_eq!(body["error"]["kind"], "invalid_input");
    let message = body["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("metfromin") && message.contains("metformin"),
        "{message}"
    );
}

#[test]
fn fatigue_and_thirst_ranks_type_2_diabetes_first() {
    let worker = start_worker(&dist());
    let (_, body) = call(
        &worker,
        "search_medical_knowledge",
        json!({"query": "fatigue and increased thirst"}),
    );
    assert_eq!(body["is_error"], false, "{body}");
    let results = body["output"]["results"].as_array().unwrap();
    assert_eq!(results.len(), 3, "top_k defaults to 3");
    let first = results[0]["condition"].as_str().unwrap().to_lowercase();
    assert!(first.contains("type 2 diabetes"), "ranked first: {first}");
}

#[test]
fn bad_requests_get_precise_errors() {
    let worker = start_worker(&dist());
    let client = http();
    let url = format!("{}/v1/tools/calculate_clinical_metrics/call", worker.url);

    let r = client
        .post(&url)
        .header("content-type", "application/json")
        .body("{\"input\": ")
        .send()
        .unwrap();
    assert_eq!(r.status(), 400);
    let body: Value = r.json().unwrap();
    assert_eq!(body["error"]["kind"], "bad_request");

    let r = client
        .post(format!("{}/v1/tools/no_such_tool/call", worker.url))
        .json(&json!({"input": {}}))
        .send()
        .unwrap();
    assert_eq!(r.status(), 404);
    let body: Value = r.json().unwrap();
    assert!(body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("no_such_tool"));

    let (status, body) = call(
        &worker,
        "calculate_clinical_metrics",
        json!({"height_inches": 64, "weight_lb": "heavy"}),
    );
    assert_eq!(status, 200);
    assert_eq!(body["is_error"], true);
    assert_eq!(body["error"]["kind"], "invalid_input");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("weight_lb"),
        "{body}"
    );

    let huge = format!("{{\"input\": {{\"pad\": \"{}\"}}}}", "x".repeat(1_100_000));
    let r = client
        .post(&url)
        .header("content-type", "application/json")
        .body(huge)
        .send()
        .unwrap();
    assert_eq!(r.status(), 413);

    let r = client.get(&url).send().unwrap();
    assert_eq!(r.status(), 405);
    let r = client
        .get(format!("{}/nowhere", worker.url))
        .send()
        .unwrap();
    assert_eq!(r.status(), 404);
    let body: Value = r.json().unwrap();
    assert!(body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("/nowhere"));
}

#[test]
fn hot_reload_adds_replaces_and_deletes_within_a_second() {
    let dir = dist_copy();
    let worker = start_worker(dir.path());
    let first = tools(&worker)["revision"].as_u64().unwrap();
    let deadline = Duration::from_secs(1);

    let started = Instant::now();
    install(&fixture("echo"), dir.path(), "echo.wasm");
    let seen = wait_for(deadline, &mut || {
        tool_names(&tools(&worker))
            .contains(&"echo".to_string())
            .then_some(())
    });
    assert!(
        seen.is_some(),
        "echo not served {:?} after it was added",
        started.elapsed()
    );
    let (_, body) = call(&worker, "echo", json!({"text": "hi"}));
    assert_eq!(body["output"]["version"], 1, "{body}");
    let added = tools(&worker)["revision"].as_u64().unwrap();
    assert!(added > first);

    let started = Instant::now();
    install(&fixture("echo_v2"), dir.path(), "echo.wasm");
    let seen = wait_for(deadline, &mut || {
        let (_, body) = call(&worker, "echo", json!({"text": "hi"}));
        (body["output"]["version"] == 2).then_some(())
    });
    assert!(
        seen.is_some(),
        "new version not served {:?} after replace",
        started.elapsed()
    );
    let replaced = tools(&worker)["revision"].as_u64().unwrap();
    assert!(replaced > added);

    let started = Instant::now();
    std::fs::remove_file(dir.path().join("echo.wasm")).unwrap();
    let seen = wait_for(deadline, &mut || {
        (!tool_names(&tools(&worker)).contains(&"echo".to_string())).then_some(())
    });
    assert!(
        seen.is_some(),
        "echo still served {:?} after delete",
        started.elapsed()
    );
    assert!(tools(&worker)["revision"].as_u64().unwrap() > replaced);
    let (status, _) = call(&worker, "echo", json!({"text": "hi"}));
    assert_eq!(status, 404);
}

#[test]
fn a_reloaded_plugin_serves_on_baseline_code_until_optimized_code_replaces_it() {
    let dir = dist_copy();
    let cache = tempfile::tempdir().unwrap();
    let cache_dir = cache.path().to_str().unwrap();
    let worker = start_worker_with(
        dir.path(),
        &["--cache-dir", cache_dir, "--collector", "none"],
    );
    install(&fixture("echo"), dir.path(), "echo.wasm");
    let loaded = wait_for(Duration::from_secs(10), &mut || {
        log_line(&worker, "loaded plugin", "echo")
    });
    let loaded = loaded.unwrap_or_else(|| panic!("echo not loaded:\n{}", worker.output()));
    assert!(loaded.contains("compiler=baseline"), "{loaded}");
    let (_, body) = call(&worker, "echo", json!({"text": "hi"}));
    assert_eq!(body["output"]["version"], 1, "{body}");

    let optimized = wait_for(Duration::from_secs(60), &mut || {
        log_line(&worker, "optimized plugin", "echo")
    });
    assert!(optimized.is_some(), "never optimized:\n{}", worker.output());
    let (_, body) = call(&worker, "echo", json!({"text": "hi"}));
    assert_eq!(body["output"]["version"], 1, "{body}");
    // Cranelift's code went to the compile cache beside the three plugins
    // compiled at start-up, so a restart runs it at once.
    let entries = std::fs::read_dir(cache.path()).unwrap().count();
    assert_eq!(entries, 4, "{}", worker.output());
}

#[test]
fn a_corrupt_plugin_is_rejected_and_the_old_version_keeps_serving() {
    let dir = dist_copy();
    let worker = start_worker(dir.path());
    let revision = tools(&worker)["revision"].as_u64().unwrap();

    // Overwrite in place with garbage, as a broken copy would.
    std::fs::write(
        dir.path().join("calculate_clinical_metrics.wasm"),
        b"\0asm\x0d\x00\x01\x00garbage",
    )
    .unwrap();
    let logged = wait_for(Duration::from_secs(5), &mut || {
        worker.output().contains("rejected plugin").then_some(())
    });
    assert!(
        logged.is_some(),
        "no rejection logged:\n{}",
        worker.output()
    );
    let output = worker.output();
    let line = output
        .lines()
        .find(|l| l.contains("rejected plugin"))
        .unwrap();
    assert!(line.contains("calculate_clinical_metrics.wasm"), "{line}");
    assert!(line.contains("previous version keeps serving"), "{line}");

    let (_, body) = call(
        &worker,
        "calculate_clinical_metrics",
        json!({"height_inches": 64, "weight_lb": 180}),
    );
    assert_eq!(body["output"]["bmi"], 30.9);
    assert_eq!(tools(&worker)["revision"].as_u64().unwrap(), revision);

    // A file that is not WebAssembly at all gets its own reason.
    std::fs::write(dir.path().join("notes.wasm"), b"hello").unwrap();
    let logged = wait_for(Duration::from_secs(5), &mut || {
        worker.output().contains("notes.wasm").then_some(())
    });
    assert!(logged.is_some());
    assert!(worker.output().contains("is not a WebAssembly file"));
}

/// `shout` (40 MB to stdout and stderr) takes ~70 ms in a release build but
/// around a second in this debug build, and more while other tests run; the
/// hostile fixture's default 2 s limit would make its check flaky.
const HOSTILE_MANIFEST: &str = "timeout_ms = 6000\n";

#[test]
fn hostile_plugins_are_contained_while_good_calls_succeed() {
    let dir = dist_copy();
    install(&fixture("hostile"), dir.path(), "hostile.wasm");
    std::fs::write(dir.path().join("hostile.toml"), HOSTILE_MANIFEST).unwrap();
    let worker = start_worker(dir.path());
    assert_hostile_calls_contained(&worker);
}

#[test]
fn hostile_plugins_on_baseline_code_are_contained_too() {
    // Reloads compile with Winch; `baseline` keeps the hostile plugin on
    // Winch's code for every call, so each limit is checked against it.
    let dir = dist_copy();
    let worker = start_worker_with(dir.path(), &["--no-cache", "--reload-compiler", "baseline"]);
    std::fs::write(dir.path().join("hostile.toml"), HOSTILE_MANIFEST).unwrap();
    install(&fixture("hostile"), dir.path(), "hostile.wasm");
    let loaded = wait_for(Duration::from_secs(10), &mut || {
        log_line(&worker, "loaded plugin", "hostile")
    });
    let loaded = loaded.unwrap_or_else(|| panic!("hostile not loaded:\n{}", worker.output()));
    assert!(loaded.contains("compiler=baseline"), "{loaded}");
    assert_hostile_calls_contained(&worker);
    assert!(!worker.output().contains("optimized plugin"));
}

/// Each hostile tool fails with its own error kind, and twelve good calls
/// made meanwhile all succeed.
fn assert_hostile_calls_contained(worker: &Process) {
    let url = worker.url.clone();
    let good: Vec<_> = (0..12)
        .map(|_| {
            spawn_call(
                &url,
                "calculate_clinical_metrics",
                json!({"height_inches": 64, "weight_lb": 180}),
            )
        })
        .collect();
    let hostile: Vec<_> = [
        ("spin", json!({}), "timeout"),
        ("hog", json!({}), "out_of_memory"),
        ("recurse", json!({}), "trap"),
        ("panic", json!({}), "trap"),
        ("read_file", json!({"path": "/etc/passwd"}), "failed"),
        ("read_env", json!({"name": "PATH"}), "failed"),
        ("connect", json!({"addr": "127.0.0.1:22"}), "failed"),
    ]
    .into_iter()
    .map(|(tool, input, kind)| (tool, kind, spawn_call(&url, tool, input)))
    .collect();

    for (tool, kind, handle) in hostile {
        let body = handle.join().unwrap();
        assert_eq!(body["is_error"], true, "{tool}: {body}");
        assert_eq!(body["error"]["kind"], kind, "{tool}: {body}");
        if tool == "read_file" {
            assert!(
                !body.to_string().contains("root:"),
                "host file leaked: {body}"
            );
        }
    }
    for handle in good {
        let body = handle.join().unwrap();
        assert_eq!(body["output"]["bmi"], 30.9, "a good call failed: {body}");
    }

    // Volumes on stdio are discarded, not a failure; the worker is still up.
    let (_, body) = call(worker, "shout", json!({}));
    assert_eq!(body["output"]["shouted"], true, "{body}");
    let health: Value = http()
        .get(format!("{}/healthz", worker.url))
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(health["status"], "ok");
}

#[test]
fn spinning_plugins_do_not_hold_up_other_tools() {
    // Calls run on the worker's async threads and yield every epoch tick:
    // more spinning calls than the worker has threads must still leave
    // room for a good call, which answers while they are all still
    // spinning toward their (long) time limit.
    let dir = dist_copy();
    install(&fixture("hostile"), dir.path(), "hostile.wasm");
    std::fs::write(dir.path().join("hostile.toml"), "timeout_ms = 10000\n").unwrap();
    let worker = start_worker(dir.path());
    let spinning: Vec<_> = (0..6)
        .map(|_| spawn_call(&worker.url, "spin", json!({})))
        .collect();
    let busy = wait_for(Duration::from_secs(5), &mut || {
        let metrics = http()
            .get(format!("{}/metrics", worker.url))
            .send()
            .unwrap()
            .text()
            .unwrap();
        metrics
            .lines()
            .any(|l| l.starts_with("trellis_worker_calls_in_flight 6"))
            .then_some(())
    });
    assert!(busy.is_some(), "the spinning calls never all started");

    let (_, body) = call(
        &worker,
        "calculate_clinical_metrics",
        json!({"height_inches": 64, "weight_lb": 180}),
    );
    assert_eq!(body["output"]["bmi"], 30.9, "{body}");
    assert!(
        spinning.iter().all(|h| !h.is_finished()),
        "the good call waited for the spinning ones to time out"
    );
    for handle in spinning {
        let body = handle.join().unwrap();
        assert_eq!(body["error"]["kind"], "timeout", "{body}");
    }
}

#[test]
fn a_manifest_grants_a_read_only_directory_and_its_absence_denies() {
    let dir = tempfile::tempdir().unwrap();
    let data = tempfile::tempdir().unwrap();
    std::fs::write(data.path().join("hello.txt"), "hello from the host").unwrap();
    install(&fixture("hostile"), dir.path(), "hostile.wasm");
    let worker = start_worker(dir.path());

    let (_, body) = call(&worker, "read_file", json!({"path": "/data/hello.txt"}));
    assert_eq!(
        body["error"]["kind"], "failed",
        "read without a grant: {body}"
    );

    std::fs::write(
        dir.path().join("hostile.toml"),
        format!(
            "[[read_only_dirs]]\nhost = \"{}\"\nguest = \"/data\"\n",
            data.path().display()
        ),
    )
    .unwrap();
    let granted = wait_for(Duration::from_secs(5), &mut || {
        let (_, body) = call(&worker, "read_file", json!({"path": "/data/hello.txt"}));
        (body["output"]["bytes"] == 19).then_some(())
    });
    assert!(granted.is_some(), "grant not applied:\n{}", worker.output());
    let (_, body) = call(&worker, "read_file", json!({"path": "/etc/passwd"}));
    assert_eq!(body["error"]["kind"], "failed", "outside the grant: {body}");
}

#[test]
fn a_restart_loads_compiled_plugins_from_the_cache() {
    let cache = tempfile::tempdir().unwrap();
    let args = [
        "worker",
        "--listen",
        "127.0.0.1:0",
        "--plugins",
        dist().to_str().unwrap().to_string().leak(),
        "--cache-dir",
        cache.path().to_str().unwrap().to_string().leak(),
        "--collector",
        "none",
    ];
    let first = Process::start(&args, &[]);
    // Logs go to stderr, read apart from the stdout `listening` line: wait.
    let counted = wait_for(Duration::from_secs(5), &mut || {
        (first.output().matches("compile_cache=miss").count() == 3).then_some(())
    });
    assert!(counted.is_some(), "{}", first.output());
    drop(first);
    let entries = std::fs::read_dir(cache.path()).unwrap().count();
    assert_eq!(entries, 3, "one compiled artifact per plugin");

    let second = Process::start(&args, &[]);
    // Logs go to stderr, read apart from the stdout `listening` line: wait.
    let counted = wait_for(Duration::from_secs(5), &mut || {
        (second.output().matches("compile_cache=hit").count() == 3).then_some(())
    });
    assert!(counted.is_some(), "{}", second.output());
    let (_, body) = call(
        &second,
        "calculate_clinical_metrics",
        json!({"height_cm": 170, "weight_kg": 70}),
    );
    assert_eq!(body["output"]["bmi"], 24.2);
}

#[test]
fn a_second_plugin_declaring_the_same_tool_is_rejected() {
    let dir = tempfile::tempdir().unwrap();
    install(&fixture("echo"), dir.path(), "a_echo.wasm");
    install(&fixture("echo_v2"), dir.path(), "b_echo.wasm");
    let worker = start_worker(dir.path());
    let list = tools(&worker);
    assert_eq!(tool_names(&list), ["echo"]);
    assert_eq!(list["tools"][0]["plugin"], "a_echo");
    // Logs go to stderr, read apart from the stdout `listening` line: wait.
    let rejected = wait_for(Duration::from_secs(5), &mut || {
        let output = worker.output();
        (output.contains("b_echo.wasm")
            && output.contains("tool `echo` is already provided by plugin `a_echo`"))
        .then_some(())
    });
    assert!(rejected.is_some(), "{}", worker.output());
}
