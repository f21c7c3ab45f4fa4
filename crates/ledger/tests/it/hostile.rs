//! Hostile input to the parsers: random and mutated notes, checkpoints, proofs, tile paths
//! and bundles give errors, never panics (with proptest; the cargo-fuzz targets under
//! `fuzz/` run the same entry points longer).

use ledger::note::{VerifierKey, open_checkpoint, sign_checkpoint};
use ledger::proof::{check_consistency, check_inclusion, decode_proof};
use ledger::tiles::{TileCoord, decode_bundle, decode_hash_tile};
use proptest::prelude::*;

use crate::{log_signer, trusted};

fn valid_note() -> Vec<u8> {
    sign_checkpoint(&log_signer(), 1234, ledger::record_hash(b"root")).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn mutated_notes_never_panic(
        edits in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..6),
        cut in any::<prop::sample::Index>(),
    ) {
        let mut note = valid_note();
        for (at, byte) in edits {
            let i = at.index(note.len());
            note[i] = byte;
        }
        let note = &note[..cut.index(note.len() + 1)];
        let keys = trusted(&[], 0);
        if let Ok(opened) = open_checkpoint("fuzz", note, &keys) {
            // Whatever opens carries a valid signature: only edits the signature ignores.
            prop_assert_eq!(opened.size(), 1234);
        }
    }

    #[test]
    fn random_text_as_note_key_proof_or_path_never_panics(text in "\\PC{0,200}") {
        let keys = trusted(&[], 0);
        let _ = open_checkpoint("fuzz", text.as_bytes(), &keys);
        let _ = VerifierKey::parse("fuzz", &text);
        let _ = ledger::NoteSigner::parse("fuzz", &text);
        let _ = TileCoord::parse(&text);
        let _ = decode_proof("fuzz", &text);
    }

    #[test]
    fn tile_paths_round_trip(level in 0u8..64, index in any::<u64>(), width in 1u32..=256) {
        let coord = TileCoord { kind: ledger::tiles::TileKind::Hashes { level }, index, width };
        prop_assert_eq!(TileCoord::parse(&coord.path()).unwrap(), coord);
    }

    #[test]
    fn random_bytes_as_bundles_and_tiles_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..600), width in 1u32..=256) {
        let _ = decode_bundle("fuzz", &bytes, width);
        let _ = decode_hash_tile("fuzz", &bytes, width);
    }

    #[test]
    fn random_proofs_are_refused_not_panicked_on(
        hashes in prop::collection::vec(any::<[u8; 32]>(), 0..40),
        size in 1u64..1_000_000,
        index_seed in any::<u64>(),
        old_seed in any::<u64>(),
    ) {
        let proof: Vec<ledger::Hash> = hashes.into_iter().map(ledger::Hash).collect();
        let root = ledger::record_hash(b"r");
        let index = index_seed % size;
        prop_assert!(check_inclusion(&proof, size, root, index, ledger::record_hash(b"l")).is_err());
        let old = old_seed % (size + 2);
        let result = check_consistency(&proof, ("old", old, ledger::record_hash(b"o")), ("new", size, root));
        prop_assert!(result.is_err() || old == 0 && proof.is_empty());
    }
}

#[test]
fn bad_input_errors_name_the_file_and_expectation() {
    let keys = trusted(&[], 0);
    let err = open_checkpoint("logs/a/checkpoint", b"", &keys)
        .unwrap_err()
        .to_string();
    assert_eq!(
        err,
        "logs/a/checkpoint: end: expected a blank line, then signature lines `— <name> <base64>`"
    );
    let other =
        ledger::note::key_from_seed("other.example", ledger::KeyRole::Log, [9; 32]).unwrap();
    let signer = ledger::NoteSigner::parse("k", &other.signer_key).unwrap();
    let foreign = sign_checkpoint(&signer, 1, ledger::record_hash(b"x")).unwrap();
    let err = open_checkpoint("cp", &foreign, &keys)
        .unwrap_err()
        .to_string();
    assert!(
        err.starts_with("cp: signed only by unknown keys [other.example+"),
        "{err}"
    );
    assert!(
        err.contains("expected a signature by guarantor.test/log+"),
        "{err}"
    );
    let err = decode_hash_tile("tile/0/000", &[0; 100], 256)
        .unwrap_err()
        .to_string();
    assert_eq!(
        err,
        "tile/0/000: file size: expected 8192 bytes (256 hashes), found 100"
    );
    let err = check_inclusion(
        &[ledger::record_hash(b"a")],
        8,
        ledger::record_hash(b"r"),
        3,
        ledger::record_hash(b"l"),
    )
    .unwrap_err()
    .to_string();
    assert_eq!(
        err,
        "inclusion proof of entry 3 in the tree of size 8: 1 hashes, expected 3"
    );
    let err = VerifierKey::parse("--witness-key", "w+0000+AAAA")
        .unwrap_err()
        .to_string();
    assert_eq!(err, "--witness-key: hash: expected 8 hex digits");
}

