//! The HTTP routes of datasets and experiments in the trace store, mounted
//! by the conversation server beside the collector:
//!
//! - `GET /api/datasets`, `GET|DELETE /api/datasets/{name}`,
//!   `POST /api/datasets/{name}/rows`;
//! - `GET|POST /api/experiments`, `GET /api/experiments/{name}`,
//!   `POST /api/experiments/{name}/spans`.
//!
//! The wire types are `trellis_api::objects`; errors are `{"error":
//! {"kind", "message"}}`: 400 for a bad name, row or span (naming it), 404
//! for a dataset or experiment that does not exist, 409 for an experiment
//! name that is taken (or a span another experiment holds), 413 for a body
//! over the limit. Store work runs off the async runtime.

use std::sync::Arc;

use axum::extract::{DefaultBodyLimit, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::Value;
use trellis_api::http::{wrong_method, ApiError, JsonBody, PathParam};
use trellis_api::objects::{
    name_problem, DatasetDetail, DatasetList, DeletedDataset, ExperimentList, ExperimentSummary,
    InsertRowsRequest, InsertRowsResponse, InsertSpansRequest, InsertSpansResponse, NewExperiment,
};
use trellis_api::ErrorKind;

use crate::collector::DEFAULT_MAX_BODY_BYTES;
use crate::span::SpanRecord;
use crate::store::{StoreError, TraceStore};

/// Settings of the dataset and experiment routes.
#[derive(Debug, Clone)]
pub struct ObjectsConfig {
    /// Request bodies larger than this are refused with 413; the same
    /// default as the collector's OTLP bodies, since an experiment's spans
    /// are the same records.
    pub max_body_bytes: usize,
}

impl Default for ObjectsConfig {
    fn default() -> Self {
        ObjectsConfig {
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
        }
    }
}

#[derive(Debug, Clone)]
struct ObjectsState {
    store: Arc<TraceStore>,
}

/// The dataset and experiment routes over `store`, to merge into the
/// server's router (which owns the fallback for unknown routes and the
/// bearer-token guard).
pub fn routes(store: Arc<TraceStore>, config: ObjectsConfig) -> Router {
    let limit = DefaultBodyLimit::max(config.max_body_bytes);
    Router::new()
        .route("/api/datasets", get(list_datasets).fallback(wrong_method))
        .route(
            "/api/datasets/{name}",
            get(show_dataset)
                .delete(delete_dataset)
                .fallback(wrong_method),
        )
        .route(
            "/api/datasets/{name}/rows",
            post(insert_rows).layer(limit).fallback(wrong_method),
        )
        .route(
            "/api/experiments",
            get(list_experiments)
                .post(create_experiment)
                .layer(limit)
                .fallback(wrong_method),
        )
        .route(
            "/api/experiments/{name}",
            get(show_experiment).fallback(wrong_method),
        )
        .route(
            "/api/experiments/{name}/spans",
            post(insert_spans).layer(limit).fallback(wrong_method),
        )
        .with_state(ObjectsState { store })
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Invalid(message) => ApiError::bad_request(message),
            StoreError::DatasetNotFound { .. } | StoreError::ExperimentNotFound { .. } => {
                ApiError::not_found(e.to_string())
            }
            StoreError::ExperimentExists(_) | StoreError::SpanOfAnotherExperiment { .. } => {
                ApiError::conflict(e.to_string())
            }
            other => {
                tracing::error!("dataset/experiment store operation failed: {other}");
                ApiError::unavailable("the trace store could not be read or written; retry later")
            }
        }
    }
}

/// Runs `work` on the store off the async runtime.
async fn blocking<T, F>(state: ObjectsState, work: F) -> Result<T, ApiError>
where
    T: Send + 'static,
    F: FnOnce(&TraceStore) -> Result<T, StoreError> + Send + 'static,
{
    let outcome = tokio::task::spawn_blocking(move || work(&state.store))
        .await
        .map_err(|e| {
            tracing::error!("dataset/experiment store task failed: {e}");
            ApiError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                ErrorKind::Internal,
                "the request failed inside the server",
            )
        })?;
    Ok(outcome?)
}

