//! The attributor: per-track state, the watermark, emission once per id, and
//! diagnostics. The kind-specific rules live in `air`, `sea`, `damage`, `cyber`.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use model::{Duration, Geodetic, Identity, Incident, SensorId, Time, Track, TrackClass, TrackId};

use crate::evidence::Draft;
use crate::geography::Geography;
use crate::history::{History, Point};
use crate::limits;
use crate::{Config, Input, Report};

/// Something about the input worth showing: what, where, and what was done.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Diagnostic {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub time: Option<Time>,
    /// The input concerned: `track T12`, a STIX id, `report <operator>`.
    pub subject: String,
    pub message: String,
}

/// Counts of what went in and what was done with it.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct Stats {
    pub track_updates: u64,
    pub tracks: u64,
    pub stale_updates: u64,
    pub bad_updates: u64,
    pub track_gaps: u64,
    /// New tracks found to continue a track fusion had lost.
    pub tracks_linked: u64,
    /// Entries (borders, belts, sites) of an object already raised by another track.
    pub duplicates_suppressed: u64,
    pub tracks_dropped: u64,
    pub reports: u64,
    pub stix_objects: u64,
    pub diagnostics_dropped: u64,
}

/// What one run produced.
#[derive(Debug, Clone, Default)]
pub struct Output {
    pub incidents: Vec<Incident>,
    pub diagnostics: Vec<Diagnostic>,
    pub stats: Stats,
}

/// Runs the whole stage over `inputs` (in event-time order).
pub fn attribute(
    config: Config,
    geography: Geography,
    inputs: impl IntoIterator<Item = Input>,
) -> Output {
    let mut a = Attributor::new(config, geography);
    for input in inputs {
        a.push(input);
    }
    a.finish();
    Output {
        incidents: a.take_incidents(),
        diagnostics: a.diagnostics.clone(),
        stats: a.stats.clone(),
    }
}

/// A pending slow, steady passage over a line (a possible anchor drag).
#[derive(Debug, Clone)]
pub(crate) struct DragCandidate {
    pub distance_m: f64,
    pub time: Time,
    pub position: Geodetic,
    pub speed_mps: f64,
    pub course_deg: f64,
    pub course_spread_deg: f64,
    pub length_m: f64,
}

/// A manned aircraft inside protected airspace.
#[derive(Debug, Clone)]
pub(crate) struct Violation {
    pub country: usize,
    pub from: Option<usize>,
    pub time: Time,
    pub position: Geodetic,
    pub depth_m: f64,
    pub deepest: Geodetic,
    pub last: Time,
}

/// The object a track continues: fusion lost it and began a new track where the
/// old one, moved on by its velocity, would be (see [`Attributor::link`]).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Lineage {
    /// The first track of the object.
    pub root: TrackId,
    /// The track this one continues.
    pub predecessor: TrackId,
    /// The object's first detection (the root's), where its origin is looked for.
    pub first: Point,
}

/// A stretch of an air track in another state than the one it was last confirmed
/// in, not yet long or deep enough to be a crossing (see `air::record_crossing`).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Candidate {
    pub country: Option<usize>,
    /// The state the track was confirmed in before.
    pub from: Option<usize>,
    pub time: Time,
    pub position: Geodetic,
    pub after: Point,
    /// A measured update (not a coasted one) fell in the stretch.
    pub measured: bool,
}

/// An air track's crossing into a protected state, whatever its class was then.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Crossing {
    pub country: usize,
    pub from: Option<usize>,
    pub time: Time,
    pub position: Geodetic,
    /// The update just after the crossing.
    pub after: Point,
}

