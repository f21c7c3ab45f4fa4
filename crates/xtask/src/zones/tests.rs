//! Tests of the geography build. They read the outputs back as a consumer
//! would (GeoJSON text to geo shapes), so what is checked is what is committed.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use geo::{
    BooleanOps, Contains, Coord, Densify, Distance, Geodesic, GeodesicArea, Haversine, Intersects,
    Length, LineString, MultiLineString, MultiPolygon, Point, Validation, Winding,
};
use geojson::{Feature, GeoJson};
use serde_json::Value;

use super::borders::Borders;
use super::infrastructure::{KINDS, SITES};
use super::shapes::{
    BELT_WIDTH_M, DEPOT_RADIUS_M, ENGAGEMENT_STANDOFF_M, PL_BY_NOGO_WIDTH_M, geodesic_circle,
};
use super::{COUNTRIES_PATH, Output, SEAS_PATH, build_from_root, build_with, multi_polygon_of};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .nth(2)
        .expect("crates/xtask")
        .to_path_buf()
}

/// The build runs once per test binary: it takes a few seconds unoptimised.
fn built() -> Option<&'static BTreeMap<String, String>> {
    static BUILT: OnceLock<Option<BTreeMap<String, String>>> = OnceLock::new();
    BUILT
        .get_or_init(|| {
            if !root().join(COUNTRIES_PATH).exists() {
                return None;
            }
            let seas = std::fs::read_to_string(root().join(SEAS_PATH)).expect("input present");
            let outputs = build_with(borders(), &seas).expect("the build succeeds on the inputs");
            Some(
                outputs
                    .into_iter()
                    .map(|Output { path, text, .. }| (path, text))
                    .collect(),
            )
        })
        .as_ref()
}

fn borders() -> &'static Borders {
    static BORDERS: OnceLock<Borders> = OnceLock::new();
    BORDERS.get_or_init(|| {
        let text = std::fs::read_to_string(root().join(COUNTRIES_PATH)).expect("input present");
        Borders::from_natural_earth(&text).expect("borders build")
    })
}

/// Runs `check` on the built outputs, or says why it is skipped.
fn with_outputs(check: impl FnOnce(&BTreeMap<String, String>)) {
    match built() {
        Some(outputs) => check(outputs),
        None => eprintln!("skipped: {COUNTRIES_PATH} is absent"),
    }
}

fn features(text: &str) -> Vec<Feature> {
    match text.parse::<GeoJson>().expect("valid GeoJSON") {
        GeoJson::FeatureCollection(collection) => collection.features,
        GeoJson::Feature(feature) => vec![feature],
        GeoJson::Geometry(_) => panic!("expected features"),
    }
}

fn feature_id(feature: &Feature) -> String {
    match &feature.id {
        Some(geojson::feature::Id::String(id)) => id.clone(),
        other => panic!("feature without a string id: {other:?}"),
    }
}

/// The countries of `borders.geojson`, parsed once: the file is large.
fn country(outputs: &BTreeMap<String, String>, iso_a2: &str) -> MultiPolygon {
    static COUNTRIES: OnceLock<BTreeMap<String, MultiPolygon>> = OnceLock::new();
    let countries = COUNTRIES.get_or_init(|| {
        features(&outputs["pacts/data/borders.geojson"])
            .into_iter()
            .map(|feature| {
                let shape = multi_polygon_of(&feature, "borders").expect("polygonal");
                (feature_id(&feature), shape)
            })
            .collect()
    });
    countries
        .get(iso_a2)
        .unwrap_or_else(|| panic!("no border feature {iso_a2}"))
        .clone()
}

fn zone(outputs: &BTreeMap<String, String>, id: &str) -> MultiPolygon {
    let path = format!("pacts/data/zones/{id}.geojson");
    let feature = features(&outputs[&path]).pop().expect("one feature");
    assert_eq!(feature.property("id").and_then(Value::as_str), Some(id));
    multi_polygon_of(&feature, &path).expect("polygonal")
}

