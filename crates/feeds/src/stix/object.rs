//! STIX 2.1 objects as typed Rust values: the common properties every object
//! has, and the properties of the object types Guarantor reasons about. Other
//! types (malware, tool, report, cyber observables, extension definitions) are
//! kept whole as JSON.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use model::Time;

/// Properties common to STIX objects (STIX 2.1 §3.2), those Guarantor uses.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Common {
    #[serde(rename = "type")]
    pub object_type: String,
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub spec_version: Option<String>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "stix_time::option"
    )]
    pub created: Option<Time>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "stix_time::option"
    )]
    pub modified: Option<Time>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_by_ref: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revoked: Option<bool>,
    /// 0–100 (STIX 2.1 §3.2 confidence scale).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confidence: Option<u8>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub labels: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub external_references: Vec<ExternalReference>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub object_marking_refs: Vec<String>,
    /// Extensions, kept as JSON (e.g. the Incident Core Extension).
    #[serde(default, skip_serializing_if = "Map::is_empty")]
    pub extensions: Map<String, Value>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExternalReference {
    pub source_name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KillChainPhase {
    pub kill_chain_name: String,
    pub phase_name: String,
}

/// A STIX object: its common properties and what its type adds.
#[derive(Debug, Clone, PartialEq)]
pub struct StixObject {
    pub common: Common,
    pub kind: Kind,
}

/// The type-specific part of an object.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Kind {
    Incident(Incident),
    Infrastructure(Infrastructure),
    IntrusionSet(IntrusionSet),
    ThreatActor(ThreatActor),
    AttackPattern(AttackPattern),
    Indicator(Indicator),
    Sighting(Sighting),
    Relationship(Relationship),
    Identity(Identity),
    ObservedData(ObservedData),
    /// Any other type, its properties (common ones included) as JSON.
    Other(Map<String, Value>),
}

macro_rules! sdo {
    ($(#[$doc:meta])* $name:ident { $($(#[$fdoc:meta])* $field:ident : $ty:ty),* $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
        pub struct $name {
            $(
                $(#[$fdoc])*
                #[serde(default, skip_serializing_if = "is_default")]
                pub $field: $ty,
            )*
        }
    };
}

fn is_default<T: Default + PartialEq>(value: &T) -> bool {
    *value == T::default()
}

sdo!(Incident { name: String, description: Option<String> });
sdo!(Infrastructure {
    name: String,
    description: Option<String>,
    infrastructure_types: Vec<String>,
    aliases: Vec<String>,
});
sdo!(IntrusionSet {
    name: String,
    description: Option<String>,
    aliases: Vec<String>,
    goals: Vec<String>,
    resource_level: Option<String>,
    primary_motivation: Option<String>,
});
sdo!(ThreatActor {
    name: String,
    description: Option<String>,
    threat_actor_types: Vec<String>,
    aliases: Vec<String>,
    roles: Vec<String>,
    goals: Vec<String>,
    sophistication: Option<String>,
    resource_level: Option<String>,
    primary_motivation: Option<String>,
});
sdo!(AttackPattern {
    name: String,
    description: Option<String>,
    aliases: Vec<String>,
    kill_chain_phases: Vec<KillChainPhase>,
});
sdo!(Indicator {
    name: Option<String>,
    description: Option<String>,
    indicator_types: Vec<String>,
    pattern: String,
    pattern_type: String,
    #[serde(with = "stix_time::option")]
    valid_from: Option<Time>,
    #[serde(with = "stix_time::option")]
    valid_until: Option<Time>,
});
sdo!(Sighting {
    sighting_of_ref: String,
    observed_data_refs: Vec<String>,
    where_sighted_refs: Vec<String>,
    #[serde(with = "stix_time::option")]
    first_seen: Option<Time>,
    #[serde(with = "stix_time::option")]
    last_seen: Option<Time>,
    count: Option<u32>,
});
sdo!(Relationship {
    relationship_type: String,
    source_ref: String,
    target_ref: String,
    description: Option<String>,
});
sdo!(Identity {
    name: String,
    description: Option<String>,
    identity_class: Option<String>,
    sectors: Vec<String>,
});
sdo!(ObservedData {
    #[serde(with = "stix_time::option")]
    first_observed: Option<Time>,
    #[serde(with = "stix_time::option")]
    last_observed: Option<Time>,
    number_observed: u32,
    object_refs: Vec<String>,
});

/// The properties each typed kind must have (STIX 2.1), checked on reading.
fn required(object_type: &str) -> &'static [&'static str] {
    match object_type {
        "incident" | "infrastructure" | "intrusion-set" | "threat-actor" | "attack-pattern"
        | "identity" => &["name", "created", "modified"],
        "indicator" => &[
            "pattern",
            "pattern_type",
            "valid_from",
            "created",
            "modified",
        ],
        "sighting" => &["sighting_of_ref", "created", "modified"],
        "relationship" => &[
            "relationship_type",
            "source_ref",
            "target_ref",
            "created",
            "modified",
        ],
        "observed-data" => &[
            "first_observed",
            "last_observed",
            "number_observed",
            "created",
        ],
        _ => &[],
    }
}

impl StixObject {
    /// Reads one object from its JSON. The error says which property is
    /// wrong and what was expected.
    pub fn from_json(value: &Value) -> Result<StixObject, String> {
        let map = value.as_object().ok_or("expected a JSON object")?;
        let common = Common::deserialize(value).map_err(|e| e.to_string())?;
        check_id(&common)?;
        if common.confidence.is_some_and(|c| c > 100) {
            return Err(format!(
                "`confidence` {:?} out of range (expected 0 to 100)",
                common.confidence
            ));
        }
        if let Some(missing) = required(&common.object_type)
            .iter()
            .find(|p| !map.contains_key(**p))
        {
            return Err(format!(
                "{}: missing property `{missing}`",
                common.object_type
            ));
        }
        let kind = Kind::from_json(&common.object_type, value).map_err(|e| e.to_string())?;
        Ok(StixObject { common, kind })
    }

    /// The object as STIX JSON.
    pub fn to_json(&self) -> Value {
        let mut map = match &self.kind {
            Kind::Other(map) => map.clone(),
            _ => Map::new(),
        };
        let mut put = |value: Result<Value, serde_json::Error>| {
            if let Ok(Value::Object(fields)) = value {
                map.extend(fields);
            }
        };
        put(serde_json::to_value(&self.common));
        match &self.kind {
            Kind::Incident(k) => put(serde_json::to_value(k)),
            Kind::Infrastructure(k) => put(serde_json::to_value(k)),
            Kind::IntrusionSet(k) => put(serde_json::to_value(k)),
            Kind::ThreatActor(k) => put(serde_json::to_value(k)),
            Kind::AttackPattern(k) => put(serde_json::to_value(k)),
            Kind::Indicator(k) => put(serde_json::to_value(k)),
            Kind::Sighting(k) => put(serde_json::to_value(k)),
            Kind::Relationship(k) => put(serde_json::to_value(k)),
            Kind::Identity(k) => put(serde_json::to_value(k)),
            Kind::ObservedData(k) => put(serde_json::to_value(k)),
            Kind::Other(_) => {}
        }
        Value::Object(map)
    }

    pub fn id(&self) -> &str {
        &self.common.id
    }

    /// The `name` property, for the types that have one.
    pub fn name(&self) -> Option<&str> {
        match &self.kind {
            Kind::Incident(k) => Some(&k.name),
            Kind::Infrastructure(k) => Some(&k.name),
            Kind::IntrusionSet(k) => Some(&k.name),
            Kind::ThreatActor(k) => Some(&k.name),
            Kind::AttackPattern(k) => Some(&k.name),
            Kind::Indicator(k) => k.name.as_deref(),
            Kind::Identity(k) => Some(&k.name),
            Kind::Other(map) => map.get("name").and_then(Value::as_str),
            Kind::Sighting(_) | Kind::Relationship(_) | Kind::ObservedData(_) => None,
        }
    }
}

impl Serialize for StixObject {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.to_json().serialize(s)
    }
}

