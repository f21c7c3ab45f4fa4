//! The log writer: durable batched appends, tiles and checkpoints, recovery after a crash.
//!
//! Order of writes, and why it recovers:
//! 1. `append` writes the batch to the journal and fsyncs it, then acknowledges. The tree's
//!    right edge and the tiles completed since the last checkpoint are kept in memory.
//! 2. `checkpoint` writes every new tile and entry bundle (temp, fsync, rename, fsync the
//!    directories), then signs the checkpoint and publishes it the same way — directly, or
//!    once the witness quorum has cosigned.
//!
//! So a published checkpoint only names tiles already durable, and tiles only hold entries
//! already in the journal. `open` replays the journal (cutting a torn tail), checks that it
//! reproduces the published root, and keeps in memory the tiles past that checkpoint to be
//! written again: nothing half-written is ever served.
//!
//! Folder layout (everything outside `private/` may be served as static files):
//! `checkpoint`, `tile/<L>/<N>[.p/<W>]`, `tile/entries/<N>[.p/<W>]`, `by-hash/<sha256>`
//! (entries too large for a bundle), `witness/proposed`, `witness/cosignatures/<witness>`,
//! `log.json` (origin, witness keys, quorum), `private/journal`.

use std::ops::Range;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use tlog_tiles::{Hash, record_hash};

use crate::entry::Entry;
use crate::error::{LedgerError, Result};
use crate::files::{DurableWriter, read, reset_tmp};
use crate::journal::{Journal, JournalRecovery};
use crate::limits::{
    BATCH_ENTRIES_MAX, ENTRY_BYTES_MAX, PENDING_BYTES_MAX, TILE_WIDTH, WITNESSES_MAX,
};
use crate::note::{
    NoteSigner, OpenedCheckpoint, TrustedKeys, VerifierKey, join_note, open_checkpoint,
    sign_checkpoint, split_note,
};
use crate::tiles::{TileCoord, TileKind, encode_hash_tile, push_bundle_entry};
use crate::tree::{CompletedTile, TreeBuilder};

pub const CHECKPOINT_FILE: &str = "checkpoint";
/// Entries too large for a bundle, each named by the SHA-256 of its canonical JSON.
pub const BY_HASH_DIR: &str = "by-hash";
pub const CONFIG_FILE: &str = "log.json";
pub const JOURNAL_FILE: &str = "private/journal";
pub const PROPOSED_FILE: &str = "witness/proposed";
pub const COSIGNATURES_DIR: &str = "witness/cosignatures";

/// A log's configuration, kept in `log.json`: its origin (the log key's name), the verifier
/// keys of its witnesses, and how many must cosign before a checkpoint is published.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogConfig {
    pub origin: String,
    pub witnesses: Vec<String>,
    pub quorum: usize,
}

impl LogConfig {
    /// The keys a reader of this log trusts, given the log's own verifier key.
    pub fn trusted_keys(&self, log_key: VerifierKey) -> Result<TrustedKeys> {
        let witnesses = self
            .witnesses
            .iter()
            .enumerate()
            .map(|(i, k)| VerifierKey::parse(&format!("{CONFIG_FILE}: witnesses[{i}]"), k))
            .collect::<Result<Vec<_>>>()?;
        TrustedKeys::new(log_key, witnesses, self.quorum)
    }
}

/// What `open` found and repaired.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recovery {
    pub journal: JournalRecovery,
    pub published_size: u64,
}

/// What `checkpoint` did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CheckpointOutcome {
    /// Published: the note now in `checkpoint`.
    Published { size: u64, note: Vec<u8> },
    /// Signed and waiting in `witness/proposed` for `have` of `quorum` cosignatures.
    Proposed {
        size: u64,
        have: usize,
        quorum: usize,
    },
}

/// An open log, the one writer of its folder.
#[derive(Debug)]
pub struct Log {
    root: PathBuf,
    signer: NoteSigner,
    keys: TrustedKeys,
    journal: Journal,
    tree: TreeBuilder,
    bundle: Vec<u8>,
    bundle_n: u32,
    pending_tiles: Vec<CompletedTile>,
    pending_bundles: Vec<(u64, Vec<u8>)>,
    pending_bytes: usize,
    published_size: u64,
    proposed: Option<Vec<u8>>,
}

