//! Bad input is recorded with its reason; the engine goes on and never panics.

use model::IncidentKind;
use model::incident::FieldValue;

use crate::{Build, activations, engine, entry, incident, lines};

#[test]
fn bad_incidents_are_recorded_with_their_reason_and_the_engine_goes_on() {
    let mut e = engine();
    let mut nan = entry("nan", 1);
    nan.confidence = f64::NAN;
    let batch = vec![
        // Before the pact took effect.
        incident("past", IncidentKind::AirspaceEntry, -60 * 24 * 30),
        entry("ok", 0).zones(&["pl-belt", "atlantis"]),
        // Unknown infrastructure: not counted.
        incident("cyber-x", IncidentKind::CyberAttack, 2)
            .site("no-such-site")
            .field("severity", FieldValue::Int(5)),
        // A field of the wrong type for the predicate `fields.severity >= 3`.
        incident("cyber-y", IncidentKind::CyberAttack, 3)
            .site("grid-1")
            .field("severity", FieldValue::Text("high".to_owned())),
        nan,
        // A day ahead of the watermark.
        entry("future", 60 * 24),
        // And the engine still works: a good cyber incident activates its rung.
        incident("cyber-z", IncidentKind::CyberAttack, 4)
            .site("grid-1")
            .field("severity", FieldValue::Int(4)),
    ];
    let records = e.process(&batch);
    let text = lines(&records);
    let diagnostics: Vec<&String> = text
        .iter()
        .filter(|l| l.starts_with("diagnostic"))
        .collect();
    assert_eq!(diagnostics.len(), 6, "{text:#?}");
    assert!(diagnostics[0].contains("outside_pact"));
    assert!(diagnostics[1].contains("\"unknown_zone\",\"zone\":\"atlantis\""));
    assert!(diagnostics[2].contains("unknown_infrastructure"));
    assert!(diagnostics[3].contains("predicate_failed") && diagnostics[3].contains("cyber"));
    assert!(diagnostics[4].contains("malformed"));
    assert!(diagnostics[5].contains("too_far_in_future"));
    let responses: Vec<&str> = activations(&records)
        .iter()
        .map(|a| a.response.as_str())
        .collect();
    assert_eq!(responses, ["intercept", "cyber-response"]);
    // The future incident did not drag the watermark (or the deadlines) forward.
    assert_eq!(e.watermark(), Some(crate::at(4)));
}

/// Times at the ends of `model::Time`'s range: the first incident of a stream
/// (no watermark yet to be "too far ahead" of) dated near i64::MAX µs would
/// otherwise become the watermark and overflow every deadline computed from it;
/// one near i64::MIN is before the pact. Both are refused with their reason and
/// the engine goes on to activate on a good incident.
#[test]
fn times_at_the_ends_of_the_range_are_refused_and_the_engine_goes_on() {
    let far = |id: &str, unix_us: i64| {
        let mut i = entry(id, 0);
        i.time = model::Time::from_unix_us(unix_us);
        i
    };
    for first in [i64::MAX, i64::MAX / 2, i64::MIN, i64::MIN / 2] {
        let mut e = engine();
        let records = e.process(&[far("far", first), entry("ok", 1)]);
        let text = lines(&records);
        let diagnostics: Vec<&String> = text
            .iter()
            .filter(|l| l.starts_with("diagnostic"))
            .collect();
        assert_eq!(diagnostics.len(), 1, "{first}: {text:#?}");
        let reason = if first > 0 {
            "malformed"
        } else {
            "outside_pact"
        };
        assert!(diagnostics[0].contains(reason), "{first}: {text:#?}");
        assert_eq!(e.watermark(), Some(crate::at(1)), "{first}");
        assert_eq!(activations(&records).len(), 1, "{first}: {text:#?}");
        // Ahead of a watermark by more than any pact's span: refused, no overflow.
        let records = e.process(&[far("far-2", i64::MAX)]);
        assert!(lines(&records)[0].contains("malformed"), "{first}");
    }
}
