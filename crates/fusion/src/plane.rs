//! The tracker loop in one flat plane: predict, hypothesise, associate,
//! update, initiate, delete — each step a swappable role.

use model::{Identity, Time};
use rayon::prelude::*;

use crate::associator::{Assoc, Association, Associator, Gnn, Jpda};
use crate::classify::{Kinematics, by_identity, by_kinematics, process_noise};
use crate::deleter::{Deleter, MissesOrCovariance};
use crate::hypothesiser::{Gate, GateInput, GridGate, Hypothesis, Hypothesiser, RTreeGate};
use crate::initiator::{Initiator, MOfN};
use crate::limits::PLANE_TRACKS_MAX;
use crate::predictor::{ImmCvCt, KalmanCv, Predictor};
use crate::state::{Filter, Plot, TrackState};
use crate::updater::{KalmanPosition, Updater, pda_update};

/// Which motion model the predictor uses.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Motion {
    /// Nearly constant velocity (Stone Soup's harness model).
    Cv,
    /// IMM of constant velocity and coordinated turns.
    ImmCvCt(ImmCvCt),
}

/// Which associator.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Association_ {
    Gnn,
    /// JPDA with detection probability and clutter density (per m²).
    Jpda {
        pd: f64,
        clutter_density: f64,
    },
}
pub use Association_ as AssociationKind;

/// Which spatial index gates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SpatialIndex {
    Grid,
    RTree,
}

/// Everything a plane tracker is configured by (house style: a struct, no flags).
#[derive(Debug, Clone, Copy)]
pub struct TrackerConfig {
    pub motion: Motion,
    pub association: AssociationKind,
    pub spatial_index: SpatialIndex,
    pub gate: Gate,
    pub grid_cell_m: f64,
    pub initiator: MOfN,
    pub deleter: MissesOrCovariance,
    /// Process noise of unclassified tracks, m²/s³.
    pub default_q: f64,
    /// Let the class choose each track's process noise.
    pub noise_by_class: bool,
    /// End a confirmed track that has become a copy of an older one.
    pub merge: Option<Merge>,
}

/// When two confirmed tracks are one target: their positions closer than
/// `mahalanobis` under the sum of their covariances (and than `distance_max_m`)
/// and their velocities within `velocity_mps`. Two sensors with different
/// registration errors, or a plot that started a tentative beside a track it
/// fell outside the gate of, give one target two tracks; they then share its
/// plots and break each other. The younger is ended (the older keeps the
/// number); tracks with two different cooperative identities never merge.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Merge {
    pub mahalanobis: f64,
    pub distance_max_m: f64,
    pub velocity_mps: f64,
}

impl Default for Merge {
    fn default() -> Self {
        Merge {
            mahalanobis: 2.0,
            distance_max_m: 3_000.0,
            velocity_mps: 20.0,
        }
    }
}

impl Default for TrackerConfig {
    fn default() -> Self {
        TrackerConfig {
            motion: Motion::Cv,
            association: AssociationKind::Gnn,
            spatial_index: SpatialIndex::Grid,
            gate: Gate::default(),
            grid_cell_m: 2_000.0,
            initiator: MOfN::default(),
            deleter: MissesOrCovariance::default(),
            default_q: 0.5,
            noise_by_class: true,
            merge: None,
        }
    }
}

/// The six roles, chosen once from the configuration.
#[derive(Debug)]
pub struct Roles {
    pub predictor: Box<dyn Predictor>,
    pub updater: Box<dyn Updater>,
    pub hypothesiser: Box<dyn Hypothesiser>,
    pub associator: Box<dyn Associator>,
    pub initiator: Box<dyn Initiator>,
    pub deleter: Box<dyn Deleter>,
}

