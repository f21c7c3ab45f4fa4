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
        reported_type: reported_type.map(str::to_owned),
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
