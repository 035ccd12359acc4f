//! The exporter against a real collector: spans survive a collector that is
//! down, overflow is counted exactly, shutdown flushes, several destinations
//! each get every span, a trace stitched across "processes" through headers
//! arrives as one tree, an in-process destination stores spans as the HTTP
//! collector would, and the counters render for `/metrics`.

use std::sync::Arc;
use std::time::Duration;

use http::HeaderMap;
use tokio::net::TcpListener;
use trellis_trace::{
    extract_trace_context, inject_trace_context, Collector, CollectorConfig, Exporter,
    ExporterConfig, Span, SpanType, TraceStore,
};

use crate::support::{eventually, unused_port, TestCollector};

const PATIENCE: Duration = Duration::from_secs(10);

/// Quick retries so the tests do not wait on production backoff.
fn config(endpoint: String) -> ExporterConfig {
    ExporterConfig {
        batch_size: 4,
        flush_interval: Duration::from_millis(20),
        initial_backoff: Duration::from_millis(10),
        max_backoff: Duration::from_millis(50),
        ..ExporterConfig::new(endpoint)
    }
}

fn spans(n: usize) -> impl Iterator<Item = trellis_trace::SpanRecord> {
    (0..n).map(|i| Span::root(format!("span-{i}"), SpanType::Task).end())
}

#[tokio::test]
async fn spans_wait_for_a_collector_that_is_down_and_all_arrive() {
    let port = unused_port().await;
    let endpoint = format!("http://127.0.0.1:{port}/v1/traces");
    let (exporter, _task) = Exporter::start(config(endpoint)).unwrap();
    for span in spans(25) {
        exporter.export(span);
    }
    eventually("a failed export attempt", PATIENCE, || async {
        exporter.stats().failed_attempts >= 2
    })
    .await;
    assert_eq!(exporter.stats().exported, 0);
    assert_eq!(exporter.stats().queued, 25);

    let listener = TcpListener::bind(("127.0.0.1", port)).await.unwrap();
    let collector = TestCollector::serve(listener);
    eventually("all 25 spans stored", PATIENCE, || async {
        collector.count() == 25
    })
    .await;
    eventually("the exporter to count them", PATIENCE, || async {
        exporter.stats().exported == 25
    })
    .await;
    let stats = exporter.stats();
    assert_eq!(stats.dropped, 0);
    assert_eq!(stats.queued, 0);
    exporter.shutdown(Duration::from_secs(1)).await;
}

#[tokio::test]
async fn a_full_queue_counts_drops_exactly() {
    let port = unused_port().await;
    let endpoint = format!("http://127.0.0.1:{port}/v1/traces");
    let (exporter, _task) = Exporter::start(ExporterConfig {
        queue_capacity: 10,
        ..config(endpoint)
    })
    .unwrap();
    for span in spans(25) {
        exporter.export(span);
    }
    let stats = exporter.stats();
    assert_eq!(stats.dropped, 15);
    assert_eq!(stats.queued, 10);

    let collector = TestCollector::serve(TcpListener::bind(("127.0.0.1", port)).await.unwrap());
    eventually("the 10 queued spans stored", PATIENCE, || async {
        exporter.stats().exported == 10
    })
    .await;
    assert_eq!(collector.count(), 10);
    assert_eq!(exporter.stats().dropped, 15);
}

#[tokio::test]
async fn shutdown_flushes_what_is_queued() {
    let collector = TestCollector::start().await;
    let (exporter, task) = Exporter::start(ExporterConfig {
        batch_size: 1000,
        // Nothing would be sent for an hour but for the shutdown.
        flush_interval: Duration::from_secs(3600),
        ..config(collector.endpoint())
    })
    .unwrap();
    for span in spans(7) {
        exporter.export(span);
    }
    assert_eq!(exporter.stats().queued, 7);
    let stats = exporter.shutdown(Duration::from_secs(5)).await;
    assert_eq!(stats.exported, 7);
    assert_eq!(stats.queued, 0);
    assert_eq!(collector.count(), 7);
    tokio::time::timeout(PATIENCE, task)
        .await
        .expect("exporter task ends after shutdown")
        .unwrap();

    exporter.export(Span::root("late", SpanType::Task).end());
    assert_eq!(exporter.stats().dropped, 1);
}

