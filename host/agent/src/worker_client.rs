//! The conversation server's client of the tool worker: lists its tools
//! (caching the catalog and its revision) and runs tool calls. A tool that
//! fails, an unknown tool, a rejected input and an unreachable worker all
//! become error tool results the model can read; none of them fails the
//! conversation.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use http::HeaderMap;
use reqwest::StatusCode;
use serde_json::{json, Value};
use trellis_api::worker::{CallRequest, CallResponse, ToolInfo, ToolList};
use trellis_api::{BearerToken, ErrorBody, ErrorKind, ErrorResponse};

use crate::client::authorize;
use crate::messages::ToolDefinition;

/// Attempts per worker request, the first included.
pub const DEFAULT_WORKER_ATTEMPTS: u32 = 3;
/// Delay before the first retry; it doubles per retry (100, 200, 400 ms).
pub const DEFAULT_WORKER_RETRY_BASE: Duration = Duration::from_millis(100);
/// Time limit of one tool call over HTTP. Tools have their own (shorter)
/// limits inside the worker; this only catches a worker that hangs.
pub const DEFAULT_WORKER_CALL_TIMEOUT: Duration = Duration::from_secs(60);
/// Time limit for connecting to the worker.
pub const DEFAULT_WORKER_CONNECT_TIMEOUT: Duration = Duration::from_secs(2);

/// Why the worker client could not be built.
#[derive(Debug, thiserror::Error)]
pub enum WorkerClientError {
    /// The worker URL does not parse as an http(s) URL.
    #[error("invalid worker URL `{url}`: expected http://HOST:PORT")]
    InvalidUrl { url: String },
    /// The HTTP client could not be built.
    #[error("cannot build the HTTP client for the worker: {0}")]
    Http(#[source] reqwest::Error),
}

/// Why the tool list could not be fetched.
#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    /// The worker could not be reached, or kept failing.
    #[error("tool worker unavailable: {reason}")]
    Unavailable { reason: String },
    /// The worker answered something that is not a tool list.
    #[error("the tool worker at {url} sent a tool list that could not be read: {reason}")]
    Decode { url: String, reason: String },
}

/// How one tool call ended, as the conversation records it.
#[derive(Debug, Clone, PartialEq)]
pub struct ToolOutcome {
    /// The tool's output, or the error body (`{"kind", "message"}`) when
    /// `is_error`.
    pub output: Value,
    /// The call did not succeed.
    pub is_error: bool,
    /// Round-trip time seen by the server, retries included.
    pub duration_ms: f64,
}

impl ToolOutcome {
    /// A failed call with this error.
    pub fn error(kind: ErrorKind, message: impl Into<String>, duration_ms: f64) -> Self {
        ToolOutcome {
            output: json!(ErrorBody::new(kind, message)),
            is_error: true,
            duration_ms,
        }
    }

    /// The `tool_result` content for the model: the output as JSON text, or
    /// the error message.
    pub fn content(&self) -> String {
        if self.is_error {
            match self.output.get("message").and_then(Value::as_str) {
                Some(message) => message.to_string(),
                None => self.output.to_string(),
            }
        } else {
            self.output.to_string()
        }
    }
}

/// The worker's tool list as last seen.
#[derive(Debug, Clone, PartialEq)]
pub struct ToolCatalog {
    /// The worker's revision of the tool set (grows on every change).
    pub revision: u64,
    /// The tools, as the worker lists them.
    pub tools: Vec<ToolInfo>,
}

impl ToolCatalog {
    /// The tools in the Anthropic `tools` format.
    pub fn definitions(&self) -> Vec<ToolDefinition> {
        self.tools.iter().map(tool_definition).collect()
    }
}

/// A worker tool as the model sees it.
pub fn tool_definition(tool: &ToolInfo) -> ToolDefinition {
    ToolDefinition {
        name: tool.name.clone(),
        description: tool.description.clone(),
        input_schema: tool.input_schema.clone(),
    }
}

/// Client of one tool worker.
#[derive(Debug)]
pub struct WorkerClient {
    base_url: String,
    http: reqwest::Client,
    attempts: u32,
    retry_base: Duration,
    catalog: Mutex<Option<ToolCatalog>>,
    token: Option<BearerToken>,
}

/// A request that did not get an answer worth keeping.
enum Failure {
    /// Connect error, timeout, 5xx: the worker is unavailable (connect
    /// errors and 5xx are retried first).
    Transient(String),
    /// 4xx with the worker's error body.
    Rejected(StatusCode, ErrorBody),
}

