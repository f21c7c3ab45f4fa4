//! An azimuthal equidistant projection on the WGS84 ellipsoid, so that buffers
//! are drawn in metres rather than degrees.
//!
//! Written here rather than taken from `proj` because that crate binds the C
//! PROJ library; geo's geodesic solver (Karney's algorithms, via geographiclib-rs)
//! gives the exact forward and inverse mapping in a few lines. Distances and
//! bearings from the centre are exact; across the map the scale grows by about
//! `(d/R)²/6` at distance `d` from the centre: 0.07% at 400 km.

use geo::{Bearing, Coord, Destination, Distance, Geodesic, MapCoords, MultiPolygon, Point};

#[derive(Debug, Clone, Copy)]
pub struct Aeqd {
    centre: Point,
}

impl Aeqd {
    pub fn new(centre_lon: f64, centre_lat: f64) -> Aeqd {
        Aeqd {
            centre: Point::new(centre_lon, centre_lat),
        }
    }

    /// Longitude and latitude in degrees to east and north in metres.
    pub fn forward(&self, c: Coord) -> Coord {
        let point = Point::from(c);
        let distance_m = Geodesic.distance(self.centre, point);
        if distance_m == 0.0 {
            return Coord { x: 0.0, y: 0.0 };
        }
        let bearing_rad = Geodesic.bearing(self.centre, point).to_radians();
        Coord {
            x: distance_m * bearing_rad.sin(),
            y: distance_m * bearing_rad.cos(),
        }
    }

    /// East and north in metres back to longitude and latitude in degrees.
    pub fn inverse(&self, c: Coord) -> Coord {
        let distance_m = c.x.hypot(c.y);
        if distance_m == 0.0 {
            return self.centre.0;
        }
        let bearing_deg = c.x.atan2(c.y).to_degrees();
        Geodesic.destination(self.centre, bearing_deg, distance_m).0
    }

    pub fn forward_all(&self, shape: &MultiPolygon) -> MultiPolygon {
        shape.map_coords(|c| self.forward(c))
    }

    pub fn inverse_all(&self, shape: &MultiPolygon) -> MultiPolygon {
        shape.map_coords(|c| self.inverse(c))
    }
}
