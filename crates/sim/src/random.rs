//! The seeded random stream every part of the simulation draws from.
//!
//! One seed fans out into independent ChaCha8 streams, one per component
//! (a wave, a sensor, a fault injector), so adding a sensor to a scenario does
//! not change the threats' draws. The few distributions we need (uniform,
//! normal, Poisson, Bernoulli) are written here rather than taken from
//! `rand_distr` on purpose: a scenario must give the same bytes after a crate
//! upgrade, and `rand`'s distributions do not promise value stability across
//! versions, whereas ChaCha8's output is fixed by the algorithm.

use chacha20::ChaCha8Rng;
use chacha20::rand_core::{Rng, SeedableRng};

/// Named stream classes, so stream ids of different components never collide.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StreamClass {
    Wave = 1,
    Civil = 2,
    Vessel = 3,
    Sensor = 4,
    Fault = 5,
    Intel = 6,
}

/// A seeded random stream.
#[derive(Debug)]
pub struct SimRng {
    inner: ChaCha8Rng,
}

impl SimRng {
    /// The stream for one component: `class` and `index` pick a ChaCha stream.
    pub fn stream(seed: u64, class: StreamClass, index: u64) -> SimRng {
        let mut inner = ChaCha8Rng::seed_from_u64(seed);
        inner.set_stream(((class as u64) << 48) | (index & 0xFFFF_FFFF_FFFF));
        SimRng { inner }
    }

    pub fn next_u64(&mut self) -> u64 {
        self.inner.next_u64()
    }

    /// Uniform in [0, 1) with 53 bits of precision.
    pub fn unit(&mut self) -> f64 {
        (self.inner.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// Uniform in [lo, hi); `lo` when the range is empty.
    pub fn range(&mut self, lo: f64, hi: f64) -> f64 {
        if hi <= lo {
            lo
        } else {
            lo + (hi - lo) * self.unit()
        }
    }

    /// Uniform integer in [0, n); 0 when n is 0.
    pub fn below(&mut self, n: u64) -> u64 {
        if n == 0 { 0 } else { self.inner.next_u64() % n }
    }

    pub fn chance(&mut self, p: f64) -> bool {
        p > 0.0 && self.unit() < p
    }

    /// Standard normal by Box–Muller (one of the pair is discarded: simpler,
    /// and the cost is not where the time goes).
    pub fn normal(&mut self) -> f64 {
        let u1 = 1.0 - self.unit(); // (0, 1]: ln is finite
        let u2 = self.unit();
        (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
    }

    pub fn gauss(&mut self, sigma: f64) -> f64 {
        if sigma > 0.0 {
            sigma * self.normal()
        } else {
            0.0
        }
    }

    /// Poisson by Knuth's product method for small means, normal approximation above 30.
    pub fn poisson(&mut self, mean: f64) -> u64 {
        if mean <= 0.0 {
            return 0;
        }
        if mean > 30.0 {
            return (mean + mean.sqrt() * self.normal()).round().max(0.0) as u64;
        }
        let limit = (-mean).exp();
        let mut product = self.unit();
        let mut count = 0;
        while product > limit {
            product *= self.unit();
            count += 1;
        }
        count
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streams_are_reproducible_and_independent() {
        let draws = |index| {
            let mut rng = SimRng::stream(7, StreamClass::Wave, index);
            (0..4).map(|_| rng.next_u64()).collect::<Vec<u64>>()
        };
        assert_eq!(draws(0), draws(0));
        assert_ne!(draws(0), draws(1));
    }

    #[test]
    fn moments_are_right() {
        let mut rng = SimRng::stream(1, StreamClass::Sensor, 0);
        let n = 20_000;
        let (mut sum, mut sum2) = (0.0, 0.0);
        for _ in 0..n {
            let x = rng.normal();
            sum += x;
            sum2 += x * x;
        }
        let mean = sum / n as f64;
        assert!(mean.abs() < 0.03, "{mean}");
        assert!((sum2 / n as f64 - 1.0).abs() < 0.05);
        let total: u64 = (0..n).map(|_| rng.poisson(4.0)).sum();
        assert!((total as f64 / n as f64 - 4.0).abs() < 0.1);
    }
}
