//! Scenarios to the real wire formats and ground truth, deterministic by seed.
//!
//! A scenario (TOML, [`Scenario`]) describes a theatre and a period. [`run`]
//! builds the ground truth ([`truth`]), computes the incidents a perfect
//! system would raise ([`events`]), runs each sensor model ([`sensors`]) over
//! the truth, passes its reports through the feed's faults ([`faults`]) and
//! the `feeds` encoders ([`emit`]), and writes one file per sensor plus
//! `truth.csv`, `events.json` and `manifest.json`.
//!
//! Same scenario and seed, same bytes: randomness comes from seeded ChaCha
//! streams ([`random`]), nothing reads the clock, and every collection that
//! reaches the output is a `Vec` in a fixed order or a `BTreeMap`.
//! The engine never uses this crate at run time.

pub mod catalogue;
pub mod emit;
pub mod events;
pub mod faults;
pub mod geography;
pub mod intel;
pub mod kinematics;
pub mod limits;
pub mod random;
pub mod report;
pub mod scenario;
pub mod sensors;
pub mod truth;

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use model::Time;
use serde::{Deserialize, Serialize};

pub use scenario::{Scenario, ScenarioError};

use crate::emit::{AisEmitter, AsterixEmitter, CotEmitter, EmitCounts, Emitter, SbsEmitter};
use crate::faults::{FaultCounts, FaultInjector};
use crate::geography::Geography;
use crate::random::{SimRng, StreamClass};
use crate::report::Frame;
use crate::scenario::{AdsbFormat, LatLon};

/// Why a run failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SimError {
    #[error(transparent)]
    Scenario(#[from] ScenarioError),
    #[error("{path}: cannot write: {reason}")]
    Write {
        path: PathBuf,
        reason: std::io::Error,
    },
}

/// One output file in the manifest.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FileEntry {
    pub path: String,
    pub format: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sensor: Option<String>,
    pub records: u64,
    /// Reports the encoder refused (out of a field's range).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub refused: u64,
    pub bytes: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub faults: Option<FaultCounts>,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

/// One sensor in the manifest: where it is and how it is set up.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SensorEntry {
    pub id: String,
    pub kind: String,
    pub file: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub position: Option<Position>,
    pub parameters: serde_json::Value,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
pub struct Position {
    pub lat_deg: f64,
    pub lon_deg: f64,
    pub alt_m: f64,
}

/// `manifest.json`: what was written, from what, with which seed; read back by
/// whoever decodes the folder (`Manifest::read`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Manifest {
    pub scenario: String,
    pub seed: u64,
    pub start: Time,
    pub end: Time,
    pub objects: u64,
    pub events: u64,
    pub truth_rows: u64,
    pub files: Vec<FileEntry>,
    pub sensors: Vec<SensorEntry>,
}

impl Manifest {
    /// Reads `manifest.json` from a folder `run` wrote.
    pub fn read(dir: &Path) -> Result<Manifest, String> {
        let path = dir.join("manifest.json");
        let text =
            std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        serde_json::from_str(&text).map_err(|e| {
            format!(
                "{}: line {}, column {}: {e}",
                path.display(),
                e.line(),
                e.column()
            )
        })
    }
}