/// A name from the path, checked.
fn checked_name(what: &str, name: String) -> Result<String, ApiError> {
    match name_problem(what, &name) {
        Some(problem) => Err(ApiError::bad_request(problem)),
        None => Ok(name),
    }
}

async fn list_datasets(State(state): State<ObjectsState>) -> Result<Json<DatasetList>, ApiError> {
    let datasets = blocking(state, |store| store.datasets()).await?;
    Ok(Json(DatasetList { datasets }))
}

async fn show_dataset(
    State(state): State<ObjectsState>,
    PathParam(name): PathParam<String>,
) -> Result<Json<DatasetDetail>, ApiError> {
    let name = checked_name("dataset", name)?;
    let detail = blocking(state, move |store| store.dataset(&name)).await?;
    Ok(Json(detail))
}

async fn delete_dataset(
    State(state): State<ObjectsState>,
    PathParam(name): PathParam<String>,
) -> Result<Json<DeletedDataset>, ApiError> {
    let name = checked_name("dataset", name)?;
    let dataset = name.clone();
    let deleted = blocking(state, move |store| store.delete_dataset(&name)).await?;
    Ok(Json(DeletedDataset { dataset, deleted }))
}

async fn insert_rows(
    State(state): State<ObjectsState>,
    PathParam(name): PathParam<String>,
    JsonBody(request): JsonBody<InsertRowsRequest>,
) -> Result<Json<InsertRowsResponse>, ApiError> {
    let name = checked_name("dataset", name)?;
    let response = blocking(state, move |store| {
        store.insert_dataset_rows(&name, &request.rows, request.description.as_deref())
    })
    .await?;
    Ok(Json(response))
}

async fn list_experiments(
    State(state): State<ObjectsState>,
) -> Result<Json<ExperimentList>, ApiError> {
    let experiments = blocking(state, |store| store.experiments()).await?;
    Ok(Json(ExperimentList { experiments }))
}

async fn create_experiment(
    State(state): State<ObjectsState>,
    JsonBody(experiment): JsonBody<NewExperiment>,
) -> Result<(StatusCode, Json<ExperimentSummary>), ApiError> {
    let created = blocking(state, move |store| store.create_experiment(&experiment)).await?;
    Ok((StatusCode::CREATED, Json(created)))
}

async fn show_experiment(
    State(state): State<ObjectsState>,
    PathParam(name): PathParam<String>,
) -> Result<Json<ExperimentSummary>, ApiError> {
    let name = checked_name("experiment", name)?;
    let summary = blocking(state, move |store| store.experiment(&name)).await?;
    Ok(Json(summary))
}

async fn insert_spans(
    State(state): State<ObjectsState>,
    PathParam(name): PathParam<String>,
    JsonBody(request): JsonBody<InsertSpansRequest>,
) -> Result<Json<InsertSpansResponse>, ApiError> {
    let name = checked_name("experiment", name)?;
    let spans = request
        .spans
        .into_iter()
        .enumerate()
        .map(|(index, value)| span_record(index, value))
        .collect::<Result<Vec<_>, _>>()?;
    let experiment = name.clone();
    let inserted = blocking(state, move |store| {
        store.insert_experiment_spans(&name, &spans)
    })
    .await?;
    Ok(Json(InsertSpansResponse {
        experiment,
        inserted: inserted as u64,
    }))
}

