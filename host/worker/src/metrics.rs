//! Counters behind `GET /metrics`, rendered in the Prometheus text format.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;

/// Per-tool call counts by outcome, and call durations.
#[derive(Debug, Default)]
pub struct Metrics {
    calls: Mutex<BTreeMap<(String, &'static str), u64>>,
    durations: Mutex<BTreeMap<String, (f64, u64)>>,
}

impl Metrics {
    /// Counts one call of `tool` that ended as `outcome` (`ok` or an error
    /// kind) after `seconds`.
    pub fn record_call(&self, tool: &str, outcome: &'static str, seconds: f64) {
        // Unknown tool names come from the caller; don't let them grow the
        // label set without bound.
        let tool = if outcome == "not_found" {
            "_unknown"
        } else {
            tool
        };
        *self
            .calls
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .entry((tool.to_string(), outcome))
            .or_default() += 1;
        let mut durations = self.durations.lock().unwrap_or_else(|p| p.into_inner());
        let entry = durations.entry(tool.to_string()).or_default();
        entry.0 += seconds;
        entry.1 += 1;
    }

    /// The Prometheus exposition of every counter and the given gauges.
    pub fn render(&self, revision: u64, plugins: usize, in_flight: usize) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "# HELP trellis_worker_revision Revision of the served tool set."
        );
        let _ = writeln!(out, "# TYPE trellis_worker_revision gauge");
        let _ = writeln!(out, "trellis_worker_revision {revision}");
        let _ = writeln!(out, "# HELP trellis_worker_plugins Plugins being served.");
        let _ = writeln!(out, "# TYPE trellis_worker_plugins gauge");
        let _ = writeln!(out, "trellis_worker_plugins {plugins}");
        let _ = writeln!(
            out,
            "# HELP trellis_worker_calls_in_flight Tool calls running now."
        );
        let _ = writeln!(out, "# TYPE trellis_worker_calls_in_flight gauge");
        let _ = writeln!(out, "trellis_worker_calls_in_flight {in_flight}");
        let _ = writeln!(
            out,
            "# HELP trellis_worker_calls_total Tool calls by outcome."
        );
        let _ = writeln!(out, "# TYPE trellis_worker_calls_total counter");
        for ((tool, outcome), n) in self.calls.lock().unwrap_or_else(|p| p.into_inner()).iter() {
            let _ = writeln!(
                out,
                "trellis_worker_calls_total{{tool=\"{tool}\",outcome=\"{outcome}\"}} {n}"
            );
        }
        let _ = writeln!(
            out,
            "# HELP trellis_worker_call_seconds Time spent in tool calls."
        );
        let _ = writeln!(out, "# TYPE trellis_worker_call_seconds summary");
        for (tool, (sum, count)) in self
            .durations
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .iter()
        {
            let _ = writeln!(
                out,
                "trellis_worker_call_seconds_sum{{tool=\"{tool}\"}} {sum}"
            );
            let _ = writeln!(
                out,
                "trellis_worker_call_seconds_count{{tool=\"{tool}\"}} {count}"
            );
        }
        out
    }
}