/// Runs a scenario with `seed` and writes its outputs into `out_dir`.
/// Geography paths are resolved against `base_dir` (the scenario's folder).
pub fn run(
    scenario: &Scenario,
    base_dir: &Path,
    out_dir: &Path,
    seed: u64,
) -> Result<Manifest, SimError> {
    let write_err = |path: &Path| {
        let path = path.to_owned();
        move |reason| SimError::Write { path, reason }
    };
    std::fs::create_dir_all(out_dir).map_err(write_err(out_dir))?;
    let geography = Geography::load(&scenario.geography, base_dir).map_err(|(file, message)| {
        ScenarioError::Geography {
            path: base_dir.to_owned(),
            file,
            message,
        }
    })?;
    let start = scenario.start;
    let end = scenario.start + scenario.duration;
    let objects = truth::build_objects(scenario, &geography, seed);

    let truth_path = out_dir.join("truth.csv");
    let truth_rows = {
        let mut w = BufWriter::with_capacity(
            1 << 20,
            File::create(&truth_path).map_err(write_err(&truth_path))?,
        );
        let rows = truth::write_truth(&mut w, &objects, start, end, scenario.truth_interval)
            .map_err(write_err(&truth_path))?;
        w.flush().map_err(write_err(&truth_path))?;
        rows
    };
    let mut files = vec![FileEntry {
        path: "truth.csv".into(),
        format: "csv".into(),
        sensor: None,
        records: truth_rows,
        refused: 0,
        bytes: file_len(&truth_path),
        faults: None,
    }];

    let events = events::true_events(scenario, &geography, &objects);
    let events_path = out_dir.join("events.json");
    write_json(&events_path, &events)?;
    files.push(FileEntry {
        path: "events.json".into(),
        format: "json".into(),
        sensor: None,
        records: events.len() as u64,
        refused: 0,
        bytes: file_len(&events_path),
        faults: None,
    });

    let mut feeds = Feeds {
        scenario,
        seed,
        out_dir,
        objects: &objects,
        streams: 0,
        sensors: Vec::new(),
        files,
    };
    for spec in &scenario.radar {
        let alt = spec.ground_alt_m + spec.antenna_height_m;
        feeds.add(
            spec,
            &spec.id,
            "radar",
            Some((spec.position, alt)),
            Box::new(AsterixEmitter::cat048()),
            sensors::radar::run,
        )?;
    }
    for spec in &scenario.tracker {
        feeds.add(
            spec,
            &spec.id,
            "tracker",
            Some((spec.position, 0.0)),
            Box::new(AsterixEmitter::cat062()),
            sensors::tracker::run,
        )?;
    }
    for spec in &scenario.adsb_receiver {
        let emitter: Box<dyn Emitter> = match spec.format {
            AdsbFormat::Sbs => Box::new(SbsEmitter::default()),
            AdsbFormat::Cat021 => Box::new(AsterixEmitter::cat021()),
        };
        feeds.add(
            spec,
            &spec.id,
            "adsb_receiver",
            Some((spec.position, 0.0)),
            emitter,
            sensors::adsb::run,
        )?;
    }
    for spec in &scenario.ais_station {
        feeds.add(
            spec,
            &spec.id,
            "ais_station",
            spec.position.map(|p| (p, 0.0)),
            Box::new(AisEmitter::default()),
            sensors::ais::run,
        )?;
    }
    for spec in &scenario.acoustic_net {
        let emitter = Box::new(CotEmitter::default());
        let model = sensors::cot::run_acoustic;
        feeds.add(spec, &spec.id, "acoustic_net", None, emitter, model)?;
    }
    for spec in &scenario.patrol {
        let emitter = Box::new(CotEmitter::default());
        let model = sensors::cot::run_patrol;
        feeds.add(spec, &spec.id, "patrol", None, emitter, model)?;
    }
    let Feeds {
        mut files,
        mut sensors,
        ..
    } = feeds;
    if let Some(intel) = &scenario.intel {
        let (json, incidents) = intel::bundle(scenario, &geography, end);
        let name = format!("{}.json", intel.id);
        let path = out_dir.join(&name);
        std::fs::write(&path, json.as_bytes()).map_err(write_err(&path))?;
        let entry = FileEntry {
            path: name,
            format: "stix-2.1".into(),
            sensor: Some(intel.id.clone()),
            records: incidents,
            refused: 0,
            bytes: json.len() as u64,
            faults: None,
        };
        sensors.push(sensor_entry(&intel.id, "intel", &entry, None, intel));
        files.push(entry);
    }

    let manifest = Manifest {
        scenario: scenario.name.clone(),
        seed,
        start,
        end,
        objects: objects.len() as u64,
        events: events.len() as u64,
        truth_rows,
        files,
        sensors,
    };
    write_json(&out_dir.join("manifest.json"), &manifest)?;
    Ok(manifest)
}

fn file_len(path: &Path) -> u64 {
    std::fs::metadata(path).map(|m| m.len()).unwrap_or(0)
}

fn write_json<T: Serialize>(path: &Path, value: &T) -> Result<(), SimError> {
    let mut text = serde_json::to_string_pretty(value).unwrap_or_default();
    text.push('\n');
    std::fs::write(path, text).map_err(|reason| SimError::Write {
        path: path.to_owned(),
        reason,
    })
}

fn sensor_entry<T: Serialize>(
    id: &str,
    kind: &'static str,
    file: &FileEntry,
    position: Option<(LatLon, f64)>,
    spec: &T,
) -> SensorEntry {
    SensorEntry {
        id: id.to_owned(),
        kind: kind.to_owned(),
        file: file.path.clone(),
        position: position.map(|(p, alt_m)| Position {
            lat_deg: p[0],
            lon_deg: p[1],
            alt_m,
        }),
        parameters: serde_json::to_value(spec).unwrap_or_default(),
    }
}

/// A sensor model: the frames of its reports on the objects over a period.
type SensorModel<S> = fn(&S, &[truth::Object], Time, Time, &mut SimRng, &mut dyn FnMut(Frame));

/// The sensors' files and manifest entries as `run` adds them, in order.
struct Feeds<'a> {
    scenario: &'a Scenario,
    seed: u64,
    out_dir: &'a Path,
    objects: &'a [truth::Object],
    /// Random streams handed out so far: each sensor has its own, numbered from 1.
    streams: u64,
    sensors: Vec<SensorEntry>,
    files: Vec<FileEntry>,
}

