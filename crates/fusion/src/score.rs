//! Tracks scored against a simulator's ground truth (`sim`'s `truth.csv`).
//!
//! At every truth sample time each track is taken at its latest state at or
//! before the sample (moved on by its velocity; states older than
//! `stale_s` are gone) and truth and tracks are matched by GOSPA's optimal
//! assignment with cut-off `c` ([`crate::gospa::gospa_assigned`]), in one
//! tangent plane at the truth's centroid. From the sequence of matches:
//!
//! - **coverage**: the fraction of an object's truth samples matched by some track;
//! - **breaks** (fragmentations): an object matched, then not, then matched again
//!   counts one break when the match resumes;
//! - **identity switches**: an object matched by a track other than the one that
//!   last matched it (across a gap too);
//! - **tracks per object**: distinct tracks that ever matched the object;
//! - **false tracks**: tracks present at some sample that never matched any object;
//! - **GOSPA** per sample (p = 1), averaged;
//! - **classification**: per matched sample, the truth's class against the track's
//!   ([`expected_class`]) and the truth's altitude band against the track's.
//!
//! Everything is summed per truth class. The scorer is a pure function of its
//! inputs; it reads no files (the caller hands it the text).

use std::collections::{BTreeMap, BTreeSet};

use model::{AltitudeBand, Geodetic, TangentPlane, Time, Track, TrackClass, TrackId};

use crate::gospa::gospa_assigned;

pub use model::truth::{TruthError, TruthRow, parse_truth};

/// The track class a sim catalogue class should be given; `None` for a class
/// the scorer does not know.
pub fn expected_class(truth_class: &str) -> Option<TrackClass> {
    Some(match truth_class {
        "shahed" | "gerbera" | "drone" => TrackClass::Drone,
        "jet_drone" => TrackClass::JetDrone,
        "cruise_missile" => TrackClass::CruiseMissile,
        "ballistic_missile" => TrackClass::BallisticMissile,
        "manned_aircraft" | "airliner" => TrackClass::MannedAircraft,
        "helicopter" => TrackClass::Helicopter,
        "merchant" | "tanker" | "fishing" | "patrol" | "vessel" => TrackClass::Vessel,
        _ => return None,
    })
}

/// How the scorer matches.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ScoreConfig {
    /// GOSPA cut-off and the farthest a track may be from the object it matches, metres.
    pub cutoff_m: f64,
    /// A track state older than this at a sample is not counted, seconds.
    pub stale_s: f64,
    /// Score every `every`-th truth sample time (1: all).
    pub every: usize,
}

impl Default for ScoreConfig {
    fn default() -> Self {
        ScoreConfig {
            cutoff_m: 10_000.0,
            stale_s: 60.0,
            every: 1,
        }
    }
}

/// Sums for one truth object, or for all objects of a class.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ObjectScore {
    pub objects: u64,
    /// Truth samples in which the object(s) existed.
    pub samples: u64,
    /// Of those, samples matched by a track.
    pub covered: u64,
    /// Samples in which some sensor could see the object (as the caller judges).
    pub detectable: u64,
    /// Of those, samples matched by a track.
    pub covered_detectable: u64,
    pub breaks: u64,
    pub switches: u64,
    /// Distinct tracks that matched (summed over objects).
    pub tracks: u64,
    /// Objects never matched.
    pub never_covered: u64,
    /// Matched samples in which the track's class was the expected one.
    pub class_right: u64,
    /// Matched samples in which the track's altitude band was the truth's.
    pub band_right: u64,
}

impl ObjectScore {
    pub fn coverage(&self) -> f64 {
        ratio(self.covered, self.samples)
    }

    /// Coverage of the samples in which some sensor could see the object.
    pub fn coverage_detectable(&self) -> f64 {
        ratio(self.covered_detectable, self.detectable)
    }

    pub fn tracks_per_object(&self) -> f64 {
        ratio(self.tracks, self.objects - self.never_covered)
    }

