//! Speed of the triggers stage, in processing time.
//!
//! - `indicators/count_in_window`: incidents a second through count-in-window
//!   indicators (kind, zone and confidence filters, no CEL) on one core.
//! - `indicators/cel`: the same with the test pact's CEL predicates, over
//!   incidents without the field the predicate reads: every evaluation fails
//!   and is recorded as a diagnostic (the error path).
//! - `indicators/cel_field`: the same, the incidents carrying the field
//!   (`state_originated = true`): the predicate holds.
//! - `indicators/*_on_cpu`: each of those timed in the benchmark thread's
//!   on-CPU time (Linux schedstat): the one-core figure on a shared machine.
//! - `latency/night_wave`: the night-wave scenario's true incidents fed one at
//!   a time; for every incident whose processing emits an activation, the time
//!   from handing it in to the activation coming out. Percentiles are printed.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use geo::{Intersects, Point};
use model::incident::FieldValue;
use model::{Duration, Evidence, Geodetic, Incident, IncidentId, IncidentKind, Time};
use pact::{CompiledPact, DiskFiles};
use triggers::{Config, Engine, Record};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn load_pact(dir: &Path, file: &str, edit: impl Fn(String) -> String) -> CompiledPact {
    let text = std::fs::read_to_string(dir.join(file)).expect("bench pact");
    let checked = pact::check_text(&DiskFiles::new(dir), file, &edit(text));
    checked.compiled.expect("the bench pact compiles")
}

fn blank(id: String, kind: IncidentKind, time: Time) -> Incident {
    Incident {
        id: IncidentId::new(id),
        kind,
        time,
        position: None,
        zones: Vec::new(),
        infrastructure: None,
        origin: Some("RU".to_owned()),
        confidence: 0.95,
        fields: BTreeMap::new(),
        evidence: Evidence {
            items: Vec::new(),
            method: "bench".to_owned(),
            confidence: 0.95,
            statement: String::new(),
            contradictions: Vec::new(),
        },
        time_to_attribution: Duration::ZERO,
    }
}

/// A steady stream: one incident every 100 ms, rotating over zones.
fn stream(n: usize, state_originated: bool) -> Vec<Incident> {
    let start = Time::parse_rfc3339("2026-01-10T00:00:00Z").unwrap();
    let zones = ["pl-belt", "ua-airspace", "elsewhere"];
    (0..n)
        .map(|i| {
            let mut inc = blank(
                format!("i{i}"),
                IncidentKind::AirspaceEntry,
                start + Duration::from_us(i as i64 * 100_000),
            );
            inc.zones = vec![zones[i % 3].to_owned()];
            if state_originated {
                inc.fields
                    .insert("state_originated".to_owned(), FieldValue::Bool(true));
            }
            inc
        })
        .collect()
}

fn indicators(c: &mut Criterion) {
    let data = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data");
    // Count-in-window only: the predicates removed, thresholds kept.
    let plain = load_pact(&data, "test.toml", |t| {
        t.replace("when = \"fields.state_originated == true\"\n", "")
    });
    let cel = load_pact(&data, "test.toml", |t| t);
    let incidents = stream(200_000, false);
    let with_field = stream(200_000, true);
    let config = Config {
        // One core: no parallel predicate evaluation.
        parallel_batch_min: usize::MAX,
        ..Config::default()
    };
    let mut group = c.benchmark_group("indicators");
    group.throughput(Throughput::Elements(incidents.len() as u64));
    group.sample_size(10);
    for (name, pact, incidents) in [
        ("count_in_window", &plain, &incidents),
        ("cel", &cel, &incidents),
        ("cel_field", &cel, &with_field),
    ] {
        let run = || {
            let mut engine = Engine::new(pact.clone(), config.clone());
            let mut n_records = 0;
            for chunk in incidents.chunks(4096) {
                n_records += engine.process(chunk).len();
            }
            n_records
        };
        group.bench_function(name, |b| b.iter(run));
        if thread_cpu_ns().is_some() {
            group.bench_function(format!("{name}_on_cpu"), |b| {
                b.iter_custom(|iters| {
                    let start = thread_cpu_ns().unwrap_or(0);
                    for _ in 0..iters {
                        std::hint::black_box(run());
                    }
                    std::time::Duration::from_nanos(thread_cpu_ns().unwrap_or(0) - start)
                })
            });
        }
    }
    group.finish();
}

