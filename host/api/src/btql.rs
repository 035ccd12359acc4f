//! The trace query endpoint (`POST /btql`), Braintrust's wire format: the
//! server in `trellis_trace::btql` and the client behind `trellis traces`
//! both use these types.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// The response header that carries the next page's cursor for `jsonl`.
pub const CURSOR_HEADER: &str = "x-btql-cursor";

/// `text` as a BTQL string literal: single-quoted, quotes doubled. Use it to
/// put user text into a query; the server binds literals as parameters.
pub fn string_literal(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

/// A `LIKE` pattern matching any text that contains `text` literally
/// (`\`, `%` and `_` escaped), as a string literal.
pub fn contains_pattern(text: &str) -> String {
    let mut pattern = String::with_capacity(text.len() + 2);
    pattern.push('%');
    for c in text.chars() {
        if matches!(c, '\\' | '%' | '_') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    string_literal(&pattern)
}

/// The body of `POST /btql`. Other fields Braintrust clients send are
/// ignored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BtqlRequest {
    /// The query, in either dialect.
    pub query: String,
    /// How to write the rows; `json` when absent.
    #[serde(default)]
    pub fmt: ResponseFormat,
}

/// How `POST /btql` writes its rows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ResponseFormat {
    /// One JSON object: [`BtqlResponse`].
    #[default]
    Json,
    /// One row per line (`application/x-ndjson`).
    Jsonl,
}

/// The `json` answer of `POST /btql`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BtqlResponse {
    /// The rows.
    pub data: Vec<Map<String, Value>>,
    /// The next page's cursor, `null` on the last page.
    pub cursor: Option<String>,
    /// Notes such as a lowered `LIMIT`; absent when there are none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_text_becomes_a_quoted_literal_or_a_literal_pattern() {
        assert_eq!(string_literal("O'Brien"), "'O''Brien'");
        assert_eq!(contains_pattern("50%_a\\b"), r"'%50\%\_a\\b%'");
        assert_eq!(contains_pattern("it's"), "'%it''s%'");
    }
}
