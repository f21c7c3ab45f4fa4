//! Incidents as a STIX 2.1 bundle a partner's threat-intelligence platform can
//! import: per incident an `incident` (the statement as its description), a
//! `location`, the targeted `infrastructure`, a `threat-actor` for the state of
//! origin or the actor carried through, the relationships between them, and a
//! `sighting` with an `observed-data` summary of the evidence. Written through
//! `feeds::stix`'s types and encoder; ids are deterministic.

use feeds::stix::{
    Common, Identity, Incident as StixIncident, Infrastructure, Kind, ObservedData, Relationship,
    Sighting, StixObject, ThreatActor, bundle_json, deterministic_id,
};
use model::incident::FieldValue;
use model::{Incident, Time};
use serde_json::{Map, Value};

const PRODUCER: &str = "Guarantor attribution";

fn common(object_type: &str, id: String, time: Time, creator: &str) -> Common {
    Common {
        object_type: object_type.to_owned(),
        id,
        spec_version: Some("2.1".to_owned()),
        created: Some(time),
        modified: Some(time),
        created_by_ref: Some(creator.to_owned()),
        revoked: None,
        confidence: None,
        labels: Vec::new(),
        external_references: Vec::new(),
        object_marking_refs: Vec::new(),
        extensions: Map::new(),
    }
}

fn push(objects: &mut Vec<StixObject>, o: StixObject) {
    if !objects.iter().any(|x| x.common.id == o.common.id) {
        objects.push(o);
    }
}

fn relationship(
    kind: &str,
    source: &str,
    target: &str,
    time: Time,
    creator: &str,
    confidence: Option<u8>,
) -> StixObject {
    let id = deterministic_id("relationship", &format!("{kind}|{source}|{target}"));
    let mut c = common("relationship", id, time, creator);
    c.confidence = confidence;
    StixObject {
        common: c,
        kind: Kind::Relationship(Relationship {
            relationship_type: kind.to_owned(),
            source_ref: source.to_owned(),
            target_ref: target.to_owned(),
            description: None,
        }),
    }
}

/// The STIX objects for `incidents` (an identity for the producer first).
pub fn objects(incidents: &[Incident]) -> Vec<StixObject> {
    let mut out = Vec::new();
    let producer = deterministic_id("identity", PRODUCER);
    let t0 = incidents
        .iter()
        .map(|i| i.time)
        .min()
        .unwrap_or(Time::UNIX_EPOCH);
    let mut me = common("identity", producer.clone(), t0, &producer);
    me.created_by_ref = None;
    push(
        &mut out,
        StixObject {
            common: me,
            kind: Kind::Identity(Identity {
                name: PRODUCER.to_owned(),
                description: Some(
                    "Incidents with evidence, from fused tracks, reports and intelligence"
                        .to_owned(),
                ),
                identity_class: Some("system".to_owned()),
                sectors: vec!["defense".to_owned()],
            }),
        },
    );
    for inc in incidents {
        incident_objects(inc, &producer, &mut out);
    }
    out
}

/// The bundle as JSON text.
pub fn bundle(incidents: &[Incident]) -> String {
    let seed: Vec<&str> = incidents.iter().map(|i| i.id.as_str()).collect();
    bundle_json(
        &deterministic_id("bundle", &seed.join(",")),
        &objects(incidents),
    )
}

fn confidence_0_100(c: f64) -> u8 {
    (c.clamp(0.0, 1.0) * 100.0).round() as u8
}

