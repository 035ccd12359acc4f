//! Custom scorers for evals: WebAssembly components of the
//! `trellis:tool/scorer` world, loaded from a directory and called once per
//! case in a fresh, resource-limited instance.
//!
//! A scorer gets the same sandbox as a tool plugin, minus everything a tool
//! may be granted: WASI is linked but empty (no filesystem, network,
//! environment or stdio) and there is no `span` import. Limits come from an
//! optional `NAME.toml` beside `NAME.wasm` in the tools' format
//! (`memory_mib`, `timeout_ms`, `max_output_bytes`); a manifest that grants
//! directories is refused.
//!
//! Every score a scorer returns is checked before the caller sees it:
//! names are 1-64 characters of `[a-zA-Z0-9_-]` and unique within the call;
//! values are clamped into [0, 1], and a NaN is an [`ScorerCallError::InvalidScore`]
//! (a NaN is a bug in the scorer, and turning it into 0 would hide it in a
//! summary); a skipped score (`value: none`) must give a reason.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::Serialize;
use tokio::sync::Semaphore;
use wasmtime::component::{Component, Linker};
use wasmtime::{Store, Trap};
use wasmtime_wasi::{WasiCtx, WasiCtxBuilder};

use crate::bindings::scorer_world::{Score, ScorerPre};
use crate::bindings::HostState;
use crate::engine::{CacheUse, EngineConfig, PluginEngine, ReloadCompiler};
use crate::error::LoadError;
use crate::manifest::{Limits, Manifest};
use crate::plugin::{check_component_header, digest_of};
use crate::registry::wasm_files;

/// How many scorer calls may run at once by default (per [`ScorerSet`]);
/// further calls wait for a free slot.
pub const DEFAULT_MAX_CONCURRENT_SCORER_CALLS: usize = 16;
/// Most scores one call may return.
pub const MAX_SCORES_PER_CALL: usize = 64;
/// The export that makes a component a scorer.
const SCORING_EXPORT: &str = "trellis:tool/scoring@0.1.0";
/// The export of a tool plugin, recognised to say "wrong directory".
const TOOL_EXPORT_PREFIX: &str = "trellis:tool/tool@";

/// Why scorers could not be loaded. [`ScorerSet::load`] returns only the
/// directory and engine variants; the others describe one file and are
/// collected, as text, in [`ScorerSet::rejected`].
#[derive(Debug, thiserror::Error)]
pub enum ScorerLoadError {
    /// The scorer directory is missing or unreadable.
    #[error("cannot read the scorer directory `{dir}`: {source}")]
    Dir {
        dir: PathBuf,
        source: std::io::Error,
    },
    /// The wasmtime engine could not be set up.
    #[error("cannot set up the scorer engine: {0}")]
    Engine(String),
    /// A problem a tool plugin can have too: unreadable, not a component,
    /// does not compile or link, invalid manifest.
    #[error(transparent)]
    File(#[from] LoadError),
    /// A valid component that is not a scorer (a tool plugin, another
    /// world, or a `score-case` with the wrong signature).
    #[error("`{path}` is not a scorer (world `trellis:tool/scorer`): {reason}")]
    NotAScorer { path: PathBuf, reason: String },
    /// The component imports something other than WASI.
    #[error(
        "`{path}` imports {imports}, but a scorer may import only WASI (`wasi:*`), which the \
         host provides empty"
    )]
    ForbiddenImport { path: PathBuf, imports: String },
    /// The manifest grants directories, which scorers never get.
    #[error(
        "manifest `{path}` grants read_only_dirs, but scorers get no directory grants: a scorer \
         sees only its arguments"
    )]
    DirectoryGrants { path: PathBuf },
    /// The component failed to instantiate (start function trap, memory
    /// over the limit at start-up).
    #[error("`{path}` cannot be instantiated: {reason}")]
    Instantiate { path: PathBuf, reason: String },
}

