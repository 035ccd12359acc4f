//! A hand-written recursive-descent parser for both BTQL dialects, sharing
//! one expression grammar:
//!
//! - SQL: `SELECT … FROM project_logs('p', shape => 'traces') WHERE … GROUP BY …
//!   HAVING … ORDER BY … LIMIT n OFFSET 'cursor'`
//! - pipe: `select: … | from: project_logs('p') traces | filter: … | sort: … |
//!   limit: n | cursor: '…'`, with `dimensions:` / `measures:` for aggregates.
//!
//! A query whose first token is a word followed by `:` is pipe, anything
//! else SQL. Hand-written rather than built on a general SQL parser because
//! BTQL's operators (`MATCH`, `INCLUDES`, `interval 24 hour`) are not SQL,
//! the pipe dialect needs the same expression grammar anyway, and every
//! error must say exactly what was expected at which column.
//!
//! Nesting is bounded ([`MAX_DEPTH`]) so hostile input cannot overflow the
//! stack of the parser, the planner or SQLite.

use super::ast::{
    is_keyword, BinaryOp, Expr, FieldPath, Function, IntervalUnit, Literal, OrderBy, PathSegment,
    Query, SelectItem, Shape, Source, SourceKind, UnaryOp, RECORD_FIELDS,
};
use super::error::ParseError;
use super::lexer::{tokenize, Pos, Tok, Token};
use super::time::TruncUnit;

/// How deeply expressions may nest (parentheses, operators, calls).
pub const MAX_DEPTH: usize = 64;
/// The longest query text accepted, in characters.
pub const MAX_QUERY_CHARS: usize = 100_000;

type PResult<T> = Result<T, ParseError>;

/// Parses a query in either dialect.
pub(crate) fn parse(text: &str) -> PResult<Query> {
    if text.chars().count() > MAX_QUERY_CHARS {
        return Err(ParseError::at(
            Pos { line: 1, column: 1 },
            format!("the query is longer than {MAX_QUERY_CHARS} characters"),
        ));
    }
    let tokens = tokenize(text)?;
    let pipe =
        matches!(tokens[0].tok, Tok::Ident(_)) && tokens.get(1).is_some_and(|t| t.is_symbol(":"));
    let mut parser = Parser {
        tokens,
        at: 0,
        nesting: 0,
        fields: Vec::new(),
        in_alias_clause: false,
    };
    let query = if pipe {
        parser.pipe_query()?
    } else {
        parser.sql_query()?
    };
    parser.check_fields(&query)?;
    Ok(query)
}

/// A field path's first key and where it was written, checked once the
/// whole query (and so every alias) is known.
struct FieldRef {
    root: String,
    single: bool,
    pos: Pos,
    alias_allowed: bool,
}

struct Parser {
    tokens: Vec<Token>,
    at: usize,
    nesting: usize,
    fields: Vec<FieldRef>,
    /// Inside GROUP BY, HAVING or ORDER BY, where a bare name may be a
    /// result column's alias.
    in_alias_clause: bool,
}

/// An expression and how deeply it nests.
type Node = (Expr, usize);

impl Parser {
    fn peek(&self) -> &Token {
        &self.tokens[self.at]
    }

    fn peek_at(&self, ahead: usize) -> &Token {
        let last = self.tokens.len() - 1;
        &self.tokens[(self.at + ahead).min(last)]
    }

    fn next(&mut self) -> Token {
        let token = self.peek().clone();
        if self.at < self.tokens.len() - 1 {
            self.at += 1;
        }
        token
    }

    fn eat_word(&mut self, word: &str) -> bool {
        if self.peek().is_word(word) {
            self.next();
            true
        } else {
            false
        }
    }

    fn eat_symbol(&mut self, symbol: &str) -> bool {
        if self.peek().is_symbol(symbol) {
            self.next();
            true
        } else {
            false
        }
    }

    /// An error at the next token: "expected {what}, found {token}".
    fn expected<T>(&self, what: &str) -> PResult<T> {
        let token = self.peek();
        Err(ParseError::at(
            token.pos,
            format!("expected {what}, found {}", token.tok),
        ))
    }

    fn expect_word(&mut self, word: &str, what: &str) -> PResult<()> {
        if self.eat_word(word) {
            Ok(())
        } else {
            self.expected(what)
        }
    }

