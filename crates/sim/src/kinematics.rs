//! Where an object is at any instant: a timed path through knots, flown on
//! great circles at constant speed between knots.
//!
//! Great-circle interpolation (slerp of unit vectors) rather than straight
//! lines in latitude and longitude, so that "180 km/h for 10 minutes" is 30 km
//! of surface distance whatever the heading. Height is interpolated linearly.

use model::{Duration, Time};

use crate::scenario::LatLon;

const EARTH_RADIUS_M: f64 = model::geodesy::EARTH_MEAN_RADIUS_M;

/// A true state: position, ground speed, course and climb rate.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct State {
    pub lat_deg: f64,
    pub lon_deg: f64,
    pub alt_m: f64,
    pub speed_mps: f64,
    /// Clockwise from true north, [0, 360).
    pub course_deg: f64,
    pub climb_mps: f64,
}

/// A point the path passes at a time.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Knot {
    pub time: Time,
    pub lat_deg: f64,
    pub lon_deg: f64,
    pub alt_m: f64,
}

#[derive(Debug, Clone)]
struct Segment {
    t0_us: i64,
    t1_us: i64,
    a: [f64; 3],
    b: [f64; 3],
    /// Central angle between a and b, radians.
    omega: f64,
    alt0_m: f64,
    alt1_m: f64,
}

/// A path through knots in increasing time.
#[derive(Debug, Clone)]
pub struct Path {
    segments: Vec<Segment>,
    start: Time,
    end: Time,
    /// `[lat_min, lat_max, lon_min, lon_max]` over the knots (great circles
    /// between knots bulge slightly poleward; callers add a margin).
    pub bbox: [f64; 4],
}

fn unit(lat_deg: f64, lon_deg: f64) -> [f64; 3] {
    let (sl, cl) = lat_deg.to_radians().sin_cos();
    let (so, co) = lon_deg.to_radians().sin_cos();
    [cl * co, cl * so, sl]
}

fn dot(a: [f64; 3], b: [f64; 3]) -> f64 {
    a[0] * b[0] + a[1] * b[1] + a[2] * b[2]
}

/// Central angle between two points, radians.
pub fn central_angle(p: LatLon, q: LatLon) -> f64 {
    let (a, b) = (unit(p[0], p[1]), unit(q[0], q[1]));
    let cross = [
        a[1] * b[2] - a[2] * b[1],
        a[2] * b[0] - a[0] * b[2],
        a[0] * b[1] - a[1] * b[0],
    ];
    dot(cross, cross).sqrt().atan2(dot(a, b))
}

pub fn surface_distance_m(p: LatLon, q: LatLon) -> f64 {
    central_angle(p, q) * EARTH_RADIUS_M
}

/// Initial bearing from p to q, degrees clockwise from north in [0, 360).
pub fn bearing_deg(p: LatLon, q: LatLon) -> f64 {
    let (lat1, lat2) = (p[0].to_radians(), q[0].to_radians());
    let dlon = (q[1] - p[1]).to_radians();
    let y = dlon.sin() * lat2.cos();
    let x = lat1.cos() * lat2.sin() - lat1.sin() * lat2.cos() * dlon.cos();
    y.atan2(x).to_degrees().rem_euclid(360.0)
}

/// The point at `distance_m` from `p` on `bearing`.
pub fn destination(p: LatLon, bearing: f64, distance_m: f64) -> LatLon {
    let delta = distance_m / EARTH_RADIUS_M;
    let (lat1, lon1, theta) = (p[0].to_radians(), p[1].to_radians(), bearing.to_radians());
    let lat2 = (lat1.sin() * delta.cos() + lat1.cos() * delta.sin() * theta.cos()).asin();
    let lon2 = lon1
        + (theta.sin() * delta.sin() * lat1.cos()).atan2(delta.cos() - lat1.sin() * lat2.sin());
    [
        lat2.to_degrees(),
        (lon2.to_degrees() + 540.0).rem_euclid(360.0) - 180.0,
    ]
}

impl Path {
    /// A path through `knots` (in non-decreasing time; at least one).
    pub fn new(knots: &[Knot]) -> Path {
        assert!(!knots.is_empty(), "a path needs a knot");
        let mut bbox = [
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::INFINITY,
            f64::NEG_INFINITY,
        ];
        for k in knots {
            bbox = [
                bbox[0].min(k.lat_deg),
                bbox[1].max(k.lat_deg),
                bbox[2].min(k.lon_deg),
                bbox[3].max(k.lon_deg),
            ];
        }
        let mut segments = Vec::with_capacity(knots.len());
        for w in knots.windows(2) {
            assert!(w[1].time >= w[0].time, "knots must be in time order");
            let (a, b) = (
                unit(w[0].lat_deg, w[0].lon_deg),
                unit(w[1].lat_deg, w[1].lon_deg),
            );
            segments.push(Segment {
                t0_us: w[0].time.unix_us,
                t1_us: w[1].time.unix_us,
                a,
                b,
                omega: central_angle([w[0].lat_deg, w[0].lon_deg], [w[1].lat_deg, w[1].lon_deg]),
                alt0_m: w[0].alt_m,
                alt1_m: w[1].alt_m,
            });
        }
        if segments.is_empty() {
            let k = knots[0];
            let a = unit(k.lat_deg, k.lon_deg);
            let t = k.time.unix_us;
            segments.push(Segment {
                t0_us: t,
                t1_us: t,
                a,
                b: a,
                omega: 0.0,
                alt0_m: k.alt_m,
                alt1_m: k.alt_m,
            });
        }
        Path {
            segments,
            start: knots[0].time,
            end: knots[knots.len() - 1].time,
            bbox,
        }
    }

