//! `cargo xtask zones`: builds the real geography under `pacts/data/` (borders,
//! zones, the critical-infrastructure register) from the public-domain Natural
//! Earth inputs in `data/natural-earth/`, deterministically.
//!
//! The build is a pure function of the two input files ([`build`]); [`run`] only
//! reads them and writes what changed. A test checks that the committed files
//! are byte for byte what [`build`] produces, so the data cannot drift from the
//! code that documents how it was made.
//!
//! Distances are metres on the WGS84 ellipsoid: belts and buffers are computed
//! in an azimuthal equidistant projection centred on the feature they measure
//! from ([`project::Aeqd`]), whose scale error within 400 km of its centre is
//! under 0.07%, and checked afterwards with geodesic distances.

mod borders;
mod infrastructure;
mod project;
mod shapes;
#[cfg(test)]
mod tests;

use std::path::Path;

use anyhow::{Context, Result, bail};
use geo::{Coord, MultiPolygon, Orient, Polygon, orient::Direction};
use geojson::{Feature, GeoJson, JsonObject};
use serde_json::Value;

pub use borders::Borders;

/// Where the inputs live, relative to the workspace root.
pub const COUNTRIES_PATH: &str = "data/natural-earth/countries_ua_region_50m.geojson";
pub const SEAS_PATH: &str = "data/natural-earth/seas_black_baltic_derived_50m.geojson";

/// One file the build produces: its path relative to the workspace root and its text.
#[derive(Debug)]
pub struct Output {
    pub path: String,
    pub text: String,
    /// What the file holds, in figures (vertices, geodesic areas), for the log.
    pub summary: String,
}

/// Reads the inputs under `root`, builds every output and writes those whose
/// text changed.
pub fn run(root: &Path) -> Result<()> {
    let outputs = build_from_root(root)?;
    for output in &outputs {
        let path = root.join(&output.path);
        if std::fs::read_to_string(&path).is_ok_and(|old| old == output.text) {
            eprintln!(
                "xtask zones: unchanged {} ({})",
                output.path, output.summary
            );
            continue;
        }
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("creating {}", parent.display()))?;
        }
        std::fs::write(&path, &output.text)
            .with_context(|| format!("writing {}", path.display()))?;
        eprintln!("xtask zones: wrote {} ({})", output.path, output.summary);
    }
    Ok(())
}

/// Reads the two inputs under `root` and builds every output.
pub fn build_from_root(root: &Path) -> Result<Vec<Output>> {
    let read = |relative: &str| {
        std::fs::read_to_string(root.join(relative))
            .with_context(|| format!("reading {relative} (run from the workspace)"))
    };
    build(&read(COUNTRIES_PATH)?, &read(SEAS_PATH)?)
}

/// Builds every output from the texts of the two inputs. Pure and deterministic.
pub fn build(countries_json: &str, seas_json: &str) -> Result<Vec<Output>> {
    build_with(&Borders::from_natural_earth(countries_json)?, seas_json)
}

/// Builds every output from borders already built and the seas' text.
pub fn build_with(borders: &Borders, seas_json: &str) -> Result<Vec<Output>> {
    let seas = Seas::from_geojson(seas_json)?;
    let border_summary: Vec<String> = borders::COUNTRIES
        .iter()
        .map(|(iso_a2, _, _)| format!("{iso_a2} {}", figures(borders.shape(iso_a2))))
        .collect();
    let mut outputs = vec![Output {
        path: "pacts/data/borders.geojson".to_string(),
        text: feature_collection(&borders.features()),
        summary: border_summary.join("; "),
    }];
    for zone in shapes::zones(borders, &seas)? {
        outputs.push(Output {
            path: format!("pacts/data/zones/{}.geojson", zone.id),
            text: feature_text(&zone.feature()) + "\n",
            summary: figures(&zone.shape),
        });
    }
    outputs.push(Output {
        path: "pacts/data/infrastructure.geojson".to_string(),
        text: feature_collection(&infrastructure::features()),
        summary: format!("{} sites", infrastructure::SITES.len()),
    });
    Ok(outputs)
}

/// Vertex count and geodesic area of a shape, for the log.
fn figures(shape: &MultiPolygon) -> String {
    use geo::{CoordsIter, GeodesicArea};
    let area_km2 = shape.geodesic_area_unsigned() / 1e6;
    format!("{} vertices, {area_km2:.0} km²", shape.coords_count())
}

