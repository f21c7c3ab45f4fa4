//! Bad input is shown, never a panic: tracks with gaps and no identity,
//! non-finite positions, updates going back in time, contradictory STIX.

use attribution::{Config, Input, Report};
use feeds::stix::read_objects;
use model::{
    AltitudeBand, Geodetic, Identity, IncidentKind, Time, Track, TrackClass, TrackId, VelocityEnu,
};

fn track(id: u64, t: i64, lat: f64, lon: f64, ve: f64) -> Track {
    Track {
        id: TrackId(id),
        time: Time::from_unix_us(1_757_000_000_000_000 + t * 1_000_000),
        position: Geodetic::new(lat, lon, 500.0),
        velocity: VelocityEnu {
            ve_mps: ve,
            vn_mps: 0.0,
            vu_mps: 0.0,
        },
        position_sigma_m: 50.0,
        velocity_sigma_mps: 2.0,
        class: TrackClass::Drone,
        class_confidence: 0.9,
        band: AltitudeBand::Medium,
        identity: Identity::default(),
        cooperative: false,
        quality: 0.9,
        n_updates: 10,
        sensors: vec![model::SensorId::new("radar-1")],
    }
}

#[test]
fn a_gap_and_no_identity_lower_confidence_and_are_named() {
    // West from Russia (Kursk region) into Ukraine (Sumy region), with a 5-minute
    // gap before the crossing.
    let mut inputs = Vec::new();
    for k in (0..40).chain(70..120) {
        inputs.push(Input::Track(track(
            1,
            k * 10,
            51.5,
            35.0 - 0.015 * k as f64,
            -50.0,
        )));
    }
    let out = attribution::attribute(Config::default(), crate::geography(), inputs);
    let entry = out
        .incidents
        .iter()
        .find(|i| i.kind == IncidentKind::AirspaceEntry);
    let entry = entry.unwrap_or_else(|| panic!("an entry: {:#?}", out.incidents));
    assert!(
        entry
            .evidence
            .contradictions
            .iter()
            .any(|c| c.contains("gap")),
        "{:#?}",
        entry.evidence
    );
    assert!(entry.confidence < 0.9);
    assert!(
        entry
            .evidence
            .items
            .iter()
            .any(|i| matches!(i, model::EvidenceItem::Derived { name, .. } if name == "identity"))
    );
    assert_eq!(out.stats.track_gaps, 1);
}

#[test]
fn non_finite_and_backwards_updates_are_counted() {
    let mut bad = track(2, 10, f64::NAN, 30.0, 0.0);
    bad.velocity.ve_mps = f64::INFINITY;
    let inputs = vec![
        Input::Track(track(2, 20, 50.0, 30.0, 10.0)),
        Input::Track(bad),
        Input::Track(track(2, 5, 50.0, 30.0, 10.0)),
        Input::Track(track(3, 0, 91.0, 30.0, 10.0)),
        Input::Report(Report::Fault {
            operator: "nobody".into(),
            time: Time::from_unix_us(0),
            infrastructure: Some("no-such-site".into()),
            position: None,
            text: "??".into(),
        }),
    ];
    let out = attribution::attribute(Config::default(), crate::geography(), inputs);
    assert_eq!(out.stats.bad_updates, 2);
    assert_eq!(out.stats.stale_updates, 1);
    assert!(
        out.diagnostics
            .iter()
            .any(|d| d.message.contains("names no registered infrastructure")),
        "{:?}",
        out.diagnostics
    );
    assert!(out.incidents.is_empty());
}

const CONTRADICTORY: &str = r#"{"type":"bundle","id":"bundle--6e2b7c2b-2c3c-4a0e-9f1a-0d1c2b3a4f5e","objects":[
 {"type":"infrastructure","spec_version":"2.1","id":"infrastructure--1b6f1c7e-8d2a-4b8e-9c3d-2e1f0a9b8c7d","created":"2025-11-20T01:00:00Z","modified":"2025-11-20T01:00:00Z","name":"trypilska-tpp"},
 {"type":"incident","spec_version":"2.1","id":"incident--2c7a2d8f-9e3b-4c9f-8d4e-3f2a1b0c9d8e","created":"2025-11-20T01:12:00Z","modified":"2025-11-20T01:12:00Z","name":"Wiper","labels":["destructive"]},
 {"type":"threat-actor","spec_version":"2.1","id":"threat-actor--3d8b3e9a-af4c-4daf-9e5f-4a3b2c1d0e9f","created":"2025-11-20T01:12:00Z","modified":"2025-11-20T01:12:00Z","name":"Sandworm"},
 {"type":"threat-actor","spec_version":"2.1","id":"threat-actor--4e9c4fab-b05d-4eb0-af60-5b4c3d2e1f0a","created":"2025-11-20T01:12:00Z","modified":"2025-11-20T01:12:00Z","name":"Someone else"},
 {"type":"relationship","spec_version":"2.1","id":"relationship--5fad50bc-c16e-4fc1-8071-6c5d4e3f2a1b","created":"2025-11-20T01:12:00Z","modified":"2025-11-20T01:12:00Z","relationship_type":"targets","source_ref":"incident--2c7a2d8f-9e3b-4c9f-8d4e-3f2a1b0c9d8e","target_ref":"infrastructure--1b6f1c7e-8d2a-4b8e-9c3d-2e1f0a9b8c7d"},
 {"type":"relationship","spec_version":"2.1","id":"relationship--60be61cd-d27f-4ad2-9182-7d6e5f4a3b2c","created":"2025-11-20T01:12:00Z","modified":"2025-11-20T01:12:00Z","relationship_type":"attributed-to","confidence":80,"source_ref":"incident--2c7a2d8f-9e3b-4c9f-8d4e-3f2a1b0c9d8e","target_ref":"threat-actor--3d8b3e9a-af4c-4daf-9e5f-4a3b2c1d0e9f"},
 {"type":"relationship","spec_version":"2.1","id":"relationship--71cf72de-e380-4be3-a293-8e7f6a5b4c3d","created":"2025-11-20T01:12:00Z","modified":"2025-11-20T01:12:00Z","relationship_type":"attributed-to","confidence":60,"source_ref":"incident--2c7a2d8f-9e3b-4c9f-8d4e-3f2a1b0c9d8e","target_ref":"threat-actor--4e9c4fab-b05d-4eb0-af60-5b4c3d2e1f0a"}
]}"#;

#[test]
fn contradictory_stix_lowers_confidence_and_names_both() {
    let (objects, _, errors) = read_objects(CONTRADICTORY.as_bytes());
    assert!(errors.is_empty(), "{errors:?}");
    let inputs = objects.into_iter().map(|o| Input::Stix(Box::new(o)));
    let out = attribution::attribute(Config::default(), crate::geography(), inputs);
    let [cyber] = out.incidents.as_slice() else {
        panic!("one incident: {:#?}", out.incidents)
    };
    assert_eq!(cyber.kind, IncidentKind::CyberAttack);
    assert_eq!(cyber.infrastructure.as_deref(), Some("trypilska-tpp"));
    assert!(cyber.confidence < 0.8, "{}", cyber.confidence);
    let c = cyber.evidence.contradictions.join(" ");
    assert!(c.contains("Sandworm") && c.contains("Someone else"), "{c}");
}