/// Span `index` of a request as a record, with OTel hex ids.
fn span_record(index: usize, value: Value) -> Result<SpanRecord, ApiError> {
    let record: SpanRecord = serde_json::from_value(value)
        .map_err(|e| ApiError::bad_request(format!("span {index}: {e}")))?;
    let hex = |field: &str, id: &str, len: usize| {
        let ok = id.len() == len
            && id
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
            && id.bytes().any(|b| b != b'0');
        if ok {
            Ok(())
        } else {
            Err(ApiError::bad_request(format!(
                "span {index}: `{field}` must be {len} lowercase hex digits, not all zero \
                 (got {id:?})"
            )))
        }
    };
    hex("root_span_id", &record.root_span_id, 32)?;
    hex("span_id", &record.span_id, 16)?;
    for parent in &record.span_parents {
        hex("span_parents[]", parent, 16)?;
    }
    if record.span_attributes.name.is_empty() {
        return Err(ApiError::bad_request(format!(
            "span {index}: `span_attributes.name` is empty"
        )));
    }
    Ok(record)
}

#[cfg(test)]
mod tests {
    use axum::body::Body;
    use axum::http::{header, Method, Request};
    use serde_json::json;
    use tower::ServiceExt;

    use super::*;
    use crate::span::{Span, SpanType};

    struct Fixture {
        _dir: tempfile::TempDir,
        store: Arc<TraceStore>,
        app: Router,
    }

