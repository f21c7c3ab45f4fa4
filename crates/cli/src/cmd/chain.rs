//! The real loop shared by `guarantor demo` and `guarantor replay`: a scenario through
//! sim (wire-format files in a scratch folder) → the feeds decoders → fusion →
//! attribution, each stage timed, with the feed chunks' digests for the ledger and
//! GOSPA of the tracks against the truth. Glue only: every decision is the stages'.
//!
//! The wiring follows `cmd::attribute` (decoder per manifest format, ASTERIX sources also
//! known by their `sac<SAC>-sic<SIC>` id, snapshots every 5 s of event time, the
//! scenario's own attribution rules), fed from bytes held here so each chunk is digested.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Instant;

use anyhow::{Context, Result};
use attribution::score::{self, TruthRow};
use attribution::{Config, Coverage, Geography, Input};
use feeds::{Collect, DecoderConfig, Record};
use fusion::{Picture, PictureConfig, SensorConfig};
use model::{
    Digest, Geodetic, Incident, IncidentId, Observation, SensorId, SourceId, TangentPlane, Time,
    Track,
};

/// Bytes per feed chunk committed to the ledger (a receiver's read size, roughly).
pub const CHUNK_BYTES: usize = 1 << 20;

/// Event-time spacing of the track snapshots attribution reads (as `cmd::attribute`).
const SNAPSHOT_US: i64 = 5_000_000;

/// One feed chunk, as the ledger's `FeedChunk` entry records it.
#[derive(Debug, Clone)]
pub struct Chunk {
    pub source: String,
    pub first_time_us: i64,
    pub last_time_us: i64,
    pub records_n: u64,
    pub bytes_n: u64,
    pub digest: Digest,
}

/// GOSPA of the tracks against truth, averaged over sample times.
#[derive(Debug, Clone, Copy, Default)]
pub struct GospaSummary {
    pub samples: usize,
    pub cutoff_m: f64,
    pub mean_distance: f64,
    pub mean_localisation_m: f64,
    pub mean_truths: f64,
    pub mean_missed: f64,
    pub mean_false: f64,
}

/// What one run of the loop produced.
pub struct LoopRun {
    pub manifest: sim::Manifest,
    pub chunks: Vec<Chunk>,
    pub n_observations: u64,
    pub decode_errors: u64,
    pub rejects: Vec<(String, u64)>,
    /// Every track's updates, one per 5 s of event time.
    pub snapshots: Vec<Track>,
    /// Each track's last state.
    pub finals: Vec<Track>,
    pub incidents: Vec<Incident>,
    /// When each incident was emitted: attribution's watermark (event time) at that moment.
    pub emitted_at: BTreeMap<IncidentId, Time>,
    /// The first update of a non-cooperative track (event time).
    pub first_detection: Option<Time>,
    pub attribution_notes: Vec<String>,
    pub gospa: GospaSummary,
    /// The tracks scored against truth (coverage, breaks, switches, false tracks, classes).
    pub score: fusion::score::Report,
    /// (stage, wall seconds)
    pub stages: Vec<(String, f64)>,
}

