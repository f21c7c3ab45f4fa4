//! Classification: kinematics and identity in, class and confidence out, as a table.

use fusion::classify::{Kinematics, classify};
use model::{Identity, TrackClass};

fn check(speed_mps: f64, height_m: Option<f64>, reported_type: Option<&str>, expect: TrackClass) {
    let k = Kinematics {
        speed_mps,
        height_m,
        climb_mps: 0.0,
    };
    let identity = Identity {
        reported_type: reported_type.map(Into::into),
        ..Identity::default()
    };
    let (class, confidence) = classify(&k, &identity);
    assert_eq!(
        class, expect,
        "{speed_mps} m/s at {height_m:?} ({reported_type:?})"
    );
    assert!((0.0..=1.0).contains(&confidence));
}

#[test]
fn classes_from_kinematics_and_identity() {
    // 2-D radar tracks (no height): by speed alone.
    check(5.0, None, None, TrackClass::Unknown);
    check(45.0, None, None, TrackClass::Drone); // Shahed, 160 km/h
    check(38.0, None, None, TrackClass::Drone); // Gerbera, 135 km/h
    check(150.0, None, None, TrackClass::JetDrone); // Geran-3
    check(250.0, None, None, TrackClass::CruiseMissile); // Kh-101
    // With a height: a slow low silent flyer is a drone, not a helicopter.
    check(33.0, Some(1_000.0), None, TrackClass::Drone);
    check(45.0, Some(3_500.0), None, TrackClass::Drone);
    check(250.0, Some(60.0), None, TrackClass::CruiseMissile);
    check(220.0, Some(10_000.0), None, TrackClass::MannedAircraft);
    // Identity first: a CoT rotary wing, a CoT surface contact.
    check(
        33.0,
        Some(1_000.0),
        Some("a-h-A-M-H"),
        TrackClass::Helicopter,
    );
    check(6.0, Some(0.0), Some("a-u-S"), TrackClass::Vessel);
    check(6.0, None, Some("a-u-S"), TrackClass::Vessel);
}

fn class_of(
    speed_mps: f64,
    height_m: Option<f64>,
    climb_mps: f64,
    identity: &Identity,
) -> TrackClass {
    let k = Kinematics {
        speed_mps,
        height_m,
        climb_mps,
    };
    classify(&k, identity).0
}

/// Each class from kinematics alone, over the envelope `sim`'s catalogue gives it
/// (speeds and heights at both ends and the middle), with and without a height.
#[test]
fn every_class_across_its_envelope() {
    let none = Identity::default();
    let kmh = |v: f64| v / 3.6;
    // (class, speeds km/h, heights m)
    let envelopes: [(TrackClass, [f64; 3], [f64; 3]); 5] = [
        // Shahed 150-190 km/h at up to 4 km; Gerbera 120-160 km/h at 1-3 km.
        (
            TrackClass::Drone,
            [120.0, 160.0, 190.0],
            [150.0, 2_000.0, 4_000.0],
        ),
        // Geran-3 jet drone 500-600 km/h at 3-9 km.
        (
            TrackClass::JetDrone,
            [500.0, 550.0, 600.0],
            [3_000.0, 6_000.0, 9_000.0],
        ),
        // Kh-101 850-950 km/h at 30-100 m.
        (
            TrackClass::CruiseMissile,
            [850.0, 900.0, 950.0],
            [30.0, 60.0, 100.0],
        ),
        // A fast jet or an airliner without a transponder, 780-950 km/h at 8-12 km.
        (
            TrackClass::MannedAircraft,
            [780.0, 850.0, 950.0],
            [8_000.0, 10_000.0, 12_000.0],
        ),
        // A ballistic missile at 7,500 km/h, whatever its height.
        (
            TrackClass::BallisticMissile,
            [7_500.0, 9_000.0, 12_000.0],
            [0.0, 40_000.0, 100_000.0],
        ),
    ];
    for (expect, speeds, heights) in envelopes {
        for v in speeds {
            for h in heights {
                assert_eq!(
                    class_of(kmh(v), Some(h), 0.0, &none),
                    expect,
                    "{v} km/h at {h} m"
                );
            }
        }
    }
    // Without a height (2-D radars) the speed alone decides; a fast flyer is
    // taken for the worse case, a cruise missile.
    for (v, expect) in [
        (120.0, TrackClass::Drone),
        (190.0, TrackClass::Drone),
        (500.0, TrackClass::JetDrone),
        (600.0, TrackClass::JetDrone),
        (850.0, TrackClass::CruiseMissile),
        (950.0, TrackClass::CruiseMissile),
        (7_500.0, TrackClass::BallisticMissile),
        (20.0, TrackClass::Unknown),
    ] {
        assert_eq!(class_of(kmh(v), None, 0.0, &none), expect, "{v} km/h, 2-D");
    }
    // A steep climb or dive is ballistic whatever the speed.
    assert_eq!(
        class_of(400.0, Some(20_000.0), -800.0, &none),
        TrackClass::BallisticMissile
    );
    // A slow contact on the surface is a vessel; one hovering aloft is a drone.
    assert_eq!(class_of(6.0, Some(0.0), 0.0, &none), TrackClass::Vessel);
    assert_eq!(class_of(6.0, Some(500.0), 0.0, &none), TrackClass::Drone);
}