    fn expect_symbol(&mut self, symbol: &str) -> PResult<()> {
        if self.eat_symbol(symbol) {
            Ok(())
        } else {
            self.expected(&format!("`{symbol}`"))
        }
    }

    // ---- SQL dialect -------------------------------------------------

    fn sql_query(&mut self) -> PResult<Query> {
        self.expect_word("select", "SELECT or a pipe clause such as `select:`")?;
        let select = self.select_list(true)?;
        self.expect_word("from", "FROM")?;
        let source = self.source(false)?;
        let mut query = Query {
            select,
            source,
            filter: None,
            group_by: Vec::new(),
            having: None,
            order_by: Vec::new(),
            limit: None,
            cursor: None,
        };
        // The clauses that may still come, in order.
        let mut rest: &[&str] = &["WHERE", "GROUP BY", "HAVING", "ORDER BY", "LIMIT", "OFFSET"];
        loop {
            let token = self.peek().clone();
            let clause = rest.iter().position(|c| {
                let first = c.split(' ').next().expect("non-empty");
                token.is_word(first)
            });
            let Some(index) = clause else { break };
            let name = rest[index];
            rest = &rest[index + 1..];
            self.next();
            match name {
                "WHERE" => query.filter = Some(self.top_expr()?),
                "GROUP BY" => {
                    self.expect_word("by", "BY")?;
                    self.in_alias_clause = true;
                    query.group_by = self.expr_list()?;
                    self.in_alias_clause = false;
                }
                "HAVING" => {
                    self.in_alias_clause = true;
                    query.having = Some(self.top_expr()?);
                    self.in_alias_clause = false;
                }
                "ORDER BY" => {
                    self.expect_word("by", "BY")?;
                    query.order_by = self.order_list()?;
                }
                "LIMIT" => query.limit = Some(self.limit()?),
                _ => query.cursor = Some(self.cursor()?),
            }
        }
        self.eat_symbol(";");
        if self.peek().tok != Tok::End {
            let mut what: Vec<&str> = rest.to_vec();
            what.push("end of query");
            return self.expected(&one_of(&what));
        }
        Ok(query)
    }

    fn select_list(&mut self, star_allowed: bool) -> PResult<Vec<SelectItem>> {
        let mut items = Vec::new();
        loop {
            if self.peek().is_symbol("*") {
                if !star_allowed {
                    return self.expected("an expression");
                }
                self.next();
                items.push(SelectItem::Star);
            } else {
                let expr = self.top_expr()?;
                let alias = if self.eat_word("as") {
                    Some(self.alias()?)
                } else {
                    None
                };
                items.push(SelectItem::Expr { expr, alias });
            }
            if !self.eat_symbol(",") {
                return Ok(items);
            }
        }
    }

    fn alias(&mut self) -> PResult<String> {
        match self.peek().tok.clone() {
            Tok::Ident(name) if !is_keyword(&name) => {
                self.next();
                Ok(name)
            }
            Tok::QuotedIdent(name) => {
                self.next();
                Ok(name)
            }
            _ => self.expected("a name after AS"),
        }
    }

    fn expr_list(&mut self) -> PResult<Vec<Expr>> {
        let mut exprs = vec![self.top_expr()?];
        while self.eat_symbol(",") {
            exprs.push(self.top_expr()?);
        }
        Ok(exprs)
    }

    fn order_list(&mut self) -> PResult<Vec<OrderBy>> {
        self.in_alias_clause = true;
        let mut keys = Vec::new();
        loop {
            let expr = self.top_expr()?;
            let descending = if self.eat_word("desc") {
                true
            } else {
                self.eat_word("asc");
                false
            };
            keys.push(OrderBy { expr, descending });
            if !self.eat_symbol(",") {
                break;
            }
        }
        self.in_alias_clause = false;
        Ok(keys)
    }

    fn limit(&mut self) -> PResult<u64> {
        if let Tok::Number(text) = &self.peek().tok {
            if let Ok(n) = text.parse::<u64>() {
                self.next();
                return Ok(n);
            }
        }
        self.expected("a whole number")
    }

    fn cursor(&mut self) -> PResult<String> {
        if let Tok::String(s) = &self.peek().tok {
            let s = s.clone();
            self.next();
            return Ok(s);
        }
        self.expected("a cursor string (the `cursor` of an earlier page)")
    }

