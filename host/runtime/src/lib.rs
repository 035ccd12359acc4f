//! The wasmtime host for Trellis tool plugins and eval scorer plugins. No
//! HTTP here: the worker crate puts a network surface over [`Registry`].
//!
//! - [`engine`]: the one wasmtime `Engine` (pooling allocator, epoch
//!   interruption) and the on-disk compile cache.
//! - [`bindings`]: the single `bindgen!` site for the `trellis:tool` world and
//!   the per-call host state the `span` import writes into.
//! - [`manifest`]: the optional `NAME.toml` beside a plugin: limits and
//!   read-only directory grants.
//! - [`plugin`]: one loaded plugin: validated tool specs and a sandboxed call.
//! - [`registry`]: the set of plugins being served, swapped atomically on
//!   every change, with a bounded pool of concurrent calls.
//! - [`watch`]: hot reload: watches the plugin directory and rescans it.
//! - [`scorer`]: custom eval scorers: `trellis:tool/scorer` components loaded
//!   from a directory and called once per case in the same sandbox.
//! - [`error`]: what can go wrong loading a plugin or calling a tool.

pub mod bindings;
pub mod engine;
pub mod error;
pub mod manifest;
pub mod plugin;
pub mod registry;
pub mod scorer;
pub mod watch;

pub use bindings::SpanNotes;
pub use engine::{EngineConfig, PluginEngine, ReloadCompiler, Tier};
pub use error::{CallError, LoadError};
pub use manifest::{Limits, Manifest};
pub use plugin::{CallOutcome, Plugin, ToolDef};
pub use registry::{Registry, RegistryConfig, ScanReport, Snapshot};
pub use scorer::{PluginScore, ScorerCallError, ScorerLoadError, ScorerPlugin, ScorerSet};
pub use trellis_api::worker::Receipt;
pub use watch::Watcher;
