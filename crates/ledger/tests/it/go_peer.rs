//! Go's `golang.org/x/mod/sumdb/note` and `sumdb/tlog` check our log: the checkpoint
//! signature (`note.Open`), the root recomputed from the entry bundles (`tlog.TreeHash`), our
//! hash tiles (`tlog.TileHashReader`), inclusion (`tlog.CheckRecord`) and consistency
//! (`tlog.CheckTree`) proofs. Built in GOPATH mode from the Debian packages `golang-go` and
//! `golang-golang-x-mod-dev`, no network.

use std::path::{Path, PathBuf};
use std::process::Command;

use ledger::note::open_checkpoint;
use ledger::proof::{prove_consistency, prove_inclusion};
use ledger::{CheckpointOutcome, Entry, Log, LogConfig};

use crate::{ORIGIN, entry, log_key, log_signer, trusted};

const GOPATH: &str = "/usr/share/gocode";

fn build_peer(out: &Path) -> Option<PathBuf> {
    if Command::new("go").arg("version").output().is_err() {
        eprintln!("skipped: `go` is not installed (Debian golang-go)");
        return None;
    }
    if !Path::new(GOPATH)
        .join("src/golang.org/x/mod/sumdb/tlog")
        .is_dir()
    {
        eprintln!(
            "skipped: {GOPATH}/src/golang.org/x/mod missing (Debian golang-golang-x-mod-dev)"
        );
        return None;
    }
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/it/go/peer.go");
    let binary = out.join("peer");
    let status = Command::new("go")
        .args(["build", "-o"])
        .arg(&binary)
        .arg(&source)
        .env("GO111MODULE", "off")
        .env("GOPATH", GOPATH)
        .env("GOCACHE", out.join("gocache"))
        .env("GOFLAGS", "")
        .env("GOPROXY", "off")
        .status()
        .unwrap();
    assert!(status.success(), "go build of the peer failed");
    Some(binary)
}

#[test]
fn go_sumdb_verifies_our_checkpoints_tiles_and_proofs() {
    let work = tempfile::tempdir().unwrap();
    let Some(peer) = build_peer(work.path()) else {
        return;
    };
    let dir = work.path().join("log");
    let config = LogConfig {
        origin: ORIGIN.into(),
        witnesses: vec![],
        quorum: 0,
    };
    let mut log = Log::create(&dir, log_signer(), config).unwrap();
    let keys = trusted(&[], 0);
    let mut old_checkpoints = Vec::new();
    // Uneven batches so checkpoints fall inside tiles, on their edges and past level 1.
    for batch in [1u64, 2, 5, 248, 1, 255, 256, 300, 60_000, 6_000, 3] {
        let start = log.size();
        let entries: Vec<Entry> = (start..start + batch).map(entry).collect();
        log.append_entries(&entries).unwrap();
        let CheckpointOutcome::Published { note, .. } = log.checkpoint().unwrap() else {
            panic!("quorum 0 publishes");
        };
        old_checkpoints.push(open_checkpoint("old", &note, &keys).unwrap());
    }
    let size = log.size();
    let mut proofs = String::new();
    let hex = |proof: &[ledger::Hash]| proof.iter().map(|h| format!(" {h}")).collect::<String>();
    for index in (0..size)
        .step_by(97)
        .chain([size - 1, 255, 256, 65535, 65536])
    {
        let proof = prove_inclusion(&dir, size, index).unwrap();
        proofs.push_str(&format!("inclusion {index}{}\n", hex(&proof)));
    }
    for old in &old_checkpoints[..old_checkpoints.len() - 1] {
        let proof = prove_consistency(&dir, old.size(), size).unwrap();
        proofs.push_str(&format!(
            "consistency {} {}{}\n",
            old.size(),
            old.root(),
            hex(&proof)
        ));
    }
    let proofs_file = work.path().join("proofs");
    std::fs::write(&proofs_file, &proofs).unwrap();
    let run = |dir: &Path| {
        Command::new(&peer)
            .arg(dir)
            .arg(log_key().verifier_key)
            .arg(&proofs_file)
            .output()
            .unwrap()
    };
    let output = run(&dir);
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "go peer refused our log: {stderr}");
    let lines = proofs.lines().count();
    assert_eq!(stdout.trim(), format!("ok {size} records, {lines} proofs"));

    // The peer is not a rubber stamp: one flipped byte in an entry and it refuses.
    let path = dir.join("tile/entries/005");
    let mut bytes = std::fs::read(&path).unwrap();
    bytes[10] ^= 1;
    std::fs::write(&path, &bytes).unwrap();
    let output = run(&dir);
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("TreeHash of the records"));
}
