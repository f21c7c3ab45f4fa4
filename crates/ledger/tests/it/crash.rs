//! The crash loop: a writer process is SIGKILLed at random points and restarted; after each
//! kill the log recovers, verifies, is consistent with every checkpoint published before the
//! kill, and holds every acknowledged entry.
//!
//! `GUARANTOR_CRASH_ITERATIONS` (default 120) sets the number of kills; the seed is printed
//! so a failure replays with `GUARANTOR_CRASH_SEED`.

use std::io::Read;
use std::process::{Command, Stdio};
use std::time::Duration;

use base64::Engine as _;
use ledger::note::open_checkpoint;
use ledger::verify::{read_checkpoint, verify_consistency};
use ledger::{Log, VerifyOptions, verify_log};
use rand::{RngExt as _, SeedableRng};

use crate::{log_key, log_signer, trusted};

#[test]
fn kill_9_at_random_points_loses_nothing_acknowledged() {
    let iterations: u64 = env_number("GUARANTOR_CRASH_ITERATIONS", 120);
    let seed: u64 = env_number("GUARANTOR_CRASH_SEED", 20260501);
    eprintln!("crash loop: {iterations} kills, seed {seed}");
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
    let dir = tempfile::tempdir().unwrap();
    let log_dir = dir.path().join("log");
    let key_file = dir.path().join("log.key");
    std::fs::write(&key_file, log_key().signer_key).unwrap();
    let keys = trusted(&[], 0);
    // Created here so that every kill lands in the writer's append and checkpoint loop.
    let config = ledger::LogConfig {
        origin: crate::ORIGIN.into(),
        witnesses: vec![],
        quorum: 0,
    };
    drop(Log::create(&log_dir, log_signer(), config).unwrap());
    let mut acknowledged_end = 0u64;
    let mut published: Vec<Vec<u8>> = Vec::new();
    let (mut truncations, mut mid_batch_kills) = (0u64, 0u64);
    for iteration in 0..iterations {
        let mut child = Command::new(env!("CARGO_BIN_EXE_ledger-crash-writer"))
            .args([log_dir.as_os_str(), key_file.as_os_str()])
            .arg(format!("{}", seed ^ iteration))
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_micros(rng.random_range(2_000..40_000)));
        child.kill().unwrap(); // SIGKILL on Unix
        child.wait().unwrap();
        let mut stdout = String::new();
        child
            .stdout
            .take()
            .unwrap()
            .read_to_string(&mut stdout)
            .unwrap();
        for line in stdout.lines() {
            let mut words = line.split(' ');
            match (words.next(), words.next(), words.next()) {
                (Some("ack"), Some(_), Some(end)) => {
                    acknowledged_end = acknowledged_end.max(end.parse().unwrap());
                }
                (Some("published"), Some(note), None) => {
                    let Ok(note) = base64::engine::general_purpose::STANDARD.decode(note) else {
                        continue; // the line the kill cut short
                    };
                    published.push(note);
                }
                _ => mid_batch_kills += 1, // a line cut by the kill
            }
        }
        // Recover as the writer would, then check everything from the files alone.
        let (log, recovery) = Log::open(&log_dir, log_signer()).unwrap_or_else(|e| {
            panic!("iteration {iteration} (seed {seed}): recovery failed: {e}")
        });
        truncations += u64::from(recovery.journal.truncated_bytes > 0);
        assert!(
            log.size() >= acknowledged_end,
            "iteration {iteration} (seed {seed}): {} entries after recovery, {acknowledged_end} acknowledged",
            log.size()
        );
        drop(log);
        if !log_dir.join("checkpoint").exists() {
            continue;
        }
        let report = verify_log(
            &log_dir,
            &keys,
            VerifyOptions {
                check_entries: true,
            },
        )
        .unwrap_or_else(|e| panic!("iteration {iteration} (seed {seed}): verify failed: {e}"));
        let current = read_checkpoint(&log_dir, &keys).unwrap();
        for (i, note) in published.iter().enumerate() {
            let old = open_checkpoint(&format!("published #{i}"), note, &keys).unwrap();
            verify_consistency(&log_dir, &format!("published #{i}"), &old, &current)
                .unwrap_or_else(|e| panic!("iteration {iteration} (seed {seed}): {e}"));
        }
        assert_eq!(report.entries_n, current.size());
        // Keep the checks cheap: the current checkpoint was just found consistent with every
        // older one, so (consistency being transitive) it stands for those it replaces.
        published.push(std::fs::read(log_dir.join("checkpoint")).unwrap());
        if published.len() > 8 {
            published.drain(..published.len() - 8);
        }
    }
    eprintln!(
        "crash loop: {iterations} kills, {acknowledged_end} entries acknowledged, \
         {truncations} torn journal tails repaired, {mid_batch_kills} output lines cut"
    );
    assert!(
        acknowledged_end > 0,
        "the writer never acknowledged an append"
    );
}

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}
