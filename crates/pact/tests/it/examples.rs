//! The example pacts check clean, the demo's summary names their parts, and
//! the committed JSON Schema is the generated one.

use pact::DiskFiles;

use crate::{expect_file, workspace_root};

fn check_example(name: &str) -> pact::Checked {
    let dir = workspace_root().join("pacts");
    let checked = pact::check(&DiskFiles::new(&dir), name).unwrap();
    assert!(checked.is_clean(), "{name}:\n{}", checked.render());
    checked
}

#[test]
fn ukraine_shield_checks_clean_and_compiles() {
    let compiled = check_example("ukraine-shield.toml").compiled.unwrap();
    assert!(!compiled.ladder.is_empty());
    assert!(compiled.backing.iter().all(|b| b.backed));
    let summary = compiled.summary();
    for part in [
        "parties",
        "indicators",
        "the ladder",
        "commitments",
        "clauses",
    ] {
        assert!(summary.contains(part), "summary lacks {part}:\n{summary}");
    }
}

#[test]
fn the_committed_schema_is_the_generated_one() {
    let path = workspace_root().join("pacts/pact.schema.json");
    expect_file(&path, &pact::schema());
}

#[test]
fn article5_style_checks_clean_and_waits_for_consultation() {
    let compiled = check_example("article5-style.toml").compiled.unwrap();
    assert_eq!(
        compiled.activation.mode,
        pact::syntax::ActivationMode::Consultation
    );
    assert_eq!(
        compiled.activation.decision_delay,
        Some(model::Duration::from_hours(96))
    );
    // The same indicators as the automatic text, so the two can be compared incident by incident.
    let shield = check_example("ukraine-shield.toml").compiled.unwrap();
    let ids = |c: &pact::CompiledPact| {
        c.indicators
            .iter()
            .map(|i| i.id.clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(ids(&compiled), ids(&shield));
}
