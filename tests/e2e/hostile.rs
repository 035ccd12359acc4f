//! Hostile plugins beyond the ones `worker.rs` calls: results too large to
//! return, and files the worker must refuse to load (a core module, a
//! component for another world, one importing what the host lacks, and tool
//! specs it cannot accept). Each is tried while good calls run concurrently,
//! and the worker must stay up.

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::Duration;

use serde_json::{json, Value};

use crate::support::{dist_copy, fixture, http, wait_for};
use crate::worker::{call, install, start_worker, tool_names, tools};

/// BMI calls on the shipped plugin, run until `stop` is set: every one must
/// succeed. Returns how many ran.
fn good_calls(url: String, stop: Arc<AtomicBool>) -> thread::JoinHandle<usize> {
    thread::spawn(move || {
        let mut count = 0;
        while count == 0 || !stop.load(Ordering::Relaxed) {
            let body: Value = http()
                .post(format!("{url}/v1/tools/calculate_clinical_metrics/call"))
                .json(&json!({"input": {"height_inches": 64, "weight_lb": 180}}))
                .send()
                .unwrap()
                .json()
                .unwrap();
            assert_eq!(body["output"]["bmi"], 30.9, "a good call failed: {body}");
            count += 1;
        }
        count
    })
}

fn assert_healthy(url: &str) {
    let health: Value = http()
        .get(format!("{url}/healthz"))
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(health["status"], "ok", "{health}");
}

#[test]
fn oversized_results_fail_naming_the_limit_while_good_calls_succeed() {
    let dir = dist_copy();
    install(&fixture("hostile"), dir.path(), "hostile.wasm");
    let worker = start_worker(dir.path());
    let stop = Arc::new(AtomicBool::new(false));
    let good: Vec<_> = (0..4)
        .map(|_| good_calls(worker.url.clone(), stop.clone()))
        .collect();

    // 100 MiB cannot even be built inside the plugin's 64 MiB of memory.
    let (_, body) = call(&worker, "big_output", json!({"mib": 100}));
    assert_eq!(body["is_error"], true, "{body}");
    assert_eq!(body["error"]["kind"], "out_of_memory", "{body}");
    let message = body["error"]["message"].as_str().unwrap();
    assert!(message.contains("memory limit of 64 MiB"), "{message}");

    // 2 MiB fits in memory but not under the 1 MiB output cap.
    let (_, body) = call(&worker, "big_output", json!({"mib": 2}));
    assert_eq!(body["is_error"], true, "{body}");
    assert_eq!(body["error"]["kind"], "failed", "{body}");
    let message = body["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("exceeds the limit of 1048576 bytes"),
        "{message}"
    );

    stop.store(true, Ordering::Relaxed);
    for handle in good {
        assert!(handle.join().unwrap() > 0);
    }
    assert_healthy(&worker.url);
}

/// One file the worker must refuse, and what its single log line must say.
struct Unloadable {
    file: &'static str,
    reason: &'static str,
}

fn drop_in(dir: &Path, file: &str) {
    let fixtures = [
        "other_world",
        "missing_import",
        "many_tools",
        "bad_schema",
        "schema_not_json",
    ];
    let stem = file.trim_end_matches(".wasm");
    if fixtures.contains(&stem) {
        install(&fixture(stem), dir, file);
    } else {
        // The smallest core module: magic number and version 1, no sections.
        let tmp = dir.join(format!(".{file}.partial"));
        std::fs::write(&tmp, b"\0asm\x01\0\0\0").unwrap();
        std::fs::rename(&tmp, dir.join(file)).unwrap();
    }
}

#[test]
fn unloadable_plugins_are_rejected_with_one_clear_line_while_good_calls_succeed() {
    let cases = [
        Unloadable {
            file: "core_module.wasm",
            reason: "is a core WebAssembly module, not a component",
        },
        Unloadable {
            file: "other_world.wasm",
            reason: "does not implement the `trellis:tool/plugin` world",
        },
        Unloadable {
            file: "missing_import.wasm",
            reason: "cannot be linked",
        },
        Unloadable {
            file: "many_tools.wasm",
            reason: "declares 10000 tools; a plugin may declare at most 64",
        },
        Unloadable {
            file: "bad_schema.wasm",
            reason:
                "tool `bad_schema` has an invalid spec: the input schema is not a valid JSON Schema",
        },
        Unloadable {
            file: "schema_not_json.wasm",
            reason: "tool `schema_not_json` has an invalid spec: the input schema is not JSON",
        },
    ];
    let dir = dist_copy();
    let worker = start_worker(dir.path());
    let stop = Arc::new(AtomicBool::new(false));
    let good: Vec<_> = (0..4)
        .map(|_| good_calls(worker.url.clone(), stop.clone()))
        .collect();

    for case in &cases {
        drop_in(dir.path(), case.file);
        let rejected = wait_for(Duration::from_secs(10), &mut || {
            worker
                .output()
                .lines()
                .find(|l| l.contains("rejected plugin") && l.contains(case.file))
                .map(str::to_string)
        });
        let line = rejected
            .unwrap_or_else(|| panic!("{} was not rejected:\n{}", case.file, worker.output()));
        assert!(line.contains(case.reason), "{}: {line}", case.file);
    }
    // A good plugin dropped in last is served only after the watcher has
    // rescanned the directory, rejected files included: none may be
    // reported twice.
    install(&fixture("echo"), dir.path(), "echo.wasm");
    let served = wait_for(Duration::from_secs(10), &mut || {
        tool_names(&tools(&worker))
            .contains(&"echo".to_string())
            .then_some(())
    });
    assert!(
        served.is_some(),
        "echo was not loaded:\n{}",
        worker.output()
    );

    stop.store(true, Ordering::Relaxed);
    for handle in good {
        assert!(handle.join().unwrap() > 0);
    }
    let output = worker.output();
    for case in &cases {
        let lines = output.lines().filter(|l| l.contains(case.file)).count();
        assert_eq!(lines, 1, "{} logged {lines} lines:\n{output}", case.file);
    }
    assert_eq!(
        tool_names(&tools(&worker)),
        [
            "calculate_clinical_metrics",
            "echo",
            "lookup_medication",
            "search_medical_knowledge"
        ]
    );
    assert_healthy(&worker.url);
}
