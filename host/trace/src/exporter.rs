//! The span exporter every process uses: [`Exporter::export`] hands a
//! finished span over without blocking or failing, and a background task per
//! destination batches spans into OTLP/HTTP protobuf POSTs.
//!
//! Each destination (the Trellis collector, optionally Braintrust or any
//! OTLP backend) has its own bounded queue, so a slow or dead destination
//! never holds spans back from the others. Spans leave a queue only when a
//! destination has accepted them: while a destination is down the batch in
//! flight is retried with exponential backoff (capped at `max_backoff`),
//! with no limit on attempts however long the outage lasts, and new spans
//! keep queueing, so nothing is lost until the queue bound is reached. Past the bound a span is dropped and counted. A destination that
//! answers with a non-retryable status (400, 401, 403, 404, ...) will never
//! take that batch; it is counted as rejected and the queue moves on.
//! [`Exporter::shutdown`] flushes whatever is queued, within a deadline.
//!
//! A destination may also be a [`Collector`] in the same process
//! ([`ExporterConfig::in_process`]): the conversation server stores its own
//! spans that way, with the same batching, queue bound and retries, and
//! without an HTTP round trip to itself.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use http::header::{HeaderMap, HeaderName, HeaderValue, CONTENT_TYPE, RETRY_AFTER};
use opentelemetry_proto::tonic::collector::trace::v1::{
    ExportTraceServiceRequest, ExportTraceServiceResponse,
};
use prost::Message;
use tokio::sync::{watch, Notify};
use tokio::task::JoinHandle;
use tokio::time::Instant;

use crate::collector::Collector;
use crate::otlp::{self, OtlpEncoding};
use crate::span::SpanRecord;

/// Spans a destination holds (queued plus in flight) before dropping.
pub const DEFAULT_QUEUE_CAPACITY: usize = 10_000;
/// Spans per POST.
pub const DEFAULT_BATCH_SIZE: usize = 512;
/// How long a partial batch waits for more spans before it is sent.
pub const DEFAULT_FLUSH_INTERVAL: Duration = Duration::from_millis(200);
/// First retry delay after a failed POST; it doubles per failure.
pub const DEFAULT_INITIAL_BACKOFF: Duration = Duration::from_millis(100);
/// The longest delay between retries.
pub const DEFAULT_MAX_BACKOFF: Duration = Duration::from_secs(10);
/// How long one POST may take.
pub const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(10);
/// Braintrust's OTLP trace endpoint, relative to its API URL.
pub const BRAINTRUST_OTLP_PATH: &str = "/otel/v1/traces";

/// Where and how one destination receives spans. Its `Debug` output shows
/// header names but not their values, which may be API keys.
#[derive(Clone)]
pub struct ExporterConfig {
    /// The full OTLP/HTTP traces URL, e.g. `http://127.0.0.1:8001/v1/traces`.
    /// For an in-process destination, only its name in logs and counters.
    pub endpoint: String,
    /// Hand batches to this collector in the same process instead of
    /// POSTing them to `endpoint` (see [`ExporterConfig::in_process`]).
    pub in_process: Option<Collector>,
    /// Extra request headers (an `Authorization: Bearer` key, Braintrust's
    /// `x-bt-parent: project_name:<p>`).
    pub headers: Vec<(String, String)>,
    /// `service.name` of the resource the spans are sent under.
    pub service_name: Option<String>,
    /// Spans held (queued plus in flight) before new ones are dropped.
    pub queue_capacity: usize,
    /// Spans per POST.
    pub batch_size: usize,
    /// How long a partial batch waits for more spans.
    pub flush_interval: Duration,
    /// First retry delay; doubles per consecutive failure.
    pub initial_backoff: Duration,
    /// Cap on the retry delay.
    pub max_backoff: Duration,
    /// Time limit of one POST.
    pub request_timeout: Duration,
    /// POST through this HTTP client (and its pool of open connections)
    /// instead of one of the destination's own; see
    /// [`ExporterConfig::with_http_client`].
    pub http_client: Option<reqwest::Client>,
}

