//! One loaded plugin: its compiled, pre-linked component, its validated tool
//! specs, and the sandboxed call. Every call gets a fresh `Store` and instance
//! (cheap: `InstancePre` did the linking once, the pooling allocator hands
//! out a ready memory slot), so no state leaks from one call to the next.

use std::path::{Path, PathBuf};
use std::time::Instant;

use arc_swap::ArcSwap;
use serde_json::value::RawValue;
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::sync::Arc;
use trellis_api::worker::Receipt;
use wasmtime::component::{Component, Linker};
use wasmtime::{Store, Trap, UpdateDeadline};
use wasmtime_wasi::{FsPerms, WasiCtx, WasiCtxBuilder};

use crate::bindings::{HostState, PluginPre, SpanNotes, ToolError, ToolSpec};
use crate::engine::{CacheUse, Compiler, PluginEngine, Tier};
use crate::error::{CallError, LoadError};
use crate::manifest::{Limits, Manifest};

/// Most tools one plugin may declare.
pub const MAX_TOOLS_PER_PLUGIN: usize = 64;
/// Longest tool description accepted, in bytes.
const MAX_DESCRIPTION_BYTES: usize = 8 * 1024;
/// Largest input schema accepted, in bytes of JSON.
const MAX_SCHEMA_BYTES: usize = 64 * 1024;

/// A tool as the registry serves it: its spec and its compiled schema.
pub struct ToolDef {
    pub name: String,
    pub description: String,
    pub input_schema: Value,
    validator: jsonschema::Validator,
}

impl ToolDef {
    /// Checks `input` against the tool's schema. The error names every
    /// offending field (up to five) and what was wrong with it.
    pub fn validate(&self, input: &Value) -> Result<(), CallError> {
        let problems: Vec<String> = self
            .validator
            .iter_errors(input)
            .take(5)
            .map(|e| {
                let field = field_name(&e.instance_path().to_string());
                format!("{field}: {e}")
            })
            .collect();
        if problems.is_empty() {
            Ok(())
        } else {
            Err(CallError::InvalidInput(format!(
                "input does not match the schema of `{}`: {}",
                self.name,
                problems.join("; ")
            )))
        }
    }
}

/// `/a/0/b` → `a[0].b`; the root is `input`.
fn field_name(pointer: &str) -> String {
    let mut out = String::from("input");
    for part in pointer.split('/').skip(1) {
        if part.parse::<usize>().is_ok() {
            out.push_str(&format!("[{part}]"));
        } else {
            out.push('.');
            out.push_str(&part.replace("~1", "/").replace("~0", "~"));
        }
    }
    out
}

/// A plugin ready to serve calls.
pub struct Plugin {
    /// The file stem of `NAME.wasm`.
    pub name: String,
    pub path: PathBuf,
    /// `sha256:<hex>` of the `.wasm` file.
    pub digest: String,
    pub manifest: Manifest,
    pub tools: Vec<ToolDef>,
    /// Whether loading it compiled anything.
    pub cache: CacheUse,
    /// The code calls run: replaced once when baseline code is optimised.
    code: ArcSwap<Code>,
}

/// A plugin's compiled, pre-linked component.
struct Code {
    pre: PluginPre<HostState>,
    tier: Tier,
}

impl Code {
    fn link(
        linker: &Linker<HostState>,
        component: &Component,
        tier: Tier,
        path: &Path,
    ) -> Result<Code, LoadError> {
        let instance_pre = linker
            .instantiate_pre(component)
            .map_err(|e| LoadError::Link {
                path: path.to_path_buf(),
                reason: format!("{e:#}"),
            })?;
        let pre = PluginPre::new(instance_pre).map_err(|e| LoadError::WrongWorld {
            path: path.to_path_buf(),
            reason: format!("{e:#}"),
        })?;
        Ok(Code { pre, tier })
    }
}

/// The linkers of a registry's engines (WASI and the host imports).
pub struct Linkers {
    /// For the optimising engine.
    pub optimized: Linker<HostState>,
    /// For Winch's engine, when reloads use it.
    pub baseline: Option<Linker<HostState>>,
}

