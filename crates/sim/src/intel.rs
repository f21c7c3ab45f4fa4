//! The intelligence feed: destructive cyber attacks and operators' cable-fault
//! reports on registered infrastructure, as one STIX 2.1 bundle written by
//! `feeds::stix` (incident —targets→ infrastructure, —attributed-to→ threat
//! actor with a confidence, —uses→ attack pattern).

use feeds::stix::{
    AttackPattern, Common, Identity, Incident, Infrastructure, Kind, Relationship, StixObject,
    ThreatActor, bundle_json, deterministic_id,
};
use model::Time;

use crate::geography::Geography;
use crate::scenario::Scenario;

fn common(
    object_type: &str,
    id: String,
    time: Time,
    confidence: Option<u8>,
    labels: Vec<String>,
) -> Common {
    Common {
        object_type: object_type.to_owned(),
        id,
        spec_version: Some("2.1".to_owned()),
        created: Some(time),
        modified: Some(time),
        created_by_ref: None,
        revoked: None,
        confidence,
        labels,
        external_references: Vec::new(),
        object_marking_refs: Vec::new(),
        extensions: serde_json::Map::new(),
    }
}

fn relationship(
    kind: &str,
    source: &str,
    target: &str,
    time: Time,
    confidence: Option<u8>,
) -> StixObject {
    let id = deterministic_id("relationship", &format!("{kind}|{source}|{target}"));
    StixObject {
        common: common("relationship", id, time, confidence, Vec::new()),
        kind: Kind::Relationship(Relationship {
            relationship_type: kind.to_owned(),
            source_ref: source.to_owned(),
            target_ref: target.to_owned(),
            description: None,
        }),
    }
}

/// Adds an object unless one with the same id is already there.
fn add(objects: &mut Vec<StixObject>, object: StixObject) {
    if !objects.iter().any(|o| o.common.id == object.common.id) {
        objects.push(object);
    }
}

fn infrastructure(
    objects: &mut Vec<StixObject>,
    geography: &Geography,
    infra_id: &str,
    time: Time,
) -> String {
    let id = deterministic_id("infrastructure", infra_id);
    let kind = geography
        .infrastructure_by_id(infra_id)
        .map_or("unknown", |i| i.kind.as_str());
    add(
        objects,
        StixObject {
            common: common("infrastructure", id.clone(), time, None, Vec::new()),
            kind: Kind::Infrastructure(Infrastructure {
                name: infra_id.to_owned(),
                description: None,
                infrastructure_types: vec![kind.to_owned()],
                aliases: Vec::new(),
            }),
        },
    );
    id
}

/// The bundle's JSON and the number of incidents in it.
pub fn bundle(scenario: &Scenario, geography: &Geography, end: Time) -> (String, u64) {
    let mut objects = Vec::new();
    let mut incidents = 0;
    for (n, c) in scenario
        .cyber
        .iter()
        .enumerate()
        .filter(|(_, c)| c.time <= end)
    {
        incidents += 1;
        let infra = infrastructure(&mut objects, geography, &c.infrastructure, c.time);
        let incident_id = deterministic_id("incident", &format!("{}|cyber|{n}", scenario.name));
        let label = if c.destructive {
            "destructive"
        } else {
            "espionage"
        };
        add(
            &mut objects,
            StixObject {
                common: common(
                    "incident",
                    incident_id.clone(),
                    c.time,
                    Some(c.confidence),
                    vec![label.to_owned()],
                ),
                kind: Kind::Incident(Incident {
                    name: c.name.clone(),
                    description: None,
                }),
            },
        );
        let actor_id = deterministic_id("threat-actor", &c.actor);
        add(
            &mut objects,
            StixObject {
                common: common("threat-actor", actor_id.clone(), c.time, None, Vec::new()),
                kind: Kind::ThreatActor(ThreatActor {
                    name: c.actor.clone(),
                    ..ThreatActor::default()
                }),
            },
        );
        add(
            &mut objects,
            relationship("targets", &incident_id, &infra, c.time, None),
        );
        add(
            &mut objects,
            relationship(
                "attributed-to",
                &incident_id,
                &actor_id,
                c.time,
                Some(c.confidence),
            ),
        );
        if !c.attack_pattern.is_empty() {
            let pattern_id = deterministic_id("attack-pattern", &c.attack_pattern);
            add(
                &mut objects,
                StixObject {
                    common: common(
                        "attack-pattern",
                        pattern_id.clone(),
                        c.time,
                        None,
                        Vec::new(),
                    ),
                    kind: Kind::AttackPattern(AttackPattern {
                        name: c.attack_pattern.clone(),
                        ..AttackPattern::default()
                    }),
                },
            );
            add(
                &mut objects,
                relationship("uses", &incident_id, &pattern_id, c.time, None),
            );
        }
    }
    for (n, f) in scenario
        .cable_fault
        .iter()
        .enumerate()
        .filter(|(_, f)| f.time <= end)
    {
        incidents += 1;
        let infra = infrastructure(&mut objects, geography, &f.infrastructure, f.time);
        let operator_id = deterministic_id("identity", &f.operator);
        add(
            &mut objects,
            StixObject {
                common: common("identity", operator_id.clone(), f.time, None, Vec::new()),
                kind: Kind::Identity(Identity {
                    name: f.operator.clone(),
                    identity_class: Some("organization".to_owned()),
                    sectors: vec!["utilities".to_owned()],
                    ..Identity::default()
                }),
            },
        );
        let incident_id = deterministic_id("incident", &format!("{}|fault|{n}", scenario.name));
        let mut c = common(
            "incident",
            incident_id.clone(),
            f.time,
            None,
            vec!["infrastructure-damage".to_owned()],
        );
        c.created_by_ref = Some(operator_id);
        add(
            &mut objects,
            StixObject {
                common: c,
                kind: Kind::Incident(Incident {
                    name: format!("Fault on {}", f.infrastructure),
                    description: Some(format!(
                        "{} Reported position {:.4}, {:.4}.",
                        f.text, f.position[0], f.position[1]
                    )),
                }),
            },
        );
        add(
            &mut objects,
            relationship("targets", &incident_id, &infra, f.time, None),
        );
    }
    let bundle_id = deterministic_id("bundle", &scenario.name);
    (bundle_json(&bundle_id, &objects), incidents)
}