/// Why a scorer call produced no scores. Every message names the scorer.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ScorerCallError {
    /// The call ran past the scorer's time limit and was interrupted.
    #[error("scorer `{scorer}` exceeded its time limit of {} ms and was interrupted", .limit.as_millis())]
    Timeout { scorer: String, limit: Duration },
    /// The scorer tried to grow its memory past its limit.
    #[error("scorer `{scorer}` exceeded its memory limit of {} MiB", .limit_bytes / (1024 * 1024))]
    OutOfMemory { scorer: String, limit_bytes: u64 },
    /// The scorer trapped (a Rust scorer traps when it panics) or the host
    /// could not run the call.
    #[error("scorer `{scorer}` trapped: {message}")]
    Trap { scorer: String, message: String },
    /// The scorer returned an error: it could not score the case. The text
    /// is "scorer `NAME` could not score the case: " followed by the
    /// scorer's own message (cut to the scorer's output limit).
    #[error("{0}")]
    Failed(String),
    /// The scorer returned scores the host refuses: a bad or repeated name,
    /// a NaN value, a skipped score without a reason, no scores at all, or
    /// more than the output limit allows.
    #[error("scorer `{scorer}` returned an invalid score: {reason}")]
    InvalidScore { scorer: String, reason: String },
}

impl ScorerCallError {
    /// A stable name for the kind of failure: `timeout`, `out_of_memory`,
    /// `trap`, `failed` or `invalid_score`.
    pub fn kind(&self) -> &'static str {
        match self {
            ScorerCallError::Timeout { .. } => "timeout",
            ScorerCallError::OutOfMemory { .. } => "out_of_memory",
            ScorerCallError::Trap { .. } => "trap",
            ScorerCallError::Failed(_) => "failed",
            ScorerCallError::InvalidScore { .. } => "invalid_score",
        }
    }
}

/// One validated score from a scorer plugin.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PluginScore {
    /// 1-64 characters of `[a-zA-Z0-9_-]`, unique within the call.
    pub name: String,
    /// In [0, 1]; `None` when the scorer skipped this case.
    pub value: Option<f64>,
    /// How the value was reached, or (never empty) why it was skipped.
    pub reason: String,
}

/// The loaded scorers of one directory, sharing one engine and a pool of
/// call slots. Cheap to share across tasks: put it in an `Arc`, or clone the
/// [`ScorerPlugin`]s out of it.
pub struct ScorerSet {
    scorers: Vec<ScorerPlugin>,
    rejected: Vec<(PathBuf, String)>,
}

/// What every scorer of a set shares: the engine (whose epoch ticker runs as
/// long as any scorer is alive) and the call slots.
struct Shared {
    engine: PluginEngine,
    slots: Arc<Semaphore>,
}

/// One loaded scorer. Cloning is cheap and the clone keeps the engine alive.
#[derive(Clone)]
pub struct ScorerPlugin {
    inner: Arc<Loaded>,
}

struct Loaded {
    name: String,
    path: PathBuf,
    digest: String,
    limits: Limits,
    cache: CacheUse,
    pre: ScorerPre<HostState>,
    shared: Arc<Shared>,
}

impl ScorerSet {
    /// Loads every top-level `*.wasm` in `dir` (hidden files skipped), each
    /// with its optional `NAME.toml` manifest, as a scorer. Files that fail
    /// are collected in [`ScorerSet::rejected`] and never abort the others.
    /// `cache_dir` is the compile cache (as trusted as the binary: its files
    /// are loaded as native code); `None` compiles every time.
    ///
    /// Blocking: it compiles. Errors only when `dir` cannot be read or the
    /// engine cannot be built.
    pub fn load(dir: &Path, cache_dir: Option<&Path>) -> Result<ScorerSet, ScorerLoadError> {
        ScorerSet::load_with(
            dir,
            &EngineConfig {
                max_concurrent_calls: DEFAULT_MAX_CONCURRENT_SCORER_CALLS,
                cache_dir: cache_dir.map(Path::to_path_buf),
                // Scorers are loaded once per eval run; nothing reloads.
                reload_compiler: ReloadCompiler::Optimizing,
            },
        )
    }

