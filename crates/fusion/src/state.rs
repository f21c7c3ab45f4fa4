//! The tracker's own state types: Gaussian estimates in a plane, plots, tracks.
//!
//! The horizontal state is `[x, vx, y, vy]` (metres, m/s, east and north in a
//! tangent plane), Stone Soup's ordering, in fixed-size `nalgebra` types so the
//! hot loop never touches the heap. Height, when a sensor gives one, is a
//! separate two-state filter: horizontal and vertical motion are nearly
//! independent for the targets we track, and the 4-state hot path stays small.

use crate::classify::ClassVotes;
use model::{Identity, Time, TrackClass};
use nalgebra::{SMatrix, SVector};

pub type Vec2 = SVector<f64, 2>;
pub type Mat2 = SMatrix<f64, 2, 2>;
pub type Vec4 = SVector<f64, 4>;
pub type Mat4 = SMatrix<f64, 4, 4>;

/// A Gaussian estimate of `[x, vx, y, vy]`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Gaussian {
    pub mean: Vec4,
    pub cov: Mat4,
}

impl Gaussian {
    pub fn position(&self) -> Vec2 {
        Vec2::new(self.mean[0], self.mean[2])
    }

    pub fn velocity(&self) -> Vec2 {
        Vec2::new(self.mean[1], self.mean[3])
    }

    /// The 2x2 position block of the covariance.
    pub fn position_cov(&self) -> Mat2 {
        Mat2::new(
            self.cov[(0, 0)],
            self.cov[(0, 2)],
            self.cov[(2, 0)],
            self.cov[(2, 2)],
        )
    }
}

/// Modes of an interacting multiple model filter: one estimate per motion
/// model and the probability of each.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ImmModes {
    pub modes: [Gaussian; 3],
    pub mu: [f64; 3],
}

/// Height and vertical rate, metres and m/s, with covariance.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Height {
    pub mean: Vec2,
    pub cov: Mat2,
}

/// A filter state: the combined estimate and, for an IMM, its modes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Filter {
    pub est: Gaussian,
    pub imm: Option<ImmModes>,
    pub height: Option<Height>,
}

/// One measurement, converted into a plane: a position with its covariance.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Plot {
    pub z: Vec2,
    pub r: Mat2,
    /// Seconds from the scan's time to this plot's own time (zero or negative).
    pub dt_s: f64,
    pub height_m: Option<f64>,
    pub height_sigma_m: f64,
    /// Index of the sensor in the configuration.
    pub sensor: u16,
    /// Non-zero for a cooperative identity (ICAO, MMSI, CoT uid, partner
    /// system track): plots with a key go only to tracks with no key or the same key.
    pub identity_key: u64,
    /// A partner's system track: fused by covariance intersection (no double counting).
    pub system_track: bool,
    /// Index of the source observation in the caller's batch, for identity.
    pub source_idx: u32,
    /// False for a plot lent by a neighbouring sector near its edge: it may
    /// update a track here but never starts one (its home sector does).
    pub home: bool,
    /// A velocity the report gave (ADS-B, AIS, CoT), in this plane's axes, and
    /// its sigma per axis, m/s.
    pub velocity: Option<(Vec2, f64)>,
}

impl Plot {
    /// A plot at the scan's time with isotropic noise; the harness's plots.
    pub fn position(x_m: f64, y_m: f64, sigma_m: f64, sensor: u16) -> Plot {
        Plot {
            z: Vec2::new(x_m, y_m),
            r: Mat2::identity() * (sigma_m * sigma_m),
            dt_s: 0.0,
            height_m: None,
            height_sigma_m: 0.0,
            sensor,
            identity_key: 0,
            system_track: false,
            source_idx: u32::MAX,
            home: true,
            velocity: None,
        }
    }
}

/// A track as the tracker holds it (tentative or confirmed).
#[derive(Debug, Clone, PartialEq)]
pub struct TrackState {
    /// Zero until confirmed; then the published track number.
    pub id: u64,
    pub time: Time,
    pub filter: Filter,
    /// Process noise spectral density, m²/s³ (set by class).
    pub q: f64,
    /// Hit (1) or miss (0) per scan that could have seen it, newest in bit 0.
    pub history: u32,
    pub n_updates: u32,
    pub misses_in_row: u32,
    /// Scans since the track was born (tentatives use it for M-of-N).
    pub age_scans: u32,
    pub identity_key: u64,
    pub identity: Identity,
    pub class: TrackClass,
    pub class_confidence: f64,
    /// The classes its updates' kinematics suggested, fading.
    pub class_votes: ClassVotes,
    pub sensors: Vec<u16>,
    /// Event time of the last update by a plot.
    pub last_update: Time,
}

impl TrackState {
    pub fn quality(&self) -> f64 {
        let hits = f64::from((self.history & 0xff).count_ones()) / 8.0;
        let sigma = self.filter.est.position_cov().trace().max(0.0).sqrt();
        hits * (-sigma / 1000.0).exp()
    }

    pub fn note_sensor(&mut self, sensor: u16) {
        if !self.sensors.contains(&sensor) && self.sensors.len() < crate::limits::TRACK_SENSORS_MAX
        {
            self.sensors.push(sensor);
            self.sensors.sort_unstable();
        }
    }
}

/// The nearly-constant-velocity transition for `dt_s` (both axes).
pub fn cv_transition(dt_s: f64) -> Mat4 {
    let mut f = Mat4::identity();
    f[(0, 1)] = dt_s;
    f[(2, 3)] = dt_s;
    f
}

/// A coordinated turn at a known rate `omega` (rad/s): linear in the state.
pub fn ct_transition(dt_s: f64, omega: f64) -> Mat4 {
    if omega.abs() < 1e-9 {
        return cv_transition(dt_s);
    }
    let (s, c) = (omega * dt_s).sin_cos();
    Mat4::new(
        1.0,
        s / omega,
        0.0,
        -(1.0 - c) / omega,
        0.0,
        c,
        0.0,
        -s,
        0.0,
        (1.0 - c) / omega,
        1.0,
        s / omega,
        0.0,
        s,
        0.0,
        c,
    )
}

/// Process noise of the continuous white-noise acceleration model, `q` in m²/s³.
pub fn cv_process_noise(dt_s: f64, q: f64) -> Mat4 {
    let dt = dt_s.abs();
    let (a, b, c) = (dt * dt * dt / 3.0 * q, dt * dt / 2.0 * q, dt * q);
    Mat4::new(
        a, b, 0.0, 0.0, b, c, 0.0, 0.0, 0.0, 0.0, a, b, 0.0, 0.0, b, c,
    )
}

/// Largest eigenvalue of a symmetric 2x2 matrix (closed form).
pub fn max_eigenvalue(m: &Mat2) -> f64 {
    let (a, b, d) = (m[(0, 0)], m[(0, 1)], m[(1, 1)]);
    let half_trace = 0.5 * (a + d);
    let disc = (0.25 * (a - d) * (a - d) + b * b).sqrt();
    half_trace + disc
}
