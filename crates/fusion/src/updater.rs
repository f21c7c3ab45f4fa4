//! Updater role: correct a predicted filter with a plot.

use crate::state::{Filter, Gaussian, Height, ImmModes, Mat2, Plot, Vec2};
use nalgebra::SMatrix;

type Mat42 = SMatrix<f64, 4, 2>;

/// Updates a predicted filter with one plot.
pub trait Updater: Send + Sync + std::fmt::Debug {
    fn update(&self, prior: &Filter, plot: &Plot) -> Filter;
}

/// The Kalman update for a position measurement (each IMM mode when there are
/// modes); partner system tracks by covariance intersection so that their
/// estimates, already filtered and correlated with what we fused before, are
/// not counted twice.
#[derive(Debug, Clone, Copy, Default)]
pub struct KalmanPosition;

impl Updater for KalmanPosition {
    fn update(&self, prior: &Filter, plot: &Plot) -> Filter {
        let height = update_height(prior.height, plot);
        if plot.system_track {
            return Filter {
                est: covariance_intersection(&prior.est, plot),
                imm: None,
                height,
            };
        }
        let Some(imm) = prior.imm else {
            return Filter {
                est: with_velocity(kalman(&prior.est, &plot.z, &plot.r).0, plot),
                imm: None,
                height,
            };
        };
        let mut modes = imm.modes;
        let mut mu = [0.0; 3];
        for (j, mode) in modes.iter_mut().enumerate() {
            let (post, likelihood) = kalman(mode, &plot.z, &plot.r);
            *mode = with_velocity(post, plot);
            mu[j] = imm.mu[j] * likelihood;
        }
        let total: f64 = mu.iter().sum();
        if !(total.is_finite() && total > 0.0) {
            mu = imm.mu;
        } else {
            mu.iter_mut().for_each(|m| *m /= total);
        }
        let est = crate::predictor::mix(&modes, &mu);
        Filter {
            est,
            imm: Some(ImmModes { modes, mu }),
            height,
        }
    }
}

/// P Hᵀ: the x and y columns of P.
fn pht(cov: &crate::state::Mat4) -> Mat42 {
    Mat42::from_columns(&[cov.column(0).into_owned(), cov.column(2).into_owned()])
}

/// Innovation and its covariance for a plot against a Gaussian.
pub fn innovation(est: &Gaussian, z: &Vec2, r: &Mat2) -> (Vec2, Mat2) {
    (z - est.position(), est.position_cov() + r)
}

/// The Kalman update; returns the posterior and the measurement likelihood.
/// H selects x and y, so K = P Hᵀ S⁻¹ is two columns of P times S⁻¹.
///
/// Written out rather than with matrix products: S is 2x2 (inverse in closed
/// form) and K Hᵀ P touches only two columns, so this is a few dozen
/// multiply-adds; it runs for every updated track (every IMM mode) each scan.
pub fn kalman(prior: &Gaussian, z: &Vec2, r: &Mat2) -> (Gaussian, f64) {
    let (nu, s) = innovation(prior, z, r);
    let det_s = s[(0, 0)] * s[(1, 1)] - s[(0, 1)] * s[(1, 0)];
    if !(det_s.is_finite() && det_s != 0.0) {
        return (*prior, 0.0);
    }
    let s_inv = Mat2::new(s[(1, 1)], -s[(0, 1)], -s[(1, 0)], s[(0, 0)]) / det_s;
    let p = &prior.cov;
    // K = P Hᵀ S⁻¹, row by row; P Hᵀ is columns 0 and 2 of P.
    let mut k = Mat42::zeros();
    for i in 0..4 {
        let (a, b) = (p[(i, 0)], p[(i, 2)]);
        k[(i, 0)] = a * s_inv[(0, 0)] + b * s_inv[(1, 0)];
        k[(i, 1)] = a * s_inv[(0, 1)] + b * s_inv[(1, 1)];
    }
    let mut mean = prior.mean;
    let mut cov = *p;
    for i in 0..4 {
        mean[i] += k[(i, 0)] * nu.x + k[(i, 1)] * nu.y;
        for j in 0..4 {
            cov[(i, j)] -= k[(i, 0)] * p[(j, 0)] + k[(i, 1)] * p[(j, 2)];
        }
    }
    let cov = 0.5 * (cov + cov.transpose());
    let sv = s_inv * nu;
    let d2 = nu.x * sv.x + nu.y * sv.y;
    let likelihood = (-0.5 * d2).exp() / (std::f64::consts::TAU * det_s.sqrt());
    (Gaussian { mean, cov }, likelihood)
}

