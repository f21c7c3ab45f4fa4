//! An ADS-B ground receiver: what transponder-equipped aircraft broadcast,
//! within its range and radio horizon (to SBS text or CAT021).

use model::Time;

use crate::kinematics::{destination, surface_distance_m};
use crate::random::SimRng;
use crate::report::{AdsbReport, Frame, Report};
use crate::scenario::AdsbReceiverSpec;
use crate::sensors::{candidates, radio_horizon_m, ticks};
use crate::truth::Object;

/// Receiver antennas sit on masts; ADS-B positions are GNSS-accurate.
const ANTENNA_ALT_M: f64 = 30.0;
const POSITION_SIGMA_M: f64 = 10.0;

pub fn run(
    spec: &AdsbReceiverSpec,
    objects: &[Object],
    start: Time,
    end: Time,
    rng: &mut SimRng,
    sink: &mut dyn FnMut(Frame),
) {
    let cands = candidates(objects, spec.position, spec.range_max_m, |o| {
        o.icao24.is_some()
    });
    for (_, t) in ticks(start, end, spec.update_period) {
        let mut frame = Frame {
            time: t,
            reports: Vec::new(),
        };
        for &idx in &cands {
            let o = &objects[idx as usize];
            let (Some(s), Some(icao24)) = (o.state_at(t), o.icao24) else {
                continue;
            };
            let d = surface_distance_m(spec.position, [s.lat_deg, s.lon_deg]);
            if d > spec.range_max_m || d > radio_horizon_m(ANTENNA_ALT_M, s.alt_m) {
                continue;
            }
            let p = destination(
                [s.lat_deg, s.lon_deg],
                rng.range(0.0, 360.0),
                rng.gauss(POSITION_SIGMA_M).abs(),
            );
            frame.reports.push(Report::Adsb(AdsbReport {
                time: t,
                sac: spec.sac,
                sic: spec.sic,
                icao24,
                callsign: o.callsign.clone(),
                lat_deg: p[0],
                lon_deg: p[1],
                // Barometric altitude is reported in 25 ft steps.
                alt_ft: (s.alt_m / 0.3048 / 25.0).round() * 25.0,
                ground_speed_kt: (s.speed_mps / (1852.0 / 3600.0)).round(),
                track_deg: s.course_deg.round().rem_euclid(360.0),
                vertical_rate_fpm: (s.climb_mps / 0.3048 * 60.0 / 64.0).round() * 64.0,
                squawk: o.squawk,
                truth: idx,
            }));
        }
        if !frame.reports.is_empty() {
            sink(frame);
        }
    }
}
