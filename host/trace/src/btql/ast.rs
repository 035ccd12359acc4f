//! The typed syntax tree both BTQL dialects parse into, and its canonical
//! text form. [`Query`]'s `Display` prints the SQL dialect in a form that
//! parses back to an equal tree (the property tests rely on it), with every
//! binary expression parenthesised.

use std::fmt;

/// A parsed BTQL query. Build one with `str::parse` (either dialect) or by
/// hand; [`crate::btql::plan()`] turns it into SQLite SQL.
#[derive(Debug, Clone, PartialEq)]
pub struct Query {
    /// The result columns, in order. For an aggregate query these are the
    /// dimensions followed by the measures.
    pub select: Vec<SelectItem>,
    /// Where the rows come from.
    pub source: Source,
    /// `WHERE` / `filter:`.
    pub filter: Option<Expr>,
    /// `GROUP BY` / `dimensions:` (their expressions).
    pub group_by: Vec<Expr>,
    /// `HAVING` (SQL dialect only).
    pub having: Option<Expr>,
    /// `ORDER BY` / `sort:`.
    pub order_by: Vec<OrderBy>,
    /// `LIMIT` / `limit:`; `None` means the configured default.
    pub limit: Option<u64>,
    /// `OFFSET '…'` / `cursor:`: where a previous page ended.
    pub cursor: Option<String>,
}

/// One result column.
#[derive(Debug, Clone, PartialEq)]
pub enum SelectItem {
    /// `*`: the whole Braintrust record.
    Star,
    /// An expression, optionally named with `AS`.
    Expr {
        /// What to compute.
        expr: Expr,
        /// The key in the result row; when absent, the last key of a field
        /// path, the function name, or the expression's text.
        alias: Option<String>,
    },
}

/// The `FROM` source.
#[derive(Debug, Clone, PartialEq)]
pub struct Source {
    /// Which kind of object is queried.
    pub kind: SourceKind,
    /// The project (or dataset, experiment) name.
    pub name: String,
    /// How rows are grouped into results.
    pub shape: Shape,
}

/// The kinds of object BTQL can read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceKind {
    /// `project_logs('…')`: the spans logged to a project.
    ProjectLogs,
    /// `dataset('…')`: the rows of a dataset.
    Dataset,
    /// `experiment('…')`: the spans logged to an experiment.
    Experiment,
}

impl SourceKind {
    /// The function name used in queries.
    pub fn as_str(self) -> &'static str {
        match self {
            SourceKind::ProjectLogs => "project_logs",
            SourceKind::Dataset => "dataset",
            SourceKind::Experiment => "experiment",
        }
    }
}

/// How the rows of a source are shaped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Shape {
    /// One row per matching span.
    #[default]
    Spans,
    /// Every span of each trace that has a matching span.
    Traces,
    /// One row per trace: the root span with the trace's metrics summed up.
    Summary,
}

impl Shape {
    /// The name used in queries.
    pub fn as_str(self) -> &'static str {
        match self {
            Shape::Spans => "spans",
            Shape::Traces => "traces",
            Shape::Summary => "summary",
        }
    }

    /// The shape with this (lowercase) name.
    pub fn from_name(name: &str) -> Option<Shape> {
        match name {
            "spans" => Some(Shape::Spans),
            "traces" => Some(Shape::Traces),
            "summary" => Some(Shape::Summary),
            _ => None,
        }
    }
}

/// One `ORDER BY` key.
#[derive(Debug, Clone, PartialEq)]
pub struct OrderBy {
    /// What to sort by (a result column's alias is allowed).
    pub expr: Expr,
    /// `DESC` when true.
    pub descending: bool,
}