impl Log {
    /// Makes a new, empty log in `root` (which must be empty or absent).
    pub fn create(root: &Path, signer: NoteSigner, config: LogConfig) -> Result<Log> {
        let bad = |expected: String| LedgerError::Request {
            what: root.display().to_string(),
            expected,
        };
        if config.origin != signer.name() {
            return Err(bad(format!(
                "origin `{}` to be the log key's name",
                config.origin
            )));
        }
        if config.witnesses.len() > WITNESSES_MAX {
            return Err(bad(format!("at most {WITNESSES_MAX} witnesses")));
        }
        let log_key = VerifierKey::parse("log key", &signer.verifier_key())?;
        config.trusted_keys(log_key)?;
        if root.join(CONFIG_FILE).exists() {
            return Err(bad("a folder without a log (log.json exists)".into()));
        }
        std::fs::create_dir_all(root.join("private")).map_err(|e| LedgerError::io(root, e))?;
        reset_tmp(root)?;
        let json = serde_json::to_vec_pretty(&config).expect("config serializes");
        let mut writer = DurableWriter::new(root);
        writer.write(CONFIG_FILE, &json)?;
        writer.finish()?;
        Ok(Log::open(root, signer)?.0)
    }

    /// Opens a log, replaying its journal and repairing a torn tail.
    pub fn open(root: &Path, signer: NoteSigner) -> Result<(Log, Recovery)> {
        let config_path = root.join(CONFIG_FILE);
        let config: LogConfig = serde_json::from_slice(&read(&config_path)?).map_err(|e| {
            LedgerError::malformed(
                config_path.display().to_string(),
                format!("line {}", e.line()),
                e.to_string(),
            )
        })?;
        let log_key = VerifierKey::parse("log key", &signer.verifier_key())?;
        let keys = config.trusted_keys(log_key)?;
        reset_tmp(root)?;
        let published = match std::fs::read(root.join(CHECKPOINT_FILE)) {
            Ok(bytes) => Some(open_checkpoint(CHECKPOINT_FILE, &bytes, &keys)?),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(e) => return Err(LedgerError::io(root.join(CHECKPOINT_FILE), e)),
        };
        let published_size = published.as_ref().map_or(0, OpenedCheckpoint::size);
        let mut state = Replay::new(published_size);
        let (journal, journal_recovery) =
            Journal::open(&root.join(JOURNAL_FILE), published_size, |hash, entry| {
                state.push(hash, entry)
            })?;
        if let Some(published) = &published {
            let computed = state
                .root_at_published
                .expect("journal holds the published size");
            if computed != published.root() {
                return Err(LedgerError::RootMismatch {
                    checkpoint: CHECKPOINT_FILE.into(),
                    size: published_size,
                    claimed: published.root().to_string(),
                    computed: computed.to_string(),
                });
            }
        }
        let log = Log {
            root: root.to_path_buf(),
            signer,
            keys,
            journal,
            tree: state.tree,
            bundle: state.bundle,
            bundle_n: state.bundle_n,
            pending_tiles: state.pending_tiles,
            pending_bundles: state.pending_bundles,
            pending_bytes: state.pending_bytes,
            published_size,
            proposed: None,
        };
        Ok((
            log,
            Recovery {
                journal: journal_recovery,
                published_size,
            },
        ))
    }

    /// Entries in the log (acknowledged, whether or not a checkpoint covers them yet).
    pub fn size(&self) -> u64 {
        self.tree.size()
    }

    /// Size of the last published checkpoint.
    pub fn published_size(&self) -> u64 {
        self.published_size
    }

    pub fn root_dir(&self) -> &Path {
        &self.root
    }

    /// The keys a reader should trust for this log.
    pub fn trusted_keys(&self) -> &TrustedKeys {
        &self.keys
    }

    /// Appends raw entries durably: when this returns, they survive a crash. Returns their
    /// indices.
    pub fn append(&mut self, entries: &[Vec<u8>]) -> Result<Range<u64>> {
        if entries.is_empty() || entries.len() > BATCH_ENTRIES_MAX {
            let expected = format!("1 to {BATCH_ENTRIES_MAX} entries, found {}", entries.len());
            return Err(LedgerError::Request {
                what: "append".into(),
                expected,
            });
        }
        if let Some(i) = entries.iter().position(|e| e.len() > ENTRY_BYTES_MAX) {
            let expected = format!(
                "at most {ENTRY_BYTES_MAX} bytes (larger entries go in by hash), found {}",
                entries[i].len()
            );
            return Err(LedgerError::Request {
                what: format!("entry {i} of the batch"),
                expected,
            });
        }
        let hashes: Vec<Hash> = entries.iter().map(|e| record_hash(e)).collect();
        self.journal.append(entries, &hashes)?;
        let start = self.tree.size();
        for (entry, hash) in entries.iter().zip(hashes) {
            self.push(hash, entry);
        }
        if self.pending_bytes > PENDING_BYTES_MAX {
            self.write_tiles()?;
        }
        Ok(start..self.tree.size())
    }

