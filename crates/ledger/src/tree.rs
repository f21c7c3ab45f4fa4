//! The Merkle tree of RFC 6962 kept as tiles: the right edge in memory, grown one leaf at a
//! time, emitting each tile as it completes; and a reader of the tiles on disk for proofs.
//!
//! Hashing and proof maths come from `tlog_tiles` (a port of Go's `sumdb/tlog`); what is
//! here is the incremental builder (tlog_tiles stores every hash in one index space, which
//! would mean a hash store of twice the tree) and the C2SP tile file layout.

use std::cell::RefCell;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

use tlog_tiles::{Hash, HashReader, node_hash};

use crate::error::{LedgerError, Result};
use crate::limits::{TILE_HEIGHT, TILE_LEVELS_MAX, TILE_WIDTH};
use crate::tiles::{TileCoord, TileKind, decode_hash_tile};

/// The hash of a perfect subtree whose leaves (at some level) are `hashes`; `hashes.len()`
/// must be a power of two.
pub fn subtree_hash(hashes: &[Hash]) -> Hash {
    assert!(hashes.len().is_power_of_two(), "subtree of a power of two");
    if hashes.len() == 1 {
        return hashes[0];
    }
    let half = hashes.len() / 2;
    node_hash(subtree_hash(&hashes[..half]), subtree_hash(&hashes[half..]))
}

/// A tile the builder completed: its level, index and 256 hashes.
#[derive(Debug, Clone, PartialEq)]
pub struct CompletedTile {
    pub level: u8,
    pub index: u64,
    pub hashes: Vec<Hash>,
}

impl CompletedTile {
    pub fn coord(&self) -> TileCoord {
        TileCoord {
            kind: TileKind::Hashes { level: self.level },
            index: self.index,
            width: TILE_WIDTH,
        }
    }
}

/// The right edge of the tree: at each tile level, the hashes of the tile still being filled.
/// Appending a leaf costs one hash on average; a root costs at most 255 per level.
#[derive(Debug, Clone, Default)]
pub struct TreeBuilder {
    size: u64,
    levels: Vec<Vec<Hash>>,
}

impl TreeBuilder {
    pub fn new() -> TreeBuilder {
        TreeBuilder::default()
    }

    /// Leaves in the tree.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// Appends one leaf hash; every tile this completes is passed to `completed`.
    pub fn push(&mut self, leaf: Hash, mut completed: impl FnMut(CompletedTile)) {
        self.size += 1;
        let mut carry = leaf;
        let mut level = 0usize;
        loop {
            if self.levels.len() == level {
                assert!(level < TILE_LEVELS_MAX, "tree of at most 2^64 leaves");
                self.levels.push(Vec::with_capacity(TILE_WIDTH as usize));
            }
            self.levels[level].push(carry);
            if self.levels[level].len() < TILE_WIDTH as usize {
                return;
            }
            let hashes = std::mem::replace(
                &mut self.levels[level],
                Vec::with_capacity(TILE_WIDTH as usize),
            );
            carry = subtree_hash(&hashes);
            let tiles_done = self.size >> (TILE_HEIGHT as u32 * (level as u32 + 1));
            completed(CompletedTile {
                level: level as u8,
                index: tiles_done - 1,
                hashes,
            });
            level += 1;
        }
    }

    /// The RFC 6962 root: the perfect subtrees of the edge, largest first, folded from the
    /// right.
    pub fn root(&self) -> Hash {
        let mut parts = Vec::new();
        for hashes in self.levels.iter().rev() {
            let mut start = 0usize;
            for bit in (0..TILE_HEIGHT).rev() {
                let span = 1usize << bit;
                if hashes.len() & span != 0 {
                    parts.push(subtree_hash(&hashes[start..start + span]));
                    start += span;
                }
            }
        }
        let Some(mut root) = parts.pop() else {
            return tlog_tiles::EMPTY_HASH;
        };
        while let Some(left) = parts.pop() {
            root = node_hash(left, root);
        }
        root
    }

    /// The partial tiles at the right edge (width < 256), level by level.
    pub fn partial_tiles(&self) -> impl Iterator<Item = (TileCoord, &[Hash])> {
        self.levels
            .iter()
            .enumerate()
            .filter(|(_, h)| !h.is_empty())
            .map(|(level, hashes)| {
                let index = self.size >> (TILE_HEIGHT as u32 * (level as u32 + 1));
                let coord = TileCoord {
                    kind: TileKind::Hashes { level: level as u8 },
                    index,
                    width: hashes.len() as u32,
                };
                (coord, hashes.as_slice())
            })
    }
}

/// Reads hashes from the hash tiles of a log folder, as they stand for a tree of
/// `tree_size`: the `tlog_tiles` proof functions call it.
#[derive(Debug)]
pub struct TileReader {
    root: PathBuf,
    tree_size: u64,
    cache: RefCell<HashMap<TileCoord, Vec<Hash>>>,
    failure: RefCell<Option<LedgerError>>,
}