impl Roles {
    pub fn from_config(c: &TrackerConfig) -> Roles {
        let predictor: Box<dyn Predictor> = match c.motion {
            Motion::Cv => Box::new(KalmanCv),
            Motion::ImmCvCt(imm) => Box::new(imm),
        };
        let hypothesiser: Box<dyn Hypothesiser> = match c.spatial_index {
            SpatialIndex::Grid => Box::new(GridGate {
                gate: c.gate,
                cell_m: c.grid_cell_m,
            }),
            SpatialIndex::RTree => Box::new(RTreeGate { gate: c.gate }),
        };
        let gnn = Gnn {
            missed_distance: c.gate.mahalanobis,
        };
        let associator: Box<dyn Associator> = match c.association {
            AssociationKind::Gnn => Box::new(gnn),
            AssociationKind::Jpda {
                pd,
                clutter_density,
            } => Box::new(Jpda {
                pd,
                pg: 0.999,
                clutter_density,
                fallback: gnn,
            }),
        };
        Roles {
            predictor,
            updater: Box::new(KalmanPosition),
            hypothesiser,
            associator,
            initiator: Box::new(c.initiator),
            deleter: Box::new(c.deleter),
        }
    }
}

/// Which tracks a scan looked at: only those count a hit or a miss from it
/// (for M-of-N confirmation and deletion). A scan of the whole volume (the
/// harness's sensors) looks at every track; a slice of a rotating radar's
/// sweep looks only at the tracks its beam passed; a batch of position reports
/// (ADS-B, AIS, CoT, partner tracks) says nothing about the tracks it did not
/// report, so it looks at none but those it hits. Without this, every report
/// or radar slice counted a miss against every track elsewhere, and a
/// multi-sensor picture could neither confirm nor keep a track.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Coverage {
    /// The whole volume (every scan sees every track it can).
    All,
    /// Only the tracks a plot of the scan updates.
    Hits,
    /// The clockwise arc of azimuths from `from` to `to` (unit vectors in
    /// this plane's east-north axes) around a radar at `origin`; `wide` when
    /// the arc is wider than half a turn.
    Sweep {
        origin: crate::state::Vec2,
        from: crate::state::Vec2,
        to: crate::state::Vec2,
        wide: bool,
    },
}

impl Coverage {
    /// A radar's sweep of `width_rad` clockwise from azimuth `from_rad`, where
    /// its north points `north_rad` clockwise of this plane's.
    pub fn sweep(
        origin: crate::state::Vec2,
        north_rad: f64,
        from_rad: f64,
        width_rad: f64,
    ) -> Self {
        let unit = |a: f64| {
            let (s, c) = (a + north_rad).sin_cos();
            crate::state::Vec2::new(s, c)
        };
        Coverage::Sweep {
            origin,
            from: unit(from_rad),
            to: unit(from_rad + width_rad),
            wide: width_rad > std::f64::consts::PI,
        }
    }

    /// Did the scan look at a track at `p`? (Cross products, no angles: this
    /// runs for every track of a plane in every radar slice.)
    fn looks_at(&self, p: crate::state::Vec2) -> bool {
        match *self {
            Coverage::All => true,
            Coverage::Hits => false,
            Coverage::Sweep {
                origin,
                from,
                to,
                wide,
            } => {
                let d = p - origin;
                // sin of the clockwise angle from `a` to `d`, times |d|.
                let cw = |a: crate::state::Vec2| d.x * a.y - d.y * a.x;
                let after_from = cw(from) >= 0.0;
                let before_to = cw(to) <= 0.0;
                if wide {
                    after_from || before_to
                } else {
                    after_from && before_to
                }
            }
        }
    }
}

/// Counters of one plane.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PlaneStats {
    pub scans: u64,
    pub plots: u64,
    pub updates: u64,
    pub confirmed: u64,
    pub deleted: u64,
    pub tracks_full: u64,
}

/// Buffers reused from scan to scan so a steady state allocates little.
#[derive(Debug, Default)]
struct Scratch {
    gate_inputs: Vec<GateInput>,
    hyps: Vec<Hypothesis>,
    assoc: Association,
    unused: Vec<Plot>,
}

/// A multi-target tracker in one plane.
#[derive(Debug)]
pub struct PlaneTracker {
    config: TrackerConfig,
    roles: Roles,
    tracks: Vec<TrackState>,
    tentatives: Vec<TrackState>,
    scratch: Scratch,
    stats: PlaneStats,
}

