//! A hull seen only through a patrol boat's CoT contacts: positions to ~100 m,
//! one a minute, and a filter velocity that wanders by knots. Its loiter over a
//! cable and its slow steady drag across it are still raised (speed and course
//! are measured over ground, not read from the filter), the drag at the crossing.

use attribution::{Config, Input};
use model::incident::FieldValue;
use model::{
    AltitudeBand, Geodetic, Identity, IncidentKind, Time, Track, TrackClass, TrackId, VelocityEnu,
};

const T0: i64 = 1_735_088_400; // 2024-12-25T01:00:00Z

/// A deterministic noise in [-1, 1) (a linear congruential generator).
struct Noise(u64);

impl Noise {
    fn next(&mut self) -> f64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        ((self.0 >> 11) as f64 / (1u64 << 53) as f64) * 2.0 - 1.0
    }
}

/// One update a minute at `t` seconds: the true position moved by `ve`, `vn`
/// from `at`, seen to ±100 m, with a filter velocity off by up to ±2 m/s.
fn contact(noise: &mut Noise, t: i64, at: Geodetic, ve: f64, vn: f64) -> Track {
    let position = attribution::geography::offset(&at, 100.0 * noise.next(), 100.0 * noise.next());
    Track {
        id: TrackId(7),
        time: Time::from_unix_us((T0 + t) * 1_000_000),
        position,
        velocity: VelocityEnu {
            ve_mps: ve + 2.0 * noise.next(),
            vn_mps: vn + 2.0 * noise.next(),
            vu_mps: 0.0,
        },
        position_sigma_m: 100.0,
        velocity_sigma_mps: 2.0,
        class: TrackClass::Vessel,
        class_confidence: 0.9,
        band: AltitudeBand::Surface,
        identity: Identity {
            cot_uid: Some("fi-bg-uisko.contact-1".into()),
            reported_type: Some("a-u-S".into()),
            ..Identity::default()
        },
        cooperative: false,
        quality: 0.8,
        n_updates: 10,
        sensors: vec![model::SensorId::new("cot-how-m-r")],
    }
}

#[test]
fn a_cot_only_hull_loiters_over_a_cable_then_drags_across_it() {
    // On Estlink 2 (pacts/data/infrastructure.geojson), in the Gulf of Finland.
    let on_cable = Geodetic::new(60.075, 25.95, 0.0);
    let mut noise = Noise(20241225);
    let mut tracks = Vec::new();
    // Two hours still on the cable.
    for t in (0..7200).step_by(60) {
        tracks.push(contact(&mut noise, t, on_cable, 0.0, 0.0));
    }
    // Then 6 km east of it, west at 5 kn across it and 5 km on.
    let v = 5.0 * 1852.0 / 3600.0;
    let start = attribution::geography::offset(&on_cable, 6_000.0, 0.0);
    let t_start = 9000;
    let t_cross = t_start + (6_000.0 / v) as i64;
    for t in (t_start..t_start + (11_000.0 / v) as i64).step_by(60) {
        let at = attribution::geography::offset(&start, -v * (t - t_start) as f64, 0.0);
        tracks.push(contact(&mut noise, t, at, -v, 0.0));
    }
    let out = attribution::attribute(
        Config::default(),
        crate::geography(),
        tracks.into_iter().map(Input::Track),
    );
    let of = |k: IncidentKind| {
        out.incidents
            .iter()
            .filter(|i| i.kind == k && i.infrastructure.as_deref() == Some("estlink-2"))
            .collect::<Vec<_>>()
    };
    let loiter = of(IncidentKind::VesselLoitering);
    assert_eq!(loiter.len(), 1, "{:#?}", out.incidents);
    let drag = of(IncidentKind::AnchorDrag);
    assert_eq!(drag.len(), 1, "{:#?}", out.incidents);
    let crossing = Time::from_unix_us((T0 + t_cross) * 1_000_000);
    assert!(
        drag[0].time.seconds_since(crossing).abs() < 120.0,
        "drag at {}, crossing at {crossing}",
        drag[0].time
    );
    let Some(FieldValue::Float(length)) = drag[0].fields.get("length_m") else {
        panic!("no length_m: {:?}", drag[0].fields);
    };
    // Dragged from 6 km east of the line (the pacts' indicator reads `length_m >= 1000`).
    assert!((4_500.0..7_500.0).contains(length), "{length}");
    match drag[0].fields.get("speed_kn") {
        Some(FieldValue::Float(kn)) => assert!((4.0..6.0).contains(kn), "{kn}"),
        other => panic!("{other:?}"),
    }
}

