//! The six countries of the theatre, from Natural Earth, with Ukraine in its
//! internationally recognised borders.
//!
//! Natural Earth draws de facto boundaries and puts the Crimean peninsula in
//! Russia's multipolygon. A pact that protects Ukraine protects its recognised
//! territory, so the build takes the Crimean polygon(s) out of Russia and unions
//! them into Ukraine with geo's `BooleanOps`. The polygons are found by what they
//! contain (Simferopol, Sevastopol) plus any small Russian polygon lying wholly on
//! the Crimean side of the Kerch Strait (islets, a separately drawn Arabat Spit or
//! Tuzla); in Natural Earth 4.1.0 at 1:50m that is a single polygon of 73 vertices
//! whose northern edge (Perekop, Chonhar, the base of the Arabat Spit) is made of
//! exactly Ukraine's vertices, so the union closes without slivers.

use std::collections::{BTreeMap, BTreeSet};

use anyhow::{Context, Result, bail};
use geo::{
    BooleanOps, BoundingRect, Contains, Coord, GeodesicArea, LineString, MapCoords,
    MultiLineString, MultiPolygon, Orient, Point, Polygon, Rect, Validation, orient::Direction,
};
use geojson::JsonObject;
use serde_json::Value;

use super::{COUNTRIES_PATH, Feature, feature, multi_polygon_of, parse_features, round_coord};

/// ISO 3166-1 codes and names of the countries kept, in output order.
pub const COUNTRIES: [(&str, &str, &str); 6] = [
    ("UA", "UKR", "Ukraine"),
    ("PL", "POL", "Poland"),
    ("RO", "ROU", "Romania"),
    ("MD", "MDA", "Moldova"),
    ("BY", "BLR", "Belarus"),
    ("RU", "RUS", "Russia"),
];

/// Points that identify the Crimean peninsula: Simferopol and Sevastopol.
pub const CRIMEA_MARKERS: [(f64, f64); 2] = [(34.10, 44.95), (33.52, 44.60)];
/// Everything of Russia's drawn wholly inside this box is Crimean: it stops at
/// the Kerch Strait (36.65°E), west of the Taman peninsula, which belongs to
/// Russia's mainland polygon and so is never wholly inside.
const CRIMEA_BOX: [f64; 4] = [32.3, 44.2, 36.65, 46.4];

/// Kaliningrad city, and the box holding the oblast with its spits.
pub const KALININGRAD_MARKER: (f64, f64) = (20.51, 54.71);
const KALININGRAD_BOX: [f64; 4] = [19.3, 54.2, 22.95, 55.35];

#[derive(Debug)]
pub struct Borders {
    /// Output shapes by ISO alpha-2: Ukraine with Crimea, Russia without, every
    /// ring oriented by RFC 7946 (exterior counter-clockwise).
    shapes: BTreeMap<&'static str, MultiPolygon>,
    /// Natural Earth's shapes as read, by ISO alpha-2: their shared edges are
    /// vertex for vertex identical, which is how land borders are found.
    natural_earth: BTreeMap<&'static str, MultiPolygon>,
    #[cfg(test)]
    crimea: MultiPolygon,
    kaliningrad: MultiPolygon,
}

