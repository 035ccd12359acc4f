//! Hostile input: arbitrary text and arbitrary syntax trees go through the
//! parser, the planner and SQLite. Nothing may panic, and the only thing
//! that reaches SQLite is one read-only SELECT over `spans` (or
//! `dataset_rows`, for `dataset('…')`): an authorizer
//! on the connection refuses (and records) every other action — writes,
//! PRAGMA, ATTACH, reads of other tables. Injection payloads in every
//! place a query carries a string leave the store exactly as it was.

use std::cell::{Cell, RefCell};
use std::collections::BTreeSet;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use rusqlite::hooks::{AuthAction, AuthContext, Authorization};
use rusqlite::Connection;
use trellis_trace::btql::ast::{
    BinaryOp, Expr, FieldPath, Function, IntervalUnit, Literal, OrderBy, PathSegment, Query,
    SelectItem, Shape, Source, SourceKind, UnaryOp, RECORD_FIELDS,
};
use trellis_trace::btql::{self, BtqlError, PlanOptions};
use trellis_trace::TraceStore;

use super::fixture::{fixture, Fixture, NOW};

/// Strings that try to break out of wherever they are put.
const PAYLOADS: &[&str] = &[
    "'); DROP TABLE spans; --",
    "' OR 1=1 --",
    "x' OR 'a'='a",
    "\" OR \"\"=\"",
    "*/ DELETE FROM spans /*",
    "/* comment */",
    "-- comment",
    "; PRAGMA writable_schema = 1; --",
    "'; ATTACH DATABASE 'evil.db' AS evil; --",
    "') UNION SELECT sql, 1, 2 FROM sqlite_master --",
    "$.a\"] , (\"x",
    "?1",
    "%",
    "\\",
    "\0",
    "DROP TABLE spans",
    "VACUUM INTO 'copy.db'",
];

/// Records every action SQLite is asked to allow that is not reading the
/// `spans` or `dataset_rows` table in a SELECT, and refuses it.
fn guarded_connection(path: &Path) -> (Connection, Arc<Mutex<Vec<String>>>) {
    let conn = TraceStore::open_read_only(path).unwrap();
    let refused = Arc::new(Mutex::new(Vec::new()));
    let log = refused.clone();
    conn.authorizer(Some(move |ctx: AuthContext<'_>| match ctx.action {
        AuthAction::Select | AuthAction::Function { .. } | AuthAction::Recursive => {
            Authorization::Allow
        }
        AuthAction::Read {
            table_name: "spans" | "dataset_rows",
            ..
        } => Authorization::Allow,
        other => {
            log.lock().unwrap().push(format!("{other:?}"));
            Authorization::Deny
        }
    }));
    (conn, refused)
}

/// What must not change: rows, schema, files.
#[derive(Debug, PartialEq)]
struct Snapshot {
    rows: i64,
    schema: Vec<String>,
    files: BTreeSet<String>,
}

fn snapshot(f: &Fixture) -> Snapshot {
    let reader = f.store.reader().unwrap();
    let rows = reader
        .query_row(
            "SELECT (SELECT count(*) FROM spans) + (SELECT count(*) FROM dataset_rows) \
             + (SELECT count(*) FROM datasets) + (SELECT count(*) FROM experiments)",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let mut stmt = reader
        .prepare("SELECT type || ' ' || name FROM sqlite_master ORDER BY 1")
        .unwrap();
    let schema = stmt
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let files = std::fs::read_dir(f.dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| !name.ends_with("-wal") && !name.ends_with("-shm"))
        .collect();
    Snapshot {
        rows,
        schema,
        files,
    }
}

/// How far a query got.
#[derive(Debug, Default)]
struct Reached {
    parsed: usize,
    planned: usize,
    ran: usize,
}

/// Plans `query` and, if it plans, runs it on the guarded connection;
/// checks the SQL text and that SQLite refused nothing.
fn plan_and_run(
    query: &Query,
    conn: &Connection,
    refused: &Mutex<Vec<String>>,
    reached: &RefCell<Reached>,
) -> Result<(), TestCaseError> {
    let options = PlanOptions {
        now: NOW,
        default_limit: 50,
        max_limit: 100,
    };
    let Ok(plan) = btql::plan(query, &options) else {
        return Ok(());
    };
    reached.borrow_mut().planned += 1;
    let sql = plan.sql();
    prop_assert!(sql.starts_with("SELECT "), "not a SELECT: {sql}");
    // Values are parameters, never text in the SQL.
    for forbidden in ["'", ";", "--", "/*", "\""] {
        prop_assert!(!sql.contains(forbidden), "`{forbidden}` in {sql}");
    }
    match btql::run_plan(conn, &plan, Duration::from_secs(2)) {
        Ok(_) => reached.borrow_mut().ran += 1,
        Err(BtqlError::Internal(e)) => {
            return Err(TestCaseError::fail(format!("internal error {e} for {sql}")))
        }
        // Other errors are answers (a bad regex in the data, an overflow).
        Err(_) => {}
    }
    let refused = std::mem::take(&mut *refused.lock().unwrap());
    prop_assert!(
        refused.is_empty(),
        "SQLite was asked for {refused:?} by {sql}"
    );
    Ok(())
}

fn runner(cases: u32) -> TestRunner {
    TestRunner::new(Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    })
}