fn point(lon: f64, lat: f64) -> Point {
    Point::new(lon, lat)
}

fn km2(shape: &MultiPolygon) -> f64 {
    shape.geodesic_area_unsigned() / 1e6
}

#[test]
fn committed_files_are_what_the_build_produces() {
    with_outputs(|outputs| {
        for (path, text) in outputs {
            let committed = std::fs::read_to_string(root().join(path)).unwrap_or_default();
            assert!(
                committed == *text,
                "{path} differs from the build: run `cargo xtask zones`"
            );
        }
        let zone_files: BTreeSet<String> = std::fs::read_dir(root().join("pacts/data/zones"))
            .expect("pacts/data/zones exists")
            .map(|entry| {
                format!(
                    "pacts/data/zones/{}",
                    entry.unwrap().file_name().to_string_lossy()
                )
            })
            .collect();
        let built: BTreeSet<String> = outputs
            .keys()
            .filter(|path| path.starts_with("pacts/data/zones/"))
            .cloned()
            .collect();
        assert_eq!(zone_files, built, "stale or missing zone files");
    });
}

#[test]
fn the_build_is_deterministic() {
    with_outputs(|outputs| {
        let again = build_from_root(&root()).expect("the build succeeds");
        for Output { path, text, .. } in again {
            assert!(outputs[&path] == text, "{path} differs between two builds");
        }
    });
}

#[test]
fn crimea_is_ukraine_not_russia() {
    with_outputs(|outputs| {
        let (ua, ru) = (country(outputs, "UA"), country(outputs, "RU"));
        for (name, lon, lat) in [
            ("Simferopol", 34.10, 44.95),
            ("Sevastopol", 33.52, 44.60),
            ("Kerch", 36.47, 45.36),
        ] {
            assert!(ua.contains(&point(lon, lat)), "{name} is in Ukraine");
            assert!(!ru.contains(&point(lon, lat)), "{name} is not in Russia");
        }
        // The Taman peninsula across the Kerch Strait stays Russian.
        assert!(ru.contains(&point(37.0, 45.2)));
        assert!(!ua.contains(&point(37.0, 45.2)));
        assert!(
            ua.contains(&point(34.8, 46.5)),
            "Henichesk district, north of the Arabat Spit"
        );
    });
}

#[test]
fn places_fall_where_they_are() {
    with_outputs(|outputs| {
        let inside =
            |shape: &MultiPolygon, (lon, lat): (f64, f64)| shape.contains(&point(lon, lat));
        let (lviv, kyiv, rzeszow, warsaw, wyryki) = (
            (24.03, 49.84),
            (30.52, 50.45),
            (22.00, 50.04),
            (21.01, 52.23),
            (23.0003, 51.5631),
        );
        let (suceava, bucharest, chisinau, minsk) = (
            (26.26, 47.65),
            (26.10, 44.43),
            (28.86, 47.01),
            (27.56, 53.90),
        );
        let (kaliningrad, rovaniemi) = ((20.51, 54.71), (25.73, 66.50));
        assert!(inside(&country(outputs, "UA"), lviv) && inside(&country(outputs, "UA"), kyiv));
        assert!(inside(&zone(outputs, "ua-airspace"), lviv));
        assert!(
            inside(&country(outputs, "PL"), warsaw) && inside(&country(outputs, "PL"), rzeszow)
        );
        assert!(
            inside(&country(outputs, "RO"), suceava) && inside(&country(outputs, "MD"), chisinau)
        );
        assert!(
            inside(&country(outputs, "BY"), minsk) && inside(&country(outputs, "RU"), kaliningrad)
        );
        assert!(
            !inside(&country(outputs, "RU"), rovaniemi),
            "Russia is split at the antimeridian"
        );
        let pl_belt = zone(outputs, "pl-border-belt");
        assert!(inside(&pl_belt, rzeszow) && inside(&pl_belt, wyryki));
        assert!(!inside(&pl_belt, warsaw) && !inside(&pl_belt, lviv));
        assert!(inside(&zone(outputs, "pl-engagement-east"), rzeszow));
        let ro_belt = zone(outputs, "ro-border-belt");
        assert!(
            inside(&ro_belt, suceava) && !inside(&ro_belt, bucharest) && !inside(&ro_belt, lviv)
        );
        assert!(inside(&zone(outputs, "ro-engagement-north"), suceava));
        assert!(inside(&zone(outputs, "kaliningrad-nogo"), kaliningrad));
        assert!(inside(&zone(outputs, "rzeszow-depot"), (22.0192, 50.1097)));
        assert!(inside(&zone(outputs, "suceava-depot"), (26.3541, 47.6875)));
        let black_sea_nw = zone(outputs, "black-sea-nw");
        assert!(inside(&black_sea_nw, (30.9, 46.3)), "off Odesa");
        assert!(inside(&black_sea_nw, (29.2, 44.2)), "off Constanța");
        assert!(
            !inside(&black_sea_nw, (36.5, 46.0)),
            "the Sea of Azov is left out"
        );
        assert!(
            !inside(&black_sea_nw, (31.0, 42.5)),
            "the open sea to the south is left out"
        );
        let baltic = zone(outputs, "baltic-sea");
        assert!(inside(&baltic, (19.0, 56.0)) && inside(&baltic, (25.0, 59.8)));
        assert!(!inside(&baltic, (19.0, 52.0)));
    });
}

