//! Bad queries and the exact errors they get: parse errors name the line
//! and column and what was expected there; queries that parse but cannot
//! run say why.

use trellis_trace::btql::{self, ParseError, PlanOptions, Query};

/// (query, the exact parse error).
const PARSE_ERRORS: &[(&str, &str)] = &[
    (
        "SELECT output.patient_query WHERE span_attributes.name = 'x'",
        "line 1, column 29: expected FROM, found WHERE",
    ),
    (
        "",
        "line 1, column 1: expected SELECT or a pipe clause such as `select:`, found end of query",
    ),
    (
        "SELECT FROM project_logs('p')",
        "line 1, column 8: expected an expression, found FROM",
    ),
    (
        "SELECT * FROM project_logs('p') WHERE",
        "line 1, column 38: expected an expression, found end of query",
    ),
    (
        "SELECT * FROM project_logs(p)",
        "line 1, column 28: expected the project name as a string, found `p`",
    ),
    (
        "SELECT * FROM logs('p')",
        "line 1, column 15: unknown source `logs`; expected project_logs, dataset or experiment",
    ),
    (
        "SELECT * FROM project_logs('p', shape => 'trees')",
        "line 1, column 42: unknown shape 'trees'; expected spans, traces or summary",
    ),
    (
        "SELECT * FROM project_logs('p', format => 'x')",
        "line 1, column 33: expected `shape =>`, found `format`",
    ),
    (
        "SELECT * FROM project_logs('p') LIMIT -1",
        "line 1, column 39: expected a whole number, found `-`",
    ),
    (
        "SELECT * FROM project_logs('p') WHERE output.a = = 1",
        "line 1, column 50: expected an expression, found `=`",
    ),
    (
        "SELECT * FROM project_logs('p') WHERE output.x = 'open",
        "line 1, column 50: unterminated string",
    ),
    (
        "SELECT foo(output.x) FROM project_logs('p')",
        "line 1, column 8: unknown function `foo`",
    ),
    (
        "SELECT count(output.x, 1) FROM project_logs('p')",
        "line 1, column 8: count takes 1 argument, found 2",
    ),
    (
        "SELECT sum(*) FROM project_logs('p')",
        "line 1, column 12: expected an expression, found `*`",
    ),
    (
        "SELECT now(1) FROM project_logs('p')",
        "line 1, column 8: now takes no arguments, found 1",
    ),
    (
        "SELECT percentile(metrics.start, 95) FROM project_logs('p')",
        "line 1, column 34: percentile's second argument must be a number from 0 to 1, found 95",
    ),
    (
        "SELECT date_trunc('fortnight', created) FROM project_logs('p')",
        "line 1, column 19: unknown date_trunc unit 'fortnight'; expected second, minute, hour, \
         day, week, month or year",
    ),
    (
        "SELECT * FROM project_logs('p') WHERE created > now() - interval 3 fortnights",
        "line 1, column 68: unknown interval unit `fortnights`; expected second, minute, hour, \
         day or week",
    ),
    (
        "SELECT * FROM project_logs('p') WHERE created > now() - interval 'soon'",
        "line 1, column 66: invalid interval 'soon'; write it like '24 hours'",
    ),
    (
        "SELECT * FROM project_logs('p') WHERE created > now() - interval",
        "line 1, column 65: expected an interval length such as 24 hour, found end of query",
    ),
    (
        "SELECT outptu.x FROM project_logs('p')",
        "line 1, column 8: unknown field `outptu`; records have id, span_id, root_span_id, \
         span_parents, created, input, output, expected, error, metadata, scores, metrics, \
         span_attributes, tags, is_root",
    ),
    (
        "SELECT span_id FROM project_logs('p') WHERE calls > 1",
        "line 1, column 45: unknown field `calls`; records have id, span_id, root_span_id, \
         span_parents, created, input, output, expected, error, metadata, scores, metrics, \
         span_attributes, tags, is_root",
    ),
    (
        "SELECT output.x AS FROM project_logs('p')",
        "line 1, column 20: expected a name after AS, found FROM",
    ),
    (
        "SELECT output.x[1.5] FROM project_logs('p')",
        "line 1, column 17: array index `1.5` is not a whole number",
    ),
    (
        "SELECT output. FROM project_logs('p')",
        "line 1, column 16: expected a field name after `.`, found FROM",
    ),
    (
        "SELECT * FROM project_logs('p') WHERE output.x NOT 5",
        "line 1, column 52: expected IN, LIKE, ILIKE, MATCH, INCLUDES, CONTAINS or REGEXP after \
         NOT, found 5",
    ),
    (
        "SELECT * FROM project_logs('p') WHERE output.x IS 5",
        "line 1, column 51: expected NULL, found 5",
    ),
    (
        "SELECT * FROM project_logs('p') WHERE output.x IN ()",
        "line 1, column 52: expected an expression, found `)`",
    ),
    (
        "SELECT * FROM project_logs('p') WHERE output.x IN (1 2)",
        "line 1, column 54: expected `,` or `)`, found 2",
    ),
    (
        "SELECT * FROM project_logs('p') WHERE (output.x = 1",
        "line 1, column 52: expected `)`, found end of query",
    ),
    (
        "SELECT * FROM project_logs('p') WHERE output.x = 1 # 2",
        "line 1, column 52: unexpected character `#`",
    ),
    (
        "SELECT * FROM project_logs('p') /* never closed",
        "line 1, column 33: unterminated comment",
    ),
    (
        "SELECT * FROM project_logs('p') GROUP span_id",
        "line 1, column 39: expected BY, found `span_id`",
    ),
    (
        "SELECT * FROM project_logs('p') OFFSET 10",
        "line 1, column 40: expected a cursor string (the `cursor` of an earlier page), found 10",
    ),
    (
        "SELECT * FROM project_logs('p') WHERE output.x = 1 LIMT 10",
        "line 1, column 52: expected GROUP BY, HAVING, ORDER BY, LIMIT, OFFSET or end of query, \
         found `LIMT`",
    ),
    (
        "SELECT * FROM project_logs('p') LIMIT 5 WHERE is_root",
        "line 1, column 41: expected OFFSET or end of query, found WHERE",
    ),
    (
        "SELECT * FROM project_logs('p'); DROP TABLE spans",
        "line 1, column 34: expected WHERE, GROUP BY, HAVING, ORDER BY, LIMIT, OFFSET or end of \
         query, found `DROP`",
    ),
    (
        "SELECT * FROM project_logs('p') WHERE output.x = 99999999999999999999e999",
        "line 1, column 50: number `99999999999999999999e999` is out of range",
    ),
    (
        "SELECT span_id\nFROM project_logs('p')\nWHERE span_attributes.name = 'x'\n\
         ORDER BY created DESCENDING",
        "line 4, column 18: expected LIMIT, OFFSET or end of query, found `DESCENDING`",
    ),
    (
        "select: * | filter: span_attributes.name = 'x'",
        "line 1, column 47: the query has no `from:` clause",
    ),
    (
        "from: project_logs('p') | filter: is_root",
        "line 1, column 42: the query has no `select:`, `dimensions:` or `measures:` clause",
    ),
    (
        "select: * | from: project_logs('p') | where: is_root",
        "line 1, column 39: unknown clause `where:`; expected select, from, filter, sort, limit, \
         cursor, dimensions or measures",
    ),
    (
        "select: * | from: project_logs('p') | filter: is_root | filter: is_root",
        "line 1, column 57: `filter:` appears twice",
    ),
    (
        "select: * | from: project_logs('p') spanz",
        "line 1, column 37: unknown shape `spanz`; expected spans, traces or summary",
    ),
    (
        "select: * from: project_logs('p')",
        "line 1, column 11: expected `|` or end of query, found FROM",
    ),
    (
        "select: span_id | measures: count(1) | from: project_logs('p')",
        "line 1, column 19: `measures:` cannot be combined with `select:`",
    ),
    (
        "dimensions: * | from: project_logs('p')",
        "line 1, column 13: expected an expression, found `*`",
    ),
    (
        "select: * | from: project_logs('p') | limit: ten",
        "line 1, column 46: expected a whole number, found `ten`",
    ),
    (
        "select: * | from: project_logs('p') |",
        "line 1, column 38: expected a clause such as `filter:`, found end of query",
    ),
];