/// Runs `scenario` (geography resolved against `base`) through the loop with `pact`'s
/// zones and `borders_geojson`. Scratch files go to `work`; `progress` prints to stderr.
pub fn run(
    scenario: &sim::Scenario,
    base: &Path,
    work: &Path,
    pact: &pact::CompiledPact,
    borders_geojson: &str,
    progress: bool,
) -> Result<LoopRun> {
    let mut stages = Vec::new();
    let t0 = Instant::now();
    let _ = std::fs::remove_dir_all(work);
    let manifest = sim::run(scenario, base, work, scenario.seed)
        .with_context(|| format!("sim into {}", work.display()))?;
    stages.push(("sim → wire formats".to_owned(), t0.elapsed().as_secs_f64()));

    let t0 = Instant::now();
    let Decoded {
        chunks,
        observations,
        stix,
        decode_errors,
    } = decode(&manifest, work)?;
    let n_observations = observations.len() as u64;
    stages.push((
        format!("feeds (decode {} files)", manifest.files.len()),
        t0.elapsed().as_secs_f64(),
    ));

    let t0 = Instant::now();
    let (snapshots, rejects) = fuse(observations, &manifest.sensors, progress);
    let mut finals: BTreeMap<model::TrackId, Track> = BTreeMap::new();
    for t in &snapshots {
        finals.insert(t.id, t.clone());
    }
    let finals: Vec<Track> = finals.into_values().collect();
    let first_detection = snapshots
        .iter()
        .filter(|t| !t.cooperative)
        .map(|t| t.time)
        .min();
    stages.push(("fusion".to_owned(), t0.elapsed().as_secs_f64()));

    let t0 = Instant::now();
    let (geography, attribution_notes) = Geography::new(pact, borders_geojson);
    let config = attribution_config(scenario, &manifest);
    let mut inputs = stix;
    inputs.extend(snapshots.iter().cloned().map(Input::Track));
    // Stable: inputs with the same time keep their order (a STIX bundle stays together).
    inputs.sort_by_key(|i| i.time().unwrap_or(Time::UNIX_EPOCH));
    // Pushed one by one so each incident's emission time (the watermark, event time) is
    // known: that, not the incident's own time, is when a decision could first be taken.
    let mut attributor = attribution::Attributor::new(config, geography);
    let mut incidents = Vec::new();
    let mut emitted_at = BTreeMap::new();
    let mut watermark = Time::UNIX_EPOCH;
    for input in inputs {
        watermark = input.time().map_or(watermark, |t| t.max(watermark));
        attributor.push(input);
        for i in attributor.take_incidents() {
            emitted_at.insert(i.id.clone(), watermark);
            incidents.push(i);
        }
    }
    attributor.finish();
    for i in attributor.take_incidents() {
        emitted_at.insert(i.id.clone(), watermark);
        incidents.push(i);
    }
    let diagnostics = attributor.diagnostics().to_vec();
    stages.push(("attribution".to_owned(), t0.elapsed().as_secs_f64()));

    let t0 = Instant::now();
    let truth_path = work.join("truth.csv");
    let truth =
        std::fs::read_to_string(&truth_path).with_context(|| truth_path.display().to_string())?;
    let (rows, _) = score::parse_truth(&truth);
    let gospa = gospa_of(&rows, &snapshots, 10_000.0);
    let score = fusion::score::score_where(
        &rows,
        &snapshots,
        &Default::default(),
        &detectable(&manifest),
    );
    stages.push(("GOSPA against truth".to_owned(), t0.elapsed().as_secs_f64()));

    let mut notes = attribution_notes;
    notes.extend(
        diagnostics
            .iter()
            .take(10)
            .map(|d| format!("{}: {}", d.subject, d.message)),
    );
    Ok(LoopRun {
        manifest,
        chunks,
        n_observations,
        decode_errors,
        rejects,
        snapshots,
        finals,
        incidents,
        emitted_at,
        first_detection,
        attribution_notes: notes,
        gospa,
        score,
        stages,
    })
}

/// A sim folder's feeds, decoded in chunks.
pub struct Decoded {
    pub chunks: Vec<Chunk>,
    pub observations: Vec<Observation>,
    /// STIX objects, in file order.
    pub stix: Vec<Input>,
    pub decode_errors: u64,
}

/// Decodes every feed the manifest lists in `dir`, [`CHUNK_BYTES`] at a time, as a
/// receiver would, digesting each chunk.
pub fn decode(manifest: &sim::Manifest, dir: &Path) -> Result<Decoded> {
    let mut chunks = Vec::new();
    let mut observations: Vec<Observation> = Vec::new();
    let mut stix = Vec::new();
    let mut decode_errors = 0u64;
    for f in &manifest.files {
        let path = dir.join(&f.path);
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
        let bytes = std::fs::read(&path).with_context(|| path.display().to_string())?;
        let source = f.sensor.clone().unwrap_or_else(|| f.path.clone());
        let mut sink = Collect::default();
        let pieces: Vec<&[u8]> = bytes.chunks(CHUNK_BYTES).collect();
        let n_pieces = pieces.len();
        for (k, piece) in pieces.into_iter().enumerate() {
            let before = sink.records.len();
            decoder.feed(piece, &mut sink);
            if k + 1 == n_pieces {
                decoder.finish(&mut sink);
            }
            let times: Vec<i64> = sink.records[before..]
                .iter()
                .filter_map(|r| match r {
                    Record::Observation(o) => Some(o.time.unix_us),
                    _ => None,
                })
                .collect();
            chunks.push(Chunk {
                source: source.clone(),
                first_time_us: times.iter().copied().min().unwrap_or(0),
                last_time_us: times.iter().copied().max().unwrap_or(0),
                records_n: (sink.records.len() - before) as u64,
                bytes_n: piece.len() as u64,
                digest: Digest::of(piece),
            });
        }
        decode_errors += sink.errors.len() as u64;
        for r in sink.records {
            match r {
                Record::Observation(o) => observations.push(o),
                Record::Stix(feeds::stix::StixRecord::Object(o)) => stix.push(Input::Stix(o)),
                _ => {}
            }
        }
    }
    Ok(Decoded {
        chunks,
        observations,
        stix,
        decode_errors,
    })
}

