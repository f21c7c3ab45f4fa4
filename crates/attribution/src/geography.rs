//! The theatre as attribution sees it: states (from the borders GeoJSON the
//! pact ships with), the pact's zones and its infrastructure register, with
//! the two questions asked on every track update — which state is this point
//! in, and how far is it from that site.
//!
//! `geo`'s `Contains` walks every edge of a border per query; a border of a
//! few thousand vertices asked about every track every few seconds is too slow
//! that way, so each area also gets a latitude-strip index of its edges (an
//! even-odd ray cast over the edges crossing the point's strip). A test checks
//! it against `geo`'s `Contains`.

use geo::{BoundingRect, Coord, Geometry, LineString, MultiPolygon};
use model::Geodetic;
use model::geodesy::EARTH_MEAN_RADIUS_M;
use pact::geometry::StripIndex;
use pact::syntax::{InfrastructureKind, ZoneKind};
use pact::{CompiledPact, CompiledSite};

/// A named area with a fast point-in-area test.
#[derive(Debug, Clone)]
pub struct Area {
    pub id: String,
    pub shape: MultiPolygon<f64>,
    index: StripIndex,
}

impl Area {
    pub fn new(id: impl Into<String>, shape: MultiPolygon<f64>) -> Area {
        let index = StripIndex::new(&shape);
        Area {
            id: id.into(),
            shape,
            index,
        }
    }

    pub fn contains(&self, p: &Geodetic) -> bool {
        self.index.contains(p.lon_deg, p.lat_deg)
    }

    /// Distance in metres from `p` to the nearest edge of the area.
    pub fn distance_to_edge_m(&self, p: &Geodetic) -> f64 {
        let mut best = f64::INFINITY;
        for polygon in &self.shape.0 {
            for ring in std::iter::once(polygon.exterior()).chain(polygon.interiors()) {
                best = best.min(distance_to_line_m(p, ring));
            }
        }
        best
    }
}

/// A pact zone with its kind.
#[derive(Debug, Clone)]
pub struct Zone {
    pub area: Area,
    pub kind: ZoneKind,
}

/// A registered site with its bounding box grown by its buffer, for a quick reject.
#[derive(Debug, Clone)]
pub struct Site {
    pub id: String,
    pub name: String,
    pub kind: InfrastructureKind,
    pub owner: String,
    pub buffer_m: f64,
    pub geometry: Geometry<f64>,
    /// lon_min, lat_min, lon_max, lat_max of the geometry, grown by the buffer.
    bbox: [f64; 4],
    /// A representative point (the first coordinate) for reports and STIX.
    pub anchor: Geodetic,
}

impl Site {
    pub fn from_compiled(site: &CompiledSite) -> Site {
        let rect = site.geometry.bounding_rect();
        let (min, max) = rect.map_or(((0.0, 0.0), (0.0, 0.0)), |r| (r.min().x_y(), r.max().x_y()));
        let grow_lat = site.buffer_m / 111_000.0;
        let grow_lon = grow_lat / min.1.abs().max(max.1.abs()).to_radians().cos().max(0.05);
        let anchor = first_coord(&site.geometry)
            .map_or(Geodetic::default(), |c| Geodetic::new(c.y, c.x, 0.0));
        Site {
            id: site.id.clone(),
            name: site.name.clone(),
            kind: site.kind,
            owner: site.owner.clone(),
            buffer_m: site.buffer_m,
            geometry: site.geometry.clone(),
            bbox: [
                min.0 - grow_lon,
                min.1 - grow_lat,
                max.0 + grow_lon,
                max.1 + grow_lat,
            ],
            anchor,
        }
    }

    /// Cables and pipelines: the sites an anchor can drag across.
    pub fn is_line(&self) -> bool {
        matches!(
            self.kind,
            InfrastructureKind::SubseaCable | InfrastructureKind::Pipeline
        )
    }

    /// True when `p` may be within `extra_m` beyond the buffer (a cheap box test).
    pub fn near_box(&self, p: &Geodetic, extra_m: f64) -> bool {
        let grow = extra_m / 111_000.0;
        let grow_lon = grow / p.lat_deg.to_radians().cos().max(0.05);
        p.lon_deg >= self.bbox[0] - grow_lon
            && p.lon_deg <= self.bbox[2] + grow_lon
            && p.lat_deg >= self.bbox[1] - grow
            && p.lat_deg <= self.bbox[3] + grow
    }

    /// Distance in metres from `p` to the site's geometry (0 inside a polygon).
    pub fn distance_m(&self, p: &Geodetic) -> f64 {
        distance_to_geometry_m(p, &self.geometry)
    }

    pub fn kind_str(&self) -> String {
        serde_json::to_value(self.kind)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default()
    }
}

