//! Span trees: a trace's spans nested under their parents, as
//! `GET /api/traces/{trace_id}` returns them, and drawn as indented text for
//! `trellis traces show`.
//!
//! Spans can arrive in any order and some may never arrive (a client that
//! died before exporting its root). A span whose parent is not in the trace
//! becomes a root of the tree and says which parent it is missing, so a
//! partial trace still shows everything that was recorded.

use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::span::{SpanRecord, SpanType};

/// Deeper nesting than this is attached at the top level instead, so a
/// hostile trace cannot overflow the stack of whoever walks the tree.
pub const MAX_DEPTH: usize = 256;

/// A trace's spans as a forest: normally one root, more when spans are
/// missing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SpanTree {
    /// 32 hex digits.
    pub trace_id: String,
    /// How many spans the tree holds.
    pub span_count: usize,
    /// Top-level spans, earliest first.
    pub roots: Vec<SpanNode>,
}

/// One span and its children, earliest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SpanNode {
    /// The span itself.
    pub span: SpanRecord,
    /// Set on a top-level node whose parent span is not in the trace.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub missing_parent: Option<String>,
    /// Spans whose parent this is, earliest first.
    pub children: Vec<SpanNode>,
}

impl SpanTree {
    /// Nests `spans` (all of one trace, in any order) under their parents.
    pub fn build(trace_id: &str, spans: Vec<SpanRecord>) -> SpanTree {
        let mut spans = spans;
        spans.sort_by(|a, b| {
            let key = |s: &SpanRecord| s.metrics.start.unwrap_or(f64::INFINITY);
            key(a)
                .total_cmp(&key(b))
                .then_with(|| a.created.cmp(&b.created))
                .then_with(|| a.span_id.cmp(&b.span_id))
        });
        let span_count = spans.len();
        let mut index: HashMap<&str, usize> = HashMap::new();
        for (i, span) in spans.iter().enumerate() {
            index.entry(span.span_id.as_str()).or_insert(i);
        }
        let mut children: Vec<Vec<usize>> = vec![Vec::new(); spans.len()];
        let mut top: Vec<(usize, Option<String>)> = Vec::new();
        for (i, span) in spans.iter().enumerate() {
            match span.parent_span_id() {
                Some(parent) if parent != span.span_id => match index.get(parent) {
                    Some(&p) => children[p].push(i),
                    None => top.push((i, Some(parent.to_owned()))),
                },
                _ => top.push((i, None)),
            }
        }

        let mut builder = Builder {
            slots: spans.into_iter().map(Some).collect(),
            children,
            visited: HashSet::new(),
            deferred: Vec::new(),
        };
        let mut roots = Vec::new();
        let mut queue: Vec<(usize, Option<String>)> = top;
        loop {
            for (i, missing) in std::mem::take(&mut queue) {
                if let Some(mut node) = builder.node(i, 0) {
                    node.missing_parent = missing;
                    roots.push(node);
                }
            }
            queue.append(&mut builder.deferred);
            if queue.is_empty() {
                // Spans only reachable through a parent cycle: surface the
                // earliest one as a root.
                match (0..builder.slots.len()).find(|i| builder.slots[*i].is_some()) {
                    Some(i) => queue.push((i, None)),
                    None => break,
                }
            }
        }
        roots.sort_by(|a, b| {
            let key = |n: &SpanNode| n.span.metrics.start.unwrap_or(f64::INFINITY);
            key(a).total_cmp(&key(b))
        });
        SpanTree {
            trace_id: trace_id.to_owned(),
            span_count,
            roots,
        }
    }

    /// Every span of the tree, depth first.
    pub fn spans(&self) -> Vec<&SpanRecord> {
        let mut out = Vec::with_capacity(self.span_count);
        let mut stack: Vec<&SpanNode> = self.roots.iter().rev().collect();
        while let Some(node) = stack.pop() {
            out.push(&node.span);
            stack.extend(node.children.iter().rev());
        }
        out
    }

    /// Draws the tree as indented text: one line per span with its type and
    /// duration, the model and tokens of LLM spans, the output summary and
    /// scores of tool spans, and errors marked with `✗`.
    pub fn render(&self) -> String {
        let spans = self.spans();
        let start = spans
            .iter()
            .filter_map(|s| s.metrics.start)
            .fold(f64::INFINITY, f64::min);
        let end = spans
            .iter()
            .filter_map(|s| s.metrics.end)
            .fold(f64::NEG_INFINITY, f64::max);
        let mut out = format!(
            "trace {} · {} span{}",
            self.trace_id,
            self.span_count,
            if self.span_count == 1 { "" } else { "s" }
        );
        if end >= start {
            let _ = write!(out, " · {}", format_ms((end - start) * 1000.0));
        }
        out.push('\n');
        for root in &self.roots {
            render_node(&mut out, root, "", None);
        }
        out
    }
}

