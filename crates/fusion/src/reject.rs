//! Why an observation was not used: a named reason, counted; the picture goes on.

use serde::Serialize;

/// A reason an observation or plot was rejected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum RejectReason {
    /// A coordinate, sigma or velocity is NaN or infinite, or a latitude is out of range.
    NonFinite,
    /// The sensor is not in the configuration.
    UnknownSensor,
    /// Older than the last processed time minus nothing: it came after the
    /// out-of-sequence lag had already released its slot.
    TooLate,
    /// A sigma is zero, negative or absurd, or a covariance is not positive definite.
    ImpossibleCovariance,
    /// A polar plot from a sensor whose position is not configured.
    SensorPositionUnknown,
    /// The plot falls in a sector beyond `SECTORS_MAX`.
    OutsideSectors,
    /// The scan already holds `SCAN_PLOTS_MAX` plots.
    ScanFull,
    /// The plane already holds `PLANE_TRACKS_MAX` tracks.
    TracksFull,
    /// Released early because the reorder buffer was full.
    BufferOverflow,
}

impl RejectReason {
    pub const ALL: [RejectReason; 9] = [
        RejectReason::NonFinite,
        RejectReason::UnknownSensor,
        RejectReason::TooLate,
        RejectReason::ImpossibleCovariance,
        RejectReason::SensorPositionUnknown,
        RejectReason::OutsideSectors,
        RejectReason::ScanFull,
        RejectReason::TracksFull,
        RejectReason::BufferOverflow,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            RejectReason::NonFinite => "non_finite",
            RejectReason::UnknownSensor => "unknown_sensor",
            RejectReason::TooLate => "too_late",
            RejectReason::ImpossibleCovariance => "impossible_covariance",
            RejectReason::SensorPositionUnknown => "sensor_position_unknown",
            RejectReason::OutsideSectors => "outside_sectors",
            RejectReason::ScanFull => "scan_full",
            RejectReason::TracksFull => "tracks_full",
            RejectReason::BufferOverflow => "buffer_overflow",
        }
    }
}

/// Counts by reason.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RejectCounts {
    counts: [u64; RejectReason::ALL.len()],
}

impl RejectCounts {
    pub fn add(&mut self, reason: RejectReason) {
        self.counts[reason as usize] += 1;
    }

    pub fn get(&self, reason: RejectReason) -> u64 {
        self.counts[reason as usize]
    }

    pub fn total(&self) -> u64 {
        self.counts.iter().sum()
    }

    pub fn merge(&mut self, other: &RejectCounts) {
        for (a, b) in self.counts.iter_mut().zip(other.counts) {
            *a += b;
        }
    }

    /// Non-zero counts, in the order of [`RejectReason::ALL`].
    pub fn nonzero(&self) -> impl Iterator<Item = (RejectReason, u64)> + '_ {
        RejectReason::ALL
            .into_iter()
            .map(|r| (r, self.get(r)))
            .filter(|(_, n)| *n > 0)
    }
}
