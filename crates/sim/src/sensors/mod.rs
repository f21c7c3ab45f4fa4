//! Sensor models: each walks the period on its own schedule, looks at the
//! ground truth, and produces frames of internal reports with the sensor's
//! errors (noise, bias, missed detections, clutter, coverage gaps).
//!
//! Every model draws from its own random stream and keeps its state in
//! vectors indexed by object, so its output depends only on the scenario and
//! the seed.

pub mod adsb;
pub mod ais;
pub mod cot;
pub mod radar;
pub mod tracker;

use model::{Duration, Time};

use crate::kinematics::Path;
use crate::scenario::LatLon;
use crate::truth::Object;

/// 4/3-Earth effective radius for radio horizons, metres.
pub const EFFECTIVE_EARTH_RADIUS_M: f64 = 4.0 / 3.0 * 6_371_000.0;

/// The radio horizon distance from an antenna at `antenna_alt_m` to a target
/// at `target_alt_m` (both above sea level), 4/3-Earth model, metres.
pub fn radio_horizon_m(antenna_alt_m: f64, target_alt_m: f64) -> f64 {
    (2.0 * EFFECTIVE_EARTH_RADIUS_M * antenna_alt_m.max(0.0)).sqrt()
        + (2.0 * EFFECTIVE_EARTH_RADIUS_M * target_alt_m.max(0.0)).sqrt()
}

/// Indices of objects whose path might come within `reach_m` of `site`.
pub fn candidates(
    objects: &[Object],
    site: LatLon,
    reach_m: f64,
    keep: impl Fn(&Object) -> bool,
) -> Vec<u32> {
    objects
        .iter()
        .enumerate()
        .filter(|(_, o)| keep(o) && path_near(&o.path, site, reach_m))
        .map(|(i, _)| i as u32)
        .collect()
}

fn path_near(path: &Path, site: LatLon, reach_m: f64) -> bool {
    // Degrees of latitude per metre, with a 10% margin for great-circle bulge.
    let dlat = reach_m * 1.1 / 111_000.0 + 0.5;
    let dlon = dlat / site[0].to_radians().cos().max(0.05);
    let [lat_lo, lat_hi, lon_lo, lon_hi] = path.bbox;
    site[0] >= lat_lo - dlat
        && site[0] <= lat_hi + dlat
        && site[1] >= lon_lo - dlon
        && site[1] <= lon_hi + dlon
}

/// Ticks `start, start + period, ...` up to `end` inclusive.
pub fn ticks(start: Time, end: Time, period: Duration) -> impl Iterator<Item = (u64, Time)> {
    let mut k = 0u64;
    std::iter::from_fn(move || {
        let t = start + Duration::from_us(period.us * k as i64);
        if t > end {
            return None;
        }
        k += 1;
        Some((k - 1, t))
    })
}