fn incident_objects(inc: &Incident, producer: &str, out: &mut Vec<StixObject>) {
    let t = inc.time;
    let id = deterministic_id("incident", inc.id.as_str());
    let mut c = common("incident", id.clone(), t, producer);
    c.confidence = Some(confidence_0_100(inc.confidence));
    c.labels = vec![inc.kind.as_str().replace('_', "-")];
    c.external_references = vec![feeds::stix::ExternalReference {
        source_name: "guarantor".to_owned(),
        description: Some(format!("method {}", inc.evidence.method)),
        url: None,
        external_id: Some(inc.id.to_string()),
    }];
    let mut description = inc.evidence.statement.clone();
    if !inc.evidence.contradictions.is_empty() {
        description.push_str(&format!(
            " Contradictions: {}.",
            inc.evidence.contradictions.join("; ")
        ));
    }
    push(
        out,
        StixObject {
            common: c,
            kind: Kind::Incident(StixIncident {
                name: format!("{} {}", inc.kind.as_str().replace('_', " "), inc.id),
                description: Some(description),
            }),
        },
    );
    if let Some(p) = inc.position {
        let loc_id = deterministic_id("location", &format!("{}|loc", inc.id));
        let mut map = Map::new();
        for (k, v) in [
            ("type", Value::from("location")),
            ("id", Value::from(loc_id.clone())),
            ("spec_version", Value::from("2.1")),
            ("created", Value::from(feeds::stix::stix_time::to_string(t))),
            (
                "modified",
                Value::from(feeds::stix::stix_time::to_string(t)),
            ),
            ("created_by_ref", Value::from(producer)),
            ("latitude", Value::from((p.lat_deg * 1e5).round() / 1e5)),
            ("longitude", Value::from((p.lon_deg * 1e5).round() / 1e5)),
        ] {
            map.insert(k.to_owned(), v);
        }
        let mut lc = common("location", loc_id.clone(), t, producer);
        lc.spec_version = Some("2.1".to_owned());
        push(
            out,
            StixObject {
                common: lc,
                kind: Kind::Other(map),
            },
        );
        push(
            out,
            relationship("located-at", &id, &loc_id, t, producer, None),
        );
    }
    if let Some(site) = &inc.infrastructure {
        let infra_id = deterministic_id("infrastructure", site);
        let kind = match inc.fields.get("infrastructure_kind") {
            Some(FieldValue::Text(k)) => k.clone(),
            _ => "unknown".to_owned(),
        };
        push(
            out,
            StixObject {
                common: common("infrastructure", infra_id.clone(), t, producer),
                kind: Kind::Infrastructure(Infrastructure {
                    name: site.clone(),
                    description: Some(format!(
                        "registered {kind} in the pact's infrastructure register"
                    )),
                    infrastructure_types: vec!["unknown".to_owned()],
                    aliases: Vec::new(),
                }),
            },
        );
        push(
            out,
            relationship("targets", &id, &infra_id, t, producer, None),
        );
    }
    let actor = match (&inc.origin, inc.fields.get("actor")) {
        (_, Some(FieldValue::Text(a))) => Some((a.clone(), "unknown")),
        (Some(state), _) => Some((format!("state {state}"), "nation-state")),
        _ => None,
    };
    if let Some((name, kind)) = actor {
        let actor_id = deterministic_id("threat-actor", &name);
        push(
            out,
            StixObject {
                common: common("threat-actor", actor_id.clone(), t, producer),
                kind: Kind::ThreatActor(ThreatActor {
                    name,
                    threat_actor_types: vec![
                        if kind == "nation-state" {
                            "nation-state"
                        } else {
                            "unknown"
                        }
                        .to_owned(),
                    ],
                    ..ThreatActor::default()
                }),
            },
        );
        push(
            out,
            relationship(
                "attributed-to",
                &id,
                &actor_id,
                t,
                producer,
                Some(confidence_0_100(inc.confidence)),
            ),
        );
    }
    // What was observed: one observed-data summarising the evidence, and a
    // sighting of the incident's subject by this system.
    let n_items = inc.evidence.items.len().max(1) as u32;
    let od_id = deterministic_id("observed-data", &format!("{}|od", inc.id));
    let first = inc.time
        - inc
            .time_to_attribution
            .min(model::Duration::from_secs(86_400 * 365));
    let first = first.min(t);
    let mut od_common = common("observed-data", od_id.clone(), t, producer);
    od_common.created = Some(t);
    push(
        out,
        StixObject {
            common: od_common,
            kind: Kind::ObservedData(ObservedData {
                first_observed: Some(first),
                last_observed: Some(t),
                number_observed: n_items,
                object_refs: vec![id.clone()],
            }),
        },
    );
    let sighting_id = deterministic_id("sighting", &format!("{}|sighting", inc.id));
    push(
        out,
        StixObject {
            common: common("sighting", sighting_id, t, producer),
            kind: Kind::Sighting(Sighting {
                sighting_of_ref: id.clone(),
                observed_data_refs: vec![od_id],
                where_sighted_refs: vec![producer.to_owned()],
                first_seen: Some(first),
                last_seen: Some(t),
                count: Some(1),
            }),
        },
    );
}
