//! Hot reload: watches the plugin directory and rescans it shortly after
//! anything in it changes. Events are debounced (a burst of writes becomes
//! one scan); an event that says a file is complete — renamed into place, or
//! closed after writing — is acted on after only a few milliseconds, since
//! nothing more is coming. Compiling happens on the watcher's own thread,
//! never on a request. A slow periodic rescan backs up the watcher in case events are
//! lost (an inotify queue overflow, a filesystem that does not report).

use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::Arc;
use std::time::{Duration, Instant};

use notify::event::{AccessKind, AccessMode, ModifyKind, RenameMode};
use notify::{EventKind, RecursiveMode, Watcher as _};

use crate::registry::Registry;

/// Quiet time after the last event before a rescan.
pub const DEFAULT_DEBOUNCE: Duration = Duration::from_millis(50);
/// Quiet time after an event saying a file is complete: long enough to
/// gather the other events of the same rename.
const COMPLETE_DEBOUNCE: Duration = Duration::from_millis(3);
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
        let (tx, rx) = mpsc::channel::<Change>();
        let mut watcher =
            notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
                if let Ok(event) = event {
                    let _ = tx.send(Change::of(&event.kind));
                }
            })?;
        watcher.watch(registry.dir(), RecursiveMode::NonRecursive)?;
        // Loading asks each plugin for its tools through the async runtime
        // the worker already runs, when there is one.
        let runtime = tokio::runtime::Handle::try_current().ok();
        std::thread::Builder::new()
            .name("trellis-reload".into())
            .spawn(move || {
                let _entered = runtime.as_ref().map(|r| r.enter());
                reload_loop(&registry, &rx, debounce)
            })
            .map_err(|e| notify::Error::generic(&e.to_string()))?;
        Ok(Watcher { _watcher: watcher })
    }
}

/// What an event says about the file it names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Change {
    /// The file is complete: renamed into place or closed after writing.
    Complete,
    /// Anything else (created, being written, removed, ...).
    Partial,
}

impl Change {
    fn of(kind: &EventKind) -> Change {
        match kind {
            EventKind::Modify(ModifyKind::Name(RenameMode::To | RenameMode::Both))
            | EventKind::Access(AccessKind::Close(AccessMode::Write)) => Change::Complete,
            _ => Change::Partial,
        }
    }

    fn quiet_time(self, debounce: Duration) -> Duration {
        match self {
            Change::Complete => COMPLETE_DEBOUNCE.min(debounce),
            Change::Partial => debounce,
        }
    }
}

fn reload_loop(registry: &Registry, events: &mpsc::Receiver<Change>, debounce: Duration) {
    loop {
        match events.recv_timeout(FALLBACK_RESCAN) {
            Ok(change) => {
                let first = Instant::now();
                let mut quiet = change.quiet_time(debounce);
                // Wait for the burst to end, but not forever.
                loop {
                    let left = MAX_DELAY.saturating_sub(first.elapsed());
                    match events.recv_timeout(quiet.min(left)) {
                        Ok(change) if !left.is_zero() => {
                            quiet = change.quiet_time(debounce);
                            continue;
                        }
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

#[cfg(test)]
mod tests {
    use super::*;
    use notify::event::{CreateKind, DataChange};

    #[test]
    fn a_rename_into_place_or_a_finished_write_is_acted_on_at_once() {
        let debounce = DEFAULT_DEBOUNCE;
        for kind in [
            EventKind::Modify(ModifyKind::Name(RenameMode::To)),
            EventKind::Modify(ModifyKind::Name(RenameMode::Both)),
            EventKind::Access(AccessKind::Close(AccessMode::Write)),
        ] {
            assert_eq!(Change::of(&kind).quiet_time(debounce), COMPLETE_DEBOUNCE);
        }
        for kind in [
            EventKind::Create(CreateKind::File),
            EventKind::Modify(ModifyKind::Data(DataChange::Any)),
            EventKind::Modify(ModifyKind::Name(RenameMode::From)),
        ] {
            assert_eq!(Change::of(&kind).quiet_time(debounce), debounce);
        }
    }
}