#[test]
fn every_geometry_is_valid_and_rfc7946_oriented() {
    with_outputs(|outputs| {
        let mut shapes: Vec<(String, MultiPolygon)> = ["UA", "PL", "RO", "MD", "BY", "RU"]
            .iter()
            .map(|iso| (format!("borders {iso}"), country(outputs, iso)))
            .collect();
        for path in outputs
            .keys()
            .filter(|path| path.starts_with("pacts/data/zones/"))
        {
            let id = path
                .trim_start_matches("pacts/data/zones/")
                .trim_end_matches(".geojson");
            shapes.push((id.to_string(), zone(outputs, id)));
        }
        for (name, shape) in &shapes {
            if let Err(error) = shape.check_validation() {
                panic!("{name} is invalid: {error}");
            }
            for polygon in &shape.0 {
                assert!(
                    polygon.exterior().is_ccw(),
                    "{name}: exterior ring is not counter-clockwise"
                );
                assert!(
                    polygon.interiors().iter().all(LineString::is_cw),
                    "{name}: a hole is not clockwise"
                );
            }
        }
    });
}

#[test]
fn areas_are_plausible() {
    with_outputs(|outputs| {
        let ua = km2(&country(outputs, "UA"));
        assert!(
            (ua - 603_550.0).abs() < 0.03 * 603_550.0,
            "Ukraine with Crimea: {ua:.0} km²"
        );
        let crimea = km2(borders().crimea());
        assert!(
            (24_000.0..29_000.0).contains(&crimea),
            "Crimea: {crimea:.0} km²"
        );
        let pl = km2(&country(outputs, "PL"));
        assert!(
            (pl - 312_696.0).abs() < 0.02 * 312_696.0,
            "Poland: {pl:.0} km²"
        );
        let ro = km2(&country(outputs, "RO"));
        assert!(
            (ro - 238_397.0).abs() < 0.03 * 238_397.0,
            "Romania: {ro:.0} km²"
        );
        let depot_km2 = std::f64::consts::PI * (DEPOT_RADIUS_M / 1000.0).powi(2);
        for id in ["rzeszow-depot", "suceava-depot"] {
            let area = km2(&zone(outputs, id));
            assert!(
                (area - depot_km2).abs() < 0.01 * depot_km2,
                "{id}: {area:.1} km²"
            );
        }
        // A belt is roughly its border's length times its width, less what the
        // border's bends fold over; an engagement zone a little less.
        for (belt, engagement, lines) in [
            ("pl-border-belt", "pl-engagement-east", ["UA", "BY"]),
            ("ro-border-belt", "ro-engagement-north", ["UA", "MD"]),
        ] {
            let iso = if belt.starts_with("pl") { "PL" } else { "RO" };
            let length_km: f64 = lines
                .iter()
                .map(|other| Geodesic.length(&borders().shared_border(iso, other)) / 1000.0)
                .sum();
            let (belt_km2, engagement_km2) =
                (km2(&zone(outputs, belt)), km2(&zone(outputs, engagement)));
            let strip_km2 = length_km * BELT_WIDTH_M / 1000.0;
            assert!(
                (0.6 * strip_km2..1.1 * strip_km2).contains(&belt_km2),
                "{belt}: {belt_km2:.0} km² for {length_km:.0} km of border"
            );
            assert!(
                engagement_km2 < belt_km2 && engagement_km2 > 0.8 * belt_km2,
                "{engagement}"
            );
        }
    });
}

