//! `guarantor sim SCENARIO --out DIR [--seed N]`: runs a scenario through the
//! simulator and writes its wire-format files, truth and events into DIR.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::Path;
use std::process::ExitCode;

use anyhow::Context;

pub fn run(scenario_path: &Path, out: &Path, seed: Option<u64>) -> anyhow::Result<ExitCode> {
    let scenario = sim::Scenario::load(scenario_path)?;
    let seed = seed.unwrap_or(scenario.seed);
    // The seed first, so any run can be replayed from its log. A closed pipe
    // (`| head`) is not an error of the run, so write failures are ignored.
    let mut stdout = std::io::stdout().lock();
    let _ = writeln!(stdout, "seed: {seed}").and_then(|()| stdout.flush());
    let base_dir = scenario_path.parent().unwrap_or(Path::new("."));
    let manifest = sim::run(&scenario, base_dir, out, seed)
        .with_context(|| format!("scenario {}", scenario_path.display()))?;
    let mut text = String::new();
    let _ = writeln!(
        text,
        "{}: {} objects, {} true events, {} truth rows",
        manifest.scenario, manifest.objects, manifest.events, manifest.truth_rows
    );
    for f in &manifest.files {
        let _ = writeln!(
            text,
            "  {:<28} {:<16} {:>10} records {:>12} bytes",
            f.path, f.format, f.records, f.bytes
        );
    }
    let _ = writeln!(text, "wrote {}", out.join("manifest.json").display());
    let _ = stdout.write_all(text.as_bytes());
    Ok(ExitCode::SUCCESS)
}
