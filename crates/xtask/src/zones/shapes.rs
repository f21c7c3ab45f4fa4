//! The pact zones: what each one is, and how it is derived from the borders and
//! seas with distances in metres.
//!
//! Method, the same for every distance: the geometry is projected into an
//! azimuthal equidistant plane centred on the line or shape measured from
//! ([`Aeqd`]), buffered there with geo's `Buffer` (round joins and caps whose
//! chords stay within [`CHORD_TOLERANCE_M`] of the true circle), the buffer
//! simplified with Douglas–Peucker at [`SIMPLIFY_TOLERANCE_M`] (its vertices stay
//! on the true buffer line; kept only when still valid), combined with the
//! country, unsimplified, by geo's `BooleanOps`, and projected back.

use anyhow::{Result, bail};
use geo::{
    BooleanOps, Buffer, Coord, Destination, Geodesic, MultiLineString, MultiPolygon, Point,
    Polygon, Simplify, Validation,
    buffer::{BufferStyle, LineCap, LineJoin},
};
use geojson::JsonObject;
use serde_json::Value;

use super::borders::normalise;
use super::project::Aeqd;
use super::{Borders, Feature, Seas, feature};

/// Width of the border belts: Polish and Romanian territory within this distance
/// of the border with Ukraine (and Belarus, resp. Moldova).
pub const BELT_WIDTH_M: f64 = 100_000.0;
/// Strip along the border left out of the agreed engagement zones, so that an
/// engagement (missile fly-out, debris of a drone downed at 3–4 km altitude)
/// stays over allied soil. Twice the no-go strip, so that after simplification
/// an engagement zone can never touch a no-go area.
pub const ENGAGEMENT_STANDOFF_M: f64 = 10_000.0;
/// Width of the no-go strip along Poland's border with Belarus.
pub const PL_BY_NOGO_WIDTH_M: f64 = 5_000.0;
/// Kaliningrad's buffer: 12 nautical miles, the breadth of its territorial sea,
/// so that the no-go area also covers the sovereign airspace over its waters.
pub const KALININGRAD_BUFFER_M: f64 = 22_224.0;
/// Gap kept between an engagement zone and a no-go area it borders, so that the
/// two never touch once simplified and rounded.
pub const NOGO_CLEARANCE_M: f64 = 1_000.0;
/// Radius of the depot areas.
pub const DEPOT_RADIUS_M: f64 = 15_000.0;
/// Largest gap between a buffer's rounded edge and the true circle.
pub const CHORD_TOLERANCE_M: f64 = 25.0;
/// Douglas–Peucker tolerance for derived shapes.
pub const SIMPLIFY_TOLERANCE_M: f64 = 100.0;
/// Douglas–Peucker tolerance for the Baltic, a large sea whose coastline detail
/// does not change what the zone means.
const SEA_SIMPLIFY_TOLERANCE_M: f64 = 500.0;

/// Rzeszów-Jasionka airport (EPRZ) reference point.
pub const RZESZOW_JASIONKA: (f64, f64) = (22.0192, 50.1097);
/// Suceava "Ștefan cel Mare" airport (LRSV) reference point.
pub const SUCEAVA_AIRPORT: (f64, f64) = (26.3541, 47.6875);

/// The north-western Black Sea: north-west of the line from Cape Kaliakra
/// (Bulgaria) to Cape Sarych (Crimea's southern tip) and west of Cape Sarych's
/// meridian, which leaves out the Sea of Azov and the open sea to the south.
const BLACK_SEA_NW_CLIP: [(f64, f64); 5] = [
    (27.0, 43.36),
    (28.47, 43.36),
    (33.75, 44.39),
    (33.75, 47.0),
    (27.0, 47.0),
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ZoneKind {
    ProtectedAirspace,
    BorderBelt,
    EngagementZone,
    NoGoArea,
    MaritimeZone,
    DepotArea,
}

impl ZoneKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ZoneKind::ProtectedAirspace => "protected_airspace",
            ZoneKind::BorderBelt => "border_belt",
            ZoneKind::EngagementZone => "engagement_zone",
            ZoneKind::NoGoArea => "no_go_area",
            ZoneKind::MaritimeZone => "maritime_zone",
            ZoneKind::DepotArea => "depot_area",
        }
    }
}

#[derive(Debug)]
pub struct Zone {
    pub id: &'static str,
    pub name: &'static str,
    pub kind: ZoneKind,
    pub description: String,
    /// Longitude and latitude, RFC 7946 oriented, rounded to the output precision.
    pub shape: MultiPolygon,
}

