//! The scenario file: a theatre and a period, as TOML.
//!
//! Every table refuses unknown fields, so a misspelt key is an error naming the
//! file, the line and the field instead of a silently ignored setting.
//! Coordinates in a scenario are always `[lat, lon]` in degrees (unlike GeoJSON,
//! which is `[lon, lat]`); heights are metres above sea level.

use std::path::{Path, PathBuf};

use model::{Duration, Time};
use serde::{Deserialize, Serialize};

use crate::catalogue::ObjectClass;
use crate::limits;

/// `[lat, lon]` in degrees.
pub type LatLon = [f64; 2];

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    pub name: String,
    #[serde(default)]
    pub description: String,
    pub start: Time,
    pub duration: Duration,
    pub seed: u64,
    /// Spacing of the rows of `truth.csv` per object.
    #[serde(default = "default_truth_interval")]
    pub truth_interval: Duration,
    #[serde(default)]
    pub geography: GeographySpec,
    #[serde(default)]
    pub events: EventRules,
    #[serde(default)]
    pub radar: Vec<RadarSpec>,
    #[serde(default)]
    pub tracker: Vec<TrackerSpec>,
    #[serde(default)]
    pub adsb_receiver: Vec<AdsbReceiverSpec>,
    #[serde(default)]
    pub ais_station: Vec<AisStationSpec>,
    #[serde(default)]
    pub acoustic_net: Vec<AcousticNetSpec>,
    #[serde(default)]
    pub patrol: Vec<PatrolSpec>,
    #[serde(default)]
    pub wave: Vec<WaveSpec>,
    #[serde(default)]
    pub airliners: Vec<AirlinerSpec>,
    #[serde(default)]
    pub vessel: Vec<VesselSpec>,
    #[serde(default)]
    pub cyber: Vec<CyberSpec>,
    #[serde(default)]
    pub cable_fault: Vec<CableFaultSpec>,
    /// The STIX feed that carries cyber incidents and operator reports.
    #[serde(default)]
    pub intel: Option<IntelSpec>,
    #[serde(default)]
    pub fault: Vec<FaultSpec>,
}

fn default_truth_interval() -> Duration {
    Duration::from_secs(10)
}

/// Geography: files (paths relative to the scenario file) and inline shapes.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct GeographySpec {
    /// GeoJSON FeatureCollection of states, each feature's `id` an ISO alpha-2 code.
    pub borders: Option<PathBuf>,
    /// GeoJSON files of zones (feature `id` or property `id`).
    #[serde(default)]
    pub zones: Vec<PathBuf>,
    /// GeoJSON of infrastructure (properties `id`, `kind`, `buffer_m`).
    pub infrastructure: Option<PathBuf>,
    #[serde(default)]
    pub country: Vec<InlineArea>,
    #[serde(default)]
    pub zone: Vec<InlineArea>,
    #[serde(default, rename = "infrastructure_item")]
    pub infrastructure_item: Vec<InlineInfrastructure>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct InlineArea {
    pub id: String,
    pub polygon: Vec<LatLon>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct InlineInfrastructure {
    pub id: String,
    pub kind: String,
    pub buffer_m: f64,
    /// A cable or pipeline.
    #[serde(default)]
    pub line: Vec<LatLon>,
    /// A plant, a substation, a port.
    pub point: Option<LatLon>,
}

/// What a perfect system would raise: the rules the true events follow.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct EventRules {
    /// States whose airspace entries are incidents (ISO alpha-2).
    #[serde(default)]
    pub protected: Vec<String>,
    #[serde(default)]
    pub mass_incursion: Option<MassIncursionRule>,
    /// A vessel slower than this is loitering.
    #[serde(default = "default_loiter_speed_kn")]
    pub loiter_speed_max_kn: f64,
    /// Loitering this long inside an infrastructure buffer is an incident.
    #[serde(default = "default_loiter_min")]
    pub loiter_min: Duration,
    /// AIS going dark within this distance of infrastructure is an incident.
    #[serde(default = "default_ais_dark_near_m")]
    pub ais_dark_near_m: f64,
}

