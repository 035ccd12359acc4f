//! Where a process sends its spans: the one place that reads the exporter
//! environment (`OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`,
//! `OTEL_EXPORTER_OTLP_ENDPOINT`, `OTEL_EXPORTER_OTLP_HEADERS`,
//! `OTEL_BSP_MAX_QUEUE_SIZE`, `OTEL_BSP_MAX_EXPORT_BATCH_SIZE`,
//! `BRAINTRUST_API_KEY`, `BRAINTRUST_API_URL`) and turns it, with the
//! command's flags, into the exporter configs of `trellis-trace`.

use std::time::Duration;

use anyhow::bail;
use trellis_api::BearerToken;
use trellis_trace::{Exporter, ExporterConfig};

/// The OTLP/HTTP traces path under a collector's base URL.
pub(crate) const OTLP_TRACES_PATH: &str = "/v1/traces";
/// Braintrust's API unless `BRAINTRUST_API_URL` says otherwise.
pub(crate) const DEFAULT_BRAINTRUST_API_URL: &str = "https://api.braintrust.dev";
/// How long a stopping server or worker keeps trying to deliver its spans.
pub(crate) const SHUTDOWN_FLUSH_TIMEOUT: Duration = Duration::from_secs(5);

/// Export is off when the collector is `none`, or `OTEL_TRACES_EXPORTER=none`
/// as the OpenTelemetry SDKs spell it.
pub(crate) fn disabled(flag: Option<&str>) -> bool {
    flag.map(str::trim) == Some("none") || env("OTEL_TRACES_EXPORTER").as_deref() == Some("none")
}

/// The OTLP/HTTP traces URL chosen over a process's default destination:
/// `--collector` if given (a bare `http://host:port` gets `/v1/traces`, so
/// the server's address works as is), else
/// `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` (a full URL), else
/// `OTEL_EXPORTER_OTLP_ENDPOINT` (a base URL, `/v1/traces` appended as the
/// OTel spec says). `None` keeps the default.
pub(crate) fn chosen_endpoint(flag: Option<&str>) -> Option<String> {
    if let Some(url) = flag.map(str::trim).filter(|u| !u.is_empty()) {
        let bare = reqwest::Url::parse(url).is_ok_and(|u| u.path() == "/");
        return Some(if bare {
            format!("{}{OTLP_TRACES_PATH}", url.trim_end_matches('/'))
        } else {
            url.to_string()
        });
    }
    if let Some(url) = env("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") {
        return Some(url);
    }
    env("OTEL_EXPORTER_OTLP_ENDPOINT")
        .map(|base| format!("{}{OTLP_TRACES_PATH}", base.trim_end_matches('/')))
}

/// The config of an OTLP/HTTP destination at `url`, with the headers of
/// `OTEL_EXPORTER_OTLP_HEADERS` (`name=value,...`, values URL-encoded) if
/// set, and `token` (TRELLIS_TOKEN) as its bearer token unless those
/// headers bring their own `authorization`.
pub(crate) fn otlp(url: &str, service: &str, token: Option<&BearerToken>) -> ExporterConfig {
    let mut config = ExporterConfig::new(url).with_service_name(service);
    if let Some(headers) = env("OTEL_EXPORTER_OTLP_HEADERS") {
        for pair in headers.split(',') {
            if let Some((name, value)) = pair.split_once('=') {
                config = config.with_header(name.trim(), percent_decode(value.trim()));
            }
        }
    }
    let has_authorization = config
        .headers
        .iter()
        .any(|(name, _)| name.eq_ignore_ascii_case("authorization"));
    match token {
        Some(token) if !has_authorization => {
            config.with_header("authorization", token.authorization())
        }
        _ => config,
    }
}

/// The Braintrust destination when `BRAINTRUST_API_KEY` is set: spans also go
/// to `project`'s logs there. The key never appears in a log line.
pub(crate) fn braintrust(service: &str, project: &str) -> Option<ExporterConfig> {
    let key = env("BRAINTRUST_API_KEY")?;
    let api_url =
        env("BRAINTRUST_API_URL").unwrap_or_else(|| DEFAULT_BRAINTRUST_API_URL.to_string());
    Some(ExporterConfig::braintrust(&api_url, &key, project).with_service_name(service))
}

