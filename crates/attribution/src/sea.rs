//! Sea: loitering in a cable's or pipeline's buffer, the anchor-drag pattern
//! (slow, steady course across a line: Eagle S, Yi Peng 3, NewNew Polar Bear),
//! AIS going dark near infrastructure, and who the vessel is (MMSI, flag from
//! the MID, shadow-fleet list).

use model::{EvidenceItem, Geodetic, IncidentKind, Time, TrackId};

use crate::KNOT_MPS;
use crate::engine::{Attributor, DarkVessel, DragCandidate, TrackState};
use crate::evidence::{Draft, fmt_pos, km};
use crate::history::Point;
use crate::limits;

/// Circular spread of the courses (degrees): 0 for a straight line.
fn course_spread_deg(courses: &[f64]) -> f64 {
    if courses.is_empty() {
        return 180.0;
    }
    let (s, c) = courses.iter().fold((0.0, 0.0), |(s, c), d: &f64| {
        (s + d.to_radians().sin(), c + d.to_radians().cos())
    });
    let r = (s * s + c * c).sqrt() / courses.len() as f64;
    // Circular standard deviation.
    (-2.0 * r.max(1e-12).ln()).sqrt().to_degrees()
}

/// A drag over a line within this long of the last one over it by the same track
/// is the same passage.
const SAME_PASSAGE_S: f64 = 1800.0;

/// The baseline over which speed and course over ground are measured: the
/// displacement from the point this long before. A track's own velocity is what
/// its filter estimated from the last few reports; for a hull seen only by a
/// patrol boat's CoT contacts (positions to ~100 m, one a minute) it wanders by
/// several knots, which hides both a loiter (under 2 kn) and the steady course
/// of a drag. Over five minutes the same position errors make a few tenths of a
/// knot. (Hand-written: a few lines over the kept history; no crate does this.)
const GROUND_BASELINE_S: f64 = 300.0;
/// A shorter span than this is too short to measure over: the track's velocity is used.
const GROUND_SPAN_MIN_S: f64 = 60.0;
/// A longer one spans a gap (a satellite pass): the track's velocity is used.
const GROUND_SPAN_MAX_S: f64 = 4.0 * GROUND_BASELINE_S;

/// Speed (m/s) and course (degrees) over ground at `p`, from the displacement
/// since the latest earlier point at least [`GROUND_BASELINE_S`] older (or the
/// earliest one, for a young track); `before` runs backwards in time from `p`.
fn ground<'p>(before: impl Iterator<Item = &'p Point>, p: &Point) -> (f64, f64) {
    let mut from = None;
    for q in before {
        from = Some(q);
        if p.time.seconds_since(q.time) >= GROUND_BASELINE_S {
            break;
        }
    }
    let Some(q) = from else {
        return (p.speed_mps(), p.course_deg());
    };
    let span = p.time.seconds_since(q.time);
    if !(GROUND_SPAN_MIN_S..=GROUND_SPAN_MAX_S).contains(&span) {
        return (p.speed_mps(), p.course_deg());
    }
    let (x, y) = crate::geography::local_xy(&q.position, p.position.lon_deg, p.position.lat_deg);
    (x.hypot(y) / span, x.atan2(y).to_degrees().rem_euclid(360.0))
}

/// The kept points from `since` (with the baseline before it) and `cur`, in time order.
fn recent(s: &TrackState, since: Time, cur: &Point) -> Vec<Point> {
    let from = since - model::Duration::from_secs_f64(GROUND_SPAN_MAX_S);
    let mut pts: Vec<Point> = s
        .history
        .iter()
        .rev()
        .take_while(|p| p.time >= from)
        .copied()
        .collect();
    pts.reverse();
    pts.push(*cur);
    pts
}

