//! Translates a [`Query`] into one SQLite `SELECT` over the store's
//! `spans` table (`project_logs('p')`, `experiment('e')`: the same fields,
//! told apart by the bound `object_type`) or its `dataset_rows` table
//! (`dataset('d')`: `id, input, expected, metadata, tags, created`).
//!
//! No text from the query is ever spliced into the SQL: every value —
//! literals, the project name, JSON paths built from field names, units —
//! is a numbered parameter, and the SQL itself is assembled only from this
//! file's fixed fragments and generated column aliases (`c0`, `c1`, …). A
//! query therefore cannot change what kind of statement runs; the executor
//! checks again that it is a single read-only `SELECT`.
//!
//! Field paths map to the store's hot columns where one exists
//! (`span_attributes.name` → `name`, `created`, `metrics.start` →
//! `start_time`, …) so filters and sorts on them use the indexes; anything
//! else reads the JSON text columns with `json_extract(column, ?path)`.
//!
//! Rows are ordered by `created` (newest first) unless the query says
//! otherwise, with the row number (`seq`) breaking ties; `seq` is the
//! rowid, which every index ends with, so "the 10 newest spans named X"
//! is a walk down the `(project, name, created)` index.

use rusqlite::types::Value as SqlValue;

use super::ast::{
    BinaryOp, Expr, FieldPath, Function, Literal, PathSegment, Query, SelectItem, Shape,
    SourceKind, UnaryOp, RECORD_FIELDS,
};
use super::cursor::Cursor;
use super::error::BtqlError;
use super::functions::compile_regex;
use super::parser::{check_call, check_percentile, check_trunc_unit, unknown_field, MAX_DEPTH};
use super::time::parse_timestamp;
use crate::store::ObjectType;

/// Settings the planner needs: the row limits and the clock.
#[derive(Debug, Clone)]
pub struct PlanOptions {
    /// What `now()` means, in unix seconds.
    pub now: f64,
    /// Rows returned when the query has no `LIMIT`.
    pub default_limit: u64,
    /// The most rows one query may return; a larger `LIMIT` is clamped.
    pub max_limit: u64,
}

/// A planned query: SQL text, its parameters, and how to turn result rows
/// into Braintrust-shaped JSON objects.
#[derive(Debug, Clone)]
pub struct Plan {
    pub(crate) sql: String,
    pub(crate) params: Vec<SqlValue>,
    pub(crate) columns: Vec<Column>,
    pub(crate) project: String,
    pub(crate) source: SourceKind,
    pub(crate) limit: u64,
    pub(crate) clamped_from: Option<u64>,
    pub(crate) paging: Paging,
}

impl Plan {
    /// The SQL to run: a single `SELECT` (or `WITH … SELECT`).
    pub fn sql(&self) -> &str {
        &self.sql
    }

    /// The values bound to `?1`, `?2`, … in [`Plan::sql`].
    pub fn params(&self) -> &[SqlValue] {
        &self.params
    }

    /// The name of the project (or dataset, experiment) the query reads.
    pub fn project(&self) -> &str {
        &self.project
    }

    /// The kind of object the query reads.
    pub fn source(&self) -> SourceKind {
        self.source
    }

    /// How many rows a page holds (after clamping to the maximum).
    pub fn limit(&self) -> u64 {
        self.limit
    }

    /// The `LIMIT` the query asked for, when it was above the maximum.
    pub fn clamped_from(&self) -> Option<u64> {
        self.clamped_from
    }
}

/// How a result column becomes JSON.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Column {
    /// One SQL column under `key`.
    Value { key: String, kind: ValueKind },
    /// The whole record, spread over these SQL columns
    /// ([`RECORD_COLUMNS`] or [`DATASET_COLUMNS`]).
    Record(&'static [&'static str]),
}

/// How one SQL value becomes JSON.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ValueKind {
    /// JSON text (a field path's value): parsed.
    Json,
    /// 0/1 from a comparison: `false`/`true`.
    Bool,
    /// Anything else: as SQLite returns it.
    Scalar,
}

/// How the next page is found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Paging {
    /// Default order: the last two SQL columns are `created` and `seq`.
    Keyset,
    /// Any other order: `OFFSET`, starting after this many rows.
    Offset(u64),
}

/// The record's fields as `*` returns them: every field of
/// [`RECORD_FIELDS`] but the last, `is_root`, which is derived, not stored.
pub(crate) const RECORD_COLUMNS: &[&str] = match RECORD_FIELDS.split_last() {
    Some((_, stored)) => stored,
    None => &[],
};

/// A dataset row's fields, in the order `*` returns them.
pub(crate) const DATASET_COLUMNS: &[&str] =
    &["id", "input", "expected", "metadata", "tags", "created"];

/// A dataset row's fields stored as JSON text.
const DATASET_JSON_COLUMNS: &[&str] = &["input", "expected", "metadata", "tags"];

/// The table a query reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Table {
    /// `spans`, restricted to one kind of object.
    Spans(ObjectType),
    /// `dataset_rows`.
    DatasetRows,
}

/// Record fields stored as JSON text, read with `json_extract`.
const JSON_COLUMNS: &[&str] = &[
    "span_parents",
    "input",
    "output",
    "expected",
    "error",
    "metadata",
    "scores",
    "metrics",
    "span_attributes",
    "tags",
];

/// The metrics a `summary` row adds up over its trace.
pub const SUMMARY_METRICS: &[&str] = &[
    "tokens",
    "prompt_tokens",
    "completion_tokens",
    "llm_calls",
    "tool_calls",
    "errors",
    "duration",
    "span_count",
];

/// Plans `query`. Fails for queries that parse but cannot run (an unknown
/// field, an ungrouped field in an aggregate query, a bad cursor, a
/// dataset asked for traces). Whether the source exists is for the
/// executor to check.
pub fn plan(query: &Query, options: &PlanOptions) -> Result<Plan, BtqlError> {
    let table = match query.source.kind {
        SourceKind::ProjectLogs => Table::Spans(ObjectType::ProjectLogs),
        SourceKind::Experiment => Table::Spans(ObjectType::Experiment),
        SourceKind::Dataset if query.source.shape != Shape::Spans => {
            return Err(BtqlError::invalid(format!(
                "dataset `{}` has no traces: shape => '{}' groups spans by trace, and a dataset \
                 holds rows; leave the shape out (or use 'spans') to read its rows",
                query.source.name,
                query.source.shape.as_str()
            )))
        }
        SourceKind::Dataset => Table::DatasetRows,
    };
    Planner {
        query,
        options,
        params: Vec::new(),
        table,
    }
    .plan()
}