#[tokio::test]
async fn a_span_that_cannot_be_mapped_to_otlp_is_dropped_and_counted_alone() {
    let collector = TestCollector::start().await;
    let (exporter, _task) = Exporter::start(config(collector.endpoint())).unwrap();
    let mut bad = Span::root("bad ids", SpanType::Task).end();
    bad.span_id = "not-hex".into();
    bad.id = bad.span_id.clone();
    let mut records: Vec<_> = spans(6).collect();
    records.insert(3, bad);
    for record in records {
        exporter.export(record);
    }
    let stats = exporter.shutdown(Duration::from_secs(5)).await;
    assert_eq!(stats.exported, 6, "{stats:?}");
    assert_eq!(stats.dropped, 1, "{stats:?}");
    assert_eq!(stats.queued, 0, "{stats:?}");
    assert_eq!(collector.count(), 6);
}

#[tokio::test]
async fn shutdown_gives_up_at_its_deadline_when_the_collector_stays_down() {
    let endpoint = format!("http://127.0.0.1:{}/v1/traces", unused_port().await);
    let (exporter, _task) = Exporter::start(config(endpoint)).unwrap();
    for span in spans(3) {
        exporter.export(span);
    }
    let started = std::time::Instant::now();
    let stats = exporter.shutdown(Duration::from_millis(300)).await;
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(stats.exported, 0);
    assert_eq!(stats.dropped, 3);
    assert_eq!(stats.queued, 0);
}

#[tokio::test]
async fn a_refusing_endpoint_rejects_without_retrying_forever() {
    let collector = TestCollector::start().await;
    let endpoint = format!("http://{}/no/such/route", collector.addr);
    let (exporter, _task) = Exporter::start(config(endpoint)).unwrap();
    for span in spans(5) {
        exporter.export(span);
    }
    eventually("the spans to be rejected", PATIENCE, || async {
        exporter.stats().rejected == 5
    })
    .await;
    let stats = exporter.stats();
    assert_eq!(stats.queued, 0);
    assert_eq!(stats.exported, 0);
}

#[tokio::test]
async fn every_destination_gets_every_span_even_when_one_is_down() {
    let a = TestCollector::start().await;
    let b = TestCollector::start().await;
    let down = format!("http://127.0.0.1:{}/v1/traces", unused_port().await);
    let (exporter, _task) = Exporter::start_many(vec![
        config(a.endpoint()),
        config(b.endpoint()).with_header("x-bt-parent", "project_name:from-header"),
        config(down.clone()),
    ])
    .unwrap();
    for span in spans(6) {
        exporter.export(span);
    }
    eventually(
        "both live collectors to store 6 spans",
        PATIENCE,
        || async { a.count() == 6 && b.count() == 6 },
    )
    .await;
    let per = exporter.destination_stats();
    assert_eq!(per.len(), 3);
    let (endpoint, dead) = &per[2];
    assert_eq!(endpoint, &down);
    assert_eq!(dead.queued, 6);
    assert_eq!(dead.exported, 0);

    // The extra header reached the collector: spans without a project went
    // to the one `x-bt-parent` named.
    let reader = b.store.reader().unwrap();
    let project: String = reader
        .query_row("SELECT DISTINCT project FROM spans", [], |r| r.get(0))
        .unwrap();
    assert_eq!(project, "from-header");
}

