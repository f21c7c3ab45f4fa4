//! Predictor role: carry a filter forward (or back) in time by a motion model.

use crate::state::{
    Filter, Gaussian, Height, ImmModes, Mat2, Mat4, Vec2, ct_transition, cv_process_noise,
    cv_transition,
};

/// Predicts one filter by `dt_s` seconds with process noise density `q` (m²/s³).
pub trait Predictor: Send + Sync + std::fmt::Debug {
    fn predict(&self, filter: &Filter, q: f64, dt_s: f64) -> Filter;

    /// [`Predictor::predict`] in place; the tracker predicts every track this
    /// way each scan, and a model can override it to avoid moving the whole
    /// filter (IMM modes included) through a return value.
    fn predict_in_place(&self, filter: &mut Filter, q: f64, dt_s: f64) {
        *filter = self.predict(filter, q, dt_s);
    }
}

/// Kalman prediction with the nearly-constant-velocity model.
#[derive(Debug, Clone, Copy, Default)]
pub struct KalmanCv;

impl Predictor for KalmanCv {
    fn predict(&self, filter: &Filter, q: f64, dt_s: f64) -> Filter {
        Filter {
            est: predict_cv(&filter.est, dt_s, q),
            imm: None,
            height: filter.height.map(|h| predict_height(&h, q, dt_s)),
        }
    }

    fn predict_in_place(&self, filter: &mut Filter, q: f64, dt_s: f64) {
        filter.est = predict_cv(&filter.est, dt_s, q);
        filter.imm = None;
        if let Some(h) = &mut filter.height {
            *h = predict_height(h, q, dt_s);
        }
    }
}

/// An interacting multiple model: constant velocity and coordinated turns
/// left and right at a fixed rate (linear models, so no extended filter is
/// needed); the mixing follows Bar-Shalom, Li and Kirubarajan, ch. 11.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ImmCvCt {
    /// Turn rate of the two turn models, rad/s.
    pub turn_rate_rad_s: f64,
    /// Probability of staying in a mode per second.
    pub stay_prob_per_s: f64,
    /// Initial probability of the constant-velocity mode.
    pub cv_prior: f64,
}

impl Default for ImmCvCt {
    fn default() -> Self {
        ImmCvCt {
            turn_rate_rad_s: 3f64.to_radians(),
            stay_prob_per_s: 0.95,
            cv_prior: 0.8,
        }
    }
}

impl ImmCvCt {
    fn transition(&self, mode: usize, dt_s: f64) -> Mat4 {
        match mode {
            0 => cv_transition(dt_s),
            1 => ct_transition(dt_s, self.turn_rate_rad_s),
            _ => ct_transition(dt_s, -self.turn_rate_rad_s),
        }
    }

    pub fn initial_modes(&self, est: &Gaussian) -> ImmModes {
        let side = 0.5 * (1.0 - self.cv_prior);
        ImmModes {
            modes: [*est; 3],
            mu: [self.cv_prior, side, side],
        }
    }
}

impl Predictor for ImmCvCt {
    fn predict(&self, filter: &Filter, q: f64, dt_s: f64) -> Filter {
        let imm = filter
            .imm
            .unwrap_or_else(|| self.initial_modes(&filter.est));
        let stay = self.stay_prob_per_s.powf(dt_s.abs().max(1e-3));
        let switch = 0.5 * (1.0 - stay);
        let p = |i: usize, j: usize| if i == j { stay } else { switch };
        let mut c = [0.0; 3];
        for (j, cj) in c.iter_mut().enumerate() {
            *cj = (0..3).map(|i| p(i, j) * imm.mu[i]).sum::<f64>().max(1e-300);
        }
        let qm = cv_process_noise(dt_s, q);
        let mut modes = imm.modes;
        for (j, mode) in modes.iter_mut().enumerate() {
            let w: [f64; 3] = std::array::from_fn(|i| p(i, j) * imm.mu[i] / c[j]);
            let mixed = mix(&imm.modes, &w);
            *mode = predict_linear(&mixed, &self.transition(j, dt_s), &qm);
        }
        Filter {
            est: mix(&modes, &c),
            imm: Some(ImmModes { modes, mu: c }),
            height: filter.height.map(|h| predict_height(&h, q, dt_s)),
        }
    }
}

/// The moment-matched Gaussian of a weighted mixture (weights sum to one).
pub fn mix(modes: &[Gaussian; 3], w: &[f64; 3]) -> Gaussian {
    let mean = modes
        .iter()
        .zip(w)
        .fold(crate::state::Vec4::zeros(), |m, (g, wi)| m + g.mean * *wi);
    let cov = modes.iter().zip(w).fold(Mat4::zeros(), |p, (g, wi)| {
        let d = g.mean - mean;
        p + (g.cov + d * d.transpose()) * *wi
    });
    Gaussian { mean, cov }
}

/// [`predict_linear`] with the constant-velocity transition, written out:
/// F = I + dt·E only adds a velocity row (then column) to each position
/// row (column), so F P Fᵀ is 16 multiply-adds instead of two 4x4 products.
/// This is the hot path of every track every scan.
pub fn predict_cv(g: &Gaussian, dt_s: f64, q: f64) -> Gaussian {
    let mut p = g.cov;
    for i in [0, 2] {
        for j in 0..4 {
            p[(i, j)] += dt_s * p[(i + 1, j)];
        }
    }
    for j in [0, 2] {
        for i in 0..4 {
            p[(i, j)] += dt_s * p[(i, j + 1)];
        }
    }
    let cov = p + cv_process_noise(dt_s, q);
    let mut mean = g.mean;
    mean[0] += dt_s * mean[1];
    mean[2] += dt_s * mean[3];
    Gaussian {
        mean,
        cov: 0.5 * (cov + cov.transpose()),
    }
}

pub fn predict_linear(g: &Gaussian, f: &Mat4, q: &Mat4) -> Gaussian {
    let cov = f * g.cov * f.transpose() + q;
    Gaussian {
        mean: f * g.mean,
        cov: 0.5 * (cov + cov.transpose()),
    }
}

fn predict_height(h: &Height, q: f64, dt_s: f64) -> Height {
    let f = Mat2::new(1.0, dt_s, 0.0, 1.0);
    let dt = dt_s.abs();
    let qm = Mat2::new(dt * dt * dt / 3.0, dt * dt / 2.0, dt * dt / 2.0, dt) * q;
    Height {
        mean: f * h.mean,
        cov: f * h.cov * f.transpose() + qm,
    }
}

/// A new height filter from one measured height.
pub fn height_from(height_m: f64, sigma_m: f64, vertical_sigma_mps: f64) -> Height {
    Height {
        mean: Vec2::new(height_m, 0.0),
        cov: Mat2::new(
            sigma_m * sigma_m,
            0.0,
            0.0,
            vertical_sigma_mps * vertical_sigma_mps,
        ),
    }
}