    fn add(&mut self, o: &ObjectScore) {
        self.objects += o.objects;
        self.samples += o.samples;
        self.covered += o.covered;
        self.detectable += o.detectable;
        self.covered_detectable += o.covered_detectable;
        self.breaks += o.breaks;
        self.switches += o.switches;
        self.tracks += o.tracks;
        self.never_covered += o.never_covered;
        self.class_right += o.class_right;
        self.band_right += o.band_right;
    }
}

fn ratio(a: u64, b: u64) -> f64 {
    if b == 0 { 0.0 } else { a as f64 / b as f64 }
}

/// The whole score.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Report {
    pub config: ScoreConfig,
    pub samples: u64,
    /// Mean GOSPA (p = 1) per sample and its parts.
    pub gospa_mean: f64,
    /// Mean distance of a matched pair, metres.
    pub localisation_mean_m: f64,
    pub missed_mean: f64,
    pub false_mean: f64,
    /// Of the unmatched tracks per sample, those within the cut-off of some object
    /// (another track already matched it: a duplicate), rather than far from any.
    pub duplicate_mean: f64,
    pub truths_mean: f64,
    /// Distinct track ids in the input.
    pub tracks_total: u64,
    /// Distinct tracks present at some sample.
    pub tracks_seen: u64,
    /// Of those, tracks that never matched an object.
    pub false_tracks: u64,
    pub all: ObjectScore,
    /// By truth class.
    pub by_class: BTreeMap<String, ObjectScore>,
    /// Each object's own score, by object id.
    pub by_object: BTreeMap<String, (String, ObjectScore)>,
    /// Matched samples by (truth class, track class).
    pub confusion: BTreeMap<(String, TrackClass), u64>,
}

#[derive(Default)]
struct Follow {
    prev_covered: bool,
    last_track: Option<TrackId>,
    tracks: BTreeSet<TrackId>,
    score: ObjectScore,
}

/// Scores `tracks` (any order; a track's states at several times) against `truth`.
pub fn score(truth: &[TruthRow], tracks: &[Track], config: &ScoreConfig) -> Report {
    score_where(truth, tracks, config, &|_| true)
}