/// The SQL type of an expression, as far as the planner can tell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ty {
    /// A value read from JSON: could be anything.
    Any,
    Null,
    Bool,
    Number,
    Text,
    /// RFC 3339 text, like the `created` column.
    Time,
    /// A length of time in seconds.
    Interval,
}

/// A value known while planning.
#[derive(Debug, Clone, PartialEq)]
enum Const {
    Null,
    Bool(bool),
    Integer(i64),
    Float(f64),
    Text(String),
    /// Unix seconds.
    Time(f64),
    /// Seconds.
    Interval(f64),
}

impl Const {
    fn ty(&self) -> Ty {
        match self {
            Const::Null => Ty::Null,
            Const::Bool(_) => Ty::Bool,
            Const::Integer(_) | Const::Float(_) => Ty::Number,
            Const::Text(_) => Ty::Text,
            Const::Time(_) => Ty::Time,
            Const::Interval(_) => Ty::Interval,
        }
    }

    fn number(&self) -> Option<f64> {
        match self {
            Const::Integer(n) => Some(*n as f64),
            Const::Float(x) => Some(*x),
            _ => None,
        }
    }
}

/// A compiled expression: SQL text, a constant or a JSON field not yet
/// bound (parameters are bound only for SQL that is emitted), and its type.
#[derive(Debug, Clone)]
struct Compiled {
    code: Code,
    ty: Ty,
}

#[derive(Debug, Clone)]
enum Code {
    Sql(String),
    Const(Const),
    /// A value inside a JSON column.
    Json(JsonField),
}

/// A path inside a JSON column, or SQL that yields JSON text.
#[derive(Debug, Clone)]
enum JsonField {
    /// `column` at `path` (`None`: the whole column).
    Path {
        column: String,
        path: Option<String>,
    },
    /// SQL whose result is JSON text (the summary's merged `metrics`).
    Text(String),
}

impl Compiled {
    fn sql(text: String, ty: Ty) -> Compiled {
        Compiled {
            code: Code::Sql(text),
            ty,
        }
    }

    fn constant(value: Const) -> Compiled {
        Compiled {
            ty: value.ty(),
            code: Code::Const(value),
        }
    }

    fn json(field: JsonField) -> Compiled {
        Compiled {
            code: Code::Json(field),
            ty: Ty::Any,
        }
    }

    fn konst(&self) -> Option<&Const> {
        match &self.code {
            Code::Const(c) => Some(c),
            _ => None,
        }
    }

    fn is_json(&self) -> bool {
        matches!(self.code, Code::Json(_))
    }
}

/// Where an expression is being compiled.
#[derive(Debug, Clone, Copy)]
struct Scope {
    /// The alias of the `spans` row fields refer to.
    table: &'static str,
    /// Why aggregates are refused here, or `None` when they are allowed.
    no_aggregates: Option<&'static str>,
    /// Inside an aggregate's arguments (aggregates do not nest).
    in_aggregate: bool,
}

struct Planner<'a> {
    query: &'a Query,
    options: &'a PlanOptions,
    params: Vec<SqlValue>,
    table: Table,
}

impl<'a> Planner<'a> {
    /// Binds a value and returns its placeholder.
    fn bind(&mut self, value: SqlValue) -> String {
        self.params.push(value);
        format!("?{}", self.params.len())
    }

    fn bind_text(&mut self, text: &str) -> String {
        self.bind(SqlValue::Text(text.to_owned()))
    }

    /// The SQL for a compiled expression's value, binding what it needs.
    fn emit(&mut self, compiled: &Compiled) -> String {
        match &compiled.code {
            Code::Sql(sql) => sql.clone(),
            Code::Json(JsonField::Path { column, path }) => {
                let path = self.bind_text(path.as_deref().unwrap_or("$"));
                format!("json_extract({column}, {path})")
            }
            Code::Json(JsonField::Text(sql)) => {
                format!("json_extract({sql}, {})", self.bind_text("$"))
            }
            Code::Const(value) => {
                let bound = match value {
                    Const::Null => SqlValue::Null,
                    Const::Bool(b) => SqlValue::Integer(i64::from(*b)),
                    Const::Integer(n) => SqlValue::Integer(*n),
                    Const::Float(x) | Const::Interval(x) => SqlValue::Real(*x),
                    Const::Text(s) => SqlValue::Text(s.clone()),
                    Const::Time(t) => SqlValue::Text(super::time::format_timestamp(*t)),
                };
                self.bind(bound)
            }
        }
    }

    /// SQL giving the value as JSON text (for results, MATCH, INCLUDES, len).
    fn emit_json(&mut self, compiled: &Compiled) -> String {
        match &compiled.code {
            Code::Json(JsonField::Path { column, path: None }) => column.clone(),
            Code::Json(JsonField::Path {
                column,
                path: Some(path),
            }) => {
                let path = self.bind_text(path);
                format!("({column} -> {path})")
            }
            Code::Json(JsonField::Text(sql)) => sql.clone(),
            _ => format!("json_quote({})", self.emit(compiled)),
        }
    }

