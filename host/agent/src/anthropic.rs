//! Claude through the Anthropic Messages API: `POST {base_url}/v1/messages`
//! with the clinical system prompt, retrying rate limits, overload and
//! transient failures with capped, jittered exponential backoff that honours
//! `retry-after`.

use std::time::Duration;

use futures::future::BoxFuture;
use rand::Rng;
use reqwest::StatusCode;
use serde::Deserialize;

use crate::messages::{MessagesRequest, MessagesResponse};
use crate::provider::{ApiKey, ModelProvider, ModelRequest, ProviderError};

/// Where the API lives unless `ANTHROPIC_BASE_URL` says otherwise.
pub const DEFAULT_BASE_URL: &str = "https://api.anthropic.com";
/// The API version this client speaks (the `anthropic-version` header).
pub const ANTHROPIC_VERSION: &str = "2023-06-01";
/// Output token limit per model call.
pub const DEFAULT_MAX_TOKENS: u32 = 4096;
/// Attempts per model call, the first included.
pub const DEFAULT_MAX_ATTEMPTS: u32 = 4;
/// First backoff delay; it doubles per attempt up to [`DEFAULT_RETRY_CAP`].
pub const DEFAULT_RETRY_BASE: Duration = Duration::from_millis(500);
/// Longest computed backoff delay.
pub const DEFAULT_RETRY_CAP: Duration = Duration::from_secs(8);
/// Longest wait a `retry-after` header may impose; a server asking for more
/// is obeyed only this far, so one call cannot hang for minutes.
pub const DEFAULT_MAX_RETRY_AFTER: Duration = Duration::from_secs(60);
/// Time limit of one HTTP attempt. Long answers with tools can take a while.
pub const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(300);

/// The system prompt sent with every call.
pub const SYSTEM_PROMPT: &str = "\
You are a careful clinical decision-support assistant for clinicians. You help \
a clinician think through a patient; you do not replace their judgement.

Use the tools rather than estimating: compute BMI, blood pressure category and \
other metrics with calculate_clinical_metrics, find candidate conditions with \
search_medical_knowledge, and check dosing, contraindications and interactions \
with lookup_medication. Call independent tools in parallel. Never invent a \
number that a tool could provide; if a tool fails, say so and carry on with \
what you have.

Answer with three sections, in this order, each headed in bold: **Assessment** \
(the metrics and the conditions worth evaluating, with the tests that would \
confirm or exclude them), **Recommendations** (first-line treatments with \
dosing and the cautions that apply), **Follow-up** (monitoring and when to \
recheck). Be concise. State uncertainty plainly, including what information is \
missing. End with one line noting that this is decision support and not a \
substitute for clinical judgement.";

/// Settings of an [`AnthropicClient`]. [`AnthropicConfig::new`] fills in the
/// defaults.
#[derive(Debug, Clone)]
pub struct AnthropicConfig {
    /// Sent as `x-api-key`; never logged or shown.
    pub api_key: ApiKey,
    /// The model name sent in each request, e.g. `claude-sonnet-4-5`.
    pub model: String,
    /// The API root, without `/v1/messages`.
    pub base_url: String,
    /// Output token limit per model call.
    pub max_tokens: u32,
    /// The `system` prompt of every request.
    pub system_prompt: String,
    /// Attempts per call, the first included (at least 1).
    pub max_attempts: u32,
    /// First computed backoff delay (doubles per attempt).
    pub retry_base: Duration,
    /// Longest computed backoff delay.
    pub retry_cap: Duration,
    /// Longest wait honoured from a `retry-after` header.
    pub max_retry_after: Duration,
    /// Time limit of one HTTP attempt.
    pub request_timeout: Duration,
}

impl AnthropicConfig {
    /// Defaults for everything but the key and the model.
    pub fn new(api_key: ApiKey, model: impl Into<String>) -> Self {
        AnthropicConfig {
            api_key,
            model: model.into(),
            base_url: DEFAULT_BASE_URL.to_string(),
            max_tokens: DEFAULT_MAX_TOKENS,
            system_prompt: SYSTEM_PROMPT.to_string(),
            max_attempts: DEFAULT_MAX_ATTEMPTS,
            retry_base: DEFAULT_RETRY_BASE,
            retry_cap: DEFAULT_RETRY_CAP,
            max_retry_after: DEFAULT_MAX_RETRY_AFTER,
            request_timeout: DEFAULT_REQUEST_TIMEOUT,
        }
    }
}

