//! Ground truth: every object the scenario puts in the theatre, with its
//! class, origin and path, and the `truth.csv` that records them.
//!
//! `truth.csv` columns (one row per object alive at each `truth_interval` tick,
//! ordered by time then object):
//! - `time`: RFC 3339 UTC;
//! - `object_id`: stable id (`<wave>-<n>`, airliner callsign, vessel name);
//! - `class`: the catalogue class (`shahed`, `airliner`, `tanker`, ...);
//! - `origin`: the state it came from (ISO alpha-2: launching state of a
//!   threat, flag or departure state of civil traffic; empty if unknown);
//! - `lat_deg`, `lon_deg`: WGS84 degrees; `alt_m`: metres above sea level;
//! - `ve_mps`, `vn_mps`, `vu_mps`: velocity east, north, up in m/s.

use std::io::{self, Write};

use geo::Contains;
use model::{Duration, Time};

use crate::catalogue::{self, ObjectClass};
use crate::geography::{Geography, polygon_from_latlon};
use crate::kinematics::{Knot, Path, State, bearing_deg, destination};
use crate::random::{SimRng, StreamClass};
use crate::scenario::{LatLon, LegSpec, Scenario, VesselSpec, WaveSpec};

const KNOT_MPS: f64 = 1852.0 / 3600.0;

/// One object of the ground truth.
#[derive(Debug, Clone)]
pub struct Object {
    pub id: String,
    pub class: ObjectClass,
    pub origin: String,
    pub path: Path,
    pub icao24: Option<u32>,
    pub callsign: Option<String>,
    pub squawk: Option<u16>,
    pub mmsi: Option<u32>,
    /// The AIS transponder is silent from `.0` until `.1` (or the end).
    pub ais_off: Option<(Time, Option<Time>)>,
    /// Intervals with the anchor dragging on the seabed.
    pub anchor: Vec<(Time, Time)>,
}

impl Object {
    pub fn state_at(&self, t: Time) -> Option<State> {
        self.path.state_at(t)
    }

    pub fn ais_transmitting(&self, t: Time) -> bool {
        match self.ais_off {
            Some((off, on)) => t < off || on.is_some_and(|on| t >= on),
            None => true,
        }
    }

    pub fn anchor_down(&self, t: Time) -> bool {
        self.anchor.iter().any(|&(a, b)| t >= a && t <= b)
    }
}

/// Builds every object of the scenario, deterministically from the seed.
pub fn build_objects(scenario: &Scenario, geography: &Geography, seed: u64) -> Vec<Object> {
    let mut objects = Vec::new();
    for (wave_idx, wave) in scenario.wave.iter().enumerate() {
        let mut rng = SimRng::stream(seed, StreamClass::Wave, wave_idx as u64);
        build_wave(wave, geography, &mut rng, &mut objects);
    }
    for (idx, spec) in scenario.airliners.iter().enumerate() {
        let mut rng = SimRng::stream(seed, StreamClass::Civil, idx as u64);
        let k = catalogue::kinematics(ObjectClass::Airliner);
        for i in 0..spec.count {
            let speed_mps = rng.range(k.speed_kmh.0, k.speed_kmh.1) / 3.6;
            // Flight levels are in steps of 1,000 ft.
            let alt_m = (rng.range(k.alt_m.0, k.alt_m.1) / 304.8).round() * 304.8;
            let points: Vec<(LatLon, f64)> = spec.route.iter().map(|p| (*p, alt_m)).collect();
            let departure =
                spec.first_departure + Duration::from_us(spec.interval.us * i64::from(i));
            let callsign = format!("{}{}", spec.callsign_prefix, 100 + i);
            objects.push(Object {
                id: callsign.clone(),
                class: ObjectClass::Airliner,
                origin: spec.origin.clone(),
                path: Path::at_speed(departure, &points, speed_mps, f64::INFINITY),
                icao24: Some(spec.icao_base.wrapping_add(i) & 0xFF_FFFF),
                callsign: Some(callsign),
                squawk: Some(0o1000 + (i % 0o6000) as u16),
                mmsi: None,
                ais_off: None,
                anchor: Vec::new(),
            });
        }
    }
    for (idx, spec) in scenario.vessel.iter().enumerate() {
        let mut rng = SimRng::stream(seed, StreamClass::Vessel, idx as u64);
        for copy in 0..spec.copies {
            objects.push(build_vessel(spec, copy, &mut rng));
        }
    }
    for p in &scenario.patrol {
        let alt = p.alt_m;
        let points: Vec<(LatLon, f64)> = p.route.iter().map(|q| (*q, alt)).collect();
        let start = p.start.unwrap_or(scenario.start);
        objects.push(Object {
            id: p.callsign.clone(),
            class: ObjectClass::Patrol,
            origin: String::new(),
            path: Path::at_speed(start, &points, p.speed_kn * KNOT_MPS, f64::INFINITY),
            icao24: None,
            callsign: Some(p.callsign.clone()),
            squawk: None,
            mmsi: None,
            ais_off: None,
            anchor: Vec::new(),
        });
    }
    objects
}