/// The slow steady course of the drag pattern, over the window before `cur`:
/// (mean speed, course, spread), speeds and courses over ground.
fn drag_pattern(a: &Attributor, s: &TrackState, cur: &Point) -> Option<(f64, f64, f64)> {
    let c = &a.config;
    let band = |v: f64| v >= c.drag_speed_min_mps && v <= c.drag_speed_max_mps;
    let since = cur.time - c.drag_window;
    let pts = recent(s, since, cur);
    let n = pts.len();
    if !band(ground(pts[..n - 1].iter().rev(), cur).0) {
        return None;
    }
    let window: Vec<(f64, f64)> = (0..n)
        .filter(|&i| pts[i].time >= since)
        .map(|i| ground(pts[..i].iter().rev(), &pts[i]))
        .collect();
    let span = pts
        .iter()
        .find(|p| p.time >= since)
        .map_or(0.0, |p| cur.time.seconds_since(p.time));
    // `window` ends with `cur`: at least 3 points besides it.
    if window.len() < 4 || span < 0.5 * c.drag_window.as_secs_f64() {
        return None;
    }
    if !window.iter().all(|(v, _)| band(*v)) {
        return None;
    }
    let courses: Vec<f64> = window.iter().map(|(_, c)| *c).collect();
    let spread = course_spread_deg(&courses);
    if spread > c.drag_course_spread_max_deg {
        return None;
    }
    let speed = window.iter().map(|(v, _)| v).sum::<f64>() / window.len() as f64;
    let course = window.last().map_or(0.0, |(_, c)| *c);
    Some((speed, course, spread))
}

/// The length of the slow run behind `cur`: back while the speed over ground
/// stays in the drag band (the distance dragged, for an anchor).
fn slow_run_m(a: &Attributor, s: &TrackState, cur: &Point) -> f64 {
    let c = &a.config;
    let band = |v: f64| v >= c.drag_speed_min_mps && v <= c.drag_speed_max_mps;
    let mut pts: Vec<Point> = s.history.iter().copied().collect();
    pts.push(*cur);
    let mut length = 0.0;
    for i in (1..pts.len()).rev() {
        if !band(ground(pts[..i - 1].iter().rev(), &pts[i - 1]).0) {
            break;
        }
        let (p, q) = (&pts[i - 1], &pts[i]);
        let (x, y) =
            crate::geography::local_xy(&p.position, q.position.lon_deg, q.position.lat_deg);
        length += x.hypot(y);
    }
    length
}

