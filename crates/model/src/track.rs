//! A track: the fused estimate of one object, as fusion publishes it.

use serde::{Deserialize, Serialize};

use crate::{Geodetic, Identity, SensorId, Time, TrackId, VelocityEnu};

/// What kind of object a track is, by kinematics and sensor evidence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TrackClass {
    Drone,
    JetDrone,
    CruiseMissile,
    BallisticMissile,
    MannedAircraft,
    Helicopter,
    Vessel,
    Unknown,
}

impl TrackClass {
    pub const ALL: [TrackClass; 8] = [
        TrackClass::Drone,
        TrackClass::JetDrone,
        TrackClass::CruiseMissile,
        TrackClass::BallisticMissile,
        TrackClass::MannedAircraft,
        TrackClass::Helicopter,
        TrackClass::Vessel,
        TrackClass::Unknown,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            TrackClass::Drone => "drone",
            TrackClass::JetDrone => "jet_drone",
            TrackClass::CruiseMissile => "cruise_missile",
            TrackClass::BallisticMissile => "ballistic_missile",
            TrackClass::MannedAircraft => "manned_aircraft",
            TrackClass::Helicopter => "helicopter",
            TrackClass::Vessel => "vessel",
            TrackClass::Unknown => "unknown",
        }
    }

    pub fn is_air(self) -> bool {
        !matches!(self, TrackClass::Vessel | TrackClass::Unknown)
    }
}

/// Altitude band: low under 300 m, medium to 3,000 m, high above.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AltitudeBand {
    Surface,
    Low,
    Medium,
    High,
}

impl AltitudeBand {
    pub const LOW_TOP_M: f64 = 300.0;
    pub const MEDIUM_TOP_M: f64 = 3_000.0;

    pub fn of_air_altitude(alt_m: f64) -> AltitudeBand {
        if alt_m < Self::LOW_TOP_M {
            AltitudeBand::Low
        } else if alt_m < Self::MEDIUM_TOP_M {
            AltitudeBand::Medium
        } else {
            AltitudeBand::High
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Track {
    pub id: TrackId,
    /// Event time of the last update.
    pub time: Time,
    pub position: Geodetic,
    pub velocity: VelocityEnu,
    /// 1-sigma horizontal position uncertainty, metres.
    pub position_sigma_m: f64,
    /// 1-sigma speed uncertainty, m/s.
    pub velocity_sigma_mps: f64,
    pub class: TrackClass,
    /// Confidence in `class`, 0..=1.
    pub class_confidence: f64,
    pub band: AltitudeBand,
    pub identity: Identity,
    /// False for tracks nobody identified themselves on (no ICAO, MMSI, CoT uid).
    pub cooperative: bool,
    /// Track quality 0..=1 from hits, misses and covariance.
    pub quality: f64,
    pub n_updates: u32,
    /// Sensors that contributed, sorted, deduplicated.
    pub sensors: Vec<SensorId>,
}
