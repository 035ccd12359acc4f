//! Where a process sends its spans: the one place that reads the exporter
//! environment (`OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`,
//! `OTEL_EXPORTER_OTLP_ENDPOINT`, `OTEL_EXPORTER_OTLP_HEADERS`,
//! `BRAINTRUST_API_KEY`, `BRAINTRUST_API_URL`) and turns it, with the
//! command's flags, into the exporter configs of `trellis-trace`.

use std::time::Duration;

use trellis_api::BearerToken;
use trellis_trace::{Exporter, ExporterConfig};

/// The OTLP/HTTP traces path under a collector's base URL.
pub(crate) const OTLP_TRACES_PATH: &str = "/v1/traces";
/// Braintrust's API unless `BRAINTRUST_API_URL` says otherwise.
pub(crate) const DEFAULT_BRAINTRUST_API_URL: &str = "https://api.braintrust.dev";
/// How long a stopping server or worker keeps trying to deliver its spans.
pub(crate) const SHUTDOWN_FLUSH_TIMEOUT: Duration = Duration::from_secs(5);

/// The OTLP/HTTP traces URL chosen over a process's default destination:
/// `--collector` if given, else `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` (a full
/// URL), else `OTEL_EXPORTER_OTLP_ENDPOINT` (a base URL, `/v1/traces`
/// appended as the OTel spec says). `None` keeps the default.
/// Export is off when the collector is `none`, or `OTEL_TRACES_EXPORTER=none`
/// as the OpenTelemetry SDKs spell it.
pub(crate) fn disabled(flag: Option<&str>) -> bool {
    flag.map(str::trim) == Some("none") || env("OTEL_TRACES_EXPORTER").as_deref() == Some("none")
}

pub(crate) fn chosen_endpoint(flag: Option<&str>) -> Option<String> {
    if let Some(url) = flag.map(str::trim).filter(|u| !u.is_empty()) {
        return Some(url.to_string());
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

/// Starts exporting to every config. Servers say where their spans go in
/// their log; the client (whose stderr is the user's terminal) only at
/// debug level.
pub(crate) fn start(configs: Vec<ExporterConfig>, announce: bool) -> anyhow::Result<Exporter> {
    if configs.is_empty() {
        tracing::debug!("span export is off");
        return Ok(Exporter::disabled());
    }
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
    use super::percent_decode;

    #[test]
    fn header_values_are_percent_decoded() {
        assert_eq!(percent_decode("Bearer%20abc"), "Bearer abc");
        assert_eq!(percent_decode("a%3Db%2"), "a=b%2");
        assert_eq!(percent_decode("%zz"), "%zz");
    }
}