/// An expression.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    /// A field of the record: `output.turns[0].query`.
    Field(FieldPath),
    /// A constant.
    Literal(Literal),
    /// `*` as the argument of `count(*)`.
    Star,
    /// `NOT x`, `-x`.
    Unary { op: UnaryOp, expr: Box<Expr> },
    /// `a op b`.
    Binary {
        op: BinaryOp,
        left: Box<Expr>,
        right: Box<Expr>,
    },
    /// `x IS NULL` / `x IS NOT NULL`.
    IsNull { expr: Box<Expr>, negated: bool },
    /// `x IN (a, b)` / `x NOT IN (a, b)`.
    InList {
        expr: Box<Expr>,
        list: Vec<Expr>,
        negated: bool,
    },
    /// `name(args…)`.
    Function { func: Function, args: Vec<Expr> },
    /// `interval 24 hour`: a length of time.
    Interval { amount: f64, unit: IntervalUnit },
}

/// A field path: a top-level record field and keys or indexes below it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct FieldPath {
    /// The segments; the first is always a key (the record field).
    pub segments: Vec<PathSegment>,
}

impl FieldPath {
    /// A path from keys only: `FieldPath::keys(["output", "bmi"])`.
    pub fn keys<I, S>(keys: I) -> FieldPath
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        FieldPath {
            segments: keys
                .into_iter()
                .map(|k| PathSegment::Key(k.into()))
                .collect(),
        }
    }

    /// The top-level field (`output` in `output.bmi`).
    pub fn root(&self) -> Option<&str> {
        match self.segments.first() {
            Some(PathSegment::Key(k)) => Some(k),
            _ => None,
        }
    }

    /// The key a selected path gets in a result row: its last key.
    pub fn last_key(&self) -> Option<&str> {
        self.segments.iter().rev().find_map(|s| match s {
            PathSegment::Key(k) => Some(k.as_str()),
            PathSegment::Index(_) => None,
        })
    }
}

/// One step of a [`FieldPath`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum PathSegment {
    /// An object key (`.name` or `."a.b"`).
    Key(String),
    /// An array index (`[0]`; negative counts from the end, `[-1]` is the last).
    Index(i64),
}

/// A constant value.
#[derive(Debug, Clone, PartialEq)]
pub enum Literal {
    /// `NULL`.
    Null,
    /// `TRUE` / `FALSE`.
    Bool(bool),
    /// A whole number.
    Integer(i64),
    /// A number with a fraction or exponent.
    Float(f64),
    /// `'text'`.
    String(String),
}

/// Prefix operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnaryOp {
    /// `NOT`.
    Not,
    /// `-`.
    Neg,
}

/// Infix operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinaryOp {
    /// `OR`.
    Or,
    /// `AND`.
    And,
    /// `=`.
    Eq,
    /// `!=` or `<>`.
    NotEq,
    /// `<`.
    Lt,
    /// `<=`.
    LtEq,
    /// `>`.
    Gt,
    /// `>=`.
    GtEq,
    /// `LIKE` (case-sensitive, `%` and `_`, `\` escapes).
    Like,
    /// `ILIKE` (case-insensitive `LIKE`).
    ILike,
    /// `MATCH`: every word of the right side appears as a whole word in the
    /// left side's text (case-insensitive).
    Match,
    /// `INCLUDES` / `CONTAINS`: the left array has an element equal to the
    /// right side (or the left string contains it).
    Includes,
    /// `~` / `REGEXP`: the left side matches the regular expression on the right.
    Regex,
    /// `+`.
    Add,
    /// `-`.
    Sub,
    /// `*`.
    Mul,
    /// `/` (always a fractional division).
    Div,
}

impl BinaryOp {
    /// The operator as printed.
    pub fn symbol(self) -> &'static str {
        match self {
            BinaryOp::Or => "OR",
            BinaryOp::And => "AND",
            BinaryOp::Eq => "=",
            BinaryOp::NotEq => "!=",
            BinaryOp::Lt => "<",
            BinaryOp::LtEq => "<=",
            BinaryOp::Gt => ">",
            BinaryOp::GtEq => ">=",
            BinaryOp::Like => "LIKE",
            BinaryOp::ILike => "ILIKE",
            BinaryOp::Match => "MATCH",
            BinaryOp::Includes => "INCLUDES",
            BinaryOp::Regex => "~",
            BinaryOp::Add => "+",
            BinaryOp::Sub => "-",
            BinaryOp::Mul => "*",
            BinaryOp::Div => "/",
        }
    }
}

