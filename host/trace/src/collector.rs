//! The trace collector's HTTP routes, mounted by the conversation server:
//! `POST /v1/traces` (OTLP/HTTP ingest, protobuf or JSON) and
//! `GET /api/traces/{trace_id}` (a stored trace as a [`SpanTree`]).
//!
//! Ingest follows the OTLP/HTTP spec: the answer is 200 with an
//! `ExportTraceServiceResponse` in the request's encoding (with
//! `partial_success` when some spans had invalid ids), 400 for a body that
//! does not decode, 415 for another content type or a compressed body.
//! Each request's spans are stored in one transaction off the async
//! runtime. A span names its project with `braintrust.parent`; otherwise the
//! request's `x-bt-parent` header does (as for Braintrust's own endpoint);
//! otherwise it goes to the configured default project.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use trellis_api::http::{wrong_method, ApiError, PathParam};
use trellis_api::ErrorKind;

use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;

use crate::otlp::{self, OtlpEncoding, OtlpError};
use crate::propagation::DEFAULT_PROJECT;
use crate::store::{StoreError, TraceStore};
use crate::tree::SpanTree;

/// The largest OTLP body accepted by default (a full 512-span batch with
/// sizeable inputs and outputs fits comfortably).
pub const DEFAULT_MAX_BODY_BYTES: usize = 32 * 1024 * 1024;

/// Settings of the collector routes.
#[derive(Debug, Clone)]
pub struct CollectorConfig {
    /// Project for spans that name none.
    pub default_project: String,
    /// Request bodies larger than this are refused with 413.
    pub max_body_bytes: usize,
}

impl Default for CollectorConfig {
    fn default() -> Self {
        CollectorConfig {
            default_project: DEFAULT_PROJECT.to_owned(),
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
        }
    }
}

/// The collector's state: the store and its settings. Cheap to clone.
#[derive(Debug, Clone)]
pub struct Collector {
    store: Arc<TraceStore>,
    config: Arc<CollectorConfig>,
}

impl Collector {
    /// Collector state over `store`.
    pub fn new(store: Arc<TraceStore>, config: CollectorConfig) -> Self {
        Collector {
            store,
            config: Arc::new(config),
        }
    }

    /// The store spans are written to.
    pub fn store(&self) -> &Arc<TraceStore> {
        &self.store
    }

    /// Stores the spans of an OTLP export request, as `POST /v1/traces`
    /// does: one transaction off the async runtime; a span that names no
    /// project goes to `header_project` (a request's `x-bt-parent`) or else
    /// the default project. A span with invalid ids is rejected on its own.
    /// The conversation server's exporter calls this in-process.
    pub async fn ingest(
        &self,
        request: &ExportTraceServiceRequest,
        header_project: Option<&str>,
    ) -> Result<IngestReport, IngestError> {
        let mut ingested = otlp::records_from_request(request);
        let project = header_project.unwrap_or(&self.config.default_project);
        for record in &mut ingested.records {
            if record.project.is_none() {
                record.project = Some(project.to_owned());
            }
        }
        let records = ingested.records;
        let stored = if records.is_empty() {
            0
        } else {
            let store = self.store.clone();
            let n = tokio::task::spawn_blocking(move || store.insert_spans(&records))
                .await
                .map_err(IngestError::Task)??;
            tracing::debug!(spans = n, "stored spans");
            n
        };
        Ok(IngestReport {
            stored,
            rejected: ingested.rejected,
        })
    }
}

/// What [`Collector::ingest`] did with a request.
#[derive(Debug)]
pub struct IngestReport {
    /// Spans written to the store.
    pub stored: usize,
    /// Why each span that was not written was rejected.
    pub rejected: Vec<OtlpError>,
}

/// Why [`Collector::ingest`] could not store a request's spans.
#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    /// The store refused the write (busy, disk full, ...).
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The blocking task writing the spans panicked or was cancelled.
    #[error("the span store task failed: {0}")]
    Task(#[source] tokio::task::JoinError),
}

