//! B8: the worker's resident memory (`VmRSS` from `/proc/<pid>/status`)
//! once loaded and idle, and its peak while 64 concurrent BMI calls run
//! (sampled every few milliseconds, and `VmHWM`, the kernel's own peak).

use std::time::{Duration, Instant};

use crate::harness::Samples;
use crate::loadgen;
use crate::procs::memory;
use crate::report::Row;
use crate::throughput::{bmi_body, bmi_url, start_worker};
use crate::Settings;

/// Concurrent calls of the loaded measurement.
const CONCURRENCY: usize = 64;
/// How long the worker sits before its idle size is read.
const SETTLE: Duration = Duration::from_millis(500);
/// How often memory is sampled under load.
const SAMPLE_EVERY: Duration = Duration::from_millis(10);
/// B8's target, in MiB.
const TARGET_MIB: f64 = 80.0;

fn mib(bytes: u64) -> f64 {
    bytes as f64 / (1024.0 * 1024.0)
}

pub(crate) fn run(settings: &Settings) -> anyhow::Result<Vec<Row>> {
    let (rounds, duration) = if settings.smoke {
        (1, Duration::from_millis(600))
    } else {
        (3, Duration::from_secs(4))
    };
    let (mut idle, mut loaded) = (Samples::default(), Samples::default());
    for _ in 0..rounds {
        let cache = tempfile::tempdir()?;
        let worker = start_worker(settings, cache.path())?;
        std::thread::sleep(SETTLE);
        idle.push(mib(memory(worker.pid())?.0));
        let load = loadgen::spawn(
            &settings.programs.bench,
            &bmi_url(&worker.url),
            &bmi_body(),
            CONCURRENCY,
            Duration::ZERO,
            duration,
            false,
        )?;
        let until = Instant::now() + duration;
        let mut peak = 0;
        while Instant::now() < until {
            peak = peak.max(memory(worker.pid())?.0);
            std::thread::sleep(SAMPLE_EVERY);
        }
        let report = loadgen::report(load)?;
        anyhow::ensure!(
            report.failed == 0 && report.ok > 0,
            "the load on the worker failed: {report:?}"
        );
        let (_, hwm) = memory(worker.pid())?;
        loaded.push(mib(peak.max(hwm)));
    }
    let (idle, loaded) = (idle.median(), loaded.median());
    Ok(vec![
        Row::new(
            "B8",
            "worker resident memory, idle (three plugins loaded)",
            format!("{idle:.1} MiB"),
        )
        .target(format!("≤ {TARGET_MIB} MB"), idle <= TARGET_MIB),
        Row::new(
            "B8",
            format!(
                "worker resident memory, peak under {CONCURRENCY} concurrent BMI calls (VmHWM)"
            ),
            format!("{loaded:.1} MiB"),
        )
        .target(format!("≤ {TARGET_MIB} MB"), loaded <= TARGET_MIB),
    ])
}
