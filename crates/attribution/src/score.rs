//! Quality against ground truth: the incidents emitted compared with the true
//! incidents of a `sim` scenario (`events.json`), per kind — precision, recall,
//! origin correct, suspect ranked first — and tracks made from `truth.csv` to
//! score attribution apart from fusion. Reads only text it is handed.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use model::incident::FieldValue;
use model::{
    AltitudeBand, Geodetic, Identity, Incident, IncidentKind, Time, Track, TrackClass, TrackId,
};
use serde::Deserialize;

/// One true incident, as `events.json` lists it.
#[derive(Debug, Clone, Deserialize)]
pub struct TrueEvent {
    pub kind: IncidentKind,
    pub time: Time,
    #[serde(default)]
    pub position: Option<Geodetic>,
    #[serde(default)]
    pub objects: Vec<String>,
    #[serde(default)]
    pub origin: Option<String>,
    #[serde(default)]
    pub zones: Vec<String>,
    #[serde(default)]
    pub infrastructure: Option<String>,
}

pub fn parse_events(text: &str) -> Result<Vec<TrueEvent>, String> {
    serde_json::from_str(text)
        .map_err(|e| format!("events.json: line {}, column {}: {e}", e.line(), e.column()))
}

pub use model::truth::{TruthError, TruthRow, parse_truth};

/// What the scorer knows of a vessel's transponder from the scenario.
#[derive(Debug, Clone, PartialEq)]
pub struct TruthVessel {
    pub object: String,
    pub mmsi: Option<u32>,
    pub callsign: Option<String>,
    /// The transponder is silent from `.0` until `.1` (or the end).
    pub ais_off: Option<(Time, Option<Time>)>,
}

pub fn track_class(class: &str) -> TrackClass {
    match class {
        "shahed" | "gerbera" | "drone" => TrackClass::Drone,
        "jet_drone" => TrackClass::JetDrone,
        "cruise_missile" => TrackClass::CruiseMissile,
        "ballistic_missile" => TrackClass::BallisticMissile,
        "manned_aircraft" | "airliner" => TrackClass::MannedAircraft,
        "helicopter" => TrackClass::Helicopter,
        "tanker" | "cargo" | "merchant" | "fishing" | "vessel" | "patrol_vessel" => {
            TrackClass::Vessel
        }
        _ => TrackClass::Unknown,
    }
}

/// Offset of the track id of a vessel's AIS-silent part: a perfect tracker
/// still sees the hull, but no longer knows whose it is.
pub const DARK_TRACK_OFFSET: u64 = 1_000_000;

/// Tracks a perfect tracker would publish from the truth rows: one per object
/// (airliners identify themselves; vessels carry their MMSI while the
/// transponder is on and continue as an unidentified track when it is off),
/// in time order, and the track → object map.
pub fn truth_tracks(
    rows: &[TruthRow],
    vessels: &[TruthVessel],
) -> (Vec<Track>, BTreeMap<TrackId, String>) {
    let mut ids: BTreeMap<&str, u64> = BTreeMap::new();
    for r in rows {
        let n = ids.len() as u64 + 1;
        ids.entry(r.object.as_str()).or_insert(n);
    }
    let mut map = BTreeMap::new();
    let mut tracks = Vec::with_capacity(rows.len());
    for r in rows {
        let n = ids[r.object.as_str()];
        let class = track_class(&r.class);
        let vessel = vessels.iter().find(|v| v.object == r.object);
        let silent = vessel
            .and_then(|v| v.ais_off)
            .is_some_and(|(off, on)| r.time >= off && on.is_none_or(|on| r.time < on));
        let mut identity = Identity::default();
        if r.class == "airliner" {
            identity.icao24 = Some(0x100000 + n as u32);
        }
        if let Some(v) = vessel.filter(|_| !silent) {
            identity.mmsi = v.mmsi;
            identity.callsign = v.callsign.as_deref().map(Into::into);
        }
        let id = TrackId(if silent { n + DARK_TRACK_OFFSET } else { n });
        map.insert(id, r.object.clone());
        tracks.push(Track {
            id,
            time: r.time,
            position: r.position,
            velocity: r.velocity,
            position_sigma_m: 10.0,
            velocity_sigma_mps: 0.5,
            class,
            class_confidence: 1.0,
            band: if class == TrackClass::Vessel {
                AltitudeBand::Surface
            } else {
                AltitudeBand::of_air_altitude(r.position.alt_m)
            },
            cooperative: identity.is_cooperative(),
            identity,
            quality: 1.0,
            n_updates: 1,
            sensors: vec![model::SensorId::new("truth")],
        });
    }
    tracks.sort_by_key(|t| (t.time, t.id));
    (tracks, map)
}