    /// Flies `points` (lat, lon, alt) in order at `speed_mps` from `start`,
    /// stopping after `distance_max_m` (fuel) if the route is longer.
    pub fn at_speed(
        start: Time,
        points: &[(LatLon, f64)],
        speed_mps: f64,
        distance_max_m: f64,
    ) -> Path {
        assert!(speed_mps > 0.0, "speed must be positive");
        let mut knots = vec![Knot {
            time: start,
            lat_deg: points[0].0[0],
            lon_deg: points[0].0[1],
            alt_m: points[0].1,
        }];
        let mut flown_m = 0.0;
        let mut t = start;
        for w in points.windows(2) {
            let leg_m = surface_distance_m(w[0].0, w[1].0);
            let (to, alt, leg_flown_m) = if flown_m + leg_m > distance_max_m {
                let rest = (distance_max_m - flown_m).max(0.0);
                let f = if leg_m > 0.0 { rest / leg_m } else { 0.0 };
                (
                    destination(w[0].0, bearing_deg(w[0].0, w[1].0), rest),
                    w[0].1 + f * (w[1].1 - w[0].1),
                    rest,
                )
            } else {
                (w[1].0, w[1].1, leg_m)
            };
            t = t + Duration::from_secs_f64(leg_flown_m / speed_mps);
            flown_m += leg_flown_m;
            knots.push(Knot {
                time: t,
                lat_deg: to[0],
                lon_deg: to[1],
                alt_m: alt,
            });
            if flown_m >= distance_max_m {
                break;
            }
        }
        Path::new(&knots)
    }

    pub fn start(&self) -> Time {
        self.start
    }

    pub fn end(&self) -> Time {
        self.end
    }

    /// The state at `t`, or `None` outside [start, end].
    pub fn state_at(&self, t: Time) -> Option<State> {
        let t_us = t.unix_us;
        if t < self.start || t > self.end {
            return None;
        }
        let idx = self
            .segments
            .partition_point(|s| s.t1_us < t_us)
            .min(self.segments.len() - 1);
        let s = &self.segments[idx];
        let span_us = s.t1_us - s.t0_us;
        let f = if span_us > 0 {
            (t_us - s.t0_us) as f64 / span_us as f64
        } else {
            1.0
        };
        let p = if s.omega > 1e-12 {
            let sin_omega = s.omega.sin();
            let (wa, wb) = (
                ((1.0 - f) * s.omega).sin() / sin_omega,
                (f * s.omega).sin() / sin_omega,
            );
            [
                wa * s.a[0] + wb * s.b[0],
                wa * s.a[1] + wb * s.b[1],
                wa * s.a[2] + wb * s.b[2],
            ]
        } else {
            s.b
        };
        let lat_deg = p[2].clamp(-1.0, 1.0).asin().to_degrees();
        let lon_deg = p[1].atan2(p[0]).to_degrees();
        let span_s = span_us as f64 * 1e-6;
        let (speed_mps, climb_mps) = if span_s > 0.0 {
            (
                s.omega * EARTH_RADIUS_M / span_s,
                (s.alt1_m - s.alt0_m) / span_s,
            )
        } else {
            (0.0, 0.0)
        };
        // The course is the bearing towards the segment's end (tangent of the great circle).
        let b_lat = s.b[2].clamp(-1.0, 1.0).asin().to_degrees();
        let b_lon = s.b[1].atan2(s.b[0]).to_degrees();
        let course_deg = if s.omega > 1e-12 && f < 1.0 {
            bearing_deg([lat_deg, lon_deg], [b_lat, b_lon])
        } else {
            let a_lat = s.a[2].clamp(-1.0, 1.0).asin().to_degrees();
            let a_lon = s.a[1].atan2(s.a[0]).to_degrees();
            (bearing_deg([b_lat, b_lon], [a_lat, a_lon]) + 180.0).rem_euclid(360.0)
        };
        let alt_m = s.alt0_m + f * (s.alt1_m - s.alt0_m);
        Some(State {
            lat_deg,
            lon_deg,
            alt_m,
            speed_mps,
            course_deg,
            climb_mps,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bearing_and_destination_agree() {
        let p = [50.0, 30.0];
        let q = destination(p, 45.0, 100_000.0);
        assert!((surface_distance_m(p, q) - 100_000.0).abs() < 1e-3);
        assert!((bearing_deg(p, q) - 45.0).abs() < 1e-6);
    }
}
