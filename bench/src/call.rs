//! B1: one in-process tool call — a fresh sandboxed instance plus
//! `call-tool` — for each shipped tool, against the same tool logic
//! compiled natively and called directly.

use std::hint::black_box;
use std::time::Duration;

use anyhow::{bail, Context};
use calculate_clinical_metrics::{CallError, Reply};
use serde_json::Value;
use trellis_runtime::{Registry, RegistryConfig};

use crate::harness::{time_each, Budget, Samples};
use crate::report::{micros, Row};
use crate::Settings;

/// A tool's logic compiled natively: the `call` every plugin crate exports
/// (the three share plugin-kit's result types).
pub(crate) type NativeCall = fn(&str) -> Result<Reply, CallError>;

/// The BMI call every HTTP benchmark uses too.
pub(crate) const BMI_TOOL: &str = calculate_clinical_metrics::TOOL_NAME;
/// The seed's patient: 5'4", 180 lb.
pub(crate) const BMI_INPUT: &str = r#"{"height_feet": 5, "height_inches": 4, "weight_lb": 180}"#;

/// The three tools with a typical input each.
pub(crate) const TOOLS: [(&str, &str, NativeCall); 3] = [
    (BMI_TOOL, BMI_INPUT, calculate_clinical_metrics::call),
    (
        lookup_medication::TOOL_NAME,
        r#"{"medications": ["metformin", "lisinopril"]}"#,
        lookup_medication::call,
    ),
    (
        search_medical_knowledge::TOOL_NAME,
        r#"{"query": "fatigue and increased thirst"}"#,
        search_medical_knowledge::call,
    ),
];

/// The B1 target: BMI p50 in microseconds.
const BMI_TARGET_US: f64 = 25.0;

pub(crate) fn run(settings: &Settings) -> anyhow::Result<Vec<Row>> {
    let registry = Registry::new(RegistryConfig::new(&settings.plugins))
        .context("cannot start the plugin runtime")?;
    let scan = registry.scan();
    if let Some((path, reason)) = scan.rejected.first() {
        bail!("plugin {} did not load: {reason}", path.display());
    }
    let snapshot = registry.snapshot();
    // A call is a future (the worker polls it on its async runtime); here
    // one thread polls it to completion, as a worker task would.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start an async runtime")?;
    let (rounds, budget) = if settings.smoke {
        (
            2,
            Budget {
                warmup: Duration::from_millis(20),
                min_samples: 50,
                min_time: Duration::from_millis(80),
                max_samples: 20_000,
            },
        )
    } else {
        (
            5,
            Budget {
                warmup: Duration::from_millis(200),
                min_samples: 1_000,
                min_time: Duration::from_millis(800),
                max_samples: 200_000,
            },
        )
    };
    let mut rows = Vec::new();
    for (tool, input, native) in TOOLS {
        let (plugin, _) = snapshot.tool(tool).with_context(|| {
            format!(
                "tool `{tool}` is not served by {}",
                settings.plugins.display()
            )
        })?;
        // Both sides must compute the same answer, or the ratio means nothing.
        let sandboxed: Value = runtime
            .block_on(plugin.call(tool, input))
            .result
            .map_err(|e| anyhow::anyhow!("the sandboxed `{tool}` call failed: {e}"))
            .and_then(|output| Ok(serde_json::from_str(output.get())?))?;
        let direct: Value = native(input)
            .map_err(|e| anyhow::anyhow!("the native `{tool}` call failed: {e:?}"))
            .and_then(|reply| Ok(serde_json::from_str(&reply.output)?))?;
        if sandboxed != direct {
            bail!("`{tool}` answers differently sandboxed and native:\n{sandboxed}\n{direct}");
        }
        let (mut wasm_p50, mut wasm_p99, mut native_p50, mut native_p99) = (
            Samples::default(),
            Samples::default(),
            Samples::default(),
            Samples::default(),
        );
        for _ in 0..rounds {
            let wasm = time_each(budget, || {
                let outcome = runtime.block_on(plugin.call(tool, black_box(input)));
                assert!(
                    outcome.result.is_ok(),
                    "`{tool}` failed: {:?}",
                    outcome.result
                );
                black_box(outcome);
            });
            let direct = time_each(budget, || {
                black_box(native(black_box(input)).is_ok());
            });
            wasm_p50.push(wasm.median());
            wasm_p99.push(wasm.percentile(99.0));
            native_p50.push(direct.median());
            native_p99.push(direct.percentile(99.0));
        }
        let (p50, p99) = (wasm_p50.median(), wasm_p99.median());
        let (n50, n99) = (native_p50.median(), native_p99.median());
        let mut row = Row::new(
            "B1",
            format!("in-process call, fresh instance + `call-tool`: {tool}"),
            format!("p50 {} / p99 {}", micros(p50), micros(p99)),
        )
        .baseline(
            format!("native fn: p50 {} / p99 {}", micros(n50), micros(n99)),
            p50 / n50,
        );
        if tool == BMI_TOOL {
            row = row.target(format!("p50 ≤ {BMI_TARGET_US} µs"), p50 <= BMI_TARGET_US);
        }
        rows.push(row);
    }
    Ok(rows)
}