/// The result of one call, with what the host measured and what the plugin
/// wrote onto its span.
#[derive(Debug, Clone)]
pub struct CallOutcome {
    /// The tool's output: the JSON text the plugin returned, checked to be
    /// JSON and within the output limit, and not re-encoded.
    pub result: Result<Box<RawValue>, CallError>,
    /// Absent when the call never reached a plugin (unknown tool, invalid
    /// input, no free slot).
    pub receipt: Option<Receipt>,
    pub notes: SpanNotes,
}

impl CallOutcome {
    /// An outcome for a call refused before any plugin ran.
    pub fn refused(error: CallError) -> Self {
        CallOutcome {
            result: Err(error),
            receipt: None,
            notes: SpanNotes::default(),
        }
    }
}

/// Refuses bytes that are not a WebAssembly component, with a precise
/// message for a core module (the usual mistake: the wrong build target).
pub(crate) fn check_component_header(path: &Path, bytes: &[u8]) -> Result<(), LoadError> {
    if bytes.len() < 8 || &bytes[..4] != b"\0asm" {
        return Err(LoadError::NotWasm {
            path: path.to_path_buf(),
        });
    }
    // Core modules have version 1 and layer 0; components a different
    // version with layer 1. Checking up front gives a precise message.
    if bytes[4..8] == [1, 0, 0, 0] {
        return Err(LoadError::CoreModule {
            path: path.to_path_buf(),
        });
    }
    Ok(())
}

/// `sha256:<hex>` of some bytes, as the worker API reports digests.
pub fn digest_of(bytes: &[u8]) -> String {
    format!("sha256:{}", hex::encode(Sha256::digest(bytes)))
}

impl Plugin {
    /// Compiles, links and inspects a plugin. `bytes` is the content of
    /// `path`; nothing is read from disk here except the compile cache. A
    /// `reload` may be compiled with Winch (see
    /// [`PluginEngine::compile_plugin`] and [`Plugin::optimize`]).
    pub fn load(
        engine: &PluginEngine,
        linkers: &Linkers,
        path: &Path,
        bytes: &[u8],
        manifest: Manifest,
        reload: bool,
    ) -> Result<Plugin, LoadError> {
        let path_buf = path.to_path_buf();
        check_component_header(path, bytes)?;
        let digest = digest_of(bytes);
        let hex_digest = digest.trim_start_matches("sha256:");
        let (component, cache, tier) =
            engine
                .compile_plugin(bytes, hex_digest, reload)
                .map_err(|reason| LoadError::Compile {
                    path: path_buf.clone(),
                    reason,
                })?;
        let linker = match tier {
            Tier::Optimized => &linkers.optimized,
            // Winch's code comes only from an engine that has a baseline
            // engine, and the registry builds this linker for it.
            Tier::Baseline => linkers
                .baseline
                .as_ref()
                .ok_or_else(|| LoadError::Engine("no linker for the baseline engine".to_owned()))?,
        };
        let code = Code::link(linker, &component, tier, path)?;
        let name = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let mut plugin = Plugin {
            name,
            path: path_buf,
            digest,
            manifest,
            tools: Vec::new(),
            cache,
            code: ArcSwap::from_pointee(code),
        };
        let specs = plugin.list_tools()?;
        plugin.tools = plugin.check_specs(specs)?;
        Ok(plugin)
    }

    /// Which compiler made the code new calls run.
    pub fn tier(&self) -> Tier {
        self.code.load().tier
    }

    /// Compiles `bytes` (this plugin's component) with Cranelift and
    /// switches the plugin's later calls to that code; calls under way
    /// finish on the code they started with. Blocking: it compiles.
    pub fn optimize(
        &self,
        compiler: &Compiler,
        linker: &Linker<HostState>,
        bytes: &[u8],
    ) -> Result<(), LoadError> {
        let hex_digest = self.digest.trim_start_matches("sha256:");
        let (component, _) =
            compiler
                .compile(bytes, hex_digest)
                .map_err(|reason| LoadError::Compile {
                    path: self.path.clone(),
                    reason,
                })?;
        let code = Code::link(linker, &component, Tier::Optimized, &self.path)?;
        self.code.store(Arc::new(code));
        Ok(())
    }

