//! Compiled components for the tests, built with cargo once per test run:
//! the shipped plugins' workspace (`plugins/`) for the example scorer and a
//! real tool plugin, and the test-only fixtures (`tests/fixtures/plugins`),
//! the same workspace the end-to-end tests build.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

/// The repository root.
fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

/// Builds a plugin workspace for `wasm32-wasip2` (release, its own target
/// directory) and returns where its `.wasm` files land.
fn build(workspace: &str, packages: &[&str]) -> PathBuf {
    let workspace = repo().join(workspace);
    let mut command = Command::new(env!("CARGO"));
    command
        .args(["build", "--release", "--target", "wasm32-wasip2", "--quiet"])
        .current_dir(&workspace)
        .env_remove("CARGO_TARGET_DIR")
        .env_remove("RUSTFLAGS");
    for package in packages {
        command.args(["-p", package]);
    }
    let status = command.status().expect("running cargo to build plugins");
    assert!(
        status.success(),
        "building {} for wasm32-wasip2 failed",
        workspace.display()
    );
    workspace.join("target/wasm32-wasip2/release")
}

fn wasm(dir: &Path, name: &str) -> PathBuf {
    let path = dir.join(format!("{name}.wasm"));
    assert!(path.is_file(), "{} was not built", path.display());
    path
}

/// A shipped plugin (`safety_scorer`, `calculate_clinical_metrics`).
pub(crate) fn shipped(name: &str) -> PathBuf {
    static BUILT: OnceLock<PathBuf> = OnceLock::new();
    let out = BUILT.get_or_init(|| build("plugins", &["safety-scorer", "clinical-metrics"]));
    wasm(out, name)
}

/// A test-only fixture component (`hostile_scorer`, `import_scorer`,
/// `other_world`, ...).
pub(crate) fn fixture(name: &str) -> PathBuf {
    static BUILT: OnceLock<PathBuf> = OnceLock::new();
    let out = BUILT.get_or_init(|| build("tests/fixtures/plugins", &[]));
    wasm(out, name)
}

/// Copies `wasm` into `dir` as `NAME.wasm`, with `manifest` as `NAME.toml`
/// when given.
pub(crate) fn install(dir: &Path, wasm: &Path, name: &str, manifest: Option<&str>) {
    std::fs::copy(wasm, dir.join(format!("{name}.wasm"))).unwrap();
    if let Some(text) = manifest {
        std::fs::write(dir.join(format!("{name}.toml")), text).unwrap();
    }
}
