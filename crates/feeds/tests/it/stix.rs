//! STIX 2.1: the OASIS samples, the resolver, bad objects, and the OASIS
//! validator and `stix2` library as peers of our reader and writer.

use std::path::{Path, PathBuf};

use feeds::stix::{
    self, Basis, Common, Incident, Infrastructure, Kind, Relationship, StixObject, ThreatActor,
};
use feeds::{Place, decode_all};
use model::Time;

use super::cot::{peer_python, run_python};

fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/stix")
        .join(name)
}

const SAMPLES: [(&str, usize); 4] = [
    ("oasis_apt1.json", 76),
    ("oasis_incident_sample_infrastructure.json", 10),
    ("oasis_indicator-for-c2-ip-address.json", 1),
    ("oasis_infrastructure.json", 10),
];

#[test]
fn every_sample_decodes() {
    for (name, n_objects) in SAMPLES {
        let (objects, notes, errors) = stix::read_objects(&std::fs::read(data(name)).unwrap());
        assert!(errors.is_empty(), "{name}: {errors:?}");
        assert_eq!(objects.len(), n_objects, "{name}");
        let expected_notes = usize::from(name.contains("incident_sample")) * 2;
        assert_eq!(notes.len(), expected_notes, "{name}: {notes:?}");
    }
}

#[test]
fn bare_array_and_duplicate_id_are_notes() {
    let (objects, notes, _) = stix::read_objects(
        &std::fs::read(data("oasis_incident_sample_infrastructure.json")).unwrap(),
    );
    assert!(notes[0].message.contains("bare JSON array"));
    assert_eq!(notes[0].place, Place::Line { line: 1, byte: 0 });
    assert!(
        notes[1]
            .message
            .contains("duplicate id `relationship--fd3aa181-2ad6-4822-821d-b7e4dd42c19d`")
    );
    let incident = objects
        .iter()
        .find(|o| o.common.object_type == "incident")
        .unwrap();
    assert_eq!(
        incident.name(),
        Some("Sample Destruction with Unknown Recovery")
    );
    let extension =
        &incident.common.extensions["extension-definition--ef765651-680c-498d-9894-99799f2fa126"];
    assert_eq!(extension["determination"], "confirmed");
    assert!(
        matches!(objects[0].kind, Kind::Other(_)),
        "the extension definition is kept whole"
    );
}

#[test]
fn resolver_on_the_incident_core_sample() {
    let (objects, _, _) = stix::read_objects(
        &std::fs::read(data("oasis_incident_sample_infrastructure.json")).unwrap(),
    );
    let reports = stix::resolve(&objects);
    assert_eq!(reports.len(), 1);
    let r = &reports[0];
    let infra: Vec<_> = r
        .infrastructure
        .iter()
        .map(|a| a.name.as_deref().unwrap())
        .collect();
    assert_eq!(
        infra,
        ["Electronic Health Record System", "Enterprise Chat App"]
    );
    assert_eq!(r.attributions.len(), 1);
    assert_eq!(r.attributions[0].actor.name.as_deref(), Some("Evil Org"));
    assert_eq!(r.attributions[0].confidence, None);
    assert!(!r.contradictory);
    assert_eq!(
        r.to_string(),
        "incident Sample Destruction with Unknown Recovery (incident--2242662b-d581-4864-8696-fff719dc0500) \
         on infrastructure Electronic Health Record System (infrastructure--3f515010-494d-4bd2-94be-12f285e1f19e) \
         and Enterprise Chat App (infrastructure--d17635b3-0165-43f6-9409-34e11df070be), \
         attributed to Evil Org (threat-actor--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f) with no stated confidence"
    );
}

fn common(object_type: &str, seed: &str, confidence: Option<u8>) -> Common {
    let t = Time::parse_rfc3339("2025-09-10T01:30:00Z").unwrap();
    Common {
        object_type: object_type.to_owned(),
        id: stix::deterministic_id(object_type, seed),
        spec_version: Some("2.1".to_owned()),
        created: Some(t),
        modified: Some(t),
        created_by_ref: None,
        revoked: None,
        confidence,
        labels: Vec::new(),
        external_references: Vec::new(),
        object_marking_refs: Vec::new(),
        extensions: Default::default(),
    }
}

fn relationship(
    kind: &str,
    from: &StixObject,
    to: &StixObject,
    confidence: Option<u8>,
) -> StixObject {
    StixObject {
        common: common(
            "relationship",
            &format!("{kind}{}{}", from.id(), to.id()),
            confidence,
        ),
        kind: Kind::Relationship(Relationship {
            relationship_type: kind.to_owned(),
            source_ref: from.id().to_owned(),
            target_ref: to.id().to_owned(),
            description: None,
        }),
    }
}

