//! Datasets and experiments in the trace store (`/api/datasets…`,
//! `/api/experiments…`): the server routes in `trellis_trace::objects` and
//! the clients behind `trellis dataset` / `trellis eval` both use these
//! types. Times are RFC 3339 UTC text.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// The longest dataset or experiment name, in characters.
pub const MAX_NAME_CHARS: usize = 128;
/// The longest dataset row id, in characters.
pub const MAX_ROW_ID_CHARS: usize = 128;

/// An empty JSON object, the default `metadata`.
fn empty_object() -> Value {
    Value::Object(Map::new())
}

/// One dataset row as stored and returned.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DatasetRow {
    /// The row's id, unique within its dataset.
    pub id: String,
    /// What the task under evaluation receives.
    pub input: Value,
    /// The reference answer; `null` when there is none.
    pub expected: Value,
    /// Free-form annotations (a JSON object).
    pub metadata: Value,
    /// Labels for filtering.
    pub tags: Vec<String>,
    /// When the row was inserted (RFC 3339 UTC).
    pub created: String,
}

/// A row to insert. Without an `id` the server generates one (32 random
/// hex characters); with one, a row whose id is already in the dataset is
/// counted as a duplicate and left unchanged.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewDatasetRow {
    /// The row's id (1–128 characters), or `None` for a generated one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// What the task under evaluation receives.
    pub input: Value,
    /// The reference answer; `null` when absent.
    #[serde(default)]
    pub expected: Value,
    /// Annotations; must be a JSON object (`{}` when absent).
    #[serde(default = "empty_object")]
    pub metadata: Value,
    /// Labels for filtering.
    #[serde(default)]
    pub tags: Vec<String>,
}

/// The body of `POST /api/datasets/{name}/rows`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InsertRowsRequest {
    /// The rows, inserted in order.
    pub rows: Vec<NewDatasetRow>,
    /// Sets (or replaces) the dataset's description when present.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// The answer of `POST /api/datasets/{name}/rows`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InsertRowsResponse {
    /// The dataset written to.
    pub dataset: String,
    /// Rows added by this request.
    pub inserted: u64,
    /// Rows of the request whose id was already in the dataset (or earlier
    /// in the same request), left unchanged.
    pub duplicates: u64,
    /// How many rows the dataset holds now.
    pub rows: u64,
}

/// A dataset without its rows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DatasetSummary {
    /// The dataset's name.
    pub name: String,
    /// What the dataset is for, if anyone said.
    pub description: Option<String>,
    /// How many rows it holds.
    pub rows: u64,
    /// When it was created (RFC 3339 UTC).
    pub created: String,
    /// When rows or the description last changed (RFC 3339 UTC).
    pub updated: String,
}

/// The answer of `GET /api/datasets`: every dataset, in name order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DatasetList {
    /// The datasets.
    pub datasets: Vec<DatasetSummary>,
}

/// The answer of `GET /api/datasets/{name}`: the dataset and every row,
/// oldest first.
///
/// On the wire the summary's fields sit at the top level beside `rows`,
/// the array of rows (`{"name", "description", "created", "updated",
/// "rows": [...]}`); the summary's row count is the array's length, so it
/// is not sent twice under the same key.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(into = "DatasetDetailWire", from = "DatasetDetailWire")]
pub struct DatasetDetail {
    /// Name, description, counts and times.
    pub summary: DatasetSummary,
    /// The rows, oldest first.
    pub rows: Vec<DatasetRow>,
}

/// [`DatasetDetail`] as it travels.
#[derive(Serialize, Deserialize)]
struct DatasetDetailWire {
    name: String,
    description: Option<String>,
    created: String,
    updated: String,
    rows: Vec<DatasetRow>,
}

impl From<DatasetDetail> for DatasetDetailWire {
    fn from(detail: DatasetDetail) -> Self {
        DatasetDetailWire {
            name: detail.summary.name,
            description: detail.summary.description,
            created: detail.summary.created,
            updated: detail.summary.updated,
            rows: detail.rows,
        }
    }
}

impl From<DatasetDetailWire> for DatasetDetail {
    fn from(wire: DatasetDetailWire) -> Self {
        DatasetDetail {
            summary: DatasetSummary {
                name: wire.name,
                description: wire.description,
                rows: wire.rows.len() as u64,
                created: wire.created,
                updated: wire.updated,
            },
            rows: wire.rows,
        }
    }
}

