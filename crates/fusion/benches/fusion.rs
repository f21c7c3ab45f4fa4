//! Criterion benches: gating (grid vs rstar) and one full scan at 10,000 targets.

use criterion::{Criterion, criterion_group, criterion_main};
use fusion::hypothesiser::{Gate, GateInput, GridGate, Hypothesiser, RTreeGate};
use fusion::plane::{PlaneTracker, TrackerConfig};
use fusion::scenario::{ScenarioConfig, generate};
use fusion::state::Plot;
use model::Time;

fn plots_of(d: &[[f64; 2]]) -> Vec<Plot> {
    d.iter()
        .map(|d| Plot::position(d[0], d[1], 50.0, 0))
        .collect()
}

fn bench(c: &mut Criterion) {
    let cfg = ScenarioConfig {
        targets: 10_000,
        clutter_per_scan: 1_000.0,
        steps: 12,
        ..Default::default()
    };
    let data = generate(&cfg);
    let mut tracker = PlaneTracker::new(TrackerConfig::default());
    let mut next = 0;
    for s in &data[..10] {
        let out = tracker.step(
            Time::from_unix_us((s.time_s * 1e6) as i64),
            Some(0),
            &plots_of(&s.detections),
            &[],
        );
        tracker.number_new(out.n_confirmed, &mut next);
    }
    let plots = plots_of(&data[10].detections);
    let preds: Vec<GateInput> = tracker
        .tracks()
        .iter()
        .map(|t| GateInput::of(&t.filter, 0))
        .collect();
    let mut g = c.benchmark_group("gating");
    let grid = GridGate {
        gate: Gate::default(),
        cell_m: 2_000.0,
    };
    let rtree = RTreeGate {
        gate: Gate::default(),
    };
    g.bench_function("grid_10k", |b| {
        b.iter(|| {
            let mut h = Vec::new();
            grid.hypothesise(&preds, &plots, &mut h);
            h.len()
        })
    });
    g.bench_function("rstar_10k", |b| {
        b.iter(|| {
            let mut h = Vec::new();
            rtree.hypothesise(&preds, &plots, &mut h);
            h.len()
        })
    });
    g.finish();
    c.bench_function("scan_10k_targets_1k_clutter", |b| {
        b.iter_batched(
            || (PlaneTracker::new(TrackerConfig::default()), plots.clone()),
            |(mut t, p)| t.step(Time::from_unix_us(0), Some(0), &p, &[]).n_confirmed,
            criterion::BatchSize::LargeInput,
        )
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
