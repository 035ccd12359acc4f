//! The SQLite functions BTQL's SQL calls, registered on the read-only
//! connection before each query. SQLite has no regex, no case-sensitive
//! `LIKE` by default, no whole-word match and no percentile; these fill
//! the gaps, and the time functions keep timestamps in the store's RFC 3339
//! text form. Every name starts with `btql_`.
//!
//! A function's failure (an invalid regular expression) comes back from
//! SQLite as an error whose message starts with [`ERROR_PREFIX`].

use std::sync::Arc;

use regex::{Regex, RegexBuilder};
use rusqlite::functions::{Aggregate, Context, FunctionFlags};
use rusqlite::types::{Value as SqlValue, ValueRef};
use rusqlite::Connection;
use serde_json::Value;

use super::time::{format_timestamp, parse_timestamp, TruncUnit};

/// The start of every error message a BTQL function raises.
pub(crate) const ERROR_PREFIX: &str = "btql: ";
/// The longest regular expression accepted, in bytes.
pub const MAX_REGEX_BYTES: usize = 1024;
/// How large a compiled regular expression may grow (bounds the memory
/// and time a hostile pattern can cost).
const REGEX_SIZE_LIMIT: usize = 1 << 20;

type FnResult<T> = rusqlite::Result<T>;

fn fail(message: String) -> rusqlite::Error {
    rusqlite::Error::UserFunctionError(format!("{ERROR_PREFIX}{message}").into())
}

/// Registers every BTQL function on `conn`.
pub(crate) fn register(conn: &Connection) -> rusqlite::Result<()> {
    let flags = FunctionFlags::SQLITE_UTF8
        | FunctionFlags::SQLITE_DETERMINISTIC
        | FunctionFlags::SQLITE_DIRECTONLY;
    conn.create_scalar_function("btql_regexp", 2, flags, regexp)?;
    conn.create_scalar_function("btql_like", 2, flags, |ctx| like(ctx, false))?;
    conn.create_scalar_function("btql_ilike", 2, flags, |ctx| like(ctx, true))?;
    conn.create_scalar_function("btql_match_json", 2, flags, |ctx| word_match(ctx, true))?;
    conn.create_scalar_function("btql_match_text", 2, flags, |ctx| word_match(ctx, false))?;
    conn.create_scalar_function("btql_includes", 2, flags, includes)?;
    conn.create_scalar_function("btql_len", 1, flags, len)?;
    conn.create_scalar_function("btql_lower", 1, flags, |ctx| case(ctx, false))?;
    conn.create_scalar_function("btql_upper", 1, flags, |ctx| case(ctx, true))?;
    conn.create_scalar_function("btql_time_add", 2, flags, time_add)?;
    conn.create_scalar_function("btql_unix", 1, flags, unix)?;
    conn.create_scalar_function("btql_from_unix", 1, flags, from_unix)?;
    conn.create_scalar_function("btql_date_trunc", 2, flags, date_trunc)?;
    conn.create_aggregate_function("btql_percentile", 2, flags, Percentile)?;
    Ok(())
}

/// A value as text, the way SQLite would print it; `None` for NULL and blobs.
fn text_of(value: ValueRef<'_>) -> Option<String> {
    match value {
        ValueRef::Null | ValueRef::Blob(_) => None,
        ValueRef::Integer(n) => Some(n.to_string()),
        ValueRef::Real(x) => Some(x.to_string()),
        ValueRef::Text(t) => Some(String::from_utf8_lossy(t).into_owned()),
    }
}

fn number_of(value: ValueRef<'_>) -> Option<f64> {
    match value {
        ValueRef::Integer(n) => Some(n as f64),
        ValueRef::Real(x) => Some(x),
        _ => None,
    }
}

/// Compiles a pattern for `~` / `REGEXP`, within the size limits.
pub(crate) fn compile_regex(pattern: &str) -> Result<Regex, String> {
    if pattern.len() > MAX_REGEX_BYTES {
        return Err(format!(
            "the regular expression is longer than {MAX_REGEX_BYTES} bytes"
        ));
    }
    RegexBuilder::new(pattern)
        .size_limit(REGEX_SIZE_LIMIT)
        .dfa_size_limit(REGEX_SIZE_LIMIT)
        .build()
        .map_err(|e| format!("invalid regular expression: {e}"))
}

