//! B2: the worker's HTTP surface under load — requests per second and
//! latency of the BMI tool at concurrency 1, 16 and 64, the load coming from
//! a separate process — against a bare axum handler that parses and answers
//! the same request and response types, under the same load.

use std::time::Duration;

use crate::call::{BMI_INPUT, BMI_TOOL};
use crate::harness::Samples;
use crate::loadgen::{load, LoadReport};
use crate::procs::Server;
use crate::report::{count, micros, Row};
use crate::Settings;

/// Concurrency levels of B2.
const CONCURRENCY: [usize; 3] = [1, 16, 64];
/// B2's target: worker throughput over bare throughput at concurrency 16.
const RATIO_TARGET: f64 = 0.75;

/// The body of a BMI call.
pub(crate) fn bmi_body() -> String {
    format!(r#"{{"input": {BMI_INPUT}}}"#)
}

/// The URL of the BMI tool on a worker (or the bare server).
pub(crate) fn bmi_url(base: &str) -> String {
    format!("{base}/v1/tools/{BMI_TOOL}/call")
}

/// Starts a worker serving `settings.plugins` with span export off (B7
/// measures tracing) and a compile cache in `cache`.
pub(crate) fn start_worker(settings: &Settings, cache: &std::path::Path) -> anyhow::Result<Server> {
    let plugins = settings.plugins.to_string_lossy();
    let cache = cache.to_string_lossy();
    Server::start(
        &settings.programs.trellis,
        &[
            "worker",
            "--listen",
            "127.0.0.1:0",
            "--plugins",
            &plugins,
            "--cache-dir",
            &cache,
            "--collector",
            "none",
        ],
        &[],
    )
}

/// Medians of repeated load runs against one target.
#[derive(Default)]
struct Runs {
    rps: Samples,
    p50: Samples,
    p99: Samples,
    failed: u64,
}

impl Runs {
    fn add(&mut self, report: &LoadReport) {
        self.rps.push(report.rps);
        self.p50.push(report.p50_us);
        self.p99.push(report.p99_us);
        self.failed += report.failed;
    }

    fn describe(&self) -> String {
        let failed = if self.failed > 0 {
            format!(", {} FAILED calls", self.failed)
        } else {
            String::new()
        };
        format!(
            "{} req/s, p50 {} / p99 {}{failed}",
            count(self.rps.median()),
            micros(self.p50.median()),
            micros(self.p99.median())
        )
    }
}

pub(crate) fn run(settings: &Settings) -> anyhow::Result<Vec<Row>> {
    let cache = tempfile::tempdir()?;
    let worker = start_worker(settings, cache.path())?;
    let bare = Server::start(&settings.programs.bench, &["bare-server"], &[])?;
    let (rounds, warmup, duration) = if settings.smoke {
        (1, Duration::from_millis(100), Duration::from_millis(250))
    } else {
        (3, Duration::from_millis(500), Duration::from_secs(3))
    };
    let body = bmi_body();
    let mut rows = Vec::new();
    for concurrency in CONCURRENCY {
        let (mut on_worker, mut on_bare) = (Runs::default(), Runs::default());
        for _ in 0..rounds {
            let bench = &settings.programs.bench;
            on_worker.add(&load(
                bench,
                &bmi_url(&worker.url),
                &body,
                concurrency,
                warmup,
                duration,
            )?);
            on_bare.add(&load(
                bench,
                &bmi_url(&bare.url),
                &body,
                concurrency,
                warmup,
                duration,
            )?);
        }
        let ratio = on_worker.rps.median() / on_bare.rps.median();
        let mut row = Row::new(
            "B2",
            format!("worker HTTP, BMI tool, concurrency {concurrency} (span export off)"),
            on_worker.describe(),
        )
        .baseline(format!("bare axum: {}", on_bare.describe()), ratio);
        if concurrency == 16 {
            row = row.target(
                format!("≥ {RATIO_TARGET}× bare throughput, no failed calls"),
                ratio >= RATIO_TARGET && on_worker.failed == 0,
            );
        }
        rows.push(row);
    }
    Ok(rows)
}
