//! `guarantor attribute`: a sim scenario's output folder or a file of tracks in,
//! incidents as JSON lines out (and a STIX 2.1 bundle); `--suite` (alias `--score`)
//! runs the scenario suite through the real loop of `guarantor demo` (`chain::run`:
//! sim → wire formats → feeds → fusion → attribution) and through tracks made from
//! the truth, and prints precision and recall per kind, origin correct, suspect
//! ranked first and time to attribution. Glue only: the wiring is `chain`'s.

use std::collections::BTreeMap;
use std::fs;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{Context, Result, bail};
use attribution::score::{self, Score, TruthVessel};
use attribution::{Config, Geography, Input};
use model::{Incident, Time, Track};

use super::chain;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// A `guarantor sim` output folder (every feed is decoded and fused), or a JSON-lines
    /// file of `model::Track` updates in time order. Not needed with `--suite`.
    input: Option<PathBuf>,
    /// The pact whose zones and infrastructure register are used.
    #[arg(long, default_value = "pacts/ukraine-shield.toml")]
    pact: PathBuf,
    /// The states' borders (GeoJSON with `iso_a2`); default `data/borders.geojson` beside the pact.
    #[arg(long)]
    borders: Option<PathBuf>,
    /// A STIX 2.1 file to add (intelligence, operators' fault reports).
    #[arg(long)]
    stix: Vec<PathBuf>,
    /// Where to write the incidents as JSON lines (default: stdout).
    #[arg(long)]
    out: Option<PathBuf>,
    /// Where to write the incidents as a STIX 2.1 bundle.
    #[arg(long)]
    stix_out: Option<PathBuf>,
    /// With a sim folder: attribute tracks made from `truth.csv` instead of fused ones.
    #[arg(long)]
    truth_tracks: bool,
    /// Protected states (ISO codes, comma-separated) for a sim folder or a tracks file.
    #[arg(long, default_value = "UA,PL,RO")]
    protected: String,
    /// Run the scenario suite end to end and print the table per kind.
    #[arg(long, alias = "score")]
    suite: bool,
    /// Scenarios for `--suite` (default: every `scenarios/*.toml` and `scenarios/replay/*.toml`).
    #[arg(long)]
    scenario: Vec<PathBuf>,
    /// Seeds per scenario for `--suite`: the scenario's own, then 1, 2, ...
    #[arg(long, default_value_t = 1)]
    seeds: u64,
    /// Shorten every scenario to this many minutes for `--suite` (0: as written).
    #[arg(long, default_value_t = 0)]
    minutes: u64,
    /// `--suite` without the pass over tracks made from the truth.
    #[arg(long)]
    no_truth: bool,
    /// Scratch folder for `--suite`'s sim output.
    #[arg(long, default_value = "target/attribute-suite")]
    work: PathBuf,
}

