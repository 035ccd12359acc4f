//! The one `bindgen!` site, for the `trellis:tool/plugin` world and (in
//! [`scorer_world`]) the `trellis:tool/scorer` world, and the host state a
//! call's `Store` carries: the WASI context (empty unless the manifest grants
//! directories), the resource limiter, and the notes the plugin writes onto
//! its span through the `span` import.

use std::collections::BTreeMap;
use std::time::{SystemTime, UNIX_EPOCH};

use serde::Serialize;
use serde_json::{Map, Value};
use wasmtime::component::ResourceTable;
use wasmtime::ResourceLimiter;
use wasmtime_wasi::{WasiCtx, WasiCtxView, WasiView};

wasmtime::component::bindgen!({
    path: "../../wit",
    world: "plugin",
    // Calls run as futures on the worker's async runtime (a plugin yields
    // back to it every epoch tick); the `span` imports are plain host
    // functions and stay synchronous.
    exports: { default: async },
});

pub use exports::trellis::tool::tool::{ToolError, ToolSpec};

/// Bindings of the `trellis:tool/scorer` world: a scorer exports `scoring`
/// and imports nothing but WASI, so its `Store` reuses [`HostState`] (whose
/// span notes simply stay empty).
pub mod scorer_world {
    wasmtime::component::bindgen!({
        path: "../../wit",
        world: "scorer",
    });

    pub use exports::trellis::tool::scoring::Score;
}

/// Most events a call may add to its span; more are counted, not kept.
const MAX_EVENTS: usize = 256;
/// Longest event message kept, in bytes.
const MAX_EVENT_BYTES: usize = 4096;
/// Largest metadata object a call may accumulate, in bytes of JSON.
const MAX_METADATA_BYTES: usize = 64 * 1024;
/// Most distinct scores a call may log.
const MAX_SCORES: usize = 64;

/// What a plugin wrote onto its span during one call.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct SpanNotes {
    /// The last `log-output`, parsed (or kept as a string if not JSON).
    pub output: Option<Value>,
    pub scores: BTreeMap<String, f64>,
    pub metadata: Map<String, Value>,
    pub events: Vec<SpanEvent>,
    /// Annotations discarded because the call exceeded a bound above.
    pub dropped: u32,
}

/// A timestamped message added with `span.event`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SpanEvent {
    /// Unix time, seconds.
    pub time: f64,
    pub message: String,
}

/// Enforces a call's memory limit and remembers the peak it reached.
#[derive(Debug)]
pub struct CallLimiter {
    memory_limit: usize,
    pub peak_memory: usize,
    /// Set when a growth was refused: the call failed for lack of memory.
    pub memory_exceeded: bool,
}

impl CallLimiter {
    pub fn new(memory_limit: usize) -> Self {
        CallLimiter {
            memory_limit,
            peak_memory: 0,
            memory_exceeded: false,
        }
    }
}

impl ResourceLimiter for CallLimiter {
    fn memory_growing(
        &mut self,
        _current: usize,
        desired: usize,
        maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        if desired > self.memory_limit || maximum.is_some_and(|max| desired > max) {
            self.memory_exceeded = true;
            // Trapping (rather than returning -1 from memory.grow) makes the
            // failure a clean `out_of_memory` instead of whatever the guest's
            // allocator does on a failed grow.
            wasmtime::bail!(
                "memory limit of {} bytes exceeded (wanted {desired})",
                self.memory_limit
            );
        }
        self.peak_memory = self.peak_memory.max(desired);
        Ok(true)
    }

    fn table_growing(
        &mut self,
        _current: usize,
        desired: usize,
        maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        // Tables hold function references; 100k entries is far beyond any
        // real plugin and keeps a hostile one from eating host memory.
        Ok(desired <= 100_000 && maximum.is_none_or(|max| desired <= max))
    }
}

/// Everything a call's `Store` holds.
pub struct HostState {
    wasi: WasiCtx,
    table: ResourceTable,
    pub limiter: CallLimiter,
    pub notes: SpanNotes,
    max_output_bytes: usize,
}

impl HostState {
    pub fn new(wasi: WasiCtx, memory_limit: usize, max_output_bytes: usize) -> Self {
        HostState {
            wasi,
            table: ResourceTable::new(),
            limiter: CallLimiter::new(memory_limit),
            notes: SpanNotes::default(),
            max_output_bytes,
        }
    }
}

impl WasiView for HostState {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView {
            ctx: &mut self.wasi,
            table: &mut self.table,
        }
    }
}

impl trellis::tool::types::Host for HostState {}

impl trellis::tool::span::Host for HostState {
    fn log_output(&mut self, json: String) {
        if json.len() > self.max_output_bytes {
            self.notes.dropped += 1;
            return;
        }
        self.notes.output = Some(serde_json::from_str(&json).unwrap_or(Value::String(json)));
    }

    fn log_score(&mut self, name: String, value: f64) {
        if self.notes.scores.len() >= MAX_SCORES && !self.notes.scores.contains_key(&name) {
            self.notes.dropped += 1;
            return;
        }
        let value = if value.is_nan() {
            0.0
        } else {
            value.clamp(0.0, 1.0)
        };
        self.notes.scores.insert(name, value);
    }

    fn log_metadata(&mut self, json: String) {
        let Ok(Value::Object(fields)) = serde_json::from_str::<Value>(&json) else {
            self.notes.dropped += 1;
            return;
        };
        let mut merged = self.notes.metadata.clone();
        merged.extend(fields);
        if serde_json::to_vec(&merged).map_or(usize::MAX, |v| v.len()) > MAX_METADATA_BYTES {
            self.notes.dropped += 1;
            return;
        }
        self.notes.metadata = merged;
    }

    fn event(&mut self, mut message: String) {
        if self.notes.events.len() >= MAX_EVENTS {
            self.notes.dropped += 1;
            return;
        }
        if message.len() > MAX_EVENT_BYTES {
            let mut cut = MAX_EVENT_BYTES;
            while !message.is_char_boundary(cut) {
                cut -= 1;
            }
            message.truncate(cut);
        }
        let time = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0.0, |d| d.as_secs_f64());
        self.notes.events.push(SpanEvent { time, message });
    }
}