    /// A fresh store for one call that started at `started`. The call
    /// runs as a future on the caller's async runtime: at every epoch tick
    /// it yields, so a long call shares the thread with other requests, and
    /// once the manifest's time limit has passed it traps with
    /// `Trap::Interrupt`.
    fn new_store(&self, code: &Code, started: Instant) -> Result<Store<HostState>, String> {
        let limits = self.manifest.limits;
        let wasi = self.wasi_ctx()?;
        let mut store = Store::new(
            code.pre.engine(),
            HostState::new(wasi, limits.memory_bytes, limits.max_output_bytes),
        );
        store.limiter(|state| &mut state.limiter);
        let deadline = started + limits.timeout;
        store.set_epoch_deadline(1);
        store.epoch_deadline_callback(move |_| {
            Ok(if Instant::now() >= deadline {
                UpdateDeadline::Interrupt
            } else {
                UpdateDeadline::Yield(1)
            })
        });
        Ok(store)
    }

    /// The sandbox: nothing but the granted read-only directories. Stdio is
    /// closed/discarded, the environment empty, and every socket address
    /// denied.
    fn wasi_ctx(&self) -> Result<WasiCtx, String> {
        let mut builder = WasiCtxBuilder::new();
        builder
            .allow_tcp(false)
            .allow_udp(false)
            .allow_ip_name_lookup(false);
        for grant in &self.manifest.read_only_dirs {
            builder
                .preopened_dir(&grant.host, &grant.guest, FsPerms::ReadOnly)
                .map_err(|e| {
                    format!(
                        "cannot open granted directory `{}`: {e:#}",
                        grant.host.display()
                    )
                })?;
        }
        Ok(builder.build())
    }

    /// Asks the plugin for its tools, under the same limits as a call.
    /// Blocks until it answers: loading runs on a thread of its own (the
    /// reload thread, or `spawn_blocking`), never on an async task.
    fn list_tools(&self) -> Result<Vec<ToolSpec>, LoadError> {
        let failed = |reason: String| LoadError::ListTools {
            path: self.path.clone(),
            reason,
        };
        let code = self.code.load_full();
        let mut store = self.new_store(&code, Instant::now()).map_err(failed)?;
        let listed = wasmtime_wasi::runtime::in_tokio(async {
            let instance = code.pre.instantiate_async(&mut store).await?;
            instance
                .trellis_tool_tool()
                .call_list_tools(&mut store)
                .await
        });
        listed.map_err(|e| failed(describe_failure(e, &store, self.manifest.limits).to_string()))
    }

    fn check_specs(&self, specs: Vec<ToolSpec>) -> Result<Vec<ToolDef>, LoadError> {
        if specs.is_empty() {
            return Err(LoadError::NoTools {
                path: self.path.clone(),
            });
        }
        if specs.len() > MAX_TOOLS_PER_PLUGIN {
            return Err(LoadError::TooManyTools {
                path: self.path.clone(),
                count: specs.len(),
                max: MAX_TOOLS_PER_PLUGIN,
            });
        }
        let mut tools: Vec<ToolDef> = Vec::with_capacity(specs.len());
        for spec in specs {
            let invalid = |reason: String| LoadError::InvalidSpec {
                path: self.path.clone(),
                tool: spec.name.clone(),
                reason,
            };
            if !valid_tool_name(&spec.name) {
                return Err(invalid(
                    "the name must be 1-64 characters of [a-zA-Z0-9_-]".into(),
                ));
            }
            if tools.iter().any(|t| t.name == spec.name) {
                return Err(invalid("the plugin declares this name twice".into()));
            }
            if spec.description.trim().is_empty() || spec.description.len() > MAX_DESCRIPTION_BYTES
            {
                return Err(invalid(format!(
                    "the description must be 1-{MAX_DESCRIPTION_BYTES} bytes"
                )));
            }
            if spec.input_schema.len() > MAX_SCHEMA_BYTES {
                return Err(invalid(format!(
                    "the input schema is larger than {MAX_SCHEMA_BYTES} bytes"
                )));
            }
            let schema: Value = serde_json::from_str(&spec.input_schema)
                .map_err(|e| invalid(format!("the input schema is not JSON: {e}")))?;
            if schema.get("type").and_then(Value::as_str) != Some("object") {
                return Err(invalid(
                    "the input schema's top level must be {\"type\": \"object\", ...}".into(),
                ));
            }
            jsonschema::meta::validate(&schema).map_err(|e| {
                invalid(format!("the input schema is not a valid JSON Schema: {e}"))
            })?;
            let validator = jsonschema::validator_for(&schema)
                .map_err(|e| invalid(format!("the input schema cannot be compiled: {e}")))?;
            tools.push(ToolDef {
                name: spec.name,
                description: spec.description,
                input_schema: schema,
                validator,
            });
        }
        Ok(tools)
    }

