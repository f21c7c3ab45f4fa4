//! A rotating surveillance radar: plots in its own polar frame, with range
//! and azimuth noise, a registration bias, detection probability by altitude
//! band, clutter, a range limit and the 4/3-Earth radio horizon.

use model::{Duration, Geodetic, TangentPlane, Time};

use crate::kinematics::{State, surface_distance_m};
use crate::random::SimRng;
use crate::report::{Frame, RadarPlot, Report};
use crate::scenario::RadarSpec;
use crate::sensors::{candidates, radio_horizon_m, ticks};
use crate::truth::Object;

/// Geometry of one target seen from the radar.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Look {
    pub slant_range_m: f64,
    pub azimuth_deg: f64,
    pub ground_distance_m: f64,
}

/// The radar's site and coverage, for geometry and visibility tests.
#[derive(Debug, Clone)]
pub struct RadarSite {
    pub plane: TangentPlane,
    pub antenna_alt_m: f64,
    pub range_max_m: f64,
}

impl RadarSite {
    pub fn new(spec: &RadarSpec) -> RadarSite {
        let antenna_alt_m = spec.ground_alt_m + spec.antenna_height_m;
        let origin = Geodetic::new(spec.position[0], spec.position[1], antenna_alt_m);
        RadarSite {
            plane: TangentPlane::new(origin),
            antenna_alt_m,
            range_max_m: spec.range_max_m,
        }
    }

    pub fn look(&self, s: &State) -> Look {
        let enu = self
            .plane
            .to_enu(&Geodetic::new(s.lat_deg, s.lon_deg, s.alt_m));
        let origin = self.plane.origin();
        Look {
            slant_range_m: (enu.e_m * enu.e_m + enu.n_m * enu.n_m + enu.u_m * enu.u_m).sqrt(),
            azimuth_deg: enu.e_m.atan2(enu.n_m).to_degrees().rem_euclid(360.0),
            ground_distance_m: surface_distance_m(
                [origin.lat_deg, origin.lon_deg],
                [s.lat_deg, s.lon_deg],
            ),
        }
    }

    /// In range and above the radio horizon.
    pub fn can_see(&self, s: &State, look: &Look) -> bool {
        look.slant_range_m <= self.range_max_m
            && look.ground_distance_m <= radio_horizon_m(self.antenna_alt_m, s.alt_m)
    }
}

fn pd_at(spec: &RadarSpec, alt_m: f64) -> f64 {
    spec.detection
        .iter()
        .find(|b| alt_m <= b.alt_max_m)
        .map_or(0.0, |b| b.pd)
}

/// Runs one radar over [start, end], sending one frame per sector per scan.
pub fn run(
    spec: &RadarSpec,
    objects: &[Object],
    start: Time,
    end: Time,
    rng: &mut SimRng,
    sink: &mut dyn FnMut(Frame),
) {
    let site = RadarSite::new(spec);
    let period = spec.rotation_period;
    let period_s = period.as_secs_f64();
    let cands = candidates(objects, spec.position, spec.range_max_m, |o| {
        !o.class.is_vessel()
    });
    let mut track_numbers = vec![0u16; cands.len()];
    let mut next_track: u16 = 1;
    // Each radar starts its rotation at its own phase.
    let phase = Duration::from_secs_f64(rng.range(0.0, period_s));
    let mut scan: Vec<RadarPlot> = Vec::new();
    let blocks = spec.blocks_per_scan as usize;
    for (_, t0) in ticks(start + phase, end, period) {
        scan.clear();
        for (k, &idx) in cands.iter().enumerate() {
            let o = &objects[idx as usize];
            let Some(s0) = o.state_at(t0) else { continue };
            // The beam reaches the target's azimuth part-way through the rotation.
            let t = t0 + Duration::from_secs_f64(period_s * site.look(&s0).azimuth_deg / 360.0);
            let Some(s) = o.state_at(t) else { continue };
            let look = site.look(&s);
            if !site.can_see(&s, &look) || !rng.chance(pd_at(spec, s.alt_m)) {
                continue;
            }
            let tracked = track_numbers[k] != 0;
            if !tracked {
                track_numbers[k] = next_track;
                next_track = if next_track >= 4095 {
                    1
                } else {
                    next_track + 1
                };
            }
            let range_m =
                (look.slant_range_m + spec.bias_range_m + rng.gauss(spec.range_sigma_m)).max(0.0);
            let azimuth_deg =
                (look.azimuth_deg + spec.bias_azimuth_deg + rng.gauss(spec.azimuth_sigma_deg))
                    .rem_euclid(360.0);
            let height_m = spec.height_finding.then(|| s.alt_m + rng.gauss(150.0));
            let velocity = tracked.then(|| {
                (
                    (s.speed_mps + rng.gauss(2.0)).max(0.0),
                    (s.course_deg + rng.gauss(2.0)).rem_euclid(360.0),
                )
            });
            scan.push(RadarPlot {
                time: t,
                sac: spec.sac,
                sic: spec.sic,
                range_m,
                azimuth_deg,
                height_m,
                mode3a: o.squawk,
                // Mode C reports pressure altitude in quarter flight levels.
                flight_level: o
                    .squawk
                    .map(|_| (s.alt_m / 0.3048 / 100.0 * 4.0).round() / 4.0),
                icao24: o.icao24,
                callsign: o.callsign.clone().filter(|_| o.icao24.is_some()),
                track_number: Some(track_numbers[k]),
                velocity,
                truth: Some(idx),
            });
        }
        for _ in 0..rng.poisson(spec.clutter_per_scan) {
            let azimuth_deg = rng.range(0.0, 360.0);
            scan.push(RadarPlot {
                time: t0 + Duration::from_secs_f64(period_s * azimuth_deg / 360.0),
                sac: spec.sac,
                sic: spec.sic,
                // Uniform over the disc's area, not over range.
                range_m: spec.range_max_m * rng.unit().sqrt(),
                azimuth_deg,
                height_m: None,
                mode3a: None,
                flight_level: None,
                icao24: None,
                callsign: None,
                track_number: None,
                velocity: None,
                truth: None,
            });
        }
        scan.sort_by(|a, b| {
            a.time
                .cmp(&b.time)
                .then(a.azimuth_deg.total_cmp(&b.azimuth_deg))
        });
        send_sectors(&mut scan, t0, period_s, blocks, sink);
    }
}

/// Splits a scan into one frame per sector of `360 / blocks` degrees of rotation.
fn send_sectors(
    scan: &mut Vec<RadarPlot>,
    t0: Time,
    period_s: f64,
    blocks: usize,
    sink: &mut dyn FnMut(Frame),
) {
    let sector_us = (period_s * 1e6 / blocks as f64).max(1.0);
    let mut frame = Frame::default();
    let mut current = 0usize;
    for plot in scan.drain(..) {
        let sector =
            (((plot.time.unix_us - t0.unix_us) as f64 / sector_us) as usize).min(blocks - 1);
        if sector != current && !frame.reports.is_empty() {
            sink(std::mem::take(&mut frame));
        }
        current = sector;
        frame.time = plot.time;
        frame.reports.push(Report::Plot(plot));
    }
    if !frame.reports.is_empty() {
        sink(frame);
    }
}