/// `POST /v1/traces` and `GET /api/traces/{trace_id}`, to merge into the
/// server's router (which owns the fallback for unknown routes).
pub fn routes(collector: Collector) -> Router {
    let limit = collector.config.max_body_bytes;
    Router::new()
        .route(
            "/v1/traces",
            post(ingest)
                .layer(DefaultBodyLimit::max(limit))
                .fallback(wrong_method),
        )
        .route(
            "/api/traces/{trace_id}",
            get(trace_tree).fallback(wrong_method),
        )
        .with_state(collector)
}

async fn ingest(
    State(collector): State<Collector>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    if let Some(encoding) = headers
        .get(header::CONTENT_ENCODING)
        .map(|v| v.to_str().unwrap_or("?").trim().to_ascii_lowercase())
        .filter(|e| !e.is_empty() && e != "identity")
    {
        return Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ErrorKind::UnsupportedMediaType,
            format!(
                "Content-Encoding `{encoding}` is not supported; send the OTLP body uncompressed"
            ),
        ));
    }
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let Some(encoding) = OtlpEncoding::from_content_type(content_type) else {
        return Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ErrorKind::UnsupportedMediaType,
            format!(
                "OTLP traces must be `application/x-protobuf` or `application/json`, not `{}`",
                if content_type.is_empty() {
                    "(none)"
                } else {
                    content_type
                }
            ),
        ));
    };
    let body = body.map_err(|rejection| {
        if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::payload_too_large(format!(
                "OTLP body is larger than {} bytes",
                collector.config.max_body_bytes
            ))
        } else {
            ApiError::bad_request(rejection.body_text())
        }
    })?;
    let request =
        otlp::decode_request(&body, encoding).map_err(|e| ApiError::bad_request(e.to_string()))?;
    let header_project = headers
        .get("x-bt-parent")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().strip_prefix("project_name:"))
        .filter(|p| !p.is_empty())
        .map(str::to_owned);

    let report = collector
        .ingest(&request, header_project.as_deref())
        .await
        .map_err(|e| match e {
            IngestError::Store(e) => {
                tracing::error!("storing spans failed: {e}");
                ApiError::unavailable("the trace store could not save the spans; retry later")
            }
            IngestError::Task(e) => {
                tracing::error!("span store task failed: {e}");
                ApiError::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    ErrorKind::Internal,
                    "storing spans failed",
                )
            }
        })?;
    let rejected = report.rejected.len();
    let error_message = report.rejected.first().map(|e| {
        tracing::warn!(rejected, "rejected spans in OTLP request: {e}");
        if rejected > 1 {
            format!("{e} (and {} more)", rejected - 1)
        } else {
            e.to_string()
        }
    });
    let body = otlp::encode_response(rejected, error_message, encoding);
    Ok((
        StatusCode::OK,
        [(header::CONTENT_TYPE, encoding.content_type())],
        body,
    )
        .into_response())
}