    /// Appends typed entries as canonical JSON; an entry over the bundle limit is stored in
    /// `by-hash/<sha256>` and logged as `Entry::ByHash`.
    pub fn append_entries(&mut self, entries: &[Entry]) -> Result<Range<u64>> {
        let mut encoded = Vec::with_capacity(entries.len());
        let mut writer = DurableWriter::new(&self.root);
        for entry in entries {
            let (logged, full) = entry.to_log_bytes()?;
            if let Some(full) = full {
                writer.write(
                    &format!("{BY_HASH_DIR}/{}", model::Digest::of(&full)),
                    &full,
                )?;
            }
            encoded.push(logged);
        }
        writer.finish()?;
        self.append(&encoded)
    }

    fn push(&mut self, hash: Hash, entry: &[u8]) {
        let pending_tiles = &mut self.pending_tiles;
        let pending_bytes = &mut self.pending_bytes;
        self.tree.push(hash, |tile| {
            *pending_bytes += tile.hashes.len() * 32;
            pending_tiles.push(tile);
        });
        push_bundle_entry(&mut self.bundle, entry);
        self.bundle_n += 1;
        if self.bundle_n == TILE_WIDTH {
            let index = self.tree.size() / TILE_WIDTH as u64 - 1;
            self.pending_bytes += self.bundle.len();
            self.pending_bundles
                .push((index, std::mem::take(&mut self.bundle)));
            self.bundle_n = 0;
        }
    }

    /// Writes every tile and bundle completed since the last call, and the partial ones at the
    /// right edge, durably.
    fn write_tiles(&mut self) -> Result<()> {
        let mut writer = DurableWriter::new(&self.root);
        for tile in &self.pending_tiles {
            writer.write(&tile.coord().path(), &encode_hash_tile(&tile.hashes))?;
        }
        for (index, bundle) in &self.pending_bundles {
            let coord = TileCoord {
                kind: TileKind::Entries,
                index: *index,
                width: TILE_WIDTH,
            };
            writer.write(&coord.path(), bundle)?;
        }
        for (coord, hashes) in self.tree.partial_tiles() {
            writer.write(&coord.path(), &encode_hash_tile(hashes))?;
        }
        if self.bundle_n > 0 {
            let index = self.tree.size() / TILE_WIDTH as u64;
            let coord = TileCoord {
                kind: TileKind::Entries,
                index,
                width: self.bundle_n,
            };
            writer.write(&coord.path(), &self.bundle)?;
        }
        writer.finish()?;
        self.pending_tiles.clear();
        self.pending_bundles.clear();
        self.pending_bytes = 0;
        Ok(())
    }

    /// Writes the tiles, signs a checkpoint of the current size and publishes it, directly
    /// when the quorum is 0, else once the quorum of witnesses has cosigned it (see
    /// [`Log::collect_cosignatures`]).
    pub fn checkpoint(&mut self) -> Result<CheckpointOutcome> {
        self.write_tiles()?;
        let note = sign_checkpoint(&self.signer, self.tree.size(), self.tree.root())?;
        if self.keys.quorum == 0 {
            return self.publish(note);
        }
        let mut writer = DurableWriter::new(&self.root);
        writer.write(PROPOSED_FILE, &note)?;
        writer.finish()?;
        self.proposed = Some(note);
        self.collect_cosignatures()
    }

