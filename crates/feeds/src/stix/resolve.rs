//! Follows STIX relationships to answer, for each incident: which
//! infrastructure it hit, who it is attributed to, with what confidence, and
//! whether the attributions contradict each other.
//!
//! - infrastructure: `incident -targets-> infrastructure` and the Incident Core
//!   Extension's `incident -impacts-> infrastructure`;
//! - attribution: `attributed-to` chains from the incident (incident → intrusion
//!   set → threat actor), and, as weaker bases, an actor linked by `related-to`,
//!   or an actor that `uses` something the incident `uses` or is `related-to`
//!   (the same infrastructure, malware or attack pattern);
//! - confidence of a chain: the lowest confidence stated along it (on a
//!   relationship, or else on the object it reaches); `None` when none is stated;
//! - contradictory: two `attributed-to` chains whose actors have nothing in
//!   common (not linked to each other by attribution).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use super::object::{Kind, Relationship, StixObject};
use crate::limits::stix_resolve_depth_max;

/// One incident, resolved.
#[derive(Debug, Clone, PartialEq)]
pub struct IncidentReport {
    pub incident: Actor,
    pub infrastructure: Vec<Actor>,
    pub attributions: Vec<Attribution>,
    /// True when two direct attributions name actors with nothing in common.
    pub contradictory: bool,
}

/// An object named in a report: id, type and name.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Actor {
    pub id: String,
    pub object_type: String,
    pub name: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Attribution {
    pub actor: Actor,
    pub confidence: Option<u8>,
    pub basis: Basis,
    /// The relationship ids followed, from the incident outwards.
    pub path: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Basis {
    /// A chain of `attributed-to` relationships.
    AttributedTo,
    /// `related-to` between the incident and the actor.
    RelatedTo,
    /// The actor `uses` an object the incident is linked to.
    SharedUse { via: Actor },
}

const ACTOR_TYPES: [&str; 3] = ["threat-actor", "intrusion-set", "campaign"];

/// Resolves every incident among `objects`, in id order. When an id has several
/// versions the latest `modified` wins; revoked objects are ignored.
pub fn resolve(objects: &[StixObject]) -> Vec<IncidentReport> {
    let graph = Graph::new(objects);
    graph
        .objects
        .values()
        .filter(|o| o.common.object_type == "incident")
        .map(|incident| graph.report(incident))
        .collect()
}

/// A relationship from the graph's view: its id, itself, its confidence.
type Edge<'a> = (&'a str, &'a Relationship, Option<u8>);

struct Graph<'a> {
    objects: BTreeMap<&'a str, &'a StixObject>,
    /// Relationships by source id, each with its own confidence.
    outgoing: BTreeMap<&'a str, Vec<Edge<'a>>>,
    /// `uses` relationships by target id: who uses this object.
    used_by: BTreeMap<&'a str, Vec<Edge<'a>>>,
}

impl<'a> Graph<'a> {
    fn new(objects: &'a [StixObject]) -> Graph<'a> {
        let mut latest: BTreeMap<&str, &StixObject> = BTreeMap::new();
        for object in objects.iter().filter(|o| o.common.revoked != Some(true)) {
            let newer = latest
                .get(object.id())
                .is_none_or(|o| o.common.modified <= object.common.modified);
            if newer {
                latest.insert(object.id(), object);
            }
        }
        let (mut outgoing, mut used_by) = (BTreeMap::new(), BTreeMap::new());
        // Every relationship object counts, duplicates of an id included: the
        // OASIS sample shares one id between two different relationships.
        for object in objects.iter().filter(|o| o.common.revoked != Some(true)) {
            if let Kind::Relationship(r) = &object.kind {
                let entry = (object.id(), r, object.common.confidence);
                outgoing
                    .entry(r.source_ref.as_str())
                    .or_insert_with(Vec::new)
                    .push(entry);
                if r.relationship_type == "uses" {
                    used_by
                        .entry(r.target_ref.as_str())
                        .or_insert_with(Vec::new)
                        .push(entry);
                }
            }
        }
        Graph {
            objects: latest,
            outgoing,
            used_by,
        }
    }

    fn actor(&self, id: &str) -> Actor {
        let object = self.objects.get(id);
        Actor {
            id: id.to_owned(),
            object_type: id.split_once("--").map_or("", |(t, _)| t).to_owned(),
            name: object.and_then(|o| o.name()).map(str::to_owned),
        }
    }

    fn confidence_of(&self, relationship: Option<u8>, target: &str) -> Option<u8> {
        relationship.or_else(|| self.objects.get(target).and_then(|o| o.common.confidence))
    }

    fn edges(&self, from: &str, kind: &str) -> impl Iterator<Item = &Edge<'a>> {
        self.outgoing
            .get(from)
            .into_iter()
            .flatten()
            .filter(move |(_, r, _)| r.relationship_type == kind)
    }

