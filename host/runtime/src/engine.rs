//! The wasmtime engines plugins are compiled for, and the on-disk compile
//! cache that lets a restarted worker skip Cranelift entirely.
//!
//! Plugins run on Cranelift's optimised code. A hot reload can first serve
//! the new version on code from Winch, wasmtime's baseline compiler (about
//! four times faster to compile, slower to run), while Cranelift compiles it
//! on low-priority background threads; the optimised code then replaces the
//! baseline code for the calls that follow ([`ReloadCompiler`]). Winch code
//! runs in the same sandbox: the same limits, epoch interruption and
//! instance pool settings, in an engine of its own.
//!
//! Calls are cheap because nothing is compiled or linked per call: the engine
//! uses the pooling allocator (instances reuse pre-reserved, copy-on-write
//! memory slots) and epoch interruption (a background thread bumps the epoch;
//! a call past its deadline traps with `Trap::Interrupt`).

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use wasmtime::component::Component;
use wasmtime::{Config, Engine, InstanceAllocationStrategy, PoolingAllocationConfig, Strategy};

use crate::manifest::MAX_MEMORY_MIB;

/// How often the epoch advances; the granularity of call time limits.
pub const EPOCH_TICK: Duration = Duration::from_millis(5);
/// Default number of calls that may run at once (instance pool slots).
pub const DEFAULT_MAX_CONCURRENT_CALLS: usize = 64;
/// Extra pool slots for instances the host creates itself (`list-tools` at
/// load time), so a reload never competes with calls for a slot.
const LOAD_SLOTS: u32 = 8;
/// Dirty linear-memory bytes per pool slot reset in place and kept mapped
/// between calls (more than a typical call dirties; beyond it, pages are
/// returned to the OS). Bounds the resident memory idle slots keep.
const KEEP_RESIDENT_BYTES: usize = 1024 * 1024;
/// The same for tables (a Rust plugin's function table is a few KiB).
const TABLE_KEEP_RESIDENT_BYTES: usize = 64 * 1024;

/// Where a compiled component came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CacheUse {
    /// Loaded from the compile cache: no compilation.
    Hit,
    /// Compiled, and written to the cache for next time.
    Miss,
    /// Compiled; the cache is disabled.
    Off,
}

impl CacheUse {
    pub fn as_str(self) -> &'static str {
        match self {
            CacheUse::Hit => "hit",
            CacheUse::Miss => "miss",
            CacheUse::Off => "off",
        }
    }
}

/// Which compiler made the code a plugin runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tier {
    /// Winch, wasmtime's baseline compiler: one pass, no optimisation.
    Baseline,
    /// Cranelift, wasmtime's optimising compiler.
    Optimized,
}

impl Tier {
    pub fn as_str(self) -> &'static str {
        match self {
            Tier::Baseline => "baseline",
            Tier::Optimized => "optimized",
        }
    }
}

/// How a plugin that changes while the worker runs (a hot reload) is
/// compiled. The plugins found at start-up are always compiled with
/// Cranelift (or loaded from the compile cache) before the worker is ready.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ReloadCompiler {
    /// Serve the new version on Winch's code at once, and swap in
    /// Cranelift's code (also written to the compile cache) when its
    /// background compile finishes.
    #[default]
    Tiered,
    /// Compile with Cranelift before serving the new version.
    Optimizing,
    /// Winch only: new versions never get optimised code.
    Baseline,
}

impl ReloadCompiler {
    /// Whether reloads compile with Winch (a baseline engine is needed).
    fn uses_baseline(self) -> bool {
        self != ReloadCompiler::Optimizing
    }
}

/// Settings of the engine, fixed for the life of a registry.
#[derive(Debug, Clone)]
pub struct EngineConfig {
    /// How many calls may run at once; sizes the instance pool.
    pub max_concurrent_calls: usize,
    /// Where compiled artifacts are kept across restarts; `None` disables the
    /// cache. The directory must be as trusted as the binary itself: its
    /// files are loaded as native code.
    pub cache_dir: Option<PathBuf>,
    /// How hot reloads compile.
    pub reload_compiler: ReloadCompiler,
}

impl Default for EngineConfig {
    fn default() -> Self {
        EngineConfig {
            max_concurrent_calls: DEFAULT_MAX_CONCURRENT_CALLS,
            cache_dir: None,
            reload_compiler: ReloadCompiler::default(),
        }
    }
}