/// Query-like text: fragments of both dialects, payloads and noise.
fn query_text() -> impl Strategy<Value = String> {
    let fragment = prop_oneof![
        8 => prop::sample::select(vec![
            "SELECT", "FROM", "WHERE", "GROUP BY", "HAVING", "ORDER BY", "LIMIT", "OFFSET",
            "AS", "AND", "OR", "NOT", "IS", "NULL", "IN", "LIKE", "ILIKE", "MATCH", "INCLUDES",
            "CONTAINS", "REGEXP", "~", "!~", "TRUE", "interval", "24", "hour", "'24 hours'",
            "ASC", "DESC", "*", "(", ")", ",", ".", "[", "]", "=", "!=", "<>", "<", "<=", ">",
            ">=", "+", "-", "/", "|", ":", "=>", ";", "--", "/*", "*/", "select:", "from:",
            "filter:", "sort:", "limit:", "cursor:", "dimensions:", "measures:",
            "project_logs('trellis-demo')", "project_logs('trellis-demo', shape => 'summary')",
            "project_logs('trellis-demo', shape => 'traces')", "traces", "summary",
            "dataset('d')", "span_attributes.name", "span_attributes.type", "created",
            "output.patient_query", "metrics.start", "metrics.end", "metrics.tokens",
            "scores.health_risk", "tags", "input", "output", "output.turns[0].query", "tags[-1]",
            "metadata.\"provider.name\"", "error", "is_root", "count(*)", "count", "avg",
            "percentile", "0.95", "sum", "lower", "upper", "concat", "coalesce", "len", "now()",
            "date_trunc", "'day'", "'client_conversation'", "'tool'", "1", "0.5", "-3",
            "1e400", "'%a%'", "'(?i)^p'",
        ]).prop_map(str::to_owned),
        2 => prop::sample::select(PAYLOADS).prop_map(|p| format!("'{}'", p.replace('\'', "''"))),
        1 => prop::sample::select(PAYLOADS).prop_map(str::to_owned),
        1 => "\\PC{0,6}",
    ];
    let soup = prop::collection::vec(fragment.clone(), 0..14).prop_map(|parts| parts.join(" "));
    // A printed tree with a fragment spliced in somewhere: nearly valid,
    // so it reaches deep into the parser.
    let mutated =
        (query(), fragment, any::<prop::sample::Index>()).prop_map(|(query, fragment, at)| {
            let text = query.to_string();
            let boundaries: Vec<usize> = text
                .char_indices()
                .map(|(i, _)| i)
                .chain([text.len()])
                .collect();
            let at = boundaries[at.index(boundaries.len())];
            format!("{} {fragment} {}", &text[..at], &text[at..])
        });
    prop_oneof![
        3 => query().prop_map(|q| q.to_string()),
        2 => query().prop_filter_map("grouped", |q| pipe_text(&q)),
        3 => mutated,
        2 => any::<String>(),
        3 => soup.clone(),
        4 => (soup.clone(), soup.clone()).prop_map(|(a, b)| {
            format!("SELECT {a} FROM project_logs('trellis-demo') WHERE {b}")
        }),
        2 => (soup.clone(), soup).prop_map(|(a, b)| {
            format!("select: {a} | from: project_logs('trellis-demo') | filter: {b}")
        }),
    ]
}

