//! The HTTP load generator (`trellis-bench loadgen`, a separate process so
//! it never shares a runtime with what it measures) and the bare baseline
//! server (`trellis-bench bare-server`) it is compared against.
//!
//! The load generator keeps `concurrency` HTTP/1.1 keep-alive connections
//! busy with the same POST for a fixed time on one thread, counts a call as
//! failed unless it got 200 with `"is_error":false`, and prints one JSON
//! line of [`LoadReport`]. A broken connection is re-opened and counted.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use axum::routing::post;
use axum::{Json, Router};
use bytes::Bytes;
use http::{header, Request, StatusCode, Uri};
use http_body_util::{BodyExt, Full};
use hyper_util::rt::TokioIo;
use serde::{Deserialize, Serialize};
use tokio::net::{TcpListener, TcpStream};
use trellis_api::worker::{CallRequest, CallResponse};

use crate::harness::Samples;

/// What the load generator is asked to do.
#[derive(Debug, Clone, clap::Args)]
pub(crate) struct LoadArgs {
    /// The URL to POST to.
    #[arg(long)]
    url: String,
    /// The JSON request body.
    #[arg(long)]
    body: String,
    /// Connections kept busy at once.
    #[arg(long)]
    concurrency: usize,
    /// Milliseconds of load before measuring starts.
    #[arg(long, default_value_t = 300)]
    warmup_ms: u64,
    /// Milliseconds of measured load (at most, with `--stop-on-stdin`).
    #[arg(long)]
    duration_ms: u64,
    /// Stop early when standard input closes (the parent's way to end a
    /// load that runs alongside another benchmark).
    #[arg(long)]
    stop_on_stdin: bool,
}

/// What one load run measured (after its warm-up).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub(crate) struct LoadReport {
    /// Successful calls per second.
    pub(crate) rps: f64,
    pub(crate) ok: u64,
    /// Calls that did not return 200 with `"is_error":false`, and broken
    /// connections (the whole run, warm-up included).
    pub(crate) failed: u64,
    pub(crate) p50_us: f64,
    pub(crate) p99_us: f64,
}

/// Per-connection tallies.
#[derive(Default)]
struct Tally {
    ok: u64,
    failed: u64,
    latencies: Vec<f64>,
}