/// The functions BTQL knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Function {
    /// `count(x)` / `count(*)`: rows (where `x` is not null).
    Count,
    /// `count_distinct(x)`: distinct non-null values.
    CountDistinct,
    /// `sum(x)`.
    Sum,
    /// `avg(x)`.
    Avg,
    /// `min(x)`.
    Min,
    /// `max(x)`.
    Max,
    /// `percentile(x, p)`: the `p` quantile (0..=1), interpolated.
    Percentile,
    /// `lower(s)`.
    Lower,
    /// `upper(s)`.
    Upper,
    /// `concat(a, b, …)`: nulls count as empty text.
    Concat,
    /// `coalesce(a, b, …)`: the first non-null argument.
    Coalesce,
    /// `len(x)`: characters of a string, elements of an array, keys of an object.
    Len,
    /// `now()`: the time the query runs.
    Now,
    /// `date_trunc('hour', t)`: `t` rounded down to the unit.
    DateTrunc,
}

impl Function {
    /// Every function, for lookups and generators.
    pub const ALL: [Function; 14] = [
        Function::Count,
        Function::CountDistinct,
        Function::Sum,
        Function::Avg,
        Function::Min,
        Function::Max,
        Function::Percentile,
        Function::Lower,
        Function::Upper,
        Function::Concat,
        Function::Coalesce,
        Function::Len,
        Function::Now,
        Function::DateTrunc,
    ];

    /// The function's name in queries.
    pub fn name(self) -> &'static str {
        match self {
            Function::Count => "count",
            Function::CountDistinct => "count_distinct",
            Function::Sum => "sum",
            Function::Avg => "avg",
            Function::Min => "min",
            Function::Max => "max",
            Function::Percentile => "percentile",
            Function::Lower => "lower",
            Function::Upper => "upper",
            Function::Concat => "concat",
            Function::Coalesce => "coalesce",
            Function::Len => "len",
            Function::Now => "now",
            Function::DateTrunc => "date_trunc",
        }
    }

    /// The function with this name (case-insensitive).
    pub fn from_name(name: &str) -> Option<Function> {
        Function::ALL
            .into_iter()
            .find(|f| f.name().eq_ignore_ascii_case(name))
    }

    /// Whether the function folds many rows into one.
    pub fn is_aggregate(self) -> bool {
        matches!(
            self,
            Function::Count
                | Function::CountDistinct
                | Function::Sum
                | Function::Avg
                | Function::Min
                | Function::Max
                | Function::Percentile
        )
    }

    /// How many arguments it takes: (at least, at most).
    pub fn arity(self) -> (usize, usize) {
        match self {
            Function::Now => (0, 0),
            Function::Percentile | Function::DateTrunc => (2, 2),
            Function::Concat | Function::Coalesce => (1, 64),
            _ => (1, 1),
        }
    }
}

/// Units of an `interval`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IntervalUnit {
    Second,
    Minute,
    Hour,
    Day,
    Week,
}

impl IntervalUnit {
    /// Every unit, for lookups and generators.
    pub const ALL: [IntervalUnit; 5] = [
        IntervalUnit::Second,
        IntervalUnit::Minute,
        IntervalUnit::Hour,
        IntervalUnit::Day,
        IntervalUnit::Week,
    ];

    /// The unit's singular name.
    pub fn name(self) -> &'static str {
        match self {
            IntervalUnit::Second => "second",
            IntervalUnit::Minute => "minute",
            IntervalUnit::Hour => "hour",
            IntervalUnit::Day => "day",
            IntervalUnit::Week => "week",
        }
    }

    /// Seconds in one unit.
    pub fn seconds(self) -> f64 {
        match self {
            IntervalUnit::Second => 1.0,
            IntervalUnit::Minute => 60.0,
            IntervalUnit::Hour => 3600.0,
            IntervalUnit::Day => 86_400.0,
            IntervalUnit::Week => 604_800.0,
        }
    }

    /// The unit named `name`, singular or plural, any case.
    pub fn from_name(name: &str) -> Option<IntervalUnit> {
        let lower = name.to_ascii_lowercase();
        let singular = lower.strip_suffix('s').unwrap_or(&lower);
        IntervalUnit::ALL.into_iter().find(|u| u.name() == singular)
    }
}