    /// `project_logs('name' [, shape => 'traces'])`, and in the pipe
    /// dialect an optional shape word after it.
    fn source(&mut self, pipe: bool) -> PResult<Source> {
        let token = self.peek().clone();
        let Tok::Ident(function) = &token.tok else {
            return self.expected("a source such as project_logs('name')");
        };
        let kind = match function.to_ascii_lowercase().as_str() {
            "project_logs" => SourceKind::ProjectLogs,
            "dataset" => SourceKind::Dataset,
            "experiment" => SourceKind::Experiment,
            _ if is_keyword(function) => {
                return self.expected("a source such as project_logs('name')")
            }
            _ => {
                return Err(ParseError::at(
                    token.pos,
                    format!(
                        "unknown source `{function}`; expected project_logs, dataset or experiment"
                    ),
                ))
            }
        };
        self.next();
        self.expect_symbol("(")?;
        let Tok::String(name) = self.peek().tok.clone() else {
            let what = match kind {
                SourceKind::ProjectLogs => "the project name as a string",
                SourceKind::Dataset => "the dataset name as a string",
                SourceKind::Experiment => "the experiment name as a string",
            };
            return self.expected(what);
        };
        self.next();
        let mut shape = Shape::Spans;
        if self.eat_symbol(",") {
            let arg = self.peek().clone();
            if !arg.is_word("shape") {
                return self.expected("`shape =>`");
            }
            self.next();
            self.expect_symbol("=>")?;
            shape = self.shape_string()?;
        }
        if !self.eat_symbol(")") {
            return self.expected("`,` or `)`");
        }
        if pipe {
            if let Tok::Ident(word) = &self.peek().tok {
                let pos = self.peek().pos;
                let word = word.clone();
                match Shape::from_name(&word.to_ascii_lowercase()) {
                    Some(s) => {
                        self.next();
                        shape = s;
                    }
                    None => {
                        return Err(ParseError::at(
                            pos,
                            format!("unknown shape `{word}`; expected spans, traces or summary"),
                        ))
                    }
                }
            }
        }
        Ok(Source { kind, name, shape })
    }

    fn shape_string(&mut self) -> PResult<Shape> {
        let token = self.peek().clone();
        let Tok::String(name) = &token.tok else {
            return self.expected("a shape string ('spans', 'traces' or 'summary')");
        };
        let shape = Shape::from_name(&name.to_ascii_lowercase()).ok_or_else(|| {
            ParseError::at(
                token.pos,
                format!("unknown shape '{name}'; expected spans, traces or summary"),
            )
        })?;
        self.next();
        Ok(shape)
    }

    // ---- pipe dialect ------------------------------------------------