#[derive(Debug, Clone)]
pub(crate) struct TrackState {
    pub id: TrackId,
    pub class: TrackClass,
    pub class_confidence: f64,
    pub cooperative: bool,
    pub identity: Identity,
    pub history: History,
    pub sensors: BTreeSet<SensorId>,
    pub last_update: Time,
    pub quality: f64,
    /// Gaps in the updates (start, length), for the evidence.
    pub gaps: Vec<(Time, Duration)>,
    /// The track this one continues, when it continues one.
    pub lineage: Option<Lineage>,
    /// A later track continues this one.
    pub continued: bool,
    /// Updates that carried a measurement (see [`TrackState::note_measurement`]),
    /// counted over the object (the tracks this one continues too).
    pub measured: u32,
    /// The last update's measurement count and position sigma, to tell a measured
    /// update from a coasted one.
    pub n_updates: u32,
    pub sigma_m: f64,
    // Air.
    /// Entries raised for the object (this track or the ones it continues): (state, time, where).
    pub entries: Vec<(usize, Time, Geodetic)>,
    /// Crossings into protected states seen on this track, hostile or not yet classified.
    pub crossings: Vec<Crossing>,
    /// The state (none: the sea) the track was last confirmed in, and the stretch
    /// in another one not yet confirmed.
    pub home: Option<usize>,
    pub candidate: Option<Candidate>,
    /// The last update was measured (see [`TrackState::note_measurement`]).
    pub last_measured: bool,
    /// An entry no sensor saw was looked for (see `air::unseen_entry`).
    pub unseen_done: bool,
    /// Belt entries waiting for the track to be established: (belt, time, where, origin).
    pub belt_pending: Vec<(usize, Time, Geodetic, Option<String>)>,
    pub belts_in: Vec<bool>,
    pub sites_seen: BTreeSet<usize>,
    /// Buffer entries waiting for the track to be established: (site, time, where).
    pub site_pending: Vec<(usize, Time, Geodetic)>,
    /// Buffers entered, not yet counted: (site, time, where, deeper than the
    /// track's position sigma at its last update).
    pub site_near: Vec<(usize, Time, Geodetic, bool)>,
    /// Buffer entries raised (or found duplicates) by this track: (site, time, where).
    pub site_entries: Vec<(usize, Time, Geodetic)>,
    pub violation: Option<Violation>,
    // Sea.
    pub loiter_since: BTreeMap<usize, Time>,
    pub loiter_fired: BTreeSet<usize>,
    pub drag: BTreeMap<usize, DragCandidate>,
    /// Sites dragged across: (site, time, length).
    pub dragged: Vec<(usize, Time, f64)>,
    /// Closest approach to each site within the suspect radius: (metres, time, where).
    pub closest: BTreeMap<usize, (f64, Time, Geodetic)>,
    pub dark: Option<Time>,
    /// A surface object: classified a vessel, or reported as a surface contact.
    pub surface: bool,
}

impl TrackState {
    fn new(t: &Track, first: Point, step_s: f64, n_belts: usize) -> TrackState {
        TrackState {
            id: t.id,
            class: t.class,
            class_confidence: t.class_confidence,
            cooperative: t.cooperative,
            identity: t.identity.clone(),
            history: History::new(first, step_s),
            sensors: t.sensors.iter().cloned().collect(),
            last_update: t.time,
            quality: t.quality,
            gaps: Vec::new(),
            lineage: None,
            continued: false,
            measured: 1,
            n_updates: t.n_updates,
            sigma_m: t.position_sigma_m,
            entries: Vec::new(),
            crossings: Vec::new(),
            home: first.country,
            candidate: None,
            last_measured: true,
            unseen_done: false,
            belt_pending: Vec::new(),
            belts_in: vec![false; n_belts],
            sites_seen: BTreeSet::new(),
            site_pending: Vec::new(),
            site_near: Vec::new(),
            site_entries: Vec::new(),
            violation: None,
            loiter_since: BTreeMap::new(),
            loiter_fired: BTreeSet::new(),
            drag: BTreeMap::new(),
            dragged: Vec::new(),
            closest: BTreeMap::new(),
            dark: None,
            surface: is_surface(t),
        }
    }

    pub fn is_sea(&self) -> bool {
        self.surface
    }

    /// The object's first detection: this track's, or the first track's it continues.
    pub fn first(&self) -> Point {
        self.lineage.map_or(self.history.first, |l| l.first)
    }

    /// Followed long enough to be an object, not a false track from clutter:
    /// [`ESTABLISHED_S`] since the object's first detection, a few kept updates, and
    /// [`ESTABLISHED_MEASURED`] measured ones (a false track born of a few clutter
    /// plots coasts on for minutes, its measurement count stuck where it began).
    pub fn established(&self) -> bool {
        self.last_update.seconds_since(self.first().time) >= ESTABLISHED_S
            && (self.lineage.is_some() || self.history.len() >= 4)
            && self.measured >= ESTABLISHED_MEASURED
    }

    /// Counts `t` as measured when fusion's measurement count grew, or when it
    /// did not and the position did not grow less certain (a source that counts
    /// nothing, like tracks made from the truth); a coasted update is neither.
    fn note_measurement(&mut self, t: &Track) {
        let grew = t.n_updates > self.n_updates;
        let steady = t.n_updates == self.n_updates && t.position_sigma_m <= self.sigma_m;
        self.last_measured = grew || steady;
        if self.last_measured {
            self.measured = self.measured.saturating_add(1);
        }
        self.n_updates = t.n_updates;
        self.sigma_m = t.position_sigma_m;
    }

