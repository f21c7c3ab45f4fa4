//! Building incidents: stable ids from content, fields, confidence, and the
//! "what can be proven" paragraph.

use std::collections::BTreeMap;

use model::incident::FieldValue;
use model::{
    Digest, Duration, Evidence, EvidenceItem, Geodetic, Incident, IncidentId, IncidentKind, Time,
};

/// An incident id from its content: the same kind, subject and time give the same id.
pub fn incident_id(kind: IncidentKind, subject: &str, time: Time) -> IncidentId {
    let digest = Digest::of(format!("{}|{subject}|{}", kind.as_str(), time.unix_us).as_bytes());
    IncidentId::new(format!("inc-{}-{}", kind.as_str(), &digest.to_hex()[..16]))
}

/// An incident being put together.
#[derive(Debug, Clone)]
pub struct Draft {
    pub kind: IncidentKind,
    pub subject: String,
    pub time: Time,
    pub position: Option<Geodetic>,
    pub zones: Vec<String>,
    pub infrastructure: Option<String>,
    pub origin: Option<String>,
    pub confidence: f64,
    pub fields: BTreeMap<String, FieldValue>,
    pub items: Vec<EvidenceItem>,
    pub method: String,
    pub statement: String,
    pub contradictions: Vec<String>,
    /// First detection of the object (or the report's time).
    pub first_detection: Time,
}

impl Draft {
    pub fn new(kind: IncidentKind, subject: impl Into<String>, time: Time) -> Draft {
        Draft {
            kind,
            subject: subject.into(),
            time,
            position: None,
            zones: Vec::new(),
            infrastructure: None,
            origin: None,
            confidence: 0.0,
            fields: BTreeMap::new(),
            items: Vec::new(),
            method: String::new(),
            statement: String::new(),
            contradictions: Vec::new(),
            first_detection: time,
        }
    }

    pub fn text(&mut self, name: &str, value: impl Into<String>) {
        self.fields
            .insert(name.to_owned(), FieldValue::Text(value.into()));
    }

    pub fn int(&mut self, name: &str, value: i64) {
        self.fields.insert(name.to_owned(), FieldValue::Int(value));
    }

    /// Floats are rounded to a tenth so the JSON reads well and stays stable.
    pub fn float(&mut self, name: &str, value: f64) {
        self.fields.insert(
            name.to_owned(),
            FieldValue::Float((value * 10.0).round() / 10.0),
        );
    }

    pub fn flag(&mut self, name: &str, value: bool) {
        self.fields.insert(name.to_owned(), FieldValue::Bool(value));
    }

    pub fn derived(&mut self, name: &str, value: impl Into<String>) {
        self.items.push(EvidenceItem::Derived {
            name: name.to_owned(),
            value: value.into(),
        });
    }

    /// The incident, emitted at `emitted` (event time): contradictions lower the
    /// confidence by a tenth each, and the result stays within 0..=1.
    pub fn finish(mut self, emitted: Time) -> Incident {
        let penalty = 0.1 * self.contradictions.len() as f64;
        let confidence = ((self.confidence - penalty).clamp(0.0, 1.0) * 100.0).round() / 100.0;
        if !self.contradictions.is_empty() {
            self.statement.push_str(&format!(
                " Contradictions lower the confidence: {}.",
                self.contradictions.join("; ")
            ));
        }
        let tta = if emitted > self.first_detection {
            emitted - self.first_detection
        } else {
            Duration::ZERO
        };
        Incident {
            id: incident_id(self.kind, &self.subject, self.time),
            kind: self.kind,
            time: self.time,
            position: self.position,
            zones: self.zones,
            infrastructure: self.infrastructure,
            origin: self.origin,
            confidence,
            fields: self.fields,
            evidence: Evidence {
                items: self.items,
                method: self.method,
                confidence,
                statement: self.statement,
                contradictions: self.contradictions,
            },
            time_to_attribution: tta,
        }
    }
}

pub fn fmt_pos(p: &Geodetic) -> String {
    format!("{:.4}, {:.4}", p.lat_deg, p.lon_deg)
}

pub fn km(m: f64) -> String {
    format!("{:.1} km", m / 1000.0)
}
