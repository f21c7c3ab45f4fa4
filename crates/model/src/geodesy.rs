//! WGS84 geodesy: geodetic ⇄ ECEF ⇄ local tangent planes (east, north, up).
//!
//! Written here rather than taken from a crate on purpose: the tracker converts
//! millions of points a second through a plane whose rotation is computed once
//! ([`TangentPlane`]), and the crates we looked at (`map_3d`, `nav-types`)
//! recompute the rotation per call. The formulas are the standard closed forms
//! (ECEF→geodetic by Bowring's method with one refinement, sub-millimetre on
//! Earth's surface and at aircraft altitudes), tested against known points.

use serde::{Deserialize, Serialize};

/// WGS84 semi-major axis, metres.
pub const WGS84_A_M: f64 = 6_378_137.0;
/// WGS84 flattening.
pub const WGS84_F: f64 = 1.0 / 298.257_223_563;
const WGS84_B_M: f64 = WGS84_A_M * (1.0 - WGS84_F);
const WGS84_E2: f64 = WGS84_F * (2.0 - WGS84_F);
const WGS84_EP2: f64 = WGS84_E2 / (1.0 - WGS84_E2);
/// Mean Earth radius (IUGG), metres; for great-circle distances.
pub const EARTH_MEAN_RADIUS_M: f64 = 6_371_008.8;

/// A WGS84 position: latitude and longitude in degrees, height above the
/// ellipsoid in metres.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, Default)]
pub struct Geodetic {
    pub lat_deg: f64,
    pub lon_deg: f64,
    pub alt_m: f64,
}

/// Earth-centred, Earth-fixed Cartesian coordinates, metres.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, Default)]
pub struct Ecef {
    pub x_m: f64,
    pub y_m: f64,
    pub z_m: f64,
}

/// East, north, up in a local tangent plane, metres.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, Default)]
pub struct Enu {
    pub e_m: f64,
    pub n_m: f64,
    pub u_m: f64,
}

impl Geodetic {
    pub const fn new(lat_deg: f64, lon_deg: f64, alt_m: f64) -> Geodetic {
        Geodetic {
            lat_deg,
            lon_deg,
            alt_m,
        }
    }

    /// True when latitude, longitude and height are finite and in range.
    pub fn is_valid(&self) -> bool {
        self.lat_deg.is_finite()
            && self.lon_deg.is_finite()
            && self.alt_m.is_finite()
            && (-90.0..=90.0).contains(&self.lat_deg)
            && (-180.0..=180.0).contains(&self.lon_deg)
    }

    pub fn to_ecef(&self) -> Ecef {
        let (sin_lat, cos_lat) = self.lat_deg.to_radians().sin_cos();
        let (sin_lon, cos_lon) = self.lon_deg.to_radians().sin_cos();
        let n = WGS84_A_M / (1.0 - WGS84_E2 * sin_lat * sin_lat).sqrt();
        Ecef {
            x_m: (n + self.alt_m) * cos_lat * cos_lon,
            y_m: (n + self.alt_m) * cos_lat * sin_lon,
            z_m: (n * (1.0 - WGS84_E2) + self.alt_m) * sin_lat,
        }
    }

    /// Great-circle distance on the mean sphere (haversine), metres; ignores height.
    pub fn surface_distance_m(&self, other: &Geodetic) -> f64 {
        let (lat1, lat2) = (self.lat_deg.to_radians(), other.lat_deg.to_radians());
        let dlat = lat2 - lat1;
        let dlon = (other.lon_deg - self.lon_deg).to_radians();
        let h = (dlat / 2.0).sin().powi(2) + lat1.cos() * lat2.cos() * (dlon / 2.0).sin().powi(2);
        2.0 * EARTH_MEAN_RADIUS_M * h.sqrt().min(1.0).asin()
    }
}

impl Ecef {
    pub fn to_geodetic(&self) -> Geodetic {
        let p = self.x_m.hypot(self.y_m);
        let lon = self.y_m.atan2(self.x_m);
        // Bowring's parametric latitude, then one refinement step.
        let mut beta = (self.z_m * WGS84_A_M).atan2(p * WGS84_B_M);
        let mut lat = 0.0;
        for _ in 0..2 {
            let (sb, cb) = beta.sin_cos();
            lat = (self.z_m + WGS84_EP2 * WGS84_B_M * sb.powi(3))
                .atan2(p - WGS84_E2 * WGS84_A_M * cb.powi(3));
            beta = ((1.0 - WGS84_F) * lat.sin()).atan2(lat.cos());
        }
        let (sin_lat, cos_lat) = lat.sin_cos();
        let n = WGS84_A_M / (1.0 - WGS84_E2 * sin_lat * sin_lat).sqrt();
        let alt = if cos_lat.abs() > 1e-10 {
            p / cos_lat - n
        } else {
            self.z_m.abs() / sin_lat.abs() - n * (1.0 - WGS84_E2)
        };
        Geodetic {
            lat_deg: lat.to_degrees(),
            lon_deg: lon.to_degrees(),
            alt_m: alt,
        }
    }
}

/// A local tangent plane at an origin: converts to and from east-north-up with
/// the rotation computed once.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TangentPlane {
    origin: Geodetic,
    origin_ecef: Ecef,
    sin_lat: f64,
    cos_lat: f64,
    sin_lon: f64,
    cos_lon: f64,
}