pub fn run(args: &Args) -> Result<ExitCode> {
    let files = pact::DiskFiles::new(".");
    let checked = pact::check(&files, &args.pact.to_string_lossy())
        .with_context(|| format!("--pact {}", args.pact.display()))?;
    let Some(compiled) = checked.compiled else {
        eprint!("{}", checked.render());
        bail!("--pact {}: the pact has errors", args.pact.display());
    };
    let borders = args.borders.clone().unwrap_or_else(|| {
        args.pact
            .parent()
            .unwrap_or(Path::new("."))
            .join("data/borders.geojson")
    });
    let borders_text =
        fs::read_to_string(&borders).with_context(|| format!("--borders {}", borders.display()))?;
    if args.suite {
        return run_suite(args, &compiled, &borders_text);
    }
    let (geography, notes) = Geography::new(&compiled, &borders_text);
    for n in notes {
        eprintln!("guarantor: {n}");
    }
    let Some(input) = &args.input else {
        bail!("INPUT: a sim folder or a tracks file is needed (or --suite)")
    };
    let mut config = Config {
        protected: split(&args.protected),
        ..Config::default()
    };
    let mut inputs = if input.is_dir() {
        load_dir(input, args.truth_tracks, &mut config)?.inputs
    } else {
        read_tracks(input)?.into_iter().map(Input::Track).collect()
    };
    for path in &args.stix {
        let bytes = fs::read(path).with_context(|| format!("--stix {}", path.display()))?;
        let (objects, _, errors) = feeds::stix::read_objects(&bytes);
        for e in errors.iter().take(10) {
            eprintln!("guarantor: --stix {}: {e}", path.display());
        }
        inputs.extend(objects.into_iter().map(|o| Input::Stix(Box::new(o))));
    }
    sort_inputs(&mut inputs);
    let (incidents, diagnostics, latencies) = attribute_timed(config, geography, inputs);
    let mut out: Box<dyn Write> = match &args.out {
        Some(p) => Box::new(BufWriter::new(
            fs::File::create(p).with_context(|| format!("--out {}", p.display()))?,
        )),
        None => Box::new(BufWriter::new(std::io::stdout().lock())),
    };
    for i in &incidents {
        serde_json::to_writer(&mut out, i)?;
        writeln!(out)?;
    }
    out.flush()?;
    if let Some(p) = &args.stix_out {
        fs::write(p, attribution::stix_export::bundle(&incidents))
            .with_context(|| format!("--stix-out {}", p.display()))?;
    }
    for d in diagnostics.iter().take(20) {
        eprintln!("guarantor: {}: {}", d.subject, d.message);
    }
    print_timing(&incidents, &latencies);
    Ok(if diagnostics.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

fn split(s: &str) -> Vec<String> {
    s.split(',')
        .map(|x| x.trim().to_owned())
        .filter(|x| !x.is_empty())
        .collect()
}

/// Runs the stage, measuring the processing time of each input that emitted incidents.
fn attribute_timed(
    config: Config,
    geography: Geography,
    inputs: Vec<Input>,
) -> (Vec<Incident>, Vec<attribution::Diagnostic>, Vec<f64>) {
    let mut a = attribution::Attributor::new(config, geography);
    let mut incidents = Vec::new();
    let mut latencies = Vec::new();
    for input in inputs {
        let started = Instant::now();
        a.push(input);
        let got = a.take_incidents();
        if !got.is_empty() {
            let us = started.elapsed().as_secs_f64() * 1e6;
            latencies.extend(std::iter::repeat_n(us, got.len()));
            incidents.extend(got);
        }
    }
    let started = Instant::now();
    a.finish();
    let got = a.take_incidents();
    let us = started.elapsed().as_secs_f64() * 1e6;
    latencies.extend(std::iter::repeat_n(us, got.len()));
    incidents.extend(got);
    (incidents, a.diagnostics().to_vec(), latencies)
}

fn percentile(v: &mut [f64], p: f64) -> f64 {
    if v.is_empty() {
        return 0.0;
    }
    v.sort_by(f64::total_cmp);
    v[((v.len() - 1) as f64 * p).round() as usize]
}

fn print_timing(incidents: &[Incident], latencies: &[f64]) {
    eprintln!(
        "{} incidents; time to attribution (event time, from first detection), seconds:",
        incidents.len()
    );
    eprint!("{}", tta_table(incidents));
    let mut l = latencies.to_vec();
    eprintln!(
        "processing time of the input that completed an incident: p50 {:.1} µs, p99 {:.1} µs",
        percentile(&mut l, 0.5),
        percentile(&mut l, 0.99)
    );
}

/// Time to attribution per kind (event time: the watermark at emission minus the
/// object's first detection): n, p50, p90, max.
fn tta_table(incidents: &[Incident]) -> String {
    let mut tta: BTreeMap<&str, Vec<f64>> = BTreeMap::new();
    for i in incidents {
        tta.entry(i.kind.as_str())
            .or_default()
            .push(i.time_to_attribution.as_secs_f64());
    }
    let mut out = String::new();
    for (k, mut v) in tta {
        let n = v.len();
        out.push_str(&format!(
            "  {k:<26} n={n:<5} p50 {:>7.0} s  p90 {:>7.0} s  max {:>7.0} s\n",
            percentile(&mut v, 0.5),
            percentile(&mut v, 0.9),
            percentile(&mut v, 1.0)
        ));
    }
    out
}

fn read_tracks(path: &Path) -> Result<Vec<Track>> {
    let text = fs::read_to_string(path).with_context(|| format!("INPUT {}", path.display()))?;
    let mut tracks = Vec::new();
    for (idx, line) in text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
    {
        match serde_json::from_str::<Track>(line) {
            Ok(t) => tracks.push(t),
            Err(e) => eprintln!(
                "guarantor: {}:{}: not a track: {e}",
                path.display(),
                idx + 1
            ),
        }
    }
    Ok(tracks)
}

fn sort_inputs(inputs: &mut [Input]) {
    // Stable: inputs with the same time keep their order (a STIX bundle stays together).
    inputs.sort_by_key(|i| i.time().unwrap_or(Time::UNIX_EPOCH));
}

/// One sim folder, loaded: inputs in time order.
struct DirRun {
    inputs: Vec<Input>,
}

/// A sim folder decoded and fused with `chain`'s wiring (or, with `truth_tracks`,
/// tracks made from `truth.csv`), its terrestrial AIS coverage added to `config`.
fn load_dir(dir: &Path, truth_tracks: bool, config: &mut Config) -> Result<DirRun> {
    let manifest = sim::Manifest::read(dir).map_err(anyhow::Error::msg)?;
    config.ais_coverage = chain::ais_coverage(&manifest);
    let decoded = chain::decode(&manifest, dir)?;
    let mut inputs = decoded.stix;
    let tracks = if truth_tracks {
        let (rows, errors) = score::parse_truth(&fs::read_to_string(dir.join("truth.csv"))?);
        for e in errors.iter().take(5) {
            eprintln!("guarantor: {}: {e}", dir.display());
        }
        score::truth_tracks(&rows, &vessels_of(dir)?).0
    } else {
        chain::fuse(decoded.observations, &manifest.sensors, false).0
    };
    inputs.extend(tracks.into_iter().map(Input::Track));
    sort_inputs(&mut inputs);
    Ok(DirRun { inputs })
}

/// `vessels.json`: object id, MMSI, callsign, AIS silence (from, until).
type VesselRow = (
    String,
    Option<u32>,
    Option<String>,
    Option<(Time, Option<Time>)>,
);

/// The scenario's vessels (MMSI, callsign, AIS silence) from the copy of the scenario
/// that `--suite` writes beside the output (`vessels.json`).
fn vessels_of(dir: &Path) -> Result<Vec<TruthVessel>> {
    let path = dir.join("vessels.json");
    let Ok(text) = fs::read_to_string(&path) else {
        return Ok(Vec::new());
    };
    let raw: Vec<VesselRow> =
        serde_json::from_str(&text).with_context(|| path.display().to_string())?;
    Ok(raw
        .into_iter()
        .map(|(object, mmsi, callsign, ais_off)| TruthVessel {
            object,
            mmsi,
            callsign,
            ais_off,
        })
        .collect())
}

fn suite_scenarios(args: &Args) -> Vec<PathBuf> {
    if !args.scenario.is_empty() {
        return args.scenario.clone();
    }
    let mut v = Vec::new();
    for dir in ["scenarios", "scenarios/replay"] {
        let Ok(rd) = fs::read_dir(dir) else { continue };
        let mut found: Vec<PathBuf> = rd
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "toml"))
            // What actually happened, beside the replay scenarios: not a scenario.
            .filter(|p| p.file_name().is_none_or(|n| n != "actual.toml"))
            .collect();
        found.sort();
        v.extend(found);
    }
    v
}