pub(crate) fn update(a: &mut Attributor, id: TrackId, prev: &Point, cur: &Point) {
    let n_sites = a.geo.sites.len();
    let Some(speed) = a
        .tracks
        .get(&id)
        .map(|s| ground(s.history.iter().rev(), cur).0)
    else {
        return;
    };
    let pattern = a.tracks.get(&id).and_then(|s| drag_pattern(a, s, cur));
    for k in 0..n_sites {
        let site = &a.geo.sites[k];
        if !site.near_box(&cur.position, a.config.suspect_radius_m) {
            continue;
        }
        let d = site.distance_m(&cur.position);
        let (is_line, buffer) = (site.is_line(), site.buffer_m);
        let crossed = if is_line {
            crate::geography::crossing_fraction(site, &prev.position, &cur.position)
        } else {
            None
        };
        let Some(s) = a.tracks.get_mut(&id) else {
            return;
        };
        if d <= a.config.suspect_radius_m && s.closest.get(&k).is_none_or(|c| d < c.0) {
            s.closest.insert(k, (d, cur.time, cur.position));
        }
        if !is_line {
            continue;
        }
        // Loitering.
        if d <= buffer && speed < a.config.loiter_speed_max_mps {
            let since = *s.loiter_since.entry(k).or_insert(cur.time);
            if !s.loiter_fired.contains(&k) && cur.time - since >= a.config.loiter_min {
                s.loiter_fired.insert(k);
                loiter(a, id, k, since, cur, speed);
            }
        } else {
            s.loiter_since.remove(&k);
            s.loiter_fired.remove(&k);
        }
        // Anchor drag: the closest passage while the pattern holds.
        let near = d <= a.config.anchor_cross_m || crossed.is_some();
        let length = match (&pattern, near, a.tracks.get(&id)) {
            (Some(_), true, Some(s)) => slow_run_m(a, s, cur),
            _ => 0.0,
        };
        let Some(s) = a.tracks.get_mut(&id) else {
            return;
        };
        // The same passage again: a vessel dragging along a line at a shallow angle
        // comes back within the crossing distance through position noise.
        let again = !s.drag.contains_key(&k)
            && s.dragged
                .iter()
                .any(|&(site, t, _)| site == k && cur.time.seconds_since(t) < SAME_PASSAGE_S);
        match (&pattern, near && !again) {
            (Some((v, course, spread)), true) => {
                let (dist, time, at) = match crossed {
                    Some(f) => (
                        0.0,
                        Time::from_unix_us(
                            prev.time.unix_us
                                + ((cur.time.unix_us - prev.time.unix_us) as f64 * f) as i64,
                        ),
                        Geodetic::new(
                            prev.position.lat_deg
                                + f * (cur.position.lat_deg - prev.position.lat_deg),
                            prev.position.lon_deg
                                + f * (cur.position.lon_deg - prev.position.lon_deg),
                            0.0,
                        ),
                    ),
                    None => (d, cur.time, cur.position),
                };
                let better = s.drag.get(&k).is_none_or(|c| dist < c.distance_m);
                let candidate = DragCandidate {
                    distance_m: dist,
                    time,
                    position: at,
                    speed_mps: *v,
                    course_deg: *course,
                    course_spread_deg: *spread,
                    length_m: length,
                };
                if better {
                    s.drag.insert(k, candidate);
                } else if let Some(c) = s.drag.get_mut(&k) {
                    c.length_m = c.length_m.max(length);
                }
                // Across the line: no passage comes closer, so it is raised now (the
                // pacts act on it within seconds) rather than when the vessel has left.
                if crossed.is_some() {
                    emit_drag(a, id, k);
                }
            }
            _ => {
                if s.drag.contains_key(&k) {
                    emit_drag(a, id, k);
                }
            }
        }
    }
}

/// Emits the pending drags of a track (at the end of input).
pub(crate) fn flush_drags(a: &mut Attributor, id: TrackId) {
    let sites: Vec<usize> = a
        .tracks
        .get(&id)
        .map(|s| s.drag.keys().copied().collect())
        .unwrap_or_default();
    for k in sites {
        emit_drag(a, id, k);
    }
}