    fn pipe_query(&mut self) -> PResult<Query> {
        const CLAUSES: &[&str] = &[
            "select",
            "from",
            "filter",
            "sort",
            "limit",
            "cursor",
            "dimensions",
            "measures",
        ];
        let mut seen: Vec<(&str, Pos)> = Vec::new();
        let mut select = None;
        let mut source = None;
        let mut filter = None;
        let mut order_by = Vec::new();
        let mut limit = None;
        let mut cursor = None;
        let mut dimensions = None;
        let mut measures = None;
        loop {
            let token = self.peek().clone();
            let name = match &token.tok {
                Tok::Ident(word) if self.peek_at(1).is_symbol(":") => word.to_ascii_lowercase(),
                _ => return self.expected("a clause such as `filter:`"),
            };
            let Some(clause) = CLAUSES.iter().copied().find(|c| *c == name) else {
                return Err(ParseError::at(
                    token.pos,
                    format!(
                        "unknown clause `{name}:`; expected select, from, filter, sort, limit, \
                         cursor, dimensions or measures"
                    ),
                ));
            };
            if seen.iter().any(|(c, _)| *c == clause) {
                return Err(ParseError::at(
                    token.pos,
                    format!("`{clause}:` appears twice"),
                ));
            }
            seen.push((clause, token.pos));
            self.next();
            self.next();
            match clause {
                "select" => select = Some(self.select_list(true)?),
                "from" => source = Some(self.source(true)?),
                "filter" => filter = Some(self.top_expr()?),
                "sort" => order_by = self.order_list()?,
                "limit" => limit = Some(self.limit()?),
                "cursor" => cursor = Some(self.cursor()?),
                "dimensions" => dimensions = Some(self.select_list(false)?),
                _ => measures = Some(self.select_list(false)?),
            }
            if self.peek().tok == Tok::End {
                break;
            }
            if !self.eat_symbol("|") {
                return self.expected("`|` or end of query");
            }
        }
        let end = self.peek().pos;
        let Some(source) = source else {
            return Err(ParseError::at(end, "the query has no `from:` clause"));
        };
        let aggregate = seen
            .iter()
            .find(|(c, _)| *c == "dimensions" || *c == "measures");
        let select = match (select, aggregate) {
            (Some(_), Some((clause, pos))) => {
                return Err(ParseError::at(
                    *pos,
                    format!("`{clause}:` cannot be combined with `select:`"),
                ))
            }
            (Some(select), None) => select,
            (None, Some(_)) => Vec::new(),
            (None, None) => {
                return Err(ParseError::at(
                    end,
                    "the query has no `select:`, `dimensions:` or `measures:` clause",
                ))
            }
        };
        let mut query = Query {
            select,
            source,
            filter,
            group_by: Vec::new(),
            having: None,
            order_by,
            limit,
            cursor,
        };
        if let Some(dimensions) = dimensions {
            for item in &dimensions {
                if let SelectItem::Expr { expr, .. } = item {
                    query.group_by.push(expr.clone());
                }
            }
            query.select.extend(dimensions);
        }
        query.select.extend(measures.unwrap_or_default());
        Ok(query)
    }

    // ---- expressions -------------------------------------------------

    fn top_expr(&mut self) -> PResult<Expr> {
        Ok(self.expr()?.0)
    }

    /// Guards one level of recursion.
    fn enter(&mut self) -> PResult<()> {
        self.nesting += 1;
        if self.nesting > MAX_DEPTH {
            return Err(ParseError::at(
                self.peek().pos,
                format!("the expression nests more than {MAX_DEPTH} levels deep"),
            ));
        }
        Ok(())
    }

    fn leave(&mut self) {
        self.nesting -= 1;
    }

    fn combined(&self, depth: usize, pos: Pos) -> PResult<usize> {
        if depth > MAX_DEPTH {
            Err(ParseError::at(
                pos,
                format!("the expression nests more than {MAX_DEPTH} levels deep"),
            ))
        } else {
            Ok(depth)
        }
    }

    fn expr(&mut self) -> PResult<Node> {
        self.enter()?;
        let result = self.or();
        self.leave();
        result
    }

    fn binary_chain(
        &mut self,
        operand: fn(&mut Parser) -> PResult<Node>,
        operator: fn(&Token) -> Option<BinaryOp>,
    ) -> PResult<Node> {
        let (mut left, mut depth) = operand(self)?;
        while let Some(op) = operator(self.peek()) {
            let pos = self.next().pos;
            let (right, right_depth) = operand(self)?;
            depth = self.combined(depth.max(right_depth) + 1, pos)?;
            left = Expr::Binary {
                op,
                left: Box::new(left),
                right: Box::new(right),
            };
        }
        Ok((left, depth))
    }

    fn or(&mut self) -> PResult<Node> {
        self.binary_chain(Parser::and, |t| t.is_word("or").then_some(BinaryOp::Or))
    }

    fn and(&mut self) -> PResult<Node> {
        self.binary_chain(Parser::not, |t| t.is_word("and").then_some(BinaryOp::And))
    }

    fn not(&mut self) -> PResult<Node> {
        if self.peek().is_word("not") {
            let pos = self.next().pos;
            self.enter()?;
            let inner = self.not();
            self.leave();
            let (expr, depth) = inner?;
            let depth = self.combined(depth + 1, pos)?;
            return Ok((
                Expr::Unary {
                    op: UnaryOp::Not,
                    expr: Box::new(expr),
                },
                depth,
            ));
        }
        self.predicate()
    }

