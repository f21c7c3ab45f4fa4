//! Indicators' admission: kind, confidence and zones first, then the CEL
//! predicate, run against one standard environment built once per engine.
//!
//! `pact::Predicate::matches` builds a fresh `cel::Context` per call, and with
//! it CEL's whole standard library (`Env::stdlib`): callgrind put that at 85%
//! of the CEL indicator path. Here each predicate's text is compiled again with
//! `cel::Program::compile` (as the pact crate does), executed in a context over
//! a shared `Env`, and its variables are resolved from the incident on demand:
//! only the ones the predicate reads are built, as CEL values borrowing the
//! incident's strings (no `Value` built and converted again). Results and error
//! texts are those of `Predicate::matches` (tested below).

use std::collections::HashMap;
use std::sync::Arc;

use cel::common::types::{
    CelBool, CelDouble, CelInt, CelList, CelMap, CelMapKey, CelNull, CelString,
};
use cel::common::value::{CowVal, Val};
use cel::context::VariableResolver;
use cel::{Context, Env, Program, Value};
use model::Incident;
use model::incident::FieldValue;
use pact::{CompiledIndicator, EvalError};

/// The compiled predicates of a pact's indicators, in order.
pub(crate) struct Admission {
    env: Arc<Env>,
    /// `None` for an indicator without a predicate, or (never seen, but kept
    /// safe) one whose text does not compile again: that one runs `matches`.
    programs: Vec<Option<Program>>,
}

impl std::fmt::Debug for Admission {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Admission")
            .field("programs", &self.programs.len())
            .finish()
    }
}

impl Admission {
    pub fn new(indicators: &[CompiledIndicator]) -> Admission {
        Admission {
            env: Arc::new(Env::stdlib()),
            programs: indicators
                .iter()
                .map(|i| {
                    let source = i.predicate.as_ref()?.source();
                    Program::compile(source).ok()
                })
                .collect(),
        }
    }

    /// Whether indicator `idx` admits `incident`: the same answer, and the same
    /// error text, as `CompiledIndicator::admits`.
    pub fn admits(
        &self,
        idx: usize,
        indicator: &CompiledIndicator,
        incident: &Incident,
    ) -> Result<bool, String> {
        if incident.kind != indicator.incident || incident.confidence < indicator.min_confidence {
            return Ok(false);
        }
        if !indicator.zones.is_empty()
            && !incident.zones.iter().any(|z| indicator.zones.contains(z))
        {
            return Ok(false);
        }
        let Some(predicate) = &indicator.predicate else {
            return Ok(true);
        };
        let Some(program) = &self.programs[idx] else {
            return predicate.matches(incident).map_err(|e| e.to_string());
        };
        let vars = IncidentVars(incident);
        let mut context = Context::with_env(Arc::clone(&self.env));
        context.set_variable_resolver(&vars);
        match program.execute(&context) {
            Ok(Value::Bool(b)) => Ok(b),
            Ok(other) => Err(EvalError::NotBool {
                predicate: predicate.source().to_owned(),
                value: format!("{other:?}"),
            }
            .to_string()),
            Err(e) => Err(EvalError::Execution {
                predicate: predicate.source().to_owned(),
                message: e.to_string(),
            }
            .to_string()),
        }
    }
}

/// An incident's variables, with the values `pact::Predicate::matches` binds
/// (a string or null, a double, a list of strings, a map of fields).
struct IncidentVars<'a>(&'a Incident);

impl VariableResolver for IncidentVars<'_> {
    fn resolve<'b>(&'b self, variable: &str) -> Option<CowVal<'b, 'b>> {
        let incident = self.0;
        let value: Box<dyn Val + 'b> = match variable {
            "kind" => Box::new(CelString::from(incident.kind.as_str())),
            "origin" => text_or_null(incident.origin.as_deref()),
            "confidence" => Box::new(CelDouble::from(incident.confidence)),
            "zones" => Box::new(CelList::from(
                incident
                    .zones
                    .iter()
                    .map(|z| Box::new(CelString::from(z.as_str())) as Box<dyn Val + 'b>)
                    .collect::<Vec<_>>(),
            )),
            "infrastructure" => text_or_null(incident.infrastructure.as_deref()),
            "fields" => Box::new(CelMap::from(
                incident
                    .fields
                    .iter()
                    .map(|(k, v)| (CelMapKey::from(k.as_str()), field_value(v)))
                    .collect::<HashMap<_, _>>(),
            )),
            _ => return None,
        };
        Some(CowVal::Owned(value))
    }
}

fn text_or_null<'b>(text: Option<&'b str>) -> Box<dyn Val + 'b> {
    match text {
        Some(s) => Box::new(CelString::from(s)),
        None => Box::new(CelNull),
    }
}