/// Nanoseconds this thread has spent on a CPU (Linux `schedstat`), so a
/// figure taken on a shared, loaded machine is not inflated by the time the
/// scheduler gave to others (as in crates/feeds/benches). `None` off Linux.
fn thread_cpu_ns() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    text.split_whitespace().next()?.parse().ok()
}

/// The night-wave scenario's true incidents as `model::Incident`s, zones from the pact.
fn night_wave(pact: &CompiledPact) -> Vec<Incident> {
    let path = root().join("scenarios/night-wave.toml");
    let scenario = sim::Scenario::load(&path).expect("night-wave scenario");
    let base = path.parent().unwrap();
    let geography = sim::geography::Geography::load(&scenario.geography, base).expect("geography");
    let objects = sim::truth::build_objects(&scenario, &geography, scenario.seed);
    let events = sim::events::true_events(&scenario, &geography, &objects);
    events
        .iter()
        .enumerate()
        .map(|(i, e)| {
            let mut inc = blank(format!("t{i}"), e.kind, e.time);
            inc.origin = e.origin.clone();
            inc.infrastructure = e.infrastructure.clone();
            inc.position = e.position.as_ref().map(|p| Geodetic {
                lat_deg: p.lat_deg,
                lon_deg: p.lon_deg,
                alt_m: p.alt_m,
            });
            if let Some(p) = &e.position {
                let point = Point::new(p.lon_deg, p.lat_deg);
                inc.zones = pact
                    .zones
                    .iter()
                    .filter(|z| z.area.intersects(&point))
                    .map(|z| z.id.clone())
                    .collect();
            }
            for (k, v) in &e.fields {
                let value = match v {
                    serde_json::Value::Bool(b) => FieldValue::Bool(*b),
                    serde_json::Value::Number(n) if n.is_i64() => {
                        FieldValue::Int(n.as_i64().unwrap_or(0))
                    }
                    serde_json::Value::Number(n) => FieldValue::Float(n.as_f64().unwrap_or(0.0)),
                    serde_json::Value::String(s) if k == "class" => FieldValue::Text(
                        if s.contains("missile") {
                            "missile"
                        } else {
                            "drone"
                        }
                        .to_owned(),
                    ),
                    serde_json::Value::String(s) => FieldValue::Text(s.clone()),
                    _ => continue,
                };
                inc.fields.insert(k.clone(), value);
            }
            inc
        })
        .collect()
}

fn latency(c: &mut Criterion) {
    let pacts = root().join("pacts");
    let pact = load_pact(&pacts, "ukraine-shield.toml", |t| t);
    let incidents = night_wave(&pact);
    let config = Config {
        effective_override: Some(incidents[0].time - Duration::from_days(365)),
        ..Config::default()
    };
    // Percentiles over several whole replays, one incident at a time as on a live stream.
    let mut samples_us: Vec<f64> = Vec::new();
    for _ in 0..20 {
        let mut engine = Engine::new(pact.clone(), config.clone());
        for inc in &incidents {
            let t0 = Instant::now();
            let records = engine.process(std::slice::from_ref(inc));
            let dt = t0.elapsed();
            if records.iter().any(|r| matches!(r, Record::Activation(_))) {
                samples_us.push(dt.as_secs_f64() * 1e6);
            }
        }
    }
    samples_us.sort_by(f64::total_cmp);
    let pct = |p: f64| samples_us[((samples_us.len() - 1) as f64 * p) as usize];
    eprintln!(
        "latency/night_wave: {} incidents, {} activation samples; completing incident to activation: p50 {:.1} µs, p99 {:.1} µs, max {:.1} µs",
        incidents.len(),
        samples_us.len(),
        pct(0.5),
        pct(0.99),
        samples_us.last().copied().unwrap_or(0.0)
    );
    let mut group = c.benchmark_group("latency");
    group.sample_size(10);
    group.throughput(Throughput::Elements(incidents.len() as u64));
    group.bench_function("night_wave", |b| {
        b.iter(|| {
            let mut engine = Engine::new(pact.clone(), config.clone());
            incidents
                .iter()
                .map(|inc| engine.process(std::slice::from_ref(inc)).len())
                .sum::<usize>()
        });
    });
    group.finish();
}

criterion_group!(benches, indicators, latency);
criterion_main!(benches);
