//! Inclusion and consistency proofs (RFC 6962/9162): made from the tiles on disk, checked
//! against checkpoints, and written as text (one base64 hash per line) for other tools.
//!
//! The proof maths is `tlog_tiles` (Go's `sumdb/tlog` ported); by hand here: the expected
//! proof lengths, so a proof of the wrong length is named as such rather than "invalid".

use std::path::Path;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use tlog_tiles::{Hash, check_record, check_tree, prove_record, prove_tree};

use crate::error::{LedgerError, Result};
use crate::limits::{HASH_BYTES, PROOF_HASHES_MAX};
use crate::tree::TileReader;

/// Hashes in the inclusion proof of leaf `index` in a tree of `size` leaves.
pub fn inclusion_proof_len(index: u64, size: u64) -> usize {
    assert!(index < size, "index inside the tree");
    let (mut lo, mut hi, mut n) = (0u64, size, 0usize);
    while hi - lo > 1 {
        let k = largest_power_of_two_below(hi - lo);
        if index < lo + k {
            hi = lo + k
        } else {
            lo += k
        }
        n += 1;
    }
    n
}

/// Hashes in the consistency proof from a tree of `old_size` to one of `new_size`.
pub fn consistency_proof_len(old_size: u64, new_size: u64) -> usize {
    assert!(0 < old_size && old_size <= new_size, "sizes ordered");
    fn walk(lo: u64, hi: u64, n: u64) -> usize {
        if n == hi {
            return usize::from(lo != 0);
        }
        let k = largest_power_of_two_below(hi - lo);
        if n <= lo + k {
            1 + walk(lo, lo + k, n)
        } else {
            1 + walk(lo + k, hi, n)
        }
    }
    walk(0, new_size, old_size)
}

fn largest_power_of_two_below(n: u64) -> u64 {
    assert!(n > 1, "a split needs two leaves");
    1u64 << (63 - (n - 1).leading_zeros())
}

/// The proof that leaf `index` is in the tree of `size` whose tiles are under `root`.
pub fn prove_inclusion(root: &Path, size: u64, index: u64) -> Result<Vec<Hash>> {
    if index >= size {
        let expected = format!("an index below the tree size {size}");
        return Err(LedgerError::Request {
            what: format!("inclusion proof of {index}"),
            expected,
        });
    }
    let reader = TileReader::new(root, size);
    prove_record(size, index, &reader).map_err(|e| reader_error(&reader, "inclusion proof", e))
}

/// The proof that the tree of `new_size` under `root` extends the one of `old_size`.
pub fn prove_consistency(root: &Path, old_size: u64, new_size: u64) -> Result<Vec<Hash>> {
    if old_size == 0 || old_size > new_size {
        let expected = format!("an old size from 1 to {new_size}");
        return Err(LedgerError::Request {
            what: format!("consistency proof from {old_size}"),
            expected,
        });
    }
    let reader = TileReader::new(root, new_size);
    prove_tree(new_size, old_size, &reader)
        .map_err(|e| reader_error(&reader, "consistency proof", e))
}

fn reader_error(reader: &TileReader, what: &str, e: tlog_tiles::Error) -> LedgerError {
    reader.take_failure().unwrap_or_else(|| LedgerError::Proof {
        what: what.into(),
        detail: e.to_string(),
    })
}

/// Checks that `proof` puts the leaf with hash `leaf` at `index` in the tree (`size`, `root`).
pub fn check_inclusion(
    proof: &[Hash],
    size: u64,
    root: Hash,
    index: u64,
    leaf: Hash,
) -> Result<()> {
    let what = || format!("inclusion proof of entry {index} in the tree of size {size}");
    if index >= size {
        return Err(LedgerError::Proof {
            what: what(),
            detail: "the index is past the tree".into(),
        });
    }
    let expected = inclusion_proof_len(index, size);
    if proof.len() != expected {
        let detail = format!("{} hashes, expected {expected}", proof.len());
        return Err(LedgerError::Proof {
            what: what(),
            detail,
        });
    }
    check_record(&proof.to_vec(), size, root, index, leaf).map_err(|_| LedgerError::Proof {
        what: what(),
        detail: "does not lead to the checkpoint's root hash".into(),
    })
}

