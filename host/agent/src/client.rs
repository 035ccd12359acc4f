//! The client of the conversation server, used by `trellis ask` and
//! `trellis traces`: one [`ChatClient::chat`] call per turn,
//! [`render_response`] to show the answer in a terminal,
//! [`ChatClient::trace`] to fetch a stored trace and [`ChatClient::btql`] to
//! query the stored traces.

mod objects;

use std::fmt::Write;
use std::time::Duration;

use http::HeaderMap;
use serde::de::DeserializeOwned;
use trellis_api::btql::{BtqlRequest, BtqlResponse, ResponseFormat};
use trellis_api::chat::{ChatRequest, ChatResponse};
use trellis_api::{BearerToken, ErrorBody, ErrorResponse};
use trellis_trace::SpanTree;

/// Where `trellis ask` looks for the server unless told otherwise.
pub const DEFAULT_SERVER_URL: &str = "http://127.0.0.1:8001";
/// How long one turn may take. Claude with several tool rounds can need
/// minutes; this only stops a client waiting forever on a stuck server.
pub const DEFAULT_TURN_TIMEOUT: Duration = Duration::from_secs(600);

/// Why a chat call failed.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// Nothing answered at the server's address.
    #[error("cannot reach the Trellis server at {url} — start it with `trellis server` (or pass --server URL)")]
    ServerUnreachable {
        url: String,
        #[source]
        source: reqwest::Error,
    },
    /// The server answered with an error body.
    #[error("the Trellis server answered {status}: {error}")]
    Api { status: u16, error: ErrorBody },
    /// The connection broke or timed out after it was made.
    #[error("the request to the Trellis server at {url} failed: {source}")]
    Transport {
        url: String,
        #[source]
        source: reqwest::Error,
    },
    /// The server answered something that is not the Trellis API.
    #[error(
        "the server at {url} sent a response that is not a Trellis API answer ({status}): {detail}"
    )]
    UnexpectedResponse {
        url: String,
        status: u16,
        detail: String,
    },
    /// The server URL is unusable.
    #[error("invalid server URL `{url}`: expected http://HOST:PORT")]
    InvalidUrl { url: String },
    /// The HTTP client could not be built.
    #[error("cannot build the HTTP client: {0}")]
    Http(#[source] reqwest::Error),
}

/// Client of one conversation server.
#[derive(Debug, Clone)]
pub struct ChatClient {
    base_url: String,
    http: reqwest::Client,
    token: Option<BearerToken>,
}

impl ChatClient {
    /// A client of the server at `base_url` (e.g. `http://127.0.0.1:8001`).
    pub fn new(base_url: &str) -> Result<Self, ClientError> {
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(5))
            .timeout(DEFAULT_TURN_TIMEOUT)
            .build()
            .map_err(ClientError::Http)?;
        Self::with_http(base_url, http)
    }

    /// A client using a caller-built HTTP client (timeouts, proxies).
    pub fn with_http(base_url: &str, http: reqwest::Client) -> Result<Self, ClientError> {
        let trimmed = base_url.trim().trim_end_matches('/');
        let valid = reqwest::Url::parse(trimmed)
            .map(|url| matches!(url.scheme(), "http" | "https") && url.host().is_some())
            .unwrap_or(false);
        if !valid {
            return Err(ClientError::InvalidUrl {
                url: base_url.to_string(),
            });
        }
        Ok(ChatClient {
            base_url: trimmed.to_string(),
            http,
            token: None,
        })
    }

    /// Present `token` (`Authorization: Bearer`) on every request.
    pub fn with_token(mut self, token: Option<BearerToken>) -> Self {
        self.token = token;
        self
    }

    /// The server's base URL.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The HTTP client (and connection pool) requests go through.
    pub fn http(&self) -> &reqwest::Client {
        &self.http
    }

    /// Send one user message; `conversation_id` continues a conversation.
    pub async fn chat(
        &self,
        message: &str,
        conversation_id: Option<&str>,
    ) -> Result<ChatResponse, ClientError> {
        self.chat_with_headers(message, conversation_id, &HeaderMap::new())
            .await
    }

    /// [`ChatClient::chat`] with extra request headers (trace propagation).
    pub async fn chat_with_headers(
        &self,
        message: &str,
        conversation_id: Option<&str>,
        headers: &HeaderMap,
    ) -> Result<ChatResponse, ClientError> {
        let request = ChatRequest {
            message: message.to_string(),
            conversation_id: conversation_id.map(str::to_string),
            model: None,
        };
        self.chat_request(&request, headers).await
    }

    /// `POST /api/chat` with a whole request (e.g. one naming the model).
    pub async fn chat_request(
        &self,
        request: &ChatRequest,
        headers: &HeaderMap,
    ) -> Result<ChatResponse, ClientError> {
        let url = format!("{}/api/chat", self.base_url);
        self.send(self.http.post(&url).headers(headers.clone()).json(request))
            .await
    }

    /// `GET /api/traces/{trace_id}`: a stored trace as a tree. An unknown
    /// trace is [`ClientError::Api`] with status 404.
    pub async fn trace(&self, trace_id: &str) -> Result<SpanTree, ClientError> {
        let url = format!("{}/api/traces/{trace_id}", self.base_url);
        self.send(self.http.get(&url)).await
    }

    /// `POST /btql`: runs a BTQL query over the stored traces. A query that
    /// does not parse or cannot run is [`ClientError::Api`] with status 400
    /// and the message (line and column); an unknown project, status 404.
    pub async fn btql(&self, query: &str) -> Result<BtqlResponse, ClientError> {
        let url = format!("{}/btql", self.base_url);
        let request = BtqlRequest {
            query: query.to_string(),
            fmt: ResponseFormat::Json,
        };
        self.send(self.http.post(&url).json(&request)).await
    }

    /// Sends a request and reads the answer: the JSON body of a 2xx, or the
    /// error it stands for.
    async fn send<T: DeserializeOwned>(
        &self,
        request: reqwest::RequestBuilder,
    ) -> Result<T, ClientError> {
        let response = authorize(request, self.token.as_ref())
            .send()
            .await
            .map_err(|source| {
                if source.is_connect() {
                    ClientError::ServerUnreachable {
                        url: self.base_url.clone(),
                        source,
                    }
                } else {
                    ClientError::Transport {
                        url: self.base_url.clone(),
                        source,
                    }
                }
            })?;
        let status = response.status();
        let bytes = response
            .bytes()
            .await
            .map_err(|source| ClientError::Transport {
                url: self.base_url.clone(),
                source,
            })?;
        if status.is_success() {
            return serde_json::from_slice(&bytes).map_err(|error| {
                ClientError::UnexpectedResponse {
                    url: self.base_url.clone(),
                    status: status.as_u16(),
                    detail: error.to_string(),
                }
            });
        }
        match serde_json::from_slice::<ErrorResponse>(&bytes) {
            Ok(body) => Err(ClientError::Api {
                status: status.as_u16(),
                error: body.error,
            }),
            Err(_) => Err(ClientError::UnexpectedResponse {
                url: self.base_url.clone(),
                status: status.as_u16(),
                detail: String::from_utf8_lossy(&bytes).chars().take(200).collect(),
            }),
        }
    }
}