/// The engines, their epoch ticker and the compile cache.
pub struct PluginEngine {
    engine: Engine,
    /// Compiles for `engine` on the compile threads, through the cache.
    compiler: Arc<Compiler>,
    /// Winch's engine and the low-priority threads that compile reloaded
    /// plugins with Cranelift meanwhile, when reloads use it.
    baseline: Option<Baseline>,
    ticker_stop: Arc<AtomicBool>,
}

struct Baseline {
    engine: Engine,
    /// With tiered reloads: compiles for the optimising engine on the
    /// low-priority threads.
    background: Option<Arc<Compiler>>,
}

/// Compiles components for one engine on a thread pool, through the
/// compile cache.
pub struct Compiler {
    engine: Engine,
    cache_dir: Option<PathBuf>,
    /// Names cache entries: changes whenever a setting that affects the
    /// compiled code changes (wasmtime version, target, tunables).
    engine_key: String,
    pool: Arc<rayon::ThreadPool>,
}

/// The instance pool every engine gets: one slot per concurrent call plus
/// [`LOAD_SLOTS`].
fn pooling_config(slots: u32) -> PoolingAllocationConfig {
    let mut pool = PoolingAllocationConfig::default();
    pool.total_component_instances(slots)
        // A Rust component holds a handful of core instances (the module,
        // its WASI adapter, shims); these bounds leave room for that while
        // keeping a hostile component from reserving the whole pool.
        .max_core_instances_per_component(32)
        .max_memories_per_component(4)
        .max_tables_per_component(8)
        .total_core_instances(slots * 8)
        .total_memories(slots * 2)
        .total_tables(slots * 4)
        // Each call runs on a fiber stack of its own (calls are async).
        .total_stacks(slots)
        .max_memory_size(MAX_MEMORY_MIB as usize * 1024 * 1024);
    if PoolingAllocationConfig::is_pagemap_scan_available() {
        // Reset a finished instance's memory by rewriting only the pages
        // it dirtied (found with the PAGEMAP_SCAN ioctl, Linux 6.7+) and
        // keep them mapped, instead of `madvise` dropping them: the next
        // call then takes no page faults and the process no TLB
        // shootdowns. Halves the cost of a call (B1 in `make bench`).
        // Without the ioctl, keep-resident would `memset` the first
        // bytes of every memory whether dirty or not, which costs more
        // than it saves; the defaults stay.
        pool.pagemap_scan(wasmtime::Enabled::Yes)
            .linear_memory_keep_resident(KEEP_RESIDENT_BYTES)
            .table_keep_resident(TABLE_KEEP_RESIDENT_BYTES);
    }
    pool
}

fn new_engine(slots: u32, strategy: Strategy) -> Result<Engine, String> {
    let mut wasm = Config::new();
    wasm.wasm_component_model(true)
        .epoch_interruption(true)
        .strategy(strategy)
        .allocation_strategy(InstanceAllocationStrategy::Pooling(pooling_config(slots)));
    Engine::new(&wasm).map_err(|e| format!("{e:#}"))
}

impl PluginEngine {
    /// Builds the engines and starts their epoch ticker thread.
    pub fn new(config: &EngineConfig) -> Result<Self, String> {
        let slots = u32::try_from(config.max_concurrent_calls)
            .map_err(|_| "max_concurrent_calls is too large".to_string())?
            + LOAD_SLOTS;
        let engine = new_engine(slots, Strategy::Cranelift)?;
        let mut cache_dir = config.cache_dir.clone();
        if let Some(dir) = &cache_dir {
            if let Err(e) = std::fs::create_dir_all(dir) {
                tracing::warn!(dir = %dir.display(), "compile cache disabled: cannot create it: {e}");
                cache_dir = None;
            }
        }
        let mut hasher = DefaultHasher::new();
        engine.precompile_compatibility_hash().hash(&mut hasher);
        let engine_key = format!("{:016x}", hasher.finish());
        let compiler = |pool| {
            Arc::new(Compiler {
                engine: engine.clone(),
                cache_dir: cache_dir.clone(),
                engine_key: engine_key.clone(),
                pool,
            })
        };
        let baseline = if config.reload_compiler.uses_baseline() {
            let tiered = config.reload_compiler == ReloadCompiler::Tiered;
            Some(Baseline {
                engine: new_engine(slots, Strategy::Winch)?,
                background: tiered.then(background_pool).transpose()?.map(&compiler),
            })
        } else {
            None
        };
        let compiler = compiler(compile_pool()?);

        let ticker_stop = Arc::new(AtomicBool::new(false));
        let mut engines = vec![engine.clone()];
        engines.extend(baseline.as_ref().map(|b| b.engine.clone()));
        spawn_ticker(engines, ticker_stop.clone());
        Ok(PluginEngine {
            engine,
            compiler,
            baseline,
            ticker_stop,
        })
    }