/// Attribution's configuration for a scenario: its protected states and rules, and
/// the terrestrial AIS stations' coverage from the manifest.
pub fn attribution_config(scenario: &sim::Scenario, manifest: &sim::Manifest) -> Config {
    let mut config = Config {
        protected: scenario.events.protected.clone(),
        ..Config::default()
    };
    apply_rules(scenario, &mut config);
    config.ais_coverage = ais_coverage(manifest);
    config
}

/// The terrestrial AIS stations' coverage discs from a manifest.
pub fn ais_coverage(manifest: &sim::Manifest) -> Vec<Coverage> {
    let mut coverage = Vec::new();
    for s in manifest.sensors.iter().filter(|s| s.kind == "ais_station") {
        let terrestrial =
            s.parameters.get("coverage").and_then(|v| v.as_str()) == Some("terrestrial");
        let range_m = s
            .parameters
            .get("range_max_m")
            .and_then(serde_json::Value::as_f64)
            .unwrap_or(74_000.0);
        if let (Some(p), true) = (s.position, terrestrial) {
            coverage.push(Coverage {
                centre: Geodetic::new(p.lat_deg, p.lon_deg, p.alt_m),
                range_m,
            });
        }
    }
    coverage
}

/// Fusion's configuration: the manifest's sensors (ASTERIX ones also under their
/// `sac<SAC>-sic<SIC>` id) and the position-reporting sources seen in `observations`.
pub fn picture_config(sensors: &[sim::SensorEntry], observations: &[Observation]) -> PictureConfig {
    let known: Vec<SensorConfig> = sensors.iter().flat_map(sensor_configs).collect();
    // Position reports (SBS's `sbs`, CoT's producer uid) name sensors the manifest does
    // not: they need no sensor position, so they are accepted without one.
    let configs = fusion::with_report_sensors(known, observations);
    PictureConfig {
        sensors: configs,
        ..Default::default()
    }
}

/// Whether some sensor of the manifest could see a truth row: a radar within range and
/// above its 4/3-Earth radio horizon, a partner tracker within range above its floor, an
/// acoustic node within its radius below its ceiling (air objects); an ADS-B receiver
/// within range (airliners, the only transponding objects of the catalogue); an AIS
/// station within range or a satellite area (vessels). Detection probability, faults
/// and transponders switched off are not judged: it separates what the sensors could
/// not give the tracker from what the tracker lost, roughly.
pub fn detectable(manifest: &sim::Manifest) -> impl Fn(&fusion::score::TruthRow) -> bool + '_ {
    let see = could_see(manifest);
    move |r: &fusion::score::TruthRow| see(&r.class, &r.position)
}