/// The OpenTelemetry variable bounding each destination's queue (spans held
/// while a destination is slow or down; past it, spans are dropped and
/// counted).
pub(crate) const QUEUE_SIZE_VAR: &str = "OTEL_BSP_MAX_QUEUE_SIZE";
/// The OpenTelemetry variable setting the spans per export request.
pub(crate) const BATCH_SIZE_VAR: &str = "OTEL_BSP_MAX_EXPORT_BATCH_SIZE";

/// Queue bound and batch size overriding the exporter defaults, as the
/// OpenTelemetry batch span processor variables set them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct QueueLimits {
    /// `OTEL_BSP_MAX_QUEUE_SIZE`, if set.
    pub(crate) queue_capacity: Option<usize>,
    /// `OTEL_BSP_MAX_EXPORT_BATCH_SIZE`, if set.
    pub(crate) batch_size: Option<usize>,
}

impl QueueLimits {
    /// The limits in `OTEL_BSP_MAX_QUEUE_SIZE` and
    /// `OTEL_BSP_MAX_EXPORT_BATCH_SIZE`; an error names a variable that is
    /// not a positive whole number.
    pub(crate) fn from_env() -> anyhow::Result<QueueLimits> {
        QueueLimits::parse(
            env(QUEUE_SIZE_VAR).as_deref(),
            env(BATCH_SIZE_VAR).as_deref(),
        )
    }

    fn parse(queue: Option<&str>, batch: Option<&str>) -> anyhow::Result<QueueLimits> {
        let limits = QueueLimits {
            queue_capacity: queue.map(|v| positive(QUEUE_SIZE_VAR, v)).transpose()?,
            batch_size: batch.map(|v| positive(BATCH_SIZE_VAR, v)).transpose()?,
        };
        if let (Some(queue), Some(batch)) = (limits.queue_capacity, limits.batch_size) {
            if batch > queue {
                bail!(
                    "{BATCH_SIZE_VAR}={batch} is larger than {QUEUE_SIZE_VAR}={queue}: \
                     a batch must fit in the queue"
                );
            }
        }
        Ok(limits)
    }

    /// `config` with these limits. A queue smaller than the batch size
    /// lowers the batch size to it, so a batch can always fill.
    pub(crate) fn apply(self, mut config: ExporterConfig) -> ExporterConfig {
        if let Some(queue) = self.queue_capacity {
            config.queue_capacity = queue;
        }
        if let Some(batch) = self.batch_size {
            config.batch_size = batch;
        }
        config.batch_size = config.batch_size.min(config.queue_capacity);
        config
    }
}

fn positive(name: &str, value: &str) -> anyhow::Result<usize> {
    match value.parse::<usize>() {
        Ok(0) => bail!("{name} must be at least 1, not 0"),
        Ok(n) => Ok(n),
        Err(_) => bail!("{name}=`{value}` is not a whole number of spans"),
    }
}

/// Starts exporting to every config, with the queue limits of
/// `OTEL_BSP_MAX_QUEUE_SIZE` and `OTEL_BSP_MAX_EXPORT_BATCH_SIZE` if set.
/// Servers say where their spans go in their log; the client (whose stderr
/// is the user's terminal) only at debug level.
pub(crate) fn start(configs: Vec<ExporterConfig>, announce: bool) -> anyhow::Result<Exporter> {
    let limits = QueueLimits::from_env()?;
    if configs.is_empty() {
        tracing::debug!("span export is off");
        return Ok(Exporter::disabled());
    }
    let configs: Vec<ExporterConfig> = configs.into_iter().map(|c| limits.apply(c)).collect();
    let destinations: Vec<&str> = configs.iter().map(|c| c.endpoint.as_str()).collect();
    let destinations = destinations.join(", ");
    if announce {
        tracing::info!(%destinations, "exporting spans");
    } else {
        tracing::debug!(%destinations, "exporting spans");
    }
    let (exporter, _task) = Exporter::start_many(configs)?;
    Ok(exporter)
}