    /// Reads the witnesses' answers in `witness/cosignatures/`, keeps the cosignatures of
    /// trusted witnesses on the proposed checkpoint, and publishes it once they reach the
    /// quorum.
    pub fn collect_cosignatures(&mut self) -> Result<CheckpointOutcome> {
        let Some(proposed) = self.proposed.clone() else {
            let expected = "a proposed checkpoint (call `checkpoint` first)".into();
            return Err(LedgerError::Request {
                what: "collect cosignatures".into(),
                expected,
            });
        };
        let (text, mut signatures) = split_note(PROPOSED_FILE, &proposed)?;
        let dir = self.root.join(COSIGNATURES_DIR);
        let mut names: Vec<PathBuf> = match std::fs::read_dir(&dir) {
            Ok(listing) => listing.filter_map(|e| e.ok().map(|e| e.path())).collect(),
            Err(_) => Vec::new(),
        };
        names.sort();
        let mut have = 0usize;
        for path in names {
            let Ok(bytes) = std::fs::read(&path) else {
                continue;
            };
            // A witness's file may answer an older proposal: only cosignatures over this
            // text that verify with a configured witness key count.
            let Ok((their_text, their_signatures)) =
                split_note(&path.display().to_string(), &bytes)
            else {
                continue;
            };
            if their_text != text {
                continue;
            }
            for signature in their_signatures {
                let counted = signatures
                    .iter()
                    .any(|s| s.name() == signature.name() && s.id() == signature.id());
                let trusted = self.keys.witnesses.iter().any(|w| {
                    w.name() == signature.name()
                        && w.key_id() == signature.id()
                        && w.verify(&text, signature.signature())
                });
                if trusted && !counted {
                    signatures.push(signature);
                    have += 1;
                }
            }
        }
        if have < self.keys.quorum {
            let size = self.tree_size_of(&text);
            return Ok(CheckpointOutcome::Proposed {
                size,
                have,
                quorum: self.keys.quorum,
            });
        }
        let note = join_note(PROPOSED_FILE, &text, &signatures)?;
        self.publish(note)
    }

    fn tree_size_of(&self, text: &[u8]) -> u64 {
        tlog_tiles::Checkpoint::from_bytes(text).map_or(0, |c| c.size())
    }

    fn publish(&mut self, note: Vec<u8>) -> Result<CheckpointOutcome> {
        let opened = open_checkpoint("new checkpoint", &note, &self.keys)?;
        assert!(
            opened.size() >= self.published_size,
            "checkpoints only grow"
        );
        let mut writer = DurableWriter::new(&self.root);
        writer.write(CHECKPOINT_FILE, &note)?;
        writer.finish()?;
        self.published_size = opened.size();
        self.proposed = None;
        Ok(CheckpointOutcome::Published {
            size: opened.size(),
            note,
        })
    }
}

/// The state rebuilt from the journal on open: tiles that a published checkpoint already
/// covers are on disk and dropped; those past it are kept to be written again.
struct Replay {
    published_size: u64,
    tree: TreeBuilder,
    bundle: Vec<u8>,
    bundle_n: u32,
    pending_tiles: Vec<CompletedTile>,
    pending_bundles: Vec<(u64, Vec<u8>)>,
    pending_bytes: usize,
    root_at_published: Option<Hash>,
}

impl Replay {
    fn new(published_size: u64) -> Replay {
        Replay {
            published_size,
            tree: TreeBuilder::new(),
            bundle: Vec::new(),
            bundle_n: 0,
            pending_tiles: Vec::new(),
            pending_bundles: Vec::new(),
            pending_bytes: 0,
            root_at_published: (published_size == 0).then_some(tlog_tiles::EMPTY_HASH),
        }
    }

    fn push(&mut self, hash: Hash, entry: &[u8]) {
        let published_size = self.published_size;
        let pending_tiles = &mut self.pending_tiles;
        let pending_bytes = &mut self.pending_bytes;
        self.tree.push(hash, |tile| {
            let span = 1u64
                .checked_shl(8 * (tile.level as u32 + 1))
                .unwrap_or(u64::MAX);
            if (tile.index + 1).saturating_mul(span) > published_size {
                *pending_bytes += tile.hashes.len() * 32;
                pending_tiles.push(tile);
            }
        });
        push_bundle_entry(&mut self.bundle, entry);
        self.bundle_n += 1;
        if self.bundle_n == TILE_WIDTH {
            let index = self.tree.size() / TILE_WIDTH as u64 - 1;
            let bundle = std::mem::take(&mut self.bundle);
            if self.tree.size() > published_size {
                self.pending_bytes += bundle.len();
                self.pending_bundles.push((index, bundle));
            }
            self.bundle_n = 0;
        }
        if self.tree.size() == published_size {
            self.root_at_published = Some(self.tree.root());
        }
    }
}