    fn plan(mut self) -> Result<Plan, BtqlError> {
        let query = self.query;
        let shape = query.source.shape;
        let project = self.bind_text(&query.source.name);
        // The condition that picks the source's rows, and the same with `+`
        // (no index may serve it) for when the `created` index should.
        let (source, source_unindexed, object_type) = match self.table {
            Table::Spans(object_type) => {
                let object_type = self.bind_text(object_type.as_str());
                (
                    format!("s.object_type = {object_type} AND s.project = {project}"),
                    format!("+s.object_type = {object_type} AND +s.project = {project}"),
                    object_type,
                )
            }
            // Datasets have one index for the default order, and the
            // `spans` shape only, so the object type is never needed.
            Table::DatasetRows => (
                format!("s.dataset = {project}"),
                format!("s.dataset = {project}"),
                String::new(),
            ),
        };
        let from = match self.table {
            Table::Spans(_) => "spans",
            Table::DatasetRows => "dataset_rows",
        };
        for expr in query_exprs(query) {
            if expr.depth() > MAX_DEPTH {
                return Err(BtqlError::invalid(format!(
                    "an expression nests more than {MAX_DEPTH} levels deep"
                )));
            }
        }
        if query.select.is_empty() {
            return Err(BtqlError::invalid("the query selects nothing"));
        }
        let group_by = query
            .group_by
            .iter()
            .map(|e| self.resolve_alias(e).unwrap_or(e).clone())
            .collect::<Vec<_>>();
        let selects_aggregate = query.select.iter().any(|item| match item {
            SelectItem::Expr { expr, .. } => expr.has_aggregate(),
            SelectItem::Star => false,
        });
        // SQLite groups only when there is a GROUP BY or an aggregate among
        // the result columns; an aggregate in HAVING alone does not count.
        if query.having.is_some() && group_by.is_empty() && !selects_aggregate {
            return Err(BtqlError::invalid(
                "HAVING filters groups: it needs GROUP BY or an aggregate function among the \
                 selected columns; filter rows with WHERE",
            ));
        }
        if group_by.iter().any(Expr::has_aggregate) {
            return Err(BtqlError::invalid(
                "GROUP BY cannot contain an aggregate function",
            ));
        }
        let aggregate = !group_by.is_empty() || selects_aggregate;

        // Result columns.
        let mut select_sql = Vec::new();
        let mut columns = Vec::new();
        let mut keys: Vec<String> = Vec::new();
        let result_scope = Scope {
            table: "s",
            no_aggregates: (!aggregate).then_some("outside an aggregate query"),
            in_aggregate: false,
        };
        for item in &query.select {
            match item {
                // `*` written as an expression is the same `*`.
                SelectItem::Star
                | SelectItem::Expr {
                    expr: Expr::Star,
                    alias: None,
                } => {
                    if aggregate {
                        return Err(BtqlError::invalid(
                            "`*` cannot be selected in an aggregate query; name the dimensions \
                             and measures",
                        ));
                    }
                    let record = match self.table {
                        Table::Spans(_) => RECORD_COLUMNS,
                        Table::DatasetRows => DATASET_COLUMNS,
                    };
                    for name in record {
                        let sql = if *name == "metrics" && shape == Shape::Summary {
                            self.summary_metrics_object("s")
                        } else {
                            format!("s.{name}")
                        };
                        select_sql.push(format!("{sql} AS c{}", select_sql.len()));
                    }
                    columns.push(Column::Record(record));
                }
                SelectItem::Expr { expr, alias } => {
                    if aggregate {
                        check_grouped(expr, &group_by)?;
                    }
                    let compiled = self.compile(expr, result_scope)?;
                    let (sql, kind) = match compiled.ty {
                        _ if compiled.is_json() => (self.emit_json(&compiled), ValueKind::Json),
                        Ty::Bool => (self.emit(&compiled), ValueKind::Bool),
                        _ => (self.emit(&compiled), ValueKind::Scalar),
                    };
                    let key = alias.clone().unwrap_or_else(|| default_key(expr));
                    if keys.contains(&key) {
                        return Err(BtqlError::invalid(format!(
                            "two result columns are named `{key}`; rename one with AS"
                        )));
                    }
                    keys.push(key.clone());
                    select_sql.push(format!("{sql} AS c{}", select_sql.len()));
                    columns.push(Column::Value { key, kind });
                }
            }
        }

        // Rows: the source, the shape and the filter.
        let mut conditions = vec![source];
        let filter_table = if shape == Shape::Traces { "m" } else { "s" };
        let filter = match &query.filter {
            Some(filter) => {
                let scope = Scope {
                    table: filter_table,
                    no_aggregates: Some("in WHERE; filter groups with HAVING"),
                    in_aggregate: false,
                };
                let compiled = self.compile(filter, scope)?;
                Some(self.emit(&compiled))
            }
            None => None,
        };
        match (shape, filter) {
            (Shape::Traces, Some(filter)) => {
                // `+` keeps SQLite from reading the project index for the
                // outer rows: the matching traces' spans come from the
                // `(object_type, root_span_id, span_id)` index.
                conditions[0] = format!("s.object_type = {object_type} AND +s.project = {project}");
                conditions.push(format!(
                    "s.root_span_id IN (SELECT m.root_span_id FROM spans m \
                     WHERE m.object_type = {object_type} AND m.project = {project} AND ({filter}))"
                ));
            }
            (Shape::Summary, filter) => {
                conditions.push("s.parent_span_id IS NULL".to_owned());
                conditions.extend(filter.map(|f| format!("({f})")));
            }
            (_, filter) => conditions.extend(filter.map(|f| format!("({f})"))),
        }

        let (order, paging) = self.order_and_paging(
            aggregate,
            &group_by,
            result_scope,
            &mut select_sql,
            &mut conditions,
        )?;
        // In the default order, rows should come off the `created` index
        // newest first so LIMIT stops the scan early (SQLite computes the
        // result columns before it sorts). With `span_attributes.name = …`
        // the `(project, name, created)` index does that; otherwise `+`
        // keeps SQLite from choosing the project prefix of an index and
        // sorting every span of the project.
        if paging == Paging::Keyset
            && shape != Shape::Traces
            && !query.filter.as_ref().is_some_and(names_a_span)
        {
            conditions[0] = source_unindexed;
        }

        let mut sql = format!(
            "SELECT {} FROM {from} s WHERE {}",
            select_sql.join(", "),
            conditions.join(" AND ")
        );
        if !group_by.is_empty() {
            let mut groups = Vec::new();
            for expr in &group_by {
                let compiled = self.compile(expr, result_scope)?;
                groups.push(self.emit(&compiled));
            }
            sql.push_str(" GROUP BY ");
            sql.push_str(&groups.join(", "));
        }
        if let Some(having) = &query.having {
            let having = self.substitute_aliases(having);
            check_grouped(&having, &group_by)?;
            let compiled = self.compile(
                &having,
                Scope {
                    table: "s",
                    no_aggregates: None,
                    in_aggregate: false,
                },
            )?;
            let having = self.emit(&compiled);
            sql.push_str(" HAVING ");
            sql.push_str(&having);
        }
        if !order.is_empty() {
            sql.push_str(" ORDER BY ");
            sql.push_str(&order.join(", "));
        }
        let requested = query.limit.unwrap_or(self.options.default_limit);
        let limit = requested.min(self.options.max_limit);
        let clamped_from = (requested > self.options.max_limit).then_some(requested);
        // One row more than the page shows whether there is a next page.
        let fetch = if limit == 0 {
            0
        } else {
            limit.saturating_add(1)
        };
        let fetch = self.bind(SqlValue::Integer(i64::try_from(fetch).unwrap_or(i64::MAX)));
        sql.push_str(&format!(" LIMIT {fetch}"));
        if let Paging::Offset(n) = paging {
            if n > 0 {
                let offset = self.bind(SqlValue::Integer(n as i64));
                sql.push_str(&format!(" OFFSET {offset}"));
            }
        }
        Ok(Plan {
            sql,
            params: self.params,
            columns,
            project: query.source.name.clone(),
            source: query.source.kind,
            limit,
            clamped_from,
            paging,
        })
    }