/// Flushes `exporter` within `timeout` and says on stderr if spans were lost.
pub(crate) async fn flush(exporter: &Exporter, timeout: Duration) {
    let stats = exporter.shutdown(timeout).await;
    let lost = stats.dropped + stats.rejected;
    if lost > 0 {
        let destinations: Vec<String> = exporter
            .destination_stats()
            .into_iter()
            .filter(|(_, s)| s.dropped + s.rejected > 0)
            .map(|(endpoint, _)| endpoint)
            .collect();
        tracing::warn!(
            spans = lost,
            "spans could not be exported to {}",
            destinations.join(", ")
        );
    }
}

fn env(name: &str) -> Option<String> {
    std::env::var(name)
        .ok()
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
}

/// `%XX` escapes decoded; anything malformed is kept as written.
fn percent_decode(value: &str) -> String {
    let bytes = value.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                out.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::{chosen_endpoint, percent_decode, QueueLimits};
    use trellis_trace::ExporterConfig;

    #[test]
    fn a_bare_collector_address_gets_the_traces_path() {
        assert_eq!(
            chosen_endpoint(Some("http://127.0.0.1:8001")).as_deref(),
            Some("http://127.0.0.1:8001/v1/traces")
        );
        assert_eq!(
            chosen_endpoint(Some("http://127.0.0.1:8001/")).as_deref(),
            Some("http://127.0.0.1:8001/v1/traces")
        );
        assert_eq!(
            chosen_endpoint(Some("http://collector:4318/custom/path")).as_deref(),
            Some("http://collector:4318/custom/path")
        );
    }

    #[test]
    fn queue_limits_parse_positive_numbers() {
        assert_eq!(
            QueueLimits::parse(Some("20"), None).unwrap(),
            QueueLimits {
                queue_capacity: Some(20),
                batch_size: None
            }
        );
        assert_eq!(
            QueueLimits::parse(None, None).unwrap(),
            QueueLimits::default()
        );
        let both = QueueLimits::parse(Some("100"), Some("10")).unwrap();
        assert_eq!(both.batch_size, Some(10));
    }

    #[test]
    fn bad_queue_limits_name_the_variable() {
        let zero = QueueLimits::parse(Some("0"), None).unwrap_err().to_string();
        assert_eq!(zero, "OTEL_BSP_MAX_QUEUE_SIZE must be at least 1, not 0");
        let word = QueueLimits::parse(None, Some("lots"))
            .unwrap_err()
            .to_string();
        assert_eq!(
            word,
            "OTEL_BSP_MAX_EXPORT_BATCH_SIZE=`lots` is not a whole number of spans"
        );
        let negative = QueueLimits::parse(Some("-5"), None)
            .unwrap_err()
            .to_string();
        assert!(
            negative.contains("OTEL_BSP_MAX_QUEUE_SIZE=`-5`"),
            "{negative}"
        );
        let larger = QueueLimits::parse(Some("10"), Some("20"))
            .unwrap_err()
            .to_string();
        assert!(larger.contains("a batch must fit in the queue"), "{larger}");
    }

    #[test]
    fn queue_limits_override_the_defaults_and_keep_batches_in_the_queue() {
        let config = ExporterConfig::new("http://127.0.0.1:1/v1/traces");
        let default_batch = config.batch_size;
        let unchanged = QueueLimits::default().apply(config.clone());
        assert_eq!(unchanged.queue_capacity, config.queue_capacity);
        assert_eq!(unchanged.batch_size, default_batch);

        let small = QueueLimits {
            queue_capacity: Some(20),
            batch_size: None,
        }
        .apply(config.clone());
        assert_eq!((small.queue_capacity, small.batch_size), (20, 20));

        let both = QueueLimits {
            queue_capacity: Some(50_000),
            batch_size: Some(64),
        }
        .apply(config);
        assert_eq!((both.queue_capacity, both.batch_size), (50_000, 64));
    }

    #[test]
    fn header_values_are_percent_decoded() {
        assert_eq!(percent_decode("Bearer%20abc"), "Bearer abc");
        assert_eq!(percent_decode("a%3Db%2"), "a=b%2");
        assert_eq!(percent_decode("%zz"), "%zz");
    }
}
