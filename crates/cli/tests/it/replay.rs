//! `guarantor replay --truth-incidents`: the automatic text activates on the Poland
//! replay within 60 s (event time) of its indicator becoming true; the
//! Article-5-style text only after its modelled decision delay. On ground-truth
//! incidents: the real loop (the default) does not meet the bar yet, because fusion
//! loses tracks when several radars' plots interleave (see the demo's summary).

use std::path::PathBuf;
use std::process::Command;

#[test]
fn the_automatic_text_meets_the_60_second_bar_on_the_poland_replay() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let out = std::env::temp_dir().join(format!("guarantor-replay-{}", std::process::id()));
    let status = Command::new(env!("CARGO_BIN_EXE_guarantor"))
        .current_dir(&root)
        .args(["replay", "--truth-incidents", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    let table = std::fs::read_to_string(out.join("replay.md")).unwrap();
    assert!(status.status.success(), "{table}");
    let poland: Vec<&str> = table
        .lines()
        .filter(|l| l.contains("3a-pl-2025-09-10"))
        .collect();
    assert_eq!(poland.len(), 2, "{table}");
    let automatic: Vec<&str> = poland[0].split('|').map(str::trim).collect();
    assert_eq!(automatic[2], "automatic");
    assert!(automatic[3].contains("mass-incursion-pl"), "{table}");
    assert!(automatic[4].starts_with("`air-shield` (rung 1)"), "{table}");
    let seconds: f64 = automatic[5].trim_end_matches(" s").parse().unwrap();
    assert!(seconds <= 60.0, "{table}");
    let article5: Vec<&str> = poland[1].split('|').map(str::trim).collect();
    assert_eq!(article5[5], "96.0 h", "{table}");
    assert!(table.contains(
        "Bar (automatic text, every activation within 60 s of its indicator becoming true): met"
    ));
    let _ = std::fs::remove_dir_all(&out);
}