/// MMSI, flag, shadow-fleet list; for an unidentified track, the vessel that
/// went dark nearest to where and when this track begins.
fn identity(a: &Attributor, s: &TrackState, d: &mut Draft) {
    // Where it came from: its own track's start, or the silent vessel's it is linked to.
    let from = match linked_dark(a, s).filter(|_| s.identity.mmsi.is_none()) {
        Some(dv) => a.tracks.get(&dv.track).and_then(|t| departure(a, t)),
        None => departure(a, s),
    };
    let departed = from.is_some();
    if let Some(o) = from {
        d.derived(
            "departure",
            format!("the track begins at or near the coast of {o}"),
        );
        d.origin = Some(o);
    }
    let (mmsi, linked) = match s.identity.mmsi {
        Some(m) => (Some(m), None),
        None => match linked_dark(a, s) {
            Some(dv) => (Some(dv.mmsi), Some(dv)),
            None => (None, None),
        },
    };
    let Some(mmsi) = mmsi else {
        d.derived(
            "identity",
            "none: no MMSI, and no vessel went dark where this track begins",
        );
        d.contradictions.push("the vessel is not identified".into());
        return;
    };
    d.int("mmsi", i64::from(mmsi));
    let flag = crate::mid::flag_of_mmsi(mmsi);
    d.text("flag", flag.map_or("unknown", |f| f.0));
    if let Some(cs) = &s.identity.callsign {
        d.text("callsign", cs.clone());
    }
    let listed = a.config.shadow_fleet.iter().find(|v| v.mmsi == mmsi);
    d.flag("shadow_fleet", listed.is_some());
    if let Some(v) = listed {
        d.derived(
            "shadow_fleet",
            format!(
                "MMSI {mmsi} ({}) is on the list `{}`",
                v.name, a.config.shadow_fleet_list
            ),
        );
    }
    match flag {
        Some((iso, name)) => {
            d.derived("flag", format!("MID {} → {name} ({iso})", mmsi / 1_000_000));
            // Where it came from is not seen (its track begins at sea): the
            // state answerable for the vessel is its flag's.
            if !departed {
                d.origin = Some(iso.to_owned());
                d.derived(
                    "origin",
                    format!("the flag state {iso}: the track begins at sea, far from any coast"),
                );
            }
        }
        None => d.derived(
            "flag",
            format!("MID {} is not an allocated flag", mmsi / 1_000_000),
        ),
    }
    if let Some(dv) = linked {
        d.flag("identity_linked", true);
        d.items.push(EvidenceItem::Track { track: dv.track });
        d.derived(
            "identity_link",
            format!(
                "unidentified track; MMSI {} went dark at {} at {}, {} from where this track begins",
                dv.mmsi,
                dv.time,
                fmt_pos(&dv.position),
                km(s.history.first.position.surface_distance_m(&dv.position))
            ),
        );
        d.contradictions.push(
            "the identity is inferred from an AIS-dark vessel nearby, not transmitted".into(),
        );
    }
}

fn linked_dark<'a>(a: &'a Attributor, s: &TrackState) -> Option<&'a DarkVessel> {
    let first = &s.history.first;
    a.dark
        .iter()
        .filter(|dv| dv.track != s.id && dv.time <= first.time + model::Duration::from_secs(600))
        .filter(|dv| {
            let dt = first.time.seconds_since(dv.time).max(0.0);
            let reach = 5_000.0 + dt * 14.0 * KNOT_MPS;
            first.position.surface_distance_m(&dv.position) <= reach
        })
        .min_by(|x, y| {
            let dx = first.position.surface_distance_m(&x.position);
            let dy = first.position.surface_distance_m(&y.position);
            dx.total_cmp(&dy).then(x.track.cmp(&y.track))
        })
}

fn vessel_items(s: &TrackState, d: &mut Draft) {
    d.items.push(EvidenceItem::Track { track: s.id });
    for sensor in &s.sensors {
        d.derived("sensor", sensor.to_string());
    }
    for (start, len) in &s.gaps {
        d.contradictions
            .push(format!("the track has a gap of {len} from {start}"));
    }
}

fn loiter(a: &mut Attributor, id: TrackId, k: usize, since: Time, cur: &Point, speed: f64) {
    let Some(s) = a.tracks.get(&id) else { return };
    let site = &a.geo.sites[k];
    let mut d = Draft::new(
        IncidentKind::VesselLoitering,
        format!("{id}|{}", site.id),
        cur.time,
    );
    d.position = Some(cur.position);
    d.zones = a.geo.zones_at(&cur.position);
    d.infrastructure = Some(site.id.clone());
    d.first_detection = s.history.first.time;
    d.text("class", "vessel");
    d.text("infrastructure_kind", site.kind_str());
    d.float("duration_s", cur.time.seconds_since(since));
    d.float("speed_mps", speed);
    d.float("distance_m", site.distance_m(&cur.position));
    vessel_items(s, &mut d);
    identity(a, s, &mut d);
    d.derived("loiter_since", since.to_string());
    d.method = "loiter-in-buffer".into();
    d.confidence = 0.85;
    d.statement = format!(
        "Vessel track {} stayed under {:.1} kn within the {} m buffer of {} from {} to {} ({}), {} from the line. Loitering is shown; intent is not.",
        s.label(),
        a.config.loiter_speed_max_mps / KNOT_MPS,
        site.buffer_m,
        site.name,
        since,
        cur.time,
        cur.time - since,
        km(site.distance_m(&cur.position))
    );
    a.emit(d);
}

