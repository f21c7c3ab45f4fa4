//! ASTERIX decoding throughput on one core: records a second, from datagrams
//! of typical size (a radar scan's worth of plots per block) to observations
//! in a sink, SHA-256 of each record included. Bar: CAT048 >= 5 M records/s.
//!
//! `cargo bench -p feeds --bench asterix`; `cat048_decode_on_cpu` times the same work in
//! the benchmark thread's on-CPU time, the one-core figure on a shared machine.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use feeds::asterix::cat021::{GroundVector, LatLon as LatLon21, Quality};
use feeds::asterix::cat048::{PolarPosition, PolarVelocity, TargetReport};
use feeds::asterix::cat062::{CartesianVelocity, LatLon, TrackAccuracy};
use feeds::asterix::{AsterixDecoder, Callsign, Cat021Record, Cat048Record, Cat062Record};
use feeds::asterix::{AsterixRecord, encode_block};
use feeds::{DecodeError, Decoder, DecoderConfig, Record, Sink};
use model::{SourceId, Time};

#[path = "common/cpu_time.rs"]
mod cpu_time;

/// Counts what arrives; drops the observations as a consumer would after use.
#[derive(Default)]
struct Count {
    records: u64,
    errors: u64,
}

impl Sink for Count {
    fn record(&mut self, record: Record) {
        self.records += 1;
        black_box(record);
    }
    fn error(&mut self, error: DecodeError) {
        self.errors += 1;
        black_box(error);
    }
}

fn config() -> DecoderConfig {
    DecoderConfig {
        source: SourceId::new("asterix:bench"),
        day: Time::parse_rfc3339("2025-09-10T00:00:00Z").unwrap(),
    }
}

/// Mode S roll-call plots with identity, as a real radar sends them.
fn plot(idx: u32) -> Cat048Record {
    let i = f64::from(idx);
    Cat048Record {
        sac: 25,
        sic: 3,
        time_of_day_s: 3_600.0 + i * 0.01,
        report: Some(TargetReport {
            detection: 5,
            ..TargetReport::default()
        }),
        polar: Some(PolarPosition {
            range_m: 10_000.0 + (i * 37.0) % 400_000.0,
            azimuth_deg: (i * 0.7) % 360.0,
        }),
        mode3a: Some((idx % 0o7777) as u16),
        flight_level: Some(330.0),
        aircraft_address: Some(0x4C_0000 + idx),
        callsign: Callsign::new("DLH65A"),
        track_number: Some((idx % 4096) as u16),
        velocity: Some(PolarVelocity {
            ground_speed_mps: 230.0,
            heading_deg: 124.0,
        }),
        track_status: Some(0),
        ..Cat048Record::default()
    }
}

fn track(idx: u32) -> Cat062Record {
    let i = f64::from(idx);
    Cat062Record {
        sac: 25,
        sic: 100,
        service_id: Some(1),
        time_of_track_s: 3_600.0 + i * 0.01,
        position: Some(LatLon {
            lat_deg: 50.0 + i * 1e-4,
            lon_deg: 20.0,
        }),
        velocity: Some(CartesianVelocity {
            vx_mps: 200.0,
            vy_mps: -20.0,
        }),
        mode3a: Some(0o1275),
        aircraft_address: Some(0x4C_0000 + idx),
        aircraft_id: Callsign::new("RYR174C"),
        track_number: (idx % 65_536) as u16,
        measured_flight_level: Some(390.0),
        geometric_altitude_m: Some(11_000.0),
        rate_of_climb_mps: Some(0.0),
        accuracy: Some(TrackAccuracy {
            position_xy_m: Some((20.0, 25.0)),
            ..TrackAccuracy::default()
        }),
        ..Cat062Record::default()
    }
}

fn report(idx: u32) -> Cat021Record {
    let i = f64::from(idx);
    Cat021Record {
        sac: 0,
        sic: 1,
        time_of_applicability_position_s: Some(3_600.0 + i * 0.01),
        position_high_res: Some(LatLon21 {
            lat_deg: 52.0 + i * 1e-4,
            lon_deg: 21.0,
        }),
        aircraft_address: Some(0x48_0000 + idx),
        time_of_reception_position_s: Some(3_600.0 + i * 0.01),
        geometric_height_m: Some(11_000.0),
        quality: Some(Quality {
            nucr_nacv: 1,
            nucp_nic: 8,
            nac_p: Some(9),
            gva: Some(2),
        }),
        mops_version: Some(2),
        flight_level: Some(360.0),
        ground_vector: Some(GroundVector {
            ground_speed_mps: 230.0,
            track_angle_deg: 90.0,
        }),
        callsign: Callsign::new("LOT3"),
        emitter_category: Some(3),
        ..Cat021Record::default()
    }
}

/// 1,000 datagrams of 20 records each.
fn datagrams<R: AsterixRecord>(make: fn(u32) -> R) -> Vec<Vec<u8>> {
    (0..1_000u32)
        .map(|d| encode_block(&(0..20).map(|r| make(d * 20 + r)).collect::<Vec<_>>()).unwrap())
        .collect()
}

fn decode_all(datagrams: &[Vec<u8>], n_records: u64) {
    let mut decoder = AsterixDecoder::new(config());
    let mut sink = Count::default();
    for datagram in datagrams {
        decoder.feed(datagram, &mut sink);
    }
    assert_eq!((sink.records, sink.errors), (n_records, 0));
}

fn bench_category(c: &mut Criterion, name: &str, datagrams: &[Vec<u8>], on_cpu: bool) {
    let n_records: u64 = 20 * datagrams.len() as u64;
    let mut group = c.benchmark_group("asterix");
    group.throughput(Throughput::Elements(n_records));
    group.bench_function(name, |b| b.iter(|| decode_all(datagrams, n_records)));
    if on_cpu && cpu_time::thread_cpu_ns().is_some() {
        group.bench_function(format!("{name}_on_cpu"), |b| {
            b.iter_custom(|iters| cpu_time::on_cpu(iters, || decode_all(datagrams, n_records)))
        });
    }
    group.finish();
}

fn asterix(c: &mut Criterion) {
    bench_category(c, "cat048_decode", &datagrams(plot), true);
    bench_category(c, "cat062_decode", &datagrams(track), false);
    bench_category(c, "cat021_decode", &datagrams(report), false);
}

criterion_group!(benches, asterix);
criterion_main!(benches);
