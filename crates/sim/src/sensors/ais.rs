//! AIS reception: what vessels transmit (position every 10 s under way, every
//! 3 minutes when slow, static data every 6 minutes), heard by a terrestrial
//! station within its range or by a satellite during its passes over an area.
//! A vessel with its transponder off sends nothing.

use geo::Contains;
use model::{Duration, Time};

use crate::catalogue::ObjectClass;
use crate::geography::polygon_from_latlon;
use crate::kinematics::{destination, surface_distance_m};
use crate::random::SimRng;
use crate::report::{AisBody, AisReport, Frame, Report};
use crate::scenario::{AisCoverage, AisStationSpec};
use crate::sensors::ticks;
use crate::truth::Object;

const KNOT_MPS: f64 = 1852.0 / 3600.0;
const TICK: Duration = Duration::from_secs(10);
/// Slow vessels report every 18th tick (3 min); static data every 36th (6 min).
const SLOW_EVERY: u64 = 18;
const STATIC_EVERY: u64 = 36;

fn ship_type(class: ObjectClass) -> u8 {
    // ITU-R M.1371 ship types: 30 fishing, 70 cargo, 80 tanker.
    match class {
        ObjectClass::Fishing => 30,
        ObjectClass::Tanker => 80,
        _ => 70,
    }
}

pub fn run(
    spec: &AisStationSpec,
    objects: &[Object],
    start: Time,
    end: Time,
    rng: &mut SimRng,
    sink: &mut dyn FnMut(Frame),
) {
    let area = (spec.coverage == AisCoverage::Satellite).then(|| polygon_from_latlon(&spec.area));
    let vessels: Vec<u32> = objects
        .iter()
        .enumerate()
        .filter(|(_, o)| o.mmsi.is_some())
        .map(|(i, _)| i as u32)
        .collect();
    let phase =
        Duration::from_secs_f64(rng.range(0.0, spec.revisit.map_or(0.0, |r| r.as_secs_f64())));
    for (tick, t) in ticks(start, end, TICK) {
        if let (Some(revisit), Some(pass)) = (spec.revisit, spec.pass_duration) {
            let since = (t - (start + phase)).us;
            if since < 0 || since.rem_euclid(revisit.us) >= pass.us {
                continue;
            }
        }
        let mut frame = Frame {
            time: t,
            reports: Vec::new(),
        };
        for &idx in &vessels {
            let o = &objects[idx as usize];
            let (Some(s), Some(mmsi)) = (o.state_at(t), o.mmsi) else {
                continue;
            };
            if !o.ais_transmitting(t) {
                continue;
            }
            let here = [s.lat_deg, s.lon_deg];
            let heard = match (&area, spec.position) {
                (Some(area), _) => area.contains(&geo::Point::new(here[1], here[0])),
                (None, Some(station)) => surface_distance_m(station, here) <= spec.range_max_m,
                (None, None) => false,
            };
            // Each vessel's slot in the cycle is fixed by its MMSI.
            let slot = tick + u64::from(mmsi);
            let slow = s.speed_mps < 3.0 * KNOT_MPS;
            let sends_position = !slow || slot % SLOW_EVERY == 0;
            if !heard {
                continue;
            }
            if sends_position && rng.chance(spec.pd) {
                let p = destination(here, rng.range(0.0, 360.0), rng.gauss(10.0).abs());
                let sog_kn = (s.speed_mps / KNOT_MPS * 10.0).round() / 10.0;
                let nav_status = if o.class == ObjectClass::Fishing {
                    7
                } else if sog_kn < 0.5 {
                    1
                } else {
                    0
                };
                frame.reports.push(Report::Ais(AisReport {
                    time: t,
                    station: spec.id.clone(),
                    mmsi,
                    body: AisBody::Position {
                        lat_deg: p[0],
                        lon_deg: p[1],
                        sog_kn,
                        cog_deg: (s.course_deg * 10.0).round().rem_euclid(3600.0) / 10.0,
                        heading_deg: s.course_deg.round().rem_euclid(360.0),
                        nav_status,
                    },
                    truth: idx,
                }));
            }
            if slot % STATIC_EVERY == 0 && rng.chance(spec.pd) {
                frame.reports.push(Report::Ais(AisReport {
                    time: t,
                    station: spec.id.clone(),
                    mmsi,
                    body: AisBody::Static {
                        name: o.id.to_uppercase(),
                        callsign: o.callsign.clone().unwrap_or_default(),
                        ship_type: ship_type(o.class),
                    },
                    truth: idx,
                }));
            }
        }
        if !frame.reports.is_empty() {
            sink(frame);
        }
    }
}