/// `request` presenting `token`, if any. The header is marked sensitive so
/// HTTP-level debug logging does not print it.
pub(crate) fn authorize(
    request: reqwest::RequestBuilder,
    token: Option<&BearerToken>,
) -> reqwest::RequestBuilder {
    let Some(token) = token else {
        return request;
    };
    match http::HeaderValue::from_str(&token.authorization()) {
        Ok(mut value) => {
            value.set_sensitive(true);
            request.header(http::header::AUTHORIZATION, value)
        }
        // Unreachable: a `BearerToken` is visible ASCII by construction.
        Err(_) => request,
    }
}

/// A turn's answer for a terminal: the answer, the tools used (✓ succeeded,
/// ✗ failed, with durations), and the trace id.
pub fn render_response(response: &ChatResponse) -> String {
    let mut out = String::new();
    out.push_str(response.response.trim_end());
    out.push_str("\n\n");
    if response.tool_calls.is_empty() {
        out.push_str("tools used: none\n");
    } else {
        out.push_str("tools used:\n");
        let width = response
            .tool_calls
            .iter()
            .map(|call| call.name.chars().count())
            .max()
            .unwrap_or(0);
        for call in &response.tool_calls {
            let mark = if call.is_error { '✗' } else { '✓' };
            let _ = write!(
                out,
                "  {mark} {:<width$}  {:>8.1} ms",
                call.name, call.duration_ms
            );
            if call.is_error {
                if let Some(message) = call.output.get("message").and_then(|m| m.as_str()) {
                    let _ = write!(out, "  {message}");
                }
            }
            out.push('\n');
        }
    }
    let _ = writeln!(out, "trace: {}", response.trace_id);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use trellis_api::chat::{ToolCallRecord, Usage};

    #[test]
    fn rendering_shows_answer_tools_and_trace() {
        let response = ChatResponse {
            conversation_id: "c".into(),
            response: "**Assessment**\n- BMI 30.9\n".into(),
            trace_id: "0af7651916cd43dd8448eb211c80319c".into(),
            model: "offline".into(),
            tool_calls: vec![
                ToolCallRecord {
                    name: "calculate_clinical_metrics".into(),
                    input: json!({}),
                    output: json!({"bmi": 30.9}),
                    is_error: false,
                    duration_ms: 12.34,
                },
                ToolCallRecord {
                    name: "lookup_medication".into(),
                    input: json!({}),
                    output: json!({"kind": "invalid_input", "message": "unknown medication `x`"}),
                    is_error: true,
                    duration_ms: 3.0,
                },
            ],
            usage: Usage::default(),
            model_calls: 2,
            stop_reason: "end_turn".into(),
        };
        let text = render_response(&response);
        assert!(text.starts_with("**Assessment**\n- BMI 30.9\n\ntools used:\n"));
        assert!(
            text.contains("✓ calculate_clinical_metrics      12.3 ms"),
            "{text}"
        );
        assert!(text.contains("✗ lookup_medication"), "{text}");
        assert!(text.contains("unknown medication `x`"), "{text}");
        assert!(text.ends_with("trace: 0af7651916cd43dd8448eb211c80319c\n"));
    }
}