/// What one scan changed.
#[derive(Debug, Default)]
pub struct StepOutcome {
    /// Tracks confirmed in this scan: the last `n_confirmed` of [`PlaneTracker::tracks`],
    /// with id 0 until the caller numbers them ([`PlaneTracker::number_new`]).
    pub n_confirmed: usize,
    pub deleted: Vec<TrackState>,
}

impl PlaneTracker {
    pub fn new(config: TrackerConfig) -> PlaneTracker {
        PlaneTracker {
            roles: Roles::from_config(&config),
            config,
            tracks: Vec::new(),
            tentatives: Vec::new(),
            scratch: Scratch::default(),
            stats: PlaneStats::default(),
        }
    }

    /// Confirmed tracks, in order of confirmation.
    pub fn tracks(&self) -> &[TrackState] {
        &self.tracks
    }

    pub fn tentatives(&self) -> &[TrackState] {
        &self.tentatives
    }

    pub fn stats(&self) -> &PlaneStats {
        &self.stats
    }

    pub fn roles(&self) -> &Roles {
        &self.roles
    }

    /// Gives the tracks confirmed in the last step consecutive numbers from `next_id`.
    pub fn number_new(&mut self, n_confirmed: usize, next_id: &mut u64) {
        let n = self.tracks.len();
        for t in &mut self.tracks[n - n_confirmed..] {
            t.id = *next_id;
            *next_id += 1;
        }
    }

    /// Takes a track handed over from another plane (already in this plane's frame).
    pub fn adopt(&mut self, track: TrackState) {
        self.tracks.push(track);
    }

    /// Removes and returns the confirmed tracks `leave` selects (for hand-over).
    pub fn release(&mut self, mut leave: impl FnMut(&TrackState) -> bool) -> Vec<TrackState> {
        if !self.tracks.iter().any(&mut leave) {
            return Vec::new();
        }
        let (gone, kept) = std::mem::take(&mut self.tracks)
            .into_iter()
            .partition(leave);
        self.tracks = kept;
        gone
    }

    /// One scan: plots of one sensor at `time` (each plot may be up to a
    /// frame earlier, `Plot::dt_s`). `identities[plot.source_idx]` is the
    /// identity a plot's observation carried.
    pub fn step(
        &mut self,
        time: Time,
        sensor: Option<u16>,
        plots: &[Plot],
        identities: &[Identity],
    ) -> StepOutcome {
        self.step_covering(time, sensor, Coverage::All, plots, identities)
    }

    /// [`PlaneTracker::step`] for a scan that looked only at part of the
    /// volume: hits and misses count only for the tracks `coverage` looked at.
    pub fn step_covering(
        &mut self,
        time: Time,
        sensor: Option<u16>,
        coverage: Coverage,
        plots: &[Plot],
        identities: &[Identity],
    ) -> StepOutcome {
        self.stats.scans += 1;
        self.stats.plots += plots.len() as u64;
        let ctx = Ctx {
            roles: &self.roles,
            config: &self.config,
            time,
            sensor,
            coverage,
            identities,
        };
        ctx.associate_and_update(&mut self.tracks, false, plots, &mut self.scratch);
        // Plots the confirmed tracks left, for the tentatives; a buffer kept
        // across scans (moved out while the tentatives borrow the scratch).
        let mut unused = std::mem::take(&mut self.scratch.unused);
        unused.clear();
        unused.extend(
            plots
                .iter()
                .zip(&self.scratch.assoc.plot_used)
                .filter(|(_, u)| !**u)
                .map(|(p, _)| *p),
        );
        ctx.associate_and_update(&mut self.tentatives, true, &unused, &mut self.scratch);
        let mut kept = 0;
        for i in 0..unused.len() {
            if !self.scratch.assoc.plot_used[i] && unused[i].home {
                unused[kept] = unused[i];
                kept += 1;
            }
        }
        unused.truncate(kept);
        let room = PLANE_TRACKS_MAX.saturating_sub(self.tracks.len() + self.tentatives.len());
        if unused.len() > room {
            self.stats.tracks_full += (unused.len() - room) as u64;
            unused.truncate(room);
        }
        let mut confirmed = Vec::new();
        self.roles
            .initiator
            .initiate(&mut self.tentatives, &unused, time, &mut confirmed);
        self.scratch.unused = unused;
        let n_new = confirmed.len();
        self.stats.confirmed += n_new as u64;
        self.tracks.extend(confirmed);
        let mut deleted = Vec::new();
        self.roles
            .deleter
            .delete(&mut self.tracks, time, &mut deleted);
        if let Some(m) = self.config.merge {
            merge_copies(&mut self.tracks, time, &m, &mut deleted);
        }
        // The new tracks that survived deletion are still the last ones, unnumbered.
        let n_confirmed = self
            .tracks
            .iter()
            .rev()
            .take(n_new)
            .take_while(|t| t.id == 0)
            .count();
        self.stats.deleted += deleted.len() as u64;
        self.stats.updates += self.tracks.iter().filter(|t| t.last_update == time).count() as u64;
        StepOutcome {
            n_confirmed,
            deleted,
        }
    }
}