#[tokio::test]
async fn a_trace_crossing_processes_through_headers_arrives_as_one_tree() {
    let collector = TestCollector::start().await;
    // Each "process" has its own exporter, as the real ones do.
    let start = |service: &str| {
        Exporter::start(config(collector.endpoint()).with_service_name(service))
            .unwrap()
            .0
    };
    let (client, server, worker) = (start("client"), start("server"), start("worker"));

    let conversation = Span::root("client_conversation", SpanType::Task).with_project("clinic");
    let turn = conversation.child("client_turn", SpanType::Task);
    let mut headers = HeaderMap::new();
    inject_trace_context(turn.context(), &mut headers);

    // The server sees only the headers.
    let server_turn =
        extract_trace_context(&headers).start_span("server_process_turn", SpanType::Task);
    let dispatch = server_turn.child("worker_execute_tool", SpanType::Task);
    let mut to_worker = HeaderMap::new();
    inject_trace_context(dispatch.context(), &mut to_worker);

    // The worker, likewise.
    let mut tool = extract_trace_context(&to_worker).start_span("calculate_bmi", SpanType::Tool);
    tool.log_output(serde_json::json!({"bmi": 30.9}));
    tool.log_score("health_risk", 0.3);
    worker.export(tool.end());
    server.export(dispatch.end());
    server.export(server_turn.end());
    client.export(turn.end());
    let trace_id = conversation.trace_id().to_owned();
    client.export(conversation.end());

    for exporter in [&client, &server, &worker] {
        exporter.shutdown(PATIENCE).await;
    }
    let tree = collector.store.trace_tree(&trace_id).unwrap().unwrap();
    assert_eq!(tree.span_count, 5);
    assert_eq!(tree.roots.len(), 1);
    let text = tree.render();
    let names: Vec<String> = text
        .lines()
        .skip(1)
        .map(|l| {
            l.trim_start_matches([' ', '│', '├', '└', '─'])
                .split(' ')
                .next()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(
        names,
        [
            "client_conversation",
            "client_turn",
            "server_process_turn",
            "worker_execute_tool",
            "calculate_bmi"
        ],
        "{text}"
    );
    assert!(text.contains("scores: health_risk=0.30"), "{text}");
    // Every span went to the project the client chose, carried in the slug.
    for span in tree.spans() {
        assert_eq!(span.project.as_deref(), Some("clinic"), "{}", span.name());
    }
    let worker_span = tree
        .spans()
        .into_iter()
        .find(|s| s.name() == "calculate_bmi")
        .unwrap();
    assert_eq!(worker_span.metadata["service.name"], "worker");
}

#[tokio::test]
async fn an_in_process_destination_stores_spans_as_the_collector_would() {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(TraceStore::open(dir.path().join("traces.db")).unwrap());
    let collector = Collector::new(
        store.clone(),
        CollectorConfig {
            default_project: "clinic".into(),
            ..CollectorConfig::default()
        },
    );
    let (exporter, _task) = Exporter::start(ExporterConfig {
        batch_size: 2,
        ..ExporterConfig::in_process(collector).with_service_name("trellis-server")
    })
    .unwrap();
    let root = Span::root("server_process_turn", SpanType::Task);
    let mut llm = root.child("claude_messages_create", SpanType::Llm);
    llm.add_usage(10, 5);
    let elsewhere = Span::root("other", SpanType::Task).with_project("elsewhere");
    let trace_id = root.trace_id().to_owned();
    exporter.export(llm.end());
    exporter.export(root.end());
    exporter.export(elsewhere.end());

    let stats = exporter.shutdown(PATIENCE).await;
    assert_eq!((stats.exported, stats.dropped, stats.queued), (3, 0, 0));
    assert_eq!(store.count().unwrap(), 3);
    let tree = store.trace_tree(&trace_id).unwrap().unwrap();
    assert_eq!(tree.roots.len(), 1);
    let llm = &tree.roots[0].children[0].span;
    assert_eq!(llm.name(), "claude_messages_create");
    assert_eq!(llm.metrics.tokens, Some(15));
    assert_eq!(llm.metadata["service.name"], "trellis-server");
    // A span naming no project goes to the collector's default, as over HTTP.
    assert_eq!(llm.project.as_deref(), Some("clinic"));
    let reader = store.reader().unwrap();
    let project: String = reader
        .query_row("SELECT project FROM spans WHERE name = 'other'", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(project, "elsewhere");
    let (_, per) = &exporter.destination_stats()[0];
    assert_eq!(per.exported, 3);
    assert!(exporter.destination_stats()[0].0.starts_with("in-process:"));
}

#[tokio::test]
async fn metrics_text_counts_per_destination() {
    let down = format!("http://127.0.0.1:{}/v1/traces", unused_port().await);
    let collector = TestCollector::start().await;
    let (exporter, _task) =
        Exporter::start_many(vec![config(collector.endpoint()), config(down.clone())]).unwrap();
    for span in spans(2) {
        exporter.export(span);
    }
    eventually(
        "the live destination to take both spans",
        PATIENCE,
        || async { exporter.destination_stats()[0].1.exported == 2 },
    )
    .await;
    let text = exporter.render_prometheus();
    assert!(
        text.contains("# TYPE trellis_spans_exported_total counter"),
        "{text}"
    );
    assert!(
        text.contains(&format!(
            "trellis_spans_exported_total{{destination=\"{}\"}} 2",
            collector.endpoint()
        )),
        "{text}"
    );
    assert!(
        text.contains(&format!("trellis_spans_queued{{destination=\"{down}\"}} 2")),
        "{text}"
    );
    assert!(
        text.contains(&format!(
            "trellis_spans_dropped_total{{destination=\"{down}\"}} 0"
        )),
        "{text}"
    );
}