/// The pipe-dialect text of a query without GROUP BY or HAVING.
fn pipe_text(q: &Query) -> Option<String> {
    if !q.group_by.is_empty() || q.having.is_some() || q.select.is_empty() {
        return None;
    }
    let list = |items: Vec<String>| items.join(", ");
    let mut clauses = vec![
        format!(
            "select: {}",
            list(q.select.iter().map(ToString::to_string).collect())
        ),
        format!(
            "from: {}('{}') {}",
            q.source.kind.as_str(),
            q.source.name.replace('\'', "''"),
            q.source.shape.as_str()
        ),
    ];
    if let Some(filter) = &q.filter {
        clauses.push(format!("filter: {filter}"));
    }
    if !q.order_by.is_empty() {
        let keys = q
            .order_by
            .iter()
            .map(|o| format!("{} {}", o.expr, if o.descending { "desc" } else { "asc" }))
            .collect();
        clauses.push(format!("sort: {}", list(keys)));
    }
    if let Some(limit) = q.limit {
        clauses.push(format!("limit: {limit}"));
    }
    if let Some(cursor) = &q.cursor {
        clauses.push(format!("cursor: '{}'", cursor.replace('\'', "''")));
    }
    Some(clauses.join(" | "))
}

#[test]
fn arbitrary_text_never_panics_and_reaches_sqlite_only_as_a_select() {
    let f = fixture();
    let before = snapshot(&f);
    let (conn, refused) = guarded_connection(f.store.path());
    let reached = RefCell::new(Reached::default());
    let mut runner = runner(8000);
    let result = runner.run(&query_text(), |text| {
        if let Ok(query) = text.parse::<Query>() {
            reached.borrow_mut().parsed += 1;
            plan_and_run(&query, &conn, &refused, &reached)?;
        }
        Ok(())
    });
    if let Err(e) = result {
        panic!("{e}");
    }
    assert_eq!(snapshot(&f), before);
    let reached = reached.into_inner();
    println!("text: {reached:?}");
    assert!(reached.ran >= 250, "too few texts ran: {reached:?}");
}

fn text_value() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => prop::sample::select(PAYLOADS).prop_map(str::to_owned),
        3 => prop::sample::select(vec![
            "client_conversation", "tool", "llm", "calculate_clinical_metrics", "production",
            "thirst", "%metformin%", "^T", "day", "hour", "",
        ]).prop_map(str::to_owned),
        2 => "\\PC{0,12}",
    ]
}

fn field() -> impl Strategy<Value = FieldPath> {
    let root = prop_oneof![
        30 => prop::sample::select(RECORD_FIELDS).prop_map(str::to_owned),
        1 => text_value(),
    ];
    let segment = prop_oneof![
        4 => prop::sample::select(vec![
            "name", "type", "start", "end", "tokens", "errors", "patient_query", "turns",
            "query", "bmi", "health_risk", "clinical_completeness", "provider.name",
        ]).prop_map(|k| PathSegment::Key(k.to_owned())),
        2 => text_value().prop_map(PathSegment::Key),
        2 => (-3i64..3).prop_map(PathSegment::Index),
        1 => any::<i64>().prop_map(PathSegment::Index),
    ];
    (root, prop::collection::vec(segment, 0..3), any::<bool>()).prop_map(|(root, rest, deep)| {
        let mut segments = vec![PathSegment::Key(root.clone())];
        // Mostly paths that exist: the single-value fields have no keys.
        let scalar = ["id", "span_id", "root_span_id", "created", "is_root"];
        if deep || !scalar.contains(&root.as_str()) {
            segments.extend(rest);
        }
        FieldPath { segments }
    })
}

fn literal() -> impl Strategy<Value = Literal> {
    prop_oneof![
        Just(Literal::Null),
        any::<bool>().prop_map(Literal::Bool),
        prop_oneof![-5i64..5, any::<i64>()].prop_map(Literal::Integer),
        any::<f64>()
            .prop_filter("finite", |x| x.is_finite())
            .prop_map(Literal::Float),
        text_value().prop_map(Literal::String),
    ]
}