    /// The ORDER BY keys and how the next page is found. The default
    /// order (by `created`) pages by key: two hidden result columns carry
    /// the last row's `created` and `seq`, and a cursor becomes a range
    /// condition the index serves. Any other order pages by position.
    fn order_and_paging(
        &mut self,
        aggregate: bool,
        group_by: &[Expr],
        result_scope: Scope,
        select_sql: &mut Vec<String>,
        conditions: &mut Vec<String>,
    ) -> Result<(Vec<String>, Paging), BtqlError> {
        let query = self.query;
        let cursor = query.cursor.as_deref().map(Cursor::decode).transpose()?;
        let other_order =
            || BtqlError::BadCursor("it belongs to a query with a different order".to_owned());
        let keyset = !aggregate
            && match query.order_by.as_slice() {
                [] => true,
                [only] => {
                    self.alias_index(&only.expr).is_none() && only.expr == Expr::field(["created"])
                }
                _ => false,
            };
        let mut order = Vec::new();
        if keyset {
            let descending = query.order_by.first().is_none_or(|o| o.descending);
            let dir = if descending { "DESC" } else { "ASC" };
            order.push(format!("s.created {dir}"));
            order.push(format!("s.seq {dir}"));
            select_sql.push(format!("s.created AS c{}", select_sql.len()));
            select_sql.push(format!("s.seq AS c{}", select_sql.len()));
            match cursor {
                None => {}
                Some(Cursor::After(created, seq)) => {
                    let created = self.bind(SqlValue::Text(created));
                    let seq = self.bind(SqlValue::Integer(seq));
                    let (le, lt) = if descending { ("<=", "<") } else { (">=", ">") };
                    conditions.push(format!(
                        "s.created {le} {created} AND (s.created {lt} {created} OR s.seq {lt} {seq})"
                    ));
                }
                Some(Cursor::Offset(_)) => return Err(other_order()),
            }
            return Ok((order, Paging::Keyset));
        }
        for key in &query.order_by {
            let dir = if key.descending { "DESC" } else { "ASC" };
            // An alias sorts by its expression's value, not by the result
            // column (which holds JSON text for field paths).
            let expr = self.resolve_alias(&key.expr).unwrap_or(&key.expr);
            if aggregate {
                check_grouped(expr, group_by)?;
            }
            let compiled = self.compile(expr, result_scope)?;
            let sql = self.emit(&compiled);
            order.push(format!("{sql} {dir}"));
        }
        if aggregate && order.is_empty() {
            for expr in group_by {
                let compiled = self.compile(expr, result_scope)?;
                let sql = self.emit(&compiled);
                order.push(format!("{sql} ASC"));
            }
        }
        if !aggregate {
            order.push("s.seq DESC".to_owned());
        }
        let paging = match cursor {
            None => Paging::Offset(0),
            Some(Cursor::Offset(n)) => Paging::Offset(n),
            Some(Cursor::After(..)) => return Err(other_order()),
        };
        Ok((order, paging))
    }