/// The update by a reported velocity (ADS-B, AIS, CoT), when the plot has one:
/// the same Kalman update as for a position, on the state with position and
/// velocity swapped.
fn with_velocity(est: Gaussian, plot: &Plot) -> Gaussian {
    let Some((v, sigma)) = plot.velocity else {
        return est;
    };
    let swap = |g: &Gaussian| {
        let p = crate::state::Mat4::new(
            0.0, 1.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 1.0, 0.0,
        );
        Gaussian {
            mean: p * g.mean,
            cov: p * g.cov * p.transpose(),
        }
    };
    let r = Mat2::identity() * (sigma * sigma);
    swap(&kalman(&swap(&est), &v, &r).0)
}

/// Covariance intersection of our estimate with a partner's position: the
/// weight minimising the posterior position trace over a few candidates.
fn covariance_intersection(prior: &Gaussian, plot: &Plot) -> Gaussian {
    let mut best: Option<(f64, Gaussian)> = None;
    for omega in [0.1, 0.3, 0.5, 0.7, 0.9] {
        let scaled = Gaussian {
            mean: prior.mean,
            cov: prior.cov / omega,
        };
        let (post, _) = kalman(&scaled, &plot.z, &(plot.r / (1.0 - omega)));
        let trace = post.position_cov().trace();
        if best.as_ref().is_none_or(|(t, _)| trace < *t) {
            best = Some((trace, post));
        }
    }
    best.map_or(*prior, |(_, g)| g)
}

fn update_height(prior: Option<Height>, plot: &Plot) -> Option<Height> {
    let Some(z) = plot.height_m else { return prior };
    let r = plot.height_sigma_m * plot.height_sigma_m;
    let Some(h) = prior else {
        return Some(crate::predictor::height_from(z, plot.height_sigma_m, 50.0));
    };
    let s = h.cov[(0, 0)] + r;
    if s <= 0.0 {
        return Some(h);
    }
    let k = Vec2::new(h.cov[(0, 0)] / s, h.cov[(1, 0)] / s);
    let nu = z - h.mean[0];
    let cov = h.cov - k * h.cov.row(0);
    Some(Height {
        mean: h.mean + k * nu,
        cov: 0.5 * (cov + cov.transpose()),
    })
}

/// The probabilistic data association update: `weighted` holds each gated
/// plot with its association probability, `beta0` the probability that none
/// is the target's. Uses the first plot's noise for the gain (plots of one
/// scan come from one sensor). Bar-Shalom & Li, "Multitarget-Multisensor
/// Tracking", eq. 6.2.1.
pub fn pda_update(prior: &Filter, weighted: &[(Plot, f64)], beta0: f64) -> Filter {
    let Some((first, _)) = weighted.first() else {
        return *prior;
    };
    let est = &prior.est;
    let (_, s) = innovation(est, &first.z, &first.r);
    let Some(s_inv) = s.try_inverse() else {
        return *prior;
    };
    let pht = pht(&est.cov);
    let k = pht * s_inv;
    let mut nu = Vec2::zeros();
    let mut spread = Mat2::zeros();
    for (plot, beta) in weighted {
        let nu_j = plot.z - est.position();
        nu += nu_j * *beta;
        spread += nu_j * nu_j.transpose() * *beta;
    }
    spread -= nu * nu.transpose();
    let pc = est.cov - k * s * k.transpose();
    let cov = est.cov * beta0 + pc * (1.0 - beta0) + k * spread * k.transpose();
    let cov = 0.5 * (cov + cov.transpose());
    Filter {
        est: Gaussian {
            mean: est.mean + k * nu,
            cov,
        },
        imm: None,
        height: prior.height,
    }
}
