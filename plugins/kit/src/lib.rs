//! What every Trellis tool plugin shares, so each plugin crate holds only its
//! own logic:
//!
//! - [`CallError`] and [`Reply`]: what a tool's plain-Rust `call` returns,
//!   unit-testable on the host.
//! - [`export_tool!`]: the WebAssembly component glue (wasm32 only) that
//!   generates the `trellis:tool/plugin` bindings, exports the tool, and
//!   records a call's notes on the host's span.

use serde_json::Value;

/// Why a call did not succeed; the glue maps it onto the WIT `tool-error`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CallError {
    /// The input cannot be acted on; the message names the field and what
    /// it accepts.
    InvalidInput(String),
    /// The input was acceptable but no output could be produced.
    Failed(String),
}

/// Everything a successful call produces: the output and the notes the glue
/// records on the host's span.
#[derive(Debug, Clone, PartialEq)]
pub struct Reply {
    /// The output, as JSON text.
    pub output: String,
    /// A JSON object merged into the span's metadata.
    pub metadata: Value,
    /// Named scores between 0 and 1.
    pub scores: Vec<(&'static str, f64)>,
    /// Log lines for the span.
    pub events: Vec<String>,
}

/// Exports one tool as a `trellis:tool/plugin` component. The invoking crate
/// depends on `wit-bindgen` for wasm32 and sits two directories below the
/// repository root (the WIT package is at `../../wit`). Name items by full
/// path: the glue lives in a module of its own.
///
/// ```ignore
/// plugin_kit::export_tool!(crate::TOOL_NAME, crate::DESCRIPTION, crate::INPUT_SCHEMA, crate::call);
/// ```
#[macro_export]
macro_rules! export_tool {
    ($name:expr, $description:expr, $input_schema:expr, $call:path $(,)?) => {
        #[cfg(target_arch = "wasm32")]
        mod component {
            // The generated bindings export C-ABI functions, which the
            // `unsafe_code` lint counts as unsafe; this module is the only
            // place that needs it.
            #![allow(unsafe_code)]

            ::wit_bindgen::generate!({ path: "../../wit", world: "plugin" });

            use exports::trellis::tool::tool::Guest;
            use trellis::tool::span;
            use trellis::tool::types::{ToolError, ToolSpec};

            struct Plugin;

            impl Guest for Plugin {
                fn list_tools() -> Vec<ToolSpec> {
                    vec![ToolSpec {
                        name: $name.into(),
                        description: $description.into(),
                        input_schema: $input_schema.into(),
                    }]
                }

                fn call_tool(name: String, input: String) -> Result<String, ToolError> {
                    if name != $name {
                        return Err(ToolError::InvalidInput(format!(
                            "unknown tool `{name}`; this plugin offers `{}`",
                            $name
                        )));
                    }
                    let reply = $call(&input).map_err(|e| match e {
                        $crate::CallError::InvalidInput(message) => ToolError::InvalidInput(message),
                        $crate::CallError::Failed(message) => ToolError::Failed(message),
                    })?;
                    span::log_metadata(&reply.metadata.to_string());
                    for (name, value) in reply.scores {
                        span::log_score(name, value);
                    }
                    for event in &reply.events {
                        span::event(event);
                    }
                    span::log_output(&reply.output);
                    Ok(reply.output)
                }
            }

            export!(Plugin);
        }
    };
}
