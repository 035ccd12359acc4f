//! Processes the benchmarks start: the real `trellis` binary (worker,
//! server, client) and this binary re-invoked as the load generator or the
//! bare baseline server. Each listening process binds `127.0.0.1:0` and is
//! found through its `listening on http://ADDR` line; every child is killed
//! when its handle drops, on a panic too, and its last lines of output are
//! printed if the benchmark failed while it ran.

use std::collections::VecDeque;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{bail, Context};

/// How long a process may take to print its listening line (a cold start
/// may compile every plugin).
const START_TIMEOUT: Duration = Duration::from_secs(120);
/// Lines of a child's output kept for the error message.
const KEPT_LINES: usize = 200;

/// Environment variables of the caller's shell that would change what a
/// child does (credentials, exporters, defaults): never passed on.
const SCRUBBED_ENV: &[&str] = &[
    "ANTHROPIC_API_KEY",
    "ANTHROPIC_BASE_URL",
    "BRAINTRUST_API_KEY",
    "BRAINTRUST_API_URL",
    "TRELLIS_TOKEN",
    "TRELLIS_PLUGINS",
    "TRELLIS_CACHE",
    "TRELLIS_STORE",
    "TRELLIS_SERVER",
    "TRELLIS_WORKER",
    "TRELLIS_MODEL",
    "TRELLIS_PROJECT",
    "TRELLIS_WORKER_LISTEN",
    "TRELLIS_SERVER_LISTEN",
    "OTEL_TRACES_EXPORTER",
    "OTEL_EXPORTER_OTLP_ENDPOINT",
    "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
    "OTEL_EXPORTER_OTLP_HEADERS",
];

/// A command to run: a program, its arguments and extra environment, with
/// the caller's exporter and credential settings removed.
pub(crate) fn command(program: &Path, args: &[&str], env: &[(&str, &str)]) -> Command {
    let mut command = Command::new(program);
    command
        .args(args)
        .stdin(Stdio::null())
        .env("RUST_LOG", "info");
    for name in SCRUBBED_ENV {
        command.env_remove(name);
    }
    for (k, v) in env {
        command.env(k, v);
    }
    command
}

/// A running child that listens on a port.
pub(crate) struct Server {
    child: Child,
    /// `http://ADDR` from its listening line.
    pub(crate) url: String,
    /// Time from spawn to the listening line.
    pub(crate) ready_after: Duration,
    output: Arc<Mutex<VecDeque<String>>>,
    name: String,
}

impl Server {
    /// Starts `program ARGS...` and waits for its `listening on` line.
    pub(crate) fn start(
        program: &Path,
        args: &[&str],
        env: &[(&str, &str)],
    ) -> anyhow::Result<Server> {
        let name = format!(
            "{} {}",
            program
                .file_name()
                .map(|n| n.to_string_lossy())
                .unwrap_or_default(),
            args.first().copied().unwrap_or_default()
        );
        let mut command = command(program, args, env);
        command.stdout(Stdio::piped()).stderr(Stdio::piped());
        let started = Instant::now();
        let mut child = command
            .spawn()
            .with_context(|| format!("cannot start `{}`", program.display()))?;
        let output = Arc::new(Mutex::new(VecDeque::new()));
        let (tx, rx) = mpsc::channel();
        let stdout = child.stdout.take().context("child stdout")?;
        let stderr = child.stderr.take().context("child stderr")?;
        let out = output.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if let Some(url) = line.strip_prefix("listening on ") {
                    let _ = tx.send((url.trim().to_string(), Instant::now()));
                }
                keep(&out, line);
            }
        });
        let err = output.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                keep(&err, line);
            }
        });
        let mut server = Server {
            child,
            url: String::new(),
            ready_after: Duration::ZERO,
            output,
            name,
        };
        match rx.recv_timeout(START_TIMEOUT) {
            Ok((url, at)) => {
                server.url = url;
                server.ready_after = at - started;
                Ok(server)
            }
            Err(_) => {
                let _ = server.child.kill();
                let _ = server.child.wait();
                std::thread::sleep(Duration::from_millis(100));
                bail!(
                    "`{}` did not print its listening line within {START_TIMEOUT:?}; its output:\n{}",
                    server.name,
                    server.output()
                )
            }
        }
    }

    /// The process id (for `/proc/<pid>/status`).
    pub(crate) fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The last lines the process printed.
    pub(crate) fn output(&self) -> String {
        let lines = self.output.lock().unwrap_or_else(|p| p.into_inner());
        lines.iter().cloned().collect::<Vec<_>>().join("\n")
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        if std::thread::panicking() {
            eprintln!(
                "---- last output of `{}` ----\n{}",
                self.name,
                self.output()
            );
        }
    }
}