impl Borders {
    pub fn from_natural_earth(text: &str) -> Result<Borders> {
        let mut natural_earth = BTreeMap::new();
        for feature in parse_features(text, COUNTRIES_PATH)? {
            let iso_a3 = match &feature.id {
                Some(geojson::feature::Id::String(id)) => id.clone(),
                _ => continue,
            };
            let Some(&(iso_a2, _, _)) = COUNTRIES.iter().find(|(_, a3, _)| *a3 == iso_a3) else {
                continue;
            };
            // Natural Earth's rings are clockwise (d3's convention); geodesic
            // areas and RFC 7946 want them counter-clockwise.
            let shape = multi_polygon_of(&feature, COUNTRIES_PATH)?.orient(Direction::Default);
            natural_earth.insert(iso_a2, shape);
        }
        for (iso_a2, _, name) in COUNTRIES {
            if !natural_earth.contains_key(iso_a2) {
                bail!("{COUNTRIES_PATH}: no feature for {name} ({iso_a2})");
            }
        }
        let russia = split_at_antimeridian(&natural_earth["RU"]);
        let (crimea, russia) = take_polygons(russia, CRIMEA_MARKERS.as_slice(), CRIMEA_BOX)
            .context("finding the Crimean peninsula in Russia's multipolygon")?;
        let (kaliningrad, _) = take_polygons(
            MultiPolygon(russia.0.clone()),
            &[KALININGRAD_MARKER],
            KALININGRAD_BOX,
        )
        .context("finding Kaliningrad oblast in Russia's multipolygon")?;
        let ukraine = natural_earth["UA"].union(&crimea);
        // The peninsula meets Ukraine along shared vertices: the union must add
        // exactly Crimea's area, no sliver and no overlap.
        let added_km2 =
            (ukraine.geodesic_area_unsigned() - natural_earth["UA"].geodesic_area_unsigned()) / 1e6;
        let crimea_km2 = crimea.geodesic_area_unsigned() / 1e6;
        if (added_km2 - crimea_km2).abs() > 1.0 {
            bail!("uniting Crimea added {added_km2:.1} km² for a peninsula of {crimea_km2:.1} km²");
        }

        let mut shapes = BTreeMap::new();
        for (iso_a2, _, _) in COUNTRIES {
            let shape = match iso_a2 {
                "UA" => ukraine.clone(),
                "RU" => russia.clone(),
                _ => natural_earth[iso_a2].clone(),
            };
            shapes.insert(iso_a2, normalise(&shape));
        }
        for (iso_a2, shape) in &shapes {
            if let Err(error) = shape.check_validation() {
                bail!("{iso_a2}: the built border is invalid: {error}");
            }
        }
        Ok(Borders {
            shapes,
            natural_earth,
            #[cfg(test)]
            crimea,
            kaliningrad,
        })
    }

    /// A country's output shape (ISO alpha-2), RFC 7946 oriented.
    pub fn shape(&self, iso_a2: &str) -> &MultiPolygon {
        &self.shapes[iso_a2]
    }

    /// The Crimean polygon(s) moved from Russia to Ukraine.
    #[cfg(test)]
    pub fn crimea(&self) -> &MultiPolygon {
        &self.crimea
    }

    /// Kaliningrad oblast as drawn by Natural Earth.
    pub fn kaliningrad(&self) -> &MultiPolygon {
        &self.kaliningrad
    }

    /// The land border between two countries, as Natural Earth draws it: the
    /// edges of `a` that are also edges of `b`, chained into lines.
    pub fn shared_border(&self, a: &str, b: &str) -> MultiLineString {
        shared_edges(&self.natural_earth[a], &self.natural_earth[b])
    }

    pub fn features(&self) -> Vec<Feature> {
        COUNTRIES
            .iter()
            .map(|&(iso_a2, iso_a3, name)| {
                let mut properties = JsonObject::new();
                properties.insert("name".into(), Value::from(name));
                properties.insert("iso_a2".into(), Value::from(iso_a2));
                properties.insert("iso_a3".into(), Value::from(iso_a3));
                let geometry = geojson::Geometry::new((&self.shapes[iso_a2]).into());
                feature(iso_a2, geometry, properties)
            })
            .collect()
    }
}

/// Rounds to the output precision, drops repeated points and orients rings by
/// RFC 7946: what every shape goes through before it is written.
pub fn normalise(shape: &MultiPolygon) -> MultiPolygon {
    use geo::RemoveRepeatedPoints;
    shape
        .map_coords(round_coord)
        .remove_repeated_points()
        .orient(Direction::Default)
}