/// A uniformly random point inside a polygon, by rejection in its box.
pub fn random_point_in(area: &[LatLon], rng: &mut SimRng) -> LatLon {
    let polygon = polygon_from_latlon(area);
    let (lat_lo, lat_hi) = area.iter().fold((90.0f64, -90.0f64), |(lo, hi), p| {
        (lo.min(p[0]), hi.max(p[0]))
    });
    let (lon_lo, lon_hi) = area.iter().fold((180.0f64, -180.0f64), |(lo, hi), p| {
        (lo.min(p[1]), hi.max(p[1]))
    });
    // A bounded number of tries: a degenerate polygon falls back to its first vertex.
    for _ in 0..1000 {
        let p = [rng.range(lat_lo, lat_hi), rng.range(lon_lo, lon_hi)];
        if polygon.contains(&geo::Point::new(p[1], p[0])) {
            return p;
        }
    }
    area[0]
}

fn build_wave(wave: &WaveSpec, geography: &Geography, rng: &mut SimRng, objects: &mut Vec<Object>) {
    let k = catalogue::kinematics(wave.class);
    let (speed_lo, speed_hi) = wave.speed_kmh.map_or(k.speed_kmh, |s| (s[0], s[1]));
    let (alt_lo, alt_hi) = wave.alt_m.map_or(k.alt_m, |a| (a[0], a[1]));
    let range_m = wave.range_km.unwrap_or(k.range_km) * 1000.0;
    for i in 0..wave.count {
        let launch = random_point_in(&wave.launch_area, rng);
        let launch_time = wave.launch_at
            + Duration::from_secs_f64(rng.range(0.0, wave.launch_spread.as_secs_f64()));
        let speed_mps = rng.range(speed_lo, speed_hi) / 3.6;
        let cruise_alt = rng.range(alt_lo, alt_hi);
        let target = random_point_in(&wave.target_area, rng);
        let waypoints: Vec<LatLon> = wave
            .waypoints
            .iter()
            .map(|w| {
                destination(
                    *w,
                    rng.range(0.0, 360.0),
                    wave.waypoint_jitter_m * rng.unit().sqrt(),
                )
            })
            .collect();
        let path = match k.apogee_m {
            Some(apogee) => ballistic_path(launch, target, launch_time, speed_mps, apogee),
            None => {
                let first = waypoints.first().copied().unwrap_or(target);
                // Climb to cruise height over the first 5 km, dive onto the target.
                let climb = destination(launch, bearing_deg(launch, first), 5_000.0);
                let mut points = vec![(launch, 0.0), (climb, cruise_alt)];
                points.extend(waypoints.iter().map(|w| (*w, cruise_alt)));
                points.push((target, 0.0));
                Path::at_speed(launch_time, &points, speed_mps, range_m)
            }
        };
        let origin = wave.origin.clone().unwrap_or_else(|| {
            geography
                .country_at(launch[0], launch[1])
                .map(|c| geography.countries[c].id.clone())
                .unwrap_or_default()
        });
        objects.push(Object {
            id: format!("{}-{:04}", wave.name, i + 1),
            class: wave.class,
            origin,
            path,
            icao24: None,
            callsign: None,
            squawk: None,
            mmsi: None,
            ais_off: None,
            anchor: Vec::new(),
        });
    }
}

