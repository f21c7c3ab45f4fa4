//! A partner's tracker: system tracks of everything in its coverage at its
//! update rate, with a position error (to CAT062).

use model::Time;

use crate::kinematics::{destination, surface_distance_m};
use crate::random::SimRng;
use crate::report::{Frame, Report, SystemTrack};
use crate::scenario::TrackerSpec;
use crate::sensors::{candidates, ticks};
use crate::truth::{Object, velocity_enu};

/// System tracks per data block.
const TRACKS_PER_FRAME_MAX: usize = 128;

pub fn run(
    spec: &TrackerSpec,
    objects: &[Object],
    start: Time,
    end: Time,
    rng: &mut SimRng,
    sink: &mut dyn FnMut(Frame),
) {
    let cands = candidates(objects, spec.position, spec.range_max_m, |o| {
        !o.class.is_vessel()
    });
    let mut track_numbers = vec![0u16; cands.len()];
    let mut next_track: u16 = 1;
    for (_, t) in ticks(start, end, spec.update_period) {
        let mut frame = Frame {
            time: t,
            reports: Vec::new(),
        };
        for (k, &idx) in cands.iter().enumerate() {
            let o = &objects[idx as usize];
            let Some(s) = o.state_at(t) else { continue };
            let here = [s.lat_deg, s.lon_deg];
            if s.alt_m < spec.alt_min_m
                || surface_distance_m(spec.position, here) > spec.range_max_m
            {
                continue;
            }
            if track_numbers[k] == 0 {
                track_numbers[k] = next_track;
                next_track = if next_track == u16::MAX {
                    1
                } else {
                    next_track + 1
                };
            }
            let err_e = rng.gauss(spec.position_sigma_m);
            let err_n = rng.gauss(spec.position_sigma_m);
            let p = destination(here, err_e.atan2(err_n).to_degrees(), err_e.hypot(err_n));
            let (ve, vn, vu) = velocity_enu(&s);
            frame.reports.push(Report::SystemTrack(SystemTrack {
                time: t,
                sac: spec.sac,
                sic: spec.sic,
                track_number: track_numbers[k],
                lat_deg: p[0],
                lon_deg: p[1],
                alt_m: s.alt_m + rng.gauss(spec.position_sigma_m / 2.0),
                velocity_enu: (ve + rng.gauss(1.0), vn + rng.gauss(1.0), vu),
                icao24: o.icao24,
                callsign: o.callsign.clone().filter(|_| o.icao24.is_some()),
                mode3a: o.squawk,
                truth: idx,
            }));
            if frame.reports.len() == TRACKS_PER_FRAME_MAX {
                sink(std::mem::replace(
                    &mut frame,
                    Frame {
                        time: t,
                        reports: Vec::new(),
                    },
                ));
            }
        }
        if !frame.reports.is_empty() {
            sink(frame);
        }
    }
}