    /// The object: the first track of the lineage.
    pub fn root(&self) -> TrackId {
        self.lineage.map_or(self.id, |l| l.root)
    }

    pub fn label(&self) -> String {
        let mut s = self.id.to_string();
        if let Some(m) = self.identity.mmsi {
            s.push_str(&format!(" (MMSI {m})"));
        } else if let Some(c) = &self.identity.callsign {
            s.push_str(&format!(" ({c})"));
        }
        s
    }
}

/// A vessel whose AIS went silent: kept to put a name on a dark track later.
#[derive(Debug, Clone)]
pub(crate) struct DarkVessel {
    pub track: TrackId,
    pub mmsi: u32,
    pub time: Time,
    pub position: Geodetic,
}

/// One entry into a border belt: time, track, where, the object's origin.
pub(crate) type BeltEntry = (Time, TrackId, Geodetic, Option<String>);

/// The streaming stage. Push inputs in event-time order, then `finish`.
#[derive(Debug)]
pub struct Attributor {
    pub(crate) config: Config,
    pub(crate) geo: Geography,
    /// Per country index: is it protected?
    pub(crate) protected: Vec<bool>,
    /// Indices of border-belt zones.
    pub(crate) belts: Vec<usize>,
    pub(crate) tracks: BTreeMap<TrackId, TrackState>,
    /// Per belt: recent entries (time, track, origin) and how many were already counted.
    pub(crate) belt_entries: Vec<VecDeque<BeltEntry>>,
    pub(crate) belt_counted: Vec<usize>,
    pub(crate) dark: VecDeque<DarkVessel>,
    /// Silent vessels whose going dark was confirmed (emitted once).
    pub(crate) dark_confirmed: BTreeSet<TrackId>,
    pub(crate) stix: Vec<feeds::stix::StixObject>,
    pub(crate) stix_pending: bool,
    pub(crate) stix_done: BTreeSet<String>,
    pub(crate) emitted: BTreeSet<model::IncidentId>,
    /// CoT sightings already reported: (uid, site, hour).
    pub(crate) sightings: BTreeSet<(String, usize, i64)>,
    pub(crate) watermark: Time,
    next_sweep: Time,
    pub(crate) out: Vec<Incident>,
    pub(crate) diagnostics: Vec<Diagnostic>,
    pub(crate) stats: Stats,
}

/// An air track raises entries only once followed this long (clutter makes short
/// false tracks that cross borders); the entries keep the crossing's time.
pub(crate) const ESTABLISHED_S: f64 = 120.0;
/// ... and confirmed by this many measured updates (a real track gets one every
/// few seconds; clutter's false tracks, started on four plots, a couple more at most).
pub(crate) const ESTABLISHED_MEASURED: u32 = 8;

/// A new air track continues one that fell silent at most this long before ...
pub(crate) const LINK_GAP_S: f64 = 180.0;
/// ... and whose last state, moved on by its velocity, lies this close to the new
/// track's first update (plus a share of the distance flown since) ...
const LINK_GATE_M: f64 = 2_000.0;
const LINK_GATE_SHARE: f64 = 0.15;
/// ... at a velocity not more different than this (or 60 % of the speed).
const LINK_DV_MPS: f64 = 25.0;
/// A turning manned aircraft's continuation lies within this share of the
/// distance it flew since (a little over its reach: speed estimates are rough).
const LINK_REACH: f64 = 1.2;
/// ... when it began this soon after (fusion confirms a new track on 4 plots of
/// 5, 30 s of radar revisits; later, another fighter of a flight may be within reach).
const LINK_TURN_GAP_S: f64 = 60.0;
/// ... counting this much more flight: the lost track's last estimate lags the
/// turning aircraft (its new track may begin the moment the old one ends, 3 km off).
const LINK_TURN_SLACK_S: f64 = 10.0;

/// An update more than this after the last one is a gap in the track.
const AIR_GAP_S: f64 = 60.0;
const SEA_GAP_S: f64 = 1800.0;
/// The periodic sweep (AIS-dark vessels, violations whose track was lost) runs at
/// most this often (event time).
const SWEEP_EVERY: Duration = Duration::from_secs(60);