/// Files on disk, cut short or garbled: `verify_log` and the readers name the file (by its
/// path in the log) and say what they expected there.
#[test]
fn truncated_or_malformed_files_and_wrong_length_proofs_are_named() {
    use ledger::{VerifyOptions, verify_log};
    let options = VerifyOptions {
        check_entries: true,
    };
    let fresh = || {
        let dir = tempfile::tempdir().unwrap();
        crate::build_log(dir.path(), 300, 300);
        dir
    };
    let cut = |path: &std::path::Path, keep: usize| {
        let bytes = std::fs::read(path).unwrap();
        std::fs::write(path, &bytes[..keep]).unwrap();
    };

    // A hash tile cut short.
    let dir = fresh();
    cut(&dir.path().join("tile/0/000"), 8000);
    let err = verify_log(dir.path(), &trusted(&[], 0), options)
        .unwrap_err()
        .to_string();
    assert_eq!(
        err,
        "tile/0/000: file size: expected 8192 bytes (256 hashes), found 8000"
    );

    // An entry bundle cut inside an entry.
    let dir = fresh();
    let bundle = dir.path().join("tile/entries/000");
    let len = std::fs::metadata(&bundle).unwrap().len() as usize;
    cut(&bundle, len - 3);
    let err = verify_log(dir.path(), &trusted(&[], 0), options)
        .unwrap_err()
        .to_string();
    assert!(err.starts_with("tile/entries/000: byte "), "{err}");
    assert!(err.contains("(entry 255): expected "), "{err}");

    // A checkpoint whose body lacks its root hash line.
    let dir = fresh();
    let checkpoint = dir.path().join("checkpoint");
    let text = std::fs::read_to_string(&checkpoint).unwrap();
    let mut lines: Vec<&str> = text.split('\n').collect();
    lines.remove(2);
    std::fs::write(&checkpoint, lines.join("\n")).unwrap();
    let err = verify_log(dir.path(), &trusted(&[], 0), options)
        .unwrap_err()
        .to_string();
    assert!(
        err.starts_with(&format!("{}: ", checkpoint.display())),
        "{err}"
    );
    assert!(err.contains("expected"), "{err}");

    // A proof file with a line that is not a base64 hash, and proofs of the wrong length.
    let err = decode_proof("proof.txt", "AAAA\n").unwrap_err().to_string();
    assert!(err.starts_with("proof.txt: line 1: expected "), "{err}");
    let root = ledger::record_hash(b"r");
    let err = check_consistency(&[root], ("old", 3, root), ("new", 8, root))
        .unwrap_err()
        .to_string();
    assert_eq!(err, "consistency proof from 3 to 8: 1 hashes, expected 4");
}

/// `read_entries` gives back every entry, the large one from `by-hash/`, and names a
/// by-hash file that is missing or altered.
#[test]
fn read_entries_resolves_by_hash_and_names_a_bad_body() {
    use ledger::{Entry, Log, LogConfig, read_entries, verify_log};
    let dir = tempfile::tempdir().unwrap();
    let config = LogConfig {
        origin: crate::ORIGIN.into(),
        witnesses: vec![],
        quorum: 0,
    };
    let mut log = Log::create(dir.path(), log_signer(), config).unwrap();
    let large = Entry::Incident {
        v: ledger::ENTRY_VERSION,
        incident: "I-1".into(),
        evidence: vec![],
        body: serde_json::Value::String("x".repeat(70_000)),
    };
    log.append_entries(&[crate::entry(0), large.clone(), crate::entry(2)])
        .unwrap();
    log.checkpoint().unwrap();
    let options = ledger::VerifyOptions {
        check_entries: true,
    };
    let report = verify_log(dir.path(), &trusted(&[], 0), options).unwrap();
    let entries = read_entries(dir.path(), &report.checkpoint).unwrap();
    assert_eq!(entries.len(), 3);
    assert_eq!(entries[1].entry, large);
    assert!(matches!(
        Entry::from_log_bytes("e", &entries[1].logged).unwrap(),
        Entry::ByHash { .. }
    ));
    assert_eq!(entries[2].entry, crate::entry(2));

    let full = large.to_canonical_json().unwrap();
    let name = format!("by-hash/{}", model::Digest::of(&full));
    let mut altered = full.clone();
    altered[100] = b'y';
    std::fs::write(dir.path().join(&name), &altered).unwrap();
    let err = read_entries(dir.path(), &report.checkpoint)
        .unwrap_err()
        .to_string();
    assert!(
        err.starts_with(&format!(
            "{name}: whole file: expected {} bytes",
            full.len()
        )),
        "{err}"
    );
    std::fs::remove_file(dir.path().join(&name)).unwrap();
    let err = read_entries(dir.path(), &report.checkpoint)
        .unwrap_err()
        .to_string();
    assert_eq!(
        err,
        format!(
            "tile/entries/000.p/3: entry 1: by_hash: expected the full entry beside the log, \
             in {name}, which is missing"
        )
    );
}
