//! The loop of `guarantor bench fusion` without the CLI, for profiling the
//! tracker alone (`valgrind --tool=callgrind`) and for measuring it when the
//! rest of the workspace is mid-change. Arguments: targets clutter scans threads.

use std::time::Instant;

use fusion::plane::{PlaneTracker, TrackerConfig};
use fusion::scenario::{ScenarioConfig, generate, track_scans};

fn main() {
    let args: Vec<f64> = std::env::args()
        .skip(1)
        .map(|a| a.parse().expect("numeric argument"))
        .collect();
    let arg = |i: usize, default: f64| args.get(i).copied().unwrap_or(default);
    let (targets, clutter, scans, threads) = (
        arg(0, 10_000.0) as usize,
        arg(1, 1_000.0),
        arg(2, 60.0) as usize,
        arg(3, 2.0) as usize,
    );
    // The loop runs inside the pool so that, under callgrind, the tracker's
    // work is on one thread's stack (`--toggle-collect=*PlaneTracker::step*`).
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .expect("thread pool");
    pool.install(|| run(targets, clutter, scans));
}

fn run(targets: usize, clutter: f64, scans: usize) {
    let scenario = ScenarioConfig {
        targets,
        clutter_per_scan: clutter,
        steps: scans,
        ..Default::default()
    };
    let data = generate(&scenario);
    let mut tracker = PlaneTracker::new(TrackerConfig::default());
    let mut tracked = 0.0;
    let mut scan_ms = Vec::new();
    let mut cpu_ns = 0u64;
    let totals = track_scans(&scenario, &data, &mut tracker, |step| {
        let (t0, c0) = (Instant::now(), cpu_time_ns());
        step();
        let dt = t0.elapsed().as_secs_f64();
        cpu_ns += cpu_time_ns() - c0;
        tracked += dt;
        scan_ms.push(dt * 1e3);
    });
    let n_det = totals.detections;
    scan_ms.sort_by(f64::total_cmp);
    let pct = |p: f64| scan_ms[((scan_ms.len() as f64 - 1.0) * p).round() as usize];
    println!(
        "det/s {:.0}  (per CPU-s {:.0})  p50 {:.2} p99 {:.2} max {:.2} ms  tracks {}  GOSPA {:.1}",
        n_det as f64 / tracked,
        n_det as f64 / (cpu_ns as f64 * 1e-9),
        pct(0.5),
        pct(0.99),
        pct(1.0),
        tracker.tracks().len(),
        totals.gospa_mean
    );
}

/// CPU time of every thread of this process so far (Linux schedstat), so
/// that figures taken while others load the machine can be compared.
fn cpu_time_ns() -> u64 {
    let Ok(tasks) = std::fs::read_dir("/proc/self/task") else {
        return 0;
    };
    tasks
        .filter_map(|t| std::fs::read_to_string(t.ok()?.path().join("schedstat")).ok())
        .filter_map(|s| s.split_whitespace().next()?.parse::<u64>().ok())
        .sum()
}