impl Default for EventRules {
    fn default() -> Self {
        EventRules {
            protected: Vec::new(),
            mass_incursion: None,
            loiter_speed_max_kn: default_loiter_speed_kn(),
            loiter_min: default_loiter_min(),
            ais_dark_near_m: default_ais_dark_near_m(),
        }
    }
}

fn default_loiter_speed_kn() -> f64 {
    2.0
}
fn default_loiter_min() -> Duration {
    Duration::from_mins(60)
}
fn default_ais_dark_near_m() -> f64 {
    30_000.0
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct MassIncursionRule {
    /// Zone ids that are border belts.
    pub zones: Vec<String>,
    pub window: Duration,
    pub min_count: u32,
}

/// A detection probability for targets at or below `alt_max_m`.
#[derive(Debug, Clone, Copy, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct DetectionBand {
    pub alt_max_m: f64,
    pub pd: f64,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RadarSpec {
    pub id: String,
    pub sac: u8,
    pub sic: u8,
    pub position: LatLon,
    /// Ground height above sea level at the site.
    #[serde(default)]
    pub ground_alt_m: f64,
    pub antenna_height_m: f64,
    pub range_max_m: f64,
    pub rotation_period: Duration,
    pub range_sigma_m: f64,
    pub azimuth_sigma_deg: f64,
    /// Bands in increasing `alt_max_m`; above the last band the radar sees nothing.
    pub detection: Vec<DetectionBand>,
    /// Mean number of false plots per scan.
    #[serde(default)]
    pub clutter_per_scan: f64,
    /// Registration bias: a fixed error the fusion stage must estimate.
    #[serde(default)]
    pub bias_range_m: f64,
    #[serde(default)]
    pub bias_azimuth_deg: f64,
    /// ASTERIX data blocks per scan (sectors).
    #[serde(default = "default_blocks_per_scan")]
    pub blocks_per_scan: u32,
    /// A 3-D radar measures height (I048/110).
    #[serde(default)]
    pub height_finding: bool,
}

fn default_blocks_per_scan() -> u32 {
    8
}

/// A partner tracker that sends system tracks (CAT062).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct TrackerSpec {
    pub id: String,
    pub sac: u8,
    pub sic: u8,
    pub position: LatLon,
    pub range_max_m: f64,
    pub update_period: Duration,
    pub position_sigma_m: f64,
    /// Lowest altitude it holds tracks at (its radars' floor).
    #[serde(default)]
    pub alt_min_m: f64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum AdsbFormat {
    Sbs,
    Cat021,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct AdsbReceiverSpec {
    pub id: String,
    pub position: LatLon,
    #[serde(default = "default_adsb_range_m")]
    pub range_max_m: f64,
    #[serde(default = "default_adsb_period")]
    pub update_period: Duration,
    pub format: AdsbFormat,
    /// For CAT021 output.
    #[serde(default)]
    pub sac: u8,
    #[serde(default)]
    pub sic: u8,
}

fn default_adsb_range_m() -> f64 {
    400_000.0
}
fn default_adsb_period() -> Duration {
    Duration::from_secs(5)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum AisCoverage {
    Terrestrial,
    Satellite,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct AisStationSpec {
    pub id: String,
    pub coverage: AisCoverage,
    /// Terrestrial: the station's position.
    pub position: Option<LatLon>,
    /// Terrestrial: reception radius (about 40 nmi at sea).
    #[serde(default = "default_ais_range_m")]
    pub range_max_m: f64,
    /// Satellite: the area under the passes.
    #[serde(default)]
    pub area: Vec<LatLon>,
    /// Satellite: time between passes, and how long a pass lasts.
    pub revisit: Option<Duration>,
    pub pass_duration: Option<Duration>,
    /// Probability a transmitted message is received.
    #[serde(default = "default_one")]
    pub pd: f64,
}

fn default_ais_range_m() -> f64 {
    74_000.0
}
fn default_one() -> f64 {
    1.0
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct AcousticNetSpec {
    pub id: String,
    pub nodes: Vec<LatLon>,
    pub radius_m: f64,
    /// Acoustic sensors hear low flyers only.
    pub alt_max_m: f64,
    pub pd: f64,
    /// The fix is coarse: the node's area, not the drone's point.
    pub position_sigma_m: f64,
    pub report_period: Duration,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct PatrolSpec {
    pub id: String,
    pub callsign: String,
    /// `sea` (a ship) or `air` (a maritime patrol aircraft).
    pub domain: PatrolDomain,
    pub route: Vec<LatLon>,
    pub speed_kn: f64,
    #[serde(default)]
    pub alt_m: f64,
    pub start: Option<Time>,
    /// Objects within this distance are reported as sightings.
    pub sight_radius_m: f64,
    pub report_period: Duration,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum PatrolDomain {
    Sea,
    Air,
}

/// A wave of threats launched from an area.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct WaveSpec {
    pub name: String,
    #[serde(rename = "type")]
    pub class: ObjectClass,
    pub count: u32,
    pub launch_area: Vec<LatLon>,
    pub launch_at: Time,
    #[serde(default)]
    pub launch_spread: Duration,
    #[serde(default)]
    pub waypoints: Vec<LatLon>,
    #[serde(default)]
    pub waypoint_jitter_m: f64,
    pub target_area: Vec<LatLon>,
    /// The launching state, when the launch area is outside the loaded borders.
    pub origin: Option<String>,
    /// Overrides of the catalogue's ranges.
    pub speed_kmh: Option<[f64; 2]>,
    pub alt_m: Option<[f64; 2]>,
    pub range_km: Option<f64>,
}

/// A stream of airliners along a route.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct AirlinerSpec {
    pub callsign_prefix: String,
    pub count: u32,
    pub route: Vec<LatLon>,
    pub first_departure: Time,
    pub interval: Duration,
    /// ICAO addresses are `icao_base + i`.
    pub icao_base: u32,
    #[serde(default)]
    pub origin: String,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct VesselSpec {
    pub name: String,
    pub class: ObjectClass,
    pub mmsi: u32,
    #[serde(default)]
    pub callsign: String,
    /// The state answerable for it (ISO alpha-2): where it sails from when it
    /// starts at a coast, else its flag's (attribution's rule, `sea.rs`).
    #[serde(default)]
    pub origin: String,
    pub start_at: Time,
    pub position: LatLon,
    pub legs: Vec<LegSpec>,
    /// The transponder goes silent at this time...
    pub ais_off_at: Option<Time>,
    /// ...and (optionally) comes back.
    pub ais_on_at: Option<Time>,
    /// Copies of this vessel, spaced in time (a shipping lane).
    #[serde(default = "default_copies")]
    pub copies: u32,
    #[serde(default)]
    pub copy_interval: Duration,
}

fn default_copies() -> u32 {
    1
}

/// One leg of a vessel's voyage: sail to a point, or loiter.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct LegSpec {
    pub to: Option<LatLon>,
    pub speed_kn: Option<f64>,
    /// With the anchor dragging on the seabed.
    #[serde(default)]
    pub anchor: bool,
    /// Drift about the current point for this long.
    pub loiter: Option<Duration>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct CyberSpec {
    pub time: Time,
    pub infrastructure: String,
    pub name: String,
    /// Destructive attacks are incidents; espionage is reported but is not.
    pub destructive: bool,
    pub actor: String,
    /// 0–100, as STIX says it.
    pub confidence: u8,
    #[serde(default)]
    pub attack_pattern: String,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct CableFaultSpec {
    pub time: Time,
    pub infrastructure: String,
    pub position: LatLon,
    pub operator: String,
    pub text: String,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct IntelSpec {
    pub id: String,
}

/// Faults injected into one sensor's feed (`sensor = "*"` for all).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct FaultSpec {
    pub sensor: String,
    #[serde(default)]
    pub drop: f64,
    #[serde(default)]
    pub duplicate: f64,
    /// Probability a record is held back and sent later...
    #[serde(default)]
    pub reorder: f64,
    /// ...behind up to this many records.
    #[serde(default = "default_reorder_window")]
    pub reorder_window: u32,
    /// Probability a record has one byte flipped after encoding.
    #[serde(default)]
    pub corrupt: f64,
    /// Added to every timestamp the feed writes.
    #[serde(default)]
    pub clock_skew: Duration,
    pub stall: Option<StallSpec>,
}

fn default_reorder_window() -> u32 {
    4
}

/// The feed sends nothing between `from` and `to`, then the backlog at once.
#[derive(Debug, Clone, Copy, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct StallSpec {
    pub from: Time,
    pub to: Time,
}

/// Why a scenario could not be loaded.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ScenarioError {
    #[error("{path}: cannot read: {reason}")]
    Read {
        path: PathBuf,
        reason: std::io::Error,
    },
    #[error("{path}: {message}")]
    Parse { path: PathBuf, message: String },
    #[error("{path}: `{field}`: {message}")]
    Invalid {
        path: PathBuf,
        field: String,
        message: String,
    },
    #[error("{path}: geography file {file}: {message}")]
    Geography {
        path: PathBuf,
        file: PathBuf,
        message: String,
    },
}

impl Scenario {
    /// Reads and checks a scenario file.
    pub fn load(path: &Path) -> Result<Scenario, ScenarioError> {
        let text = std::fs::read_to_string(path).map_err(|reason| ScenarioError::Read {
            path: path.to_owned(),
            reason,
        })?;
        Scenario::parse(&text, path)
    }

    /// Parses scenario text; `path` names it in errors.
    pub fn parse(text: &str, path: &Path) -> Result<Scenario, ScenarioError> {
        // toml's message names the line, the column and the unknown or bad field.
        let scenario: Scenario = toml::from_str(text).map_err(|e| ScenarioError::Parse {
            path: path.to_owned(),
            message: e.to_string(),
        })?;
        scenario.check(path)?;
        Ok(scenario)
    }

    fn check(&self, path: &Path) -> Result<(), ScenarioError> {
        let invalid = |field: String, message: &str| ScenarioError::Invalid {
            path: path.to_owned(),
            field,
            message: message.to_owned(),
        };
        if self.duration.us <= 0 {
            return Err(invalid("duration".into(), "must be positive"));
        }
        if self.duration > Duration::from_hours(limits::duration_hours_max) {
            return Err(invalid(
                "duration".into(),
                "is longer than the 14 days a scenario may cover",
            ));
        }
        let too_many = |n: u32, max: u32| n > max;
        if self
            .wave
            .iter()
            .any(|w| too_many(w.count, limits::wave_count_max))
            || self
                .vessel
                .iter()
                .any(|v| too_many(v.copies, limits::vessel_copies_max))
            || self
                .airliners
                .iter()
                .any(|a| too_many(a.count, limits::airliner_count_max))
        {
            return Err(invalid(
                "count".into(),
                "a wave, vessel or airliner stream asks for more objects than the limits allow",
            ));
        }
        let mut ids: Vec<&str> = self
            .radar
            .iter()
            .map(|r| r.id.as_str())
            .chain(self.tracker.iter().map(|t| t.id.as_str()))
            .chain(self.adsb_receiver.iter().map(|a| a.id.as_str()))
            .chain(self.ais_station.iter().map(|a| a.id.as_str()))
            .chain(self.acoustic_net.iter().map(|a| a.id.as_str()))
            .chain(self.patrol.iter().map(|p| p.id.as_str()))
            .chain(self.intel.iter().map(|i| i.id.as_str()))
            .collect();
        ids.sort_unstable();
        if let Some(w) = ids.windows(2).find(|w| w[0] == w[1]) {
            return Err(invalid(
                format!("id `{}`", w[0]),
                "two sensors share this id (it names their output file)",
            ));
        }
        if self.truth_interval.us <= 0 {
            return Err(invalid("truth_interval".into(), "must be positive"));
        }
        for r in &self.radar {
            let f = |name: &str| format!("radar `{}`.{name}", r.id);
            if r.rotation_period.us <= 0 {
                return Err(invalid(f("rotation_period"), "must be positive"));
            }
            if r.detection.is_empty() {
                return Err(invalid(f("detection"), "needs at least one band"));
            }
            if r.detection.iter().any(|b| !(0.0..=1.0).contains(&b.pd)) {
                return Err(invalid(f("detection"), "pd must be within 0..=1"));
            }
            if r.blocks_per_scan == 0 {
                return Err(invalid(f("blocks_per_scan"), "must be at least 1"));
            }
        }
        for t in &self.tracker {
            if t.update_period.us <= 0 {
                return Err(invalid(
                    format!("tracker `{}`.update_period", t.id),
                    "must be positive",
                ));
            }
        }
        for a in &self.adsb_receiver {
            if a.update_period.us <= 0 {
                return Err(invalid(
                    format!("adsb_receiver `{}`.update_period", a.id),
                    "must be positive",
                ));
            }
        }
        for s in &self.ais_station {
            let f = |name: &str| format!("ais_station `{}`.{name}", s.id);
            match s.coverage {
                AisCoverage::Terrestrial if s.position.is_none() => {
                    return Err(invalid(
                        f("position"),
                        "a terrestrial station needs a position",
                    ));
                }
                AisCoverage::Satellite
                    if s.area.len() < 3 || s.revisit.is_none() || s.pass_duration.is_none() =>
                {
                    return Err(invalid(
                        f("area"),
                        "a satellite needs an area (3+ points), `revisit` and `pass_duration`",
                    ));
                }
                _ => {}
            }
        }
        for w in &self.wave {
            let f = |name: &str| format!("wave `{}`.{name}", w.name);
            if !w.class.is_threat() {
                return Err(invalid(
                    f("type"),
                    "must be a threat type (shahed, gerbera, jet_drone, cruise_missile, ballistic_missile, manned_aircraft)",
                ));
            }
            if w.launch_area.len() < 3 {
                return Err(invalid(f("launch_area"), "needs 3 or more points"));
            }
            if w.target_area.len() < 3 {
                return Err(invalid(f("target_area"), "needs 3 or more points"));
            }
        }
        for v in &self.vessel {
            let f = |name: &str| format!("vessel `{}`.{name}", v.name);
            if !v.class.is_vessel() {
                return Err(invalid(f("class"), "must be merchant, tanker or fishing"));
            }
            for (i, leg) in v.legs.iter().enumerate() {
                let sails = leg.to.is_some() && leg.speed_kn.is_some_and(|s| s > 0.0);
                if sails == leg.loiter.is_some() {
                    return Err(invalid(
                        f(&format!("legs[{i}]")),
                        "a leg either sails (`to` and a positive `speed_kn`) or loiters (`loiter`)",
                    ));
                }
            }
        }
        for p in &self.patrol {
            if p.route.len() < 2 || p.speed_kn <= 0.0 || p.report_period.us <= 0 {
                return Err(invalid(
                    format!("patrol `{}`.route", p.id),
                    "needs 2+ points, a positive speed and report period",
                ));
            }
        }
        for a in &self.acoustic_net {
            if a.report_period.us <= 0 {
                return Err(invalid(
                    format!("acoustic_net `{}`.report_period", a.id),
                    "must be positive",
                ));
            }
        }
        if (!self.cyber.is_empty() || !self.cable_fault.is_empty()) && self.intel.is_none() {
            return Err(invalid(
                "intel".into(),
                "cyber incidents and cable faults need an `[intel]` feed id",
            ));
        }
        Ok(())
    }
}
