//! `guarantor version`.

use std::process::ExitCode;

pub fn run() -> anyhow::Result<ExitCode> {
    println!("guarantor {}", env!("CARGO_PKG_VERSION"));
    Ok(ExitCode::SUCCESS)
}
