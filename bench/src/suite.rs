//! The benchmark suite: flags turned into [`Settings`], the benchmarks in
//! order, and the results table printed and written to a file. A benchmark
//! that fails leaves a failed row and makes the run exit non-zero; a missed
//! target is reported, not an error.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{bail, Context};
use clap::{Parser, Subcommand};

use crate::loadgen::{BareArgs, LoadArgs};
use crate::procs::Programs;
use crate::report::{self, Row, RunInfo};

/// Runs the Trellis benchmarks and prints one table of results.
#[derive(Debug, Parser)]
#[command(name = "trellis-bench", about)]
pub(crate) struct Cli {
    #[command(subcommand)]
    helper: Option<Helper>,
    /// Run each benchmark for about a second on small data, to check they
    /// still run; targets are not judged. Writes bench/results/smoke.md.
    #[arg(long)]
    smoke: bool,
    /// Run only these benchmarks (comma-separated ids, e.g. `B1,B5`).
    #[arg(long, value_delimiter = ',', value_name = "IDS")]
    only: Vec<String>,
    /// Where to write the results (default bench/results/latest.md, or
    /// smoke.md with --smoke).
    #[arg(long, value_name = "PATH")]
    out: Option<PathBuf>,
    /// The `trellis` binary to measure (default: the one beside this binary).
    #[arg(long, value_name = "PATH")]
    trellis: Option<PathBuf>,
    /// The plugin directory (default: the repository's plugins/dist).
    #[arg(long, value_name = "DIR")]
    plugins: Option<PathBuf>,
}

/// This binary's helper processes, started by the benchmarks themselves.
#[derive(Debug, Subcommand)]
enum Helper {
    /// The HTTP load generator.
    #[command(hide = true)]
    Loadgen(LoadArgs),
    /// The bare axum baseline server of B2.
    #[command(hide = true)]
    BareServer(BareArgs),
}

/// What every benchmark needs to know.
#[derive(Debug, Clone)]
pub(crate) struct Settings {
    pub(crate) smoke: bool,
    /// The plugin directory with the three shipped plugins.
    pub(crate) plugins: PathBuf,
    pub(crate) programs: Programs,
}

/// A benchmark: its id and what runs it.
type Benchmark = (&'static str, fn(&Settings) -> anyhow::Result<Vec<Row>>);

/// Every benchmark, in the order of the table.
const BENCHMARKS: [Benchmark; 8] = [
    ("B1", crate::call::run),
    ("B2", crate::throughput::run),
    ("B3", crate::reload::run),
    ("B4", crate::startup::run),
    ("B5", crate::ingest::run),
    ("B6", crate::query::run),
    ("B7", crate::conversation::run),
    ("B8", crate::memory::run),
];

/// The repository root (this crate lives in `bench/`).
fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default()
}

/// The ids `--only` names, validated; every benchmark when it is empty.
fn selected(only: &[String]) -> anyhow::Result<Vec<Benchmark>> {
    if only.is_empty() {
        return Ok(BENCHMARKS.to_vec());
    }
    let mut chosen = Vec::new();
    for id in only {
        let id = id.trim();
        let Some(bench) = BENCHMARKS.iter().find(|(b, _)| b.eq_ignore_ascii_case(id)) else {
            bail!("unknown benchmark `{id}` in --only: the ids are B1 to B8");
        };
        if !chosen.iter().any(|(b, _): &Benchmark| b == &bench.0) {
            chosen.push(*bench);
        }
    }
    chosen.sort_by_key(|(id, _)| *id);
    Ok(chosen)
}

pub(crate) fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.helper {
        Some(Helper::Loadgen(args)) => {
            return crate::loadgen::run(args).map(|()| ExitCode::SUCCESS)
        }
        Some(Helper::BareServer(args)) => {
            return crate::loadgen::serve_bare(args).map(|()| ExitCode::SUCCESS)
        }
        None => {}
    }
    let benchmarks = selected(&cli.only)?;
    let plugins = cli.plugins.unwrap_or_else(|| repo().join("plugins/dist"));
    for (name, _, _) in crate::call::TOOLS {
        let path = plugins.join(format!("{name}.wasm"));
        if !path.is_file() {
            bail!("{} is missing: run `make plugins` first", path.display());
        }
    }
    let plugins = plugins
        .canonicalize()
        .with_context(|| format!("cannot resolve {}", plugins.display()))?;
    let settings = Settings {
        smoke: cli.smoke,
        plugins,
        programs: Programs::locate(cli.trellis)?,
    };
    let out = cli.out.unwrap_or_else(|| {
        let name = if cli.smoke { "smoke.md" } else { "latest.md" };
        repo().join("bench/results").join(name)
    });

    let info = RunInfo::collect(settings.smoke);
    let mut rows = Vec::new();
    let mut failed = 0;
    for (id, bench) in benchmarks {
        eprintln!("{id} ...");
        let started = Instant::now();
        match bench(&settings) {
            Ok(mut done) => rows.append(&mut done),
            Err(e) => {
                failed += 1;
                eprintln!("{id} FAILED: {e:#}");
                let mut row = Row::new(id, "(benchmark failed)", format!("FAILED: {e}"));
                row.met = Some(false);
                rows.push(row);
            }
        }
        eprintln!("{id} done in {:.1} s", started.elapsed().as_secs_f64());
    }
    let text = report::render(&info, &rows);
    println!("{text}");
    if let Some(dir) = out.parent() {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    std::fs::write(&out, &text).with_context(|| format!("cannot write {}", out.display()))?;
    eprintln!("results written to {}", out.display());
    if failed > 0 {
        eprintln!("{failed} benchmark(s) failed");
        return Ok(ExitCode::FAILURE);
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_selects_and_orders_benchmarks() {
        let ids = |only: &[&str]| -> Vec<&str> {
            let only: Vec<String> = only.iter().map(|s| s.to_string()).collect();
            selected(&only).unwrap().iter().map(|(id, _)| *id).collect()
        };
        assert_eq!(ids(&[]).len(), 8);
        assert_eq!(ids(&["b5", "B1", "B5"]), ["B1", "B5"]);
        let err = selected(&["B9".to_string()]).unwrap_err().to_string();
        assert!(err.contains("unknown benchmark `B9`"), "{err}");
    }

    #[test]
    fn the_flags_parse() {
        let cli = Cli::try_parse_from(["trellis-bench", "--smoke", "--only", "B1,B5"]).unwrap();
        assert!(cli.smoke);
        assert_eq!(cli.only, ["B1", "B5"]);
        assert!(Cli::try_parse_from(["trellis-bench", "--bogus"]).is_err());
    }
}
