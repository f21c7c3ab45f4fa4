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
        // ADS-B emitter category A7 is a rotorcraft; a CoT air type whose
        // fifth atom is `H` is rotary wing (`a-h-A-M-H`, `a-f-A-C-H-...`).
        let atom = |i: usize| kind.split('-').nth(i);
        if kind == "A7" || (atom(2) == Some("A") && atom(4) == Some("H")) {
            return (TrackClass::Helicopter, 0.9);
        }
        // CoT `-F-Q` is a drone (remotely piloted fixed wing).
        if kind.contains("-F-Q") {
            return (TrackClass::Drone, 0.8);
        }
        // A CoT atom's third field is its battle dimension: `S` is sea surface.
        if atom(0) == Some("a") && atom(2) == Some("S") {
            return (TrackClass::Vessel, 0.8);
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
        return by_speed(v);
    };
    if h < 30.0 && v < 25.0 {
        return (TrackClass::Vessel, 0.4);
    }
    // No rule makes a helicopter of kinematics alone: a slow, low, silent
    // flyer is a drone as often (Gerberas fly at 120 km/h, Shaheds at 150),
    // and a helicopter is named by its identity (ADS-B A7, CoT `-H-`) above.
    // Envelopes (sim's catalogue, from the sources it names): Shahed 150-190 km/h
    // at up to 4 km, Gerbera 120-160 km/h; jet drones (Geran-3) 500-600 km/h at
    // 3-9 km; Kh-101 850-950 km/h at 30-100 m; fast jets and airliners 780-950 km/h
    // at 8-12 km. Jet drones and cruise missiles are split at `JET_MAX_MPS`, with
    // room for the speed estimate's noise either side.
    match (v, h) {
        (v, h) if v >= JET_MAX_MPS && h < 300.0 => (TrackClass::CruiseMissile, 0.6),
        (v, h) if v < 70.0 && h < 4_500.0 => (TrackClass::Drone, 0.6),
        (v, h) if v < JET_MAX_MPS && h < 9_500.0 => (TrackClass::JetDrone, 0.4),
        (v, h) if v >= 150.0 && h >= 300.0 => (TrackClass::MannedAircraft, 0.6),
        _ => (TrackClass::Unknown, 0.2),
    }
}

/// Faster than this is a cruise missile (low) or a jet (high), not a jet drone, m/s.
const JET_MAX_MPS: f64 = 200.0;

/// A non-cooperative air track without a height (2-D radars only): the speed
/// envelopes alone, with less confidence than with a height. Slower than any
/// attack drone is left unknown (clutter, birds, a hovering helicopter).
fn by_speed(v: f64) -> (TrackClass, f64) {
    match v {
        v if v < 15.0 => (TrackClass::Unknown, 0.1),
        v if v < 70.0 => (TrackClass::Drone, 0.4),
        v if v < JET_MAX_MPS => (TrackClass::JetDrone, 0.3),
        _ => (TrackClass::CruiseMissile, 0.3),
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
