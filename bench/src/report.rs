//! The results table: one row per figure, the run's header (date, machine,
//! commit, profile), and the markdown written to stdout and to the results
//! file.

use std::fmt::Write as _;
use std::process::Command;

/// One line of the results table.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Row {
    /// `B1`, `B2`, ...
    pub(crate) id: &'static str,
    /// What was measured, in words.
    pub(crate) what: String,
    /// The measured figure.
    pub(crate) result: String,
    /// The peer's figure measured in the same run, or `—`.
    pub(crate) baseline: String,
    /// Result over baseline, or `—`.
    pub(crate) ratio: String,
    /// The target in words, or `—`.
    pub(crate) target: String,
    /// Whether the target was met; `None` when the row has no target.
    pub(crate) met: Option<bool>,
}

impl Row {
    /// A row with no peer and no target (filled in with the builders below).
    pub(crate) fn new(id: &'static str, what: impl Into<String>, result: impl Into<String>) -> Row {
        Row {
            id,
            what: what.into(),
            result: result.into(),
            baseline: "—".into(),
            ratio: "—".into(),
            target: "—".into(),
            met: None,
        }
    }

    /// Adds the same-run peer's figure and the ratio result/peer.
    pub(crate) fn baseline(mut self, baseline: impl Into<String>, ratio: f64) -> Row {
        self.baseline = baseline.into();
        self.ratio = format!("{ratio:.2}×");
        self
    }

    /// Adds the target and whether it was met.
    pub(crate) fn target(mut self, target: impl Into<String>, met: bool) -> Row {
        self.target = target.into();
        self.met = Some(met);
        self
    }
}

/// Where and how the run happened.
#[derive(Debug, Clone)]
pub(crate) struct RunInfo {
    pub(crate) date: String,
    pub(crate) cores: usize,
    pub(crate) cpu: String,
    pub(crate) commit: String,
    pub(crate) profile: &'static str,
    pub(crate) smoke: bool,
}

impl RunInfo {
    /// Describes this machine and checkout now.
    pub(crate) fn collect(smoke: bool) -> RunInfo {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs() as f64)
            .unwrap_or(0.0);
        let cpu = std::fs::read_to_string("/proc/cpuinfo")
            .ok()
            .and_then(|text| cpu_model(&text))
            .unwrap_or_else(|| "unknown CPU".into());
        RunInfo {
            date: trellis_trace::span::rfc3339(now),
            cores: std::thread::available_parallelism().map_or(1, |n| n.get()),
            cpu,
            commit: commit(),
            profile: if cfg!(debug_assertions) {
                "dev (debug assertions on)"
            } else {
                "release"
            },
            smoke,
        }
    }
}

/// The `model name` line of `/proc/cpuinfo`.
fn cpu_model(cpuinfo: &str) -> Option<String> {
    cpuinfo
        .lines()
        .find(|line| line.starts_with("model name"))
        .and_then(|line| line.split_once(':'))
        .map(|(_, model)| model.trim().to_string())
}

/// `git rev-parse --short HEAD`, with `+dirty` when the tree has changes
/// (other than in `bench/results/`, which a previous run rewrote).
fn commit() -> String {
    let git = |args: &[&str]| {
        Command::new("git")
            .args(args)
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
    };
    let Some(head) = git(&["rev-parse", "--short", "HEAD"]) else {
        return "unknown (not a git checkout)".into();
    };
    match git(&[
        "status",
        "--porcelain",
        "--untracked-files=no",
        "--",
        ":/",
        ":(top,exclude)bench/results",
    ]) {
        Some(changes) if !changes.is_empty() => format!("{head}+dirty"),
        _ => head,
    }
}

/// The results as markdown: a header paragraph and the table.
pub(crate) fn render(info: &RunInfo, rows: &[Row]) -> String {
    let mut out = String::new();
    let kind = if info.smoke {
        "smoke run (each benchmark ~1 s, small data; targets not judged)"
    } else {
        "full run"
    };
    let _ = writeln!(out, "# Trellis benchmarks\n");
    let _ = writeln!(out, "- date: {}", info.date);
    let _ = writeln!(out, "- machine: {} cores, {}", info.cores, info.cpu);
    let _ = writeln!(out, "- commit: {}", info.commit);
    let _ = writeln!(out, "- profile: {}", info.profile);
    let _ = writeln!(
        out,
        "- {kind}; every figure is a median over repeated runs\n"
    );
    out.push_str(&table(rows, info.smoke));
    out
}

/// The table alone (also what the README shows).
pub(crate) fn table(rows: &[Row], smoke: bool) -> String {
    let mut out = String::from(
        "| id | what | result | baseline (same run) | ratio | target | verdict |\n\
         |---|---|---|---|---|---|---|\n",
    );
    for row in rows {
        let verdict = match (row.met, smoke) {
            (None, _) => "—",
            (Some(_), true) => "not judged in smoke",
            (Some(true), false) => "✓",
            (Some(false), false) => "✗",
        };
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {} |",
            row.id,
            cell(&row.what),
            cell(&row.result),
            cell(&row.baseline),
            row.ratio,
            cell(&row.target),
            verdict
        );
    }
    out
}

/// Keeps a cell on its line of the table.
fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

/// Microseconds as `12.3 µs` or `4.56 ms`.
pub(crate) fn micros(us: f64) -> String {
    if us < 1000.0 {
        format!("{us:.1} µs")
    } else {
        millis(us / 1000.0)
    }
}

/// Milliseconds as `4.56 ms` or `1.23 s`.
pub(crate) fn millis(ms: f64) -> String {
    if ms < 1000.0 {
        format!("{ms:.2} ms")
    } else {
        format!("{:.2} s", ms / 1000.0)
    }
}

/// A rate with thousands separated: `52,300`.
pub(crate) fn count(n: f64) -> String {
    let digits = format!("{:.0}", n.max(0.0));
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_well() {
        assert_eq!(count(52_300.4), "52,300");
        assert_eq!(count(999.0), "999");
        assert_eq!(count(1_000_000.0), "1,000,000");
        assert_eq!(micros(12.34), "12.3 µs");
        assert_eq!(micros(4560.0), "4.56 ms");
        assert_eq!(millis(1234.0), "1.23 s");
    }

    #[test]
    fn the_cpu_model_comes_from_cpuinfo() {
        let text = "processor\t: 0\nmodel name\t: AMD EPYC 7B13\nflags\t: x\n";
        assert_eq!(cpu_model(text).as_deref(), Some("AMD EPYC 7B13"));
        assert_eq!(cpu_model("processor: 0\n"), None);
    }

    #[test]
    fn verdicts_follow_targets_and_smoke() {
        let rows = vec![
            Row::new("B1", "a", "1 µs").target("≤ 2 µs", true),
            Row::new("B2", "b", "3")
                .baseline("4", 0.75)
                .target("≥ 1", false),
            Row::new("B3", "c|d", "5"),
        ];
        let full = table(&rows, false);
        assert!(full.contains("| B1 | a | 1 µs | — | — | ≤ 2 µs | ✓ |"));
        assert!(full.contains("| B2 | b | 3 | 4 | 0.75× | ≥ 1 | ✗ |"));
        assert!(full.contains("| B3 | c\\|d | 5 | — | — | — | — |"));
        let smoke = table(&rows, true);
        assert_eq!(smoke.matches("not judged in smoke").count(), 2);
    }
}