impl std::fmt::Debug for ExporterConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let header_names: Vec<&str> = self.headers.iter().map(|(n, _)| n.as_str()).collect();
        f.debug_struct("ExporterConfig")
            .field("endpoint", &self.endpoint)
            .field("in_process", &self.in_process.is_some())
            .field("headers", &header_names)
            .field("service_name", &self.service_name)
            .field("queue_capacity", &self.queue_capacity)
            .field("batch_size", &self.batch_size)
            .field("flush_interval", &self.flush_interval)
            .field("initial_backoff", &self.initial_backoff)
            .field("max_backoff", &self.max_backoff)
            .field("request_timeout", &self.request_timeout)
            .field("shared_http_client", &self.http_client.is_some())
            .finish()
    }
}

impl ExporterConfig {
    /// A destination at `endpoint` with the default limits.
    pub fn new(endpoint: impl Into<String>) -> Self {
        ExporterConfig {
            endpoint: endpoint.into(),
            in_process: None,
            headers: Vec::new(),
            service_name: None,
            queue_capacity: DEFAULT_QUEUE_CAPACITY,
            batch_size: DEFAULT_BATCH_SIZE,
            flush_interval: DEFAULT_FLUSH_INTERVAL,
            initial_backoff: DEFAULT_INITIAL_BACKOFF,
            max_backoff: DEFAULT_MAX_BACKOFF,
            request_timeout: DEFAULT_REQUEST_TIMEOUT,
            http_client: None,
        }
    }

    /// Braintrust's OTLP endpoint under `api_url` (e.g.
    /// `https://api.braintrust.dev`), authenticated with `api_key`, logging
    /// to `project`'s logs.
    pub fn braintrust(api_url: &str, api_key: &str, project: &str) -> Self {
        ExporterConfig::new(format!(
            "{}{BRAINTRUST_OTLP_PATH}",
            api_url.trim_end_matches('/')
        ))
        .with_header("authorization", format!("Bearer {api_key}"))
        .with_header("x-bt-parent", format!("project_name:{project}"))
    }

    /// A destination that stores spans through `collector` in this process,
    /// exactly as if they had been POSTed to its `/v1/traces`. Named
    /// `in-process:<store path>` in logs and counters.
    pub fn in_process(collector: Collector) -> Self {
        let endpoint = format!("in-process:{}", collector.store().path().display());
        ExporterConfig {
            in_process: Some(collector),
            ..ExporterConfig::new(endpoint)
        }
    }

    /// Adds a request header.
    pub fn with_header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// Sets the resource's `service.name`.
    pub fn with_service_name(mut self, name: impl Into<String>) -> Self {
        self.service_name = Some(name.into());
        self
    }

    /// POSTs through `client`, e.g. the one a process already talks to the
    /// same server with: its connection is open by the time spans are
    /// flushed, so a short-lived client skips a connection setup on its way
    /// out. `request_timeout` still bounds each POST.
    pub fn with_http_client(mut self, client: reqwest::Client) -> Self {
        self.http_client = Some(client);
        self
    }
}

/// Why an exporter could not start.
#[derive(Debug, thiserror::Error)]
pub enum ExporterError {
    /// The endpoint does not parse as an http(s) URL.
    #[error("exporter endpoint `{endpoint}` is not an http(s) URL")]
    BadEndpoint { endpoint: String },
    /// A configured header name or value is not valid in HTTP.
    #[error("exporter header `{name}` for `{endpoint}` is not a valid header")]
    BadHeader { endpoint: String, name: String },
    /// A queue capacity or batch size of zero.
    #[error("exporter for `{endpoint}` needs queue_capacity and batch_size of at least 1")]
    BadLimits { endpoint: String },
    /// The HTTP client could not be built (TLS setup).
    #[error("cannot build the HTTP client for exporter `{endpoint}`: {source}")]
    Client {
        endpoint: String,
        source: reqwest::Error,
    },
    /// `start` was called outside a tokio runtime.
    #[error("the exporter must be started inside a tokio runtime")]
    NoRuntime,
}

