//! Process faults (issue 8, item 3): a server killed with SIGKILL in the
//! middle of heavy ingest must come back on the same store with an intact
//! database and every span it acknowledged (answered 200 for) present; a
//! collector down for 30 s while workers keep serving calls loses no span
//! that fits in a worker's export queue, and a worker whose queue overflows
//! counts exactly the spans it dropped.

use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::support::{dist, free_port, http, prometheus_sum, run, wait_for, Process, TRACE_ENV};

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

/// How long the collector stays down: the figure.
const OUTAGE: Duration = Duration::from_secs(30);
/// The queue bound of the worker that must overflow during the outage.
const SMALL_QUEUE: u64 = 20;
/// Spans one tool call produces on the worker: `worker_execute_tool` and
/// the tool's own span under it.
const SPANS_PER_CALL: u64 = 2;

/// A worker serving the shipped plugins and exporting to `collector`.
fn exporting_worker(collector: &str, env: &[(&str, &str)]) -> Process {
    let dist = dist();
    Process::start_with(
        &[
            "worker",
            "--listen",
            "127.0.0.1:0",
            "--plugins",
            dist.to_str().unwrap(),
            "--no-hot-reload",
            "--collector",
            collector,
        ],
        env,
        TRACE_ENV,
    )
}

/// A worker and the trace-id prefix that marks the calls made to it.
struct Exporting {
    process: Process,
    prefix: &'static str,
    calls: u64,
}

impl Exporting {
    /// Calls the BMI tool in a trace of its own (`prefix` + a counter), so
    /// its spans can be counted in the store.
    fn call(&mut self) {
        let trace = format!("{}{:028x}", self.prefix, self.calls + 1);
        let response = http()
            .post(format!(
                "{}/v1/tools/calculate_clinical_metrics/call",
                self.process.url
            ))
            .header("traceparent", format!("00-{trace}-00f067aa0ba902b7-01"))
            .json(&json!({"input": {"height_inches": 64, "weight_lb": 180}}))
            .send()
            .unwrap();
        let status = response.status().as_u16();
        let body: Value = response.json().unwrap();
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["output"]["bmi"], 30.9, "{body}");
        self.calls += 1;
    }

    fn metric(&self, name: &str) -> u64 {
        prometheus_sum(&self.process.url, name)
    }

    /// (spans, `worker_execute_tool` spans) of this worker's traces in the
    /// store.
    fn stored(&self, store: &std::path::Path) -> (u64, u64) {
        let conn = trellis_trace::TraceStore::open_read_only(store).unwrap();
        // The prefix is one of this file's constants, not outside input.
        let sql = format!(
            "SELECT count(*), count(CASE WHEN name = '{}' THEN 1 END) \
             FROM spans WHERE root_span_id LIKE '{}%'",
            trellis_worker::EXECUTE_SPAN,
            self.prefix
        );
        conn.query_row(&sql, [], |r| {
            Ok((r.get::<_, i64>(0)? as u64, r.get::<_, i64>(1)? as u64))
        })
        .unwrap()
    }

    /// Waits until the worker's export queue is empty.
    fn drained(&self, within: Duration) -> bool {
        wait_for(within, &mut || {
            (self.metric("trellis_spans_queued") == 0).then_some(())
        })
        .is_some()
    }
}

fn start_collector(listen: &str, store: &str) -> Process {
    Process::start_with(
        &[
            "server", "--listen", listen, "--model", "offline", "--store", store,
        ],
        &[],
        TRACE_ENV,
    )
}

