//! GeoJSON (RFC 7946) to `geo` geometries, their validity, and the one spatial
//! question the checker asks: does an engagement zone overlap a no-go area?

use geo::{
    BooleanOps, BoundingRect, ChamberlainDuquetteArea, CoordsIter, Geometry, Intersects,
    MultiPolygon, Validation,
};
use geojson::GeoJson;

use crate::limits;

/// Where a GeoJSON file's text went wrong: 1-based line and column.
#[derive(Debug, Clone, PartialEq)]
pub struct JsonError {
    pub line: usize,
    pub column: usize,
    pub message: String,
}

/// Parses a GeoJSON file's text.
pub fn parse_file(text: &str) -> Result<GeoJson, JsonError> {
    let value: serde_json::Value = serde_json::from_str(text).map_err(|e| JsonError {
        line: e.line(),
        column: e.column(),
        message: e.to_string(),
    })?;
    serde_json::from_value::<GeoJson>(value).map_err(|e| JsonError {
        line: 1,
        column: 1,
        message: format!("not GeoJSON: {e}"),
    })
}

/// An inline geometry (TOML converted to JSON) to a `geo` geometry.
pub fn from_json(value: &serde_json::Value) -> Result<Geometry<f64>, String> {
    let geometry = serde_json::from_value::<geojson::Geometry>(value.clone())
        .map_err(|e| format!("not a GeoJSON geometry: {e}"))?;
    to_geo(&geometry)
}

pub fn to_geo(geometry: &geojson::Geometry) -> Result<Geometry<f64>, String> {
    Geometry::<f64>::try_from(&geometry.value).map_err(|e| format!("not convertible: {e}"))
}

/// A geometry as an area (a zone's shape): polygons only.
pub fn to_area(geometry: Geometry<f64>) -> Result<MultiPolygon<f64>, String> {
    match geometry {
        Geometry::Polygon(p) => Ok(MultiPolygon::new(vec![p])),
        Geometry::MultiPolygon(mp) => Ok(mp),
        Geometry::GeometryCollection(gc) => {
            let mut polygons = Vec::new();
            for g in gc {
                polygons.extend(to_area(g)?.0);
            }
            Ok(MultiPolygon::new(polygons))
        }
        other => Err(format!(
            "a zone must be a Polygon or MultiPolygon, not a {}",
            kind_name(&other)
        )),
    }
}

pub fn kind_name(geometry: &Geometry<f64>) -> &'static str {
    match geometry {
        Geometry::Point(_) => "Point",
        Geometry::Line(_) => "Line",
        Geometry::LineString(_) => "LineString",
        Geometry::Polygon(_) => "Polygon",
        Geometry::MultiPoint(_) => "MultiPoint",
        Geometry::MultiLineString(_) => "MultiLineString",
        Geometry::MultiPolygon(_) => "MultiPolygon",
        Geometry::GeometryCollection(_) => "GeometryCollection",
        Geometry::Rect(_) => "Rect",
        Geometry::Triangle(_) => "Triangle",
    }
}

/// What is wrong with a geometry: coordinates off the globe, too many
/// vertices, and (for polygons) what `geo`'s validation finds, such as a
/// self-intersecting ring. Empty when valid.
pub fn problems(geometry: &Geometry<f64>) -> Vec<String> {
    let n_vertices = geometry.coords_count();
    if n_vertices > limits::geometry_vertices_max {
        return vec![format!(
            "{n_vertices} vertices, more than the {} allowed",
            limits::geometry_vertices_max
        )];
    }
    if n_vertices == 0 {
        return vec!["the geometry is empty".to_owned()];
    }
    let off_globe = geometry
        .coords_iter()
        .find(|c| !(c.x.is_finite() && c.y.is_finite() && c.x.abs() <= 180.0 && c.y.abs() <= 90.0));
    if let Some(c) = off_globe {
        return vec![format!(
            "coordinate ({}, {}) is not a longitude, latitude in degrees (RFC 7946 order is [lon, lat])",
            c.x, c.y
        )];
    }
    let mut found = Vec::new();
    let polygons: Vec<&geo::Polygon<f64>> = match geometry {
        Geometry::Polygon(p) => vec![p],
        Geometry::MultiPolygon(mp) => mp.0.iter().collect(),
        _ => Vec::new(),
    };
    for (idx, polygon) in polygons.iter().enumerate() {
        for problem in polygon.validation_errors() {
            let which = if polygons.len() > 1 {
                format!("polygon {idx}: ")
            } else {
                String::new()
            };
            found.push(format!("{which}{problem}"));
        }
    }
    found
}