/// The suite: each scenario and seed through `chain::run` (the demo's loop) and,
/// unless `--no-truth`, through tracks made from its truth; the tables per kind.
/// Exit status 0 whatever the figures: the table is the answer.
fn run_suite(args: &Args, pact: &pact::CompiledPact, borders: &str) -> Result<ExitCode> {
    let scenarios = suite_scenarios(args);
    let (geography, _) = Geography::new(pact, borders);
    let mut totals = [Score::default(), Score::default()];
    let mut fused_incidents: Vec<Incident> = Vec::new();
    let mut quiet_false = 0usize;
    for path in &scenarios {
        let mut scenario = sim::Scenario::load(path)?;
        if args.minutes > 0 {
            scenario.duration =
                model::Duration::from_secs(args.minutes as i64 * 60).min(scenario.duration);
        }
        let base = path.parent().unwrap_or(Path::new("."));
        let own_seed = scenario.seed;
        for k in 0..args.seeds {
            scenario.seed = if k == 0 { own_seed } else { k };
            let seed = scenario.seed;
            let out = args.work.join(format!("{}-{seed}", scenario.name));
            let started = Instant::now();
            // The real loop, exactly as `guarantor demo` runs it.
            let run = chain::run(&scenario, base, &out, pact, borders, false)
                .with_context(|| format!("scenario {}", path.display()))?;
            write_vessels(&scenario, base, seed, &out)?;
            let events = score::parse_events(&fs::read_to_string(out.join("events.json"))?)
                .map_err(anyhow::Error::msg)?;
            let (rows, _) = score::parse_truth(&fs::read_to_string(out.join("truth.csv"))?);
            let origins: BTreeMap<String, String> = rows
                .iter()
                .map(|r| (r.object.clone(), r.origin.clone()))
                .collect();
            let label = format!("{}#{seed}", scenario.name);
            let objects = score::map_tracks(&run.snapshots, &rows, 5_000.0);
            let seen = seen_by_sensors(&run.manifest, &rows);
            let s = score::score_where(&run.incidents, &events, &objects, &origins, &label, &seen);
            println!(
                "{label}: {} tracks, {} incidents, {} true events, {:.1} s",
                run.finals.len(),
                run.incidents.len(),
                events.len(),
                started.elapsed().as_secs_f64()
            );
            print_misses(&s);
            if events.is_empty() {
                quiet_false += run.incidents.len();
            }
            totals[0].add(&s);
            fused_incidents.extend(run.incidents);
            if args.no_truth {
                continue;
            }
            let mut config = chain::attribution_config(&scenario, &run.manifest);
            let dir_run = load_dir(&out, true, &mut config)?;
            let truth_objects = score::truth_tracks(&rows, &vessels_of(&out)?).1;
            let (incidents, _, _) = attribute_timed(config, geography.clone(), dir_run.inputs);
            let label = format!("{label} (truth tracks)");
            let s =
                score::score_where(&incidents, &events, &truth_objects, &origins, &label, &seen);
            println!("{label}: {} incidents", incidents.len());
            print_misses(&s);
            totals[1].add(&s);
        }
    }
    println!(
        "\nsim → wire formats → feeds → fusion → attribution ({} scenario(s) × {} seed(s){}):",
        scenarios.len(),
        args.seeds,
        if args.minutes > 0 {
            format!(", at most {} min each", args.minutes)
        } else {
            String::new()
        }
    );
    print!("{}", totals[0].table());
    println!("incidents raised on scenarios without true events: {quiet_false}");
    println!("time to attribution, end to end (event time, from the object's first detection):");
    print!("{}", tta_table(&fused_incidents));
    if !args.no_truth {
        println!("\ntruth tracks → attribution (attribution alone):");
        print!("{}", totals[1].table());
    }
    let below: Vec<String> = totals[0]
        .kinds
        .iter()
        .filter(|(_, s)| s.precision() < 0.95 || s.recall() < 0.95)
        .map(|(k, s)| {
            format!(
                "{} (P {:.3}, R {:.3}, R(all) {:.3})",
                k.as_str(),
                s.precision(),
                s.recall(),
                s.recall_all()
            )
        })
        .collect();
    if below.is_empty() {
        println!(
            "\nbar (P and R ≥ 0.95 per kind, end to end, R over the events a sensor could see): met"
        );
    } else {
        println!(
            "\nbar (P and R ≥ 0.95 per kind, end to end, R over the events a sensor could see): not met by {}",
            below.join(", ")
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// How far from a true event's time a sensor's view of its object still counts as
/// seeing it: two truth samples either side (scenarios sample truth every 30 s).
const SEEN_WITHIN_S: f64 = 60.0;

/// Whether some sensor of the scenario could see a true event: an event about no
/// object (a report, a STIX incident) always; otherwise some object of it within
/// [`SEEN_WITHIN_S`] of the event's time in a sensor's cover ([`chain::could_see`]:
/// range, radio horizon, floors). An entry launched at the border below every
/// radar's horizon is not seen; attribution can still raise it by extrapolation.
fn seen_by_sensors<'a>(
    manifest: &'a sim::Manifest,
    rows: &'a [score::TruthRow],
) -> impl Fn(&score::TrueEvent) -> bool + 'a {
    let mut by_object: BTreeMap<&str, Vec<&score::TruthRow>> = BTreeMap::new();
    for r in rows {
        by_object.entry(r.object.as_str()).or_default().push(r);
    }
    let could_see = chain::could_see(manifest);
    move |e: &score::TrueEvent| {
        e.objects.is_empty()
            || e.objects.iter().any(|o| {
                by_object.get(o.as_str()).is_some_and(|rows| {
                    rows.iter()
                        .filter(|r| r.time.seconds_since(e.time).abs() <= SEEN_WITHIN_S)
                        .any(|r| could_see(&r.class, &r.position))
                })
            })
    }
}

fn print_misses(s: &Score) {
    for miss in s.misses.iter().take(8) {
        println!("    {miss}");
    }
    if s.misses.len() > 8 {
        println!("    ... and {} more", s.misses.len() - 8);
    }
}

fn write_vessels(scenario: &sim::Scenario, base: &Path, seed: u64, out: &Path) -> Result<()> {
    let geography = sim::geography::Geography::load(&scenario.geography, base)
        .map_err(|(file, message)| anyhow::anyhow!("{}: {message}", file.display()))?;
    let objects = sim::truth::build_objects(scenario, &geography, seed);
    let vessels: Vec<_> = objects
        .iter()
        .filter(|o| o.mmsi.is_some())
        .map(|o| (o.id.clone(), o.mmsi, o.callsign.clone(), o.ais_off))
        .collect();
    fs::write(out.join("vessels.json"), serde_json::to_string(&vessels)?)?;
    Ok(())
}
