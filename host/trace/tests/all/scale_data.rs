//! The million-span store both scale checks run over (`store_scale` on raw
//! SQL, `btql` on queries): the seed's nine-span conversation, repeated.
//! `TRELLIS_SCALE_SPANS` changes the size; `TRELLIS_SCALE_DB` keeps the
//! store between runs (filled once).

use std::time::{Duration, Instant};

use trellis_trace::synthetic::conversation;
use trellis_trace::TraceStore;

pub(crate) use trellis_trace::synthetic::T0;

pub(crate) fn timed<T>(f: impl FnOnce() -> T) -> (T, Duration) {
    let started = Instant::now();
    let out = f();
    (out, started.elapsed())
}

/// A store holding about `TRELLIS_SCALE_SPANS` (default 1,000,000) generated
/// spans, with how long filling it took (zero when `TRELLIS_SCALE_DB` named a
/// store that was already filled). Keep the directory alive while using it.
pub(crate) fn filled_store() -> (TraceStore, tempfile::TempDir, Duration) {
    let target: usize = std::env::var("TRELLIS_SCALE_SPANS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let dir = tempfile::tempdir().unwrap();
    let path = std::env::var("TRELLIS_SCALE_DB")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|_| dir.path().join("scale.db"));
    let store = TraceStore::open(&path).unwrap();
    let (_, insert) = timed(|| {
        if store.count().unwrap() > 0 {
            return;
        }
        let mut batch = Vec::with_capacity(9000);
        let mut i = 0;
        while i * 9 < target {
            batch.extend(conversation(i));
            i += 1;
            if batch.len() >= 9000 {
                store.insert_spans(&batch).unwrap();
                batch.clear();
            }
        }
        store.insert_spans(&batch).unwrap();
    });
    (store, dir, insert)
}