/// The top-level fields of a record, in the order `*` returns them, plus
/// `is_root` (true for a trace's root span), which must stay last: the
/// planner reads the stored fields as every entry before it.
pub const RECORD_FIELDS: &[&str] = &[
    "id",
    "span_id",
    "root_span_id",
    "span_parents",
    "created",
    "input",
    "output",
    "expected",
    "error",
    "metadata",
    "scores",
    "metrics",
    "span_attributes",
    "tags",
    "is_root",
];

/// Words that cannot start an unquoted field path (they may still be keys
/// after a dot: `metadata.from`).
pub const KEYWORDS: &[&str] = &[
    "select", "from", "where", "group", "by", "having", "order", "limit", "offset", "as", "and",
    "or", "not", "is", "null", "in", "like", "ilike", "match", "includes", "contains", "regexp",
    "true", "false", "asc", "desc", "interval",
];

/// Whether `word` is one of the [`KEYWORDS`] (any case).
pub fn is_keyword(word: &str) -> bool {
    KEYWORDS.iter().any(|k| k.eq_ignore_ascii_case(word))
}

/// Whether `word` can be written unquoted: a letter or `_`, then letters,
/// digits or `_`.
pub fn is_plain_identifier(word: &str) -> bool {
    let mut chars = word.chars();
    matches!(chars.next(), Some(c) if c.is_alphabetic() || c == '_')
        && chars.all(|c| c.is_alphanumeric() || c == '_')
}

/// Writes `name` as an identifier, quoting it when needed.
fn write_ident(f: &mut fmt::Formatter<'_>, name: &str, keyword_ok: bool) -> fmt::Result {
    if is_plain_identifier(name) && (keyword_ok || !is_keyword(name)) {
        f.write_str(name)
    } else {
        write!(f, "\"{}\"", name.replace('"', "\"\""))
    }
}

/// Writes `s` as a single-quoted string literal.
pub(crate) fn write_string(f: &mut impl fmt::Write, s: &str) -> fmt::Result {
    write!(f, "'{}'", s.replace('\'', "''"))
}

impl fmt::Display for FieldPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, segment) in self.segments.iter().enumerate() {
            match segment {
                PathSegment::Key(k) if i == 0 => write_ident(f, k, false)?,
                PathSegment::Key(k) => {
                    f.write_str(".")?;
                    write_ident(f, k, true)?;
                }
                PathSegment::Index(n) => write!(f, "[{n}]")?,
            }
        }
        Ok(())
    }
}

impl fmt::Display for Literal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Literal::Null => f.write_str("NULL"),
            Literal::Bool(true) => f.write_str("TRUE"),
            Literal::Bool(false) => f.write_str("FALSE"),
            Literal::Integer(n) => write!(f, "{n}"),
            // `{:?}` keeps a fraction or exponent, so `3.0` does not read
            // back as the integer 3.
            Literal::Float(x) => write!(f, "{x:?}"),
            Literal::String(s) => write_string(f, s),
        }
    }
}

