//! `guarantor attribute`: a sim scenario's output folder or a file of tracks in,
//! incidents as JSON lines out (and a STIX 2.1 bundle); `--score` runs the
//! scenario suite through feeds → fusion → attribution (and through tracks made
//! from the truth) and prints precision and recall per kind. Glue only.

use std::collections::BTreeMap;
use std::fs;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{Context, Result, bail};
use attribution::score::{self, Score, TruthVessel};
use attribution::{Config, Coverage, Geography, Input};
use feeds::{DecoderConfig, Record};
use fusion::{Picture, PictureConfig, SensorConfig};
use model::{Geodetic, Incident, Observation, SensorId, SourceId, Time, Track, TrackId};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// A `guarantor sim` output folder (every feed is decoded and fused), or a JSON-lines
    /// file of `model::Track` updates in time order. Not needed with `--score`.
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
    /// Protected states (ISO codes, comma-separated); a sim folder's scenario overrides it.
    #[arg(long, default_value = "UA,PL,RO")]
    protected: String,
    /// Run the scenario suite and print precision and recall per kind.
    #[arg(long)]
    score: bool,
    /// Scenarios for `--score` (default: every `scenarios/*.toml` and `scenarios/replay/*.toml`).
    #[arg(long)]
    scenario: Vec<PathBuf>,
    /// Seeds per scenario for `--score`: the scenario's own, then 1, 2, ...
    #[arg(long, default_value_t = 1)]
    seeds: u64,
    /// Shorten every scenario to this many minutes for `--score` (0: as written).
    #[arg(long, default_value_t = 0)]
    minutes: u64,
    /// Scratch folder for `--score`'s sim output.
    #[arg(long, default_value = "target/attribute-score")]
    work: PathBuf,
}

