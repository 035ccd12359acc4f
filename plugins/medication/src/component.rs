//! The WebAssembly component glue: generates the bindings of the
//! `trellis:tool/plugin` world, exports the tool and records each call's
//! notes on the host's span. Compiled for wasm32 only; the logic it calls
//! is target-independent.

// The generated bindings export C-ABI functions, which the `unsafe_code`
// lint counts as unsafe; this module is the only place that needs it.
#![allow(unsafe_code)]

wit_bindgen::generate!({ path: "../../wit", world: "plugin" });

use exports::trellis::tool::tool::Guest;
use trellis::tool::span;
use trellis::tool::types::{ToolError, ToolSpec};

use crate::{CallError, DESCRIPTION, INPUT_SCHEMA, TOOL_NAME};

struct Plugin;

impl Guest for Plugin {
    fn list_tools() -> Vec<ToolSpec> {
        vec![ToolSpec {
            name: TOOL_NAME.into(),
            description: DESCRIPTION.into(),
            input_schema: INPUT_SCHEMA.into(),
        }]
    }

    fn call_tool(name: String, input: String) -> Result<String, ToolError> {
        if name != TOOL_NAME {
            return Err(ToolError::InvalidInput(format!(
                "unknown tool `{name}`; this plugin offers `{TOOL_NAME}`"
            )));
        }
        let reply = crate::call(&input).map_err(|e| match e {
            CallError::InvalidInput(message) => ToolError::InvalidInput(message),
            CallError::Failed(message) => ToolError::Failed(message),
        })?;
        span::log_metadata(&reply.metadata.to_string());
        for event in &reply.events {
            span::event(event);
        }
        span::log_output(&reply.output);
        Ok(reply.output)
    }
}

export!(Plugin);