fn field_value<'b>(v: &'b FieldValue) -> Box<dyn Val + 'b> {
    match v {
        FieldValue::Bool(b) => Box::new(CelBool::from(*b)),
        FieldValue::Int(i) => Box::new(CelInt::from(*i)),
        FieldValue::Float(f) => Box::new(CelDouble::from(*f)),
        FieldValue::Text(s) => Box::new(CelString::from(s.as_str())),
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use model::{Duration, Evidence, IncidentId, IncidentKind, Time};
    use pact::Predicate;
    use pact::syntax::Threshold;

    use super::*;

    fn indicator(when: &str, zones: &[&str]) -> CompiledIndicator {
        CompiledIndicator {
            id: "i".to_owned(),
            name: String::new(),
            incident: IncidentKind::AirspaceEntry,
            predicate: Some(Predicate::compile(when).expect("the test predicate compiles")),
            threshold: Threshold {
                count: Some(1),
                sum: None,
                at_least: None,
                within: Duration::from_mins(60),
            },
            min_confidence: 0.5,
            zones: zones.iter().map(|z| (*z).to_owned()).collect(),
        }
    }

    fn incident(n: usize) -> Incident {
        let mut fields = BTreeMap::new();
        if n.is_multiple_of(2) {
            fields.insert(
                "state_originated".to_owned(),
                FieldValue::Bool(n.is_multiple_of(4)),
            );
        }
        if !n.is_multiple_of(3) {
            let class = ["drone", "missile", "balloon"][n % 3];
            fields.insert("class".to_owned(), FieldValue::Text(class.to_owned()));
        }
        if n % 5 == 1 {
            fields.insert("severity".to_owned(), FieldValue::Int(n as i64 % 6));
        }
        if n % 5 == 2 {
            // The wrong type for `severity >= 3`.
            fields.insert("severity".to_owned(), FieldValue::Text("high".to_owned()));
        }
        if n % 7 == 3 {
            fields.insert("length_m".to_owned(), FieldValue::Float(n as f64 * 97.0));
        }
        Incident {
            id: IncidentId::new(format!("i{n}")),
            kind: if n.is_multiple_of(11) {
                IncidentKind::CyberAttack
            } else {
                IncidentKind::AirspaceEntry
            },
            time: Time::from_unix_us(0),
            position: None,
            zones: match n % 4 {
                0 => vec![],
                1 => vec!["pl-belt".to_owned()],
                2 => vec!["ua-airspace".to_owned(), "pl-belt".to_owned()],
                _ => vec!["elsewhere".to_owned()],
            },
            infrastructure: (n % 3 == 1).then(|| "grid-1".to_owned()),
            origin: (n % 2 == 1).then(|| "RU".to_owned()),
            confidence: [0.2, 0.5, 0.9][n % 3],
            fields,
            evidence: Evidence {
                items: Vec::new(),
                method: String::new(),
                confidence: 0.9,
                statement: String::new(),
                contradictions: Vec::new(),
            },
            time_to_attribution: Duration::ZERO,
        }
    }

    #[test]
    fn admission_answers_as_the_pact_does_with_the_same_errors() {
        let predicates = [
            "fields.state_originated == true",
            "fields.state_originated == true && fields['class'] in ['drone', 'missile']",
            "fields['class'] == 'drone'",
            "infrastructure != null && fields.severity >= 3",
            "infrastructure != null && fields.length_m >= 1000",
            "has(fields.class) && size(fields) > 1",
            "kind == 'airspace_entry' && origin == 'RU' && confidence > 0.6",
            "'pl-belt' in zones && size(zones) == 1",
            "zones == ['pl-belt'] || zones.exists(z, z.startsWith('ua'))",
            "origin == null || infrastructure == null",
            "type(fields) == map && type(kind) == string && type(confidence) == double",
            "fields.all(k, k != 'severity') && fields.length_m > 9.5",
            "fields.severity == 2 || fields.state_originated",
            "fields['class'] + '!'",
            "fields.severity",
            "undeclared > 1",
        ];
        let (mut n_true, mut n_false, mut n_err) = (0, 0, 0);
        for when in predicates {
            for zones in [&[][..], &["pl-belt"][..]] {
                let indicators = [indicator(when, zones)];
                let admission = Admission::new(&indicators);
                for n in 0..200 {
                    let inc = incident(n);
                    let want = indicators[0].admits(&inc).map_err(|e| e.to_string());
                    let got = admission.admits(0, &indicators[0], &inc);
                    assert_eq!(got, want, "`{when}` over incident {n}");
                    match got {
                        Ok(true) => n_true += 1,
                        Ok(false) => n_false += 1,
                        Err(_) => n_err += 1,
                    }
                }
            }
        }
        // Every outcome is exercised, errors (missing key, wrong type, not a bool) included.
        assert!(
            n_true > 100 && n_false > 100 && n_err > 100,
            "{n_true} {n_false} {n_err}"
        );
    }
}