    fn predicate(&mut self) -> PResult<Node> {
        let (left, depth) = self.additive()?;
        let token = self.peek().clone();
        let comparison = match &token.tok {
            Tok::Symbol("=") => Some(BinaryOp::Eq),
            Tok::Symbol("!=") | Tok::Symbol("<>") => Some(BinaryOp::NotEq),
            Tok::Symbol("<") => Some(BinaryOp::Lt),
            Tok::Symbol("<=") => Some(BinaryOp::LtEq),
            Tok::Symbol(">") => Some(BinaryOp::Gt),
            Tok::Symbol(">=") => Some(BinaryOp::GtEq),
            Tok::Symbol("~") => Some(BinaryOp::Regex),
            _ => None,
        };
        if let Some(op) = comparison {
            self.next();
            return self.finish_binary(op, left, depth, token.pos, false);
        }
        if token.is_symbol("!~") {
            self.next();
            return self.finish_binary(BinaryOp::Regex, left, depth, token.pos, true);
        }
        if token.is_word("is") {
            self.next();
            let negated = self.eat_word("not");
            self.expect_word("null", "NULL")?;
            let depth = self.combined(depth + 1, token.pos)?;
            return Ok((
                Expr::IsNull {
                    expr: Box::new(left),
                    negated,
                },
                depth,
            ));
        }
        let negated = if token.is_word("not") {
            self.next();
            true
        } else {
            false
        };
        if self.peek().is_word("in") {
            self.next();
            return self.in_list(left, depth, negated, token.pos);
        }
        if let Some(op) = word_operator(self.peek()) {
            self.next();
            return self.finish_binary(op, left, depth, token.pos, negated);
        }
        if negated {
            return self.expected("IN, LIKE, ILIKE, MATCH, INCLUDES, CONTAINS or REGEXP after NOT");
        }
        Ok((left, depth))
    }

    fn finish_binary(
        &mut self,
        op: BinaryOp,
        left: Expr,
        left_depth: usize,
        pos: Pos,
        negated: bool,
    ) -> PResult<Node> {
        let (right, right_depth) = self.additive()?;
        let mut depth = self.combined(left_depth.max(right_depth) + 1, pos)?;
        let mut expr = Expr::Binary {
            op,
            left: Box::new(left),
            right: Box::new(right),
        };
        if negated {
            depth = self.combined(depth + 1, pos)?;
            expr = Expr::Unary {
                op: UnaryOp::Not,
                expr: Box::new(expr),
            };
        }
        Ok((expr, depth))
    }

    fn in_list(&mut self, left: Expr, depth: usize, negated: bool, pos: Pos) -> PResult<Node> {
        self.expect_symbol("(")?;
        let mut list = Vec::new();
        let mut deepest = depth;
        loop {
            let (item, item_depth) = self.expr()?;
            deepest = deepest.max(item_depth);
            list.push(item);
            if self.eat_symbol(")") {
                break;
            }
            if !self.eat_symbol(",") {
                return self.expected("`,` or `)`");
            }
        }
        let depth = self.combined(deepest + 1, pos)?;
        Ok((
            Expr::InList {
                expr: Box::new(left),
                list,
                negated,
            },
            depth,
        ))
    }

    fn additive(&mut self) -> PResult<Node> {
        self.binary_chain(Parser::multiplicative, |t| match &t.tok {
            Tok::Symbol("+") => Some(BinaryOp::Add),
            Tok::Symbol("-") => Some(BinaryOp::Sub),
            _ => None,
        })
    }

    fn multiplicative(&mut self) -> PResult<Node> {
        self.binary_chain(Parser::unary, |t| match &t.tok {
            Tok::Symbol("*") => Some(BinaryOp::Mul),
            Tok::Symbol("/") => Some(BinaryOp::Div),
            _ => None,
        })
    }

    fn unary(&mut self) -> PResult<Node> {
        if !self.peek().is_symbol("-") {
            return self.primary();
        }
        let pos = self.next().pos;
        // `-5` is a negative literal; `-(5)` and `-x` are negations.
        if let Tok::Number(text) = self.peek().tok.clone() {
            let number_pos = self.next().pos;
            return Ok((Expr::Literal(number(&format!("-{text}"), number_pos)?), 1));
        }
        self.enter()?;
        let inner = self.unary();
        self.leave();
        let (expr, depth) = inner?;
        let depth = self.combined(depth + 1, pos)?;
        Ok((
            Expr::Unary {
                op: UnaryOp::Neg,
                expr: Box::new(expr),
            },
            depth,
        ))
    }

