//! `guarantor schema`: the pact's JSON Schema, generated from the types.

use std::process::ExitCode;

pub fn run() -> anyhow::Result<ExitCode> {
    print!("{}", pact::schema());
    Ok(ExitCode::SUCCESS)
}