struct Builder {
    slots: Vec<Option<SpanRecord>>,
    children: Vec<Vec<usize>>,
    visited: HashSet<usize>,
    deferred: Vec<(usize, Option<String>)>,
}

impl Builder {
    fn node(&mut self, i: usize, depth: usize) -> Option<SpanNode> {
        if !self.visited.insert(i) {
            return None;
        }
        let span = self.slots[i].take()?;
        let kids = std::mem::take(&mut self.children[i]);
        let mut children = Vec::with_capacity(kids.len());
        for k in kids {
            if depth + 1 >= MAX_DEPTH {
                self.deferred.push((k, None));
            } else if let Some(child) = self.node(k, depth + 1) {
                children.push(child);
            }
        }
        Some(SpanNode {
            span,
            missing_parent: None,
            children,
        })
    }
}

/// `is_last` is `None` for a top-level node (no connector).
fn render_node(out: &mut String, node: &SpanNode, prefix: &str, is_last: Option<bool>) {
    let (connector, child_prefix) = match is_last {
        None => (String::new(), String::new()),
        Some(true) => (format!("{prefix}└─ "), format!("{prefix}   ")),
        Some(false) => (format!("{prefix}├─ "), format!("{prefix}│  ")),
    };
    out.push_str(&connector);
    out.push_str(&describe(&node.span));
    if let Some(parent) = &node.missing_parent {
        let _ = write!(out, "  (parent {parent} not recorded)");
    }
    out.push('\n');
    let count = node.children.len();
    for (i, child) in node.children.iter().enumerate() {
        render_node(out, child, &child_prefix, Some(i + 1 == count));
    }
}

fn describe(span: &SpanRecord) -> String {
    let mut line = span.name().to_owned();
    if let Some(t) = span.span_type() {
        let _ = write!(line, " [{t}]");
    }
    if let Some(ms) = span.duration_ms() {
        let _ = write!(line, " {}", format_ms(ms));
    }
    if span.span_type() == Some(SpanType::Llm) {
        if let Some(model) = span.metadata.get("model").and_then(Value::as_str) {
            let _ = write!(line, "  model={model}");
        }
        if let Some(tokens) = span.metrics.tokens {
            let _ = write!(line, " tokens={tokens}");
        }
    }
    if span.span_type() == Some(SpanType::Tool) {
        if let Some(output) = span.output.as_ref().filter(|o| !o.is_null()) {
            let _ = write!(line, "  → {}", summarize(output, 60));
        }
    }
    if !span.scores.is_empty() {
        let scores: Vec<String> = span
            .scores
            .iter()
            .map(|(name, v)| format!("{name}={v:.2}"))
            .collect();
        let _ = write!(line, "  scores: {}", scores.join(" "));
    }
    if let Some(error) = span.error.as_ref().filter(|e| !e.is_null()) {
        let _ = write!(line, "  ✗ error: {}", summarize(error, 80));
    }
    line
}

fn format_ms(ms: f64) -> String {
    format!("{ms:.1} ms")
}