pub fn run(args: &Args) -> Result<ExitCode> {
    let pact_text = fs::read_to_string(&args.pact)
        .with_context(|| format!("--pact {}", args.pact.display()))?;
    let _ = pact_text;
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
    let (geography, notes) = Geography::new(&compiled, &borders_text);
    for n in notes {
        eprintln!("guarantor: {n}");
    }
    if args.score {
        return run_score(args, &geography);
    }
    let Some(input) = &args.input else {
        bail!("INPUT: a sim folder or a tracks file is needed (or --score)")
    };
    let mut config = Config {
        protected: split(&args.protected),
        ..Config::default()
    };
    let mut inputs = if input.is_dir() {
        let run = load_dir(input, args.truth_tracks, &mut config)?;
        run.inputs
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
    let mut tta: BTreeMap<&str, Vec<f64>> = BTreeMap::new();
    for i in incidents {
        tta.entry(i.kind.as_str())
            .or_default()
            .push(i.time_to_attribution.as_secs_f64());
    }
    eprintln!(
        "{} incidents; time to attribution (event time, from first detection), seconds:",
        incidents.len()
    );
    for (k, mut v) in tta {
        let n = v.len();
        eprintln!(
            "  {k:<26} n={n:<5} p50 {:>8.0} p99 {:>8.0}",
            percentile(&mut v, 0.5),
            percentile(&mut v, 0.99)
        );
    }
    let mut l = latencies.to_vec();
    eprintln!(
        "processing time of the input that completed an incident: p50 {:.1} µs, p99 {:.1} µs",
        percentile(&mut l, 0.5),
        percentile(&mut l, 0.99)
    );
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

/// One sim folder, loaded: inputs in time order and what scoring needs.
struct DirRun {
    inputs: Vec<Input>,
    tracks: Vec<Track>,
    objects: BTreeMap<TrackId, String>,
    rows: Vec<score::TruthRow>,
}

#[derive(serde::Deserialize)]
struct Manifest {
    start: Time,
    files: Vec<ManifestFile>,
    sensors: Vec<ManifestSensor>,
}

#[derive(serde::Deserialize)]
struct ManifestFile {
    path: String,
    format: String,
    sensor: Option<String>,
}

#[derive(serde::Deserialize)]
struct ManifestSensor {
    id: String,
    kind: String,
    position: Option<Geodetic>,
    #[serde(default)]
    parameters: serde_json::Value,
}

fn load_dir(dir: &Path, truth_tracks: bool, config: &mut Config) -> Result<DirRun> {
    let manifest: Manifest = serde_json::from_str(&fs::read_to_string(dir.join("manifest.json"))?)
        .with_context(|| format!("{}: manifest.json", dir.display()))?;
    for s in manifest.sensors.iter().filter(|s| s.kind == "ais_station") {
        let range = s
            .parameters
            .get("range_max_m")
            .and_then(|v| v.as_f64())
            .unwrap_or(74_000.0);
        let terrestrial =
            s.parameters.get("coverage").and_then(|v| v.as_str()) == Some("terrestrial");
        if let (Some(p), true) = (s.position, terrestrial) {
            config.ais_coverage.push(Coverage {
                centre: p,
                range_m: range,
            });
        }
    }
    let (rows, errors) = score::parse_truth(&fs::read_to_string(dir.join("truth.csv"))?);
    for e in errors.iter().take(5) {
        eprintln!("guarantor: {}: {e}", dir.display());
    }
    let mut inputs = Vec::new();
    let mut observations: Vec<Observation> = Vec::new();
    for f in &manifest.files {
        let path = dir.join(&f.path);
        let bytes = fs::read(&path).with_context(|| format!("{}", path.display()))?;
        let config = DecoderConfig {
            source: SourceId::new(f.sensor.clone().unwrap_or_default()),
            day: manifest.start,
        };
        let mut decoder: Box<dyn feeds::Decoder> = match f.format.as_str() {
            "asterix-cat048" | "asterix-cat062" | "asterix-cat021" => {
                Box::new(feeds::asterix::AsterixDecoder::with_options(
                    config,
                    feeds::asterix::AsterixOptions::default(),
                    feeds::asterix::Framing::Stream,
                ))
            }
            "sbs" => Box::new(feeds::sbs::SbsDecoder::new(config)),
            "ais-nmea" => Box::new(feeds::ais::AisDecoder::new(config)),
            "cot" => Box::new(feeds::cot::CotDecoder::new(&config)),
            "stix-2.1" => Box::new(feeds::stix::StixDecoder::new()),
            _ => continue,
        };
        let collected = feeds::decode_all(decoder.as_mut(), &bytes);
        for r in collected.records {
            match r {
                Record::Observation(o) => observations.push(o),
                Record::Stix(feeds::stix::StixRecord::Object(o)) => inputs.push(Input::Stix(o)),
                _ => {}
            }
        }
    }
    let (tracks, objects) = if truth_tracks {
        let vessels = vessels_of(dir)?;
        score::truth_tracks(&rows, &vessels)
    } else {
        let tracks = fuse(observations, &manifest.sensors);
        let objects = score::map_tracks(&tracks, &rows, 5_000.0);
        (tracks, objects)
    };
    inputs.extend(tracks.iter().cloned().map(Input::Track));
    sort_inputs(&mut inputs);
    Ok(DirRun {
        inputs,
        tracks,
        objects,
        rows,
    })
}

/// `vessels.json`: object id, MMSI, callsign, AIS silence (from, until).
type VesselRow = (
    String,
    Option<u32>,
    Option<String>,
    Option<(Time, Option<Time>)>,
);

/// The scenario's vessels (MMSI, callsign, AIS silence) from the copy of the scenario
/// that `--score` writes beside the output (`vessels.json`).
fn vessels_of(dir: &Path) -> Result<Vec<TruthVessel>> {
    let path = dir.join("vessels.json");
    let Ok(text) = fs::read_to_string(&path) else {
        return Ok(Vec::new());
    };
    let raw: Vec<VesselRow> = serde_json::from_str(&text)?;
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

fn fuse(mut observations: Vec<Observation>, sensors: &[ManifestSensor]) -> Vec<Track> {
    observations.sort_by_key(|o| o.time);
    let known = sensors.iter().flat_map(sensor_configs).collect();
    let config = PictureConfig {
        sensors: fusion::with_report_sensors(known, &observations),
        ..Default::default()
    };
    let mut picture = Picture::new(config);
    let mut out = Vec::new();
    let mut last_s = None;
    for o in observations {
        let s = o.time.unix_us.div_euclid(5_000_000);
        if last_s.is_some_and(|l| l != s) {
            out.extend(picture.tracks());
        }
        last_s = Some(s);
        picture.ingest(o);
    }
    picture.finish();
    out.extend(picture.tracks());
    out.sort_by_key(|t| (t.time, t.id));
    out.dedup_by_key(|t| (t.time, t.id));
    out
}

/// A manifest sensor under its own id and, for ASTERIX sources, under the
/// `sac<SAC>-sic<SIC>` id the decoder gives its observations.
fn sensor_configs(s: &ManifestSensor) -> Vec<SensorConfig> {
    let accuracy = super::chain::sensor_accuracy(&s.parameters);
    let mut v = vec![SensorConfig {
        id: SensorId::new(&s.id),
        position: s.position,
        accuracy,
    }];
    let n = |k: &str| s.parameters.get(k).and_then(serde_json::Value::as_u64);
    if let (Some(sac), Some(sic)) = (n("sac"), n("sic")) {
        v.push(SensorConfig {
            id: SensorId::new(format!("sac{sac}-sic{sic}")),
            position: s.position,
            accuracy,
        });
    }
    v
}

fn run_score(args: &Args, geography: &Geography) -> Result<ExitCode> {
    let scenarios = if args.scenario.is_empty() {
        let mut v = Vec::new();
        for dir in ["scenarios", "scenarios/replay"] {
            let Ok(rd) = fs::read_dir(dir) else { continue };
            let mut found: Vec<PathBuf> = rd
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|x| x == "toml"))
                .collect();
            found.sort();
            v.extend(found);
        }
        v
    } else {
        args.scenario.clone()
    };
    let mut totals = [Score::default(), Score::default()];
    for path in &scenarios {
        let mut scenario = sim::Scenario::load(path)?;
        if args.minutes > 0 {
            scenario.duration = model::Duration::from_secs(args.minutes as i64 * 60);
        }
        for k in 0..args.seeds {
            let seed = if k == 0 { scenario.seed } else { k };
            let out = args.work.join(format!("{}-{seed}", scenario.name));
            let base = path.parent().unwrap_or(Path::new("."));
            sim::run(&scenario, base, &out, seed)
                .with_context(|| format!("scenario {}", path.display()))?;
            write_vessels(&scenario, base, seed, &out)?;
            let events = score::parse_events(&fs::read_to_string(out.join("events.json"))?)
                .map_err(anyhow::Error::msg)?;
            for (m, truth) in [false, true].into_iter().enumerate() {
                let mut config = Config {
                    protected: scenario.events.protected.clone(),
                    ..Config::default()
                };
                apply_rules(&scenario, &mut config);
                let started = Instant::now();
                let run = load_dir(&out, truth, &mut config)?;
                let origins: BTreeMap<String, String> = run
                    .rows
                    .iter()
                    .map(|r| (r.object.clone(), r.origin.clone()))
                    .collect();
                let n_tracks = run.tracks.len();
                let (incidents, _, _) = attribute_timed(config, geography.clone(), run.inputs);
                let label = format!(
                    "{}#{seed}{}",
                    scenario.name,
                    if truth { " (truth tracks)" } else { "" }
                );
                let s = score::score(&incidents, &events, &run.objects, &origins, &label);
                println!(
                    "{label}: {} track updates, {} incidents, {} true events, {:.1} s",
                    n_tracks,
                    incidents.len(),
                    events.len(),
                    started.elapsed().as_secs_f64()
                );
                for miss in s.misses.iter().take(8) {
                    println!("    {miss}");
                }
                totals[m].add(&s);
            }
        }
    }
    println!(
        "\nfeeds → fusion → attribution, {} scenario(s) × {} seed(s):",
        scenarios.len(),
        args.seeds
    );
    print!("{}", totals[0].table());
    println!("\ntruth tracks → attribution (attribution alone):");
    print!("{}", totals[1].table());
    Ok(ExitCode::SUCCESS)
}

fn apply_rules(scenario: &sim::Scenario, config: &mut Config) {
    let r = &scenario.events;
    config.loiter_speed_max_mps = r.loiter_speed_max_kn * 1852.0 / 3600.0;
    config.loiter_min = r.loiter_min;
    config.ais_dark_near_m = r.ais_dark_near_m;
    if let Some(m) = &r.mass_incursion {
        config.mass_window = m.window;
        config.mass_min_count = m.min_count;
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
