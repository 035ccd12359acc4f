//! Process faults (issue 8, item 3): a server killed with SIGKILL in the
//! middle of heavy ingest must come back on the same store with an intact
//! database and every span it acknowledged (answered 200 for) present.

use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{json, Value};

use crate::support::{http, Process, TRACE_ENV};

/// Spans per OTLP batch.
const BATCH: u32 = 200;
/// Concurrent ingest threads.
const THREADS: u8 = 3;

/// The hex span id of span `index` of batch `batch` sent by `thread`: unique
/// over the whole test.
fn span_id(thread: u8, batch: u32, index: u32) -> String {
    format!("{:02x}{:06x}{:08x}", thread + 1, batch, index + 1)
}

/// The hex trace id of batch `batch` sent by `thread`.
fn trace_id(thread: u8, batch: u32) -> String {
    format!(
        "{:016x}{:08x}{:08x}",
        0xfa17u64,
        thread as u32 + 1,
        batch + 1
    )
}

/// An OTLP/JSON export request holding one batch: a root and its children.
fn batch_body(thread: u8, batch: u32) -> Value {
    let trace = trace_id(thread, batch);
    let root = span_id(thread, batch, 0);
    let spans: Vec<Value> = (0..BATCH)
        .map(|i| {
            let mut span = json!({
                "traceId": trace,
                "spanId": span_id(thread, batch, i),
                "name": format!("fault-{thread}-{batch}-{i}"),
                "kind": 1,
                "startTimeUnixNano": "1700000000000000000",
                "endTimeUnixNano": "1700000000500000000",
                "attributes": [
                    {"key": "fault.payload", "value": {"stringValue": "x".repeat(64)}}
                ],
            });
            if i > 0 {
                span["parentSpanId"] = json!(root);
            }
            span
        })
        .collect();
    json!({
        "resourceSpans": [{
            "resource": {"attributes": [
                {"key": "service.name", "value": {"stringValue": "fault-test"}}
            ]},
            "scopeSpans": [{"scope": {"name": "fault-test"}, "spans": spans}]
        }]
    })
}

fn start_server(store: &str) -> Process {
    Process::start_with(
        &["server", "--listen", "127.0.0.1:0", "--store", store],
        &[],
        TRACE_ENV,
    )
}

#[test]
fn the_server_killed_during_heavy_ingest_loses_no_acknowledged_span() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("faults.db");
    let store_arg = store.to_str().unwrap().to_owned();
    let mut server = start_server(&store_arg);
    let endpoint = format!("{}/v1/traces", server.url);

    // Ingest from several threads until the server dies; remember every
    // batch it acknowledged with a 200 and no rejected spans.
    let stop = Arc::new(AtomicBool::new(false));
    let acked: Arc<Mutex<Vec<(u8, u32)>>> = Arc::default();
    let attempted = Arc::new(Mutex::new(0u64));
    let threads: Vec<_> = (0..THREADS)
        .map(|thread| {
            let (stop, acked, attempted, endpoint) = (
                stop.clone(),
                acked.clone(),
                attempted.clone(),
                endpoint.clone(),
            );
            std::thread::spawn(move || {
                let client = reqwest::blocking::Client::builder()
                    .timeout(Duration::from_secs(10))
                    .build()
                    .unwrap();
                let mut batch = 0u32;
                while !stop.load(Ordering::SeqCst) {
                    let body = serde_json::to_vec(&batch_body(thread, batch)).unwrap();
                    *attempted.lock().unwrap() += 1;
                    let response = client
                        .post(&endpoint)
                        .header("content-type", "application/json")
                        .body(body)
                        .send();
                    match response {
                        Ok(r) if r.status().as_u16() == 200 => {
                            let text = r.text().unwrap_or_default();
                            let rejected = serde_json::from_str::<Value>(&text)
                                .ok()
                                .and_then(|v| {
                                    v["partialSuccess"]["rejectedSpans"]
                                        .as_str()
                                        .map(|s| s.parse::<u64>().unwrap_or(0))
                                        .or_else(|| v["partialSuccess"]["rejectedSpans"].as_u64())
                                })
                                .unwrap_or(0);
                            assert_eq!(
                                rejected, 0,
                                "batch {thread}/{batch} partly rejected: {text}"
                            );
                            acked.lock().unwrap().push((thread, batch));
                        }
                        Ok(r) => panic!("batch {thread}/{batch}: unexpected status {}", r.status()),
                        // The server is gone: nothing more to acknowledge.
                        Err(_) => break,
                    }
                    batch += 1;
                }
            })
        })
        .collect();

    // Let ingest run, then crash the server while it is still going.
    std::thread::sleep(Duration::from_millis(1500));
    let acked_before_kill = acked.lock().unwrap().len();
    server.kill();
    stop.store(true, Ordering::SeqCst);
    for t in threads {
        t.join().expect("an ingest thread panicked");
    }
    let acked = acked.lock().unwrap().clone();
    let attempted = *attempted.lock().unwrap();
    assert!(
        acked_before_kill > 0,
        "no batch was acknowledged before the kill"
    );
    assert!(
        attempted > acked.len() as u64,
        "the kill did not land during ingest ({attempted} attempted, all acknowledged)"
    );

    // The store opens again: a new server starts on it.
    let restarted = start_server(&store_arg);
    let health = http()
        .get(format!("{}/metrics", restarted.url))
        .send()
        .unwrap();
    assert!(health.status().is_success());

    // SQLite finds nothing wrong with the file.
    let conn = trellis_trace::TraceStore::open_read_only(&store).unwrap();
    let report: Vec<String> = conn
        .prepare("PRAGMA integrity_check")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(report, ["ok"], "integrity_check after SIGKILL");

    // Every span of every acknowledged batch is there.
    let stored: HashSet<String> = conn
        .prepare("SELECT span_id FROM spans")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let mut missing = Vec::new();
    for &(thread, batch) in &acked {
        for i in 0..BATCH {
            let id = span_id(thread, batch, i);
            if !stored.contains(&id) {
                missing.push(id);
            }
        }
    }
    let acked_spans = acked.len() as u64 * u64::from(BATCH);
    println!(
        "batches attempted {attempted}, acknowledged {} ({acked_spans} spans); \
         spans in the store after restart {}; acknowledged spans missing {}",
        acked.len(),
        stored.len(),
        missing.len()
    );
    assert!(
        missing.is_empty(),
        "{} acknowledged spans are missing after SIGKILL, e.g. {:?}",
        missing.len(),
        &missing[..missing.len().min(5)]
    );
    assert!(stored.len() as u64 >= acked_spans);
}