/// Checks that `proof` shows the tree (`new_size`, `new_root`) extends (`old_size`,
/// `old_root`); the names say which checkpoints in errors.
pub fn check_consistency(
    proof: &[Hash],
    (old_name, old_size, old_root): (&str, u64, Hash),
    (new_name, new_size, new_root): (&str, u64, Hash),
) -> Result<()> {
    let inconsistent = |detail: String| LedgerError::Inconsistent {
        old: old_name.into(),
        new: new_name.into(),
        detail,
    };
    if old_size > new_size {
        return Err(inconsistent(format!(
            "the tree shrank from {old_size} to {new_size} entries"
        )));
    }
    if old_size == new_size || old_size == 0 {
        let same = old_size != new_size || old_root == new_root;
        return if same && proof.is_empty() {
            Ok(())
        } else {
            Err(inconsistent(format!(
                "two different roots for the size {old_size}: a fork"
            )))
        };
    }
    let expected = consistency_proof_len(old_size, new_size);
    if proof.len() != expected {
        return Err(LedgerError::Proof {
            what: format!("consistency proof from {old_size} to {new_size}"),
            detail: format!("{} hashes, expected {expected}", proof.len()),
        });
    }
    check_tree(&proof.to_vec(), new_size, new_root, old_size, old_root).map_err(|_| {
        inconsistent(format!(
            "the first {old_size} entries hash differently: a fork"
        ))
    })
}

/// A proof as text: one base64 hash per line.
pub fn encode_proof(proof: &[Hash]) -> String {
    proof
        .iter()
        .map(|h| format!("{}\n", BASE64.encode(h.0)))
        .collect()
}

/// Reads a proof written by [`encode_proof`]; `input` names it in errors.
pub fn decode_proof(input: &str, text: &str) -> Result<Vec<Hash>> {
    let mut proof = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if proof.len() == PROOF_HASHES_MAX {
            let expected = format!("at most {PROOF_HASHES_MAX} hashes");
            return Err(LedgerError::malformed(
                input,
                format!("line {}", i + 1),
                expected,
            ));
        }
        let hash = BASE64
            .decode(line)
            .ok()
            .and_then(|b| <[u8; HASH_BYTES]>::try_from(b).ok())
            .ok_or_else(|| {
                LedgerError::malformed(input, format!("line {}", i + 1), "base64 of a 32-byte hash")
            })?;
        proof.push(Hash(hash));
    }
    Ok(proof)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tree::TreeBuilder;
    use std::collections::HashMap;
    use tlog_tiles::{HashReader, record_hash, stored_hashes};

    /// Every stored hash in memory, the way Go's tests keep them.
    struct Stored(HashMap<u64, Hash>);
    impl HashReader for Stored {
        fn read_hashes(&self, indexes: &[u64]) -> Result<Vec<Hash>, tlog_tiles::Error> {
            Ok(indexes.iter().map(|i| self.0[i]).collect())
        }
    }

    #[test]
    fn proof_lengths_match_the_proofs_tlog_tiles_makes() {
        let mut stored = Stored(HashMap::new());
        let mut next = 0u64;
        let mut roots = vec![tlog_tiles::EMPTY_HASH];
        let mut builder = TreeBuilder::new();
        for n in 0..70u64 {
            let data = n.to_be_bytes();
            for hash in stored_hashes(n, &data, &stored).unwrap() {
                stored.0.insert(next, hash);
                next += 1;
            }
            builder.push(record_hash(&data), |_| {});
            roots.push(builder.root());
        }
        for size in 1..70u64 {
            for index in 0..size {
                let proof = prove_record(size, index, &stored).unwrap();
                assert_eq!(proof.len(), inclusion_proof_len(index, size));
                let leaf = record_hash(&index.to_be_bytes());
                check_inclusion(&proof, size, roots[size as usize], index, leaf).unwrap();
                if !proof.is_empty() {
                    let err = check_inclusion(&proof[1..], size, roots[size as usize], index, leaf);
                    assert!(err.unwrap_err().to_string().contains("expected"));
                }
            }
            for old in 1..=size {
                let proof = prove_tree(size, old, &stored).unwrap();
                assert_eq!(
                    proof.len(),
                    consistency_proof_len(old, size),
                    "{old} -> {size}"
                );
                let old_cp = ("old", old, roots[old as usize]);
                check_consistency(&proof, old_cp, ("new", size, roots[size as usize])).unwrap();
                if old > 1 && old < size {
                    let forked = ("old", old, roots[old as usize - 1]);
                    let err =
                        check_consistency(&proof, forked, ("new", size, roots[size as usize]));
                    assert!(err.unwrap_err().to_string().contains("a fork"));
                }
            }
        }
    }

    #[test]
    fn proofs_round_trip_as_text_and_name_the_bad_line() {
        let proof = vec![record_hash(b"a"), record_hash(b"b")];
        assert_eq!(decode_proof("p", &encode_proof(&proof)).unwrap(), proof);
        let err = decode_proof("p", "AAAA\n").unwrap_err().to_string();
        assert_eq!(err, "p: line 1: expected base64 of a 32-byte hash");
    }
}