#[test]
fn identity_outranks_kinematics() {
    // An MMSI is a vessel even at an aircraft's speed (a bad fix).
    let ship = Identity {
        mmsi: Some(273_000_001),
        ..Identity::default()
    };
    assert_eq!(class_of(250.0, Some(60.0), 0.0, &ship), TrackClass::Vessel);
    // An ICAO address is a manned aircraft even at a drone's speed and height.
    let plane = Identity {
        icao24: Some(0x48A001),
        ..Identity::default()
    };
    assert_eq!(
        class_of(45.0, Some(2_000.0), 0.0, &plane),
        TrackClass::MannedAircraft
    );
    // ADS-B emitter category A7 is a rotorcraft, even without an ICAO address rule first.
    let heli = Identity {
        icao24: Some(0x48A002),
        reported_type: Some("A7".into()),
        ..Identity::default()
    };
    assert_eq!(
        class_of(60.0, Some(500.0), 0.0, &heli),
        TrackClass::Helicopter
    );
    // A CoT hostile UAV type is a drone whatever the speed.
    let uav = Identity {
        reported_type: Some("a-h-A-M-F-Q".into()),
        ..Identity::default()
    };
    assert_eq!(class_of(150.0, Some(6_000.0), 0.0, &uav), TrackClass::Drone);
}

#[test]
fn altitude_bands() {
    use fusion::classify::band;
    use model::AltitudeBand;
    assert_eq!(
        band(TrackClass::CruiseMissile, Some(60.0)),
        AltitudeBand::Low
    );
    assert_eq!(band(TrackClass::Drone, Some(299.0)), AltitudeBand::Low);
    assert_eq!(band(TrackClass::Drone, Some(300.0)), AltitudeBand::Medium);
    assert_eq!(
        band(TrackClass::JetDrone, Some(2_999.0)),
        AltitudeBand::Medium
    );
    assert_eq!(
        band(TrackClass::MannedAircraft, Some(3_000.0)),
        AltitudeBand::High
    );
    assert_eq!(
        band(TrackClass::Vessel, Some(5_000.0)),
        AltitudeBand::Surface
    );
    // A 2-D air track is put in the low band.
    assert_eq!(band(TrackClass::Drone, None), AltitudeBand::Low);
}

/// A track's class over its updates: one wild speed estimate (a Gerbera's
/// track given 230 m/s at 1.5 km for an update, the instant's rules' manned
/// aircraft) does not change it; a sustained change does, within a few updates.
#[test]
fn a_tracks_class_follows_its_updates_not_one_wild_estimate() {
    use fusion::classify::{ClassVotes, by_kinematics};
    let at = |speed_mps: f64| Kinematics {
        speed_mps,
        height_m: Some(1_500.0),
        climb_mps: 0.0,
    };
    assert_eq!(by_kinematics(&at(230.0)).0, TrackClass::MannedAircraft);
    let mut votes = ClassVotes::default();
    let mut vote = |k: Kinematics| {
        let (class, confidence) = by_kinematics(&k);
        votes.vote(class, confidence)
    };
    for _ in 0..6 {
        vote(at(40.0));
    }
    let (class, confidence) = vote(at(40.0));
    assert_eq!(class, TrackClass::Drone);
    assert!((confidence - 0.6).abs() < 1e-6, "all agree: {confidence}");
    let (class, confidence) = vote(at(230.0));
    assert_eq!(class, TrackClass::Drone, "one wild update");
    assert!(
        confidence < 0.55,
        "the disagreement lowers it: {confidence}"
    );
    assert_eq!(vote(at(40.0)).0, TrackClass::Drone);
    // A sustained change of envelope (240 m/s at 9.8 km, a jet's) changes the
    // class after a few updates, not on the first.
    let high = |speed_mps: f64| Kinematics {
        height_m: Some(9_800.0),
        ..at(speed_mps)
    };
    let mut changed = None;
    for n in 1..=10 {
        if vote(high(240.0)).0 == TrackClass::MannedAircraft {
            changed = Some(n);
            break;
        }
    }
    assert!(
        matches!(changed, Some(2..=4)),
        "changed after {changed:?} updates"
    );
}