#[test]
fn bad_queries_get_their_exact_parse_errors() {
    let mut failures = Vec::new();
    for (text, expected) in PARSE_ERRORS {
        match text.parse::<Query>() {
            Ok(query) => failures.push(format!("{text:?}\n  parsed as: {query}")),
            Err(e) if e.to_string() != *expected => {
                failures.push(format!("{text:?}\n  expected: {expected}\n  got:      {e}"))
            }
            Err(_) => {}
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} bad queries:\n{}",
        failures.len(),
        PARSE_ERRORS.len(),
        failures.join("\n")
    );
}

#[test]
fn parse_errors_expose_line_and_column() {
    let err: ParseError = "SELECT *\nFROM project_logs('p')\n  WHERE )"
        .parse::<Query>()
        .unwrap_err();
    assert_eq!((err.line(), err.column()), (3, 9));
    assert_eq!(err.message(), "expected an expression, found `)`");
}

#[test]
fn deep_nesting_is_refused_not_overflowed() {
    let deep = format!(
        "SELECT * FROM project_logs('p') WHERE {}output.x = 1{}",
        "(".repeat(10_000),
        ")".repeat(10_000)
    );
    let err = deep.parse::<Query>().unwrap_err();
    assert_eq!(
        err.to_string(),
        "line 1, column 103: the expression nests more than 64 levels deep"
    );
    let chain = format!(
        "SELECT * FROM project_logs('p') WHERE output.x = 1{}",
        " OR output.x = 1".repeat(100)
    );
    assert!(chain
        .parse::<Query>()
        .unwrap_err()
        .to_string()
        .ends_with("the expression nests more than 64 levels deep"));
    let nots = format!(
        "SELECT * FROM project_logs('p') WHERE {}is_root",
        "NOT ".repeat(100_000)
    );
    assert!(nots.parse::<Query>().is_err());
    let long = format!("SELECT * FROM project_logs('{}')", "x".repeat(100_001));
    assert_eq!(
        long.parse::<Query>().unwrap_err().to_string(),
        "line 1, column 1: the query is longer than 100000 characters"
    );
}

