//! Initiator role: turn plots no track took into tentative tracks, and
//! tentative tracks into confirmed ones (or drop them).

use model::{Identity, Time, TrackClass};

use crate::classify::ClassVotes;
use crate::state::{Filter, Gaussian, Mat4, Plot, TrackState, Vec4};

/// Decides about tentative tracks after their association, then starts new
/// ones from the plots still unused. Confirmed tracks are moved to `confirmed`
/// in tentative order (so track numbers follow the input, not the threads).
pub trait Initiator: Send + Sync + std::fmt::Debug {
    fn initiate(
        &self,
        tentatives: &mut Vec<TrackState>,
        unused: &[Plot],
        time: Time,
        confirmed: &mut Vec<TrackState>,
    );
}

/// M hits out of the last N scans confirm; a tentative that can no longer
/// reach M is dropped. A new tentative starts at the plot with zero velocity
/// and a wide velocity prior (Stone Soup's `MultiMeasurementInitiator` does
/// the same with 3 hits; M=3 of N=4 is the closest sliding-window form).
#[derive(Debug, Clone, Copy)]
pub struct MOfN {
    pub m: u32,
    pub n: u32,
    pub velocity_sigma_mps: f64,
    /// Process noise of new tracks, m²/s³, until classification says otherwise.
    pub q: f64,
    /// A tentative no plot has updated for this long is dropped, seconds: it
    /// bounds tentatives that no scan looks at any more (see
    /// [`crate::plane::Coverage`]), which the M-of-N window alone never ends.
    pub coast_max_s: f64,
    /// `Some(k)`: Stone Soup's rule instead of the window — `m` hits in all
    /// (the first plot counts) confirm, `k` misses in a row drop. Its
    /// `MultiMeasurementInitiator` (`min_points` 3) with an
    /// `UpdateTimeStepsDeleter` (2 steps) keeps a tentative hit at scans 0, 2
    /// and 4 and confirms it at 4; 3 of the last 4 drops it at 3.
    pub misses_max: Option<u32>,
}

impl Default for MOfN {
    fn default() -> Self {
        MOfN {
            m: 3,
            n: 4,
            velocity_sigma_mps: 100.0,
            q: 0.5,
            coast_max_s: 300.0,
            misses_max: None,
        }
    }
}

impl MOfN {
    fn decide(&self, t: &TrackState) -> Decision {
        if let Some(k) = self.misses_max {
            return if t.n_updates >= self.m {
                Decision::Confirm
            } else if t.misses_in_row >= k {
                Decision::Drop
            } else {
                Decision::Keep
            };
        }
        let window = if self.n >= 32 {
            u32::MAX
        } else {
            (1u32 << self.n) - 1
        };
        let hits = (t.history & window).count_ones();
        if hits >= self.m {
            return Decision::Confirm;
        }
        let remaining = (self.n - 1).saturating_sub(t.age_scans);
        if hits + remaining < self.m {
            Decision::Drop
        } else {
            Decision::Keep
        }
    }

    pub fn spawn(&self, plot: &Plot, time: Time) -> TrackState {
        let v2 = self.velocity_sigma_mps * self.velocity_sigma_mps;
        let mut cov = Mat4::zeros();
        cov[(0, 0)] = plot.r[(0, 0)];
        cov[(0, 2)] = plot.r[(0, 1)];
        cov[(2, 0)] = plot.r[(1, 0)];
        cov[(2, 2)] = plot.r[(1, 1)];
        // A report's own velocity (ADS-B, AIS, CoT) starts the track moving.
        let (v, v2) = match plot.velocity {
            Some((v, sigma)) => (v, (sigma * sigma).min(v2)),
            None => (crate::state::Vec2::zeros(), v2),
        };
        cov[(1, 1)] = v2;
        cov[(3, 3)] = v2;
        let est = Gaussian {
            mean: Vec4::new(plot.z.x, v.x, plot.z.y, v.y),
            cov,
        };
        let height = plot
            .height_m
            .map(|h| crate::predictor::height_from(h, plot.height_sigma_m, 50.0));
        TrackState {
            id: 0,
            time,
            filter: Filter {
                est,
                imm: None,
                height,
            },
            q: self.q,
            history: 1,
            n_updates: 1,
            misses_in_row: 0,
            age_scans: 0,
            identity_key: plot.identity_key,
            identity: Identity::default(),
            class: TrackClass::Unknown,
            class_confidence: 0.0,
            class_votes: ClassVotes::default(),
            sensors: vec![plot.sensor],
            last_update: time,
        }
    }
}

enum Decision {
    Confirm,
    Keep,
    Drop,
}

impl Initiator for MOfN {
    fn initiate(
        &self,
        tentatives: &mut Vec<TrackState>,
        unused: &[Plot],
        time: Time,
        confirmed: &mut Vec<TrackState>,
    ) {
        // In place: confirmed ones move out in order, dropped ones are freed,
        // the rest stay where they are.
        confirmed
            .extend(tentatives.extract_if(.., |t| matches!(self.decide(t), Decision::Confirm)));
        tentatives.retain(|t| {
            !matches!(self.decide(t), Decision::Drop)
                && time.seconds_since(t.last_update) <= self.coast_max_s
        });
        tentatives.extend(unused.iter().map(|p| self.spawn(p, time)));
    }
}
