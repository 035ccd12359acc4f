//! Hot reload: watches the plugin directory and rescans it shortly after
//! anything in it changes. Events are debounced (a burst of writes becomes
//! one scan) and compiling happens on the watcher's own thread, never on a
//! request. A slow periodic rescan backs up the watcher in case events are
//! lost (an inotify queue overflow, a filesystem that does not report).

use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::Arc;
use std::time::{Duration, Instant};

use notify::{RecursiveMode, Watcher as _};

use crate::registry::Registry;

/// Quiet time after the last event before a rescan.
pub const DEFAULT_DEBOUNCE: Duration = Duration::from_millis(50);
/// Longest a burst of events can postpone a rescan.
const MAX_DELAY: Duration = Duration::from_millis(300);
/// Interval of the fallback rescan (stat only unless something changed).
const FALLBACK_RESCAN: Duration = Duration::from_secs(2);

/// Keeps the directory watch alive; dropping it stops hot reload.
pub struct Watcher {
    _watcher: notify::RecommendedWatcher,
}

impl Watcher {
    /// Starts watching `registry`'s directory.
    pub fn start(registry: Arc<Registry>, debounce: Duration) -> notify::Result<Watcher> {
        let (tx, rx) = mpsc::channel::<()>();
        let mut watcher =
            notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
                if event.is_ok() {
                    let _ = tx.send(());
                }
            })?;
        watcher.watch(registry.dir(), RecursiveMode::NonRecursive)?;
        std::thread::Builder::new()
            .name("trellis-reload".into())
            .spawn(move || reload_loop(&registry, &rx, debounce))
            .map_err(|e| notify::Error::generic(&e.to_string()))?;
        Ok(Watcher { _watcher: watcher })
    }
}

fn reload_loop(registry: &Registry, events: &mpsc::Receiver<()>, debounce: Duration) {
    loop {
        match events.recv_timeout(FALLBACK_RESCAN) {
            Ok(()) => {
                let first = Instant::now();
                // Wait for the burst to end, but not forever.
                loop {
                    let left = MAX_DELAY.saturating_sub(first.elapsed());
                    match events.recv_timeout(debounce.min(left)) {
                        Ok(()) if !left.is_zero() => continue,
                        Err(RecvTimeoutError::Disconnected) => return,
                        _ => break,
                    }
                }
            }
            Err(RecvTimeoutError::Timeout) => {}
            // The notify watcher was dropped: hot reload is over.
            Err(RecvTimeoutError::Disconnected) => return,
        }
        registry.scan();
    }
}