fn emit_drag(a: &mut Attributor, id: TrackId, k: usize) {
    let Some(s) = a.tracks.get_mut(&id) else {
        return;
    };
    let Some(c) = s.drag.remove(&k) else { return };
    if s.dragged.len() < 16 {
        s.dragged.push((k, c.time, c.length_m));
    }
    let Some(s) = a.tracks.get(&id) else { return };
    let site = &a.geo.sites[k];
    let mut d = Draft::new(
        IncidentKind::AnchorDrag,
        format!("{id}|{}", site.id),
        c.time,
    );
    d.position = Some(c.position);
    d.zones = a.geo.zones_at(&c.position);
    d.infrastructure = Some(site.id.clone());
    d.first_detection = s.history.first.time;
    d.text("class", "vessel");
    d.text("infrastructure_kind", site.kind_str());
    d.float("speed_mps", c.speed_mps);
    d.float("speed_kn", c.speed_mps / KNOT_MPS);
    d.float("course_deg", c.course_deg);
    d.float("length_m", c.length_m);
    d.float("closest_m", c.distance_m);
    vessel_items(s, &mut d);
    identity(a, s, &mut d);
    if s.dark.is_some() || s.identity.mmsi.is_none() {
        d.flag("ais_dark", true);
    }
    d.derived(
        "closest_approach",
        format!(
            "{} at {} ({})",
            km(c.distance_m),
            c.time,
            fmt_pos(&c.position)
        ),
    );
    d.method = "anchor-drag-pattern".into();
    d.confidence = if c.length_m >= 1_000.0 { 0.8 } else { 0.6 };
    d.statement = format!(
        "Vessel track {} crossed {} at {} ({}) at {:.1} kn on a steady course {:.0}° (spread {:.0}° over {}), after {} at that slow speed: the pattern of a dragged anchor (Eagle S, Yi Peng 3, NewNew Polar Bear). The track shows speed, course and position; that an anchor was down is inferred, not observed.",
        s.label(),
        site.name,
        fmt_pos(&c.position),
        c.time,
        c.speed_mps / KNOT_MPS,
        c.course_deg,
        c.course_spread_deg,
        a.config.drag_window,
        km(c.length_m)
    );
    a.emit(d);
}

/// Finds vessels with an MMSI silent for the dark gap near infrastructure and
/// inside coverage: they become candidates, confirmed when a hull without a
/// transponder is seen where the silent vessel could be (silence alone is
/// also what a vessel leaving coverage or a sensor outage looks like).
pub(crate) fn scan_dark(a: &mut Attributor) {
    let wm = a.watermark;
    let gap = a.config.ais_dark_gap;
    let candidates: Vec<TrackId> = a
        .tracks
        .values()
        .filter(|s| {
            s.is_sea() && s.identity.mmsi.is_some() && s.dark.is_none() && s.last_update + gap <= wm
        })
        .map(|s| s.id)
        .collect();
    for id in candidates {
        let Some(s) = a.tracks.get_mut(&id) else {
            continue;
        };
        s.dark = Some(s.last_update);
        let last = *s.history.last();
        let Some(mmsi) = s.identity.mmsi else {
            continue;
        };
        let covered = a.config.ais_coverage.is_empty()
            || a.config
                .ais_coverage
                .iter()
                .any(|c| c.centre.surface_distance_m(&last.position) <= c.range_m - 5_000.0);
        let near = a
            .geo
            .sites
            .iter()
            .any(|site| site.distance_m(&last.position) <= a.config.ais_dark_near_m);
        if !covered || !near {
            continue;
        }
        if a.dark.len() >= limits::ended_vessels_max {
            a.dark.pop_front();
        }
        a.dark.push_back(DarkVessel {
            track: id,
            mmsi,
            time: last.time,
            position: last.position,
        });
    }
}

