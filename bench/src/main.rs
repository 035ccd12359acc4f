//! `trellis-bench`: the benchmarks of `make bench` (B1-B8, see the README's
//! "Performance" section), one markdown table of results.
//!
//! - [`suite`]: flags, the list of benchmarks, running them, the output file.
//! - [`harness`]: samples, percentiles, timing loops.
//! - [`report`]: the table and the run's header.
//! - [`procs`]: child processes (the real `trellis`, this binary's helpers).
//! - [`loadgen`]: the HTTP load generator and the bare baseline server.
//! - [`spans`]: generated conversations for the trace benchmarks.
//! - One module per benchmark: [`call`] B1, [`throughput`] B2, [`reload`]
//!   B3, [`startup`] B4, [`ingest`] B5, [`query`] B6, [`conversation`] B7,
//!   [`memory`] B8.

mod call;
mod conversation;
mod harness;
mod ingest;
mod loadgen;
mod memory;
mod procs;
mod query;
mod reload;
mod report;
mod spans;
mod startup;
mod suite;
mod throughput;

use std::process::ExitCode;

use clap::Parser;

pub(crate) use suite::Settings;

fn main() -> ExitCode {
    match suite::run(suite::Cli::parse()) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("trellis-bench: {e:#}");
            ExitCode::FAILURE
        }
    }
}