impl fmt::Display for Expr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Expr::Field(path) => write!(f, "{path}"),
            Expr::Literal(lit) => write!(f, "{lit}"),
            Expr::Star => f.write_str("*"),
            Expr::Unary {
                op: UnaryOp::Not,
                expr,
            } => write!(f, "(NOT ({expr}))"),
            Expr::Unary {
                op: UnaryOp::Neg,
                expr,
            } => write!(f, "(-({expr}))"),
            Expr::Binary { op, left, right } => {
                write!(f, "({left} {} {right})", op.symbol())
            }
            Expr::IsNull { expr, negated } => {
                let not = if *negated { "NOT " } else { "" };
                write!(f, "({expr} IS {not}NULL)")
            }
            Expr::InList {
                expr,
                list,
                negated,
            } => {
                let not = if *negated { "NOT " } else { "" };
                write!(f, "({expr} {not}IN (")?;
                write_list(f, list)?;
                f.write_str("))")
            }
            Expr::Function { func, args } => {
                write!(f, "{}(", func.name())?;
                write_list(f, args)?;
                f.write_str(")")
            }
            Expr::Interval { amount, unit } => {
                write!(f, "interval {amount:?} {}", unit.name())
            }
        }
    }
}

fn write_list<T: fmt::Display>(f: &mut fmt::Formatter<'_>, items: &[T]) -> fmt::Result {
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            f.write_str(", ")?;
        }
        write!(f, "{item}")?;
    }
    Ok(())
}

impl fmt::Display for SelectItem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SelectItem::Star => f.write_str("*"),
            SelectItem::Expr { expr, alias } => {
                write!(f, "{expr}")?;
                if let Some(alias) = alias {
                    f.write_str(" AS ")?;
                    write_ident(f, alias, false)?;
                }
                Ok(())
            }
        }
    }
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}(", self.kind.as_str())?;
        write_string(f, &self.name)?;
        if self.shape != Shape::Spans {
            write!(f, ", shape => '{}'", self.shape.as_str())?;
        }
        f.write_str(")")
    }
}

impl fmt::Display for Query {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SELECT ")?;
        write_list(f, &self.select)?;
        write!(f, " FROM {}", self.source)?;
        if let Some(filter) = &self.filter {
            write!(f, " WHERE {filter}")?;
        }
        if !self.group_by.is_empty() {
            f.write_str(" GROUP BY ")?;
            write_list(f, &self.group_by)?;
        }
        if let Some(having) = &self.having {
            write!(f, " HAVING {having}")?;
        }
        if !self.order_by.is_empty() {
            f.write_str(" ORDER BY ")?;
            for (i, key) in self.order_by.iter().enumerate() {
                if i > 0 {
                    f.write_str(", ")?;
                }
                let dir = if key.descending { "DESC" } else { "ASC" };
                write!(f, "{} {dir}", key.expr)?;
            }
        }
        if let Some(limit) = self.limit {
            write!(f, " LIMIT {limit}")?;
        }
        if let Some(cursor) = &self.cursor {
            f.write_str(" OFFSET ")?;
            write_string(f, cursor)?;
        }
        Ok(())
    }
}

impl Expr {
    /// A field path from keys: `Expr::field(["output", "bmi"])`.
    pub fn field<I, S>(keys: I) -> Expr
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        Expr::Field(FieldPath::keys(keys))
    }

    /// The expression's direct children.
    pub fn children(&self) -> Vec<&Expr> {
        match self {
            Expr::Field(_) | Expr::Literal(_) | Expr::Star | Expr::Interval { .. } => Vec::new(),
            Expr::Unary { expr, .. } | Expr::IsNull { expr, .. } => vec![expr],
            Expr::Binary { left, right, .. } => vec![left, right],
            Expr::InList { expr, list, .. } => std::iter::once(&**expr).chain(list).collect(),
            Expr::Function { args, .. } => args.iter().collect(),
        }
    }

    /// How deeply the expression nests, counted without recursion so that
    /// a hostile tree cannot overflow the stack while being measured.
    pub fn depth(&self) -> usize {
        let mut deepest = 0;
        let mut stack = vec![(self, 1)];
        while let Some((expr, depth)) = stack.pop() {
            deepest = deepest.max(depth);
            stack.extend(expr.children().into_iter().map(|c| (c, depth + 1)));
        }
        deepest
    }

    /// Whether an aggregate function appears anywhere in the expression.
    pub fn has_aggregate(&self) -> bool {
        match self {
            Expr::Function { func, .. } if func.is_aggregate() => true,
            other => other.children().into_iter().any(Expr::has_aggregate),
        }
    }
}
