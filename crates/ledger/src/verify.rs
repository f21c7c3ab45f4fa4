//! Verifying a log from its files alone: the checkpoint's signatures, every entry bundle,
//! every hash tile recomputed from the entries, the root, and any proof asked for.

use std::path::Path;

use tlog_tiles::{Hash, record_hash};

use crate::entry::Entry;
use crate::error::{LedgerError, Result};
use crate::files::read;
use crate::limits::{HASH_BYTES, TILE_HEIGHT, TILE_WIDTH};
use crate::log::{BY_HASH_DIR, CHECKPOINT_FILE};
use crate::note::{OpenedCheckpoint, TrustedKeys, open_checkpoint};
use crate::proof::{check_consistency, check_inclusion, prove_consistency, prove_inclusion};
use crate::tiles::{TileCoord, TileKind, decode_bundle, decode_hash_tile};
use crate::tree::TreeBuilder;

/// What to check beyond the tree itself.
#[derive(Debug, Clone, Copy, Default)]
pub struct VerifyOptions {
    /// Also require every entry to be the canonical JSON of a known `Entry`.
    pub check_entries: bool,
}

/// What a successful verification covered.
#[derive(Debug, Clone)]
pub struct VerifyReport {
    pub checkpoint: OpenedCheckpoint,
    pub entries_n: u64,
    pub hash_tiles_n: u64,
    pub bundles_n: u64,
}

/// Reads the checkpoint at `root/checkpoint` and verifies it with `keys`.
pub fn read_checkpoint(root: &Path, keys: &TrustedKeys) -> Result<OpenedCheckpoint> {
    let path = root.join(CHECKPOINT_FILE);
    open_checkpoint(&path.display().to_string(), &read(&path)?, keys)
}

/// Verifies the whole log under `root` against its checkpoint.
pub fn verify_log(root: &Path, keys: &TrustedKeys, options: VerifyOptions) -> Result<VerifyReport> {
    let checkpoint = read_checkpoint(root, keys)?;
    let size = checkpoint.size();
    let mut tree = TreeBuilder::new();
    let mut report = VerifyReport {
        checkpoint,
        entries_n: 0,
        hash_tiles_n: 0,
        bundles_n: 0,
    };
    let mut completed = Vec::new();
    let bundles_n = size.div_ceil(TILE_WIDTH as u64);
    for index in 0..bundles_n {
        let width = (size - index * TILE_WIDTH as u64).min(TILE_WIDTH as u64) as u32;
        let coord = TileCoord {
            kind: TileKind::Entries,
            index,
            width,
        };
        let path = coord.path();
        let bytes = read_tile_file(root, &path, size)?;
        for (i, entry) in decode_bundle(&path, &bytes, width)?.into_iter().enumerate() {
            if options.check_entries {
                let leaf_index = index * TILE_WIDTH as u64 + i as u64;
                Entry::from_log_bytes(&format!("{path}: entry {leaf_index}"), entry)?;
            }
            tree.push(record_hash(entry), |tile| completed.push(tile));
        }
        for tile in completed.drain(..) {
            compare_tile(root, tile.coord(), &tile.hashes, size)?;
            report.hash_tiles_n += 1;
        }
        report.bundles_n += 1;
    }
    for (coord, hashes) in tree.partial_tiles() {
        compare_tile(root, coord, hashes, size)?;
        report.hash_tiles_n += 1;
    }
    report.entries_n = tree.size();
    let computed = tree.root();
    if computed != report.checkpoint.root() {
        return Err(LedgerError::RootMismatch {
            checkpoint: root.join(CHECKPOINT_FILE).display().to_string(),
            size,
            claimed: report.checkpoint.root().to_string(),
            computed: computed.to_string(),
        });
    }
    Ok(report)
}

/// One entry of a log as read back: its index, the bytes in its bundle, and the entry they
/// stand for (for a `ByHash` entry, the full entry read from `by-hash/<sha256>`).
#[derive(Debug, Clone)]
pub struct LoggedEntry {
    pub index: u64,
    pub logged: Vec<u8>,
    pub entry: Entry,
}

/// Reads every entry up to `checkpoint`'s size from the bundles under `root`, decoding each
/// as a canonical `Entry` and resolving `ByHash` entries from `by-hash/` (their digest, size
/// and type checked). Call after [`verify_log`]: this checks the entries, not the tree.
pub fn read_entries(root: &Path, checkpoint: &OpenedCheckpoint) -> Result<Vec<LoggedEntry>> {
    let size = checkpoint.size();
    let mut out = Vec::with_capacity(usize::try_from(size).unwrap_or(0).min(1 << 20));
    for bundle in 0..size.div_ceil(TILE_WIDTH as u64) {
        let width = (size - bundle * TILE_WIDTH as u64).min(TILE_WIDTH as u64) as u32;
        let path = TileCoord {
            kind: TileKind::Entries,
            index: bundle,
            width,
        }
        .path();
        let bytes = read_tile_file(root, &path, size)?;
        for (i, logged) in decode_bundle(&path, &bytes, width)?.into_iter().enumerate() {
            let index = bundle * TILE_WIDTH as u64 + i as u64;
            let name = format!("{path}: entry {index}");
            let entry = match Entry::from_log_bytes(&name, logged)? {
                Entry::ByHash {
                    of_type,
                    bytes_n,
                    digest,
                    ..
                } => read_by_hash(root, &name, &of_type, bytes_n, digest)?,
                entry => entry,
            };
            out.push(LoggedEntry {
                index,
                logged: logged.to_vec(),
                entry,
            });
        }
    }
    Ok(out)
}

