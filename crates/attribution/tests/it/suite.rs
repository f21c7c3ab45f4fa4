//! The scenario suite at a size CI affords, on tracks made from the truth
//! (attribution's own errors; `guarantor attribute --score` adds fusion).

use model::IncidentKind;
use model::incident::FieldValue;

use crate::{run_truth, workspace};

#[test]
fn suite_meets_the_bars_per_kind() {
    let root = workspace();
    let mut total = attribution::score::Score::default();
    for (path, minutes) in [
        ("scenarios/baltic-cable.toml", None),
        ("scenarios/cyber-grid.toml", None),
        ("scenarios/border-probe.toml", None),
        ("scenarios/quiet-day.toml", Some(180)),
        ("scenarios/night-wave.toml", Some(420)),
    ] {
        let run = run_truth(&root.join(path), minutes, None);
        total.add(&run.score);
    }
    println!("{}", total.table());
    for m in total.misses.iter().take(20) {
        println!("{m}");
    }
    let misses = total.misses.join("\n");
    for (kind, s) in &total.kinds {
        assert!(
            s.precision() >= 0.95,
            "{}: precision {:.3}\n{}{misses}",
            kind.as_str(),
            s.precision(),
            total.table()
        );
        assert!(
            s.recall() >= 0.95,
            "{}: recall {:.3}\n{}{misses}",
            kind.as_str(),
            s.recall(),
            total.table()
        );
    }
    for kind in [
        IncidentKind::AirspaceEntry,
        IncidentKind::AirspaceViolation,
        IncidentKind::MassIncursion,
        IncidentKind::AnchorDrag,
        IncidentKind::CyberAttack,
        IncidentKind::InfrastructureDamage,
    ] {
        assert!(
            total.kinds.get(&kind).is_some_and(|s| s.truth > 0),
            "the suite has no true {}",
            kind.as_str()
        );
    }
    let damage = total.kinds[&IncidentKind::InfrastructureDamage];
    assert_eq!(
        damage.suspect_first, damage.suspect_checked,
        "the dragging vessel is the first suspect"
    );
    assert_eq!(total.decoy_entries_from_outside, 0);
}

#[test]
fn quiet_day_raises_nothing() {
    let run = run_truth(
        &workspace().join("scenarios/quiet-day.toml"),
        Some(240),
        Some(7),
    );
    assert!(run.incidents.is_empty(), "{:#?}", run.incidents.first());
}

#[test]
fn decoy_loop_is_no_entry_and_a_violation_has_duration_and_depth() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/it/data/decoy-and-violation.toml");
    let run = run_truth(&path, None, None);
    println!("{}", run.score.table());
    assert_eq!(run.score.decoy_entries_from_outside, 0);
    let entries: Vec<_> = run
        .incidents
        .iter()
        .filter(|i| i.kind == IncidentKind::AirspaceEntry)
        .collect();
    assert!(!entries.is_empty());
    for e in &entries {
        assert_eq!(e.origin.as_deref(), Some("RU"), "{}", e.evidence.statement);
        assert_eq!(
            e.fields.get("state_originated"),
            Some(&FieldValue::Bool(true))
        );
    }
    let violation = run
        .incidents
        .iter()
        .find(|i| i.kind == IncidentKind::AirspaceViolation)
        .expect("a violation");
    assert!(
        matches!(violation.fields.get("duration_s"), Some(FieldValue::Float(d)) if *d > 60.0),
        "{violation:#?}"
    );
    assert!(
        matches!(violation.fields.get("depth_m"), Some(FieldValue::Float(d)) if *d > 1_000.0),
        "{violation:#?}"
    );
    assert_eq!(
        violation.fields.get("into"),
        Some(&FieldValue::Text("PL".into()))
    );
    for (kind, s) in &run.score.kinds {
        assert_eq!(
            (s.matched, s.emitted),
            (s.truth, s.truth),
            "{}\n{}",
            kind.as_str(),
            run.score.table()
        );
    }
}

#[test]
fn same_inputs_same_incidents_and_ids() {
    let path = workspace().join("scenarios/baltic-cable.toml");
    let a = run_truth(&path, None, None);
    let b = run_truth(&path, None, None);
    assert!(!a.incidents.is_empty());
    let ja: Vec<String> = a
        .incidents
        .iter()
        .map(|i| serde_json::to_string(i).unwrap_or_default())
        .collect();
    let jb: Vec<String> = b
        .incidents
        .iter()
        .map(|i| serde_json::to_string(i).unwrap_or_default())
        .collect();
    assert_eq!(ja, jb);
}