    /// Runs tool `name` on `input` (JSON text already validated against the
    /// tool's schema) in a fresh sandboxed instance. The future runs the
    /// plugin on the thread that polls it, yielding every epoch tick, and
    /// resolves within about one tick of the plugin's time limit.
    pub async fn call(&self, name: &str, input: &str) -> CallOutcome {
        let started = Instant::now();
        let limits = self.manifest.limits;
        let code = self.code.load_full();
        let mut store = match self.new_store(&code, started) {
            Ok(store) => store,
            Err(reason) => return CallOutcome::refused(CallError::Failed(reason)),
        };
        let raw = match code.pre.instantiate_async(&mut store).await {
            Ok(instance) => {
                instance
                    .trellis_tool_tool()
                    .call_call_tool(&mut store, name, input)
                    .await
            }
            Err(e) => Err(e),
        };
        let result = match raw {
            Ok(Ok(output)) => check_output(output, limits),
            Ok(Err(ToolError::InvalidInput(message))) => Err(CallError::InvalidInput(message)),
            Ok(Err(ToolError::Failed(message))) => Err(CallError::Failed(message)),
            Err(e) => Err(describe_failure(e, &store, limits)),
        };
        let duration = started.elapsed();
        let state = store.into_data();
        CallOutcome {
            result,
            receipt: Some(Receipt {
                plugin: self.name.clone(),
                digest: self.digest.clone(),
                duration_ms: duration.as_secs_f64() * 1000.0,
                peak_memory_bytes: state.limiter.peak_memory as u64,
            }),
            notes: state.notes,
        }
    }
}

/// Checks the plugin's output: within the limit, and one JSON value that a
/// [`Value`] can hold (numbers in range, nesting within serde_json's
/// limit), so whoever reads it later cannot fail. The text is kept as the
/// plugin wrote it (the worker's response embeds it as is): no tree is
/// built for it.
fn check_output(output: String, limits: Limits) -> Result<Box<RawValue>, CallError> {
    if output.len() > limits.max_output_bytes {
        return Err(CallError::Failed(format!(
            "the tool's output of {} bytes exceeds the limit of {} bytes",
            output.len(),
            limits.max_output_bytes
        )));
    }
    let invalid =
        |e: serde_json::Error| CallError::Failed(format!("the tool returned invalid JSON: {e}"));
    // `RawValue` alone checks only the syntax (it takes `1e400`, a lone
    // surrogate escape, any depth), hence the full read first; its own
    // pass after it is a plain scan.
    let mut de = serde_json::Deserializer::from_str(&output);
    serde::de::Deserialize::deserialize(&mut de)
        .and_then(|AnyJson| de.end())
        .map_err(invalid)?;
    RawValue::from_string(output).map_err(invalid)
}

/// Reads any JSON value as [`Value`] would (numbers parsed, strings
/// unescaped, nesting counted) while keeping none of it.
struct AnyJson;

impl<'de> serde::de::Deserialize<'de> for AnyJson {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(AnyJsonVisitor)
    }
}