    /// The optimising (Cranelift) engine.
    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// Number of epoch ticks that make up `limit` (at least one).
    pub fn ticks_for(limit: Duration) -> u64 {
        (limit.as_micros() / EPOCH_TICK.as_micros()).max(1) as u64
    }

    /// Compiles a component with Cranelift on the compile threads, or
    /// loads its compiled form from the cache. `digest` is the hex SHA-256
    /// of `bytes`.
    pub fn compile(&self, bytes: &[u8], digest: &str) -> Result<(Component, CacheUse), String> {
        self.compiler.compile(bytes, digest)
    }

    /// Compiles a plugin's component as [`Self::compile`] does, except for
    /// a reload when reloads use Winch: then Cranelift's code from the cache
    /// if it is there, else Winch's (never cached: it is replaced, or cheap
    /// to redo). Returns the component, the cache's part and the compiler
    /// that made the code.
    pub fn compile_plugin(
        &self,
        bytes: &[u8],
        digest: &str,
        reload: bool,
    ) -> Result<(Component, CacheUse, Tier), String> {
        let Some(baseline) = self.baseline.as_ref().filter(|_| reload) else {
            let (component, cache) = self.compile(bytes, digest)?;
            return Ok((component, cache, Tier::Optimized));
        };
        if let Some(component) = self.compiler.cached(digest) {
            return Ok((component, CacheUse::Hit, Tier::Optimized));
        }
        let component = self
            .compiler
            .pool
            .install(|| Component::new(&baseline.engine, bytes))
            .map_err(|e| format!("{e:#}"))?;
        // Cranelift's code goes to the cache once the background compile
        // finishes.
        let cache = if baseline.background.is_some() && self.compiler.cache_dir.is_some() {
            CacheUse::Miss
        } else {
            CacheUse::Off
        };
        Ok((component, cache, Tier::Baseline))
    }

    /// Winch's engine, when reloads use it.
    pub fn baseline_engine(&self) -> Option<&Engine> {
        self.baseline.as_ref().map(|b| &b.engine)
    }

    /// With tiered reloads, runs `job` on the background compile threads
    /// (low priority), giving it a Cranelift compiler that writes to the
    /// compile cache. Otherwise baseline code is never replaced and `job`
    /// is dropped.
    pub fn in_background(&self, job: impl FnOnce(&Compiler) + Send + 'static) {
        let background = self.baseline.as_ref().and_then(|b| b.background.clone());
        if let Some(compiler) = background {
            let pool = compiler.pool.clone();
            pool.spawn(move || job(&compiler));
        }
    }
}

impl Compiler {
    /// Compiles a component on this compiler's threads, or loads its
    /// compiled form from the cache. `digest` is the hex SHA-256 of `bytes`.
    pub fn compile(&self, bytes: &[u8], digest: &str) -> Result<(Component, CacheUse), String> {
        let Some(path) = self.cache_path(digest) else {
            return self
                .pool
                .install(|| Component::new(&self.engine, bytes))
                .map(|c| (c, CacheUse::Off))
                .map_err(|e| format!("{e:#}"));
        };
        if let Some(component) = self.cached(digest) {
            return Ok((component, CacheUse::Hit));
        }
        let compiled = self
            .pool
            .install(|| self.engine.precompile_component(bytes))
            .map_err(|e| format!("{e:#}"))?;
        if let Err(e) = write_atomically(&path, &compiled) {
            tracing::warn!(path = %path.display(), "cannot write compile cache entry: {e}");
        }
        self.deserialize(&compiled).map(|c| (c, CacheUse::Miss))
    }

    fn cache_path(&self, digest: &str) -> Option<PathBuf> {
        let dir = self.cache_dir.as_ref()?;
        Some(dir.join(format!("{digest}-{}.cwasm", self.engine_key)))
    }

    fn cached(&self, digest: &str) -> Option<Component> {
        let path = self.cache_path(digest).filter(|p| p.exists())?;
        self.load_cached(&path)
            .inspect_err(|e| {
                tracing::warn!(path = %path.display(), "ignoring unusable compile cache entry: {e}")
            })
            .ok()
    }

