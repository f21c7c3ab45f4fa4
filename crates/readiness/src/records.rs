//! The triggers stage's records, read for the scorecard and the reviews: JSON
//! lines (or one JSON array) of its `Record` output. Only the fields used here
//! are read and unknown record kinds are skipped, so the format can grow; this
//! stage does not depend on the triggers crate (stages share only `model`
//! types and the pact).

use model::Time;
use serde::Deserialize;

use crate::error::InputError;
use crate::limits;

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(tag = "record", rename_all = "snake_case")]
pub enum TriggerRecord {
    Obligation(ObligationRecord),
    Change(ChangeRecord),
    Review(ReviewRecord),
    #[serde(other)]
    Other,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct ObligationRecord {
    pub id: String,
    pub party: String,
    pub created_at: Time,
    pub deadline: Time,
}

/// A change; `change` names it (`obligation_acknowledged`, `obligation_discharged`, ...).
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct ChangeRecord {
    pub at: Time,
    pub change: String,
    #[serde(default)]
    pub obligation: Option<String>,
    #[serde(default)]
    pub after_deadline: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct ReviewRecord {
    pub review: String,
    pub at: Time,
    pub what: String,
    #[serde(default)]
    pub metrics: Vec<(String, f64)>,
    #[serde(default)]
    pub actions: Vec<ReviewActionRecord>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct ReviewActionRecord {
    pub action: String,
    pub commitments: Vec<String>,
    pub factor: f64,
}

/// Parses JSON lines or a JSON array; a bad line is an error naming it.
pub fn parse(input: &str, text: &str) -> Result<Vec<TriggerRecord>, InputError> {
    let trimmed = text.trim_start();
    if trimmed.starts_with('[') {
        let records: Vec<TriggerRecord> =
            serde_json::from_str(trimmed).map_err(|e| InputError::Parse {
                input: input.to_owned(),
                message: e.to_string(),
            })?;
        return bounded(input, records);
    }
    let mut out = Vec::new();
    for (idx, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let record = serde_json::from_str(line).map_err(|e| InputError::Invalid {
            input: input.to_owned(),
            record: format!("line {}", idx + 1),
            message: e.to_string(),
        })?;
        out.push(record);
        if out.len() > limits::trigger_records_max {
            break;
        }
    }
    bounded(input, out)
}

fn bounded(input: &str, records: Vec<TriggerRecord>) -> Result<Vec<TriggerRecord>, InputError> {
    if records.len() > limits::trigger_records_max {
        return Err(InputError::TooMany {
            input: input.to_owned(),
            what: "trigger records",
            max: limits::trigger_records_max,
        });
    }
    Ok(records)
}