/// A [`ModelProvider`] that calls Claude.
#[derive(Debug, Clone)]
pub struct AnthropicClient {
    config: AnthropicConfig,
    url: String,
    http: reqwest::Client,
}

/// The API's error body: `{"type": "error", "error": {"type", "message"}}`.
#[derive(Deserialize)]
struct ApiErrorBody {
    error: ApiErrorDetail,
}

#[derive(Deserialize)]
struct ApiErrorDetail {
    #[serde(rename = "type")]
    kind: String,
    message: String,
}

/// What one attempt came to, before deciding whether to retry.
enum Attempt {
    Done(Result<MessagesResponse, ProviderError>),
    /// Worth another try; `wait` is the server's `retry-after`, if any.
    Retry {
        failure: ProviderError,
        wait: Option<Duration>,
    },
}

impl AnthropicClient {
    /// A client for `config`. Fails only if the HTTP client cannot be built.
    pub fn new(config: AnthropicConfig) -> Result<Self, ProviderError> {
        let base = config.base_url.trim_end_matches('/');
        let url = format!("{base}/v1/messages");
        let http = reqwest::Client::builder()
            .timeout(config.request_timeout)
            .connect_timeout(Duration::from_secs(10))
            .build()
            .map_err(|error| ProviderError::Transport {
                url: url.clone(),
                attempts: 0,
                reason: format!("cannot build the HTTP client: {error}"),
            })?;
        Ok(AnthropicClient { config, url, http })
    }

    /// The Messages request sent for `request`.
    pub fn messages_request(&self, request: ModelRequest) -> MessagesRequest {
        MessagesRequest {
            model: self.config.model.clone(),
            max_tokens: self.config.max_tokens,
            system: Some(self.config.system_prompt.clone()),
            messages: request.messages,
            tools: request.tools,
        }
    }

    /// Send `body`, retrying what is worth retrying.
    pub async fn send(&self, body: &MessagesRequest) -> Result<MessagesResponse, ProviderError> {
        let attempts = self.config.max_attempts.max(1);
        let mut attempt = 1;
        loop {
            let (failure, wait) = match self.attempt(body, attempt).await {
                Attempt::Done(result) => return result,
                Attempt::Retry { failure, wait } => (failure, wait),
            };
            if attempt >= attempts {
                return Err(failure);
            }
            let delay = match wait {
                Some(wait) => wait.min(self.config.max_retry_after),
                None => self.backoff(attempt),
            };
            tracing::warn!(
                attempt,
                delay_ms = delay.as_millis() as u64,
                "Anthropic API call failed, retrying: {failure}"
            );
            tokio::time::sleep(delay).await;
            attempt += 1;
        }
    }

    async fn attempt(&self, body: &MessagesRequest, attempt: u32) -> Attempt {
        let sent = self
            .http
            .post(&self.url)
            .header("x-api-key", self.config.api_key.expose())
            .header("anthropic-version", ANTHROPIC_VERSION)
            .json(body)
            .send()
            .await;
        let response = match sent {
            Ok(response) => response,
            Err(error) => {
                return Attempt::Retry {
                    failure: ProviderError::Transport {
                        url: self.url.clone(),
                        attempts: attempt,
                        reason: error_chain(&error),
                    },
                    wait: None,
                }
            }
        };
        let status = response.status();
        let retry_after = retry_after(response.headers());
        let text = match response.text().await {
            Ok(text) => text,
            Err(error) => {
                return Attempt::Retry {
                    failure: ProviderError::Transport {
                        url: self.url.clone(),
                        attempts: attempt,
                        reason: format!("reading the response: {}", error_chain(&error)),
                    },
                    wait: None,
                }
            }
        };
        if status.is_success() {
            return Attempt::Done(serde_json::from_str(&text).map_err(|error| {
                ProviderError::Decode {
                    reason: error.to_string(),
                }
            }));
        }
        match status.as_u16() {
            401 => Attempt::Done(Err(ProviderError::InvalidApiKey)),
            429 => Attempt::Retry {
                failure: ProviderError::RateLimited { attempts: attempt },
                wait: retry_after,
            },
            500 | 502 | 503 | 504 | 529 => Attempt::Retry {
                failure: ProviderError::Overloaded {
                    status: status.as_u16(),
                    attempts: attempt,
                },
                wait: retry_after,
            },
            _ => Attempt::Done(Err(api_error(status, &text))),
        }
    }