/// [`detectable`] for an object of catalogue class `class` at `position`.
pub fn could_see(manifest: &sim::Manifest) -> impl Fn(&str, &Geodetic) -> bool + '_ {
    let f = |s: &sim::SensorEntry, k: &str| s.parameters.get(k).and_then(serde_json::Value::as_f64);
    move |class: &str, position: &Geodetic| {
        let vessel = fusion::score::expected_class(class) == Some(model::TrackClass::Vessel);
        manifest.sensors.iter().any(|s| {
            let at = s
                .position
                .map(|p| Geodetic::new(p.lat_deg, p.lon_deg, p.alt_m));
            let d = at.map_or(f64::INFINITY, |p| p.surface_distance_m(position));
            let range = f(s, "range_max_m").unwrap_or(0.0);
            let alt = position.alt_m;
            match s.kind.as_str() {
                "radar" => {
                    let antenna = at.map_or(0.0, |p| p.alt_m);
                    !vessel && d <= range && d <= sim::sensors::radio_horizon_m(antenna, alt)
                }
                "tracker" => !vessel && d <= range && alt >= f(s, "alt_min_m").unwrap_or(0.0),
                "adsb_receiver" => class == "airliner" && d <= range,
                "ais_station" => {
                    let area = s.parameters.get("area").and_then(|a| a.as_array());
                    let in_area = area.is_some_and(|a| {
                        let pts: Vec<(f64, f64)> = a
                            .iter()
                            .filter_map(|p| Some((p.get(0)?.as_f64()?, p.get(1)?.as_f64()?)))
                            .collect();
                        let (la, lo) = (position.lat_deg, position.lon_deg);
                        let lat_ok = pts.iter().any(|p| p.0 <= la) && pts.iter().any(|p| p.0 >= la);
                        let lon_ok = pts.iter().any(|p| p.1 <= lo) && pts.iter().any(|p| p.1 >= lo);
                        lat_ok && lon_ok
                    });
                    vessel && (d <= range || in_area)
                }
                "acoustic_net" => {
                    let radius = f(s, "radius_m").unwrap_or(0.0);
                    let nodes = s.parameters.get("nodes").and_then(|a| a.as_array());
                    !vessel
                        && alt <= f(s, "alt_max_m").unwrap_or(0.0)
                        && nodes.is_some_and(|n| {
                            n.iter().any(|p| {
                                let (Some(la), Some(lo)) = (
                                    p.get(0).and_then(serde_json::Value::as_f64),
                                    p.get(1).and_then(serde_json::Value::as_f64),
                                ) else {
                                    return false;
                                };
                                Geodetic::new(la, lo, 0.0).surface_distance_m(position) <= radius
                            })
                        })
                }
                _ => false,
            }
        })
    }
}

/// The scenario's attribution rules (as `cmd::attribute` applies them for `--score`).
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

/// A manifest sensor under its own id and, for ASTERIX sources, under the
/// `sac<SAC>-sic<SIC>` id the decoder gives its observations.
fn sensor_configs(s: &sim::SensorEntry) -> Vec<SensorConfig> {
    let position = s
        .position
        .map(|p| Geodetic::new(p.lat_deg, p.lon_deg, p.alt_m));
    let accuracy = sensor_accuracy(&s.parameters);
    let mut v = vec![SensorConfig {
        id: SensorId::new(&s.id),
        position,
        accuracy,
    }];
    let n = |k: &str| s.parameters.get(k).and_then(serde_json::Value::as_u64);
    if let (Some(sac), Some(sic)) = (n("sac"), n("sic")) {
        v.push(SensorConfig {
            id: SensorId::new(format!("sac{sac}-sic{sic}")),
            position,
            accuracy,
        });
    }
    v
}

/// A manifest sensor's accuracy from its parameters: a radar's range and azimuth
/// noise and its registration bias (CAT048 carries neither, so the decoder's
/// defaults would stand), a tracker's or acoustic net's position noise.
pub fn sensor_accuracy(parameters: &serde_json::Value) -> fusion::Accuracy {
    let f = |k: &str| parameters.get(k).and_then(serde_json::Value::as_f64);
    fusion::Accuracy {
        range_sigma_m: f("range_sigma_m"),
        azimuth_sigma_deg: f("azimuth_sigma_deg"),
        range_bias_m: f("bias_range_m").unwrap_or(0.0),
        azimuth_bias_deg: f("bias_azimuth_deg").unwrap_or(0.0),
        horizontal_sigma_m: f("position_sigma_m"),
    }
}