    fn primary(&mut self) -> PResult<Node> {
        let token = self.peek().clone();
        match &token.tok {
            Tok::Number(text) => {
                self.next();
                Ok((Expr::Literal(number(text, token.pos)?), 1))
            }
            Tok::String(s) => {
                self.next();
                Ok((Expr::Literal(Literal::String(s.clone())), 1))
            }
            Tok::Symbol("(") => {
                self.next();
                let inner = self.expr()?;
                self.expect_symbol(")")?;
                Ok(inner)
            }
            Tok::Ident(word) => {
                let lower = word.to_ascii_lowercase();
                match lower.as_str() {
                    "null" => {
                        self.next();
                        Ok((Expr::Literal(Literal::Null), 1))
                    }
                    "true" | "false" => {
                        self.next();
                        Ok((Expr::Literal(Literal::Bool(lower == "true")), 1))
                    }
                    "interval" => {
                        self.next();
                        self.interval()
                    }
                    _ if is_keyword(&lower) => self.expected("an expression"),
                    _ if self.peek_at(1).is_symbol("(") => self.call(word.clone(), token.pos),
                    _ => self.field(),
                }
            }
            Tok::QuotedIdent(_) => self.field(),
            _ => self.expected("an expression"),
        }
    }

    fn call(&mut self, name: String, pos: Pos) -> PResult<Node> {
        let Some(func) = Function::from_name(&name) else {
            return Err(ParseError::at(pos, format!("unknown function `{name}`")));
        };
        self.next();
        self.next();
        let mut args = Vec::new();
        let mut arg_pos = Vec::new();
        let mut deepest = 0;
        if !self.eat_symbol(")") {
            loop {
                arg_pos.push(self.peek().pos);
                if func == Function::Count && self.peek().is_symbol("*") {
                    self.next();
                    args.push(Expr::Star);
                    deepest = deepest.max(1);
                } else {
                    let (arg, depth) = self.expr()?;
                    deepest = deepest.max(depth);
                    args.push(arg);
                }
                if self.eat_symbol(")") {
                    break;
                }
                if !self.eat_symbol(",") {
                    return self.expected("`,` or `)`");
                }
            }
        }
        let depth = self.combined(deepest + 1, pos)?;
        if let Err(message) = check_call(func, &args) {
            return Err(ParseError::at(pos, message));
        }
        if func == Function::Percentile {
            if let Err(message) = check_percentile(&args[1]) {
                return Err(ParseError::at(arg_pos[1], message));
            }
        }
        if func == Function::DateTrunc {
            if let Err(message) = check_trunc_unit(&args[0]) {
                return Err(ParseError::at(arg_pos[0], message));
            }
        }
        Ok((Expr::Function { func, args }, depth))
    }

    fn interval(&mut self) -> PResult<Node> {
        let token = self.peek().clone();
        let (amount, unit_in_string) = match &token.tok {
            Tok::Number(text) => (number(text, token.pos)?, None),
            Tok::String(s) => {
                let mut words = s.split_whitespace();
                let amount = words.next().unwrap_or("");
                let unit = words.next();
                if amount.is_empty() || words.next().is_some() {
                    return Err(ParseError::at(
                        token.pos,
                        format!("invalid interval '{s}'; write it like '24 hours'"),
                    ));
                }
                let parsed = number(amount, token.pos).map_err(|_| {
                    ParseError::at(
                        token.pos,
                        format!("invalid interval '{s}'; write it like '24 hours'"),
                    )
                })?;
                (parsed, unit.map(|u| (u.to_owned(), token.pos)))
            }
            _ => return self.expected("an interval length such as 24 hour"),
        };
        self.next();
        let amount = match amount {
            Literal::Integer(n) => n as f64,
            Literal::Float(x) => x,
            _ => unreachable!("number() returns numbers"),
        };
        let (unit, unit_pos) = match unit_in_string {
            Some(found) => found,
            None => match &self.peek().tok {
                Tok::Ident(word) => {
                    let found = (word.clone(), self.peek().pos);
                    self.next();
                    found
                }
                _ => return self.expected("an interval unit (second, minute, hour, day or week)"),
            },
        };
        let unit = IntervalUnit::from_name(&unit).ok_or_else(|| {
            ParseError::at(
                unit_pos,
                format!(
                    "unknown interval unit `{unit}`; expected second, minute, hour, day or week"
                ),
            )
        })?;
        Ok((Expr::Interval { amount, unit }, 1))
    }

