//! `guarantor attribute --suite`: the scenario suite through the real loop (sim →
//! wire formats → feeds → fusion → attribution, `chain::run` as the demo runs it),
//! here on a short window of the cyber case with its civil air traffic.

use std::path::PathBuf;
use std::process::Command;

/// The row of `kind` in the first table (end to end): emitted, true, unseen by any
/// sensor, matched.
fn row(table: &str, kind: &str) -> Option<(u32, u32, u32, u32)> {
    let line = table.lines().find(|l| l.starts_with(kind))?;
    let f: Vec<&str> = line.split_whitespace().collect();
    Some((
        f[1].parse().ok()?,
        f[2].parse().ok()?,
        f[3].parse().ok()?,
        f[4].parse().ok()?,
    ))
}

#[test]
fn the_suite_scores_the_real_loop_per_kind() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let work = std::env::temp_dir().join(format!("guarantor-attribute-{}", std::process::id()));
    let out = Command::new(env!("CARGO_BIN_EXE_guarantor"))
        .current_dir(&root)
        .args([
            "attribute",
            "--suite",
            "--scenario",
            "scenarios/cyber-grid.toml",
            "--minutes",
            "120",
            "--work",
        ])
        .arg(&work)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stdout}\n{stderr}");
    let end_to_end = stdout
        .split("sim → wire formats → feeds → fusion → attribution")
        .nth(1)
        .unwrap_or_else(|| panic!("no end-to-end table:\n{stdout}"));
    // Both destructive attacks fall in the first two hours; the espionage one later.
    assert_eq!(
        row(end_to_end, "cyber_attack"),
        Some((2, 2, 0, 2)),
        "{stdout}"
    );
    assert!(
        end_to_end.contains("time to attribution, end to end"),
        "{stdout}"
    );
    let truth = end_to_end
        .split("truth tracks → attribution")
        .nth(1)
        .unwrap_or_else(|| panic!("no truth-track table:\n{stdout}"));
    assert_eq!(row(truth, "cyber_attack"), Some((2, 2, 0, 2)), "{stdout}");
    // The civil traffic raises nothing.
    for kind in [
        "airspace_entry",
        "airspace_violation",
        "drone_over_infrastructure",
    ] {
        assert_eq!(row(end_to_end, kind), None, "{stdout}");
    }
    let _ = std::fs::remove_dir_all(&work);
}