impl Zone {
    fn new(
        id: &'static str,
        name: &'static str,
        kind: ZoneKind,
        description: String,
        shape: &MultiPolygon,
    ) -> Zone {
        Zone {
            id,
            name,
            kind,
            description,
            shape: normalise(shape),
        }
    }

    pub fn feature(&self) -> Feature {
        let mut properties = JsonObject::new();
        properties.insert("id".into(), Value::from(self.id));
        properties.insert("name".into(), Value::from(self.name));
        properties.insert("kind".into(), Value::from(self.kind.as_str()));
        properties.insert("description".into(), Value::from(self.description.as_str()));
        let geometry = if self.shape.0.len() == 1 {
            geojson::Geometry::new((&self.shape.0[0]).into())
        } else {
            geojson::Geometry::new((&self.shape).into())
        };
        feature(self.id, geometry, properties)
    }
}

/// Every zone, in a fixed order.
pub fn zones(borders: &Borders, seas: &Seas) -> Result<Vec<Zone>> {
    let mut zones = vec![ua_airspace(borders)];
    zones.extend(polish_zones(borders));
    zones.extend(romanian_zones(borders));
    zones.extend(sea_zones(seas));
    zones.extend(depot_zones(borders));
    for zone in &zones {
        if let Err(error) = zone.shape.check_validation() {
            bail!("zone {}: the built geometry is invalid: {error}", zone.id);
        }
    }
    Ok(zones)
}

/// How every distance-derived zone was drawn, for its description.
fn method() -> String {
    format!(
        "Distances in metres on WGS84: buffered in an azimuthal equidistant projection centred \
         on the border measured from (round joins, chords within {CHORD_TOLERANCE_M} m), \
         the buffer simplified at {SIMPLIFY_TOLERANCE_M} m, country edges kept as drawn."
    )
}

fn ua_airspace(borders: &Borders) -> Zone {
    Zone::new(
        "ua-airspace",
        "Ukrainian airspace",
        ZoneKind::ProtectedAirspace,
        "Ukraine's land territory in its internationally recognised borders, Crimea included \
         (Natural Earth 1:50m; the Crimean polygon moved from Russia to Ukraine). Territorial \
         waters are not included."
            .to_string(),
        borders.shape("UA"),
    )
}

/// The Polish belt, engagement zone and no-go strip, and Kaliningrad's no-go area.
fn polish_zones(borders: &Borders) -> Vec<Zone> {
    let pl_by = borders.shared_border("PL", "BY");
    let pl_lines = concat(&[&borders.shared_border("PL", "UA"), &pl_by]);
    let pl = Measured::around_lines(borders.shape("PL"), &pl_lines);
    let belt = pl
        .projected_shape
        .intersection(&pl.buffer_lines(&pl_lines, BELT_WIDTH_M));
    let standoff = pl.buffer_lines(&pl_lines, ENGAGEMENT_STANDOFF_M);
    let kaliningrad_clearance = pl.buffer_shape(
        borders.kaliningrad(),
        KALININGRAD_BUFFER_M + NOGO_CLEARANCE_M,
    );
    let engagement = belt
        .difference(&standoff)
        .difference(&kaliningrad_clearance);
    let nogo = pl
        .projected_shape
        .intersection(&pl.buffer_lines(&pl_by, PL_BY_NOGO_WIDTH_M));
    let kaliningrad = Measured::around_shape(borders.kaliningrad());
    let kaliningrad_nogo = kaliningrad.buffer_shape(borders.kaliningrad(), KALININGRAD_BUFFER_M);
    let (belt_km, standoff_km) = (BELT_WIDTH_M / 1000.0, ENGAGEMENT_STANDOFF_M / 1000.0);
    let (nogo_km, clearance_km) = (PL_BY_NOGO_WIDTH_M / 1000.0, NOGO_CLEARANCE_M / 1000.0);
    let method = method();
    vec![
        Zone::new(
            "pl-border-belt",
            "Polish border belt",
            ZoneKind::BorderBelt,
            format!(
                "Polish territory within {belt_km} km of Poland's land borders with Ukraine and \
                 Belarus (Natural Earth 1:50m). {method}"
            ),
            &pl.finish(&belt),
        ),
        Zone::new(
            "pl-engagement-east",
            "Polish agreed engagement zone (east)",
            ZoneKind::EngagementZone,
            format!(
                "The Polish border belt less a {standoff_km} km strip along the borders with \
                 Ukraine and Belarus, so that engagements stay over allied soil, and kept \
                 {clearance_km} km clear of the Kaliningrad no-go area. {method}"
            ),
            &pl.finish(&engagement),
        ),
        Zone::new(
            "pl-by-border-nogo",
            "No-go strip along the Polish–Belarusian border",
            ZoneKind::NoGoArea,
            format!(
                "Polish territory within {nogo_km} km of the border with Belarus: no engagement \
                 may be made here, to avoid spill-over into Belarus. {method}"
            ),
            &pl.finish(&nogo),
        ),
        Zone::new(
            "kaliningrad-nogo",
            "Kaliningrad no-go area",
            ZoneKind::NoGoArea,
            format!(
                "Kaliningrad oblast (Natural Earth 1:50m) plus {KALININGRAD_BUFFER_M} m (12 \
                 nautical miles, the breadth of its territorial sea) all round, over land and \
                 sea: no engagement here. {method}"
            ),
            &kaliningrad.finish(&kaliningrad_nogo),
        ),
    ]
}

