//! Scoring against truth: hand-built truth and tracks with known breaks,
//! switches, false tracks and classes.

use fusion::score::{ScoreConfig, TruthRow, expected_class, parse_truth, score};
use model::{
    AltitudeBand, Duration, Geodetic, Identity, Time, Track, TrackClass, TrackId, VelocityEnu,
};

fn t0() -> Time {
    Time::parse_rfc3339("2025-09-09T18:00:00Z").unwrap()
}

fn at(k: i64) -> Time {
    t0() + Duration::from_secs(30 * k)
}

fn truth(k: i64, object: &str, class: &str, lat: f64, lon: f64, alt: f64) -> TruthRow {
    TruthRow {
        time: at(k),
        object: object.to_owned(),
        class: class.to_owned(),
        origin: String::new(),
        position: Geodetic::new(lat, lon, alt),
        velocity: VelocityEnu::default(),
    }
}

fn track(id: u64, time: Time, lat: f64, lon: f64, class: TrackClass, band: AltitudeBand) -> Track {
    Track {
        id: TrackId(id),
        time,
        position: Geodetic::new(lat, lon, 0.0),
        velocity: VelocityEnu::default(),
        position_sigma_m: 100.0,
        velocity_sigma_mps: 5.0,
        class,
        class_confidence: 0.5,
        band,
        identity: Identity::default(),
        cooperative: false,
        quality: 1.0,
        n_updates: 3,
        sensors: Vec::new(),
    }
}

fn config() -> ScoreConfig {
    ScoreConfig {
        cutoff_m: 5_000.0,
        stale_s: 20.0,
        every: 1,
    }
}

#[test]
fn a_break_a_switch_and_a_false_track() {
    // One object still at (50, 30) for 10 samples. Track 1 holds it for samples
    // 0-2, nobody for 3-4, track 1 again for 5-6 (a break, same identity), then
    // track 2 for 7-9 (a switch, no gap). Track 9 sits 100 km away throughout.
    let rows: Vec<TruthRow> = (0..10)
        .map(|k| truth(k, "shahed-1", "shahed", 50.0, 30.0, 200.0))
        .collect();
    let mut tracks = Vec::new();
    for k in 0..10 {
        let id = match k {
            0..=2 | 5..=6 => Some(1),
            7..=9 => Some(2),
            _ => None,
        };
        if let Some(id) = id {
            // 500 m north, 5 s before the sample: within the cut-off and fresh.
            let time = at(k) - Duration::from_secs(5);
            tracks.push(track(
                id,
                time,
                50.0045,
                30.0,
                TrackClass::Drone,
                AltitudeBand::Low,
            ));
        }
        tracks.push(track(
            9,
            at(k),
            50.9,
            30.0,
            TrackClass::Unknown,
            AltitudeBand::Low,
        ));
    }
    let r = score(&rows, &tracks, &config());
    assert_eq!(r.samples, 10);
    let o = &r.by_object["shahed-1"].1;
    assert_eq!((o.samples, o.covered), (10, 8));
    assert_eq!(o.breaks, 1, "{o:?}");
    assert_eq!(o.switches, 1, "{o:?}");
    assert_eq!(o.tracks, 2);
    assert_eq!(r.tracks_total, 3);
    assert_eq!(r.false_tracks, 1);
    assert!((r.all.coverage() - 0.8).abs() < 1e-12);
    // GOSPA p = 1, c = 5 km: 8 samples of ~500 m + a false track (2.5 km) each,
    // 2 samples of a miss and a false track (5 km).
    let expect = (8.0 * (500.0 + 2_500.0) + 2.0 * 5_000.0) / 10.0;
    assert!((r.gospa_mean - expect).abs() < 10.0, "{}", r.gospa_mean);
    assert!((r.missed_mean - 0.2).abs() < 1e-9);
    assert!((r.false_mean - 1.0).abs() < 1e-9);
    // Every matched sample: a drone in the low band (truth at 200 m).
    assert_eq!(r.confusion[&("shahed".to_owned(), TrackClass::Drone)], 8);
    assert_eq!((o.class_right, o.band_right), (8, 8));
}