    /// The select item's expression a GROUP BY / ORDER BY key names: an
    /// alias, or a 1-based position.
    fn resolve_alias(&self, expr: &Expr) -> Option<&'a Expr> {
        let query: &'a Query = self.query;
        match &query.select[self.alias_index(expr)?] {
            SelectItem::Expr { expr, .. } => Some(expr),
            SelectItem::Star => None,
        }
    }

    /// The position of the select item `expr` names, if it names one.
    fn alias_index(&self, expr: &Expr) -> Option<usize> {
        match expr {
            Expr::Field(FieldPath { segments }) => match segments.as_slice() {
                [PathSegment::Key(name)] => self.query.select.iter().position(
                    |item| matches!(item, SelectItem::Expr { alias: Some(a), .. } if a == name),
                ),
                _ => None,
            },
            Expr::Literal(Literal::Integer(n)) => {
                let i = usize::try_from(*n).ok()?.checked_sub(1)?;
                matches!(self.query.select.get(i), Some(SelectItem::Expr { .. })).then_some(i)
            }
            _ => None,
        }
    }

    /// `expr` with every bare alias replaced by the aliased expression
    /// (for HAVING, where SQLite's own alias lookup is not guaranteed).
    fn substitute_aliases(&self, expr: &Expr) -> Expr {
        if let Expr::Field(_) = expr {
            if let Some(target) = self.resolve_alias(expr) {
                return target.clone();
            }
        }
        let sub = |e: &Expr| Box::new(self.substitute_aliases(e));
        match expr {
            Expr::Unary { op, expr } => Expr::Unary {
                op: *op,
                expr: sub(expr),
            },
            Expr::Binary { op, left, right } => Expr::Binary {
                op: *op,
                left: sub(left),
                right: sub(right),
            },
            Expr::IsNull { expr, negated } => Expr::IsNull {
                expr: sub(expr),
                negated: *negated,
            },
            Expr::InList {
                expr,
                list,
                negated,
            } => Expr::InList {
                expr: sub(expr),
                list: list.iter().map(|e| self.substitute_aliases(e)).collect(),
                negated: *negated,
            },
            Expr::Function { func, args } => Expr::Function {
                func: *func,
                args: args.iter().map(|e| self.substitute_aliases(e)).collect(),
            },
            other => other.clone(),
        }
    }

    // ---- expressions -------------------------------------------------

    fn compile(&mut self, expr: &Expr, scope: Scope) -> Result<Compiled, BtqlError> {
        match expr {
            Expr::Field(path) => self.field(path, scope.table),
            Expr::Literal(lit) => Ok(Compiled::constant(match lit {
                Literal::Null => Const::Null,
                Literal::Bool(b) => Const::Bool(*b),
                Literal::Integer(n) => Const::Integer(*n),
                Literal::Float(x) => Const::Float(*x),
                Literal::String(s) => Const::Text(s.clone()),
            })),
            Expr::Star => Err(BtqlError::invalid(
                "`*` is only allowed as a select item and in count(*)",
            )),
            Expr::Interval { amount, unit } => {
                let seconds = amount * unit.seconds();
                if !seconds.is_finite() {
                    return Err(BtqlError::invalid("the interval is out of range"));
                }
                Ok(Compiled::constant(Const::Interval(seconds)))
            }
            Expr::Unary { op, expr } => {
                let inner = self.compile(expr, scope)?;
                match op {
                    UnaryOp::Not => {
                        let sql = self.emit(&inner);
                        Ok(Compiled::sql(format!("(NOT {sql})"), Ty::Bool))
                    }
                    UnaryOp::Neg => match inner.konst() {
                        Some(Const::Integer(n)) if *n != i64::MIN => {
                            Ok(Compiled::constant(Const::Integer(-n)))
                        }
                        Some(Const::Float(x)) => Ok(Compiled::constant(Const::Float(-x))),
                        Some(Const::Interval(x)) => Ok(Compiled::constant(Const::Interval(-x))),
                        _ if inner.ty == Ty::Time => {
                            Err(BtqlError::invalid("a timestamp cannot be negated"))
                        }
                        _ => {
                            let ty = if inner.ty == Ty::Interval {
                                Ty::Interval
                            } else {
                                Ty::Number
                            };
                            let sql = self.emit(&inner);
                            Ok(Compiled::sql(format!("(-{sql})"), ty))
                        }
                    },
                }
            }
            Expr::Binary { op, left, right } => {
                let left = self.compile(left, scope)?;
                let right = self.compile(right, scope)?;
                self.binary(*op, left, right)
            }
            Expr::IsNull { expr, negated } => {
                // `error IS NULL` reads the hot `is_error` column.
                if matches!(self.table, Table::Spans(_)) && **expr == Expr::field(["error"]) {
                    let t = scope.table;
                    let sql = if *negated {
                        format!("({t}.is_error != 0)")
                    } else {
                        format!("({t}.is_error = 0)")
                    };
                    return Ok(Compiled::sql(sql, Ty::Bool));
                }
                let inner = self.compile(expr, scope)?;
                let sql = self.emit(&inner);
                let not = if *negated { "NOT " } else { "" };
                Ok(Compiled::sql(format!("({sql} IS {not}NULL)"), Ty::Bool))
            }
            Expr::InList {
                expr,
                list,
                negated,
            } => {
                if list.is_empty() {
                    return Err(BtqlError::invalid("IN needs at least one value"));
                }
                let inner = self.compile(expr, scope)?;
                let mut items = Vec::new();
                for item in list {
                    let compiled = self.compile(item, scope)?;
                    let (_, item) = self.coerce_pair(inner.clone(), compiled);
                    items.push(self.emit(&item));
                }
                let sql = self.emit(&inner);
                let not = if *negated { "NOT " } else { "" };
                Ok(Compiled::sql(
                    format!("({sql} {not}IN ({}))", items.join(", ")),
                    Ty::Bool,
                ))
            }
            Expr::Function { func, args } => self.function(*func, args, scope),
        }
    }

    /// Makes two sides comparable: text that reads as a timestamp next to
    /// a timestamp becomes one (so `created > '2024-05-01'` compares
    /// times, not strings), and a timestamp next to a number (unix seconds,
    /// like `metrics.start`) becomes seconds.
    fn coerce_pair(&mut self, left: Compiled, right: Compiled) -> (Compiled, Compiled) {
        let as_time = |c: &Compiled| -> Option<Compiled> {
            match c.konst() {
                Some(Const::Text(text)) => {
                    parse_timestamp(text).map(|t| Compiled::constant(Const::Time(t)))
                }
                _ => None,
            }
        };
        match (left.ty, right.ty) {
            (Ty::Time, Ty::Text) => {
                let right = as_time(&right).unwrap_or(right);
                (left, right)
            }
            (Ty::Text, Ty::Time) => {
                let left = as_time(&left).unwrap_or(left);
                (left, right)
            }
            (Ty::Time, Ty::Number) => (self.seconds(left), right),
            (Ty::Number, Ty::Time) => {
                let right = self.seconds(right);
                (left, right)
            }
            (Ty::Interval, _) | (_, Ty::Interval) => (self.plain(left), self.plain(right)),
            _ => (left, right),
        }
    }

    /// A timestamp as unix seconds.
    fn seconds(&mut self, time: Compiled) -> Compiled {
        match time.konst() {
            Some(Const::Time(t)) => Compiled::constant(Const::Float(*t)),
            _ => {
                let sql = self.emit(&time);
                Compiled::sql(format!("btql_unix({sql})"), Ty::Number)
            }
        }
    }

    /// An interval as a plain number of seconds.
    fn plain(&mut self, c: Compiled) -> Compiled {
        match c.konst() {
            Some(Const::Interval(x)) => Compiled::constant(Const::Float(*x)),
            _ if c.ty == Ty::Interval => Compiled {
                ty: Ty::Number,
                ..c
            },
            _ => c,
        }
    }

    fn binary(
        &mut self,
        op: BinaryOp,
        left: Compiled,
        right: Compiled,
    ) -> Result<Compiled, BtqlError> {
        use BinaryOp::*;
        match op {
            And | Or => {
                let (l, r) = (self.emit(&left), self.emit(&right));
                Ok(Compiled::sql(
                    format!("({l} {} {r})", op.symbol()),
                    Ty::Bool,
                ))
            }
            Eq | NotEq | Lt | LtEq | Gt | GtEq => {
                let (left, right) = self.coerce_pair(left, right);
                let (l, r) = (self.emit(&left), self.emit(&right));
                Ok(Compiled::sql(
                    format!("({l} {} {r})", op.symbol()),
                    Ty::Bool,
                ))
            }
            Like | ILike => {
                let f = if op == Like {
                    "btql_like"
                } else {
                    "btql_ilike"
                };
                let (l, r) = (self.emit(&left), self.emit(&right));
                Ok(Compiled::sql(format!("{f}({l}, {r})"), Ty::Bool))
            }
            Match => {
                let (f, l) = if left.is_json() {
                    ("btql_match_json", self.emit_json(&left))
                } else {
                    ("btql_match_text", self.emit(&left))
                };
                let r = self.emit(&right);
                Ok(Compiled::sql(format!("{f}({l}, {r})"), Ty::Bool))
            }
            Includes => {
                let l = self.emit_json(&left);
                let r = self.emit(&right);
                Ok(Compiled::sql(format!("btql_includes({l}, {r})"), Ty::Bool))
            }
            Regex => {
                if let Some(Const::Text(pattern)) = right.konst() {
                    compile_regex(pattern).map_err(BtqlError::Invalid)?;
                }
                let (l, r) = (self.emit(&left), self.emit(&right));
                Ok(Compiled::sql(format!("btql_regexp({r}, {l})"), Ty::Bool))
            }
            Add | Sub | Mul | Div => self.arithmetic(op, left, right),
        }
    }

    fn arithmetic(
        &mut self,
        op: BinaryOp,
        left: Compiled,
        right: Compiled,
    ) -> Result<Compiled, BtqlError> {
        use BinaryOp::*;
        let (lc, rc) = (left.konst().cloned(), right.konst().cloned());
        match (left.ty, op, right.ty) {
            (Ty::Time, Add | Sub, Ty::Interval) | (Ty::Interval, Add, Ty::Time) => {
                let (time, interval, lc, rc) = if left.ty == Ty::Time {
                    (left, right, lc, rc)
                } else {
                    (right, left, rc, lc)
                };
                let sign = if op == Sub { -1.0 } else { 1.0 };
                if let (Some(Const::Time(t)), Some(Const::Interval(d))) = (lc, rc) {
                    return Ok(Compiled::constant(Const::Time(t + sign * d)));
                }
                let t = self.emit(&time);
                let d = self.emit(&interval);
                let d = if op == Sub { format!("(-{d})") } else { d };
                Ok(Compiled::sql(format!("btql_time_add({t}, {d})"), Ty::Time))
            }
            (Ty::Time, Sub, Ty::Time) => {
                let (l, r) = (self.seconds(left), self.seconds(right));
                self.arithmetic(Sub, l, r)
            }
            (Ty::Time, _, _) | (_, _, Ty::Time) => Err(BtqlError::invalid(format!(
                "a timestamp cannot be used with `{}` here; add or subtract an interval \
                 (created > now() - interval 1 day)",
                op.symbol()
            ))),
            (Ty::Interval, Add | Sub, Ty::Interval)
            | (Ty::Interval, Mul | Div, Ty::Number)
            | (Ty::Number, Mul, Ty::Interval) => {
                if let (Some(a), Some(b)) = (&lc, &rc) {
                    let a = a.number().or(match a {
                        Const::Interval(x) => Some(*x),
                        _ => None,
                    });
                    let b = b.number().or(match b {
                        Const::Interval(x) => Some(*x),
                        _ => None,
                    });
                    if let (Some(a), Some(b)) = (a, b) {
                        let value = match op {
                            Add => a + b,
                            Sub => a - b,
                            Mul => a * b,
                            _ => a / b,
                        };
                        if value.is_finite() {
                            return Ok(Compiled::constant(Const::Interval(value)));
                        }
                    }
                }
                let (l, r) = (self.plain(left), self.plain(right));
                let mut out = self.arithmetic(op, l, r)?;
                out.ty = Ty::Interval;
                Ok(out)
            }
            _ => {
                let (left, right) = (self.plain(left), self.plain(right));
                let (l, r) = (self.emit(&left), self.emit(&right));
                let sql = if op == Div {
                    // SQLite divides integers as integers; BTQL does not.
                    format!("({l} * 1.0 / {r})")
                } else {
                    format!("({l} {} {r})", op.symbol())
                };
                Ok(Compiled::sql(sql, Ty::Number))
            }
        }
    }

    fn function(
        &mut self,
        func: Function,
        args: &[Expr],
        scope: Scope,
    ) -> Result<Compiled, BtqlError> {
        check_call(func, args).map_err(BtqlError::Invalid)?;
        let mut inner = scope;
        if func.is_aggregate() {
            if let Some(reason) = scope.no_aggregates {
                return Err(BtqlError::invalid(format!(
                    "the aggregate function {} is not allowed {reason}",
                    func.name()
                )));
            }
            if scope.in_aggregate {
                return Err(BtqlError::invalid(format!(
                    "the aggregate function {} cannot be used inside another aggregate",
                    func.name()
                )));
            }
            inner.in_aggregate = true;
        }
        match func {
            Function::Now => Ok(Compiled::constant(Const::Time(self.options.now))),
            Function::Count => {
                let counts_rows = match &args[0] {
                    Expr::Star => true,
                    Expr::Literal(lit) => *lit != Literal::Null,
                    _ => false,
                };
                if counts_rows {
                    return Ok(Compiled::sql("count(*)".to_owned(), Ty::Number));
                }
                let arg = self.compile(&args[0], inner)?;
                let sql = self.emit(&arg);
                Ok(Compiled::sql(format!("count({sql})"), Ty::Number))
            }
            Function::CountDistinct => {
                let arg = self.compile(&args[0], inner)?;
                let sql = self.emit(&arg);
                Ok(Compiled::sql(format!("count(DISTINCT {sql})"), Ty::Number))
            }
            Function::Sum | Function::Avg | Function::Min | Function::Max => {
                let arg = self.compile(&args[0], inner)?;
                let ty = match func {
                    Function::Min | Function::Max => arg.ty,
                    _ if arg.ty == Ty::Time => {
                        return Err(BtqlError::invalid(format!(
                            "{} cannot add up timestamps",
                            func.name()
                        )))
                    }
                    _ => Ty::Number,
                };
                let arg = self.plain(arg);
                let sql = self.emit(&arg);
                let ty = if ty == Ty::Any || ty == Ty::Null {
                    Ty::Any
                } else {
                    ty
                };
                Ok(Compiled::sql(format!("{}({sql})", func.name()), ty))
            }
            Function::Percentile => {
                let p = check_percentile(&args[1]).map_err(BtqlError::Invalid)?;
                let arg = self.compile(&args[0], inner)?;
                let arg = self.plain(arg);
                let sql = self.emit(&arg);
                let p = self.bind(SqlValue::Real(p));
                Ok(Compiled::sql(
                    format!("btql_percentile({sql}, {p})"),
                    Ty::Number,
                ))
            }
            Function::Lower | Function::Upper => {
                let arg = self.compile(&args[0], inner)?;
                let sql = self.emit(&arg);
                Ok(Compiled::sql(
                    format!("btql_{}({sql})", func.name()),
                    Ty::Text,
                ))
            }
            Function::Concat => {
                let mut parts = Vec::new();
                for arg in args {
                    let compiled = self.compile(arg, inner)?;
                    parts.push(self.emit(&compiled));
                }
                Ok(Compiled::sql(
                    format!("concat({})", parts.join(", ")),
                    Ty::Text,
                ))
            }
            Function::Coalesce => {
                let mut parts = Vec::new();
                let mut ty = None;
                for arg in args {
                    let compiled = self.compile(arg, inner)?;
                    if compiled.ty != Ty::Null {
                        ty.get_or_insert(compiled.ty);
                    }
                    parts.push(self.emit(&compiled));
                }
                let ty = ty.unwrap_or(Ty::Null);
                if let [only] = parts.as_slice() {
                    return Ok(Compiled::sql(only.clone(), ty));
                }
                Ok(Compiled::sql(format!("coalesce({})", parts.join(", ")), ty))
            }
            Function::Len => {
                let arg = self.compile(&args[0], inner)?;
                let json = self.emit_json(&arg);
                Ok(Compiled::sql(format!("btql_len({json})"), Ty::Number))
            }
            Function::DateTrunc => {
                let unit = check_trunc_unit(&args[0]).map_err(BtqlError::Invalid)?;
                let arg = self.compile(&args[1], inner)?;
                if let Some(Const::Time(t)) = arg.konst() {
                    return Ok(Compiled::constant(Const::Time(unit.truncate(*t))));
                }
                let Expr::Literal(Literal::String(name)) = &args[0] else {
                    unreachable!("check_trunc_unit accepted it")
                };
                let unit = self.bind_text(&name.to_ascii_lowercase());
                let sql = self.emit(&arg);
                Ok(Compiled::sql(
                    format!("btql_date_trunc({unit}, {sql})"),
                    Ty::Time,
                ))
            }
        }
    }

    /// A field path, read from the hot column that holds it when there is
    /// one, else from a JSON column through a bound JSON path.
    fn field(&mut self, path: &FieldPath, t: &'static str) -> Result<Compiled, BtqlError> {
        let Some(root) = path.root() else {
            return Err(BtqlError::invalid(
                "a field path must start with a field name",
            ));
        };
        let rest = &path.segments[1..];
        if self.table == Table::DatasetRows {
            return dataset_field(root, rest, path, t);
        }
        let key = |i: usize| match rest.get(i) {
            Some(PathSegment::Key(k)) => Some(k.as_str()),
            _ => None,
        };
        let hot = |sql: String, ty: Ty| Ok(Compiled::sql(sql, ty));
        match (root, rest.len()) {
            ("id" | "span_id" | "root_span_id", 0) => return hot(format!("{t}.{root}"), Ty::Text),
            ("created", 0) => return hot(format!("{t}.created"), Ty::Time),
            ("is_root", 0) => return hot(format!("({t}.parent_span_id IS NULL)"), Ty::Bool),
            ("id" | "span_id" | "root_span_id" | "created" | "is_root", _) => {
                return Err(BtqlError::invalid(format!(
                    "`{root}` is a single value and has no field `{}`",
                    path_tail(path)
                )))
            }
            ("span_attributes", 1) if key(0) == Some("name") => {
                return hot(format!("{t}.name"), Ty::Text)
            }
            ("span_attributes", 1) if key(0) == Some("type") => {
                return hot(format!("{t}.type"), Ty::Text)
            }
            ("metrics", 1) if key(0) == Some("start") => {
                return hot(format!("{t}.start_time"), Ty::Number)
            }
            ("metrics", 1) if key(0) == Some("end") => {
                return hot(format!("{t}.end_time"), Ty::Number)
            }
            _ => {}
        }
        if !JSON_COLUMNS.contains(&root) {
            return Err(BtqlError::invalid(unknown_field(root)));
        }
        let summary = self.query.source.shape == Shape::Summary && t == "s";
        if summary && root == "metrics" {
            match rest {
                [] => {
                    let object = self.summary_metrics_object(t);
                    return Ok(Compiled::json(JsonField::Text(object)));
                }
                [PathSegment::Key(metric)] if SUMMARY_METRICS.contains(&metric.as_str()) => {
                    let sql = self.summary_metric(metric, t);
                    return Ok(Compiled::sql(sql, Ty::Number));
                }
                _ => {}
            }
        }
        Ok(json_field(root, rest, t))
    }

    /// A correlated subquery computing one summary metric of the trace
    /// whose root is row `t` (one indexed lookup per row).
    fn summary_metric(&mut self, metric: &str, t: &str) -> String {
        // `+` keeps SQLite on the `(root_span_id, span_id)` index: the
        // other terms would tempt it into scanning the project's spans.
        let scope = format!(
            "FROM spans a WHERE a.object_type = {t}.object_type \
             AND a.root_span_id = {t}.root_span_id AND +a.project = {t}.project"
        );
        let of_type = |planner: &mut Self, ty: &str| {
            let ty = planner.bind_text(ty);
            format!("{scope} AND +a.type = {ty}")
        };
        let tokens = |planner: &mut Self, name: &str| {
            let path = planner.bind_text(&format!("$.{name}"));
            format!("coalesce(json_extract(a.metrics, {path}), 0)")
        };
        match metric {
            "prompt_tokens" | "completion_tokens" => {
                let sum = tokens(self, metric);
                let from = of_type(self, "llm");
                format!("(SELECT coalesce(sum({sum}), 0) {from})")
            }
            "tokens" => {
                let prompt = tokens(self, "prompt_tokens");
                let completion = tokens(self, "completion_tokens");
                let from = of_type(self, "llm");
                format!("(SELECT coalesce(sum({prompt} + {completion}), 0) {from})")
            }
            "llm_calls" => format!("(SELECT count(*) {})", of_type(self, "llm")),
            "tool_calls" => format!("(SELECT count(*) {})", of_type(self, "tool")),
            "errors" => format!("(SELECT count(*) {scope} AND a.is_error != 0)"),
            "span_count" => format!("(SELECT count(*) {scope})"),
            _ => format!("({t}.end_time - {t}.start_time)"),
        }
    }

    /// The summary row's `metrics`: the root's metrics with the trace's
    /// totals merged in.
    fn summary_metrics_object(&mut self, t: &str) -> String {
        let mut pairs = Vec::new();
        for metric in SUMMARY_METRICS {
            let key = self.bind_text(metric);
            let value = self.summary_metric(metric, t);
            pairs.push(format!("{key}, {value}"));
        }
        format!("json_patch({t}.metrics, json_object({}))", pairs.join(", "))
    }
}

