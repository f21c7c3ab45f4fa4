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
    by_identity(identity).unwrap_or_else(|| by_kinematics(k))
}

/// The class a cooperative identity names (AIS, ADS-B, a CoT type), which
/// holds however the track moves.
pub fn by_identity(identity: &Identity) -> Option<(TrackClass, f64)> {
    if identity.mmsi.is_some() {
        return Some((TrackClass::Vessel, 0.95));
    }
    if let Some(kind) = identity.reported_type.as_deref() {
        // ADS-B emitter category A7 is a rotorcraft; a CoT air type whose
        // fifth atom is `H` is rotary wing (`a-h-A-M-H`, `a-f-A-C-H-...`).
        let atom = |i: usize| kind.split('-').nth(i);
        if kind == "A7" || (atom(2) == Some("A") && atom(4) == Some("H")) {
            return Some((TrackClass::Helicopter, 0.9));
        }
        // CoT `-F-Q` is a drone (remotely piloted fixed wing).
        if kind.contains("-F-Q") {
            return Some((TrackClass::Drone, 0.8));
        }
        // A CoT atom's third field is its battle dimension: `S` is sea surface.
        if atom(0) == Some("a") && atom(2) == Some("S") {
            return Some((TrackClass::Vessel, 0.8));
        }
    }
    if identity.icao24.is_some() {
        return Some((TrackClass::MannedAircraft, 0.9));
    }
    None
}

/// The class the kinematics of one instant suggest.
pub fn by_kinematics(k: &Kinematics) -> (TrackClass, f64) {
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

/// A track's class over its recent updates. Each update's class from
/// kinematics votes with its confidence and older votes fade by [`VOTE_DECAY`]
/// per update, so the class follows a sustained change (a jet drone speeding
/// up, a track's first updates before its velocity is known) within a few
/// updates but not one wild speed estimate: a mis-associated plot or a
/// manoeuvre can put a 50 m/s Gerbera's estimate past 200 m/s for an update,
/// and the instant's rules would make it a manned aircraft, an airspace
/// violation, for that update.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct ClassVotes {
    /// Faded confidence-weighted votes, indexed by `TrackClass as usize`.
    votes: [f32; TrackClass::ALL.len()],
    /// Faded count of votes cast.
    cast: f32,
}

/// The weight an update's vote keeps one update later: a vote's memory is
/// about 1 / (1 - decay) = 5 updates, 20-50 s of a radar's revisits.
pub const VOTE_DECAY: f32 = 0.8;

// `votes` is indexed by `TrackClass as usize` and read back through
// `TrackClass::ALL`: the two orders must agree.
const _: () = {
    let mut i = 0;
    while i < TrackClass::ALL.len() {
        assert!(TrackClass::ALL[i] as usize == i);
        i += 1;
    }
};

impl ClassVotes {
    /// Adds one update's class and confidence; returns the class with the most
    /// votes and its confidence: the confidence-weighted share of recent
    /// updates that voted for it (the instant's confidence when all agree).
    pub fn vote(&mut self, class: TrackClass, confidence: f64) -> (TrackClass, f64) {
        for v in &mut self.votes {
            *v *= VOTE_DECAY;
        }
        self.cast = self.cast * VOTE_DECAY + 1.0;
        self.votes[class as usize] += confidence as f32;
        let (best, &weight) = self
            .votes
            .iter()
            .enumerate()
            .max_by(|a, b| a.1.total_cmp(b.1))
            .unwrap_or((class as usize, &0.0));
        let best = TrackClass::ALL.get(best).copied().unwrap_or(class);
        (best, f64::from(weight / self.cast))
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
        TrackClass::JetDrone => 5.0,
        // A fighter turns 40° in one radar revisit (6.7°/s at 3 g and 250 m/s):
        // a kilometre off a straight prediction after 6 s, which 5 m²/s³ put
        // outside the gate (border-probe's tracks broke at each turn).
        TrackClass::MannedAircraft => 100.0,
        TrackClass::CruiseMissile => 10.0,
        TrackClass::BallisticMissile => 100.0,
        TrackClass::Unknown => default_q,
    }
}
