//! Capacity and size limits as a client meets them: a worker whose call
//! slots are all taken refuses more work with 503 and `Retry-After` while
//! staying healthy, and recovers when the slots free up; the body caps set
//! by `worker --max-body-bytes`, `server --max-message-bytes` and
//! `server --max-otlp-body-bytes` are the ones enforced.

use std::time::Duration;

use serde_json::{json, Value};

use crate::support::{dist_copy, fixture, http, prometheus_sum, wait_for, Process};
use crate::worker::{call, install};

const SLOTS: usize = 2;
const QUEUE_TIMEOUT_MS: u64 = 300;
/// The hostile plugin's time limit in this test: long enough to hold the
/// slots while the refusals are checked.
const SPIN_TIMEOUT_MS: u64 = 6000;

fn bmi_input() -> Value {
    json!({"height_feet": 5, "height_inches": 4, "weight_lb": 180})
}

#[test]
fn all_slots_busy_is_503_with_retry_after_and_the_worker_recovers() {
    let dir = dist_copy();
    std::fs::write(
        dir.path().join("hostile.toml"),
        format!("timeout_ms = {SPIN_TIMEOUT_MS}\n"),
    )
    .unwrap();
    install(&fixture("hostile"), dir.path(), "hostile.wasm");
    let slots = SLOTS.to_string();
    let queue = QUEUE_TIMEOUT_MS.to_string();
    let worker = Process::start(
        &[
            "worker",
            "--listen",
            "127.0.0.1:0",
            "--plugins",
            dir.path().to_str().unwrap(),
            "--max-concurrent-calls",
            &slots,
            "--queue-timeout-ms",
            &queue,
            "--collector",
            "none",
        ],
        &[],
    );
    let (status, body) = call(&worker, "calculate_clinical_metrics", bmi_input());
    assert_eq!(
        (status, &body["output"]["bmi"]),
        (200, &json!(30.9)),
        "{body}"
    );

    // Every slot spins until the plugin's time limit.
    let spinners: Vec<_> = (0..SLOTS)
        .map(|_| {
            let url = worker.url.clone();
            std::thread::spawn(move || {
                let response = http()
                    .post(format!("{url}/v1/tools/spin/call"))
                    .json(&json!({"input": {}}))
                    .send()
                    .unwrap();
                (
                    response.status().as_u16(),
                    response.json::<Value>().unwrap(),
                )
            })
        })
        .collect();
    let busy = wait_for(Duration::from_secs(5), &mut || {
        (prometheus_sum(&worker.url, "trellis_worker_calls_in_flight") == SLOTS as u64)
            .then_some(())
    });
    assert!(busy.is_some(), "the spins never took both slots");

    // More calls are refused once their queue wait runs out.
    let mut refused = 0;
    for _ in 0..3 {
        let response = http()
            .post(format!(
                "{}/v1/tools/calculate_clinical_metrics/call",
                worker.url
            ))
            .json(&json!({"input": bmi_input()}))
            .send()
            .unwrap();
        assert_eq!(response.status().as_u16(), 503);
        let retry_after = response
            .headers()
            .get("retry-after")
            .expect("a Retry-After header")
            .to_str()
            .unwrap()
            .parse::<u64>()
            .expect("Retry-After in whole seconds");
        assert!(retry_after >= 1, "Retry-After: {retry_after}");
        let body: Value = response.json().unwrap();
        assert_eq!(body["error"]["kind"], "unavailable", "{body}");
        let message = body["error"]["message"].as_str().unwrap();
        assert!(
            message.contains(&format!("all {SLOTS} call slots are busy"))
                && message.contains(&format!("waited {QUEUE_TIMEOUT_MS} ms")),
            "{message}"
        );
        refused += 1;

        // The worker itself stays healthy.
        let health = http()
            .get(format!("{}/healthz", worker.url))
            .send()
            .unwrap();
        assert_eq!(health.status().as_u16(), 200);
    }

    // The spins end at their limit; then calls go through again.
    for spinner in spinners {
        let (status, body) = spinner.join().unwrap();
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["error"]["kind"], "timeout", "{body}");
    }
    let (status, body) = call(&worker, "calculate_clinical_metrics", bmi_input());
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["output"]["bmi"], 30.9, "{body}");
    eprintln!(
        "busy: {SLOTS} slots held by spins; {refused} calls refused with 503 + Retry-After; \
         /healthz 200 throughout; calls succeed after the spins time out"
    );
}