/// What every role call of one scan shares.
struct Ctx<'a> {
    roles: &'a Roles,
    config: &'a TrackerConfig,
    time: Time,
    sensor: Option<u16>,
    coverage: Coverage,
    identities: &'a [Identity],
}

impl Ctx<'_> {
    /// Predicts, gates, associates and updates one set of tracks; which plots
    /// were used is left in `s.assoc.plot_used`.
    ///
    /// Prediction is in place: every track of the set is moved to the scan
    /// time whatever the association, so the predicted filter simply
    /// replaces the old one and no copy of the set is made. Gating reads a
    /// compact [`GateInput`] per track written in the same parallel pass.
    fn associate_and_update(
        &self,
        set: &mut [TrackState],
        tentative: bool,
        plots: &[Plot],
        s: &mut Scratch,
    ) {
        let predictor = &*self.roles.predictor;
        let time = self.time;
        set.par_iter_mut()
            .with_min_len(512)
            .map(|t| {
                predictor.predict_in_place(&mut t.filter, t.q, time.seconds_since(t.time));
                t.time = time;
                GateInput::of(&t.filter, t.identity_key)
            })
            .collect_into_vec(&mut s.gate_inputs);
        s.hyps.clear();
        self.roles
            .hypothesiser
            .hypothesise(&s.gate_inputs, plots, &mut s.hyps);
        self.roles
            .associator
            .associate(set.len(), plots.len(), &s.hyps, &mut s.assoc);
        let assoc = &s.assoc;
        set.par_iter_mut()
            .with_min_len(512)
            .zip(assoc.per_track.par_iter())
            .for_each(|(t, a)| self.apply(t, a, assoc, plots, tentative));
    }

    fn apply(
        &self,
        t: &mut TrackState,
        a: &Assoc,
        assoc: &Association,
        plots: &[Plot],
        tentative: bool,
    ) {
        let hit = match *a {
            Assoc::Missed => false,
            Assoc::Plot(p) => {
                let plot = &plots[p as usize];
                t.filter = self.update_at(&t.filter, t.q, plot);
                self.note(t, plot);
                true
            }
            Assoc::Pda { start, len, beta0 } => {
                let w = &assoc.weights[start as usize..(start + len) as usize];
                let weighted: Vec<(Plot, f64)> =
                    w.iter().map(|&(p, b)| (plots[p as usize], b)).collect();
                t.filter = pda_update(&t.filter, &weighted, beta0);
                if let Some(best) = w.iter().max_by(|a, b| a.1.total_cmp(&b.1)) {
                    self.note(t, &plots[best.0 as usize]);
                }
                beta0 < 0.5
            }
        };
        // A sensor that never saw this track does not count a miss against it,
        // nor does a scan that did not look where the track is.
        let seen_by = |t: &TrackState| self.sensor.is_none_or(|s| t.sensors.contains(&s));
        let counts = hit
            || match self.coverage {
                Coverage::All => tentative || seen_by(t),
                Coverage::Hits => false,
                Coverage::Sweep { .. } => {
                    seen_by(t) && self.coverage.looks_at(t.filter.est.position())
                }
            };
        if counts {
            t.age_scans = t.age_scans.saturating_add(1);
            t.history = (t.history << 1) | u32::from(hit);
            t.misses_in_row = if hit { 0 } else { t.misses_in_row + 1 };
        }
        if hit {
            t.n_updates += 1;
            t.last_update = self.time;
            self.reclassify(t);
        }
    }

    /// The update at the plot's own time when it is earlier than the scan's.
    fn update_at(&self, pred: &Filter, q: f64, plot: &Plot) -> Filter {
        let updater = &*self.roles.updater;
        if plot.dt_s == 0.0 {
            return updater.update(pred, plot);
        }
        let predictor = &*self.roles.predictor;
        let at_plot = predictor.predict(pred, q, plot.dt_s);
        predictor.predict(&updater.update(&at_plot, plot), q, -plot.dt_s)
    }

    fn note(&self, t: &mut TrackState, plot: &Plot) {
        t.note_sensor(plot.sensor);
        if t.identity_key == 0 {
            t.identity_key = plot.identity_key;
        }
        if let Some(id) = self.identities.get(plot.source_idx as usize) {
            merge_identity(&mut t.identity, id);
        }
    }

    fn reclassify(&self, t: &mut TrackState) {
        let k = Kinematics {
            speed_mps: t.filter.est.velocity().norm(),
            height_m: t.filter.height.map(|h| h.mean[0]),
            climb_mps: t.filter.height.map_or(0.0, |h| h.mean[1]),
        };
        (t.class, t.class_confidence) = match by_identity(&t.identity) {
            Some(named) => named,
            None => {
                let (class, confidence) = by_kinematics(&k);
                t.class_votes.vote(class, confidence)
            }
        };
        if self.config.noise_by_class {
            t.q = process_noise(t.class, self.config.default_q);
        }
    }
}