/// `btql_regexp(pattern, value)`.
fn regexp(ctx: &Context<'_>) -> FnResult<Option<bool>> {
    let Some(value) = text_of(ctx.get_raw(1)) else {
        return Ok(None);
    };
    if text_of(ctx.get_raw(0)).is_none() {
        return Ok(None);
    }
    // SQLite keeps the compiled pattern with the statement while the
    // pattern argument stays the same (a bound constant, normally).
    let regex: Arc<Regex> = ctx.get_or_create_aux(0, |raw| {
        let pattern = text_of(raw).unwrap_or_default();
        compile_regex(&pattern).map_err(|e| format!("{ERROR_PREFIX}{e}"))
    })?;
    Ok(Some(regex.is_match(&value)))
}

/// One element of a `LIKE` pattern.
#[derive(Debug, Clone, Copy, PartialEq)]
enum LikeTok {
    /// `%`: any run of characters.
    Any,
    /// `_`: one character.
    One,
    Char(char),
}

fn like_tokens(pattern: &str, fold: bool) -> Vec<LikeTok> {
    let mut tokens = Vec::new();
    let mut chars = pattern.chars();
    while let Some(c) = chars.next() {
        match c {
            '%' => tokens.push(LikeTok::Any),
            '_' => tokens.push(LikeTok::One),
            '\\' => tokens.extend(chars.next().map(LikeTok::Char)),
            c if fold => tokens.extend(c.to_lowercase().map(LikeTok::Char)),
            c => tokens.push(LikeTok::Char(c)),
        }
    }
    tokens
}

/// Whether `text` matches a `LIKE` pattern. Greedy with one backtrack
/// point: O(len(text) × len(pattern)) at worst, never exponential.
pub(crate) fn like_matches(text: &str, pattern: &str, case_insensitive: bool) -> bool {
    let pattern = like_tokens(pattern, case_insensitive);
    let text: Vec<char> = if case_insensitive {
        text.chars().flat_map(char::to_lowercase).collect()
    } else {
        text.chars().collect()
    };
    let (mut t, mut p) = (0, 0);
    let mut backtrack: Option<(usize, usize)> = None;
    while t < text.len() {
        match pattern.get(p) {
            Some(LikeTok::Any) => {
                backtrack = Some((p, t));
                p += 1;
            }
            Some(LikeTok::One) => {
                t += 1;
                p += 1;
            }
            Some(LikeTok::Char(c)) if *c == text[t] => {
                t += 1;
                p += 1;
            }
            _ => match backtrack {
                Some((star, from)) => {
                    p = star + 1;
                    t = from + 1;
                    backtrack = Some((star, from + 1));
                }
                None => return false,
            },
        }
    }
    pattern[p..].iter().all(|tok| *tok == LikeTok::Any)
}

/// `btql_like(value, pattern)` / `btql_ilike(value, pattern)`.
fn like(ctx: &Context<'_>, case_insensitive: bool) -> FnResult<Option<bool>> {
    match (text_of(ctx.get_raw(0)), text_of(ctx.get_raw(1))) {
        (Some(text), Some(pattern)) => Ok(Some(like_matches(&text, &pattern, case_insensitive))),
        _ => Ok(None),
    }
}

/// Lowercase words: runs of letters and digits.
fn words(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
}

/// The text of every string and number inside a JSON value (not its keys).
fn json_text(value: &Value, out: &mut String) {
    match value {
        Value::String(s) => {
            out.push_str(s);
            out.push(' ');
        }
        Value::Number(n) => {
            out.push_str(&n.to_string());
            out.push(' ');
        }
        Value::Array(items) => items.iter().for_each(|v| json_text(v, out)),
        Value::Object(map) => map.values().for_each(|v| json_text(v, out)),
        Value::Bool(_) | Value::Null => {}
    }
}

/// Whether every word of `query` is a whole word of `haystack`.
pub(crate) fn words_match(haystack: &str, query: &str) -> bool {
    let wanted: Vec<String> = words(query).collect();
    if wanted.is_empty() {
        return false;
    }
    let have: std::collections::HashSet<String> = words(haystack).collect();
    wanted.iter().all(|w| have.contains(w))
}