impl Feeds<'_> {
    /// Runs one sensor's model into its file and enters both in the manifest.
    fn add<S: Serialize>(
        &mut self,
        spec: &S,
        id: &str,
        kind: &'static str,
        position: Option<(LatLon, f64)>,
        emitter: Box<dyn Emitter>,
        model: SensorModel<S>,
    ) -> Result<(), SimError> {
        self.streams += 1;
        let mut rng = SimRng::stream(self.seed, StreamClass::Sensor, self.streams);
        let (start, end) = (
            self.scenario.start,
            self.scenario.start + self.scenario.duration,
        );
        let entry = feed(
            self.scenario,
            self.seed,
            self.out_dir,
            id,
            emitter,
            |sink| model(spec, self.objects, start, end, &mut rng, sink),
        )?;
        self.sensors
            .push(sensor_entry(id, kind, &entry, position, spec));
        self.files.push(entry);
        Ok(())
    }
}

/// One sensor's output: frames → faults → encoder → bytes corrupted → file.
struct Pipeline {
    emitter: Box<dyn Emitter>,
    fault: Option<FaultInjector>,
    writer: BufWriter<File>,
    buf: Vec<u8>,
    passed: Vec<Frame>,
    counts: EmitCounts,
    bytes: u64,
    error: Option<std::io::Error>,
}

impl Pipeline {
    fn frame(&mut self, frame: Frame) {
        match self.fault.as_mut() {
            Some(fault) => {
                let mut passed = std::mem::take(&mut self.passed);
                fault.push(frame, &mut |f| passed.push(f));
                for f in passed.drain(..) {
                    self.write(&f);
                }
                self.passed = passed;
            }
            None => self.write(&frame),
        }
    }

    fn write(&mut self, frame: &Frame) {
        self.buf.clear();
        let c = self.emitter.encode(frame, &mut self.buf);
        self.counts.records += c.records;
        self.counts.refused += c.refused;
        if let Some(fault) = self.fault.as_mut() {
            fault.corrupt(&mut self.buf);
        }
        self.bytes += self.buf.len() as u64;
        if self.error.is_none()
            && let Err(e) = self.writer.write_all(&self.buf)
        {
            self.error = Some(e);
        }
    }

    fn finish(&mut self, end: Time) {
        if let Some(mut fault) = self.fault.take() {
            let mut passed = Vec::new();
            fault.finish(end, &mut |f| passed.push(f));
            self.fault = Some(fault);
            for f in &passed {
                self.write(f);
            }
        }
    }
}

/// Runs one sensor's model into its file.
fn feed(
    scenario: &Scenario,
    seed: u64,
    out_dir: &Path,
    sensor_id: &str,
    emitter: Box<dyn Emitter>,
    model: impl FnOnce(&mut dyn FnMut(Frame)),
) -> Result<FileEntry, SimError> {
    let name = format!("{sensor_id}.{}", emitter.extension());
    let path = out_dir.join(&name);
    let file = File::create(&path).map_err(|reason| SimError::Write {
        path: path.clone(),
        reason,
    })?;
    let fault = scenario
        .fault
        .iter()
        .enumerate()
        .find(|(_, f)| f.sensor == sensor_id || f.sensor == "*")
        .map(|(i, f)| {
            // One stream per (fault spec, sensor), so "*" faults differ per feed.
            let stream = (i as u64) << 32 | u64::from(fnv1a(sensor_id));
            FaultInjector::new(f.clone(), SimRng::stream(seed, StreamClass::Fault, stream))
        });
    let format = emitter.format();
    let mut pipeline = Pipeline {
        emitter,
        fault,
        writer: BufWriter::with_capacity(1 << 20, file),
        buf: Vec::with_capacity(1 << 16),
        passed: Vec::new(),
        counts: EmitCounts::default(),
        bytes: 0,
        error: None,
    };
    model(&mut |frame| pipeline.frame(frame));
    pipeline.finish(scenario.start + scenario.duration);
    let flushed = pipeline.writer.flush();
    if let Some(reason) = pipeline.error.take().or(flushed.err()) {
        return Err(SimError::Write { path, reason });
    }
    let entry = FileEntry {
        path: name,
        format: format.into(),
        sensor: Some(sensor_id.to_owned()),
        records: pipeline.counts.records,
        refused: pipeline.counts.refused,
        bytes: pipeline.bytes,
        faults: pipeline.fault.map(|f| f.counts),
    };
    Ok(entry)
}

/// FNV-1a, 32 bits: a stable hash of a sensor id for its fault stream
/// (std's hasher is randomly seeded per process).
fn fnv1a(text: &str) -> u32 {
    text.bytes().fold(0x811c_9dc5u32, |h, b| {
        (h ^ u32::from(b)).wrapping_mul(0x0100_0193)
    })
}
