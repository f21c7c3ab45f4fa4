//! `guarantor bench <stage>`: measured throughput and latency of a stage on
//! generated input, printed. Timing lives here, not in the stage (stages
//! never read the clock).

use std::process::ExitCode;
use std::time::Instant;

use anyhow::{Context, Result};
use fusion::plane::{PlaneTracker, TrackerConfig};
use fusion::scenario::{ScenarioConfig, generate, track_scans};
use model::Time;

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    stage: Stage,
}

#[derive(Debug, clap::Subcommand)]
enum Stage {
    /// The tracker on a generated 2-D scenario (Stone Soup harness shape): scan time
    /// percentiles, detections per second, peak memory, GOSPA against the truth.
    Fusion {
        /// Targets at the start.
        #[arg(long, default_value_t = 10_000)]
        targets: usize,
        /// Mean clutter detections per scan.
        #[arg(long, default_value_t = 1_000.0)]
        clutter: f64,
        /// Scans (one a second).
        #[arg(long, default_value_t = 100)]
        scans: usize,
        /// Worker threads.
        #[arg(long, default_value_t = 2)]
        threads: usize,
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
    /// The whole loop streamed over the bundled night-wave: observation → fusion →
    /// attribution → triggers, one 5-s event-time snapshot at a time. Prints, in
    /// processing time, how long after the ingest of the observation that closed the
    /// snapshot each incident and each activation was emitted (bar: p99 < 100 ms).
    /// The bundled pact activates a rung a handful of times a night; every decision
    /// on a completed indicator (met, activation, recurrence, escalation) goes down
    /// the same path and is sampled too, and `--stand-down-mins` makes activations
    /// stand down sooner so that more of them are real activations.
    Trigger {
        /// Hours of the night to run (0: all 12).
        #[arg(long, default_value_t = 0)]
        hours: i64,
        /// Stand an activation down after this many minutes without its trigger
        /// (0: the engine's default, twice the escalation delay or 24 h).
        #[arg(long, default_value_t = 0)]
        stand_down_mins: i64,
        /// Nights to run: the scenario's own seed, then 1, 2, ...; the samples of
        /// every night are pooled, so activations reach the 100 a p99 needs.
        #[arg(long, default_value_t = 1)]
        seeds: u64,
    },
}

pub fn run(args: &Args) -> Result<ExitCode> {
    match args.stage {
        Stage::Fusion {
            targets,
            clutter,
            scans,
            threads,
            seed,
        } => fusion(targets, clutter, scans, threads, seed),
        Stage::Trigger {
            hours,
            stand_down_mins,
            seeds,
        } => trigger(hours, stand_down_mins, seeds),
    }
}

fn fusion(
    targets: usize,
    clutter: f64,
    scans: usize,
    threads: usize,
    seed: u64,
) -> Result<ExitCode> {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build_global()
        .context("--threads")?;
    let scenario = ScenarioConfig {
        targets,
        clutter_per_scan: clutter,
        steps: scans,
        seed,
        ..Default::default()
    };
    println!(
        "seed {seed}: {targets} targets, clutter {clutter}/scan, {scans} scans, {threads} threads"
    );
    let data = generate(&scenario);
    let mut tracker = PlaneTracker::new(TrackerConfig::default());
    let mut scan_ms = Vec::with_capacity(scans);
    let mut tracked = 0.0;
    let totals = track_scans(&scenario, &data, &mut tracker, |step| {
        let t0 = Instant::now();
        step();
        let dt = t0.elapsed().as_secs_f64();
        tracked += dt;
        scan_ms.push(dt * 1e3);
    });
    let n_det = totals.detections;
    let mut sorted = scan_ms.clone();
    sorted.sort_by(f64::total_cmp);
    let pct = |p: f64| sorted[((sorted.len() as f64 - 1.0) * p).round() as usize];
    println!("detections          {n_det}");
    println!("tracking time       {tracked:.3} s");
    println!("detections/s        {:.0}", n_det as f64 / tracked);
    println!(
        "scan ms p50/p99/max {:.2} / {:.2} / {:.2}",
        pct(0.5),
        pct(0.99),
        pct(1.0)
    );
    println!("live tracks at end  {}", tracker.tracks().len());
    println!(
        "mean GOSPA          {:.1} (c 100 m, p 1)",
        totals.gospa_mean
    );
    println!(
        "peak memory (VmHWM) {}",
        peak_memory().unwrap_or_else(|| "unknown".into())
    );
    Ok(ExitCode::SUCCESS)
}

/// The streamed loop; see `Stage::Trigger`. Setting up (sim, decoding) is not timed.
/// Latencies of one night, milliseconds of processing time.
#[derive(Default)]
struct NightLatency {
    incident_ms: Vec<f64>,
    activation_ms: Vec<f64>,
    decision_ms: Vec<f64>,
}

fn trigger(hours: i64, stand_down_mins: i64, seeds: u64) -> Result<ExitCode> {
    let mut all = NightLatency::default();
    for k in 0..seeds.max(1) {
        let night = trigger_night(hours, stand_down_mins, (k > 0).then_some(k))?;
        all.incident_ms.extend(night.incident_ms);
        all.activation_ms.extend(night.activation_ms);
        all.decision_ms.extend(night.decision_ms);
    }
    let show = |name: &str, v: &mut Vec<f64>| {
        if v.is_empty() {
            println!("{name:<12} no samples");
            return;
        }
        v.sort_by(f64::total_cmp);
        let pct = |p: f64| v[((v.len() as f64 - 1.0) * p).round() as usize];
        println!(
            "{name:<12} n={:<5} p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
            v.len(),
            pct(0.5),
            pct(0.99),
            pct(1.0)
        );
    };
    if seeds > 1 {
        println!("all {seeds} nights pooled:");
    }
    show("incident", &mut all.incident_ms);
    show("activation", &mut all.activation_ms);
    show("decision", &mut all.decision_ms);
    let p99 =
        |v: &Vec<f64>| (!v.is_empty()).then(|| v[((v.len() as f64 - 1.0) * 0.99).round() as usize]);
    for (name, v) in [
        ("activation", &all.activation_ms),
        ("decision", &all.decision_ms),
    ] {
        println!(
            "bar ({name} p99 < 100 ms, n={}): {}",
            v.len(),
            match p99(v) {
                Some(p) if v.len() < 100 => {
                    if p < 100.0 {
                        "met, but on fewer than 100 samples (--seeds pools more nights)"
                    } else {
                        "NOT met"
                    }
                }
                Some(p) if p < 100.0 => "met",
                Some(_) => "NOT met",
                None => "not measured (none in the stream)",
            }
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// One night of the bundled scenario (with `seed`, else its own) streamed through the
/// loop; prints its own counts and returns its latencies.
fn trigger_night(hours: i64, stand_down_mins: i64, seed: Option<u64>) -> Result<NightLatency> {
    use std::collections::BTreeMap;

    use super::chain;
    use model::{Duration, TrackId};

    let scratch = std::env::temp_dir().join(format!("guarantor-bench-{}", std::process::id()));
    let (path, mut scenario) = super::pipeline::bundled_night(&scratch)?;
    if hours > 0 {
        scenario.duration = Duration::from_hours(hours).min(scenario.duration);
    }
    if let Some(seed) = seed {
        scenario.seed = seed;
    }
    let pact = super::demo::bundled_pact()?;
    let base = path.parent().unwrap_or(std::path::Path::new("."));
    let work = scratch.join("feeds");
    let manifest = sim::run(&scenario, base, &work, scenario.seed)?;
    let decoded = chain::decode(&manifest, &work);
    let _ = std::fs::remove_dir_all(&scratch);
    let chain::Decoded {
        mut observations,
        stix,
        ..
    } = decoded?;
    observations.sort_by_key(|o| o.time);
    let mut stix = stix;
    stix.sort_by_key(|i| i.time().unwrap_or(Time::UNIX_EPOCH));
    let mut stix = stix.into_iter().peekable();
    let (geography, _) = attribution::Geography::new(&pact, super::pipeline::BORDERS);
    let mut picture = fusion::Picture::new(chain::picture_config(&manifest.sensors, &observations));
    let mut attributor =
        attribution::Attributor::new(chain::attribution_config(&scenario, &manifest), geography);
    let mut engine = triggers::Engine::new(
        pact.clone(),
        triggers::Config {
            effective_override: Some(scenario.start - Duration::from_days(365)),
            stand_down_after: (stand_down_mins > 0).then(|| Duration::from_mins(stand_down_mins)),
            ..triggers::Config::default()
        },
    );
    println!(
        "night-wave, {:.1} h, seed {}: {} observations streamed; latency from the ingest of the \
         observation that closed a 5 s snapshot to the emission (processing time)",
        scenario.duration.as_secs_f64() / 3600.0,
        scenario.seed,
        observations.len()
    );
    let mut pushed: BTreeMap<TrackId, Time> = BTreeMap::new();
    let (mut incident_ms, mut activation_ms, mut decision_ms) =
        (Vec::new(), Vec::new(), Vec::new());
    let mut n_incidents = 0usize;
    let mut bucket = None;
    let mut closing = Instant::now();
    let started = Instant::now();
    let mut close = |picture: &fusion::Picture,
                     closing: Instant,
                     attributor: &mut attribution::Attributor,
                     engine: &mut triggers::Engine| {
        let mut tracks = picture.tracks();
        tracks.retain(|t| pushed.get(&t.id).is_none_or(|p| t.time > *p));
        tracks.sort_by_key(|t| (t.time, t.id));
        let until = tracks.last().map(|t| t.time);
        while let Some(i) =
            stix.next_if(|i| until.is_some_and(|u| i.time().is_some_and(|t| t <= u)))
        {
            attributor.push(i);
        }
        for t in tracks {
            pushed.insert(t.id, t.time);
            attributor.push(attribution::Input::Track(t));
        }
        let incidents = attributor.take_incidents();
        if incidents.is_empty() {
            return;
        }
        let at = closing.elapsed().as_secs_f64() * 1e3;
        incident_ms.extend(std::iter::repeat_n(at, incidents.len()));
        n_incidents += incidents.len();
        let records = engine.process(&incidents);
        let at = closing.elapsed().as_secs_f64() * 1e3;
        let n = records
            .iter()
            .filter(|r| matches!(r, triggers::Record::Activation(_)))
            .count();
        activation_ms.extend(std::iter::repeat_n(at, n));
        // Every record that says an indicator completed: met, activation, a recurrence
        // on an open activation, an escalation, a decision pending (consultation texts).
        let decisions = records
            .iter()
            .filter(|r| match r {
                triggers::Record::Activation(_) | triggers::Record::IndicatorMet(_) => true,
                triggers::Record::Change(c) => matches!(
                    c.kind,
                    triggers::ChangeKind::Recurred { .. }
                        | triggers::ChangeKind::Escalated { .. }
                        | triggers::ChangeKind::DecisionPending { .. }
                ),
                _ => false,
            })
            .count();
        decision_ms.extend(std::iter::repeat_n(at, decisions));
    };
    for o in observations {
        let b = o.time.unix_us.div_euclid(5_000_000);
        if bucket.is_some_and(|l| l != b) {
            close(&picture, closing, &mut attributor, &mut engine);
        }
        bucket = Some(b);
        closing = Instant::now();
        picture.ingest(o);
    }
    picture.finish();
    close(&picture, closing, &mut attributor, &mut engine);
    let total = started.elapsed().as_secs_f64();
    attributor.finish();
    println!(
        "streamed in {total:.1} s; {n_incidents} incidents (+{} at the end), {} activations; attribution: {:?}",
        attributor.take_incidents().len(),
        activation_ms.len(),
        attributor.stats()
    );
    Ok(NightLatency {
        incident_ms,
        activation_ms,
        decision_ms,
    })
}

/// Peak resident memory of this process, from Linux's /proc.
fn peak_memory() -> Option<String> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .map(|l| l[6..].trim().to_owned())
}
