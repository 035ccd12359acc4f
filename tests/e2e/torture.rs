//! Hot-reload torture (issue 8, item 2): 200 replacements of `echo.wasm`
//! — atomic renames, in-place writes of good and corrupt bytes, deletions —
//! while other threads call `echo` and `calculate_clinical_metrics`. No call
//! to the other plugin fails, and every `echo` answer comes from one whole
//! version (or is a 404 while the file is gone), never a half-written file.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::support::{dist_copy, fixture, http, wait_for};
use crate::worker::{call, install, start_worker, tools};

const REPLACEMENTS: usize = 200;

/// Posts one call with `client`; returns the status and JSON body, or a
/// description of what went wrong at the transport level.
fn post(
    client: &reqwest::blocking::Client,
    url: &str,
    tool: &str,
    input: Value,
) -> Result<(u16, Value), String> {
    let response = client
        .post(format!("{url}/v1/tools/{tool}/call"))
        .json(&json!({ "input": input }))
        .send()
        .map_err(|e| format!("send: {e}"))?;
    let status = response.status().as_u16();
    let body = response.json().map_err(|e| format!("body: {e}"))?;
    Ok((status, body))
}

/// Replaces `name` in `dir` atomically: write a hidden temporary, rename it.
fn rename_in(dir: &Path, name: &str, bytes: &[u8]) {
    let tmp = dir.join(format!(".{name}.tmp"));
    std::fs::write(&tmp, bytes).unwrap();
    std::fs::rename(&tmp, dir.join(name)).unwrap();
}

