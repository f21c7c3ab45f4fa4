//! Witnesses: cosign consistent checkpoints, refuse forks and rollbacks with both
//! checkpoints, and the log publishes only at its quorum.

use ledger::note::{key_from_seed, sign_checkpoint};
use ledger::witness::{cosign, witness_log_folder};
use ledger::{CheckpointOutcome, KeyRole, Log, LogConfig, NoteSigner, verify_log};

use crate::{ORIGIN, entry, log_signer, trusted};

fn witness(name: &str, seed: u8) -> (ledger::KeyPair, NoteSigner) {
    let pair = key_from_seed(name, KeyRole::Witness, [seed; 32]).unwrap();
    let signer = NoteSigner::parse(name, &pair.signer_key).unwrap();
    (pair, signer)
}

#[test]
fn the_log_publishes_once_the_quorum_has_cosigned() {
    let dir = tempfile::tempdir().unwrap();
    let state = tempfile::tempdir().unwrap();
    let (w1_pair, w1) = witness("pl.example/witness", 1);
    let (w2_pair, w2) = witness("ua.example/witness", 2);
    let (_, w3) = witness("rogue.example/witness", 3);
    let config = LogConfig {
        origin: ORIGIN.into(),
        witnesses: vec![w1_pair.verifier_key.clone(), w2_pair.verifier_key.clone()],
        quorum: 2,
    };
    let mut log = Log::create(dir.path(), log_signer(), config).unwrap();
    let keys = trusted(&[&w1_pair, &w2_pair], 2);
    for round in 0..3u64 {
        let entries: Vec<_> = (round * 300..round * 300 + 300).map(entry).collect();
        log.append_entries(&entries).unwrap();
        let outcome = log.checkpoint().unwrap();
        assert_eq!(
            outcome,
            CheckpointOutcome::Proposed {
                size: (round + 1) * 300,
                have: 0,
                quorum: 2
            }
        );
        let state1 = state.path().join("w1");
        witness_log_folder(dir.path(), &w1, &keys, &state1, 1_700_000_000 + round).unwrap();
        // An untrusted witness's answer does not count.
        witness_log_folder(
            dir.path(),
            &w3,
            &keys,
            &state.path().join("w3"),
            1_700_000_000,
        )
        .unwrap();
        let outcome = log.collect_cosignatures().unwrap();
        assert_eq!(
            outcome,
            CheckpointOutcome::Proposed {
                size: (round + 1) * 300,
                have: 1,
                quorum: 2
            }
        );
        let cosigned = witness_log_folder(
            dir.path(),
            &w2,
            &keys,
            &state.path().join("w2"),
            1_700_000_000,
        )
        .unwrap();
        assert_eq!(cosigned.proof.is_empty(), round == 0);
        let CheckpointOutcome::Published { size, .. } = log.collect_cosignatures().unwrap() else {
            panic!("quorum reached but not published");
        };
        assert_eq!(size, (round + 1) * 300);
        let report = verify_log(dir.path(), &keys, Default::default()).unwrap();
        assert_eq!(
            report.checkpoint.cosigners,
            ["pl.example/witness", "ua.example/witness"]
        );
    }
}

#[test]
fn a_witness_refuses_a_fork_or_a_rollback_and_shows_both_checkpoints() {
    let keys = trusted(&[], 0);
    let (_, w) = witness("w.example", 9);
    let honest = sign_checkpoint(&log_signer(), 10, ledger::record_hash(b"a")).unwrap();
    let no_proofs = |_, _| -> ledger::Result<Vec<ledger::Hash>> { Ok(vec![]) };
    cosign(&w, &keys, None, &honest, no_proofs, 1).unwrap();
    let fork = sign_checkpoint(&log_signer(), 10, ledger::record_hash(b"b")).unwrap();
    let err = cosign(&w, &keys, Some(&honest), &fork, no_proofs, 2)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("the proposed checkpoint:\nguarantor.test/log\n10\n"),
        "{err}"
    );
    assert!(
        err.contains("the last checkpoint cosigned:\nguarantor.test/log\n10\n"),
        "{err}"
    );
    assert!(
        err.ends_with("two different roots for the size 10: a fork"),
        "{err}"
    );
    let rollback = sign_checkpoint(&log_signer(), 9, ledger::record_hash(b"a")).unwrap();
    let err = cosign(&w, &keys, Some(&honest), &rollback, no_proofs, 2)
        .unwrap_err()
        .to_string();
    assert!(
        err.ends_with("the tree shrank from 10 to 9 entries"),
        "{err}"
    );
    // A larger checkpoint with a proof that does not join the two roots.
    let grown = sign_checkpoint(&log_signer(), 12, ledger::record_hash(b"c")).unwrap();
    let bogus_proof = |_, _| Ok(vec![ledger::record_hash(b"x"); 3]);
    let err = cosign(&w, &keys, Some(&honest), &grown, bogus_proof, 2)
        .unwrap_err()
        .to_string();
    assert!(
        err.ends_with("the first 10 entries hash differently: a fork"),
        "{err}"
    );
}

#[test]
fn a_witness_on_a_log_folder_writes_the_conflict_file() {
    let dir = tempfile::tempdir().unwrap();
    let state = tempfile::tempdir().unwrap();
    let (w_pair, w) = witness("w.example", 5);
    let config = LogConfig {
        origin: ORIGIN.into(),
        witnesses: vec![w_pair.verifier_key.clone()],
        quorum: 1,
    };
    let mut log = Log::create(dir.path(), log_signer(), config).unwrap();
    log.append_entries(&[entry(0), entry(1)]).unwrap();
    log.checkpoint().unwrap();
    let keys = trusted(&[&w_pair], 1);
    let state_file = state.path().join("state");
    witness_log_folder(dir.path(), &w, &keys, &state_file, 10).unwrap();
    // The log operator proposes a different history of the same size.
    let fork = sign_checkpoint(&log_signer(), 2, ledger::record_hash(b"other")).unwrap();
    std::fs::write(dir.path().join("witness/proposed"), fork).unwrap();
    let err = witness_log_folder(dir.path(), &w, &keys, &state_file, 11).unwrap_err();
    assert!(matches!(err, ledger::LedgerError::Inconsistent { .. }));
    let conflict = std::fs::read_to_string(
        dir.path().join("witness/conflicts").join(
            std::fs::read_dir(dir.path().join("witness/conflicts"))
                .unwrap()
                .next()
                .unwrap()
                .unwrap()
                .file_name(),
        ),
    )
    .unwrap();
    assert!(conflict.contains("a fork"), "{conflict}");
    // The state still holds the checkpoint it cosigned, not the fork.
    let kept = std::fs::read(&state_file).unwrap();
    assert!(
        ledger::note::open_checkpoint("state", &kept, &trusted(&[], 0))
            .unwrap()
            .size()
            == 2
    );
}