impl TangentPlane {
    pub fn new(origin: Geodetic) -> TangentPlane {
        let (sin_lat, cos_lat) = origin.lat_deg.to_radians().sin_cos();
        let (sin_lon, cos_lon) = origin.lon_deg.to_radians().sin_cos();
        TangentPlane {
            origin,
            origin_ecef: origin.to_ecef(),
            sin_lat,
            cos_lat,
            sin_lon,
            cos_lon,
        }
    }

    pub fn origin(&self) -> &Geodetic {
        &self.origin
    }

    pub fn ecef_to_enu(&self, p: &Ecef) -> Enu {
        let dx = p.x_m - self.origin_ecef.x_m;
        let dy = p.y_m - self.origin_ecef.y_m;
        let dz = p.z_m - self.origin_ecef.z_m;
        Enu {
            e_m: -self.sin_lon * dx + self.cos_lon * dy,
            n_m: -self.sin_lat * self.cos_lon * dx - self.sin_lat * self.sin_lon * dy
                + self.cos_lat * dz,
            u_m: self.cos_lat * self.cos_lon * dx
                + self.cos_lat * self.sin_lon * dy
                + self.sin_lat * dz,
        }
    }

    pub fn enu_to_ecef(&self, v: &Enu) -> Ecef {
        Ecef {
            x_m: self.origin_ecef.x_m - self.sin_lon * v.e_m - self.sin_lat * self.cos_lon * v.n_m
                + self.cos_lat * self.cos_lon * v.u_m,
            y_m: self.origin_ecef.y_m + self.cos_lon * v.e_m - self.sin_lat * self.sin_lon * v.n_m
                + self.cos_lat * self.sin_lon * v.u_m,
            z_m: self.origin_ecef.z_m + self.cos_lat * v.n_m + self.sin_lat * v.u_m,
        }
    }

    pub fn to_enu(&self, p: &Geodetic) -> Enu {
        self.ecef_to_enu(&p.to_ecef())
    }

    pub fn to_geodetic(&self, v: &Enu) -> Geodetic {
        self.enu_to_ecef(v).to_geodetic()
    }

    /// Rotates a vector (not a point) from ENU at this origin to ECEF axes.
    pub fn rotate_enu_to_ecef(&self, v: &Enu) -> Ecef {
        let origin = TangentPlane {
            origin_ecef: Ecef::default(),
            ..*self
        };
        origin.enu_to_ecef(v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64, tol: f64) -> bool {
        (a - b).abs() <= tol
    }

    #[test]
    fn known_ecef_points() {
        // On the equator at the prime meridian, the ECEF x is the semi-major axis.
        let p = Geodetic::new(0.0, 0.0, 0.0).to_ecef();
        assert!(close(p.x_m, WGS84_A_M, 1e-6) && close(p.y_m, 0.0, 1e-6));
        // At the pole, z is the semi-minor axis.
        let p = Geodetic::new(90.0, 0.0, 0.0).to_ecef();
        assert!(close(p.z_m, WGS84_B_M, 1e-6));
        // Kyiv at 10 km, round trip.
        let kyiv = Geodetic::new(50.4501, 30.5234, 10_000.0);
        let back = kyiv.to_ecef().to_geodetic();
        assert!(close(back.lat_deg, kyiv.lat_deg, 1e-9));
        assert!(close(back.lon_deg, kyiv.lon_deg, 1e-9));
        assert!(close(back.alt_m, kyiv.alt_m, 1e-4));
    }

    #[test]
    fn tangent_plane_axes() {
        let plane = TangentPlane::new(Geodetic::new(50.0, 24.0, 0.0));
        let north = plane.to_enu(&Geodetic::new(50.01, 24.0, 0.0));
        assert!(north.n_m > 1100.0 && north.n_m < 1120.0, "{north:?}");
        assert!(close(north.e_m, 0.0, 1e-6));
        let east = plane.to_enu(&Geodetic::new(50.0, 24.01, 0.0));
        assert!(east.e_m > 700.0 && east.e_m < 720.0, "{east:?}");
        let up = plane.to_enu(&Geodetic::new(50.0, 24.0, 1000.0));
        assert!(close(up.u_m, 1000.0, 1e-6));
    }

    #[test]
    fn haversine_warsaw_kyiv() {
        let warsaw = Geodetic::new(52.2297, 21.0122, 0.0);
        let kyiv = Geodetic::new(50.4501, 30.5234, 0.0);
        let d = warsaw.surface_distance_m(&kyiv);
        assert!(close(d, 690_000.0, 5_000.0), "{d}");
    }

    proptest::proptest! {
        #[test]
        fn enu_round_trip(lat in -80.0f64..80.0, lon in -179.0f64..179.0,
                          e in -300e3f64..300e3, n in -300e3f64..300e3, u in -100.0f64..20e3) {
            let plane = TangentPlane::new(Geodetic::new(lat, lon, 0.0));
            let v = Enu { e_m: e, n_m: n, u_m: u };
            let back = plane.to_enu(&plane.to_geodetic(&v));
            proptest::prop_assert!(close(back.e_m, e, 1e-3) && close(back.n_m, n, 1e-3) && close(back.u_m, u, 1e-3));
        }
    }
}
