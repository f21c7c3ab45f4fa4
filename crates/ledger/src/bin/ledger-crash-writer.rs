//! A writer for the crash test: opens (recovering) or creates a log, then appends batches of
//! entries and publishes checkpoints forever, printing `ack <start> <end>` after each durable
//! append and `published <base64 note>` after each checkpoint, until it is killed.
//!
//! Usage: `ledger-crash-writer LOGDIR SIGNER_KEY_FILE SEED`.

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use base64::Engine as _;
use ledger::{CheckpointOutcome, Entry, Log, LogConfig, NoteSigner};
use model::Digest;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    let [_, dir, key, seed] = args.as_slice() else {
        eprintln!("usage: ledger-crash-writer LOGDIR SIGNER_KEY_FILE SEED");
        return ExitCode::from(2);
    };
    match run(Path::new(dir), Path::new(key), seed.parse().unwrap_or(1)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("ledger-crash-writer: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run(dir: &Path, key: &Path, seed: u64) -> ledger::Result<()> {
    let text = std::fs::read_to_string(key).map_err(|e| ledger::LedgerError::Io {
        path: key.into(),
        source: e,
    })?;
    let signer = NoteSigner::parse(&key.display().to_string(), &text)?;
    let mut log = if dir.join(ledger::log::CONFIG_FILE).exists() {
        Log::open(dir, signer)?.0
    } else {
        let config = LogConfig {
            origin: signer.name().to_owned(),
            witnesses: vec![],
            quorum: 0,
        };
        Log::create(dir, signer, config)?
    };
    let mut out = std::io::stdout().lock();
    // A small xorshift stream: batch sizes and entry sizes vary with the seed.
    let mut state = seed | 1;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    for round in 0u64.. {
        let batch_n = 1 + next() % 40;
        let entries: Vec<Entry> = (0..batch_n)
            .map(|i| {
                let n = log.size() + i;
                Entry::FeedChunk {
                    v: ledger::ENTRY_VERSION,
                    source: format!("crash:{seed}:{}", "x".repeat((next() % 300) as usize)),
                    first_time_us: n as i64,
                    last_time_us: n as i64 + 1,
                    records_n: n,
                    bytes_n: 500,
                    digest: Digest::of(&n.to_be_bytes()),
                }
            })
            .collect();
        let range = log.append_entries(&entries)?;
        // Written only after the fsync: what the test may hold us to.
        let _ = writeln!(out, "ack {} {}", range.start, range.end);
        if round % 3 == 2
            && let CheckpointOutcome::Published { note, .. } = log.checkpoint()?
        {
            let encoded = base64::engine::general_purpose::STANDARD.encode(note);
            let _ = writeln!(out, "published {encoded}");
        }
        let _ = out.flush();
    }
    Ok(())
}
