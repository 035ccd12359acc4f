//! Which compiler a plugin's calls run on: start-up compiles with Cranelift,
//! a reload serves on Winch's code until Cranelift's replaces it.

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::json;
use trellis_runtime::{EngineConfig, Plugin, Registry, RegistryConfig, ReloadCompiler, Tier};

use crate::support::{fixture, shipped};

fn registry(dir: &Path, reload_compiler: ReloadCompiler) -> Registry {
    Registry::new(RegistryConfig {
        engine: EngineConfig {
            max_concurrent_calls: 4,
            cache_dir: None,
            reload_compiler,
        },
        ..RegistryConfig::new(dir)
    })
    .unwrap()
}

fn copy_in(src: &Path, dir: &Path, name: &str) {
    std::fs::copy(src, dir.join(name)).unwrap();
}

fn plugin(registry: &Registry, name: &str) -> Arc<Plugin> {
    registry.snapshot().plugins[name].clone()
}

/// Calls `echo` and checks its answer.
async fn echo_answers(registry: &Registry) {
    let outcome = registry.call("echo", &json!({"text": "hi"})).await;
    let output: serde_json::Value = serde_json::from_str(outcome.result.unwrap().get()).unwrap();
    assert_eq!(output["version"], 1, "{output}");
    assert_eq!(output["input"]["text"], "hi", "{output}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reload_serves_baseline_code_until_cranelifts_replaces_it() {
    let dir = tempfile::tempdir().unwrap();
    copy_in(
        &shipped("calculate_clinical_metrics"),
        dir.path(),
        "calculate_clinical_metrics.wasm",
    );
    let registry = Arc::new(registry(dir.path(), ReloadCompiler::Tiered));
    let scanning = registry.clone();
    tokio::task::spawn_blocking(move || scanning.scan())
        .await
        .unwrap();
    let started = plugin(&registry, "calculate_clinical_metrics");
    assert_eq!(
        started.tier(),
        Tier::Optimized,
        "start-up waits for Cranelift"
    );

    copy_in(&fixture("echo"), dir.path(), "echo.wasm");
    let scanning = registry.clone();
    let report = tokio::task::spawn_blocking(move || scanning.scan())
        .await
        .unwrap();
    assert_eq!(report.loaded, ["echo"]);
    let echo = plugin(&registry, "echo");
    assert_eq!(echo.tier(), Tier::Baseline);
    echo_answers(&registry).await;

    let deadline = Instant::now() + Duration::from_secs(60);
    while echo.tier() == Tier::Baseline {
        assert!(Instant::now() < deadline, "echo never got optimised code");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    // The same plugin (version, tools) now runs Cranelift's code.
    assert!(Arc::ptr_eq(&echo, &plugin(&registry, "echo")));
    echo_answers(&registry).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reload_compilers_optimizing_and_baseline_keep_to_their_compiler() {
    for (compiler, tier) in [
        (ReloadCompiler::Optimizing, Tier::Optimized),
        (ReloadCompiler::Baseline, Tier::Baseline),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let registry = Arc::new(registry(dir.path(), compiler));
        let scanning = registry.clone();
        tokio::task::spawn_blocking(move || scanning.scan())
            .await
            .unwrap();
        copy_in(&fixture("echo"), dir.path(), "echo.wasm");
        let scanning = registry.clone();
        tokio::task::spawn_blocking(move || scanning.scan())
            .await
            .unwrap();
        let echo = plugin(&registry, "echo");
        assert_eq!(echo.tier(), tier, "{compiler:?}");
        echo_answers(&registry).await;
        // Nothing replaces the code later.
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert_eq!(echo.tier(), tier, "{compiler:?}");
    }
}