    #[allow(unsafe_code)]
    fn load_cached(&self, path: &Path) -> Result<Component, String> {
        // SAFETY: wasmtime requires that the file was produced by
        // `Engine::precompile_component` of a compatible engine and has not
        // been tampered with. Only this function's sibling writes into the
        // cache directory, under a name keyed by the source digest and the
        // engine's compatibility hash, and wasmtime checks the header and
        // engine settings before use. The cache directory is documented as
        // requiring the same trust as the binary.
        unsafe { Component::deserialize_file(&self.engine, path) }.map_err(|e| format!("{e:#}"))
    }

    #[allow(unsafe_code)]
    fn deserialize(&self, compiled: &[u8]) -> Result<Component, String> {
        // SAFETY: `compiled` was produced just now by this engine's
        // `precompile_component`.
        unsafe { Component::deserialize(&self.engine, compiled) }.map_err(|e| format!("{e:#}"))
    }
}

impl Drop for PluginEngine {
    fn drop(&mut self) {
        self.ticker_stop.store(true, Ordering::Relaxed);
    }
}

/// Hands the heap memory a compilation freed back to the OS. Compiling a
/// component allocates tens of MiB across the compile threads' malloc
/// arenas; glibc keeps what was freed there mapped, so without this a
/// worker stays ~10 MiB larger than it needs to after loading plugins
/// (B8 in `make bench`). Costs a few milliseconds; called once after a
/// scan that compiled something and after each background compile, never
/// when everything came from the compile cache.
pub(crate) fn release_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    #[allow(unsafe_code)]
    // SAFETY: `malloc_trim` only returns free pages of glibc's arenas to
    // the OS; it takes the arenas' locks and leaves live allocations alone.
    unsafe {
        libc::malloc_trim(0);
    }
}

/// Compile threads per CPU.
const COMPILE_THREADS_PER_CPU: usize = 4;

/// How many threads compile a plugin. Under load the kernel shares the CPUs
/// among runnable threads, so with one compile thread per CPU the tokio
/// workers serving calls (and whatever else runs) would leave a hot reload
/// a small slice and stretch it several times over. More compile threads
/// give a reload (rare, a few hundred milliseconds of work) the larger
/// share while it lasts; idle, they cost only their stacks. B3 in
/// `make bench` measures reloads under load.
fn compile_threads() -> usize {
    cpus() * COMPILE_THREADS_PER_CPU
}

fn cpus() -> usize {
    std::thread::available_parallelism().map_or(2, |n| n.get())
}

fn compile_pool() -> Result<Arc<rayon::ThreadPool>, String> {
    rayon::ThreadPoolBuilder::new()
        .num_threads(compile_threads())
        .thread_name(|i| format!("trellis-compile-{i}"))
        .build()
        .map(Arc::new)
        .map_err(|e| format!("cannot start the compile threads: {e}"))
}

/// The niceness of the background compile threads: a reloaded plugin is
/// already being served (on baseline code), so optimising it yields to
/// calls and to the next reload's compile.
const BACKGROUND_NICENESS: i32 = 10;

/// One thread per CPU, at [`BACKGROUND_NICENESS`].
fn background_pool() -> Result<Arc<rayon::ThreadPool>, String> {
    rayon::ThreadPoolBuilder::new()
        .num_threads(cpus())
        .thread_name(|i| format!("trellis-optimize-{i}"))
        .start_handler(|_| lower_this_threads_priority(BACKGROUND_NICENESS))
        .build()
        .map(Arc::new)
        .map_err(|e| format!("cannot start the background compile threads: {e}"))
}

/// Raises the calling thread's niceness (Linux schedules threads one by
/// one, so only this thread runs at the lower priority). Raising it needs
/// no privilege; failing leaves the thread as it was.
#[allow(unsafe_code)]
fn lower_this_threads_priority(niceness: i32) {
    #[cfg(target_os = "linux")]
    // SAFETY: `setpriority` takes plain integers; `who` 0 is the calling
    // thread, which is all it changes.
    unsafe {
        libc::setpriority(libc::PRIO_PROCESS, 0, niceness);
    }
    #[cfg(not(target_os = "linux"))]
    let _ = niceness;
}

fn spawn_ticker(engines: Vec<Engine>, stop: Arc<AtomicBool>) {
    std::thread::Builder::new()
        .name("trellis-epoch".into())
        .spawn(move || {
            while !stop.load(Ordering::Relaxed) {
                std::thread::sleep(EPOCH_TICK);
                for engine in &engines {
                    engine.increment_epoch();
                }
            }
        })
        .expect("spawning the epoch thread");
}

fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let tmp = path.with_extension(format!("tmp{}", std::process::id()));
    std::fs::write(&tmp, bytes)?;
    std::fs::rename(&tmp, path)
}
