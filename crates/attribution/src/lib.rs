//! Attribution: from tracks, reports and intelligence to typed incidents, each
//! with its evidence, its confidence and the time it took.
//!
//! ```text
//! Input::Track  ─┬─> air  (border crossings, origin by backtracking, belts, violations, drones over sites)
//!                └─> sea  (loitering, anchor drag, AIS dark, identity and flag)
//! Input::Report ───> drone sightings over sites, operators' fault reports -> suspects
//! Input::Stix   ───> cyber attacks on registered sites (resolver), fault reports
//!                                  │
//!                                  v
//!                 model::Incident + Evidence, once each, stable id
//! ```
//!
//! The stage is pure and deterministic: no I/O, no clock. Time comes from the
//! data; the watermark is the latest event time seen. The same inputs in the
//! same order give the same incidents, bit for bit, with ids derived from their
//! content (kind, subject, time). Every map fed from outside is bounded
//! ([`limits`]). Bad input (non-finite positions, tracks going back in time,
//! STIX that names unknown sites or contradicts itself) is counted and shown in
//! [`Diagnostic`]s or the evidence, never a panic.

mod air;
mod cyber;
mod damage;
mod engine;
mod evidence;
pub mod geography;
pub mod history;
pub mod limits;
pub mod mid;
pub mod score;
mod sea;
pub mod stix_export;

use model::{Duration, Geodetic, Time};

pub use engine::{Attributor, Diagnostic, Output, attribute};
pub use geography::Geography;

const KNOT_MPS: f64 = 1852.0 / 3600.0;

/// What the attributor is told, and how it decides. Defaults are those of the
/// brief and the public cases; every one is documented where it is used.
#[derive(Debug, Clone)]
pub struct Config {
    /// ISO codes of the states whose airspace is protected: crossing into one is an entry.
    pub protected: Vec<String>,
    /// Mass incursion: at least `mass_min_count` belt entries within `mass_window`.
    pub mass_window: Duration,
    pub mass_min_count: u32,
    /// Loitering: slower than this inside a cable's or pipeline's buffer ...
    pub loiter_speed_max_mps: f64,
    /// ... for at least this long.
    pub loiter_min: Duration,
    /// Anchor drag: speed over ground within this band (a laden tanker in transit
    /// does 10-14 kn; a dragging anchor holds it to a few knots) ...
    pub drag_speed_min_mps: f64,
    pub drag_speed_max_mps: f64,
    /// ... on a steady course (circular spread of course under this) ...
    pub drag_course_spread_max_deg: f64,
    /// ... over this window before the crossing ...
    pub drag_window: Duration,
    /// ... passing this close to (or across) the line.
    pub anchor_cross_m: f64,
    /// AIS dark: no update from a vessel with an MMSI for this long ...
    pub ais_dark_gap: Duration,
    /// ... its last position this close to registered infrastructure ...
    pub ais_dark_near_m: f64,
    /// ... and inside terrestrial AIS coverage, where silence is not a gap between
    /// satellite passes. Empty: coverage unknown, judged on silence alone.
    pub ais_coverage: Vec<Coverage>,
    /// Suspects of infrastructure damage: vessels that came this close ...
    pub suspect_radius_m: f64,
    /// ... within this long before the fault.
    pub suspect_lookback: Duration,
    /// How far back the launch is searched before the first detection.
    pub backtrack_max: Duration,
    /// Vessels on a shadow-fleet list, and the list's name (the pact names none yet).
    pub shadow_fleet: Vec<ListedVessel>,
    pub shadow_fleet_list: String,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            protected: vec!["UA".into(), "PL".into(), "RO".into()],
            mass_window: Duration::from_secs(3600),
            mass_min_count: 5,
            loiter_speed_max_mps: 2.0 * KNOT_MPS,
            loiter_min: Duration::from_secs(3600),
            drag_speed_min_mps: 2.0 * KNOT_MPS,
            drag_speed_max_mps: 8.0 * KNOT_MPS,
            drag_course_spread_max_deg: 20.0,
            drag_window: Duration::from_secs(600),
            anchor_cross_m: 300.0,
            ais_dark_gap: Duration::from_secs(900),
            ais_dark_near_m: 30_000.0,
            ais_coverage: Vec::new(),
            suspect_radius_m: 10_000.0,
            suspect_lookback: Duration::from_secs(48 * 3600),
            backtrack_max: Duration::from_secs(3600),
            shadow_fleet: Vec::new(),
            shadow_fleet_list: String::new(),
        }
    }
}

/// A terrestrial AIS receiver's coverage disc.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Coverage {
    pub centre: Geodetic,
    pub range_m: f64,
}

/// A vessel on a shadow-fleet (or sanctions) list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListedVessel {
    pub mmsi: u32,
    pub name: String,
}

/// One input, in event-time order.
#[derive(Debug, Clone)]
pub enum Input {
    /// A track update from fusion.
    Track(model::Track),
    /// A report that is not a track: a CoT sighting, an operator's fault report.
    Report(Report),
    /// A STIX 2.1 object; consecutive objects are resolved together.
    Stix(Box<feeds::stix::StixObject>),
}

#[derive(Debug, Clone, PartialEq)]
pub enum Report {
    /// An observer's report of an object (a CoT event): `cot_type` as on the wire.
    Sighting {
        source: String,
        uid: String,
        time: Time,
        position: Geodetic,
        cot_type: String,
    },
    /// An operator's fault report on its infrastructure.
    Fault {
        operator: String,
        time: Time,
        /// The register's site id, when the operator names it.
        infrastructure: Option<String>,
        position: Option<Geodetic>,
        text: String,
    },
}

impl Input {
    /// The event time the input carries, where it carries one.
    pub fn time(&self) -> Option<Time> {
        match self {
            Input::Track(t) => Some(t.time),
            Input::Report(Report::Sighting { time, .. } | Report::Fault { time, .. }) => {
                Some(*time)
            }
            Input::Stix(o) => o.common.modified.or(o.common.created),
        }
    }
}
