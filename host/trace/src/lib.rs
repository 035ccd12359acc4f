//! Tracing for Trellis: the span model shared by the client, server and
//! worker, how span context crosses process boundaries, and how spans get to
//! the embedded store and to any OTLP backend (Braintrust included).
//!
//! - [`span`]: [`SpanRecord`] (the Braintrust log-record shape with OTel hex
//!   ids), [`SpanContext`], and the [`Span`] builder.
//! - [`propagation`]: the only code that touches trace headers —
//!   `traceparent`, `tracestate`, `baggage` and `x-bt-parent-span`.
//! - [`slug`]: Braintrust's span-export slug (`SpanComponentsV3/V4`).
//! - [`otlp`]: mapping records to and from OTLP spans, protobuf and JSON.
//! - [`exporter`]: the non-blocking, batching, retrying OTLP/HTTP exporter.
//! - [`store`]: the SQLite trace store.
//! - [`synthetic`]: generated conversations for scale tests and benchmarks.
//! - [`tree`]: nesting a trace's spans and drawing them as text.
//! - [`collector`]: the axum routes `POST /v1/traces` and
//!   `GET /api/traces/{trace_id}`.
//! - [`btql`]: the BTQL query language over the store and `POST /btql`.
//! - [`objects`]: the routes of datasets and experiments
//!   (`/api/datasets…`, `/api/experiments…`).

pub mod btql;
pub mod collector;
pub mod exporter;
pub mod objects;
pub mod otlp;
pub mod propagation;
pub mod slug;
pub mod span;
pub mod store;
pub mod synthetic;
pub mod tree;

pub use collector::{routes, Collector, CollectorConfig};
pub use exporter::{Exporter, ExporterConfig, ExporterError, ExporterStats};
pub use objects::ObjectsConfig;
pub use propagation::{extract_trace_context, inject_trace_context, Extracted, ParentSource};
pub use span::{Span, SpanContext, SpanRecord, SpanType};
pub use store::{ObjectType, StoreError, TraceStore};
pub use tree::{SpanNode, SpanTree};
