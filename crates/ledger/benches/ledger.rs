//! Ledger speed: durable appends (batched fsync, ~500-byte entries), appends with a
//! checkpoint per 100,000 entries, and inclusion proof verification on one core.
//!
//! `cargo bench -p ledger --bench ledger`

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use ledger::note::{KeyRole, key_from_seed};
use ledger::proof::{check_inclusion, prove_inclusion};
use ledger::{Log, LogConfig, NoteSigner};

const ENTRY_BYTES: usize = 500;
const BATCH: usize = 1000;
/// Entries per fsync in the checkpoint benchmark: a writer under load batches this deep.
const DEEP_BATCH: usize = 10_000;

fn new_log(dir: &std::path::Path) -> Log {
    let pair = key_from_seed("bench.example/log", KeyRole::Log, [1; 32]).unwrap();
    let signer = NoteSigner::parse("bench key", &pair.signer_key).unwrap();
    let config = LogConfig {
        origin: "bench.example/log".into(),
        witnesses: vec![],
        quorum: 0,
    };
    Log::create(dir, signer, config).unwrap()
}

fn batch(start: u64) -> Vec<Vec<u8>> {
    batch_of(start, BATCH)
}

fn batch_of(start: u64, n: usize) -> Vec<Vec<u8>> {
    (start..start + n as u64)
        .map(|n| {
            let mut entry = format!("{{\"n\":{n},\"pad\":\"").into_bytes();
            entry.resize(ENTRY_BYTES - 2, b'p');
            entry.extend_from_slice(b"\"}");
            entry
        })
        .collect()
}

fn append(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let mut log = new_log(dir.path());
    let mut group = c.benchmark_group("append");
    group.sample_size(10);
    group.throughput(Throughput::Elements(10 * BATCH as u64));
    group.bench_function("durable_10_batches_of_1000", |b| {
        b.iter(|| {
            for _ in 0..10 {
                let entries = batch(log.size());
                black_box(log.append(&entries).unwrap());
            }
        })
    });
    // 100,000 entries and one checkpoint (tiles, bundles, signed note, all fsynced): under a
    // second per iteration is 100,000 entries a second with a checkpoint every second.
    group.throughput(Throughput::Elements(10 * DEEP_BATCH as u64));
    group.bench_function("durable_10_batches_of_10000_then_checkpoint", |b| {
        b.iter(|| {
            for _ in 0..10 {
                let entries = batch_of(log.size(), DEEP_BATCH);
                log.append(&entries).unwrap();
            }
            black_box(log.checkpoint().unwrap());
        })
    });
    group.finish();
}

fn inclusion(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let mut log = new_log(dir.path());
    for _ in 0..131 {
        let entries = batch(log.size());
        log.append(&entries).unwrap();
    }
    log.checkpoint().unwrap();
    let size = log.size();
    let root = ledger::verify::read_checkpoint(dir.path(), log.trusted_keys())
        .unwrap()
        .root();
    let proofs: Vec<_> = (0..1000u64)
        .map(|i| {
            let index = i * 131 % size;
            let leaf = ledger::record_hash(&batch(index)[0]);
            (
                index,
                leaf,
                prove_inclusion(dir.path(), size, index).unwrap(),
            )
        })
        .collect();
    let mut group = c.benchmark_group("inclusion");
    group.throughput(Throughput::Elements(proofs.len() as u64));
    group.bench_function("verify_1000_proofs_tree_131000", |b| {
        b.iter(|| {
            for (index, leaf, proof) in &proofs {
                check_inclusion(proof, size, root, *index, *leaf).unwrap();
            }
        })
    });
    group.finish();
}

criterion_group!(benches, append, inclusion);
criterion_main!(benches);