struct AnyJsonVisitor;

impl<'de> serde::de::Visitor<'de> for AnyJsonVisitor {
    type Value = AnyJson;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_bool<E>(self, _: bool) -> Result<AnyJson, E> {
        Ok(AnyJson)
    }
    fn visit_i64<E>(self, _: i64) -> Result<AnyJson, E> {
        Ok(AnyJson)
    }
    fn visit_u64<E>(self, _: u64) -> Result<AnyJson, E> {
        Ok(AnyJson)
    }
    fn visit_f64<E>(self, _: f64) -> Result<AnyJson, E> {
        Ok(AnyJson)
    }
    fn visit_str<E>(self, _: &str) -> Result<AnyJson, E> {
        Ok(AnyJson)
    }
    fn visit_unit<E>(self) -> Result<AnyJson, E> {
        Ok(AnyJson)
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<AnyJson, A::Error> {
        while seq.next_element::<AnyJson>()?.is_some() {}
        Ok(AnyJson)
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<AnyJson, A::Error> {
        while map.next_entry::<AnyJson, AnyJson>()?.is_some() {}
        Ok(AnyJson)
    }
}

/// Turns a wasmtime error from instantiation or a call into the error kind a
/// user can act on.
fn describe_failure(error: wasmtime::Error, store: &Store<HostState>, limits: Limits) -> CallError {
    if store.data().limiter.memory_exceeded {
        return CallError::OutOfMemory(limits.memory_bytes as u64);
    }
    match error.downcast_ref::<Trap>() {
        Some(Trap::Interrupt) => CallError::Timeout(limits.timeout),
        Some(Trap::StackOverflow) => CallError::Trap("stack overflow".into()),
        Some(Trap::UnreachableCodeReached) => CallError::Trap(
            "unreachable code reached (a Rust plugin does this when it panics)".into(),
        ),
        Some(trap) => CallError::Trap(trap.to_string()),
        None => CallError::Trap(format!("{error:#}")),
    }
}

fn valid_tool_name(name: &str) -> bool {
    (1..=64).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_names_read_like_paths() {
        assert_eq!(field_name(""), "input");
        assert_eq!(field_name("/weight_lb"), "input.weight_lb");
        assert_eq!(field_name("/medications/2"), "input.medications[2]");
    }

    #[test]
    fn output_is_kept_as_the_plugin_wrote_it_once_checked() {
        let limits = Limits::default();
        let output = check_output(r#"{"bmi": 30.90, "notes": []}"#.into(), limits).unwrap();
        assert_eq!(output.get(), r#"{"bmi": 30.90, "notes": []}"#);
        let padded = check_output(" [1]\n".into(), limits).unwrap();
        assert_eq!(padded.get(), "[1]");

        let refusal = |text: String, limits| check_output(text, limits).unwrap_err().to_string();
        let small = Limits {
            max_output_bytes: 4,
            ..limits
        };
        for (text, limits, says) in [
            (
                r#"{"bmi": }"#.into(),
                limits,
                "the tool returned invalid JSON",
            ),
            ("{} {}".into(), limits, "invalid JSON"),
            // Valid JSON syntax that no reader of the output could hold.
            (r#"{"bmi": 1e400}"#.into(), limits, "number out of range"),
            (r#"{"note": "\ud800"}"#.into(), limits, "hex escape"),
            (
                "[".repeat(200) + &"]".repeat(200),
                limits,
                "recursion limit",
            ),
            (r#""hello""#.into(), small, "7 bytes exceeds the limit of 4"),
        ] {
            let why = refusal(text.clone(), limits);
            assert!(why.contains(says), "{text:.40}: {why}");
        }
    }

    #[test]
    fn tool_names_follow_the_model_api_rules() {
        assert!(valid_tool_name("calculate_clinical_metrics"));
        assert!(valid_tool_name("a-b_9"));
        assert!(!valid_tool_name(""));
        assert!(!valid_tool_name("has space"));
        assert!(!valid_tool_name(&"x".repeat(65)));
    }
}