/// The two water bodies of the derived seas file.
#[derive(Debug)]
pub struct Seas {
    pub black_sea: MultiPolygon,
    pub baltic_sea: MultiPolygon,
}

impl Seas {
    fn from_geojson(text: &str) -> Result<Seas> {
        let mut black_sea = None;
        let mut baltic_sea = None;
        for feature in parse_features(text, SEAS_PATH)? {
            let name = string_property(&feature, "name").unwrap_or_default();
            let shape = multi_polygon_of(&feature, SEAS_PATH)?.orient(Direction::Default);
            if name.starts_with("Black Sea") {
                black_sea = Some(shape);
            } else if name.starts_with("Baltic Sea") {
                baltic_sea = Some(shape);
            }
        }
        match (black_sea, baltic_sea) {
            (Some(black_sea), Some(baltic_sea)) => Ok(Seas {
                black_sea,
                baltic_sea,
            }),
            _ => bail!("{SEAS_PATH}: expected features named `Black Sea…` and `Baltic Sea…`"),
        }
    }
}

fn parse_features(text: &str, name: &str) -> Result<Vec<Feature>> {
    let geojson: GeoJson = text
        .parse()
        .with_context(|| format!("{name}: not GeoJSON"))?;
    match geojson {
        GeoJson::FeatureCollection(collection) => Ok(collection.features),
        _ => bail!("{name}: expected a FeatureCollection"),
    }
}

fn string_property(feature: &Feature, key: &str) -> Option<String> {
    feature
        .property(key)
        .and_then(Value::as_str)
        .map(str::to_string)
}

/// The feature's geometry as a multipolygon (a polygon becomes a multipolygon of one).
fn multi_polygon_of(feature: &Feature, name: &str) -> Result<MultiPolygon> {
    let geometry = feature
        .geometry
        .as_ref()
        .with_context(|| format!("{name}: a feature has no geometry"))?;
    if let Ok(polygon) = Polygon::<f64>::try_from(geometry) {
        return Ok(MultiPolygon(vec![polygon]));
    }
    MultiPolygon::<f64>::try_from(geometry)
        .with_context(|| format!("{name}: expected a Polygon or MultiPolygon geometry"))
}

/// Output coordinates are rounded to 1e-6° (about 0.1 m): finer than the data's
/// accuracy, coarse enough that the files are stable and readable.
pub const DECIMALS_SCALE: f64 = 1e6;

pub fn round_coord(c: Coord) -> Coord {
    Coord {
        x: (c.x * DECIMALS_SCALE).round() / DECIMALS_SCALE,
        y: (c.y * DECIMALS_SCALE).round() / DECIMALS_SCALE,
    }
}

/// A feature with a string id and the given properties.
fn feature(id: &str, geometry: geojson::Geometry, properties: JsonObject) -> Feature {
    Feature {
        bbox: None,
        geometry: Some(geometry),
        id: Some(geojson::feature::Id::String(id.to_string())),
        properties: Some(properties),
        foreign_members: None,
    }
}

fn feature_text(feature: &Feature) -> String {
    // Properties are written with their keys sorted at every level, and serde_json's
    // float printing is exact shortest round-trip, so the text is a deterministic function
    // of the values. The sort is explicit because a whole-workspace build turns on
    // serde_json's `preserve_order` (cedar-policy asks for it), which would otherwise keep
    // insertion order and make the bytes depend on which crates are being built.
    let mut feature = feature.clone();
    if let Some(properties) = feature.properties.as_mut() {
        sort_keys(properties);
    }
    serde_json::to_string(&feature).expect("a Feature always serialises")
}

fn sort_keys(map: &mut JsonObject) {
    map.sort_keys();
    for value in map.values_mut() {
        sort_value_keys(value);
    }
}

fn sort_value_keys(value: &mut Value) {
    match value {
        Value::Object(map) => sort_keys(map),
        Value::Array(items) => items.iter_mut().for_each(sort_value_keys),
        _ => {}
    }
}

/// A FeatureCollection with one feature per line, so that diffs stay readable.
fn feature_collection(features: &[Feature]) -> String {
    let mut text = String::from("{\"type\":\"FeatureCollection\",\"features\":[\n");
    for (idx, feature) in features.iter().enumerate() {
        text.push_str(&feature_text(feature));
        text.push_str(if idx + 1 == features.len() {
            "\n"
        } else {
            ",\n"
        });
    }
    text.push_str("]}\n");
    text
}