/// The Romanian belt and engagement zone.
fn romanian_zones(borders: &Borders) -> Vec<Zone> {
    let ro_lines = concat(&[
        &borders.shared_border("RO", "UA"),
        &borders.shared_border("RO", "MD"),
    ]);
    let ro = Measured::around_lines(borders.shape("RO"), &ro_lines);
    let belt = ro
        .projected_shape
        .intersection(&ro.buffer_lines(&ro_lines, BELT_WIDTH_M));
    let engagement = belt.difference(&ro.buffer_lines(&ro_lines, ENGAGEMENT_STANDOFF_M));
    let (belt_km, standoff_km) = (BELT_WIDTH_M / 1000.0, ENGAGEMENT_STANDOFF_M / 1000.0);
    let method = method();
    vec![
        Zone::new(
            "ro-border-belt",
            "Romanian border belt",
            ZoneKind::BorderBelt,
            format!(
                "Romanian territory within {belt_km} km of Romania's land borders with Ukraine \
                 and Moldova (Natural Earth 1:50m). {method}"
            ),
            &ro.finish(&belt),
        ),
        Zone::new(
            "ro-engagement-north",
            "Romanian agreed engagement zone (north and east)",
            ZoneKind::EngagementZone,
            format!(
                "The Romanian border belt less a {standoff_km} km strip along the borders with \
                 Ukraine and Moldova, so that engagements stay over allied soil. {method}"
            ),
            &ro.finish(&engagement),
        ),
    ]
}

fn sea_zones(seas: &Seas) -> Vec<Zone> {
    let clip = Polygon::new(
        BLACK_SEA_NW_CLIP
            .iter()
            .map(|&(x, y)| Coord { x, y })
            .collect(),
        vec![],
    );
    let baltic = Measured::around_shape(&seas.baltic_sea);
    let baltic_simplified = simplified(&baltic.projected_shape, SEA_SIMPLIFY_TOLERANCE_M);
    vec![
        Zone::new(
            "black-sea-nw",
            "North-western Black Sea",
            ZoneKind::MaritimeZone,
            "The Black Sea (Natural Earth 1:50m land subtracted from a clip polygon) north-west \
             of the line from Cape Kaliakra (43.36N 28.47E) to Cape Sarych (44.39N 33.75E) and \
             west of 33.75E: the approaches to Odesa, the Danube mouths and Constanta, and the \
             sea west of Crimea. The Sea of Azov is left out."
                .to_string(),
            &seas.black_sea.intersection(&clip),
        ),
        Zone::new(
            "baltic-sea",
            "Baltic Sea",
            ZoneKind::MaritimeZone,
            format!(
                "The Baltic Sea east of about 12.7E (Natural Earth 1:50m land subtracted from a \
                 clip polygon), Gulfs of Finland, Riga and Bothnia included, simplified at \
                 {SEA_SIMPLIFY_TOLERANCE_M} m."
            ),
            &baltic.finish(&baltic_simplified),
        ),
    ]
}

