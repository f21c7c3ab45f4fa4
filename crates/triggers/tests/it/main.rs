//! The triggers engine's integration tests, one module per concern, all in
//! virtual time: the clock is the incidents' and the commands' own.

mod bad_input;
mod determinism;
mod ladder;
mod obligations;
mod windows;

use std::collections::BTreeMap;
use std::path::PathBuf;

use model::incident::FieldValue;
use model::{Duration, Evidence, Geodetic, Incident, IncidentId, IncidentKind, Time};
use pact::{CompiledPact, MemoryFiles};
use triggers::{Activation, Config, Engine, Record};

fn data_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data")
}

/// The test pact, with `edit` applied to its text (e.g. to switch the activation mode).
pub fn pact_with(edit: impl Fn(String) -> String) -> CompiledPact {
    let text = std::fs::read_to_string(data_dir().join("test.toml")).unwrap();
    let checked = pact::check_text(&MemoryFiles::new(), "test.toml", &edit(text));
    match checked.compiled {
        Some(compiled) => compiled,
        None => panic!("the test pact does not compile:\n{}", checked.render()),
    }
}

pub fn engine() -> Engine {
    Engine::new(pact_with(|t| t), Config::default())
}

/// Minutes after 2026-01-10T00:00:00Z.
pub fn at(minutes: i64) -> Time {
    Time::parse_rfc3339("2026-01-10T00:00:00Z").unwrap() + Duration::from_mins(minutes)
}

/// A state-originated drone entering the Polish belt, inside the engagement zone.
pub fn entry(id: &str, minutes: i64) -> Incident {
    incident(id, IncidentKind::AirspaceEntry, minutes)
        .zones(&["pl-belt"])
        .field("state_originated", FieldValue::Bool(true))
        .at_position(50.5, 22.5)
}

pub fn incident(id: &str, kind: IncidentKind, minutes: i64) -> Incident {
    Incident {
        id: IncidentId::new(id),
        kind,
        time: at(minutes),
        position: None,
        zones: Vec::new(),
        infrastructure: None,
        origin: Some("RU".to_owned()),
        confidence: 0.95,
        fields: BTreeMap::new(),
        evidence: Evidence {
            items: Vec::new(),
            method: "test".to_owned(),
            confidence: 0.95,
            statement: String::new(),
            contradictions: Vec::new(),
        },
        time_to_attribution: Duration::from_mins(1),
    }
}

pub trait Build {
    fn zones(self, zones: &[&str]) -> Self;
    fn field(self, name: &str, value: FieldValue) -> Self;
    fn at_position(self, lat: f64, lon: f64) -> Self;
    fn site(self, site: &str) -> Self;
}

impl Build for Incident {
    fn zones(mut self, zones: &[&str]) -> Incident {
        self.zones = zones.iter().map(|z| (*z).to_owned()).collect();
        self
    }
    fn field(mut self, name: &str, value: FieldValue) -> Incident {
        self.fields.insert(name.to_owned(), value);
        self
    }
    fn at_position(mut self, lat: f64, lon: f64) -> Incident {
        self.position = Some(Geodetic {
            lat_deg: lat,
            lon_deg: lon,
            alt_m: 300.0,
        });
        self
    }
    fn site(mut self, site: &str) -> Incident {
        self.infrastructure = Some(site.to_owned());
        self
    }
}

pub fn activations(records: &[Record]) -> Vec<&Activation> {
    records
        .iter()
        .filter_map(|r| match r {
            Record::Activation(a) => Some(a),
            _ => None,
        })
        .collect()
}

/// Record kinds and their key, one line each: a compact form to compare against.
pub fn lines(records: &[Record]) -> Vec<String> {
    records.iter().map(line).collect()
}

fn line(record: &Record) -> String {
    match record {
        Record::IndicatorMet(m) => format!("met {} count={} late={}", m.indicator, m.count, m.late),
        Record::Activation(a) => format!(
            "activation {} {:?} at={} late={}",
            a.id, a.cause, a.at, a.late
        ),
        Record::Obligation(o) => format!("obligation {} {} deadline={}", o.id, o.party, o.deadline),
        Record::MeasureFlagged(f) => {
            format!("flagged {}/{} {}", f.activation, f.measure_idx, f.reason)
        }
        Record::Change(c) => format!("change {}", serde_json::to_string(&c.kind).unwrap()),
        Record::Review(r) => format!("review {} {} actions={}", r.review, r.what, r.actions.len()),
        Record::Diagnostic(d) => {
            format!("diagnostic {}", serde_json::to_string(&d.reason).unwrap())
        }
        _ => "other".to_owned(),
    }
}