/// A vessel transmitting AIS along `legs` (`[lat, lon]`, knots), one update a
/// minute from `T0`; the last leg's speed is held to its end.
fn sailing(id: u64, mmsi: u32, start: [f64; 2], legs: &[([f64; 2], f64)]) -> Vec<Track> {
    let mut out = Vec::new();
    let (mut at, mut t) = (start, 0.0);
    for &(to, kn) in legs {
        let here = Geodetic::new(at[0], at[1], 0.0);
        let length = here.surface_distance_m(&Geodetic::new(to[0], to[1], 0.0));
        let v = kn * 1852.0 / 3600.0;
        let duration = length / v;
        let (dn, de) = (
            (to[0] - at[0]) * 111_320.0 / duration,
            (to[1] - at[1]) * 111_320.0 * at[0].to_radians().cos() / duration,
        );
        let mut s = 0.0;
        while s < duration {
            let f = s / duration;
            out.push(Track {
                id: TrackId(id),
                time: Time::from_unix_us((T0 * 1_000_000) + ((t + s) * 1e6) as i64),
                position: Geodetic::new(
                    at[0] + f * (to[0] - at[0]),
                    at[1] + f * (to[1] - at[1]),
                    0.0,
                ),
                velocity: VelocityEnu {
                    ve_mps: de,
                    vn_mps: dn,
                    vu_mps: 0.0,
                },
                position_sigma_m: 30.0,
                velocity_sigma_mps: 0.5,
                class: TrackClass::Vessel,
                class_confidence: 0.95,
                band: AltitudeBand::Surface,
                identity: Identity {
                    mmsi: Some(mmsi),
                    ..Identity::default()
                },
                cooperative: true,
                quality: 0.9,
                n_updates: 10,
                sensors: vec![model::SensorId::new("ais")],
            });
            s += 60.0;
        }
        (at, t) = (to, t + duration);
    }
    out
}

/// Where a dragging vessel came from: the coast its track begins at when it
/// begins at one (Eagle S out of Ust-Luga: Russia, under the Cook Islands'
/// flag); its flag's state when its track begins at sea, far from any coast
/// (NewNew Polar Bear, first seen in the open Baltic: Hong Kong).
#[test]
fn a_vessels_origin_is_its_departure_coast_or_else_its_flag() {
    // West along 59.72° N from off Russia's coast, slowing to 5 kn before Estlink 2.
    let eagle = sailing(
        21,
        518_998_000,
        [59.72, 28.0],
        &[([59.72, 26.75], 12.0), ([59.72, 26.4], 5.0)],
    );
    // Mid-Baltic, 300 km from any state of the borders file: across C-Lion1 at 5 kn.
    let bear = sailing(
        22,
        477_000_123,
        [58.1, 20.5],
        &[([58.1, 20.25], 12.0), ([58.1, 19.8], 5.0)],
    );
    let mut tracks: Vec<Track> = eagle.into_iter().chain(bear).collect();
    tracks.sort_by_key(|t| t.time);
    let out = attribution::attribute(
        Config::default(),
        crate::geography(),
        tracks.into_iter().map(Input::Track),
    );
    let drag = |site: &str| {
        out.incidents
            .iter()
            .find(|i| {
                i.kind == IncidentKind::AnchorDrag && i.infrastructure.as_deref() == Some(site)
            })
            .unwrap_or_else(|| panic!("no drag across {site}: {:#?}", out.incidents))
    };
    let flag = |i: &model::Incident| match i.fields.get("flag") {
        Some(FieldValue::Text(f)) => f.clone(),
        other => panic!("{other:?}"),
    };
    let eagle = drag("estlink-2");
    assert_eq!(eagle.origin.as_deref(), Some("RU"));
    assert_eq!(flag(eagle), "CK");
    let bear = drag("c-lion1");
    assert_eq!(bear.origin.as_deref(), Some("HK"));
    assert_eq!(flag(bear), "HK");
}