/// Maps fused tracks to truth objects: each update votes for the nearest truth
/// object at the nearest truth tick (within `gate_m`); the majority wins.
pub fn map_tracks(tracks: &[Track], rows: &[TruthRow], gate_m: f64) -> BTreeMap<TrackId, String> {
    let mut by_tick: BTreeMap<Time, Vec<&TruthRow>> = BTreeMap::new();
    for r in rows {
        by_tick.entry(r.time).or_default().push(r);
    }
    let mut votes: BTreeMap<TrackId, BTreeMap<&str, u32>> = BTreeMap::new();
    let mut last_tick: BTreeMap<TrackId, Time> = BTreeMap::new();
    for t in tracks {
        let before = by_tick.range(..=t.time).next_back();
        let after = by_tick.range(t.time..).next();
        let Some((tick, objects)) = [before, after]
            .into_iter()
            .flatten()
            .min_by_key(|(k, _)| (k.unix_us - t.time.unix_us).abs())
        else {
            continue;
        };
        if last_tick.get(&t.id) == Some(tick) {
            continue;
        }
        last_tick.insert(t.id, *tick);
        let dt = tick.seconds_since(t.time);
        let nearest = objects
            .iter()
            .map(|r| {
                let p = Geodetic::new(
                    r.position.lat_deg - r.velocity.vn_mps * dt / 111_195.0,
                    r.position.lon_deg
                        - r.velocity.ve_mps * dt
                            / (111_195.0 * r.position.lat_deg.to_radians().cos()),
                    0.0,
                );
                (p.surface_distance_m(&t.position), r.object.as_str())
            })
            .filter(|(d, _)| *d <= gate_m)
            .min_by(|a, b| a.0.total_cmp(&b.0));
        if let Some((_, object)) = nearest {
            *votes.entry(t.id).or_default().entry(object).or_default() += 1;
        }
    }
    votes
        .into_iter()
        .filter_map(|(id, v)| {
            v.into_iter()
                .max_by_key(|(o, n)| (*n, std::cmp::Reverse(*o)))
                .map(|(o, _)| (id, o.to_owned()))
        })
        .collect()
}

/// Counts for one incident kind.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct KindScore {
    pub emitted: u32,
    pub truth: u32,
    /// True events no sensor of the scenario could see (see [`score_where`]), and how
    /// many of them were raised all the same (by extrapolation, reports).
    pub unseen: u32,
    pub unseen_matched: u32,
    pub matched: u32,
    pub origin_checked: u32,
    pub origin_correct: u32,
    pub suspect_checked: u32,
    pub suspect_first: u32,
}

impl KindScore {
    pub fn precision(&self) -> f64 {
        if self.emitted == 0 {
            1.0
        } else {
            f64::from(self.matched) / f64::from(self.emitted)
        }
    }
    /// Recall over the true events some sensor could see: what attribution (and the
    /// fusion before it) lost, not what the sensor laydown never gave it.
    pub fn recall(&self) -> f64 {
        let seen = self.truth - self.unseen;
        if seen == 0 {
            1.0
        } else {
            f64::from(self.matched - self.unseen_matched) / f64::from(seen)
        }
    }
    /// Recall over every true event, seen or not.
    pub fn recall_all(&self) -> f64 {
        if self.truth == 0 {
            1.0
        } else {
            f64::from(self.matched) / f64::from(self.truth)
        }
    }
    fn add(&mut self, o: &KindScore) {
        self.emitted += o.emitted;
        self.truth += o.truth;
        self.unseen += o.unseen;
        self.unseen_matched += o.unseen_matched;
        self.matched += o.matched;
        self.origin_checked += o.origin_checked;
        self.origin_correct += o.origin_correct;
        self.suspect_checked += o.suspect_checked;
        self.suspect_first += o.suspect_first;
    }
}

