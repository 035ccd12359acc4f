//! B3: hot reload under load. A new version of the BMI plugin (the shipped
//! component with a custom section naming the reload, so each has a new
//! digest and must be compiled) is written beside the plugin directory's
//! files under a hidden name and renamed into place; the time until
//! `GET /v1/tools` serves the new digest is one sample. B2-style load on the
//! same tool runs throughout and must see no failed call. The worker runs
//! its default `--reload-compiler tiered`: a new version is served on
//! Winch's code, and the row also reports how long Cranelift's background
//! compile took for the versions it reached (from the worker's log).

use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use serde_json::Value;
use trellis_runtime::plugin::digest_of;

use crate::call::BMI_TOOL;
use crate::harness::Samples;
use crate::loadgen;
use crate::report::{count, millis, Row};
use crate::throughput::{bmi_body, bmi_url, start_worker};
use crate::Settings;

/// Concurrency of the load running during the reloads.
const LOAD_CONCURRENCY: usize = 16;
/// How long one reload may take before the benchmark gives up.
const RELOAD_TIMEOUT: Duration = Duration::from_secs(20);
/// How often the tool list is polled for the new digest.
const POLL: Duration = Duration::from_millis(2);
/// How long the last version's background compile may take once the load
/// has stopped.
const OPTIMIZE_TIMEOUT: Duration = Duration::from_secs(30);
/// Quiet time between reloads.
const GAP: Duration = Duration::from_millis(50);
/// B3's target: p50 in milliseconds.
const P50_TARGET_MS: f64 = 250.0;

/// `component` with a custom section named `name` holding `payload`
/// appended: the same code, a different file and digest.
pub(crate) fn with_custom_section(component: &[u8], name: &str, payload: &[u8]) -> Vec<u8> {
    let mut content = Vec::new();
    leb128(&mut content, name.len() as u64);
    content.extend_from_slice(name.as_bytes());
    content.extend_from_slice(payload);
    let mut out = component.to_vec();
    out.push(0); // custom section id
    leb128(&mut out, content.len() as u64);
    out.extend_from_slice(&content);
    out
}

