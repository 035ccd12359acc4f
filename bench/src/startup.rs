//! B4: worker start to ready — process spawned until it prints its
//! listening line, which it does once the plugin directory is loaded — with
//! a warm compile cache, against the same start compiling every plugin.

use std::time::Duration;

use anyhow::bail;
use serde_json::Value;

use crate::harness::Samples;
use crate::procs::Server;
use crate::report::{millis, Row};
use crate::Settings;

/// B4's target with the cache, in milliseconds.
const TARGET_MS: f64 = 150.0;
/// Plugins the shipped directory holds: one per tool B1 calls.
const SHIPPED_PLUGINS: usize = crate::call::TOOLS.len();

/// Starts a worker, checks it serves every shipped plugin, and returns how
/// long it took to be ready.
fn start_once(settings: &Settings, cache: Option<&std::path::Path>) -> anyhow::Result<Duration> {
    let plugins = settings.plugins.to_string_lossy();
    let cache_arg = cache.map(|c| c.to_string_lossy().into_owned());
    let mut args: Vec<&str> = vec![
        "worker",
        "--listen",
        "127.0.0.1:0",
        "--plugins",
        &plugins,
        "--collector",
        "none",
    ];
    match &cache_arg {
        Some(dir) => args.extend(["--cache-dir", dir.as_str()]),
        None => args.push("--no-cache"),
    }
    let worker = Server::start(&settings.programs.trellis, &args, &[])?;
    let health: Value = reqwest::blocking::get(format!("{}/healthz", worker.url))?.json()?;
    if health["plugins"].as_u64() != Some(SHIPPED_PLUGINS as u64) {
        bail!(
            "the worker is ready but serves {} plugins, not {SHIPPED_PLUGINS}: {health}\n{}",
            health["plugins"],
            worker.output()
        );
    }
    Ok(worker.ready_after)
}

pub(crate) fn run(settings: &Settings) -> anyhow::Result<Vec<Row>> {
    let (rounds, cold_rounds) = if settings.smoke { (2, 1) } else { (9, 5) };
    let cache = tempfile::tempdir()?;
    // Fills the cache; not a sample.
    start_once(settings, Some(cache.path()))?;
    let (mut warm, mut cold) = (Samples::default(), Samples::default());
    for round in 0..rounds.max(cold_rounds) {
        if round < rounds {
            warm.push(start_once(settings, Some(cache.path()))?.as_secs_f64() * 1000.0);
        }
        if round < cold_rounds {
            cold.push(start_once(settings, None)?.as_secs_f64() * 1000.0);
        }
    }
    let (with, without) = (warm.median(), cold.median());
    Ok(vec![Row::new(
        "B4",
        "worker start → ready with the three plugins, compile cache warm",
        format!("{} (max {})", millis(with), millis(warm.max())),
    )
    .baseline(
        format!("without the cache: {}", millis(without)),
        with / without,
    )
    .target(
        format!("≤ {TARGET_MS} ms with the cache"),
        with <= TARGET_MS,
    )])
}