/// The area (square metres, on the sphere) where `a` and `b` overlap; zero when they only touch.
pub fn overlap_area(a: &MultiPolygon<f64>, b: &MultiPolygon<f64>) -> f64 {
    // Most pairs are far apart: compare bounding boxes before any polygon maths.
    let (Some(ra), Some(rb)) = (a.bounding_rect(), b.bounding_rect()) else {
        return 0.0;
    };
    if !ra.intersects(&rb) || !a.intersects(b) {
        return 0.0;
    }
    a.intersection(b).chamberlain_duquette_unsigned_area()
}

/// Overlaps smaller than this (a 100 m square) are slivers where borders that were
/// simplified separately (at 100 m, see `cargo xtask zones`) meet, not a real overlap.
pub const OVERLAP_M2_MIN: f64 = 10_000.0;

/// Strips at most in a [`StripIndex`]: enough for borders of tens of thousands of edges.
const STRIPS_MAX: usize = 1024;

/// A fast point-in-area test for areas asked about millions of times (every track
/// update, every simulated position): `geo`'s `Contains` walks every edge of a border
/// per query, so the edges are bucketed by latitude strip once and a query ray-casts
/// (even-odd) over the edges of its own strip only. Shared by `sim` and `attribution`;
/// the tests check it against `geo`'s `Contains`. An edge is in every strip its
/// latitudes span.
#[derive(Debug, Clone)]
pub struct StripIndex {
    lat_min: f64,
    lat_max: f64,
    lon_min: f64,
    lon_max: f64,
    strip_height: f64,
    strips: Vec<Vec<[f64; 4]>>,
}

impl StripIndex {
    pub fn new(shape: &MultiPolygon<f64>) -> StripIndex {
        let mut edges: Vec<[f64; 4]> = Vec::new();
        for polygon in &shape.0 {
            for ring in std::iter::once(polygon.exterior()).chain(polygon.interiors()) {
                for w in ring.0.windows(2) {
                    edges.push([w[0].x, w[0].y, w[1].x, w[1].y]);
                }
            }
        }
        let (mut lat_min, mut lat_max) = (f64::INFINITY, f64::NEG_INFINITY);
        let (mut lon_min, mut lon_max) = (f64::INFINITY, f64::NEG_INFINITY);
        for e in &edges {
            lat_min = lat_min.min(e[1]).min(e[3]);
            lat_max = lat_max.max(e[1]).max(e[3]);
            lon_min = lon_min.min(e[0]).min(e[2]);
            lon_max = lon_max.max(e[0]).max(e[2]);
        }
        let n_strips = (edges.len() / 4).clamp(1, STRIPS_MAX);
        let strip_height = ((lat_max - lat_min) / n_strips as f64).max(1e-9);
        let mut strips = vec![Vec::new(); if edges.is_empty() { 0 } else { n_strips }];
        for e in &edges {
            let lo = ((e[1].min(e[3]) - lat_min) / strip_height).floor() as usize;
            let hi = ((e[1].max(e[3]) - lat_min) / strip_height).floor() as usize;
            for strip in strips
                .iter_mut()
                .take(hi.min(n_strips - 1) + 1)
                .skip(lo.min(n_strips - 1))
            {
                strip.push(*e);
            }
        }
        StripIndex {
            lat_min,
            lat_max,
            lon_min,
            lon_max,
            strip_height,
            strips,
        }
    }

    pub fn contains(&self, x: f64, y: f64) -> bool {
        if self.strips.is_empty()
            || !(self.lat_min..=self.lat_max).contains(&y)
            || !(self.lon_min..=self.lon_max).contains(&x)
        {
            return false;
        }
        let strip = (((y - self.lat_min) / self.strip_height) as usize).min(self.strips.len() - 1);
        let mut inside = false;
        for &[x1, y1, x2, y2] in &self.strips[strip] {
            // Half-open rule on y so a vertex on the ray is counted once.
            if (y1 > y) != (y2 > y) {
                let x_cross = x1 + (y - y1) * (x2 - x1) / (y2 - y1);
                if x < x_cross {
                    inside = !inside;
                }
            }
        }
        inside
    }
}