    fn field(&mut self) -> PResult<Node> {
        let start = self.next();
        let root = match start.tok {
            Tok::Ident(w) | Tok::QuotedIdent(w) => w,
            _ => unreachable!("field() is called on a name"),
        };
        let mut segments = vec![PathSegment::Key(root.clone())];
        loop {
            if self.peek().is_symbol(".") {
                let dot = self.next().pos;
                let adjacent = self.peek().pos
                    == Pos {
                        line: dot.line,
                        column: dot.column + 1,
                    };
                match self.peek().tok.clone() {
                    // A keyword is a key only right after the dot
                    // (`metadata.from`), so `output. FROM` is an error.
                    Tok::Ident(key) if is_keyword(&key) && !adjacent => {
                        return self.expected("a field name after `.`")
                    }
                    Tok::Ident(key) | Tok::QuotedIdent(key) => {
                        self.next();
                        segments.push(PathSegment::Key(key));
                    }
                    _ => return self.expected("a field name after `.`"),
                }
            } else if self.eat_symbol("[") {
                let token = self.peek().clone();
                let segment = match &token.tok {
                    Tok::String(key) => PathSegment::Key(key.clone()),
                    Tok::Number(text) => PathSegment::Index(index(text, token.pos)?),
                    Tok::Symbol("-") => {
                        self.next();
                        match &self.peek().tok {
                            Tok::Number(text) => {
                                PathSegment::Index(index(&format!("-{text}"), token.pos)?)
                            }
                            _ => return self.expected("an array index"),
                        }
                    }
                    _ => return self.expected("an array index or a quoted key"),
                };
                self.next();
                segments.push(segment);
                self.expect_symbol("]")?;
            } else {
                break;
            }
        }
        self.fields.push(FieldRef {
            root,
            single: segments.len() == 1,
            pos: start.pos,
            alias_allowed: self.in_alias_clause,
        });
        Ok((Expr::Field(FieldPath { segments }), 1))
    }

    /// Every field path must start at a record field, or (in GROUP BY,
    /// HAVING and ORDER BY) name a result column.
    fn check_fields(&self, query: &Query) -> PResult<()> {
        let aliases: Vec<&str> = query
            .select
            .iter()
            .filter_map(|item| match item {
                SelectItem::Expr {
                    alias: Some(alias), ..
                } => Some(alias.as_str()),
                _ => None,
            })
            .collect();
        for field in &self.fields {
            let known = RECORD_FIELDS.contains(&field.root.as_str())
                || (field.alias_allowed && field.single && aliases.contains(&field.root.as_str()));
            if !known {
                return Err(ParseError::at(field.pos, unknown_field(&field.root)));
            }
        }
        Ok(())
    }
}

/// The message for a path that starts at no record field.
pub(crate) fn unknown_field(root: &str) -> String {
    format!(
        "unknown field `{root}`; records have {}",
        RECORD_FIELDS.join(", ")
    )
}

fn word_operator(token: &Token) -> Option<BinaryOp> {
    let Tok::Ident(word) = &token.tok else {
        return None;
    };
    Some(match word.to_ascii_lowercase().as_str() {
        "like" => BinaryOp::Like,
        "ilike" => BinaryOp::ILike,
        "match" => BinaryOp::Match,
        "includes" | "contains" => BinaryOp::Includes,
        "regexp" => BinaryOp::Regex,
        _ => return None,
    })
}

