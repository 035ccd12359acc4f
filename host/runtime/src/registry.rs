//! The set of plugins being served. A scan of the plugin directory builds a
//! new [`Snapshot`] and swaps it in atomically; a call holds an `Arc` of the
//! plugin it started on, so in-flight calls finish on their version while new
//! calls see the new one. A file that fails to load is logged once and the
//! previous version of that plugin, if any, keeps serving.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use arc_swap::ArcSwap;
use serde_json::Value;
use tokio::sync::Semaphore;
use wasmtime::component::{HasSelf, Linker};

use crate::bindings::{HostState, Plugin as PluginBindings};
use crate::engine::{CacheUse, EngineConfig, PluginEngine, Tier};
use crate::error::{CallError, LoadError};
use crate::manifest::Manifest;
use crate::plugin::{digest_of, CallOutcome, Linkers, Plugin};

/// How long a call waits for a free slot before it is refused as busy.
pub const DEFAULT_QUEUE_TIMEOUT: Duration = Duration::from_secs(2);

/// Settings of a registry.
#[derive(Debug, Clone)]
pub struct RegistryConfig {
    /// The directory of `NAME.wasm` (and optional `NAME.toml`) files.
    pub dir: PathBuf,
    pub engine: EngineConfig,
    /// How long a call may wait for a free slot when all are busy.
    pub queue_timeout: Duration,
}

impl RegistryConfig {
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        RegistryConfig {
            dir: dir.into(),
            engine: EngineConfig::default(),
            queue_timeout: DEFAULT_QUEUE_TIMEOUT,
        }
    }
}

/// The plugins and tools being served at one revision.
#[derive(Default)]
pub struct Snapshot {
    /// Grows by one on every change of the set.
    pub revision: u64,
    /// Plugins by name (file stem), in name order.
    pub plugins: BTreeMap<String, Arc<Plugin>>,
    /// Tool name → (plugin, index into its `tools`).
    tools: BTreeMap<String, (Arc<Plugin>, usize)>,
}

impl Snapshot {
    /// Every tool with its plugin, in tool-name order.
    pub fn tools(&self) -> impl Iterator<Item = (&Arc<Plugin>, &crate::plugin::ToolDef)> {
        self.tools
            .values()
            .map(|(plugin, i)| (plugin, &plugin.tools[*i]))
    }

    /// The plugin serving `tool`, and the tool's index in it.
    pub fn tool(&self, tool: &str) -> Option<(&Arc<Plugin>, usize)> {
        self.tools.get(tool).map(|(plugin, i)| (plugin, *i))
    }

    fn rebuild(revision: u64, plugins: BTreeMap<String, Arc<Plugin>>) -> Snapshot {
        let mut tools = BTreeMap::new();
        for plugin in plugins.values() {
            for (i, tool) in plugin.tools.iter().enumerate() {
                tools.insert(tool.name.clone(), (plugin.clone(), i));
            }
        }
        Snapshot {
            revision,
            plugins,
            tools,
        }
    }
}

/// What one scan changed, for logs and tests.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct ScanReport {
    pub loaded: Vec<String>,
    pub removed: Vec<String>,
    /// `(file, reason)` for every file that failed to load in this scan.
    pub rejected: Vec<(PathBuf, String)>,
    pub revision: u64,
}

/// A file as last seen, so unchanged files are not re-read or re-logged.
#[derive(Debug, Clone, PartialEq)]
struct Seen {
    stamp: Stamp,
    /// Digests of the wasm and manifest last acted on.
    content: (String, Option<String>),
}

/// Cheap identity of a file's current version: size and modification time of
/// the wasm and of its manifest.
type Stamp = (FileStamp, Option<FileStamp>);
type FileStamp = (u64, Option<SystemTime>);

/// The plugin registry: engine, linker, current snapshot and call slots.
pub struct Registry {
    engine: PluginEngine,
    linkers: Arc<Linkers>,
    dir: PathBuf,
    snapshot: ArcSwap<Snapshot>,
    slots: Arc<Semaphore>,
    max_slots: usize,
    queue_timeout: Duration,
    /// Serialises scans; holds what each file looked like when last scanned.
    seen: Mutex<HashMap<PathBuf, Seen>>,
    /// Whether the first scan (start-up) has run: later ones are reloads.
    scanned: AtomicBool,
}