impl Attributor {
    pub fn new(config: Config, geo: Geography) -> Attributor {
        let protected = geo
            .countries
            .iter()
            .map(|c| config.protected.contains(&c.id))
            .collect();
        let belts: Vec<usize> = geo
            .zones
            .iter()
            .enumerate()
            .filter(|(_, z)| z.kind == pact::syntax::ZoneKind::BorderBelt)
            .map(|(i, _)| i)
            .collect();
        let n_belts = belts.len();
        Attributor {
            config,
            geo,
            protected,
            belts,
            tracks: BTreeMap::new(),
            belt_entries: vec![VecDeque::new(); n_belts],
            belt_counted: vec![0; n_belts],
            dark: VecDeque::new(),
            dark_confirmed: BTreeSet::new(),
            stix: Vec::new(),
            stix_pending: false,
            stix_done: BTreeSet::new(),
            emitted: BTreeSet::new(),
            sightings: BTreeSet::new(),
            watermark: Time::UNIX_EPOCH,
            next_sweep: Time::UNIX_EPOCH,
            out: Vec::new(),
            diagnostics: Vec::new(),
            stats: Stats::default(),
        }
    }

    pub fn push(&mut self, input: Input) {
        if !matches!(input, Input::Stix(_)) && self.stix_pending {
            self.resolve_stix();
        }
        if let Some(t) = input.time() {
            self.watermark = self.watermark.max(t);
        }
        match input {
            Input::Track(t) => self.track(t),
            Input::Report(r) => {
                self.stats.reports += 1;
                self.report(r);
            }
            Input::Stix(o) => {
                self.stats.stix_objects += 1;
                if self.stix.len() >= limits::stix_objects_max {
                    self.diagnose(
                        None,
                        o.common.id.clone(),
                        "STIX object store full; object dropped",
                    );
                } else {
                    self.stix.push(*o);
                    self.stix_pending = true;
                }
            }
        }
        if self.watermark >= self.next_sweep {
            self.next_sweep = self.watermark + SWEEP_EVERY;
            crate::sea::scan_dark(self);
            crate::air::close_lost_violations(self);
        }
    }

    /// Ends the input: resolves pending STIX, closes open violations and drags.
    pub fn finish(&mut self) {
        if self.stix_pending {
            self.resolve_stix();
        }
        crate::sea::scan_dark(self);
        let ids: Vec<TrackId> = self.tracks.keys().copied().collect();
        for id in ids {
            crate::air::close_violation(self, id, None);
            crate::sea::flush_drags(self, id);
        }
    }

    pub fn take_incidents(&mut self) -> Vec<Incident> {
        std::mem::take(&mut self.out)
    }

    pub fn diagnostics(&self) -> &[Diagnostic] {
        &self.diagnostics
    }

    pub fn stats(&self) -> &Stats {
        &self.stats
    }

    pub(crate) fn diagnose(&mut self, time: Option<Time>, subject: String, message: &str) {
        if self.diagnostics.len() >= limits::diagnostics_max {
            self.stats.diagnostics_dropped += 1;
            return;
        }
        self.diagnostics.push(Diagnostic {
            time,
            subject,
            message: message.to_owned(),
        });
    }

    /// Emits a draft once (by id), at the current watermark.
    pub(crate) fn emit(&mut self, draft: Draft) {
        let incident = draft.finish(self.watermark);
        if self.emitted.contains(&incident.id) {
            return;
        }
        if self.emitted.len() < limits::emitted_ids_max {
            self.emitted.insert(incident.id.clone());
        }
        self.out.push(incident);
    }