/// Counters of one destination, or summed over all of them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct ExporterStats {
    /// Spans the destination accepted.
    pub exported: u64,
    /// Spans discarded before sending: the queue was full, the exporter had
    /// shut down, the record had invalid ids, or the shutdown deadline
    /// passed while they waited.
    pub dropped: u64,
    /// Spans the destination refused with a non-retryable status.
    pub rejected: u64,
    /// POSTs that failed and were (or would have been) retried.
    pub failed_attempts: u64,
    /// Spans waiting in the queue or in flight right now.
    pub queued: u64,
}

impl std::ops::Add for ExporterStats {
    type Output = ExporterStats;

    fn add(self, o: ExporterStats) -> ExporterStats {
        ExporterStats {
            exported: self.exported + o.exported,
            dropped: self.dropped + o.dropped,
            rejected: self.rejected + o.rejected,
            failed_attempts: self.failed_attempts + o.failed_attempts,
            queued: self.queued + o.queued,
        }
    }
}

/// The handle processes export through. Cheap to clone; all clones feed the
/// same queues.
#[derive(Debug, Clone)]
pub struct Exporter {
    destinations: Arc<[Arc<Destination>]>,
}

impl Exporter {
    /// Starts exporting to one destination. Returns the handle and the
    /// background task, which ends after [`Exporter::shutdown`].
    pub fn start(config: ExporterConfig) -> Result<(Exporter, JoinHandle<()>), ExporterError> {
        Exporter::start_many(vec![config])
    }

    /// Starts exporting every span to each of `configs`, each destination
    /// with its own queue and task. The returned task ends when all of them
    /// have.
    pub fn start_many(
        configs: Vec<ExporterConfig>,
    ) -> Result<(Exporter, JoinHandle<()>), ExporterError> {
        let runtime =
            tokio::runtime::Handle::try_current().map_err(|_| ExporterError::NoRuntime)?;
        let mut prepared = Vec::with_capacity(configs.len());
        for config in configs {
            prepared.push(Destination::prepare(config)?);
        }
        let mut destinations = Vec::with_capacity(prepared.len());
        let mut tasks = Vec::with_capacity(prepared.len());
        for (destination, transport) in prepared {
            let destination = Arc::new(destination);
            tasks.push(runtime.spawn(run(destination.clone(), transport)));
            destinations.push(destination);
        }
        let all = runtime.spawn(async move {
            for task in tasks {
                if let Err(e) = task.await {
                    tracing::error!("span exporter task failed: {e}");
                }
            }
        });
        Ok((
            Exporter {
                destinations: destinations.into(),
            },
            all,
        ))
    }

    /// An exporter with no destinations: every span is discarded uncounted.
    /// For processes configured not to export.
    pub fn disabled() -> Exporter {
        Exporter {
            destinations: Arc::from(Vec::new()),
        }
    }

    /// Whether spans go anywhere. A process can skip building spans when
    /// they would be discarded.
    pub fn is_enabled(&self) -> bool {
        !self.destinations.is_empty()
    }

    /// Queues a finished span for every destination. Never blocks on the
    /// network and never fails: a full queue counts a drop. The span is
    /// turned into OTLP by the destination's background task, off the
    /// caller's path (a model call's span holds the whole conversation).
    pub fn export(&self, record: SpanRecord) {
        let Some((last, rest)) = self.destinations.split_last() else {
            return;
        };
        let record = Arc::new(record);
        for d in rest {
            d.push(record.clone());
        }
        last.push(record);
    }

    /// Counters summed over all destinations (for `/metrics`).
    pub fn stats(&self) -> ExporterStats {
        self.destinations
            .iter()
            .map(|d| d.stats())
            .fold(ExporterStats::default(), |a, b| a + b)
    }