/// POSTs `body` (JSON) and returns the status and the error kind, if any.
fn post(url: &str, body: &Value) -> (u16, Value) {
    let response = http().post(url).json(body).send().unwrap();
    let status = response.status().as_u16();
    let body: Value = response.json().unwrap_or(Value::Null);
    (status, body["error"]["kind"].clone())
}

#[test]
fn the_worker_enforces_its_configured_body_cap() {
    let dir = dist_copy();
    let worker = Process::start(
        &[
            "worker",
            "--listen",
            "127.0.0.1:0",
            "--plugins",
            dir.path().to_str().unwrap(),
            "--max-body-bytes",
            "2000",
            "--collector",
            "none",
        ],
        &[],
    );
    let url = format!("{}/v1/tools/calculate_clinical_metrics/call", worker.url);
    // Under the cap: an ordinary call.
    let (status, kind) = post(&url, &json!({"input": bmi_input()}));
    assert_eq!((status, kind), (200, Value::Null));
    // Over the configured cap though far under the 1 MiB default.
    let big = json!({"input": {"height_inches": 64, "weight_lb": 180, "note": "x".repeat(3000)}});
    let (status, kind) = post(&url, &big);
    assert_eq!((status, kind), (413, json!("payload_too_large")));
    eprintln!("limits: worker --max-body-bytes 2000 refused a 3 KB call with 413");
}

#[test]
fn the_server_enforces_its_configured_message_and_otlp_caps() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("traces.db");
    let server = Process::start(
        &[
            "server",
            "--listen",
            "127.0.0.1:0",
            "--model",
            "offline",
            "--worker",
            "http://127.0.0.1:9",
            "--store",
            store.to_str().unwrap(),
            "--max-message-bytes",
            "100",
            "--max-otlp-body-bytes",
            "4000",
        ],
        &[],
    );
    // A chat message over the configured 100 bytes is refused, naming it.
    let response = http()
        .post(format!("{}/api/chat", server.url))
        .json(&json!({"message": "a".repeat(150)}))
        .send()
        .unwrap();
    assert_eq!(response.status().as_u16(), 413);
    let body: Value = response.json().unwrap();
    assert_eq!(body["error"]["kind"], "payload_too_large", "{body}");
    let message = body["error"]["message"].as_str().unwrap();
    assert!(message.contains("the limit is 100 bytes"), "{message}");

    // An OTLP batch under the cap is stored; one over it is refused.
    let spans = |payload: usize| {
        json!({"resourceSpans": [{"scopeSpans": [{"spans": [{
            "traceId": "0af7651916cd43dd8448eb211c80319c",
            "spanId": "b7ad6b7169203331",
            "name": "limits",
            "startTimeUnixNano": "1700000000000000000",
            "endTimeUnixNano": "1700000000500000000",
            "attributes": [{"key": "pad", "value": {"stringValue": "x".repeat(payload)}}],
        }]}]}]})
    };
    let traces = format!("{}/v1/traces", server.url);
    let (status, _) = post(&traces, &spans(100));
    assert_eq!(status, 200);
    let (status, kind) = post(&traces, &spans(5000));
    assert_eq!((status, kind), (413, json!("payload_too_large")));
    eprintln!(
        "limits: server --max-message-bytes 100 refused a 150-byte message, \
         --max-otlp-body-bytes 4000 refused a 5 KB batch, both with 413"
    );
}
