//! The checker's suite: each `broken/<case>.toml` beside `<case>.expected`
//! holding the exact rendered diagnostics.

use pact::DiskFiles;

use crate::{data_dir, expect_file};

/// Checks one case against its expected diagnostics; returns how many there were.
fn check(case: &str) -> usize {
    let dir = data_dir().join("broken");
    let checked = pact::check(&DiskFiles::new(&dir), &format!("{case}.toml")).unwrap();
    expect_file(&dir.join(format!("{case}.expected")), &checked.render());
    assert!(
        checked.compiled.is_none()
            || checked
                .diagnostics
                .iter()
                .all(|d| d.severity == pact::Severity::Warning)
    );
    checked.diagnostics.len()
}

#[test]
fn every_broken_pact_gives_its_expected_diagnostics() {
    let mut cases: Vec<String> = std::fs::read_dir(data_dir().join("broken"))
        .unwrap()
        .filter_map(|e| {
            e.ok()?
                .file_name()
                .to_str()?
                .strip_suffix(".toml")
                .map(str::to_owned)
        })
        .collect();
    cases.sort();
    assert!(cases.len() >= 15, "the suite lost cases: {cases:?}");
    for case in &cases {
        let n = check(case);
        assert!(n > 0, "broken case `{case}` checked clean");
    }
}

/// Every analysis has at least one case that shows it.
#[test]
fn every_analysis_has_a_case() {
    let dir = data_dir().join("broken");
    let mut all = String::new();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "expected") {
            all.push_str(&std::fs::read_to_string(path).unwrap());
        }
    }
    for code in [
        "toml-syntax",
        "unknown-field",
        "missing-field",
        "invalid-value",
        "unknown-reference",
        "unreachable-response",
        "unused-indicator",
        "escalation-cycle",
        "no-go-overlap",
        "invalid-geometry",
        "invalid-geojson",
        "unreadable-file",
        "consultation-too-long",
        "unbacked-clause",
        "unbacked-commitment",
        "empty-phase",
        "empty-deliverable",
        "invalid-cel",
        "unknown-variable",
        "invalid-key",
        "duplicate-id",
        "wrong-zone-kind",
    ] {
        assert!(
            all.contains(&format!("[{code}]")),
            "no broken case shows `{code}`"
        );
    }
    assert!(
        all.contains("did you mean"),
        "no case shows a \"did you mean\""
    );
}

#[test]
fn the_base_of_the_broken_cases_checks_clean() {
    let checked = pact::check(&DiskFiles::new(data_dir().join("ok")), "small.toml").unwrap();
    assert_eq!(checked.render(), "0 error(s), 0 warning(s)\n");
    assert!(checked.compiled.is_some());
}

#[test]
fn json_diagnostics_carry_place_excerpt_and_fix() {
    let dir = data_dir().join("broken");
    let checked = pact::check(&DiskFiles::new(&dir), "consultation-too-long.toml").unwrap();
    let json = serde_json::to_value(&checked.diagnostics).unwrap();
    let first = &json[0];
    assert_eq!(first["code"], "consultation-too-long");
    assert_eq!(first["file"], "consultation-too-long.toml");
    assert!(first["line"].as_u64().unwrap() > 1);
    assert!(
        first["excerpt"]
            .as_str()
            .unwrap()
            .contains("window = \"12h\"")
    );
    assert!(first["caret"].as_str().unwrap().contains('^'));
    assert!(first["fix"].as_str().unwrap().contains("4h"));
}

#[test]
fn an_unreadable_pact_is_an_error_not_a_finding() {
    let err = pact::check(&DiskFiles::new(data_dir()), "no-such-pact.toml").unwrap_err();
    assert!(matches!(err, pact::Unreadable::Read { .. }), "{err}");
    let files = pact::MemoryFiles::new().with("bin.toml", vec![0xff, 0xfe, 0x00]);
    let err = pact::check(&files, "bin.toml").unwrap_err();
    assert!(matches!(err, pact::Unreadable::NotUtf8 { .. }), "{err}");
}