#[test]
fn two_tracks_that_swap_objects_count_a_switch_each() {
    // Objects A and B 20 km apart; tracks 1 and 2 swap them at sample 5.
    let mut rows = Vec::new();
    let mut tracks = Vec::new();
    for k in 0..10 {
        rows.push(truth(k, "a", "cruise_missile", 50.0, 30.0, 50.0));
        rows.push(truth(k, "b", "airliner", 50.18, 30.0, 10_000.0));
        let (ta, tb) = if k < 5 { (1, 2) } else { (2, 1) };
        let cm = TrackClass::CruiseMissile;
        let ma = TrackClass::MannedAircraft;
        tracks.push(track(ta, at(k), 50.0, 30.001, cm, AltitudeBand::Low));
        tracks.push(track(tb, at(k), 50.18, 30.001, ma, AltitudeBand::Medium));
    }
    let r = score(&rows, &tracks, &config());
    for obj in ["a", "b"] {
        let o = &r.by_object[obj].1;
        assert_eq!(
            (o.covered, o.breaks, o.switches, o.tracks),
            (10, 0, 1, 2),
            "{obj}"
        );
    }
    assert_eq!(r.false_tracks, 0);
    assert_eq!(r.by_class["cruise_missile"].class_right, 10);
    // The airliner at 10 km is in the high band; the track said medium.
    assert_eq!(r.by_class["airliner"].band_right, 0);
    assert!((r.all.tracks_per_object() - 2.0).abs() < 1e-12);
}

#[test]
fn stale_and_distant_tracks_do_not_cover() {
    let rows: Vec<TruthRow> = (0..4)
        .map(|k| truth(k, "v", "tanker", 59.5, 24.0, 0.0))
        .collect();
    // One state 25 s before sample 1 (stale by then at 20 s), one 6 km off at
    // sample 3 (beyond the 5 km cut-off).
    let tracks = vec![
        track(
            1,
            at(1) - Duration::from_secs(25),
            59.5,
            24.0,
            TrackClass::Vessel,
            AltitudeBand::Surface,
        ),
        track(
            2,
            at(3),
            59.554,
            24.0,
            TrackClass::Vessel,
            AltitudeBand::Surface,
        ),
    ];
    let r = score(&rows, &tracks, &config());
    let o = &r.by_object["v"].1;
    // Track 1 appears after sample 0 and is stale by sample 1.
    assert_eq!(o.covered, 0, "{o:?}");
    assert_eq!(o.never_covered, 1);
    assert_eq!(r.false_tracks, 1);
    assert_eq!(r.tracks_seen, 1);
}

#[test]
fn truth_parsing_names_bad_lines() {
    let text = "time,object_id,class,origin,lat_deg,lon_deg,alt_m,ve_mps,vn_mps,vu_mps\n\
        2025-09-09T18:00:00Z,shahed-1,shahed,RU,50.0,30.0,200.0,1.0,2.0,0.0\n\
        2025-09-09T18:00:00Z,shahed-2,shahed,RU,NaN,30.0,200.0,1.0,2.0,0.0\n\
        yesterday,shahed-3,shahed,RU,50.0,30.0,200.0,1.0,2.0,0.0\n\
        2025-09-09T18:00:00Z,shahed-4,shahed\n";
    let (rows, errors) = parse_truth(text);
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].object, "shahed-1");
    assert_eq!(rows[0].velocity.vn_mps, 2.0);
    let lines: Vec<usize> = errors.iter().map(|e| e.line).collect();
    assert_eq!(lines, [3, 4, 5]);
    assert!(
        errors[0]
            .to_string()
            .starts_with("truth.csv: line 3: expected time,")
    );
}

#[test]
fn every_catalogue_class_has_an_expected_track_class() {
    for (truth_class, expect) in [
        ("shahed", TrackClass::Drone),
        ("gerbera", TrackClass::Drone),
        ("jet_drone", TrackClass::JetDrone),
        ("cruise_missile", TrackClass::CruiseMissile),
        ("ballistic_missile", TrackClass::BallisticMissile),
        ("manned_aircraft", TrackClass::MannedAircraft),
        ("airliner", TrackClass::MannedAircraft),
        ("merchant", TrackClass::Vessel),
        ("tanker", TrackClass::Vessel),
        ("fishing", TrackClass::Vessel),
        ("patrol", TrackClass::Vessel),
    ] {
        assert_eq!(expected_class(truth_class), Some(expect), "{truth_class}");
    }
    assert_eq!(expected_class("balloon"), None);
}