    fn fixture() -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        let store = Arc::new(TraceStore::open(dir.path().join("traces.db")).unwrap());
        let app = routes(
            store.clone(),
            ObjectsConfig {
                max_body_bytes: 64 * 1024,
            },
        );
        Fixture {
            _dir: dir,
            store,
            app,
        }
    }

    /// Sends a request; returns (status, JSON body).
    async fn call(f: &Fixture, method: Method, path: &str, body: Option<Value>) -> (u16, Value) {
        let mut request = Request::builder().method(method).uri(path);
        let body = match body {
            Some(value) => {
                request = request.header(header::CONTENT_TYPE, "application/json");
                Body::from(value.to_string())
            }
            None => Body::empty(),
        };
        let response = f
            .app
            .clone()
            .oneshot(request.body(body).unwrap())
            .await
            .unwrap();
        let status = response.status().as_u16();
        let bytes = axum::body::to_bytes(response.into_body(), 1 << 20)
            .await
            .unwrap();
        let value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        (status, value)
    }

    fn rows() -> Value {
        json!({
            "description": "cases",
            "rows": [
                {"id": "c1", "input": {"patient_query": "thirst"}, "expected": "diabetes"},
                {"id": "c2", "input": {"patient_query": "cough"}, "metadata": {"k": 1}},
                {"input": {"patient_query": "no id"}, "tags": ["new"]},
            ]
        })
    }

    #[tokio::test]
    async fn rows_insert_dedup_show_and_delete() {
        let f = fixture();
        let path = "/api/datasets/Diabetes%20Cases/rows";
        let (status, body) = call(&f, Method::POST, path, Some(rows())).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(
            body,
            json!({"dataset": "Diabetes Cases", "inserted": 3, "duplicates": 0, "rows": 3})
        );
        let (status, body) = call(&f, Method::POST, path, Some(rows())).await;
        assert_eq!(status, 200, "{body}");
        // The row without an id gets a new one each time.
        assert_eq!(
            body,
            json!({"dataset": "Diabetes Cases", "inserted": 1, "duplicates": 2, "rows": 4})
        );

        let (status, list) = call(&f, Method::GET, "/api/datasets", None).await;
        assert_eq!(status, 200);
        assert_eq!(list["datasets"][0]["name"], "Diabetes Cases");
        assert_eq!(list["datasets"][0]["rows"], 4);
        assert_eq!(list["datasets"][0]["description"], "cases");

        let (status, detail) = call(&f, Method::GET, "/api/datasets/Diabetes%20Cases", None).await;
        assert_eq!(status, 200, "{detail}");
        let rows = detail["rows"].as_array().unwrap();
        assert_eq!(rows.len(), 4);
        assert_eq!(rows[0]["id"], "c1");
        assert_eq!(rows[0]["expected"], "diabetes");
        assert_eq!(rows[1]["metadata"], json!({"k": 1}));
        assert_eq!(rows[1]["expected"], Value::Null);
        let generated = rows[2]["id"].as_str().unwrap();
        assert_eq!(generated.len(), 32);
        assert!(generated.bytes().all(|b| b.is_ascii_hexdigit()));
        assert_eq!(rows[2]["tags"], json!(["new"]));

        let (status, body) = call(&f, Method::DELETE, "/api/datasets/Diabetes%20Cases", None).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body, json!({"dataset": "Diabetes Cases", "deleted": 4}));
        let (status, body) = call(&f, Method::DELETE, "/api/datasets/Diabetes%20Cases", None).await;
        assert_eq!(status, 404, "{body}");
        assert_eq!(body["error"]["kind"], "not_found");
    }

    #[tokio::test]
    async fn a_missing_dataset_is_named_with_the_existing_ones() {
        let f = fixture();
        call(
            &f,
            Method::POST,
            "/api/datasets/known/rows",
            Some(json!({"rows": []})),
        )
        .await;
        let (status, body) = call(&f, Method::GET, "/api/datasets/nope", None).await;
        assert_eq!(status, 404);
        assert_eq!(body["error"]["kind"], "not_found");
        let message = body["error"]["message"].as_str().unwrap();
        assert!(message.contains("dataset `nope` not found"), "{message}");
        assert!(message.contains("`known`"), "{message}");
    }

    #[tokio::test]
    async fn bad_rows_and_names_are_refused_by_index() {
        let f = fixture();
        let cases = [
            (
                "/api/datasets/d/rows",
                json!({"rows": [{"input": 1}, {"input": 2, "metadata": [1]}]}),
                "row 1: `metadata` must be a JSON object, not an array",
            ),
            (
                "/api/datasets/d/rows",
                json!({"rows": [{"id": "", "input": 1}]}),
                "row 0: `id` is empty",
            ),
            (
                "/api/datasets/d/rows",
                json!({"rows": [{"id": "x".repeat(129), "input": 1}]}),
                "row 0: `id` is 129 characters long",
            ),
            (
                "/api/datasets/%20%20/rows",
                json!({"rows": []}),
                "the dataset name is only whitespace",
            ),
            (
                "/api/datasets/a%0Ab/rows",
                json!({"rows": []}),
                "control character",
            ),
            (
                "/api/datasets/d/rows",
                json!({"rows": [{"id": "a"}]}),
                "missing field `input`",
            ),
        ];
        for (path, body, expected) in cases {
            let (status, reply) = call(&f, Method::POST, path, Some(body)).await;
            assert_eq!(status, 400, "{path}: {reply}");
            assert_eq!(reply["error"]["kind"], "bad_request");
            let message = reply["error"]["message"].as_str().unwrap();
            assert!(message.contains(expected), "{message}");
        }
        // Nothing was written by the refused requests.
        assert!(f.store.datasets().unwrap().is_empty());
        let long = format!("/api/datasets/{}", "n".repeat(129));
        let (status, _) = call(&f, Method::GET, &long, None).await;
        assert_eq!(status, 400);
    }

    #[tokio::test]
    async fn a_body_over_the_limit_is_413() {
        let f = fixture();
        let big = json!({"rows": [{"input": "x".repeat(70 * 1024)}]});
        let (status, body) = call(&f, Method::POST, "/api/datasets/d/rows", Some(big)).await;
        assert_eq!(status, 413, "{body}");
        assert_eq!(body["error"]["kind"], "payload_too_large");
    }

    fn experiment_spans() -> Vec<Value> {
        let root = Span::root("eval_case", SpanType::Eval);
        let mut task = root.child("task", SpanType::Task);
        task.log_output(json!({"answer": "diabetes"}));
        let task = task.end();
        let mut root = root;
        root.log_score("accuracy", 1.0);
        let root = root.end();
        vec![
            serde_json::to_value(root).unwrap(),
            serde_json::to_value(task).unwrap(),
        ]
    }

    #[tokio::test]
    async fn experiments_create_conflict_show_and_take_spans() {
        let f = fixture();
        call(
            &f,
            Method::POST,
            "/api/datasets/cases/rows",
            Some(json!({"rows": []})),
        )
        .await;
        let new = json!({"name": "e1", "dataset": "cases", "metadata": {"model": "offline"}});
        let (status, created) = call(&f, Method::POST, "/api/experiments", Some(new.clone())).await;
        assert_eq!(status, 201, "{created}");
        assert_eq!(created["name"], "e1");
        assert_eq!(created["dataset"], "cases");
        assert_eq!(created["spans"], 0);

        let (status, again) = call(&f, Method::POST, "/api/experiments", Some(new)).await;
        assert_eq!(status, 409, "{again}");
        assert_eq!(again["error"]["kind"], "conflict");
        assert!(again["error"]["message"]
            .as_str()
            .unwrap()
            .contains("choose another name"));

        let (status, body) = call(
            &f,
            Method::POST,
            "/api/experiments",
            Some(json!({"name": "e2", "dataset": "missing"})),
        )
        .await;
        assert_eq!(status, 400, "{body}");
        assert!(body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("dataset `missing` not found"));

        let spans = experiment_spans();
        let (status, body) = call(
            &f,
            Method::POST,
            "/api/experiments/e1/spans",
            Some(json!({ "spans": spans })),
        )
        .await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body, json!({"experiment": "e1", "inserted": 2}));
        // Idempotent: the same spans again are replaced, not added.
        call(
            &f,
            Method::POST,
            "/api/experiments/e1/spans",
            Some(json!({ "spans": spans })),
        )
        .await;
        let (status, shown) = call(&f, Method::GET, "/api/experiments/e1", None).await;
        assert_eq!(status, 200);
        assert_eq!(shown["spans"], 2);
        assert_eq!(shown["metadata"], json!({"model": "offline"}));

        let (_, list) = call(&f, Method::GET, "/api/experiments", None).await;
        assert_eq!(list["experiments"].as_array().unwrap().len(), 1);

        let (status, body) = call(
            &f,
            Method::POST,
            "/api/experiments/nope/spans",
            Some(json!({ "spans": spans })),
        )
        .await;
        assert_eq!(status, 404, "{body}");
        assert!(body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("experiment `nope` not found"));
        let (status, _) = call(&f, Method::GET, "/api/experiments/nope", None).await;
        assert_eq!(status, 404);
    }

    #[tokio::test]
    async fn malformed_spans_are_refused_by_index() {
        let f = fixture();
        call(
            &f,
            Method::POST,
            "/api/experiments",
            Some(json!({"name": "e1"})),
        )
        .await;
        let good = experiment_spans().remove(0);
        let mut bad_id = good.clone();
        bad_id["span_id"] = json!("XYZ");
        for (spans, expected) in [
            (json!([good.clone(), {"id": "x"}]), "span 1: missing field"),
            (
                json!([bad_id]),
                "span 0: `span_id` must be 16 lowercase hex",
            ),
        ] {
            let (status, body) = call(
                &f,
                Method::POST,
                "/api/experiments/e1/spans",
                Some(json!({ "spans": spans })),
            )
            .await;
            assert_eq!(status, 400, "{body}");
            let message = body["error"]["message"].as_str().unwrap();
            assert!(message.contains(expected), "{message}");
        }
        assert_eq!(f.store.experiment("e1").unwrap().spans, 0);
    }

    #[tokio::test]
    async fn wrong_methods_are_405() {
        let f = fixture();
        let (status, body) = call(&f, Method::PUT, "/api/datasets", None).await;
        assert_eq!(status, 405, "{body}");
        assert_eq!(body["error"]["kind"], "method_not_allowed");
        let (status, _) = call(&f, Method::GET, "/api/experiments/e/spans", None).await;
        assert_eq!(status, 405);
    }
}
