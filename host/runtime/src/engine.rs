//! The one wasmtime `Engine` every plugin is compiled for, and the on-disk
//! compile cache that lets a restarted worker skip Cranelift entirely.
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
use wasmtime::{Config, Engine, InstanceAllocationStrategy, PoolingAllocationConfig};

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

/// Settings of the engine, fixed for the life of a registry.
#[derive(Debug, Clone)]
pub struct EngineConfig {
    /// How many calls may run at once; sizes the instance pool.
    pub max_concurrent_calls: usize,
    /// Where compiled artifacts are kept across restarts; `None` disables the
    /// cache. The directory must be as trusted as the binary itself: its
    /// files are loaded as native code.
    pub cache_dir: Option<PathBuf>,
}

impl Default for EngineConfig {
    fn default() -> Self {
        EngineConfig {
            max_concurrent_calls: DEFAULT_MAX_CONCURRENT_CALLS,
            cache_dir: None,
        }
    }
}

/// The engine, its epoch ticker and its compile cache.
pub struct PluginEngine {
    engine: Engine,
    cache_dir: Option<PathBuf>,
    /// Names cache entries: changes whenever a setting that affects the
    /// compiled code changes (wasmtime version, target, tunables).
    engine_key: String,
    ticker_stop: Arc<AtomicBool>,
    /// Threads Cranelift compiles on (see [`compile_threads`]).
    compile_pool: Arc<rayon::ThreadPool>,
}

impl PluginEngine {
    /// Builds the engine and starts its epoch ticker thread.
    pub fn new(config: &EngineConfig) -> Result<Self, String> {
        let slots = u32::try_from(config.max_concurrent_calls)
            .map_err(|_| "max_concurrent_calls is too large".to_string())?
            + LOAD_SLOTS;
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

        let mut wasm = Config::new();
        wasm.wasm_component_model(true)
            .epoch_interruption(true)
            .allocation_strategy(InstanceAllocationStrategy::Pooling(pool));
        let engine = Engine::new(&wasm).map_err(|e| format!("{e:#}"))?;

        let mut hasher = DefaultHasher::new();
        engine.precompile_compatibility_hash().hash(&mut hasher);
        let engine_key = format!("{:016x}", hasher.finish());

        let ticker_stop = Arc::new(AtomicBool::new(false));
        spawn_ticker(engine.clone(), ticker_stop.clone());
        let compile_pool = Arc::new(
            rayon::ThreadPoolBuilder::new()
                .num_threads(compile_threads())
                .thread_name(|i| format!("trellis-compile-{i}"))
                .build()
                .map_err(|e| format!("cannot start the compile threads: {e}"))?,
        );

        if let Some(dir) = &config.cache_dir {
            if let Err(e) = std::fs::create_dir_all(dir) {
                tracing::warn!(dir = %dir.display(), "compile cache disabled: cannot create it: {e}");
                return Ok(PluginEngine {
                    engine,
                    cache_dir: None,
                    engine_key,
                    ticker_stop,
                    compile_pool,
                });
            }
        }
        Ok(PluginEngine {
            engine,
            cache_dir: config.cache_dir.clone(),
            engine_key,
            ticker_stop,
            compile_pool,
        })
    }

    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// Number of epoch ticks that make up `limit` (at least one).
    pub fn ticks_for(limit: Duration) -> u64 {
        (limit.as_micros() / EPOCH_TICK.as_micros()).max(1) as u64
    }

    /// Compiles a component, or loads its compiled form from the cache.
    /// `digest` is the hex SHA-256 of `bytes`.
    pub fn compile(&self, bytes: &[u8], digest: &str) -> Result<(Component, CacheUse), String> {
        let Some(dir) = &self.cache_dir else {
            return self
                .compile_pool
                .install(|| Component::new(&self.engine, bytes))
                .map(|c| (c, CacheUse::Off))
                .map_err(|e| format!("{e:#}"));
        };
        let path = dir.join(format!("{digest}-{}.cwasm", self.engine_key));
        if path.exists() {
            match self.load_cached(&path) {
                Ok(component) => return Ok((component, CacheUse::Hit)),
                Err(e) => {
                    tracing::warn!(path = %path.display(), "ignoring unusable compile cache entry: {e}")
                }
            }
        }
        let compiled = self
            .compile_pool
            .install(|| self.engine.precompile_component(bytes))
            .map_err(|e| format!("{e:#}"))?;
        if let Err(e) = write_atomically(&path, &compiled) {
            tracing::warn!(path = %path.display(), "cannot write compile cache entry: {e}");
        }
        self.deserialize(&compiled).map(|c| (c, CacheUse::Miss))
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
    std::thread::available_parallelism().map_or(2, |n| n.get()) * COMPILE_THREADS_PER_CPU
}

fn spawn_ticker(engine: Engine, stop: Arc<AtomicBool>) {
    std::thread::Builder::new()
        .name("trellis-epoch".into())
        .spawn(move || {
            while !stop.load(Ordering::Relaxed) {
                std::thread::sleep(EPOCH_TICK);
                engine.increment_epoch();
            }
        })
        .expect("spawning the epoch thread");
}

fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let tmp = path.with_extension(format!("tmp{}", std::process::id()));
    std::fs::write(&tmp, bytes)?;
    std::fs::rename(&tmp, path)
}