/// Geodesic distance in metres from `p` to the nearest point of `lines`
/// (densified every 500 m: the error is under 1 m at 5 km and more).
fn distance_to_lines_m(p: Point, dense: &[Point]) -> f64 {
    // Haversine is off by at most 0.5%: it only picks the candidates.
    let nearest = dense
        .iter()
        .map(|q| Haversine.distance(p, *q))
        .fold(f64::INFINITY, f64::min);
    dense
        .iter()
        .filter(|q| Haversine.distance(p, **q) <= nearest * 1.01 + 1_000.0)
        .map(|q| Geodesic.distance(p, *q))
        .fold(f64::INFINITY, f64::min)
}

fn dense_points(lines: &MultiLineString) -> Vec<Point> {
    Haversine
        .densify(lines, 500.0)
        .0
        .iter()
        .flat_map(|line| line.points())
        .collect()
}

fn vertices(shape: &MultiPolygon) -> Vec<Point> {
    shape
        .0
        .iter()
        .flat_map(|polygon| polygon.exterior().points())
        .collect()
}

#[test]
fn belts_are_measured_in_metres_from_the_border() {
    with_outputs(|outputs| {
        for (belt, iso, others) in [
            ("pl-border-belt", "PL", ["UA", "BY"]),
            ("ro-border-belt", "RO", ["UA", "MD"]),
        ] {
            let lines = MultiLineString(
                others
                    .iter()
                    .flat_map(|other| borders().shared_border(iso, other).0)
                    .collect(),
            );
            let dense = dense_points(&lines);
            let shape = zone(outputs, belt);
            let distances: Vec<f64> = vertices(&shape)
                .into_iter()
                .map(|p| distance_to_lines_m(p, &dense))
                .collect();
            let farthest = distances.iter().copied().fold(0.0, f64::max);
            let on_edge = distances
                .iter()
                .filter(|d| **d > BELT_WIDTH_M - 200.0)
                .count();
            assert!(
                farthest < BELT_WIDTH_M + 150.0,
                "{belt}: a vertex {farthest:.0} m from the border"
            );
            assert!(
                on_edge >= 20,
                "{belt}: only {on_edge} vertices on the 100 km line"
            );
            // Conversely, the country's own vertices within the width are in the belt.
            for p in vertices(&country(outputs, iso)) {
                // Within a rounding error of the belt's edge counts.
                let near = geodesic_circle(p.x(), p.y(), 1.0);
                if distance_to_lines_m(p, &dense) < BELT_WIDTH_M - 500.0 {
                    assert!(near.intersects(&shape), "{belt} misses {p:?}");
                }
            }
        }
    });
}