    /// Counters per destination endpoint.
    pub fn destination_stats(&self) -> Vec<(String, ExporterStats)> {
        self.destinations
            .iter()
            .map(|d| (d.endpoint.clone(), d.stats()))
            .collect()
    }

    /// The counters of every destination in the Prometheus text format, for
    /// a process's `GET /metrics`: `trellis_spans_exported_total`,
    /// `trellis_spans_dropped_total`, `trellis_spans_rejected_total`,
    /// `trellis_span_export_failed_attempts_total` and the gauge
    /// `trellis_spans_queued`, each labelled with its `destination`.
    pub fn render_prometheus(&self) -> String {
        use std::fmt::Write as _;
        let per = self.destination_stats();
        // (name, type, help, the counter it shows)
        type Series = (
            &'static str,
            &'static str,
            &'static str,
            fn(&ExporterStats) -> u64,
        );
        let series: [Series; 5] = [
            (
                "trellis_spans_exported_total",
                "counter",
                "Spans the destination accepted.",
                |s| s.exported,
            ),
            (
                "trellis_spans_dropped_total",
                "counter",
                "Spans discarded before they could be sent (queue full, shutdown deadline).",
                |s| s.dropped,
            ),
            (
                "trellis_spans_rejected_total",
                "counter",
                "Spans the destination refused with a non-retryable status.",
                |s| s.rejected,
            ),
            (
                "trellis_span_export_failed_attempts_total",
                "counter",
                "Span export attempts that failed and were retried.",
                |s| s.failed_attempts,
            ),
            (
                "trellis_spans_queued",
                "gauge",
                "Spans waiting to be sent or in flight.",
                |s| s.queued,
            ),
        ];
        let mut out = String::new();
        for (name, kind, help, value) in series {
            let _ = writeln!(out, "# HELP {name} {help}");
            let _ = writeln!(out, "# TYPE {name} {kind}");
            for (endpoint, stats) in &per {
                let _ = writeln!(
                    out,
                    "{name}{{destination=\"{}\"}} {}",
                    prometheus_label(endpoint),
                    value(stats)
                );
            }
        }
        out
    }

    /// Stops accepting spans and sends everything still queued, retrying
    /// failed POSTs until `timeout` has passed; what is still unsent then is
    /// counted as dropped. Returns the final counters.
    pub async fn shutdown(&self, timeout: Duration) -> ExporterStats {
        let deadline = Instant::now() + timeout;
        for d in self.destinations.iter() {
            lock(&d.queue).closed = true;
            d.shutdown.send_replace(Some(deadline));
            d.wake.notify_one();
        }
        for d in self.destinations.iter() {
            let mut done = d.done.subscribe();
            // A task that is gone without saying so (it panicked) is done too.
            let _ = tokio::time::timeout_at(
                deadline + Duration::from_millis(500),
                done.wait_for(|finished| *finished),
            )
            .await;
        }
        self.stats()
    }
}

#[derive(Debug, Default)]
struct Counters {
    exported: AtomicU64,
    dropped: AtomicU64,
    rejected: AtomicU64,
    failed_attempts: AtomicU64,
}

#[derive(Debug, Default)]
struct Queue {
    spans: VecDeque<Arc<SpanRecord>>,
    /// Spans taken for the POST under way; they still count against the
    /// capacity until the destination accepts them.
    in_flight: usize,
    closed: bool,
}

#[derive(Debug)]
struct Destination {
    endpoint: String,
    headers: HeaderMap,
    service_name: Option<String>,
    capacity: usize,
    batch_size: usize,
    flush_interval: Duration,
    initial_backoff: Duration,
    max_backoff: Duration,
    request_timeout: Duration,
    queue: Mutex<Queue>,
    wake: Notify,
    counters: Counters,
    /// The shutdown deadline, once shutdown has begun.
    shutdown: watch::Sender<Option<Instant>>,
    /// Set by the task when it has finished.
    done: watch::Sender<bool>,
}

