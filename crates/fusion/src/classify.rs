//! Classification from kinematics and identity into `model::TrackClass`, with
//! a confidence and an altitude band; and the process noise each class gets.
//!
//! The rules are deliberately simple thresholds on speed, height and climb,
//! in the order the evidence is strongest: a cooperative identity first, then
//! ballistic speeds, then the speed and height envelopes of each class.

use model::{AltitudeBand, Identity, TrackClass};

/// Kinematics of a track at one instant.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Kinematics {
    pub speed_mps: f64,
    /// `None` for a 2-D track (no sensor gave a height).
    pub height_m: Option<f64>,
    pub climb_mps: f64,
}

/// Class and confidence.
pub fn classify(k: &Kinematics, identity: &Identity) -> (TrackClass, f64) {
    if identity.mmsi.is_some() {
        return (TrackClass::Vessel, 0.95);
    }
    if let Some(kind) = identity.reported_type.as_deref() {
        // ADS-B emitter category A7 is a rotorcraft; CoT atoms with `-H` are rotary wing.
        if kind == "A7" || kind.contains("-H-") {
            return (TrackClass::Helicopter, 0.9);
        }
        // CoT `-F-Q` is a drone (remotely piloted fixed wing).
        if kind.contains("-F-Q") {
            return (TrackClass::Drone, 0.8);
        }
    }
    if identity.icao24.is_some() {
        return (TrackClass::MannedAircraft, 0.9);
    }
    let v = k.speed_mps;
    if v > 1_000.0 || k.climb_mps.abs() > 300.0 {
        return (TrackClass::BallisticMissile, 0.7);
    }
    let Some(h) = k.height_m else {
        return (TrackClass::Unknown, 0.0);
    };
    if h < 30.0 && v < 25.0 {
        return (TrackClass::Vessel, 0.4);
    }
    match (v, h) {
        (v, h) if v >= 180.0 && h < 300.0 => (TrackClass::CruiseMissile, 0.6),
        (v, h) if v < 35.0 && h < 1_500.0 => (TrackClass::Helicopter, 0.3),
        (v, h) if v < 70.0 && h < 4_000.0 => (TrackClass::Drone, 0.6),
        (v, h) if v < 180.0 && h < 4_000.0 => (TrackClass::JetDrone, 0.4),
        (v, h) if v >= 150.0 && h >= 3_000.0 => (TrackClass::MannedAircraft, 0.6),
        _ => (TrackClass::Unknown, 0.2),
    }
}

/// The altitude band; air tracks without a height are put in the low band,
/// the one that radars without height finding see most and matters most.
pub fn band(class: TrackClass, height_m: Option<f64>) -> AltitudeBand {
    match (class, height_m) {
        (TrackClass::Vessel, _) => AltitudeBand::Surface,
        (_, Some(h)) => AltitudeBand::of_air_altitude(h),
        (_, None) => AltitudeBand::Low,
    }
}

/// Process noise spectral density by class, m²/s³: agile classes get more.
pub fn process_noise(class: TrackClass, default_q: f64) -> f64 {
    match class {
        TrackClass::Vessel => 0.05,
        TrackClass::Drone | TrackClass::Helicopter => 2.0,
        TrackClass::JetDrone | TrackClass::MannedAircraft => 5.0,
        TrackClass::CruiseMissile => 10.0,
        TrackClass::BallisticMissile => 100.0,
        TrackClass::Unknown => default_q,
    }
}
