//! `guarantor bench <stage>`: measured throughput and latency of a stage on
//! generated input, printed. Timing lives here, not in the stage (stages
//! never read the clock).

use std::process::ExitCode;
use std::time::Instant;

use anyhow::{Context, Result};
use fusion::plane::{PlaneTracker, TrackerConfig};
use fusion::scenario::{ScenarioConfig, generate};
use fusion::state::Plot;
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
    let mut next_id = 0;
    let mut scan_ms = Vec::with_capacity(scans);
    let mut n_det = 0usize;
    let mut gospa_sum = 0.0;
    let mut plots = Vec::new();
    let mut tracked = 0.0;
    for s in &data {
        plots.clear();
        plots.extend(
            s.detections
                .iter()
                .map(|d| Plot::position(d[0], d[1], scenario.meas_sigma_m, 0)),
        );
        n_det += plots.len();
        let time = Time::from_unix_us((s.time_s * 1e6).round() as i64);
        let t0 = Instant::now();
        let outcome = tracker.step(time, Some(0), &plots, &[]);
        tracker.number_new(outcome.n_confirmed, &mut next_id);
        let dt = t0.elapsed().as_secs_f64();
        tracked += dt;
        scan_ms.push(dt * 1e3);
        let truth: Vec<[f64; 2]> = s.truth.iter().map(|t| t.1).collect();
        let est: Vec<[f64; 2]> = tracker
            .tracks()
            .iter()
            .map(|t| [t.filter.est.mean[0], t.filter.est.mean[2]])
            .collect();
        gospa_sum += fusion::gospa::gospa(&truth, &est, 100.0, 1.0).distance;
    }
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
        gospa_sum / data.len() as f64
    );
    println!(
        "peak memory (VmHWM) {}",
        peak_memory().unwrap_or_else(|| "unknown".into())
    );
    Ok(ExitCode::SUCCESS)
}

/// Peak resident memory of this process, from Linux's /proc.
fn peak_memory() -> Option<String> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .map(|l| l[6..].trim().to_owned())
}
