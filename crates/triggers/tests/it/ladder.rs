//! The ladder: idempotence, escalation, stand-down, consultation texts, caps and no-go areas.

use triggers::{ActivationCause, Config, Engine, Record};

use crate::{Build, activations, engine, entry, lines, pact_with};

#[test]
fn the_same_incident_never_activates_the_same_rung_twice() {
    let mut e = engine();
    let first = e.process(&[entry("a", 0)]);
    assert_eq!(activations(&first).len(), 1);
    // The same incident again, in the same batch and in the next: nothing new.
    let again = e.process(&[entry("a", 0), entry("a", 0)]);
    assert!(activations(&again).is_empty(), "{:?}", lines(&again));
    assert!(!lines(&again).iter().any(|l| l.contains("recurred")));
}

#[test]
fn an_activation_carries_its_full_reason() {
    let mut e = engine();
    let records = e.process(&[entry("a", 0)]);
    let a = activations(&records)[0];
    assert_eq!(a.id, "test/intercept/1");
    assert_eq!(a.rung, 1);
    assert_eq!(a.rule_hash.len(), 64);
    assert_eq!(a.deadline, crate::at(60));
    assert_eq!(a.indicators[0].indicator, "entry");
    assert_eq!(a.indicators[0].count, 1);
    assert_eq!(
        a.incidents.iter().map(|i| i.as_str()).collect::<Vec<_>>(),
        ["a"]
    );
    assert_eq!(a.obligations, ["test/intercept/1/0", "test/intercept/1/1"]);
    let consultation = a.consultation.as_ref().unwrap();
    assert_eq!(consultation.closes_at, crate::at(30));
    // Another pact text hashes differently.
    let other = Engine::new(
        pact_with(|t| t.replace("deadline = \"1h\"", "deadline = \"2h\"")),
        Config::default(),
    )
    .process(&[entry("a", 0)]);
    assert_ne!(activations(&other)[0].rule_hash, a.rule_hash);
}

#[test]
fn a_recurrence_after_the_escalation_delay_escalates_to_the_next_rung() {
    let mut e = engine();
    e.process(&[entry("a", 0)]);
    // Discharge both obligations so the deadline does not escalate first.
    e.discharge(crate::at(20), "test/intercept/1/0", "PL");
    e.discharge(crate::at(20), "test/intercept/1/1", "UA");
    // Before the 2 h delay a recurrence is recorded, not escalated.
    let early = e.process(&[entry("b", 90)]);
    assert!(
        lines(&early).iter().any(|l| l.contains("recurred")),
        "{:?}",
        lines(&early)
    );
    assert!(activations(&early).is_empty());
    let late = e.process(&[entry("c", 130)]);
    let a = activations(&late);
    assert_eq!(a.len(), 1, "{:?}", lines(&late));
    assert_eq!(a[0].response, "surge");
    assert_eq!(a[0].cause, ActivationCause::EscalationRecurrence);
    assert_eq!(a[0].escalated_from.as_deref(), Some("test/intercept/1"));
}

#[test]
fn an_overdue_obligation_escalates() {
    let mut e = engine();
    e.process(&[entry("a", 0)]);
    e.acknowledge(crate::at(10), "test/intercept/1/0", "PL", None);
    let records = e.advance(crate::at(61));
    let text = lines(&records);
    let overdue = text
        .iter()
        .position(|l| l.contains("obligation_overdue"))
        .unwrap();
    assert!(text[overdue + 1].contains("escalated"), "{text:?}");
    let a = activations(&records);
    assert_eq!(a[0].response, "surge");
    assert_eq!(a[0].cause, ActivationCause::EscalationOverdue);
    assert_eq!(a[0].at, crate::at(60));
}

#[test]
fn a_quiet_activation_stands_down_and_cancels_what_is_open() {
    let config = Config {
        stand_down_after: Some(model::Duration::from_mins(30)),
        ..Config::default()
    };
    let mut e = Engine::new(pact_with(|t| t), config);
    e.process(&[entry("a", 0)]);
    let records = lines(&e.advance(crate::at(45)));
    assert!(records.iter().any(|l| l.contains("expired")), "{records:?}");
    assert_eq!(
        records
            .iter()
            .filter(|l| l.contains("obligation_cancelled"))
            .count(),
        2
    );
    // After the stand-down a new incident activates the rung again, as activation 2.
    let again = e.process(&[entry("b", 50)]);
    assert_eq!(activations(&again)[0].id, "test/intercept/2");
}

#[test]
fn an_all_trigger_needs_every_indicator_to_hold() {
    let mut e = engine();
    // Three belt entries: `mass` and `entry` both hold, so `surge` (all) fires with `intercept`.
    let records = e.process(&[entry("a", 0), entry("b", 5), entry("c", 10)]);
    let responses: Vec<&str> = activations(&records)
        .iter()
        .map(|a| a.response.as_str())
        .collect();
    assert_eq!(responses, ["intercept", "surge"]);
}

#[test]
fn under_a_consultation_text_the_indicator_opens_a_consultation_that_decides_later() {
    let pact = pact_with(|t| {
        t.replace(
            "mode = \"automatic\"",
            "mode = \"consultation\"\ndecision_delay = \"96h\"",
        )
    });
    let mut e = Engine::new(pact, Config::default());
    let records = e.process(&[entry("a", 0)]);
    assert!(activations(&records).is_empty());
    assert!(
        lines(&records)
            .iter()
            .any(|l| l.contains("decision_pending"))
    );
    let decided = e.advance(crate::at(96 * 60));
    let a = activations(&decided);
    assert_eq!(a.len(), 1);
    assert_eq!(
        (a[0].trigger_at, a[0].at),
        (crate::at(0), crate::at(96 * 60))
    );
}

