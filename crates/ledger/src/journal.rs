//! The entries journal: the durable record behind every acknowledged append.
//!
//! Each batch is one write of frames `[u32 BE length][32-byte leaf hash][entry]` and one
//! fsync; only then is the append acknowledged. The frame's check is the entry's RFC 6962
//! leaf hash, which the tree needs anyway, so framing costs no extra hashing. On open, the
//! first frame that is short or whose hash does not match ends the journal: the torn tail
//! of an unacknowledged batch is cut off and the file fsynced before anything is served.

use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use tlog_tiles::{Hash, record_hash};

use crate::error::{LedgerError, Result};
use crate::limits::{ENTRY_BYTES_MAX, HASH_BYTES};

const MAGIC: &[u8; 8] = b"GLEDJ01\n";
const FRAME_HEADER_BYTES: usize = 4 + HASH_BYTES;

/// What opening the journal found and repaired.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct JournalRecovery {
    pub entries_n: u64,
    /// Bytes of a torn or partial tail cut off (0 after a clean shutdown).
    pub truncated_bytes: u64,
}

/// An open journal, positioned at its end.
#[derive(Debug)]
pub struct Journal {
    path: PathBuf,
    file: File,
    buffer: Vec<u8>,
}

impl Journal {
    /// Opens (or creates) the journal, replays every intact frame through `replay` in order,
    /// and cuts off a torn tail. Fewer than `entries_min` intact frames (the size of the last
    /// published checkpoint) is an error and nothing is cut: the journal lost entries it had
    /// acknowledged, which no crash can cause.
    pub fn open(
        path: &Path,
        entries_min: u64,
        mut replay: impl FnMut(Hash, &[u8]),
    ) -> Result<(Journal, JournalRecovery)> {
        let io = |e| LedgerError::io(path, e);
        let mut file = OpenOptions::new()
            .read(true)
            .append(true)
            .create(true)
            .open(path)
            .map_err(io)?;
        let mut bytes = Vec::new();
        file.read_to_end(&mut bytes).map_err(io)?;
        let mut recovery = JournalRecovery::default();
        if bytes.is_empty() && entries_min == 0 {
            file.write_all(MAGIC).map_err(io)?;
            file.sync_all().map_err(io)?;
            sync_parent(path)?;
            return Ok((
                Journal {
                    path: path.to_path_buf(),
                    file,
                    buffer: Vec::new(),
                },
                recovery,
            ));
        }
        if bytes.len() < MAGIC.len() || &bytes[..MAGIC.len()] != MAGIC {
            let input = path.display().to_string();
            return Err(LedgerError::malformed(
                input,
                "byte 0",
                "the journal header `GLEDJ01`",
            ));
        }
        let mut offset = MAGIC.len();
        while let Some((hash, entry)) = frame_at(&bytes, offset) {
            replay(hash, entry);
            recovery.entries_n += 1;
            offset += FRAME_HEADER_BYTES + entry.len();
        }
        if recovery.entries_n < entries_min {
            let expected = format!(
                "at least {entries_min} intact entries (the published checkpoint's size), found {}",
                recovery.entries_n
            );
            return Err(LedgerError::malformed(
                path.display().to_string(),
                format!("byte {offset}"),
                expected,
            ));
        }
        if offset < bytes.len() {
            recovery.truncated_bytes = (bytes.len() - offset) as u64;
            file.set_len(offset as u64).map_err(io)?;
            file.sync_all().map_err(io)?;
        }
        file.seek(SeekFrom::End(0)).map_err(io)?;
        Ok((
            Journal {
                path: path.to_path_buf(),
                file,
                buffer: Vec::new(),
            },
            recovery,
        ))
    }

    /// Writes a batch in one write and fsyncs it: when this returns, the entries survive a
    /// crash. `hashes[i]` must be the leaf hash of `entries[i]`.
    pub fn append(&mut self, entries: &[Vec<u8>], hashes: &[Hash]) -> Result<()> {
        assert_eq!(entries.len(), hashes.len(), "one hash per entry");
        self.buffer.clear();
        for (entry, hash) in entries.iter().zip(hashes) {
            assert!(
                entry.len() <= ENTRY_BYTES_MAX,
                "entry size is checked before the journal"
            );
            self.buffer
                .extend_from_slice(&(entry.len() as u32).to_be_bytes());
            self.buffer.extend_from_slice(&hash.0);
            self.buffer.extend_from_slice(entry);
        }
        let io = |e| LedgerError::io(&self.path, e);
        self.file.write_all(&self.buffer).map_err(io)?;
        self.file.sync_data().map_err(io)
    }
}

/// The intact frame at `offset`, if any: complete, within the size limit, hash matching.
fn frame_at(bytes: &[u8], offset: usize) -> Option<(Hash, &[u8])> {
    let header = bytes.get(offset..offset + FRAME_HEADER_BYTES)?;
    let len = u32::from_be_bytes(header[..4].try_into().ok()?) as usize;
    if len > ENTRY_BYTES_MAX {
        return None;
    }
    let start = offset + FRAME_HEADER_BYTES;
    let entry = bytes.get(start..start + len)?;
    let hash = Hash(header[4..].try_into().ok()?);
    (record_hash(entry) == hash).then_some((hash, entry))
}

/// Fsyncs the directory holding `path`, so a create or rename in it is durable.
pub fn sync_parent(path: &Path) -> Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(|e| LedgerError::io(dir, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn torn_tails_are_cut_and_intact_frames_kept() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("journal");
        let entries: Vec<Vec<u8>> = (0..5u8).map(|i| vec![i; 10 + i as usize]).collect();
        let hashes: Vec<Hash> = entries.iter().map(|e| record_hash(e)).collect();
        {
            let (mut journal, recovery) = Journal::open(&path, 0, |_, _| {}).unwrap();
            assert_eq!(recovery, JournalRecovery::default());
            journal.append(&entries, &hashes).unwrap();
        }
        let full = std::fs::read(&path).unwrap();
        // Cut at every byte of the last frame and flip a byte inside it: 4 entries survive.
        let last_frame = full.len() - (FRAME_HEADER_BYTES + 14);
        for cut in last_frame..full.len() {
            std::fs::write(&path, &full[..cut]).unwrap();
            let mut seen = Vec::new();
            let (_, recovery) = Journal::open(&path, 0, |_, e| seen.push(e.to_vec())).unwrap();
            assert_eq!(seen, entries[..4]);
            assert_eq!(recovery.truncated_bytes, (cut - last_frame) as u64);
            assert_eq!(std::fs::metadata(&path).unwrap().len(), last_frame as u64);
        }
        let mut flipped = full.clone();
        flipped[full.len() - 3] ^= 1;
        std::fs::write(&path, &flipped).unwrap();
        let (_, recovery) = Journal::open(&path, 0, |_, _| {}).unwrap();
        assert_eq!(recovery.entries_n, 4);
        std::fs::write(&path, &flipped).unwrap();
        let err = Journal::open(&path, 5, |_, _| {}).unwrap_err().to_string();
        assert!(
            err.ends_with(
                "expected at least 5 intact entries (the published checkpoint's size), found 4"
            ),
            "{err}"
        );
    }
}