impl Registry {
    /// Sets up the engine and linker. Loads nothing: call [`Registry::scan`].
    pub fn new(config: RegistryConfig) -> Result<Registry, LoadError> {
        let engine = PluginEngine::new(&config.engine).map_err(LoadError::Engine)?;
        let linkers = Linkers {
            optimized: host_linker(engine.engine())?,
            baseline: engine.baseline_engine().map(host_linker).transpose()?,
        };
        Ok(Registry {
            engine,
            linkers: Arc::new(linkers),
            dir: config.dir,
            snapshot: ArcSwap::from_pointee(Snapshot::default()),
            slots: Arc::new(Semaphore::new(config.engine.max_concurrent_calls)),
            max_slots: config.engine.max_concurrent_calls,
            queue_timeout: config.queue_timeout,
            seen: Mutex::new(HashMap::new()),
            scanned: AtomicBool::new(false),
        })
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The current snapshot; cheap, and stable for as long as it is held.
    pub fn snapshot(&self) -> Arc<Snapshot> {
        self.snapshot.load_full()
    }

    /// Calls that may run at once.
    pub fn max_concurrent_calls(&self) -> usize {
        self.max_slots
    }

    /// Calls running right now.
    pub fn calls_in_flight(&self) -> usize {
        self.max_slots - self.slots.available_permits()
    }

    /// Brings the served set in line with the directory: loads new and
    /// changed plugins, drops deleted ones, and swaps in a new snapshot if
    /// anything changed. Blocking (it compiles): run it off the async
    /// request path. Each rejected file is logged once per version.
    pub fn scan(&self) -> ScanReport {
        let mut seen = self.seen.lock().unwrap_or_else(|p| p.into_inner());
        let current = self.snapshot.load_full();
        // The first scan (start-up) compiles with Cranelift, so the worker
        // is ready with optimised code; later ones are reloads.
        let reload = self.scanned.swap(true, Ordering::Relaxed);
        let mut plugins = current.plugins.clone();
        let mut report = ScanReport::default();
        // Whether a compiler ran (a rejected file may have got that far).
        let mut compiled = false;

        let files = match wasm_files(&self.dir) {
            Ok(files) => files,
            Err(e) => {
                tracing::warn!(dir = %self.dir.display(), "cannot list the plugin directory: {e}");
                report.revision = current.revision;
                return report;
            }
        };

        let present: BTreeMap<String, &PathBuf> =
            files.iter().map(|path| (plugin_name(path), path)).collect();
        for name in current.plugins.keys() {
            if !present.contains_key(name) {
                plugins.remove(name);
                tracing::info!(plugin = %name, "plugin removed");
                report.removed.push(name.clone());
            }
        }
        seen.retain(|path, _| files.contains(path));

        for path in &files {
            let name = plugin_name(path);
            let manifest_path = path.with_extension("toml");
            let stamp = (file_stamp(path), opt_file_stamp(&manifest_path));
            if seen.get(path).is_some_and(|s| s.stamp == stamp) {
                continue;
            }
            let bytes = match std::fs::read(path) {
                Ok(bytes) => bytes,
                // Deleted between listing and reading: the next event rescans.
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
                Err(source) => {
                    let err = LoadError::Read {
                        path: path.clone(),
                        source,
                    };
                    report.rejected.push((path.clone(), err.to_string()));
                    tracing::warn!("rejected plugin: {err}");
                    continue;
                }
            };
            let manifest_text = std::fs::read_to_string(&manifest_path).ok();
            let content = (
                digest_of(&bytes),
                manifest_text.as_ref().map(|t| digest_of(t.as_bytes())),
            );
            let unchanged = seen.get(path).is_some_and(|s| s.content == content);
            seen.insert(
                path.clone(),
                Seen {
                    stamp,
                    content: content.clone(),
                },
            );
            if unchanged {
                continue;
            }
            let started = Instant::now();
            match self.load_one(
                path,
                &bytes,
                manifest_text.as_deref(),
                &manifest_path,
                &name,
                &plugins,
                reload,
            ) {
                Ok(plugin) => {
                    tracing::info!(
                        plugin = %name,
                        digest = %plugin.digest,
                        compile_cache = %plugin.cache.as_str(),
                        compiler = %plugin.tier().as_str(),
                        tools = %plugin.tools.iter().map(|t| t.name.as_str()).collect::<Vec<_>>().join(", "),
                        "loaded plugin in {:.0} ms",
                        started.elapsed().as_secs_f64() * 1000.0
                    );
                    compiled |= plugin.cache != CacheUse::Hit;
                    let plugin = Arc::new(plugin);
                    if plugin.tier() == Tier::Baseline {
                        self.optimize_later(&plugin, bytes);
                    }
                    plugins.insert(name.clone(), plugin);
                    report.loaded.push(name);
                }
                Err(err) => {
                    compiled = true;
                    let keeps = if plugins.contains_key(&name) {
                        "; the previous version keeps serving"
                    } else {
                        ""
                    };
                    tracing::warn!("rejected plugin: {err}{keeps}");
                    report.rejected.push((path.clone(), err.to_string()));
                }
            }
        }

        if compiled {
            crate::engine::release_freed_memory();
        }
        if report.loaded.is_empty() && report.removed.is_empty() {
            report.revision = current.revision;
            return report;
        }
        let revision = current.revision + 1;
        self.snapshot
            .store(Arc::new(Snapshot::rebuild(revision, plugins)));
        report.revision = revision;
        report
    }

    /// With tiered reloads, compiles `plugin` (loaded on baseline code from
    /// `bytes`) with Cranelift on the background threads and switches it to
    /// that code. A version replaced (and finished with) before its turn
    /// comes is skipped.
    fn optimize_later(&self, plugin: &Arc<Plugin>, bytes: Vec<u8>) {
        let plugin = Arc::downgrade(plugin);
        let linkers = self.linkers.clone();
        self.engine.in_background(move |compiler| {
            let Some(plugin) = plugin.upgrade() else {
                return;
            };
            let started = Instant::now();
            match plugin.optimize(compiler, &linkers.optimized, &bytes) {
                Ok(()) => tracing::info!(
                    plugin = %plugin.name,
                    digest = %plugin.digest,
                    "optimized plugin in {:.0} ms; later calls run Cranelift's code",
                    started.elapsed().as_secs_f64() * 1000.0
                ),
                Err(err) => tracing::warn!(
                    plugin = %plugin.name,
                    "cannot optimize plugin, it keeps running baseline code: {err}"
                ),
            }
            crate::engine::release_freed_memory();
        });
    }

    #[allow(clippy::too_many_arguments)]
    fn load_one(
        &self,
        path: &Path,
        bytes: &[u8],
        manifest_text: Option<&str>,
        manifest_path: &Path,
        name: &str,
        others: &BTreeMap<String, Arc<Plugin>>,
        reload: bool,
    ) -> Result<Plugin, LoadError> {
        let manifest = match manifest_text {
            Some(text) => Manifest::parse(text, manifest_path)?,
            None => Manifest::default(),
        };
        let plugin = Plugin::load(&self.engine, &self.linkers, path, bytes, manifest, reload)?;
        for tool in &plugin.tools {
            let owner = others.iter().find(|(other, p)| {
                other.as_str() != name && p.tools.iter().any(|t| t.name == tool.name)
            });
            if let Some((owner, _)) = owner {
                return Err(LoadError::DuplicateTool {
                    path: path.to_path_buf(),
                    tool: tool.name.clone(),
                    owner: owner.clone(),
                });
            }
        }
        Ok(plugin)
    }

    /// Calls `tool` with `input`: validates the input against the tool's
    /// schema, waits (up to the queue timeout) for a free slot, and runs the
    /// call in a fresh instance on this task (it yields every epoch tick, so
    /// a slow plugin does not hold up the runtime's other tasks).
    pub async fn call(&self, tool: &str, input: &Value) -> CallOutcome {
        let snapshot = self.snapshot();
        let Some((plugin, index)) = snapshot.tool(tool) else {
            return CallOutcome::refused(CallError::UnknownTool(tool.to_string()));
        };
        let def = &plugin.tools[index];
        if let Err(e) = def.validate(input) {
            return CallOutcome::refused(e);
        }
        let permit = match tokio::time::timeout(
            self.queue_timeout,
            self.slots.clone().acquire_owned(),
        )
        .await
        {
            Ok(Ok(permit)) => permit,
            _ => {
                return CallOutcome::refused(CallError::Busy {
                    slots: self.max_slots,
                    waited: self.queue_timeout,
                })
            }
        };
        let outcome = plugin.call(&def.name, &input.to_string()).await;
        drop(permit);
        outcome
    }
}

/// A linker for `engine` with WASI and the host's imports.
fn host_linker(engine: &wasmtime::Engine) -> Result<Linker<HostState>, LoadError> {
    let mut linker = Linker::new(engine);
    wasmtime_wasi::p2::add_to_linker_async(&mut linker)
        .map_err(|e| LoadError::Engine(format!("{e:#}")))?;
    PluginBindings::add_to_linker::<_, HasSelf<_>>(&mut linker, |state| state)
        .map_err(|e| LoadError::Engine(format!("{e:#}")))?;
    Ok(linker)
}

fn plugin_name(path: &Path) -> String {
    path.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// The `*.wasm` regular files of `dir`, sorted; hidden files (editors' and
/// installers' temporaries) are skipped.
pub(crate) fn wasm_files(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let path = entry.path();
        let hidden = path
            .file_name()
            .and_then(|n| n.to_str())
            .is_none_or(|n| n.starts_with('.'));
        if hidden || path.extension().and_then(|e| e.to_str()) != Some("wasm") {
            continue;
        }
        if std::fs::metadata(&path).is_ok_and(|m| m.is_file()) {
            files.push(path);
        }
    }
    files.sort();
    Ok(files)
}

fn file_stamp(path: &Path) -> FileStamp {
    opt_file_stamp(path).unwrap_or((0, None))
}

fn opt_file_stamp(path: &Path) -> Option<FileStamp> {
    std::fs::metadata(path)
        .ok()
        .map(|m| (m.len(), m.modified().ok()))
}