/// An incident on a grid substation attributed to an intrusion set (80) that
/// is attributed to a threat actor (60), and to a second, unrelated actor.
fn grid_scenario() -> Vec<StixObject> {
    let incident = StixObject {
        common: common("incident", "grid-1", None),
        kind: Kind::Incident(Incident {
            name: "Substation SCADA wiper".into(),
            description: None,
        }),
    };
    let substation = StixObject {
        common: common("infrastructure", "sub-1", None),
        kind: Kind::Infrastructure(Infrastructure {
            name: "Substation Rzeszów-1".into(),
            infrastructure_types: vec!["unknown".into()],
            ..Default::default()
        }),
    };
    let intrusion_set = StixObject {
        common: common("intrusion-set", "sandworm", None),
        kind: Kind::IntrusionSet(feeds::stix::IntrusionSet {
            name: "Sandworm Team".into(),
            ..Default::default()
        }),
    };
    let actor = |seed: &str, name: &str| StixObject {
        common: common("threat-actor", seed, Some(70)),
        kind: Kind::ThreatActor(ThreatActor {
            name: name.into(),
            ..Default::default()
        }),
    };
    let gru = actor("gru", "GRU Unit 74455");
    let other = actor("other", "Unrelated Crew");
    vec![
        relationship("targets", &incident, &substation, None),
        relationship("attributed-to", &incident, &intrusion_set, Some(80)),
        relationship("attributed-to", &intrusion_set, &gru, Some(60)),
        relationship("attributed-to", &incident, &other, None),
        incident,
        substation,
        intrusion_set,
        gru,
        other,
    ]
}

#[test]
fn resolver_follows_chains_and_flags_contradictions() {
    let objects = grid_scenario();
    let report = &stix::resolve(&objects)[0];
    let got: Vec<(&str, Option<u8>)> = report
        .attributions
        .iter()
        .map(|a| (a.actor.name.as_deref().unwrap(), a.confidence))
        .collect();
    assert_eq!(
        got,
        [
            ("Sandworm Team", Some(80)),
            ("GRU Unit 74455", Some(60)),
            ("Unrelated Crew", Some(70))
        ]
    );
    assert!(
        report.contradictory,
        "Unrelated Crew shares nothing with the Sandworm chain"
    );
    assert!(report.to_string().contains("CONTRADICTORY"));
    // Without the stray attribution, the chain is consistent.
    let consistent: Vec<StixObject> = objects
        .into_iter()
        .filter(|o| o.name() != Some("Unrelated Crew"))
        .collect();
    let consistent: Vec<StixObject> = consistent
        .into_iter()
        .filter(|o| !matches!(&o.kind, Kind::Relationship(r) if r.target_ref.contains(&stix::deterministic_id("threat-actor", "other"))))
        .collect();
    let report = &stix::resolve(&consistent)[0];
    assert!(!report.contradictory);
    assert!(
        report
            .attributions
            .iter()
            .all(|a| a.basis == Basis::AttributedTo)
    );
}