    fn track(&mut self, t: Track) {
        self.stats.track_updates += 1;
        let finite = t.position.is_valid()
            && t.velocity.ve_mps.is_finite()
            && t.velocity.vn_mps.is_finite()
            && t.velocity.vu_mps.is_finite();
        if !finite {
            self.stats.bad_updates += 1;
            self.diagnose(
                Some(t.time),
                format!("track {}", t.id),
                "position or velocity not finite or off the globe; update ignored",
            );
            return;
        }
        let point = Point {
            time: t.time,
            position: t.position,
            velocity: t.velocity,
            country: self.geo.country_at(&t.position),
        };
        let sea = is_surface(&t);
        let step = if sea {
            limits::history_sea_step_s
        } else {
            limits::history_air_step_s
        };
        if !self.tracks.contains_key(&t.id) {
            if self.tracks.len() >= limits::tracks_max {
                self.drop_oldest_track();
            }
            self.stats.tracks += 1;
            let state = TrackState::new(&t, point, step, self.belts.len());
            self.tracks.insert(t.id, state);
            if !sea {
                self.link(t.id, &point);
            }
            crate::air::first_point(self, t.id, &point);
            return;
        }
        let Some(state) = self.tracks.get_mut(&t.id) else {
            return;
        };
        if t.time <= state.last_update {
            self.stats.stale_updates += 1;
            return;
        }
        let gap_s = t.time.seconds_since(state.last_update);
        if gap_s > if sea { SEA_GAP_S } else { AIR_GAP_S } {
            self.stats.track_gaps += 1;
            if state.gaps.len() < 8 {
                state
                    .gaps
                    .push((state.last_update, t.time - state.last_update));
            }
        }
        state.note_measurement(&t);
        state.class = t.class;
        state.surface |= sea;
        state.class_confidence = t.class_confidence;
        state.cooperative |= t.cooperative;
        merge_identity(&mut state.identity, &t.identity);
        for s in &t.sensors {
            if state.sensors.len() < 64 {
                state.sensors.insert(s.clone());
            }
        }
        state.last_update = t.time;
        state.quality = t.quality;
        let prev = *state.history.last();
        // Own and allied forces (a CoT `a-f-...` report: the patrol boat itself) are
        // not suspects: their slow patrols over a cable are the watch, not a threat.
        let friendly = t
            .identity
            .reported_type
            .as_deref()
            .is_some_and(|r| r.starts_with("a-f-"));
        if sea {
            if !friendly {
                crate::sea::update(self, t.id, &prev, &point);
                if t.identity.mmsi.is_none() {
                    crate::sea::confirm_dark(self, t.id);
                }
            }
        } else if t.class.is_air() || t.class == TrackClass::Unknown {
            // Unknown too: its crossings are kept until its class is known.
            crate::air::update(self, t.id, &prev, &point);
        }
        if let Some(state) = self.tracks.get_mut(&t.id) {
            state.history.push(point);
        }
    }

    /// Links a new air track to the track it continues, if any: an air track not
    /// updated after `point`'s time (or a duplicate updated just now), at most
    /// [`LINK_GAP_S`] old, whose last state moved on by its velocity lies within
    /// [`LINK_GATE_M`] (plus a share of the distance flown) of the new track's first
    /// update, the nearest such. The new track takes over what was raised for the
    /// object (entries, sites, belts, an open violation) and its first detection,
    /// so one object is one incident however often fusion loses it.
    fn link(&mut self, id: TrackId, point: &Point) {
        let mut best: Option<(f64, TrackId)> = None;
        let identified = self
            .tracks
            .get(&id)
            .is_some_and(|s| s.identity.icao24.is_some());
        for (other, s) in &self.tracks {
            if *other == id || s.continued || s.surface {
                continue;
            }
            let gap_s = point.time.seconds_since(s.last_update);
            if !(0.0..=LINK_GAP_S).contains(&gap_s) {
                continue;
            }
            let last = s.history.last();
            let moved = crate::geography::offset(
                &last.position,
                last.velocity.ve_mps * gap_s,
                last.velocity.vn_mps * gap_s,
            );
            let d = moved.surface_distance_m(&point.position);
            let gate = LINK_GATE_M + LINK_GATE_SHARE * last.speed_mps() * gap_s;
            let dv = (last.velocity.ve_mps - point.velocity.ve_mps)
                .hypot(last.velocity.vn_mps - point.velocity.vn_mps);
            // A fresh track's velocity is rough: only a gross mismatch rules it out.
            let speed = last.speed_mps().max(point.speed_mps());
            let straight = d <= gate && dv <= LINK_DV_MPS.max(0.6 * speed);
            // A manned aircraft without a transponder that turned while fusion lost
            // it (a fighter turns 40° in one radar revisit): its continuation lies
            // within its reach, at about its speed, whatever the heading. Fast
            // unmanned flyers come in waves on one path, where reach is ambiguous.
            let turned = !identified
                && gap_s <= LINK_TURN_GAP_S
                && s.class == TrackClass::MannedAircraft
                && s.identity.icao24.is_none()
                && last.position.surface_distance_m(&point.position)
                    <= LINK_GATE_M + LINK_REACH * last.speed_mps() * (gap_s + LINK_TURN_SLACK_S)
                && (last.speed_mps() - point.speed_mps()).abs() <= LINK_DV_MPS.max(0.3 * speed);
            if (straight || turned) && best.is_none_or(|b| d < b.0) {
                best = Some((d, *other));
            }
        }
        let Some((_, pred)) = best else { return };
        let Some(p) = self.tracks.get_mut(&pred) else {
            return;
        };
        let last = *p.history.last();
        p.continued = true;
        let lineage = Lineage {
            root: p.root(),
            predecessor: pred,
            first: p.first(),
        };
        let entries = p.entries.clone();
        // What the lost track saw but had not raised yet (it was not established):
        // the object's, raised by its continuation.
        let crossings = std::mem::take(&mut p.crossings);
        let belt_pending = std::mem::take(&mut p.belt_pending);
        let site_pending = std::mem::take(&mut p.site_pending);
        let (home, candidate, unseen_done) = (p.home, p.candidate, p.unseen_done);
        let sites = p.sites_seen.clone();
        let belts_in = p.belts_in.clone();
        let violation = p.violation.take();
        let measured = p.measured;
        let (class, confidence) = (p.class, p.class_confidence);
        let (identity, cooperative) = (p.identity.clone(), p.cooperative);
        let Some(s) = self.tracks.get_mut(&id) else {
            return;
        };
        s.lineage = Some(lineage);
        s.measured = s.measured.saturating_add(measured);
        s.entries = entries;
        s.home = home;
        s.candidate = candidate;
        s.unseen_done = unseen_done;
        s.crossings.splice(0..0, crossings);
        s.crossings.truncate(crate::air::CROSSINGS_MAX);
        s.belt_pending.splice(0..0, belt_pending);
        s.belt_pending.truncate(crate::air::CROSSINGS_MAX);
        s.site_pending.splice(0..0, site_pending);
        s.site_pending.truncate(crate::air::CROSSINGS_MAX);
        s.sites_seen.extend(sites);
        for (k, b) in belts_in.into_iter().enumerate() {
            if let Some(x) = s.belts_in.get_mut(k) {
                *x |= b;
            }
        }
        s.violation = violation;
        // The same object: what it said about itself still holds (an airliner's ICAO
        // address on its ADS-B track, a vessel's MMSI).
        merge_identity(&mut s.identity, &identity);
        s.cooperative |= cooperative;
        if s.class == TrackClass::Unknown && class != TrackClass::Unknown {
            s.class = class;
            s.class_confidence = confidence;
        }
        self.stats.tracks_linked += 1;
        // The object may have crossed a border while fusion had lost it.
        crate::air::record_crossing(self, id, &last, point);
    }

