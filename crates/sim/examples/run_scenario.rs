//! `cargo run -p sim --release --example run_scenario -- SCENARIO OUT_DIR [SEED]`:
//! the library's entry point without the CLI, for quick looks and timing.

use std::path::Path;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let (Some(scenario_path), Some(out)) = (args.get(1), args.get(2)) else {
        return Err("usage: run_scenario SCENARIO OUT_DIR [SEED]".into());
    };
    let scenario = sim::Scenario::load(Path::new(scenario_path))?;
    let seed = match args.get(3) {
        Some(s) => s.parse()?,
        None => scenario.seed,
    };
    println!("seed: {seed}");
    let base = Path::new(scenario_path).parent().unwrap_or(Path::new("."));
    let manifest = sim::run(&scenario, base, Path::new(out), seed)?;
    for f in &manifest.files {
        println!(
            "{:<28} {:<16} {:>10} records {:>12} bytes",
            f.path, f.format, f.records, f.bytes
        );
    }
    println!("{} objects, {} events", manifest.objects, manifest.events);
    Ok(())
}