/// Runs the load generator and prints its report as one JSON line.
pub(crate) fn run(args: LoadArgs) -> anyhow::Result<()> {
    if args.concurrency == 0 || args.duration_ms == 0 {
        bail!("--concurrency and --duration-ms must be at least 1");
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let report = runtime.block_on(generate(args))?;
    println!("{}", serde_json::to_string(&report)?);
    Ok(())
}

async fn generate(args: LoadArgs) -> anyhow::Result<LoadReport> {
    let uri: Uri = args
        .url
        .parse()
        .with_context(|| format!("--url `{}` is not a URL", args.url))?;
    let authority = uri
        .authority()
        .with_context(|| format!("--url `{}` has no host", args.url))?
        .to_string();
    let addr = tokio::net::lookup_host(&authority)
        .await
        .with_context(|| format!("cannot resolve `{authority}`"))?
        .next()
        .with_context(|| format!("`{authority}` resolves to no address"))?;
    let path = uri
        .path_and_query()
        .map_or("/".to_string(), |p| p.to_string());
    serde_json::from_str::<serde_json::Value>(&args.body).context("--body is not JSON")?;
    let body = Bytes::from(args.body.clone());
    let measure_from = Instant::now() + Duration::from_millis(args.warmup_ms);
    let until = measure_from + Duration::from_millis(args.duration_ms);
    let stop = Arc::new(AtomicBool::new(false));
    if args.stop_on_stdin {
        let stop = stop.clone();
        std::thread::spawn(move || {
            let _ = std::io::copy(&mut std::io::stdin(), &mut std::io::sink());
            stop.store(true, Ordering::Relaxed);
        });
    }
    let tasks: Vec<_> = (0..args.concurrency)
        .map(|_| {
            let target = Target {
                addr,
                authority: authority.clone(),
                path: path.clone(),
                body: body.clone(),
            };
            tokio::spawn(connection(target, measure_from, until, stop.clone()))
        })
        .collect();
    let mut total = Tally::default();
    for task in tasks {
        let tally = task.await?;
        total.ok += tally.ok;
        total.failed += tally.failed;
        total.latencies.extend(tally.latencies);
    }
    let ended = Instant::now().min(until);
    let seconds = ended.saturating_duration_since(measure_from).as_secs_f64();
    let latencies = Samples::new(total.latencies);
    Ok(LoadReport {
        rps: if seconds > 0.0 {
            total.ok as f64 / seconds
        } else {
            0.0
        },
        ok: total.ok,
        failed: total.failed,
        p50_us: latencies.median(),
        p99_us: latencies.percentile(99.0),
    })
}

#[derive(Clone)]
struct Target {
    addr: SocketAddr,
    authority: String,
    path: String,
    body: Bytes,
}

/// One keep-alive connection sending requests back to back until `until`.
async fn connection(
    target: Target,
    measure_from: Instant,
    until: Instant,
    stop: Arc<AtomicBool>,
) -> Tally {
    let mut tally = Tally::default();
    let running = || Instant::now() < until && !stop.load(Ordering::Relaxed);
    while running() {
        let Ok(stream) = TcpStream::connect(target.addr).await else {
            tally.failed += 1;
            tokio::time::sleep(Duration::from_millis(10)).await;
            continue;
        };
        let _ = stream.set_nodelay(true);
        let Ok((mut sender, conn)) =
            hyper::client::conn::http1::handshake(TokioIo::new(stream)).await
        else {
            tally.failed += 1;
            continue;
        };
        tokio::spawn(conn);
        while running() {
            let request = Request::post(target.path.as_str())
                .header(header::HOST, target.authority.as_str())
                .header(header::CONTENT_TYPE, "application/json")
                .body(Full::new(target.body.clone()))
                .expect("a request of valid parts");
            let sent = Instant::now();
            let Ok(response) = sender.send_request(request).await else {
                tally.failed += 1;
                break;
            };
            let status = response.status();
            let Ok(body) = response.into_body().collect().await.map(|b| b.to_bytes()) else {
                tally.failed += 1;
                break;
            };
            let took = sent.elapsed();
            if status == StatusCode::OK && succeeded(&body) {
                if sent >= measure_from && sent + took <= until {
                    tally.ok += 1;
                    tally.latencies.push(took.as_secs_f64() * 1e6);
                }
            } else {
                tally.failed += 1;
            }
        }
    }
    tally
}

/// Whether a call response says the call succeeded.
fn succeeded(body: &[u8]) -> bool {
    const OK: &[u8] = b"\"is_error\":false";
    body.windows(OK.len()).any(|w| w == OK)
}

/// Runs the load generator as a child process and waits for its report.
pub(crate) fn spawn(
    bench: &std::path::Path,
    url: &str,
    body: &str,
    concurrency: usize,
    warmup: Duration,
    duration: Duration,
    stop_on_stdin: bool,
) -> anyhow::Result<crate::procs::KillOnDrop> {
    let concurrency = concurrency.to_string();
    let warmup = warmup.as_millis().to_string();
    let duration = duration.as_millis().max(1).to_string();
    let mut args: Vec<&str> = vec![
        "loadgen",
        "--url",
        url,
        "--body",
        body,
        "--concurrency",
        &concurrency,
        "--warmup-ms",
        &warmup,
        "--duration-ms",
        &duration,
    ];
    if stop_on_stdin {
        args.push("--stop-on-stdin");
    }
    let mut command = crate::procs::command(bench, &args, &[]);
    command
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    if stop_on_stdin {
        command.stdin(std::process::Stdio::piped());
    }
    Ok(crate::procs::KillOnDrop(
        command.spawn().context("cannot start the load generator")?,
    ))
}

/// Waits for a spawned load generator and parses its report (closing its
/// standard input first, which stops one started with `--stop-on-stdin`).
pub(crate) fn report(mut child: crate::procs::KillOnDrop) -> anyhow::Result<LoadReport> {
    drop(child.0.stdin.take());
    let stdout = child.finish("the load generator")?;
    let line = stdout.lines().last().unwrap_or_default();
    serde_json::from_str(line)
        .with_context(|| format!("the load generator printed `{line}`, not a report"))
}

/// Runs a load generator to completion.
pub(crate) fn load(
    bench: &std::path::Path,
    url: &str,
    body: &str,
    concurrency: usize,
    warmup: Duration,
    duration: Duration,
) -> anyhow::Result<LoadReport> {
    report(spawn(
        bench,
        url,
        body,
        concurrency,
        warmup,
        duration,
        false,
    )?)
}

/// Settings of the bare baseline server.
#[derive(Debug, Clone, clap::Args)]
pub(crate) struct BareArgs {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:0")]
    listen: String,
}

/// The bare baseline of B2: an axum server on the same runtime settings as
/// the worker whose `POST /v1/tools/{name}/call` parses the same request
/// type and answers with the same response type (the input as the output),
/// with no plugin, sandbox or tracing behind it.
pub(crate) fn serve_bare(args: BareArgs) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let listener = TcpListener::bind(&args.listen)
            .await
            .with_context(|| format!("cannot listen on `{}`", args.listen))?;
        println!("listening on http://{}", listener.local_addr()?);
        axum::serve(listener, bare_app()).await?;
        Ok(())
    })
}

fn bare_app() -> Router {
    Router::new().route("/v1/tools/{name}/call", post(bare_call))
}

async fn bare_call(Json(request): Json<CallRequest>) -> Json<CallResponse> {
    let started = Instant::now();
    let output = Some(request.input);
    Json(CallResponse {
        is_error: false,
        output,
        error: None,
        duration_ms: started.elapsed().as_secs_f64() * 1000.0,
        receipt: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn success_is_read_from_the_body() {
        assert!(succeeded(br#"{"is_error":false,"output":{}}"#));
        assert!(!succeeded(br#"{"is_error":true}"#));
        assert!(!succeeded(b""));
    }

    /// Starts the bare server in this runtime; returns a call URL on it.
    async fn bare_server() -> String {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, bare_app()).await });
        format!("http://{addr}/v1/tools/x/call")
    }

    /// Load of `body` on `url` for `duration_ms` after `warmup_ms`.
    fn load(
        url: String,
        body: &str,
        concurrency: usize,
        warmup_ms: u64,
        duration_ms: u64,
    ) -> LoadArgs {
        LoadArgs {
            url,
            body: body.into(),
            concurrency,
            warmup_ms,
            duration_ms,
            stop_on_stdin: false,
        }
    }

    #[tokio::test]
    async fn the_generator_drives_the_bare_server() {
        let url = bare_server().await;
        let report = generate(load(url, r#"{"input": {"a": 1}}"#, 2, 20, 200))
            .await
            .unwrap();
        assert!(report.ok > 0, "{report:?}");
        assert_eq!(report.failed, 0);
        assert!(report.p99_us >= report.p50_us);
    }

    #[tokio::test]
    async fn failures_are_counted() {
        let url = bare_server().await;
        // Not a call request: the server answers 4xx, every call fails.
        let report = generate(load(url, r#"{"nope": 1}"#, 1, 0, 100))
            .await
            .unwrap();
        assert_eq!(report.ok, 0);
        assert!(report.failed > 0);
    }
}