#[test]
fn bad_objects_are_rejected_and_the_rest_kept() {
    let input = r#"{"type": "bundle", "id": "bundle--44af6c39-c09b-49c5-9de2-394224b04982", "objects": [
  {"type": "relationship", "spec_version": "2.1", "id": "relationship--44af6c39-c09b-49c5-9de2-394224b04982", "created": "2020-01-01T00:00:00.000Z", "modified": "2020-01-01T00:00:00.000Z", "relationship_type": "targets", "source_ref": "incident--44af6c39-c09b-49c5-9de2-394224b04982"},
  {"type": "incident", "spec_version": "2.1", "id": "incident--44af6c39-c09b-49c5-9de2-394224b04982", "created": "2020-01-01T00:00:00.000Z", "modified": "2020-01-01T00:00:00.000Z", "name": "ok", "confidence": 101},
  {"type": "incident", "spec_version": "2.1", "id": "threat-actor--44af6c39-c09b-49c5-9de2-394224b04982", "created": "2020-01-01T00:00:00.000Z", "modified": "2020-01-01T00:00:00.000Z", "name": "x"},
  {"type": "incident", "spec_version": "2.1", "id": "incident--55af6c39-c09b-49c5-9de2-394224b04982", "created": "2020-01-01T00:00:00.000Z", "modified": "2020-01-01T00:00:00.000Z", "name": "kept"}
]}
{"type": "bundle", "id": "bundle--x", "objects": [ {"type": "incident" "#;
    let got = decode_all(&mut stix::StixDecoder::new(), input.as_bytes());
    let reasons: Vec<(Place, &str)> = got
        .errors
        .iter()
        .map(|e| (e.place, e.reason.as_str()))
        .collect();
    assert_eq!(reasons.len(), 4, "{reasons:?}");
    assert!(
        reasons[0].1.contains("missing property `target_ref`"),
        "{reasons:?}"
    );
    assert!(matches!(reasons[0].0, Place::Line { line: 2, .. }));
    assert!(reasons[1].1.contains("confidence"), "{reasons:?}");
    assert!(
        reasons[2].1.contains("does not start with its type"),
        "{reasons:?}"
    );
    assert!(reasons[3].1.starts_with("not JSON"), "{reasons:?}");
    assert!(matches!(reasons[3].0, Place::Line { line: 7, .. }));
    assert!(got.errors[0].raw.starts_with(br#"{"type": "relationship""#));
    assert_eq!(got.records.len(), 1);
}

/// Chunked feeding (a stream) gives what the whole input gives.
#[test]
fn chunked_documents_decode_alike() {
    let input = std::fs::read(data("oasis_apt1.json")).unwrap();
    let mut twice = input.clone();
    twice.extend_from_slice(b"\n");
    twice.extend_from_slice(&input);
    let whole = decode_all(&mut stix::StixDecoder::new(), &twice);
    let mut decoder = stix::StixDecoder::new();
    let mut sink = feeds::Collect::default();
    for chunk in twice.chunks(977) {
        feeds::Decoder::feed(&mut decoder, chunk, &mut sink);
    }
    feeds::Decoder::finish(&mut decoder, &mut sink);
    assert_eq!(whole.records, sink.records);
    assert_eq!(
        whole.records.len(),
        76 * 2 + 76,
        "every object twice, each second one a duplicate note"
    );
}

/// `stix2` (the OASIS Python library) reads the samples to the same objects:
/// ids, types, confidence and relationship ends.
#[test]
fn samples_agree_with_stix2() {
    let Some(python) = peer_python("stix") else {
        return;
    };
    for (name, _) in SAMPLES {
        let path = data(name);
        let out = run_python(&python, STIX2_DUMP, &[&path]);
        let (objects, _, _) = stix::read_objects(&std::fs::read(&path).unwrap());
        let ours: Vec<String> = objects.iter().map(summary).collect();
        let theirs: Vec<&str> = out.lines().collect();
        assert_eq!(theirs, ours, "{name}");
    }
}

const STIX2_DUMP: &str = r#"
import sys, json, stix2
text = open(sys.argv[1]).read()
doc = json.loads(text)
objs = doc if isinstance(doc, list) else doc['objects']
for raw in objs:
    o = stix2.parse(raw, allow_custom=True)
    g = lambda k: o.get(k) if hasattr(o, 'get') else None
    print(f"{o['id']}|{o['type']}|{g('confidence')}|{g('source_ref')}|{g('target_ref')}|{g('relationship_type')}")
"#;

fn summary(o: &StixObject) -> String {
    let (s, t, r) = match &o.kind {
        Kind::Relationship(r) => (
            r.source_ref.as_str(),
            r.target_ref.as_str(),
            r.relationship_type.as_str(),
        ),
        _ => ("None", "None", "None"),
    };
    let confidence = o
        .common
        .confidence
        .map_or("None".to_owned(), |c| c.to_string());
    format!(
        "{}|{}|{}|{}|{}|{}",
        o.id(),
        o.common.object_type,
        confidence,
        s,
        t,
        r
    )
}

/// Our bundle passes the OASIS validator (3.2.0), `stix2` parses it, and our
/// own reader reads back the same objects.
#[test]
fn our_bundles_pass_the_oasis_validator_and_stix2() {
    let Some(python) = peer_python("stix") else {
        return;
    };
    let objects = grid_scenario();
    let json = stix::bundle_json(&stix::deterministic_id("bundle", "grid"), &objects);
    let path = std::env::temp_dir().join(format!("guarantor-stix-{}.json", std::process::id()));
    std::fs::write(&path, &json).unwrap();
    let out = run_python(&python, VALIDATE, &[&path]);
    std::fs::remove_file(&path).ok();
    assert_eq!(out.trim(), format!("valid {}", objects.len()), "{json}");
    let (back, notes, errors) = stix::read_objects(json.as_bytes());
    assert!(notes.is_empty() && errors.is_empty());
    assert_eq!(back, objects);
}

const VALIDATE: &str = r#"
import sys, stix2, stix2validator
results = stix2validator.validate_file(sys.argv[1], stix2validator.ValidationOptions(strict=False))
if not results.is_valid:
    stix2validator.print_results(results)
    sys.exit(1)
bundle = stix2.parse(open(sys.argv[1]).read(), allow_custom=False)
print("valid", len(bundle.objects))
"#;