impl Destination {
    fn prepare(config: ExporterConfig) -> Result<(Destination, Transport), ExporterError> {
        let endpoint = config.endpoint.clone();
        let url_ok = reqwest::Url::parse(&endpoint)
            .is_ok_and(|u| matches!(u.scheme(), "http" | "https") && u.has_host());
        if !url_ok && config.in_process.is_none() {
            return Err(ExporterError::BadEndpoint { endpoint });
        }
        if config.queue_capacity == 0 || config.batch_size == 0 {
            return Err(ExporterError::BadLimits { endpoint });
        }
        let mut headers = HeaderMap::new();
        for (name, value) in &config.headers {
            let bad = || ExporterError::BadHeader {
                endpoint: endpoint.clone(),
                name: name.clone(),
            };
            let name = HeaderName::from_bytes(name.as_bytes()).map_err(|_| bad())?;
            let mut value = HeaderValue::from_str(value).map_err(|_| bad())?;
            value.set_sensitive(name == http::header::AUTHORIZATION);
            headers.append(name, value);
        }
        headers.insert(
            CONTENT_TYPE,
            HeaderValue::from_static(OtlpEncoding::Protobuf.content_type()),
        );
        let transport = match (config.in_process, config.http_client) {
            (Some(collector), _) => Transport::InProcess(collector),
            (None, Some(client)) => Transport::Http(client),
            (None, None) => {
                Transport::Http(reqwest::Client::builder().build().map_err(|source| {
                    ExporterError::Client {
                        endpoint: endpoint.clone(),
                        source,
                    }
                })?)
            }
        };
        let destination = Destination {
            endpoint,
            headers,
            service_name: config.service_name,
            capacity: config.queue_capacity,
            batch_size: config.batch_size,
            flush_interval: config.flush_interval,
            initial_backoff: config.initial_backoff.max(Duration::from_millis(1)),
            max_backoff: config.max_backoff.max(config.initial_backoff),
            request_timeout: config.request_timeout,
            queue: Mutex::new(Queue::default()),
            wake: Notify::new(),
            counters: Counters::default(),
            shutdown: watch::Sender::new(None),
            done: watch::Sender::new(false),
        };
        Ok((destination, transport))
    }

    fn push(&self, span: Arc<SpanRecord>) {
        let mut q = lock(&self.queue);
        if q.closed || q.spans.len() + q.in_flight >= self.capacity {
            drop(q);
            let dropped = self.counters.dropped.fetch_add(1, Ordering::Relaxed) + 1;
            // The first drop and then every thousandth: a full queue must be
            // visible in the log without flooding it.
            if dropped == 1 || dropped.is_multiple_of(1000) {
                tracing::warn!(endpoint = %self.endpoint, dropped, "span export queue full or closed, dropping spans");
            }
            return;
        }
        q.spans.push_back(span);
        let len = q.spans.len();
        drop(q);
        // Wake the task when a batch starts (to arm its flush timer) and when
        // one is full (to send it now).
        if len == 1 || len == self.batch_size {
            self.wake.notify_one();
        }
    }

    fn stats(&self) -> ExporterStats {
        let queued = {
            let q = lock(&self.queue);
            (q.spans.len() + q.in_flight) as u64
        };
        ExporterStats {
            exported: self.counters.exported.load(Ordering::Relaxed),
            dropped: self.counters.dropped.load(Ordering::Relaxed),
            rejected: self.counters.rejected.load(Ordering::Relaxed),
            failed_attempts: self.counters.failed_attempts.load(Ordering::Relaxed),
            queued,
        }
    }

    fn deadline(&self) -> Option<Instant> {
        *self.shutdown.borrow()
    }

