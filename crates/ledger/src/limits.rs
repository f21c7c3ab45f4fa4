//! Every bound of the ledger in one place: what the formats allow and what we accept from
//! files we did not write.

/// Height of a tile (C2SP tlog-tiles fixes it at 8): a full tile holds 256 hashes or entries.
pub const TILE_HEIGHT: u8 = 8;
/// Hashes in a full hash tile, entries in a full entry bundle.
pub const TILE_WIDTH: u32 = 1 << TILE_HEIGHT;
/// Bytes of one tree hash (SHA-256).
pub const HASH_BYTES: usize = 32;
/// Bytes of a full hash tile.
pub const TILE_BYTES_MAX: usize = TILE_WIDTH as usize * HASH_BYTES;
/// Largest entry stored inline: an entry bundle frames each entry with a big-endian u16 length.
/// A larger entry goes in by hash (`Entry::ByHash`).
pub const ENTRY_BYTES_MAX: usize = u16::MAX as usize;
/// Largest entry bundle we read: 256 entries of the largest size with their length prefixes.
pub const BUNDLE_BYTES_MAX: usize = TILE_WIDTH as usize * (2 + ENTRY_BYTES_MAX);
/// Entries in one `append` call: one journal write and one fsync cover them all.
pub const BATCH_ENTRIES_MAX: usize = 1 << 16;
/// Bytes of completed tiles and bundles held in memory between checkpoints; past it `append`
/// writes them out itself (backpressure on the caller, never unbounded growth).
pub const PENDING_BYTES_MAX: usize = 256 << 20;
/// Files a durable writer holds in memory before writing them; at this many (or at
/// [`STAGED_BYTES_MAX`]) it writes, fsyncs and renames them before taking more.
pub const STAGED_FILES_MAX: usize = 1024;
/// Bytes a durable writer holds in memory before writing them.
pub const STAGED_BYTES_MAX: usize = 64 << 20;
/// Threads that write and fsync staged files together (concurrent fsyncs share journal
/// commits).
pub const SYNC_THREADS_MAX: usize = 16;
/// Largest checkpoint or signed note we parse (signed_note refuses larger ones too).
pub const NOTE_BYTES_MAX: usize = 1_000_000;
/// Witness keys in a log's configuration.
pub const WITNESSES_MAX: usize = 64;
/// Hashes in an inclusion or consistency proof: a tree of at most 2^63 leaves needs fewer.
pub const PROOF_HASHES_MAX: usize = 64;
/// Levels of hash tiles: 8 tree levels each, 64 tree levels in all.
pub const TILE_LEVELS_MAX: usize = 8;

const _: () = assert!(TILE_BYTES_MAX == 8192);
const _: () = assert!(BATCH_ENTRIES_MAX * 2 <= PENDING_BYTES_MAX);
const _: () = assert!(TILE_LEVELS_MAX * TILE_HEIGHT as usize == 64);