#[test]
fn engagement_zones_keep_their_standoff_and_stay_out_of_no_go_areas() {
    with_outputs(|outputs| {
        let pl_lines = MultiLineString(
            ["UA", "BY"]
                .iter()
                .flat_map(|other| borders().shared_border("PL", other).0)
                .collect(),
        );
        let ro_lines = MultiLineString(
            ["UA", "MD"]
                .iter()
                .flat_map(|other| borders().shared_border("RO", other).0)
                .collect(),
        );
        for (id, lines) in [
            ("pl-engagement-east", &pl_lines),
            ("ro-engagement-north", &ro_lines),
        ] {
            let dense = dense_points(lines);
            let nearest = vertices(&zone(outputs, id))
                .into_iter()
                .map(|p| distance_to_lines_m(p, &dense))
                .fold(f64::INFINITY, f64::min);
            assert!(
                nearest > ENGAGEMENT_STANDOFF_M - 150.0,
                "{id}: a vertex {nearest:.0} m from the border"
            );
        }
        let engagement = zone(outputs, "pl-engagement-east");
        for nogo in ["pl-by-border-nogo", "kaliningrad-nogo"] {
            let touches = engagement.intersects(&zone(outputs, nogo));
            assert!(!touches, "pl-engagement-east touches {nogo}");
        }
        let outside_belt = engagement.difference(&zone(outputs, "pl-border-belt"));
        assert!(
            km2(&outside_belt) < 0.01,
            "the engagement zone lies within the belt"
        );
        let nogo_dense = dense_points(&borders().shared_border("PL", "BY"));
        let widest = vertices(&zone(outputs, "pl-by-border-nogo"))
            .into_iter()
            .map(|p| distance_to_lines_m(p, &nogo_dense))
            .fold(0.0, f64::max);
        assert!(
            widest < PL_BY_NOGO_WIDTH_M + 100.0,
            "pl-by-border-nogo: {widest:.0} m wide"
        );
    });
}

#[test]
fn infrastructure_is_complete_and_well_formed() {
    with_outputs(|outputs| {
        let register = features(&outputs["pacts/data/infrastructure.geojson"]);
        let mut ids = BTreeSet::new();
        let mut kinds = BTreeSet::new();
        for feature in &register {
            let id = feature_id(feature);
            let text = |key: &str| {
                feature
                    .property(key)
                    .and_then(Value::as_str)
                    .unwrap_or_default()
            };
            assert!(ids.insert(id.clone()), "duplicate id {id}");
            assert_eq!(text("id"), id);
            let kebab = id.split('-').all(|part| {
                !part.is_empty()
                    && part
                        .chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
            });
            assert!(kebab, "{id} is not kebab-case");
            assert!(
                KINDS.contains(&text("kind")),
                "{id}: unknown kind {}",
                text("kind")
            );
            kinds.insert(text("kind").to_string());
            let owner = text("owner");
            assert!(
                owner.len() == 2 && owner.chars().all(|c| c.is_ascii_uppercase()),
                "{id}: owner {owner}"
            );
            let buffer_m = feature
                .property("buffer_m")
                .and_then(Value::as_u64)
                .unwrap_or(0);
            assert!(buffer_m > 0, "{id}: buffer_m must be positive");
            assert!(
                !text("name").is_empty() && !text("source").is_empty(),
                "{id}: name and source"
            );
        }
        assert_eq!(
            kinds.len(),
            KINDS.len(),
            "every kind is represented: {kinds:?}"
        );
        for required in [
            "estlink-2",
            "balticconnector",
            "c-lion1",
            "bcs-east-west-interlink",
        ] {
            assert!(ids.contains(required), "{required} is in the register");
        }
        for required in [
            "copenhagen-airport",
            "rzeszow-jasionka-airport",
            "odesa-port",
            "constanta-port",
        ] {
            assert!(ids.contains(required), "{required} is in the register");
        }
    });
}

#[test]
fn cable_and_pipeline_routes_match_their_published_lengths() {
    // Lengths from ../shared/facts/incidents.json; a route of a few vertices
    // through the landing points comes within these margins of the real one.
    for (id, length_km, margin) in [
        ("balticconnector", 77.0, 0.25),
        ("estlink-2", 170.0, 0.25),
        ("bcs-east-west-interlink", 218.0, 0.2),
        ("c-lion1", 1_173.0, 0.15),
    ] {
        let site = SITES.iter().find(|site| site.id == id).expect("listed");
        let line = LineString::from(
            site.coords
                .iter()
                .map(|&(x, y)| Coord { x, y })
                .collect::<Vec<_>>(),
        );
        let km = Geodesic.length(&line) / 1000.0;
        assert!(
            (km - length_km).abs() < margin * length_km,
            "{id}: {km:.0} km, published {length_km}"
        );
    }
}

