//! The ledger: a tamper-evident, append-only log of everything the engine saw and decided,
//! in the transparency-log formats others already verify.
//!
//! - [`tiles`]: C2SP tlog-tiles paths, hash tiles and entry bundles.
//! - [`tree`]: the RFC 6962 tree grown incrementally as tiles; reading tiles for proofs.
//! - [`note`]: keys, signed notes (C2SP signed-note, Ed25519), checkpoints
//!   (tlog-checkpoint) and witness cosignatures (tlog-cosignature/v1).
//! - [`entry`]: the typed, versioned entries, as RFC 8785 canonical JSON.
//! - [`journal`], [`log`]: durable batched appends, checkpoints, crash recovery.
//! - [`proof`], [`verify`]: inclusion and consistency proofs; verifying a log from its
//!   files alone.
//! - [`witness`]: a party's witness.
//!
//! The ledger knows nothing of what entries mean; the maths (tree, proofs, notes) does no
//! I/O and never reads the clock (a cosignature's time is passed in).

pub mod entry;
pub mod error;
mod files;
pub mod journal;
pub mod limits;
pub mod log;
pub mod note;
pub mod proof;
pub mod tiles;
pub mod tree;
pub mod verify;
pub mod witness;

pub use entry::{ActionKind, ENTRY_VERSION, Entry, PartyAction};
pub use error::{LedgerError, Result};
pub use log::{CheckpointOutcome, Log, LogConfig, Recovery};
pub use note::{KeyPair, KeyRole, NoteSigner, OpenedCheckpoint, TrustedKeys, VerifierKey};
pub use tlog_tiles::{Hash, record_hash};
pub use verify::{LoggedEntry, VerifyOptions, VerifyReport, read_entries, verify_log};