fn keep(lines: &Mutex<VecDeque<String>>, line: String) {
    let mut lines = lines.lock().unwrap_or_else(|p| p.into_inner());
    if lines.len() == KEPT_LINES {
        lines.pop_front();
    }
    lines.push_back(line);
}

/// A child that is killed when dropped, whatever it is doing.
pub(crate) struct KillOnDrop(pub(crate) Child);

impl KillOnDrop {
    /// Waits for the child and returns its stdout; fails, with its stderr,
    /// if it exits unsuccessfully.
    pub(crate) fn finish(mut self, what: &str) -> anyhow::Result<String> {
        use std::io::Read;
        let mut stdout = String::new();
        let mut stderr = String::new();
        if let Some(mut out) = self.0.stdout.take() {
            out.read_to_string(&mut stdout)?;
        }
        if let Some(mut err) = self.0.stderr.take() {
            err.read_to_string(&mut stderr)?;
        }
        let status = self.0.wait()?;
        if !status.success() {
            bail!("{what} failed ({status}): {}", stderr.trim());
        }
        Ok(stdout)
    }
}

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Where the programs the benchmarks run are.
#[derive(Debug, Clone)]
pub(crate) struct Programs {
    /// The `trellis` binary under test.
    pub(crate) trellis: PathBuf,
    /// This binary (the load generator and the bare baseline server).
    pub(crate) bench: PathBuf,
}

impl Programs {
    /// `trellis` from `explicit`, else beside this binary (cargo puts both
    /// in the same target directory).
    pub(crate) fn locate(explicit: Option<PathBuf>) -> anyhow::Result<Programs> {
        let bench = std::env::current_exe().context("cannot find the trellis-bench binary")?;
        let trellis = match explicit {
            Some(path) => path,
            None => bench.with_file_name("trellis"),
        };
        if !trellis.is_file() {
            bail!(
                "the `trellis` binary was not found at `{}`: build it in the same profile \
                 (`cargo build --release -p trellis-cli`; `make bench` does) or pass --trellis PATH",
                trellis.display()
            );
        }
        Ok(Programs { trellis, bench })
    }
}

/// `VmRSS` and `VmHWM` of a process, in bytes, from `/proc/<pid>/status`.
pub(crate) fn memory(pid: u32) -> anyhow::Result<(u64, u64)> {
    let path = format!("/proc/{pid}/status");
    let text = std::fs::read_to_string(&path).with_context(|| format!("cannot read {path}"))?;
    let field = |name: &str| status_kib(&text, name).map(|kib| kib * 1024);
    match (field("VmRSS"), field("VmHWM")) {
        (Some(rss), Some(hwm)) => Ok((rss, hwm)),
        _ => bail!("{path} has no VmRSS/VmHWM lines"),
    }
}

/// The value of a `Name:   1234 kB` line.
fn status_kib(status: &str, name: &str) -> Option<u64> {
    status
        .lines()
        .find_map(|line| line.strip_prefix(name)?.strip_prefix(':'))
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|n| n.parse().ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_lines_parse_in_kib() {
        let status = "Name:\ttrellis\nVmHWM:\t   51234 kB\nVmRSS:\t   40000 kB\n";
        assert_eq!(status_kib(status, "VmRSS"), Some(40_000));
        assert_eq!(status_kib(status, "VmHWM"), Some(51_234));
        assert_eq!(status_kib(status, "VmSwap"), None);
    }

    #[test]
    fn this_process_has_a_resident_set() {
        let (rss, hwm) = memory(std::process::id()).unwrap();
        assert!(rss > 0 && hwm >= rss);
    }
}