/// Fusion over recorded observations: every track's state every 5 s of event time
/// (the snapshots attribution reads), and the rejections by reason.
pub fn fuse(
    mut observations: Vec<Observation>,
    sensors: &[sim::SensorEntry],
    progress: bool,
) -> (Vec<Track>, Vec<(String, u64)>) {
    observations.sort_by_key(|o| o.time);
    let config = picture_config(sensors, &observations);
    let mut picture = Picture::new(config);
    let mut out = Vec::new();
    let mut last_s = None;
    let n = observations.len().max(1);
    let step = n.div_ceil(10);
    let started = Instant::now();
    for (k, o) in observations.into_iter().enumerate() {
        if progress && k > 0 && k % step == 0 {
            eprintln!(
                "  fusion {:>3}% ({k}/{n} observations, event time {}, {:.1} s)",
                k * 100 / n,
                o.time,
                started.elapsed().as_secs_f64()
            );
        }
        let s = o.time.unix_us.div_euclid(SNAPSHOT_US);
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
    let rejects = picture
        .rejects()
        .nonzero()
        .map(|(r, n)| (r.as_str().to_owned(), n))
        .collect();
    (out, rejects)
}

/// GOSPA (p = 1, cut-off `c`) at every truth sample time 10 minutes apart, with both
/// sets in one tangent plane at the truth's centroid: each track taken at its latest
/// update at or before the sample and moved on by its velocity to the sample time.
/// Tracks older than 60 s at the sample are not counted (the tracker would have coasted
/// or dropped them).
fn gospa_of(rows: &[TruthRow], snapshots: &[Track], c: f64) -> GospaSummary {
    if rows.is_empty() {
        return GospaSummary::default();
    }
    let n = rows.len() as f64;
    let (lat, lon) = rows.iter().fold((0.0, 0.0), |(a, b), r| {
        (a + r.position.lat_deg / n, b + r.position.lon_deg / n)
    });
    let plane = TangentPlane::new(Geodetic::new(lat, lon, 0.0));
    let mut by_time: BTreeMap<Time, Vec<[f64; 2]>> = BTreeMap::new();
    let first = rows[0].time;
    for r in rows {
        if (r.time.unix_us - first.unix_us) % 600_000_000 == 0 {
            let e = plane.to_enu(&r.position);
            by_time.entry(r.time).or_default().push([e.e_m, e.n_m]);
        }
    }
    let mut summary = GospaSummary {
        cutoff_m: c,
        ..GospaSummary::default()
    };
    let mut latest: BTreeMap<model::TrackId, &Track> = BTreeMap::new();
    let mut next = 0;
    for (time, truth) in &by_time {
        while next < snapshots.len() && snapshots[next].time <= *time {
            latest.insert(snapshots[next].id, &snapshots[next]);
            next += 1;
        }
        let tracks: Vec<[f64; 2]> = latest
            .values()
            .filter(|t| time.seconds_since(t.time) <= 60.0)
            .map(|t| {
                let dt = time.seconds_since(t.time);
                let e = plane.to_enu(&t.position);
                [
                    e.e_m + t.velocity.ve_mps * dt,
                    e.n_m + t.velocity.vn_mps * dt,
                ]
            })
            .collect();
        let g = fusion::gospa::gospa(truth, &tracks, c, 1.0);
        let half = c / 2.0;
        let missed = g.missed / half;
        let false_tracks = g.false_tracks / half;
        let assigned = truth.len() as f64 - missed;
        summary.samples += 1;
        summary.mean_distance += g.distance;
        summary.mean_localisation_m += if assigned > 0.0 {
            g.localisation / assigned
        } else {
            0.0
        };
        summary.mean_truths += truth.len() as f64;
        summary.mean_missed += missed;
        summary.mean_false += false_tracks;
    }
    if summary.samples > 0 {
        let k = summary.samples as f64;
        summary.mean_distance /= k;
        summary.mean_localisation_m /= k;
        summary.mean_truths /= k;
        summary.mean_missed /= k;
        summary.mean_false /= k;
    }
    summary
}

/// When an activation could first have been taken: its own time, or the emission of
/// the last of its incidents if attribution raised that one later (event time).
pub fn known_at(a: &triggers::Activation, emitted_at: &BTreeMap<IncidentId, Time>) -> Time {
    a.incidents
        .iter()
        .filter_map(|id| emitted_at.get(id))
        .copied()
        .fold(a.at, Time::max)
}