    fn report(&self, incident: &StixObject) -> IncidentReport {
        let id = incident.id();
        let mut infrastructure: Vec<Actor> = ["targets", "impacts"]
            .iter()
            .flat_map(|kind| self.edges(id, kind))
            .filter(|(_, r, _)| r.target_ref.starts_with("infrastructure--"))
            .map(|(_, r, _)| self.actor(&r.target_ref))
            .collect();
        infrastructure.sort();
        infrastructure.dedup();
        let mut attributions = Vec::new();
        self.attributed(id, Vec::new(), None, &mut attributions);
        let chains: Vec<BTreeSet<&str>> =
            attributions.iter().map(|a| self.chain_actors(a)).collect();
        let contradictory = chains
            .iter()
            .enumerate()
            .any(|(i, a)| chains[i + 1..].iter().any(|b| a.is_disjoint(b)));
        self.weaker(id, &mut attributions);
        IncidentReport {
            incident: self.actor(id),
            infrastructure,
            attributions,
            contradictory,
        }
    }

    /// Follows `attributed-to` from `from`, depth-first, recording each actor reached.
    fn attributed(
        &self,
        from: &str,
        path: Vec<String>,
        confidence: Option<u8>,
        out: &mut Vec<Attribution>,
    ) {
        if path.len() >= stix_resolve_depth_max {
            return;
        }
        for (rel_id, r, rel_confidence) in self.edges(from, "attributed-to") {
            if path.iter().any(|p| p == rel_id) {
                continue; // a cycle
            }
            let step = self.confidence_of(*rel_confidence, &r.target_ref);
            let confidence = min_known(confidence, step);
            let mut path = path.clone();
            path.push((*rel_id).to_owned());
            if ACTOR_TYPES
                .iter()
                .any(|t| r.target_ref.starts_with(&format!("{t}--")))
            {
                out.push(Attribution {
                    actor: self.actor(&r.target_ref),
                    confidence,
                    basis: Basis::AttributedTo,
                    path: path.clone(),
                });
            }
            self.attributed(&r.target_ref, path, confidence, out);
        }
    }

    /// The actors along one attribution's chain, the incident excluded.
    fn chain_actors(&self, attribution: &Attribution) -> BTreeSet<&str> {
        let mut actors = BTreeSet::new();
        for rel_id in &attribution.path {
            for edges in self.outgoing.values() {
                for (id, r, _) in edges {
                    if id == rel_id && r.relationship_type == "attributed-to" {
                        actors.insert(r.target_ref.as_str());
                    }
                }
            }
        }
        actors
    }

    /// `related-to` actors, and actors that use what the incident uses or relates to.
    fn weaker(&self, id: &str, out: &mut Vec<Attribution>) {
        for (rel_id, r, conf) in self.edges(id, "related-to").chain(self.edges(id, "uses")) {
            let target = r.target_ref.as_str();
            if ACTOR_TYPES
                .iter()
                .any(|t| target.starts_with(&format!("{t}--")))
            {
                out.push(Attribution {
                    actor: self.actor(target),
                    confidence: self.confidence_of(*conf, target),
                    basis: Basis::RelatedTo,
                    path: vec![(*rel_id).to_owned()],
                });
                continue;
            }
            for (use_id, u, use_conf) in self.used_by.get(target).into_iter().flatten() {
                if !ACTOR_TYPES
                    .iter()
                    .any(|t| u.source_ref.starts_with(&format!("{t}--")))
                {
                    continue;
                }
                out.push(Attribution {
                    actor: self.actor(&u.source_ref),
                    confidence: min_known(self.confidence_of(*conf, target), *use_conf),
                    basis: Basis::SharedUse {
                        via: self.actor(target),
                    },
                    path: vec![(*rel_id).to_owned(), (*use_id).to_owned()],
                });
            }
        }
    }
}

fn min_known(a: Option<u8>, b: Option<u8>) -> Option<u8> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

impl fmt::Display for Actor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.name {
            Some(name) => write!(f, "{name} ({})", self.id),
            None => f.write_str(&self.id),
        }
    }
}

impl fmt::Display for IncidentReport {
    /// `incident X on infrastructure Y, attributed to Z with confidence C`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "incident {}", self.incident)?;
        let list =
            |items: &mut dyn Iterator<Item = String>| items.collect::<Vec<_>>().join(" and ");
        if !self.infrastructure.is_empty() {
            write!(
                f,
                " on infrastructure {}",
                list(&mut self.infrastructure.iter().map(|a| a.to_string()))
            )?;
        }
        let direct: Vec<&Attribution> = self
            .attributions
            .iter()
            .filter(|a| a.basis == Basis::AttributedTo)
            .collect();
        if direct.is_empty() {
            f.write_str(", not attributed")?;
        }
        for (i, a) in direct.iter().enumerate() {
            f.write_str(if i == 0 {
                ", attributed to "
            } else {
                " and to "
            })?;
            write!(f, "{}", a.actor)?;
            match a.confidence {
                Some(c) => write!(f, " with confidence {c}")?,
                None => f.write_str(" with no stated confidence")?,
            }
        }
        if self.contradictory {
            f.write_str(" (CONTRADICTORY: the attributions name unrelated actors)")?;
        }
        Ok(())
    }
}
