//! Writes the 12-hour `night-wave` scenario (the bar: under 30 s).
//!
//! `cargo bench -p sim --bench night_wave`

use std::path::Path;

use criterion::{Criterion, criterion_group, criterion_main};

fn night_wave(c: &mut Criterion) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let path = root.join("scenarios/night-wave.toml");
    let scenario = sim::Scenario::load(&path).expect("night-wave loads");
    let out = root.join("target/sim-bench/night-wave");
    let mut group = c.benchmark_group("sim");
    group.sample_size(10);
    group.bench_function("night_wave_12h", |b| {
        b.iter(|| sim::run(&scenario, path.parent().unwrap(), &out, scenario.seed).expect("runs"))
    });
    group.finish();
}

criterion_group!(benches, night_wave);
criterion_main!(benches);
