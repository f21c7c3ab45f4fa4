//! CEL predicates: compiled once when the pact is checked, evaluated by the
//! triggers stage over each incident. The parser and interpreter are the `cel`
//! crate's; this module only bounds the input and binds the incident's fields.

use std::collections::HashMap;
use std::sync::Arc;

use cel::{Context, Program, Value};
use model::Incident;
use model::incident::FieldValue;

use crate::limits;

/// The variables an indicator's predicate may read.
pub const INDICATOR_VARIABLES: [&str; 6] = [
    "kind",
    "origin",
    "confidence",
    "zones",
    "infrastructure",
    "fields",
];
/// The variables a review's performance trigger may read.
pub const REVIEW_VARIABLES: [&str; 1] = ["metrics"];

/// A compiled CEL predicate and its source.
#[derive(Clone)]
pub struct Predicate {
    source: String,
    program: Arc<Program>,
}

impl std::fmt::Debug for Predicate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Predicate")
            .field("source", &self.source)
            .finish()
    }
}

/// A predicate that does not compile: where in its text, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PredicateError {
    /// Byte offset into the predicate's text.
    pub offset: usize,
    pub message: String,
}

/// A predicate that could not be evaluated over an incident.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum EvalError {
    #[error("predicate `{predicate}` failed: {message}")]
    Execution { predicate: String, message: String },
    #[error("predicate `{predicate}` gave {value}, not a bool")]
    NotBool { predicate: String, value: String },
}

impl Predicate {
    /// Compiles `source`, refusing texts longer or deeper than the limits
    /// (CEL's parser recurses per nesting level).
    pub fn compile(source: &str) -> Result<Predicate, PredicateError> {
        if source.len() > limits::predicate_bytes_max {
            return Err(PredicateError {
                offset: 0,
                message: format!(
                    "the predicate is {} bytes, more than the {} allowed",
                    source.len(),
                    limits::predicate_bytes_max
                ),
            });
        }
        if let Some(offset) = too_deep(source) {
            return Err(PredicateError {
                offset,
                message: format!("nested deeper than {} levels", limits::predicate_depth_max),
            });
        }
        let program = Program::compile(source).map_err(|errors| {
            let first = errors.errors.first();
            let (line, column) = first.map_or((1, 1), |e| e.pos);
            let message = first.map_or_else(|| errors.to_string(), |e| e.msg.clone());
            PredicateError {
                offset: offset_of(source, line, column),
                message,
            }
        })?;
        Ok(Predicate {
            source: source.to_owned(),
            program: Arc::new(program),
        })
    }

    pub fn source(&self) -> &str {
        &self.source
    }

    /// The variables the predicate reads, sorted.
    pub fn variables(&self) -> Vec<String> {
        let mut names: Vec<String> = self
            .program
            .references()
            .variables()
            .into_iter()
            .map(str::to_owned)
            .collect();
        names.sort();
        names
    }

    /// Whether the predicate holds for `incident`.
    pub fn matches(&self, incident: &Incident) -> Result<bool, EvalError> {
        let mut context = Context::default();
        context.add_variable_from_value("kind", incident.kind.as_str());
        context.add_variable_from_value("origin", incident.origin.clone());
        context.add_variable_from_value("confidence", incident.confidence);
        context.add_variable_from_value("zones", incident.zones.clone());
        context.add_variable_from_value("infrastructure", incident.infrastructure.clone());
        let fields: HashMap<String, Value> = incident
            .fields
            .iter()
            .map(|(k, v)| (k.clone(), field_value(v)))
            .collect();
        context.add_variable_from_value("fields", fields);
        self.run(&context)
    }

    /// Whether a review's performance trigger holds for `metrics`.
    pub fn matches_metrics(&self, metrics: &HashMap<String, f64>) -> Result<bool, EvalError> {
        let mut context = Context::default();
        context.add_variable_from_value("metrics", metrics.clone());
        self.run(&context)
    }

    fn run(&self, context: &Context) -> Result<bool, EvalError> {
        match self.program.execute(context) {
            Ok(Value::Bool(b)) => Ok(b),
            Ok(other) => Err(EvalError::NotBool {
                predicate: self.source.clone(),
                value: format!("{other:?}"),
            }),
            Err(e) => Err(EvalError::Execution {
                predicate: self.source.clone(),
                message: e.to_string(),
            }),
        }
    }
}

fn field_value(v: &FieldValue) -> Value {
    match v {
        FieldValue::Bool(b) => Value::Bool(*b),
        FieldValue::Int(i) => Value::Int(*i),
        FieldValue::Float(f) => Value::Float(*f),
        FieldValue::Text(s) => Value::from(s.as_str()),
    }
}

/// The offset of the first bracket past the depth limit, counting brackets
/// even inside string literals: that over-counts, which only makes it stricter.
fn too_deep(source: &str) -> Option<usize> {
    let mut depth = 0usize;
    for (offset, c) in source.char_indices() {
        match c {
            '(' | '[' | '{' => {
                depth += 1;
                if depth > limits::predicate_depth_max {
                    return Some(offset);
                }
            }
            ')' | ']' | '}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    None
}

/// CEL reports 1-based line and column; the checker wants a byte offset.
fn offset_of(source: &str, line: isize, column: isize) -> usize {
    let line = usize::try_from(line.max(1)).unwrap_or(1);
    let column = usize::try_from(column.max(1)).unwrap_or(1);
    let line_start: usize = source
        .split_inclusive('\n')
        .take(line - 1)
        .map(str::len)
        .sum::<usize>()
        .min(source.len());
    let rest = &source[line_start..];
    let within = rest
        .char_indices()
        .nth(column - 1)
        .map_or(rest.len(), |(i, _)| i);
    line_start + within
}
