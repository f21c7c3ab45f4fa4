//! Attribution's integration tests: the scenario suite scored against truth,
//! the decoy and violation cases, bad input, determinism and the STIX export
//! checked by the OASIS validator.

mod bad_input;
mod fragments;
mod precision;
mod scoring;
mod sea;
mod stix_export;
mod suite;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use attribution::score::{self, Score, TruthVessel};
use attribution::{Config, Geography, Input};
use model::Incident;

pub fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The bundled pact's geography, with the theatre's borders.
pub fn geography() -> Geography {
    let root = workspace();
    let files = pact::DiskFiles::new(&root);
    let checked = pact::check(&files, "pacts/ukraine-shield.toml").expect("the bundled pact reads");
    let compiled = checked.compiled.expect("the bundled pact compiles");
    let borders =
        std::fs::read_to_string(root.join("pacts/data/borders.geojson")).expect("borders");
    let (geo, notes) = Geography::new(&compiled, &borders);
    assert!(notes.is_empty(), "{notes:?}");
    geo
}

fn fine_rows(
    scenario: &sim::Scenario,
    geography: &sim::geography::Geography,
    seed: u64,
) -> Vec<score::TruthRow> {
    let end = scenario.start + scenario.duration;
    let step = model::Duration::from_secs(5);
    let mut rows = Vec::new();
    for o in sim::truth::build_objects(scenario, geography, seed) {
        let (t0, t1) = (o.path.start().max(scenario.start), o.path.end().min(end));
        let mut t = t0;
        while t <= t1 {
            if let Some(s) = o.state_at(t) {
                let (sin, cos) = s.course_deg.to_radians().sin_cos();
                rows.push(score::TruthRow {
                    time: t,
                    object: o.id.clone(),
                    class: o.class.as_str().to_owned(),
                    origin: o.origin.clone(),
                    position: model::Geodetic::new(s.lat_deg, s.lon_deg, s.alt_m),
                    velocity: model::VelocityEnu {
                        ve_mps: s.speed_mps * sin,
                        vn_mps: s.speed_mps * cos,
                        vu_mps: s.climb_mps,
                    },
                });
            }
            if t == t1 {
                break;
            }
            t = (t + step).min(t1);
        }
    }
    rows.sort_by(|a, b| (a.time, &a.object).cmp(&(b.time, &b.object)));
    rows
}

/// One scenario run by `sim`, attributed from tracks made from its truth.
#[derive(Debug)]
pub struct Run {
    pub incidents: Vec<Incident>,
    pub score: Score,
}

pub fn run_truth(scenario_path: &Path, minutes: Option<i64>, seed: Option<u64>) -> Run {
    let mut scenario = sim::Scenario::load(scenario_path).expect("scenario");
    if let Some(m) = minutes {
        scenario.duration = model::Duration::from_secs(m * 60);
    }
    let seed = seed.unwrap_or(scenario.seed);
    let base = scenario_path.parent().expect("scenario folder");
    static RUNS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = RUNS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let out = std::env::temp_dir().join(format!(
        "attribution-it-{}-{seed}-{}-{n}",
        scenario.name,
        std::process::id()
    ));
    sim::run(&scenario, base, &out, seed).expect("sim runs");
    let geography = sim::geography::Geography::load(&scenario.geography, base).expect("geography");
    let vessels: Vec<TruthVessel> = sim::truth::build_objects(&scenario, &geography, seed)
        .into_iter()
        .filter(|o| o.mmsi.is_some())
        .map(|o| TruthVessel {
            object: o.id,
            mmsi: o.mmsi,
            callsign: o.callsign,
            ais_off: o.ais_off,
        })
        .collect();
    let (csv_rows, errors) =
        score::parse_truth(&std::fs::read_to_string(out.join("truth.csv")).expect("truth"));
    assert!(errors.is_empty(), "{errors:?}");
    // `truth.csv` samples every `truth_interval`; a drone ending inside a small
    // buffer between two rows would vanish before it, so perfect tracks are
    // sampled from the paths every 5 s and at their end.
    let rows = fine_rows(&scenario, &geography, seed);
    assert!(rows.len() >= csv_rows.len() / 2);
    let events =
        score::parse_events(&std::fs::read_to_string(out.join("events.json")).expect("events"))
            .expect("events parse");
    let (tracks, objects) = score::truth_tracks(&rows, &vessels);
    let mut inputs: Vec<Input> = tracks.into_iter().map(Input::Track).collect();
    for entry in std::fs::read_dir(&out).expect("out").flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with("intel") && name.ends_with(".json") {
            let (objects, _, _) =
                feeds::stix::read_objects(&std::fs::read(entry.path()).expect("stix"));
            inputs.extend(objects.into_iter().map(|o| Input::Stix(Box::new(o))));
        }
    }
    inputs.sort_by_key(|i| i.time());
    let mut config = Config {
        protected: scenario.events.protected.clone(),
        ..Config::default()
    };
    if let Some(m) = &scenario.events.mass_incursion {
        config.mass_window = m.window;
        config.mass_min_count = m.min_count;
    }
    config.loiter_min = scenario.events.loiter_min;
    config.ais_dark_near_m = scenario.events.ais_dark_near_m;
    let out_ = attribution::attribute(config, self::geography(), inputs);
    let origins: BTreeMap<String, String> = rows
        .iter()
        .map(|r| (r.object.clone(), r.origin.clone()))
        .collect();
    let score = score::score(&out_.incidents, &events, &objects, &origins, &scenario.name);
    let _ = std::fs::remove_dir_all(&out);
    Run {
        incidents: out_.incidents,
        score,
    }
}
