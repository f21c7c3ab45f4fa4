//! Air: border crossings into protected states with the origin found by
//! following the track back (and extrapolating it) towards the launch; belt
//! entries and mass incursions; manned violations with duration and depth;
//! drones inside an infrastructure buffer.

use std::collections::BTreeMap;

use model::{EvidenceItem, Geodetic, IncidentKind, Time, TrackClass, TrackId};

use crate::engine::{Attributor, Candidate, Crossing, TrackState, Violation};
use crate::evidence::{Draft, fmt_pos, km};
use crate::geography::Geography;
use crate::history::Point;
use crate::limits;

/// An entry not observed (a track first seen inside, flying away from a border
/// no sensor covered) is inferred when the track's course, extrapolated back, leaves
/// the state within this distance of the first detection (on the night-wave suite
/// the estimate stays within 90 s of the true crossing up to ~16 km back; beyond,
/// courses bent before the first detection put it minutes off) ...
pub(crate) const UNSEEN_MAX_M: f64 = 16_000.0;
/// ... judged on a course flown straight (its two halves' courses differ less than this) ...
const UNSEEN_TURN_MAX_DEG: f64 = 30.0;
/// Two tracks this close in velocity (and `DUPLICATE_M` in place) are one object.
const SAME_VELOCITY_MPS: f64 = 15.0;
/// ... at a speed of at least this; its confidence is a seen crossing's times this.
const UNSEEN_MIN_MPS: f64 = 15.0;
const UNSEEN_CONFIDENCE: f64 = 0.8;
/// Another track's entry this close to the estimate is the same object's.
const UNSEEN_DUPLICATE_S: f64 = 120.0;
const UNSEEN_DUPLICATE_M: f64 = 5_000.0;

/// Two entries of one track into one state closer than this are one entry
/// seen twice (a track wobbling on the border line).
const REENTRY_S: f64 = 120.0;

/// An entry by another track into the same state at most this far apart in time and
/// space is the same object tracked twice (fusion's duplicate or broken track). Two
/// tracks on one object cross within a scan or two of each other; at 30 s, drones of
/// one wave crossing 20-30 s apart on one path were counted as one (suite recall of
/// seen entries 0.948 → 0.957, precision 0.988 → 0.985).
const DUPLICATE_S: f64 = 15.0;
const DUPLICATE_M: f64 = 2_000.0;
/// A track begun inside a belt this close to where an object already counted in
/// it was (moved on by its velocity) is that object again.
const SAME_OBJECT_M: f64 = 5_000.0;
/// A buffer entry counts once the track is deeper inside than its position sigma,
/// at most this share of the buffer (a hospital's 500 m buffer: 100 m; at half of
/// it, drones passing 300 m from Okhmatdyt were lost).
const SITE_MARGIN_SHARE: f64 = 0.2;
/// Two updates further apart than this are not joined by a straight path when
/// deciding a site entry (30 s: an acoustic net's report period; 1.5 km of a
/// Shahed's flight).
const SITE_CHORD_S: f64 = 30.0;
/// Another track, established before this one began, entering the same site's
/// buffer at most this far apart in time and space is the same object (on the
/// suite, two tracks on one drone enter a buffer within 40 s and 1.8 km; two drones
/// at an NPP came 51 s and 2.5 km apart).
const SITE_DUPLICATE_S: f64 = 40.0;
const SITE_DUPLICATE_M: f64 = 2_000.0;
/// A track first seen over the sea with a foreign coast at most this far behind it
/// (along its heading) came from that state, nearly as surely as one first seen over
/// its land: a launch site on the shore, a radar whose cover begins off the coast.
const OFFSHORE_M: f64 = 30_000.0;
/// A crossing is confirmed once the track has stayed this long in the new state
/// (short: the replay's bar wants an activation within 60 s of the crossing) ...
pub(crate) const CONFIRM_S: f64 = 30.0;
/// ... or gone this deep into it: deeper than a track's position noise along a
/// border, and soon reached by a straight crossing (20 s at a Shahed's speed).
pub(crate) const CONFIRM_M: f64 = 1_000.0;
/// Crossings kept per track until its class is known.
pub(crate) const CROSSINGS_MAX: usize = 16;

fn hostile(s: &TrackState) -> bool {
    matches!(
        s.class,
        TrackClass::Drone
            | TrackClass::JetDrone
            | TrackClass::CruiseMissile
            | TrackClass::BallisticMissile
    )
}

/// A manned aircraft not identifying itself (no ICAO address): airliners are not violations.
fn manned_uncooperative(s: &TrackState) -> bool {
    matches!(s.class, TrackClass::MannedAircraft | TrackClass::Helicopter)
        && s.identity.icao24.is_none()
}

/// The class as the pact's predicates read it: `drone`, `missile`, ...
pub fn pact_class(class: TrackClass) -> &'static str {
    match class {
        TrackClass::Drone | TrackClass::JetDrone => "drone",
        TrackClass::CruiseMissile | TrackClass::BallisticMissile => "missile",
        other => other.as_str(),
    }
}

fn lerp(a: &Point, b: &Point, f: f64) -> Geodetic {
    Geodetic::new(
        a.position.lat_deg + f * (b.position.lat_deg - a.position.lat_deg),
        a.position.lon_deg + f * (b.position.lon_deg - a.position.lon_deg),
        a.position.alt_m + f * (b.position.alt_m - a.position.alt_m),
    )
}

fn lerp_time(a: &Point, b: &Point, f: f64) -> Time {
    Time::from_unix_us(
        a.time.unix_us + ((b.time.unix_us - a.time.unix_us) as f64 * f).round() as i64,
    )
}

