//! Deleter role: end tracks that are no longer supported by the data.

use model::Time;

use crate::state::TrackState;

/// Removes ended tracks from `tracks` (keeping order) into `deleted`.
pub trait Deleter: Send + Sync + std::fmt::Debug {
    fn delete(&self, tracks: &mut Vec<TrackState>, time: Time, deleted: &mut Vec<TrackState>);
}

/// Ends a track after `misses_max` scans in a row without a plot, when its
/// position covariance trace exceeds `position_trace_max_m2`, or when no plot
/// has updated it for `coast_max_s` (sensors that never saw it do not count
/// misses, so this bounds coasting); Stone Soup's `CompositeDeleter` of
/// update-steps and covariance deleters, plus the coast bound.
#[derive(Debug, Clone, Copy)]
pub struct MissesOrCovariance {
    pub misses_max: u32,
    pub position_trace_max_m2: f64,
    pub coast_max_s: f64,
}

impl Default for MissesOrCovariance {
    fn default() -> Self {
        MissesOrCovariance {
            misses_max: 5,
            position_trace_max_m2: 2.0 * 1000.0 * 1000.0,
            coast_max_s: 300.0,
        }
    }
}

impl MissesOrCovariance {
    fn ended(&self, t: &TrackState, time: Time) -> bool {
        t.misses_in_row >= self.misses_max
            || t.filter.est.position_cov().trace() > self.position_trace_max_m2
            || time.seconds_since(t.last_update) > self.coast_max_s
    }
}

impl Deleter for MissesOrCovariance {
    fn delete(&self, tracks: &mut Vec<TrackState>, time: Time, deleted: &mut Vec<TrackState>) {
        // In place: only the ended tracks move (kept ones shift down once).
        deleted.extend(tracks.extract_if(.., |t| self.ended(t, time)));
    }
}
