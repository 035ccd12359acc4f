//! B7: the demo conversation (the seed's question and its follow-up,
//! offline model) through the three real processes — `trellis ask` against
//! `trellis server` and `trellis worker` — timed from the client's start to
//! its exit, with tracing on (every process exports to the server's
//! collector, the client flushing before it exits) against the same with
//! tracing off (worker and client `--collector none`,
//! `OTEL_TRACES_EXPORTER=none` everywhere). Both stacks run side by side and
//! the runs alternate, so drift on a shared machine hits both alike.

use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use tempfile::TempDir;

use crate::harness::Samples;
use crate::procs::{command, Server};
use crate::report::{millis, Row};
use crate::Settings;

/// The demo's two turns (`scripts/demo.sh`).
const QUESTIONS: [&str; 2] = [
    "I have a 45-year-old female patient, 5'4\" tall, 180 lbs, presenting with fatigue and \
     increased thirst. What conditions should I evaluate for, and what are the treatment options?",
    "What dose of metformin should she start on, and what should be monitored?",
];
/// B7's target: tracing overhead in percent.
const TARGET_PERCENT: f64 = 5.0;
/// How long spans may take to reach the store after a conversation.
const SETTLE: Duration = Duration::from_secs(10);

/// A server and its worker, traced or not.
struct Stack {
    server: Server,
    _worker: Server,
    tracing: bool,
    dir: TempDir,
}

fn free_port() -> anyhow::Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

impl Stack {
    fn start(settings: &Settings, tracing: bool) -> anyhow::Result<Stack> {
        let dir = tempfile::tempdir()?;
        let port = free_port()?;
        let worker_url = format!("http://127.0.0.1:{port}");
        let store = dir.path().join("traces.db").to_string_lossy().into_owned();
        let off: &[(&str, &str)] = if tracing {
            &[]
        } else {
            &[("OTEL_TRACES_EXPORTER", "none")]
        };
        let server = Server::start(
            &settings.programs.trellis,
            &[
                "server",
                "--listen",
                "127.0.0.1:0",
                "--worker",
                &worker_url,
                "--store",
                &store,
                "--model",
                "offline",
            ],
            off,
        )?;
        let collector = if tracing {
            format!("{}/v1/traces", server.url)
        } else {
            "none".into()
        };
        let listen = format!("127.0.0.1:{port}");
        let plugins = settings.plugins.to_string_lossy();
        let cache = dir.path().join("cache").to_string_lossy().into_owned();
        let worker = Server::start(
            &settings.programs.trellis,
            &[
                "worker",
                "--listen",
                &listen,
                "--plugins",
                &plugins,
                "--cache-dir",
                &cache,
                "--collector",
                &collector,
            ],
            off,
        )?;
        Ok(Stack {
            server,
            _worker: worker,
            tracing,
            dir,
        })
    }

    /// Runs the demo conversation once; returns its wall time.
    fn converse(&self, trellis: &Path) -> anyhow::Result<Duration> {
        let mut args = vec!["ask", "--server", self.server.url.as_str()];
        let mut env = Vec::new();
        if !self.tracing {
            args.extend(["--collector", "none"]);
            env.push(("OTEL_TRACES_EXPORTER", "none"));
        }
        args.extend(QUESTIONS);
        let started = Instant::now();
        let out = command(trellis, &args, &env)
            .output()
            .context("cannot run `trellis ask`")?;
        let took = started.elapsed();
        if !out.status.success() {
            bail!(
                "`trellis ask` failed ({}): {}\nserver output:\n{}",
                out.status,
                String::from_utf8_lossy(&out.stderr),
                self.server.output()
            );
        }
        Ok(took)
    }

    /// Spans named `name` in this stack's store.
    fn spans_named(&self, name: &str) -> anyhow::Result<u64> {
        let conn = trellis_trace::TraceStore::open_read_only(self.dir.path().join("traces.db"))?;
        let n: i64 = conn.query_row("SELECT count(*) FROM spans WHERE name = ?1", [name], |r| {
            r.get(0)
        })?;
        Ok(n as u64)
    }
}

pub(crate) fn run(settings: &Settings) -> anyhow::Result<Vec<Row>> {
    let rounds = if settings.smoke { 1 } else { 40 };
    let traced = Stack::start(settings, true)?;
    let untraced = Stack::start(settings, false)?;
    let trellis = &settings.programs.trellis;
    // Warm-up: first calls fill caches and connection pools.
    traced.converse(trellis)?;
    untraced.converse(trellis)?;
    let (mut on, mut off) = (Samples::default(), Samples::default());
    for round in 0..rounds {
        // Alternate which goes first.
        if round % 2 == 0 {
            on.push(traced.converse(trellis)?.as_secs_f64() * 1000.0);
            off.push(untraced.converse(trellis)?.as_secs_f64() * 1000.0);
        } else {
            off.push(untraced.converse(trellis)?.as_secs_f64() * 1000.0);
            on.push(traced.converse(trellis)?.as_secs_f64() * 1000.0);
        }
    }
    check_tracing(&traced, &untraced, rounds + 1)?;
    let (on, off) = (on.median(), off.median());
    let overhead = (on / off - 1.0) * 100.0;
    Ok(vec![Row::new(
        "B7",
        "demo conversation (2 turns, offline model) through client, server and worker, \
         tracing on",
        format!("{} ({overhead:+.1} % overhead)", millis(on)),
    )
    .baseline(format!("tracing off: {}", millis(off)), on / off)
    .target(
        format!("overhead ≤ {TARGET_PERCENT} %"),
        overhead <= TARGET_PERCENT,
    )])
}

/// The traced stack stored every conversation's client and worker spans;
/// the untraced one stored none of them.
fn check_tracing(traced: &Stack, untraced: &Stack, conversations: usize) -> anyhow::Result<()> {
    let deadline = Instant::now() + SETTLE;
    loop {
        let clients = traced.spans_named("client_conversation")?;
        let worker = traced.spans_named("worker_execute_tool")?;
        if clients >= conversations as u64 && worker > 0 {
            break;
        }
        if Instant::now() >= deadline {
            bail!(
                "with tracing on, the store holds {clients} client_conversation spans of \
                 {conversations} and {worker} worker_execute_tool spans"
            );
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    for name in ["client_conversation", "worker_execute_tool"] {
        let n = untraced.spans_named(name)?;
        if n > 0 {
            bail!("with tracing off, the store still received {n} `{name}` spans");
        }
    }
    Ok(())
}
