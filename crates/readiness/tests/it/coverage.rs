//! A single radar's horizon against the closed form, and coverage areas by hand.

use geo::{MultiPolygon, polygon};
use readiness::coverage::{
    Area, BANDS_M, Coverage, Sensor, SensorKind, horizon_m, radar_horizon_m,
};

fn square() -> Vec<Area> {
    let p = polygon![(x: 24.0, y: 46.0), (x: 36.0, y: 46.0), (x: 36.0, y: 54.0), (x: 24.0, y: 54.0), (x: 24.0, y: 46.0)];
    vec![Area {
        id: "square".into(),
        area: MultiPolygon(vec![p]),
    }]
}

fn radar(antenna_m: f64, range_m: f64) -> Sensor {
    Sensor {
        id: "r".into(),
        kind: SensorKind::Radar,
        lat_deg: 50.0,
        lon_deg: 30.0,
        antenna_m,
        range_m,
        alt_max_m: f64::INFINITY,
    }
}

#[test]
fn horizon_matches_the_closed_form() {
    // d = sqrt(2·k·R·h), k = 4/3, R = 6,371,008.8 m, h = 100 m: sqrt(1,698,935,680) = 41,218.15 m.
    assert!(
        (horizon_m(100.0) - 41_218.15).abs() < 0.1,
        "{}",
        horizon_m(100.0)
    );
    // The rule of thumb d_km ≈ 4.12·sqrt(h_m).
    assert!((horizon_m(30.0) / 1000.0 - 4.12 * 30f64.sqrt()).abs() < 0.05);
    // Antenna at 30 m, target at 50 m: 22,576.1 + 29,145.4 m.
    assert!(
        (radar_horizon_m(30.0, 50.0) - 51_721.5).abs() < 1.0,
        "{}",
        radar_horizon_m(30.0, 50.0)
    );
}

#[test]
fn one_radar_covers_a_disc_of_its_reach_per_band() {
    let cov = Coverage::compute(&square(), &[radar(30.0, 100_000.0)], 1000.0).expect("coverage");
    let report = cov.report();
    for b in &report {
        let reach_km = radar_horizon_m(30.0, b.band_m).min(100_000.0) / 1000.0;
        let disc = std::f64::consts::PI * reach_km * reach_km;
        let err = (b.covered_km2 - disc).abs() / disc;
        assert!(
            err < 0.01,
            "band {}: {} km² vs {disc}",
            b.band_m,
            b.covered_km2
        );
        assert_eq!(b.gap_km2 + b.covered_km2, b.zone_km2);
    }
    // The square: 12° × 8° at 46–54°N: R²·Δλ·(sin 54° − sin 46°) = 762,355 km² on the sphere.
    let zone = report[0].zone_km2;
    assert!((zone - 762_355.0).abs() / 762_355.0 < 0.002, "{zone}");
}

#[test]
fn acoustic_nodes_hear_low_bands_only() {
    let node = Sensor {
        id: "a".into(),
        kind: SensorKind::Acoustic,
        lat_deg: 50.0,
        lon_deg: 30.0,
        antenna_m: 0.0,
        range_m: 10_000.0,
        alt_max_m: 1500.0,
    };
    let report = Coverage::compute(&square(), &[node], 500.0)
        .expect("coverage")
        .report();
    let disc = std::f64::consts::PI * 100.0;
    for b in &report {
        if b.band_m <= 1500.0 {
            assert!((b.covered_km2 - disc).abs() / disc < 0.03, "{b:?}");
        } else {
            assert_eq!(b.covered_km2, 0.0);
        }
    }
}

#[test]
fn greedy_placement_closes_the_gap_next_to_the_existing_radar() {
    let cov = Coverage::compute(&square(), &[radar(30.0, 100_000.0)], 2000.0).expect("coverage");
    let template = radar(10.0, 40_000.0);
    let placed = cov.place(&template, 2, 5);
    assert_eq!(placed.len(), 2);
    let reach_km = radar_horizon_m(10.0, BANDS_M[0]).min(40_000.0) / 1000.0;
    let disc = std::f64::consts::PI * reach_km * reach_km;
    for p in &placed {
        // Each lands where its whole disc is uncovered inside the square.
        assert!((p.gain_km2 - disc).abs() / disc < 0.05, "{p:?} vs {disc}");
        assert!((24.0..36.0).contains(&p.lon_deg) && (46.0..54.0).contains(&p.lat_deg));
    }
    assert_eq!(placed, cov.place(&template, 2, 5), "deterministic");
}

#[test]
fn bad_sensors_are_refused_by_name() {
    let mut r = radar(30.0, 100_000.0);
    r.lat_deg = f64::NAN;
    let err = Coverage::compute(&square(), &[r], 1000.0).expect_err("NaN latitude");
    assert!(err.to_string().contains("sensor `r`"), "{err}");
}