fn first_coord(g: &Geometry<f64>) -> Option<Coord<f64>> {
    use geo::CoordsIter;
    g.coords_iter().next()
}

/// `p` moved `east_m` and `north_m` (small offsets, spherical Earth; altitude kept).
pub fn offset(p: &Geodetic, east_m: f64, north_m: f64) -> Geodetic {
    let r = model::geodesy::EARTH_MEAN_RADIUS_M;
    Geodetic::new(
        p.lat_deg + (north_m / r).to_degrees(),
        p.lon_deg + (east_m / (r * p.lat_deg.to_radians().cos().max(1e-6))).to_degrees(),
        p.alt_m,
    )
}

/// Local equirectangular metres of `q` around `origin`: exact enough within a
/// few hundred kilometres, which is all a buffer or a closest approach needs.
pub fn local_xy(origin: &Geodetic, lon_deg: f64, lat_deg: f64) -> (f64, f64) {
    let k = origin.lat_deg.to_radians().cos();
    (
        (lon_deg - origin.lon_deg).to_radians() * k * EARTH_MEAN_RADIUS_M,
        (lat_deg - origin.lat_deg).to_radians() * EARTH_MEAN_RADIUS_M,
    )
}

fn segment_distance(p: (f64, f64), a: (f64, f64), b: (f64, f64)) -> f64 {
    let (dx, dy) = (b.0 - a.0, b.1 - a.1);
    let len2 = dx * dx + dy * dy;
    let t = if len2 == 0.0 {
        0.0
    } else {
        (((p.0 - a.0) * dx + (p.1 - a.1) * dy) / len2).clamp(0.0, 1.0)
    };
    (p.0 - a.0 - t * dx).hypot(p.1 - a.1 - t * dy)
}

pub fn distance_to_line_m(p: &Geodetic, line: &LineString<f64>) -> f64 {
    if line.0.len() == 1 {
        let c = line.0[0];
        let (x, y) = local_xy(p, c.x, c.y);
        return x.hypot(y);
    }
    line.0
        .windows(2)
        .map(|w| {
            let a = local_xy(p, w[0].x, w[0].y);
            let b = local_xy(p, w[1].x, w[1].y);
            segment_distance((0.0, 0.0), a, b)
        })
        .fold(f64::INFINITY, f64::min)
}

fn distance_to_geometry_m(p: &Geodetic, g: &Geometry<f64>) -> f64 {
    match g {
        Geometry::Point(pt) => {
            let (x, y) = local_xy(p, pt.x(), pt.y());
            x.hypot(y)
        }
        Geometry::LineString(l) => distance_to_line_m(p, l),
        Geometry::MultiLineString(ml) => {
            ml.0.iter()
                .map(|l| distance_to_line_m(p, l))
                .fold(f64::INFINITY, f64::min)
        }
        Geometry::Polygon(poly) => polygon_distance(p, poly),
        Geometry::MultiPolygon(mp) => {
            mp.0.iter()
                .map(|poly| polygon_distance(p, poly))
                .fold(f64::INFINITY, f64::min)
        }
        Geometry::MultiPoint(mp) => {
            mp.0.iter()
                .map(|pt| {
                    let (x, y) = local_xy(p, pt.x(), pt.y());
                    x.hypot(y)
                })
                .fold(f64::INFINITY, f64::min)
        }
        Geometry::GeometryCollection(gc) => {
            gc.0.iter()
                .map(|g| distance_to_geometry_m(p, g))
                .fold(f64::INFINITY, f64::min)
        }
        Geometry::Line(l) => {
            let a = local_xy(p, l.start.x, l.start.y);
            let b = local_xy(p, l.end.x, l.end.y);
            segment_distance((0.0, 0.0), a, b)
        }
        Geometry::Rect(r) => polygon_distance(p, &r.to_polygon()),
        Geometry::Triangle(t) => polygon_distance(p, &t.to_polygon()),
    }
}

fn polygon_distance(p: &Geodetic, poly: &geo::Polygon<f64>) -> f64 {
    use geo::Contains;
    if poly.contains(&geo::Point::new(p.lon_deg, p.lat_deg)) {
        return 0.0;
    }
    distance_to_line_m(p, poly.exterior())
}

/// Where segment p0→p1 crosses a site's line, as the fraction along p0→p1.
pub fn crossing_fraction(site: &Site, p0: &Geodetic, p1: &Geodetic) -> Option<f64> {
    let lines: Vec<&LineString<f64>> = match &site.geometry {
        Geometry::LineString(l) => vec![l],
        Geometry::MultiLineString(ml) => ml.0.iter().collect(),
        _ => return None,
    };
    let b = local_xy(p0, p1.lon_deg, p1.lat_deg);
    let mut best: Option<f64> = None;
    for line in lines {
        for w in line.0.windows(2) {
            let c = local_xy(p0, w[0].x, w[0].y);
            let d = local_xy(p0, w[1].x, w[1].y);
            if let Some(t) = segments_cross((0.0, 0.0), b, c, d) {
                best = Some(best.map_or(t, |x: f64| x.min(t)));
            }
        }
    }
    best
}