/// The first fraction along a→b where `inside` holds (it must hold at b).
fn bisect(a: &Point, b: &Point, inside: impl Fn(&Geodetic) -> bool) -> f64 {
    let (mut lo, mut hi) = (0.0, 1.0);
    for _ in 0..16 {
        let mid = 0.5 * (lo + hi);
        if inside(&lerp(a, b, mid)) {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    hi
}

/// A track's first update: launched inside a belt counts as a belt entry.
/// Belts count hostile unmanned tracks only: a mass incursion is of drones and
/// missiles, a manned aircraft's crossing is a violation of its own.
pub(crate) fn first_point(a: &mut Attributor, id: TrackId, p: &Point) {
    let Some(s) = a.tracks.get(&id) else { return };
    if !hostile(s) {
        return;
    }
    for k in 0..a.belts.len() {
        if a.tracks.get(&id).is_some_and(|s| s.belts_in[k]) {
            // The object was already in the belt on the track this one continues.
            continue;
        }
        if a.geo.zones[a.belts[k]].area.contains(&p.position)
            && let Some(s) = a.tracks.get_mut(&id)
        {
            s.belts_in[k] = true;
            s.belt_pending.push((k, p.time, p.position, None));
        }
    }
}

pub(crate) fn update(a: &mut Attributor, id: TrackId, prev: &Point, cur: &Point) {
    record_crossing(a, id, prev, cur);
    follow_violation(a, id, prev, cur);
    let Some(s) = a.tracks.get(&id) else { return };
    let (is_hostile, is_manned) = (hostile(s), manned_uncooperative(s));
    if !(is_hostile || is_manned) {
        return;
    }
    update_hostile(a, id, prev, cur, is_hostile);
}

/// Keeps a crossing into a protected state between `prev` and `cur` on track `id`,
/// whatever its class: a track often crosses before fusion knows what it is, and is
/// an entry once it does. `prev` may be the last update of the track `id` continues
/// (the crossing fell in the gap between the two).
///
/// A crossing counts once confirmed: the track, measured there at least once, has
/// stayed in the new state [`CONFIRM_S`] or gone [`CONFIRM_M`] deep into it. A track
/// following a border line wobbles across it with its position noise, and a track
/// coasting on after its object fell (a missile's impact short of the border) crosses
/// without an object; neither is an entry. Until confirmed, the track's state is the
/// one it was last confirmed in (`home`): a return there ends the excursion.
pub(crate) fn record_crossing(a: &mut Attributor, id: TrackId, prev: &Point, cur: &Point) {
    let Some(s) = a.tracks.get(&id) else { return };
    let (home, measured) = (s.home, s.last_measured);
    if cur.country == home {
        if let Some(s) = a.tracks.get_mut(&id) {
            s.candidate = None;
        }
        return;
    }
    let mut cand = match s.candidate {
        Some(c) if c.country == cur.country => c,
        _ => {
            // A new stretch in another state: where it began.
            let (time, position) = match cur.country {
                Some(c) if prev.country != cur.country => {
                    let f = bisect(prev, cur, |p| a.geo.countries[c].contains(p));
                    (lerp_time(prev, cur, f), lerp(prev, cur, f))
                }
                _ if prev.country == cur.country => (prev.time, prev.position),
                _ => (cur.time, cur.position),
            };
            Candidate {
                country: cur.country,
                from: home,
                time,
                position,
                after: *cur,
                measured: false,
            }
        }
    };
    cand.measured |= measured;
    let confirmed = cand.measured
        && (cur.time.seconds_since(cand.time) >= CONFIRM_S
            || cur
                .country
                .is_some_and(|c| a.geo.countries[c].area_depth(&cur.position) >= CONFIRM_M));
    let Some(s) = a.tracks.get_mut(&id) else {
        return;
    };
    if !confirmed {
        s.candidate = Some(cand);
        return;
    }
    s.candidate = None;
    s.home = cand.country;
    if let Some(c) = cand.country.filter(|c| a.protected[*c]) {
        if s.crossings.len() >= CROSSINGS_MAX {
            s.crossings.remove(0);
        }
        s.crossings.push(Crossing {
            country: c,
            from: cand.from,
            time: cand.time,
            position: cand.position,
            after: cand.after,
        });
    }
}

/// An open violation follows its track to the exit whatever the track's class
/// does meanwhile: a continuation's first updates may vote another class, or an
/// airliner's plot lend it an ICAO address; the aircraft is the one that entered.
fn follow_violation(a: &mut Attributor, id: TrackId, prev: &Point, cur: &Point) {
    let Some(v) = a.tracks.get(&id).and_then(|s| s.violation.as_ref()) else {
        return;
    };
    if cur.country == Some(v.country) {
        let depth = a.geo.countries[v.country].area_depth(&cur.position);
        if let Some(v) = a.tracks.get_mut(&id).and_then(|s| s.violation.as_mut()) {
            v.last = cur.time;
            if depth > v.depth_m {
                v.depth_m = depth;
                v.deepest = cur.position;
            }
        }
    } else {
        let country = v.country;
        let f = bisect(prev, cur, |p| !a.geo.countries[country].contains(p));
        close_violation(a, id, Some(lerp_time(prev, cur, f)));
    }
}

fn update_hostile(a: &mut Attributor, id: TrackId, prev: &Point, cur: &Point, is_hostile: bool) {
    // Crossings not yet raised (this update's, or older ones of a track whose
    // class was not known then); one within `REENTRY_S` of a raised one is the same.
    let pending: Vec<Crossing> = a.tracks.get(&id).map_or(Vec::new(), |s| {
        if !s.established() {
            return Vec::new();
        }
        s.crossings
            .iter()
            .filter(|x| {
                !s.entries
                    .iter()
                    .any(|&(k, t, _)| k == x.country && x.time.seconds_since(t).abs() < REENTRY_S)
            })
            .copied()
            .collect()
    });
    for x in pending {
        // Two crossings raised in one pass (a track established after both).
        let again = a.tracks.get(&id).is_some_and(|s| {
            s.entries
                .iter()
                .any(|&(k, t, _)| k == x.country && x.time.seconds_since(t).abs() < REENTRY_S)
        });
        if again {
            continue;
        }
        let duplicate = duplicate_entry(a, id, x.country, x.time, &x.position);
        if let Some(s) = a.tracks.get_mut(&id) {
            s.entries.push((x.country, x.time, x.position));
            if s.entries.len() > 16 {
                s.entries.remove(0);
            }
        }
        if duplicate || (!is_hostile && identified_twin(a, id, &x)) {
            a.stats.duplicates_suppressed += 1;
            continue;
        }
        if is_hostile {
            entry(a, id, x.from, x.country, x.time, x.position, &x.after, None);
        } else if let Some(s) = a.tracks.get_mut(&id) {
            s.violation = Some(Violation {
                country: x.country,
                from: x.from,
                time: x.time,
                position: x.position,
                depth_m: 0.0,
                deepest: x.position,
                last: cur.time,
            });
        }
    }
    if is_hostile {
        unseen_entry(a, id, cur);
        belts(a, id, prev, cur);
    }
    if a.tracks.get(&id).is_some_and(TrackState::established) {
        let pending = a
            .tracks
            .get_mut(&id)
            .map(|s| std::mem::take(&mut s.belt_pending))
            .unwrap_or_default();
        for (k, time, at, origin) in pending {
            belt_entry(a, k, id, time, at, origin);
        }
    }
    if a.tracks
        .get(&id)
        .is_some_and(|s| matches!(s.class, TrackClass::Drone | TrackClass::JetDrone))
    {
        over_sites(a, id, prev, cur);
    }
}

/// How an entry not observed was inferred.
pub(crate) struct Unseen {
    pub distance_m: f64,
    pub over_s: f64,
    pub speed_mps: f64,
}

/// An entry no sensor saw: the object's first track, hostile and established, was
/// first detected inside a protected state close to a border it flies away from.
/// Its course over the first minutes, extrapolated back, gives the crossing (time and
/// point); decided once, when the track is established. Not for a track that may be
/// an object already followed (another track was there then), nor for one turning
/// (a decoy flying loops inside is launched there, and no entry from outside).
fn unseen_entry(a: &mut Attributor, id: TrackId, cur: &Point) {
    let Some(s) = a.tracks.get(&id) else { return };
    if s.unseen_done || !s.established() {
        return;
    }
    let first = s.first();
    let tried = |a: &mut Attributor| {
        if let Some(s) = a.tracks.get_mut(&id) {
            s.unseen_done = true;
        }
    };
    let Some(into) = first.country.filter(|c| a.protected[*c]) else {
        return tried(a);
    };
    if !s.entries.is_empty() || !s.crossings.is_empty() || s.candidate.is_some() {
        return tried(a);
    }
    let over_s = cur.time.seconds_since(first.time);
    let (x, y) =
        crate::geography::local_xy(&first.position, cur.position.lon_deg, cur.position.lat_deg);
    let (ve, vn) = (x / over_s, y / over_s);
    let speed = ve.hypot(vn);
    if !(over_s > 0.0 && speed >= UNSEEN_MIN_MPS) {
        return tried(a);
    }
    // Straight: the course from the first detection to the middle of the time
    // followed and from there to now differ little (a loop, a turn at a waypoint,
    // make the extrapolation meaningless).
    let half = first.time + model::Duration::from_secs_f64(over_s / 2.0);
    let Some(mid) = s
        .history
        .iter()
        .min_by_key(|p| (p.time.unix_us - half.unix_us).abs())
        .copied()
    else {
        return tried(a);
    };
    let course = |from: &Geodetic, to: &Geodetic| {
        let (x, y) = crate::geography::local_xy(from, to.lon_deg, to.lat_deg);
        x.atan2(y).to_degrees()
    };
    let turn = (course(&mid.position, &cur.position) - course(&first.position, &mid.position)
        + 540.0)
        .rem_euclid(360.0)
        - 180.0;
    if turn.abs() > UNSEEN_TURN_MAX_DEG {
        return tried(a);
    }
    // Another track on the object then (fusion's second track on it, or one begun
    // again too far from the lost one to be linked): the object may be followed.
    let root = s.root();
    let followed = a.tracks.iter().any(|(other, o)| {
        *other != id
            && o.root() != root
            && !o.surface
            && position_near(o, first.time).is_some_and(|q| {
                q.surface_distance_m(&first.position) <= DUPLICATE_M
                    && o.history
                        .last()
                        .velocity
                        .ve_mps
                        .hypot(o.history.last().velocity.vn_mps)
                        > 0.0
                    && (o.history.last().velocity.ve_mps - ve)
                        .hypot(o.history.last().velocity.vn_mps - vn)
                        <= SAME_VELOCITY_MPS
            })
    });
    if followed {
        return tried(a);
    }
    let back = |d: f64| crate::geography::offset(&first.position, -ve / speed * d, -vn / speed * d);
    let area = &a.geo.countries[into];
    let step = 1_000.0;
    let mut exit = None;
    let mut d = step;
    while d <= UNSEEN_MAX_M {
        if !area.contains(&back(d)) {
            exit = Some(d);
            break;
        }
        d += step;
    }
    let Some(outside) = exit else { return tried(a) };
    // Refine between the last point inside and the first outside.
    let (mut lo, mut hi) = (outside - step, outside);
    for _ in 0..10 {
        let mid = 0.5 * (lo + hi);
        if area.contains(&back(mid)) {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    let at = back(hi);
    let from = a.geo.country_at(&back(hi + step));
    let time = first.time - model::Duration::from_secs_f64(hi / speed);
    tried(a);
    // An estimate: another track's entry near it in time and place is the same object.
    let duplicate = a.tracks.iter().any(|(other, o)| {
        *other != id
            && o.entries.iter().any(|(k, t, p)| {
                *k == into
                    && time.seconds_since(*t).abs() <= UNSEEN_DUPLICATE_S
                    && p.surface_distance_m(&at) <= UNSEEN_DUPLICATE_M
            })
    });
    if let Some(s) = a.tracks.get_mut(&id) {
        s.entries.push((into, time, at));
    }
    if duplicate {
        a.stats.duplicates_suppressed += 1;
        return;
    }
    let u = Unseen {
        distance_m: hi,
        over_s,
        speed_mps: speed,
    };
    entry(a, id, from, into, time, at, cur, Some(&u));
}

/// Another track already entered `country` at about the same time and place: the
/// same object, tracked twice.
fn duplicate_entry(a: &Attributor, id: TrackId, country: usize, time: Time, at: &Geodetic) -> bool {
    a.tracks.iter().any(|(other, s)| {
        *other != id
            && s.entries.iter().any(|(k, t, p)| {
                *k == country
                    && time.seconds_since(*t).abs() <= DUPLICATE_S
                    && p.surface_distance_m(at) <= DUPLICATE_M
            })
    })
}

/// Another track that identifies itself (an ICAO address) crossed into the same
/// state at about the same time and place: an identified aircraft tracked twice
/// (radar alone, and ADS-B), not an aircraft hiding its identity.
fn identified_twin(a: &Attributor, id: TrackId, x: &Crossing) -> bool {
    a.tracks.iter().any(|(other, s)| {
        *other != id
            && s.identity.icao24.is_some()
            && s.crossings.iter().any(|c| {
                c.country == x.country
                    && x.time.seconds_since(c.time).abs() <= DUPLICATE_S
                    && c.position.surface_distance_m(&x.position) <= DUPLICATE_M
            })
    })
}

/// Where the track's object was at `time`: its kept point nearest before `time`
/// (at most `LINK_GAP_S` before), moved on by its velocity.
fn position_near(s: &TrackState, time: Time) -> Option<Geodetic> {
    let p = s.history.iter().rev().find(|p| p.time <= time)?;
    let dt = time.seconds_since(p.time);
    (dt <= crate::engine::LINK_GAP_S).then(|| {
        crate::geography::offset(&p.position, p.velocity.ve_mps * dt, p.velocity.vn_mps * dt)
    })
}

impl crate::geography::Area {
    /// How deep inside the area `p` is: its distance to the nearest edge.
    pub fn area_depth(&self, p: &Geodetic) -> f64 {
        self.distance_to_edge_m(p)
    }
}

/// Where the object came from: the state of its first detection, or, when it
/// was first seen inside, the first foreign state on its path extrapolated back.
pub(crate) struct OriginFinding {
    pub origin: Option<usize>,
    pub method: &'static str,
    pub confidence: f64,
    pub launch: Geodetic,
    pub note: String,
}

pub(crate) fn find_origin(a: &Attributor, s: &TrackState) -> OriginFinding {
    let geo: &Geography = &a.geo;
    let first = s.first();
    if let Some(c) = first.country.filter(|c| !a.protected[*c]) {
        return OriginFinding {
            origin: Some(c),
            method: "track-begins-outside",
            confidence: 0.95,
            launch: first.position,
            note: format!(
                "the track begins in {} at {} ({}), outside the protected states, and is continuous from there",
                geo.countries[c].id,
                fmt_pos(&first.position),
                first.time
            ),
        };
    }
    // Extrapolate back along the first detections' heading.
    let second = if s.lineage.is_some() {
        first
    } else {
        s.history.iter().nth(1).copied().unwrap_or(first)
    };
    let (mut ve, mut vn) = (first.velocity.ve_mps, first.velocity.vn_mps);
    if ve.hypot(vn) < 1.0 && second.time > first.time {
        let dt = second.time.seconds_since(first.time);
        let (x, y) = crate::geography::local_xy(
            &first.position,
            second.position.lon_deg,
            second.position.lat_deg,
        );
        (ve, vn) = (x / dt, y / dt);
    }
    let speed = ve.hypot(vn);
    let steps = limits::backtrack_steps_max;
    let step_s = a.config.backtrack_max.as_secs_f64() / steps as f64;
    if speed >= 5.0 {
        for k in 1..=steps {
            let back_s = step_s * k as f64;
            let dn = -vn * back_s;
            let de = -ve * back_s;
            let lat =
                first.position.lat_deg + (dn / model::geodesy::EARTH_MEAN_RADIUS_M).to_degrees();
            let lon = first.position.lon_deg
                + (de
                    / (model::geodesy::EARTH_MEAN_RADIUS_M
                        * first.position.lat_deg.to_radians().cos()))
                .to_degrees();
            let p = Geodetic::new(lat, lon, 0.0);
            if let Some(c) = geo.country_at(&p).filter(|c| !a.protected[*c]) {
                // First seen over the sea (no state's land) just off a foreign coast: it
                // came from outside for certain, and that coast is near; first seen
                // inside a protected state, it may have been launched there.
                let offshore = first.country.is_none() && speed * back_s <= OFFSHORE_M;
                return OriginFinding {
                    origin: Some(c),
                    method: if offshore {
                        "first-detected-offshore"
                    } else {
                        "extrapolated-backwards"
                    },
                    confidence: if offshore { 0.9 } else { 0.8 },
                    launch: p,
                    note: format!(
                        "first detected {} at {} ({}); its heading extrapolated back {:.0} s ({}) reaches {} at {}",
                        if first.country.is_none() {
                            "over the sea, outside every state"
                        } else {
                            "inside"
                        },
                        fmt_pos(&first.position),
                        first.time,
                        back_s,
                        km(speed * back_s),
                        geo.countries[c].id,
                        fmt_pos(&p)
                    ),
                };
            }
        }
    }
    OriginFinding {
        origin: None,
        method: "first-detected-inside",
        confidence: 0.6,
        launch: first.position,
        note: format!(
            "first detected inside {} at {} ({}); the launch is not observed and the path extrapolated back {} does not leave the protected states: launched inside, not entered from outside",
            first
                .country
                .map_or("no state", |c| geo.countries[c].id.as_str()),
            fmt_pos(&first.position),
            first.time,
            a.config.backtrack_max
        ),
    }
}

/// Total turn of the track, degrees: a decoy flying loops turns through 360° and more.
fn total_turn_deg(s: &TrackState) -> f64 {
    let mut total = 0.0;
    let mut prev: Option<f64> = None;
    for p in s.history.iter().filter(|p| p.speed_mps() > 3.0) {
        let c = p.course_deg();
        if let Some(q) = prev {
            let d = (c - q + 540.0).rem_euclid(360.0) - 180.0;
            total += d.abs();
        }
        prev = Some(c);
    }
    total
}

fn track_items(s: &TrackState, d: &mut Draft) {
    d.items.push(EvidenceItem::Track { track: s.id });
    if let Some(l) = s.lineage {
        d.items.push(EvidenceItem::Track {
            track: l.predecessor,
        });
        d.derived(
            "continues",
            format!(
                "track {} continues track {} (the object's first track {}, first detected {}): fusion lost it and began a new track where it would be",
                s.id, l.predecessor, l.root, l.first.time
            ),
        );
    }
    for sensor in &s.sensors {
        d.items.push(EvidenceItem::Derived {
            name: "sensor".into(),
            value: sensor.to_string(),
        });
    }
    for (start, len) in &s.gaps {
        d.contradictions
            .push(format!("the track has a gap of {len} from {start}"));
    }
    if s.identity == model::Identity::default() {
        d.derived("identity", "none: the object does not identify itself");
    }
}

#[allow(clippy::too_many_arguments)]
fn entry(
    a: &mut Attributor,
    id: TrackId,
    from: Option<usize>,
    into: usize,
    time: Time,
    at: Geodetic,
    cur: &Point,
    unseen: Option<&Unseen>,
) {
    let Some(s) = a.tracks.get(&id) else { return };
    let o = find_origin(a, s);
    let geo = &a.geo;
    let into_id = geo.countries[into].id.clone();
    let from_id = from.map(|c| geo.countries[c].id.clone());
    let origin = o.origin.map(|c| geo.countries[c].id.clone());
    let state_originated = origin.as_ref().is_some_and(|c| !geo.parties.contains(c));
    let mut d = Draft::new(IncidentKind::AirspaceEntry, id.to_string(), time);
    d.position = Some(at);
    d.zones = geo.zones_at(&cur.position);
    d.origin = origin.clone();
    d.first_detection = s.first().time;
    let belt = d.zones.iter().any(|z| {
        geo.zones
            .iter()
            .any(|g| &g.area.id == z && g.kind == pact::syntax::ZoneKind::BorderBelt)
    });
    d.text("class", pact_class(s.class));
    d.text("track_class", s.class.as_str());
    d.text("into", into_id.clone());
    d.text("from", from_id.clone().unwrap_or_default());
    d.flag("state_originated", state_originated);
    d.flag("entered_from_outside", o.origin.is_some());
    d.flag("belt_entry", belt);
    d.float("speed_mps", cur.speed_mps());
    d.float("alt_m", cur.position.alt_m);
    d.text("origin_method", o.method);
    let turn = total_turn_deg(s);
    d.float("turn_deg", turn);
    track_items(s, &mut d);
    d.derived("crossing_point", fmt_pos(&at));
    d.derived("crossing_time", time.to_string());
    d.derived("launch_area", fmt_pos(&o.launch));
    d.method = format!("backtrack-to-border/{}", o.method);
    d.confidence = o.confidence * (0.85 + 0.15 * s.class_confidence.clamp(0.0, 1.0));
    if let Some(u) = unseen {
        d.method = "extrapolated-backwards".into();
        d.confidence *= UNSEEN_CONFIDENCE;
        d.flag("crossing_observed", false);
        d.derived(
            "crossing",
            format!(
                "not observed: the track was first detected {} inside {} at {} ({}), flying away from the border; its course over the first {:.0} s ({:.0} m/s), extrapolated back {}, crosses the border at {}: the crossing time and point are estimates",
                km(u.distance_m),
                geo.countries[into].id,
                fmt_pos(&s.history.first.position),
                s.history.first.time,
                u.over_s,
                u.speed_mps,
                km(u.distance_m),
                fmt_pos(&at)
            ),
        );
    } else {
        d.flag("crossing_observed", true);
    }
    if turn > 360.0 && o.origin.is_none() {
        d.derived(
            "pattern",
            format!("the track turns through {turn:.0}°: a loop flown inside, as decoys do"),
        );
    }
    d.statement = format!(
        "Track {} ({}, {} updates kept from {} sensor(s)) crossed from {} into {} at {} ({}). Origin: {}. {}",
        id,
        s.class.as_str(),
        s.history.len(),
        s.sensors.len(),
        from_id.as_deref().unwrap_or("the sea or an unmapped area"),
        into_id,
        fmt_pos(&at),
        time,
        origin.as_deref().unwrap_or("not established"),
        capitalise(&o.note)
    );
    if !o.note.ends_with('.') {
        d.statement.push('.');
    }
    if unseen.is_some() {
        d.statement.push_str(
            " The crossing itself was not observed (no sensor saw the object before it was inside): its time and point are extrapolated back from the track.",
        );
    }
    if origin.is_some() && from_id.is_some() && origin != from_id {
        d.derived(
            "path",
            format!(
                "launched in {}, entered from {}",
                origin.clone().unwrap_or_default(),
                from_id.clone().unwrap_or_default()
            ),
        );
    }
    a.emit(d);
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    c.next().map_or(String::new(), |f| {
        f.to_uppercase().collect::<String>() + c.as_str()
    })
}

fn belts(a: &mut Attributor, id: TrackId, prev: &Point, cur: &Point) {
    for k in 0..a.belts.len() {
        let zone = a.belts[k];
        let inside = a.geo.zones[zone].area.contains(&cur.position);
        let was = a.tracks.get(&id).is_some_and(|s| s.belts_in[k]);
        if let Some(s) = a.tracks.get_mut(&id) {
            s.belts_in[k] = inside;
        }
        if inside && !was {
            let f = bisect(prev, cur, |p| a.geo.zones[zone].area.contains(p));
            let origin = a.tracks.get(&id).and_then(|s| find_origin(a, s).origin);
            let origin = origin.map(|c| a.geo.countries[c].id.clone());
            if let Some(s) = a.tracks.get_mut(&id)
                && s.belt_pending.len() < CROSSINGS_MAX
            {
                s.belt_pending
                    .push((k, lerp_time(prev, cur, f), lerp(prev, cur, f), origin));
            }
        }
    }
}

fn belt_entry(
    a: &mut Attributor,
    k: usize,
    id: TrackId,
    time: Time,
    at: Geodetic,
    origin: Option<String>,
) {
    // One object entering once: another track's entry at the same time and place is
    // the same object tracked twice; the same object's entry already counted is not
    // counted again.
    let root = a.tracks.get(&id).map(TrackState::root);
    // A track first seen inside the belt (not continuing another) is a launch there
    // only if no object already counted in it was there then: fusion's second track
    // on an object, or one begun again too far from the lost one to be linked.
    let born_inside = a
        .tracks
        .get(&id)
        .is_some_and(|s| s.lineage.is_none() && s.history.first.time == time);
    let seen = a.belt_entries[k].iter().any(|(t, other, p, _)| {
        let other_root = a.tracks.get(other).map(TrackState::root);
        (other_root.is_some() && other_root == root)
            || (time.seconds_since(*t).abs() <= DUPLICATE_S
                && p.surface_distance_m(&at) <= DUPLICATE_M)
            || (born_inside
                && *other != id
                && a.tracks
                    .get(other)
                    .and_then(|o| position_near(o, time))
                    .is_some_and(|q| q.surface_distance_m(&at) <= SAME_OBJECT_M))
    });
    if seen {
        a.stats.duplicates_suppressed += 1;
        return;
    }
    let entries = &mut a.belt_entries[k];
    if entries.len() >= limits::belt_entries_max {
        entries.pop_front();
        a.belt_counted[k] = a.belt_counted[k].saturating_sub(1);
    }
    entries.push_back((time, id, at, origin));
    // Entries older than the window no longer count.
    let window = a.config.mass_window;
    while entries.len() > a.belt_counted[k]
        && entries
            .back()
            .is_some_and(|b| entries[a.belt_counted[k]].0 + window < b.0)
    {
        a.belt_counted[k] += 1;
    }
    let n = entries.len() - a.belt_counted[k];
    if n < a.config.mass_min_count as usize {
        return;
    }
    let members: Vec<crate::engine::BeltEntry> =
        entries.iter().skip(a.belt_counted[k]).cloned().collect();
    a.belt_counted[k] = entries.len();
    let zone_id = a.geo.zones[a.belts[k]].area.id.clone();
    let first_time = members.first().map_or(time, |m| m.0);
    let mut d = Draft::new(IncidentKind::MassIncursion, zone_id.clone(), time);
    d.zones = vec![zone_id.clone()];
    let origins: Vec<&Option<String>> = members.iter().map(|m| &m.3).collect();
    let group = group_origin(&origins);
    let common = group.as_ref().map(|g| g.state.clone());
    d.origin = common.clone();
    d.first_detection = members
        .iter()
        .filter_map(|m| a.tracks.get(&m.1).map(|s| s.first().time))
        .min()
        .unwrap_or(first_time);
    d.int("count", members.len() as i64);
    d.float("window_s", a.config.mass_window.as_secs_f64());
    d.flag(
        "state_originated",
        common.as_ref().is_some_and(|c| !a.geo.parties.contains(c)),
    );
    d.text("class", "drone");
    for m in &members {
        d.items.push(EvidenceItem::Track { track: m.1 });
        d.derived(
            "belt_entry",
            format!(
                "{} at {} (origin {})",
                m.1,
                m.0,
                m.3.as_deref().unwrap_or("not established")
            ),
        );
    }
    let known = origins.iter().filter(|o| o.is_some()).count();
    let origin_text = match &group {
        Some(g) => {
            if g.members < known {
                d.contradictions.push(format!(
                    "{} of the {known} entries with an established origin came from another state than {}",
                    known - g.members,
                    g.state
                ));
            }
            format!(
                "{} ({} of {} entries; {} without an established origin)",
                g.state,
                g.members,
                members.len(),
                members.len() - known
            )
        }
        None => {
            if known > 0 {
                d.contradictions
                    .push("the entries do not share one state of origin".into());
            }
            format!(
                "not one state ({known} of {} entries with an established origin)",
                members.len()
            )
        }
    };
    d.method = "belt-entries-in-window".into();
    d.confidence = 0.9 * group.as_ref().map_or(1.0, |g| g.share);
    d.statement = format!(
        "{} hostile air tracks entered the border belt `{}` between {} and {} (window {}). Origin of the group: {origin_text}. Each entry is listed with its track; the pact's indicators count the airspace entries themselves.",
        members.len(),
        zone_id,
        first_time,
        time,
        a.config.mass_window,
    );
    a.emit(d);
}

/// The state a group of belt entries came from: the one most of its members
/// with an established origin came from, when those are a majority of the group
/// and at least [`GROUP_ORIGIN_SHARE`] of them agree. A wave's members first
/// seen inside the belt have none (their origin is not established), which
/// does not make the others' origin less true; members from another state do,
/// and lower the confidence by their share.
struct GroupOrigin {
    state: String,
    /// Members that came from `state`.
    members: usize,
    /// `members` over the members with an established origin.
    share: f64,
}

/// Of a group's members with an established origin, the share that must agree.
const GROUP_ORIGIN_SHARE: f64 = 2.0 / 3.0;

fn group_origin(origins: &[&Option<String>]) -> Option<GroupOrigin> {
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for o in origins.iter().filter_map(|o| o.as_deref()) {
        *counts.entry(o).or_default() += 1;
    }
    let known: usize = counts.values().sum();
    let (state, members) = counts.into_iter().max_by_key(|&(_, n)| n)?;
    let share = members as f64 / known as f64;
    (2 * known >= origins.len() && share >= GROUP_ORIGIN_SHARE).then(|| GroupOrigin {
        state: state.to_owned(),
        members,
        share,
    })
}

/// Closes the violations of tracks silent longer than a continuation can be
/// linked (`LINK_GAP_S`): the object was lost inside, and its incident is not
/// held back until the input ends. Unless another track of the same object
/// (same lineage) still follows it: fusion's second track on an aircraft takes
/// its open violation when it begins, and may die before the first; the
/// violation goes back to the one still flying.
pub(crate) fn close_lost_violations(a: &mut Attributor) {
    let lost: Vec<TrackId> = a
        .tracks
        .values()
        .filter(|s| {
            s.violation.is_some()
                && a.watermark.seconds_since(s.last_update) > crate::engine::LINK_GAP_S
        })
        .map(|s| s.id)
        .collect();
    for id in lost {
        let Some(s) = a.tracks.get(&id) else { continue };
        let root = s.root();
        let heir = a
            .tracks
            .values()
            .filter(|t| {
                t.id != id
                    && t.violation.is_none()
                    && t.root() == root
                    && a.watermark.seconds_since(t.last_update) <= crate::engine::LINK_GAP_S
            })
            .max_by_key(|t| t.last_update)
            .map(|t| t.id);
        match heir {
            Some(heir) => {
                let v = a.tracks.get_mut(&id).and_then(|s| s.violation.take());
                if let Some(h) = a.tracks.get_mut(&heir) {
                    h.violation = v;
                }
            }
            None => close_violation(a, id, None),
        }
    }
}

/// Closes a violation (on exit, when its track is lost, or at the end of input)
/// and emits it.
pub(crate) fn close_violation(a: &mut Attributor, id: TrackId, exit: Option<Time>) {
    let Some(s) = a.tracks.get_mut(&id) else {
        return;
    };
    let Some(v) = s.violation.take() else { return };
    let Some(s) = a.tracks.get(&id) else { return };
    let end = exit.unwrap_or(v.last);
    let duration = end - v.time;
    let geo = &a.geo;
    let into = geo.countries[v.country].id.clone();
    let from = v.from.map(|c| geo.countries[c].id.clone());
    let o = find_origin(a, s);
    let origin = o
        .origin
        .map(|c| geo.countries[c].id.clone())
        .or(from.clone());
    let mut d = Draft::new(IncidentKind::AirspaceViolation, id.to_string(), v.time);
    d.position = Some(v.position);
    d.zones = geo.zones_at(&v.deepest);
    d.origin = origin.clone();
    d.first_detection = s.first().time;
    d.text("class", pact_class(s.class));
    d.text("into", into.clone());
    d.text("from", from.clone().unwrap_or_default());
    d.flag(
        "state_originated",
        origin.as_ref().is_some_and(|c| !geo.parties.contains(c)),
    );
    d.float("duration_s", duration.as_secs_f64());
    d.float("depth_m", v.depth_m);
    d.flag("ongoing", exit.is_none());
    track_items(s, &mut d);
    d.derived("crossing_point", fmt_pos(&v.position));
    d.derived("deepest_point", fmt_pos(&v.deepest));
    d.derived("time_over_border", duration.to_string());
    d.method = "manned-violation/entry-exit".into();
    d.confidence = 0.9 * (0.85 + 0.15 * s.class_confidence.clamp(0.0, 1.0));
    d.statement = format!(
        "A manned aircraft without a transponder identity (track {}) entered {} from {} at {} ({}) and stayed {} ({}), reaching {} inside the border. {}",
        id,
        into,
        from.as_deref().unwrap_or("the sea"),
        fmt_pos(&v.position),
        v.time,
        duration,
        if exit.is_some() {
            "until it left"
        } else {
            "until its track was last updated, still inside (lost, or the input ended)"
        },
        km(v.depth_m),
        capitalise(&o.note)
    );
    a.emit(d);
}

/// The first fraction along a→b inside the site's buffer, sampling the segment
/// finely enough (a quarter buffer) that a fast drone cannot jump over a small buffer.
fn buffer_entry(site: &crate::geography::Site, a: &Point, b: &Point) -> Option<f64> {
    within(site, a, b, site.buffer_m)
}

/// The first fraction along a→b at most `radius` from the site.
fn within(site: &crate::geography::Site, a: &Point, b: &Point, radius: f64) -> Option<f64> {
    let len = a.position.surface_distance_m(&b.position);
    if !site.near_box(&b.position, len) {
        return None;
    }
    let n = ((len / (0.25 * radius.max(1.0))).ceil() as usize).clamp(1, 4096);
    (1..=n)
        .map(|k| k as f64 / n as f64)
        .find(|f| site.distance_m(&lerp(a, b, *f)) <= radius)
}

fn over_sites(a: &mut Attributor, id: TrackId, prev: &Point, cur: &Point) {
    // A chord across a gap (fusion lost the object and a new track continues it,
    // or its updates are far apart) is not its path: only where it was measured
    // counts. Seeds of the night wave raised hospitals on such chords.
    let prev = if cur.time.seconds_since(prev.time) > SITE_CHORD_S {
        cur
    } else {
        prev
    };
    let Some(s) = a.tracks.get(&id) else { return };
    let sigma = s.sigma_m;
    let near: Vec<usize> = s.site_near.iter().map(|n| n.0).collect();
    let hits: Vec<usize> = a
        .geo
        .sites
        .iter()
        .enumerate()
        .filter(|(k, site)| near.contains(k) || buffer_entry(site, prev, cur).is_some())
        .map(|(k, _)| k)
        .collect();
    for k in hits {
        if a.tracks.get(&id).is_none_or(|s| s.sites_seen.contains(&k)) {
            continue;
        }
        let site = &a.geo.sites[k];
        // Where the track entered the buffer (this segment, or an earlier one).
        let open = a
            .tracks
            .get(&id)
            .and_then(|s| s.site_near.iter().find(|n| n.0 == k).copied());
        let entered = open.map(|n| (n.1, n.2, n.3)).or_else(|| {
            let f_hit = buffer_entry(site, prev, cur)?;
            let sub_end = Point {
                position: lerp(prev, cur, f_hit),
                time: lerp_time(prev, cur, f_hit),
                ..*cur
            };
            let f = bisect(prev, &sub_end, |p| site.distance_m(p) <= site.buffer_m) * f_hit;
            Some((lerp_time(prev, cur, f), lerp(prev, cur, f), false))
        });
        let Some((time, at, deep_before)) = entered else {
            continue;
        };
        // In for sure only deeper than the track's position uncertainty: a track
        // grazing the edge is as likely an object passing just outside. One update
        // that deep may still be noise (a system track's plots scatter ±300 m past
        // a hospital it misses by 500): the mean of two updates in a row (the
        // chord's midpoint: a straight path's own point, its scatter halved), two
        // updates in a row, or a path through it twice that deep.
        let margin = sigma.clamp(0.0, SITE_MARGIN_SHARE * site.buffer_m);
        let inner = site.buffer_m - margin;
        let deep_now = site.distance_m(&cur.position) <= inner;
        let deep = site.distance_m(&lerp(prev, cur, 0.5)) <= inner
            || (deep_now && deep_before)
            || within(site, prev, cur, site.buffer_m - 2.0 * margin).is_some();
        let outside = site.distance_m(&cur.position) > site.buffer_m;
        let Some(s) = a.tracks.get_mut(&id) else {
            return;
        };
        s.site_near.retain(|n| n.0 != k);
        if deep {
            s.sites_seen.insert(k);
            if s.site_pending.len() < CROSSINGS_MAX {
                s.site_pending.push((k, time, at));
            }
        } else if !outside && s.site_near.len() < CROSSINGS_MAX {
            s.site_near.push((k, time, at, deep_now));
        }
    }
    // Raised once the track is established (a false track from clutter wanders
    // into a buffer too), dated at the buffer entry.
    if a.tracks.get(&id).is_some_and(TrackState::established) {
        let pending = a
            .tracks
            .get_mut(&id)
            .map(|s| std::mem::take(&mut s.site_pending))
            .unwrap_or_default();
        for (k, time, at) in pending {
            site_entry(a, id, k, time, at);
        }
    }
}

fn site_entry(a: &mut Attributor, id: TrackId, k: usize, time: Time, at: Geodetic) {
    // Fusion's second track on a followed object: begun beside a track already
    // established then. Drones flying together from the start (a swarm over an
    // airport) are tracks begun together, each its own object.
    let born = a.tracks.get(&id).map_or(time, |s| s.history.first.time);
    let duplicate = a.tracks.iter().any(|(other, o)| {
        *other != id
            && o.first().time.seconds_since(born) <= -crate::engine::ESTABLISHED_S
            && o.site_entries.iter().any(|(j, t, p)| {
                *j == k
                    && time.seconds_since(*t).abs() <= SITE_DUPLICATE_S
                    && p.surface_distance_m(&at) <= SITE_DUPLICATE_M
            })
    });
    if let Some(s) = a.tracks.get_mut(&id)
        && s.site_entries.len() < CROSSINGS_MAX
    {
        s.site_entries.push((k, time, at));
    }
    if duplicate {
        a.stats.duplicates_suppressed += 1;
        return;
    }
    let Some(s) = a.tracks.get(&id) else { return };
    let o = find_origin(a, s);
    let origin = o.origin.map(|c| a.geo.countries[c].id.clone());
    let site = &a.geo.sites[k];
    let mut d = Draft::new(
        IncidentKind::DroneOverInfrastructure,
        format!("{id}|{}", site.id),
        time,
    );
    d.position = Some(at);
    d.zones = a.geo.zones_at(&at);
    d.infrastructure = Some(site.id.clone());
    d.origin = origin.clone();
    d.first_detection = s.first().time;
    d.text("class", pact_class(s.class));
    d.text("track_class", s.class.as_str());
    d.text("infrastructure_kind", site.kind_str());
    d.float("buffer_m", site.buffer_m);
    d.float("alt_m", at.alt_m);
    d.flag(
        "state_originated",
        origin.as_ref().is_some_and(|c| !a.geo.parties.contains(c)),
    );
    track_items(s, &mut d);
    d.derived("buffer_entry", fmt_pos(&at));
    d.method = "track-in-buffer".into();
    d.confidence = 0.9 * (0.85 + 0.15 * s.class_confidence.clamp(0.0, 1.0));
    d.statement = format!(
        "Track {} ({}) entered the {} m protection buffer of {} ({}) at {} ({}). Origin: {}.",
        id,
        s.class.as_str(),
        site.buffer_m,
        site.name,
        site.kind_str(),
        time,
        fmt_pos(&at),
        origin.as_deref().unwrap_or("not established")
    );
    a.emit(d);
}

/// A CoT report of a hostile air object inside a site's buffer.
pub(crate) fn sighting(
    a: &mut Attributor,
    source: &str,
    uid: &str,
    time: Time,
    p: &Geodetic,
    cot_type: &str,
) {
    // `a-h-A...`: an atom, hostile, air (MIL-STD-2525 via the CoT type tree).
    let hostile_air = cot_type.starts_with("a-h-A")
        || cot_type.starts_with("a-s-A")
        || cot_type.starts_with("a-u-A");
    if !hostile_air {
        return;
    }
    let hits: Vec<usize> = a
        .geo
        .sites
        .iter()
        .enumerate()
        .filter(|(_, site)| site.near_box(p, 0.0) && site.distance_m(p) <= site.buffer_m)
        .map(|(k, _)| k)
        .collect();
    for k in hits {
        // One incident per object, site and hour: a sighting repeated every few seconds is one incident.
        let hour = Time::from_unix_us(time.unix_us - time.unix_us.rem_euclid(3_600_000_000));
        let key = (uid.to_owned(), k, hour.unix_us);
        if a.sightings.contains(&key) || a.sightings.len() >= limits::emitted_ids_max {
            continue;
        }
        a.sightings.insert(key);
        let site = &a.geo.sites[k];
        let mut d = Draft::new(
            IncidentKind::DroneOverInfrastructure,
            format!("cot:{uid}|{}", site.id),
            time,
        );
        d.position = Some(*p);
        d.zones = a.geo.zones_at(p);
        d.infrastructure = Some(site.id.clone());
        d.text("class", "drone");
        d.text("cot_type", cot_type);
        d.text("infrastructure_kind", site.kind_str());
        d.flag("state_originated", false);
        d.items.push(EvidenceItem::Report {
            source: source.to_owned(),
            time,
            text: format!("CoT {uid} type {cot_type} at {}", fmt_pos(p)),
        });
        d.method = "report-in-buffer".into();
        d.confidence = if cot_type.starts_with("a-h-A") {
            0.8
        } else {
            0.6
        };
        d.statement = format!(
            "Observer {source} reported {uid} ({cot_type}) inside the {} m buffer of {} at {}. One report: the object's origin is not established from it.",
            site.buffer_m, site.name, time
        );
        a.emit(d);
    }
}