#[test]
fn a_collector_down_for_30_s_loses_no_queued_span_and_counts_every_overflow() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("outage.db");
    let store_arg = store.to_str().unwrap().to_owned();
    let listen = format!("127.0.0.1:{}", free_port());
    let mut collector = start_collector(&listen, &store_arg);
    let endpoint = format!("{}/v1/traces", collector.url);

    // Two workers share the outage: one with the default queue (10,000
    // spans, far more than 30 s of calls make), one whose queue holds 20.
    let small = SMALL_QUEUE.to_string();
    let mut roomy = Exporting {
        process: exporting_worker(&endpoint, &[]),
        prefix: "0a0a",
        calls: 0,
    };
    let mut tight = Exporting {
        process: exporting_worker(&endpoint, &[("OTEL_BSP_MAX_QUEUE_SIZE", &small)]),
        prefix: "0b0b",
        calls: 0,
    };

    // Export works before the fault.
    for worker in [&mut roomy, &mut tight] {
        worker.call();
        assert!(
            worker.drained(Duration::from_secs(10)),
            "warm-up spans sent"
        );
        assert_eq!(worker.stored(&store), (SPANS_PER_CALL, 1));
    }

    // The collector dies; calls go on for 30 s, a few per second per worker.
    collector.kill();
    let down_since = Instant::now();
    while down_since.elapsed() < OUTAGE {
        roomy.call();
        tight.call();
        std::thread::sleep(Duration::from_millis(200));
    }
    let outage = down_since.elapsed();
    for worker in [&roomy, &tight] {
        assert!(
            worker.metric("trellis_span_export_failed_attempts_total") > 0,
            "the worker noticed the outage"
        );
        assert_eq!(
            worker.metric("trellis_spans_exported_total"),
            SPANS_PER_CALL
        );
    }
    assert_eq!(roomy.metric("trellis_spans_dropped_total"), 0);
    assert_eq!(
        roomy.metric("trellis_spans_queued"),
        (roomy.calls - 1) * SPANS_PER_CALL,
        "the roomy worker holds every span of the outage"
    );
    assert_eq!(tight.metric("trellis_spans_queued"), SMALL_QUEUE);

    // The collector comes back on the same port and store.
    let restarted = start_collector(&listen, &store_arg);
    assert_eq!(restarted.url, collector.url);
    for worker in [&roomy, &tight] {
        // Backoff is capped at 10 s, so a retry comes well within this.
        assert!(
            worker.drained(Duration::from_secs(40)),
            "the queue drained after the collector came back:\n{}",
            worker.process.output()
        );
    }

    // The roomy worker lost nothing.
    let produced = roomy.calls * SPANS_PER_CALL;
    let (stored, executions) = roomy.stored(&store);
    assert_eq!(executions, roomy.calls, "one worker_execute_tool per call");
    assert_eq!(stored, produced);
    assert_eq!(roomy.metric("trellis_spans_dropped_total"), 0);
    assert_eq!(roomy.metric("trellis_spans_exported_total"), produced);
    eprintln!(
        "collector outage: {:.1} s down; default queue: {} calls, {produced} spans produced, \
         {stored} stored, 0 dropped",
        outage.as_secs_f64(),
        roomy.calls
    );

    // The tight worker kept what fitted and counted the rest exactly.
    let produced = tight.calls * SPANS_PER_CALL;
    let (stored, _) = tight.stored(&store);
    let dropped = tight.metric("trellis_spans_dropped_total");
    assert!(dropped > 0, "the small queue overflowed");
    assert_eq!(
        stored,
        SPANS_PER_CALL + SMALL_QUEUE,
        "the queue's worth arrived"
    );
    assert_eq!(stored + dropped, produced, "stored + dropped = produced");
    assert_eq!(tight.metric("trellis_spans_exported_total"), stored);
    eprintln!(
        "collector outage: queue of {SMALL_QUEUE}: {} calls, {produced} spans produced, \
         {stored} stored + {dropped} counted dropped = {}",
        tight.calls,
        stored + dropped
    );
}

#[test]
fn a_bad_queue_size_is_refused_naming_the_variable() {
    let dist = dist();
    for (value, expected) in [
        ("0", "OTEL_BSP_MAX_QUEUE_SIZE must be at least 1, not 0"),
        (
            "lots",
            "OTEL_BSP_MAX_QUEUE_SIZE=`lots` is not a whole number of spans",
        ),
    ] {
        let (code, _, stderr) = run(
            &[
                "worker",
                "--listen",
                "127.0.0.1:0",
                "--plugins",
                dist.to_str().unwrap(),
                "--collector",
                "http://127.0.0.1:9/v1/traces",
            ],
            &[("OTEL_BSP_MAX_QUEUE_SIZE", value)],
        );
        assert_ne!(
            code, 0,
            "worker started with OTEL_BSP_MAX_QUEUE_SIZE={value}"
        );
        assert!(stderr.contains(expected), "{stderr}");
    }
}
