//! The compiled form is real: indicators' CEL predicates evaluate over incidents.

use std::collections::BTreeMap;

use model::incident::FieldValue;
use model::{Duration, Evidence, Incident, IncidentId, IncidentKind, Time};
use pact::DiskFiles;

use crate::data_dir;

fn incident(kind: IncidentKind, fields: &[(&str, FieldValue)], zones: &[&str]) -> Incident {
    Incident {
        id: IncidentId::new("i1"),
        kind,
        time: Time::parse_rfc3339("2026-02-01T01:00:00Z").unwrap(),
        position: None,
        zones: zones.iter().map(|z| (*z).to_owned()).collect(),
        infrastructure: None,
        origin: Some("RU".to_owned()),
        confidence: 0.9,
        fields: fields
            .iter()
            .map(|(k, v)| ((*k).to_owned(), v.clone()))
            .collect::<BTreeMap<_, _>>(),
        evidence: Evidence {
            items: Vec::new(),
            method: "test".to_owned(),
            confidence: 0.9,
            statement: String::new(),
            contradictions: Vec::new(),
        },
        time_to_attribution: Duration::from_mins(10),
    }
}

#[test]
fn an_indicator_admits_what_its_predicate_and_filters_say() {
    let checked = pact::check(&DiskFiles::new(data_dir().join("ok")), "small.toml").unwrap();
    let compiled = checked.compiled.unwrap();
    let indicator = compiled.indicator("state-drone-entry").unwrap();
    let drone = [
        ("state_originated", FieldValue::Bool(true)),
        ("class", FieldValue::Text("drone".to_owned())),
    ];
    let balloon = [
        ("state_originated", FieldValue::Bool(true)),
        ("class", FieldValue::Text("balloon".to_owned())),
    ];
    let entry = IncidentKind::AirspaceEntry;
    assert_eq!(
        indicator.admits(&incident(entry, &drone, &["ua-airspace"])),
        Ok(true)
    );
    assert_eq!(
        indicator.admits(&incident(entry, &balloon, &["ua-airspace"])),
        Ok(false)
    );
    // Outside the indicator's zones, of another kind, or attributed too weakly: not admitted.
    assert_eq!(
        indicator.admits(&incident(entry, &drone, &["elsewhere"])),
        Ok(false)
    );
    let drag = IncidentKind::AnchorDrag;
    assert_eq!(
        indicator.admits(&incident(drag, &drone, &["ua-airspace"])),
        Ok(false)
    );
    let mut weak = incident(entry, &drone, &["ua-airspace"]);
    weak.confidence = 0.5;
    assert_eq!(indicator.admits(&weak), Ok(false));
    // A field the predicate needs is missing: an evaluation error, not a silent `false`.
    let missing = incident(
        entry,
        &[("class", FieldValue::Text("drone".to_owned()))],
        &["ua-airspace"],
    );
    assert!(indicator.admits(&missing).is_err());
}

#[test]
fn predicates_read_every_incident_variable() {
    let p = pact::Predicate::compile(
        "kind == 'mass_incursion' && origin in ['RU', 'BY'] && confidence >= 0.8 \
         && 'pl-border-belt' in zones && fields.count >= 10 && fields.speed_mps < 60.5",
    )
    .unwrap();
    let fields = [
        ("count", FieldValue::Int(12)),
        ("speed_mps", FieldValue::Float(45.0)),
    ];
    let hit = incident(IncidentKind::MassIncursion, &fields, &["pl-border-belt"]);
    assert_eq!(p.matches(&hit), Ok(true));
    let few = [
        ("count", FieldValue::Int(3)),
        ("speed_mps", FieldValue::Float(45.0)),
    ];
    assert_eq!(
        p.matches(&incident(
            IncidentKind::MassIncursion,
            &few,
            &["pl-border-belt"]
        )),
        Ok(false)
    );
    assert_eq!(
        p.variables(),
        ["confidence", "fields", "kind", "origin", "zones"]
    );
}

#[test]
fn a_predicate_that_is_not_bool_is_an_error() {
    let p = pact::Predicate::compile("confidence + 1.0").unwrap();
    assert!(
        p.matches(&incident(IncidentKind::CyberAttack, &[], &[]))
            .is_err()
    );
}

#[test]
fn bad_predicates_point_at_their_fault() {
    let e = pact::Predicate::compile("a && && b").unwrap_err();
    assert_eq!(e.offset, 5, "{e:?}");
    let deep = "(".repeat(100) + "true" + &")".repeat(100);
    assert!(pact::Predicate::compile(&deep).is_err());
    assert!(pact::Predicate::compile(&"a".repeat(10_000)).is_err());
}