fn depot_zones(borders: &Borders) -> Vec<Zone> {
    let depots = [
        (
            "rzeszow-depot",
            "Rzeszów-Jasionka depot area",
            "PL",
            "Rzeszów-Jasionka airport (EPRZ)",
            RZESZOW_JASIONKA,
        ),
        (
            "suceava-depot",
            "Suceava depot area",
            "RO",
            "Suceava Ștefan cel Mare airport (LRSV)",
            SUCEAVA_AIRPORT,
        ),
    ];
    let radius_km = DEPOT_RADIUS_M / 1000.0;
    depots
        .into_iter()
        .map(|(id, name, host, place, (lon, lat))| {
            let circle = geodesic_circle(lon, lat, DEPOT_RADIUS_M);
            Zone::new(
                id,
                name,
                ZoneKind::DepotArea,
                format!(
                    "Within {radius_km} km of {place} ({lat}N {lon}E), clipped to the host \
                     country: a 72-gon of geodesic destinations."
                ),
                &circle.intersection(borders.shape(host)),
            )
        })
        .collect()
}

/// A shape projected into the azimuthal equidistant plane centred on the lines
/// it is measured from, or on the shape itself.
struct Measured {
    aeqd: Aeqd,
    projected_shape: MultiPolygon,
}

impl Measured {
    fn around_lines(shape: &MultiPolygon, lines: &MultiLineString) -> Measured {
        Measured::centred(shape, bbox_centre_of_lines(lines))
    }

    fn around_shape(shape: &MultiPolygon) -> Measured {
        Measured::centred(shape, bbox_centre_of_polygons(shape))
    }

    fn centred(shape: &MultiPolygon, centre: Coord) -> Measured {
        let aeqd = Aeqd::new(centre.x, centre.y);
        Measured {
            aeqd,
            projected_shape: aeqd.forward_all(shape),
        }
    }

    /// The lines buffered by `distance_m`, simplified.
    fn buffer_lines(&self, lines: &MultiLineString, distance_m: f64) -> MultiPolygon {
        use geo::MapCoords;
        let projected = lines.map_coords(|c| self.aeqd.forward(c));
        simplified(
            &projected.buffer_with_style(style(distance_m)),
            SIMPLIFY_TOLERANCE_M,
        )
    }

    /// A shape (longitude, latitude) buffered by `distance_m`, simplified.
    fn buffer_shape(&self, shape: &MultiPolygon, distance_m: f64) -> MultiPolygon {
        let projected = self.aeqd.forward_all(shape);
        simplified(
            &projected.buffer_with_style(style(distance_m)),
            SIMPLIFY_TOLERANCE_M,
        )
    }

    /// Back to longitude and latitude.
    fn finish(&self, projected: &MultiPolygon) -> MultiPolygon {
        self.aeqd.inverse_all(projected)
    }
}

/// Douglas–Peucker in metres, keeping the unsimplified shape if simplifying
/// would make it invalid. Only buffers and seas are simplified, never country
/// edges, so that zones cut from the same country share its vertices exactly.
fn simplified(projected: &MultiPolygon, tolerance_m: f64) -> MultiPolygon {
    let simplified = projected.simplify(tolerance_m);
    if simplified.is_valid() {
        simplified
    } else {
        projected.clone()
    }
}

fn style(distance_m: f64) -> BufferStyle<f64> {
    // The angle step of a round join whose chords stay within the tolerance.
    let step_rad = 2.0 * (1.0 - CHORD_TOLERANCE_M / distance_m).acos();
    BufferStyle::new(distance_m)
        .line_join(LineJoin::Round(step_rad))
        .line_cap(LineCap::Round(step_rad))
}

/// A circle of `radius_m` around a point, as a counter-clockwise polygon of
/// geodesic destinations every 5°.
pub fn geodesic_circle(lon: f64, lat: f64, radius_m: f64) -> Polygon {
    let centre = Point::new(lon, lat);
    let ring: Vec<Coord> = (0..72)
        .rev()
        .map(|step| {
            Geodesic
                .destination(centre, f64::from(step) * 5.0, radius_m)
                .0
        })
        .collect();
    Polygon::new(ring.into(), vec![])
}

fn concat(parts: &[&MultiLineString]) -> MultiLineString {
    MultiLineString(
        parts
            .iter()
            .flat_map(|part| part.0.iter().cloned())
            .collect(),
    )
}

fn bbox_centre_of_lines(lines: &MultiLineString) -> Coord {
    use geo::BoundingRect;
    lines
        .bounding_rect()
        .map_or(Coord { x: 0.0, y: 0.0 }, |r| r.center())
}

fn bbox_centre_of_polygons(shape: &MultiPolygon) -> Coord {
    use geo::BoundingRect;
    shape
        .bounding_rect()
        .map_or(Coord { x: 0.0, y: 0.0 }, |r| r.center())
}
