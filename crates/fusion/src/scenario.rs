//! A seeded 2-D scenario in the shape of the Stone Soup harness's `gen`: for
//! tests and benchmarks of this crate, which cannot depend on `sim` (the
//! simulator is not used by the engine) and must not need Python to run.
//!
//! Targets start uniform over a square of side max(20 km, 5 km·√N), move with
//! nearly constant velocity (q m²/s³), are seen with probability `pd` and
//! noise σ; clutter is Poisson, uniform over the square; targets die with a
//! per-step probability and are born at the same mean rate.

use model::Time;
use rand::{Rng, SeedableRng};
use rand_pcg::Pcg64;

use crate::plane::PlaneTracker;
use crate::state::Plot;

#[derive(Debug, Clone, Copy)]
pub struct ScenarioConfig {
    pub targets: usize,
    pub clutter_per_scan: f64,
    pub steps: usize,
    pub dt_s: f64,
    pub pd: f64,
    pub meas_sigma_m: f64,
    pub q: f64,
    pub speed_sigma_mps: f64,
    pub death_prob: f64,
    pub seed: u64,
}

impl Default for ScenarioConfig {
    fn default() -> Self {
        ScenarioConfig {
            targets: 50,
            clutter_per_scan: 10.0,
            steps: 100,
            dt_s: 1.0,
            pd: 0.9,
            meas_sigma_m: 50.0,
            q: 0.5,
            speed_sigma_mps: 50.0,
            death_prob: 0.002,
            seed: 1,
        }
    }
}

impl ScenarioConfig {
    pub fn side_m(&self) -> f64 {
        (5_000.0 * (self.targets.max(1) as f64).sqrt()).max(20_000.0)
    }
}

/// One scan: its time (seconds from the start), detections and the truth.
#[derive(Debug, Clone, Default)]
pub struct ScanData {
    pub time_s: f64,
    pub detections: Vec<[f64; 2]>,
    /// (truth id, x, y) of every live target.
    pub truth: Vec<(u64, [f64; 2])>,
}

/// Uniform, Gaussian and Poisson draws from one seeded generator.
#[derive(Debug)]
pub struct Noise(Pcg64);

impl Noise {
    pub fn new(seed: u64) -> Noise {
        Noise(Pcg64::seed_from_u64(seed))
    }

    pub fn uniform(&mut self) -> f64 {
        (self.0.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// Standard normal by Box–Muller.
    pub fn normal(&mut self) -> f64 {
        let u1 = self.uniform().max(f64::MIN_POSITIVE);
        let u2 = self.uniform();
        (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
    }

    pub fn poisson(&mut self, lambda: f64) -> usize {
        if lambda <= 0.0 {
            return 0;
        }
        if lambda > 60.0 {
            return (lambda + lambda.sqrt() * self.normal()).round().max(0.0) as usize;
        }
        let limit = (-lambda).exp();
        let (mut k, mut p) = (0, self.uniform());
        while p > limit {
            k += 1;
            p *= self.uniform();
        }
        k
    }
}

/// Generates every scan of a scenario.
pub fn generate(c: &ScenarioConfig) -> Vec<ScanData> {
    let mut rng = Noise::new(c.seed);
    let side = c.side_m();
    let half = side / 2.0;
    let mut next_id = 0u64;
    let mut spawn = |rng: &mut Noise| {
        let s = [
            (rng.uniform() - 0.5) * side,
            rng.normal() * c.speed_sigma_mps,
            (rng.uniform() - 0.5) * side,
            rng.normal() * c.speed_sigma_mps,
        ];
        next_id += 1;
        (next_id - 1, s)
    };
    let mut live: Vec<(u64, [f64; 4])> = (0..c.targets).map(|_| spawn(&mut rng)).collect();
    let dt = c.dt_s;
    // Exact sampling of the white-noise acceleration increments (Cholesky of Q per axis).
    let (q11, q12, q22) = (dt * dt * dt / 3.0 * c.q, dt * dt / 2.0 * c.q, dt * c.q);
    let l11 = q11.sqrt();
    let l21 = q12 / l11;
    let l22 = (q22 - l21 * l21).max(0.0).sqrt();
    let mut scans = Vec::with_capacity(c.steps);
    for step in 0..c.steps {
        if step > 0 {
            live.retain(|_| rng.uniform() >= c.death_prob);
            for _ in 0..rng.poisson(c.targets as f64 * c.death_prob) {
                live.push(spawn(&mut rng));
            }
            for (_, s) in &mut live {
                for axis in [0, 2] {
                    let (a, b) = (rng.normal(), rng.normal());
                    s[axis] += s[axis + 1] * dt + l11 * a;
                    s[axis + 1] += l21 * a + l22 * b;
                }
            }
        }
        let mut scan = ScanData {
            time_s: step as f64 * dt,
            ..ScanData::default()
        };
        for (id, s) in &live {
            scan.truth.push((*id, [s[0], s[2]]));
            if rng.uniform() < c.pd {
                let (nx, ny) = (rng.normal(), rng.normal());
                let d = [s[0] + c.meas_sigma_m * nx, s[2] + c.meas_sigma_m * ny];
                if d[0].abs() <= half && d[1].abs() <= half {
                    scan.detections.push(d);
                }
            }
        }
        for _ in 0..rng.poisson(c.clutter_per_scan) {
            scan.detections
                .push([(rng.uniform() - 0.5) * side, (rng.uniform() - 0.5) * side]);
        }
        // Sorted, as the harness writes them: the order carries no truth.
        scan.detections
            .sort_by(|a, b| a[0].total_cmp(&b[0]).then(a[1].total_cmp(&b[1])));
        scans.push(scan);
    }
    scans
}

/// What [`track_scans`] fed the tracker and how well it tracked.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ScanTotals {
    pub detections: usize,
    /// GOSPA (c 100 m, p 1) of the tracks against the truth, averaged over the scans.
    pub gospa_mean: f64,
}

/// Runs `tracker` over generated scans, numbering tracks as they are
/// confirmed and scoring each scan's tracks against the truth. `step` is
/// handed each scan's tracker step to run, so that a bench can time it: the
/// tracker never reads the clock.
pub fn track_scans(
    c: &ScenarioConfig,
    data: &[ScanData],
    tracker: &mut PlaneTracker,
    mut step: impl FnMut(&mut dyn FnMut()),
) -> ScanTotals {
    let mut next_id = 0;
    let mut detections = 0;
    let mut gospa_sum = 0.0;
    let mut plots = Vec::new();
    for s in data {
        plots.clear();
        plots.extend(
            s.detections
                .iter()
                .map(|d| Plot::position(d[0], d[1], c.meas_sigma_m, 0)),
        );
        detections += plots.len();
        let time = Time::from_unix_us((s.time_s * 1e6).round() as i64);
        step(&mut || {
            let outcome = tracker.step(time, Some(0), &plots, &[]);
            tracker.number_new(outcome.n_confirmed, &mut next_id);
        });
        let truth: Vec<[f64; 2]> = s.truth.iter().map(|t| t.1).collect();
        let est: Vec<[f64; 2]> = tracker
            .tracks()
            .iter()
            .map(|t| [t.filter.est.mean[0], t.filter.est.mean[2]])
            .collect();
        gospa_sum += crate::gospa::gospa(&truth, &est, 100.0, 1.0).distance;
    }
    ScanTotals {
        detections,
        gospa_mean: gospa_sum / data.len() as f64,
    }
}