impl WorkerClient {
    /// A client of the worker at `base_url` (e.g. `http://127.0.0.1:8002`)
    /// with the default timeouts and retries.
    pub fn new(base_url: &str) -> Result<Self, WorkerClientError> {
        let trimmed = base_url.trim().trim_end_matches('/');
        let parsed = reqwest::Url::parse(trimmed).map_err(|_| WorkerClientError::InvalidUrl {
            url: base_url.to_string(),
        })?;
        if !matches!(parsed.scheme(), "http" | "https") || parsed.host().is_none() {
            return Err(WorkerClientError::InvalidUrl {
                url: base_url.to_string(),
            });
        }
        let http = reqwest::Client::builder()
            .connect_timeout(DEFAULT_WORKER_CONNECT_TIMEOUT)
            .timeout(DEFAULT_WORKER_CALL_TIMEOUT)
            .build()
            .map_err(WorkerClientError::Http)?;
        Ok(WorkerClient {
            base_url: trimmed.to_string(),
            http,
            attempts: DEFAULT_WORKER_ATTEMPTS,
            retry_base: DEFAULT_WORKER_RETRY_BASE,
            catalog: Mutex::new(None),
            token: None,
        })
    }

    /// Change how many attempts each request gets (at least 1) and the first
    /// retry delay.
    pub fn with_retries(mut self, attempts: u32, retry_base: Duration) -> Self {
        self.attempts = attempts.max(1);
        self.retry_base = retry_base;
        self
    }

    /// Present `token` (`Authorization: Bearer`) on every request.
    pub fn with_token(mut self, token: Option<BearerToken>) -> Self {
        self.token = token;
        self
    }

    /// The worker's base URL.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// Fetch `GET /v1/tools` and remember it.
    pub async fn fetch_tools(&self, headers: &HeaderMap) -> Result<ToolCatalog, CatalogError> {
        let url = format!("{}/v1/tools", self.base_url);
        let list: ToolList = match self.request(|| self.http.get(&url), headers).await {
            Ok(value) => serde_json::from_value(value).map_err(|error| CatalogError::Decode {
                url: self.base_url.clone(),
                reason: error.to_string(),
            })?,
            Err(Failure::Transient(reason)) => return Err(CatalogError::Unavailable { reason }),
            Err(Failure::Rejected(status, body)) => {
                return Err(CatalogError::Unavailable {
                    reason: format!("GET /v1/tools answered {status}: {}", body.message),
                })
            }
        };
        let catalog = ToolCatalog {
            revision: list.revision,
            tools: list.tools,
        };
        let mut cached = self.catalog.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(previous) = cached.as_ref() {
            if previous.revision != catalog.revision {
                tracing::info!(
                    from = previous.revision,
                    to = catalog.revision,
                    tools = catalog.tools.len(),
                    "tool catalog changed"
                );
            }
        }
        *cached = Some(catalog.clone());
        Ok(catalog)
    }

    /// The current tool list: fetched fresh (the tool set can change at any
    /// time: plugins hot-reload), or the last one seen when the worker cannot
    /// be reached, or empty if it never could.
    pub async fn tools(&self, headers: &HeaderMap) -> ToolCatalog {
        match self.fetch_tools(headers).await {
            Ok(catalog) => catalog,
            Err(error) => {
                let cached = self
                    .catalog
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .clone();
                tracing::warn!(
                    cached = cached.is_some(),
                    "cannot refresh the tool list: {error}"
                );
                cached.unwrap_or(ToolCatalog {
                    revision: 0,
                    tools: Vec::new(),
                })
            }
        }
    }

    /// Run one tool call: `POST /v1/tools/{name}/call`. Never fails: every
    /// problem becomes an error outcome with a message for the model.
    /// `headers` are added to the request (trace propagation).
    pub async fn call_tool(&self, name: &str, input: &Value, headers: &HeaderMap) -> ToolOutcome {
        let started = Instant::now();
        let url = format!("{}/v1/tools/{}/call", self.base_url, path_segment(name));
        let body = CallRequest {
            input: input.clone(),
        };
        let result = self
            .request(|| self.http.post(&url).json(&body), headers)
            .await;
        let elapsed = started.elapsed().as_secs_f64() * 1000.0;
        match result {
            Ok(value) => match serde_json::from_value::<CallResponse>(value) {
                Ok(response) if !response.is_error => ToolOutcome {
                    output: response.output.unwrap_or(Value::Null),
                    is_error: false,
                    duration_ms: elapsed,
                },
                Ok(response) => {
                    let error = response.error.unwrap_or_else(|| {
                        ErrorBody::new(ErrorKind::Failed, format!("tool `{name}` failed"))
                    });
                    ToolOutcome {
                        output: json!(error),
                        is_error: true,
                        duration_ms: elapsed,
                    }
                }
                Err(error) => ToolOutcome::error(
                    ErrorKind::Internal,
                    format!("the tool worker sent a call response that could not be read: {error}"),
                    elapsed,
                ),
            },
            Err(Failure::Rejected(_, body)) => ToolOutcome {
                output: json!(body),
                is_error: true,
                duration_ms: elapsed,
            },
            Err(Failure::Transient(reason)) => ToolOutcome::error(
                ErrorKind::Unavailable,
                format!("tool worker unavailable: {reason}"),
                elapsed,
            ),
        }
    }

