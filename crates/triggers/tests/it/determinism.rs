//! The same inputs give the same records whatever the batch size or thread count.

use model::incident::FieldValue;
use model::{Incident, IncidentKind};
use triggers::{Config, Engine, Record};

use crate::{Build, incident, pact_with};

/// A seeded, shuffled-in-time stream of entries, cyber attacks and noise, with
/// some incidents late (within and beyond the allowed lateness) and some duplicated.
fn stream(n: usize, seed: u64) -> Vec<Incident> {
    let mut x = seed;
    let mut next = move || {
        // SplitMix64: a fixed, dependency-free sequence.
        x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = x;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    };
    let mut out = Vec::with_capacity(n);
    let mut minute = 0i64;
    for i in 0..n {
        let r = next();
        minute += (r % 7) as i64;
        let jitter = ((r >> 8) % 12) as i64;
        let time = minute - jitter;
        let id = if r % 53 == 0 && i > 0 {
            format!("i{}", i - 1)
        } else {
            format!("i{i}")
        };
        let lat = 49.0 + ((r >> 16) % 400) as f64 / 100.0;
        let lon = 21.0 + ((r >> 24) % 400) as f64 / 100.0;
        let inc = match (r >> 32) % 5 {
            0 | 1 => incident(&id, IncidentKind::AirspaceEntry, time)
                .zones(&["pl-belt"])
                .at_position(lat, lon),
            2 => incident(&id, IncidentKind::AirspaceEntry, time)
                .zones(&["ua-airspace"])
                .field("state_originated", FieldValue::Bool(r % 3 == 0))
                .at_position(lat, lon + 3.0),
            3 => incident(&id, IncidentKind::CyberAttack, time)
                .site("grid-1")
                .field("severity", FieldValue::Int((r % 6) as i64)),
            _ => incident(&id, IncidentKind::VesselLoitering, time),
        };
        out.push(inc);
    }
    out
}

fn run(incidents: &[Incident], batch: usize, threads: usize) -> Vec<String> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap();
    pool.install(|| {
        let config = Config {
            parallel_batch_min: 1,
            ..Config::default()
        };
        let mut e = Engine::new(pact_with(|t| t), config);
        let mut records: Vec<Record> = Vec::new();
        for chunk in incidents.chunks(batch) {
            records.extend(e.process(chunk));
            // Commands between batches would differ by batch size; acknowledge nothing.
        }
        let end = incidents.iter().map(|i| i.time).max().unwrap();
        records.extend(e.advance(end + model::Duration::from_days(2)));
        records
            .iter()
            .map(|r| serde_json::to_string(r).unwrap())
            .collect()
    })
}

#[test]
fn the_same_inputs_at_any_batch_size_and_thread_count_give_the_same_records() {
    let incidents = stream(3000, 7);
    let reference = run(&incidents, incidents.len(), 1);
    let n_activations = reference
        .iter()
        .filter(|r| r.contains("\"record\":\"activation\""))
        .count();
    assert!(
        n_activations >= 3,
        "the stream should activate several times: {n_activations}"
    );
    assert!(reference.iter().any(|r| r.contains("too_late")));
    for (batch, threads) in [(1, 1), (7, 2), (64, 4), (1000, 3), (3000, 4)] {
        assert_eq!(
            run(&incidents, batch, threads),
            reference,
            "batch {batch}, threads {threads}"
        );
    }
}