/// Ends each confirmed track updated at `time` that is a copy of another
/// (see [`Merge`]), or the other when that one is younger: only the tracks this
/// scan updated are compared with the rest, so a slice of a radar sweep costs
/// a few passes over the plane's tracks, not a pass per track.
fn merge_copies(
    tracks: &mut Vec<TrackState>,
    time: Time,
    m: &Merge,
    deleted: &mut Vec<TrackState>,
) {
    let mut gone = vec![false; tracks.len()];
    let d_max2 = m.distance_max_m * m.distance_max_m;
    for u in 0..tracks.len() {
        if gone[u] || tracks[u].last_update != time {
            continue;
        }
        for j in 0..tracks.len() {
            if j == u || gone[j] || gone[u] {
                continue;
            }
            let (a, b) = (&tracks[u], &tracks[j]);
            let d = a.filter.est.position() - b.filter.est.position();
            if d.norm_squared() > d_max2 {
                continue;
            }
            if a.identity_key != 0 && b.identity_key != 0 && a.identity_key != b.identity_key {
                continue;
            }
            if (a.filter.est.velocity() - b.filter.est.velocity()).norm() > m.velocity_mps {
                continue;
            }
            let s = a.filter.est.position_cov() + b.filter.est.position_cov();
            let Some(s_inv) = s.try_inverse() else {
                continue;
            };
            if d.dot(&(s_inv * d)) > m.mahalanobis * m.mahalanobis {
                continue;
            }
            // The younger (fewer updates; then the later number) goes.
            let younger = if (b.n_updates, std::cmp::Reverse(b.id))
                < (a.n_updates, std::cmp::Reverse(a.id))
            {
                j
            } else {
                u
            };
            gone[younger] = true;
        }
    }
    if gone.iter().any(|g| *g) {
        let mut k = 0;
        deleted.extend(tracks.extract_if(.., |_| {
            k += 1;
            gone[k - 1]
        }));
    }
}

fn merge_identity(into: &mut Identity, from: &Identity) {
    if *from == Identity::default() || into == from {
        return;
    }
    into.icao24 = into.icao24.or(from.icao24);
    into.mmsi = into.mmsi.or(from.mmsi);
    into.system_track = into.system_track.or(from.system_track);
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
