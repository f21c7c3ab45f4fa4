//! The theatre's geography: states, zones and registered infrastructure, with
//! the two queries the simulation asks millions of times — "which state is
//! this point in" and "how far is this point from that cable".
//!
//! Shapes come from the pact's GeoJSON files (`pacts/data/...`) or inline in
//! the scenario, and are held as `geo` polygons. `geo`'s `Contains` walks every
//! edge per query; a border of a few thousand vertices asked about every
//! object every few seconds of a 12-hour night is too slow that way, so each
//! area also gets a latitude-strip index of its edges (an even-odd ray cast
//! that looks only at the edges crossing the point's strip). Tests check the
//! index against `geo`'s `Contains`.

use std::path::Path;

use geo::{Coord, LineString, MultiPolygon, Polygon};
use pact::geometry::StripIndex;

use crate::scenario::{GeographySpec, InlineArea, InlineInfrastructure, LatLon};

const EARTH_RADIUS_M: f64 = model::geodesy::EARTH_MEAN_RADIUS_M;
/// A named area (a state or a zone) with a fast point-in-area test.
#[derive(Debug, Clone)]
pub struct Area {
    pub id: String,
    pub shape: MultiPolygon<f64>,
    index: StripIndex,
}

impl Area {
    pub fn new(id: String, shape: MultiPolygon<f64>) -> Area {
        let index = StripIndex::new(&shape);
        Area { id, shape, index }
    }

    pub fn contains(&self, lat_deg: f64, lon_deg: f64) -> bool {
        self.index.contains(lon_deg, lat_deg)
    }
}

/// What an infrastructure item is, geometrically.
#[derive(Debug, Clone)]
pub enum InfraShape {
    Point(LatLon),
    /// Polylines (cables, pipelines), `[lat, lon]` vertices.
    Lines(Vec<Vec<LatLon>>),
    /// An area (a plant's fence), tested for containment and by distance to its edge.
    Area(Box<Area>),
}

#[derive(Debug, Clone)]
pub struct Infrastructure {
    pub id: String,
    pub kind: String,
    pub buffer_m: f64,
    pub shape: InfraShape,
    /// Bounding box `[lat_min, lat_max, lon_min, lon_max]` of the shape.
    bbox: [f64; 4],
}

impl Infrastructure {
    pub fn new(id: String, kind: String, buffer_m: f64, shape: InfraShape) -> Infrastructure {
        let mut bbox = [
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::INFINITY,
            f64::NEG_INFINITY,
        ];
        let mut grow = |p: &LatLon| {
            bbox[0] = bbox[0].min(p[0]);
            bbox[1] = bbox[1].max(p[0]);
            bbox[2] = bbox[2].min(p[1]);
            bbox[3] = bbox[3].max(p[1]);
        };
        match &shape {
            InfraShape::Point(p) => grow(p),
            InfraShape::Lines(lines) => lines.iter().flatten().for_each(&mut grow),
            InfraShape::Area(area) => {
                for polygon in &area.shape.0 {
                    polygon.exterior().0.iter().for_each(|c| grow(&[c.y, c.x]));
                }
            }
        }
        Infrastructure {
            id,
            kind,
            buffer_m,
            shape,
            bbox,
        }
    }

    /// A representative point (for reports and events): the point, the first
    /// vertex of a line, or an area's first vertex.
    pub fn anchor(&self) -> LatLon {
        match &self.shape {
            InfraShape::Point(p) => *p,
            InfraShape::Lines(lines) => lines
                .first()
                .and_then(|l| l.first())
                .copied()
                .unwrap_or([0.0, 0.0]),
            InfraShape::Area(area) => area
                .shape
                .0
                .first()
                .and_then(|p| p.exterior().0.first())
                .map(|c| [c.y, c.x])
                .unwrap_or([0.0, 0.0]),
        }
    }

    /// True when the point may be within `margin_m` (a cheap box test).
    pub fn near_box(&self, p: LatLon, margin_m: f64) -> bool {
        let dlat = margin_m / 111_000.0;
        let dlon = dlat / p[0].to_radians().cos().max(0.05);
        p[0] >= self.bbox[0] - dlat
            && p[0] <= self.bbox[1] + dlat
            && p[1] >= self.bbox[2] - dlon
            && p[1] <= self.bbox[3] + dlon
    }

    /// Distance from a point to the item along the surface, metres (an
    /// equirectangular projection at the point: exact enough within a few
    /// hundred kilometres, which is where buffers matter).
    pub fn distance_m(&self, p: LatLon) -> f64 {
        match &self.shape {
            InfraShape::Point(q) => local_distance_m(p, *q),
            InfraShape::Lines(lines) => lines
                .iter()
                .map(|line| polyline_distance_m(p, line.iter().copied()))
                .fold(f64::INFINITY, f64::min),
            InfraShape::Area(area) => {
                if area.contains(p[0], p[1]) {
                    return 0.0;
                }
                area.shape
                    .0
                    .iter()
                    .map(|poly| {
                        polyline_distance_m(p, poly.exterior().0.iter().map(|c| [c.y, c.x]))
                    })
                    .fold(f64::INFINITY, f64::min)
            }
        }
    }
}