impl Kind {
    fn from_json(object_type: &str, value: &Value) -> Result<Kind, serde_json::Error> {
        Ok(match object_type {
            "incident" => Kind::Incident(Incident::deserialize(value)?),
            "infrastructure" => Kind::Infrastructure(Infrastructure::deserialize(value)?),
            "intrusion-set" => Kind::IntrusionSet(IntrusionSet::deserialize(value)?),
            "threat-actor" => Kind::ThreatActor(ThreatActor::deserialize(value)?),
            "attack-pattern" => Kind::AttackPattern(AttackPattern::deserialize(value)?),
            "indicator" => Kind::Indicator(Indicator::deserialize(value)?),
            "sighting" => Kind::Sighting(Sighting::deserialize(value)?),
            "relationship" => Kind::Relationship(Relationship::deserialize(value)?),
            "identity" => Kind::Identity(Identity::deserialize(value)?),
            "observed-data" => Kind::ObservedData(ObservedData::deserialize(value)?),
            _ => Kind::Other(value.as_object().cloned().unwrap_or_default()),
        })
    }
}

/// `<type>--<UUID>`, the type matching the object's (STIX 2.1 §2.9).
fn check_id(common: &Common) -> Result<(), String> {
    let id = &common.id;
    let Some((prefix, uuid)) = id.split_once("--") else {
        return Err(format!("id `{id}` is not `<type>--<UUID>`"));
    };
    if prefix != common.object_type {
        return Err(format!(
            "id `{id}` does not start with its type `{}--`",
            common.object_type
        ));
    }
    let well_formed = uuid.len() == 36
        && uuid.char_indices().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => c == '-',
            _ => c.is_ascii_hexdigit(),
        });
    if !well_formed {
        return Err(format!("id `{id}`: `{uuid}` is not a UUID"));
    }
    Ok(())
}

/// STIX timestamps: RFC 3339 UTC with `Z`; written with at least millisecond
/// precision, as STIX 2.1 requires of `created` and `modified`.
pub mod stix_time {
    use model::Time;

    pub fn to_string(time: Time) -> String {
        let text = time.to_string();
        // `Time` writes no fraction for whole seconds; STIX wants milliseconds.
        match text.strip_suffix('Z') {
            Some(head) if !head.contains('.') => format!("{head}.000Z"),
            _ => text,
        }
    }

    pub mod option {
        use model::Time;
        use serde::{Deserialize, Deserializer, Serializer};

        pub fn serialize<S: Serializer>(time: &Option<Time>, s: S) -> Result<S::Ok, S::Error> {
            match time {
                Some(t) => s.serialize_str(&super::to_string(*t)),
                None => s.serialize_none(),
            }
        }

        pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Time>, D::Error> {
            Option::<Time>::deserialize(d)
        }
    }
}