fn expr() -> impl Strategy<Value = Expr> {
    let leaf = prop_oneof![
        20 => field().prop_map(Expr::Field),
        12 => literal().prop_map(Expr::Literal),
        1 => Just(Expr::Star),
        2 => (0.0..1e6f64, prop::sample::select(IntervalUnit::ALL.to_vec()))
            .prop_map(|(amount, unit)| Expr::Interval { amount, unit }),
    ];
    let binary_ops = vec![
        BinaryOp::Or,
        BinaryOp::And,
        BinaryOp::Eq,
        BinaryOp::NotEq,
        BinaryOp::Lt,
        BinaryOp::LtEq,
        BinaryOp::Gt,
        BinaryOp::GtEq,
        BinaryOp::Like,
        BinaryOp::ILike,
        BinaryOp::Match,
        BinaryOp::Includes,
        BinaryOp::Regex,
        BinaryOp::Add,
        BinaryOp::Sub,
        BinaryOp::Mul,
        BinaryOp::Div,
    ];
    leaf.prop_recursive(4, 24, 4, move |inner| {
        prop_oneof![
            1 => (prop::sample::select(vec![UnaryOp::Not, UnaryOp::Neg]), inner.clone())
                .prop_map(|(op, e)| Expr::Unary { op, expr: Box::new(e) }),
            4 => (prop::sample::select(binary_ops.clone()), inner.clone(), inner.clone()).prop_map(
                |(op, l, r)| Expr::Binary {
                    op,
                    left: Box::new(l),
                    right: Box::new(r),
                }
            ),
            1 => (inner.clone(), any::<bool>()).prop_map(|(e, negated)| Expr::IsNull {
                expr: Box::new(e),
                negated,
            }),
            1 => (inner.clone(), prop::collection::vec(inner.clone(), 0..4), any::<bool>()).prop_map(
                |(e, list, negated)| Expr::InList {
                    expr: Box::new(e),
                    list,
                    negated,
                }
            ),
            3 => (prop::sample::select(Function::ALL.to_vec()), prop::collection::vec(inner.clone(), 0..4), any::<bool>())
                .prop_map(|(func, mut args, fix)| {
                    // Mostly calls that are well formed, so planning goes on.
                    if fix {
                        let (min, max) = func.arity();
                        args.truncate(max.min(3));
                        while args.len() < min {
                            args.push(Expr::field(["metrics", "start"]));
                        }
                        match func {
                            Function::Percentile => args[1] = Expr::Literal(Literal::Float(0.5)),
                            Function::DateTrunc => {
                                args[0] = Expr::Literal(Literal::String("day".into()))
                            }
                            _ => {}
                        }
                    }
                    Expr::Function { func, args }
                }),
        ]
    })
}

fn query() -> impl Strategy<Value = Query> {
    let item = prop_oneof![
        1 => Just(SelectItem::Star),
        5 => (expr(), prop::option::of(text_value()))
            .prop_map(|(expr, alias)| SelectItem::Expr { expr, alias }),
    ];
    let source = (
        prop_oneof![
            18 => Just(SourceKind::ProjectLogs),
            1 => Just(SourceKind::Dataset),
            1 => Just(SourceKind::Experiment),
        ],
        prop_oneof![3 => Just("trellis-demo".to_owned()), 1 => text_value()],
        prop::sample::select(vec![Shape::Spans, Shape::Traces, Shape::Summary]),
    )
        .prop_map(|(kind, name, shape)| Source { kind, name, shape });
    let order = (expr(), any::<bool>()).prop_map(|(expr, descending)| OrderBy { expr, descending });
    (
        prop::collection::vec(item, 1..4),
        source,
        prop::option::of(expr()),
        prop_oneof![4 => Just(Vec::new()), 1 => prop::collection::vec(expr(), 1..3)],
        prop::option::weighted(0.1, expr()),
        prop::collection::vec(order, 0..2),
        prop::option::of(prop_oneof![0u64..30, any::<u64>()]),
        prop::option::weighted(0.05, text_value()),
    )
        .prop_map(
            |(select, source, filter, group_by, having, order_by, limit, cursor)| Query {
                select,
                source,
                filter,
                group_by,
                having,
                order_by,
                limit,
                cursor,
            },
        )
}

#[test]
fn arbitrary_syntax_trees_plan_to_one_read_only_select() {
    let f = fixture();
    let before = snapshot(&f);
    let (conn, refused) = guarded_connection(f.store.path());
    let reached = RefCell::new(Reached::default());
    let round_trips = Cell::new(0);
    let mut runner = runner(5000);
    let result = runner.run(&query(), |query| {
        // The printed form reads back as the same tree whenever it parses
        // (`*` as an expression prints, and reads back, as the select `*`).
        let printed = query.to_string();
        if let Ok(reparsed) = printed.parse::<Query>() {
            let mut expected = query.clone();
            for item in &mut expected.select {
                if *item
                    == (SelectItem::Expr {
                        expr: Expr::Star,
                        alias: None,
                    })
                {
                    *item = SelectItem::Star;
                }
            }
            prop_assert_eq!(&reparsed, &expected, "printed as {}", printed);
            round_trips.set(round_trips.get() + 1);
        }
        plan_and_run(&query, &conn, &refused, &reached)
    });
    if let Err(e) = result {
        panic!("{e}");
    }
    assert_eq!(snapshot(&f), before);
    let (reached, round_trips) = (reached.into_inner(), round_trips.get());
    println!("trees: {reached:?}, {round_trips} printed and read back");
    assert!(reached.ran >= 400, "too few trees ran: {reached:?}");
    assert!(round_trips >= 1000, "too few round trips: {round_trips}");
}