/// An unidentified vessel track: does it confirm a silent vessel's going dark?
pub(crate) fn confirm_dark(a: &mut Attributor, id: TrackId) {
    let Some(s) = a.tracks.get(&id) else { return };
    if s.identity.mmsi.is_some() || !s.is_sea() {
        return;
    }
    let Some(dv) = linked_dark(a, s).cloned() else {
        return;
    };
    if a.dark_confirmed.contains(&dv.track) {
        return;
    }
    a.dark_confirmed.insert(dv.track);
    let Some(silent) = a.tracks.get(&dv.track) else {
        return;
    };
    let last = *silent.history.last();
    let nearest = a
        .geo
        .sites
        .iter()
        .enumerate()
        .map(|(k, site)| (site.distance_m(&last.position), k))
        .min_by(|x, y| x.0.total_cmp(&y.0).then(x.1.cmp(&y.1)));
    let Some((dist, k)) = nearest else { return };
    let Some(hull) = a.tracks.get(&id) else {
        return;
    };
    let site = &a.geo.sites[k];
    let mmsi = dv.mmsi;
    let wm = a.watermark;
    let mut d = Draft::new(
        IncidentKind::AisDark,
        format!("{}|{mmsi}", dv.track),
        last.time,
    );
    d.position = Some(last.position);
    d.zones = a.geo.zones_at(&last.position);
    d.infrastructure = Some(site.id.clone());
    d.first_detection = silent.history.first.time;
    d.text("class", "vessel");
    d.text("infrastructure_kind", site.kind_str());
    d.float("distance_m", dist);
    d.float("silent_s", wm.seconds_since(last.time));
    d.float("speed_mps", last.speed_mps());
    vessel_items(silent, &mut d);
    d.items.push(EvidenceItem::Track { track: id });
    // The silent vessel's own identity and origin (it has an MMSI: its departure).
    identity(a, silent, &mut d);
    d.derived(
        "last_transmission",
        format!("{} at {}", last.time, fmt_pos(&last.position)),
    );
    d.derived(
        "hull_without_transponder",
        format!(
            "track {id} first seen at {} at {}, {} from the last transmission",
            hull.history.first.time,
            fmt_pos(&hull.history.first.position),
            km(hull
                .history
                .first
                .position
                .surface_distance_m(&last.position))
        ),
    );
    d.method = "ais-silence-confirmed-by-hull".into();
    d.confidence = if a.config.ais_coverage.is_empty() {
        0.7
    } else {
        0.85
    };
    d.statement = format!(
        "MMSI {mmsi} (track {}) last transmitted at {} at {}, {} from {} ({}){}; a hull without a transponder (track {id}) was then seen {} away. Silence is shown; that the transponder was switched off deliberately is inferred.",
        dv.track,
        last.time,
        fmt_pos(&last.position),
        km(dist),
        site.name,
        site.kind_str(),
        if a.config.ais_coverage.is_empty() {
            " (receiver coverage unknown)"
        } else {
            ", inside terrestrial AIS coverage"
        },
        km(hull
            .history
            .first
            .position
            .surface_distance_m(&last.position))
    );
    a.emit(d);
}

/// The state a vessel came from: where its track begins, or the nearest mapped
/// coast within 50 km of that (the borders file maps land only, and only the
/// theatre's states).
pub(crate) fn departure(a: &Attributor, s: &TrackState) -> Option<String> {
    let p = &s.history.first.position;
    if let Some(c) = a.geo.country_at(p) {
        return Some(a.geo.countries[c].id.clone());
    }
    a.geo
        .countries
        .iter()
        .map(|c| (c.distance_to_edge_m(p), c.id.clone()))
        .filter(|(d, _)| *d <= 50_000.0)
        .min_by(|x, y| x.0.total_cmp(&y.0))
        .map(|(_, id)| id)
}