/// Compact JSON (or the bare string) cut to `max` characters.
fn summarize(value: &Value, max: usize) -> String {
    let text = match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    let text = text.replace(['\n', '\r'], " ");
    if text.chars().count() <= max {
        text
    } else {
        let cut: String = text.chars().take(max).collect();
        format!("{cut}…")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::span::Span;
    use serde_json::json;

    fn at(mut rec: SpanRecord, start: f64, end: f64) -> SpanRecord {
        rec.metrics.start = Some(start);
        rec.metrics.end = Some(end);
        rec
    }

    fn seed_trace() -> Vec<SpanRecord> {
        let conv = Span::root("client_conversation", SpanType::Task);
        let turn = conv.child("client_turn", SpanType::Task);
        let server = turn.child("server_process_turn", SpanType::Task);
        let mut llm1 = server.child("claude_messages_create", SpanType::Llm);
        llm1.log_metadata(json!({"model": "offline"}).as_object().unwrap().clone());
        llm1.add_usage(100, 20);
        let worker = server.child("worker_execute_tool", SpanType::Task);
        let mut tool = worker.child("calculate_clinical_metrics", SpanType::Tool);
        tool.log_output(json!({"bmi": 30.9, "category": "obese"}));
        tool.log_score("health_risk", 0.3);
        let worker2 = server.child("worker_execute_tool", SpanType::Task);
        let mut tool2 = worker2.child("search_medical_knowledge", SpanType::Tool);
        tool2.set_error("index unavailable");
        let llm2 = server.child("claude_messages_create", SpanType::Llm);
        vec![
            at(llm2.end(), 10.8, 11.0),
            at(tool2.end(), 10.6, 10.7),
            at(worker2.end(), 10.55, 10.75),
            at(tool.end(), 10.4, 10.45),
            at(worker.end(), 10.35, 10.5),
            at(llm1.end(), 10.1, 10.3),
            at(server.end(), 10.05, 11.05),
            at(turn.end(), 10.0, 11.1),
            at(conv.end(), 9.9, 11.2),
        ]
    }

    #[test]
    fn builds_the_seed_shape_sorted_by_start() {
        let spans = seed_trace();
        let trace_id = spans[0].root_span_id.clone();
        let tree = SpanTree::build(&trace_id, spans);
        assert_eq!(tree.roots.len(), 1);
        let server = &tree.roots[0].children[0].children[0];
        let names: Vec<&str> = server.children.iter().map(|c| c.span.name()).collect();
        assert_eq!(
            names,
            [
                "claude_messages_create",
                "worker_execute_tool",
                "worker_execute_tool",
                "claude_messages_create"
            ]
        );
        assert_eq!(
            server.children[1].children[0].span.name(),
            "calculate_clinical_metrics"
        );
        assert_eq!(tree.spans().len(), 9);
    }

    #[test]
    fn renders_an_indented_tree_with_details() {
        let spans = seed_trace();
        let trace_id = spans[0].root_span_id.clone();
        let text = SpanTree::build(&trace_id, spans).render();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], format!("trace {trace_id} · 9 spans · 1300.0 ms"));
        assert_eq!(lines[1], "client_conversation [task] 1300.0 ms");
        assert_eq!(lines[2], "└─ client_turn [task] 1100.0 ms");
        assert!(
            lines[4].starts_with(
                "      ├─ claude_messages_create [llm] 200.0 ms  model=offline tokens=120"
            ),
            "{text}"
        );
        assert!(lines[6].contains(
            "│  └─ calculate_clinical_metrics [tool] 50.0 ms  → {\"bmi\":30.9,\"category\":\"obese\"}  scores: health_risk=0.30"
        ), "{text}");
        assert!(
            lines[8].contains("search_medical_knowledge [tool]"),
            "{text}"
        );
        assert!(lines[8].contains("✗ error: index unavailable"), "{text}");
        assert!(
            lines[9].starts_with("      └─ claude_messages_create"),
            "{text}"
        );
    }

    #[test]
    fn orphans_become_roots_that_name_their_missing_parent() {
        let mut spans = seed_trace();
        let conv = spans.pop().unwrap();
        let turn_id = spans.pop().unwrap().span_id;
        let tree = SpanTree::build(&conv.root_span_id, spans);
        assert_eq!(tree.roots.len(), 1);
        assert_eq!(tree.roots[0].span.name(), "server_process_turn");
        assert_eq!(
            tree.roots[0].missing_parent.as_deref(),
            Some(turn_id.as_str())
        );
        assert!(tree
            .render()
            .contains(&format!("(parent {turn_id} not recorded)")));
    }

    #[test]
    fn cycles_and_deep_chains_terminate() {
        let a = Span::root("a", SpanType::Task);
        let b = a.child("b", SpanType::Task);
        let (mut a, mut b) = (a.end(), b.end());
        a.span_parents = vec![b.span_id.clone()];
        b.span_parents = vec![a.span_id.clone()];
        let tree = SpanTree::build(&a.root_span_id.clone(), vec![a, b]);
        assert_eq!(tree.spans().len(), 2);

        let mut chain = vec![Span::root("0", SpanType::Task)];
        for i in 1..(MAX_DEPTH * 3) {
            let next = chain.last().unwrap().child(i.to_string(), SpanType::Task);
            chain.push(next);
        }
        let records: Vec<SpanRecord> = chain.into_iter().map(Span::end).collect();
        let tree = SpanTree::build(&records[0].root_span_id.clone(), records);
        assert_eq!(tree.spans().len(), MAX_DEPTH * 3);
        assert_eq!(tree.roots.len(), 3);
    }

    #[test]
    fn tree_json_round_trips() {
        let spans = seed_trace();
        let tree = SpanTree::build(&spans[0].root_span_id.clone(), spans);
        let text = serde_json::to_string(&tree).unwrap();
        let back: SpanTree = serde_json::from_str(&text).unwrap();
        assert_eq!(back, tree);
    }
}
