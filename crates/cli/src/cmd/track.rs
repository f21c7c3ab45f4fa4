//! `guarantor track`: detections or observations in, tracks out, a summary printed.

use std::collections::BTreeMap;
use std::fs;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{Context, Result, bail};
use fusion::harness::{self, TrackRow};
use fusion::plane::{AssociationKind, Motion, TrackerConfig};
use fusion::{Picture, PictureConfig, SensorConfig};
use model::{AltitudeBand, Geodetic, Observation, SensorId, TangentPlane, TrackClass};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The Stone Soup harness's `detections.csv` (`scan_time_s,sensor_id,x_m,y_m`),
    /// JSON lines of `model::Observation`, or a folder `guarantor sim` wrote (its feeds
    /// decoded as the demo does, its `manifest.json` as `--sensors`).
    #[arg(long)]
    input: PathBuf,
    /// Where to write the tracks.
    #[arg(long)]
    output: PathBuf,
    /// `stonesoup`: the harness's `time_s,track_id,x_m,y_m` (default for harness input);
    /// `csv`: our tracks CSV (default for observations); `jsonl`: one `model::Track` per line.
    #[arg(long, value_enum)]
    format: Option<Format>,
    /// The harness's `scenario.json` (sensor noise); default: beside the input, when there.
    #[arg(long)]
    scenario: Option<PathBuf>,
    /// Sensors for observation input: a JSON list of `{"id", "lat_deg", "lon_deg", "alt_m"}`
    /// or a sim `manifest.json` with such a `sensors` list. Without it every sensor seen
    /// is accepted, and radar plots are rejected (no sensor position).
    #[arg(long)]
    sensors: Option<PathBuf>,
    /// `gnn` (optimal assignment) or `jpda` (for dense clutter).
    #[arg(long, value_enum, default_value = "gnn")]
    assoc: Assoc,
    /// `cv` (nearly constant velocity) or `imm` (constant velocity and coordinated turns).
    #[arg(long, value_enum, default_value = "cv")]
    motion: MotionArg,
    /// Worker threads (default: all cores); the tracks do not depend on it.
    #[arg(long)]
    threads: Option<usize>,
    /// Harness input placed on the globe at this origin (`lat,lon`) for `csv` and `jsonl` output.
    #[arg(long, default_value = "50.45,30.52")]
    origin: String,
    /// A sim `truth.csv` to score the tracks against (GOSPA, coverage, breaks,
    /// identity switches, false tracks, classification, per truth class);
    /// default for a sim folder: its own `truth.csv`.
    #[arg(long)]
    truth: Option<PathBuf>,
    /// Cut-off of the score against truth: the farthest a track may be from the
    /// object it stands for, metres.
    #[arg(long, default_value_t = 10_000.0)]
    cutoff_m: f64,
    /// Print each truth object's own score too.
    #[arg(long)]
    per_object: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Stonesoup,
    Csv,
    Jsonl,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Assoc {
    Gnn,
    Jpda,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum MotionArg {
    Cv,
    Imm,
}

pub fn run(args: &Args) -> Result<ExitCode> {
    if let Some(n) = args.threads {
        rayon::ThreadPoolBuilder::new()
            .num_threads(n)
            .build_global()
            .context("--threads")?;
    }
    if args.input.is_dir() {
        return run_sim_folder(args);
    }
    let text = fs::read_to_string(&args.input)
        .with_context(|| format!("--input {}: cannot read", args.input.display()))?;
    let first = text.lines().next().unwrap_or_default();
    if harness::is_detections_header(first) {
        run_harness(args, &text)
    } else {
        run_observations(args, &text)
    }
}

/// A folder `guarantor sim` wrote: every feed decoded (as the demo's chain does), its
/// manifest's sensors with their accuracy, scored against its `truth.csv`.
fn run_sim_folder(args: &Args) -> Result<ExitCode> {
    let dir = &args.input;
    let manifest = sim::Manifest::read(dir).map_err(anyhow::Error::msg)?;
    let decoded = super::chain::decode(&manifest, dir)?;
    let mut observations = decoded.observations;
    observations.sort_by_key(|o| o.time);
    let mut config = super::chain::picture_config(&manifest.sensors, &observations);
    config.tracker = tracker_config(args, config.tracker, 0.9, 1e-9);
    let truth = args.truth.clone().unwrap_or_else(|| dir.join("truth.csv"));
    // Snapshots every 5 s of event time, as the demo's chain takes them: a night
    // of every track every second would not fit in memory.
    let (code, history) =
        track_observations(args, observations, config, decoded.decode_errors, 5_000_000)?;
    score_against(args, &truth, &history, &super::chain::detectable(&manifest))?;
    Ok(code)
}

/// Scores the tracks against a `truth.csv` and prints the report.
fn score_against(
    args: &Args,
    truth: &Path,
    tracks: &[model::Track],
    detectable: &dyn Fn(&fusion::score::TruthRow) -> bool,
) -> Result<()> {
    let text = fs::read_to_string(truth)
        .with_context(|| format!("--truth {}: cannot read", truth.display()))?;
    let (rows, errors) = fusion::score::parse_truth(&text);
    for e in errors.iter().take(10) {
        eprintln!("guarantor: {}: {e}", truth.display());
    }
    let report = fusion::score::score_where(
        &rows,
        tracks,
        &fusion::score::ScoreConfig {
            cutoff_m: args.cutoff_m,
            ..Default::default()
        },
        detectable,
    );
    println!();
    print!("{}", report.render());
    if args.per_object {
        println!(
            "{:<28} {:<18} {:>8} {:>7} {:>6} {:>6}",
            "object", "class", "coverage", "breaks", "id-sw", "tracks"
        );
        for (object, (class, o)) in &report.by_object {
            println!(
                "{object:<28} {class:<18} {:>8.3} {:>7} {:>6} {:>6}",
                o.coverage(),
                o.breaks,
                o.switches,
                o.tracks
            );
        }
    }
    Ok(())
}

/// `base` with the motion model and associator `args` ask for.
fn tracker_config(
    args: &Args,
    base: TrackerConfig,
    pd: f64,
    clutter_density: f64,
) -> TrackerConfig {
    let mut c = base;
    if args.motion == MotionArg::Imm {
        c.motion = Motion::ImmCvCt(Default::default());
    }
    if args.assoc == Assoc::Jpda {
        c.association = AssociationKind::Jpda {
            pd,
            clutter_density: clutter_density.max(1e-10),
        };
    }
    c
}

fn parse_origin(s: &str) -> Result<Geodetic> {
    let (lat, lon) = s.split_once(',').context("--origin: expected `lat,lon`")?;
    let g = Geodetic::new(lat.trim().parse()?, lon.trim().parse()?, 0.0);
    if !g.is_valid() {
        bail!("--origin: `{s}` is not a latitude and longitude in degrees");
    }
    Ok(g)
}

fn run_harness(args: &Args, text: &str) -> Result<ExitCode> {
    let (detections, errors) = harness::parse_detections(text);
    for e in errors.iter().take(10) {
        eprintln!("guarantor: {}: {e}", args.input.display());
    }
    let scenario = args.scenario.clone().or_else(|| {
        let p = args
            .input
            .parent()
            .unwrap_or(Path::new("."))
            .join("scenario.json");
        p.exists().then_some(p)
    });
    let sensors = match &scenario {
        Some(p) => harness::parse_scenario_sensors(&fs::read_to_string(p)?)
            .map_err(anyhow::Error::msg)
            .with_context(|| format!("--scenario {}", p.display()))?,
        None => Vec::new(),
    };
    let pd = sensors.iter().map(|s| s.pd).fold(1.0, f64::min);
    let density = sensors
        .iter()
        .map(|s| s.clutter_spatial_density_per_m2)
        .fold(0.0, f64::max);
    let mut config = tracker_config(args, TrackerConfig::default(), pd, density);
    // The harness's targets all follow one nearly-constant-velocity model with
    // one process noise, which Stone Soup's tracker is given too: ours uses that
    // one (`default_q`) rather than a class's.
    config.noise_by_class = false;
    let format = args.format.unwrap_or(Format::Stonesoup);
    let plane = TangentPlane::new(parse_origin(&args.origin)?);
    let sensor_ids: Vec<SensorId> = sensors
        .iter()
        .map(|s| SensorId::new(&s.sensor_id))
        .collect();
    let file = fs::File::create(&args.output)
        .with_context(|| format!("--output {}: cannot create", args.output.display()))?;
    let mut out = BufWriter::new(file);
    match format {
        Format::Stonesoup => writeln!(out, "{}", harness::TRACKS_HEADER)?,
        Format::Csv => writeln!(out, "{}", harness::OUR_CSV_HEADER)?,
        Format::Jsonl => {}
    }
    let mut io_error = None;
    let started = Instant::now();
    let summary = harness::run(&detections, &sensors, 50.0, config, |time, tracks| {
        for t in tracks {
            let r = match format {
                Format::Stonesoup => {
                    let p = t.filter.est.position();
                    let row = TrackRow {
                        time,
                        track_id: t.id,
                        x_m: p.x,
                        y_m: p.y,
                    };
                    harness::write_track_row(&mut out, &row)
                }
                Format::Csv => harness::write_our_csv_row(
                    &mut out,
                    &harness::harness_track(&plane, t, &sensor_ids),
                ),
                Format::Jsonl => {
                    let track = harness::harness_track(&plane, t, &sensor_ids);
                    serde_json::to_writer(&mut out, &track)
                        .map_err(std::io::Error::other)
                        .and_then(|()| writeln!(out))
                }
            };
            if let Err(e) = r {
                io_error.get_or_insert(e);
            }
        }
    });
    let wall_s = started.elapsed().as_secs_f64();
    out.flush()?;
    if let Some(e) = io_error {
        bail!("--output {}: {e}", args.output.display());
    }
    let by: Vec<(TrackClass, AltitudeBand)> = summary.last_class.values().copied().collect();
    print_summary(
        &by,
        summary.n_detections,
        summary.n_scans,
        wall_s,
        &summary.rejects,
    );
    let bad = !errors.is_empty() || summary.rejects.total() > 0;
    Ok(if bad {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

#[derive(serde::Deserialize)]
struct SensorEntry {
    #[serde(alias = "sensor_id", alias = "sensor")]
    id: String,
    lat_deg: Option<f64>,
    lon_deg: Option<f64>,
    #[serde(default)]
    alt_m: f64,
    /// A sim `manifest.json` nests the position.
    position: Option<Geodetic>,
    /// A sim `manifest.json`'s ASTERIX sensors name their SAC/SIC here.
    #[serde(default)]
    parameters: serde_json::Value,
}

fn read_sensors(path: &Path) -> Result<Vec<SensorConfig>> {
    let text = fs::read_to_string(path)?;
    let value: serde_json::Value = serde_json::from_str(&text)?;
    let list = value.get("sensors").cloned().unwrap_or(value);
    let entries: Vec<SensorEntry> =
        serde_json::from_value(list).context("expected a list of {id, lat_deg, lon_deg, alt_m}")?;
    Ok(entries
        .into_iter()
        .flat_map(|e| {
            let position = e.position.or(e
                .lat_deg
                .zip(e.lon_deg)
                .map(|(la, lo)| Geodetic::new(la, lo, e.alt_m)));
            let n = |k: &str| e.parameters.get(k).and_then(serde_json::Value::as_u64);
            // The ASTERIX decoder names a sensor `sac<SAC>-sic<SIC>`, as on the wire.
            let accuracy = super::chain::sensor_accuracy(&e.parameters);
            let asterix = n("sac").zip(n("sic")).map(|(sac, sic)| SensorConfig {
                id: SensorId::new(format!("sac{sac}-sic{sic}")),
                position,
                accuracy,
            });
            std::iter::once(SensorConfig {
                id: SensorId::new(e.id),
                position,
                accuracy,
            })
            .chain(asterix)
        })
        .collect())
}

fn run_observations(args: &Args, text: &str) -> Result<ExitCode> {
    let mut observations = Vec::new();
    let mut n_bad = 0u64;
    for (i, line) in text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
    {
        match serde_json::from_str::<Observation>(line) {
            Ok(o) => observations.push(o),
            Err(e) => {
                n_bad += 1;
                if n_bad <= 10 {
                    eprintln!(
                        "guarantor: {}:{}: not an observation: {e}",
                        args.input.display(),
                        i + 1
                    );
                }
            }
        }
    }
    // A file is a recording, often several feeds one after another (`cat`):
    // in event-time order (stable, so a feed's own order stays), as the
    // picture's reorder buffer covers only `oosm_lag` of disorder.
    observations.sort_by_key(|o| o.time);
    let sensors = match &args.sensors {
        Some(p) => fusion::with_report_sensors(
            read_sensors(p).with_context(|| format!("--sensors {}", p.display()))?,
            &observations,
        ),
        None => {
            let ids: std::collections::BTreeSet<&SensorId> =
                observations.iter().map(|o| &o.sensor).collect();
            ids.into_iter()
                .map(|id| SensorConfig::new(id.clone(), None))
                .collect()
        }
    };
    let config = PictureConfig {
        tracker: tracker_config(args, PictureConfig::default().tracker, 0.9, 1e-9),
        sensors,
        ..Default::default()
    };
    let (code, history) = track_observations(args, observations, config, n_bad, 1_000_000)?;
    if let Some(truth) = &args.truth {
        score_against(args, truth, &history, &|_| true)?;
    }
    Ok(code)
}

/// Observations (in event-time order) through a picture; the tracks are written to
/// `--output` (every track once per `every_us` of event time) and returned.
fn track_observations(
    args: &Args,
    observations: Vec<Observation>,
    config: PictureConfig,
    n_bad: u64,
    every_us: i64,
) -> Result<(ExitCode, Vec<model::Track>)> {
    let mut picture = Picture::new(config);
    let mut history = Vec::new();
    let n = observations.len() as u64;
    let started = Instant::now();
    let mut last_time: Option<i64> = None;
    for o in observations {
        let t = o.time;
        picture.ingest(o);
        if last_time.is_some_and(|l| t.unix_us.div_euclid(every_us) != l.div_euclid(every_us)) {
            history.extend(picture.tracks());
        }
        last_time = Some(t.unix_us);
    }
    picture.finish();
    let wall_s = started.elapsed().as_secs_f64();
    let finals = picture.tracks();
    history.extend(finals.iter().cloned());
    let mut out = BufWriter::new(fs::File::create(&args.output)?);
    match args.format.unwrap_or(Format::Csv) {
        Format::Jsonl => {
            for t in &history {
                serde_json::to_writer(&mut out, t)?;
                writeln!(out)?;
            }
        }
        _ => {
            writeln!(out, "{}", harness::OUR_CSV_HEADER)?;
            for t in &history {
                harness::write_our_csv_row(&mut out, t)?;
            }
        }
    }
    out.flush()?;
    let by: Vec<(TrackClass, AltitudeBand)> = finals.iter().map(|t| (t.class, t.band)).collect();
    let stats = picture.stats();
    print_summary(&by, n, stats.scans, wall_s, picture.rejects());
    let code = if picture.rejects().total() > 0 || n_bad > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    };
    Ok((code, history))
}

fn print_summary(
    by: &[(TrackClass, AltitudeBand)],
    n_detections: u64,
    n_scans: u64,
    wall_s: f64,
    rejects: &fusion::RejectCounts,
) {
    let mut table: BTreeMap<(TrackClass, AltitudeBand), u64> = BTreeMap::new();
    for k in by {
        *table.entry(*k).or_default() += 1;
    }
    println!(
        "tracked {n_detections} detections in {n_scans} scans in {wall_s:.3} s ({:.0} detections/s); {} tracks",
        n_detections as f64 / wall_s.max(1e-9),
        by.len()
    );
    println!("{:<20} {:<8} {:>8}", "class", "band", "tracks");
    for ((class, band), n) in table {
        let band = serde_json::to_value(band)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned));
        println!(
            "{:<20} {:<8} {:>8}",
            class.as_str(),
            band.unwrap_or_default(),
            n
        );
    }
    for (reason, n) in rejects.nonzero() {
        println!("rejected {:<24} {n}", reason.as_str());
    }
}
