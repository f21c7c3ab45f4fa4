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
    /// Print the version and the build's wire-format editions.
    Version,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Version => cmd::version::run(),
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