/// [`score`], also counting coverage over the truth samples `detectable` says
/// some sensor could see (range, radio horizon, altitude limits: the caller
/// knows its sensors), so the tracker's losses are told from the sensors'.
pub fn score_where(
    truth: &[TruthRow],
    tracks: &[Track],
    config: &ScoreConfig,
    detectable: &dyn Fn(&TruthRow) -> bool,
) -> Report {
    let mut report = Report {
        config: *config,
        ..Report::default()
    };
    if truth.is_empty() {
        return report;
    }
    let n = truth.len() as f64;
    let (lat, lon) = truth.iter().fold((0.0, 0.0), |(a, b), r| {
        (a + r.position.lat_deg / n, b + r.position.lon_deg / n)
    });
    let plane = TangentPlane::new(Geodetic::new(lat, lon, 0.0));
    let mut by_time: BTreeMap<Time, Vec<&TruthRow>> = BTreeMap::new();
    for r in truth {
        by_time.entry(r.time).or_default().push(r);
    }
    let mut states: Vec<&Track> = tracks.iter().collect();
    states.sort_by_key(|t| (t.time, t.id));
    report.tracks_total = states.iter().map(|t| t.id).collect::<BTreeSet<_>>().len() as u64;

    let mut follow: BTreeMap<&str, Follow> = BTreeMap::new();
    let mut matched_any: BTreeSet<TrackId> = BTreeSet::new();
    let mut seen: BTreeSet<TrackId> = BTreeSet::new();
    let mut latest: BTreeMap<TrackId, &Track> = BTreeMap::new();
    let mut next = 0;
    let (mut loc_sum, mut n_loc) = (0.0, 0u64);
    for (time, rows) in by_time.iter().step_by(config.every.max(1)) {
        while next < states.len() && states[next].time <= *time {
            latest.insert(states[next].id, states[next]);
            next += 1;
        }
        latest.retain(|_, t| time.seconds_since(t.time) <= config.stale_s);
        let live: Vec<&Track> = latest.values().copied().collect();
        let track_xy: Vec<[f64; 2]> = live
            .iter()
            .map(|t| {
                let dt = time.seconds_since(t.time);
                let e = plane.to_enu(&t.position);
                [
                    e.e_m + t.velocity.ve_mps * dt,
                    e.n_m + t.velocity.vn_mps * dt,
                ]
            })
            .collect();
        let truth_xy: Vec<[f64; 2]> = rows
            .iter()
            .map(|r| {
                let e = plane.to_enu(&r.position);
                [e.e_m, e.n_m]
            })
            .collect();
        seen.extend(live.iter().map(|t| t.id));
        let (g, pairs) = gospa_assigned(&truth_xy, &track_xy, config.cutoff_m, 1.0);
        report.samples += 1;
        report.gospa_mean += g.distance;
        report.truths_mean += rows.len() as f64;
        let half = config.cutoff_m / 2.0;
        report.missed_mean += g.missed / half;
        report.false_mean += g.false_tracks / half;
        loc_sum += g.localisation;
        n_loc += pairs.len() as u64;
        let mut match_of: Vec<Option<usize>> = vec![None; rows.len()];
        let mut matched_track = vec![false; live.len()];
        for &(i, j) in &pairs {
            match_of[i] = Some(j);
            matched_track[j] = true;
        }
        let c2 = config.cutoff_m * config.cutoff_m;
        report.duplicate_mean += track_xy
            .iter()
            .zip(&matched_track)
            .filter(|(y, m)| {
                !**m && truth_xy
                    .iter()
                    .any(|x| (x[0] - y[0]).powi(2) + (x[1] - y[1]).powi(2) < c2)
            })
            .count() as f64;
        for (r, m) in rows.iter().zip(match_of) {
            let f = follow.entry(r.object.as_str()).or_default();
            if f.score.objects == 0 {
                f.score.objects = 1;
            }
            f.score.samples += 1;
            let can_see = detectable(r);
            f.score.detectable += u64::from(can_see);
            let Some(j) = m else {
                f.prev_covered = false;
                continue;
            };
            let t = live[j];
            f.score.covered += 1;
            f.score.covered_detectable += u64::from(can_see);
            if !f.prev_covered && f.last_track.is_some() {
                f.score.breaks += 1;
            }
            if f.last_track.is_some_and(|l| l != t.id) {
                f.score.switches += 1;
            }
            f.prev_covered = true;
            f.last_track = Some(t.id);
            f.tracks.insert(t.id);
            matched_any.insert(t.id);
            if expected_class(&r.class) == Some(t.class) {
                f.score.class_right += 1;
            }
            let band = if expected_class(&r.class) == Some(TrackClass::Vessel) {
                AltitudeBand::Surface
            } else {
                AltitudeBand::of_air_altitude(r.position.alt_m)
            };
            if band == t.band {
                f.score.band_right += 1;
            }
            *report
                .confusion
                .entry((r.class.clone(), t.class))
                .or_default() += 1;
        }
    }
    let k = report.samples.max(1) as f64;
    report.gospa_mean /= k;
    report.truths_mean /= k;
    report.missed_mean /= k;
    report.false_mean /= k;
    report.duplicate_mean /= k;
    report.localisation_mean_m = if n_loc == 0 {
        0.0
    } else {
        loc_sum / n_loc as f64
    };
    report.tracks_seen = seen.len() as u64;
    report.false_tracks = seen.difference(&matched_any).count() as u64;
    let class_of: BTreeMap<&str, &str> = truth
        .iter()
        .map(|r| (r.object.as_str(), r.class.as_str()))
        .collect();
    for (object, mut f) in follow {
        f.score.tracks = f.tracks.len() as u64;
        f.score.never_covered = u64::from(f.score.covered == 0);
        let class = class_of.get(object).copied().unwrap_or_default();
        report.all.add(&f.score);
        report
            .by_class
            .entry(class.to_owned())
            .or_default()
            .add(&f.score);
        report
            .by_object
            .insert(object.to_owned(), (class.to_owned(), f.score));
    }
    report
}