async fn trace_tree(
    State(collector): State<Collector>,
    PathParam(trace_id): PathParam<String>,
) -> Result<Json<SpanTree>, ApiError> {
    let id = trace_id.to_ascii_lowercase();
    if !crate::span::is_lower_hex(&id, 32) {
        return Err(ApiError::bad_request(format!(
            "trace id `{}` is not 32 hex digits",
            trace_id.chars().take(64).collect::<String>()
        )));
    }
    let store = collector.store.clone();
    let lookup = id.clone();
    let tree = tokio::task::spawn_blocking(move || store.trace_tree(&lookup))
        .await
        .map_err(|e| {
            tracing::error!("trace lookup task failed: {e}");
            ApiError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                ErrorKind::Internal,
                "reading the trace failed",
            )
        })?
        .map_err(|e| {
            tracing::error!(trace_id = %id, "reading trace failed: {e}");
            ApiError::unavailable("the trace store could not be read; retry later")
        })?;
    tree.map(Json)
        .ok_or_else(|| ApiError::not_found(format!("trace `{id}` not found")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::span::{Span, SpanType};
    use axum::body::Body;
    use axum::http::Request;
    use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceResponse;
    use prost::Message;
    use serde_json::{json, Value};
    use tower::ServiceExt;

    fn collector() -> (tempfile::TempDir, Collector) {
        let dir = tempfile::tempdir().unwrap();
        let store = Arc::new(TraceStore::open(dir.path().join("t.db")).unwrap());
        let config = CollectorConfig {
            default_project: "fallback".into(),
            max_body_bytes: 64 * 1024,
        };
        (dir, Collector::new(store, config))
    }

    fn trace() -> Vec<crate::span::SpanRecord> {
        let root = Span::root("client_conversation", SpanType::Task);
        let mut tool = root
            .child("calculate_bmi", SpanType::Tool)
            .with_project("clinic");
        tool.log_output(json!({"bmi": 30.9}));
        vec![tool.end(), root.end()]
    }

    async fn send(c: &Collector, req: Request<Body>) -> (StatusCode, HeaderMap, Vec<u8>) {
        let resp = routes(c.clone()).oneshot(req).await.unwrap();
        let status = resp.status();
        let headers = resp.headers().clone();
        let body = axum::body::to_bytes(resp.into_body(), usize::MAX)
            .await
            .unwrap()
            .to_vec();
        (status, headers, body)
    }

    fn post_traces(content_type: &str, body: Vec<u8>) -> Request<Body> {
        Request::post("/v1/traces")
            .header("content-type", content_type)
            .body(Body::from(body))
            .unwrap()
    }

    fn error_of(body: &[u8]) -> (String, String) {
        let v: Value = serde_json::from_slice(body).unwrap();
        (
            v["error"]["kind"].as_str().unwrap().to_owned(),
            v["error"]["message"].as_str().unwrap().to_owned(),
        )
    }

    #[tokio::test]
    async fn protobuf_ingest_stores_spans_and_answers_in_protobuf() {
        let (_dir, c) = collector();
        let spans = trace();
        let (request, _) = otlp::export_request(&spans, Some("trellis-client"));
        let body = otlp::encode_request(&request, OtlpEncoding::Protobuf);
        let (status, headers, body) = send(&c, post_traces("application/x-protobuf", body)).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(headers["content-type"], "application/x-protobuf");
        let reply = ExportTraceServiceResponse::decode(body.as_slice()).unwrap();
        assert_eq!(reply.partial_success, None);
        assert_eq!(c.store().count().unwrap(), 2);
        let stored = c.store().trace(&spans[0].root_span_id).unwrap();
        let tool = stored.iter().find(|s| s.name() == "calculate_bmi").unwrap();
        assert_eq!(tool.project.as_deref(), Some("clinic"));
        let root = stored
            .iter()
            .find(|s| s.name() == "client_conversation")
            .unwrap();
        assert_eq!(root.project.as_deref(), Some("fallback"));
    }

    #[tokio::test]
    async fn json_ingest_answers_in_json_and_honours_x_bt_parent() {
        let (_dir, c) = collector();
        let spans = trace();
        let (request, _) = otlp::export_request(&spans[1..], None);
        let body = otlp::encode_request(&request, OtlpEncoding::Json);
        let req = Request::post("/v1/traces")
            .header("content-type", "application/json; charset=utf-8")
            .header("x-bt-parent", "project_name:from-header")
            .body(Body::from(body))
            .unwrap();
        let (status, headers, body) = send(&c, req).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(headers["content-type"], "application/json");
        assert_eq!(serde_json::from_slice::<Value>(&body).unwrap(), json!({}));
        let stored = c.store().trace(&spans[1].root_span_id).unwrap();
        assert_eq!(stored[0].project.as_deref(), Some("from-header"));
    }

    #[tokio::test]
    async fn partial_success_reports_rejected_spans() {
        let (_dir, c) = collector();
        let spans = trace();
        let (mut request, _) = otlp::export_request(&spans, None);
        request.resource_spans[0].scope_spans[0].spans[0].span_id = vec![0; 8];
        let body = otlp::encode_request(&request, OtlpEncoding::Protobuf);
        let (status, _, body) = send(&c, post_traces("application/x-protobuf", body)).await;
        assert_eq!(status, StatusCode::OK);
        let partial = ExportTraceServiceResponse::decode(body.as_slice())
            .unwrap()
            .partial_success
            .unwrap();
        assert_eq!(partial.rejected_spans, 1);
        assert!(partial.error_message.contains("span id"));
        assert_eq!(c.store().count().unwrap(), 1);
    }

    #[tokio::test]
    async fn wrong_content_type_is_415() {
        let (_dir, c) = collector();
        let (status, _, body) = send(&c, post_traces("text/plain", b"hi".to_vec())).await;
        assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
        let (kind, message) = error_of(&body);
        assert_eq!(kind, "unsupported_media_type");
        assert!(message.contains("text/plain"), "{message}");

        let req = Request::post("/v1/traces")
            .header("content-type", "application/x-protobuf")
            .header("content-encoding", "gzip")
            .body(Body::from(vec![1, 2, 3]))
            .unwrap();
        let (status, _, body) = send(&c, req).await;
        assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
        assert!(error_of(&body).1.contains("gzip"));
    }

    #[tokio::test]
    async fn undecodable_body_is_400_with_reason() {
        let (_dir, c) = collector();
        let (status, _, body) = send(
            &c,
            post_traces("application/json", b"{\"resourceSpans\": 3}".to_vec()),
        )
        .await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        let (kind, message) = error_of(&body);
        assert_eq!(kind, "bad_request");
        assert!(message.contains("invalid OTLP/JSON body"), "{message}");

        let (status, _, body) =
            send(&c, post_traces("application/x-protobuf", vec![0xff; 9])).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert!(error_of(&body).1.contains("protobuf"));
    }

    #[tokio::test]
    async fn oversized_body_is_413() {
        let (_dir, c) = collector();
        let (status, _, body) = send(
            &c,
            post_traces("application/x-protobuf", vec![0; 65 * 1024]),
        )
        .await;
        assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
        assert_eq!(error_of(&body).0, "payload_too_large");
    }

    #[tokio::test]
    async fn get_trace_returns_the_tree() {
        let (_dir, c) = collector();
        let spans = trace();
        c.store().insert_spans(&spans).unwrap();
        let id = spans[0].root_span_id.clone();
        let req = Request::get(format!("/api/traces/{}", id.to_uppercase()))
            .body(Body::empty())
            .unwrap();
        let (status, _, body) = send(&c, req).await;
        assert_eq!(status, StatusCode::OK);
        let tree: SpanTree = serde_json::from_slice(&body).unwrap();
        assert_eq!(tree.trace_id, id);
        assert_eq!(tree.roots[0].span.name(), "client_conversation");
        assert_eq!(tree.roots[0].children[0].span.name(), "calculate_bmi");
    }

    #[tokio::test]
    async fn unknown_trace_is_404_naming_it_and_bad_id_is_400() {
        let (_dir, c) = collector();
        let missing = "0123456789abcdef0123456789abcdef";
        let req = Request::get(format!("/api/traces/{missing}"))
            .body(Body::empty())
            .unwrap();
        let (status, _, body) = send(&c, req).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert!(error_of(&body).1.contains(missing));

        let req = Request::get("/api/traces/not-a-trace")
            .body(Body::empty())
            .unwrap();
        let (status, _, body) = send(&c, req).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert!(error_of(&body).1.contains("not-a-trace"));
    }

    #[tokio::test]
    async fn wrong_method_is_405() {
        let (_dir, c) = collector();
        let req = Request::get("/v1/traces").body(Body::empty()).unwrap();
        let (status, _, body) = send(&c, req).await;
        assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
        assert_eq!(error_of(&body).0, "method_not_allowed");
    }
}
