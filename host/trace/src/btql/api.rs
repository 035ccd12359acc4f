//! `POST /btql`, Braintrust's query endpoint: `{"query": "…", "fmt":
//! "json"|"jsonl"}` → `{"data": [...], "cursor": …}`, or one JSON object
//! per line for `jsonl` (the cursor then travels in the
//! [`CURSOR_HEADER`] header). Errors are `{"error": {"kind", "message"}}`:
//! 400 for a query that does not parse or cannot run (the message is the
//! parse error, with line and column), 404 for an unknown project,
//! dataset or experiment, 408 when the time limit is hit.

use std::sync::Arc;

use axum::extract::{DefaultBodyLimit, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
pub use trellis_api::btql::{BtqlRequest, BtqlResponse, ResponseFormat, CURSOR_HEADER};
use trellis_api::http::{wrong_method, ApiError, JsonBody};
use trellis_api::ErrorKind;

use super::{execute, BtqlConfig, BtqlError, Query};
use crate::store::TraceStore;

#[derive(Debug, Clone)]
struct BtqlState {
    store: Arc<TraceStore>,
    config: Arc<BtqlConfig>,
}

/// The largest `POST /btql` body accepted: room for the longest query
/// ([`super::MAX_QUERY_CHARS`] characters of up to 4 bytes) with JSON
/// escaping to spare. A larger body is refused with 413 while it is read,
/// before it is buffered whole.
pub const MAX_REQUEST_BYTES: usize = 1024 * 1024;

/// `POST /btql` over `store`, to merge into the server's router (which owns
/// the fallback for unknown routes).
pub fn routes(store: Arc<TraceStore>, config: BtqlConfig) -> Router {
    Router::new()
        .route(
            "/btql",
            post(btql)
                .layer(DefaultBodyLimit::max(MAX_REQUEST_BYTES))
                .fallback(wrong_method),
        )
        .with_state(BtqlState {
            store,
            config: Arc::new(config),
        })
}

impl From<BtqlError> for ApiError {
    fn from(e: BtqlError) -> Self {
        match e {
            BtqlError::Parse(_)
            | BtqlError::Invalid(_)
            | BtqlError::BadCursor(_)
            | BtqlError::Evaluation(_) => ApiError::bad_request(e.to_string()),
            BtqlError::UnknownProject(_) | BtqlError::SourceNotFound { .. } => {
                ApiError::not_found(e.to_string())
            }
            BtqlError::TimeLimit { .. } => ApiError::new(
                StatusCode::REQUEST_TIMEOUT,
                ErrorKind::Timeout,
                e.to_string(),
            ),
            BtqlError::Store(_) => {
                tracing::error!("BTQL query failed in the store: {e}");
                ApiError::unavailable("the trace store could not be read; retry later")
            }
            BtqlError::Internal(_) => {
                tracing::error!("BTQL query failed: {e}");
                ApiError::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    ErrorKind::Internal,
                    "the query failed inside the server",
                )
            }
        }
    }
}

async fn btql(
    State(state): State<BtqlState>,
    JsonBody(request): JsonBody<BtqlRequest>,
) -> Result<Response, ApiError> {
    let query: Query = request
        .query
        .parse()
        .map_err(|e: super::ParseError| ApiError::bad_request(e.to_string()))?;
    let output = tokio::task::spawn_blocking(move || execute(&state.store, &query, &state.config))
        .await
        .map_err(|e| {
            tracing::error!("BTQL task failed: {e}");
            ApiError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                ErrorKind::Internal,
                "the query failed inside the server",
            )
        })??;
    Ok(match request.fmt {
        ResponseFormat::Json => Json(BtqlResponse {
            data: output.data,
            cursor: output.cursor,
            warnings: output.warnings,
        })
        .into_response(),
        ResponseFormat::Jsonl => {
            let mut body = String::new();
            for row in &output.data {
                body.push_str(&serde_json::to_string(row).expect("JSON rows serialize"));
                body.push('\n');
            }
            let mut response =
                ([(header::CONTENT_TYPE, "application/x-ndjson")], body).into_response();
            if let Some(cursor) = output.cursor.and_then(|c| HeaderValue::from_str(&c).ok()) {
                response.headers_mut().insert(CURSOR_HEADER, cursor);
            }
            response
        }
    })
}