/// A run's score: per kind, and the decoy rule.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Score {
    pub kinds: BTreeMap<IncidentKind, KindScore>,
    /// Entries called "from outside" whose object was launched inside (no origin in truth).
    pub decoy_entries_from_outside: u32,
    /// Unmatched incidents and missed events, for the report.
    pub misses: Vec<String>,
}

impl Score {
    pub fn add(&mut self, o: &Score) {
        for (k, s) in &o.kinds {
            self.kinds.entry(*k).or_default().add(s);
        }
        self.decoy_entries_from_outside += o.decoy_entries_from_outside;
        self.misses.extend(o.misses.iter().cloned());
    }

    pub fn emitted(&self) -> u32 {
        self.kinds.values().map(|k| k.emitted).sum()
    }

    /// The table: kind, emitted, true (and of those unseen by any sensor), matched,
    /// precision, recall over the seen events and over all, origin, suspect.
    pub fn table(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "{:<26} {:>7} {:>6} {:>6} {:>7} {:>9} {:>7} {:>7} {:>10} {:>10}",
            "kind",
            "emitted",
            "true",
            "unseen",
            "matched",
            "precision",
            "recall",
            "R(all)",
            "origin ok",
            "suspect#1"
        );
        for (k, s) in &self.kinds {
            let frac = |a: u32, b: u32| {
                if b == 0 {
                    "-".to_owned()
                } else {
                    format!("{a}/{b}")
                }
            };
            let _ = writeln!(
                out,
                "{:<26} {:>7} {:>6} {:>6} {:>7} {:>9.3} {:>7.3} {:>7.3} {:>10} {:>10}",
                k.as_str(),
                s.emitted,
                s.truth,
                s.unseen,
                s.matched,
                s.precision(),
                s.recall(),
                s.recall_all(),
                frac(s.origin_correct, s.origin_checked),
                frac(s.suspect_first, s.suspect_checked)
            );
        }
        let _ = writeln!(
            out,
            "decoys launched inside called entries from outside: {}",
            self.decoy_entries_from_outside
        );
        let _ = writeln!(
            out,
            "(unseen: true events no sensor of the scenario could see — out of range, below the \
             radio horizon; recall counts the others, R(all) every one)"
        );
        out
    }
}

fn tolerance_s(kind: IncidentKind) -> f64 {
    match kind {
        IncidentKind::AirspaceEntry
        | IncidentKind::AirspaceViolation
        | IncidentKind::DroneOverInfrastructure => 180.0,
        IncidentKind::CyberAttack | IncidentKind::InfrastructureDamage => 300.0,
        _ => 1_800.0,
    }
}

fn subject_track(i: &Incident) -> Option<TrackId> {
    i.evidence.items.iter().find_map(|e| match e {
        model::EvidenceItem::Track { track } => Some(*track),
        _ => None,
    })
}

/// Scores `incidents` against `events`; `objects` maps tracks to truth objects,
/// `origins` gives each truth object's origin (empty: launched inside).
pub fn score(
    incidents: &[Incident],
    events: &[TrueEvent],
    objects: &BTreeMap<TrackId, String>,
    origins: &BTreeMap<String, String>,
    label: &str,
) -> Score {
    score_where(incidents, events, objects, origins, label, &|_| true)
}