#[test]
fn sites_of_the_six_countries_touch_their_owner() {
    with_outputs(|outputs| {
        for site in SITES
            .iter()
            .filter(|site| ["UA", "PL", "RO", "MD", "BY"].contains(&site.owner))
        {
            let territory = country(outputs, site.owner);
            let &(lon, lat) = site.coords.first().expect("a coordinate");
            // A port on the 1:50m coastline may sit just off it: the protection
            // buffer must still reach the owner's land.
            let circle = geodesic_circle(lon, lat, f64::from(site.buffer_m()));
            assert!(
                circle.intersects(&territory),
                "{} is not in {}",
                site.id,
                site.owner
            );
        }
    });
}

#[test]
fn coordinates_taken_from_the_facts_match_them() {
    let path = root().join("../shared/facts/incidents.json");
    let Ok(text) = std::fs::read_to_string(&path) else {
        eprintln!("skipped: {} is absent", path.display());
        return;
    };
    let incidents: Vec<Value> = serde_json::from_str(&text).expect("incidents.json is JSON");
    let mut checked = 0;
    for site in SITES
        .iter()
        .filter(|site| site.source.starts_with("facts:"))
    {
        let incident = incidents
            .iter()
            .find(|incident| {
                site.incidents
                    .first()
                    .is_some_and(|id| incident["id"] == *id)
            })
            .unwrap_or_else(|| panic!("{}: its incident is in the facts", site.id));
        let (lon, lat) = (
            incident["location"]["lon"].as_f64(),
            incident["location"]["lat"].as_f64(),
        );
        assert_eq!(
            (lon, lat),
            (Some(site.coords[0].0), Some(site.coords[0].1)),
            "{}",
            site.id
        );
        checked += 1;
    }
    assert!(
        checked >= 3,
        "the airports of the incidents come from the facts"
    );
}

/// An independent reader: python `geojson` 3.3.0 (PEERS.md), installed by
/// `cargo xtask peers` into `$GUARANTOR_PEERS/peers`.
#[test]
fn the_python_geojson_peer_accepts_every_file() {
    let peers = std::env::var_os("GUARANTOR_PEERS")
        .map_or_else(|| root().join("target/peers"), PathBuf::from);
    let python = peers.join("peers/bin/python");
    if !python.exists() {
        eprintln!(
            "skipped: {} is absent (run `cargo xtask peers`)",
            python.display()
        );
        return;
    }
    with_outputs(|outputs| {
        let script = "import geojson, json, sys\n\
            bad = []\n\
            for path in sys.argv[1:]:\n\
            \x20   obj = geojson.loads(open(path).read())\n\
            \x20   if not obj.is_valid:\n\
            \x20       bad.append([path, str(obj.errors())])\n\
            print(json.dumps(bad))\n";
        let output = std::process::Command::new(&python)
            .arg("-c")
            .arg(script)
            .args(outputs.keys().map(|path| root().join(path)))
            .output()
            .expect("the peer runs");
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        assert_eq!(String::from_utf8_lossy(&output.stdout).trim(), "[]");
    });
}

#[test]
fn bad_inputs_are_errors_that_name_the_file() {
    let seas = r#"{"type":"FeatureCollection","features":[]}"#;
    for (countries, expected) in [
        ("not json", "not GeoJSON"),
        (
            r#"{"type":"Point","coordinates":[0,0]}"#,
            "expected a FeatureCollection",
        ),
        (
            r#"{"type":"FeatureCollection","features":[]}"#,
            "no feature for Ukraine",
        ),
    ] {
        let error = super::build(countries, seas).expect_err("bad input is an error");
        let text = format!("{error:#}");
        assert!(
            text.contains(COUNTRIES_PATH) && text.contains(expected),
            "{text}"
        );
    }
}
