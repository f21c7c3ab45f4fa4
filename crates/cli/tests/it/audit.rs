//! `guarantor audit` through the real binary: a log made with `guarantor ledger`, audited
//! against the bundled pact; exit 0 all derived again, 1 a mismatch, 2 unreadable.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn guarantor(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_guarantor"))
        .args(args)
        .output()
        .unwrap()
}

fn text(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// A fresh log in `dir` holding `entries` (JSON lines); returns the log folder and its key.
fn log_of(dir: &Path, entries: &[String]) -> (PathBuf, String) {
    let _ = std::fs::remove_dir_all(dir);
    std::fs::create_dir_all(dir).unwrap();
    let key = dir.join("log.key");
    let log = dir.join("log");
    let made = guarantor(&[
        "ledger",
        "keygen",
        "--name",
        "audit.test/log",
        "--out",
        key.to_str().unwrap(),
    ]);
    assert!(made.status.success(), "{}", text(&made));
    let vkey = String::from_utf8(made.stdout).unwrap().trim().to_owned();
    let init = guarantor(&[
        "ledger",
        "init",
        "--log",
        log.to_str().unwrap(),
        "--key",
        key.to_str().unwrap(),
    ]);
    assert!(init.status.success(), "{}", text(&init));
    let lines = dir.join("entries.jsonl");
    std::fs::write(&lines, entries.join("\n")).unwrap();
    let append = guarantor(&[
        "ledger",
        "append",
        "--log",
        log.to_str().unwrap(),
        "--key",
        key.to_str().unwrap(),
        lines.to_str().unwrap(),
    ]);
    assert!(append.status.success(), "{}", text(&append));
    (log, vkey)
}

fn pact_version(digest: &str) -> String {
    format!(
        r#"{{"type":"pact_version","v":1,"pact":"ukraine-shield","version":"","digest":"{digest}"}}"#
    )
}

#[test]
fn audit_exit_codes_and_messages() {
    let root = std::env::temp_dir().join(format!("guarantor-audit-it-{}", std::process::id()));

    // Unreadable: no log there.
    let missing = root.join("missing");
    let out = guarantor(&[
        "audit",
        missing.to_str().unwrap(),
        "--key",
        "k+00000000+AAAA",
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));

    // Another pact version's digest: exit 1, naming entry 0 and the digest of the text given.
    let wrong = "00".repeat(32);
    let (log, key) = log_of(&root.join("wrong"), &[pact_version(&wrong)]);
    let out = guarantor(&["audit", log.to_str().unwrap(), "--key", &key]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let said = text(&out);
    assert!(
        said.contains("entry 0: pact_version `ukraine-shield` has digest 0000"),
        "{said}"
    );
    let digest = said
        .split("the pact given hashes to ")
        .nth(1)
        .and_then(|rest| rest.get(..64))
        .expect("the message names the given pact's digest")
        .to_owned();

    // The right digest (the same text on disk as bundled) and no decisions: exit 0.
    let (log, key) = log_of(&root.join("clean"), &[pact_version(&digest)]);
    let pact = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../pacts/ukraine-shield.toml");
    let out = guarantor(&[
        "audit",
        log.to_str().unwrap(),
        "--key",
        &key,
        "--pact",
        pact.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(text(&out).contains("every logged decision derived again, byte for byte"));

    // An activation no input leads to: exit 1, naming its entry.
    let forged = r#"{"type":"activation","v":1,"activation":"ukraine-shield/forged/1","rule_version":"0000000000000000000000000000000000000000000000000000000000000000","reason":{}}"#;
    let (log, key) = log_of(
        &root.join("forged"),
        &[pact_version(&digest), forged.to_owned()],
    );
    let out = guarantor(&["audit", log.to_str().unwrap(), "--key", &key]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(
        text(&out).contains(
            "entry 1: activation ukraine-shield/forged/1 is logged but not derived from the logged inputs"
        ),
        "{}",
        text(&out)
    );
    let _ = std::fs::remove_dir_all(&root);
}