fn leb128(out: &mut Vec<u8>, mut n: u64) {
    loop {
        let byte = (n & 0x7f) as u8;
        n >>= 7;
        if n == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

pub(crate) fn run(settings: &Settings) -> anyhow::Result<Vec<Row>> {
    let reloads = if settings.smoke { 3 } else { 50 };
    let dir = tempfile::tempdir()?;
    let cache = tempfile::tempdir()?;
    for entry in std::fs::read_dir(&settings.plugins)? {
        let path = entry?.path();
        if path.extension().is_some_and(|e| e == "wasm") {
            std::fs::copy(
                &path,
                dir.path().join(path.file_name().context("file name")?),
            )?;
        }
    }
    let plugins = Settings {
        plugins: dir.path().to_path_buf(),
        ..settings.clone()
    };
    let worker = start_worker(&plugins, cache.path())?;
    let target = dir.path().join(format!("{BMI_TOOL}.wasm"));
    let original = std::fs::read(&target)?;
    let client = reqwest::blocking::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()?;
    let nonce = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)?
        .as_nanos();

    let load = loadgen::spawn(
        &settings.programs.bench,
        &bmi_url(&worker.url),
        &bmi_body(),
        LOAD_CONCURRENCY,
        Duration::ZERO,
        Duration::from_secs(3600),
        true,
    )?;
    let mut took = Samples::default();
    let mut last = String::new();
    for i in 0..reloads {
        let bytes = with_custom_section(
            &original,
            "trellis-bench-reload",
            format!("{nonce}-{i}").as_bytes(),
        );
        let digest = digest_of(&bytes);
        let staged = dir.path().join(format!(".{BMI_TOOL}.wasm.tmp"));
        std::fs::write(&staged, &bytes)?;
        std::fs::rename(&staged, &target)?;
        let renamed = Instant::now();
        wait_for_digest(&client, &worker.url, &digest, RELOAD_TIMEOUT)
            .with_context(|| format!("reload {i}; worker output:\n{}", worker.output()))?;
        took.push(renamed.elapsed().as_secs_f64() * 1000.0);
        last = digest;
        std::thread::sleep(GAP);
    }
    let report = loadgen::report(load)?;
    let optimized = optimize_times(&worker, &last)?;
    let (p50, max) = (took.median(), took.max());
    let calls = report.ok + report.failed;
    Ok(vec![Row::new(
        "B3",
        format!(
            "hot reload: new BMI plugin renamed into place → new digest served, {reloads} \
             reloads under load at concurrency {LOAD_CONCURRENCY}"
        ),
        format!(
            "p50 {} / max {}; {} failed of {} calls; Cranelift's code followed for {} of \
             {reloads} versions (the rest were replaced first), background compile p50 {}",
            millis(p50),
            millis(max),
            report.failed,
            count(calls as f64),
            optimized.len(),
            millis(optimized.median())
        ),
    )
    .target(
        format!("p50 ≤ {P50_TARGET_MS} ms, zero failed calls"),
        p50 <= P50_TARGET_MS && report.failed == 0 && report.ok > 0,
    )])
}

/// Waits until the worker's log says the version with digest `last` got
/// Cranelift's code, then returns how long each optimised version's
/// background compile took (the worker logs `optimized plugin in N ms`).
fn optimize_times(worker: &crate::procs::Server, last: &str) -> anyhow::Result<Samples> {
    let deadline = Instant::now() + OPTIMIZE_TIMEOUT;
    loop {
        let output = worker.output();
        let lines: Vec<&str> = output
            .lines()
            .filter(|l| l.contains("optimized plugin in ") && l.contains(BMI_TOOL))
            .collect();
        if lines.iter().any(|l| l.contains(last)) {
            let mut times = Samples::default();
            for line in lines {
                let ms = line
                    .split("optimized plugin in ")
                    .nth(1)
                    .and_then(|rest| rest.split(' ').next())
                    .and_then(|n| n.parse::<f64>().ok())
                    .with_context(|| format!("unreadable log line: {line}"))?;
                times.push(ms);
            }
            return Ok(times);
        }
        if Instant::now() >= deadline {
            bail!(
                "no optimised code for the last version after {OPTIMIZE_TIMEOUT:?}; worker \
                 output:\n{output}"
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Polls the worker's tool list until the BMI tool has `digest`.
fn wait_for_digest(
    client: &reqwest::blocking::Client,
    base: &str,
    digest: &str,
    timeout: Duration,
) -> anyhow::Result<()> {
    let deadline = Instant::now() + timeout;
    let url = format!("{base}/v1/tools");
    loop {
        let list: Value = client.get(&url).send()?.error_for_status()?.json()?;
        let served = list["tools"]
            .as_array()
            .and_then(|tools| tools.iter().find(|t| t["name"] == BMI_TOOL))
            .and_then(|t| t["digest"].as_str());
        if served == Some(digest) {
            return Ok(());
        }
        if Instant::now() >= deadline {
            bail!(
                "the worker still serves {} after {timeout:?}, not {digest}",
                served.unwrap_or("no BMI tool")
            );
        }
        std::thread::sleep(POLL);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn leb128_encodes_sizes() {
        let mut out = Vec::new();
        leb128(&mut out, 624_485);
        assert_eq!(out, [0xe5, 0x8e, 0x26]);
        out.clear();
        leb128(&mut out, 5);
        assert_eq!(out, [5]);
    }

    #[test]
    fn a_custom_section_changes_the_digest_and_keeps_the_component() {
        let component = b"\0asm\x0d\x00\x01\x00".to_vec();
        let a = with_custom_section(&component, "n", b"1");
        let b = with_custom_section(&component, "n", b"2");
        assert_ne!(digest_of(&a), digest_of(&b));
        assert_eq!(&a[..8], &component[..]);
        assert_eq!(&a[8..], &[0, 3, 1, b'n', b'1']);
    }
}