/// `root` (a JSON column) at the path `rest` below it.
fn json_field(root: &str, rest: &[PathSegment], t: &str) -> Compiled {
    let mut json_path = String::from("$");
    for segment in rest {
        match segment {
            // SQLite reads a quoted path label as a JSON string, escapes
            // and all, so any key can be addressed.
            PathSegment::Key(k) => {
                json_path.push('.');
                json_path.push_str(&serde_json::to_string(k).expect("strings serialize"));
            }
            PathSegment::Index(i) if *i < 0 => {
                json_path.push_str(&format!("[#{i}]"));
            }
            PathSegment::Index(i) => json_path.push_str(&format!("[{i}]")),
        }
    }
    Compiled::json(JsonField::Path {
        column: format!("{t}.{root}"),
        path: (!rest.is_empty()).then_some(json_path),
    })
}

/// A field of a dataset row: `id` and `created` are columns, the rest JSON.
fn dataset_field(
    root: &str,
    rest: &[PathSegment],
    path: &FieldPath,
    t: &str,
) -> Result<Compiled, BtqlError> {
    match (root, rest.len()) {
        ("id", 0) => Ok(Compiled::sql(format!("{t}.id"), Ty::Text)),
        ("created", 0) => Ok(Compiled::sql(format!("{t}.created"), Ty::Time)),
        ("id" | "created", _) => Err(BtqlError::invalid(format!(
            "`{root}` is a single value and has no field `{}`",
            path_tail(path)
        ))),
        _ if DATASET_JSON_COLUMNS.contains(&root) => Ok(json_field(root, rest, t)),
        _ => Err(BtqlError::invalid(format!(
            "unknown field `{root}` for a dataset; dataset rows have {}",
            DATASET_COLUMNS.join(", ")
        ))),
    }
}

