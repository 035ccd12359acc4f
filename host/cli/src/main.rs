//! `trellis`: one binary for the worker, the conversation server, the client
//! and the trace tools. Parsing and dispatch live in `cmd`, terminal tables
//! in `table`; this file only runs the chosen command and turns its error
//! into an exit code.

mod cmd;
mod table;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = cmd::Cli::parse();
    cmd::init_logging(cli.verbose);
    match cmd::run(cli) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}
