//! `guarantor demo`: the main job on the embedded default, with no files and no
//! server: check the bundled pact (embedded in the binary with its geography), run
//! the bundled night through the real loop (`cmd::pipeline`), then print readiness.

use std::process::ExitCode;

/// The bundled pact and every file it names, as `(path, bytes)`.
const BUNDLED: &[(&str, &[u8])] = &[
    (
        "pacts/ukraine-shield.toml",
        include_bytes!("../../../../pacts/ukraine-shield.toml"),
    ),
    (
        "pacts/data/infrastructure.geojson",
        include_bytes!("../../../../pacts/data/infrastructure.geojson"),
    ),
    (
        "pacts/data/zones/ua-airspace.geojson",
        include_bytes!("../../../../pacts/data/zones/ua-airspace.geojson"),
    ),
    (
        "pacts/data/zones/pl-border-belt.geojson",
        include_bytes!("../../../../pacts/data/zones/pl-border-belt.geojson"),
    ),
    (
        "pacts/data/zones/ro-border-belt.geojson",
        include_bytes!("../../../../pacts/data/zones/ro-border-belt.geojson"),
    ),
    (
        "pacts/data/zones/pl-engagement-east.geojson",
        include_bytes!("../../../../pacts/data/zones/pl-engagement-east.geojson"),
    ),
    (
        "pacts/data/zones/ro-engagement-north.geojson",
        include_bytes!("../../../../pacts/data/zones/ro-engagement-north.geojson"),
    ),
    (
        "pacts/data/zones/pl-by-border-nogo.geojson",
        include_bytes!("../../../../pacts/data/zones/pl-by-border-nogo.geojson"),
    ),
    (
        "pacts/data/zones/kaliningrad-nogo.geojson",
        include_bytes!("../../../../pacts/data/zones/kaliningrad-nogo.geojson"),
    ),
    (
        "pacts/data/zones/black-sea-nw.geojson",
        include_bytes!("../../../../pacts/data/zones/black-sea-nw.geojson"),
    ),
    (
        "pacts/data/zones/baltic-sea.geojson",
        include_bytes!("../../../../pacts/data/zones/baltic-sea.geojson"),
    ),
    (
        "pacts/data/zones/rzeszow-depot.geojson",
        include_bytes!("../../../../pacts/data/zones/rzeszow-depot.geojson"),
    ),
    (
        "pacts/data/zones/suceava-depot.geojson",
        include_bytes!("../../../../pacts/data/zones/suceava-depot.geojson"),
    ),
];

/// The bundled pact, checked and compiled (its findings are not printed).
pub fn bundled_pact() -> anyhow::Result<pact::CompiledPact> {
    check_bundled()?
        .0
        .compiled
        .ok_or_else(|| anyhow::anyhow!("the bundled pact does not compile"))
}

/// The bundled pact, compiled, with the digest its ledger entry carries.
pub fn bundled_pact_with_digest() -> anyhow::Result<(pact::CompiledPact, model::Digest)> {
    let (checked, digest) = check_bundled()?;
    let compiled = checked
        .compiled
        .ok_or_else(|| anyhow::anyhow!("the bundled pact does not compile"))?;
    Ok((compiled, digest))
}

fn check_bundled() -> anyhow::Result<(pact::Checked, model::Digest)> {
    let files = BUNDLED
        .iter()
        .fold(pact::MemoryFiles::new(), |files, (path, bytes)| {
            files.with(path, *bytes)
        });
    super::audit::pact_digest(&files, "pacts/ukraine-shield.toml")
}

/// By default the demo runs 23:00-02:00 UTC of the bundled 12-hour night, the hours in
/// which Shaheds stray into Poland's border belt, so that it ends within a minute.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Hours after the night's start (18:00 UTC) at which the run begins.
    #[arg(long, default_value_t = 5)]
    pub from_hour: i64,
    /// Hours to run.
    #[arg(long, default_value_t = 3)]
    pub hours: i64,
    /// Run the whole 12-hour night instead.
    #[arg(long)]
    pub full: bool,
    /// Serve the run on the common picture instead of writing the report: the loop's tracks
    /// and incidents replayed in event time into the API, the live feed, the page and CoT,
    /// where the triggers engine and the ledger act on them (as `guarantor serve`).
    #[arg(long)]
    pub serve: bool,
    /// With `--serve`: where to listen.
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub addr: String,
    /// With `--serve`: event seconds replayed per wall-clock second.
    #[arg(long, default_value_t = 120.0)]
    pub speed: f64,
}

pub fn run(args: &Args) -> anyhow::Result<ExitCode> {
    let (checked, pact_digest) = check_bundled()?;
    let clean = checked.is_clean();
    if !clean {
        print!("{}", checked.render());
    }
    let n_findings = checked.diagnostics.len();
    let Some(compiled) = checked.compiled else {
        anyhow::bail!("the bundled pact does not compile");
    };
    println!("checked the bundled pact: {n_findings} finding(s)\n");
    print!("{}", compiled.summary());
    if args.serve {
        return serve_bundled(args, compiled, pact_digest);
    }
    super::pipeline::run(
        &compiled,
        std::path::Path::new("out"),
        &super::pipeline::Options {
            skip: model::Duration::from_hours(if args.full { 0 } else { args.from_hour }),
            hours: (!args.full).then_some(args.hours),
            pact_digest,
        },
    )?;
    println!("\nreadiness:");
    let scenario = std::path::Path::new("scenarios/night-wave.toml");
    for line in super::readiness::headline(&compiled, scenario)? {
        println!("  {line}");
    }
    Ok(if clean {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// `--serve`: the same window of the bundled night through the real loop, then served.
fn serve_bundled(
    args: &Args,
    compiled: pact::CompiledPact,
    pact_digest: model::Digest,
) -> anyhow::Result<ExitCode> {
    let scratch = std::env::temp_dir().join(format!("guarantor-demo-serve-{}", std::process::id()));
    let (path, mut scenario) = super::pipeline::bundled_night(&scratch)?;
    if !args.full {
        let end = scenario.start + scenario.duration;
        let skip = model::Duration::from_hours(args.from_hour).min(scenario.duration);
        scenario.start = scenario.start + skip;
        scenario.duration = (end - scenario.start).min(model::Duration::from_hours(args.hours));
    }
    let base = path.parent().unwrap_or(std::path::Path::new("."));
    let run = super::serve::run_loop(&scenario, base, &compiled);
    let _ = std::fs::remove_dir_all(&scratch);
    let feed = super::serve::Feed::Loop(Box::new(run?));
    let options = super::serve::Options::demo(&args.addr, args.speed);
    super::serve::serve(compiled, pact_digest, feed, &options)
}
