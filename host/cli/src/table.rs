//! Rows of JSON values as a plain-text table for a terminal: a header, one
//! line per row, columns padded to line up (numbers to the right), and long
//! or multi-line text shortened to one line ending in `…`.

use serde_json::{Map, Value};

/// The widest a cell is printed, in characters.
pub(crate) const MAX_CELL_CHARS: usize = 48;

/// `rows` under `headers`, each row a cell per header, as lines of text
/// (`(no rows)` when there are none).
pub(crate) fn render(headers: &[&str], rows: &[Vec<String>]) -> String {
    if rows.is_empty() {
        return "(no rows)\n".to_string();
    }
    let cells: Vec<Vec<String>> = rows
        .iter()
        .map(|row| row.iter().map(|c| shorten(c, MAX_CELL_CHARS)).collect())
        .collect();
    let columns = headers.len();
    let width = |i: usize| {
        cells
            .iter()
            .filter_map(|row| row.get(i))
            .map(|c| c.chars().count())
            .chain([headers[i].chars().count()])
            .max()
            .unwrap_or(0)
    };
    let widths: Vec<usize> = (0..columns).map(width).collect();
    // A column whose every non-empty cell is a number reads best aligned on
    // the right.
    let numeric: Vec<bool> = (0..columns)
        .map(|i| {
            cells.iter().all(|row| {
                row.get(i)
                    .is_none_or(|c| c.is_empty() || c.trim_end_matches('%').parse::<f64>().is_ok())
            })
        })
        .collect();
    let mut out = String::new();
    let mut line = |cells: &mut dyn Iterator<Item = &str>, header: bool| {
        let mut text = String::new();
        for (i, cell) in cells.enumerate() {
            if i > 0 {
                text.push_str("  ");
            }
            let pad = widths[i].saturating_sub(cell.chars().count());
            if numeric[i] && !header {
                text.push_str(&" ".repeat(pad));
                text.push_str(cell);
            } else {
                text.push_str(cell);
                text.push_str(&" ".repeat(pad));
            }
        }
        out.push_str(text.trim_end());
        out.push('\n');
    };
    line(&mut headers.iter().copied(), true);
    for row in &cells {
        line(
            &mut (0..columns).map(|i| row.get(i).map_or("", String::as_str)),
            false,
        );
    }
    out
}

/// The columns of `rows` for a table: every key, in the order first seen.
pub(crate) fn columns(rows: &[Map<String, Value>]) -> Vec<String> {
    let mut keys: Vec<String> = Vec::new();
    for row in rows {
        for key in row.keys() {
            if !keys.contains(key) {
                keys.push(key.clone());
            }
        }
    }
    keys
}

/// `rows` as table cells under `columns`.
pub(crate) fn cells(rows: &[Map<String, Value>], columns: &[&str]) -> Vec<Vec<String>> {
    rows.iter()
        .map(|row| columns.iter().map(|c| cell(row.get(*c))).collect())
        .collect()
}

/// One value as a cell: text as it is, numbers shortest, missing and
/// `null` empty, arrays and objects as compact JSON.
pub(crate) fn cell(value: Option<&Value>) -> String {
    match value {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => match n.as_f64() {
            Some(f) if n.is_f64() => number(f, 3),
            _ => n.to_string(),
        },
        Some(other) => other.to_string(),
    }
}

/// `value` with at most `decimals` decimals, trailing zeros dropped.
pub(crate) fn number(value: f64, decimals: usize) -> String {
    let text = format!("{value:.decimals$}");
    if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        text
    }
}

/// `text` on one line (runs of whitespace become one space) and at most
/// `max` characters, the last of them `…` when it was cut.
pub(crate) fn shorten(text: &str, max: usize) -> String {
    let one_line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if one_line.chars().count() <= max {
        return one_line;
    }
    let mut cut: String = one_line.chars().take(max.saturating_sub(1)).collect();
    cut.truncate(cut.trim_end().len());
    cut.push('…');
    cut
}

/// An RFC 3339 `created` as `YYYY-MM-DD HH:MM:SS` (UTC).
pub(crate) fn timestamp(value: Option<&Value>) -> String {
    let text = cell(value);
    match text.get(..19) {
        Some(head) if text.as_bytes().get(10) == Some(&b'T') => head.replacen('T', " ", 1),
        _ => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn columns_line_up_and_numbers_align_right() {
        let text = render(
            &["tool", "calls"],
            &[
                vec!["lookup_medication".into(), "3".into()],
                vec!["bmi".into(), "12".into()],
            ],
        );
        assert_eq!(
            text,
            "tool               calls\n\
             lookup_medication      3\n\
             bmi                   12\n"
        );
    }

    #[test]
    fn long_and_multi_line_text_is_shortened_with_an_ellipsis() {
        assert_eq!(shorten("a  b\nc", 10), "a b c");
        assert_eq!(shorten("abcdefghijkl", 5), "abcd…");
        assert_eq!(shorten(&"é".repeat(60), 48).chars().count(), 48);
    }

    #[test]
    fn columns_are_the_union_of_keys_in_first_seen_order() {
        let rows: Vec<Map<String, Value>> = vec![
            serde_json::from_value(json!({"b": 1, "a": 2})).unwrap(),
            serde_json::from_value(json!({"c": null, "a": 3})).unwrap(),
        ];
        // serde_json's map is sorted unless `preserve_order` is on; either
        // way every key appears once.
        let mut keys = columns(&rows);
        keys.sort();
        assert_eq!(keys, ["a", "b", "c"]);
        assert_eq!(
            cells(&rows, &["a", "c"]),
            [
                vec!["2".to_string(), String::new()],
                vec!["3".into(), String::new()]
            ]
        );
    }

    #[test]
    fn values_become_readable_cells() {
        assert_eq!(cell(Some(&json!(0.30000000001))), "0.3");
        assert_eq!(cell(Some(&json!(12))), "12");
        assert_eq!(cell(Some(&json!(["a", 1]))), "[\"a\",1]");
        assert_eq!(cell(None), "");
        assert_eq!(render(&["a"], &[]), "(no rows)\n");
    }
}