    /// [`ScorerSet::load`] with explicit engine settings (how many calls may
    /// run at once, and the compile cache).
    pub fn load_with(dir: &Path, config: &EngineConfig) -> Result<ScorerSet, ScorerLoadError> {
        let files = wasm_files(dir).map_err(|source| ScorerLoadError::Dir {
            dir: dir.to_path_buf(),
            source,
        })?;
        let engine = PluginEngine::new(config).map_err(ScorerLoadError::Engine)?;
        let mut linker = Linker::new(engine.engine());
        wasmtime_wasi::p2::add_to_linker_sync(&mut linker)
            .map_err(|e| ScorerLoadError::Engine(format!("{e:#}")))?;
        let shared = Arc::new(Shared {
            engine,
            slots: Arc::new(Semaphore::new(config.max_concurrent_calls.max(1))),
        });

        let mut scorers = Vec::new();
        let mut rejected = Vec::new();
        for path in files {
            let started = Instant::now();
            match load_one(&shared, &linker, &path) {
                Ok(scorer) => {
                    tracing::info!(
                        scorer = %scorer.name(),
                        digest = %scorer.digest(),
                        compile_cache = %scorer.inner.cache.as_str(),
                        "loaded scorer in {:.0} ms",
                        started.elapsed().as_secs_f64() * 1000.0
                    );
                    scorers.push(scorer);
                }
                Err(err) => {
                    tracing::warn!("rejected scorer: {err}");
                    rejected.push((path, err.to_string()));
                }
            }
        }
        scorers.sort_by(|a, b| a.name().cmp(b.name()));
        Ok(ScorerSet { scorers, rejected })
    }

    /// The loaded scorers, sorted by name.
    pub fn scorers(&self) -> &[ScorerPlugin] {
        &self.scorers
    }

    /// The scorer called `name` (its file stem).
    pub fn get(&self, name: &str) -> Option<&ScorerPlugin> {
        self.scorers.iter().find(|s| s.name() == name)
    }

    /// `(file, reason)` for every file that failed to load.
    pub fn rejected(&self) -> &[(PathBuf, String)] {
        &self.rejected
    }
}

impl fmt::Debug for ScorerSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ScorerSet")
            .field("scorers", &self.scorers)
            .field("rejected", &self.rejected)
            .finish()
    }
}

