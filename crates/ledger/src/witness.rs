//! A party's witness: checks that each new checkpoint extends the last one it saw, cosigns
//! it (tlog-cosignature/v1), and refuses, with both checkpoints, when it does not.
//!
//! The exchange with the log is files in the log folder (`witness/proposed` in,
//! `witness/cosignatures/<witness>` out), so any transport that copies files can carry it.

use std::path::{Path, PathBuf};

use tlog_tiles::Hash;

use crate::error::{LedgerError, Result};
use crate::files::{DurableWriter, read};
use crate::log::{COSIGNATURES_DIR, PROPOSED_FILE};
use crate::note::{NoteSigner, OpenedCheckpoint, TrustedKeys, join_note, open_checkpoint};
use crate::proof::{check_consistency, prove_consistency};

/// The answer to a proposed checkpoint.
#[derive(Debug, Clone)]
pub struct Cosigned {
    /// The proposed note with this witness's cosignature added.
    pub note: Vec<u8>,
    pub size: u64,
    /// The consistency proof checked (empty for the first checkpoint seen).
    pub proof: Vec<Hash>,
}

/// Checks `proposed` against `last_seen` (the note this witness cosigned last, if any) with a
/// consistency proof from `proof_source`, and cosigns it at `timestamp_s` (time is passed
/// in, never read). `log_keys` holds the log's key (its quorum is not applied here).
pub fn cosign(
    witness: &NoteSigner,
    log_keys: &TrustedKeys,
    last_seen: Option<&[u8]>,
    proposed: &[u8],
    proof_source: impl Fn(u64, u64) -> Result<Vec<Hash>>,
    timestamp_s: u64,
) -> Result<Cosigned> {
    let keys = TrustedKeys::new(log_keys.log.clone(), Vec::new(), 0)?;
    let new = open_checkpoint("proposed checkpoint", proposed, &keys)?;
    let mut proof = Vec::new();
    if let Some(last_seen) = last_seen {
        let old = open_checkpoint("witness state", last_seen, &keys)?;
        if 0 < old.size() && old.size() < new.size() {
            proof = proof_source(old.size(), new.size())?;
        }
        let checked = check_consistency(
            &proof,
            ("the last checkpoint cosigned", old.size(), old.root()),
            ("the proposed checkpoint", new.size(), new.root()),
        );
        if let Err(e) = checked {
            return Err(conflict(&old, &new, e));
        }
    }
    let mut signatures = new.signatures.clone();
    signatures.retain(|s| s.name() != witness.name());
    signatures.push(witness.cosign(&new.text, timestamp_s)?);
    let note = join_note("proposed checkpoint", &new.text, &signatures)?;
    Ok(Cosigned {
        note,
        size: new.size(),
        proof,
    })
}

/// The refusal: both checkpoints in full, so the conflict can be shown to anyone.
fn conflict(old: &OpenedCheckpoint, new: &OpenedCheckpoint, cause: LedgerError) -> LedgerError {
    LedgerError::Inconsistent {
        old: format!(
            "the last checkpoint cosigned:\n{}",
            String::from_utf8_lossy(&old.text)
        ),
        new: format!(
            "the proposed checkpoint:\n{}",
            String::from_utf8_lossy(&new.text)
        ),
        detail: cause.to_string(),
    }
}

/// Where a witness writes its answer in the log folder: one file per witness key.
pub fn cosignature_path(root: &Path, witness: &NoteSigner) -> PathBuf {
    root.join(COSIGNATURES_DIR).join(file_name(witness))
}

fn file_name(witness: &NoteSigner) -> String {
    let key = witness.verifier_key();
    let hash = key.split('+').nth(1).unwrap_or("0");
    let safe: String = witness
        .name()
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!("{safe}-{hash}")
}

/// One witness round over a log folder: read `witness/proposed`, check it against the state
/// file, cosign, write the answer and the new state durably. On a conflict nothing is
/// written but `witness/conflicts/<witness>` with both checkpoints, and the error returned.
pub fn witness_log_folder(
    root: &Path,
    witness: &NoteSigner,
    log_keys: &TrustedKeys,
    state_path: &Path,
    timestamp_s: u64,
) -> Result<Cosigned> {
    let proposed = read(&root.join(PROPOSED_FILE))?;
    let last_seen = match std::fs::read(state_path) {
        Ok(bytes) => Some(bytes),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(LedgerError::io(state_path, e)),
    };
    let proof_source = |old, new| prove_consistency(root, old, new);
    match cosign(
        witness,
        log_keys,
        last_seen.as_deref(),
        &proposed,
        proof_source,
        timestamp_s,
    ) {
        Ok(cosigned) => {
            let state_dir = match state_path.parent() {
                Some(dir) if !dir.as_os_str().is_empty() => dir,
                _ => Path::new("."),
            };
            let state_name = state_path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned());
            let mut writer = DurableWriter::beside(state_dir);
            writer.write(
                &state_name.unwrap_or_else(|| "witness-state".into()),
                &proposed,
            )?;
            writer.finish()?;
            let mut writer = DurableWriter::beside(root);
            writer.write(
                &format!("{COSIGNATURES_DIR}/{}", file_name(witness)),
                &cosigned.note,
            )?;
            writer.finish()?;
            Ok(cosigned)
        }
        Err(e @ LedgerError::Inconsistent { .. }) => {
            let text = format!("{e}\n");
            let mut writer = DurableWriter::beside(root);
            writer.write(
                &format!("witness/conflicts/{}", file_name(witness)),
                text.as_bytes(),
            )?;
            writer.finish()?;
            Err(e)
        }
        Err(e) => Err(e),
    }
}