    /// Send a request with retries; the JSON body of a 2xx answer.
    async fn request(
        &self,
        build: impl Fn() -> reqwest::RequestBuilder,
        headers: &HeaderMap,
    ) -> Result<Value, Failure> {
        let mut attempt = 1;
        loop {
            let request = build().headers(headers.clone());
            let failure = match authorize(request, self.token.as_ref()).send().await {
                Ok(response) => {
                    let status = response.status();
                    match response.bytes().await {
                        Ok(bytes) if status.is_success() => {
                            return serde_json::from_slice(&bytes).map_err(|error| {
                                Failure::Transient(format!(
                                    "the worker answered {status} with a body that is not JSON: {error}"
                                ))
                            });
                        }
                        Ok(bytes) if status.is_client_error() => {
                            return Err(Failure::Rejected(status, rejection(status, &bytes)));
                        }
                        Ok(bytes) => {
                            let detail = serde_json::from_slice::<ErrorResponse>(&bytes)
                                .map(|body| body.error.message)
                                .unwrap_or_else(|_| {
                                    String::from_utf8_lossy(&bytes).chars().take(200).collect()
                                });
                            format!("the worker answered {status}: {detail}")
                        }
                        Err(error) => format!("reading the worker's answer: {}", cause(&error)),
                    }
                }
                // A worker that accepted the call but never answered is stuck,
                // not restarting: retrying would only multiply the wait.
                Err(error) if error.is_timeout() && !error.is_connect() => {
                    return Err(Failure::Transient(cause(&error)));
                }
                Err(error) => cause(&error),
            };
            if attempt >= self.attempts {
                return Err(Failure::Transient(failure));
            }
            let delay = self.retry_base * 2u32.pow(attempt - 1);
            tracing::debug!(
                attempt,
                "worker request failed, retrying in {delay:?}: {failure}"
            );
            tokio::time::sleep(delay).await;
            attempt += 1;
        }
    }
}

/// The error body of a 4xx answer; one is made up if the body is not the
/// contract's `{"error": {...}}`.
fn rejection(status: StatusCode, bytes: &[u8]) -> ErrorBody {
    if let Ok(body) = serde_json::from_slice::<ErrorResponse>(bytes) {
        return body.error;
    }
    let kind = match status {
        StatusCode::NOT_FOUND => ErrorKind::NotFound,
        StatusCode::PAYLOAD_TOO_LARGE => ErrorKind::PayloadTooLarge,
        StatusCode::UNAUTHORIZED => ErrorKind::Unauthorized,
        StatusCode::UNPROCESSABLE_ENTITY => ErrorKind::InvalidInput,
        _ => ErrorKind::BadRequest,
    };
    let text: String = String::from_utf8_lossy(bytes).chars().take(200).collect();
    ErrorBody::new(
        kind,
        format!("the worker answered {status}: {}", text.trim()),
    )
}

/// The most specific description of a transport error ("connection
/// refused", "operation timed out") rather than reqwest's generic summary.
fn cause(error: &reqwest::Error) -> String {
    let mut innermost: &dyn std::error::Error = error;
    while let Some(source) = innermost.source() {
        innermost = source;
    }
    let what = if error.is_timeout() {
        "timed out"
    } else if error.is_connect() {
        "cannot connect"
    } else {
        "request failed"
    };
    let url = error
        .url()
        .map(|u| format!(" to {}", u.as_str()))
        .unwrap_or_default();
    format!("{what}{url}: {innermost}")
}

/// A tool name is put in the path as one segment, so a model asking for
/// `../x` cannot reach another route.
fn path_segment(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for byte in name.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~') {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    if out == "." || out == ".." {
        out = out.replace('.', "%2E");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tool_names_stay_one_path_segment() {
        assert_eq!(path_segment("lookup_medication"), "lookup_medication");
        assert_eq!(path_segment("../healthz"), "..%2Fhealthz");
        assert_eq!(path_segment(".."), "%2E%2E");
    }

    #[test]
    fn bad_worker_urls_are_refused() {
        for url in ["", "127.0.0.1:8002", "ftp://x", "http://"] {
            let error = WorkerClient::new(url).unwrap_err().to_string();
            assert!(error.contains("invalid worker URL"), "{url}: {error}");
        }
        assert_eq!(
            WorkerClient::new("http://127.0.0.1:8002/")
                .unwrap()
                .base_url(),
            "http://127.0.0.1:8002"
        );
    }

    #[test]
    fn error_content_is_the_message() {
        let outcome = ToolOutcome::error(ErrorKind::Unavailable, "tool worker unavailable: x", 1.0);
        assert_eq!(outcome.content(), "tool worker unavailable: x");
        assert_eq!(outcome.output["kind"], "unavailable");
    }
}