    fn drop_oldest_track(&mut self) {
        let oldest = self
            .tracks
            .values()
            .min_by_key(|s| (s.last_update, s.id))
            .map(|s| s.id);
        if let Some(id) = oldest {
            self.tracks.remove(&id);
            self.stats.tracks_dropped += 1;
        }
    }

    fn report(&mut self, r: Report) {
        match r {
            Report::Sighting {
                source,
                uid,
                time,
                position,
                cot_type,
            } => {
                if !position.is_valid() {
                    self.diagnose(
                        Some(time),
                        format!("report {uid}"),
                        "position off the globe; ignored",
                    );
                    return;
                }
                crate::air::sighting(self, &source, &uid, time, &position, &cot_type);
            }
            Report::Fault {
                operator,
                time,
                infrastructure,
                position,
                text,
            } => {
                crate::damage::fault(
                    self,
                    &operator,
                    time,
                    infrastructure.as_deref(),
                    position,
                    &text,
                    None,
                );
            }
        }
    }

    fn resolve_stix(&mut self) {
        self.stix_pending = false;
        crate::cyber::resolve(self);
    }
}

/// A vessel, or an unclassified surface contact (a CoT `a-?-S` report, a surface band).
fn is_surface(t: &Track) -> bool {
    let cot_surface =
        t.identity.reported_type.as_deref().is_some_and(|r| {
            r.len() >= 5 && r.starts_with("a-") && r.as_bytes().get(4) == Some(&b'S')
        });
    t.class == TrackClass::Vessel
        || (t.class == TrackClass::Unknown
            && (t.band == model::AltitudeBand::Surface || cot_surface))
}

/// Keeps what a track ever said about itself; later values fill gaps, never erase.
fn merge_identity(into: &mut Identity, from: &Identity) {
    into.icao24 = into.icao24.or(from.icao24);
    into.mmsi = into.mmsi.or(from.mmsi);
    if into.callsign.is_none() {
        into.callsign.clone_from(&from.callsign);
    }
    if into.cot_uid.is_none() {
        into.cot_uid.clone_from(&from.cot_uid);
    }
    if into.reported_type.is_none() {
        into.reported_type.clone_from(&from.reported_type);
    }
}