/// The full entry a `ByHash` entry (named `name`) stands for.
fn read_by_hash(
    root: &Path,
    name: &str,
    of_type: &str,
    bytes_n: u64,
    digest: model::Digest,
) -> Result<Entry> {
    let file = format!("{BY_HASH_DIR}/{digest}");
    let bytes = match std::fs::read(root.join(&file)) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let expected = format!("the full entry beside the log, in {file}, which is missing");
            return Err(LedgerError::malformed(name, "by_hash", expected));
        }
        Err(e) => return Err(LedgerError::io(root.join(&file), e)),
    };
    if bytes.len() as u64 != bytes_n || model::Digest::of(&bytes) != digest {
        let expected = format!(
            "{bytes_n} bytes with SHA-256 {digest}, found {} bytes with SHA-256 {}",
            bytes.len(),
            model::Digest::of(&bytes)
        );
        return Err(LedgerError::malformed(file, "whole file", expected));
    }
    let entry = Entry::from_log_bytes(&file, &bytes)?;
    if entry.type_name() != of_type || matches!(entry, Entry::ByHash { .. }) {
        let expected = format!("an entry of type {of_type}, found {}", entry.type_name());
        return Err(LedgerError::malformed(file, "field type", expected));
    }
    Ok(entry)
}

fn read_tile_file(root: &Path, path: &str, size: u64) -> Result<Vec<u8>> {
    match std::fs::read(root.join(path)) {
        Ok(bytes) => Ok(bytes),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(LedgerError::Missing {
            path: path.to_owned(),
            size,
        }),
        Err(e) => Err(LedgerError::io(root.join(path), e)),
    }
}

fn compare_tile(root: &Path, coord: TileCoord, expected: &[Hash], size: u64) -> Result<()> {
    let path = coord.path();
    let found = decode_hash_tile(&path, &read_tile_file(root, &path, size)?, coord.width)?;
    let Some(position) = found.iter().zip(expected).position(|(a, b)| a != b) else {
        return Ok(());
    };
    let TileKind::Hashes { level } = coord.kind else {
        unreachable!("hash tiles only")
    };
    let node = coord.index * TILE_WIDTH as u64 + position as u64;
    let index = node
        .checked_shl(TILE_HEIGHT as u32 * level as u32)
        .unwrap_or(u64::MAX);
    Err(LedgerError::TileMismatch {
        tile: path,
        position: position as u32,
        index,
    })
}

/// An inclusion proof checked against a verified checkpoint: the entry, its leaf hash, the
/// proof.
#[derive(Debug, Clone)]
pub struct CheckedInclusion {
    pub index: u64,
    pub entry: Vec<u8>,
    pub leaf: Hash,
    pub proof: Vec<Hash>,
}

/// Reads entry `index` from its bundle, proves it from the tiles and checks the proof
/// against `checkpoint`.
pub fn verify_inclusion(
    root: &Path,
    checkpoint: &OpenedCheckpoint,
    index: u64,
) -> Result<CheckedInclusion> {
    let size = checkpoint.size();
    if index >= size {
        let expected = format!("an index below the checkpoint's size {size}");
        return Err(LedgerError::Request {
            what: format!("--inclusion {index}"),
            expected,
        });
    }
    let bundle_index = index / TILE_WIDTH as u64;
    let width = (size - bundle_index * TILE_WIDTH as u64).min(TILE_WIDTH as u64) as u32;
    let coord = TileCoord {
        kind: TileKind::Entries,
        index: bundle_index,
        width,
    };
    let path = coord.path();
    let bytes = read_tile_file(root, &path, size)?;
    let entries = decode_bundle(&path, &bytes, width)?;
    let entry = entries[(index % TILE_WIDTH as u64) as usize].to_vec();
    let leaf = record_hash(&entry);
    let proof = prove_inclusion(root, size, index)?;
    check_inclusion(&proof, size, checkpoint.root(), index, leaf)?;
    Ok(CheckedInclusion {
        index,
        entry,
        leaf,
        proof,
    })
}

/// Checks that `checkpoint` extends the older checkpoint `old` (named `old_name`), with a
/// consistency proof made from the tiles under `root`.
pub fn verify_consistency(
    root: &Path,
    old_name: &str,
    old: &OpenedCheckpoint,
    checkpoint: &OpenedCheckpoint,
) -> Result<Vec<Hash>> {
    let new_name = root.join(CHECKPOINT_FILE).display().to_string();
    let (old_size, new_size) = (old.size(), checkpoint.size());
    let proof = if old_size == 0 || old_size >= new_size {
        Vec::new()
    } else {
        prove_consistency(root, old_size, new_size)?
    };
    check_consistency(
        &proof,
        (old_name, old_size, old.root()),
        (&new_name, new_size, checkpoint.root()),
    )?;
    Ok(proof)
}

const _: () = assert!(HASH_BYTES == 32);