/// Local east/north offsets of `q` from `p`, metres.
pub fn local_en_m(p: LatLon, q: LatLon) -> (f64, f64) {
    let k = EARTH_RADIUS_M * std::f64::consts::PI / 180.0;
    let e = (q[1] - p[1]) * k * p[0].to_radians().cos();
    let n = (q[0] - p[0]) * k;
    (e, n)
}

fn local_distance_m(p: LatLon, q: LatLon) -> f64 {
    let (e, n) = local_en_m(p, q);
    e.hypot(n)
}

fn polyline_distance_m(p: LatLon, vertices: impl Iterator<Item = LatLon>) -> f64 {
    let mut best = f64::INFINITY;
    let mut prev: Option<(f64, f64)> = None;
    for v in vertices {
        let b = local_en_m(p, v);
        best = best.min(match prev {
            None => b.0.hypot(b.1),
            Some(a) => segment_distance(a, b),
        });
        prev = Some(b);
    }
    best
}

/// Distance from the origin to the segment a–b in a plane.
fn segment_distance(a: (f64, f64), b: (f64, f64)) -> f64 {
    let (dx, dy) = (b.0 - a.0, b.1 - a.1);
    let len2 = dx * dx + dy * dy;
    let t = if len2 > 0.0 {
        (-(a.0 * dx + a.1 * dy) / len2).clamp(0.0, 1.0)
    } else {
        0.0
    };
    (a.0 + t * dx).hypot(a.1 + t * dy)
}

/// Everything geographic a scenario refers to.
#[derive(Debug, Clone, Default)]
pub struct Geography {
    pub countries: Vec<Area>,
    pub zones: Vec<Area>,
    pub infrastructure: Vec<Infrastructure>,
}

impl Geography {
    /// Loads the files named in the spec (relative to `base_dir`) and the inline shapes.
    pub fn load(
        spec: &GeographySpec,
        base_dir: &Path,
    ) -> Result<Geography, (std::path::PathBuf, String)> {
        let mut geo = Geography::default();
        if let Some(file) = &spec.borders {
            let path = base_dir.join(file);
            geo.countries
                .extend(load_areas(&path).map_err(|m| (path.clone(), m))?);
        }
        for file in &spec.zones {
            let path = base_dir.join(file);
            geo.zones
                .extend(load_areas(&path).map_err(|m| (path.clone(), m))?);
        }
        if let Some(file) = &spec.infrastructure {
            let path = base_dir.join(file);
            geo.infrastructure
                .extend(load_infrastructure(&path).map_err(|m| (path.clone(), m))?);
        }
        geo.countries.extend(spec.country.iter().map(inline_area));
        geo.zones.extend(spec.zone.iter().map(inline_area));
        geo.infrastructure
            .extend(spec.infrastructure_item.iter().map(inline_infrastructure));
        Ok(geo)
    }

    /// The state a point is in, or `None` (at sea, or outside the loaded borders).
    pub fn country_at(&self, lat_deg: f64, lon_deg: f64) -> Option<usize> {
        self.countries
            .iter()
            .position(|c| c.contains(lat_deg, lon_deg))
    }

    pub fn country_index(&self, id: &str) -> Option<usize> {
        self.countries.iter().position(|c| c.id == id)
    }

    pub fn infrastructure_by_id(&self, id: &str) -> Option<&Infrastructure> {
        self.infrastructure.iter().find(|i| i.id == id)
    }
}

/// A polygon from `[lat, lon]` points (closed if open).
pub fn polygon_from_latlon(points: &[LatLon]) -> Polygon<f64> {
    let mut coords: Vec<Coord<f64>> = points.iter().map(|p| Coord { x: p[1], y: p[0] }).collect();
    if coords.first() != coords.last()
        && let Some(first) = coords.first().copied()
    {
        coords.push(first);
    }
    Polygon::new(LineString(coords), Vec::new())
}

fn inline_area(spec: &InlineArea) -> Area {
    Area::new(
        spec.id.clone(),
        MultiPolygon(vec![polygon_from_latlon(&spec.polygon)]),
    )
}

fn inline_infrastructure(spec: &InlineInfrastructure) -> Infrastructure {
    let shape = match spec.point {
        Some(p) => InfraShape::Point(p),
        None => InfraShape::Lines(vec![spec.line.clone()]),
    };
    Infrastructure::new(spec.id.clone(), spec.kind.clone(), spec.buffer_m, shape)
}

/// The features of a GeoJSON file: a FeatureCollection, or a single Feature.
fn read_features(path: &Path) -> Result<Vec<geojson::Feature>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read: {e}"))?;
    match text.parse::<geojson::GeoJson>() {
        Ok(geojson::GeoJson::FeatureCollection(c)) => Ok(c.features),
        Ok(geojson::GeoJson::Feature(f)) => Ok(vec![f]),
        Ok(geojson::GeoJson::Geometry(_)) => {
            Err("expected a Feature or FeatureCollection, found a bare Geometry (no id)".into())
        }
        Err(e) => Err(format!("not GeoJSON: {e}")),
    }
}

