//! Tamper tests: every alteration of a published log makes `verify_log` fail and name the
//! tile, entry or checkpoint.

use std::path::{Path, PathBuf};

use ledger::note::sign_checkpoint;
use ledger::verify::{read_checkpoint, verify_consistency};
use ledger::{VerifyOptions, verify_log};

use crate::{build_log, log_signer, trusted};

fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(files_under(&path));
        } else {
            out.push(path);
        }
    }
    out.sort();
    out
}

fn verify_err(dir: &Path) -> String {
    let options = VerifyOptions {
        check_entries: true,
    };
    match verify_log(dir, &trusted(&[], 0), options) {
        Ok(report) => panic!("tampered log verified: {} entries", report.entries_n),
        Err(e) => e.to_string(),
    }
}

#[test]
fn flipping_any_byte_of_any_tile_or_bundle_is_caught_and_named() {
    let dir = tempfile::tempdir().unwrap();
    build_log(dir.path(), 600, 150);
    let report = verify_log(
        dir.path(),
        &trusted(&[], 0),
        VerifyOptions {
            check_entries: true,
        },
    )
    .unwrap();
    assert_eq!(
        (report.entries_n, report.bundles_n, report.hash_tiles_n),
        (600, 3, 4)
    );
    let tiles: Vec<PathBuf> = files_under(&dir.path().join("tile"));
    // The files a checkpoint of 600 needs, and stale partial ones it does not.
    let needed = [
        "tile/0/000",
        "tile/0/001",
        "tile/0/002.p/88",
        "tile/1/000.p/2",
        "tile/entries/000",
        "tile/entries/001",
        "tile/entries/002.p/88",
    ];
    for name in needed {
        assert!(
            tiles.contains(&dir.path().join(name)),
            "{name} missing from {tiles:?}"
        );
    }
    let mut rng_state = 7u64;
    for name in needed {
        let path = dir.path().join(name);
        let original = std::fs::read(&path).unwrap();
        // Every byte of the small tiles, a spread of bytes of the large ones.
        let step = (original.len() / 97).max(1);
        for offset in (0..original.len()).step_by(step) {
            rng_state = rng_state.wrapping_mul(6364136223846793005).wrapping_add(1);
            let mut altered = original.clone();
            altered[offset] ^= 1 << (rng_state >> 61);
            std::fs::write(&path, &altered).unwrap();
            let err = verify_err(dir.path());
            assert!(
                err.contains("tile/"),
                "{name} byte {offset}: error names no tile: {err}"
            );
        }
        std::fs::write(&path, &original).unwrap();
    }
    let err = {
        let path = dir.path().join("tile/0/001");
        let original = std::fs::read(&path).unwrap();
        let mut altered = original.clone();
        altered[32 * 5] ^= 0x80;
        std::fs::write(&path, &altered).unwrap();
        let err = verify_err(dir.path());
        std::fs::write(&path, &original).unwrap();
        err
    };
    assert_eq!(
        err,
        "tile/0/001: hash 5 (tree index 261) differs from the one recomputed from the entry \
         bundles: the tile or an entry below it was altered"
    );
    verify_log(
        dir.path(),
        &trusted(&[], 0),
        VerifyOptions {
            check_entries: true,
        },
    )
    .unwrap();
}

/// Rewrites bundle 0 with its entries changed by `edit`.
fn rewrite_bundle(dir: &Path, edit: impl FnOnce(&mut Vec<Vec<u8>>)) {
    let path = dir.join("tile/entries/000");
    let bytes = std::fs::read(&path).unwrap();
    let mut entries: Vec<Vec<u8>> = ledger::tiles::decode_bundle("b", &bytes, 256)
        .unwrap()
        .into_iter()
        .map(<[u8]>::to_vec)
        .collect();
    edit(&mut entries);
    let mut out = Vec::new();
    for e in &entries {
        ledger::tiles::push_bundle_entry(&mut out, e);
    }
    std::fs::write(&path, out).unwrap();
}

#[test]
fn dropping_or_reordering_entries_is_caught() {
    let dir = tempfile::tempdir().unwrap();
    build_log(dir.path(), 300, 300);
    let original = std::fs::read(dir.path().join("tile/entries/000")).unwrap();
    rewrite_bundle(dir.path(), |e| {
        e.remove(17);
    });
    assert_eq!(
        verify_err(dir.path()),
        "tile/entries/000: end of file: expected 256 entries, found 255"
    );
    std::fs::write(dir.path().join("tile/entries/000"), &original).unwrap();
    rewrite_bundle(dir.path(), |e| e.swap(3, 4));
    assert!(verify_err(dir.path()).starts_with("tile/0/000: hash 3 (tree index 3) differs"));
    std::fs::write(dir.path().join("tile/entries/000"), &original).unwrap();
    // A missing tile is named with the checkpoint that needs it.
    std::fs::remove_file(dir.path().join("tile/0/000")).unwrap();
    assert_eq!(
        verify_err(dir.path()),
        "tile/0/000: missing, but checkpoint of size 300 needs it"
    );
}

#[test]
fn a_forked_checkpoint_is_named() {
    let dir = tempfile::tempdir().unwrap();
    build_log(dir.path(), 40, 20);
    let keys = trusted(&[], 0);
    let honest = read_checkpoint(dir.path(), &keys).unwrap();
    // The same key signs another root for the same size: the files do not support it.
    let forged = sign_checkpoint(&log_signer(), 40, ledger::record_hash(b"fork")).unwrap();
    let fork_path = dir.path().join("fork");
    std::fs::write(&fork_path, &forged).unwrap();
    let fork = ledger::note::open_checkpoint("fork", &forged, &keys).unwrap();
    let err = verify_consistency(dir.path(), "fork", &fork, &honest)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("is not consistent with fork: two different roots for the size 40"),
        "{err}"
    );
    // An older checkpoint of a forked history: the proof from our tiles does not match it.
    let old_fork = sign_checkpoint(&log_signer(), 20, ledger::record_hash(b"fork")).unwrap();
    let old_fork = ledger::note::open_checkpoint("old-fork", &old_fork, &keys).unwrap();
    let err = verify_consistency(dir.path(), "old-fork", &old_fork, &honest)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("is not consistent with old-fork: the first 20 entries hash differently"),
        "{err}"
    );
    std::fs::write(dir.path().join("checkpoint"), &forged).unwrap();
    let err = verify_err(dir.path());
    assert!(
        err.contains("checkpoint: root hash")
            && err.contains("for size 40, but the entries hash to"),
        "{err}"
    );
}