/// The body of `POST /api/experiments`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewExperiment {
    /// The experiment's name (1–128 characters), unique.
    pub name: String,
    /// The dataset it evaluates, which must exist.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dataset: Option<String>,
    /// Free-form settings of the run (a JSON object; `{}` when absent).
    #[serde(default = "empty_object")]
    pub metadata: Value,
}

/// An experiment as `GET /api/experiments/{name}` returns it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExperimentSummary {
    /// The experiment's name.
    pub name: String,
    /// The dataset it evaluates, if any.
    pub dataset: Option<String>,
    /// Settings of the run.
    pub metadata: Value,
    /// When it was created (RFC 3339 UTC).
    pub created: String,
    /// How many spans it holds.
    pub spans: u64,
}

/// The answer of `GET /api/experiments`: newest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExperimentList {
    /// The experiments.
    pub experiments: Vec<ExperimentSummary>,
}

/// The body of `POST /api/experiments/{name}/spans`: spans in the store's
/// record shape (`trellis_trace::SpanRecord` serialised as JSON).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InsertSpansRequest {
    /// The spans.
    pub spans: Vec<Value>,
}

/// The answer of `POST /api/experiments/{name}/spans`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InsertSpansResponse {
    /// The experiment written to.
    pub experiment: String,
    /// How many spans were stored (a span sent again replaces itself).
    pub inserted: u64,
}

/// The answer of `DELETE /api/datasets/{name}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeletedDataset {
    /// The dataset deleted.
    pub dataset: String,
    /// How many rows it held.
    pub deleted: u64,
}

/// Why a dataset or experiment name is not acceptable, or `None` when it
/// is: 1–[`MAX_NAME_CHARS`] characters, no control characters, not only
/// whitespace. `what` is `dataset` or `experiment`, for the message.
pub fn name_problem(what: &str, name: &str) -> Option<String> {
    let chars = name.chars().count();
    if chars == 0 {
        Some(format!("the {what} name is empty"))
    } else if chars > MAX_NAME_CHARS {
        Some(format!(
            "the {what} name is {chars} characters long; the limit is {MAX_NAME_CHARS}"
        ))
    } else if name.chars().any(char::is_control) {
        Some(format!(
            "the {what} name {name:?} contains a control character"
        ))
    } else if name.trim().is_empty() {
        Some(format!("the {what} name is only whitespace"))
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn new_rows_take_defaults() {
        let row: NewDatasetRow = serde_json::from_value(json!({"input": {"q": 1}})).unwrap();
        assert_eq!(row.id, None);
        assert_eq!(row.expected, Value::Null);
        assert_eq!(row.metadata, json!({}));
        assert!(row.tags.is_empty());
        let experiment: NewExperiment = serde_json::from_value(json!({"name": "e1"})).unwrap();
        assert_eq!(experiment.metadata, json!({}));
        assert_eq!(experiment.dataset, None);
    }

    #[test]
    fn dataset_detail_sends_rows_once() {
        let row = DatasetRow {
            id: "r1".into(),
            input: json!({"q": "x"}),
            expected: Value::Null,
            metadata: json!({}),
            tags: vec![],
            created: "2026-01-01T00:00:00.000000Z".into(),
        };
        let detail = DatasetDetail {
            summary: DatasetSummary {
                name: "Diabetes Cases".into(),
                description: Some("d".into()),
                rows: 1,
                created: "2026-01-01T00:00:00.000000Z".into(),
                updated: "2026-01-01T00:00:00.000000Z".into(),
            },
            rows: vec![row],
        };
        let wire = serde_json::to_value(&detail).unwrap();
        assert_eq!(wire["name"], "Diabetes Cases");
        assert_eq!(wire["rows"][0]["id"], "r1");
        let back: DatasetDetail = serde_json::from_value(wire).unwrap();
        assert_eq!(back, detail);
    }

    #[test]
    fn names_are_checked() {
        assert_eq!(name_problem("dataset", "Diabetes Cases"), None);
        assert_eq!(name_problem("dataset", &"x".repeat(128)), None);
        assert!(name_problem("dataset", "").unwrap().contains("empty"));
        assert!(name_problem("dataset", "   ")
            .unwrap()
            .contains("whitespace"));
        assert!(name_problem("experiment", "a\nb")
            .unwrap()
            .contains("control character"));
        assert!(name_problem("dataset", &"é".repeat(129))
            .unwrap()
            .contains("129 characters"));
    }
}
