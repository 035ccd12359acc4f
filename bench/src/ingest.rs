//! B5: trace ingest — OTLP/HTTP protobuf export requests of 512 spans (the
//! exporter's batch size) posted to a running `trellis server`'s
//! `/v1/traces` by a few concurrent senders, spans stored per second —
//! against the same span rows written straight into a store with batched
//! inserts (`TraceStore::insert_spans`, one transaction per batch).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use trellis_trace::exporter::DEFAULT_BATCH_SIZE;
use trellis_trace::otlp::{encode_request, export_request, OtlpEncoding};
use trellis_trace::{SpanRecord, TraceStore};

use crate::harness::Samples;
use crate::procs::Server;
use crate::report::{count, Row};
use crate::spans;
use crate::Settings;

/// Concurrent senders (as several exporting processes would be).
const SENDERS: usize = 2;
/// B5's target, spans per second.
const TARGET: f64 = 50_000.0;

pub(crate) fn run(settings: &Settings) -> anyhow::Result<Vec<Row>> {
    let (rounds, per_round) = if settings.smoke {
        (1, 5_000)
    } else {
        (3, 100_000)
    };
    let dir = tempfile::tempdir()?;
    let store_path = dir.path().join("traces.db");
    let store_arg = store_path.to_string_lossy();
    let server = Server::start(
        &settings.programs.trellis,
        &[
            "server",
            "--listen",
            "127.0.0.1:0",
            "--store",
            &store_arg,
            "--model",
            "offline",
            "--worker",
            "http://127.0.0.1:9",
        ],
        &[],
    )?;
    let raw_store = TraceStore::open(dir.path().join("raw.db"))?;
    let url = format!("{}/v1/traces", server.url);
    let (mut over_http, mut raw) = (Samples::default(), Samples::default());
    let mut sent = 0;
    for round in 0..rounds {
        let records = spans::spans(round * per_round, per_round);
        let batches: Vec<&[SpanRecord]> = records.chunks(DEFAULT_BATCH_SIZE).collect();
        let bodies: Vec<Vec<u8>> = batches
            .iter()
            .map(|batch| {
                let (request, errors) = export_request(batch.iter(), Some("trellis-bench"));
                match errors.first() {
                    Some(e) => bail!("a generated span does not map to OTLP: {e}"),
                    None => Ok(encode_request(&request, OtlpEncoding::Protobuf)),
                }
            })
            .collect::<anyhow::Result<_>>()?;
        let took = post_all(&url, &bodies).with_context(|| server.output())?;
        over_http.push(records.len() as f64 / took.as_secs_f64());
        sent += records.len();

        let started = Instant::now();
        for batch in &batches {
            raw_store.insert_spans(batch)?;
        }
        raw.push(records.len() as f64 / started.elapsed().as_secs_f64());
    }
    let stored = stored_spans(&store_path)?;
    if stored != sent as u64 {
        bail!("the server stored {stored} spans of the {sent} sent");
    }
    let (http, direct) = (over_http.median(), raw.median());
    Ok(vec![Row::new(
        "B5",
        format!(
            "trace ingest: OTLP protobuf, {DEFAULT_BATCH_SIZE}-span requests to `trellis server` \
             /v1/traces, {SENDERS} senders, {} spans per run",
            count(per_round as f64)
        ),
        format!("{} spans/s", count(http)),
    )
    .baseline(
        format!(
            "batched inserts of the same rows: {} spans/s",
            count(direct)
        ),
        http / direct,
    )
    .target(
        format!("≥ {} spans/s", count(TARGET)),
        http >= TARGET,
    )])
}

/// Posts every body with `SENDERS` concurrent keep-alive clients; returns
/// the time from the first request to the last response.
fn post_all(url: &str, bodies: &[Vec<u8>]) -> anyhow::Result<Duration> {
    let next = AtomicUsize::new(0);
    let clients: Vec<reqwest::blocking::Client> = (0..SENDERS)
        .map(|_| {
            reqwest::blocking::Client::builder()
                .timeout(Duration::from_secs(60))
                .build()
        })
        .collect::<Result<_, _>>()?;
    let started = Instant::now();
    std::thread::scope(|scope| {
        let senders: Vec<_> = clients
            .iter()
            .map(|client| {
                let next = &next;
                scope.spawn(move || -> anyhow::Result<()> {
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(body) = bodies.get(i) else {
                            return Ok(());
                        };
                        let response = client
                            .post(url)
                            .header("content-type", OtlpEncoding::Protobuf.content_type())
                            .body(body.clone())
                            .send()?;
                        let status = response.status();
                        if !status.is_success() {
                            bail!("POST {url} answered {status}: {}", response.text()?);
                        }
                    }
                })
            })
            .collect();
        senders
            .into_iter()
            .try_for_each(|s| s.join().map_err(|_| anyhow::anyhow!("a sender panicked"))?)
    })?;
    Ok(started.elapsed())
}

/// How many spans the store file holds.
fn stored_spans(path: &std::path::Path) -> anyhow::Result<u64> {
    let conn = TraceStore::open_read_only(path)?;
    let n: i64 = conn.query_row("SELECT count(*) FROM spans", [], |r| r.get(0))?;
    Ok(n as u64)
}
