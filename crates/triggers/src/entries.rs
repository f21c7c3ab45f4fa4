//! The ledger entries of this stage, in one place for every writer and the auditor: the
//! engine's settings ([`EngineSettings`]), the incidents it was fed ([`incident_entry`]),
//! the advances of event time ([`advance_entry`]) and every decision it took
//! ([`decision_entry`]). `guarantor demo`, the server and `guarantor audit` all use these,
//! so a log any of them writes is re-derived by the same definitions. The ledger itself
//! never interprets entries.

use std::collections::BTreeMap;

use ledger::{ENTRY_VERSION, Entry};
use model::{Digest, Duration, Incident, Time};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::engine::Config;
use crate::record::{ChangeKind, Record};
use crate::window::WindowKind;

/// The name `EngineConfig` entries carry for this engine.
pub const ENGINE: &str = "triggers";

/// Why an entry could not be made or read.
#[derive(Debug)]
pub enum EntryError {
    /// A record or body could not be encoded or decoded as JSON.
    Json {
        what: String,
        source: serde_json::Error,
    },
    /// A field holds something else than expected.
    Field { what: String, expected: String },
}

impl std::fmt::Display for EntryError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            EntryError::Json { what, source } => write!(f, "{what}: {source}"),
            EntryError::Field { what, expected } => write!(f, "{what}: expected {expected}"),
        }
    }
}

impl std::error::Error for EntryError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            EntryError::Json { source, .. } => Some(source),
            EntryError::Field { .. } => None,
        }
    }
}

fn json<T: Serialize>(what: impl Into<String>, value: &T) -> Result<Value, EntryError> {
    serde_json::to_value(value).map_err(|source| EntryError::Json {
        what: what.into(),
        source,
    })
}

/// The triggers engine's settings as logged in an `EngineConfig` entry (times in µs since
/// 1970, durations in µs). `parallel_batch_min` is left out: it changes no decision.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EngineSettings {
    pub allowed_lateness_us: i64,
    pub future_max_us: i64,
    /// `sliding` or `tumbling`.
    pub windows: String,
    pub effective_override_us: Option<i64>,
    pub stand_down_after_us: Option<i64>,
    pub asset_cost_usd: BTreeMap<String, f64>,
}

impl EngineSettings {
    pub fn of(config: &Config) -> EngineSettings {
        EngineSettings {
            allowed_lateness_us: config.allowed_lateness.us,
            future_max_us: config.future_max.us,
            windows: match config.windows {
                WindowKind::Sliding => "sliding",
                WindowKind::Tumbling => "tumbling",
            }
            .to_owned(),
            effective_override_us: config.effective_override.map(|t| t.unix_us),
            stand_down_after_us: config.stand_down_after.map(|d| d.us),
            asset_cost_usd: config.asset_cost_usd.clone(),
        }
    }

    /// The `EngineConfig` entry of `config`.
    pub fn entry(config: &Config) -> Result<Entry, EntryError> {
        Ok(Entry::EngineConfig {
            v: ENTRY_VERSION,
            engine: ENGINE.to_owned(),
            config: json("engine_config", &EngineSettings::of(config))?,
        })
    }

    /// Reads a logged `config` value (unknown fields refused).
    pub fn from_value(value: &Value) -> Result<EngineSettings, EntryError> {
        serde_json::from_value(value.clone()).map_err(|source| EntryError::Json {
            what: "engine_config".into(),
            source,
        })
    }

    pub fn config(&self) -> Result<Config, EntryError> {
        let windows = match self.windows.as_str() {
            "sliding" => WindowKind::Sliding,
            "tumbling" => WindowKind::Tumbling,
            other => {
                return Err(EntryError::Field {
                    what: "engine_config.windows".into(),
                    expected: format!("`sliding` or `tumbling`, found `{other}`"),
                });
            }
        };
        Ok(Config {
            allowed_lateness: Duration::from_us(self.allowed_lateness_us),
            future_max: Duration::from_us(self.future_max_us),
            windows,
            effective_override: self.effective_override_us.map(Time::from_unix_us),
            stand_down_after: self.stand_down_after_us.map(Duration::from_us),
            asset_cost_usd: self.asset_cost_usd.clone(),
            ..Config::default()
        })
    }
}

/// An incident as logged: the record itself as its body, and the digest of its evidence.
pub fn incident_entry(incident: &Incident) -> Result<Entry, EntryError> {
    let what = || format!("incident {}", incident.id);
    let evidence =
        serde_json::to_string(&incident.evidence).map_err(|source| EntryError::Json {
            what: what(),
            source,
        })?;
    Ok(Entry::Incident {
        v: ENTRY_VERSION,
        incident: incident.id.to_string(),
        evidence: vec![Digest::of(evidence.as_bytes())],
        body: json(what(), incident)?,
    })
}