/// "expected A, B or C".
fn one_of(items: &[&str]) -> String {
    match items {
        [] => String::new(),
        [one] => (*one).to_owned(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

/// A number literal from its text (which may start with `-`).
fn number(text: &str, pos: Pos) -> PResult<Literal> {
    let fractional = text.contains(['.', 'e', 'E']);
    if !fractional {
        if let Ok(n) = text.parse::<i64>() {
            return Ok(Literal::Integer(n));
        }
    }
    match text.parse::<f64>() {
        Ok(x) if x.is_finite() => Ok(Literal::Float(x)),
        _ => Err(ParseError::at(
            pos,
            format!("number `{text}` is out of range"),
        )),
    }
}

fn index(text: &str, pos: Pos) -> PResult<i64> {
    text.parse::<i64>()
        .map_err(|_| ParseError::at(pos, format!("array index `{text}` is not a whole number")))
}

/// Checks a call's argument count and where `*` may appear.
pub(crate) fn check_call(func: Function, args: &[Expr]) -> Result<(), String> {
    let (min, max) = func.arity();
    if args.len() < min || args.len() > max {
        let wanted = match (min, max) {
            (0, 0) => "no arguments".to_owned(),
            (1, 1) => "1 argument".to_owned(),
            (a, b) if a == b => format!("{a} arguments"),
            (a, b) => format!("{a} to {b} arguments"),
        };
        return Err(format!(
            "{} takes {wanted}, found {}",
            func.name(),
            args.len()
        ));
    }
    let star = args.iter().any(|a| matches!(a, Expr::Star));
    if star && func != Function::Count {
        return Err(format!("{} does not take `*`", func.name()));
    }
    Ok(())
}

/// `percentile`'s second argument: a number literal in 0..=1.
pub(crate) fn check_percentile(arg: &Expr) -> Result<f64, String> {
    let p = match arg {
        Expr::Literal(Literal::Integer(n)) => *n as f64,
        Expr::Literal(Literal::Float(x)) => *x,
        _ => return Err("percentile's second argument must be a number from 0 to 1".to_owned()),
    };
    if (0.0..=1.0).contains(&p) {
        Ok(p)
    } else {
        Err(format!(
            "percentile's second argument must be a number from 0 to 1, found {p}"
        ))
    }
}

/// `date_trunc`'s first argument: a unit name in a string.
pub(crate) fn check_trunc_unit(arg: &Expr) -> Result<TruncUnit, String> {
    const UNITS: &str = "second, minute, hour, day, week, month or year";
    match arg {
        Expr::Literal(Literal::String(name)) => TruncUnit::from_name(name)
            .ok_or_else(|| format!("unknown date_trunc unit '{name}'; expected {UNITS}")),
        _ => Err(format!(
            "date_trunc's first argument must be a unit string: {UNITS}"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sql(text: &str) -> Query {
        parse(text).unwrap_or_else(|e| panic!("{text}: {e}"))
    }

    #[test]
    fn precedence_binds_arithmetic_then_comparison_then_not_and_or() {
        let q = sql("SELECT * FROM project_logs('p') \
             WHERE NOT metrics.a + metrics.b * 2 > 4 AND output.b = 1 OR output.c = 2");
        assert_eq!(
            q.filter.unwrap().to_string(),
            "(((NOT (((metrics.a + (metrics.b * 2)) > 4))) AND (output.b = 1)) OR (output.c = 2))"
        );
    }

    #[test]
    fn pipe_dimensions_and_measures_become_a_grouped_select() {
        let q = sql(
            "dimensions: span_attributes.name AS tool | measures: count(1) AS calls \
             | from: project_logs('p') traces | filter: span_attributes.type = 'tool' \
             | sort: calls desc | limit: 3",
        );
        let same = sql("SELECT span_attributes.name AS tool, count(1) AS calls \
             FROM project_logs('p', shape => 'traces') WHERE span_attributes.type = 'tool' \
             GROUP BY span_attributes.name ORDER BY calls DESC LIMIT 3");
        assert_eq!(q, same);
    }

    #[test]
    fn printing_parses_back_to_the_same_tree() {
        for text in [
            "SELECT output.turns[0].query AS q, metadata.\"a.b\", tags[-1] FROM project_logs('p')",
            "SELECT count(*) AS n, percentile(metrics.end - metrics.start, 0.95) FROM \
             project_logs('p', shape => 'summary') WHERE created > now() - interval 24 hour \
             GROUP BY span_attributes.name HAVING n > 1 ORDER BY n DESC LIMIT 5 OFFSET 'x'",
            "SELECT * FROM project_logs('it''s') WHERE NOT (input MATCH 'thirst') \
             AND tags INCLUDES 'production' AND output.x NOT IN (1, -2.5, NULL) \
             AND error IS NOT NULL AND lower(output.y) ~ '^a' AND output.z NOT ILIKE '%b%'",
        ] {
            let q = sql(text);
            let printed = q.to_string();
            assert_eq!(sql(&printed), q, "{printed}");
        }
    }
}