/// `btql_match_json(json, query)` / `btql_match_text(text, query)`.
fn word_match(ctx: &Context<'_>, json: bool) -> FnResult<Option<bool>> {
    let (Some(subject), Some(query)) = (text_of(ctx.get_raw(0)), text_of(ctx.get_raw(1))) else {
        return Ok(None);
    };
    let haystack = if json {
        match serde_json::from_str::<Value>(&subject) {
            Ok(value) => {
                let mut text = String::new();
                json_text(&value, &mut text);
                text
            }
            Err(_) => subject,
        }
    } else {
        subject
    };
    Ok(Some(words_match(&haystack, &query)))
}

/// Whether a JSON element equals an SQL value (numbers by value; `TRUE`
/// is 1 in SQL).
fn json_equals(element: &Value, needle: &SqlValue) -> bool {
    match (element, needle) {
        (Value::String(s), SqlValue::Text(t)) => s == t,
        (Value::Number(n), SqlValue::Integer(i)) => n.as_f64() == Some(*i as f64),
        (Value::Number(n), SqlValue::Real(x)) => n.as_f64() == Some(*x),
        (Value::Bool(b), SqlValue::Integer(i)) => i64::from(*b) == *i,
        _ => false,
    }
}

/// `btql_includes(json, needle)`: an array has an element equal to the
/// needle, or a string contains it.
fn includes(ctx: &Context<'_>) -> FnResult<Option<bool>> {
    let Some(subject) = text_of(ctx.get_raw(0)) else {
        return Ok(None);
    };
    let needle: SqlValue = ctx.get_raw(1).into();
    if needle == SqlValue::Null {
        return Ok(None);
    }
    let value = serde_json::from_str::<Value>(&subject).unwrap_or(Value::String(subject));
    Ok(Some(match &value {
        Value::Array(items) => items.iter().any(|item| json_equals(item, &needle)),
        Value::String(s) => match &needle {
            SqlValue::Text(t) => s.contains(t.as_str()),
            _ => false,
        },
        other => json_equals(other, &needle),
    }))
}

/// `btql_len(json)`: characters of a string, elements of an array, keys of
/// an object.
fn len(ctx: &Context<'_>) -> FnResult<Option<i64>> {
    let Some(subject) = text_of(ctx.get_raw(0)) else {
        return Ok(None);
    };
    let value = serde_json::from_str::<Value>(&subject).unwrap_or(Value::String(subject));
    Ok(match value {
        Value::String(s) => Some(s.chars().count() as i64),
        Value::Array(items) => Some(items.len() as i64),
        Value::Object(map) => Some(map.len() as i64),
        _ => None,
    })
}

/// `btql_lower(x)` / `btql_upper(x)`: Unicode-aware, unlike SQLite's.
fn case(ctx: &Context<'_>, upper: bool) -> FnResult<Option<String>> {
    Ok(text_of(ctx.get_raw(0)).map(|t| {
        if upper {
            t.to_uppercase()
        } else {
            t.to_lowercase()
        }
    }))
}

/// A timestamp argument: RFC 3339 text, or unix seconds.
fn time_of(value: ValueRef<'_>) -> Option<f64> {
    match value {
        ValueRef::Text(t) => parse_timestamp(std::str::from_utf8(t).ok()?),
        other => number_of(other),
    }
}

/// `btql_time_add(timestamp, seconds)`.
fn time_add(ctx: &Context<'_>) -> FnResult<Option<String>> {
    Ok(match (time_of(ctx.get_raw(0)), number_of(ctx.get_raw(1))) {
        (Some(t), Some(d)) => Some(format_timestamp(t + d)),
        _ => None,
    })
}

/// `btql_unix(timestamp)`: unix seconds.
fn unix(ctx: &Context<'_>) -> FnResult<Option<f64>> {
    Ok(time_of(ctx.get_raw(0)))
}

/// `btql_from_unix(seconds)`: RFC 3339 text.
fn from_unix(ctx: &Context<'_>) -> FnResult<Option<String>> {
    Ok(time_of(ctx.get_raw(0)).map(format_timestamp))
}

/// `btql_date_trunc(unit, timestamp)`.
fn date_trunc(ctx: &Context<'_>) -> FnResult<Option<String>> {
    let unit = text_of(ctx.get_raw(0)).unwrap_or_default();
    let unit = TruncUnit::from_name(&unit)
        .ok_or_else(|| fail(format!("unknown date_trunc unit '{unit}'")))?;
    Ok(time_of(ctx.get_raw(1)).map(|t| format_timestamp(unit.truncate(t))))
}

