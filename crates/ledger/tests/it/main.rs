//! Integration tests of the ledger: tampering, crashes, witnesses, Go's sumdb as a peer, and
//! hostile input to the parsers.

mod crash;
mod go_peer;
mod hostile;
mod tamper;
mod witness;

use std::path::Path;

use ledger::note::key_from_seed;
use ledger::{Entry, KeyRole, Log, LogConfig, NoteSigner, TrustedKeys, VerifierKey};

pub const ORIGIN: &str = "guarantor.test/log";

/// The log's key pair, fixed so failures replay.
pub fn log_key() -> ledger::KeyPair {
    key_from_seed(ORIGIN, KeyRole::Log, [42; 32]).unwrap()
}

pub fn log_signer() -> NoteSigner {
    NoteSigner::parse("log key", &log_key().signer_key).unwrap()
}

pub fn trusted(witnesses: &[&ledger::KeyPair], quorum: usize) -> TrustedKeys {
    let log = VerifierKey::parse("log", &log_key().verifier_key).unwrap();
    let witnesses = witnesses
        .iter()
        .map(|w| VerifierKey::parse("w", &w.verifier_key).unwrap())
        .collect();
    TrustedKeys::new(log, witnesses, quorum).unwrap()
}

/// Entry `n` of a test log: a feed chunk whose size varies with `n`.
pub fn entry(n: u64) -> Entry {
    Entry::FeedChunk {
        v: ledger::ENTRY_VERSION,
        source: format!("test:{}", "s".repeat((n % 97) as usize)),
        first_time_us: n as i64,
        last_time_us: n as i64 + 10,
        records_n: n,
        bytes_n: 512,
        digest: model::Digest::of(&n.to_be_bytes()),
    }
}

/// A log of `n` entries appended in batches of `batch`, with a checkpoint after each batch.
pub fn build_log(dir: &Path, n: u64, batch: u64) -> Log {
    let config = LogConfig {
        origin: ORIGIN.into(),
        witnesses: vec![],
        quorum: 0,
    };
    let mut log = Log::create(dir, log_signer(), config).unwrap();
    let mut next = 0;
    while next < n {
        let end = (next + batch).min(n);
        let entries: Vec<Entry> = (next..end).map(entry).collect();
        log.append_entries(&entries).unwrap();
        log.checkpoint().unwrap();
        next = end;
    }
    log
}