#[test]
fn a_measure_with_no_target_in_its_zones_or_only_in_a_no_go_area_is_flagged_not_issued() {
    let flagged = |records: &[Record]| -> Vec<String> {
        records
            .iter()
            .filter_map(|r| match r {
                Record::MeasureFlagged(f) => Some(format!("{} {}", f.party, f.reason)),
                _ => None,
            })
            .collect()
    };
    // In the belt and in the no-go strip (lat 52, lon 24): the military measure is flagged,
    // the diplomatic one issued.
    let mut e = engine();
    let records = e.process(&[entry("a", 0).at_position(52.0, 24.0)]);
    let f = flagged(&records);
    assert_eq!(f.len(), 1, "{f:?}");
    assert!(
        f[0].starts_with("PL every target is in a no-go area"),
        "{f:?}"
    );
    assert_eq!(activations(&records)[0].obligations, ["test/intercept/1/1"]);
    // In the belt but outside the engagement zone.
    let mut e = engine();
    let f = flagged(&e.process(&[entry("a", 0).at_position(52.0, 21.5)]));
    assert!(
        f[0].contains("no target inside the measure's zones"),
        "{f:?}"
    );
    // In the engagement zone: issued.
    let mut e = engine();
    assert!(flagged(&e.process(&[entry("a", 0)])).is_empty());
}

#[test]
fn more_targets_than_the_engagement_cap_flag_the_measure() {
    // Belt entries without the state-originated field: only `mass` counts them.
    let mut e = engine();
    let belt: Vec<_> = (0..6)
        .map(|i| {
            crate::incident(&format!("m{i}"), model::IncidentKind::AirspaceEntry, i)
                .zones(&["pl-belt"])
                .at_position(50.5, 22.5)
        })
        .collect();
    let mut records = e.process(&belt[..2]);
    records.extend(e.process(&belt[2..3]));
    assert_eq!(activations(&records)[0].incidents.len(), 3);
    assert!(
        !records
            .iter()
            .any(|r| matches!(r, Record::MeasureFlagged(_)))
    );
    // With the cap lowered to two, three targets are too many.
    let mut e = Engine::new(
        pact_with(|t| t.replace("engagements_max = 5", "engagements_max = 2")),
        Config::default(),
    );
    let mut records = e.process(&belt[..2]);
    records.extend(e.process(&belt[2..3]));
    let reasons: Vec<String> = records
        .iter()
        .filter_map(|r| match r {
            Record::MeasureFlagged(f) => Some(f.reason.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(reasons.len(), 1);
    assert!(
        reasons[0].starts_with("3 targets would need more than the 2 engagements"),
        "{reasons:?}"
    );
}

#[test]
fn the_cost_ratio_cap_flags_an_effector_too_dear_for_the_threat() {
    let config = Config {
        asset_cost_usd: [("f16".to_owned(), 500_000.0)].into_iter().collect(),
        ..Config::default()
    };
    let mut e = Engine::new(
        pact_with(|t| {
            t.replace(
                "engagements_max = 5,",
                "engagements_max = 5, cost_ratio_max = 10.0,",
            )
        }),
        config,
    );
    let cheap = entry("a", 0).field(
        "unit_cost_usd",
        model::incident::FieldValue::Float(20_000.0),
    );
    let records = e.process(&[cheap]);
    let flagged: Vec<_> = records
        .iter()
        .filter_map(|r| match r {
            Record::MeasureFlagged(f) => Some(f.reason.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(flagged.len(), 1);
    assert!(flagged[0].contains("ratio of 25.0"), "{flagged:?}");
}

/// A `Recurred` record is written when an indicator is met anew while its rung is
/// active, not for every incident while it keeps holding; those still keep the
/// activation from standing down (its `quiet_since` is the last of them). (`surge`,
/// activated at 40 by `all = [entry, mass]`, does not hold after and stands down from 40.)
#[test]
fn a_recurrence_is_recorded_when_the_indicator_is_met_anew_and_silent_ones_still_count() {
    let config = Config {
        stand_down_after: Some(model::Duration::from_mins(90)),
        ..Config::default()
    };
    let mut e = Engine::new(pact_with(|t| t), config);
    assert_eq!(activations(&e.process(&[entry("a", 0)])).len(), 1);
    // Inside the 1 h window of `entry`: it keeps holding, nothing recorded.
    let holding = e.process(&[entry("b", 10), entry("c", 40)]);
    assert!(
        !lines(&holding).iter().any(|l| l.contains("recurred")),
        "{:?}",
        lines(&holding)
    );
    // Met anew after a quiet spell (last met at 40, held until 100): recorded, with its incident.
    // Then `e` inside d's window: silent again.
    let anew = lines(&e.process(&[entry("d", 105), entry("e", 120)]));
    let recurred: Vec<&String> = anew.iter().filter(|l| l.contains("recurred")).collect();
    assert!(!recurred.is_empty(), "{anew:?}");
    assert!(recurred.iter().all(|l| l.contains("\"d\"")), "{recurred:?}");
    // Quiet from 120, the silent `e`: the stand-down (90 min) counts from it.
    let later = e.advance(crate::at(300));
    let expired: Vec<model::Time> = later
        .iter()
        .filter_map(|r| match r {
            Record::Change(c) => match &c.kind {
                triggers::ChangeKind::Expired {
                    activation,
                    quiet_since,
                } if activation == "test/intercept/1" => Some(*quiet_since),
                _ => None,
            },
            _ => None,
        })
        .collect();
    assert_eq!(expired, [crate::at(120)], "{:?}", lines(&later));
}