/// [`score`], with `seen` telling whether some sensor could see a true event (the
/// caller knows its sensors): recall is counted over the events seen, and the
/// others are reported apart.
pub fn score_where(
    incidents: &[Incident],
    events: &[TrueEvent],
    objects: &BTreeMap<TrackId, String>,
    origins: &BTreeMap<String, String>,
    label: &str,
    seen: &dyn Fn(&TrueEvent) -> bool,
) -> Score {
    let mut score = Score::default();
    for kind in IncidentKind::ALL {
        let mine: Vec<&Incident> = incidents.iter().filter(|i| i.kind == kind).collect();
        let truth: Vec<&TrueEvent> = events.iter().filter(|e| e.kind == kind).collect();
        if mine.is_empty() && truth.is_empty() {
            continue;
        }
        let mut used = vec![false; mine.len()];
        let mut s = KindScore {
            emitted: mine.len() as u32,
            truth: truth.len() as u32,
            ..KindScore::default()
        };
        for e in &truth {
            let unseen = !seen(e);
            s.unseen += u32::from(unseen);
            let best = mine
                .iter()
                .enumerate()
                .filter(|(k, _)| !used[*k])
                .filter(|(_, i)| (i.time.seconds_since(e.time)).abs() <= tolerance_s(kind))
                .filter(|(_, i)| e.infrastructure.is_none() || i.infrastructure == e.infrastructure)
                .filter(|(_, i)| {
                    kind != IncidentKind::MassIncursion
                        || i.zones.iter().any(|z| e.zones.contains(z))
                })
                .filter(|(_, i)| {
                    if e.objects.is_empty() || kind == IncidentKind::MassIncursion {
                        return true;
                    }
                    match subject_track(i).and_then(|t| objects.get(&t)) {
                        Some(o) => e.objects.contains(o),
                        None => match (i.position, e.position) {
                            (Some(a), Some(b)) => a.surface_distance_m(&b) < 5_000.0,
                            _ => false,
                        },
                    }
                })
                .min_by(|a, b| {
                    let da = a.1.time.seconds_since(e.time).abs();
                    let db = b.1.time.seconds_since(e.time).abs();
                    da.total_cmp(&db)
                })
                .map(|(k, _)| k);
            let Some(k) = best else {
                if !unseen {
                    score.misses.push(format!(
                        "{label}: missed {} at {} {:?} {:?}",
                        kind.as_str(),
                        e.time,
                        e.objects.first(),
                        e.infrastructure
                    ));
                }
                continue;
            };
            used[k] = true;
            s.matched += 1;
            s.unseen_matched += u32::from(unseen);
            let i = mine[k];
            if let Some(o) = &e.origin {
                s.origin_checked += 1;
                if i.origin.as_ref() == Some(o) {
                    s.origin_correct += 1;
                }
            }
            if kind == IncidentKind::InfrastructureDamage {
                let culprit = events
                    .iter()
                    .filter(|x| {
                        matches!(
                            x.kind,
                            IncidentKind::AnchorDrag | IncidentKind::VesselLoitering
                        )
                    })
                    .filter(|x| x.infrastructure == e.infrastructure && x.time <= e.time)
                    .max_by_key(|x| (x.kind == IncidentKind::AnchorDrag, x.time))
                    .and_then(|x| x.objects.first());
                if let Some(culprit) = culprit {
                    s.suspect_checked += 1;
                    let top = match i.fields.get("suspect_track") {
                        Some(FieldValue::Int(n)) => objects.get(&TrackId(*n as u64)),
                        _ => None,
                    };
                    if top == Some(culprit) {
                        s.suspect_first += 1;
                    }
                }
            }
        }
        for (k, i) in mine.iter().enumerate().filter(|(k, _)| !used[*k]) {
            let _ = k;
            let object = subject_track(i).and_then(|t| objects.get(&t));
            score.misses.push(format!(
                "{label}: unmatched {} at {} track {:?} object {:?} {:?}",
                kind.as_str(),
                i.time,
                subject_track(i).map(|t| t.to_string()),
                object,
                i.infrastructure
            ));
        }
        score.kinds.insert(kind, s);
    }
    score.decoy_entries_from_outside = incidents
        .iter()
        .filter(|i| i.kind == IncidentKind::AirspaceEntry)
        .filter(|i| i.fields.get("entered_from_outside") == Some(&FieldValue::Bool(true)))
        .filter_map(|i| subject_track(i).and_then(|t| objects.get(&t)))
        .filter(|o| origins.get(*o).is_some_and(String::is_empty))
        .count() as u32;
    score
}
