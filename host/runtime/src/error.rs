//! Errors of the runtime. Loading errors say which file and why; call errors
//! map one-to-one onto the worker API's error kinds.

use std::path::PathBuf;
use std::time::Duration;

use trellis_api::ErrorKind;

/// Why a plugin file could not be loaded. The previous version of the plugin,
/// if any, keeps serving.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("cannot read `{path}`: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("`{path}` is not a WebAssembly file (no `\\0asm` header)")]
    NotWasm { path: PathBuf },
    #[error(
        "`{path}` is a core WebAssembly module, not a component: build it with \
         `--target wasm32-wasip2` (or wrap it with `wasm-tools component new`)"
    )]
    CoreModule { path: PathBuf },
    #[error("`{path}` is not a valid component: {reason}")]
    Compile { path: PathBuf, reason: String },
    #[error("`{path}` cannot be linked: {reason}")]
    Link { path: PathBuf, reason: String },
    #[error("`{path}` does not implement the `trellis:tool/plugin` world: {reason}")]
    WrongWorld { path: PathBuf, reason: String },
    #[error("`{path}`: list-tools failed: {reason}")]
    ListTools { path: PathBuf, reason: String },
    #[error("`{path}`: tool `{tool}` has an invalid spec: {reason}")]
    InvalidSpec {
        path: PathBuf,
        tool: String,
        reason: String,
    },
    #[error("`{path}` declares {count} tools; a plugin may declare at most {max}")]
    TooManyTools {
        path: PathBuf,
        count: usize,
        max: usize,
    },
    #[error("`{path}` declares no tools")]
    NoTools { path: PathBuf },
    #[error("`{path}`: tool `{tool}` is already provided by plugin `{owner}`")]
    DuplicateTool {
        path: PathBuf,
        tool: String,
        owner: String,
    },
    #[error("manifest `{path}` is invalid: {reason}")]
    Manifest { path: PathBuf, reason: String },
    #[error("cannot set up the engine: {0}")]
    Engine(String),
}

/// Why a tool call did not produce an output.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CallError {
    /// The input failed the tool's schema, or the tool rejected it.
    #[error("{0}")]
    InvalidInput(String),
    /// The tool ran and reported failure, or its output was unusable.
    #[error("{0}")]
    Failed(String),
    #[error("the call exceeded its time limit of {} ms and was interrupted", .0.as_millis())]
    Timeout(Duration),
    #[error("the call exceeded its memory limit of {} MiB", .0 / (1024 * 1024))]
    OutOfMemory(u64),
    #[error("the plugin trapped: {0}")]
    Trap(String),
    /// No tool of that name is being served.
    #[error("tool `{0}` not found")]
    UnknownTool(String),
    /// Every slot of the instance pool stayed busy for the whole queue wait.
    #[error("all {slots} call slots are busy; waited {} ms — retry later", .waited.as_millis())]
    Busy { slots: usize, waited: Duration },
}

impl CallError {
    /// The worker API's error kind for this error.
    pub fn kind(&self) -> ErrorKind {
        match self {
            CallError::InvalidInput(_) => ErrorKind::InvalidInput,
            CallError::Failed(_) => ErrorKind::Failed,
            CallError::Timeout(_) => ErrorKind::Timeout,
            CallError::OutOfMemory(_) => ErrorKind::OutOfMemory,
            CallError::Trap(_) => ErrorKind::Trap,
            CallError::UnknownTool(_) => ErrorKind::NotFound,
            CallError::Busy { .. } => ErrorKind::Unavailable,
        }
    }
}