/// Every place a query carries a string, with `{}` where the payload goes
/// and how to quote it there.
const POSITIONS: &[(&str, Quote)] = &[
    ("SELECT span_id FROM project_logs({})", Quote::Single),
    ("select: span_id | from: project_logs({}) traces", Quote::Single),
    ("SELECT id, input FROM dataset({})", Quote::Single),
    ("SELECT span_id FROM experiment({})", Quote::Single),
    ("SELECT span_id FROM project_logs('trellis-demo') WHERE output.patient_query = {}", Quote::Single),
    ("SELECT span_id FROM project_logs('trellis-demo') WHERE span_attributes.name IN ('x', {})", Quote::Single),
    ("SELECT span_id FROM project_logs('trellis-demo') WHERE output.patient_query LIKE {}", Quote::Single),
    ("SELECT span_id FROM project_logs('trellis-demo') WHERE output.patient_query ILIKE {}", Quote::Single),
    ("SELECT span_id FROM project_logs('trellis-demo') WHERE input MATCH {}", Quote::Single),
    ("SELECT span_id FROM project_logs('trellis-demo') WHERE tags INCLUDES {}", Quote::Single),
    ("SELECT span_id FROM project_logs('trellis-demo') WHERE output.patient_query ~ {}", Quote::Single),
    ("SELECT concat(span_id, {}) AS x FROM project_logs('trellis-demo')", Quote::Single),
    ("SELECT span_id FROM project_logs('trellis-demo') WHERE created > {}", Quote::Single),
    ("SELECT span_id FROM project_logs('trellis-demo') OFFSET {}", Quote::Single),
    ("select: span_id | from: project_logs('trellis-demo') | cursor: {}", Quote::Single),
    ("SELECT metadata.{} FROM project_logs('trellis-demo')", Quote::Double),
    ("SELECT output.turns[0].{} FROM project_logs('trellis-demo')", Quote::Double),
    ("SELECT metadata[{}] AS m FROM project_logs('trellis-demo')", Quote::Single),
    ("SELECT span_id AS {} FROM project_logs('trellis-demo')", Quote::Double),
    ("SELECT span_attributes.name AS {}, count(*) AS n FROM project_logs('trellis-demo') GROUP BY 1", Quote::Double),
];

#[derive(Debug, Clone, Copy)]
enum Quote {
    Single,
    Double,
}

#[test]
fn injection_through_every_string_position_changes_nothing() {
    let f = fixture();
    let before = snapshot(&f);
    let evil = f.dir.path().join("evil.db");
    let config = btql::BtqlConfig::default();
    let mut ran = 0;
    for (template, quote) in POSITIONS {
        for payload in PAYLOADS {
            let payload = payload.replace("evil.db", &evil.display().to_string());
            let quoted = match quote {
                Quote::Single => format!("'{}'", payload.replace('\'', "''")),
                Quote::Double => format!("\"{}\"", payload.replace('"', "\"\"")),
            };
            let text = template.replace("{}", &quoted);
            let query: Query = text
                .parse()
                .unwrap_or_else(|e| panic!("{text}\n  did not parse: {e}"));
            match btql::execute_at(&f.store, &query, &config, NOW) {
                Ok(out) => {
                    ran += 1;
                    // A payload compared with a field matches nothing.
                    if template.contains("output.patient_query =") {
                        assert!(out.data.is_empty(), "{text}");
                    }
                }
                Err(BtqlError::UnknownProject(name)) => assert_eq!(name, payload),
                Err(BtqlError::SourceNotFound { name, .. }) => assert_eq!(name, payload),
                Err(BtqlError::Invalid(_) | BtqlError::BadCursor(_) | BtqlError::Evaluation(_)) => {
                }
                Err(e) => panic!("{text}\n  failed: {e:?}"),
            }
        }
    }
    assert!(ran > POSITIONS.len() * PAYLOADS.len() / 2, "only {ran} ran");
    eprintln!(
        "injection: {} queries ({} string positions x {} payloads), {ran} ran, store unchanged",
        POSITIONS.len() * PAYLOADS.len(),
        POSITIONS.len(),
        PAYLOADS.len()
    );
    assert!(!evil.exists());
    assert_eq!(snapshot(&f), before);
}