/// `btql_percentile(x, p)`: the `p` quantile of the numbers seen,
/// interpolated between neighbours (like `percentile_cont`).
struct Percentile;

/// The numbers seen and the requested quantile.
type PercentileState = (Vec<f64>, f64);

impl Aggregate<PercentileState, Option<f64>> for Percentile {
    fn init(&self, _: &mut Context<'_>) -> FnResult<PercentileState> {
        Ok((Vec::new(), 0.5))
    }

    fn step(&self, ctx: &mut Context<'_>, state: &mut PercentileState) -> FnResult<()> {
        if let Some(p) = number_of(ctx.get_raw(1)) {
            state.1 = p.clamp(0.0, 1.0);
        }
        if let Some(x) = number_of(ctx.get_raw(0)).filter(|x| x.is_finite()) {
            state.0.push(x);
        }
        Ok(())
    }

    fn finalize(
        &self,
        _: &mut Context<'_>,
        state: Option<PercentileState>,
    ) -> FnResult<Option<f64>> {
        Ok(state.and_then(|(values, p)| percentile(values, p)))
    }
}

/// The `p` quantile of `values` with linear interpolation.
pub(crate) fn percentile(mut values: Vec<f64>, p: f64) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    values.sort_by(f64::total_cmp);
    let rank = p * (values.len() - 1) as f64;
    let lo = rank.floor() as usize;
    let hi = rank.ceil() as usize;
    Some(values[lo] + (values[hi] - values[lo]) * (rank - lo as f64))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_handles_wildcards_escapes_and_case() {
        assert!(like_matches("diabetes type 2", "%type _", false));
        assert!(!like_matches("Diabetes", "diabetes", false));
        assert!(like_matches("Diabetes", "diab%", true));
        assert!(like_matches("100%", "100\\%", false));
        assert!(!like_matches("1000", "100\\%", false));
        assert!(like_matches("", "%", false));
        assert!(!like_matches("abc", "a_", false));
        assert!(like_matches(
            "aaaaaaaaaaaaaaaaaaaaaaaaaaaaab",
            "%a%a%a%a%a%a%b",
            false
        ));
    }

    #[test]
    fn words_match_whole_words_only() {
        assert!(words_match("Fatigue and increased thirst.", "THIRST"));
        assert!(words_match("fatigue, thirst", "thirst fatigue"));
        assert!(!words_match("thirsty", "thirst"));
        assert!(!words_match("anything", ""));
    }

    #[test]
    fn percentile_interpolates() {
        assert_eq!(percentile(vec![4.0, 1.0, 3.0, 2.0], 0.5), Some(2.5));
        assert_eq!(percentile(vec![1.0, 2.0, 3.0, 4.0, 5.0], 0.95), Some(4.8));
        assert_eq!(percentile(vec![7.0], 0.95), Some(7.0));
        assert_eq!(percentile(vec![], 0.5), None);
    }

    #[test]
    fn regex_size_is_limited() {
        assert!(compile_regex("^a+$").is_ok());
        assert!(compile_regex(&"a".repeat(MAX_REGEX_BYTES + 1))
            .unwrap_err()
            .contains("longer than"));
        assert!(compile_regex("(")
            .unwrap_err()
            .starts_with("invalid regular expression"));
        assert!(compile_regex("\\w{1000}{1000}").is_err());
    }

    #[test]
    fn functions_run_in_sqlite() {
        let conn = Connection::open_in_memory().unwrap();
        register(&conn).unwrap();
        let row: (bool, bool, i64, String, f64) = conn
            .query_row(
                "SELECT btql_regexp('^th', 'thirst'), btql_includes('[\"a\",\"b\"]', 'b'), \
                 btql_len('[1,2,3]'), btql_date_trunc('hour', '2024-01-01T10:20:30.000000Z'), \
                 (SELECT btql_percentile(value, 0.5) FROM json_each('[1,2,3,10]'))",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
            )
            .unwrap();
        assert_eq!(
            row,
            (true, true, 3, "2024-01-01T10:00:00.000000Z".into(), 2.5)
        );
        let err = conn
            .query_row("SELECT btql_regexp('(', 'x')", [], |r| r.get::<_, bool>(0))
            .unwrap_err();
        assert!(
            err.to_string().contains("btql: invalid regular expression"),
            "{err}"
        );
    }
}
