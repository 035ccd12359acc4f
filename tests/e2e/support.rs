//! Test support: start the real `trellis` binary, wait for its `listening on`
//! line, and kill it on drop (printing its output if the test failed); build
//! the fixture plugins; poll with a deadline instead of sleeping.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

/// The repository root.
pub(crate) fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

/// The shipped plugins, built by `make plugins`.
pub(crate) fn dist() -> PathBuf {
    let dist = repo().join("plugins/dist");
    for name in [
        "calculate_clinical_metrics",
        "lookup_medication",
        "search_medical_knowledge",
    ] {
        assert!(
            dist.join(format!("{name}.wasm")).is_file(),
            "plugins/dist/{name}.wasm is missing: run `make plugins` (make test does)"
        );
    }
    dist
}

/// A copy of the shipped plugins in a fresh directory the test may change.
pub(crate) fn dist_copy() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir(dist()).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "wasm") {
            std::fs::copy(&path, dir.path().join(path.file_name().unwrap())).unwrap();
        }
    }
    dir
}

/// Builds the test-only plugins in `tests/fixtures/plugins` once per test
/// run and returns the path of the named one (`looper` → `looper.wasm`).
pub(crate) fn fixture(name: &str) -> PathBuf {
    static BUILT: OnceLock<PathBuf> = OnceLock::new();
    let out = BUILT.get_or_init(|| {
        let workspace = repo().join("tests/fixtures/plugins");
        let status = Command::new(env!("CARGO"))
            .args(["build", "--release", "--target", "wasm32-wasip2", "--quiet"])
            .current_dir(&workspace)
            .env_remove("CARGO_TARGET_DIR")
            .env_remove("RUSTFLAGS")
            .status()
            .expect("running cargo to build the fixture plugins");
        assert!(status.success(), "building tests/fixtures/plugins failed");
        workspace.join("target/wasm32-wasip2/release")
    });
    let path = out.join(format!("{name}.wasm"));
    assert!(
        path.is_file(),
        "fixture plugin {} was not built",
        path.display()
    );
    path
}

/// A running `trellis` process.
pub(crate) struct Process {
    child: Child,
    pub(crate) url: String,
    output: Arc<Mutex<Vec<String>>>,
    name: String,
}

impl Process {
    /// Starts `trellis ARGS...` and waits (up to 60 s: the first start may
    /// compile plugins) for its `listening on http://ADDR` line.
    pub(crate) fn start(args: &[&str], env: &[(&str, &str)]) -> Process {
        let mut command = Command::new(env!("CARGO_BIN_EXE_trellis"));
        command
            .args(args)
            .current_dir(repo())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .env_remove("ANTHROPIC_API_KEY")
            .env_remove("TRELLIS_TOKEN")
            .env("RUST_LOG", "info");
        for (k, v) in env {
            command.env(k, v);
        }
        let mut child = command.spawn().expect("starting trellis");
        let output = Arc::new(Mutex::new(Vec::new()));
        let (tx, rx) = mpsc::channel();
        let stdout = child.stdout.take().unwrap();
        let stderr = child.stderr.take().unwrap();
        let out = output.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if let Some(addr) = line.strip_prefix("listening on ") {
                    let _ = tx.send(addr.trim().to_string());
                }
                out.lock().unwrap().push(line);
            }
        });
        let err = output.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                err.lock().unwrap().push(line);
            }
        });
        let name = args.first().copied().unwrap_or("trellis").to_string();
        let url = match rx.recv_timeout(Duration::from_secs(60)) {
            Ok(url) => url,
            Err(_) => {
                let _ = child.kill();
                let _ = child.wait();
                std::thread::sleep(Duration::from_millis(100));
                panic!(
                    "`trellis {name}` did not print its listening line; output:\n{}",
                    output.lock().unwrap().join("\n")
                );
            }
        };
        Process {
            child,
            url,
            output,
            name,
        }
    }

    /// Everything the process printed so far, stdout and stderr interleaved.
    pub(crate) fn output(&self) -> String {
        self.output.lock().unwrap().join("\n")
    }

    /// Kills the process at once (SIGKILL), as a crash would.
    pub(crate) fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        if std::thread::panicking() {
            eprintln!(
                "---- output of `trellis {}` ----\n{}",
                self.name,
                self.output()
            );
        }
    }
}

/// Polls `check` every 20 ms until it returns `Some` or `timeout` passes.
pub(crate) fn wait_for<T>(timeout: Duration, check: &mut dyn FnMut() -> Option<T>) -> Option<T> {
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(value) = check() {
            return Some(value);
        }
        if Instant::now() >= deadline {
            return None;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// A blocking HTTP client with a generous timeout.
pub(crate) fn http() -> reqwest::blocking::Client {
    reqwest::blocking::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap()
}

/// Runs `trellis ARGS...` to completion and returns (exit code, stdout, stderr).
pub(crate) fn run(args: &[&str], env: &[(&str, &str)]) -> (i32, String, String) {
    let mut command = Command::new(env!("CARGO_BIN_EXE_trellis"));
    command
        .args(args)
        .current_dir(repo())
        .stdin(Stdio::null())
        .env_remove("ANTHROPIC_API_KEY")
        .env_remove("TRELLIS_TOKEN");
    for (k, v) in env {
        command.env(k, v);
    }
    let out = command.output().expect("running trellis");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}
