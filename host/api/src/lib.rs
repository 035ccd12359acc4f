//! Wire types of Trellis's HTTP APIs, defined once and used by both the
//! servers and their clients.
//!
//! - [`worker`]: the tool worker (`GET /v1/tools`, `POST /v1/tools/{name}/call`).
//! - [`chat`]: the conversation server (`POST /api/chat`).
//! - [`btql`]: trace queries (`POST /btql`).
//! - [`objects`]: eval datasets and experiments (`/api/datasets`,
//!   `/api/experiments`).
//! - [`auth`]: the bearer token of access control ([`BearerToken`]).
//! - [`ErrorBody`] / [`ErrorResponse`]: the error shape every endpoint uses.

use serde::{Deserialize, Serialize};

pub mod auth;
pub mod btql;
pub mod chat;
#[cfg(feature = "server")]
pub mod http;
pub mod objects;
pub mod worker;

pub use auth::{BearerToken, TokenError};

/// What kind of failure an error body describes. Serialised in snake_case;
/// clients match on it, so the set only grows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    /// The tool input failed the schema, or the tool rejected it.
    InvalidInput,
    /// The tool ran and reported that it could not produce a result.
    Failed,
    /// The call ran past its time limit and was interrupted.
    Timeout,
    /// The call tried to grow its memory past its limit.
    OutOfMemory,
    /// The plugin trapped (a panic, a stack overflow, an unreachable).
    Trap,
    /// The request itself is malformed (bad JSON, wrong types, missing fields).
    BadRequest,
    /// The route, tool, conversation or resource does not exist.
    NotFound,
    /// The resource already exists (e.g. an experiment name in use).
    Conflict,
    /// The method is not allowed on the route.
    MethodNotAllowed,
    /// The request body is larger than the endpoint accepts.
    PayloadTooLarge,
    /// The body's content type is not one the endpoint accepts.
    UnsupportedMediaType,
    /// A bearer token is required and was missing or wrong.
    Unauthorized,
    /// The service is at capacity or a dependency is down; retry later.
    Unavailable,
    /// An upstream service (the model provider) failed.
    Upstream,
    /// A bug or an unexpected failure inside the service.
    Internal,
}

impl ErrorKind {
    /// The snake_case name used on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::InvalidInput => "invalid_input",
            ErrorKind::Failed => "failed",
            ErrorKind::Timeout => "timeout",
            ErrorKind::OutOfMemory => "out_of_memory",
            ErrorKind::Trap => "trap",
            ErrorKind::BadRequest => "bad_request",
            ErrorKind::NotFound => "not_found",
            ErrorKind::Conflict => "conflict",
            ErrorKind::MethodNotAllowed => "method_not_allowed",
            ErrorKind::PayloadTooLarge => "payload_too_large",
            ErrorKind::UnsupportedMediaType => "unsupported_media_type",
            ErrorKind::Unauthorized => "unauthorized",
            ErrorKind::Unavailable => "unavailable",
            ErrorKind::Upstream => "upstream",
            ErrorKind::Internal => "internal",
        }
    }
}

impl std::fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A failure: its kind and a message for a person.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ErrorBody {
    pub kind: ErrorKind,
    pub message: String,
}

impl ErrorBody {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        ErrorBody {
            kind,
            message: message.into(),
        }
    }
}

impl std::fmt::Display for ErrorBody {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.kind, self.message)
    }
}

/// The body of every 4xx/5xx response: `{"error": {"kind", "message"}}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ErrorResponse {
    pub error: ErrorBody,
}