    /// Drops everything still queued (shutdown deadline passed).
    fn abandon_queue(&self) {
        let mut q = lock(&self.queue);
        let n = q.spans.len() as u64;
        q.spans.clear();
        drop(q);
        if n > 0 {
            self.counters.dropped.fetch_add(n, Ordering::Relaxed);
            tracing::warn!(endpoint = %self.endpoint, spans = n, "shutdown deadline passed, spans not exported");
        }
    }
}

/// How a destination's batches leave.
enum Transport {
    /// OTLP/HTTP protobuf POSTs.
    Http(reqwest::Client),
    /// Straight into a collector in this process.
    InProcess(Collector),
}

/// The outcome of one POST.
enum Attempt {
    Accepted,
    Rejected(String),
    Retry {
        reason: String,
        after: Option<Duration>,
    },
}

async fn run(d: Arc<Destination>, transport: Transport) {
    let mut shutdown = d.shutdown.subscribe();
    let mut backoff = d.initial_backoff;
    let mut failing = false;
    loop {
        // Wait until there is a batch to send (or shutdown with nothing left).
        let (len, deadline) = (lock(&d.queue).spans.len(), d.deadline());
        if let Some(deadline) = deadline {
            if len == 0 {
                break;
            }
            if Instant::now() >= deadline {
                d.abandon_queue();
                break;
            }
        } else if len == 0 {
            tokio::select! {
                _ = d.wake.notified() => {}
                _ = shutdown.changed() => {}
            }
            continue;
        } else if len < d.batch_size {
            tokio::select! {
                _ = d.wake.notified() => {}
                _ = shutdown.changed() => {}
                _ = tokio::time::sleep(d.flush_interval) => {}
            }
        }

        let batch: Vec<Arc<SpanRecord>> = {
            let mut q = lock(&d.queue);
            let n = q.spans.len().min(d.batch_size);
            q.in_flight = n;
            q.spans.drain(..n).collect()
        };
        // Mapped to OTLP here, off the path of whoever ended the spans. A
        // record that cannot be mapped (ids that are not hex) is dropped,
        // counted and logged; the rest go on.
        let (request, unmapped) =
            otlp::export_request(batch.iter().map(Arc::as_ref), d.service_name.as_deref());
        for e in &unmapped {
            d.counters.dropped.fetch_add(1, Ordering::Relaxed);
            tracing::warn!(endpoint = %d.endpoint, "dropping span that cannot be exported: {e}");
        }
        let n = (batch.len() - unmapped.len()) as u64;
        if n == 0 {
            lock(&d.queue).in_flight = 0;
            continue;
        }
        // Encoded once: every retry sends the same bytes.
        let body = match transport {
            Transport::Http(_) => request.encode_to_vec(),
            Transport::InProcess(_) => Vec::new(),
        };

        loop {
            let attempt = match d.deadline() {
                Some(deadline) => {
                    tokio::time::timeout_at(deadline, deliver(&transport, &d, &request, &body))
                        .await
                        .unwrap_or_else(|_| Attempt::Retry {
                            reason: "shutdown deadline reached".into(),
                            after: None,
                        })
                }
                None => deliver(&transport, &d, &request, &body).await,
            };
            match attempt {
                Attempt::Accepted => {
                    d.counters.exported.fetch_add(n, Ordering::Relaxed);
                    if failing {
                        tracing::info!(endpoint = %d.endpoint, "span export recovered");
                        failing = false;
                    }
                    backoff = d.initial_backoff;
                    break;
                }
                Attempt::Rejected(reason) => {
                    d.counters.rejected.fetch_add(n, Ordering::Relaxed);
                    tracing::warn!(endpoint = %d.endpoint, spans = n, "span export rejected: {reason}");
                    break;
                }
                Attempt::Retry { reason, after } => {
                    d.counters.failed_attempts.fetch_add(1, Ordering::Relaxed);
                    if !failing {
                        tracing::warn!(endpoint = %d.endpoint, "span export failed, will retry: {reason}");
                        failing = true;
                    } else {
                        tracing::debug!(endpoint = %d.endpoint, "span export failed again: {reason}");
                    }
                    let delay = after.unwrap_or(backoff).min(d.max_backoff);
                    backoff = (backoff * 2).min(d.max_backoff);
                    match d.deadline() {
                        Some(deadline) => {
                            if Instant::now() >= deadline {
                                d.counters.dropped.fetch_add(n, Ordering::Relaxed);
                                tracing::warn!(endpoint = %d.endpoint, spans = n, "shutdown deadline passed, spans not exported");
                                break;
                            }
                            tokio::time::sleep_until((Instant::now() + delay).min(deadline)).await;
                        }
                        None => {
                            // Shutdown cuts a long backoff short: the flush
                            // should try again now rather than sleep.
                            tokio::select! {
                                _ = tokio::time::sleep(delay) => {}
                                _ = shutdown.changed() => {}
                            }
                        }
                    }
                }
            }
        }
        lock(&d.queue).in_flight = 0;
    }
    d.done.send_replace(true);
}