/// (query, the exact planning error): these parse, but cannot run.
const PLAN_ERRORS: &[(&str, &str)] = &[
    (
        "SELECT span_id, count(*) FROM project_logs('p') GROUP BY span_attributes.name",
        "`span_id` must be in GROUP BY (dimensions) or inside an aggregate function such as \
         count or avg",
    ),
    (
        "SELECT span_id FROM project_logs('p') WHERE count(*) > 1",
        "the aggregate function count is not allowed in WHERE; filter groups with HAVING",
    ),
    (
        "SELECT span_id FROM project_logs('p') ORDER BY max(created)",
        "the aggregate function max is not allowed outside an aggregate query",
    ),
    (
        "SELECT sum(count(*)) FROM project_logs('p')",
        "the aggregate function count cannot be used inside another aggregate",
    ),
    (
        "SELECT *, count(*) FROM project_logs('p')",
        "`*` cannot be selected in an aggregate query; name the dimensions and measures",
    ),
    (
        "SELECT created.day FROM project_logs('p')",
        "`created` is a single value and has no field `day`",
    ),
    (
        "SELECT output.x, input.x FROM project_logs('p')",
        "two result columns are named `x`; rename one with AS",
    ),
    (
        "SELECT span_id FROM project_logs('p') HAVING output.x = 1",
        "HAVING filters groups: it needs GROUP BY or an aggregate function among the selected \
         columns; filter rows with WHERE",
    ),
    (
        "SELECT span_id FROM project_logs('p') HAVING count(*) > 1",
        "HAVING filters groups: it needs GROUP BY or an aggregate function among the selected \
         columns; filter rows with WHERE",
    ),
    (
        "SELECT span_id FROM project_logs('p') WHERE created + 1 > now()",
        "a timestamp cannot be used with `+` here; add or subtract an interval \
         (created > now() - interval 1 day)",
    ),
    (
        "SELECT span_id FROM project_logs('p') WHERE output.x ~ '('",
        "invalid regular expression: regex parse error:\n    (\n    ^\nerror: unclosed group",
    ),
    (
        "SELECT span_id FROM project_logs('p') GROUP BY count(*)",
        "GROUP BY cannot contain an aggregate function",
    ),
];

#[test]
fn queries_that_cannot_run_say_why() {
    let options = PlanOptions {
        now: 0.0,
        default_limit: 10,
        max_limit: 10,
    };
    let mut failures = Vec::new();
    for (text, expected) in PLAN_ERRORS {
        let query: Query = match text.parse() {
            Ok(q) => q,
            Err(e) => {
                failures.push(format!("{text:?} did not parse: {e}"));
                continue;
            }
        };
        match btql::plan(&query, &options) {
            Ok(plan) => failures.push(format!("{text:?}\n  planned as: {}", plan.sql())),
            Err(e) if e.to_string() != *expected => {
                failures.push(format!("{text:?}\n  expected: {expected}\n  got:      {e}"))
            }
            Err(_) => {}
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} unrunnable queries:\n{}",
        failures.len(),
        PLAN_ERRORS.len(),
        failures.join("\n")
    );
}