/// Splits polygons whose rings jump across the antimeridian (one vertex near
/// +180°, the next near -180°) into an eastern and a western part, so that the
/// shape means the same on a plane of longitude and latitude as on the globe.
fn split_at_antimeridian(shape: &MultiPolygon) -> MultiPolygon {
    let mut out = Vec::new();
    for polygon in &shape.0 {
        let crosses = polygon.exterior().0.iter().any(|c| c.x < -90.0)
            && polygon.exterior().0.iter().any(|c| c.x > 90.0);
        if !crosses {
            out.push(polygon.clone());
            continue;
        }
        let unwrapped = polygon.map_coords(|c| Coord {
            x: if c.x < 0.0 { c.x + 360.0 } else { c.x },
            y: c.y,
        });
        let east = Rect::new(
            Coord {
                x: -180.0,
                y: -90.0,
            },
            Coord { x: 180.0, y: 90.0 },
        );
        let west = Rect::new(Coord { x: 180.0, y: -90.0 }, Coord { x: 540.0, y: 90.0 });
        out.extend(unwrapped.intersection(&east.to_polygon()).0);
        let west_part = unwrapped.intersection(&west.to_polygon());
        out.extend(
            west_part
                .map_coords(|c| Coord {
                    x: c.x - 360.0,
                    y: c.y,
                })
                .0,
        );
    }
    MultiPolygon(out)
}

/// Takes out of `shape` the polygons containing any of `markers`, and those lying
/// wholly inside `bbox` ([west, south, east, north]); returns (taken, rest).
fn take_polygons(
    shape: MultiPolygon,
    markers: &[(f64, f64)],
    bbox: [f64; 4],
) -> Result<(MultiPolygon, MultiPolygon)> {
    let box_rect = Rect::new(
        Coord {
            x: bbox[0],
            y: bbox[1],
        },
        Coord {
            x: bbox[2],
            y: bbox[3],
        },
    );
    let (taken, rest): (Vec<Polygon>, Vec<Polygon>) = shape.0.into_iter().partition(|polygon| {
        let holds_marker = markers
            .iter()
            .any(|&(x, y)| polygon.contains(&Point::new(x, y)));
        let inside_box = polygon
            .bounding_rect()
            .is_some_and(|r| box_rect.contains(&r));
        holds_marker || inside_box
    });
    for &(x, y) in markers {
        if !taken
            .iter()
            .any(|polygon| polygon.contains(&Point::new(x, y)))
        {
            bail!("no polygon contains ({y}°N, {x}°E): has the input changed?");
        }
    }
    Ok((MultiPolygon(taken), MultiPolygon(rest)))
}

/// Edges are compared exactly: Natural Earth's countries come from one topology,
/// so a border shared by two countries is the same arc of the same vertices.
fn shared_edges(a: &MultiPolygon, b: &MultiPolygon) -> MultiLineString {
    let key = |c: &Coord| (c.x.to_bits(), c.y.to_bits());
    let mut edges_of_b = BTreeSet::new();
    for ring in rings(b) {
        for line in ring.lines() {
            let (p, q) = (key(&line.start), key(&line.end));
            edges_of_b.insert(if p <= q { (p, q) } else { (q, p) });
        }
    }
    let mut lines = Vec::new();
    for ring in rings(a) {
        let mut current: Vec<Coord> = Vec::new();
        let mut ring_lines = Vec::new();
        for line in ring.lines() {
            let (p, q) = (key(&line.start), key(&line.end));
            let shared = edges_of_b.contains(&if p <= q { (p, q) } else { (q, p) });
            if shared {
                if current.is_empty() {
                    current.push(line.start);
                }
                current.push(line.end);
            } else if !current.is_empty() {
                ring_lines.push(LineString(std::mem::take(&mut current)));
            }
        }
        if !current.is_empty() {
            // A run that reaches the ring's closing vertex continues into the
            // ring's first run: join them so the border is one line.
            let wraps = ring_lines.first().is_some_and(|first: &LineString| {
                first.0.first() == current.last() && ring.0.first() == first.0.first()
            });
            if wraps {
                let first = ring_lines.remove(0);
                current.extend(first.0.into_iter().skip(1));
            }
            ring_lines.push(LineString(current));
        }
        lines.extend(ring_lines);
    }
    MultiLineString(lines)
}

fn rings(shape: &MultiPolygon) -> impl Iterator<Item = &LineString> {
    shape
        .0
        .iter()
        .flat_map(|polygon| std::iter::once(polygon.exterior()).chain(polygon.interiors()))
}