async fn deliver(
    transport: &Transport,
    d: &Destination,
    request: &ExportTraceServiceRequest,
    body: &[u8],
) -> Attempt {
    match transport {
        Transport::Http(client) => post(client, d, body).await,
        Transport::InProcess(collector) => match collector.ingest(request, None).await {
            Ok(report) => {
                if let Some(first) = report.rejected.first() {
                    tracing::warn!(endpoint = %d.endpoint, rejected = report.rejected.len(), "collector rejected some spans: {first}");
                }
                Attempt::Accepted
            }
            Err(e) => Attempt::Retry {
                reason: e.to_string(),
                after: None,
            },
        },
    }
}

async fn post(client: &reqwest::Client, d: &Destination, body: &[u8]) -> Attempt {
    let response = client
        .post(&d.endpoint)
        .timeout(d.request_timeout)
        .headers(d.headers.clone())
        .body(body.to_vec())
        .send()
        .await;
    let response = match response {
        Ok(r) => r,
        Err(e) => {
            return Attempt::Retry {
                reason: error_chain(&e),
                after: None,
            }
        }
    };
    let status = response.status();
    let retry_after = response
        .headers()
        .get(RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok())
        .map(Duration::from_secs);
    let text = response.bytes().await.unwrap_or_default();
    if status.is_success() {
        if let Ok(reply) = ExportTraceServiceResponse::decode(text.as_ref()) {
            if let Some(partial) = reply.partial_success.filter(|p| p.rejected_spans > 0) {
                tracing::warn!(endpoint = %d.endpoint, rejected = partial.rejected_spans, "collector rejected some spans: {}", partial.error_message);
            }
        }
        return Attempt::Accepted;
    }
    let detail = String::from_utf8_lossy(&text);
    let reason = format!(
        "HTTP {status}: {}",
        detail.chars().take(200).collect::<String>()
    );
    // The OTLP/HTTP retryable statuses, plus any other 5xx: a collector
    // that is restarting says 500 as often as 503.
    let retryable = matches!(status.as_u16(), 408 | 429) || status.is_server_error();
    if retryable {
        Attempt::Retry {
            reason,
            after: retry_after,
        }
    } else {
        Attempt::Rejected(reason)
    }
}

/// A label value with backslashes, quotes and newlines escaped, as the Prometheus
/// text format requires.
fn prometheus_label(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_output_hides_header_values() {
        let config = ExporterConfig::braintrust("https://api.example", "sk-secret-1", "p");
        let text = format!("{config:?}");
        assert!(!text.contains("sk-secret-1"), "{text}");
        assert!(text.contains("authorization"), "{text}");
        assert!(
            text.contains("https://api.example/otel/v1/traces"),
            "{text}"
        );
    }

    #[test]
    fn prometheus_labels_are_escaped() {
        assert_eq!(prometheus_label("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
    }
}