fn load_one(
    shared: &Arc<Shared>,
    linker: &Linker<HostState>,
    path: &Path,
) -> Result<ScorerPlugin, ScorerLoadError> {
    let bytes = std::fs::read(path).map_err(|source| LoadError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    let manifest_path = path.with_extension("toml");
    let manifest = match std::fs::read_to_string(&manifest_path) {
        Ok(text) => Manifest::parse(&text, &manifest_path)?,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Manifest::default(),
        Err(source) => {
            return Err(LoadError::Read {
                path: manifest_path,
                source,
            }
            .into())
        }
    };
    if !manifest.read_only_dirs.is_empty() {
        return Err(ScorerLoadError::DirectoryGrants {
            path: manifest_path,
        });
    }
    check_component_header(path, &bytes)?;
    let digest = digest_of(&bytes);
    let (component, cache) = shared
        .engine
        .compile(&bytes, digest.trim_start_matches("sha256:"))
        .map_err(|reason| LoadError::Compile {
            path: path.to_path_buf(),
            reason,
        })?;
    check_world(shared.engine.engine(), &component, path)?;
    let instance_pre = linker
        .instantiate_pre(&component)
        .map_err(|e| LoadError::Link {
            path: path.to_path_buf(),
            reason: format!("{e:#}"),
        })?;
    let pre = ScorerPre::new(instance_pre).map_err(|e| ScorerLoadError::NotAScorer {
        path: path.to_path_buf(),
        reason: format!("{e:#}"),
    })?;
    let scorer = ScorerPlugin {
        inner: Arc::new(Loaded {
            name: path
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default(),
            path: path.to_path_buf(),
            digest,
            limits: manifest.limits,
            cache,
            pre,
            shared: shared.clone(),
        }),
    };
    // Instantiating once now turns a scorer that can never run (a trapping
    // start-up, an initial memory over the limit) into a load error instead
    // of a failure on every case.
    let mut store = scorer.new_store();
    scorer
        .inner
        .pre
        .instantiate(&mut store)
        .map_err(|e| ScorerLoadError::Instantiate {
            path: path.to_path_buf(),
            reason: scorer.describe_failure(e, &store).to_string(),
        })?;
    Ok(scorer)
}

/// Checks exports before imports, so a tool plugin dropped among the scorers
/// is named as such rather than as a component with an unknown import.
fn check_world(
    engine: &wasmtime::Engine,
    component: &Component,
    path: &Path,
) -> Result<(), ScorerLoadError> {
    let ty = component.component_type();
    let exports: Vec<String> = ty
        .exports(engine)
        .map(|(name, _)| name.to_string())
        .collect();
    if !exports.iter().any(|name| name == SCORING_EXPORT) {
        let reason = if exports.iter().any(|e| e.starts_with(TOOL_EXPORT_PREFIX)) {
            "it is a tool plugin (world `trellis:tool/plugin`, exports `trellis:tool/tool`); \
             tools belong in the worker's plugin directory"
                .to_string()
        } else if exports.is_empty() {
            format!("it exports nothing; a scorer exports `{SCORING_EXPORT}`")
        } else {
            format!(
                "it exports {}, not `{SCORING_EXPORT}`",
                backticked(exports.iter().map(String::as_str))
            )
        };
        return Err(ScorerLoadError::NotAScorer {
            path: path.to_path_buf(),
            reason,
        });
    }
    let foreign: Vec<String> = ty
        .imports(engine)
        .map(|(name, _)| name.to_string())
        .filter(|name| !name.starts_with("wasi:"))
        .collect();
    if !foreign.is_empty() {
        return Err(ScorerLoadError::ForbiddenImport {
            path: path.to_path_buf(),
            imports: backticked(foreign.iter().map(String::as_str)),
        });
    }
    Ok(())
}

fn backticked<'a>(names: impl Iterator<Item = &'a str>) -> String {
    names
        .map(|name| format!("`{name}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

impl ScorerPlugin {
    /// The scorer's name: the file stem, e.g. `safety_scorer`.
    pub fn name(&self) -> &str {
        &self.inner.name
    }

    /// `sha256:<hex>` of the `.wasm` file.
    pub fn digest(&self) -> &str {
        &self.inner.digest
    }

    /// The `.wasm` file it was loaded from.
    pub fn path(&self) -> &Path {
        &self.inner.path
    }

    /// The limits of every call: from the manifest, or the defaults (64 MiB,
    /// 2 s, 1 MiB of output).
    pub fn limits(&self) -> Limits {
        self.inner.limits
    }

    /// Scores one case. The four arguments are JSON text: the dataset row's
    /// input, the response (a JSON string), the expected value (or `null`)
    /// and the row's metadata (or `null`).
    ///
    /// Waits for a free call slot of the set, then runs the scorer on a
    /// blocking thread in a fresh `Store` and instance, with the epoch
    /// deadline, memory cap and output cap of its limits. Returns the scores
    /// validated as the module documentation describes.
    pub async fn score(
        &self,
        input: &str,
        output: &str,
        expected: &str,
        metadata: &str,
    ) -> Result<Vec<PluginScore>, ScorerCallError> {
        let trap = |message: String| ScorerCallError::Trap {
            scorer: self.name().to_string(),
            message,
        };
        let permit = self
            .inner
            .shared
            .slots
            .clone()
            .acquire_owned()
            .await
            .map_err(|e| trap(format!("no call slot: {e}")))?;
        let scorer = self.clone();
        let args = [input, output, expected, metadata].map(str::to_string);
        tokio::task::spawn_blocking(move || {
            let _permit = permit;
            let [input, output, expected, metadata] = &args;
            scorer.call(input, output, expected, metadata)
        })
        .await
        .unwrap_or_else(|e| Err(trap(format!("the host's call task failed: {e}"))))
    }

    /// The call itself; blocks for up to the time limit.
    fn call(
        &self,
        input: &str,
        output: &str,
        expected: &str,
        metadata: &str,
    ) -> Result<Vec<PluginScore>, ScorerCallError> {
        let mut store = self.new_store();
        let raw = self.inner.pre.instantiate(&mut store).and_then(|instance| {
            instance
                .trellis_tool_scoring()
                .call_score_case(&mut store, input, output, expected, metadata)
        });
        match raw {
            Ok(Ok(scores)) => self.validate(scores),
            Ok(Err(message)) => Err(ScorerCallError::Failed(format!(
                "scorer `{}` could not score the case: {}",
                self.name(),
                cut(&message, self.inner.limits.max_output_bytes)
            ))),
            Err(e) => Err(self.describe_failure(e, &store)),
        }
    }

    fn new_store(&self) -> Store<HostState> {
        let limits = self.inner.limits;
        let mut store = Store::new(
            self.inner.pre.engine(),
            HostState::new(empty_wasi(), limits.memory_bytes, limits.max_output_bytes),
        );
        store.limiter(|state| &mut state.limiter);
        store.set_epoch_deadline(PluginEngine::ticks_for(limits.timeout));
        store.epoch_deadline_trap();
        store
    }

    /// Checks and normalises what the scorer returned.
    fn validate(&self, scores: Vec<Score>) -> Result<Vec<PluginScore>, ScorerCallError> {
        let invalid = |reason: String| ScorerCallError::InvalidScore {
            scorer: self.name().to_string(),
            reason,
        };
        if scores.is_empty() {
            return Err(invalid(
                "it returned no scores (a case it does not apply to is a score with no value \
                 and a reason)"
                    .into(),
            ));
        }
        if scores.len() > MAX_SCORES_PER_CALL {
            return Err(invalid(format!(
                "it returned {} scores; at most {MAX_SCORES_PER_CALL} are allowed",
                scores.len()
            )));
        }
        let bytes: usize = scores
            .iter()
            .map(|s| s.name.len() + s.reason.len() + 8)
            .sum();
        let limit = self.inner.limits.max_output_bytes;
        if bytes > limit {
            return Err(invalid(format!(
                "its scores take {bytes} bytes, more than its output limit of {limit} bytes \
                 (max_output_bytes)"
            )));
        }
        let mut valid: Vec<PluginScore> = Vec::with_capacity(scores.len());
        for score in scores {
            if !valid_score_name(&score.name) {
                return Err(invalid(format!(
                    "the name \"{}\" is not 1-64 characters of [a-zA-Z0-9_-]",
                    cut(&score.name, 80).escape_debug()
                )));
            }
            if valid.iter().any(|v| v.name == score.name) {
                return Err(invalid(format!(
                    "the name `{}` appears twice in one call",
                    score.name
                )));
            }
            let value = match score.value {
                Some(v) if v.is_nan() => {
                    return Err(invalid(format!("score `{}` is NaN", score.name)))
                }
                Some(v) => Some(v.clamp(0.0, 1.0)),
                None if score.reason.trim().is_empty() => {
                    return Err(invalid(format!(
                        "score `{}` is skipped without a reason",
                        score.name
                    )))
                }
                None => None,
            };
            valid.push(PluginScore {
                name: score.name,
                value,
                reason: score.reason,
            });
        }
        Ok(valid)
    }

    /// Turns a wasmtime error from instantiation or a call into the error a
    /// user can act on.
    fn describe_failure(
        &self,
        error: wasmtime::Error,
        store: &Store<HostState>,
    ) -> ScorerCallError {
        let scorer = self.name().to_string();
        let limits = self.inner.limits;
        if store.data().limiter.memory_exceeded {
            return ScorerCallError::OutOfMemory {
                scorer,
                limit_bytes: limits.memory_bytes as u64,
            };
        }
        let message = match error.downcast_ref::<Trap>() {
            Some(Trap::Interrupt) => {
                return ScorerCallError::Timeout {
                    scorer,
                    limit: limits.timeout,
                }
            }
            Some(Trap::StackOverflow) => "stack overflow".to_string(),
            Some(Trap::UnreachableCodeReached) => {
                "unreachable code reached (a Rust scorer does this when it panics)".to_string()
            }
            Some(trap) => trap.to_string(),
            None => format!("{error:#}"),
        };
        ScorerCallError::Trap { scorer, message }
    }
}

impl fmt::Debug for ScorerPlugin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ScorerPlugin")
            .field("name", &self.inner.name)
            .field("path", &self.inner.path)
            .field("digest", &self.inner.digest)
            .field("limits", &self.inner.limits)
            .finish()
    }
}

/// The scorer sandbox: WASI with nothing in it. No preopened directories,
/// no environment, stdio closed or discarded, every socket address denied.
fn empty_wasi() -> WasiCtx {
    let mut builder = WasiCtxBuilder::new();
    builder
        .allow_tcp(false)
        .allow_udp(false)
        .allow_ip_name_lookup(false);
    builder.build()
}

fn valid_score_name(name: &str) -> bool {
    (1..=64).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// `text` cut to at most `max` bytes on a character boundary, with `…` when
/// cut.
fn cut(text: &str, max: usize) -> String {
    if text.len() <= max {
        return text.to_string();
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &text[..end])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_send_sync<T: Send + Sync>() {}

    #[test]
    fn scorers_can_be_shared_across_tasks() {
        assert_send_sync::<ScorerSet>();
        assert_send_sync::<ScorerPlugin>();
    }

    #[test]
    fn score_names_follow_the_tool_name_rules() {
        assert!(valid_score_name("safety_escalation"));
        assert!(valid_score_name("a-b_9"));
        assert!(!valid_score_name(""));
        assert!(!valid_score_name("has space"));
        assert!(!valid_score_name(&"x".repeat(65)));
    }

    #[test]
    fn long_messages_are_cut_on_a_character_boundary() {
        assert_eq!(cut("short", 10), "short");
        assert_eq!(cut("ééé", 3), "é…");
    }

    #[test]
    fn a_missing_directory_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("nope");
        let err = ScorerSet::load(&missing, None).unwrap_err();
        assert!(
            err.to_string().starts_with(&format!(
                "cannot read the scorer directory `{}`",
                missing.display()
            )),
            "{err}"
        );
    }

    #[test]
    fn error_kinds_are_stable_names() {
        let scorer = "s".to_string();
        let cases = [
            (
                ScorerCallError::Timeout {
                    scorer: scorer.clone(),
                    limit: Duration::from_millis(250),
                },
                "timeout",
                "scorer `s` exceeded its time limit of 250 ms and was interrupted",
            ),
            (
                ScorerCallError::OutOfMemory {
                    scorer: scorer.clone(),
                    limit_bytes: 8 * 1024 * 1024,
                },
                "out_of_memory",
                "scorer `s` exceeded its memory limit of 8 MiB",
            ),
            (
                ScorerCallError::InvalidScore {
                    scorer,
                    reason: "score `x` is NaN".into(),
                },
                "invalid_score",
                "scorer `s` returned an invalid score: score `x` is NaN",
            ),
        ];
        for (error, kind, message) in cases {
            assert_eq!(error.kind(), kind);
            assert_eq!(error.to_string(), message);
        }
    }
}
