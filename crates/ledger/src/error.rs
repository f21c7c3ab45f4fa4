//! The ledger's one error type: every variant names the file, index or checkpoint at fault
//! and what was expected there.

use std::path::PathBuf;

/// What went wrong, where, and what was expected.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LedgerError {
    /// The operating system refused a read or write.
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    /// A file or text does not parse: `place` says where inside it (line, byte, field).
    #[error("{input}: {place}: expected {expected}")]
    Malformed {
        input: String,
        place: String,
        expected: String,
    },
    /// A hash tile differs from the hashes recomputed from the entry bundles.
    #[error(
        "{tile}: hash {position} (tree index {index}) differs from the one recomputed from \
         the entry bundles: the tile or an entry below it was altered"
    )]
    TileMismatch {
        tile: String,
        position: u32,
        index: u64,
    },
    /// A file the checkpoint needs is missing.
    #[error("{path}: missing, but checkpoint of size {size} needs it")]
    Missing { path: String, size: u64 },
    /// A note is signed by no key we were given, or by one we were given that does not verify.
    #[error("{input}: {detail}")]
    Signature { input: String, detail: String },
    /// The checkpoint's root does not match the tree its tiles and entries describe.
    #[error(
        "{checkpoint}: root hash {claimed} for size {size}, but the entries hash to {computed}"
    )]
    RootMismatch {
        checkpoint: String,
        size: u64,
        claimed: String,
        computed: String,
    },
    /// Two checkpoints of the same log that cannot both be true (a fork or a rollback).
    #[error("{new} is not consistent with {old}: {detail}")]
    Inconsistent {
        old: String,
        new: String,
        detail: String,
    },
    /// A proof does not prove what it claims.
    #[error("{what}: {detail}")]
    Proof { what: String, detail: String },
    /// A request outside the log (an index past its size, an empty batch, an oversized entry).
    #[error("{what}: expected {expected}")]
    Request { what: String, expected: String },
}

impl LedgerError {
    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> LedgerError {
        LedgerError::Io {
            path: path.into(),
            source,
        }
    }

    pub(crate) fn malformed(
        input: impl Into<String>,
        place: impl Into<String>,
        expected: impl Into<String>,
    ) -> LedgerError {
        LedgerError::Malformed {
            input: input.into(),
            place: place.into(),
            expected: expected.into(),
        }
    }
}

pub type Result<T, E = LedgerError> = std::result::Result<T, E>;