    /// Exponential backoff with "equal jitter": half fixed, half random, so
    /// clients that failed together do not retry together.
    fn backoff(&self, attempt: u32) -> Duration {
        let exp = self
            .config
            .retry_base
            .saturating_mul(2u32.saturating_pow(attempt.saturating_sub(1)));
        let capped = exp.min(self.config.retry_cap);
        let half = capped / 2;
        let jitter = rand::rng().random_range(0..=half.as_millis() as u64);
        half + Duration::from_millis(jitter)
    }
}

impl ModelProvider for AnthropicClient {
    fn name(&self) -> &str {
        &self.config.model
    }

    fn create(
        &self,
        request: ModelRequest,
    ) -> BoxFuture<'_, Result<MessagesResponse, ProviderError>> {
        Box::pin(async move {
            let body = self.messages_request(request);
            self.send(&body).await
        })
    }
}

/// An error status other than the retried ones, with the API's own words.
fn api_error(status: StatusCode, text: &str) -> ProviderError {
    match serde_json::from_str::<ApiErrorBody>(text) {
        Ok(body) => ProviderError::Api {
            status: status.as_u16(),
            error_type: body.error.kind,
            message: body.error.message,
        },
        Err(_) => {
            let mut message: String = text.trim().chars().take(300).collect();
            if message.is_empty() {
                message = status
                    .canonical_reason()
                    .unwrap_or("no error body")
                    .to_string();
            }
            ProviderError::Api {
                status: status.as_u16(),
                error_type: "unknown_error".to_string(),
                message,
            }
        }
    }
}

/// `retry-after` in seconds (integer or decimal). The HTTP-date form is not
/// used by the API and falls back to backoff.
fn retry_after(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    let value = headers.get(reqwest::header::RETRY_AFTER)?.to_str().ok()?;
    let seconds: f64 = value.trim().parse().ok()?;
    (seconds.is_finite() && seconds >= 0.0).then(|| Duration::from_secs_f64(seconds.min(3600.0)))
}

/// reqwest's top-level message is vague ("error sending request"); the
/// cause (e.g. "connection refused") is what a person needs.
fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn client() -> AnthropicClient {
        AnthropicClient::new(AnthropicConfig::new(ApiKey::new("k"), "claude-x")).unwrap()
    }

    #[test]
    fn backoff_grows_and_is_capped() {
        let client = client();
        for attempt in 1..10 {
            let delay = client.backoff(attempt);
            let full = DEFAULT_RETRY_BASE
                .saturating_mul(2u32.pow(attempt - 1))
                .min(DEFAULT_RETRY_CAP);
            assert!(delay >= full / 2 && delay <= full, "{attempt}: {delay:?}");
        }
    }

    #[test]
    fn retry_after_reads_seconds() {
        let mut headers = reqwest::header::HeaderMap::new();
        assert_eq!(retry_after(&headers), None);
        headers.insert("retry-after", "2".parse().unwrap());
        assert_eq!(retry_after(&headers), Some(Duration::from_secs(2)));
        headers.insert("retry-after", "0.5".parse().unwrap());
        assert_eq!(retry_after(&headers), Some(Duration::from_millis(500)));
        headers.insert("retry-after", "soon".parse().unwrap());
        assert_eq!(retry_after(&headers), None);
    }

    #[test]
    fn unparseable_error_body_keeps_the_status() {
        let error = api_error(StatusCode::FORBIDDEN, "");
        assert_eq!(
            error.to_string(),
            "Anthropic API error 403 unknown_error: Forbidden"
        );
    }

    #[test]
    fn request_carries_model_limit_and_system_prompt() {
        let request = client().messages_request(ModelRequest {
            messages: vec![],
            tools: vec![],
        });
        assert_eq!(request.model, "claude-x");
        assert_eq!(request.max_tokens, DEFAULT_MAX_TOKENS);
        let system = request.system.unwrap();
        for section in ["**Assessment**", "**Recommendations**", "**Follow-up**"] {
            assert!(system.contains(section));
        }
    }
}