/// A quasi-ballistic arc: a parabola in height over the ground track.
fn ballistic_path(
    launch: LatLon,
    target: LatLon,
    start: Time,
    speed_mps: f64,
    apogee_m: f64,
) -> Path {
    const PIECES: usize = 16;
    let length_m = crate::kinematics::surface_distance_m(launch, target);
    let bearing = bearing_deg(launch, target);
    let knots: Vec<Knot> = (0..=PIECES)
        .map(|j| {
            let f = j as f64 / PIECES as f64;
            let p = destination(launch, bearing, f * length_m);
            Knot {
                time: start + Duration::from_secs_f64(f * length_m / speed_mps),
                lat_deg: p[0],
                lon_deg: p[1],
                alt_m: 4.0 * apogee_m * f * (1.0 - f),
            }
        })
        .collect();
    Path::new(&knots)
}

fn build_vessel(spec: &VesselSpec, copy: u32, rng: &mut SimRng) -> Object {
    let shift = Duration::from_us(spec.copy_interval.us * i64::from(copy));
    let mut t = spec.start_at + shift;
    let mut here = spec.position;
    let mut knots = vec![Knot {
        time: t,
        lat_deg: here[0],
        lon_deg: here[1],
        alt_m: 0.0,
    }];
    let mut anchor = Vec::new();
    for leg in &spec.legs {
        match leg {
            LegSpec {
                to: Some(to),
                speed_kn: Some(speed_kn),
                anchor: dragging,
                ..
            } => {
                let dist = crate::kinematics::surface_distance_m(here, *to);
                let t_end = t + Duration::from_secs_f64(dist / (speed_kn * KNOT_MPS));
                if *dragging {
                    anchor.push((t, t_end));
                }
                t = t_end;
                here = *to;
                knots.push(Knot {
                    time: t,
                    lat_deg: here[0],
                    lon_deg: here[1],
                    alt_m: 0.0,
                });
            }
            LegSpec {
                loiter: Some(loiter),
                ..
            } => {
                // Drift about the point: a new point within 150 m every 10 minutes
                // (well under a knot), back at the start at the end.
                let end = t + *loiter;
                let step = Duration::from_mins(10);
                let centre = here;
                while t + step < end {
                    t = t + step;
                    let p = destination(centre, rng.range(0.0, 360.0), rng.range(0.0, 150.0));
                    knots.push(Knot {
                        time: t,
                        lat_deg: p[0],
                        lon_deg: p[1],
                        alt_m: 0.0,
                    });
                }
                t = end;
                knots.push(Knot {
                    time: t,
                    lat_deg: centre[0],
                    lon_deg: centre[1],
                    alt_m: 0.0,
                });
            }
            _ => unreachable!("checked when the scenario was loaded"),
        }
    }
    let suffix = if spec.copies > 1 {
        format!("-{}", copy + 1)
    } else {
        String::new()
    };
    Object {
        id: format!("{}{suffix}", spec.name),
        class: spec.class,
        origin: spec.origin.clone(),
        path: Path::new(&knots),
        icao24: None,
        callsign: if spec.callsign.is_empty() {
            None
        } else {
            Some(spec.callsign.clone())
        },
        squawk: None,
        mmsi: Some(spec.mmsi + copy),
        ais_off: spec
            .ais_off_at
            .map(|off| (off + shift, spec.ais_on_at.map(|on| on + shift))),
        anchor,
    }
}

/// The velocity of a state in east, north, up, m/s.
pub fn velocity_enu(s: &State) -> (f64, f64, f64) {
    let (sin_c, cos_c) = s.course_deg.to_radians().sin_cos();
    (s.speed_mps * sin_c, s.speed_mps * cos_c, s.climb_mps)
}

/// Writes `truth.csv`: every object alive at each tick from `start` to `end`.
pub fn write_truth(
    out: &mut dyn Write,
    objects: &[Object],
    start: Time,
    end: Time,
    interval: Duration,
) -> io::Result<u64> {
    writeln!(
        out,
        "time,object_id,class,origin,lat_deg,lon_deg,alt_m,ve_mps,vn_mps,vu_mps"
    )?;
    let mut rows = 0;
    let mut t = start;
    while t <= end {
        let time = t.to_string();
        for o in objects {
            if let Some(s) = o.state_at(t) {
                let (ve, vn, vu) = velocity_enu(&s);
                writeln!(
                    out,
                    "{time},{},{},{},{:.6},{:.6},{:.1},{:.2},{:.2},{:.2}",
                    o.id,
                    o.class.as_str(),
                    o.origin,
                    s.lat_deg,
                    s.lon_deg,
                    s.alt_m,
                    ve,
                    vn,
                    vu
                )?;
                rows += 1;
            }
        }
        t = t + interval;
    }
    Ok(rows)
}