/// The feature's id: the GeoJSON `id` member, else the `id` property.
fn feature_id(feature: &geojson::Feature, n: usize) -> Result<String, String> {
    match &feature.id {
        Some(geojson::feature::Id::String(s)) => return Ok(s.clone()),
        Some(geojson::feature::Id::Number(n)) => return Ok(n.to_string()),
        None => {}
    }
    feature
        .property("id")
        .and_then(|v| v.as_str())
        .map(str::to_owned)
        .ok_or_else(|| format!("feature {n}: no `id` (expected a feature id or an `id` property)"))
}

fn feature_geometry(feature: &geojson::Feature, n: usize) -> Result<geo::Geometry<f64>, String> {
    let geometry = feature
        .geometry
        .as_ref()
        .ok_or_else(|| format!("feature {n}: no geometry"))?;
    geo::Geometry::<f64>::try_from(&geometry.value).map_err(|e| format!("feature {n}: {e}"))
}

fn load_areas(path: &Path) -> Result<Vec<Area>, String> {
    let mut areas = Vec::new();
    for (n, feature) in read_features(path)?.iter().enumerate() {
        let id = feature_id(feature, n)?;
        let shape = match feature_geometry(feature, n)? {
            geo::Geometry::Polygon(p) => MultiPolygon(vec![p]),
            geo::Geometry::MultiPolygon(m) => m,
            _ => {
                return Err(format!(
                    "feature {n} (`{id}`): expected a Polygon or MultiPolygon"
                ));
            }
        };
        areas.push(Area::new(id, shape));
    }
    Ok(areas)
}

fn load_infrastructure(path: &Path) -> Result<Vec<Infrastructure>, String> {
    let mut items = Vec::new();
    for (n, feature) in read_features(path)?.iter().enumerate() {
        let id = feature_id(feature, n)?;
        let kind = feature
            .property("kind")
            .and_then(|v| v.as_str())
            .unwrap_or("unknown")
            .to_owned();
        let buffer_m = feature
            .property("buffer_m")
            .and_then(|v| v.as_f64())
            .ok_or_else(|| {
                format!("feature {n} (`{id}`): expected a numeric `buffer_m` property")
            })?;
        let to_line = |l: &LineString<f64>| l.0.iter().map(|c| [c.y, c.x]).collect::<Vec<LatLon>>();
        let shape = match feature_geometry(feature, n)? {
            geo::Geometry::Point(p) => InfraShape::Point([p.y(), p.x()]),
            geo::Geometry::LineString(l) => InfraShape::Lines(vec![to_line(&l)]),
            geo::Geometry::MultiLineString(m) => {
                InfraShape::Lines(m.0.iter().map(to_line).collect())
            }
            geo::Geometry::Polygon(p) => {
                InfraShape::Area(Box::new(Area::new(id.clone(), MultiPolygon(vec![p]))))
            }
            geo::Geometry::MultiPolygon(m) => InfraShape::Area(Box::new(Area::new(id.clone(), m))),
            _ => {
                return Err(format!(
                    "feature {n} (`{id}`): expected a Point, LineString or Polygon"
                ));
            }
        };
        items.push(Infrastructure::new(id, kind, buffer_m, shape));
    }
    Ok(items)
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::Contains;

    #[test]
    fn strip_index_agrees_with_geo_contains() {
        // A concave polygon with a hole, probed on a grid.
        let outer = polygon_from_latlon(&[
            [50.0, 20.0],
            [50.0, 30.0],
            [55.0, 30.0],
            [52.0, 25.0],
            [55.0, 20.0],
        ]);
        let hole = polygon_from_latlon(&[[50.5, 21.0], [50.5, 22.0], [51.5, 22.0], [51.5, 21.0]]);
        let polygon = Polygon::new(outer.exterior().clone(), vec![hole.exterior().clone()]);
        let area = Area::new("X".into(), MultiPolygon(vec![polygon.clone()]));
        let mut disagreements = 0;
        for i in 0..200 {
            for j in 0..200 {
                let lat = 49.0 + 7.0 * i as f64 / 199.0 + 1e-7;
                let lon = 19.0 + 12.0 * j as f64 / 199.0 + 1e-7;
                let expected = polygon.contains(&geo::Point::new(lon, lat));
                if area.contains(lat, lon) != expected {
                    disagreements += 1;
                }
            }
        }
        assert_eq!(disagreements, 0);
    }

    #[test]
    fn distance_to_a_cable() {
        let cable = Infrastructure::new(
            "c".into(),
            "power_cable".into(),
            1000.0,
            InfraShape::Lines(vec![vec![[60.0, 24.0], [60.0, 25.0]]]),
        );
        // 0.01 degree of latitude north of the line's middle: ~1,112 m.
        let d = cable.distance_m([60.01, 24.5]);
        assert!((d - 1_112.0).abs() < 5.0, "{d}");
        // Beyond its end, the distance is to the end vertex.
        let d = cable.distance_m([60.0, 25.1]);
        assert!((d - 5_560.0).abs() < 30.0, "{d}");
    }
}