/// Event time advanced to `to` (`Engine::advance`): the timers due by then fire.
pub fn advance_entry(to: Time) -> Entry {
    Entry::Advance {
        v: ENTRY_VERSION,
        to_us: to.unix_us,
    }
}

/// The entry a decision is logged as: activations (with their full reason), obligations,
/// flagged measures, changes (acknowledgements, discharges, overdue and cancelled
/// obligations, consultations, recurrences, escalations, expiries) and reviews. Indicators
/// met are logged inside the activations they cause; diagnostics are not decisions.
pub fn decision_entry(record: &Record) -> Result<Option<Entry>, EntryError> {
    Ok(match record {
        Record::Activation(a) => Some(Entry::Activation {
            v: ENTRY_VERSION,
            activation: a.id.clone(),
            rule_version: Digest::from_hex(&a.rule_hash).ok_or_else(|| EntryError::Field {
                what: format!("activation {}: rule_hash", a.id),
                expected: "a SHA-256 in hex".into(),
            })?,
            reason: json(format!("activation {}", a.id), a)?,
        }),
        Record::Obligation(o) => Some(Entry::Obligation {
            v: ENTRY_VERSION,
            obligation: o.id.clone(),
            party: o.party.clone(),
            body: json(format!("obligation {}", o.id), o)?,
        }),
        Record::MeasureFlagged(f) => Some(Entry::MeasureFlagged {
            v: ENTRY_VERSION,
            activation: f.activation.clone(),
            measure_idx: f.measure_idx,
            party: f.party.clone(),
            body: json(format!("measure_flagged {}", f.activation), f)?,
        }),
        Record::Change(c) => {
            let body = json("change", c)?;
            let change = body
                .get("change")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned();
            Some(Entry::Change {
                v: ENTRY_VERSION,
                change,
                subject: change_subject(&c.kind).to_owned(),
                body,
            })
        }
        Record::Review(r) => Some(Entry::Review {
            v: ENTRY_VERSION,
            review: r.review.clone(),
            body: json(format!("review {}", r.review), r)?,
        }),
        _ => None,
    })
}

/// What a change is about: the obligation, activation or response it changes.
pub fn change_subject(kind: &ChangeKind) -> &str {
    match kind {
        ChangeKind::ObligationAcknowledged { obligation, .. }
        | ChangeKind::ObligationDischarged { obligation, .. }
        | ChangeKind::ObligationOverdue { obligation, .. }
        | ChangeKind::ObligationCancelled { obligation } => obligation,
        ChangeKind::ConsultationPosition { activation, .. }
        | ChangeKind::ConsultationClosed { activation, .. }
        | ChangeKind::Recurred { activation, .. }
        | ChangeKind::Escalated { activation, .. }
        | ChangeKind::Expired { activation, .. } => activation,
        ChangeKind::DecisionPending { response, .. } => response,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::Change;

    #[test]
    fn engine_settings_round_trip_and_refuse_unknown_fields() {
        let config = Config {
            effective_override: Some(Time::from_unix_us(1_700_000_000_123_456)),
            stand_down_after: Some(Duration::from_mins(90)),
            windows: WindowKind::Tumbling,
            ..Config::default()
        };
        let Entry::EngineConfig { config: value, .. } = EngineSettings::entry(&config).unwrap()
        else {
            panic!("an engine_config entry")
        };
        let back = EngineSettings::from_value(&value)
            .unwrap()
            .config()
            .unwrap();
        assert_eq!(EngineSettings::of(&back), EngineSettings::of(&config));
        let mut extra = value.clone();
        extra["parallel"] = Value::from(true);
        let err = EngineSettings::from_value(&extra).unwrap_err().to_string();
        assert!(err.contains("unknown field `parallel`"), "{err}");
        let mut bad = value;
        bad["windows"] = Value::from("hopping");
        let err = EngineSettings::from_value(&bad)
            .unwrap()
            .config()
            .unwrap_err()
            .to_string();
        assert_eq!(
            err,
            "engine_config.windows: expected `sliding` or `tumbling`, found `hopping`"
        );
    }

    #[test]
    fn changes_are_logged_by_tag_and_subject() {
        let change = Record::Change(Change {
            at: Time::from_unix_us(5),
            kind: ChangeKind::Expired {
                activation: "p/r/1".into(),
                quiet_since: Time::from_unix_us(1),
            },
        });
        let Some(Entry::Change {
            change, subject, ..
        }) = decision_entry(&change).unwrap()
        else {
            panic!("a change entry")
        };
        assert_eq!((change.as_str(), subject.as_str()), ("expired", "p/r/1"));
    }
}
