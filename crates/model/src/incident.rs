//! Incidents and their evidence: what attribution emits and triggers consume.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::{Digest, Duration, Geodetic, IncidentId, SensorId, Time, TrackId};

/// The kinds of incident a pact's indicators can watch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IncidentKind {
    /// A hostile air track enters a protected zone from outside.
    AirspaceEntry,
    /// Many entries into a border belt within a window (counted by indicators).
    MassIncursion,
    /// A manned aircraft violates a protected airspace.
    AirspaceViolation,
    /// A drone inside the protection buffer of registered infrastructure.
    DroneOverInfrastructure,
    /// A vessel loitering within the buffer of a cable or pipeline.
    VesselLoitering,
    /// A vessel moving slowly on a steady course across a cable line.
    AnchorDrag,
    /// AIS going dark near infrastructure.
    AisDark,
    /// An operator's fault report on infrastructure, with suspects.
    InfrastructureDamage,
    /// A destructive cyber attack on registered infrastructure.
    CyberAttack,
}

impl IncidentKind {
    pub const ALL: [IncidentKind; 9] = [
        IncidentKind::AirspaceEntry,
        IncidentKind::MassIncursion,
        IncidentKind::AirspaceViolation,
        IncidentKind::DroneOverInfrastructure,
        IncidentKind::VesselLoitering,
        IncidentKind::AnchorDrag,
        IncidentKind::AisDark,
        IncidentKind::InfrastructureDamage,
        IncidentKind::CyberAttack,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            IncidentKind::AirspaceEntry => "airspace_entry",
            IncidentKind::MassIncursion => "mass_incursion",
            IncidentKind::AirspaceViolation => "airspace_violation",
            IncidentKind::DroneOverInfrastructure => "drone_over_infrastructure",
            IncidentKind::VesselLoitering => "vessel_loitering",
            IncidentKind::AnchorDrag => "anchor_drag",
            IncidentKind::AisDark => "ais_dark",
            IncidentKind::InfrastructureDamage => "infrastructure_damage",
            IncidentKind::CyberAttack => "cyber_attack",
        }
    }

    pub fn parse(text: &str) -> Option<IncidentKind> {
        IncidentKind::ALL.into_iter().find(|k| k.as_str() == text)
    }
}

/// One piece of evidence behind an incident.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum EvidenceItem {
    Track {
        track: TrackId,
    },
    Detection {
        sensor: SensorId,
        time: Time,
        raw_digest: Digest,
    },
    Report {
        source: String,
        time: Time,
        text: String,
    },
    Stix {
        stix_id: String,
    },
    /// A fact derived by the method (crossing point, closest approach, ...).
    Derived {
        name: String,
        value: String,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Evidence {
    pub items: Vec<EvidenceItem>,
    /// How the conclusion was reached (`backtrack-to-border`, `anchor-drag-pattern`).
    pub method: String,
    /// 0..=1.
    pub confidence: f64,
    /// One paragraph: what can be proven, and what cannot.
    pub statement: String,
    /// Contradictions found (two attributions, a gap in the track), named.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub contradictions: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Incident {
    pub id: IncidentId,
    pub kind: IncidentKind,
    /// Event time at which the incident happened (the crossing, the damage).
    pub time: Time,
    pub position: Option<Geodetic>,
    /// Pact zone ids the incident is in.
    #[serde(default)]
    pub zones: Vec<String>,
    /// Pact infrastructure id, where the incident concerns one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub infrastructure: Option<String>,
    /// ISO 3166 alpha-2 code of the state of origin, where attributed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub origin: Option<String>,
    /// Attribution confidence, 0..=1.
    pub confidence: f64,
    /// Kind-specific fields that pact predicates may read (`class`, `count`,
    /// `depth_m`, `state_originated`, ...). Sorted so the incident serialises
    /// the same way every time.
    #[serde(default)]
    pub fields: BTreeMap<String, FieldValue>,
    pub evidence: Evidence,
    /// From the first detection of the object to the incident being emitted, event time.
    pub time_to_attribution: Duration,
}

/// A value a pact predicate can read from an incident.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum FieldValue {
    Bool(bool),
    Int(i64),
    Float(f64),
    Text(String),
}