impl TileReader {
    pub fn new(root: &Path, tree_size: u64) -> TileReader {
        TileReader {
            root: root.to_path_buf(),
            tree_size,
            cache: RefCell::default(),
            failure: RefCell::default(),
        }
    }

    /// The error behind the last `tlog_tiles::Error::InvalidTile`, with the file named.
    pub fn take_failure(&self) -> Option<LedgerError> {
        self.failure.borrow_mut().take()
    }

    fn read_tile(&self, level: u8, index: u64) -> Result<Vec<Hash>> {
        let level_size = self.tree_size >> (TILE_HEIGHT as u32 * level as u32);
        let first = index.saturating_mul(TILE_WIDTH as u64);
        let width = level_size.saturating_sub(first).min(TILE_WIDTH as u64) as u32;
        let coord = TileCoord {
            kind: TileKind::Hashes { level },
            index,
            width,
        };
        if width == 0 {
            let expected = format!("a tile inside a tree of {}", self.tree_size);
            return Err(LedgerError::Request {
                what: coord.path(),
                expected,
            });
        }
        if let Some(hashes) = self.cache.borrow().get(&coord) {
            return Ok(hashes.clone());
        }
        let path = coord.path();
        let bytes = match std::fs::read(self.root.join(&path)) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(LedgerError::Missing {
                    path,
                    size: self.tree_size,
                });
            }
            Err(e) => return Err(LedgerError::io(self.root.join(&path), e)),
        };
        let hashes = decode_hash_tile(&path, &bytes, width)?;
        self.cache.borrow_mut().insert(coord, hashes.clone());
        Ok(hashes)
    }

    fn read_hash(&self, stored_index: u64) -> Result<Hash> {
        let (level, n) = tlog_tiles::split_stored_hash_index(stored_index);
        let tile_level = level / TILE_HEIGHT;
        let within = level % TILE_HEIGHT;
        // The hash at tree level `level` covers 2^within hashes of its tile's level.
        let first = n << within;
        let tile_index = first >> TILE_HEIGHT;
        let hashes = self.read_tile(tile_level, tile_index)?;
        let start = (first % TILE_WIDTH as u64) as usize;
        let end = start + (1usize << within);
        let Some(span) = hashes.get(start..end) else {
            let expected = format!("hashes {start}..{end} inside the tile");
            return Err(LedgerError::Request {
                what: format!("level {level} hash {n}"),
                expected,
            });
        };
        Ok(subtree_hash(span))
    }
}

impl HashReader for TileReader {
    fn read_hashes(&self, indexes: &[u64]) -> Result<Vec<Hash>, tlog_tiles::Error> {
        let mut out = Vec::with_capacity(indexes.len());
        for &index in indexes {
            match self.read_hash(index) {
                Ok(hash) => out.push(hash),
                Err(e) => {
                    *self.failure.borrow_mut() = Some(e);
                    return Err(tlog_tiles::Error::InvalidTile);
                }
            }
        }
        Ok(out)
    }
}

// Keeps the tlog_tiles tile maths and ours from drifting apart: both place a stored hash in
// the same tile.
#[cfg(test)]
mod tests {
    use super::*;
    use tlog_tiles::{Tile, record_hash, stored_hash_index};

    /// The root by the RFC 6962 definition, straight from the leaves.
    fn reference_root(leaves: &[Hash]) -> Hash {
        match leaves.len() {
            0 => tlog_tiles::EMPTY_HASH,
            1 => leaves[0],
            n => {
                let k = 1usize << (usize::BITS - 1 - (n - 1).leading_zeros());
                node_hash(reference_root(&leaves[..k]), reference_root(&leaves[k..]))
            }
        }
    }

    #[test]
    fn root_matches_the_rfc_definition_at_every_size() {
        let mut builder = TreeBuilder::new();
        let mut leaves = Vec::new();
        let mut completed = Vec::new();
        for i in 0u32..1100 {
            let leaf = record_hash(&i.to_be_bytes());
            leaves.push(leaf);
            builder.push(leaf, |t| completed.push(t));
            if i % 37 == 0 || i > 1020 {
                assert_eq!(builder.root(), reference_root(&leaves), "size {}", i + 1);
            }
        }
        let coords: Vec<_> = completed.iter().map(|t| t.coord().path()).collect();
        assert_eq!(
            coords,
            ["tile/0/000", "tile/0/001", "tile/0/002", "tile/0/003"]
        );
        assert_eq!(completed[3].hashes[0], leaves[768]);
    }

    #[test]
    fn stored_hash_lands_in_the_tile_tlog_tiles_names() {
        for (level, n) in [(0u8, 5u64), (3, 1), (8, 2), (9, 0), (15, 1), (16, 0)] {
            let index = stored_hash_index(level, n);
            let tile = Tile::from_index(TILE_HEIGHT, index);
            assert_eq!(tile.level(), level / TILE_HEIGHT);
            assert_eq!(
                tile.level_index(),
                (n << (level % TILE_HEIGHT)) >> TILE_HEIGHT
            );
        }
    }
}
