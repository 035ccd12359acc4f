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
    /// Exporter settings of the caller's shell never leak in: they are
    /// unset unless `env` sets them.
    pub(crate) fn start(args: &[&str], env: &[(&str, &str)]) -> Process {
        Process::start_with(args, env, TRACE_ENV)
    }

    /// [`Process::start`] with `unset` removed from the environment too.
    pub(crate) fn start_with(args: &[&str], env: &[(&str, &str)], unset: &[&str]) -> Process {
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
        for k in unset {
            command.env_remove(k);
        }
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

/// The environment that decides where spans go and which store and project
/// are used: tests that check traces set what they need and nothing leaks in
/// from the developer's shell.
pub(crate) const TRACE_ENV: &[&str] = &[
    "OTEL_EXPORTER_OTLP_ENDPOINT",
    "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
    "OTEL_EXPORTER_OTLP_HEADERS",
    "BRAINTRUST_API_KEY",
    "BRAINTRUST_API_URL",
    "TRELLIS_STORE",
    "TRELLIS_PROJECT",
    "TRELLIS_SERVER",
];

/// A loopback port that was free a moment ago (bound, then released), for a
/// process that must be named before it starts.
pub(crate) fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// The three-process setup with tracing wired up: a server (offline model)
/// with its own store in a temporary directory, and a worker on a port
/// reserved before the server started, exporting to the server's collector.
/// The client (`trellis ask`) is run by the test with `--server`.
pub(crate) struct TracedStack {
    pub(crate) server: Process,
    pub(crate) worker: Process,
    /// The server's SQLite trace store.
    pub(crate) store: PathBuf,
    _dir: tempfile::TempDir,
}

impl TracedStack {
    /// Starts the server, then the worker serving the shipped plugins (each
    /// needs the other's URL).
    pub(crate) fn start() -> TracedStack {
        TracedStack::start_with(&dist(), &[])
    }

    /// [`TracedStack::start`] with the worker serving `plugins`, and `env`
    /// set for both processes.
    pub(crate) fn start_with(plugins: &Path, env: &[(&str, &str)]) -> TracedStack {
        let dir = tempfile::tempdir().unwrap();
        let store = dir.path().join("traces.db");
        let worker_url = format!("http://127.0.0.1:{}", free_port());
        let args = [
            "server",
            "--listen",
            "127.0.0.1:0",
            "--model",
            "offline",
            "--worker",
            &worker_url,
            "--store",
            store.to_str().unwrap(),
        ];
        let server = Process::start_with(&args, env, TRACE_ENV);
        let collector = format!("{}/v1/traces", server.url);
        let listen = worker_url.trim_start_matches("http://").to_string();
        let args = [
            "worker",
            "--listen",
            &listen,
            "--plugins",
            plugins.to_str().unwrap(),
            "--collector",
            &collector,
        ];
        let worker = Process::start_with(&args, env, TRACE_ENV);
        assert_eq!(worker.url, worker_url, "the worker took the reserved port");
        TracedStack {
            server,
            worker,
            store,
            _dir: dir,
        }
    }

    /// Polls the trace until `complete` says every span it waits for has
    /// arrived (spans come in asynchronously from three processes).
    pub(crate) fn wait_for_trace(
        &self,
        trace_id: &str,
        complete: &dyn Fn(&serde_json::Value) -> bool,
    ) -> serde_json::Value {
        wait_for_trace(&self.server.url, trace_id, complete)
    }
}

/// `GET {server}/api/traces/{trace_id}`: the tree, `None` on 404.
pub(crate) fn fetch_trace(server: &str, trace_id: &str) -> Option<serde_json::Value> {
    let response = http()
        .get(format!("{server}/api/traces/{trace_id}"))
        .send()
        .unwrap();
    match response.status().as_u16() {
        200 => Some(response.json().unwrap()),
        404 => None,
        other => panic!(
            "GET /api/traces/{trace_id} answered {other}: {}",
            response.text().unwrap()
        ),
    }
}

/// Polls `GET {server}/api/traces/{trace_id}` for up to 30 s until
/// `complete` accepts the tree, and returns it.
pub(crate) fn wait_for_trace(
    server: &str,
    trace_id: &str,
    complete: &dyn Fn(&serde_json::Value) -> bool,
) -> serde_json::Value {
    let mut last = None;
    let found = wait_for(Duration::from_secs(30), &mut || {
        let tree = fetch_trace(server, trace_id)?;
        if complete(&tree) {
            Some(tree)
        } else {
            last = Some(tree);
            None
        }
    });
    found.unwrap_or_else(|| {
        panic!(
            "trace {trace_id} did not complete within 30 s; last seen:\n{}",
            serde_json::to_string_pretty(&last).unwrap()
        )
    })
}

/// A `trellis` command running in the background whose output is read as it
/// comes (for commands that do not serve, such as `ask`).
pub(crate) struct Background {
    child: Child,
    stdout: Arc<Mutex<Vec<String>>>,
    stderr: Arc<Mutex<Vec<String>>>,
    readers: Vec<std::thread::JoinHandle<()>>,
}

impl Background {
    /// Starts `trellis ARGS...` with `env` set and [`TRACE_ENV`] otherwise
    /// unset.
    pub(crate) fn spawn(args: &[&str], env: &[(&str, &str)]) -> Background {
        let mut command = Command::new(env!("CARGO_BIN_EXE_trellis"));
        command
            .args(args)
            .current_dir(repo())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .env_remove("ANTHROPIC_API_KEY")
            .env_remove("TRELLIS_TOKEN");
        for k in TRACE_ENV {
            command.env_remove(k);
        }
        for (k, v) in env {
            command.env(k, v);
        }
        let mut child = command.spawn().expect("starting trellis");
        let stdout = Arc::new(Mutex::new(Vec::new()));
        let stderr = Arc::new(Mutex::new(Vec::new()));
        let mut readers = Vec::new();
        for (pipe, lines) in [
            (
                Box::new(child.stdout.take().unwrap()) as Box<dyn std::io::Read + Send>,
                stdout.clone(),
            ),
            (Box::new(child.stderr.take().unwrap()), stderr.clone()),
        ] {
            readers.push(std::thread::spawn(move || {
                for line in BufReader::new(pipe).lines().map_while(Result::ok) {
                    lines.lock().unwrap().push(line);
                }
            }));
        }
        Background {
            child,
            stdout,
            stderr,
            readers,
        }
    }

    /// Waits up to `timeout` for a line of stdout containing `needle`.
    pub(crate) fn wait_for_line(&self, needle: &str, timeout: Duration) -> Option<String> {
        wait_for(timeout, &mut || {
            self.stdout
                .lock()
                .unwrap()
                .iter()
                .find(|l| l.contains(needle))
                .cloned()
        })
    }

    /// Waits for the command to exit: (exit code, stdout, stderr).
    pub(crate) fn finish(mut self, timeout: Duration) -> (i32, String, String) {
        let status = wait_for(timeout, &mut || self.child.try_wait().unwrap());
        let Some(status) = status else {
            let _ = self.child.kill();
            let _ = self.child.wait();
            panic!(
                "the command did not finish within {timeout:?}; stdout:\n{}\nstderr:\n{}",
                self.stdout.lock().unwrap().join("\n"),
                self.stderr.lock().unwrap().join("\n")
            );
        };
        for reader in std::mem::take(&mut self.readers) {
            let _ = reader.join();
        }
        let join = |lines: &Arc<Mutex<Vec<String>>>| {
            let mut text = lines.lock().unwrap().join("\n");
            text.push('\n');
            text
        };
        (
            status.code().unwrap_or(-1),
            join(&self.stdout),
            join(&self.stderr),
        )
    }
}

impl Drop for Background {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Serves `app` on a free loopback port from a background thread (for the
/// fakes of outside services: the Messages API, Braintrust) and returns its
/// base URL. The server lives until the test process ends.
pub(crate) fn serve_in_background(app: axum::Router) -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async move {
            let listener = tokio::net::TcpListener::from_std(listener).unwrap();
            axum::serve(listener, app).await.unwrap();
        });
    });
    url
}

/// The value of the Prometheus series `name` on `{url}/metrics`, summed
/// over its labels (0 when the series is absent).
pub(crate) fn prometheus_sum(url: &str, name: &str) -> u64 {
    let text = http()
        .get(format!("{url}/metrics"))
        .send()
        .and_then(|r| r.error_for_status())
        .and_then(|r| r.text())
        .unwrap_or_else(|e| panic!("GET {url}/metrics: {e}"));
    text.lines()
        .filter(|l| l.starts_with(&format!("{name}{{")) || l.starts_with(&format!("{name} ")))
        .map(|l| {
            let value = l.rsplit(' ').next().unwrap_or_default();
            value
                .parse::<f64>()
                .unwrap_or_else(|_| panic!("`{l}` has no numeric value")) as u64
        })
        .sum()
}
