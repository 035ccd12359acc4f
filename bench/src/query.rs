//! B6: BTQL over a store of generated spans (a million in a full run): the
//! "recent conversations" page, per-tool statistics, and a low-score
//! filter, each parsed, planned and run by `trellis_trace::btql` as
//! `POST /btql` does, timed after one warm-up run.

use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use trellis_trace::btql::{self, BtqlConfig, Query};
use trellis_trace::TraceStore;

use crate::harness::Samples;
use crate::report::{count, millis, Row};
use crate::spans::{self, SPANS_PER_CONVERSATION, T0};
use crate::Settings;

/// Spans per insert while filling the store.
const FILL_BATCH: usize = 9_000;

/// The three queries: label, BTQL text, rows expected (`None`: at least
/// one), target in milliseconds.
const QUERIES: [(&str, &str, Option<usize>, f64); 3] = [
    (
        "recent conversations (newest 10 `client_conversation` spans)",
        "SELECT span_id, output.conversation_id, output.patient_query, output.final_response \
         FROM project_logs('trellis-demo') WHERE span_attributes.name = 'client_conversation' \
         ORDER BY created DESC LIMIT 10",
        Some(10),
        50.0,
    ),
    (
        "tool statistics (count, mean and p95 duration, error rate per tool)",
        "SELECT span_attributes.name AS tool, count(*) AS calls, \
         avg(metrics.end - metrics.start) AS mean_duration, \
         percentile(metrics.end - metrics.start, 0.95) AS p95_duration, \
         avg(error IS NOT NULL) AS error_rate FROM project_logs('trellis-demo') \
         WHERE span_attributes.type = 'tool' GROUP BY span_attributes.name",
        Some(2),
        1000.0,
    ),
    (
        "low-score filter (conversations with clinical_completeness < 0.5)",
        "SELECT span_id, output.conversation_id, output.patient_query FROM \
         project_logs('trellis-demo') WHERE span_attributes.name = 'client_conversation' \
         AND scores.clinical_completeness < 0.5 LIMIT 10",
        None,
        100.0,
    ),
];

pub(crate) fn run(settings: &Settings) -> anyhow::Result<Vec<Row>> {
    let (size, runs) = if settings.smoke {
        (20_000, 3)
    } else {
        (1_000_000, 9)
    };
    let dir = tempfile::tempdir()?;
    let store = TraceStore::open(dir.path().join("scale.db"))?;
    let started = Instant::now();
    spans::fill(&store, size, FILL_BATCH)?;
    let filled = started.elapsed();
    let stored = store.count()?;
    eprintln!(
        "  B6: {} spans generated and stored in {}",
        count(stored as f64),
        millis(filled.as_secs_f64() * 1000.0)
    );
    let now = T0 + (stored as usize / SPANS_PER_CONVERSATION) as f64;
    let config = BtqlConfig {
        time_limit: Duration::from_secs(60),
        ..BtqlConfig::default()
    };
    let mut rows = Vec::new();
    for (label, text, expected, target_ms) in QUERIES {
        let query: Query = text
            .parse()
            .map_err(|e| anyhow::anyhow!("benchmark query does not parse: {e}"))?;
        let mut times = Samples::default();
        for run in 0..=runs {
            let started = Instant::now();
            let out = btql::execute_at(&store, &query, &config, now)
                .with_context(|| format!("running `{text}`"))?;
            let took = started.elapsed();
            let ok = match expected {
                Some(n) => out.data.len() == n,
                None => !out.data.is_empty(),
            };
            if !ok {
                bail!("`{text}` returned {} rows", out.data.len());
            }
            // Run 0 warms the page cache.
            if run > 0 {
                times.push(took.as_secs_f64() * 1000.0);
            }
        }
        let median = times.median();
        rows.push(
            Row::new(
                "B6",
                format!("BTQL over {} spans: {label}", count(stored as f64)),
                millis(median),
            )
            .target(format!("≤ {}", millis(target_ms)), median <= target_ms),
        );
    }
    Ok(rows)
}