#[test]
fn torture_200_replacements_while_calls_run() {
    let dir = dist_copy();
    install(&fixture("echo"), dir.path(), "echo.wasm");
    let v1 = std::fs::read(fixture("echo")).unwrap();
    let v2 = std::fs::read(fixture("echo_v2")).unwrap();
    let mut corrupt = b"\0asm\x0d\0\x01\0".to_vec();
    corrupt.extend((0..4096u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8));

    let worker = start_worker(dir.path());
    let url = worker.url.clone();
    let first = tools(&worker)["revision"].as_u64().unwrap();
    let (_, body) = call(&worker, "echo", json!({"text": "warm-up"}));
    assert_eq!(body["output"]["version"], 1, "{body}");

    let stop = Arc::new(AtomicBool::new(false));

    // (a) Calls to another plugin: every one must return BMI 30.9.
    let bmi: Vec<_> = (0..3)
        .map(|_| {
            let (url, stop) = (url.clone(), stop.clone());
            thread::spawn(move || {
                let client = http();
                let (mut ok, mut failed) = (0u64, Vec::new());
                while !stop.load(Ordering::Relaxed) {
                    let input = json!({"height_inches": 64, "weight_lb": 180});
                    match post(&client, &url, "calculate_clinical_metrics", input) {
                        Ok((200, body)) if body["output"]["bmi"] == 30.9 => ok += 1,
                        other => failed.push(format!("{other:?}")),
                    }
                }
                (ok, failed)
            })
        })
        .collect();

    // (b) Calls to the plugin being replaced: a whole version or a 404.
    let echo: Vec<_> = (0..2)
        .map(|t| {
            let (url, stop) = (url.clone(), stop.clone());
            thread::spawn(move || {
                let client = http();
                let mut outcomes: BTreeMap<String, u64> = BTreeMap::new();
                let mut bad = Vec::new();
                let mut n = 0u64;
                while !stop.load(Ordering::Relaxed) {
                    n += 1;
                    let input = json!({"text": format!("t{t}-{n}")});
                    let outcome = match post(&client, &url, "echo", input.clone()) {
                        Ok((200, body))
                            if body["is_error"] == false
                                && (body["output"]["version"] == 1
                                    || body["output"]["version"] == 2)
                                && body["output"]["input"] == input =>
                        {
                            format!("version {}", body["output"]["version"])
                        }
                        Ok((404, _)) => "404 (deleted)".to_string(),
                        other => {
                            bad.push(format!("{other:?}"));
                            "bad".to_string()
                        }
                    };
                    *outcomes.entry(outcome).or_default() += 1;
                }
                (outcomes, bad)
            })
        })
        .collect();

    // (c) The mutator.
    let started = Instant::now();
    let path = dir.path().join("echo.wasm");
    let mut steps: BTreeMap<&str, u64> = BTreeMap::new();
    for i in 0..REPLACEMENTS {
        let step = match i % 6 {
            0 => {
                rename_in(dir.path(), "echo.wasm", &v1);
                "atomic rename v1"
            }
            1 => {
                rename_in(dir.path(), "echo.wasm", &v2);
                "atomic rename v2"
            }
            2 => {
                std::fs::write(&path, &corrupt).unwrap();
                "in-place corrupt"
            }
            3 if i % 12 == 3 => {
                std::fs::write(&path, &v1).unwrap();
                "in-place write good"
            }
            3 => {
                // Half of v2, long enough for the watcher to read it, then
                // the rest: the half-written file must be rejected.
                let half = v2.len() / 2;
                std::fs::write(&path, &v2[..half]).unwrap();
                thread::sleep(Duration::from_millis(120));
                let mut file = std::fs::OpenOptions::new()
                    .append(true)
                    .open(&path)
                    .unwrap();
                file.write_all(&v2[half..]).unwrap();
                "in-place write good in two halves"
            }
            4 => {
                std::fs::remove_file(&path).unwrap();
                "delete"
            }
            _ => {
                rename_in(dir.path(), "echo.wasm", if i % 12 == 5 { &v2 } else { &v1 });
                "re-add"
            }
        };
        *steps.entry(step).or_default() += 1;
        // Mostly a few ms; every fourth step (rotating over the kinds of step)
        // long enough for the watcher to reload.
        thread::sleep(Duration::from_millis([3, 8, 15, 80][(i + i / 6) % 4]));
    }
    let mutating = started.elapsed();

    // Settle on v2 and wait until it is what answers.
    rename_in(dir.path(), "echo.wasm", &v2);
    let settled = wait_for(Duration::from_secs(5), &mut || {
        let (status, body) = call(&worker, "echo", json!({"text": "final"}));
        (status == 200 && body["output"]["version"] == 2).then_some(())
    });
    stop.store(true, Ordering::Relaxed);

    let (mut bmi_ok, mut bmi_failed) = (0u64, Vec::new());
    for handle in bmi {
        let (ok, failed) = handle.join().unwrap();
        bmi_ok += ok;
        bmi_failed.extend(failed);
    }
    let (mut echo_outcomes, mut echo_bad) = (BTreeMap::<String, u64>::new(), Vec::new());
    for handle in echo {
        let (outcomes, bad) = handle.join().unwrap();
        for (k, v) in outcomes {
            *echo_outcomes.entry(k).or_default() += v;
        }
        echo_bad.extend(bad);
    }

    eprintln!("torture: {REPLACEMENTS} replacements in {mutating:?}: {steps:?}");
    eprintln!(
        "torture: calculate_clinical_metrics calls: {} ok, {} failed",
        bmi_ok,
        bmi_failed.len()
    );
    eprintln!(
        "torture: echo calls: {} total, by outcome {echo_outcomes:?}",
        echo_outcomes.values().sum::<u64>()
    );
    let rejected = worker.output().matches("rejected plugin").count();
    eprintln!("torture: rejections logged by the worker: {rejected}");

    assert!(
        settled.is_some(),
        "echo v2 not served 5 s after the last install"
    );
    assert!(
        rejected > 0,
        "no half-written or corrupt file was ever read: the torture tested nothing"
    );
    assert!(bmi_failed.is_empty(), "failed BMI calls: {bmi_failed:?}");
    assert!(bmi_ok > 0, "no BMI call completed");
    assert!(echo_bad.is_empty(), "bad echo answers: {echo_bad:?}");
    assert!(
        echo_outcomes.keys().any(|k| k.starts_with("version")),
        "no echo call was answered"
    );
    let health: Value = http()
        .get(format!("{}/healthz", worker.url))
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(health["status"], "ok");
    let last = tools(&worker)["revision"].as_u64().unwrap();
    assert!(last > first, "revision {first} -> {last}");
}