/// Whether `filter` requires `span_attributes.name` to equal a constant
/// (as one of its top-level AND terms).
fn names_a_span(filter: &Expr) -> bool {
    let name = Expr::field(["span_attributes", "name"]);
    let mut terms = vec![filter];
    while let Some(term) = terms.pop() {
        match term {
            Expr::Binary {
                op: BinaryOp::And,
                left,
                right,
            } => terms.extend([&**left, &**right]),
            Expr::Binary {
                op: BinaryOp::Eq,
                left,
                right,
            } => {
                let constant = |e: &Expr| matches!(e, Expr::Literal(Literal::String(_)));
                if (**left == name && constant(right)) || (**right == name && constant(left)) {
                    return true;
                }
            }
            _ => {}
        }
    }
    false
}

/// Every expression in the query, for the depth check.
fn query_exprs(query: &Query) -> Vec<&Expr> {
    let mut exprs: Vec<&Expr> = query
        .select
        .iter()
        .filter_map(|item| match item {
            SelectItem::Expr { expr, .. } => Some(expr),
            SelectItem::Star => None,
        })
        .collect();
    exprs.extend(&query.filter);
    exprs.extend(&query.group_by);
    exprs.extend(&query.having);
    exprs.extend(query.order_by.iter().map(|o| &o.expr));
    exprs
}

/// In an aggregate query, a field may only appear inside an aggregate or
/// as (part of) a GROUP BY expression.
fn check_grouped(expr: &Expr, groups: &[Expr]) -> Result<(), BtqlError> {
    if groups.contains(expr) {
        return Ok(());
    }
    match expr {
        Expr::Field(path) => Err(BtqlError::invalid(format!(
            "`{path}` must be in GROUP BY (dimensions) or inside an aggregate function such as \
             count or avg"
        ))),
        Expr::Function { func, .. } if func.is_aggregate() => Ok(()),
        other => other
            .children()
            .into_iter()
            .try_for_each(|child| check_grouped(child, groups)),
    }
}

/// The key an unnamed select item gets: a field's last key, a function's
/// name, or the expression's text.
fn default_key(expr: &Expr) -> String {
    match expr {
        Expr::Field(path) => path.last_key().unwrap_or("value").to_owned(),
        Expr::Function { func, .. } => func.name().to_owned(),
        other => other.to_string(),
    }
}

/// A path without its first key, for messages.
fn path_tail(path: &FieldPath) -> String {
    FieldPath {
        segments: path.segments[1..].to_vec(),
    }
    .to_string()
}