impl Report {
    /// The report as a few plain-text tables.
    pub fn render(&self) -> String {
        use std::fmt::Write as _;
        let mut s = String::new();
        let c = &self.config;
        let _ = writeln!(
            s,
            "score against truth: {} samples, cut-off {:.1} km, states older than {:.0} s dropped",
            self.samples,
            c.cutoff_m / 1000.0,
            c.stale_s
        );
        let _ = writeln!(
            s,
            "GOSPA per sample {:.0} (truths {:.1}, missed {:.1}, false {:.1} of which {:.1} \
             near an object, matched pair {:.0} m)",
            self.gospa_mean,
            self.truths_mean,
            self.missed_mean,
            self.false_mean,
            self.duplicate_mean,
            self.localisation_mean_m
        );
        let _ = writeln!(
            s,
            "tracks: {} in the output, {} present at a sample, {} never matched an object (false)",
            self.tracks_total, self.tracks_seen, self.false_tracks
        );
        let _ = writeln!(
            s,
            "{:<18} {:>7} {:>8} {:>8} {:>7} {:>7} {:>8} {:>9} {:>8} {:>6} {:>6}",
            "truth class",
            "objects",
            "coverage",
            "cov-seen",
            "breaks",
            "id-sw",
            "trk/obj",
            "never-trk",
            "samples",
            "class",
            "band"
        );
        let row = |s: &mut String, name: &str, o: &ObjectScore| {
            let _ = writeln!(
                s,
                "{:<18} {:>7} {:>8.3} {:>8.3} {:>7} {:>7} {:>8.2} {:>9} {:>8} {:>6.2} {:>6.2}",
                name,
                o.objects,
                o.coverage(),
                o.coverage_detectable(),
                o.breaks,
                o.switches,
                o.tracks_per_object(),
                o.never_covered,
                o.samples,
                ratio(o.class_right, o.covered),
                ratio(o.band_right, o.covered)
            );
        };
        for (class, o) in &self.by_class {
            row(&mut s, class, o);
        }
        row(&mut s, "all", &self.all);
        let _ = writeln!(
            s,
            "(coverage: truth samples matched; cov-seen: of those some sensor could see; \
             breaks: matched again after a gap; id-sw: matched by another track than last; \
             trk/obj: distinct tracks per object matched; class, band: matched samples \
             with the right class, altitude band)"
        );
        let _ = writeln!(
            s,
            "classification (matched samples; rows truth class, columns track class):"
        );
        let _ = write!(s, "{:<18}", "");
        for tc in TrackClass::ALL {
            let _ = write!(s, " {:>9}", short(tc));
        }
        let _ = writeln!(s);
        for class in self.by_class.keys() {
            let _ = write!(s, "{class:<18}");
            for tc in TrackClass::ALL {
                let n = self
                    .confusion
                    .get(&(class.clone(), tc))
                    .copied()
                    .unwrap_or(0);
                let _ = write!(s, " {n:>9}");
            }
            let _ = writeln!(s);
        }
        s
    }
}

fn short(c: TrackClass) -> &'static str {
    match c {
        TrackClass::Drone => "drone",
        TrackClass::JetDrone => "jet-drone",
        TrackClass::CruiseMissile => "cruise",
        TrackClass::BallisticMissile => "ballistic",
        TrackClass::MannedAircraft => "manned",
        TrackClass::Helicopter => "heli",
        TrackClass::Vessel => "vessel",
        TrackClass::Unknown => "unknown",
    }
}