fn segments_cross(a: (f64, f64), b: (f64, f64), c: (f64, f64), d: (f64, f64)) -> Option<f64> {
    let r = (b.0 - a.0, b.1 - a.1);
    let s = (d.0 - c.0, d.1 - c.1);
    let denom = r.0 * s.1 - r.1 * s.0;
    if denom.abs() < 1e-9 {
        return None;
    }
    let t = ((c.0 - a.0) * s.1 - (c.1 - a.1) * s.0) / denom;
    let u = ((c.0 - a.0) * r.1 - (c.1 - a.1) * r.0) / denom;
    ((0.0..=1.0).contains(&t) && (0.0..=1.0).contains(&u)).then_some(t)
}

/// States, zones and sites: what the attributor asks about places.
#[derive(Debug, Clone, Default)]
pub struct Geography {
    /// States by ISO 3166 alpha-2 code.
    pub countries: Vec<Area>,
    pub zones: Vec<Zone>,
    pub sites: Vec<Site>,
    /// The pact's parties (ISO codes): never a hostile state of origin.
    pub parties: Vec<String>,
}

impl Geography {
    /// Builds the geography from the compiled pact and the text of a borders
    /// GeoJSON (features with `iso_a2` or an id). Features that cannot be read
    /// are left out and named in the returned diagnostics.
    pub fn new(pact: &CompiledPact, borders_geojson: &str) -> (Geography, Vec<String>) {
        let (countries, diagnostics) = countries_from_geojson(borders_geojson);
        let zones = pact
            .zones
            .iter()
            .map(|z| Zone {
                area: Area::new(z.id.clone(), z.area.clone()),
                kind: z.kind,
            })
            .collect();
        let sites = pact.sites.iter().map(Site::from_compiled).collect();
        let parties = pact.parties.iter().map(|p| p.id.clone()).collect();
        (
            Geography {
                countries,
                zones,
                sites,
                parties,
            },
            diagnostics,
        )
    }

    /// The state `p` is in, as an index into `countries`.
    pub fn country_at(&self, p: &Geodetic) -> Option<usize> {
        self.countries.iter().position(|c| c.contains(p))
    }

    pub fn country_index(&self, iso: &str) -> Option<usize> {
        self.countries.iter().position(|c| c.id == iso)
    }

    pub fn site(&self, id: &str) -> Option<&Site> {
        self.sites.iter().find(|s| s.id == id)
    }

    /// Ids of the pact zones containing `p`, in pact order.
    pub fn zones_at(&self, p: &Geodetic) -> Vec<String> {
        self.zones
            .iter()
            .filter(|z| z.area.contains(p))
            .map(|z| z.area.id.clone())
            .collect()
    }
}

/// States from a borders GeoJSON: the feature's `iso_a2` property, else its id.
pub fn countries_from_geojson(text: &str) -> (Vec<Area>, Vec<String>) {
    let mut diagnostics = Vec::new();
    let geojson = match pact::geometry::parse_file(text) {
        Ok(g) => g,
        Err(e) => {
            diagnostics.push(format!(
                "borders: line {}, column {}: {}",
                e.line, e.column, e.message
            ));
            return (Vec::new(), diagnostics);
        }
    };
    let features = match geojson {
        geojson::GeoJson::FeatureCollection(fc) => fc.features,
        geojson::GeoJson::Feature(f) => vec![f],
        geojson::GeoJson::Geometry(_) => {
            diagnostics
                .push("borders: expected features with `iso_a2`, found a bare geometry".into());
            Vec::new()
        }
    };
    let mut countries = Vec::new();
    for (idx, f) in features.iter().enumerate() {
        let iso = f
            .property("iso_a2")
            .and_then(|v| v.as_str())
            .map(str::to_owned)
            .or_else(|| match &f.id {
                Some(geojson::feature::Id::String(s)) => Some(s.clone()),
                _ => None,
            });
        let Some(iso) = iso else {
            diagnostics.push(format!(
                "borders: feature {idx}: no `iso_a2` property or id; left out"
            ));
            continue;
        };
        let Some(geometry) = &f.geometry else {
            diagnostics.push(format!(
                "borders: feature {idx} ({iso}): no geometry; left out"
            ));
            continue;
        };
        match pact::geometry::to_geo(geometry).and_then(pact::geometry::to_area) {
            Ok(area) => countries.push(Area::new(iso, area)),
            Err(e) => diagnostics.push(format!("borders: feature {idx} ({iso}): {e}; left out")),
        }
    }
    (countries, diagnostics)
}
