//! `guarantor`: the one binary. Each subcommand lives in its own module under
//! `cmd/`, validates its flags, calls the stage crates and maps the result to
//! an exit code. No stage logic lives here.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod cmd;

/// Security guarantees that work on contact: a pact as code, a fused picture,
/// provable attribution, automatic triggers, an auditable ledger, counted readiness.
#[derive(Debug, Parser)]
#[command(name = "guarantor", version, about, max_term_width = 100)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Print the version.
    Version,
    /// Check a pact: every finding with file, line, column and a fix; exit 0 clean,
    /// 1 findings, 2 unreadable.
    Check {
        /// The pact's TOML file; the GeoJSON files it names are read relative to it.
        pact: std::path::PathBuf,
        /// `human` (rustc-like) or `json` for tools.
        #[arg(long, value_enum, default_value = "human")]
        format: cmd::check::Format,
    },
    /// Print the pact's JSON Schema, generated from the types, for editors.
    Schema,
    /// Run the main job on the embedded default, nothing to install: the bundled pact and
    /// night through sim, the wire formats, fusion, attribution, triggers and the ledger;
    /// writes `out/report.html` and `out/*.json` and prints the summary.
    Demo(cmd::demo::Args),
    /// Run a scenario: one wire-format file per sensor, `truth.csv`, `events.json`
    /// and `manifest.json` in DIR; the seed is printed first.
    Sim {
        /// The scenario's TOML file; geography paths in it are relative to it.
        scenario: std::path::PathBuf,
        /// The folder to write into (created if missing).
        #[arg(long)]
        out: std::path::PathBuf,
        /// Overrides the scenario's seed.
        #[arg(long)]
        seed: Option<u64>,
    },
    /// Track: detections (the Stone Soup harness's CSV) or observations (JSON lines) in,
    /// tracks out (harness CSV, our CSV or JSON lines); prints a summary by class and band.
    Track(cmd::track::Args),
    /// Measure a stage on generated input: `guarantor bench fusion`.
    Bench(cmd::bench::Args),
    /// Decode a feed (file, `-`, `udp://`, `tcp://`, `tcp-listen://`) into observations as
    /// JSON lines; rejections counted on stderr and quarantined; exit 0 clean, 1 some
    /// rejected, 2 unreadable.
    Ingest(cmd::ingest::Args),
    /// The transparency log: `keygen`, `init`, `append`, `checkpoint`.
    Ledger(cmd::ledger::Args),
    /// A party's witness: check the log's proposed checkpoint against the last one seen,
    /// cosign it, or refuse (exit 1) showing both checkpoints.
    Witness(cmd::ledger::WitnessArgs),
    /// Attribute: a sim folder or a tracks file in, incidents with evidence out (JSON lines,
    /// a STIX 2.1 bundle); `--score` prints precision and recall per kind over the scenarios.
    Attribute(cmd::attribute::Args),
    /// Replay the real incidents of `scenarios/replay/` through the automatic text and the
    /// Article-5-style text; prints a table (also `out/replay.md`); exit 1 if the automatic
    /// text misses its 60 s bar.
    Replay(cmd::replay::Args),
    /// Serve the common picture (API, live feed, page) on loopback with a scenario replayed
    /// into it; prints the address and the demo credentials.
    Serve(cmd::serve::Args),
    /// Print the chain behind an activation of the last `guarantor demo`: the rule, each
    /// indicator's window and count, each incident with its evidence and confidence.
    Explain(cmd::explain::Args),
    /// Verify a log from its files alone: every tile, the checkpoint's signatures, and the
    /// proofs asked for; exit 0 verified, 1 failed, 2 unreadable.
    Verify(cmd::ledger::VerifyArgs),
    /// Audit a log: verify it, then re-run the triggers engine on the logged inputs (the
    /// pact given, checked against the logged digest; incidents; acts) and check every
    /// logged decision is derived again byte for byte; exit 0 all, 1 a mismatch, 2 unreadable.
    Audit(cmd::audit::Args),
    /// Readiness at a date: backed and unbacked rungs, days of supply, cost-exchange per
    /// policy, coverage by altitude band, milestones, scorecards; writes `readiness.html`;
    /// exit 0 all backed, 1 some rung unbacked, 2 unreadable.
    Readiness(cmd::readiness::Args),
}

fn main() -> ExitCode {
    // `println!` panics when stdout is a pipe the reader closed (`guarantor track | head`).
    // That is the reader's choice, not a fault: end quietly with the shell's SIGPIPE status,
    // as other Unix tools do, and let every other panic through unchanged.
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        // `payload_text`, not `payload_as_str` (Rust 1.91): the workspace MSRV is 1.88.
        if !payload_text(info.payload()).is_some_and(is_broken_pipe) {
            default_hook(info);
        }
    }));
    match std::panic::catch_unwind(|| run(Cli::parse())) {
        Ok(code) => code,
        Err(payload) if payload_text(&*payload).is_some_and(is_broken_pipe) => ExitCode::from(141),
        Err(payload) => std::panic::resume_unwind(payload),
    }
}

fn payload_text(payload: &(dyn std::any::Any + Send)) -> Option<&str> {
    (payload.downcast_ref::<String>().map(String::as_str))
        .or_else(|| payload.downcast_ref::<&str>().copied())
}

fn is_broken_pipe(message: &str) -> bool {
    message.starts_with("failed printing to stdout") && message.contains("Broken pipe")
}

fn run(cli: Cli) -> ExitCode {
    let result = match cli.command {
        Command::Version => cmd::version::run(),
        Command::Check { pact, format } => cmd::check::run(&pact, format),
        Command::Schema => cmd::schema::run(),
        Command::Demo(args) => cmd::demo::run(&args),
        Command::Sim {
            scenario,
            out,
            seed,
        } => cmd::sim::run(&scenario, &out, seed),
        Command::Track(args) => cmd::track::run(&args),
        Command::Bench(args) => cmd::bench::run(&args),
        Command::Ingest(args) => cmd::ingest::run(&args),
        Command::Ledger(args) => cmd::ledger::run(&args),
        Command::Witness(args) => cmd::ledger::witness(&args),
        Command::Verify(args) => cmd::ledger::verify(&args),
        Command::Audit(args) => cmd::audit::run(&args),
        Command::Serve(args) => cmd::serve::run(&args),
        Command::Replay(args) => cmd::replay::run(&args),
        Command::Explain(args) => cmd::explain::run(&args),
        Command::Readiness(args) => cmd::readiness::run(&args),
        Command::Attribute(args) => cmd::attribute::run(&args),
    };
    match result {
        Ok(code) => code,
        Err(err) => {
            eprintln!("guarantor: {err:#}");
            // 2: the input could not be read or the run could not start.
            ExitCode::from(2)
        }
    }
}
